//! The demo behind `scripts/demo.sh`: a private Dovecot + Postfix on loopback, the sample
//! mails of `tests/fixtures/demo` sent through Postfix, then klachtenbus's own commands:
//! `sync` (store, classify, open cases, notify directie), `messages`, `cases`; then the
//! demo answers one notification as directie would (`KLACHT`), `sync` sends the
//! acknowledgement, and `show` prints the case. With `--watch`, `run` until Ctrl-C.

#[path = "../tests/integration/harness.rs"]
mod harness;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use klachtenbus::cli::{self, Cli};

const MAILBOX: &str = "info";
const DIRECTIE: &str = "directie@example.test";

fn klachtenbus(config: &Path, args: &[&str]) -> ExitCode {
    let mut argv = vec!["klachtenbus", "--config", config.to_str().unwrap()];
    argv.extend_from_slice(args);
    println!("\n$ klachtenbus {}", args.join(" "));
    cli::main(Cli::parse_from(argv))
}

fn main() -> ExitCode {
    let watch = std::env::args().any(|a| a == "--watch");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo");
    let mut files: Vec<_> = std::fs::read_dir(&samples)
        .expect("tests/fixtures/demo")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();

    println!("Starting a private Dovecot (IMAP) and Postfix (SMTP) on 127.0.0.1 ...");
    let stack = harness::MailStack::start();
    println!(
        "  IMAP 127.0.0.1:{}  SMTP 127.0.0.1:{}  mailbox {}",
        stack.imap_port,
        stack.smtp_port,
        harness::full_address(MAILBOX)
    );

    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    rt.block_on(async {
        for f in &files {
            let raw = std::fs::read(f).expect("read sample");
            stack
                .send(
                    "afzender@example.test",
                    &[&harness::full_address(MAILBOX)],
                    &raw,
                )
                .await;
            println!(
                "  mailed {} through Postfix",
                f.file_name().unwrap().to_string_lossy()
            );
        }
        stack
            .wait_for_count(
                MAILBOX,
                "INBOX",
                files.len() as u32,
                Duration::from_secs(60),
            )
            .await;
    });
    println!("  all {} delivered to the mailbox by Dovecot", files.len());

    let work = tempfile::tempdir().expect("temp dir");
    let config = work.path().join("klachtenbus.toml");
    std::fs::write(
        &config,
        format!(
            "[imap]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"{}\"\npassword = \"{}\"\n\n[database]\nurl = \"sqlite://{}\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"{}\"\n\n[directie]\naddresses = [\"{DIRECTIE}\"]\nreply_secret = \"demo-secret-not-for-production\"\n\n[organisation]\nname = \"De Vries Advies B.V.\"\nphone = \"020 123 45 67\"\nsignatory = \"J. de Vries, directeur\"\nkifid_number = \"300.012345\"\n",
            stack.imap_port,
            harness::full_address(MAILBOX),
            harness::PASSWORD,
            work.path().join("klachtenbus.sqlite").display(),
            stack.smtp_port,
            harness::full_address(MAILBOX),
        ),
    )
    .expect("write config");

    for args in [&["sync"][..], &["messages"], &["cases"]] {
        let code = klachtenbus(&config, args);
        if code != ExitCode::SUCCESS {
            return code;
        }
    }

    // Directie's side: read the first notification and answer it with KLACHT.
    let answered = rt.block_on(async {
        stack
            .wait_for_count(DIRECTIE, "INBOX", 1, Duration::from_secs(60))
            .await;
        let notes = harness::mailbox(&stack, DIRECTIE).await;
        let (_, note) = notes.first()?;
        println!(
            "\n--- in {DIRECTIE}'s mailbox: {:?} ---",
            note.subject.as_deref().unwrap_or("")
        );
        for line in note.body_text.as_deref().unwrap_or("").lines().take(24) {
            println!("  | {line}");
        }
        let (to, reply) = harness::reply_to(note, DIRECTIE, "KLACHT", "demo-antwoord@example.test");
        println!("\n--- directie answers KLACHT (to {to}) ---");
        stack.send(DIRECTIE, &[&to], &reply).await;
        stack
            .wait_for_count(
                MAILBOX,
                "INBOX",
                files.len() as u32 + 1,
                Duration::from_secs(60),
            )
            .await;
        note.subject
            .as_deref()
            .and_then(klachtenbus::case::CaseRef::find_in)
    });
    let Some(reference) = answered else {
        eprintln!("demo: no notification reached directie");
        return ExitCode::from(1);
    };
    let reference = reference.to_string();
    for args in [&["sync"][..], &["show", &reference]] {
        let code = klachtenbus(&config, args);
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    let customer_letters = rt.block_on(async {
        let store = klachtenbus::store::Store::connect(&format!(
            "sqlite://{}",
            work.path().join("klachtenbus.sqlite").display()
        ))
        .await
        .ok()?;
        let case = store.case(reference.parse().ok()?).await.ok()??;
        let to = case.complainant_addr.clone()?;
        store.close().await;
        stack
            .wait_for_count(&to, "INBOX", 1, Duration::from_secs(60))
            .await;
        Some((to.clone(), harness::mailbox(&stack, &to).await))
    });
    if let Some((to, letters)) = customer_letters {
        for (_, letter) in letters {
            println!(
                "\n--- in {to}'s mailbox: {:?} ---",
                letter.subject.as_deref().unwrap_or("")
            );
            for line in letter.body_text.as_deref().unwrap_or("").lines() {
                println!("  | {line}");
            }
        }
    }
    if watch {
        println!(
            "\nWatching the mailbox (IDLE). Mail to {} through SMTP 127.0.0.1:{} is stored as it arrives. Ctrl-C stops.",
            harness::full_address(MAILBOX),
            stack.smtp_port
        );
        let code = klachtenbus(&config, &["run"]);
        klachtenbus(&config, &["messages"]);
        return code;
    }
    println!("\nDemo done; the mail servers are stopped and their folders removed.");
    ExitCode::SUCCESS
}
