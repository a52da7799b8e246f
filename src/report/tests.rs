use super::*;

#[test]
fn periods_parse_and_step_back() {
    let p: Period = "2026-H1".parse().unwrap();
    assert_eq!(p.from, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    assert_eq!(p.to, NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
    assert_eq!(p.previous().label(), "2025-H2");
    assert_eq!(p.previous().previous().label(), "2025-H1");
    let r: Period = "2026-03-01..2026-03-31".parse().unwrap();
    assert_eq!(r.previous().label(), "2026-01-29..2026-02-28");
    assert!("2026-H3".parse::<Period>().is_err());
    assert!("2026-05-01..2026-04-01".parse::<Period>().is_err());
    assert_eq!(
        Period::half_of(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()).label(),
        "2026-H2"
    );
}

#[test]
fn spread_uses_the_documented_definitions() {
    assert_eq!(spread(&[]), (None, None, None));
    assert_eq!(spread(&[3.0]), (Some(3.0), Some(3.0), Some(3.0)));
    assert_eq!(
        spread(&[4.0, 1.0, 3.0, 2.0]),
        (Some(2.5), Some(4.0), Some(4.0))
    );
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_eq!(spread(&ten), (Some(5.5), Some(9.0), Some(10.0)));
    let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
    assert_eq!(spread(&eleven).1, Some(10.0));
}

#[test]
fn every_format_renders_an_empty_period() {
    let r = build(
        &"2026-H1".parse().unwrap(),
        &[],
        &[],
        Utc::now(),
        "Firma B.V.",
    );
    let renderer = Renderer::new().unwrap();
    for f in [Format::Text, Format::Markdown, Format::Csv, Format::Html] {
        let out = renderer.render(&r, f).unwrap();
        assert!(out.contains("klachten"), "{f:?}: {out}");
    }
    let en = build_in(
        &"2026-H1".parse().unwrap(),
        &[],
        &[],
        Utc::now(),
        "Firma B.V.",
        Language::En,
    );
    let out = renderer.render(&en, Format::Text).unwrap();
    assert!(out.starts_with("Complaints inventory Firma B.V."), "{out}");
    assert!(out.contains("  complaints"), "{out}");
    assert!(!out.contains("klachten"), "{out}");
}

#[test]
fn whole_years_and_dutch_reasons() {
    let y: Period = "2026".parse().unwrap();
    assert_eq!(y.from, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    assert_eq!(y.to, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
    assert_eq!(y.label(), "2026");
    assert_eq!(y.previous().label(), "2025");
    assert_eq!(y.previous().previous().from.to_string(), "2024-01-01");
    assert!(y.contains(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()));
    assert_eq!(Period::year(2026), Some(y));
    // The other forms are unchanged.
    assert_eq!(
        " 2026-h2 ".parse::<Period>().unwrap().to_string(),
        "2026-H2"
    );
    assert_eq!(
        "2026-01-01..2026-12-31".parse::<Period>().unwrap().label(),
        "2026-01-01..2026-12-31"
    );
    for bad in ["26", "1989", "20266", "2026-", "2026-H", "zomer", ""] {
        assert!(bad.parse::<Period>().is_err(), "{bad:?}");
    }
    let nl = Period::parse_in("zomer", Language::Nl).unwrap_err();
    assert_eq!(
        nl,
        "\"zomer\" is geen periode: gebruik 2026, 2026-H1, 2026-H2 of 2026-01-01..2026-03-31"
    );
    let en = Period::parse_in("2026-05-01..2026-04-01", Language::En).unwrap_err();
    assert_eq!(
        en,
        "\"2026-05-01..2026-04-01\": the end lies before the start"
    );
}

fn at(s: &str) -> DateTime<Utc> {
    ts(s).unwrap()
}

/// A case received at `received` (RFC 3339), confirmed then unless still `kandidaat`
/// or `geen_klacht`; deadlines 9 and 14 days on.
fn case(
    n: u32,
    received: &str,
    status: Status,
    category: Option<&str>,
    employee: Option<&str>,
) -> CaseRow {
    let day = local_date(at(received));
    CaseRow {
        id: i64::from(n),
        case_ref: crate::case::CaseRef::new(2026, n).unwrap(),
        status,
        channel: crate::case::Channel::Email,
        message_pk: None,
        complainant_addr: Some(format!("klant{n}@example.test")),
        complainant_name: None,
        subject: None,
        language: crate::detect::Language::Nl,
        summary: String::new(),
        screened: None,
        received_at: received.into(),
        confirm_by: (day + Duration::days(9)).to_string(),
        position_by: (day + Duration::days(14)).to_string(),
        kifid_from: Some((day + Duration::weeks(8)).to_string()),
        reminded_through: None,
        category: category.map(String::from),
        employee: employee.map(String::from),
        confirmed_at: (!matches!(status, Status::Kandidaat | Status::GeenKlacht))
            .then(|| received.to_string()),
        acknowledged_at: (!matches!(status, Status::Kandidaat | Status::GeenKlacht))
            .then(|| received.to_string()),
        position_at: None,
        closed_at: None,
        postal: None,
        phone: None,
        taken_by: None,
        outcome: None,
        purged_at: None,
        position_sent_at: None,
        origin: crate::case::Origin::Herkend,
    }
}

fn measure(id: i64, taken_on: &str, text: &str, category: Option<&str>) -> Measure {
    Measure {
        id,
        taken_on: taken_on.into(),
        owner: "Els".into(),
        text: text.into(),
        case: None,
        category: category.map(String::from),
    }
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn open_and_overdue_follow_the_deadlines_that_still_run() {
    // Received Tuesday 24 November 2026: confirm by 3 December, position by 8 December.
    let mut c = case(1, "2026-11-24T09:00:00Z", Status::Kandidaat, None, None);
    assert_eq!(c.confirm_by, "2026-12-03");
    assert!(is_open(c.status));
    assert!(
        !is_overdue(&c, day("2026-12-03")),
        "the deadline day itself"
    );
    assert!(is_overdue(&c, day("2026-12-04")));
    c.status = Status::InBehandeling;
    assert!(is_open(c.status));
    assert!(
        !is_overdue(&c, day("2026-12-04")),
        "acknowledged: confirm_by is done"
    );
    assert!(!is_overdue(&c, day("2026-12-08")));
    assert!(is_overdue(&c, day("2026-12-09")));
    for s in [
        Status::StandpuntGegeven,
        Status::Gesloten,
        Status::GeenKlacht,
    ] {
        c.status = s;
        assert!(!is_open(s), "{s}");
        assert!(!is_overdue(&c, day("2027-06-01")), "{s}");
    }
}

/// The cells of a text line: runs of two or more spaces separate them.
fn fields(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Every line of `s` holds its label and cells (the header its column labels), each
/// separated from the next by at least two spaces.
fn assert_columns_apart(s: &Section) {
    let last = s.columns.len();
    let fit = |i: usize, t: &str| {
        if i < last {
            clip(t, MAX_COLUMN)
        } else {
            t.to_string()
        }
    };
    let want: Vec<String> = s
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| fit(i + 1, &c.label))
        .collect();
    assert_eq!(fields(&s.header), want, "{}: header {:?}", s.key, s.header);
    for r in &s.rows {
        let want: Vec<String> = std::iter::once(fit(0, &r.label))
            .chain(r.cells.iter().enumerate().map(|(i, c)| fit(i + 1, &c.text)))
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(fields(&r.line), want, "{}: row {:?}", s.key, r.line);
        assert!(r.line.starts_with("  "), "{:?}", r.line);
        assert_eq!(r.line, r.line.trim_end(), "trailing spaces");
    }
}

#[test]
fn text_columns_never_run_together() {
    let long = "een categorie met een veel langere naam dan de kop";
    let s = section(
        "categorie",
        "Per categorie",
        &[("aantal", "aantal"), ("aandeel", "aandeel")],
        vec![
            (
                "x".into(),
                long.into(),
                vec![Cell::count(12), Cell::percent(12, 40)],
            ),
            (
                "advies".into(),
                "advies".into(),
                vec![Cell::count(3), Cell::percent(3, 40)],
            ),
        ],
    );
    assert_eq!(
        s.header,
        format!("  {}  aantal  aandeel", " ".repeat(long.len()))
    );
    assert_eq!(s.rows[0].line, format!("  {long}      12    30,0%"));
    assert_eq!(
        s.rows[1].line,
        format!("  advies{}       3     7,5%", " ".repeat(long.len() - 6))
    );
    assert_columns_apart(&s);
    // Figures are right-aligned under their header: each column ends where its
    // header label ends.
    for (col, label) in [(1, "aantal"), (2, "aandeel")] {
        let end = s.header.find(label).unwrap() + label.len();
        for r in &s.rows {
            let cell = &r.cells[col - 1].text;
            assert_eq!(r.line.rfind(cell.as_str()).unwrap() + cell.len(), end);
        }
    }

    // A whole report with long labels, long measure text and wide column headers
    // (a date range's trend columns), in both languages.
    let period: Period = "2026-01-01..2026-03-31".parse().unwrap();
    let employee = "mevrouw drs. Bartholomea van der Heijden-Oudshoorn tot Wijckersloot";
    let cases = vec![
        case(
            1,
            "2026-01-10T09:00:00Z",
            Status::InBehandeling,
            Some("informatie"),
            Some(employee),
        ),
        case(
            2,
            "2026-02-10T09:00:00Z",
            Status::InBehandeling,
            Some("informatie"),
            None,
        ),
        case(3, "2026-02-11T09:00:00Z", Status::Kandidaat, None, None),
        case(4, "2026-03-01T09:00:00Z", Status::GeenKlacht, None, None),
    ];
    let measures = vec![measure(
        1,
        "2026-02-01",
        "Elke adviseur belt binnen twee werkdagen terug en legt dat vast in het klantdossier, ook als de klant niet opneemt",
        Some("informatie"),
    )];
    for lang in [Language::Nl, Language::En] {
        let r = build_in(
            &period,
            &cases,
            &measures,
            at("2026-05-01T10:00:00Z"),
            "Firma",
            lang,
        );
        for s in &r.sections {
            assert_columns_apart(s);
        }
        let text = Renderer::new().unwrap().render(&r, Format::Text).unwrap();
        for s in &r.sections {
            for r in &s.rows {
                assert!(text.contains(&format!("{}\n", r.line)), "{}", r.line);
            }
        }
    }
}

fn measure_row(r: &Report) -> &Row {
    let s = r.sections.iter().find(|s| s.key == "maatregelen").unwrap();
    assert_eq!(s.rows.len(), 1, "{:?}", s.rows);
    &s.rows[0]
}

#[test]
fn a_measure_younger_than_its_window_is_too_early() {
    let h2: Period = "2026-H2".parse().unwrap();
    let complaints = vec![
        case(
            1,
            "2026-07-10T09:00:00Z",
            Status::InBehandeling,
            Some("termijn"),
            None,
        ),
        case(
            2,
            "2026-07-20T09:00:00Z",
            Status::InBehandeling,
            Some("termijn"),
            None,
        ),
    ];
    let m = vec![measure(1, "2026-08-01", "Termijnbewaking", Some("termijn"))];
    // On 15 August the measure is 15 days old: nothing after it can be judged yet,
    // though the half year runs on to December.
    let r = build(&h2, &complaints, &m, at("2026-08-15T10:00:00Z"), "Firma");
    let row = measure_row(&r);
    let cells: Vec<(&str, &str)> = row
        .cells
        .iter()
        .map(|c| (c.text.as_str(), c.raw.as_str()))
        .collect();
    assert_eq!(row.label, "1-8-2026");
    assert_eq!(cells[4], ("15", "15"), "the window is the measure's age");
    assert_eq!(cells[5], ("–", ""));
    assert_eq!(cells[6], ("–", ""));
    assert_eq!(cells[7], ("te vroeg", "te vroeg"));
    let en = build_in(
        &h2,
        &complaints,
        &m,
        at("2026-08-15T10:00:00Z"),
        "Firma",
        Language::En,
    );
    let en_row = measure_row(&en);
    assert_eq!(en_row.cells[7].text, "too early");
    assert_eq!(en_row.cells[7].raw, "te vroeg", "CSV keeps the Dutch value");
    assert_eq!(en_row.label, "2026-08-01");

    // 40 days on, the windows are 40 days: two before it, none after.
    let r = build(&h2, &complaints, &m, at("2026-09-09T10:00:00Z"), "Firma");
    let row = measure_row(&r);
    let texts: Vec<&str> = row.cells.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts[4..], ["40", "2", "0", "gedaald"]);

    // Looked back on after the half year, the window runs to its end (153 days).
    let r = build(&h2, &complaints, &m, at("2027-03-01T10:00:00Z"), "Firma");
    let texts: Vec<String> = measure_row(&r)
        .cells
        .iter()
        .map(|c| c.text.clone())
        .collect();
    assert_eq!(texts[4..], ["153", "2", "0", "gedaald"]);

    // With a complaint after it as well, the category did not fall.
    let mut more = complaints.clone();
    more.push(case(
        3,
        "2026-08-20T09:00:00Z",
        Status::InBehandeling,
        Some("termijn"),
        None,
    ));
    more.push(case(
        4,
        "2026-08-21T09:00:00Z",
        Status::InBehandeling,
        Some("termijn"),
        None,
    ));
    let r = build(&h2, &more, &m, at("2026-09-09T10:00:00Z"), "Firma");
    let texts: Vec<String> = measure_row(&r)
        .cells
        .iter()
        .map(|c| c.text.clone())
        .collect();
    assert_eq!(texts[4..], ["40", "2", "2", "niet gedaald"]);
}

#[test]
fn outcomes_and_channels_are_labelled_and_keys_stay() {
    let mut c = case(
        1,
        "2026-02-10T09:00:00Z",
        Status::InBehandeling,
        Some("advies"),
        None,
    );
    c.outcome = Some(Outcome::DeelsGegrond);
    let r = build(
        &"2026-H1".parse().unwrap(),
        &[c],
        &[],
        at("2026-07-15T10:00:00Z"),
        "F",
    );
    let uitkomst = r.sections.iter().find(|s| s.key == "uitkomst").unwrap();
    let row = uitkomst
        .rows
        .iter()
        .find(|r| r.key == "deels_gegrond")
        .unwrap();
    assert_eq!(row.label, "deels gegrond");
    assert_eq!(row.cells[0].raw, "1");
    let open = uitkomst
        .rows
        .iter()
        .find(|r| r.key == "nog_niet_bepaald")
        .unwrap();
    assert_eq!(open.label, "nog niet bepaald");
    let kanaal = r.sections.iter().find(|s| s.key == "kanaal").unwrap();
    assert_eq!(kanaal.rows[0].key, "e-mail");
    assert_eq!(kanaal.rows[0].label, "e-mail");
    let csv = csv(&r);
    assert!(
        csv.contains("2026-H1,uitkomst,deels_gegrond,aantal,1"),
        "{csv}"
    );
}

#[test]
fn the_inventory_says_how_many_complaints_the_detector_found_by_itself() {
    use crate::case::Origin;
    let period: Period = "2026-H2".parse().unwrap();
    let with = |n: u32, status: Status, origin: Origin| {
        let mut c = case(n, "2026-09-01T09:00:00Z", status, None, None);
        c.origin = origin;
        c
    };
    let cases = vec![
        with(1, Status::InBehandeling, Origin::Herkend),
        with(2, Status::StandpuntGegeven, Origin::Herkend),
        with(3, Status::Gesloten, Origin::Herkend),
        with(4, Status::GeenKlacht, Origin::Herkend),
        with(5, Status::InBehandeling, Origin::Twijfelgeval),
        with(6, Status::InBehandeling, Origin::MetDeHand),
        with(7, Status::Kandidaat, Origin::MetDeHand),
        with(8, Status::InBehandeling, Origin::Formulier),
        with(9, Status::InBehandeling, Origin::Doorgestuurd),
    ];
    let r = build(&period, &cases, &[], at("2026-12-01T10:00:00Z"), "Firma");
    let s = r.sections.iter().find(|s| s.key == "herkenning").unwrap();
    let row = |key: &str| -> Vec<String> {
        s.rows
            .iter()
            .find(|r| r.key == key)
            .unwrap_or_else(|| panic!("no row {key}"))
            .cells
            .iter()
            .map(|c| c.text.clone())
            .collect()
    };
    // Confirmed complaints, judged no complaint, still to decide. Case 3 was closed after
    // it was confirmed: a complaint.
    assert_eq!(row("herkend"), ["3", "1", "0"]);
    assert_eq!(row("twijfelgeval"), ["1", "0", "0"]);
    assert_eq!(row("met_de_hand"), ["1", "0", "1"]);
    assert_eq!(row("doorgestuurd"), ["1", "0", "0"]);
    assert_eq!(row("formulier"), ["1", "0", "0"]);
    assert!(
        s.rows.iter().all(|r| r.key != "onbekend"),
        "no row for what nothing is"
    );
    // The detector's figures on the firm's own mail, for the half-yearly review: of the
    // five complaints in the watched mailbox (not the form, not the forward) it flagged
    // three, and one of the four mails it flagged was no complaint.
    assert!(
        r.highlights.iter().any(|h| h
            == "van de 5 klachten in de gevolgde mailbox herkende klachtenbus er 3 (60%); \
                uit de twijfelgevallen: 1, met de hand aangemerkt: 1"),
        "{:?}",
        r.highlights
    );
    assert!(
        r.highlights.iter().any(
            |h| h == "volgens directie geen klacht: 1 van de 4 door klachtenbus herkende mails"
        ),
        "{:?}",
        r.highlights
    );
    // Everything flagged and confirmed: nothing to point out.
    let r = build(
        &period,
        &cases[..3],
        &[],
        at("2026-12-01T10:00:00Z"),
        "Firma",
    );
    assert!(
        r.highlights.iter().all(|h| !h.contains("klachtenbus")),
        "{:?}",
        r.highlights
    );
    let en = build_in(
        &period,
        &cases,
        &[],
        at("2026-12-01T10:00:00Z"),
        "Firma",
        Language::En,
    );
    assert!(
        en.highlights.iter().any(|h| h
            == "of the 5 complaints in the watched mailbox the detector flagged 3 (60%); \
                from the doubtful mails: 1, marked by hand: 1"),
        "{:?}",
        en.highlights
    );
}
