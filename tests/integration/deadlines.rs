//! Deadlines on the working-day calendar, end to end with a controlled clock (`--now`):
//! reminders, escalations, the morning digest and `VERLENG`, on Dovecot + Postfix
//! (issue: deadlines and reminders).

use std::collections::BTreeMap;

use klachtenbus::parse::ParsedMail;

use crate::cases::{body, complaint, notification, send_and_wait, settle, SERVICE, WAIT};
use crate::harness::{mailbox, reply_to, MailStack};
use crate::support::{cases_json, stdout, Kb, DIRECTIE};

const ESCALATION: &str = "toezicht@example.test";

/// `sync` at a local Amsterdam moment; returns (reminders, escalations, digests) queued.
fn sync_at(kb: &Kb, moment: &str) -> (u32, u32, u32) {
    let out = kb.run(&["--now", moment, "sync"]);
    assert!(
        out.status.success(),
        "sync at {moment}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("termijnen: "))
        .unwrap_or_else(|| panic!("no deadlines line in {text}"));
    let n: Vec<u32> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(n.len(), 3, "{line}");
    (n[0], n[1], n[2])
}

/// Subjects in `user`'s INBOX that contain `needle`.
async fn subjects(stack: &MailStack, user: &str, needle: &str) -> Vec<String> {
    mailbox(stack, user)
        .await
        .into_iter()
        .filter_map(|(_, m)| m.subject)
        .filter(|s| s.contains(needle))
        .collect()
}

/// The first mail whose subject contains `needle`.
fn with_subject<'a>(mails: &'a [(Vec<u8>, ParsedMail)], needle: &str) -> Option<&'a ParsedMail> {
    mails
        .iter()
        .map(|(_, m)| m)
        .find(|m| m.subject.as_deref().unwrap_or("").contains(needle))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_escalations_digest_and_extension_with_a_controlled_clock() {
    let stack = MailStack::start();
    let mut kb = Kb::new(&stack, SERVICE, "", "");
    kb.env.extend([
        (
            "KLACHTENBUS__DEADLINES__ESCALATION_ADDRESSES".to_string(),
            ESCALATION.to_string(),
        ),
        (
            "KLACHTENBUS__DEADLINES__DIGEST_TIME".to_string(),
            "08:30".to_string(),
        ),
    ]);

    // The scenario runs in 2015, which has the same calendar as 2026 (Dovecot keeps an
    // APPEND date only when it is not in the future, and the tests must not depend on
    // today's date).
    // Three complaints arrive on Monday 30 November 2015, 10:00: confirm_by is Wednesday
    // 9 December (7 working days), position_by Monday 14 December (14 days).
    let customers = [
        "klant-a@example.test",
        "klant-b@example.test",
        "klant-c@example.test",
    ];
    for (i, c) in customers.iter().enumerate() {
        let raw = complaint(
            c,
            &format!("Klacht {i}"),
            &format!("termijn-{i}@example.test"),
        );
        stack
            .append_at(SERVICE, "INBOX", &raw, "30-Nov-2015 10:00:00 +0100")
            .await;
    }
    let (r, e, d) = sync_at(&kb, "2015-11-30T11:00");
    assert_eq!((r, e), (0, 0));
    assert_eq!(d, 1, "the digest of Monday 30 November (after 08:30)");
    let cases = cases_json(&kb);
    assert_eq!(cases.len(), 3);
    let by_from: BTreeMap<String, serde_json::Value> = cases
        .iter()
        .map(|c| (c["from"].as_str().unwrap().to_string(), c.clone()))
        .collect();
    let reference = |customer: &str| by_from[customer]["ref"].as_str().unwrap().to_string();
    let (a, b, c) = (
        reference(customers[0]),
        reference(customers[1]),
        reference(customers[2]),
    );
    for case in &cases {
        assert_eq!(case["confirm_by"], "2015-12-09");
        assert_eq!(case["position_by"], "2015-12-14");
        assert_eq!(case["kifid_from"], "2016-01-25");
    }
    stack.wait_for_count(DIRECTIE, "INBOX", 4, WAIT).await;
    let note = body(&notification(&stack, &a).await).to_string();
    for part in [
        "woensdag 9 december 2015",
        "maandag 14 december 2015",
        "maandag 25 januari 2016",
    ] {
        assert!(note.contains(part), "notification lacks {part:?}:\n{note}");
    }

    // Tuesday 1 December: directie decides B (not a complaint) and C (a complaint); A is
    // left alone.
    let mut in_service = 3;
    for (reference, command, id) in [
        (&b, "GEEN KLACHT", "besluit-b"),
        (&c, "KLACHT", "besluit-c"),
    ] {
        let n = notification(&stack, reference).await;
        let (to, raw) = reply_to(&n, DIRECTIE, command, &format!("{id}@example.test"));
        in_service += 1;
        send_and_wait(&stack, DIRECTIE, &to, &raw, SERVICE, in_service).await;
    }
    assert_eq!(sync_at(&kb, "2015-12-01T12:00"), (0, 0, 1));
    stack.wait_for_count(customers[2], "INBOX", 1, WAIT).await;

    // Day by day, 09:00. Expected: A (undecided) is reminded 2 working days before
    // confirm_by (Mon 7 Dec) and on the day (Wed 9 Dec, together with the position
    // reminder 3 working days before 14 Dec), then escalated every working day from Thu 10
    // Dec. C (confirmed) is reminded of the position on Wed 9 Dec; on Thu 10 Dec directie
    // extends it to Wed 23 Dec, so C's next reminder is Fri 18 Dec (3 working days before).
    // B gets nothing. Weekends get nothing; the digest comes every working day.
    #[rustfmt::skip]
    let days: &[(&str, (u32, u32, u32))] = &[
        ("2015-12-02", (0, 0, 1)), ("2015-12-03", (0, 0, 1)), ("2015-12-04", (0, 0, 1)),
        ("2015-12-05", (0, 0, 0)), ("2015-12-06", (0, 0, 0)),
        ("2015-12-07", (1, 0, 1)), ("2015-12-08", (0, 0, 1)), ("2015-12-09", (2, 0, 1)),
        ("2015-12-10", (0, 1, 1)),
        ("2015-12-11", (0, 1, 1)), ("2015-12-12", (0, 0, 0)), ("2015-12-13", (0, 0, 0)),
        ("2015-12-14", (0, 1, 1)), ("2015-12-15", (0, 1, 1)), ("2015-12-16", (0, 1, 1)),
        ("2015-12-17", (0, 1, 1)), ("2015-12-18", (1, 1, 1)),
    ];
    let mut expected_mails = 3 + 2; // notifications, digests of 30 Nov and 1 Dec
    for (day, want) in days {
        assert_eq!(
            sync_at(&kb, &format!("{day}T09:00")),
            *want,
            "sync on {day}"
        );
        expected_mails += (want.0 + want.1 + want.2) as usize;
        if *day == "2015-12-10" {
            // A restart later the same morning sends nothing again.
            assert_eq!(sync_at(&kb, "2015-12-10T09:30"), (0, 0, 0));
            // VERLENG for C.
            let n = notification(&stack, &c).await;
            let (to, raw) = reply_to(
                &n,
                DIRECTIE,
                "VERLENG 23-12-2015 wij wachten op stukken van de verzekeraar",
                "verleng-c@example.test",
            );
            in_service += 1;
            send_and_wait(&stack, DIRECTIE, &to, &raw, SERVICE, in_service).await;
            let out = kb.run(&["--now", "2015-12-10T10:00", "sync"]);
            assert!(
                stdout(&out).contains("antwoorden van directie: 1 uitgevoerd"),
                "{}",
                stdout(&out)
            );
        }
    }

    // VERLENG moved the deadline and told the complainant, with the reason.
    let case_c = cases_json(&kb)
        .into_iter()
        .find(|x| x["ref"] == c.as_str())
        .unwrap();
    assert_eq!(case_c["position_by"], "2015-12-23");
    assert!(case_c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "verlengd"));
    stack.wait_for_count(customers[2], "INBOX", 2, WAIT).await;
    let letters = mailbox(&stack, customers[2]).await;
    let extension = with_subject(&letters, "Nieuwe termijn").expect("extension letter");
    for part in [
        "woensdag 23 december 2015",
        "maandag 14 december 2015",
        "wij wachten op stukken van de verzekeraar",
        c.as_str(),
    ] {
        assert!(
            body(extension).contains(part),
            "extension letter lacks {part:?}"
        );
    }

    // A week down (19–27 December). On Monday 28 December, one mail per open case: A has
    // missed 21–24 December (25/26 are holidays), C its reminders of 21 and 23 and the
    // escalation of 24 December.
    assert_eq!(sync_at(&kb, "2015-12-28T09:00"), (0, 2, 1));
    assert_eq!(sync_at(&kb, "2015-12-28T15:00"), (0, 0, 0));
    assert_eq!(sync_at(&kb, "2015-12-29T09:00"), (0, 2, 1));
    expected_mails += 3 + 3;

    // Everything arrived in directie's mailbox, and not more.
    stack
        .wait_for_count(DIRECTIE, "INBOX", expected_mails as u32, WAIT)
        .await;
    settle(&stack).await;
    let all = mailbox(&stack, DIRECTIE).await;
    assert_eq!(all.len(), expected_mails, "directie's mailbox");
    let count = |needle: &str, kind: &str| {
        all.iter()
            .filter(|(_, m)| {
                let s = m.subject.as_deref().unwrap_or("");
                s.contains(needle) && s.contains(kind)
            })
            .count()
    };
    assert_eq!(count(&a, "Herinnering"), 2);
    assert_eq!(count(&a, "Termijn verstreken"), 9); // 10, 11, 14–18, 28, 29 Dec
    assert_eq!(count(&c, "Herinnering"), 2); // 9 and 18 Dec
    assert_eq!(count(&c, "Termijn verstreken"), 2); // 28, 29 Dec
    assert_eq!(
        count(&b, "Herinnering") + count(&b, "Termijn verstreken"),
        0
    );
    assert_eq!(count("Open klachten op", ""), 17); // every working day from 30 Nov

    // With Dutch dates and where each deadline stands.
    let first = with_subject(&all, &format!("[{a}] Herinnering")).unwrap();
    assert_eq!(
        first.subject.as_deref().unwrap(),
        format!("[{a}] Herinnering: ontvangstbevestiging uiterlijk woensdag 9 december 2015")
    );
    for part in ["nog 2 werkdagen", "maandag 14 december 2015", "KLACHT"] {
        assert!(
            body(first).contains(part),
            "reminder lacks {part:?}:\n{}",
            body(first)
        );
    }
    assert!(first
        .header("reply-to")
        .is_some_and(|r| r.contains("klachten+kl-")));
    let digest = with_subject(&all, "Open klachten op maandag 28 december 2015")
        .expect("digest of 28 December");
    let text = body(digest);
    assert!(
        text.contains(&a) && text.contains(&c) && !text.contains(&b),
        "{text}"
    );
    assert!(text.contains("over de termijn"), "{text}");

    // The escalation address got the escalations only, without a reply token.
    let escalations = subjects(&stack, ESCALATION, "Termijn verstreken").await;
    assert_eq!(escalations.len(), 9 + 2, "{escalations:?}");
    assert_eq!(mailbox(&stack, ESCALATION).await.len(), escalations.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_wakes_for_the_next_reminder_by_itself() {
    let stack = MailStack::start();
    let kb = Kb::new(
        &stack,
        SERVICE,
        "idle = true\npoll_interval_secs = 3600",
        "",
    );
    let raw = complaint("klant-d@example.test", "Klacht", "daemon-1@example.test");
    stack
        .append_at(SERVICE, "INBOX", &raw, "30-Nov-2015 10:00:00 +0100")
        .await;
    assert_eq!(sync_at(&kb, "2015-11-30T11:00"), (0, 0, 0));
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;

    // Started three seconds before the first reminder (08:00 on Monday 7 December, two
    // working days before confirm_by): the daemon sleeps until that moment and sends it
    // without a `sync`.
    let log_path = kb.path("run.log");
    let mut daemon = crate::hardening::Daemon(
        kb.command()
            .args(["--now", "2015-12-07T07:59:57", "run"])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log_path).unwrap())
            .spawn()
            .unwrap(),
    );
    let start = std::time::Instant::now();
    while stack.count(DIRECTIE, "INBOX").await < 2 {
        assert!(
            start.elapsed() < WAIT,
            "no reminder from the daemon; its log:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    assert!(daemon.wait().unwrap().success());
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert_eq!(
        log.matches("deadline mail queued").count(),
        1,
        "one reminder queued:\n{log}"
    );
    let reminder = subjects(&stack, DIRECTIE, "Herinnering").await;
    assert_eq!(reminder.len(), 1, "{reminder:?}");
    // After the restart, nothing is due again.
    assert_eq!(sync_at(&kb, "2015-12-07T08:10"), (0, 0, 0));
}
