use super::*;
use crate::calendar::Profile;
use crate::case::{Category, Oral, Outcome};
use chrono::TimeZone;

const ALL: [Status; 5] = [
    Status::Kandidaat,
    Status::GeenKlacht,
    Status::InBehandeling,
    Status::StandpuntGegeven,
    Status::Gesloten,
];

fn calendar() -> Calendar {
    Calendar::new(Profile::Kantoor, [])
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn case(status: Status) -> CaseView {
    CaseView {
        reference: "KL-2026-0007".parse().unwrap(),
        status,
        // Monday 14 December 2026.
        position_by: date("2026-12-14"),
        // Eight weeks after Monday 30 November 2026.
        kifid_from: date("2027-01-25"),
        category: None,
        draft: None,
        ack_sent: false,
        position_sent: false,
    }
}

/// Tuesday 1 December 2026, 10:00 in Amsterdam.
fn today() -> NaiveDate {
    date("2026-12-01")
}

fn reply(commands: &[Command]) -> Reply<'_> {
    Reply {
        commands,
        written: None,
        rejection: None,
        today: today(),
        draft_named: None,
    }
}

/// Positions are sent at once (`review_position = false`), 10 working days for a late one.
fn rules(calendar: &Calendar) -> Rules<'_> {
    Rules {
        calendar,
        review_position: false,
        late_position_days: 10,
    }
}

fn decide_on(status: Status, commands: &[Command]) -> Result<Vec<Effect>, Refusal> {
    decide(&case(status), &reply(commands), &rules(&calendar()))
}

fn statuses(effects: &[Effect]) -> Vec<Status> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SetStatus(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn events(effects: &[Effect]) -> Vec<&str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Event { kind, .. } => Some(kind.as_str()),
            _ => None,
        })
        .collect()
}

fn letters(effects: &[Effect]) -> Vec<&LetterKind> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Letter(l) => Some(l),
            _ => None,
        })
        .collect()
}

/// Every decision command in every status: the new status, "repeated" (nothing changes),
/// or refused as not fitting the status.
#[test]
fn every_decision_in_every_status() {
    #[derive(Debug, PartialEq)]
    enum Then {
        To(Status),
        Repeated,
        Refused,
    }
    use Status::*;
    use Then::*;
    let position = Command::Position("Wij geven u gelijk.".into());
    let orally = Command::HandledOrally {
        how: Oral::Telefonisch,
        summary: "gebeld".into(),
    };
    let table: [(&Command, [Then; 5]); 5] = [
        (
            &Command::Confirm,
            [
                To(InBehandeling),
                To(InBehandeling),
                Repeated,
                Repeated,
                Refused,
            ],
        ),
        (
            &Command::Reject,
            [To(GeenKlacht), Repeated, Refused, Refused, Refused],
        ),
        (
            &position,
            [Refused, Refused, To(StandpuntGegeven), Repeated, Refused],
        ),
        (
            &orally,
            [Refused, Refused, To(StandpuntGegeven), Repeated, Refused],
        ),
        (
            &Command::Close,
            [
                To(Gesloten),
                To(Gesloten),
                To(Gesloten),
                To(Gesloten),
                Repeated,
            ],
        ),
    ];
    for (command, expected) in &table {
        for (status, then) in ALL.iter().zip(expected) {
            let got = decide_on(*status, std::slice::from_ref(*command));
            let seen = match &got {
                Ok(effects) if events(effects) == ["herhaald"] => Repeated,
                Ok(effects) => match statuses(effects).as_slice() {
                    [s] => To(*s),
                    other => panic!("{command:?} in {status}: statuses {other:?}"),
                },
                Err(Refusal::Transition { error, .. }) => {
                    assert_eq!(error.from, *status);
                    Refused
                }
                Err(other) => panic!("{command:?} in {status}: {other}"),
            };
            assert_eq!(&seen, then, "{} in {status}: {got:?}", command.word());
        }
    }
}

#[test]
fn confirm_sends_the_acknowledgement_and_position_the_letter_with_its_text() {
    let effects = decide_on(Status::Kandidaat, &[Command::Confirm]).unwrap();
    assert_eq!(
        effects,
        vec![
            Effect::SetStatus(Status::InBehandeling),
            Effect::Event {
                kind: "bevestigd".into(),
                detail: "directie: dit is een klacht".into()
            },
            Effect::Letter(LetterKind::Acknowledgement {
                promised: None,
                kifid: false
            }),
        ]
    );
    let text = "Na onderzoek geven wij u gelijk.";
    let effects = decide_on(Status::InBehandeling, &[Command::Position(text.into())]).unwrap();
    assert_eq!(letters(&effects), [&LetterKind::Position(text.into())]);
    // A repeated decision sends nothing again.
    let effects = decide_on(Status::InBehandeling, &[Command::Confirm]).unwrap();
    assert!(letters(&effects).is_empty(), "{effects:?}");
    // Orally handled: no letter.
    let effects = decide_on(
        Status::InBehandeling,
        &[Command::HandledOrally {
            how: Oral::Persoonlijk,
            summary: "besproken".into(),
        }],
    )
    .unwrap();
    assert!(letters(&effects).is_empty());
    assert_eq!(events(&effects), ["afgehandeld_persoonlijk"]);
}

#[test]
fn a_refused_command_refuses_the_whole_reply() {
    // CATEGORIE is fine, GEEN KLACHT is not (the case is confirmed): nothing is done.
    let got = decide_on(
        Status::InBehandeling,
        &[Command::Category(Category::Advies), Command::Reject],
    );
    let err = got.unwrap_err();
    assert_eq!(
        err.to_string(),
        "GEEN KLACHT kan niet: de zaak is in behandeling (KL-2026-0007)"
    );
}

#[test]
fn klacht_written_before_another_members_geen_klacht_is_a_conflict() {
    let rejected_at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 5, 0).unwrap();
    let rejection = Some(Rejection {
        at: rejected_at,
        by: "jan@firma.example".into(),
    });
    let commands = [Command::Confirm];
    let mut r = reply(&commands);
    r.rejection = rejection.clone();
    r.written = Some(rejected_at - Duration::minutes(3));
    let err = decide(&case(Status::GeenKlacht), &r, &rules(&calendar())).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Refusal::Overtaken { .. }));
    assert!(text.contains("jan@firma.example"), "{text}");
    // 09:05 UTC is 10:05 in Amsterdam.
    assert!(text.contains("dinsdag 1 december 2026 om 10:05"), "{text}");
    // Written afterwards (or without a Date): a reconsideration, carried out.
    r.written = Some(rejected_at + Duration::minutes(3));
    let effects = decide(&case(Status::GeenKlacht), &r, &rules(&calendar())).unwrap();
    assert_eq!(statuses(&effects), [Status::InBehandeling]);
    r.written = None;
    assert!(decide(&case(Status::GeenKlacht), &r, &rules(&calendar())).is_ok());
    // No earlier GEEN KLACHT recorded: nothing to conflict with.
    r.written = Some(rejected_at - Duration::minutes(3));
    r.rejection = None;
    assert!(decide(&case(Status::GeenKlacht), &r, &rules(&calendar())).is_ok());
}

#[test]
fn outcome_only_for_a_confirmed_complaint() {
    for status in ALL {
        let got = decide_on(status, &[Command::Outcome(Outcome::Gegrond)]);
        match status {
            Status::Kandidaat | Status::GeenKlacht => {
                assert!(
                    matches!(got, Err(Refusal::OutcomeTooEarly { .. })),
                    "{status}: {got:?}"
                )
            }
            _ => assert!(
                got.as_ref()
                    .unwrap()
                    .contains(&Effect::SetOutcome(Outcome::Gegrond)),
                "{status}: {got:?}"
            ),
        }
    }
    // Confirmed in the same reply, then the outcome: fits.
    let effects = decide_on(
        Status::Kandidaat,
        &[Command::Confirm, Command::Outcome(Outcome::DeelsGegrond)],
    )
    .unwrap();
    assert!(effects.contains(&Effect::SetOutcome(Outcome::DeelsGegrond)));
}

#[test]
fn extend_moves_the_position_to_a_later_working_day() {
    let extend = |until: &str| Command::Extend {
        until: date(until),
        reason: "wij wachten op stukken".into(),
    };
    // Only for a confirmed complaint without a position.
    for status in ALL {
        let got = decide_on(status, &[extend("2026-12-28")]);
        if status == Status::InBehandeling {
            let effects = got.unwrap();
            assert_eq!(effects[0], Effect::SetPositionBy(date("2026-12-28")));
            assert_eq!(
                letters(&effects),
                [&LetterKind::Extension {
                    previous: Some(date("2026-12-14")),
                    reason: "wij wachten op stukken".into(),
                    kifid: false,
                }]
            );
        } else {
            assert!(
                matches!(got, Err(Refusal::ExtendNotNow { .. })),
                "{status}: {got:?}"
            );
        }
    }
    // Christmas Day: the next working day, Monday 28 December, and the event says why.
    let effects = decide_on(Status::InBehandeling, &[extend("2026-12-25")]).unwrap();
    assert_eq!(effects[0], Effect::SetPositionBy(date("2026-12-28")));
    let Effect::Event { detail, .. } = &effects[1] else {
        panic!("{effects:?}")
    };
    assert!(detail.contains("is geen werkdag"), "{detail}");
    // Not after the current deadline, or in the past.
    for until in ["2026-12-14", "2026-12-10", "2026-11-30"] {
        let got = decide_on(Status::InBehandeling, &[extend(until)]);
        assert!(
            matches!(got, Err(Refusal::ExtendNotLater { .. })),
            "{until}: {got:?}"
        );
    }
    // More than a year ahead.
    let got = decide_on(Status::InBehandeling, &[extend("2028-01-10")]);
    assert!(matches!(got, Err(Refusal::ExtendTooFar { .. })), "{got:?}");
    // Outside the calendar's range.
    let got = decide_on(Status::InBehandeling, &[extend("2099-01-05")]);
    assert!(
        matches!(
            got,
            Err(Refusal::ExtendCalendar { .. }) | Err(Refusal::ExtendTooFar { .. })
        ),
        "{got:?}"
    );
    // Confirmed and extended in one reply.
    let effects = decide_on(Status::Kandidaat, &[Command::Confirm, extend("2027-01-11")]).unwrap();
    assert!(effects.contains(&Effect::SetPositionBy(date("2027-01-11"))));
}

#[test]
fn a_measure_takes_the_category_set_in_the_same_reply() {
    let effects = decide_on(
        Status::InBehandeling,
        &[
            Command::Category(Category::Bejegening),
            Command::Measure("training telefoongesprekken".into()),
        ],
    )
    .unwrap();
    assert!(effects.contains(&Effect::AddMeasure {
        text: "training telefoongesprekken".into(),
        category: Some("bejegening".into()),
    }));
    assert_eq!(events(&effects), ["categorie", "maatregel"]);
}

#[test]
fn notes_and_employee_are_recorded_in_any_status_and_promote_is_refused() {
    for status in ALL {
        let effects = decide_on(
            status,
            &[
                Command::Note("klant gebeld".into()),
                Command::Employee("Sandra".into()),
            ],
        )
        .unwrap();
        assert_eq!(events(&effects), ["notitie", "medewerker"], "{status}");
        assert!(effects.contains(&Effect::SetEmployee("Sandra".into())));
        let got = decide_on(
            status,
            &[Command::Promote {
                message: 4,
                token: "abc".into(),
            }],
        );
        assert!(matches!(got, Err(Refusal::PromoteOnCase { .. })), "{got:?}");
    }
}

#[test]
fn a_long_position_is_cut_in_the_timeline_but_whole_in_the_letter() {
    let text = "x".repeat(400);
    let effects = decide_on(Status::InBehandeling, &[Command::Position(text.clone())]).unwrap();
    let Some(Effect::Event { detail, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Event { kind, .. } if kind == "standpunt"))
    else {
        panic!("{effects:?}")
    };
    assert!(
        detail.ends_with('…') && detail.chars().count() < 330,
        "{detail}"
    );
    assert_eq!(letters(&effects), [&LetterKind::Position(text)]);
}

mod time_and_post;
