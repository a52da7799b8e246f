//! Hardening: one message that always fails does not stop routing; a very long mail is
//! judged in bounded time and routing goes on past it; trace logs hold no mail content or
//! secrets; the website's contact form is answered to the customer.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::support::run_with_config as kb;
use crate::support::{mail, stderr, stdout, VALID_SERVICES};

fn json(out: &Output) -> Vec<serde_json::Value> {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// An installation without mail servers: `import` stores and routes.
fn installation(dir: &Path) -> std::path::PathBuf {
    let config = dir.join("klachtenbus.toml");
    std::fs::write(
        &config,
        format!(
            "{VALID_SERVICES}\n[database]\nurl = \"sqlite://{}\"\n",
            dir.join("data/kb.sqlite").display()
        ),
    )
    .unwrap();
    config
}

const COMPLAINT: &str =
    "Ik ben zeer ontevreden over uw advies. Dit is onacceptabel en ik dien hierbij een klacht in.";

#[test]
fn a_message_that_always_fails_is_passed_over_and_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = installation(dir.path());
    // A complaint dated 1985: its deadlines lie outside the calendar, so opening its case
    // fails every time. The hundred complaints behind it are fine.
    let mut files = Vec::new();
    let poison = mail(
        "klant@example.test",
        "info@firma.example",
        "Klacht over 1985",
        COMPLAINT,
        "poison@example.test",
    );
    let poison = String::from_utf8(poison).unwrap().replace(
        "Tue, 24 Nov 2026 10:00:00 +0100",
        "Mon, 25 Nov 1985 10:00:00 +0100",
    );
    let path = dir.path().join("000.eml");
    std::fs::write(&path, poison).unwrap();
    files.push(path);
    for i in 1..=100 {
        let path = dir.path().join(format!("{i:03}.eml"));
        std::fs::write(
            &path,
            mail(
                &format!("klant{i}@example.test"),
                "info@firma.example",
                &format!("Advies {i}"),
                COMPLAINT,
                &format!("c{i}@example.test"),
            ),
        )
        .unwrap();
        files.push(path);
    }
    let mut args = vec!["--now", "2026-11-24T12:00", "import"];
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let out = kb(&config, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("verwerking mislukt voor 1 bericht"),
        "{}",
        stdout(&out)
    );
    let cases = json(&kb(&config, &["cases", "--json"]));
    assert_eq!(
        cases.len(),
        100,
        "the hundred behind the poison mail are routed"
    );

    let messages = json(&kb(&config, &["messages", "--json"]));
    let failed: Vec<_> = messages
        .iter()
        .filter(|m| !m["routing_failed"].is_null())
        .collect();
    assert_eq!(failed.len(), 1, "{messages:?}");
    assert_eq!(failed[0]["message_id"], "poison@example.test");
    assert_eq!(failed[0]["routing_failed"]["attempts"], 1);
    assert!(failed[0]["case"].is_null());
    let error = failed[0]["routing_failed"]["error"].as_str().unwrap();
    assert!(error.contains("1985"), "{error}");
    // The text listing says so too.
    let listing = stdout(&kb(&config, &["messages"]));
    assert!(listing.contains("VERWERKING MISLUKT x1"), "{listing}");

    // Directie was told, once per directie address.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = format!("sqlite://{}", dir.path().join("data/kb.sqlite").display());
    let notices = || {
        rt.block_on(async {
            let store = klachtenbus::store::Store::connect(&db).await.unwrap();
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'verwerking_mislukt'")
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
            store.close().await;
            n
        })
    };
    assert_eq!(notices(), 1);

    // Before its next attempt is due, a new pass leaves it alone; after, it is tried again,
    // fails again, and directie is not told a second time.
    let again = |now: &str| {
        let out = kb(&config, &["--now", now, "import", &names[0]]);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    again("2026-11-24T12:00:30");
    let attempts = |m: &Vec<serde_json::Value>| {
        m.iter()
            .find(|m| m["message_id"] == "poison@example.test")
            .unwrap()["routing_failed"]["attempts"]
            .clone()
    };
    assert_eq!(attempts(&json(&kb(&config, &["messages", "--json"]))), 1);
    again("2026-11-24T12:05");
    assert_eq!(attempts(&json(&kb(&config, &["messages", "--json"]))), 2);
    assert_eq!(notices(), 1, "told once per message");

    // Directie can still turn it into a case by hand once the cause is understood; here
    // the cause is permanent, so promote fails with the same reason and changes nothing.
    let out = kb(&config, &["promote", "poison@example.test"]);
    assert!(!out.status.success());
    assert_eq!(json(&kb(&config, &["cases", "--json"])).len(), 100);
}

#[test]
fn a_ten_megabyte_mail_is_judged_on_its_first_part_and_routing_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let config = installation(dir.path());
    // 10 MB of complaint phrases, then an ordinary complaint behind it.
    let phrase =
        "dit is onacceptabel en ik ben het er niet mee eens, u heeft nagelaten mij te informeren. ";
    let body = phrase.repeat(10 * 1024 * 1024 / phrase.len());
    let huge = dir.path().join("huge.eml");
    std::fs::write(
        &huge,
        mail(
            "groot@example.test",
            "info@firma.example",
            "Lang verhaal",
            &body,
            "huge@example.test",
        ),
    )
    .unwrap();
    let next = dir.path().join("next.eml");
    std::fs::write(
        &next,
        mail(
            "klant@example.test",
            "info@firma.example",
            "Advies",
            COMPLAINT,
            "next@example.test",
        ),
    )
    .unwrap();
    let out = kb(
        &config,
        &[
            "--now",
            "2026-11-24T12:00",
            "import",
            &huge.display().to_string(),
            &next.display().to_string(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let cases = json(&kb(&config, &["cases", "--json"]));
    assert_eq!(cases.len(), 2, "both mails routed");

    let out = kb(
        &config,
        &["classify", "--json", &huge.display().to_string()],
    );
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["complaint"], true);
    assert_eq!(verdict["truncated"]["judged_bytes"], 262144);
    assert!(verdict["truncated"]["text_bytes"].as_u64().unwrap() > 10_000_000);
    assert!(verdict["ignored"].as_array().unwrap().len() <= 50);
}

/// `sync` at `RUST_LOG=trace`, with a complaint and directie's authenticated reply: the
/// log has the service's own detail but no body, name, phone number, token or password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_hold_no_bodies_names_tokens_or_passwords() {
    use crate::cases::{notification, send_and_wait, SERVICE};
    use crate::harness::{reply_to, MailStack, PASSWORD};
    use crate::support::{Kb, DIRECTIE, REPLY_SECRET};

    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let body = "Geachte heer,\n\nIk ben Zwanenburg-Testnaam, bereikbaar op 06-98765432. \
        BODYMARKER-TRACE U heeft mij verkeerd geadviseerd en dit is onacceptabel.\n";
    let raw = mail(
        "Karel Zwanenburg-Testnaam <karel@example.test>",
        "klachten@example.test",
        "Onderwerp-Geheim-Trace",
        body,
        "trace-1@example.test",
    );
    send_and_wait(
        &stack,
        "karel@example.test",
        "klachten@example.test",
        &raw,
        SERVICE,
        1,
    )
    .await;
    let traced = |kb: &Kb| {
        let out = kb
            .command()
            .arg("sync")
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    let mut log = traced(&kb);
    stack
        .wait_for_count(DIRECTIE, "INBOX", 1, Duration::from_secs(60))
        .await;
    let cases = crate::support::cases_json(&kb);
    let reference = cases[0]["ref"].as_str().unwrap().to_string();
    let note = notification(&stack, &reference).await;
    let (to, reply) = reply_to(&note, DIRECTIE, "KLACHT", "trace-reply@example.test");
    let token = to
        .split_once('+')
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(t, _)| t.to_string())
        .unwrap();
    stack.send(DIRECTIE, &[&to], &reply).await;
    stack
        .wait_for_count(SERVICE, "INBOX", 2, Duration::from_secs(60))
        .await;
    log.push_str(&traced(&kb));
    assert_eq!(
        crate::support::cases_json(&kb)[0]["status"],
        "in_behandeling",
        "the reply was carried out"
    );
    // A reply whose first line is no command is refused; the refusal quotes the line to
    // directie, but the log does not.
    let (_, chatty) = reply_to(
        &note,
        DIRECTIE,
        "Bel Zwanenburg-Testnaam even terug op 06-98765432",
        "trace-reply-2@example.test",
    );
    stack.send(DIRECTIE, &[&to], &chatty).await;
    stack
        .wait_for_count(SERVICE, "INBOX", 3, Duration::from_secs(60))
        .await;
    let refused = traced(&kb);
    assert!(
        refused.contains("directie mail not carried out"),
        "{refused}"
    );
    log.push_str(&refused);
    // Trace level really was on: the service's own debug lines are there.
    assert!(
        log.lines().filter(|l| l.contains(" DEBUG ")).count() >= 2,
        "{log}"
    );
    for secret in [
        "BODYMARKER",
        "Zwanenburg",
        "06-98765432",
        "Onderwerp-Geheim",
        token.as_str(),
        PASSWORD,
        REPLY_SECRET,
    ] {
        assert!(!log.contains(secret), "{secret:?} in the trace log");
    }
}

/// The website's contact form sends from the firm's own address with the customer in
/// Reply-To: a case opens for the customer, and the acknowledgement goes to the customer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_form_mail_opens_a_case_for_the_customer() {
    use crate::cases::{confirm_by_directie, open_first_case, SERVICE};
    use crate::harness::{mailbox, MailStack};
    use crate::support::{cases_json, Kb};

    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let form = "From: Website <klachten@example.test>\r\nReply-To: Karel Klant <karel@example.test>\r\nTo: klachten@example.test\r\nSubject: Contactformulier: Overig\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <form-web-1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Nieuw bericht via het contactformulier</p>\r\n<p>Naam: Karel Klant<br>E-mail: karel@example.test</p>\r\n<p>Bericht: Op 6 en op 20 oktober zou er een adviseur bij ons thuis komen. Wij hebben beide keren de hele ochtend gewacht. Er is niemand gekomen en er is niet gebeld. Dit is al de tweede keer.</p>\r\n";
    let reference = open_first_case(
        &stack,
        &kb,
        "klachten@example.test",
        form.as_bytes(),
        "karel@example.test",
    )
    .await;
    confirm_by_directie(&stack, &kb, &reference, "form-web-reply@example.test", 2).await;
    stack
        .wait_for_count("karel", "INBOX", 1, Duration::from_secs(60))
        .await;
    let letters = mailbox(&stack, "karel").await;
    assert_eq!(letters.len(), 1);
    let subject = letters[0].1.subject.clone().unwrap_or_default();
    assert!(subject.contains(&reference), "{subject}");
    // Nothing went back to the web server's (the firm's own) address as a letter.
    assert_eq!(cases_json(&kb)[0]["status"], "in_behandeling");
}

/// A colleague forwards a customer's mail to the shared inbox without a word of their own:
/// the case opens for the customer, the notification names the colleague who forwarded it,
/// and the acknowledgement goes to the customer, not to the colleague.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleagues_forward_opens_a_case_for_the_customer_it_forwards() {
    use crate::cases::{confirm_by_directie, notification, open_first_case, settle, SERVICE};
    use crate::harness::{mailbox, MailStack};
    use crate::support::{cases_json, Kb};

    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let forward = "From: Anouk Adviseur <anouk@example.test>\r\nTo: klachten@example.test\r\nSubject: Fwd: schade schuur\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <fwd-colleague-1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n\r\n---------- Doorgestuurd bericht ---------\r\nVan: Harm Hendriks <harm@klant.example.test>\r\nDatum: ma 23 nov 2026 om 19:33\r\nOnderwerp: schade schuur\r\nAan: Anouk Adviseur <anouk@example.test>\r\n\r\nAnouk,\r\n\r\nJe zei in september dat de schuur gewoon onder de opstalverzekering viel. Nu de storm het dak eraf heeft gehaald, wijst de verzekeraar de schade af omdat bijgebouwen apart verzekerd moesten worden. Dat heb je mij nooit verteld. Ik heb nu 4.800 euro schade zelf te betalen.\r\n\r\nHarm Hendriks\r\n";
    let reference = open_first_case(
        &stack,
        &kb,
        "anouk@example.test",
        forward.as_bytes(),
        "harm@klant.example.test",
    )
    .await;
    let note = notification(&stack, &reference).await;
    let text = note.body_text.as_deref().unwrap_or("");
    assert!(
        text.contains(
            "Harm Hendriks <harm@klant.example.test> (doorgestuurd door anouk@example.test)"
        ),
        "{text}"
    );
    // The customer's words, not the forward's empty new text, summarise the case.
    assert!(
        text.contains("schuur gewoon onder de opstalverzekering"),
        "{text}"
    );
    confirm_by_directie(
        &stack,
        &kb,
        &reference,
        "fwd-colleague-reply@example.test",
        2,
    )
    .await;
    stack
        .wait_for_count(
            "harm@klant.example.test",
            "INBOX",
            1,
            Duration::from_secs(60),
        )
        .await;
    let letters = mailbox(&stack, "harm@klant.example.test").await;
    assert_eq!(letters.len(), 1);
    let subject = letters[0].1.subject.clone().unwrap_or_default();
    assert!(subject.contains(&reference), "{subject}");
    settle(&stack).await;
    assert!(
        mailbox(&stack, "anouk").await.is_empty(),
        "a letter went to the colleague"
    );
    let case = &cases_json(&kb)[0];
    assert_eq!(case["status"], "in_behandeling");

    // Outlook's "Doorsturen als bijlage": the customer's mail attached as message/rfc822,
    // stored, routed from the store, and opened for the customer the same way.
    let attached = "From: Bram Balie <bram@example.test>\r\nTo: klachten@example.test\r\nSubject: FW: premie\r\nDate: Tue, 24 Nov 2026 11:00:00 +0100\r\nMessage-ID: <fwd-colleague-2@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"premie.eml\"\r\n\r\nFrom: Ria Rijpma <ria@klant.example.test>\r\nTo: Bram Balie <bram@example.test>\r\nSubject: premie\r\nDate: Mon, 23 Nov 2026 09:12:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBram,\r\n\r\nU heeft mij in maart gezegd dat de premie van mijn woonhuisverzekering gelijk zou blijven. Vandaag kreeg ik de nota: 38 euro per maand meer. Niemand heeft mij verteld dat de korting na een jaar vervalt. Dit had u mij moeten zeggen.\r\n\r\nRia Rijpma\r\n--b1--\r\n";
    crate::cases::send_and_wait(
        &stack,
        "bram@example.test",
        "klachten@example.test",
        attached.as_bytes(),
        SERVICE,
        3,
    )
    .await;
    let out = kb.sync();
    assert!(out.contains("zaken: 1 geopend"), "{out}");
    let cases = cases_json(&kb);
    assert!(
        cases.iter().any(|c| c["from"] == "ria@klant.example.test"),
        "{cases:?}"
    );
}

/// One complaint, one case: a colleague's forward of a customer's mail that already opened
/// a case joins that case, and so does the customer's own mail arriving after a colleague's
/// forward of it. Another complaint of the same customer opens a case of its own.
#[tokio::test]
async fn the_same_complaint_forwarded_again_joins_its_case() {
    use crate::cases::{send_and_wait, SERVICE};
    use crate::harness::MailStack;
    use crate::support::{cases_json, Kb};

    const HARM: &str = "Harm Hendriks <harm@klant.example.test>";
    const SCHUUR: &str = "Anouk,\r\n\r\nJe zei in september dat de schuur gewoon onder de opstalverzekering viel. Nu de storm het dak eraf heeft gehaald, wijst de verzekeraar de schade af omdat bijgebouwen apart verzekerd moesten worden. Dat heb je mij nooit verteld. Ik heb nu 4.800 euro schade zelf te betalen.\r\n\r\nHarm Hendriks";
    let forward = |id: &str, subject: &str, from: &str, text: &str| {
        mail(
            "Anouk Adviseur <anouk@example.test>",
            "klachten@example.test",
            &format!("Fwd: {subject}"),
            &format!(
                "\r\n\r\n---------- Doorgestuurd bericht ---------\r\nVan: {from}\r\nDatum: ma 23 nov 2026 om 19:33\r\nOnderwerp: {subject}\r\nAan: Anouk Adviseur <anouk@example.test>\r\n\r\n{text}"
            ),
            id,
        )
    };
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let mut n = 0;
    let mut deliver = |raw: Vec<u8>, from: &'static str| {
        n += 1;
        let stack = &stack;
        async move {
            send_and_wait(stack, from, "klachten@example.test", &raw, SERVICE, n).await;
        }
    };

    // The customer writes to the firm; a case opens. The colleague, who had it too,
    // forwards it: it joins the case.
    deliver(
        mail(
            HARM,
            "klachten@example.test",
            "schade schuur",
            SCHUUR,
            "same-1@klant.example.test",
        ),
        "harm@klant.example.test",
    )
    .await;
    let out = kb.sync();
    assert!(out.contains("zaken: 1 geopend"), "{out}");
    deliver(
        forward("same-2@example.test", "schade schuur", HARM, SCHUUR),
        "anouk@example.test",
    )
    .await;
    let out = kb.sync();
    assert!(
        out.contains("zaken: 0 geopend, 1 vervolgbericht toegevoegd"),
        "{out}"
    );
    // The customer sends the same mail three times more, as an angry sender might.
    for i in 0..3 {
        deliver(
            mail(
                HARM,
                "klachten@example.test",
                "schade schuur",
                SCHUUR,
                &format!("same-1-{i}@klant.example.test"),
            ),
            "harm@klant.example.test",
        )
        .await;
    }
    let out = kb.sync();
    assert!(
        out.contains("zaken: 0 geopend, 3 vervolgberichten toegevoegd"),
        "{out}"
    );
    let cases = cases_json(&kb);
    assert_eq!(cases.len(), 1, "{cases:?}");
    let kinds: Vec<&str> = cases[0]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "zelfde_klacht").count(),
        4,
        "{kinds:?}"
    );
    let forwarded = cases[0]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "zelfde_klacht")
        .unwrap()["detail"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        forwarded.contains("harm@klant.example.test")
            && forwarded.contains("doorgestuurd door anouk@example.test"),
        "{forwarded}"
    );
    // Directie was told once: the notification, no notice for the same complaint again.
    crate::cases::settle(&stack).await;
    let to_directie = crate::harness::mailbox(&stack, crate::support::DIRECTIE).await;
    assert_eq!(
        to_directie.len(),
        1,
        "{:?}",
        to_directie
            .iter()
            .map(|(_, m)| m.subject.clone())
            .collect::<Vec<_>>()
    );

    // A second complaint of the same customer, forwarded: a case of its own.
    deliver(
        forward(
            "same-3@example.test",
            "premie inboedel",
            HARM,
            "Anouk,\r\n\r\nDe premie van mijn inboedelverzekering is zonder enig bericht met veertig euro per maand verhoogd. Niemand heeft mij dat verteld en ik had dat vooraf moeten horen.\r\n\r\nHarm",
        ),
        "anouk@example.test",
    )
    .await;
    let out = kb.sync();
    assert!(out.contains("zaken: 1 geopend"), "{out}");

    // The other way round: the colleague's forward first, then the customer's own mail,
    // which a slow mail server delivered later.
    const RIA: &str = "Ria Rijpma <ria@klant.example.test>";
    const PREMIE: &str = "Bram,\r\n\r\nU heeft mij in maart gezegd dat de premie van mijn woonhuisverzekering gelijk zou blijven. Vandaag kreeg ik de nota: 38 euro per maand meer. Niemand heeft mij verteld dat de korting na een jaar vervalt. Dit had u mij moeten zeggen.\r\n\r\nRia Rijpma";
    deliver(
        forward("same-4@example.test", "premie", RIA, PREMIE),
        "anouk@example.test",
    )
    .await;
    let out = kb.sync();
    assert!(out.contains("zaken: 1 geopend"), "{out}");
    deliver(
        mail(
            RIA,
            "klachten@example.test",
            "premie",
            PREMIE,
            "same-5@klant.example.test",
        ),
        "ria@klant.example.test",
    )
    .await;
    let out = kb.sync();
    assert!(
        out.contains("zaken: 0 geopend, 1 vervolgbericht toegevoegd"),
        "{out}"
    );
    let cases = cases_json(&kb);
    let of = |who: &str| cases.iter().filter(|c| c["from"] == who).count();
    assert_eq!(
        (
            cases.len(),
            of("harm@klant.example.test"),
            of("ria@klant.example.test")
        ),
        (3, 2, 1),
        "{cases:?}"
    );
}

/// A complaint sent as a letter in a PDF, under a covering note that says nothing: the
/// letter is read and judged, the case opens, directie's notification shows the letter,
/// and the acknowledgement quotes it. A routine PDF (a form) with the same note opens none;
/// a scan is doubtful; a letter in a Word file opens a case too.
#[tokio::test]
async fn a_complaint_in_an_attached_letter_opens_a_case() {
    use crate::cases::{confirm_by_directie, notification, open_first_case, SERVICE};
    use crate::harness::{mailbox, MailStack};
    use crate::support::{cases_json, Kb};
    use lettre::message::{header::ContentType, Attachment, MultiPart, SinglePart};

    let pdf = |body: &str| {
        klachtenbus::pdf::render(&klachtenbus::pdf::PaperLetter {
            letterhead: vec![
                "L. Mulder".into(),
                "Kerkstraat 9".into(),
                "8011 AB Zwolle".into(),
            ],
            address: vec!["Klachten Advies".into(), "Postbus 1".into()],
            heading: vec![
                ("Datum".into(), "20 november 2026".into()),
                ("Betreft".into(), "Mijn pensioenadvies".into()),
            ],
            body: body.into(),
            page_label: |n, total| format!("pagina {n} van {total}"),
            logo: None,
        })
        .unwrap()
    };
    let mail = |id: &str, note: &str, name: &str, pdf: Vec<u8>| {
        lettre::Message::builder()
            .from("L. Mulder <lotte@klant.example.test>".parse().unwrap())
            .to("klachten@example.test".parse().unwrap())
            .subject("Brief")
            .message_id(Some(format!("<{id}@klant.example.test>")))
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(note.to_string()))
                    .singlepart(
                        Attachment::new(name.into()).body(
                            pdf,
                            ContentType::parse(if name.ends_with(".docx") {
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                            } else {
                                "application/pdf"
                            })
                            .unwrap(),
                        ),
                    ),
            )
            .unwrap()
            .formatted()
    };
    const NOTE: &str = "Goedemiddag,\n\nBijgaand mijn brief.\n\nGroet,\nLotte Mulder";
    // A note the detector holds no doubt about by itself.
    const FORMAL_NOTE: &str =
        "Geachte heer, mevrouw,\n\nBijgaand treft u mijn brief aan.\n\nMet vriendelijke groet,\nL. Mulder";
    let letter = pdf(
        "Geachte heer, mevrouw,\n\nIn mei heeft u mij aangeraden mijn pensioen in te \
        laten gaan op mijn 65e. Daarbij is niet verteld dat de uitkering dan 14 procent lager \
        uitvalt dan op mijn 67e. Dat lees ik pas nu in het overzicht van het pensioenfonds. Had ik \
        dat geweten, dan had ik anders gekozen.\n\nIk verwacht een voorstel van u.\n\n\
        Met vriendelijke groet,\n\nL. Mulder",
    );
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let reference = open_first_case(
        &stack,
        &kb,
        "lotte@klant.example.test",
        &mail("pdf-letter-1", NOTE, "brief.pdf", letter),
        "lotte@klant.example.test",
    )
    .await;
    let note = notification(&stack, &reference).await;
    let text = note.body_text.as_deref().unwrap_or("");
    assert!(text.contains("--- bijlage brief.pdf ---"), "{text}");
    assert!(text.contains("14 procent lager"), "{text}");
    confirm_by_directie(&stack, &kb, &reference, "pdf-letter-reply@example.test", 2).await;
    stack
        .wait_for_count(
            "lotte@klant.example.test",
            "INBOX",
            1,
            Duration::from_secs(60),
        )
        .await;
    let letters = mailbox(&stack, "lotte@klant.example.test").await;
    let ack = letters[0].1.body_text.as_deref().unwrap_or("");
    // "Uw klacht gaat over": the letter's first sentence, not the covering note.
    assert!(ack.contains("In mei heeft u mij aangeraden"), "{ack}");
    assert!(!ack.contains("Bijgaand mijn brief"), "{ack}");

    // A form sent the same way is no letter: no case.
    let form = pdf(
        "Wijzigingsformulier\n\nNaam: L. Mulder\nNieuw rekeningnummer: NL91 ABNA 0417 \
        1643 00\nIngangsdatum: 1 januari 2027\nHandtekening: L. Mulder",
    );
    // Sends a mail of Lotte's as the service's `nth` message and syncs.
    let from_lotte = |raw: Vec<u8>, nth: u32| {
        let (stack, kb) = (&stack, &kb);
        async move {
            let (lotte, service) = ("lotte@klant.example.test", "klachten@example.test");
            crate::cases::send_and_wait(stack, lotte, service, &raw, SERVICE, nth).await;
            kb.sync()
        }
    };
    let out = from_lotte(mail("pdf-form-1", NOTE, "wijziging.pdf", form), 3).await;
    assert!(out.contains("zaken: 0 geopend"), "{out}");
    assert_eq!(cases_json(&kb).len(), 1);

    // A scanned letter (a page without text) under the same note: nothing to read, so no
    // case, but doubtful, for directie's digest.
    let scan = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
        2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
        3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n\
        trailer<</Root 1 0 R>>\n%%EOF\n";
    let out = from_lotte(
        mail("pdf-scan-1", FORMAL_NOTE, "Scan_0412.pdf", scan.to_vec()),
        4,
    )
    .await;
    assert!(out.contains("zaken: 0 geopend"), "{out}");
    let messages: Vec<serde_json::Value> =
        serde_json::from_slice(&kb.run(&["messages", "--json"]).stdout).unwrap();
    let bands: Vec<(&str, &str)> = messages
        .iter()
        .filter(|m| m["from"] == "lotte@klant.example.test")
        .map(|m| {
            (
                m["message_id"].as_str().unwrap_or(""),
                m["band"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // (The short note over the form is no doubt either: too short for the learned
    // weights, and its words do not lean toward a complaint.)
    assert_eq!(
        bands,
        [
            ("pdf-letter-1@klant.example.test", "complaint"),
            ("pdf-form-1@klant.example.test", "none"),
            ("pdf-scan-1@klant.example.test", "doubt"),
        ]
    );

    // A letter written in Word (.docx) is read the same way: a case opens.
    let word = {
        use std::io::Write as _;
        let body: String = [
            "Geachte heer, mevrouw,",
            "Op 2 oktober heb ik u gevraagd mijn overlijdensrisicoverzekering op te zeggen. \
             Er wordt nog steeds elke maand 42 euro premie afgeschreven. Ik heb u drie keer \
             gebeld en niemand belt terug.",
            "Met vriendelijke groet,",
            "L. Mulder",
        ]
        .iter()
        .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
        .collect();
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("word/document.xml", options).unwrap();
        write!(
            zip,
            "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        )
        .unwrap();
        zip.finish().unwrap().into_inner()
    };
    let out = from_lotte(
        mail("docx-letter-1", FORMAL_NOTE, "opzegging.docx", word),
        5,
    )
    .await;
    assert!(out.contains("zaken: 1 geopend"), "{out}");
    assert_eq!(cases_json(&kb).len(), 2);
}

/// Outbox claims belong to the process that made them: only it marks the row sent or
/// retried, it renews them, and a later process on the same host frees the claims of one
/// that is gone (a crash while sending), while claims of live processes and other hosts stay.
#[tokio::test]
async fn outbox_claims_have_an_owner_and_a_dead_owner_s_claims_are_released() {
    use klachtenbus::letters::Body;
    use klachtenbus::store::{instance, NewMail, Store};

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("kb.sqlite").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let mut tx = store
        .begin("firma.example", chrono::Utc::now())
        .await
        .unwrap();
    for i in 0..4 {
        tx.enqueue(&NewMail::notice(
            "test",
            format!("test:{i}"),
            "directie@firma.example",
            format!("mail {i}"),
            Body {
                text: "tekst".into(),
                html: "<p>tekst</p>".into(),
            },
            chrono::Utc::now(),
        ))
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let now = chrono::Utc::now();
    let lease = klachtenbus::outbox::CLAIM_LEASE;

    // Claimed one at a time, in this process's name.
    let first = store.claim_due(now, lease, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(store.renew_claim(first[0].id, now + lease).await.unwrap());
    assert!(store.mark_sent(first[0].id, now).await.unwrap());

    // A row someone else holds: not ours to mark or renew.
    let second = store.claim_due(now, lease, 1).await.unwrap()[0].id;
    let host = instance().split('/').next().unwrap().to_string();
    let set_holder = |id: i64, holder: String| {
        let store = &store;
        async move {
            sqlx::query("UPDATE outbox SET claimed_by = $1 WHERE id = $2")
                .bind(holder)
                .bind(id)
                .execute(store.pool())
                .await
                .unwrap();
        }
    };
    set_holder(second, "other-host/1/20261201T000000".into()).await;
    assert!(!store.mark_sent(second, now).await.unwrap());
    assert!(!store.mark_retry(second, now, "x").await.unwrap());
    assert!(!store.renew_claim(second, now + lease).await.unwrap());
    // Two more rows: one held by a process on this host that is gone, one by a live one.
    let third = store.claim_due(now, lease, 1).await.unwrap()[0].id;
    let fourth = store.claim_due(now, lease, 1).await.unwrap()[0].id;
    let dead_pid = (4_000_000..4_194_304)
        .find(|p| !std::path::Path::new(&format!("/proc/{p}")).exists())
        .unwrap();
    set_holder(third, format!("{host}/{dead_pid}/20261201T000000")).await;
    set_holder(fourth, format!("{host}/1/20261201T000000")).await;
    assert!(store.claim_due(now, lease, 1).await.unwrap().is_empty());

    assert_eq!(store.release_stale_claims().await.unwrap(), 1);
    let again = store.claim_due(now, lease, 5).await.unwrap();
    assert_eq!(
        again.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![third],
        "only the dead process's row is free again at once"
    );
    store.close().await;
}

/// Waits until `path` contains `needle`, for at most `limit`; returns how long it took.
pub(crate) async fn wait_for_log(path: &Path, needle: &str, limit: Duration) -> Duration {
    let start = std::time::Instant::now();
    loop {
        let log = std::fs::read_to_string(path).unwrap_or_default();
        if log.contains(needle) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "{needle:?} not in {} after {limit:?}:\n{log}",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A daemon started by a test. Killed when dropped if it still runs, so that a test that
/// fails leaves no daemon behind to reconnect to a port another test's server has taken.
pub(crate) struct Daemon(pub(crate) std::process::Child);

impl std::ops::Deref for Daemon {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Daemon {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// `run` as a daemon, its standard error in `<name>.log` in the installation's folder.
pub(crate) fn spawn_run(kb: &crate::support::Kb, name: &str) -> (Daemon, std::path::PathBuf) {
    let log = kb.path(&format!("{name}.log"));
    let child = kb
        .command()
        .arg("run")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    (Daemon(child), log)
}

/// Stores 100 complaints straight into the register, as an instance that died before
/// routing them would leave them, and waits (at most a minute, no new mail arriving) until a
/// running daemon has made cases of them; `log` is that daemon's log, shown on failure.
async fn store_unrouted_and_wait(
    store: &klachtenbus::store::Store,
    kb: &crate::support::Kb,
    prefix: &str,
    log: &Path,
) {
    for i in 0..100 {
        let raw = crate::cases::complaint(
            &format!("klant{i}@example.test"),
            &format!("Klacht {i}"),
            &format!("{prefix}-{i}@example.test"),
        );
        crate::support::store_unrouted(store, &raw, chrono::Utc::now()).await;
    }
    let start = std::time::Instant::now();
    while crate::support::cases_json(kb).len() < 100 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "not routed within a minute; log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Stops a daemon with SIGTERM; it must exit cleanly.
pub(crate) fn stop(mut daemon: Daemon) {
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap()
        .success());
    assert!(
        daemon.wait().unwrap().success(),
        "daemon exit after SIGTERM"
    );
}

/// Two `run` daemons on one PostgreSQL database and one mailbox: one watches, the other
/// stands by and takes over within a minute of the first being SIGKILLed; nothing lost or
/// doubled, every complaint notified once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_daemons_on_postgres_one_watches_and_the_other_takes_over() {
    use crate::cases::{complaint, SERVICE};
    use crate::harness::{MailStack, Postgres};
    use crate::support::{cases_json, Kb, DIRECTIE};

    let stack = MailStack::start();
    let pg = Postgres::start();
    let url = pg.database("failover").await;
    let kb = Kb::with_db(
        &stack,
        SERVICE,
        "idle = true\npoll_interval_secs = 3600",
        "",
        Some(url),
    );
    // Migrate once before both start, so they do not race on the schema.
    let store = kb.store().await;
    let (mut a, a_log) = spawn_run(&kb, "a");
    wait_for_log(&a_log, "holding the mailbox lease", Duration::from_secs(30)).await;
    let (b, b_log) = spawn_run(&kb, "b");
    wait_for_log(&b_log, "standing by", Duration::from_secs(30)).await;
    let wait_stored = |n: i64| {
        let store = store.clone();
        async move {
            let start = std::time::Instant::now();
            while store.message_count().await.unwrap() < n {
                assert!(
                    start.elapsed() < Duration::from_secs(90),
                    "fewer than {n} stored"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let send = |i: usize| {
        let raw = complaint(
            &format!("klant{i}@example.test"),
            &format!("Klacht {i}"),
            &format!("failover-{i}@example.test"),
        );
        let stack = &stack;
        async move {
            stack
                .send(
                    &format!("klant{i}@example.test"),
                    &["klachten@example.test"],
                    &raw,
                )
                .await
        }
    };
    for i in 0..5 {
        send(i).await;
    }
    wait_stored(5).await;

    // A dies; mail keeps coming; B takes the lease and reads it.
    a.kill().unwrap();
    a.wait().unwrap();
    for i in 5..10 {
        send(i).await;
    }
    let took = wait_for_log(&b_log, "holding the mailbox lease", Duration::from_secs(60)).await;
    assert!(took < Duration::from_secs(60), "took over after {took:?}");
    wait_stored(10).await;
    let start = std::time::Instant::now();
    while cases_json(&kb).len() < 10 {
        assert!(start.elapsed() < Duration::from_secs(60), "not all routed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stack
        .wait_for_count(DIRECTIE, "INBOX", 10, Duration::from_secs(60))
        .await;
    crate::cases::settle(&stack).await;

    stop(b);

    assert_eq!(store.message_count().await.unwrap(), 10, "nothing doubled");
    let cases = cases_json(&kb);
    assert_eq!(cases.len(), 10);
    let mut from: Vec<_> = cases.iter().map(|c| c["from"].to_string()).collect();
    from.sort();
    from.dedup();
    assert_eq!(from.len(), 10, "one case per complaint");
    // A killed while it was sending can leave a notification that the server accepted but
    // A never marked sent: B sends it again with the same Message-ID (the at-least-once
    // window after acceptance). Distinct notifications must be exactly one per case.
    let notices = crate::harness::mailbox(&stack, DIRECTIE).await;
    let mut ids: Vec<_> = notices
        .iter()
        .map(|(_, m)| (m.message_id.clone(), m.subject.clone()))
        .collect();
    ids.sort();
    ids.dedup_by(|a, b| a.0 == b.0);
    assert_eq!(ids.len(), 10, "one notification per case: {ids:?}");
    store.close().await;
}

/// On SQLite one daemon per database: while `run` holds the lock, a second `run` and a
/// `sync` are refused with a message that says why; after it stops, `sync` works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_daemon_on_one_sqlite_database_is_refused() {
    use crate::cases::SERVICE;
    use crate::harness::MailStack;
    use crate::support::Kb;

    let stack = MailStack::start();
    let kb = Kb::new(
        &stack,
        SERVICE,
        "idle = true\npoll_interval_secs = 3600",
        "",
    );
    let (daemon, log) = spawn_run(&kb, "run");
    wait_for_log(&log, "watching mailbox", Duration::from_secs(30)).await;
    for args in [&["run"][..], &["sync"][..]] {
        let out = kb.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("een andere klachtenbus `run` of `sync` gebruikt deze database"),
            "{err}"
        );
    }
    stop(daemon);
    kb.sync();
}

/// A refused Klachtenformulier leaves no trace: not even a new database file.
#[test]
fn a_refused_intake_creates_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let config = installation(dir.path());
    let out = kb(
        &config,
        &[
            "intake",
            "--no-prompt",
            "--naam",
            "X",
            "--email",
            "x@example.test",
            "--datum",
            "2026-11-20",
            "--kanaal",
            "telefoon",
            "--opgenomen-door",
            "Piet",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("Klacht"), "{}", stderr(&out));
    assert!(!dir.path().join("data/kb.sqlite").exists());
    assert!(!dir.path().join("data").exists());
}

/// The doubt band end to end: a mail scoring just under the threshold is not flagged but
/// listed in directie's digest the next working morning (no digest time configured);
/// directie answers the digest with its `KLACHT <nummer>` line; a case opens and the
/// notification says it came from the doubt band.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doubtful_mail_is_listed_in_the_digest_and_promoted_by_reply() {
    use crate::cases::{body, send_and_wait, SERVICE};
    use crate::harness::{mailbox, MailStack};
    use crate::support::{cases_json, Kb, DIRECTIE};

    let stack = MailStack::start();
    // A customer at a domain of his own: mail from the firm's domain (example.test here)
    // is a colleague's, and weighs less. Long enough for the learned weights to judge it.
    let doubtful = mail(
        "Jan Twijfel <jan.twijfel@klant.example.test>",
        "klachten@example.test",
        "Polis",
        "Goedemiddag,\n\nDe nieuwe polis voor ons huis is gisteren binnengekomen. Ik vraag me wel af waarom de premie dit jaar iets hoger is dan vorig jaar, terwijl er aan de dekking niets is veranderd. Ik hoor graag waarom.\n\nGroet, Jan",
        "doubt-1@example.test",
    );
    // The band is set around the mail's own score, so the test does not hang on the
    // weights of the day: a threshold one point above it, the doubt threshold half a point
    // below.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &doubtful).unwrap();
    let judged = std::process::Command::new(crate::support::BIN)
        .args(["classify", "--json"])
        .arg(file.path())
        .output()
        .unwrap();
    let verdict: serde_json::Value = serde_json::from_slice(&judged.stdout).unwrap();
    let score = verdict["score"].as_f64().unwrap();
    assert!(score > 0.5, "a mail with some signal: {verdict}");
    let kb = Kb::new(&stack, SERVICE, "", "")
        .with_env(
            "KLACHTENBUS__DETECTION__THRESHOLD",
            &format!("{}", score + 1.0),
        )
        .with_env(
            "KLACHTENBUS__DETECTION__DOUBT_THRESHOLD",
            &format!("{}", score - 0.5),
        );
    let sync_at = |now: &str| {
        let out = kb.run(&["--now", now, "sync"]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    // Arrived on Tuesday 24 November (the server's INTERNALDATE is the arrival).
    stack
        .append_at(SERVICE, "INBOX", &doubtful, "24-Nov-2026 13:00:00 +0100")
        .await;
    // Tuesday afternoon: stored and judged, not flagged.
    let out = sync_at("2026-11-24T14:00");
    assert!(out.contains("zaken: 0 geopend"), "{out}");
    let messages: Vec<serde_json::Value> =
        serde_json::from_slice(&kb.run(&["messages", "--json"]).stdout).unwrap();
    assert_eq!(messages[0]["band"], "doubt", "{messages:?}");
    assert_eq!(messages[0]["complaint"], false);

    // Wednesday 08:05 (the reminder time): the digest lists it, once.
    sync_at("2026-11-25T08:05");
    stack
        .wait_for_count(DIRECTIE, "INBOX", 1, Duration::from_secs(60))
        .await;
    sync_at("2026-11-25T08:30");
    crate::cases::settle(&stack).await;
    let inbox = mailbox(&stack, DIRECTIE).await;
    assert_eq!(inbox.len(), 1, "one digest");
    let digest = &inbox[0].1;
    assert!(
        digest
            .subject
            .as_deref()
            .unwrap_or("")
            .starts_with("Twijfelgevallen op"),
        "{:?}",
        digest.subject
    );
    let text = body(digest);
    assert!(
        text.contains("jan.twijfel@klant.example.test")
            && text.contains(verdict["signals"][0]["phrase"].as_str().unwrap()),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("KLACHT "))
        .expect("an answer line")
        .trim()
        .to_string();

    // A forged number does nothing; the listed one opens a case.
    let reply = |line: &str, id: &str| {
        format!(
            "From: {DIRECTIE}\r\nTo: klachten@example.test\r\nSubject: Re: {}\r\nMessage-ID: <{id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{line}\r\n\r\nMet vriendelijke groet,\r\nHenk\r\n",
            digest.subject.clone().unwrap_or_default()
        )
    };
    let forged = format!("{}000000000000", &line[..line.len() - 12]);
    send_and_wait(
        &stack,
        DIRECTIE,
        "klachten@example.test",
        reply(&forged, "digest-forged@example.test").as_bytes(),
        SERVICE,
        2,
    )
    .await;
    let out = sync_at("2026-11-25T09:00");
    assert!(
        out.contains("zaken: 0 geopend") && out.contains("1 geweigerd"),
        "{out}"
    );
    send_and_wait(
        &stack,
        DIRECTIE,
        "klachten@example.test",
        reply(&line, "digest-reply@example.test").as_bytes(),
        SERVICE,
        3,
    )
    .await;
    let out = sync_at("2026-11-25T09:05");
    assert!(
        out.contains("zaken: 1 geopend") && out.contains("1 uitgevoerd"),
        "{out}"
    );
    let cases = cases_json(&kb);
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["from"], "jan.twijfel@klant.example.test");
    assert_eq!(cases[0]["origin"], "twijfelgeval");
    let reference = cases[0]["ref"].as_str().unwrap();
    // The inventory counts it apart from the complaints the detector flagged.
    let report = kb.run(&["--now", "2026-11-25T09:06", "report", "--format", "csv"]);
    assert!(report.status.success(), "{}", stderr(&report));
    assert!(
        stdout(&report).contains("2026-H2,herkenning,twijfelgeval,te_beoordelen,1\n"),
        "{}",
        stdout(&report)
    );
    // The digest, the refusal of the forged number, and the notification.
    stack
        .wait_for_count(DIRECTIE, "INBOX", 3, Duration::from_secs(60))
        .await;
    let note = crate::cases::notification(&stack, reference).await;
    assert!(
        body(&note).contains(
            "uit de twijfelgevallen van het overzicht gehaald door directie@example.test"
        ),
        "{}",
        body(&note)
    );
    // Answering the same line again changes nothing.
    send_and_wait(
        &stack,
        DIRECTIE,
        "klachten@example.test",
        reply(&line, "digest-reply-2@example.test").as_bytes(),
        SERVICE,
        4,
    )
    .await;
    let out = sync_at("2026-11-25T09:10");
    assert!(out.contains("zaken: 0 geopend"), "{out}");
    assert_eq!(cases_json(&kb).len(), 1);
}

/// Mail stored but never routed (its instance died between the two) is routed by a running
/// daemon within a minute, with no new mail arriving to wake it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_daemon_routes_mail_another_process_stored_but_did_not_route() {
    use crate::cases::SERVICE;
    use crate::harness::MailStack;
    use crate::support::{cases_json, Kb};

    let stack = MailStack::start();
    let kb = Kb::new(
        &stack,
        SERVICE,
        "idle = true\npoll_interval_secs = 3600",
        "",
    );
    let (daemon, log) = spawn_run(&kb, "run");
    wait_for_log(&log, "watching mailbox", Duration::from_secs(30)).await;
    // Another process stores 100 complaints and dies before routing them.
    let store = kb.store().await;
    store_unrouted_and_wait(&store, &kb, "orphan", &log).await;
    stop(daemon);
    assert_eq!(cases_json(&kb).len(), 100);
    store.close().await;
}

/// Two conflicting decisions on one case at the same moment (two instances on PostgreSQL
/// routing `KLACHT` and `GEEN KLACHT`): the second waits for the first and then reads the
/// case as the first left it, so it is judged against the new status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_decision_on_a_case_waits_for_the_first_and_sees_its_result() {
    use klachtenbus::case::Status;
    use klachtenbus::store::Store;

    use crate::harness::Postgres;

    let pg = Postgres::start();
    let url = pg.database("decisions").await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("klachtenbus.toml");
    std::fs::write(
        &config,
        format!("{VALID_SERVICES}\n[database]\nurl = \"{url}\"\n"),
    )
    .unwrap();
    let eml = dir.path().join("klacht.eml");
    std::fs::write(
        &eml,
        mail(
            "klant@example.test",
            "info@firma.example",
            "Advies",
            COMPLAINT,
            "lock-1@example.test",
        ),
    )
    .unwrap();
    let out = kb(&config, &["import", &eml.display().to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let cases = json(&kb(&config, &["cases", "--json"]));
    let reference: klachtenbus::case::CaseRef = cases[0]["ref"].as_str().unwrap().parse().unwrap();

    let store = Store::connect(&url).await.unwrap();
    let mut first = store
        .begin("firma.example", chrono::Utc::now())
        .await
        .unwrap();
    let case = first.case_for_decision(reference).await.unwrap().unwrap();
    assert_eq!(case.status, Status::Kandidaat);
    let second = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx = store
                .begin("firma.example", chrono::Utc::now())
                .await
                .unwrap();
            let seen = tx.case_for_decision(reference).await.unwrap().unwrap();
            tx.commit().await.unwrap();
            seen.status
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!second.is_finished(), "the second decision did not wait");
    first
        .set_status(case.id, Status::InBehandeling)
        .await
        .unwrap();
    first.commit().await.unwrap();
    assert_eq!(second.await.unwrap(), Status::InBehandeling);
    store.close().await;
}

/// Two `run` instances on PostgreSQL: mail that an instance stored but did not route before
/// it was SIGKILLed (simulated by storing it directly) is routed by the survivor within a
/// minute, with no new mail arriving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_the_survivor_routes_what_a_killed_instance_stored() {
    use crate::cases::SERVICE;
    use crate::harness::{MailStack, Postgres};
    use crate::support::{cases_json, Kb};

    let stack = MailStack::start();
    let pg = Postgres::start();
    let url = pg.database("sweep").await;
    let kb = Kb::with_db(
        &stack,
        SERVICE,
        "idle = true\npoll_interval_secs = 3600",
        "",
        Some(url),
    );
    let store = kb.store().await;
    let (mut a, a_log) = spawn_run(&kb, "a");
    wait_for_log(&a_log, "holding the mailbox lease", Duration::from_secs(30)).await;
    let (b, b_log) = spawn_run(&kb, "b");
    wait_for_log(&b_log, "standing by", Duration::from_secs(30)).await;
    a.kill().unwrap();
    a.wait().unwrap();
    // What A had stored when it died: 100 complaints, none routed.
    store_unrouted_and_wait(&store, &kb, "stored-by-a", &b_log).await;
    stop(b);
    assert_eq!(cases_json(&kb).len(), 100);
    assert_eq!(store.message_count().await.unwrap(), 100);
    store.close().await;
}

/// The mailbox unreachable for longer than `alerts.after_minutes` under `run`: exactly one
/// alert mail saying so, and exactly one when it works again; `status` tells the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_mailbox_is_alerted_once_and_its_recovery_once() {
    use crate::cases::SERVICE;
    use crate::harness::{mailbox, MailStack};
    use crate::support::{Kb, DIRECTIE};

    let mut stack = MailStack::start();
    let kb = Kb::new(
        &stack,
        SERVICE,
        "idle = true\npoll_interval_secs = 3600",
        "[alerts]\nafter_minutes = 1\n",
    );
    let (daemon, log) = spawn_run(&kb, "run");
    wait_for_log(&log, "watching mailbox", Duration::from_secs(30)).await;
    stack.stop_dovecot();
    // Failing for a minute, plus the outbox's next look (at most 15 s).
    wait_for_log(&log, "alert queued", Duration::from_secs(120)).await;
    let out = kb.run(&["status"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.lines()
            .any(|l| l.starts_with("mailbox") && l.contains("STORING sinds")),
        "{text}"
    );
    assert!(text.contains("melding verstuurd"), "{text}");
    stack.start_dovecot();
    // The watch reconnects at its next backoff step (at most two minutes), then the
    // recovery notice is queued.
    let start = std::time::Instant::now();
    loop {
        let log_text = std::fs::read_to_string(&log).unwrap_or_default();
        if log_text.matches("alert queued").count() >= 2 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "no recovery notice:\n{log_text}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The alert went out while the mail server itself was down: Postfix deferred it and
    // holds it until its next queue run, so ask for that run rather than wait for it.
    let start = std::time::Instant::now();
    while stack.count(DIRECTIE, "INBOX").await < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "directie has {} of 2 mails; postfix log:\n{}",
            stack.count(DIRECTIE, "INBOX").await,
            stack.postfix_log()
        );
        stack.flush_postfix();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    crate::cases::settle(&stack).await;
    stop(daemon);
    let subjects: Vec<String> = mailbox(&stack, DIRECTIE)
        .await
        .into_iter()
        .filter_map(|(_, m)| m.subject)
        .collect();
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.contains("storing — kan de mailbox niet lezen"))
            .count(),
        1,
        "{subjects:?}"
    );
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.contains("hersteld — kan weer de mailbox lezen"))
            .count(),
        1,
        "{subjects:?}"
    );
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    let out = kb.run(&["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let intake = v["health"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "intake")
        .unwrap()
        .clone();
    assert!(intake["failing_since"].is_null(), "{v}");
    assert!(intake["alerted_at"].is_null(), "{v}");
}
