use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn counting_back_and_between() {
    let cal = Calendar::new(Profile::Kantoor, []);
    // 2 working days before Wednesday 9 December 2026 is Monday 7 December; 3 before
    // Monday 28 December 2026 skips the weekend and Christmas: 23 December.
    assert_eq!(
        cal.sub_working_days(d(2026, 12, 9), 2).unwrap(),
        d(2026, 12, 7)
    );
    assert_eq!(
        cal.sub_working_days(d(2026, 12, 28), 3).unwrap(),
        d(2026, 12, 22)
    );
    assert_eq!(
        cal.working_days_between(d(2026, 12, 24), d(2026, 12, 29)),
        2
    );
    assert_eq!(
        cal.working_days_between(d(2026, 12, 29), d(2026, 12, 24)),
        -2
    );
    assert_eq!(cal.working_days_between(d(2026, 12, 9), d(2026, 12, 9)), 0);
    assert!(cal.sub_working_days(d(1990, 1, 2), 5).is_err());
}

#[test]
fn icalendar_closed_days() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n\
               DTSTART;VALUE=DATE:20261228\r\nDTEND;VALUE=DATE:20261231\r\nEND:VEVENT\r\n\
               BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20261201T120000Z\r\nEND:VEVENT\r\n\
               END:VCALENDAR\r\n";
    let got = closed_days_from_ics(ics).unwrap();
    assert_eq!(
        got.days,
        vec![d(2026, 12, 28), d(2026, 12, 29), d(2026, 12, 30)]
    );
    assert_eq!(got.timed_events_ignored, 1);
    let long = ics.replace("20261231", "20270331");
    assert!(closed_days_from_ics(&long)
        .unwrap_err()
        .contains("days in a row"));
    assert!(closed_days_from_ics("not a calendar").is_err());
}

#[test]
fn easter_known_years() {
    for (y, m, day) in [
        (1990, 4, 15),
        (2000, 4, 23),
        (2008, 3, 23),
        (2011, 4, 24),
        (2019, 4, 21),
        (2024, 3, 31),
        (2025, 4, 20),
        (2026, 4, 5),
        (2038, 4, 25),
        (2100, 3, 28),
        (2200, 4, 6),
    ] {
        assert_eq!(easter(y), d(y, m, day), "{y}");
    }
}

#[test]
fn worked_example_christmas_2026() {
    // Arrival Monday 21 December 2026 → confirm_by Thursday 31 December 2026 (kantoor):
    // 22, 23, 24, (25, 26 holidays, 27 Sunday), 28, 29, 30, 31.
    let cal = Calendar::new(Profile::Kantoor, []);
    assert_eq!(
        cal.add_working_days(d(2026, 12, 21), 7).unwrap(),
        d(2026, 12, 31)
    );
}

#[test]
fn across_easter_and_good_friday_by_profile() {
    // Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    let kantoor = Calendar::new(Profile::Kantoor, []);
    let atw = Calendar::new(Profile::Atw, []);
    // From Wednesday 1 April: 2 Apr, 3 Apr (kantoor only), then 7, 8, 9, 10, 13, 14.
    assert_eq!(
        kantoor.add_working_days(d(2026, 4, 1), 7).unwrap(),
        d(2026, 4, 13)
    );
    assert_eq!(
        atw.add_working_days(d(2026, 4, 1), 7).unwrap(),
        d(2026, 4, 14)
    );
}

#[test]
fn koningsdag_sunday_rule() {
    // 27 April 2025 is a Sunday: Koningsdag on Saturday 26 April.
    let h = holidays(2025, Profile::Kantoor);
    assert!(h
        .iter()
        .any(|h| h.name == "Koningsdag" && h.date == d(2025, 4, 26)));
    assert!(!h.iter().any(|h| h.date == d(2025, 4, 27)));
    // Koninginnedag: 30 April 2006 was a Sunday → 29 April; 2013 the last one.
    assert!(holidays(2006, Profile::Atw)
        .iter()
        .any(|h| h.name == "Koninginnedag" && h.date == d(2006, 4, 29)));
    assert!(holidays(2013, Profile::Atw)
        .iter()
        .any(|h| h.name == "Koninginnedag" && h.date == d(2013, 4, 30)));
    assert!(holidays(2014, Profile::Atw)
        .iter()
        .any(|h| h.name == "Koningsdag" && h.date == d(2014, 4, 26)));
}

#[test]
fn bevrijdingsdag_by_profile() {
    let has_5_may = |y, p| holidays(y, p).iter().any(|h| h.date == d(y, 5, 5));
    assert!(has_5_may(2025, Profile::Kantoor));
    assert!(!has_5_may(2026, Profile::Kantoor));
    assert!(has_5_may(2026, Profile::Atw));
}

#[test]
fn hemelvaart_and_pinksteren() {
    // 2026: Ascension Thursday 14 May, Whit Monday 25 May.
    let cal = Calendar::new(Profile::Kantoor, []);
    assert!(!cal.is_working_day(d(2026, 5, 14)));
    assert!(!cal.is_working_day(d(2026, 5, 25)));
    // From Tuesday 12 May: 13, (14), 15, 18, 19, 20, 21, 22 → 7th is 22 May.
    assert_eq!(
        cal.add_working_days(d(2026, 5, 12), 7).unwrap(),
        d(2026, 5, 22)
    );
    // With the Friday after Ascension closed too.
    let bridge = Calendar::new(Profile::Kantoor, [d(2026, 5, 15)]);
    assert_eq!(
        bridge.add_working_days(d(2026, 5, 12), 7).unwrap(),
        d(2026, 5, 26)
    );
    assert_eq!(bridge.closed_reason(d(2026, 5, 15)), Some("gesloten"));
}

#[test]
fn position_deadline_moves_off_weekend_and_boxing_day() {
    let cal = Calendar::new(Profile::Kantoor, []);
    // Saturday 12 December 2026 + 14 = Saturday 26 December (Tweede Kerstdag, and a
    // Saturday) → Monday 28 December.
    assert_eq!(
        cal.add_days_to_working_day(d(2026, 12, 12), 14).unwrap(),
        d(2026, 12, 28)
    );
    // Friday 12 December 2025 + 14 = Friday 26 December 2025 (Tweede Kerstdag) →
    // Monday 29 December.
    assert_eq!(
        cal.add_days_to_working_day(d(2025, 12, 12), 14).unwrap(),
        d(2025, 12, 29)
    );
    // Tuesday 10 November 2026 + 14 = Tuesday 24 November: stays.
    assert_eq!(
        cal.add_days_to_working_day(d(2026, 11, 10), 14).unwrap(),
        d(2026, 11, 24)
    );
    // Year end: Friday 18 December 2026 + 14 = Friday 1 January 2027 → Monday 4 January.
    assert_eq!(
        cal.add_days_to_working_day(d(2026, 12, 18), 14).unwrap(),
        d(2027, 1, 4)
    );
}

#[test]
fn range_is_enforced() {
    let cal = Calendar::new(Profile::Kantoor, []);
    assert!(cal.add_working_days(d(1989, 12, 1), 1).is_err());
    assert!(cal.add_working_days(d(2200, 12, 28), 7).is_err());
    assert!(cal.add_working_days(d(2200, 12, 1), 7).is_ok());
}

#[test]
fn dates_in_dutch() {
    assert_eq!(dutch_date(d(2026, 12, 8)), "dinsdag 8 december 2026");
    assert_eq!(english_date(d(2026, 12, 8)), "Tuesday 8 December 2026");
}
