//! `dossier`: the archive of one case, on the real mail stack.

use std::process::Command;

use crate::cases::{confirm_by_directie, send_and_wait, CUSTOMER_FOR_DOSSIER, SERVICE, WAIT};
use crate::harness::{mailbox, MailStack};
use crate::support::{cases_json, stdout, Kb};

fn complaint_with_attachment() -> Vec<u8> {
    format!(
        "From: Piet Klant <{CUSTOMER_FOR_DOSSIER}>\r\nTo: klachten@example.test\r\nSubject: Klacht over mijn polis\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <dossier-1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nU heeft mij verkeerd geadviseerd en ik ben nog steeds niet teruggebeld. Dit is onacceptabel.\r\n--b1\r\nContent-Type: application/pdf; name=\"../polis brief.pdf\"\r\nContent-Disposition: attachment; filename=\"../polis brief.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IK\r\n--b1--\r\n"
    )
    .into_bytes()
}

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dossier_holds_the_original_the_mail_sent_and_a_manifest_and_is_repeatable() {
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    send_and_wait(
        &stack,
        CUSTOMER_FOR_DOSSIER,
        "klachten@example.test",
        &complaint_with_attachment(),
        SERVICE,
        1,
    )
    .await;
    kb.sync();
    let reference = cases_json(&kb)[0]["ref"].as_str().unwrap().to_string();
    confirm_by_directie(&stack, &kb, &reference, "dossier-reply@example.test", 2).await;
    stack
        .wait_for_count(CUSTOMER_FOR_DOSSIER, "INBOX", 1, WAIT)
        .await;

    let out = kb.path("dossier");
    let run = || {
        let o = kb.run(&["dossier", &reference, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(stdout(&o).contains("bestanden in"), "{}", stdout(&o));
        files(&out)
    };
    let first = run();
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "berichten/01-klacht.eml",
        "berichten/02-directie.eml",
        "verzonden/01-notificatie.eml",
        "verzonden/02-bevestigingsbrief.eml",
        "bijlagen/01-1-_polis_brief.pdf",
        "timeline.md",
        "case.json",
        "SHA256SUMS",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    // The original, byte for byte as the mail server holds it.
    let on_server = &mailbox(&stack, "klachten@example.test").await[0].0;
    let get = |name: &str| &first.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(get("berichten/01-klacht.eml"), on_server);
    assert_eq!(
        get("bijlagen/01-1-_polis_brief.pdf"),
        b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n"
    );
    // The acknowledgement as the customer received it: Postfix and Dovecot add trace
    // headers on top and a line break at the end of the SMTP data.
    let received = &mailbox(&stack, CUSTOMER_FOR_DOSSIER).await[0].0;
    let sent = get("verzonden/02-bevestigingsbrief.eml");
    assert!(
        received.trim_ascii_end().ends_with(sent.trim_ascii_end()),
        "the dossier's acknowledgement is not the mail that was delivered:\n--- delivered\n{}\n--- dossier\n{}",
        String::from_utf8_lossy(received),
        String::from_utf8_lossy(sent)
    );
    let timeline = String::from_utf8_lossy(get("timeline.md"));
    assert!(
        timeline.contains(&reference) && timeline.contains("bevestigd"),
        "{timeline}"
    );
    let json: serde_json::Value = serde_json::from_slice(get("case.json")).unwrap();
    assert_eq!(json["ref"], reference.as_str());

    // The manifest is what sha256sum accepts, and it covers every file.
    let check = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(get("SHA256SUMS")).lines().count(),
        first.len() - 1
    );
    // A second run gives identical files; a folder with other content is refused.
    assert_eq!(run(), first);
    let other = kb.path("elsewhere");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let o = kb.run(&["dossier", &reference, "--out", other.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(other.join("notes.txt")).unwrap(), b"mine");
}
