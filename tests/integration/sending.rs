//! The mailer's own SMTP connections: kept open between mails, and replaced when the server
//! has closed one in the meantime.

use std::time::Duration;

use crate::cases::{complaint, SERVICE};
use crate::hardening::{spawn_run, stop, wait_for_log};
use crate::harness::{full_address, MailStack};
use crate::support::{Kb, DIRECTIE};

/// The daemon sends a notification, keeps its connection, and Postfix restarts (closing
/// every connection it had). The next notification goes out on a new connection, once; the
/// daemon says at debug level that it replaced the closed one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_smtp_connection_closed_by_the_server_is_replaced() {
    let mut stack = MailStack::start();
    let kb = Kb::new(
        &stack,
        SERVICE,
        "idle = true\npoll_interval_secs = 3600",
        "",
    )
    .with_env("RUST_LOG", "klachtenbus=debug");
    let (daemon, log) = spawn_run(&kb, "run");
    wait_for_log(&log, "watching mailbox", Duration::from_secs(30)).await;
    let to = full_address(SERVICE);
    let first = complaint("eerste@example.test", "Klacht een", "kept-1@example.test");
    stack.send("eerste@example.test", &[&to], &first).await;
    stack
        .wait_for_count(DIRECTIE, "INBOX", 1, Duration::from_secs(60))
        .await;

    stack.stop_postfix();
    stack.start_postfix();
    let second = complaint("tweede@example.test", "Klacht twee", "kept-2@example.test");
    stack.send("tweede@example.test", &[&to], &second).await;
    stack
        .wait_for_count(DIRECTIE, "INBOX", 2, Duration::from_secs(60))
        .await;
    // Nothing more arrives: each notification once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop(daemon);
    assert_eq!(stack.count(DIRECTIE, "INBOX").await, 2);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("a kept SMTP connection was closed"),
        "the closed connection was not noticed:\n{text}"
    );
    assert!(!text.contains("ERROR"), "{text}");
}
