//! What directie and the complainant see, end to end on Dovecot + Postfix: the reply
//! grammar, the "Verwerkt" confirmation, the position reviewed as a draft before it is
//! sent, and letters that never promise a date in the past.

use std::time::{Duration, Instant};

use klachtenbus::case::CaseRef;
use klachtenbus::parse::ParsedMail;

use crate::cases::{body, complaint, send_and_wait, SERVICE, WAIT};
use crate::harness::{mailbox, reply_to, MailStack};
use crate::support::{cases_json, stderr, stdout, Kb, DIRECTIE};

const CUSTOMER: &str = "laat@example.test";

/// Waits until `user` holds a mail whose subject contains `needle`, and returns it.
async fn wait_for_subject(stack: &MailStack, user: &str, needle: &str) -> ParsedMail {
    let start = Instant::now();
    loop {
        if let Some(m) = mailbox(stack, user)
            .await
            .into_iter()
            .map(|(_, m)| m)
            .find(|m| m.subject.as_deref().is_some_and(|s| s.contains(needle)))
        {
            return m;
        }
        assert!(
            start.elapsed() < WAIT,
            "no mail {needle:?} for {user} within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A complaint left alone for sixty days: confirmed then, it gets an acknowledgement with a
/// new date after that day, an apology and Kifid's address, and directie is warned. The
/// position then goes to directie as a draft (with its outcome and measure recorded, and
/// the command lines out of the letter); VERSTUUR sends it unchanged; every step is
/// confirmed to directie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_confirmation_review_and_verstuur() {
    let stack = MailStack::start();
    let mut kb = Kb::new(&stack, SERVICE, "", "");
    kb.env.extend([
        ("KLACHTENBUS__DIRECTIE__CONFIRMATIONS".into(), "true".into()),
        (
            "KLACHTENBUS__DIRECTIE__REVIEW_POSITION".into(),
            "true".into(),
        ),
    ]);
    send_and_wait(
        &stack,
        CUSTOMER,
        "klachten@example.test",
        &complaint(CUSTOMER, "Mijn hypotheekadvies", "laat-1@example.test"),
        SERVICE,
        1,
    )
    .await;
    kb.sync();
    let note = wait_for_subject(&stack, DIRECTIE, "Mogelijke klacht").await;
    let reference = CaseRef::find_in(note.subject.as_deref().unwrap())
        .unwrap()
        .to_string();
    let case = &cases_json(&kb)[0];
    let position_by = case["position_by"].as_str().unwrap().to_string();
    let kifid_from = case["kifid_from"].as_str().unwrap().to_string();

    // Sixty days later directie confirms.
    let later = chrono::Utc::now() + chrono::Duration::days(60);
    let now = later.format("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    let sync_later = |kb: &Kb| {
        let out = kb.run(&["--now", &now, "sync"]);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    let (to, raw) = reply_to(
        &note,
        DIRECTIE,
        "Klacht, graag met excuses",
        "laat-r1@example.test",
    );
    stack.send(DIRECTIE, &[&to], &raw).await;
    stack.wait_for_count(SERVICE, "INBOX", 2, WAIT).await;
    sync_later(&kb);
    let ack = wait_for_subject(&stack, CUSTOMER, "Ontvangstbevestiging").await;
    let text = body(&ack);
    // The register keeps the missed deadline (the half-yearly review must see it); the
    // letter promises a date after the day it is sent (checked for every letter read).
    let case = &cases_json(&kb)[0];
    assert_eq!(case["position_by"].as_str().unwrap(), position_by);
    assert!(kifid_from.as_str() < later.date_naive().to_string().as_str());
    assert!(text.contains("Uiterlijk op"), "{text}");
    for part in ["excuses", "Kifid", "Postbus 93257"] {
        assert!(
            text.contains(part),
            "acknowledgement lacks {part:?}:\n{text}"
        );
    }
    // The note on the decision line is recorded.
    let timeline = case["timeline"].as_array().unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e["kind"] == "notitie" && e["detail"] == "graag met excuses"),
        "{timeline:?}"
    );
    let done = wait_for_subject(&stack, DIRECTIE, "Verwerkt: KLACHT").await;
    let done_text = body(&done);
    for part in [
        "LET OP",
        "was al verstreken",
        "Ontvangstbevestiging van uw klacht",
        CUSTOMER,
    ] {
        assert!(
            done_text.contains(part),
            "confirmation lacks {part:?}:\n{done_text}"
        );
    }
    assert!(done.header("reply-to").is_some_and(|r| r.contains("+kl-")));

    // The position, with outcome and measure under it: a draft comes back.
    let position = "STANDPUNT\nWij hebben uw dossier nagekeken.\nU krijgt de advieskosten terug.\n\nUITKOMST gegrond\nMAATREGEL Adviesrapporten voortaan laten nalezen";
    let (to, raw) = reply_to(&note, DIRECTIE, position, "laat-r2@example.test");
    stack.send(DIRECTIE, &[&to], &raw).await;
    stack.wait_for_count(SERVICE, "INBOX", 3, WAIT).await;
    sync_later(&kb);
    let draft = wait_for_subject(&stack, DIRECTIE, "Concept standpuntbrief (versie 1)").await;
    assert!(body(&draft).contains("U krijgt de advieskosten terug."));
    assert!(
        !body(&draft).contains("UITKOMST gegrond"),
        "{}",
        body(&draft)
    );
    let case = &cases_json(&kb)[0];
    assert_eq!(case["status"], "in_behandeling", "a draft sends nothing");
    assert_eq!(case["outcome"], "gegrond");
    assert_eq!(
        mailbox(&stack, CUSTOMER).await.len(),
        1,
        "only the acknowledgement"
    );
    let measures = kb.run(&["maatregel", "list", "--json"]);
    assert!(
        stdout(&measures).contains("Adviesrapporten voortaan laten nalezen"),
        "{}{}",
        stdout(&measures),
        stderr(&measures)
    );

    // VERSTUUR on the draft: the letter goes out, with the text and without the commands.
    let (to, raw) = reply_to(&draft, DIRECTIE, "VERSTUUR", "laat-r3@example.test");
    stack.send(DIRECTIE, &[&to], &raw).await;
    stack.wait_for_count(SERVICE, "INBOX", 4, WAIT).await;
    sync_later(&kb);
    let letter = wait_for_subject(&stack, CUSTOMER, "Ons standpunt over uw klacht").await;
    let text = body(&letter).replace("\r\n", "\n");
    assert!(
        text.contains("Wij hebben uw dossier nagekeken.\nU krijgt de advieskosten terug."),
        "{text}"
    );
    for command in ["UITKOMST", "MAATREGEL", "STANDPUNT", "VERSTUUR"] {
        assert!(!text.contains(command), "letter holds {command}:\n{text}");
    }
    assert_eq!(cases_json(&kb)[0]["status"], "standpunt_gegeven");
    let done = wait_for_subject(&stack, DIRECTIE, "Verwerkt: VERSTUUR").await;
    assert!(body(&done).contains("U krijgt de advieskosten terug."));
    // What a person reads: Dutch labels and Amsterdam times in show, cases and messages;
    // --json keeps the stored values and UTC.
    let case = cases_json(&kb)[0].clone();
    let received = chrono::DateTime::parse_from_rfc3339(case["received_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%-d-%-m-%Y %H:%M")
        .to_string();
    assert!(case["received_at"].as_str().unwrap().ends_with('Z'));
    let show = kb.run(&["show", &reference.replace("KL-", "").replace("-000", "-")]);
    assert!(show.status.success(), "{}", stderr(&show));
    let text = stdout(&show);
    for part in [
        received.as_str(),
        "standpunt gegeven",
        "gegrond",
        "Adviesrapporten voortaan laten nalezen",
    ] {
        assert!(text.contains(part), "show lacks {part:?}:\n{text}");
    }
    for machine in ["standpunt_gegeven", "in_behandeling", "brief_klaargezet"] {
        assert!(!text.contains(machine), "show prints {machine}:\n{text}");
    }
    let cases = stdout(&kb.run(&["cases"]));
    assert!(
        cases.contains("standpunt gegeven") && cases.contains("1 zaak"),
        "{cases}"
    );
    let messages = stdout(&kb.run(&["messages"]));
    assert!(
        messages.contains(&received) && messages.contains("berichten"),
        "{messages}"
    );
    let english = stdout(&kb.run(&["--lang", "en", "cases"]));
    assert!(english.contains("position given"), "{english}");
}

/// A letter complaint taken in with `intake`, without an e-mail address: `KLACHT` sends
/// directie the acknowledgement as a PDF to print and post; the text of the PDF has the
/// name, the address, the reference and the date; the dossier holds it; `VERSTUURD PER
/// POST` on that mail is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complainant_without_email_gets_a_printable_letter() {
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let received = klachtenbus::calendar::local_date(chrono::Utc::now()).to_string();
    let out = kb.run(&[
        "intake",
        "--no-prompt",
        "--datum",
        &received,
        "--naam",
        "mevrouw K. van der Berg",
        "--adres",
        "Dorpsstraat 12, 1234 AB Ergens",
        "--kanaal",
        "brief",
        "--opgenomen-door",
        "Piet",
        "--klacht",
        "Zij schrijft dat de premie van haar polis is verhoogd zonder dat iemand het haar vertelde.",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    kb.sync();
    let note = wait_for_subject(&stack, DIRECTIE, "Mogelijke klacht").await;
    let reference = CaseRef::find_in(note.subject.as_deref().unwrap())
        .unwrap()
        .to_string();
    let (to, raw) = reply_to(&note, DIRECTIE, "KLACHT", "post-r1@example.test");
    send_and_wait(&stack, DIRECTIE, &to, &raw, SERVICE, 1).await;
    kb.sync();
    let post = wait_for_subject(&stack, DIRECTIE, "Per post te versturen").await;
    assert!(body(&post).contains("Dorpsstraat 12"), "{}", body(&post));
    let raw_post = mailbox(&stack, DIRECTIE)
        .await
        .into_iter()
        .find(|(_, m)| m.subject == post.subject)
        .unwrap()
        .0;
    let attachments = klachtenbus::parse::attachment_contents(&raw_post);
    let (name, pdf) = attachments
        .iter()
        .find(|(n, _)| n.as_deref().is_some_and(|n| n.ends_with(".pdf")))
        .expect("a PDF attached");
    assert_eq!(
        name.as_deref(),
        Some(format!("{reference}-bevestigingsbrief.pdf").as_str())
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("brief.pdf");
    std::fs::write(&file, pdf).unwrap();
    if let Ok(keep) = std::env::var("KLACHTENBUS_PDF_SAMPLE") {
        std::fs::write(keep, pdf).unwrap();
    }
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    let today =
        klachtenbus::calendar::dutch_date(klachtenbus::calendar::local_date(chrono::Utc::now()));
    for part in [
        "Mevrouw K. van der Berg",
        "Dorpsstraat 12",
        "1234 AB Ergens",
        reference.as_str(),
        today.as_str(),
        "Betreft:",
        "Geachte mevrouw Van der Berg,",
        "De Vries Advies B.V.",
    ] {
        assert!(text.contains(part), "PDF text lacks {part:?}:\n{text}");
    }
    // Not acknowledged until it is posted: the report times it from the posting.
    let case = &cases_json(&kb)[0];
    assert_eq!(case["status"], "in_behandeling");
    assert!(case["acknowledged_at"].is_null(), "{case}");

    // The dossier holds the PDF as sent.
    let out_dir = dir.path().join("dossier");
    let out = kb.run(&["dossier", &reference, "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let letters: Vec<_> = std::fs::read_dir(out_dir.join("brieven"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(&std::fs::read(&letters[0]).unwrap(), pdf);

    // Directie confirms the posting by answering that mail.
    let (to, raw) = reply_to(
        &post,
        DIRECTIE,
        "VERSTUURD PER POST",
        "post-r2@example.test",
    );
    send_and_wait(&stack, DIRECTIE, &to, &raw, SERVICE, 2).await;
    kb.sync();
    let case = cases_json(&kb)[0].clone();
    let timeline = case["timeline"].as_array().unwrap().clone();
    assert!(
        timeline.iter().any(|e| e["kind"] == "per_post_verstuurd"
            && e["detail"]
                .as_str()
                .unwrap()
                .contains("ontvangstbevestiging")),
        "{timeline:?}"
    );
    assert!(case["acknowledged_at"].is_string(), "{case}");
}
