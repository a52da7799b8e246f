//! The demo behind `scripts/demo.sh`: a private Dovecot + Postfix on loopback, the sample
//! mails of `tests/fixtures/demo` sent through Postfix, then klachtenbus's own commands
//! (`sync`, `messages`, `sync` again; with `--watch`, `run` until Ctrl-C).

#[path = "../tests/integration/harness.rs"]
mod harness;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use klachtenbus::cli::{self, Cli};

const MAILBOX: &str = "info";

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
    drop(rt);
    println!("  all {} delivered to the mailbox by Dovecot", files.len());

    let work = tempfile::tempdir().expect("temp dir");
    let config = work.path().join("klachtenbus.toml");
    std::fs::write(
        &config,
        format!(
            "[imap]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"{}\"\npassword = \"{}\"\n\n[database]\nurl = \"sqlite://{}\"\n",
            stack.imap_port,
            harness::full_address(MAILBOX),
            harness::PASSWORD,
            work.path().join("klachtenbus.sqlite").display()
        ),
    )
    .expect("write config");

    for args in [&["sync"][..], &["messages"], &["sync"]] {
        let code = klachtenbus(&config, args);
        if code != ExitCode::SUCCESS {
            return code;
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
