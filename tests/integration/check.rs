//! `check` against the real mail stack: all green on a working configuration, and each
//! broken setting named with what to do.

use crate::cases::SERVICE;
use crate::harness::{free_port, MailStack};
use crate::support::{stdout, Kb};

fn check(kb: &Kb, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let out = kb
        .command()
        .envs(env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .arg("check")
        .output()
        .unwrap();
    (out.status.code(), stdout(&out))
}

fn fail_line<'a>(out: &'a str, needle: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with("FAIL") && l.contains(needle))
        .unwrap_or_else(|| panic!("no FAIL line with {needle:?}:\n{out}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_a_working_configuration_and_names_each_broken_setting() {
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");

    let (code, out) = check(&kb, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("controles geslaagd"), "{out}");
    for part in [
        "imap: ingelogd",
        "map \"INBOX\" gevonden",
        "IDLE aangeboden",
        "smtp: verbonden",
        "database: bereikbaar",
    ] {
        assert!(out.contains(part), "{part}:\n{out}");
    }

    // A wrong password and an SMTP server that is not there, in one run.
    let nobody = free_port().to_string();
    let (code, out) = check(
        &kb,
        &[
            ("KLACHTENBUS__IMAP__PASSWORD", "wrong"),
            ("KLACHTENBUS__SMTP__PORT", &nobody),
        ],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(
        fail_line(&out, "imap:").contains("controleer imap.username en imap.password"),
        "{out}"
    );
    assert!(
        fail_line(&out, "smtp:").contains("controleer smtp.host en smtp.port"),
        "{out}"
    );

    // TLS against the plain IMAP port.
    let (code, out) = check(&kb, &[("KLACHTENBUS__IMAP__SECURITY", "tls")]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        fail_line(&out, "imap:").contains("probeer dan security = \"starttls\""),
        "{out}"
    );

    // A folder that does not exist, and a processed folder written with the wrong
    // separator (Dovecot's Maildir separates with ".").
    let (code, out) = check(
        &kb,
        &[
            ("KLACHTENBUS__IMAP__FOLDER", "Klachten"),
            (
                "KLACHTENBUS__IMAP__PROCESSED_FOLDER",
                "Klachtenbus/Verwerkt",
            ),
        ],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(
        fail_line(&out, "map \"Klachten\" bestaat niet").contains("INBOX"),
        "{out}"
    );
    assert!(
        fail_line(&out, "processed_folder").contains("\"Klachtenbus.Verwerkt\""),
        "{out}"
    );
    // Nothing was changed on the server.
    assert_eq!(stack.flags(SERVICE, "INBOX").await.len(), 0);
}

/// `run` refuses to start on a setting that can never work (here a processed folder spelled
/// with the wrong separator), naming it, instead of retrying for ever; nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_refuses_a_processed_folder_that_can_never_work() {
    let stack = MailStack::start();
    stack
        .append(
            SERVICE,
            "INBOX",
            &crate::support::numbered_mails(1, "Vraag", "never"),
        )
        .await;
    let kb = Kb::new(
        &stack,
        SERVICE,
        "processed_folder = \"Klachtenbus/Verwerkt\"",
        "",
    );
    let out = kb.run(&["run"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        crate::support::stderr(&out)
    );
    let err = crate::support::stderr(&out);
    assert!(
        err.contains("imap.processed_folder") && err.contains("\"Klachtenbus.Verwerkt\""),
        "{err}"
    );
    assert_eq!(stack.count(SERVICE, "INBOX").await, 1, "nothing moved");
}

/// `letters.template_dir`, end to end: the firm's own acknowledgement is what the customer
/// gets through Postfix; a broken one stops `check` (a FAIL line naming the file) and `run`
/// (before it reads any mail).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_override_changes_the_acknowledgement_and_a_broken_one_stops_check_and_run() {
    const CUSTOMER: &str = "briefpapier@example.test";
    let stack = MailStack::start();
    let mut kb = Kb::new(&stack, SERVICE, "", "");
    let dir = kb.path("eigen-brieven");
    std::fs::create_dir_all(dir.join("nl")).unwrap();
    let ack = dir.join("nl/bevestigingsbrief.txt.tera");
    std::fs::write(
        &ack,
        "Geachte {{ case.salutation }},\n\nOns eigen briefpapier: {{ case.ref }}\n",
    )
    .unwrap();
    kb.env.push((
        "KLACHTENBUS__LETTERS__TEMPLATE_DIR".into(),
        dir.display().to_string(),
    ));
    let (code, out) = check(&kb, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("met de eigen templates uit"), "{out}");

    crate::cases::send_and_wait(
        &stack,
        CUSTOMER,
        "klachten@example.test",
        &crate::cases::complaint(CUSTOMER, "Hypotheek", "tpl-1@example.test"),
        SERVICE,
        1,
    )
    .await;
    kb.sync();
    stack
        .wait_for_count(crate::support::DIRECTIE, "INBOX", 1, crate::cases::WAIT)
        .await;
    let note = crate::harness::mailbox(&stack, crate::support::DIRECTIE).await[0]
        .1
        .clone();
    let (to, raw) = crate::harness::reply_to(
        &note,
        crate::support::DIRECTIE,
        "KLACHT",
        "tpl-r1@example.test",
    );
    crate::cases::send_and_wait(&stack, crate::support::DIRECTIE, &to, &raw, SERVICE, 2).await;
    kb.sync();
    stack
        .wait_for_count(CUSTOMER, "INBOX", 1, crate::cases::WAIT)
        .await;
    let letter = &crate::harness::mailbox(&stack, CUSTOMER).await[0].1;
    let text = crate::cases::body(letter);
    assert!(
        text.contains("Ons eigen briefpapier: KL-2026-0001"),
        "{text}"
    );

    // Broken: check names the file; run stops before reading the mail that is waiting.
    std::fs::write(&ack, "Geachte {{ case.aanhef }},\n").unwrap();
    let (code, out) = check(&kb, &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        fail_line(&out, "templates").contains(&ack.display().to_string()),
        "{out}"
    );
    stack
        .append(
            SERVICE,
            "INBOX",
            &crate::support::numbered_mails(1, "Vraag", "tpl"),
        )
        .await;
    let run = kb.run(&["run"]);
    assert!(!run.status.success());
    let err = crate::support::stderr(&run);
    assert!(err.contains(&ack.display().to_string()), "{err}");
    let messages: Vec<serde_json::Value> =
        serde_json::from_slice(&kb.run(&["messages", "--json"]).stdout).unwrap();
    assert_eq!(messages.len(), 2, "the waiting mail was not read");
}
