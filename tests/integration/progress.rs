//! The progress bar of a long mailbox pass: on a terminal, and only there.

use std::process::{Command, Stdio};

use crate::harness::MailStack;
use crate::support::{numbered_mails, stderr, stdout, Kb, BIN};

const USER: &str = "klachten";
/// Enough for a bar (a pass of 200 new messages or more), few enough to read in a second.
const N: usize = 250;

/// `text` without ANSI escape sequences (CSI: `ESC [ … final byte`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `klachtenbus sync` under a pseudo terminal (util-linux `script`), standard output sent
/// to a file: what the terminal showed (standard error), what went to the file, and
/// whether it succeeded.
fn sync_on_a_terminal(kb: &Kb) -> (String, String, bool) {
    let out_file = kb.path("stdout.txt");
    let inner = format!(
        "'{BIN}' --config '{}' sync > '{}'",
        kb.config.display(),
        out_file.display()
    );
    let out = Command::new("script")
        .args(["--quiet", "--return", "--command", &inner, "/dev/null"])
        .current_dir(kb.dir.path())
        .env_remove("RUST_LOG")
        .envs(kb.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .expect("run script (util-linux)");
    (
        stdout(&out),
        std::fs::read_to_string(&out_file).unwrap_or_default(),
        out.status.success(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_first_pass_shows_a_bar_on_a_terminal_and_logs_elsewhere() {
    let stack = MailStack::start();
    stack
        .append(USER, "INBOX", &numbered_mails(N, "Vraag", "bar"))
        .await;
    // Two registers on the same mailbox, so that each reads all of it as a first pass
    // (`imap.mark = none`: the second finds the mail as the first did).
    let on_terminal = Kb::new(&stack, USER, "mark = \"none\"", "");
    let on_pipe = Kb::new(&stack, USER, "mark = \"none\"", "");

    let (screen, terminal_stdout, ok) = sync_on_a_terminal(&on_terminal);
    assert!(ok, "sync under a terminal failed:\n{screen}");
    let plain = strip_ansi(&screen);
    assert!(
        plain.contains(&format!("{N} of {N} messages")) && plain.contains("msg/s"),
        "no bar that ends at {N} of {N}:\n{plain}"
    );
    assert!(plain.contains("took "), "the bar did not finish:\n{plain}");
    assert!(plain.contains("=>") || plain.contains("=="), "{plain}");
    // The configuration logs at debug (a line per stored message): every log line starts
    // a line of its own rather than running on from the bar's text.
    let pieces: Vec<&str> = plain.split(['\n', '\r']).collect();
    assert!(
        pieces.iter().any(|p| p.contains("klachtenbus::mailbox")),
        "no log lines while the bar was shown:\n{plain}"
    );
    for piece in &pieces {
        assert!(
            !(piece.contains("msg/s") && piece.contains("klachtenbus::")),
            "a log line ran into the bar: {piece:?}"
        );
    }

    let out = on_pipe.run(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains("klachtenbus::mailbox"),
        "the log is written as before:\n{log}"
    );
    for bar_text in ["msg/s", " of 250 messages,", "\r", "=>", "\u{1b}[2K"] {
        assert!(
            !log.contains(bar_text),
            "bar text {bar_text:?} off a terminal:\n{log}"
        );
    }

    // Standard output is the command's result either way; the bar never reaches it.
    assert!(
        terminal_stdout.contains(&format!("{N} opgeslagen")),
        "{terminal_stdout}"
    );
    assert_eq!(terminal_stdout, stdout(&out));
    for kb in [&on_terminal, &on_pipe] {
        let store = kb.store().await;
        assert_eq!(store.message_count().await.unwrap(), N as i64);
        store.close().await;
    }
}
