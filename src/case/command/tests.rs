use super::*;

#[test]
fn extension_takes_a_date_and_a_reason() {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 28).unwrap();
    for text in [
        "VERLENG 2026-12-28 wachten op de verzekeraar",
        "verleng 28-12-2026 wachten op de verzekeraar",
        "Verleng: 28/12/2026\nwachten op de verzekeraar",
    ] {
        assert_eq!(
            parse_reply(text).unwrap(),
            vec![Command::Extend {
                until: d,
                reason: "wachten op de verzekeraar".into()
            }],
            "{text}"
        );
    }
    for bad in [
        "VERLENG",
        "VERLENG 2026-12-28",
        "VERLENG volgende week omdat",
        "VERLENG 31-02-2026 x",
    ] {
        assert_eq!(parse_reply(bad), Err(CommandError::BadExtension), "{bad}");
    }
}

#[test]
fn decisions_in_dutch_and_english() {
    for (text, want) in [
        ("KLACHT", Command::Confirm),
        ("klacht.", Command::Confirm),
        ("\n\n  Bevestig\n", Command::Confirm),
        ("Ja", Command::Confirm),
        ("confirm", Command::Confirm),
        ("GEEN KLACHT", Command::Reject),
        ("Geen  klacht!", Command::Reject),
        ("nee", Command::Reject),
        ("NO", Command::Reject),
        ("sluit", Command::Close),
    ] {
        assert_eq!(parse_reply(text).unwrap()[0], want, "{text:?}");
    }
}

#[test]
fn a_decision_must_be_the_whole_line() {
    assert!(matches!(
        parse_reply("Nee, dit is wel degelijk een klacht"),
        Err(CommandError::Unknown(_))
    ));
    assert!(matches!(
        parse_reply("Klachtje? Weet ik niet"),
        Err(CommandError::Unknown(_))
    ));
    assert_eq!(parse_reply("   \n \n"), Err(CommandError::Empty));
}

#[test]
fn arguments_and_further_lines() {
    let c =
        parse_reply("KLACHT\nCATEGORIE bejegening\nMEDEWERKER Jan de Vries\nverder niets").unwrap();
    assert_eq!(
        c,
        vec![
            Command::Confirm,
            Command::Category(Category::Bejegening),
            Command::Employee("Jan de Vries".into()),
        ]
    );
    assert_eq!(
        parse_reply("categorie foo"),
        Err(CommandError::BadCategory("foo".into()))
    );
    assert!(matches!(
        parse_reply("MEDEWERKER"),
        Err(CommandError::MissingArgument("MEDEWERKER", _))
    ));
    let c = parse_reply("NOTITIE: klant teruggebeld\nvolgt schriftelijk").unwrap();
    assert_eq!(
        c,
        vec![Command::Note(
            "klant teruggebeld\nvolgt schriftelijk".into()
        )]
    );
}

#[test]
fn outcome_and_measure() {
    assert_eq!(
        parse_reply("UITKOMST deels gegrond\nMAATREGEL Adviesgesprekken\nvoortaan vastleggen")
            .unwrap(),
        vec![
            Command::Outcome(Outcome::DeelsGegrond),
            Command::Measure("Adviesgesprekken voortaan vastleggen".into())
        ]
    );
    assert_eq!(
        parse_reply("SLUIT\nuitkomst: ongegrond").unwrap(),
        vec![Command::Close, Command::Outcome(Outcome::Ongegrond)]
    );
    assert_eq!(
        parse_reply("UITKOMST misschien"),
        Err(CommandError::BadOutcome("misschien".into()))
    );
    assert_eq!(
        parse_reply("KLACHT\nUITKOMST ja"),
        Err(CommandError::BadOutcome("ja".into()))
    );
    assert_eq!(
        parse_reply("MAATREGEL"),
        Err(CommandError::MissingArgument("MAATREGEL", "een tekst"))
    );
}

#[test]
fn position_takes_the_text_below() {
    let c =
        parse_reply("STANDPUNT\n\nWij hebben uw klacht onderzocht.\nU krijgt de kosten terug.\n")
            .unwrap();
    assert_eq!(
        c,
        vec![Command::Position(
            "Wij hebben uw klacht onderzocht.\nU krijgt de kosten terug.".into()
        )]
    );
    assert!(matches!(
        parse_reply("STANDPUNT\n\n"),
        Err(CommandError::MissingArgument("STANDPUNT", _))
    ));
    let c = parse_reply("Afgehandeld telefonisch klant akkoord met excuses").unwrap();
    assert_eq!(
        c,
        vec![Command::HandledOrally {
            how: Oral::Telefonisch,
            summary: "klant akkoord met excuses".into()
        }]
    );
    assert_eq!(
        parse_reply("AFGEHANDELD per post"),
        Err(CommandError::BadOral)
    );
    assert_eq!(
        parse_reply("AFGEHANDELD persoonlijk"),
        Err(CommandError::BadOral)
    );
}

#[test]
fn klacht_with_a_digest_number_promotes_a_doubtful_mail() {
    assert_eq!(
        parse_reply("Klacht 17-3F9A2C81D0E4\nKLACHT 20-000000abcdef\n\nGroet, Henk").unwrap(),
        vec![
            Command::Promote {
                message: 17,
                token: "3f9a2c81d0e4".into()
            },
            Command::Promote {
                message: 20,
                token: "000000abcdef".into()
            }
        ]
    );
    // Without a valid number it is no promotion (and "KLACHT 17" alone is not a command).
    assert_eq!(parse_reply("KLACHT").unwrap(), vec![Command::Confirm]);
    assert!(parse_reply("KLACHT 17").is_err());
    assert!(parse_reply("KLACHT 17-xyz").is_err());
}

#[test]
fn a_position_ends_at_the_first_command_line() {
    let c = parse_reply(
        "STANDPUNT\nWij hebben uw klacht onderzocht.\nU krijgt de kosten terug.\n\nUITKOMST gegrond\nMAATREGEL Offertes voortaan\nschriftelijk bevestigen\n",
    )
    .unwrap();
    assert_eq!(
        c,
        vec![
            Command::Position("Wij hebben uw klacht onderzocht.\nU krijgt de kosten terug.".into()),
            Command::Outcome(Outcome::Gegrond),
            Command::Measure("Offertes voortaan schriftelijk bevestigen".into()),
        ]
    );
    // `--` ends the text too; a signature below it is not part of anything.
    let c = parse_reply("STANDPUNT\nU krijgt gelijk.\n--\nJan Jansen\nDirecteur").unwrap();
    assert_eq!(c, vec![Command::Position("U krijgt gelijk.".into())]);
    // A closing with a name ends it as well.
    let c = parse_reply("STANDPUNT\nU krijgt gelijk.\n\nGroet, Jan\nCATEGORIE advies").unwrap();
    assert_eq!(c, vec![Command::Position("U krijgt gelijk.".into())]);
    // Ordinary sentences that start with a command word stay in the letter.
    let text = "STANDPUNT\nMedewerker Jansen heeft u op 3 november gebeld.\nMaatregel of niet, wij betreuren het.\nUitkomst van ons onderzoek: u heeft gelijk.\nNotitie van het gesprek sturen wij mee.";
    let c = parse_reply(text).unwrap();
    assert_eq!(c.len(), 1, "{c:?}");
    let Command::Position(p) = &c[0] else {
        panic!("{c:?}")
    };
    assert_eq!(p.lines().count(), 4, "{p}");
    // In capitals or with a colon they are commands.
    let c =
        parse_reply("STANDPUNT\nU krijgt gelijk.\nMedewerker: Piet\nNOTITIE teruggebeld").unwrap();
    assert_eq!(
        c,
        vec![
            Command::Position("U krijgt gelijk.".into()),
            Command::Employee("Piet".into()),
            Command::Note("teruggebeld".into()),
        ]
    );
}

#[test]
fn a_decision_with_text_is_the_decision_and_a_note() {
    for (text, decision, note) in [
        (
            "Geen klacht, ik bel hem zelf",
            Command::Reject,
            "ik bel hem zelf",
        ),
        (
            "geen klacht - vraag over premie",
            Command::Reject,
            "vraag over premie",
        ),
        (
            "Klacht: graag snel oppakken",
            Command::Confirm,
            "graag snel oppakken",
        ),
        (
            "KLACHT. Sandra belt haar morgen",
            Command::Confirm,
            "Sandra belt haar morgen",
        ),
        (
            "Bevestig, zie mijn notities",
            Command::Confirm,
            "zie mijn notities",
        ),
        (
            "Not a complaint, just a question",
            Command::Reject,
            "just a question",
        ),
    ] {
        assert_eq!(
            parse_reply(text).unwrap(),
            vec![decision, Command::Note(note.into())],
            "{text}"
        );
    }
    // Further lines still carry attribute commands.
    assert_eq!(
        parse_reply("Klacht, graag vandaag\nCATEGORIE advies").unwrap(),
        vec![
            Command::Confirm,
            Command::Note("graag vandaag".into()),
            Command::Category(Category::Advies),
        ]
    );
    // Not decisions: a longer word, JA/NEE in a sentence, a number.
    for text in [
        "Klachtje? Weet ik niet",
        "Nee, dit is wel een klacht",
        "Klachten zijn er genoeg",
        "Klacht 17",
    ] {
        assert!(parse_reply(text).is_err(), "{text}");
    }
}

#[test]
fn a_note_keeps_its_line_breaks_and_stops_at_the_signature() {
    assert_eq!(
        parse_reply("NOTITIE klant gebeld\n\nhij wacht op de offerte\nMet vriendelijke groet,\nJan\nDirecteur").unwrap(),
        vec![Command::Note("klant gebeld\n\nhij wacht op de offerte".into())]
    );
    assert_eq!(
        parse_reply("NOTITIE klant gebeld\nMvg Jan de Vries").unwrap(),
        vec![Command::Note("klant gebeld".into())]
    );
    // "Groet" inside a sentence is not a closing.
    assert_eq!(
        parse_reply("NOTITIE klant gebeld\ngroet de klant van mij als hij belt").unwrap(),
        vec![Command::Note(
            "klant gebeld\ngroet de klant van mij als hij belt".into()
        )]
    );
}

#[test]
fn verstuurd_per_post_is_its_own_command() {
    for text in [
        "VERSTUURD PER POST",
        "Verstuurd per post.",
        "per post verstuurd",
    ] {
        assert_eq!(parse_reply(text).unwrap(), vec![Command::Posted], "{text}");
    }
}

#[test]
fn verstuur_sends_the_draft() {
    for text in ["VERSTUUR", "Versturen.", "send"] {
        assert_eq!(parse_reply(text).unwrap(), vec![Command::Send], "{text}");
    }
}
