//! Several `run` instances on one PostgreSQL database and one mailbox: a slow relay, the
//! mailbox checkpoint across a failover, and conflicting directie replies routed by two
//! instances at once.

use std::time::{Duration, Instant};

use crate::cases::{complaint, notification, SERVICE};
use crate::hardening::{spawn_run, stop, wait_for_log};
use crate::harness::{mailbox, reply_to, MailStack, Postgres, SlowRelay};
use crate::support::{cases_json, numbered_mails, store_unrouted, Kb, DIRECTIE};
use chrono::Utc;

const IDLE: &str = "idle = true\npoll_interval_secs = 3600";

/// A relay that takes 20 seconds per mail, two instances, claims that last 4 seconds
/// unless renewed: each case's notification is sent once. While one instance is still
/// waiting for the relay, the other looks for due mail several times; only the renewal of
/// the sender's claim keeps it from sending the same mail again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_taking_twenty_seconds_per_mail_gets_every_notification_once() {
    let stack = MailStack::start();
    let pg = Postgres::start();
    let url = pg.database("slowrelay").await;
    let relay = SlowRelay::start(20);
    let mut kb = Kb::with_db(&stack, SERVICE, IDLE, "", Some(url));
    kb.env.extend([
        ("KLACHTENBUS__SMTP__PORT".into(), relay.port.to_string()),
        ("KLACHTENBUS__SMTP__CLAIM_LEASE_SECS".into(), "4".into()),
    ]);
    let store = kb.store().await;
    let (a, a_log) = spawn_run(&kb, "a");
    wait_for_log(&a_log, "holding the mailbox lease", Duration::from_secs(30)).await;
    let (b, b_log) = spawn_run(&kb, "b");
    wait_for_log(&b_log, "standing by", Duration::from_secs(30)).await;

    for i in 0..2 {
        let raw = complaint(
            &format!("klant{i}@example.test"),
            &format!("Klacht {i}"),
            &format!("slow-{i}@example.test"),
        );
        stack
            .send(
                &format!("klant{i}@example.test"),
                &["klachten@example.test"],
                &raw,
            )
            .await;
    }
    let start = Instant::now();
    while cases_json(&kb).len() < 2 {
        assert!(start.elapsed() < Duration::from_secs(60), "no cases");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Both notifications handed over (20 s each, one per instance or one after the other),
    // then long enough for every instance to look for due mail again twice (it looks at
    // least every 15 s).
    let notices = |relay: &SlowRelay| {
        relay
            .mails()
            .into_iter()
            .filter(|m| {
                m.subject
                    .as_deref()
                    .is_some_and(|s| s.contains("Mogelijke klacht"))
            })
            .collect::<Vec<_>>()
    };
    while notices(&relay).len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(150),
            "notifications not handed over; a:\n{}\nb:\n{}",
            std::fs::read_to_string(&a_log).unwrap_or_default(),
            std::fs::read_to_string(&b_log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(32)).await;
    stop(a);
    stop(b);

    let sent = notices(&relay);
    let mut refs: Vec<String> = sent
        .iter()
        .map(|m| {
            klachtenbus::case::CaseRef::find_in(m.subject.as_deref().unwrap())
                .expect("a case reference in the subject")
                .to_string()
        })
        .collect();
    refs.sort();
    let cases: Vec<String> = {
        let mut c: Vec<String> = cases_json(&kb)
            .iter()
            .map(|c| c["ref"].as_str().unwrap().to_string())
            .collect();
        c.sort();
        c
    };
    assert_eq!(refs, cases, "exactly one notification per case");
    let logs = format!(
        "{}{}",
        std::fs::read_to_string(&a_log).unwrap(),
        std::fs::read_to_string(&b_log).unwrap()
    );
    assert!(!logs.contains("lost the claim"), "{logs}");
    assert!(!logs.contains("claim on this mail ran out"), "{logs}");
    assert_eq!(logs.matches("mail sent").count(), 2, "{logs}");
    store.close().await;
}

/// 2,000 messages read by two instances, the one holding the mailbox SIGKILLed a third of
/// the way: the checkpoint, sampled every 20 ms, never moves back, and every message is
/// stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checkpoint_never_moves_back_over_two_thousand_messages_and_a_failover() {
    const N: i64 = 2000;
    let stack = MailStack::start();
    let pg = Postgres::start();
    let url = pg.database("checkpoint").await;
    let kb = Kb::with_db(&stack, SERVICE, IDLE, "", Some(url));
    let store = kb.store().await;
    stack
        .append(
            SERVICE,
            "INBOX",
            &numbered_mails(N as usize, "Vraag", "bulk"),
        )
        .await;
    let mut daemons = vec![spawn_run(&kb, "a"), spawn_run(&kb, "b")];
    let holds = |log: &std::path::Path| {
        std::fs::read_to_string(log)
            .unwrap_or_default()
            .contains("holding the mailbox lease")
    };
    let start = Instant::now();
    let mut seen: Vec<u32> = Vec::new();
    let mut killed = false;
    loop {
        if let Some(cp) = store.checkpoint("INBOX").await.unwrap() {
            if seen.last() != Some(&cp.last_uid) {
                seen.push(cp.last_uid);
            }
            if !killed && cp.last_uid >= (N / 3) as u32 {
                // The instance reading the mailbox dies; the other must take over.
                let holder = daemons
                    .iter()
                    .position(|(_, log)| holds(log))
                    .expect("one instance holds the mailbox");
                let (mut child, _) = daemons.remove(holder);
                child.kill().unwrap();
                child.wait().unwrap();
                killed = true;
            }
            if killed && cp.last_uid as i64 >= N && store.message_count().await.unwrap() >= N {
                break;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "not all read: checkpoints {seen:?}; logs:\n{}",
            daemons
                .iter()
                .map(|(_, log)| std::fs::read_to_string(log).unwrap_or_default())
                .collect::<String>()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (survivor, survivor_log) = daemons.pop().unwrap();
    wait_for_log(
        &survivor_log,
        "holding the mailbox lease",
        Duration::from_secs(5),
    )
    .await;
    stop(survivor);
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "the checkpoint moved back: {seen:?}"
    );
    assert!(seen.len() >= 3, "sampled too rarely to judge: {seen:?}");
    assert_eq!(*seen.last().unwrap() as i64, N);
    assert_eq!(store.message_count().await.unwrap(), N, "each stored once");
    store.close().await;
}

/// Ten cases, and for each two conflicting replies from directie (`KLACHT` and `GEEN
/// KLACHT`) waiting to be routed when two instances start at the same moment: for every case
/// one reply is applied and the other refused as not possible in the status the first left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicting_replies_routed_by_two_instances_apply_once_per_case() {
    const N: usize = 10;
    let stack = MailStack::start();
    let pg = Postgres::start();
    let url = pg.database("conflicts").await;
    let kb = Kb::with_db(&stack, SERVICE, IDLE, "", Some(url));
    let store = kb.store().await;
    for i in 0..N {
        let raw = complaint(
            &format!("klant{i}@example.test"),
            &format!("Klacht {i}"),
            &format!("conflict-{i}@example.test"),
        );
        stack
            .send(
                &format!("klant{i}@example.test"),
                &["klachten@example.test"],
                &raw,
            )
            .await;
    }
    stack
        .wait_for_count(SERVICE, "INBOX", N as u32, Duration::from_secs(60))
        .await;
    kb.sync();
    stack
        .wait_for_count(DIRECTIE, "INBOX", N as u32, Duration::from_secs(60))
        .await;
    let refs: Vec<String> = cases_json(&kb)
        .iter()
        .map(|c| c["ref"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(refs.len(), N);

    // Both replies to every notification, stored as an instance leaves what it has read
    // but not yet routed; the order alternates per case.
    for (i, r) in refs.iter().enumerate() {
        let notice = notification(&stack, r).await;
        let mut pair = vec![
            reply_to(
                &notice,
                DIRECTIE,
                "KLACHT",
                &format!("yes-{i}@example.test"),
            )
            .1,
            reply_to(
                &notice,
                DIRECTIE,
                "GEEN KLACHT",
                &format!("no-{i}@example.test"),
            )
            .1,
        ];
        if i % 2 == 1 {
            pair.reverse();
        }
        for raw in pair {
            store_unrouted(&store, &raw, Utc::now()).await;
        }
    }
    let (a, a_log) = spawn_run(&kb, "a");
    let (b, b_log) = spawn_run(&kb, "b");
    let start = Instant::now();
    while !store.unrouted(1, Utc::now()).await.unwrap().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "replies not routed; a:\n{}\nb:\n{}",
            std::fs::read_to_string(&a_log).unwrap_or_default(),
            std::fs::read_to_string(&b_log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The notifications, and one refusal per case.
    stack
        .wait_for_count(DIRECTIE, "INBOX", 2 * N as u32, Duration::from_secs(60))
        .await;
    crate::cases::settle(&stack).await;
    stop(a);
    stop(b);

    // Which instance applied what: both usually take part (they start together and each
    // sweeps the unrouted mail at start); the split is the scheduler's, so it is shown, and
    // what is required is one applied reply per case, each logged with its instance's name.
    let mut applied = Vec::new();
    for log in [&a_log, &b_log] {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<String> = text
            .lines()
            .filter(|l| l.contains("directie reply applied"))
            .map(str::to_string)
            .collect();
        eprintln!(
            "{}: {} replies applied, {} refused",
            log.display(),
            lines.len(),
            text.matches("directie mail not carried out").count()
        );
        applied.extend(lines);
    }
    assert_eq!(applied.len(), N, "{applied:#?}");
    assert!(
        applied.iter().all(|l| l.contains("instance=")),
        "every line names its instance: {applied:#?}"
    );
    let directie = mailbox(&stack, DIRECTIE).await;
    assert_eq!(
        directie.len(),
        2 * N,
        "nothing more than one refusal per case"
    );
    let cases = cases_json(&kb);
    for r in &refs {
        let case = cases.iter().find(|c| c["ref"] == r.as_str()).unwrap();
        let status = case["status"].as_str().unwrap();
        assert!(
            status == "in_behandeling" || status == "geen_klacht",
            "{r}: {status}"
        );
        let refusals: Vec<_> = directie
            .iter()
            .map(|(_, m)| m)
            .filter(|m| {
                m.subject
                    .as_deref()
                    .is_some_and(|s| s.contains("Antwoord niet uitgevoerd") && s.contains(r))
            })
            .collect();
        assert_eq!(refusals.len(), 1, "{r}: one refusal");
        // KLACHT first: GEEN KLACHT does not fit a confirmed case. GEEN KLACHT first: the
        // KLACHT was written before that decision, so it is a conflict, not a
        // reconsideration (which a KLACHT written afterwards would be).
        let text = crate::cases::body(refusals[0]);
        let reason = if status == "in_behandeling" {
            "GEEN KLACHT kan niet: de zaak is in behandeling"
        } else {
            "nadat uw antwoord was geschreven"
        };
        assert!(text.contains(reason), "{r} ({status}):\n{text}");
        let decisions = case["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "bevestigd" || e["kind"] == "geen_klacht")
            .count();
        assert_eq!(decisions, 1, "{r}: {case}");
    }
    // A KLACHT written after the GEEN KLACHT is a reconsideration: it applies.
    if let Some(r) = refs.iter().find(|r| {
        cases
            .iter()
            .any(|c| c["ref"] == r.as_str() && c["status"] == "geen_klacht")
    }) {
        let notice = notification(&stack, r).await;
        let (_, raw) = reply_to(&notice, DIRECTIE, "KLACHT", "reconsider@example.test");
        let raw = String::from_utf8(raw).unwrap().replace(
            "Date: Wed, 25 Nov 2026 09:00:00 +0100",
            &format!("Date: {}", chrono::Utc::now().to_rfc2822()),
        );
        store_unrouted(&store, raw.as_bytes(), Utc::now()).await;
        let out = kb.sync();
        assert!(
            out.contains("antwoorden van directie: 1 uitgevoerd"),
            "{out}"
        );
        let case = cases_json(&kb)
            .into_iter()
            .find(|c| c["ref"] == r.as_str())
            .unwrap();
        assert_eq!(case["status"], "in_behandeling");
    } else {
        panic!("with alternating order, some case must have GEEN KLACHT first: {cases:?}");
    }
    store.close().await;
}
