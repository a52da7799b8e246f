//! A complaint in a postscript under a routine request ([`postscript`]).

use super::*;

fn from_postscript(v: &Verdict) -> bool {
    v.ignored.iter().any(|i| i.reason == postscript::REASON)
}

/// A routine request, then `ps` under the greeting.
fn request_with(ps: &str) -> String {
    format!(
        "Beste mevrouw Mol,\n\nWij verhuizen op 1 februari naar de Lindelaan 4 in Zwolle. Wilt \
         u het nieuwe adres doorvoeren op onze inboedelverzekering en de opstalverzekering van \
         het oude huis tot de overdracht op 15 februari? Voor het nieuwe huis hebben wij graag \
         een offerte voor een opstalverzekering met glasdekking. De bouwkundige keuring is goed \
         uitgekomen, de uitslag stuur ik mee.\n\nMet vriendelijke groet,\nAnton Visser\n\n{ps}"
    )
}

#[test]
fn a_grievance_in_a_postscript_flags_the_mail_and_says_so() {
    let detector = shipped();
    let ps = "P.S. Vorig jaar kostte een simpele wijziging van de premie drie mails en zes \
              weken wachten. Hopelijk gaat het nu sneller.";
    let body = request_with(ps);
    let v = detector.classify(&customer_mail("Verhuizing", &body), &firm());
    assert!(v.complaint, "{v:?}");
    assert!(from_postscript(&v), "{v:?}");
    // The signals that explain the flag are the postscript's, as written.
    assert!(
        v.signals
            .iter()
            .filter(|s| s.weight > 0.0)
            .all(|s| s.phrase.split(", ").all(|p| ps.contains(p))),
        "{v:?}"
    );
    // The whole text did not flag it: the postscript decided.
    let whole = detector
        .judge_whole(Some("Verhuizing"), &body, &[], None, false)
        .verdict;
    assert!(!whole.complaint, "{whole:?}");
    // Without its postscript the request is no complaint, nor doubtful.
    let plain = detector.classify(&customer_mail("Verhuizing", &request_with("")), &firm());
    assert!(!plain.complaint && !from_postscript(&plain), "{plain:?}");
}

#[test]
fn a_postscript_under_the_signature_is_read_whatever_its_marker() {
    // "PS" without a dot or colon used to be taken for part of the signature.
    let detector = shipped();
    for ps in [
        "PS De vorige keer kreeg ik de polis met een verkeerd adres, en die is toen naar de \
         buren gegaan.",
        "P.P.S. Ik heb in september twee keer gebeld over de jaaropgave en nog steeds niets \
         ontvangen.",
        "NB: ik heb in september twee keer gebeld over de jaaropgave en nog steeds niets \
         ontvangen.",
    ] {
        let v = detector.classify(&customer_mail("Verhuizing", &request_with(ps)), &firm());
        assert!(v.complaint, "{ps}: {v:?}");
    }
}

#[test]
fn a_friendly_or_elsewhere_aimed_postscript_flags_nothing() {
    let detector = shipped();
    for ps in [
        // Thanks, with a hitch that was solved.
        "P.S. Nogmaals dank voor de snelle afhandeling van de schade vorig jaar, dat was top \
         geregeld.",
        // A grievance aimed at a third party.
        "PS De aannemer is nu al drie weken te laat met de verbouwing en neemt de telefoon \
         niet op, wat een gedoe met die man.",
        // News, no grievance.
        "N.B. Wij zijn vanaf 1 maart verhuisd naar de Lindelaan 4 in Zwolle.",
    ] {
        let v = detector.classify(&customer_mail("Verhuizing", &request_with(ps)), &firm());
        assert!(!v.complaint, "{ps}: {v:?}");
        assert!(!from_postscript(&v), "{ps}: {v:?}");
    }
}

#[test]
fn a_postscript_in_a_mail_addressed_to_another_organisation_flags_nothing() {
    let body = format!(
        "Beste medewerkers van Kinderopvang De Zonnebloem,\n\n{}",
        request_with(
            "P.S. Vorig jaar moest ik zes weken en drie mails wachten op een simpele wijziging \
             van de factuur. Ik hoop dat het nu sneller gaat."
        )
        .trim_start_matches("Beste mevrouw Mol,\n\n")
    );
    let v = shipped().classify(&customer_mail("Verhuizing", &body), &firm());
    assert!(!v.complaint, "{v:?}");
    assert!(!from_postscript(&v), "{v:?}");
}

/// A reply whose answers stand between the quoted questions of the firm's survey: the
/// grievance is in an answer, not above the quote.
#[test]
fn a_grievance_answered_between_quoted_questions_is_judged() {
    let body = "Goedemiddag,\n\nDe link van de enquête werkt niet op mijn laptop, daarom mijn \
        antwoorden hieronder tussen de vragen.\n\nPetra Smeets\n\n\
        Op 6 okt. 2026 om 10:00 schreef Klantonderzoek <enquete@onderzoek.example>:\n\
        > Beste mevrouw Smeets,\n>\n\
        > 1. Welk cijfer geeft u uw laatste contact met Dijkstra & Mol?\n\n\
        4\n\n\
        > 2. Voelde u zich gehoord door uw adviseur?\n\n\
        Nee. Wij hebben de adviseur drie keer duidelijk gezegd dat wij geen lening op het \
        bedrijfspand willen. Toch kwam hij er elk gesprek weer mee, en hij sprak ons toe alsof \
        wij het niet begrepen. Dat was niet prettig.\n\n\
        > 3. Wilt u nog iets kwijt?\n\n\
        Ik wil graag dat iemand anders contact met ons opneemt over ons pensioen, daarvoor \
        kwamen we eigenlijk.\n\n\
        > Hartelijk dank voor uw medewerking.\n";
    let v = shipped().classify(&customer_mail("Re: Uw mening telt", body), &firm());
    assert!(v.complaint, "{v:?}");
    // The explanation names the answers' words, never the quoted questions'.
    let words = shipped().judged_words(None, body);
    assert!(words.contains("drie keer duidelijk gezegd"), "{words}");
    assert!(!words.contains("voelde u zich gehoord"), "{words}");
}
