//! The storage contract, run on SQLite and on PostgreSQL (issue: foundation, acceptance 8),
//! plus `import` and `messages` through the binary.

use chrono::{TimeZone, Utc};
use klachtenbus::parse;
use klachtenbus::store::{sha256_hex, Checkpoint, NewMessage, Origin, Store, Stored};

use crate::harness::Postgres;
use crate::support::{mail, stdout, BIN, VALID_SERVICES};

fn message(i: u32, uidvalidity: u32, raw: Vec<u8>) -> NewMessage {
    NewMessage {
        parsed: parse::parse(&raw),
        size: raw.len() as u64,
        raw,
        origin: Origin::Imap {
            mailbox: "INBOX".into(),
            uidvalidity,
            uid: i,
        },
        received_at: Utc
            .with_ymd_and_hms(2026, 11, 20 + (i % 5), 9, 30, 0)
            .unwrap(),
    }
}

fn sample(i: u32) -> Vec<u8> {
    mail(
        &format!("Klant {i} <klant{i}@example.test>"),
        "klachten@example.test",
        &format!("Onderwerp {i} – ëïé"),
        &format!("Tekst {i}"),
        &format!("store-{i}@example.test"),
    )
}

async fn storage_contract(url: &str) {
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // idempotent

    assert!(store.checkpoint("INBOX").await.unwrap().is_none());
    let batch: Vec<NewMessage> = (1..=3).map(|i| message(i, 77, sample(i))).collect();
    let cp = Checkpoint {
        uidvalidity: 77,
        last_uid: 3,
    };
    let out = store
        .store_batch("INBOX", cp, &batch, chrono::Utc::now())
        .await
        .unwrap();
    assert!(out.iter().all(|s| matches!(s, Stored::New(_))), "{out:?}");
    assert_eq!(store.checkpoint("INBOX").await.unwrap(), Some(cp));
    assert_eq!(store.message_count().await.unwrap(), 3);

    // Not yet flagged on the server until told so.
    assert_eq!(
        store.server_pending("INBOX", 77).await.unwrap(),
        vec![1, 2, 3]
    );
    store
        .clear_server_pending("INBOX", 77, &[1, 3])
        .await
        .unwrap();
    assert_eq!(store.server_pending("INBOX", 77).await.unwrap(), vec![2]);
    store.clear_server_pending("INBOX", 77, &[2]).await.unwrap();

    // The same bytes again under a new UIDVALIDITY: nothing new, the location moves.
    let again: Vec<NewMessage> = (1..=3).map(|i| message(i + 10, 78, sample(i))).collect();
    let cp2 = Checkpoint {
        uidvalidity: 78,
        last_uid: 13,
    };
    let out = store
        .store_batch("INBOX", cp2, &again, chrono::Utc::now())
        .await
        .unwrap();
    assert!(
        out.iter().all(|s| matches!(s, Stored::Duplicate(_))),
        "{out:?}"
    );
    assert_eq!(store.message_count().await.unwrap(), 3);
    assert_eq!(
        store.server_pending("INBOX", 78).await.unwrap(),
        vec![11, 12, 13]
    );
    assert_eq!(store.checkpoint("INBOX").await.unwrap(), Some(cp2));

    // Raw bytes survive byte for byte, NUL and high bytes included.
    let mut odd = b"From: x@example.test\r\nSubject: odd\r\n\r\n".to_vec();
    odd.extend_from_slice(&[0, 1, 2, 0xff, 0xfe, 0x80, b'\r', b'\n']);
    let odd_msg = message(20, 78, odd.clone());
    let id = store
        .store_batch(
            "INBOX",
            Checkpoint {
                uidvalidity: 78,
                last_uid: 20,
            },
            &[odd_msg],
            chrono::Utc::now(),
        )
        .await
        .unwrap()[0]
        .id();
    assert_eq!(store.raw(id).await.unwrap().unwrap(), odd);

    // The checkpoint never moves back within one UIDVALIDITY (a writer with an older view
    // cannot undo a later one); a new UIDVALIDITY sets it outright.
    let behind = Checkpoint {
        uidvalidity: 78,
        last_uid: 15,
    };
    store
        .store_batch("INBOX", behind, &[], chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(
        store.checkpoint("INBOX").await.unwrap().map(|c| c.last_uid),
        Some(20)
    );
    let fresh = Checkpoint {
        uidvalidity: 79,
        last_uid: 2,
    };
    store
        .store_batch("INBOX", fresh, &[], chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(store.checkpoint("INBOX").await.unwrap(), Some(fresh));
    // A reset (after a UIDVALIDITY change is seen) sets it whatever it was.
    let back = Checkpoint {
        uidvalidity: 78,
        last_uid: 20,
    };
    store
        .reset_checkpoint("INBOX", back, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(store.checkpoint("INBOX").await.unwrap(), Some(back));

    // Parsed fields round-trip.
    let first = store
        .list_messages()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.message_id.as_deref() == Some("store-1@example.test"))
        .unwrap();
    let parsed = store.parsed(first.id).await.unwrap().unwrap();
    assert_eq!(parsed.subject.as_deref(), Some("Onderwerp 1 – ëïé"));
    assert_eq!(parsed.from.unwrap().name.as_deref(), Some("Klant 1"));
    assert_eq!(parsed.message_id.as_deref(), Some("store-1@example.test"));
    assert_eq!(first.sha256, sha256_hex(&sample(1)));

    // Imported mail is not pending on any server.
    let mut imported = message(0, 0, sample(30));
    imported.origin = Origin::Import;
    assert!(matches!(
        store
            .store_one(&imported, chrono::Utc::now())
            .await
            .unwrap(),
        Stored::New(_)
    ));
    assert!(matches!(
        store
            .store_one(&imported, chrono::Utc::now())
            .await
            .unwrap(),
        Stored::Duplicate(_)
    ));

    // A batch is all or nothing: make the raw insert fail and nothing of it remains.
    sqlx::query("ALTER TABLE message_raw RENAME TO message_raw_away")
        .execute(store.pool())
        .await
        .unwrap();
    let failing: Vec<NewMessage> = (40..43).map(|i| message(i, 78, sample(i))).collect();
    let err = store
        .store_batch(
            "INBOX",
            Checkpoint {
                uidvalidity: 78,
                last_uid: 42,
            },
            &failing,
            chrono::Utc::now(),
        )
        .await;
    assert!(err.is_err());
    sqlx::query("ALTER TABLE message_raw_away RENAME TO message_raw")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(store.message_count().await.unwrap(), 5);
    assert_eq!(
        store.checkpoint("INBOX").await.unwrap().unwrap().last_uid,
        20
    );

    // A batch written with multi-row statements: new mail, mail stored before (its location
    // moves) and the same bytes twice within the batch (stored once, the second a duplicate
    // of the first), each answered in the order given.
    let mixed = vec![
        message(50, 78, sample(50)),
        message(51, 78, sample(2)),
        message(52, 78, sample(52)),
        message(53, 78, sample(50)),
    ];
    let out = store
        .store_batch(
            "INBOX",
            Checkpoint {
                uidvalidity: 78,
                last_uid: 53,
            },
            &mixed,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let (Stored::New(a), Stored::Duplicate(b), Stored::New(c), Stored::Duplicate(d)) =
        (out[0], out[1], out[2], out[3])
    else {
        panic!("{out:?}");
    };
    assert_eq!(d, a, "the second copy is the first's row");
    assert_ne!(a, c);
    assert_eq!(store.raw(a).await.unwrap().unwrap(), sample(50));
    assert_eq!(store.raw(c).await.unwrap().unwrap(), sample(52));
    assert_eq!(store.message_count().await.unwrap(), 7);
    let pending = store.server_pending("INBOX", 78).await.unwrap();
    assert!(
        [51, 52, 53].iter().all(|u| pending.contains(u)) && !pending.contains(&50),
        "the copies' locations: {pending:?}"
    );
    store
        .clear_server_pending("INBOX", 78, &[51, 52, 53])
        .await
        .unwrap();
    assert!(store
        .server_pending("INBOX", 78)
        .await
        .unwrap()
        .iter()
        .all(|u| ![51, 52, 53].contains(u)));

    // Several parsed mails in one query, in the order asked, a missing id left out.
    let many = store.parsed_many(&[c, 999_999, b]).await.unwrap();
    let got: Vec<(i64, Option<String>)> = many
        .iter()
        .map(|(id, m, _)| (*id, m.message_id.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (c, Some("store-52@example.test".into())),
            (b, Some("store-2@example.test".into()))
        ]
    );
    assert_eq!(
        many[1].2,
        store.received_at(b).await.unwrap().unwrap(),
        "with its arrival"
    );

    // Verdicts recorded many at a time: a message routed meanwhile keeps its route.
    let verdict = klachtenbus::detect::Detector::new(1.5, None)
        .unwrap()
        .judge(Some("Vraag"), "Wanneer komt mijn jaaropgave?");
    let mut tx = store
        .begin("example.test", chrono::Utc::now())
        .await
        .unwrap();
    assert!(tx.claim_route(c, "case", None, None).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store
        .begin("example.test", chrono::Utc::now())
        .await
        .unwrap();
    let claimed = tx
        .claim_plain(&[
            (a, "message", None, &verdict),
            (c, "message", None, &verdict),
            (b, "screened", Some("mailing_list"), &verdict),
        ])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut want = vec![a, b];
    want.sort_unstable();
    assert_eq!(claimed, want);
    let routes: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT message_pk, route, detail FROM routing ORDER BY message_pk")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert!(routes.contains(&(a, "message".into(), None)), "{routes:?}");
    assert!(routes.contains(&(c, "case".into(), None)), "{routes:?}");
    assert!(
        routes.contains(&(b, "screened".into(), Some("mailing_list".into()))),
        "{routes:?}"
    );
    assert!(store.verdict(a).await.unwrap().is_some());

    // Health: failing since the first failure, alerted once (a second instance reading the
    // same state does not alert again), cleared by a success.
    store
        .health_failed("intake", "connection refused", chrono::Utc::now())
        .await
        .unwrap();
    store
        .health_failed("intake", "still refused", chrono::Utc::now())
        .await
        .unwrap();
    let h = store.health().await.unwrap();
    assert_eq!(h.len(), 1);
    assert!(h[0].failing_since.is_some());
    assert_eq!(h[0].last_error.as_deref(), Some("still refused"));
    let now = chrono::Utc::now();
    let mut tx = store
        .begin("example.test", chrono::Utc::now())
        .await
        .unwrap();
    assert!(tx.set_alerted("intake", None, Some(now)).await.unwrap());
    assert!(!tx.set_alerted("intake", None, Some(now)).await.unwrap());
    tx.commit().await.unwrap();
    store.health_ok("intake", chrono::Utc::now()).await.unwrap();
    let h = store.health().await.unwrap();
    assert!(h[0].failing_since.is_none() && h[0].alerted_at.is_some() && h[0].last_ok.is_some());
    let was = h[0].alerted_at.clone();
    let mut tx = store
        .begin("example.test", chrono::Utc::now())
        .await
        .unwrap();
    assert!(tx
        .set_alerted("intake", was.as_deref(), None)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    assert!(store.health().await.unwrap()[0].alerted_at.is_none());
    store.close().await;
}

#[tokio::test]
async fn storage_contract_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("nested/dir/k.sqlite").display()
    );
    storage_contract(&url).await;
    // WAL and FULL sync are in force.
    let store = Store::connect(&url).await.unwrap();
    let row: (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(row.0.to_lowercase(), "wal");
    let row: (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(row.0, 2, "synchronous = FULL");
}

#[tokio::test]
async fn storage_contract_postgres() {
    let pg = Postgres::start();
    let url = pg.database("contract").await;
    storage_contract(&url).await;
}

#[test]
fn import_dates_by_header_and_messages_lists_json() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("k.toml");
    std::fs::write(
        &cfg,
        format!(
            "[database]\nurl = \"sqlite://{}\"\n\n{VALID_SERVICES}",
            dir.path().join("k.sqlite").display()
        ),
    )
    .unwrap();
    let a = dir.path().join("a.eml");
    std::fs::write(
        &a,
        mail(
            "Els <els@example.test>",
            "k@example.test",
            "Archief",
            "oud",
            "arch-1@example.test",
        ),
    )
    .unwrap();
    let b = dir.path().join("b.eml");
    std::fs::write(
        &b,
        b"From: x@example.test\r\nSubject: zonder datum\r\n\r\nx\r\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.eml");

    let run = |args: &[&std::ffi::OsStr]| {
        std::process::Command::new(BIN)
            .arg("--config")
            .arg(&cfg)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "import".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
        missing.as_os_str(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a missing file fails the command"
    );
    let text = stdout(&out);
    assert!(
        text.contains("ontvangen 24-11-2026 10:00 (Date-kopregel)"),
        "{text}"
    );
    assert!(text.contains("tijd van het bestand"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.eml"));

    let out = run(&["import".as_ref(), a.as_os_str()]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("al opgeslagen"));

    let out = run(&["messages".as_ref(), "--json".as_ref()]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let first = rows
        .iter()
        .find(|r| r["message_id"] == "arch-1@example.test")
        .unwrap();
    for key in [
        "id",
        "message_id",
        "from",
        "subject",
        "received_at",
        "complaint",
        "score",
        "case",
    ] {
        assert!(
            first.get(key).is_some(),
            "messages --json lacks {key}: {first}"
        );
    }
    assert_eq!(first["from"], "els@example.test");
    assert_eq!(first["received_at"], "2026-11-24T09:00:00Z");
    assert!(first["case"].is_null());

    let out = run(&["messages".as_ref()]);
    assert!(stdout(&out).contains("2 berichten"));

    // `backup FILE`: a copy of the register that opens and holds the same messages; an
    // existing file is never overwritten.
    let copy = dir.path().join("backup.sqlite");
    let out = run(&["backup".as_ref(), copy.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let backup = klachtenbus::store::Store::connect(&format!("sqlite://{}", copy.display()))
            .await
            .unwrap();
        let n = backup.list_messages().await.unwrap().len();
        backup.close().await;
        n
    });
    assert_eq!(listed, 2);
    let out = run(&["backup".as_ref(), copy.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already exists"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
