use super::*;
use crate::parse::{parse, Document};

/// The hand-written lexicons alone: these tests are about their families and rules.
/// The shipped detector: lexicons and learned phrases, at the default threshold.
fn shipped() -> Detector {
    Detector::new(1.5, None).unwrap()
}

/// A mail as the service receives it: from a customer to the firm of [`firm`].
fn customer_mail(subject: &str, body: &str) -> ParsedMail {
    let raw = format!(
        "From: klant@example.org\nTo: info@dijkstramol.example\nSubject: {subject}\n\
         Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    );
    parse(raw.replace('\n', "\r\n").as_bytes())
}

/// The firm the mails of [`customer_mail`] are written to.
fn firm() -> ScreenContext {
    firm_at(
        "dijkstramol.example",
        Some("Dijkstra & Mol Financieel Advies"),
    )
}

/// A firm at `domain` (its general mailbox `info@` and directie's `directie@`), named
/// `name` (`organisation.name`) when given.
fn firm_at(domain: &str, name: Option<&str>) -> ScreenContext {
    let ctx = ScreenContext::new([format!("info@{domain}")], [format!("directie@{domain}")]);
    match name {
        Some(name) => ctx.with_organisation(name),
        None => ctx,
    }
}

fn det() -> Detector {
    Detector::new(2.5, None).unwrap().without_learned()
}

fn has(v: &Verdict, criterion: &str) -> bool {
    v.signals
        .iter()
        .any(|s| s.criterion == criterion && s.weight > 0.0)
}

// --- signal 1: klachtwoord ---

#[test]
fn klachtwoord_positive_and_phrase_as_written() {
    let v = det().judge(None, "Hierbij dien ik een KLACHT in over de afhandeling.");
    assert!(v.complaint, "{v:?}");
    let s = v
        .signals
        .iter()
        .find(|s| s.criterion == "klachtwoord")
        .unwrap();
    assert_eq!(s.phrase, "KLACHT");
    let v = det().judge(
        None,
        "I want to file a formal complaint about my pension transfer.",
    );
    assert_eq!(v.language, Language::En);
    assert!(v.complaint && has(&v, "klachtwoord"), "{v:?}");
}

#[test]
fn never_again_in_a_short_text_is_a_complaint_in_either_language() {
    // "Nooit meer Cornelis": two Dutch words decide the language of a three-word text (the
    // statistical detector took it for English), and "nooit meer" is "never again".
    let ctx = firm_at("cornelis.example", Some("Cornelis Assurantiën"));
    for text in [
        "nooit meer cornelis",
        "Nooit meer Cornelis.",
        "Never again.",
    ] {
        let v = shipped().classify(&customer_mail("", text), &ctx);
        assert!(v.complaint, "{text}: {v:?}");
        assert!(has(&v, "sterke_bewoording"), "{text}: {v:?}");
    }
    let v = shipped().classify(&customer_mail("", "nooit meer cornelis"), &ctx);
    assert_eq!(v.language, Language::Nl);
    // Trap: what never comes again is the trouble.
    for text in [
        "Dankzij Jan nooit meer zorgen over de aangifte!",
        "Sinds we bij jullie zitten nooit meer gedoe met de polis.",
    ] {
        let v = shipped().classify(&customer_mail("", text), &ctx);
        assert!(!v.complaint, "{text}: {v:?}");
    }
}

#[test]
fn a_short_text_of_no_function_words_takes_the_language_of_its_polarity_words() {
    // No function word of either language: the polarity lexicons' words decide, and the
    // English lexicon reads the terse English review ("rude", "wrong advice").
    let ctx = firm_at("cornelis.example", Some("Cornelis Assurantiën"));
    for text in ["Slow. Rude. Pricey.", "Wrong advice. Avoid."] {
        let v = shipped().classify(&customer_mail("", text), &ctx);
        assert_eq!(v.language, Language::En, "{text}: {v:?}");
        assert!(v.complaint, "{text}: {v:?}");
    }
    // Trap: terse Dutch praise stays Dutch and praise.
    let v = shipped().classify(&customer_mail("", "Prima. Snel. Aanrader."), &ctx);
    assert_eq!(v.language, Language::Nl, "{v:?}");
    assert!(!v.complaint, "{v:?}");
}

#[test]
fn a_short_text_of_neither_function_nor_polarity_words_takes_the_language_of_its_phrases() {
    // "Trage club.", "nooit teruggebeld.": no function word and no polarity word of either
    // language. The words of one lexicon's phrases decide, where the statistical detector
    // read the two words as English and the Dutch phrase was never looked for.
    let ctx = firm_at("cornelis.example", Some("Cornelis Assurantiën"));
    for (text, phrase) in [
        ("Trage club.", "Trage"),
        ("nooit teruggebeld.", "nooit teruggebeld"),
    ] {
        let v = shipped().classify(&customer_mail("", text), &ctx);
        assert_eq!(v.language, Language::Nl, "{text}: {v:?}");
        assert!(
            v.signals
                .iter()
                .any(|s| s.family != learned::FAMILY && s.phrase == phrase),
            "{text}: {v:?}"
        );
        assert!(v.complaint, "{text}: {v:?}");
    }
    // Trap: an English phrase keeps a terse English text English.
    let v = shipped().classify(&customer_mail("", "Never called back."), &ctx);
    assert_eq!(v.language, Language::En, "{v:?}");
    assert!(v.complaint, "{v:?}");
    // Trap: terse Dutch thanks is read as Dutch and stays thanks.
    let v = shipped().classify(&customer_mail("", "Snel geregeld, bedankt."), &ctx);
    assert_eq!(v.language, Language::Nl, "{v:?}");
    assert!(!v.complaint, "{v:?}");
}

#[test]
fn klachtwoord_negated() {
    for text in [
        "Ik heb geen klacht, alleen een vraag over de premie.",
        "Verder zonder klachten, maar wanneer komt de polis?",
        "Ik ben niet ontevreden, ik wil alleen weten wanneer de polis komt.",
        "No complaints here, just a question about my policy number.",
    ] {
        let v = det().judge(None, text);
        assert!(!has(&v, "klachtwoord"), "{text}: {v:?}");
        assert!(!v.complaint, "{text}: {v:?}");
        assert!(
            v.ignored.iter().any(|i| i.reason == "ontkenning"),
            "{text}: {v:?}"
        );
    }
}

#[test]
fn klachtwoord_medical_sense_is_not_a_complaint() {
    for text in [
        "De klachten van de verzekerde zijn na het ongeval toegenomen; bijgaand het rapport van de fysiotherapeut.",
        "Cliënt heeft sinds de aanrijding rugklachten en whiplashklachten.",
        "Zijn klachten aan de knie zijn nog niet verdwenen.",
    ] {
        let v = det().judge(None, text);
        assert!(!has(&v, "klachtwoord"), "{text}: {v:?}");
        assert!(!v.complaint, "{text}: {v:?}");
    }
}

#[test]
fn tax_bezwaar_is_not_a_complaint() {
    let v = det().judge(
        None,
        "Ter informatie: ik heb bezwaar gemaakt tegen de aanslag van de Belastingdienst.",
    );
    assert!(!v.complaint, "{v:?}");
    assert!(
        v.ignored.iter().any(|i| i.reason == "fiscaal_bezwaar"),
        "{v:?}"
    );
}

// --- signal 2: sterke bewoording ---

#[test]
fn strong_wording_positive() {
    let v = det().judge(
        None,
        "Dit is echt onacceptabel en ik ga hier niet mee akkoord.",
    );
    assert!(has(&v, "sterke_bewoording") && v.complaint, "{v:?}");
    // The intensifier is part of the phrase and raises the weight.
    let s = v
        .signals
        .iter()
        .find(|s| s.phrase.contains("onacceptabel"))
        .unwrap();
    assert_eq!(s.phrase, "echt onacceptabel");
    assert!(s.weight > 2.0);
    let v = det().judge(None, "This is outrageous. I do not accept this answer.");
    assert!(has(&v, "sterke_bewoording") && v.complaint, "{v:?}");
}

#[test]
fn strong_wording_sarcasm_beats_thanks() {
    let v = det().judge(None, "Nou, bedankt voor niets. Zes weken gewacht.");
    assert!(
        v.signals
            .iter()
            .any(|s| s.phrase.to_lowercase() == "bedankt voor niets"),
        "{v:?}"
    );
    assert!(
        !v.signals.iter().any(|s| s.criterion == "compliment"),
        "{v:?}"
    );
}

#[test]
fn strong_wording_negative_examples() {
    for text in [
        "Het is niet onacceptabel om even te wachten, geen probleem.",
        "Ik was even boos op mezelf omdat ik het formulier vergat; hierbij alsnog.",
    ] {
        let v = det().judge(None, text);
        assert!(!v.complaint, "{text}: {v:?}");
    }
}

#[test]
fn typography_shouting() {
    let v = det().judge(None, "WAAROM DUURT DIT ZO LANG!!! Ik wacht al weken.");
    assert!(v.signals.iter().any(|s| s.phrase == "!!!"), "{v:?}");
    assert!(
        v.signals
            .iter()
            .any(|s| s.phrase.starts_with("WAAROM DUURT")),
        "{v:?}"
    );
    assert!(v.complaint, "{v:?}");
    let v = det().judge(None, "Fijn, dank u!! Tot volgende week.");
    assert!(!v.complaint, "{v:?}");
    // Capitals split by a no-break space or carrying accents, and a lone acronym.
    let caps = |text: &str| {
        det()
            .judge(None, text)
            .signals
            .into_iter()
            .filter(|s| s.criterion == "sterke_bewoording" && !s.phrase.contains('!'))
            .map(|s| s.phrase)
            .collect::<Vec<_>>()
    };
    assert!(
        caps("Dit is ONACCEPTABEL\u{a0}GEDRAG van u.").contains(&"ONACCEPTABEL GEDRAG".to_string())
    );
    assert!(caps("Wat een ÉÉN GROTE puinhoop.").contains(&"ÉÉN GROTE".to_string()));
    assert!(caps("Volgens de AFM mag dat niet.").is_empty());
    assert!(caps("Ik ben ontevreden over HET ANTWOORD.").contains(&"HET ANTWOORD".to_string()));
}

#[test]
fn the_capitals_count_of_normalisation_never_misses_a_run() {
    // The full check runs only when normalisation counted at least as many words in
    // capitals in a row: that count must never fall short of what the full check finds.
    let texts = [
        "WAAROM DUURT DIT ZO LANG",
        "Dit is ONACCEPTABEL\u{a0}GEDRAG van u.",
        "Wat een ÉÉN GROTE puinhoop.",
        "A.B.C. D.E.F. G.H.I. zijn afkortingen",
        "COVID-19 TEST 2024-FRAUDE NU",
        "DON'T EVER DO THAT AGAIN",
        "IK BEN 100% KLAAR MET U",
        "ONACCEPTABEL - SCHANDALIG - WAARDELOOS",
        "«SCHANDE» (ECHT) [BELACHELIJK]",
        "ÇA NE VA PAS, MONSIEUR",
        "HEEL erg SLECHT GEDAAN",
        "ÀÉÎ ÕÜ ŸÑ",
        "x",
        "",
        "1234 5678 9012",
        "IK\tWIL\nMIJN\r\nGELD TERUG",
        "ΕΛΛΗΝΙΚΑ ΚΕΦΑΛΑΙΑ ΕΔΩ",
        "ПРОСТО ПЛОХО СДЕЛАНО",
    ];
    for text in texts {
        let found = capitals(text).0;
        let counted = normalize::normalize(text).capitals_run();
        assert!(
            counted >= found,
            "{text:?}: counted {counted}, full check {found}"
        );
    }
    // And it rules out ordinary text.
    assert_eq!(
        normalize::normalize("Ik ben het niet eens met de AFM.").capitals_run(),
        1
    );
    assert_eq!(
        normalize::normalize("Gewone zin zonder hoofdletters").capitals_run(),
        0
    );
}

// --- signal 3: verwijt handelen ---

#[test]
fn blame_for_act_or_omission_with_gaps() {
    let v = det().judge(
        None,
        "Uw adviseur heeft mij in maart nooit meer teruggebeld, terwijl dat was toegezegd.",
    );
    assert!(has(&v, "verwijt_handelen"), "{v:?}");
    let v = det().judge(
        None,
        "U heeft mij destijds bij het afsluiten van de hypotheek verkeerd geadviseerd.",
    );
    assert!(has(&v, "verwijt_handelen"), "{v:?}");
    let v = det().judge(
        None,
        "Tot op heden heb ik nog steeds geen reactie ontvangen op mijn brief van 3 oktober.",
    );
    assert!(v.complaint, "{v:?}");
    let v = det().judge(
        None,
        "You failed to process my cancellation and still no answer after three weeks.",
    );
    assert!(v.complaint && has(&v, "verwijt_handelen"), "{v:?}");
}

#[test]
fn blame_negative_examples() {
    for text in [
        "Kunt u mij terugbellen over de offerte? Ik ben morgen de hele dag bereikbaar.",
        "Ik heb het formulier ingevuld en meegestuurd. Laat u weten of er iets ontbreekt?",
        "Could you send me the renewal documents? Thanks in advance.",
    ] {
        let v = det().judge(None, text);
        assert!(!has(&v, "verwijt_handelen"), "{text}: {v:?}");
        assert!(!v.complaint, "{text}: {v:?}");
    }
}

// --- signal 4: verwijt gedrag ---

#[test]
fn blame_for_behaviour() {
    let v = det().judge(
        None,
        "Uw medewerker was ontzettend onvriendelijk en ik werd afgepoeierd.",
    );
    assert!(has(&v, "verwijt_gedrag") && v.complaint, "{v:?}");
    let v = det().judge(None, "The adviser was rude and dismissive on the phone.");
    assert!(has(&v, "verwijt_gedrag") && v.complaint, "{v:?}");
}

#[test]
fn behaviour_negative_examples_compliments() {
    for text in [
        "Complimenten voor uw medewerker Sanne, ze was erg vriendelijk en behulpzaam.",
        "Uitstekende service, heel tevreden over het snelle contact!",
        "Thank you for the excellent service, your adviser was very helpful.",
    ] {
        let v = det().judge(None, text);
        assert!(!has(&v, "verwijt_gedrag"), "{text}: {v:?}");
        assert!(!v.complaint, "{text}: {v:?}");
    }
}

// --- traps ---

#[test]
fn signature_and_footer_trap() {
    let body = "Goedemorgen,\n\nBijgaand het getekende formulier.\n\nMet vriendelijke groet,\nKees Smit\n\n--\nFirma X is aangesloten bij het Kifid. Heeft u een klacht? Onze klachtenprocedure vindt u op de website. Wij nemen elke klacht serieus.";
    let v = det().judge(Some("Formulier"), body);
    assert!(!v.complaint, "{v:?}");
    assert!(v.signals.is_empty(), "{v:?}");
}

#[test]
fn a_complaint_that_names_the_disclaimer_is_judged_whole() {
    // Before, the paragraph went as a footer for its word "disclaimer" and two words were
    // left to judge ("Goedemiddag" and the subject).
    let body = "Goedemiddag,\n\nIk heb de nieuwe polis ontvangen en tot mijn verbazing staat \
                onder de disclaimer een uitsluiting voor waterschade die nooit met mij besproken \
                is. Uw adviseur heeft mij in het gesprek verzekerd dat alles gedekt was. Ik wil \
                dat dit wordt rechtgezet.\n\nMet vriendelijke groet,\nAnna de Boer";
    let v = shipped().classify(&customer_mail("Polis", body), &firm());
    assert!(v.complaint, "{v:?}");
    // The firm's own disclaimer under a routine question still goes.
    let routine = "Kunt u mij de polis opnieuw sturen?\n\nDisclaimer: aan dit bericht kunnen \
                   geen rechten worden ontleend.";
    let v = shipped().classify(&customer_mail("Polis", routine), &firm());
    assert!(!v.complaint, "{v:?}");
    assert!(
        !v.signals
            .iter()
            .any(|s| s.phrase.to_lowercase().contains("rechten")),
        "{v:?}"
    );
}

#[test]
fn quoted_history_trap() {
    let body = "Hartelijk dank, zo is het goed opgelost.\n\nOp 12 nov. 2026 om 09:15 schreef Jan <jan@example.test>:\n> Dit is schandalig en onacceptabel! Ik dien een klacht in.\n> Uw medewerker was onbeschoft.\n";
    let v = det().judge(Some("Re: Klacht over afhandeling"), body);
    assert!(!v.complaint, "{v:?}");
}

#[test]
fn every_flag_names_its_phrases() {
    let v = det().judge(
        Some("Onacceptabele gang van zaken"),
        "Ik ben zeer ontevreden. Uw adviseur heeft nagelaten mij te informeren.",
    );
    assert!(v.complaint);
    assert!(!v.signals.is_empty());
    for s in &v.signals {
        assert!(!s.phrase.is_empty());
        assert!(v
            .signals
            .iter()
            .all(|s| CRITERIA.contains(&s.criterion.as_str())
                || s.criterion == "compliment"
                || s.criterion == "polariteit"));
    }
}

#[test]
fn score_has_combination_bonus_and_cap() {
    let many = "schandalig belachelijk onaanvaardbaar woedend waardeloos ongehoord";
    let v = det().judge(None, many);
    let strong: f64 = v
        .signals
        .iter()
        .filter(|s| s.criterion == "sterke_bewoording")
        .map(|s| s.weight)
        .sum();
    assert!(strong > 5.0);
    assert!(v.score <= 5.0 + 0.001, "one criterion is capped: {v:?}");
}

#[test]
fn custom_lexicon_dir() {
    let dir = tempfile::tempdir().unwrap();
    for lang in ["nl", "en"] {
        let builtin = if lang == "nl" {
            lexicon::BUILTIN_NL
        } else {
            lexicon::BUILTIN_EN
        };
        let extra = "\n[[signal]]\ncriterion = \"klachtwoord\"\nweight = 5.0\nphrases = [\"foeteren\", \"zeuren ... premie\"]\n";
        std::fs::write(
            dir.path().join(format!("{lang}.toml")),
            format!("{builtin}{extra}"),
        )
        .unwrap();
    }
    let d = Detector::new(3.0, Some(dir.path())).unwrap();
    let v = d.judge(None, "Ik wil even foeteren over de zaak.");
    assert!(v.complaint, "{v:?}");
    let v = d.judge(None, "Ze zeuren weer over de hoge premie.");
    assert!(
        v.signals
            .iter()
            .any(|s| s.phrase == "zeuren weer over de hoge premie"),
        "{v:?}"
    );
    std::fs::write(dir.path().join("nl.toml"), "language = 'nl'\n").unwrap();
    assert!(Detector::new(3.0, Some(dir.path())).is_err());
    // Coordinated declarations without the writer's subjects could never declare.
    let without = lexicon::BUILTIN_NL.replace("subjects = [\"ik\", \"wij\", \"we\"]\n", "");
    assert_ne!(without, lexicon::BUILTIN_NL);
    std::fs::write(dir.path().join("nl.toml"), without).unwrap();
    let err = Detector::new(3.0, Some(dir.path())).err().expect("refused");
    assert!(err.to_string().contains("subjects"), "{err}");
}

// --- screening ---

fn screened(raw: &str, ctx: &ScreenContext) -> Option<ScreenReason> {
    let mail = parse(raw.replace('\n', "\r\n").as_bytes());
    det().classify(&mail, ctx).screened
}

const ANGRY: &str = "Dit is schandalig en onacceptabel, ik dien een klacht in!";

#[test]
fn screening_categories() {
    let ctx = ScreenContext::new(
        ["klachten@firma.example".to_string()],
        ["directie@firma.example".to_string()],
    );
    let cases: Vec<(&str, String, ScreenReason)> = vec![
        ("auto-submitted", format!("From: a@x.test\nAuto-Submitted: auto-replied\nSubject: Re: x\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("x-autoreply", format!("From: a@x.test\nX-Autoreply: yes\nSubject: x\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("x-autorespond", format!("From: a@x.test\nX-Autorespond: yes\nSubject: x\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("precedence auto_reply", format!("From: a@x.test\nPrecedence: auto_reply\nSubject: x\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("precedence junk", format!("From: a@x.test\nPrecedence: junk\nSubject: x\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("subject automatisch antwoord", format!("From: a@x.test\nSubject: Automatisch antwoord: uw klacht\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("subject out of office", format!("From: a@x.test\nSubject: Out of Office: complaint\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("subject afwezig", format!("From: a@x.test\nSubject: Afwezig\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("subject tagged afwezig", format!("From: a@x.test\nSubject: [Extern]: Afwezig: uw vraag\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("auto reply to a reply", format!("From: a@x.test\nSubject: Automatisch antwoord: RE: uw vraag\n\n{ANGRY}"), ScreenReason::AutoReply),
        ("null return path", format!("Return-Path: <>\nFrom: a@x.test\nSubject: x\n\n{ANGRY}"), ScreenReason::Bounce),
        ("mailer-daemon", format!("From: MAILER-DAEMON@x.test\nSubject: x\n\n{ANGRY}"), ScreenReason::Bounce),
        ("postmaster", format!("From: postmaster@x.test\nSubject: x\n\n{ANGRY}"), ScreenReason::Bounce),
        ("multipart/report", format!("From: a@x.test\nSubject: x\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\n{ANGRY}\n--b--\n"), ScreenReason::Bounce),
        ("list-id", format!("From: a@x.test\nList-Id: <news.x.test>\nSubject: x\n\n{ANGRY}"), ScreenReason::MailingList),
        ("list-unsubscribe", format!("From: a@x.test\nList-Unsubscribe: <mailto:u@x.test>\nSubject: x\n\n{ANGRY}"), ScreenReason::MailingList),
        ("precedence bulk", format!("From: a@x.test\nPrecedence: bulk\nSubject: x\n\n{ANGRY}"), ScreenReason::MailingList),
        ("no-reply", format!("From: no-reply@x.test\nSubject: x\n\n{ANGRY}"), ScreenReason::NoReply),
        ("own address", format!("From: Klachten <klachten@firma.example>\nSubject: x\n\n{ANGRY}"), ScreenReason::OwnAddress),
        ("own plus-address", format!("From: klachten+abc@firma.example\nSubject: x\n\n{ANGRY}"), ScreenReason::OwnAddress),
        ("directie", format!("From: De Directie <Directie@Firma.example>\nSubject: Re: [KL-2026-0001]\n\nKLACHT\n\n{ANGRY}"), ScreenReason::Directie),
    ];
    for (name, raw, want) in cases {
        let mail = parse(raw.replace('\n', "\r\n").as_bytes());
        let v = det().classify(&mail, &ctx);
        assert_eq!(v.screened, Some(want), "{name}: {v:?}");
        assert!(!v.complaint, "{name}: screened mail is never a complaint");
    }
    // An ordinary complaint passes screening; Auto-Submitted: no is a person.
    assert_eq!(
        screened(
            &format!("From: a@x.test\nAuto-Submitted: no\nSubject: x\n\n{ANGRY}"),
            &ctx
        ),
        None
    );
    assert_eq!(
        screened(&format!("From: a@x.test\nSubject: x\n\n{ANGRY}"), &ctx),
        None
    );
    // A person answering an automatic reply is no automatic reply: often it says that no
    // one answers.
    for subject in [
        "Re: Automatisch antwoord: hypotheekofferte",
        "RE: Out of Office: mortgage offer",
        "Antw: Afwezig: uw vraag",
        "Re: RE: Automatic reply: pension transfer",
    ] {
        let v = det().classify(
            &parse(format!("From: a@x.test\r\nSubject: {subject}\r\n\r\n{ANGRY}\r\n").as_bytes()),
            &ctx,
        );
        assert_eq!(v.screened, None, "{subject}: {v:?}");
        assert!(v.complaint, "{subject}: {v:?}");
    }
    // A read receipt sent as a plain message (not `multipart/report`) is an automatic
    // answer, in Dutch, English or German, read or deleted unread.
    for (subject, body) in [
        ("Gelezen: Uw klacht over de hypotheekofferte", "Uw bericht\n\nAan: Joke Verbeek\nOnderwerp: Uw klacht over de hypotheekofferte\nVerzonden: woensdag 3 juni 2026 08:14\n\nis gelezen op woensdag 3 juni 2026 10:02."),
        ("Read: Complaint about your pension advice", "Your message\n\nTo: Tom Ellis\nSubject: Complaint about your pension advice\nSent: Wednesday, 3 June 2026 08:14\n\nwas read on Wednesday, 3 June 2026 10:02."),
        ("Niet gelezen: Schandalige behandeling", "Uw bericht\n\nAan: Karin Mol\nOnderwerp: Schandalige behandeling\n\nis verwijderd zonder te zijn gelezen op 4 juni 2026 09:00."),
        ("Gelesen: Beschwerde", "Ihre Nachricht\n\nAn: Uwe Brandt\nBetreff: Beschwerde\n\nwurde am Donnerstag, 4. Juni 2026 09:00 gelesen."),
    ] {
        let v = det().classify(
            &parse(format!("From: a@x.test\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n", body.replace('\n', "\r\n")).as_bytes()),
            &ctx,
        );
        assert_eq!(v.screened, Some(ScreenReason::AutoReply), "{subject}: {v:?}");
    }
    // Traps: a person's mail under such a subject, a reply to a receipt, and a receipt's
    // words quoted under a person's long complaint are judged.
    let long = format!(
        "{ANGRY} {}",
        "Ik heb u nu al vier keer gemaild en niemand belt terug. ".repeat(20)
    );
    for (subject, body) in [
        ("Read: the report you sent", "I read it and the figures are wrong again. This is unacceptable: I want to file a complaint about your service.".to_string()),
        ("Re: Gelezen: Offerte hypotheek", format!("Fijn dat u het gelezen heeft. {ANGRY}\n\n> Uw bericht is gelezen op 3 juni.")),
        ("Gelezen: Offerte hypotheek", format!("{long}\n\n> Uw bericht is gelezen op 3 juni.")),
    ] {
        let v = det().classify(
            &parse(format!("From: a@x.test\r\nSubject: {subject}\r\n\r\n{}\r\n", body.replace('\n', "\r\n")).as_bytes()),
            &ctx,
        );
        assert_eq!(v.screened, None, "{subject}: {v:?}");
        assert!(v.complaint, "{subject}: {v:?}");
    }
    // A calendar program's answer to an invitation carries what the attendee wrote along
    // ("Ik kom. Wel even voor de duidelijkheid: dit is de derde datum …"): judged.
    let answer = format!(
        "From: a@x.test\nSubject: Geaccepteerd: Adviesgesprek hypotheek\nContent-Type: multipart/alternative; boundary=c\n\n--c\nContent-Type: text/plain\n\nIk kom. {ANGRY}\n--c\nContent-Type: text/calendar; method=REPLY\n\nBEGIN:VCALENDAR\nMETHOD:REPLY\nEND:VCALENDAR\n--c--\n"
    );
    assert_eq!(screened(&answer, &ctx), None);
    // A review site or social network passing on what a person wrote, from its no-reply
    // address: judged on the words, and flagged when they are a complaint.
    for subject in [
        "New 1-star review for Firma",
        "Nieuwe review (1/5) voor Firma",
        "jan.de.vries sent you a message",
        "Marieke heeft gereageerd op je bericht",
        "Aditya sent a message to Firma",
        "Rahul mentioned Firma in a post",
        "Nieuwe reactie: Wat betaalden jullie voor hypotheekadvies?",
        "New reply in: Pension transfer - how long did yours take?",
        "WhatsApp-gesprek gesloten - Joyce (+31 6 55 90 21 48)",
        "Websitechat - offline bericht van bezoeker Daniel",
        "New complaint about Firma: \"Still waiting\"",
    ] {
        let raw = format!("From: Reviews <noreply@reviews.example>\nSubject: {subject}\n\n{ANGRY}");
        let v = det().classify(&parse(raw.replace('\n', "\r\n").as_bytes()), &ctx);
        assert_eq!(v.screened, None, "{subject}: {v:?}");
        assert!(v.complaint, "{subject}: {v:?}");
    }
    // Other no-reply mail stays screened, and so does a relayed review sent as list mail.
    assert_eq!(
        screened(
            &format!(
                "From: noreply@bank.example\nSubject: Uw jaaroverzicht staat klaar\n\n{ANGRY}"
            ),
            &ctx
        ),
        Some(ScreenReason::NoReply)
    );
    assert_eq!(
        screened(
            &format!("From: noreply@reviews.example\nList-Id: <digest.reviews.example>\nSubject: Your weekly review digest\n\n{ANGRY}"),
            &ctx
        ),
        Some(ScreenReason::MailingList)
    );
}

#[test]
fn a_form_mailers_auto_generated_mark_does_not_screen_the_customers_message() {
    let ctx = firm_at("firma.example", None);
    let form = |marks: &str| {
        format!(
            "From: Website <website@firma.example>\nReply-To: Jan Klant <jan@klant.example>\n\
             {marks}Subject: Contactformulier\n\nNaam: Jan Klant\nE-mail: jan@klant.example\n\
             Bericht: {ANGRY}"
        )
    };
    // Made by the form's process: the customer's words are judged.
    for marks in [
        "Auto-Submitted: auto-generated\n",
        "AUTO-SUBMITTED: Auto-Generated; owner-email=\"web@firma.example\"\n",
        "",
    ] {
        let mail = parse(form(marks).replace('\n', "\r\n").as_bytes());
        let v = det().classify(&mail, &ctx);
        assert_eq!(v.screened, None, "{marks}: {v:?}");
        assert!(v.complaint, "{marks}: {v:?}");
    }
    // An automatic answer stays screened, form or not.
    for marks in ["Auto-Submitted: auto-replied\n", "X-Autoreply: yes\n"] {
        assert_eq!(
            screened(&form(marks), &ctx),
            Some(ScreenReason::AutoReply),
            "{marks}"
        );
    }
    // klachtenbus's own notice about a phone complaint, come back to the mailbox: it names
    // the customer in a field, but answers to the service's own address. Still screened.
    let notice = format!(
        "From: Klachtenbus <info@firma.example>\nReply-To: info+abc123@firma.example\n\
         Auto-Submitted: auto-generated\n\
         Subject: [KL-2026-0001] Mogelijke klacht: Nieuwe klacht via WhatsApp\n\n\
         Klachtenformulier\n  Naam:       Jan Klant\n  E-mail:     jan@klant.example\n\n{ANGRY}"
    );
    assert_eq!(screened(&notice, &ctx), Some(ScreenReason::AutoReply));
    // The same mark on another sender's mail screens it, as before.
    assert_eq!(
        screened(
            &format!("From: a@x.test\nAuto-Submitted: auto-generated\nSubject: x\n\n{ANGRY}"),
            &ctx
        ),
        Some(ScreenReason::AutoReply)
    );
}

#[test]
fn a_transcript_of_what_a_caller_said_is_judged_though_a_system_sent_it() {
    let ctx = firm_at("firma.example", None);
    // A phone system's voicemail transcription, a chat tool's transcript and a WhatsApp
    // export: made and marked by a process, the words the customer's.
    for (from, subject) in [
        (
            "Telefooncentrale <voicemail@belcentrale.example>",
            "Nieuwe voicemail van +31612345678 (0:52)",
        ),
        (
            "Websitechat <transcripts@chatwidget.example>",
            "Chattranscript #48213 - Jan",
        ),
        (
            "Klantcontact <whatsapp-export@firma.example>",
            "Gespreksexport WhatsApp +31 6 12 34 56 78 (Jan Klant)",
        ),
        ("noreply@telefonie.example", "Spraakbericht van 0612345678"),
        // A helpdesk's ticket notification and Kifid passing a complaint on, marked as bulk
        // mail too to keep auto-replies away.
        (
            "Helpdesk <helpdesk@firma.example>",
            "[Ticket #5218] Nieuw ticket aangemaakt: Vraag over mijn polis",
        ),
        (
            "Kifid <noreply@kifid.example>",
            "Kifid dossier 2026-04517 - doorzending klacht aan financiële dienstverlener",
        ),
    ] {
        let raw = format!(
            "From: {from}\nAuto-Submitted: auto-generated\nPrecedence: bulk\nSubject: {subject}\n\n{ANGRY}"
        );
        let v = det().classify(&parse(raw.replace('\n', "\r\n").as_bytes()), &ctx);
        assert_eq!(v.screened, None, "{subject}: {v:?}");
        assert!(v.complaint, "{subject}: {v:?}");
    }
    // Bulk mail with no relay's subject stays list mail.
    assert_eq!(
        screened(
            &format!("From: a@x.test\nPrecedence: bulk\nSubject: Onze nieuwe tarieven\n\n{ANGRY}"),
            &ctx
        ),
        Some(ScreenReason::MailingList)
    );
    // An automatic answer or list mail with such a subject stays screened.
    assert_eq!(
        screened(
            &format!("From: a@x.test\nAuto-Submitted: auto-replied\nSubject: Re: Chattranscript #1\n\n{ANGRY}"),
            &ctx
        ),
        Some(ScreenReason::AutoReply)
    );
    assert_eq!(
        screened(
            &format!("From: news@x.test\nAuto-Submitted: auto-generated\nList-Id: <tips.x.test>\nSubject: Voicemail-tips\n\n{ANGRY}"),
            &ctx
        ),
        Some(ScreenReason::MailingList)
    );
}

#[test]
fn a_colleagues_forward_without_comment_is_judged_on_the_customers_mail() {
    let ctx = firm_at("firma.example", None);
    let forward = |own: &str| {
        format!(
            "From: Anouk <anouk@firma.example>\nTo: info@firma.example\nSubject: Fwd: uw advies\n\n\
             {own}\n\n-------- Doorgestuurd bericht --------\nOnderwerp: uw advies\n\
             Van: Harm <harm@klant.example>\nAan: Anouk <anouk@firma.example>\n\n{ANGRY}\n"
        )
    };
    // Passed on as it is: the customer's words are judged.
    let v = det().classify(&parse(forward("").replace('\n', "\r\n").as_bytes()), &ctx);
    assert!(v.complaint, "{v:?}");
    // With a short note of the colleague's own, the note and the customer's words are
    // judged together: the customer's complaint is passed on all the same, and the weight
    // of a colleague's own mail does not count against it.
    let colleague = |v: &Verdict| {
        v.signals
            .iter()
            .any(|s| s.criterion == learned::SENDER_CRITERION)
    };
    let short = parse(
        forward("Kun jij dit dossier volgende week overnemen?")
            .replace('\n', "\r\n")
            .as_bytes(),
    );
    assert!(det().classify(&short, &ctx).complaint);
    let v = shipped().classify(&short, &ctx);
    assert!(v.complaint, "{v:?}");
    assert!(!colleague(&v), "{v:?}");
    // A note of twenty words or more is the new text, judged by itself, as in any mail: the
    // colleague's own, and weighed as one.
    let long = parse(
        forward(
            "Kun jij dit dossier volgende week overnemen? Ik ben vanaf maandag twee weken \
             met verlof en de stukken liggen in de kast bij de receptie, map drie.",
        )
        .replace('\n', "\r\n")
        .as_bytes(),
    );
    assert!(!det().classify(&long, &ctx).complaint);
    let v = shipped().classify(&long, &ctx);
    assert!(!v.complaint, "{v:?}");
    assert!(colleague(&v), "{v:?}");
}

#[test]
fn a_colleagues_weight_does_not_undo_the_hold_on_a_short_text() {
    // A colleague's short thank-you of 20 words scores under what a text of its length
    // needs (kort_bericht_drempel): held, not flagged. The colleague's weight, joining the
    // signals after that, once summed them afresh and flagged the text above the
    // threshold; the hold stands now.
    let ctx = firm_at("example.nl", Some("Dijkstra & Mol Financieel Advies"));
    let text = "Wat fijn om te lezen, mevrouw De Boer! We geven uw complimenten door aan \
                Daan. Hartelijke groet, Sanne de Wit – Dijkstra & Mol";
    let raw = format!(
        "From: Sanne de Wit <sanne@example.nl>\nTo: info@example.nl\nSubject:\n\
         Content-Type: text/plain; charset=utf-8\n\n{text}\n"
    );
    let v = shipped().classify(&parse(raw.replace('\n', "\r\n").as_bytes()), &ctx);
    assert!(
        v.signals
            .iter()
            .any(|s| s.criterion == learned::SENDER_CRITERION),
        "{v:?}"
    );
    assert!(
        v.ignored.iter().any(|i| i.reason == learned::SHORT_BELOW),
        "{v:?}"
    );
    assert!(!v.complaint && v.score < 1.5, "{v:?}");
    // Trap: the same words from a customer are held the same way.
    let v = shipped().classify(&customer_mail("", text), &firm());
    assert!(!v.complaint, "{v:?}");
}

#[test]
fn a_flag_by_the_learned_words_alone_needs_more_than_the_threshold() {
    // A question about a letter, no word of blame: the learned words alone ("Misschien",
    // "Zou", "een brief van") carry it just over the threshold. Doubtful, not flagged.
    let question = "Dag mevrouw Scholten, ik kreeg gisteren een brief van de \
                    pensioenuitvoerder met een ander bedrag dan ik verwachtte. Misschien ligt \
                    het aan mij, ik ben geen rekenwonder. Zou u ernaar willen kijken? Ik stuur \
                    de brief als bijlage mee. Hartelijke groet, Gerda";
    let criteria = |v: &Verdict| v.signals.iter().any(Signal::for_a_criterion);
    let alone = |v: &Verdict| v.ignored.iter().any(|i| i.reason == learned::ALONE);
    let v = shipped().classify(&customer_mail("", question), &firm());
    assert!(
        !v.complaint && v.doubt && alone(&v) && !criteria(&v),
        "{v:?}"
    );
    let learned_weight = v
        .signals
        .iter()
        .find(|s| s.criterion == learned::CRITERION)
        .map(|s| s.weight);
    assert!(
        learned_weight.is_some_and(|w| w >= v.threshold && w < learned::ALONE_NEEDS * v.threshold),
        "{v:?}"
    );
    // Trap: one plain word of blame beside the same words is a signal of section 3.1, and
    // the text is flagged at a score as low.
    let blamed = question.replace("verwachtte.", "verwachtte. Het bedrag klopt niet.");
    let v = shipped().classify(&customer_mail("", &blamed), &firm());
    assert!(v.complaint && criteria(&v) && !alone(&v), "{v:?}");
    assert!(v.score < learned::ALONE_NEEDS * v.threshold, "{v:?}");
    // Trap: the learned words alone, well over the bar (a change said to be made and not
    // made), still flag.
    let chased = "Hallo, toen ik gisteren belde zei uw collega dat de polis al was aangepast, \
                  maar ik kreeg vandaag een brief met het oude bedrag. Zou u nog even willen \
                  kijken? Groet, Henk";
    let v = shipped().classify(&customer_mail("", chased), &firm());
    assert!(v.complaint && !criteria(&v) && !alone(&v), "{v:?}");
    assert!(v.score >= learned::ALONE_NEEDS * v.threshold, "{v:?}");
    // The lexicons alone judge none of this: without the learned weights, no such hold.
    let v = det().classify(&customer_mail("", question), &firm());
    assert!(!alone(&v), "{v:?}");
}

#[test]
fn a_forwards_short_note_is_judged_with_the_mail_it_passes_on_a_replys_is_not() {
    let ctx = firm_at("firma.example", None);
    let customer = "Ik ben er echt klaar mee. U heeft mij nooit verteld dat er bij het \
                    oversluiten een boete van 4.800 euro kwam, terwijl ik daar in het gesprek \
                    nog expliciet naar vroeg. Dit is onacceptabel.";
    let mail = |subject: &str, note: &str, passed: &str| {
        let raw = format!(
            "From: Els de Wit <els@klant.example>\nTo: info@firma.example\nSubject: {subject}\n\n\
             {note}\n\n-----Original Message-----\nFrom: Joop de Wit <joop@klant.example>\n\
             Sent: maandag 2 november 2026 09:12\nTo: Els de Wit <els@klant.example>\n\
             Subject: hypotheek\n\n{passed}\n"
        );
        let mail = parse(raw.replace('\n', "\r\n").as_bytes());
        let (lexicons, shipped) = (det().classify(&mail, &ctx), shipped().classify(&mail, &ctx));
        assert_eq!(
            lexicons.complaint, shipped.complaint,
            "{lexicons:?}\n{shipped:?}"
        );
        shipped
    };
    // A wife forwards her husband's complaint with a line of her own: flagged, and the
    // phrases named are the husband's.
    for subject in [
        "FW: hypotheek",
        "Fwd: hypotheek",
        "Doorst: hypotheek",
        "WG: hypotheek",
    ] {
        let v = mail(subject, "Zie hieronder, van mijn man.", customer);
        assert!(v.complaint, "{subject}: {v:?}");
    }
    // Trap: the same short line above the same text in a reply (Outlook quotes a reply's
    // history as it quotes a forward): the quoted history is not judged.
    let v = mail("RE: hypotheek", "Zie hieronder, van mijn man.", customer);
    assert!(!v.complaint, "{v:?}");
    // Trap: a forward of a routine message with a short question is no complaint.
    let v = mail(
        "FW: hypotheek",
        "Moet ik hier iets mee?",
        "Beste klant, per 1 januari wijzigen de voorwaarden van uw betaalrekening. U hoeft \
         niets te doen. Met vriendelijke groet, uw bank",
    );
    assert!(!v.complaint, "{v:?}");
    // Trap: a forwarded withdrawal stays a withdrawal.
    let v = mail(
        "FW: hypotheek",
        "Ter info voor het register.",
        "Laat mijn klacht van vorige week maar zitten: het is netjes opgelost en de boete is \
         vervallen. Beschouw hem als afgehandeld, ik ben tevreden.",
    );
    assert!(!v.complaint, "{v:?}");
}

#[test]
fn a_mail_forwarded_as_an_attachment_is_judged_and_names_the_customer() {
    let ctx = firm_at("firma.example", None);
    // Outlook's "Doorsturen als bijlage": the customer's mail as a message/rfc822 part,
    // with no word of the colleague's own, and with one.
    let attached = |own: &str| {
        let text_part = if own.is_empty() {
            String::new()
        } else {
            format!("--B\nContent-Type: text/plain; charset=utf-8\n\n{own}\n")
        };
        format!(
            "From: Anouk <anouk@firma.example>\nTo: info@firma.example\nSubject: FW: uw advies\n\
             MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n{text_part}\
             --B\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"advies.eml\"\n\n\
             From: Harm <harm@klant.example>\nTo: Anouk <anouk@firma.example>\nSubject: uw advies\n\
             Content-Type: text/plain; charset=utf-8\n\n{ANGRY}\n--B--\n"
        )
        .replace('\n', "\r\n")
    };
    let mail = parse(attached("").as_bytes());
    assert_eq!(mail.attachments.len(), 1, "{mail:?}");
    let v = det().classify(&mail, &ctx);
    assert!(v.complaint, "{v:?}");
    let customer = super::contact_form::forwarded_customer(&mail, &ctx).unwrap();
    assert_eq!(customer.address, "harm@klant.example");
    // A short line of the colleague's own is judged with the attached mail, as in an inline
    // forward; the customer is still the one the case would be for.
    let mail = parse(attached("Kun jij dit dossier volgende week overnemen?").as_bytes());
    assert!(det().classify(&mail, &ctx).complaint);
    let customer = super::contact_form::forwarded_customer(&mail, &ctx).unwrap();
    assert_eq!(customer.address, "harm@klant.example");
    // A note of twenty words or more is judged by itself.
    let mail = parse(
        attached(
            "Kun jij dit dossier volgende week overnemen? Ik ben vanaf maandag twee weken met \
             verlof en de stukken liggen in de kast bij de receptie, map drie.",
        )
        .as_bytes(),
    );
    assert!(!det().classify(&mail, &ctx).complaint);
}

#[test]
fn a_letter_in_an_attached_document_is_judged_with_the_mail() {
    let letter = "J. Jansen\nLindelaan 4\n7311 AB Apeldoorn\n\nDijkstra & Mol Financieel Advies\n\
                  Postbus 12\n\nDatum: 3 december 2026\nBetreft: Mijn hypotheekadvies\n\n\
                  Geachte heer Dijkstra,\nIn maart heeft u mij geadviseerd over het oversluiten van mijn\n\
                  hypotheek. U vertelde dat de boeterente ongeveer 3.000 euro zou zijn. Op de afrekening\n\
                  van de bank staat nu 11.480 euro. Daarnaast is de afsluitprovisie van 2.450 euro nooit\n\
                  met mij besproken.\nIk verzoek u mij binnen twee weken te laten weten hoe u dit gaat\n\
                  oplossen.\nMet vriendelijke groet,\nJ. Jansen";
    let cover = "Geachte heer, mevrouw,\n\nBijgaand treft u mijn brief aan.\n\nMet vriendelijke groet,\nJ. Jansen";
    let mut mail = customer_mail("Brief", cover);
    let alone = shipped().classify(&mail, &firm());
    assert!(!alone.complaint, "{alone:?}");
    mail.documents = vec![Document {
        name: "brief.pdf".into(),
        text: letter.into(),
    }];
    let v = shipped().classify(&mail, &firm());
    assert!(v.complaint, "{v:?}");
    assert_eq!(v.documents, ["brief.pdf"]);
    // The phrases shown are quoted from the letter.
    assert!(
        v.signals.iter().any(|s| s
            .phrase
            .split(", ")
            .any(|p| letter.contains(p) && !cover.contains(p))),
        "{v:?}"
    );
    // Trap: a routine letter from someone else, passed on for the file.
    let mut routine = customer_mail(
        "Jaaroverzicht hypotheek",
        "Hallo,\n\nTer info het jaaroverzicht van de bank, voor de aangifte.\n\nGroet,\nJ. Jansen",
    );
    routine.documents = vec![Document {
        name: "jaaroverzicht.pdf".into(),
        text: "Noordhaven Bank\nPostbus 400\n\nDe heer J. Jansen\nLindelaan 4\n\n\
               Datum: 15 januari 2026\nBetreft: Jaaroverzicht 2025 hypotheek 8812.44.019\n\n\
               Geachte heer Jansen,\nHierbij ontvangt u het jaaroverzicht van uw hypotheek over 2025.\n\
               U betaalde in 2025 in totaal 9.412,18 euro rente. Dit bedrag kunt u gebruiken voor\n\
               uw aangifte inkomstenbelasting. De restschuld op 31 december 2025 was 212.500 euro.\n\
               Heeft u vragen over dit overzicht? Bel ons dan op werkdagen.\n\
               Met vriendelijke groet,\nNoordhaven Bank\nAfdeling Hypotheken"
            .into(),
    }];
    let v = shipped().classify(&routine, &firm());
    assert!(!v.complaint, "{v:?}");
    assert_eq!(v.documents, ["jaaroverzicht.pdf"]);
}

#[test]
fn html_only_mail_is_judged_on_text() {
    let raw = "From: a@x.test\r\nSubject: gesprek\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Uw medewerker was <b>onbeschoft</b> en ik werd <i>afgepoeierd</i>.</p>\r\n";
    let v = det().classify(&parse(raw.as_bytes()), &ScreenContext::default());
    assert!(v.complaint, "{v:?}");
}

#[test]
fn verdict_json_shape() {
    let v = det().judge(None, "Dit is onacceptabel, ik ben woedend.");
    let json = serde_json::to_value(&v).unwrap();
    for key in [
        "complaint",
        "score",
        "threshold",
        "language",
        "screened",
        "signals",
    ] {
        assert!(json.get(key).is_some(), "{key} missing: {json}");
    }
    assert_eq!(json["language"], "nl");
    assert!(json["screened"].is_null());
    let s = &json["signals"][0];
    assert!(s["criterion"].is_string() && s["phrase"].is_string() && s["weight"].is_number());
}

#[test]
fn addresses_that_refuse_automatic_mail() {
    use super::screen::refuses_mail;
    for a in [
        "no-reply@bank.example",
        "NoReply+x@bank.example",
        "do_not_reply@x.example",
        "geen-antwoord@x.example",
        "MAILER-DAEMON@x.example",
        "postmaster@x.example",
    ] {
        assert!(refuses_mail(a), "{a}");
    }
    for a in ["klant@example.test", "reply@x.example", "noor@x.example"] {
        assert!(!refuses_mail(a), "{a}");
    }
}

#[test]
fn someone_elses_dispute_told_in_the_third_person_is_doubtful() {
    let report = |v: &Verdict| v.ignored.iter().any(|i| i.reason == REPORT_REASON);
    // A ruling's summary: no word of the writer's own, a body that judges disputes.
    // Flagged before the rule.
    let ruling = "Ruling of the month: broker failed to pass on a cancellation\n\nA pet owner \
                  cancelled her dog's insurance by email after the dog died. The broker \
                  confirmed receipt but never passed the cancellation on to the insurer, which \
                  went on collecting premiums for seven months. The disputes committee ruled \
                  that the broker had failed in its duty of care and must refund the premiums \
                  plus the statutory interest. The owner's claim for compensation for stress \
                  was rejected.";
    let v = shipped().classify(&customer_mail("", ruling), &firm());
    assert!(!v.complaint, "{v:?}");
    assert!(v.doubt && report(&v), "{v:?}");
    // Traps: a terse threat without "ik"; a complaint that says "wij" and names the Kifid;
    // a review in the passive voice that names the firm.
    for body in [
        "Zie u bij de rechter.",
        "Geachte heer Mol,\n\nIn het adviesrapport van 2023 is de boeterente van ruim 14.000 \
         euro nergens genoemd, terwijl die bij het oversluiten wel is betaald. Die kosten zijn \
         ons nooit uitgelegd. Wij vragen u de helft te vergoeden. Komen we er niet uit, dan \
         leggen wij de zaak voor aan het Kifid.\n\nFam. Jansen",
        "Het kantoor van Dijkstra heeft de opzegging van de dierenverzekering nooit \
         doorgegeven aan de verzekeraar. Zeven maanden lang is er premie afgeschreven voor een \
         hond die al overleden was. Drie mails zijn onbeantwoord gebleven. Na dit verhaal hoeft \
         niemand nog te twijfelen: dit gaat naar de geschillencommissie.",
    ] {
        let v = shipped().classify(&customer_mail("", body), &firm());
        assert!(v.complaint, "{body}: {v:?}");
        assert!(!report(&v), "{body}: {v:?}");
    }
}

// --- families for complaints without an evaluative word (at the default threshold) ---

mod declaration;
mod families;
mod learned_phrases;
mod naschrift;
