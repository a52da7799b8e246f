//! The lexicon families of the generalising detector, targets, and polarity.

use super::*;

/// The hand-written lexicons alone, at the default threshold (the learned phrases are
/// tested in `learned_phrases_*`).
fn default_det() -> Detector {
    Detector::new(1.5, None).unwrap().without_learned()
}

/// Each family: complaints it must catch, and a trap it must leave alone.
fn family(flagged: &[&str], not_flagged: &[&str]) {
    let d = default_det();
    for text in flagged {
        let v = d.judge(None, text);
        assert!(v.complaint, "should flag: {text}\n{v:?}");
    }
    for text in not_flagged {
        let v = d.judge(None, text);
        assert!(!v.complaint, "should not flag: {text}\n{v:?}");
    }
}

/// `text` is not flagged, and a context signal (negative weight) says why.
fn turned_away(d: &Detector, text: &str) {
    let v = d.judge(None, text);
    assert!(!v.complaint, "should not flag: {text}\n{v:?}");
    assert!(
        v.signals
            .iter()
            .any(|s| s.criterion == "context" && s.weight < 0.0),
        "{text}\n{v:?}"
    );
}

/// Each text's grievance is aimed at a third party (`elsewhere`: reason `ander_doel`) or
/// not, and the text is flagged exactly when it is not.
fn aimed(texts: &[&str], elsewhere: bool) {
    let d = default_det();
    for text in texts {
        let v = d.judge(None, text);
        assert_eq!(
            v.ignored.iter().any(|i| i.reason == "ander_doel"),
            elsewhere,
            "{text}\n{v:?}"
        );
        assert_eq!(v.complaint, !elsewhere, "{text}\n{v:?}");
    }
}

#[test]
fn family_facts_that_differ_from_what_was_agreed() {
    family(
        &[
            "In het rapport staat een jaarinkomen van 41.000 euro terwijl mijn loonstrook 47.500 euro \
             laat zien. Daardoor klopt de maximale hypotheek niet. Graag een nieuwe berekening.",
            "The statement lists a premium of EUR 88 instead of the EUR 61 we agreed in March. \
             Could you correct this?",
            "De brief met mijn polisgegevens is bij de buren bezorgd, op nummer 12 in plaats van 21.",
            // Someone else's data sent to the writer.
            "Vorige week kreeg ik een brief met de naam en het polisnummer van een andere klant erop.",
            "The renewal you sent me has another customer's name and date of birth on it.",
            // Paid too much, a change never put through.
            "Ik betaal nu al 3 jaar te veel premie omdat jullie mijn nieuwe auto nooit hebben \
             doorgevoerd.",
            "We were charged too much for the travel cover in June.",
            // A figure worked out or filled in wrongly.
            "In de aanvraag heeft u mijn inkomen fout ingevuld.",
            "The adviser miscalculated my pension gap by a full year.",
        ],
        &[
            "Mijn nieuwe adres is Dorpsstraat 12, 1234 AB Ergens. Wilt u dat in uw administratie aanpassen?",
            "Could you send me the premium overview for next year? Thanks in advance.",
            "Een andere klant van u raadde mij uw kantoor aan. Kunt u mij een offerte sturen?",
            "Betaal ik te veel premie voor mijn inboedel? Graag een vergelijking.",
            "Is de premie voor de inboedel niet te hoog? Ik wil graag een vergelijking.",
            // The writer's own mistake, owned.
            "Sorry, I was wrong about the date: the meeting is on the 14th.",
            "Foutje van mij, ik had het oude rekeningnummer gestuurd. Dit is het goede.",
        ],
    );
}

#[test]
fn family_expectation_against_outcome() {
    family(
        &[
            "Wij gingen ervan uit dat de inboedel ook in de schuur verzekerd was; dat had u ons \
             verteld. Nu blijkt dat de schuur is uitgesloten.",
            "We were told the policy would cover the full value. It turns out there is a limit of \
             EUR 5,000.",
            // An outcome in figures against what was said, in a line.
            "Advies was ok, maar de rekening was het dubbele van wat er in het eerste gesprek werd \
             genoemd.",
            "We were promised a fixed rate for ten years. The contract says five.",
        ],
        &[
            "Ik verwacht de getekende offerte morgen terug te sturen. Fijn weekend!",
            "De herbouwwaarde is bijna het dubbele van de WOZ-waarde, klopt dat?",
            "The documents arrived as promised, thank you.",
        ],
    );
}

#[test]
fn family_repetition_and_waiting() {
    family(
        &[
            "Dit is al de derde keer dat ik vraag om het polisblad. Nog steeds niets ontvangen.",
            "I have asked three times for the transfer form and I am still waiting.",
            // A count written in figures, in lower case and in a breath.
            "waarom krijg ik nou weer een aanmaning, ik heb gewoon betaald?? dit is de 2e keer",
            "Derde keer dat ik om mijn polisblad vraag.",
            "For the umpteenth time, please send me the policy schedule.",
            "The website promises an answer within a day. Took them nine days to reply to a question.",
            "Still waiting for an update: my claim has been open since June.",
            "Six weeks and counting for a one-page document.",
            "Drie adviseurs in twee jaar. Elke keer opnieuw mijn hele verhaal vertellen.",
            "Could someone please send me my policy schedule? This is my third request.",
            // The days counted, as a public post does.
            "Dag 23 sinds het schadeformulier naar jullie is gegaan.",
            "Day 41 of waiting for you to send our signed offer to the notary.",
        ],
        &[
            "Bedankt voor het snelle antwoord, ik heb het polisblad ontvangen.",
            "Dit is de 2e auto die wij bij u verzekeren. Kunt u een offerte sturen?",
            "Our office has been open since 1998 and we have never had a break-in before.",
            "Twenty years and counting as a happy client!",
            // A greeting, a course's days and a first day are no count of waiting.
            "Dag, sinds ik verhuisd ben wil ik mijn adres aanpassen.",
            "Dag 2 van de cursus was erg leerzaam, dank jullie.",
            "Dag 1: sinds vanochtend staat de nieuwe app online, kijk eens.",
            "On day 3 of our holiday we were waiting for the ferry, all went well.",
        ],
    );
}

#[test]
fn family_how_the_customer_was_treated() {
    family(
        &[
            "Tijdens het gesprek werd ik onder druk gezet om meteen te tekenen.",
            "Ik had gevraagd mij alleen per mail te benaderen, maar ik ben toch gebeld op mijn werk.",
            "The adviser was condescending and did not listen to a word my wife said.",
            "De adviseur had duidelijk geen zin in ons. Na een half uur stond hij al op.",
        ],
        &[
            "Het gesprek met uw adviseur was prettig en duidelijk, dank daarvoor.",
            "Eerlijk gezegd had ik geen zin in weer een gesprek over pensioen, maar het viel mee.",
        ],
    );
}

#[test]
fn family_a_grievance_told_in_a_dutch_subordinate_clause_puts_the_verb_last() {
    // "dat ... niet klopte", "dat hij niet luisterde": the order of a clause after "dat",
    // "omdat" or "terwijl", where the main clause says "klopte niet", "luisterde niet".
    let d = default_det();
    for (text, phrase) in [
        (
            "Ik kreeg later te horen dat het bedrag in de offerte niet klopte.",
            "niet klopte",
        ),
        (
            "Achteraf was duidelijk dat de verzekering helemaal niet bij mijn situatie paste.",
            "niet bij mijn situatie paste",
        ),
        (
            "Ik merkte in het hele gesprek dat de adviseur niet luisterde.",
            "niet luisterde",
        ),
        (
            "Vreemd dat de premie op de polis niet overeenkomt met de offerte.",
            "niet overeenkomt",
        ),
        (
            "Het advies sloot niet aan bij wat we in maart hadden besproken.",
            "sloot niet aan",
        ),
        (
            "Lastig dat uw kantoor de telefoon nooit opneemt.",
            "nooit opneemt",
        ),
        (
            "Vervelend dat de adviseur nooit terugbelt.",
            "nooit terugbelt",
        ),
    ] {
        let v = d.judge(None, text);
        assert!(v.complaint, "should flag: {text}\n{v:?}");
        assert!(
            v.signals.iter().any(|s| s.phrase == phrase),
            "{phrase}: {v:?}"
        );
    }
    // The same order in a question about a date, and the writer's own silence.
    family(
        &[],
        &[
            "Als het voorgestelde tijdstip niet bij uw agenda past, hoor ik het graag.",
            "Sorry dat ik niet opnam, ik zat in de auto. Bel gerust nog eens.",
            "Sorry dat ik niet reageerde, ik was op vakantie. Hierbij de stukken.",
        ],
    );
}

#[test]
fn family_indirect_complaints() {
    family(
        &[
            "Ik wil geen formele klacht indienen, maar het gesprek was niet helemaal wat ik had verwacht.",
            "I don't want to make a formal complaint, but how could nobody tell us about the fee?",
            // Rhetorical and wry, in a line.
            "Is het echt te veel gevraagd om gewoon even terug te bellen?",
            "Moet ik nu echt zelf achter alles aan blijven zitten?",
            "Ik kreeg het idee dat het vooral om de provisie ging.",
            "Nou, bedankt voor niks.",
            "Leuk hoor, weer 12% erbij en geen enkele uitleg.",
            "Great, so now I'm paying more for less cover. Nobody thought to mention that?",
            "You had one job.",
            "Bij dit kantoor betaal je voor advies, maar krijg je een verkooppraatje.",
            "Great coffee, shame about the advice.",
            // Whether it is usual, asked of what was done.
            "Is het gebruikelijk dat de factuur van € 850 eerder binnen is dan het adviesrapport?",
            "Is it usual to advise a 75-year-old man to take out a thirty-year mortgage?",
            // Understatement said to be one, and no one who bothered.
            "Het overstapadvies pakte duur uit, om het zacht te zeggen.",
            "The renewal did not go smoothly, to put it mildly.",
            "De premie ging met 18 procent omhoog en niemand die de moeite neemt het uit te leggen.",
            "Is there actually anyone in your office who reads these emails?",
            "Uw advies om over te stappen heeft me per saldo alleen maar geld gekost.",
        ],
        &[
            "Geen klachten hoor, alles prima geregeld. Tot volgend jaar!",
            // The understatement aimed at another party, the firm praised.
            "De verzekeraar was niet snel, om het zacht te zeggen, maar u heeft ons goed geholpen.",
            // What is usual, told.
            "Het is gebruikelijk dat de taxatie door de koper wordt betaald.",
            "It is usual for the buyer to pay for the valuation.",
            "Ik hoop dat het niet te veel gevraagd is, maar kunt u de offerte voor vrijdag sturen?",
            "Hoe hoog is de provisie bij een overlijdensrisicoverzekering?",
            "Has no one ever claimed for a stolen e-bike under this policy?",
            "Geen verkooppraatje, geen stapel folders: gewoon eerlijk advies.",
        ],
    );
}

#[test]
fn family_review_wording_of_a_short_public_text() {
    // The words of a short review or post ("afrader", "waste of money", "you never hear back"),
    // where too few words are written for the learned phrases to judge.
    family(
        &[
            "Adviseur beloofde van alles, niets waargemaakt. Zonde van het geld.",
            "Hoge kosten en je hoort daarna niks meer van ze.",
            "Waste of money. Signed in March and never heard back.",
            "Would not recommend: the fees were never explained.",
            "Zou ik niet nog eens doen. Adviseur had meer oog voor zijn provisie dan voor ons.",
            "Beloftes genoeg, maar toen het erop aankwam was niemand bereikbaar.",
            "Never again. Impossible to reach once the papers were signed.",
            "Eén keer en nooit weer.",
            // Silence, counted or told wryly, in a public post.
            "Mijn hypotheekadviseur is sinds de ondertekening van de aardbodem verdwenen.",
            "Three emails to your customer service since April have gone unanswered.",
            "Is there anyone at that office who actually reads their email?",
            "Mailtje nummer vijf: \"We nemen binnen 5 werkdagen contact met u op.\"",
            "Interessante rekenmethode: 3 uur advies voor een telefoontje van 20 minuten.",
            "Ik geef ze 1 ster, en dat is nog te veel.",
            // A bare verdict, and the ironic question "for a friend".
            "Traag. Heel traag.",
            "Geen aanrader.",
            "Avoid. Overpriced.",
            "Slowest claim handling ever.",
            "Zou daar ooit iemand de telefoon opnemen? Vraag voor een vriend.",
            "Does anyone there ever answer an email? Asking for a friend.",
            // A superlative verdict, and no one on the line.
            "Slechtste service ooit. Drie weken op een polis gewacht.",
            "Bel al de hele ochtend, krijg niemand aan de lijn.",
            "Shambolic from start to finish.",
            "I cant get anyone on the phone since the claim went in.",
        ],
        &[
            "Een aanrader! Alles waargemaakt wat beloofd was.",
            "We would recommend them to anyone, money well spent.",
            "Ik zou dit kantoor zeker niet afraden, ze denken goed mee.",
            "Wij raden dit kantoor aan: nooit meer zorgen over de papieren.",
            // A greeting, an attachment count and a thief are no silence.
            "Dag, sinds ik verhuisd ben wil ik mijn adres aanpassen.",
            "Hopelijk krijgt de politie de dader snel te pakken. Wat moet ik voor de schade doen?",
            // The writer hard to reach is no grievance.
            "Ik ben volgende week slecht bereikbaar en overdag nooit bereikbaar, mail liever.",
            // A verdict denied.
            "Niet traag en niet duur: een aanrader.",
            "Good value and certainly not overpriced.",
            // The worst case of a question, and the writer not on the line.
            "In het slechtste geval moet ik bijbetalen, klopt dat?",
            "Ik was er niet, dus u kreeg niemand aan de deur. Kunt u morgen langskomen?",
        ],
    );
}

#[test]
fn family_idioms_of_empty_promises_being_strung_along_and_a_count_of_days() {
    // Fixed expressions of a grievance, in either language, that name no act: a promise
    // that meant nothing, being kept waiting or sent away, a wry count of days, no stars.
    family(
        &[
            "Klantvriendelijkheid is bij dit kantoor ver te zoeken.",
            "Loze beloftes, meer heb ik er niet van gekregen.",
            "Praatjes vullen geen gaatjes, Brinkman.",
            "Die nazorg van hen is een wassen neus.",
            "Wat een lachertje, die jaarlijkse check.",
            "Drie maanden aan het lijntje gehouden over mijn offerte.",
            "Met een kluitje in het riet gestuurd, zo voelde dat gesprek.",
            "We worden al weken in het ongewisse gelaten over de taxatie.",
            "Jullie hebben een steek laten vallen met ons dossier.",
            "Dag 74 en tellen. Nog steeds geen polis.",
            "Raad eens hoe vaak ik al heb gebeld.",
            "Als het kon gaf ik nul sterren.",
            "Their aftercare is an absolute joke.",
            "Empty promises from day one.",
            "Good luck getting anyone on the phone after you sign.",
            "Don't hold your breath waiting for that callback.",
            "Kept in the dark for six weeks about our claim.",
            "They ghosted us the moment the mortgage was signed.",
            "You dropped the ball on our renewal.",
            "If I could give zero stars I would.",
        ],
        &[
            // The same words denied, sincere, or said of the writer's own doing.
            "Ons kantoor is niet ver te zoeken: naast het station.",
            "Ik heb zelf een steek laten vallen: het formulier lag nog thuis.",
            "We zijn aan het inpakken en tellen de dagen af tot de verhuizing!",
            "Raad eens wie er volgende maand gaat trouwen? Wij! Graag de polis aanpassen.",
            "Sorry, I dropped the ball on sending you the payslips, here they are.",
            "Good luck with the move to the new office!",
            "We all talk about pensions at home these days, could you send the brochure?",
            "Wil u ons niet in het ongewisse laten over de afspraak van dinsdag?",
        ],
    );
}

#[test]
fn family_context_the_firm_held_blameless_and_an_apology_received() {
    let d = default_det();
    // Anger at another party with the firm said in so many words to be blameless.
    for text in [
        "De verzekeraar weigert al maanden de uitkering voor mijn waterschade. Dat ligt niet \
         aan jullie, Mark heeft ze drie keer gebeld.",
        "The insurer still refuses to pay. It is not your fault, you chased them twice.",
    ] {
        turned_away(&d, text);
    }
    // Trap: the writer holds themselves blameless, not the firm.
    let v = d.judge(
        None,
        "Het ligt niet aan mij: ik heb alles op tijd aangeleverd, maar jullie hebben mijn \
         dossier zes weken laten liggen en nooit teruggebeld.",
    );
    assert!(v.complaint, "{v:?}");
    assert!(
        v.signals.iter().all(|s| s.family != "context_sterk"),
        "{v:?}"
    );
    // An apology the firm gave, told, is no demand for one: set aside with its reason.
    for (text, word) in [
        (
            "Het jaaroverzicht stond eerst verkeerd, maar het is dezelfde dag gecorrigeerd met \
             excuses.",
            "excuses",
        ),
        (
            "The statement was wrong at first, but they fixed it the next day with an apology.",
            "apology",
        ),
    ] {
        let v = d.judge(None, text);
        assert!(v.signals.iter().all(|s| s.family != "herstel_eis"), "{v:?}");
        assert!(
            v.ignored
                .iter()
                .any(|i| i.reason == "excuses_gekregen" && i.phrase == word),
            "{text}\n{v:?}"
        );
    }
    // Trap: an apology asked for still counts as redress wanted.
    for text in [
        "Ik wil excuses van de adviseur voor de toon van het gesprek.",
        "I expect an apology for how I was spoken to on the phone.",
    ] {
        let v = d.judge(None, text);
        assert!(
            v.signals.iter().any(|s| s.family == "herstel_eis"),
            "{text}\n{v:?}"
        );
    }
}

#[test]
fn family_context_withdrawn_about_and_someone_else() {
    family(
        // Trap: the firm that set the complaint aside as settled, while nothing was paid.
        &["Mijn klacht werd door u als afgedaan beschouwd, terwijl er nog steeds niets is \
           uitbetaald. Ik ben hier zeer ontevreden over."],
        &[
            // Withdrawn.
            "Hierbij trek ik mijn klacht van vorige week in; het is netjes opgelost.",
            "I withdraw my complaint, the matter has been resolved.",
            "Mijn klacht van vorige week over de late uitbetaling mag u als afgedaan beschouwen, \
             het geld staat inmiddels op mijn rekening.",
            // A problem put right, told in praise.
            "Vorige maand was ik nog boos over de late uitbetaling, maar alles is netjes \
             rechtgezet.",
            "There was a mix-up with our documents at first, but it was put right within a day. \
             Credit where it's due.",
            "En no worries over die eerste brief met het verkeerde bedrag, dat hadden jullie \
             dezelfde middag al rechtgezet. Super bedankt!",
            "No worries at all about the invoice going to the previous owner, Anouk sorted it \
             out within the hour. Thank you for Tuesday!",
            // A text about complaints.
            "In onze nieuwsbrief: heeft u een klacht? Zo werkt de klachtenregeling van het Kifid.",
            // Research.
            "Voor mijn scriptie doe ik onderzoek naar klachtbehandeling bij adviseurs. Mag ik u interviewen?",
            // A complaint about another party, shared with the firm.
            "Ik heb een klacht ingediend bij de bank over de afwijzing. Kunt u mij helpen?",
            // The adviser a prospective customer is leaving.
            "Ik wil graag overstappen naar jullie. Mijn huidige adviseur reageert al maanden niet.",
            "My current adviser has not replied for weeks, so I would like to move my policies to \
             you.",
        ],
    );
}

#[test]
fn family_druk_en_toon_pressure_denied_is_no_reproach() {
    // Trap: praise that says there was no pressure ("no pressure at all", "nooit pusherig")
    // names the reproach only to deny it.
    let d = default_det();
    let reproach = |text: &str| {
        d.judge(None, text)
            .signals
            .iter()
            .any(|s| s.family == "druk_en_toon" && s.weight > 0.0)
    };
    for text in [
        "Got two options with the prices explained, no pressure at all, and Dennis was great.",
        "Het gesprek was rustig en ik werd niet onder druk gezet om te tekenen.",
    ] {
        assert!(!reproach(text), "{text}");
    }
    for text in [
        "The adviser pressured me to sign the same evening and talked down to my wife.",
        "Ik voelde me onder druk gezet om direct te tekenen.",
    ] {
        assert!(reproach(text), "{text}");
    }
}

#[test]
fn family_context_a_firms_public_reply_speaks_as_the_firm() {
    // The firm's own webcare answer under a review or post repeats the customer's grievance
    // in the firm's voice; it is no complaint. Trap: a customer who quotes such a canned
    // answer, and says nothing came of it, still complains.
    let shipped = Detector::new(1.5, None).unwrap();
    let lexicons = default_det();
    for (text, phrase) in [
        (
            "@sanne_w Hoi Sanne, wat vervelend om te lezen dat je schade nog niet is uitbetaald. \
             Stuur ons even een DM met je polisnummer, dan zoeken we het voor je uit. ^Bram",
            "vervelend om te lezen",
        ),
        (
            "@kees_b Hi Kees, sorry to hear that your claim is taking this long. That's on us. \
             Please DM us your policy number and we'll look into it today. ^Bram",
            "sorry to hear",
        ),
    ] {
        let v = lexicons.judge(None, text);
        assert!(
            v.signals.iter().any(|s| s.criterion == "context"
                && s.weight < 0.0
                && s.phrase.eq_ignore_ascii_case(phrase)),
            "{text}\n{v:?}"
        );
        let v = shipped.judge(None, text);
        assert!(!v.complaint, "should not flag: {text}\n{v:?}");
    }
    for text in [
        "Drie weken geleden stuurde ik de foto's van de waterschade. Sindsdien niets. Op Twitter \
         kreeg ik \"Vervelend om te lezen, stuur ons een DM\" en daarna hoorde ik weer niets. Ik \
         word van het kastje naar de muur gestuurd en wil nu eindelijk een uitkering.",
        "Six weeks after my car was stolen nobody has called me back. Their webcare wrote \
         \"sorry to hear that, please DM us\". I did, twice, and got no reply at all. This is \
         not how you treat a customer of eleven years.",
    ] {
        let v = shipped.judge(None, text);
        assert!(v.complaint, "should flag: {text}\n{v:?}");
        assert!(
            v.ignored.iter().any(|i| i.reason == "geciteerd"),
            "{text}\n{v:?}"
        );
    }
    // Quotation marks opened earlier in the paragraph, in any style; a blank line, with or
    // without carriage returns, ends a quotation that was never closed.
    use super::score::quoted;
    let at = |text: &str| {
        let start = text.find("DM").unwrap();
        quoted(text, start..start + 2)
    };
    assert!(at("Ze schreven: \"stuur ons een DM\"."));
    assert!(at("Ze schreven: „sorry,\nstuur ons een DM”."));
    assert!(at("They wrote “sorry to hear, DM us” and nothing else."));
    assert!(!at("Stuur ons een DM, schreef ik hen."));
    assert!(!at(
        "Ik kreeg een \"antwoord\". Stuur ons een DM, stond er."
    ));
    assert!(!at("Ze schreven: \"sorry\r\n\r\nStuur ons een DM."));
    assert!(!at("Ze schreven: «sorry\n\nStuur ons een DM."));
    assert!(at("Ze schreven: «sorry,\r\nstuur ons een DM»."));
    assert!(!at("Foto's en een DM."));
    // A quotation opened further back than is read, in a paragraph begun further back
    // still, does not count.
    let long = format!("Ze schreven: \"{}stuur ons een DM\".", "bla ".repeat(1000));
    assert!(!at(&long));
    let near = format!(
        "{}\n\nZe schreven: \"sorry, stuur ons een DM\".",
        "bla ".repeat(1000)
    );
    assert!(at(&near));
    // A word or two in quotation marks is a term, not a quotation.
    assert!(!at("Zet de status op \"DM verstuurd\" graag."));
}

#[test]
fn family_context_a_ruling_weighs_what_a_consumer_said() {
    // Trap: a dispute committee's ruling tells a consumer's complaint in its own voice; the
    // complaint was someone else's and is decided.
    let d = default_det();
    for text in [
        "Uitspraak. De consument stelt dat de adviseur hem niet heeft gewezen op de kosten van \
         de overlijdensrisicoverzekering en vordert 1.200 euro. De adviseur voert gemotiveerd \
         verweer. De commissie oordeelt dat de kosten in het adviesrapport stonden en wijst de \
         vordering af.",
        "Summary of the decision. The consumer argues that he was never told about the exit \
         fee. The committee found that the fee was set out in the offer he signed.",
    ] {
        turned_away(&d, text);
    }
    // The headings and verbs of a dispute committee's binding advice weigh the same way,
    // in either language: each is a signal of the ruling's voice.
    for (text, phrases) in [
        (
            "Bindend advies. Standpunt verzoeker: verzoeker stelt dat hem telefonisch is \
             toegezegd dat de kronen voor 75 procent worden vergoed. De commissie stelt voorop \
             dat het maximum in de voorwaarden staat. Het verzoek wordt afgewezen.",
            &[
                "Standpunt verzoeker",
                "verzoeker stelt",
                "De commissie stelt",
                "Het verzoek wordt afgewezen",
            ][..],
        ),
        (
            "The complainant argues that the adviser never explained the exit fee. The firm \
             argues that the fee was in the offer. The complaint is dismissed.",
            &[
                "The complainant argues",
                "The firm argues",
                "The complaint is dismissed",
            ][..],
        ),
    ] {
        let v = d.judge(None, text);
        for phrase in phrases {
            assert!(
                v.signals
                    .iter()
                    .any(|s| s.criterion == "context" && s.phrase == *phrase && s.weight < 0.0),
                "{phrase}: {v:?}"
            );
        }
        assert!(!v.complaint, "should not flag: {text}\n{v:?}");
    }
    // A customer who disputes the firm's position, and names the committee as the next
    // step, complains: none of the ruling's words are his.
    let v = d.judge(
        None,
        "U heeft mijn klacht ongegrond verklaard, maar u heeft mij nooit verteld dat de \
         afsluitprovisie 2.400 euro zou zijn. Ik ben het hier niet mee eens en leg het voor \
         aan de geschillencommissie.",
    );
    assert!(v.complaint, "{v:?}");
    assert!(!v.signals.iter().any(|s| s.criterion == "context"), "{v:?}");
}

#[test]
fn target_a_grievance_at_a_third_party_counts_less() {
    let d = default_det();
    let v = d.judge(
        None,
        "De verzekeraar reageert niet en de schade-expert is nog steeds niet langs geweest.",
    );
    assert!(v.ignored.iter().any(|i| i.reason == "ander_doel"), "{v:?}");
    // Addressed to the firm, the same words count in full.
    let v = d.judge(
        None,
        "U reageert niet en u bent nog steeds niet langs geweest bij de verzekeraar.",
    );
    assert!(!v.ignored.iter().any(|i| i.reason == "ander_doel"), "{v:?}");
    assert!(v.complaint, "{v:?}");
    // The parties around a purchase and the offices an expat deals with, in either language.
    for text in [
        "De verkoper wilde ineens 5.000 euro extra voor de gordijnen, en reageert nog steeds niet.",
        "The municipality still has not replied, and I was told twice to check the website.",
        "The gemeente still has not replied to my objection.",
    ] {
        let v = d.judge(None, text);
        assert!(
            v.ignored.iter().any(|i| i.reason == "ander_doel"),
            "{text}: {v:?}"
        );
    }
    // Addressed to the firm, a seller named beside it does not take the grievance away.
    let v = d.judge(
        None,
        "You still have not replied, and you never told us about the seller's deadline.",
    );
    assert!(!v.ignored.iter().any(|i| i.reason == "ander_doel"), "{v:?}");
    // The target is looked for in the grievance's own sentence: a question to the firm in
    // the next sentence does not make the insurer's silence the firm's.
    let v = d.judge(
        None,
        "De verzekeraar reageert nog steeds niet. Kunt u mij helpen?",
    );
    assert!(v.ignored.iter().any(|i| i.reason == "ander_doel"), "{v:?}");
    // Nor does an abbreviation end the sentence ("bijv. u").
    let v = d.judge(
        None,
        "Nog steeds geen reactie van bijv. u of de verzekeraar.",
    );
    assert!(!v.ignored.iter().any(|i| i.reason == "ander_doel"), "{v:?}");
}

#[test]
fn target_a_sentence_that_names_no_one_carries_on_the_one_before() {
    let d = default_det();
    let aimed_elsewhere = |v: &Verdict, phrase: &str| {
        v.ignored
            .iter()
            .any(|i| i.reason == "ander_doel" && i.phrase.starts_with(phrase))
    };
    // Trap: the garage is named once; the anger in the next sentence is still about it.
    let v = d.judge(
        None,
        "Die garage rekent 2.900 euro voor een deuk. Ik ben er klaar mee.",
    );
    assert!(aimed_elsewhere(&v, "Ik ben er klaar mee (garage)"), "{v:?}");
    assert!(!v.complaint, "{v:?}");
    // A sentence that addresses the firm is the firm's, whatever came before.
    let v = d.judge(
        None,
        "Die garage rekent 2.900 euro voor een deuk. Ik ben er klaar mee, u had mij gewaarschuwd moeten hebben.",
    );
    assert!(!aimed_elsewhere(&v, "Ik ben er klaar mee"), "{v:?}");
    assert!(v.complaint, "{v:?}");
    // A blank line starts afresh: the next paragraph is not the garage's.
    let v = d.judge(
        None,
        "Die garage rekent 2.900 euro voor een deuk.\n\nIk ben er klaar mee.",
    );
    assert!(!aimed_elsewhere(&v, "Ik ben er klaar mee"), "{v:?}");
    assert!(v.complaint, "{v:?}");
}

#[test]
fn target_a_compound_that_ends_in_a_third_party_names_that_party() {
    let d = default_det();
    let aimed_at = |v: &Verdict, party: &str| {
        v.ignored
            .iter()
            .any(|i| i.reason == "ander_doel" && i.phrase.ends_with(&format!("({party})")))
    };
    for (text, party) in [
        (
            "De zorgverzekeraar reageert nog steeds niet op mijn declaratie.",
            "verzekeraar",
        ),
        (
            "De schadehersteller heeft de auto nog steeds niet klaar.",
            "hersteller",
        ),
        (
            "Het bedrijfstakpensioenfonds reageert nog steeds niet op mijn brieven.",
            "pensioenfonds",
        ),
        (
            "De leasemaatschappij reageert nog steeds niet op mijn mails.",
            "maatschappij",
        ),
    ] {
        let v = d.judge(None, text);
        assert!(aimed_at(&v, party), "{text}\n{v:?}");
        assert!(!v.complaint, "{text}\n{v:?}");
    }
    // Trap: "expert" heads no compound ("de pensioenexpert" may be the firm's own), and a
    // word that ends in a party's letters with fewer than three before is no compound.
    aimed(
        &[
            "De pensioenexpert reageert nog steeds niet op mijn vragen.",
            "Uw collega Degarage reageert nog steeds niet op mijn vragen.",
        ],
        false,
    );
}

#[test]
fn target_a_party_something_goes_to_is_not_the_one_blamed() {
    // The bank and the landlord receive what the firm did wrong or late.
    aimed(
        &[
            "Ze hebben de verkeerde rentevaste periode aan de bank doorgegeven.",
            "Het dossier zou in april naar het pensioenfonds gaan, dat is nooit gebeurd.",
            "It took five weeks to send a proof of insurance for my landlord, still nothing.",
        ],
        false,
    );
    // Trap: the same parties as the ones who did it, or as the cause ("het ligt aan").
    aimed(
        &[
            "De bank heeft de verkeerde rentevaste periode doorgegeven.",
            "Het ligt aan de bank dat de verkeerde rentevaste periode is doorgegeven.",
            "My landlord took five weeks to send a proof of insurance, still nothing.",
            "It is due to the bank that the wrong rate was used, still nothing.",
        ],
        true,
    );
}

// --- the general polarity lexicon: a weak criterion that needs company ---
#[test]
fn target_a_request_to_the_firm_after_a_third_partys_failing_does_not_make_it_the_firms() {
    aimed(
        &[
            "De notaris heeft de akte nog steeds niet gestuurd, kunt u navragen?",
            "The bank still has not replied, could you chase them?",
        ],
        true,
    );
    // Trap: "u" that is no request addresses the firm, the notary nearby or not.
    aimed(
        &["De notaris wacht op de akte die u nog steeds niet heeft gestuurd."],
        false,
    );
}

#[test]
fn target_previous_is_someone_else_before_a_person_not_before_a_time_or_a_message() {
    // "vorige week", "previous week", "vorige mail": a time or an earlier message, no one
    // else; the grievance is the firm's.
    aimed(
        &[
            "Vorige week gebeld, nog steeds niets gehoord.",
            "Vorige maand heb ik mijn polis opgezegd maar ik betaal nog steeds premie.",
            "In mijn vorige mail vroeg ik al om de offerte, nog steeds niets ontvangen.",
            "In mijn vorige e-mail vroeg ik al om de offerte, nog steeds niets ontvangen.",
            "I called the previous week and still nothing has happened.",
        ],
        false,
    );
    // Trap: "vorige adviseur", "previous adviser" is someone else, whatever the sentence
    // holds besides.
    aimed(
        &[
            "Mijn vorige adviseur reageert nog steeds niet op mijn vragen.",
            "My previous adviser never replied, still nothing has happened.",
        ],
        true,
    );
}

fn polarity_signal(v: &Verdict) -> Option<&Signal> {
    v.signals.iter().find(|s| s.criterion == "polariteit")
}

#[test]
fn polarity_counts_next_to_a_signal_and_names_its_words() {
    let d = default_det().with_doubt_threshold(1.0);
    // "toch" is weak contrast (1.0, below the threshold); the service described in
    // negative words lifts the score, here into the doubt band.
    let plain = d.judge(
        None,
        "Ik had toch gevraagd om een overzicht, maar wat ik kreeg was het overzicht van 2024.",
    );
    assert!(polarity_signal(&plain).is_none(), "{plain:?}");
    let v = d.judge(
        None,
        "Ik had toch gevraagd om een overzicht, maar wat ik kreeg was rommelig en onduidelijk.",
    );
    let p = polarity_signal(&v).unwrap_or_else(|| panic!("{v:?}"));
    assert!(p.phrase.contains("rommelig"), "{p:?}");
    assert!(p.weight > 0.0 && p.weight <= 0.5 + 1e-9, "capped: {p:?}");
    assert_eq!(p.family, "polariteit");
    assert!(v.score > plain.score && v.doubt, "{v:?}");
    let v = d.judge(
        None,
        "I did ask for the schedule twice, and what arrived was messy and useless.",
    );
    assert!(polarity_signal(&v).is_some(), "{v:?}");
}

#[test]
fn polarity_alone_never_flags_and_ignores_insured_events() {
    let d = default_det();
    for text in [
        // negative words without any signal of the four criteria
        "Wat een rommelig en onduidelijk weer vandaag, hopelijk wordt het morgen beter.",
        "The weather was gloomy and the garden is a sad sight, but the house is fine.",
        // a negated positive word alone
        "Het gaat niet goed met mijn moeder; kunt u het adres van de polis wijzigen?",
    ] {
        let v = d.judge(None, text);
        assert!(polarity_signal(&v).is_none(), "{text}: {v:?}");
        assert!(!v.complaint, "{text}: {v:?}");
    }
    // "pain" and "injury" describe a claim, not a grievance: on the ignore list.
    let v = d.judge(
        None,
        "Still no reply about the claim: the pain and the injury after the accident remain.",
    );
    if let Some(p) = polarity_signal(&v) {
        assert!(
            !p.phrase.contains("pain") && !p.phrase.contains("injury"),
            "{p:?}"
        );
    }
}

#[test]
fn polarity_reads_a_negated_positive_word_as_negative() {
    let d = default_det();
    let v = d.judge(
        None,
        "Ik heb nog steeds geen antwoord en het contact was niet prettig en niet duidelijk.",
    );
    let p = polarity_signal(&v).unwrap_or_else(|| panic!("{v:?}"));
    assert!(p.phrase.contains("duidelijk"), "{p:?}");
}

#[test]
fn every_signal_names_its_family_and_families_are_unique() {
    let d = default_det();
    let v = d.judge(None, "Ik ben zeer ontevreden, dit is onacceptabel!!");
    assert!(v.signals.iter().all(|s| !s.family.is_empty()), "{v:?}");
    assert!(
        v.signals.iter().any(|s| s.family == "uitroeptekens"),
        "{v:?}"
    );
    let twice = "language = 'nl'\ngap_words = 4\nnegation_window = 2\nnegators = []\n\
                 intensifier_factor = 1.0\nintensifiers = []\nmax_per_criterion = 5.0\n\
                 combination_bonus = 1.0\n[typography]\nexclamation_run = 2\n\
                 exclamation_weight = 1.0\ncapitals_min_words = 2\ncapitals_weight = 1.0\n\
                 [[signal]]\nfamily = 'x'\ncriterion = 'klachtwoord'\nweight = 1.0\nphrases = ['a']\n\
                 [[signal]]\nfamily = 'x'\ncriterion = 'klachtwoord'\nweight = 1.0\nphrases = ['b']\n";
    let err = lexicon::Lexicon::parse("twice.toml", twice, "").unwrap_err();
    assert!(err.to_string().contains("named twice"), "{err}");
}

#[test]
fn family_repetition_counts_reminders_sent_and_weeks_waited_not_a_reminder_received() {
    family(
        &[
            "Ik heb drie herinneringen gestuurd en heb zes weken moeten wachten op een simpele \
             wijziging.",
            "Ondanks mijn herinnering van twee weken geleden is er niets veranderd.",
            "I have sent three reminders and it took six weeks to change one address.",
            "We waited nine weeks for the pension overview.",
        ],
        &[
            // A customer answering the firm's payment reminder: no grievance.
            "Dank voor de herinnering, ik betaal de premie vandaag nog.",
            "Thanks for the reminder, I will pay the premium today.",
            "Hierbij de herinnering die ik van de verzekeraar kreeg, wat moet ik ermee?",
        ],
    );
    // With the learned phrases too, the thank-you for a reminder is left alone.
    let shipped = Detector::new(1.5, None).unwrap();
    let v = shipped.judge(
        None,
        "Dank voor de herinnering, ik betaal de premie vandaag nog.",
    );
    assert!(!v.complaint, "{v:?}");
}

#[test]
fn family_short_grievances_without_a_strong_word() {
    // A one-line mail is judged by the lexicons alone: what was never said, a rhetorical
    // question, "waar blijft", "niet blij mee", a change without explanation, being talked
    // into something or down to, cover that turned out to be missing. Traps: the same
    // words in a question, a compliment, or about a third party.
    family(
        &[
            "Sinds de overstap betaal ik 40 euro per maand meer, daar is nooit iets over gezegd.",
            "Jammer dat ik weer niets van jullie hoor.",
            "Is het nu zo moeilijk om een simpel overzicht te sturen?",
            "Het advies paste totaal niet bij onze situatie.",
            "Waar blijft de terugbetaling die u in april had beloofd?",
            "Ik snap niet waarom ik nu ineens 200 euro moet bijbetalen.",
            "Ik ben hier niet blij mee.",
            "The premium went up by 30 percent without any explanation.",
            "Is it really that hard to answer a simple email?",
            "Not impressed, to be honest.",
            "My father is 84 and was talked into a policy he does not need.",
            "De adviseur sprak tegen mij alsof ik niets snapte.",
            "Your colleague rolled his eyes when I asked about the costs. I am 70, not stupid.",
            "Bij de inbraak bleek mijn gereedschap niet meeverzekerd.",
        ],
        &[
            "Is het moeilijk om mijn hypotheek over te sluiten naar een andere bank?",
            "Ik hoor graag van jullie of de offerte zo klopt.",
            "Past deze verzekering bij onze situatie, denkt u?",
            "The bank changed the rate without any notice, could you look into it?",
            "Ik ben er niet blij mee dat de verzekeraar de schade afwijst, kunt u helpen?",
            "Is mijn caravan niet meeverzekerd op de inboedelpolis? Dan verzeker ik hem bij.",
            "Het voelt alsof ik niets meer hoef te regelen, top geregeld!",
            "Het was een onprettig gesprek met de verzekeraar, kunt u het overnemen?",
        ],
    );
}

#[test]
fn family_herstel_eis_a_deadline_for_an_answer_is_a_demand() {
    let d = default_det();
    let demand = |v: &Verdict| {
        v.signals
            .iter()
            .find(|s| s.family == "herstel_eis")
            .map(|s| s.phrase.clone())
    };
    for (text, phrase) in [
        (
            "De vaatwasser die u leverde heeft krassen en er zat nog een vork in: hij is al \
             gebruikt. Ik verwacht binnen vijf werkdagen een reactie.",
            "Ik verwacht binnen vijf werkdagen een reactie",
        ),
        (
            "The quote you sent listed no arrangement fee, yet you charged 750 euros. I expect \
             a response within ten days.",
            "I expect a response within",
        ),
    ] {
        let v = d.judge(None, text);
        assert_eq!(demand(&v).as_deref(), Some(phrase), "{v:?}");
    }
    // Trap: the firm's own promise of an answer, quoted back or in a routine mail, is no
    // demand of the writer's.
    for text in [
        "Dank voor uw bericht. U kunt binnen vijf werkdagen een reactie van ons verwachten.",
        "Thank you for your message. You can expect a response within ten working days.",
        "Ik verwacht een pakketje van u, kunt u zeggen wanneer het komt?",
    ] {
        let v = d.judge(None, text);
        assert_eq!(demand(&v), None, "{text}: {v:?}");
    }
}

#[test]
fn typography_a_review_rating_reads_its_stars() {
    use super::score::rating;
    for (text, stars, written) in [
        ("★☆☆☆☆ Nooit meer", 1, "★☆☆☆☆"),
        ("Mijn oordeel: ★★★★☆, prima geholpen", 4, "★★★★☆"),
        ("⭐⭐ not great", 2, "⭐⭐"),
        ("Beoordeling: 1,0 / 5\nReviewer: Olek W.", 1, "1,0 / 5"),
        ("Ik geef jullie 2 sterren, meer niet.", 2, "2 sterren"),
        ("One star. 1 star because zero is not possible", 1, "1 star"),
        ("Café Één: 2 STERREN, niet meer", 2, "2 STERREN"),
        ("Geplaatst op 1 september, 3 Sterren", 3, "3 Sterren"),
        ("Gewoon 1 sTar, typed on a phone", 1, "1 sTar"),
        ("1/5\nPakket over het hek gegooid.", 1, "1/5"),
        ("Bezorging\r\n  2 / 5  \r\nTe laat.", 2, "2 / 5"),
        ("2/5 – App works, until it doesn't", 2, "2/5"),
        ("Mijn score: 1/5. Nooit meer.", 1, "score: 1/5"),
        ("Beoordeling 4/5\nPrima geholpen.", 4, "Beoordeling 4/5"),
        (
            "Rated 1 out of 5 stars\nNever again.",
            1,
            "1 out of 5 stars",
        ),
        ("Beoordeeld met 2 van de 5 sterren", 2, "2 van de 5 sterren"),
        (
            "1.0 out of 5 stars Broken on arrival",
            1,
            "1.0 out of 5 stars",
        ),
        ("4,5 van 5 sterren, top", 4, "4,5 van 5 sterren"),
        ("5/5 ⭐\n\nIn het begin ging het even mis.", 5, "5/5 ⭐"),
        // In words, as the heading line.
        ("One star.\n\nA template, not advice.", 1, "One star."),
        ("  Twee sterren\r\nTe laat.", 2, "Twee sterren"),
        ("Één ster.\nNooit meer.", 1, "Één ster."),
        ("Vijf sterren!\nTop geholpen.", 5, "Vijf sterren!"),
        (
            "5 van de 5\n\nToen ik begon wist ik niets.",
            5,
            "5 van de 5",
        ),
        ("  2 out of 5.\nSlow.", 2, "2 out of 5."),
        (
            "Waardering: 5 van 5\n\nNa een scheiding",
            5,
            "Waardering: 5 van 5",
        ),
        ("Rating: one star\nNever again.", 1, "Rating: one star"),
        ("Service 4 / 5 ★ maar de app hapert", 4, "4 / 5 ★"),
        (
            "Totaalscore: 3 / 5\n  Deskundigheid ★★★★☆\n  Snelheid ★☆☆☆☆",
            3,
            "Totaalscore: 3 / 5",
        ),
        // A score closing a line after a word: a review's verdict under its text.
        (
            "oversluiten: boete werd €3.400. thanks voor niks 1/5",
            1,
            "1/5",
        ),
        ("Binnen een uur opgelost. Netjes! 5/5", 5, "5/5"),
        ("Nooit zo gestrest geweest 2 / 5 \r\nMarco", 2, "2 / 5"),
        ("wie houdt er van wachtmuziek 🎶 1/5", 1, "1/5"),
    ] {
        assert_eq!(rating(text), Some((stars, written)), "{text}");
    }
    // A date, a house number, a share or a count of things is no rating; the first rating
    // of a text is its own.
    for text in [
        "Op 4/5 heb ik gebeld.",
        "Wij wonen op Kerkstraat 3/5 in Zwolle.",
        "De premie is 1/5 van mijn inkomen.",
        "Drie sterren van mijn dochter op haar diploma.",
        "Vier sterren en een maan op de vlag.",
        "Bedankt!\nTwee sterren erbij op de kaart.",
        "Op 1 september stuurde ik 2 stukken, 5 Stuks later nog niets.",
        "4/5: klant meldt doos opengescheurd.",
        "Tijdlijn:\n4/5 gebeld, 9/5 nog niets.",
        "- 3/5 – gebeld",
        "Wij scoren 4/5 van de punten.",
        "Ik heb 2 van 5 facturen betaald.",
        "2 van de 5 facturen\nzijn nog open.",
        "Over de premie:\n5 van de 5",
        "7 van de 5",
        "Score: 5 van de 8 punten",
        "Waardering: veel",
        // A date, a page, a step or a share that closes a line.
        "Ik heb u gebeld op 4/5",
        "Zie de bijlage, pagina 2/5",
        "Terugbetaling per 1/5\nGraag bevestiging.",
        "Formulier ingevuld tot stap 3/5",
        "De premie is 1/5",
        "Afspraak gemaakt voor 2/5 om 10 uur, bevestigd op 28/4 2/5",
        "Score (was: 2/5)",
    ] {
        assert_eq!(rating(text), None, "{text}");
    }
    assert_eq!(rating("★★★★★ en later 1 ster").map(|r| r.0), Some(5));
    // Stars drawn without the empty ones, at a line's end or opening it, and a figure with
    // an asterisk at a line's end; a grade inside a line is no rating.
    assert_eq!(
        rating("wachten, wachten, wachten... ★").map(|r| r.0),
        Some(1)
    );
    assert_eq!(
        rating("★★ Beloofd: een overzicht.\r\n").map(|r| r.0),
        Some(2)
    );
    assert_eq!(rating("Onbereikbaar. 1*\r\n").map(|r| r.0), Some(1));
    assert_eq!(rating("★★★★☆ (was ★★)").map(|r| r.0), Some(4));
    assert_eq!(rating("Bluefin Diving | PADI 5* Dive Centre"), None);
    assert_eq!(rating("Sterren★★★ in de naam"), None);
}

#[test]
fn typography_a_score_out_of_ten_reads_as_stars() {
    use super::score::rating;
    // Dutch review sites and school grades score out of ten: 1 to 3 is one star, 4 and 5
    // two (a 5 is a fail), 6 three, 7 and 8 four, 9 and 10 five.
    for (text, stars, written) in [
        ("Cijfer: 3\nNooit teruggebeld.", 1, "Cijfer: 3"),
        ("Cijfer: 9. Zou weer gaan.", 5, "Cijfer: 9."),
        ("Score: 4/10\nTraag en duur.", 2, "Score: 4/10"),
        (
            "Beoordeling 7,5 / 10\nPrima, maar duurde lang.",
            4,
            "Beoordeling 7,5 / 10",
        ),
        ("Mijn score: 6/10 voor de service", 3, "score: 6/10"),
        ("2/10\nNooit meer.", 1, "2/10"),
        ("3/10 – beloofd en niet gedaan", 1, "3/10"),
        ("10/10 zou weer gaan", 5, "10/10"),
        ("Zou weer gaan. 10/10", 5, "10/10"),
        ("Geholpen door Sanne 9/10", 5, "9/10"),
        ("I would give them 2 out of 10.", 1, "2 out of 10"),
    ] {
        assert_eq!(rating(text), Some((stars, written)), "{text}");
    }
    // A date in October, a share, a score of something else: no rating.
    for text in [
        "Op 3/10 gebeld, niemand terug.",
        "Ik heb u gebeld op 3/10",
        "9/10 zou weer gaan",
        "Score: 5 van de 8 punten",
        "Cijfer 7 voor wiskunde, mijn zoon is blij.",
        "Pagina 2/10",
    ] {
        assert_eq!(rating(text), None, "{text}");
    }
    // Read as the review's own rating: a low score is dissatisfaction, a high one praise.
    let v = shipped().judge(None, "10/10 zou weer gaan");
    assert!(!v.complaint, "{v:?}");
    let v = shipped().judge(None, "Cijfer: 3\nNiemand belt terug over mijn hypotheek.");
    assert!(v.complaint, "{v:?}");
}

#[test]
fn typography_a_low_rating_is_dissatisfaction_and_a_high_one_praise() {
    let d = default_det();
    let family = |v: &Verdict, name: &str| {
        v.signals
            .iter()
            .find(|s| s.family == name)
            .map(|s| (s.criterion.clone(), s.weight, s.phrase.clone()))
    };
    // A one-star review: the rating is strong wording beside the grievance it gives.
    let v = d.judge(
        None,
        "★☆☆☆☆\nAl drie weken wacht ik op de polis en niemand belt terug.",
    );
    let (criterion, weight, phrase) = family(&v, "beoordeling_laag").expect("a low rating");
    assert_eq!(
        (criterion.as_str(), phrase.as_str()),
        ("sterke_bewoording", "★☆☆☆☆")
    );
    assert!(weight > 0.0);
    assert!(v.complaint, "{v:?}");
    // Alone, a rating is one signal among the lexicons': it needs company to flag.
    let v = d.judge(None, "★★☆☆☆");
    assert!(family(&v, "beoordeling_laag").is_some(), "{v:?}");
    assert!(v.score < v.threshold, "{v:?}");
    // Five stars is praise; trap: praise of the firm beside anger at the insurer.
    let v = d.judge(
        None,
        "★★★★★ Top adviseur! De verzekeraar deed maanden moeilijk over de schade, maar \
         Anouk heeft het netjes voor ons geregeld.",
    );
    let (criterion, weight, _) = family(&v, "beoordeling_hoog").expect("a high rating");
    assert_eq!(criterion, "compliment");
    assert!(weight < 0.0);
    assert!(!v.complaint, "{v:?}");
    // A five-star review told as a story in English: its narrative words read, to the
    // learned weights fitted on mail, like a grievance (they alone score it near the
    // threshold, and the text without its stars is flagged); the rating outweighs them.
    let shipped = Detector::new(1.5, None).unwrap();
    let story = "New in Utrecht and clueless about Dutch insurance. Joost explained \
         liability, contents and travel cover on a video call, told me I did not need the \
         extra legal cover my bank offered, and sent a one-page summary in English. Premiums \
         came out lower than I had found myself. Recommended for any newcomer.";
    assert!(shipped.judge(None, story).complaint, "without its stars");
    let v = shipped.judge(None, &format!("★★★★★\n\n{story}"));
    let learned = v
        .signals
        .iter()
        .find(|s| s.criterion == "woordgebruik")
        .map(|s| s.weight);
    assert!(learned.is_some_and(|w| w >= 0.9 * v.threshold), "{v:?}");
    assert!(family(&v, "beoordeling_hoog").is_some(), "{v:?}");
    assert!(!v.complaint && v.score < v.threshold, "{v:?}");
    // A rating is the writer's own verdict: it counts even beside blame strong enough to
    // set other praise aside (a joke told and laughed at, in a five-star story).
    let v = d.judge(
        None,
        "5/5\n\nGreat help with my contents insurance. When I asked, half as a joke, if it \
         also covers the fine I got for cycling without a light, Sanne laughed and said no. \
         Quick and clear.",
    );
    let blame: f64 = v
        .signals
        .iter()
        .filter(|s| super::CRITERIA.contains(&s.criterion.as_str()))
        .map(|s| s.weight)
        .sum();
    assert!(blame >= super::score::STRONG_BLAME, "{v:?}");
    assert!(family(&v, "beoordeling_hoog").is_some(), "{v:?}");
    assert!(!v.complaint, "{v:?}");
    // Four stars is praise with a reserve, half the weight of five (`rating_four_weight`):
    // a four-star review that gives one real gripe about the firm is a complaint, the same
    // gripe under five stars is outweighed; trap: four stars of praise alone.
    let gripe = "Snel geregeld. Alleen heeft niemand mij verteld dat de taxatie apart \
         betaald moest worden, dat had u vooraf moeten zeggen. Twee keer gebeld voor uitleg.";
    let four = d.judge(None, &format!("★★★★☆ {gripe}"));
    let five = d.judge(None, &format!("★★★★★ {gripe}"));
    let (_, w4, _) = family(&four, "beoordeling_hoog").expect("four stars");
    let (_, w5, _) = family(&five, "beoordeling_hoog").expect("five stars");
    assert!(
        w4 < 0.0 && (w4 - w5 / 2.0).abs() < 1e-9,
        "{four:?} {five:?}"
    );
    assert!(four.complaint, "{four:?}");
    assert!(!five.complaint, "{five:?}");
    let v = d.judge(
        None,
        "★★★★☆ Snel geregeld, duidelijke uitleg over de taxatie.",
    );
    assert!(
        family(&v, "beoordeling_hoog").is_some() && !v.complaint,
        "{v:?}"
    );
    // Three stars says neither.
    let v = d.judge(None, "★★★☆☆ Het ging wel.");
    assert!(
        family(&v, "beoordeling_laag").is_none() && family(&v, "beoordeling_hoog").is_none(),
        "{v:?}"
    );
}

#[test]
fn family_firm_voice_a_reply_signed_as_the_firm_is_held_in_doubt() {
    // The firm's public reply tells the customer's grievance back and is signed as the firm:
    // a webcare sign-off, or a signature naming the firm under the closing. It scores as a
    // complaint on its words; it is held in the doubt band instead, and says why.
    let shipped = Detector::new(1.5, None).unwrap();
    let org = Some("Brinkman Financieel Advies");
    let held = |v: &Verdict| {
        v.ignored
            .iter()
            .find(|i| i.reason == super::firm_voice::REASON)
            .map(|i| i.phrase.clone())
    };
    for (text, signed) in [
        (
            "Hoi Lotte, je hebt je nieuwe adres twee keer doorgegeven en toch kwam de polis \
             weer op het oude adres. Dat klopt gewoon niet en had niet mogen gebeuren. We \
             hebben het nu in al onze systemen aangepast. Mis je nog meer post? Laat het ons \
             via een DM weten. ^RvD",
            "^RvD",
        ),
        (
            "Beste meneer Jansen,\n\nU heeft drie keer gebeld over de verkeerde premie op uw \
             polis en niemand heeft u teruggebeld, terwijl dat wel was toegezegd. Dat is niet \
             goed gegaan. Uw adviseur belt u morgen voor twaalf uur.\n\nMet vriendelijke \
             groet,\nIlse\nBrinkman Financieel Advies\n",
            "Brinkman Financieel Advies",
        ),
    ] {
        let (v, _, _) = shipped.judge_text(None, text, &[], org, false);
        let why = held(&v).unwrap_or_else(|| panic!("not held: {text}\n{v:?}"));
        assert!(why.contains(signed), "{why}");
        assert!(!v.complaint && v.doubt, "{v:?}");
        assert!(v
            .held_because()
            .any(|i| i.reason == super::firm_voice::REASON));
    }
    // A colleague's note from the firm's own domain is signed as the firm too: the
    // colleague's weight judges it, not this hold.
    let ctx = firm_at("brinkman.example", Some("Brinkman Financieel Advies"));
    let note = crate::parse::parse(
        "From: Petra <petra@brinkman.example>\r\nTo: ilse@brinkman.example\r\nSubject: \
         telefoonnotitie\r\n\r\nHoi Ilse, mevrouw De Ruiter belde: ze kreeg het \
         jaaroverzicht van een andere klant in haar envelop en haar eigen pagina ontbreekt. \
         Ze is er erg van geschrokken en wil vandaag teruggebeld worden.\r\n\r\nGroetjes, \
         Petra\r\nPetra Mulder | Receptie\r\nBrinkman Financieel Advies\r\n"
            .as_bytes(),
    );
    let v = shipped.classify(&note, &ctx);
    assert!(
        v.signals.iter().any(|s| s.criterion == "afzender_collega") && held(&v).is_none(),
        "{v:?}"
    );
    // Traps: a customer who names the firm in a closing outcry; a customer's complaint on
    // top of the firm's quoted mail, whose signature names the firm; a firm's reply that
    // quotes the customer's complaint at length, which carries the complaint itself.
    for text in [
        "Drie keer heb ik gebeld over de verkeerde premie op mijn polis en niemand belt \
         terug, terwijl dat wel was beloofd. Ik ben het echt zat.\n\nNooit meer Brinkman \
         Financieel Advies!\n\nPiet",
        "Beste Ilse,\n\nDe samenvatting klopt niet: wij hebben de inboedelverzekering niet \
         afgewezen, we wilden hem juist wel. Nu staat er iets anders dan we hebben \
         afgesproken. Ik wil dit vandaag gecorrigeerd hebben.\n\nPiet\n\nOp 3 maart 2026 om \
         10:12 schreef Ilse <ilse@brinkman.example>:\n> Beste Piet,\n> In de bijlage de \
         samenvatting.\n> Met vriendelijke groet,\n> Ilse\n> Brinkman Financieel Advies\n",
        "Beste mevrouw De Groot,\n\nU schrijft: \"Mijn polis werd naar mijn oude adres \
         gestuurd terwijl ik twee keer mijn nieuwe adres had doorgegeven, en aan de telefoon \
         zei de medewerker dat ik het zelf maar moest ophalen.\" Dat spijt ons.\n\nMet \
         vriendelijke groet,\nTeam Brinkman",
    ] {
        let (v, _, _) = shipped.judge_text(None, text, &[], org, false);
        assert!(held(&v).is_none() && v.complaint, "{text}\n{v:?}");
    }
}
