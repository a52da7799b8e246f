//! `corpus`: the register's judged mail written as a labelled corpus that `eval` reads,
//! built through the real pipeline (customer mail stored and routed, cases promoted,
//! directie's replies authenticated by their tokens) on a manual clock.

use std::collections::BTreeMap;
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use klachtenbus::clock::Clock;
use klachtenbus::config::Settings;
use klachtenbus::pipeline::Pipeline;
use klachtenbus::store::Store;

use crate::support::{stderr, stdout, BIN};

const DIRECTIE: &str = "directie@firma.example";

fn mail(from: &str, subject: &str, id: &str, body: &str, at: DateTime<Utc>) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: klachten@firma.example\r\nSubject: {subject}\r\nDate: {}\r\nMessage-ID: <{id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        at.to_rfc2822()
    )
    .into_bytes()
}

/// Long enough for the learned weights, with a grievance in it but none of the words of
/// a complaint: the test sets the doubt band around its score.
const DOUBTFUL: &str = "Goedemiddag,\r\n\r\nDe nieuwe polis voor ons huis is gisteren binnengekomen. Ik vraag me wel af waarom de premie dit jaar iets hoger is dan vorig jaar, terwijl er aan de dekking niets is veranderd. Ik hoor graag waarom.\r\n\r\nGroet, Jan";
const COMPLAINT: &str = "Geachte heer, mevrouw,\r\n\r\nHierbij dien ik een formele klacht in over het hypotheekadvies van uw adviseur. Hij heeft mij nooit verteld dat de rente na vijf jaar zou stijgen, en op mijn mails van 3 en 17 oktober heb ik nog steeds geen antwoord. Dit is onacceptabel.\r\n\r\nMet vriendelijke groet,\r\nKarin de Vries";
const QUESTION: &str = "Kunt u mij vertellen wanneer mijn polis verloopt?";

fn config(dir: &std::path::Path, name: &str, db: &str, detection: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            "[database]\nurl = \"{db}\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"none\"\nfrom = \"klachten@firma.example\"\n\n[directie]\naddresses = [\"{DIRECTIE}\"]\nreply_secret = \"corpus-secret-0123456789\"\n\n[organisation]\nname = \"Firma B.V.\"\n\n[logging]\nlevel = \"warn\"\n\n{detection}"
        ),
    )
    .unwrap();
    path
}

fn score(config: &std::path::Path, raw: &[u8]) -> f64 {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), raw).unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(["classify", "--json"])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    verdict["score"].as_f64().unwrap()
}

struct Register {
    store: Store,
    clock: Clock,
    pipeline: Pipeline,
    replies: usize,
}

impl Register {
    /// Stores and routes one mail at `at`; its register id.
    async fn deliver(&mut self, raw: &[u8], at: DateTime<Utc>) -> i64 {
        self.clock.set(at);
        let stored = crate::support::store_unrouted(&self.store, raw, at).await;
        self.pipeline.route_new(&self.store).await.unwrap();
        stored.id()
    }

    /// Directie answers the notification of the case opened from message `id`.
    async fn reply(&mut self, id: i64, text: &str, at: DateTime<Utc>) {
        let reference = self.store.case_of_message(id).await.unwrap().unwrap();
        let case = self.store.case(reference).await.unwrap().unwrap();
        let mail = self.store.case_mail(case.id).await.unwrap();
        let notification = mail
            .iter()
            .find(|m| m.kind == "notificatie")
            .unwrap_or_else(|| panic!("no notification for {reference}"));
        let to = notification.reply_to.clone().expect("Reply-To with token");
        self.replies += 1;
        let raw = format!(
            "From: {DIRECTIE}\r\nTo: {to}\r\nSubject: Re: {}\r\nDate: {}\r\nMessage-ID: <antwoord-{}@firma.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n",
            notification.subject,
            at.to_rfc2822(),
            self.replies,
        );
        self.clock.set(at);
        crate::support::store_unrouted(&self.store, raw.as_bytes(), at).await;
        let report = self.pipeline.route_new(&self.store).await.unwrap();
        assert_eq!(
            report.replies_applied, 1,
            "{text:?} to {reference}: {report:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_s_judged_mail_becomes_a_labelled_corpus_that_eval_reads() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.sqlite").display());
    judged_mail_as_a_corpus(dir.path(), &db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_s_judged_mail_becomes_a_labelled_corpus_on_postgres() {
    let pg = crate::harness::Postgres::start();
    let db = pg.database("corpus").await;
    let dir = tempfile::tempdir().unwrap();
    judged_mail_as_a_corpus(dir.path(), &db).await;
}

/// Builds the register at `db` (seven customer mails, two promoted, four answers from
/// directie), writes it with `corpus` and reads it back with `eval`.
async fn judged_mail_as_a_corpus(dir: &std::path::Path, db: &str) {
    let day = |d: u32, h: u32| {
        Amsterdam
            .with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    };
    let at = day(24, 10);
    let raw = |from: &str, subject: &str, id: &str, body: &str| mail(from, subject, id, body, at);
    let complaint = |n: u32| {
        raw(
            &format!("Klant {n} <klant{n}@klant.example.test>"),
            "Klacht over mijn hypotheekadvies",
            &format!("klacht-{n}@klant.example.test"),
            COMPLAINT,
        )
    };
    let doubtful = |n: u32| {
        raw(
            &format!("Twijfel {n} <twijfel{n}@klant.example.test>"),
            "Polis",
            &format!("twijfel-{n}@klant.example.test"),
            DOUBTFUL,
        )
    };
    let question = |n: u32| {
        raw(
            &format!("Vraag {n} <vraag{n}@klant.example.test>"),
            "Vraag",
            &format!("vraag-{n}@klant.example.test"),
            QUESTION,
        )
    };

    // The doubt band around the doubtful mail's own score, so that the test does not hang
    // on the weights of the day: the threshold a point above it, the band from half a
    // point below; the complaint must score above the threshold.
    let plain = config(dir, "standaard.toml", db, "");
    let (doubt_score, complaint_score) =
        (score(&plain, &doubtful(0)), score(&plain, &complaint(0)));
    assert!(
        doubt_score > 0.5 && complaint_score > doubt_score + 1.5,
        "doubtful {doubt_score}, complaint {complaint_score}"
    );
    let config = config(
        dir,
        "klachtenbus.toml",
        db,
        &format!(
            "[detection]\nthreshold = {}\ndoubt_threshold = {}\n",
            doubt_score + 1.0,
            doubt_score - 0.5
        ),
    );
    let settings = Settings::load(Some(&config)).unwrap();
    let clock = Clock::manual(at);
    let store = Store::connect(db).await.unwrap();
    store.migrate().await.unwrap();
    let pipeline = klachtenbus::startup::pipeline(&settings)
        .unwrap()
        .with_clock(clock.clone());
    let mut reg = Register {
        store,
        clock,
        pipeline,
        replies: 0,
    };

    // Flagged and confirmed, flagged and set aside, flagged and still waiting; in the doubt
    // band and left, in the doubt band and made a case from the digest; ordinary and left,
    // ordinary and made a case by hand, then set aside.
    let mut ids: BTreeMap<&str, (i64, Vec<u8>)> = BTreeMap::new();
    for (name, raw) in [
        ("confirmed", complaint(1)),
        ("rejected", complaint(2)),
        ("waiting", complaint(3)),
        ("doubt_left", doubtful(1)),
        ("doubt_promoted", doubtful(2)),
        ("question", question(1)),
        ("question_promoted", question(2)),
    ] {
        let id = reg.deliver(&raw, at).await;
        ids.insert(name, (id, raw));
    }
    for name in ["doubt_promoted", "question_promoted"] {
        reg.pipeline.promote(&reg.store, ids[name].0).await.unwrap();
    }
    reg.reply(ids["confirmed"].0, "KLACHT", day(24, 14)).await;
    reg.reply(ids["rejected"].0, "GEEN KLACHT", day(24, 14))
        .await;
    reg.reply(ids["doubt_promoted"].0, "KLACHT", day(25, 9))
        .await;
    reg.reply(ids["question_promoted"].0, "GEEN KLACHT", day(25, 9))
        .await;
    reg.store.close().await;

    let out_dir = dir.join("eigen-mail");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["corpus", "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("6 berichten, 2 klachten en 4 andere")
            && said.contains("niet opgenomen: 1 nog niet beoordeeld door directie")
            && said.contains("persoonsgegevens"),
        "{said}"
    );

    // One line per mail, labelled by what directie made of it; each file the stored
    // bytes; the case still waiting and directie's four replies not among them.
    let labels: Vec<serde_json::Value> = std::fs::read_to_string(out_dir.join("labels.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_file: BTreeMap<String, &serde_json::Value> = labels
        .iter()
        .map(|l| (l["file"].as_str().unwrap().to_string(), l))
        .collect();
    let expect = [
        ("confirmed", true, "herkend"),
        ("rejected", false, "geen_klacht"),
        ("doubt_left", false, "twijfel_geen_zaak"),
        ("doubt_promoted", true, "twijfelgeval"),
        ("question", false, "niet_gesignaleerd"),
        ("question_promoted", false, "geen_klacht"),
    ];
    assert_eq!(labels.len(), expect.len(), "{labels:?}");
    for (name, complaint, class) in expect {
        let (id, raw) = &ids[name];
        let file = format!("bericht-{id}.eml");
        let label = by_file
            .get(&file)
            .unwrap_or_else(|| panic!("{name}: no {file} in {labels:?}"));
        assert_eq!(label["complaint"], complaint, "{name}: {label}");
        assert_eq!(label["class"], class, "{name}: {label}");
        assert_eq!(label["language"], "nl", "{name}: {label}");
        assert_eq!(&std::fs::read(out_dir.join(&file)).unwrap(), raw, "{name}");
    }
    assert!(!by_file.contains_key(&format!("bericht-{}.eml", ids["waiting"].0)));
    let files = std::fs::read_dir(&out_dir).unwrap().count();
    assert_eq!(
        files,
        expect.len() + 1,
        "the mails and labels.jsonl, nothing else"
    );

    // `eval` reads it with the register's own settings: the confirmed complaint flagged,
    // the one from the doubt band missed but counted in the band, per class.
    let eval = run(&["eval", out_dir.to_str().unwrap()]);
    let text = stdout(&eval);
    assert!(text.contains("berichten: 6"), "{text}\n{}", stderr(&eval));
    assert!(text.contains("recall:    0,500"), "{text}");
    assert!(text.contains("1 van de 1 gemiste klachten"), "{text}");
    for class in [
        "herkend",
        "twijfelgeval",
        "geen_klacht",
        "niet_gesignaleerd",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(class)),
            "no class row {class}: {text}"
        );
    }
    // With the default threshold the doubtful mail is flagged: the firm sees what another
    // setting would have done on its own mail.
    let default = Command::new(BIN)
        .arg("--config")
        .arg(&plain)
        .args(["eval", out_dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        stdout(&default).contains("recall:    1,000"),
        "{}",
        stdout(&default)
    );

    // A folder that holds anything is refused and left as it was; a period with no mail
    // writes an empty corpus and says so.
    let again = run(&["corpus", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("is not empty"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), files);
    let earlier = dir.join("vorig-jaar");
    let out = run(&[
        "--lang",
        "en",
        "corpus",
        "--out",
        earlier.to_str().unwrap(),
        "--period",
        "2025-H2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("0 messages") && stdout(&out).contains("no mail judged"),
        "{}",
        stdout(&out)
    );
}
