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
    assert!(out.contains("checks passed"), "{out}");
    for part in [
        "imap: logged in",
        "folder \"INBOX\" found",
        "IDLE offered",
        "smtp: connected",
        "database: reachable",
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
        fail_line(&out, "imap:").contains("check imap.username and imap.password"),
        "{out}"
    );
    assert!(
        fail_line(&out, "smtp:").contains("check smtp.host and smtp.port"),
        "{out}"
    );

    // TLS against the plain IMAP port.
    let (code, out) = check(&kb, &[("KLACHTENBUS__IMAP__SECURITY", "tls")]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        fail_line(&out, "imap:").contains("try security = \"starttls\""),
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
        fail_line(&out, "folder \"Klachten\" does not exist").contains("INBOX"),
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

/// `letters.template_dir`: the firm's own acknowledgement is checked at start; a broken one
/// stops `check` (a FAIL line naming the file) and `run` (before it reads any mail).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_template_override_stops_check_and_run_naming_the_file() {
    let stack = MailStack::start();
    stack
        .append(
            SERVICE,
            "INBOX",
            &crate::support::numbered_mails(1, "Vraag", "tpl"),
        )
        .await;
    let kb = Kb::new(&stack, SERVICE, "", "");
    let dir = kb.path("eigen-brieven");
    std::fs::create_dir_all(dir.join("nl")).unwrap();
    let ack = dir.join("nl/bevestigingsbrief.txt.tera");
    std::fs::write(
        &ack,
        "Geachte {{ case.salutation }},\n\nOns eigen briefpapier: {{ case.ref }}\n",
    )
    .unwrap();
    let dir_env = dir.display().to_string();
    let env = [("KLACHTENBUS__LETTERS__TEMPLATE_DIR", dir_env.as_str())];
    let (code, out) = check(&kb, &env);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("with the firm's own from"), "{out}");

    std::fs::write(&ack, "Geachte {{ case.aanhef }},\n").unwrap();
    let (code, out) = check(&kb, &env);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        fail_line(&out, "templates").contains(&ack.display().to_string()),
        "{out}"
    );
    let run = kb
        .command()
        .envs(env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .arg("run")
        .output()
        .unwrap();
    assert!(!run.status.success());
    let err = crate::support::stderr(&run);
    assert!(err.contains(&ack.display().to_string()), "{err}");
    let messages = kb.run(&["messages", "--json"]);
    assert_eq!(stdout(&messages).trim(), "[]", "nothing was read");
}
