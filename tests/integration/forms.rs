//! The Klachtenformulier by `intake` and by staff mail through Postfix, measures from the
//! command line, and the half-yearly report mailed once per half year across restarts
//! (issue: Klachtenformulier, dossiers, inventory).

use crate::cases::{body, notification, settle, SERVICE, WAIT};
use crate::harness::{mailbox, reply_to, MailStack};
use crate::support::{cases_json, stderr, stdout, Kb, DIRECTIE};

const STAFF: &str = "balie@example.test";
const CALLER: &str = "deboer@example.test";

pub(crate) fn form(fields: &str) -> String {
    format!("Goedemiddag,\r\n\r\nHierbij het formulier.\r\n\r\n{fields}\r\n-- \r\nBalie, De Vries Advies\r\n")
}

pub(crate) fn staff_mail(from: &str, subject: &str, body: &str, id: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: klachten@example.test\r\nSubject: {subject}\r\nDate: Wed, 25 Nov 2026 12:00:00 +0100\r\nMessage-ID: <{id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
    .into_bytes()
}

async fn inventory_subjects(stack: &MailStack) -> Vec<String> {
    mailbox(stack, DIRECTIE)
        .await
        .into_iter()
        .filter_map(|(_, m)| m.subject)
        .filter(|s| s.starts_with("Klachteninventarisatie"))
        .collect()
}

fn sync_at(kb: &Kb, now: &str) -> String {
    let out = kb.run(&["--now", now, "sync"]);
    assert!(out.status.success(), "sync at {now}: {}", stderr(&out));
    stdout(&out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_by_intake_and_by_staff_mail_and_the_half_yearly_report() {
    let stack = MailStack::start();
    let mut kb = Kb::new(&stack, SERVICE, "", "");
    kb.env
        .push(("KLACHTENBUS__STAFF__ADDRESSES".into(), STAFF.into()));
    let scan = kb.path("brief-scan.pdf");
    std::fs::write(&scan, b"%PDF-1.4 scan").unwrap();

    // (1a) intake with every field as a flag.
    let out = kb.run(&[
        "--now",
        "2026-11-25T12:00",
        "intake",
        "--naam",
        "Mevrouw A. de Boer",
        "--adres",
        "Dorpsstraat 4, 1234 AB Ergens",
        "--email",
        CALLER,
        "--telefoon",
        "06 12345678",
        "--datum",
        "2026-11-20 14:30",
        "--kanaal",
        "telefoon",
        "--opgenomen-door",
        "Piet",
        "--klacht",
        "Zij is het niet eens met het advies over haar pensioen en wil dat het wordt hersteld.",
        "--bijlage",
        scan.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "intake: {}", stderr(&out));
    let cases = cases_json(&kb);
    assert_eq!(cases.len(), 1);
    let phone = &cases[0];
    let phone_ref = phone["ref"].as_str().unwrap().to_string();
    assert!(stdout(&out).starts_with(&phone_ref));
    assert_eq!(phone["channel"], "telefoon");
    assert_eq!(phone["status"], "kandidaat");
    assert_eq!(phone["received_at"], "2026-11-20T13:30:00Z");
    assert_eq!(phone["address"], "Dorpsstraat 4, 1234 AB Ergens");
    assert_eq!(phone["phone"], "06 12345678");
    assert_eq!(phone["taken_by"], "Piet");
    assert_eq!(phone["confirm_by"], "2026-12-01");

    // A missing field is named, and nothing is registered.
    let out = kb.run(&[
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
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ontbrekend veld: Klacht"),
        "{}",
        stderr(&out)
    );
    assert_eq!(cases_json(&kb).len(), 1);

    // Directie is notified with the form's fields, confirms, and the caller's
    // acknowledgement carries the recorded summary and asks to correct it.
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;
    let note = notification(&stack, &phone_ref).await;
    let text = body(&note);
    assert!(
        text.contains("Klachtenformulier (telefoon), opgenomen door Piet"),
        "{text}"
    );
    assert!(
        text.contains("brief-scan.pdf") && text.contains("06 12345678"),
        "{text}"
    );
    let (to, reply) = reply_to(&note, DIRECTIE, "KLACHT", "form-klacht@example.test");
    stack.send(DIRECTIE, &[&to], &reply).await;
    stack.wait_for_count(SERVICE, "INBOX", 1, WAIT).await;

    // (1b) Forms by mail: from staff (accepted), from an outsider (not a form), and from
    // staff with a field missing (refused, the sender is told which).
    let good = form(
        "Naam: Dhr. K. Brievenschrijver\r\nAdres: Postbus 12, 9999 ZZ Ver\r\nE-mail: brief@example.test\r\nDatum: 23-11-2026 09:15\r\nKanaal: brief\r\nOpgenomen door: Els\r\nMedewerker: Jansen\r\nKlacht: Meneer schrijft dat hij al drie keer heeft gebeld\r\nen nog steeds niet is teruggebeld.",
    );
    let outsider = good.replace("brief@example.test", "outsider-form@example.test");
    let incomplete = good.replace("Opgenomen door: Els\r\n", "");
    for (from, subject, body, id) in [
        (
            STAFF,
            "Klachtenformulier Brievenschrijver",
            &good,
            "form-good@example.test",
        ),
        (
            "buiten@example.test",
            "Klachtenformulier",
            &outsider,
            "form-outsider@example.test",
        ),
        (
            STAFF,
            "Klachtenformulier zonder naam opnemer",
            &incomplete,
            "form-bad@example.test",
        ),
    ] {
        let mail = staff_mail(from, subject, body, id);
        stack.send(from, &["klachten@example.test"], &mail).await;
    }
    stack.wait_for_count(SERVICE, "INBOX", 4, WAIT).await;
    sync_at(&kb, "2026-11-25T12:30");

    let cases = cases_json(&kb);
    let letter = cases
        .iter()
        .find(|c| c["channel"] == "brief")
        .expect("a case from the staff form");
    assert_eq!(letter["received_at"], "2026-11-23T08:15:00Z");
    assert_eq!(letter["from"], "brief@example.test");
    assert_eq!(letter["employee"], "Jansen");
    assert_eq!(letter["taken_by"], "Els");
    assert_eq!(
        cases.iter().filter(|c| c["channel"] != "email").count(),
        2,
        "only the intake and the staff form are forms: {cases:?}"
    );
    assert!(
        cases
            .iter()
            .all(|c| c["from"] != "outsider-form@example.test"),
        "an outsider's form is not read as a form"
    );
    stack.wait_for_count(STAFF, "INBOX", 1, WAIT).await;
    let refused = mailbox(&stack, STAFF).await;
    assert_eq!(refused.len(), 1);
    let m = &refused[0].1;
    assert!(m
        .subject
        .as_deref()
        .unwrap()
        .starts_with("Klachtenformulier niet verwerkt"));
    assert!(
        body(m).contains("ontbrekend veld: Opgenomen door"),
        "{}",
        body(m)
    );

    // The acknowledgement of the phone complaint.
    stack.wait_for_count(CALLER, "INBOX", 1, WAIT).await;
    let ack = &mailbox(&stack, CALLER).await[0].1;
    let text = body(ack).replace("\r\n", "\n");
    assert!(text.contains(&phone_ref), "{text}");
    assert!(text.starts_with("Geachte mevrouw De Boer,"), "{text}");
    assert!(text.contains("advies over haar pensioen"), "{text}");
    assert!(text.contains("Klopt de\nsamenvatting niet"), "{text}");
    assert!(ack.in_reply_to.is_empty(), "a form is not a mail to answer");

    // A measure from the command line takes the case's category unless given.
    let out = kb.run(&[
        "maatregel",
        "add",
        "Terugbelverzoeken in één lijst",
        "--case",
        &phone_ref,
        "--category",
        "termijn",
        "--owner",
        "Els",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kb.run(&["maatregel", "list", "--json"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["case"], phone_ref.as_str());
    assert_eq!(list[0]["category"], "termijn");
    assert_eq!(list[0]["owner"], "Els");
    assert_eq!(
        kb.run(&["maatregel", "add", "x", "--category", "weer"])
            .status
            .code(),
        Some(2)
    );

    // (4) The scheduled report: nothing for 2026-H1 (no case before its end), then the
    // 2026-H2 report on Monday 4 January 2027 (1 January is a holiday) once, however
    // often the service starts, and the 2027-H1 report on 1 July 2027.
    assert!(inventory_subjects(&stack).await.is_empty());
    let first = sync_at(&kb, "2027-01-04T07:30");
    assert!(
        !first.contains("inventarisatie:"),
        "not before report.time: {first}"
    );
    let due = sync_at(&kb, "2027-01-04T08:05");
    assert!(
        due.contains("inventarisatie: 1 halfjaarrapport klaargezet"),
        "{due}"
    );
    for now in ["2027-01-04T09:00", "2027-01-05T08:30", "2027-03-01T12:00"] {
        let again = sync_at(&kb, now);
        assert!(!again.contains("inventarisatie:"), "{now}: {again}");
    }
    let mid = sync_at(&kb, "2027-07-01T08:30");
    assert!(
        mid.contains("inventarisatie: 1 halfjaarrapport klaargezet"),
        "{mid}"
    );
    sync_at(&kb, "2027-07-01T09:30");
    settle(&stack).await;
    let mut subjects = inventory_subjects(&stack).await;
    subjects.sort();
    assert_eq!(
        subjects,
        vec![
            "Klachteninventarisatie 2026-H2",
            "Klachteninventarisatie 2027-H1"
        ]
    );
    let report = mailbox(&stack, DIRECTIE)
        .await
        .into_iter()
        .find(|(_, m)| m.subject.as_deref() == Some("Klachteninventarisatie 2026-H2"))
        .unwrap();
    let text = body(&report.1);
    assert!(
        text.contains("klachten") && text.contains("telefoon"),
        "{text}"
    );

    // On request, as often as asked.
    let out = kb.run(&["report", "--period", "2026-H2", "--mail"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 mail klaargezet"),
        "{}",
        stdout(&out)
    );
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;
    settle(&stack).await;
    assert_eq!(inventory_subjects(&stack).await.len(), 3);
}
