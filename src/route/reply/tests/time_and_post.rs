//! Dates the letters promise, the reviewed position, and letters sent by post.

use super::*;

/// A case whose position date has passed by `today`.
fn late_case(status: Status) -> CaseView {
    CaseView {
        // Received Monday 5 October 2026: position due 19 October, Kifid from 30 November.
        position_by: date("2026-10-19"),
        kifid_from: date("2026-11-30"),
        ..case(status)
    }
}

#[test]
fn a_late_confirmation_moves_the_position_date_forward_and_says_sorry() {
    let cal = calendar();
    let commands = [Command::Confirm];
    let effects = decide(
        &late_case(Status::Kandidaat),
        &reply(&commands),
        &rules(&cal),
    )
    .unwrap();
    // Ten working days from Tuesday 1 December 2026: Tuesday 15 December. The register
    // keeps the missed deadline; the letter promises the new date.
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::SetPositionBy(_))),
        "{effects:?}"
    );
    assert_eq!(
        letters(&effects),
        [&LetterKind::Acknowledgement {
            promised: Some(date("2026-12-15")),
            kifid: true
        }]
    );
    assert_eq!(events(&effects), ["termijn_verstreken", "bevestigd"]);
    let Some(Effect::Event { detail, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Event { kind, .. } if kind == "termijn_verstreken"))
    else {
        panic!("{effects:?}")
    };
    assert!(detail.contains("maandag 19 oktober 2026"), "{detail}");
    assert!(detail.contains("dinsdag 15 december 2026"), "{detail}");
    assert!(detail.contains("Kifid"), "{detail}");
    // Every date a letter promises is after today, whatever the case's dates were.
    for (position_by, kifid_from) in [
        ("2026-03-30", "2026-05-11"),
        ("2026-11-30", "2027-01-11"),
        ("2026-12-01", "2027-01-12"),
        ("2026-12-02", "2027-01-13"),
    ] {
        let view = CaseView {
            position_by: date(position_by),
            kifid_from: date(kifid_from),
            ..case(Status::Kandidaat)
        };
        let effects = decide(&view, &reply(&commands), &rules(&cal)).unwrap();
        let [LetterKind::Acknowledgement { promised, kifid }] = letters(&effects)[..] else {
            panic!("{effects:?}")
        };
        let date_in_letter = promised.unwrap_or(view.position_by);
        assert!(
            date_in_letter >= today(),
            "{position_by}: promises {date_in_letter}"
        );
        assert_eq!(
            promised.is_some(),
            date(position_by) < today(),
            "{position_by}"
        );
        assert_eq!(*kifid, date(kifid_from) <= date_in_letter, "{position_by}");
    }
    // On time, with Kifid's mark before the position date: Kifid is named, no apology.
    let view = CaseView {
        kifid_from: date("2026-12-10"),
        ..case(Status::Kandidaat)
    };
    let effects = decide(&view, &reply(&commands), &rules(&cal)).unwrap();
    assert_eq!(
        letters(&effects),
        [&LetterKind::Acknowledgement {
            promised: None,
            kifid: true
        }]
    );
}

#[test]
fn an_extension_after_the_date_has_passed_does_not_repeat_it() {
    let cal = calendar();
    let commands = [Command::Extend {
        until: date("2026-12-21"),
        reason: "stukken".into(),
    }];
    let effects = decide(
        &late_case(Status::InBehandeling),
        &reply(&commands),
        &rules(&cal),
    )
    .unwrap();
    assert_eq!(
        letters(&effects),
        [&LetterKind::Extension {
            previous: None,
            reason: "stukken".into(),
            kifid: true
        }]
    );
}

#[test]
fn under_review_a_position_is_a_draft_and_verstuur_sends_the_latest() {
    let cal = calendar();
    let review = Rules {
        review_position: true,
        ..rules(&cal)
    };
    let text = "Wij geven u gelijk.";
    let commands = [
        Command::Position(text.into()),
        Command::Outcome(Outcome::Gegrond),
        Command::Measure("werkinstructie aangepast".into()),
    ];
    let effects = decide(&case(Status::InBehandeling), &reply(&commands), &review).unwrap();
    assert!(statuses(&effects).is_empty(), "{effects:?}");
    assert!(letters(&effects).is_empty(), "{effects:?}");
    assert!(effects.contains(&Effect::Draft(text.into())));
    assert!(effects.contains(&Effect::SetOutcome(Outcome::Gegrond)));
    assert_eq!(
        events(&effects),
        ["standpunt_concept", "uitkomst", "maatregel"]
    );
    // A draft only where a position could be given.
    let got = decide(&case(Status::Kandidaat), &reply(&commands), &review);
    assert!(matches!(got, Err(Refusal::Transition { .. })), "{got:?}");

    // VERSTUUR sends the latest draft, unchanged.
    let send = [Command::Send];
    let with_draft = CaseView {
        draft: Some(Draft {
            text: "Tweede versie.".into(),
            version: 2,
        }),
        ..case(Status::InBehandeling)
    };
    let effects = decide(&with_draft, &reply(&send), &review).unwrap();
    assert_eq!(statuses(&effects), [Status::StandpuntGegeven]);
    assert_eq!(
        letters(&effects),
        [&LetterKind::Position("Tweede versie.".into())]
    );
    // Answering an older draft's mail: refused, naming the newer one.
    let mut r = reply(&send);
    r.draft_named = Some(1);
    let err = decide(&with_draft, &r, &review).unwrap_err();
    assert!(
        matches!(
            err,
            Refusal::DraftReplaced {
                named: 1,
                latest: 2,
                ..
            }
        ),
        "{err:?}"
    );
    r.draft_named = Some(2);
    assert!(decide(&with_draft, &r, &review).is_ok());
    // No draft: refused. Already given: repeated, nothing sent.
    let err = decide(&case(Status::InBehandeling), &reply(&send), &review).unwrap_err();
    assert!(matches!(err, Refusal::NoDraft { .. }));
    assert!(err.to_string().contains("STANDPUNT"), "{err}");
    let effects = decide(&case(Status::StandpuntGegeven), &reply(&send), &review).unwrap();
    assert_eq!(events(&effects), ["herhaald"]);
    assert!(letters(&effects).is_empty());
}

#[test]
fn draft_versions_are_read_from_the_subject() {
    assert_eq!(
        draft_version_in("Re: [KL-2026-0007] Concept standpuntbrief (versie 3): antwoord VERSTUUR"),
        Some(3)
    );
    assert_eq!(draft_version_in("RE: concept (Versie 12)"), Some(12));
    assert_eq!(
        draft_version_in("Re: [KL-2026-0007] Mogelijke klacht"),
        None
    );
    assert_eq!(draft_version_in("(versie x)"), None);
}

#[test]
fn verstuurd_per_post_marks_the_earliest_letter_waiting_for_the_post() {
    let cal = calendar();
    let posted = [Command::Posted];
    // Confirmed, acknowledgement on paper not yet posted: that one.
    let effects = decide(&case(Status::InBehandeling), &reply(&posted), &rules(&cal)).unwrap();
    assert!(effects.contains(&Effect::LetterPosted { position: false }));
    // Acknowledgement posted, position given: the position letter.
    let view = CaseView {
        ack_sent: true,
        ..case(Status::StandpuntGegeven)
    };
    let effects = decide(&view, &reply(&posted), &rules(&cal)).unwrap();
    assert!(effects.contains(&Effect::LetterPosted { position: true }));
    // Nothing waiting: refused, with the reason.
    for view in [
        CaseView {
            ack_sent: true,
            ..case(Status::InBehandeling)
        },
        case(Status::Kandidaat),
        CaseView {
            ack_sent: true,
            position_sent: true,
            ..case(Status::StandpuntGegeven)
        },
    ] {
        let got = decide(&view, &reply(&posted), &rules(&cal));
        assert!(
            matches!(got, Err(Refusal::NothingToPost { .. })),
            "{view:?}: {got:?}"
        );
    }
}
