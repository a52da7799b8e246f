//! The hardening campaign behind `scripts/campaign.sh`: the `klachtenbus` binary, run as a
//! child process against a private Dovecot + Postfix on loopback, is pushed area by area —
//! killed while it works, its mail servers taken away, fed hostile and forged mail — and
//! each area prints one figure line, `campaign: <area>: … ok|FAILED`. The last line is
//! `campaign: N areas, M failed`; the exit code is 1 when any area failed.
//!
//! `--short` runs every area with small counts (for CI); without it the full counts run.
//! `--seed N` fixes the random choices (kill moments, hostile bytes); the seed is printed.
//! `--only AREA[,AREA]` runs only the named areas (for working on one).
//!
//! Every loop is bounded in count and in wall time; only 127.0.0.1 is contacted.

#[path = "../tests/integration/harness.rs"]
mod harness;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::TryStreamExt;
use klachtenbus::case::token::TokenKey;
use klachtenbus::case::CaseRef;
use klachtenbus::parse::ParsedMail;
use serde_json::Value;

use harness::{header_block, MailStack, PASSWORD, UNKNOWN_RECIPIENT};

/// The service's mailbox (local part) and address.
const SERVICE: &str = "klachten";
const SERVICE_ADDR: &str = "klachten@example.test";
const DIRECTIE: &str = "directie@example.test";
/// A second directie address, for tokens that belong to the other one.
const OTHER_DIRECTIE: &str = "tweede@example.test";
const REPLY_SECRET: &str = "campaign-reply-secret-5d81c07e";
const TRUSTED_AUTHSERV: &str = "mx.example.test";
const STRANGER: &str = "boef@example.test";
/// A complaint the detector flags (the one the integration tests use).
const COMPLAINT: &str =
    "U heeft mij verkeerd geadviseerd over mijn hypotheek en ik ben nog steeds \
    niet teruggebeld. Dit is echt onacceptabel.";
const WAIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// Sizes

#[derive(Debug, Clone, Copy)]
struct Plan {
    kills: usize,
    complaints: usize,
    /// Lifetime of a daemon before its SIGKILL: uniform in this range (seconds).
    lifetime: (f64, f64),
    /// Wall-time cap of the kill phase, and of the final phase after it.
    kill_cap: Duration,
    final_cap: Duration,
    smtp_customers: usize,
    imap_restarts: usize,
    imap_batch: usize,
    uv_mails: usize,
    hostile: usize,
    hostile_big: usize,
    erase_people: usize,
    log_complaints: usize,
}

impl Plan {
    fn full() -> Plan {
        Plan {
            kills: 30,
            complaints: 200,
            lifetime: (0.3, 6.0),
            kill_cap: Duration::from_secs(420),
            final_cap: Duration::from_secs(180),
            smtp_customers: 5,
            imap_restarts: 3,
            imap_batch: 10,
            uv_mails: 20,
            hostile: 1000,
            hostile_big: 3,
            erase_people: 6,
            log_complaints: 3,
        }
    }

    fn short() -> Plan {
        Plan {
            kills: 3,
            complaints: 20,
            lifetime: (0.4, 4.0),
            kill_cap: Duration::from_secs(90),
            final_cap: Duration::from_secs(90),
            smtp_customers: 2,
            imap_restarts: 1,
            imap_batch: 5,
            uv_mails: 6,
            hostile: 100,
            hostile_big: 1,
            erase_people: 2,
            log_complaints: 2,
        }
    }
}

struct Ctx {
    bin: PathBuf,
    plan: Plan,
    seed: u64,
}

/// One area's figure line.
struct Area {
    figures: String,
    ok: bool,
}

impl Area {
    fn new(figures: String, ok: bool) -> Area {
        Area { figures, ok }
    }
}

// ---------------------------------------------------------------------------------------
// The klachtenbus installation under test

/// The binary next to this example: `target/<profile>/klachtenbus`.
fn locate_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("{} has no grandparent folder", exe.display()))?;
    let bin = profile_dir.join("klachtenbus");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is missing: build it first with `cargo build --bin klachtenbus` (scripts/campaign.sh does)",
            bin.display()
        ))
    }
}

/// One klachtenbus installation: a folder with its config file and SQLite database.
struct Kb {
    dir: tempfile::TempDir,
    config: PathBuf,
    db: PathBuf,
    bin: PathBuf,
    /// Setting overrides (KLACHTENBUS__…) for every command.
    env: Vec<(String, String)>,
}

impl Kb {
    /// Reads the service's mailbox on `stack`; `imap_extra` goes into `[imap]`, `extra` is
    /// appended TOML with its own section headers.
    fn new(bin: &Path, stack: &MailStack, imap_extra: &str, extra: &str) -> Kb {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("kb.sqlite");
        let toml = format!(
            "[imap]\nhost = \"127.0.0.1\"\nport = {imap}\nsecurity = \"none\"\nusername = \"{SERVICE_ADDR}\"\npassword = \"{PASSWORD}\"\n{imap_extra}\n\n\
             [database]\nurl = \"sqlite://{db}\"\n\n\
             [logging]\nlevel = \"debug\"\n\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {smtp}\nsecurity = \"none\"\nfrom = \"{SERVICE_ADDR}\"\nretry_first_secs = 0\n\n\
             [directie]\naddresses = [\"{DIRECTIE}\"]\nreply_secret = \"{REPLY_SECRET}\"\n\
             # The campaign counts mailboxes: one mail per decision, as before these existed.\n\
             confirmations = false\nreview_position = false\n\n\
             [organisation]\nname = \"De Vries Advies B.V.\"\nphone = \"020 123 45 67\"\nsignatory = \"J. de Vries, directeur\"\nkifid_number = \"300.012345\"\n\n{extra}\n",
            imap = stack.imap_port,
            smtp = stack.smtp_port,
            db = db.display(),
        );
        let config = dir.path().join("klachtenbus.toml");
        std::fs::write(&config, toml).expect("write config");
        Kb {
            dir,
            config,
            db,
            bin: bin.to_path_buf(),
            env: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--config")
            .arg(&self.config)
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run klachtenbus")
    }

    /// A command that must succeed (the campaign cannot go on otherwise).
    fn must(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "klachtenbus {} failed ({}): {}",
            args.join(" "),
            out.status,
            text(&out.stderr)
        );
        out
    }

    fn json(&self, args: &[&str]) -> Vec<Value> {
        let out = self.must(args);
        serde_json::from_slice(&out.stdout).expect("klachtenbus printed JSON")
    }

    /// `klachtenbus [args] run`, its standard error appended to `log`.
    fn daemon(&self, log: &Path, args: &[&str]) -> Daemon {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("daemon log");
        let child = self
            .command()
            .args(args)
            .arg("run")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start klachtenbus run");
        Daemon { child: Some(child) }
    }
}

/// A running `klachtenbus run`; killed when dropped (an area that aborts leaves nothing).
struct Daemon {
    child: Option<Child>,
}

impl Daemon {
    /// SIGKILL. `Some(status)` when it had already exited by itself.
    fn kill(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// SIGTERM, then waits up to `cap`; `None` when it had to be killed.
    async fn terminate(&mut self, cap: Duration) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            if start.elapsed() > cap {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn panics(log: &str) -> usize {
    log.matches("panicked at").count()
}

// ---------------------------------------------------------------------------------------
// Reading the database (read-only, one short connection per question)

async fn db_connect(db: &Path) -> Option<sqlx::SqliteConnection> {
    use sqlx::Connection;
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .busy_timeout(Duration::from_secs(10));
    sqlx::SqliteConnection::connect_with(&opts).await.ok()
}

async fn db_count(db: &Path, sql: &str) -> i64 {
    use sqlx::Connection;
    let Some(mut conn) = db_connect(db).await else {
        return -1;
    };
    let n = sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&mut conn)
        .await
        .unwrap_or(-1);
    let _ = conn.close().await;
    n
}

/// Message-ID → (route, detail) of every stored message.
async fn db_routes(db: &Path) -> HashMap<String, (String, String)> {
    use sqlx::{Connection, Row};
    let mut out = HashMap::new();
    let Some(mut conn) = db_connect(db).await else {
        return out;
    };
    let rows = sqlx::query(
        "SELECT m.message_id AS id, COALESCE(r.route, '(unrouted)') AS route,
                COALESCE(r.detail, '') AS detail
         FROM messages m LEFT JOIN routing r ON r.message_pk = m.id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    for r in rows {
        if let Ok(Some(id)) = r.try_get::<Option<String>, _>("id") {
            out.insert(
                id,
                (
                    r.try_get("route").unwrap_or_default(),
                    r.try_get("detail").unwrap_or_default(),
                ),
            );
        }
    }
    let _ = conn.close().await;
    out
}

/// Every value of every column of every table, for a search of the whole database.
async fn db_all_values(db: &Path) -> Vec<(String, Vec<u8>)> {
    use sqlx::{Connection, Row};
    let mut out = Vec::new();
    let Some(mut conn) = db_connect(db).await else {
        return out;
    };
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    for t in tables {
        let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(&t)
            .fetch_all(&mut conn)
            .await
            .unwrap_or_default();
        for c in cols {
            let sql = format!("SELECT CAST(\"{c}\" AS BLOB) AS v FROM \"{t}\"");
            for r in sqlx::query(&sql)
                .fetch_all(&mut conn)
                .await
                .unwrap_or_default()
            {
                if let Ok(Some(v)) = r.try_get::<Option<Vec<u8>>, _>("v") {
                    out.push((format!("{t}.{c}"), v));
                }
            }
        }
    }
    let _ = conn.close().await;
    out
}

// ---------------------------------------------------------------------------------------
// Mail helpers

fn date_now() -> String {
    Utc::now().to_rfc2822()
}

/// A plain-text mail.
fn mail(from: &str, to: &str, subject: &str, body: &str, id: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        date_now(),
        body.replace("\r\n", "\n").replace('\n', "\r\n")
    )
    .into_bytes()
}

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

fn b64_lines(data: &[u8]) -> String {
    let flat = b64(data);
    let mut out = String::with_capacity(flat.len() + flat.len() / 38);
    for (i, c) in flat.chars().enumerate() {
        if i > 0 && i % 76 == 0 {
            out.push_str("\r\n");
        }
        out.push(c);
    }
    out
}

/// An RFC 2047 encoded word (base64, UTF-8).
fn encoded_word(s: &str) -> String {
    format!("=?utf-8?b?{}?=", b64(s.as_bytes()))
}

/// The plus-address token of a Reply-To (`klachten+<token>@…`).
fn token_of(address: &str) -> String {
    address
        .split_once('+')
        .and_then(|(_, rest)| rest.split_once('@'))
        .map(|(t, _)| t.to_string())
        .unwrap_or_default()
}

fn reply_address(note: &ParsedMail) -> String {
    note.header("reply-to")
        .map(|r| {
            r.trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
                .to_string()
        })
        .unwrap_or_default()
}

/// Messages `from_seq`.. of `user`'s INBOX (raw and parsed).
async fn fetch_since(stack: &MailStack, user: &str, from_seq: u32) -> Vec<(Vec<u8>, ParsedMail)> {
    let mut s = stack.imap(user).await;
    let mut out = Vec::new();
    if let Ok(mb) = s.select("INBOX").await {
        if mb.exists >= from_seq {
            if let Ok(stream) = s.fetch(format!("{from_seq}:*"), "BODY.PEEK[]").await {
                let fetches: Vec<_> = stream.try_collect().await.unwrap_or_default();
                for f in fetches {
                    if let Some(raw) = f.body() {
                        let parsed = klachtenbus::parse::parse(raw);
                        out.push((raw.to_vec(), parsed));
                    }
                }
            }
        }
    }
    let _ = s.logout().await;
    out
}

/// Waits until `user`'s `folder` holds at least `n` messages, at most `cap`; the count.
async fn wait_count(stack: &MailStack, user: &str, folder: &str, n: u32, cap: Duration) -> u32 {
    let start = Instant::now();
    loop {
        let have = stack.count(user, folder).await;
        if have >= n || start.elapsed() > cap {
            return have;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

fn postfix_queue_empty(stack: &MailStack) -> bool {
    Command::new("postqueue")
        .arg("-c")
        .arg(stack.root().join("postfix/etc"))
        .arg("-p")
        .output()
        .map(|o| text(&o.stdout).contains("Mail queue is empty"))
        .unwrap_or(false)
}

/// Lets Postfix hand over everything it holds (at most a minute), then a moment for LMTP.
async fn settle(stack: &MailStack) {
    stack.flush_postfix();
    let start = Instant::now();
    while !postfix_queue_empty(stack) && start.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
}

/// Waits until the register holds at least `n` messages, at most `cap`.
async fn wait_stored(db: &Path, n: i64, cap: Duration) -> i64 {
    let start = Instant::now();
    loop {
        let have = db_count(db, "SELECT COUNT(*) FROM messages").await;
        if have >= n || start.elapsed() > cap {
            return have;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The notifications (`Mogelijke klacht`) in a mailbox, by case reference.
fn notifications(mails: &[(Vec<u8>, ParsedMail)]) -> BTreeMap<String, Vec<&ParsedMail>> {
    let mut out: BTreeMap<String, Vec<&ParsedMail>> = BTreeMap::new();
    for (_, m) in mails {
        let Some(subject) = m.subject.as_deref() else {
            continue;
        };
        if !subject.contains("Mogelijke klacht") {
            continue;
        }
        if let Some(r) = CaseRef::find_in(subject) {
            out.entry(r.to_string()).or_default().push(m);
        }
    }
    out
}

/// (distinct Message-IDs, copies) of a list of mails.
fn distinct_ids(mails: &[&ParsedMail]) -> (usize, usize) {
    let ids: HashSet<String> = mails
        .iter()
        .map(|m| m.message_id.clone().unwrap_or_default())
        .collect();
    (ids.len(), mails.len())
}

/// Message-ID → how often it occurs.
fn id_counts<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for id in ids {
        *out.entry(id.to_string()).or_insert(0) += 1;
    }
    out
}

fn extra_copies(counts: &HashMap<String, usize>) -> usize {
    counts.values().map(|n| n.saturating_sub(1)).sum()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn ok(b: bool) -> &'static str {
    if b {
        "ok"
    } else {
        "FAILED"
    }
}

// ---------------------------------------------------------------------------------------
// 1. kill: SIGKILL the daemon at random moments while complaints and replies arrive

fn area_kill(ctx: &Ctx) -> Area {
    let plan = ctx.plan;
    let stack = MailStack::start();
    let kb = Kb::new(
        &ctx.bin,
        &stack,
        "fetch_batch = 5\npoll_interval_secs = 5",
        "",
    );
    kb.must(&["migrate"]);
    let log = kb.path("daemon.log");
    let n = plan.complaints;
    let rt = runtime();
    rt.block_on(async {
        let sent: RefCell<Vec<String>> = RefCell::new(Vec::new());
        let producer_done = Cell::new(false);
        let stop_responder = Cell::new(false);
        let answered: RefCell<BTreeMap<String, String>> = RefCell::new(BTreeMap::new());
        let kills = Cell::new(0usize);
        let busy_kills = Cell::new(0usize);
        let early_exits: RefCell<Vec<String>> = RefCell::new(Vec::new());
        let start = Instant::now();
        let hard_cap = plan.kill_cap + plan.final_cap + Duration::from_secs(60);

        // Complaints through Postfix, one customer each (so no daily limit applies).
        let producer = async {
            let mut rng = fastrand::Rng::with_seed(ctx.seed ^ 1);
            // Spread over roughly the time the kills take.
            let spread_ms = (plan.kills as u64 * 3200).max(8_000) / n as u64;
            // In bursts of 1-12, so that a kill often lands while the daemon is busy.
            let mut i = 0;
            while i < n && start.elapsed() <= plan.kill_cap {
                let burst = rng.usize(1..=12).min(n - i);
                for _ in 0..burst {
                    let id = format!("kill-c{i}@campaign.test");
                    let customer = format!("klant-k{i}@example.test");
                    let raw = mail(
                        &format!("Klant Nummer{i} <{customer}>"),
                        SERVICE_ADDR,
                        &format!("Klacht {i} over mijn hypotheek"),
                        COMPLAINT,
                        &id,
                    );
                    stack.send(&customer, &[SERVICE_ADDR], &raw).await;
                    sent.borrow_mut().push(id);
                    i += 1;
                }
                let pause = rng.u64(0..=2 * spread_ms * burst as u64);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            producer_done.set(true);
        };

        // Directie: answers every new notification with KLACHT, once per case.
        let responder = async {
            let mut seen = 0u32;
            while !stop_responder.get() && start.elapsed() < hard_cap {
                let new = fetch_since(&stack, DIRECTIE, seen + 1).await;
                seen += new.len() as u32;
                for (_, note) in &new {
                    let Some(subject) = note.subject.as_deref() else {
                        continue;
                    };
                    if !subject.contains("Mogelijke klacht") {
                        continue;
                    }
                    let Some(r) = CaseRef::find_in(subject) else {
                        continue;
                    };
                    let r = r.to_string();
                    if answered.borrow().contains_key(&r) {
                        continue;
                    }
                    let id = format!("kill-r-{}@campaign.test", r.to_lowercase());
                    let (to, raw) = harness::reply_to(note, DIRECTIE, "KLACHT", &id);
                    stack.send(DIRECTIE, &[&to], &raw).await;
                    answered.borrow_mut().insert(r, id);
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        };

        // Work in flight: mail delivered but not stored, stored but not routed, or queued
        // and not sent.
        let in_flight = || async {
            let stored = db_count(&kb.db, "SELECT COUNT(*) FROM messages").await;
            let open = db_count(
                &kb.db,
                "SELECT (SELECT COUNT(*) FROM messages m LEFT JOIN routing r ON r.message_pk = m.id
                         WHERE r.message_pk IS NULL)
                      + (SELECT COUNT(*) FROM outbox WHERE status = 'pending')",
            )
            .await;
            let delivered = i64::from(stack.count(SERVICE, "INBOX").await);
            open > 0 || delivered > stored
        };

        // The killer: run, SIGKILL at a random moment, restart; then one last run that is
        // allowed to finish, stopped with SIGTERM.
        let killer = async {
            let mut rng = fastrand::Rng::with_seed(ctx.seed ^ 2);
            let (lo, hi) = plan.lifetime;
            loop {
                let mut d = kb.daemon(&log, &[]);
                let life = lo + rng.f64() * (hi - lo);
                tokio::time::sleep(Duration::from_secs_f64(life)).await;
                // Every other kill waits (at most 3 s more) for the daemon to have work.
                if rng.bool() {
                    let wait = Instant::now();
                    while !in_flight().await && wait.elapsed() < Duration::from_secs(3) {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    tokio::time::sleep(Duration::from_millis(rng.u64(0..40))).await;
                }
                let busy = in_flight().await;
                match d.kill() {
                    None => {
                        kills.set(kills.get() + 1);
                        if busy {
                            busy_kills.set(busy_kills.get() + 1);
                        }
                    }
                    Some(status) => early_exits.borrow_mut().push(status.to_string()),
                }
                if (kills.get() >= plan.kills && producer_done.get())
                    || start.elapsed() > plan.kill_cap
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(rng.u64(0..800))).await;
            }
            // One last run, allowed to finish what is left (a killed worker's claims are
            // released at once by the next process on the same host).
            let mut d = kb.daemon(&log, &[]);
            let final_start = Instant::now();
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let confirmed = db_count(
                    &kb.db,
                    "SELECT COUNT(*) FROM cases WHERE status = 'in_behandeling'",
                )
                .await;
                let pending =
                    db_count(&kb.db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
                        .await;
                let want = sent.borrow().len() as i64;
                if producer_done.get() && confirmed >= want && pending == 0 {
                    break;
                }
                if final_start.elapsed() > plan.final_cap {
                    break;
                }
            }
            let status = d.terminate(Duration::from_secs(30)).await;
            stop_responder.set(true);
            status
        };

        let ((), (), last_exit) = tokio::join!(producer, responder, killer);
        let sent = sent.into_inner();
        let answered = answered.into_inner();

        // Everything handed to Postfix reaches the service's mailbox; then one last sync.
        settle(&stack).await;
        let expected_inbox = (sent.len() + answered.len()) as u32;
        let inbox_count = wait_count(&stack, SERVICE, "INBOX", expected_inbox, WAIT).await;
        let drain = kb.run(&["sync"]);
        settle(&stack).await;

        // What was delivered against what was stored.
        let inbox = harness::mailbox(&stack, SERVICE).await;
        let inbox_ids = id_counts(
            inbox
                .iter()
                .map(|(_, m)| m.message_id.as_deref().unwrap_or("")),
        );
        let messages = kb.json(&["messages", "--json"]);
        let stored_ids = id_counts(
            messages
                .iter()
                .map(|m| m["message_id"].as_str().unwrap_or("")),
        );
        let lost = inbox_ids
            .keys()
            .filter(|id| !stored_ids.contains_key(*id))
            .count();
        let dup_messages = extra_copies(&stored_ids);
        let dup_in_inbox = extra_copies(&inbox_ids);
        let case_of: HashMap<&str, Option<&str>> = messages
            .iter()
            .map(|m| {
                (
                    m["message_id"].as_str().unwrap_or(""),
                    m["case"].as_str(),
                )
            })
            .collect();
        let without_case = sent
            .iter()
            .filter(|id| case_of.get(id.as_str()).copied().flatten().is_none())
            .count();
        let cases = kb.json(&["cases", "--json"]);
        let per_customer = id_counts(cases.iter().map(|c| c["from"].as_str().unwrap_or("")));
        let dup_cases = extra_copies(&per_customer);
        let confirmed = cases
            .iter()
            .filter(|c| c["status"] == "in_behandeling")
            .count();

        // Acknowledgements in the customers' mailboxes, notifications in directie's.
        let (mut ack_multi, mut ack_missing, mut ack_redelivered, mut acks) = (0, 0, 0, 0);
        for c in cases.iter().filter(|c| c["status"] == "in_behandeling") {
            let Some(customer) = c["from"].as_str() else {
                continue;
            };
            let letters = harness::mailbox(&stack, customer).await;
            let ackd: Vec<&ParsedMail> = letters
                .iter()
                .map(|(_, m)| m)
                .filter(|m| {
                    m.subject
                        .as_deref()
                        .is_some_and(|s| s.contains("Ontvangstbevestiging"))
                })
                .collect();
            let (distinct, copies) = distinct_ids(&ackd);
            acks += distinct;
            ack_redelivered += copies - distinct;
            if distinct > 1 {
                ack_multi += 1;
            }
            if distinct == 0 {
                ack_missing += 1;
            }
        }
        let directie = harness::mailbox(&stack, DIRECTIE).await;
        let notes = notifications(&directie);
        let (mut note_multi, mut note_redelivered) = (0, 0);
        for list in notes.values() {
            let (distinct, copies) = distinct_ids(list);
            note_redelivered += copies - distinct;
            if distinct > 1 {
                note_multi += 1;
            }
        }
        let refused = directie
            .iter()
            .filter(|(_, m)| {
                m.subject
                    .as_deref()
                    .is_some_and(|s| s.starts_with("Antwoord niet uitgevoerd"))
            })
            .count();
        let daemon_log = std::fs::read_to_string(&log).unwrap_or_default();
        let panic_count = panics(&daemon_log) + panics(&text(&drain.stderr));
        let early = early_exits.into_inner();
        let last_ok = last_exit.is_some_and(|s| s.success());

        let good = kills.get() >= plan.kills
            && sent.len() == n
            && inbox_count == expected_inbox
            && lost == 0
            && dup_messages == dup_in_inbox
            && dup_cases == 0
            && without_case == 0
            && confirmed == sent.len()
            && ack_multi == 0
            && ack_missing == 0
            && note_multi == 0
            && panic_count == 0
            && early.is_empty()
            && last_ok
            && drain.status.success();
        let mut figures = format!(
            "{} kills ({} with work in flight; random {}-{} s lifetimes), {}/{} complaints + {} directie replies delivered ({} in the mailbox); \
             {lost} lost, {} duplicate messages, {dup_cases} duplicate cases, {without_case} without case, \
             {confirmed}/{} confirmed; acknowledgements {acks} for {confirmed} cases: {ack_multi} cases with >1 distinct Message-ID, \
             {ack_missing} missing, {ack_redelivered} same-Message-ID redeliveries (at-least-once window); \
             notifications: {note_multi} cases with >1 distinct, {note_redelivered} same-Message-ID redeliveries; \
             {refused} replies refused; {panic_count} panics",
            kills.get(),
            busy_kills.get(),
            plan.lifetime.0,
            plan.lifetime.1,
            sent.len(),
            n,
            answered.len(),
            inbox_count,
            dup_messages.saturating_sub(dup_in_inbox),
            sent.len(),
        );
        if dup_in_inbox > 0 {
            figures.push_str(&format!(
                "; {dup_in_inbox} copies delivered twice by Postfix"
            ));
        }
        if !early.is_empty() {
            figures.push_str(&format!(
                "; daemon exited by itself {} times ({})",
                early.len(),
                early.join(", ")
            ));
        }
        if !last_ok {
            figures.push_str(&format!("; last run's SIGTERM exit: {last_exit:?}"));
        }
        if !drain.status.success() {
            figures.push_str(&format!(
                "; final sync failed: {}",
                text(&drain.stderr).trim()
            ));
        }
        Area::new(figures, good)
    })
}

// ---------------------------------------------------------------------------------------
// 2. smtp: Postfix away while letters are due; a recipient that gets a 5xx

fn area_smtp(ctx: &Ctx) -> Area {
    let plan = ctx.plan;
    let mut stack = MailStack::start();
    let kb = Kb::new(&ctx.bin, &stack, "", "");
    let rt = runtime();
    let mut customers: Vec<String> = (0..plan.smtp_customers)
        .map(|i| format!("smtp-klant{i}@example.test"))
        .collect();
    customers.push(UNKNOWN_RECIPIENT.to_string());
    let k = customers.len() as u32;
    rt.block_on(async {
        for (i, c) in customers.iter().enumerate() {
            let raw = mail(
                c,
                SERVICE_ADDR,
                &format!("Klacht over advies {i}"),
                COMPLAINT,
                &format!("smtp-c{i}@campaign.test"),
            );
            stack
                .send("afzender@example.test", &[SERVICE_ADDR], &raw)
                .await;
        }
        wait_count(&stack, SERVICE, "INBOX", k, WAIT).await;
        kb.must(&["sync"]);
        wait_count(&stack, DIRECTIE, "INBOX", k, WAIT).await;
        let directie = harness::mailbox(&stack, DIRECTIE).await;
        let notes = notifications(&directie);
        for (r, list) in &notes {
            let (to, raw) = harness::reply_to(
                list[0],
                DIRECTIE,
                "KLACHT",
                &format!("smtp-r-{}@campaign.test", r.to_lowercase()),
            );
            stack.send(DIRECTIE, &[&to], &raw).await;
        }
        wait_count(&stack, SERVICE, "INBOX", 2 * k, WAIT).await;

        // Postfix goes away while the acknowledgements fall due.
        stack.stop_postfix();
        let mut down_sent = 0;
        let mut waiting = 0;
        for _ in 0..3 {
            let out = kb.must(&["sync"]);
            let s = text(&out.stdout);
            down_sent += number_before(&s, " verstuurd,");
            waiting = number_before(&s, " wachtend");
        }
        let attempts_min = db_count(
            &kb.db,
            "SELECT COALESCE(MIN(attempts), 0) FROM outbox WHERE status = 'pending'",
        )
        .await;
        let attempts_max = db_count(
            &kb.db,
            "SELECT COALESCE(MAX(attempts), 0) FROM outbox WHERE status = 'pending'",
        )
        .await;
        stack.start_postfix();
        let mut up = String::new();
        for _ in 0..3 {
            up.push_str(&text(&kb.must(&["sync"]).stdout));
        }
        settle(&stack).await;
        let failed_attempts_before = db_count(
            &kb.db,
            &format!(
                "SELECT COALESCE(SUM(attempts), -1) FROM outbox WHERE status = 'failed' AND recipient = '{UNKNOWN_RECIPIENT}'"
            ),
        )
        .await;
        for _ in 0..2 {
            kb.must(&["sync"]);
        }
        settle(&stack).await;
        let failed_attempts_after = db_count(
            &kb.db,
            &format!(
                "SELECT COALESCE(SUM(attempts), -1) FROM outbox WHERE status = 'failed' AND recipient = '{UNKNOWN_RECIPIENT}'"
            ),
        )
        .await;
        let failed_rows = db_count(
            &kb.db,
            &format!(
                "SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND recipient = '{UNKNOWN_RECIPIENT}'"
            ),
        )
        .await;

        // Each customer's letter arrived once.
        let (mut delivered, mut duplicated, mut missing) = (0, 0, 0);
        for c in customers.iter().filter(|c| *c != UNKNOWN_RECIPIENT) {
            let letters = harness::mailbox(&stack, c).await;
            let all: Vec<&ParsedMail> = letters.iter().map(|(_, m)| m).collect();
            let (distinct, copies) = distinct_ids(&all);
            match distinct {
                0 => missing += 1,
                1 => delivered += 1,
                _ => duplicated += 1,
            }
            duplicated += copies - distinct;
        }
        let directie = harness::mailbox(&stack, DIRECTIE).await;
        let told = directie
            .iter()
            .filter(|(_, m)| {
                m.subject
                    .as_deref()
                    .is_some_and(|s| s.contains("Niet bezorgd"))
                    && m.body_text
                        .as_deref()
                        .is_some_and(|b| b.contains(UNKNOWN_RECIPIENT))
            })
            .count();
        let normal = customers.len() - 1;
        let good = down_sent == 0
            && waiting == normal + 1
            && delivered == normal
            && duplicated == 0
            && missing == 0
            && failed_rows == 1
            && failed_attempts_before == failed_attempts_after
            && told == 1;
        Area::new(
            format!(
                "Postfix down for 3 syncs: {down_sent} sent, {waiting} letters waiting ({attempts_min}-{attempts_max} attempts each); \
                 after restart {delivered}/{normal} delivered, {duplicated} duplicated, {missing} missing; \
                 5xx recipient: {failed_rows} failed permanently, attempts {failed_attempts_before} -> {failed_attempts_after} over 2 more syncs (not retried), directie told {told}x"
            ),
            good,
        )
    })
}

/// The number just before `marker` in `text` ("3 verstuurd," → 3); 0 when absent.
fn number_before(text: &str, marker: &str) -> usize {
    text.find(marker)
        .map(|i| {
            text[..i]
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .chars()
                .rev()
                .collect::<String>()
        })
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// 3. imap: Dovecot restarted under `run`; a UIDVALIDITY change

fn area_imap(ctx: &Ctx) -> Area {
    let plan = ctx.plan;
    let mut stack = MailStack::start();
    let kb = Kb::new(
        &ctx.bin,
        &stack,
        "idle = true\npoll_interval_secs = 3600",
        "",
    );
    kb.must(&["migrate"]);
    let log = kb.path("run.log");
    let rt = runtime();
    rt.block_on(async {
        let mut rng = fastrand::Rng::with_seed(ctx.seed ^ 3);
        let mut d = kb.daemon(&log, &[]);
        let mut sent = 0i64;
        let mut stalls = 0;
        let send = |r: usize, part: &str, k: usize| {
            mail(
                &format!("imap-klant{k}@example.test"),
                SERVICE_ADDR,
                &format!("Vraag {r}{part}{k}"),
                &format!("Bericht {r}{part}{k}: wanneer verloopt mijn polis?"),
                &format!("imap-{r}{part}{k}@campaign.test"),
            )
        };
        for r in 0..plan.imap_restarts {
            for k in 0..plan.imap_batch {
                stack
                    .send("afzender@example.test", &[SERVICE_ADDR], &send(r, "a", k))
                    .await;
                sent += 1;
            }
            if wait_stored(&kb.db, sent, Duration::from_secs(90)).await < sent {
                stalls += 1;
            }
            // Dovecot goes away; Postfix keeps taking mail and holds it.
            stack.stop_dovecot();
            for k in 0..plan.imap_batch {
                stack
                    .send("afzender@example.test", &[SERVICE_ADDR], &send(r, "b", k))
                    .await;
                sent += 1;
            }
            tokio::time::sleep(Duration::from_millis(rng.u64(200..3000))).await;
            stack.start_dovecot();
            stack.flush_postfix();
            if wait_stored(&kb.db, sent, Duration::from_secs(120)).await < sent {
                stalls += 1;
            }
        }
        let exit = d.terminate(Duration::from_secs(30)).await;
        let inbox = harness::mailbox(&stack, SERVICE).await;
        let inbox_ids = id_counts(
            inbox
                .iter()
                .map(|(_, m)| m.message_id.as_deref().unwrap_or("")),
        );
        let messages = kb.json(&["messages", "--json"]);
        let stored = id_counts(
            messages
                .iter()
                .map(|m| m["message_id"].as_str().unwrap_or("")),
        );
        let lost = inbox_ids
            .keys()
            .filter(|id| !stored.contains_key(*id))
            .count();
        let twice = extra_copies(&stored);
        let log_text = std::fs::read_to_string(&log).unwrap_or_default();
        let reconnects = log_text.matches("reconnecting").count();
        let mut panic_count = panics(&log_text);
        // On a stall, what the daemon said about its connection: each reconnect's wait and
        // the start of its error, so the next stall can be read from the figure line.
        let trail = if stalls > 0 {
            let waits: Vec<String> = log_text
                .lines()
                .filter(|l| l.contains("reconnecting"))
                .map(|l| {
                    let field = |k: &str| {
                        l.split(k)
                            .nth(1)
                            .map(|v| v.chars().take(60).collect::<String>())
                            .unwrap_or_default()
                    };
                    format!("wait {} after {}", field("retry_in_secs=").split(' ').next().unwrap_or(""), field("error="))
                })
                .collect();
            format!(" [stall; reconnects: {}]", waits.join(" | "))
        } else {
            String::new()
        };

        // UIDVALIDITY: the folder is recreated with the same mails and a few new ones.
        const FOLDER: &str = "Klachtenbus";
        let kb2 = Kb::new(
            &ctx.bin,
            &stack,
            &format!("folder = \"{FOLDER}\""),
            "",
        );
        let old: Vec<Vec<u8>> = (0..plan.uv_mails)
            .map(|i| {
                mail(
                    "uv-klant@example.test",
                    SERVICE_ADDR,
                    &format!("Map {i}"),
                    "tekst",
                    &format!("uv-{i}@campaign.test"),
                )
            })
            .collect();
        let fresh = (plan.uv_mails / 4).max(2);
        let new: Vec<Vec<u8>> = (0..fresh)
            .map(|i| {
                mail(
                    "uv-klant@example.test",
                    SERVICE_ADDR,
                    &format!("Nieuw {i}"),
                    "tekst",
                    &format!("uv-new-{i}@campaign.test"),
                )
            })
            .collect();
        stack.append(SERVICE, FOLDER, &old).await;
        let first = kb2.run(&["sync"]);
        panic_count += panics(&text(&first.stderr));
        let before = uidvalidity(&stack, FOLDER).await;
        {
            let mut s = stack.imap(SERVICE).await;
            let _ = s.delete(FOLDER).await;
            let _ = s.logout().await;
        }
        let mut again = old.clone();
        again.extend(new.iter().cloned());
        stack.append(SERVICE, FOLDER, &again).await;
        let after = uidvalidity(&stack, FOLDER).await;
        let second = kb2.run(&["sync"]);
        panic_count += panics(&text(&second.stderr));
        let report = text(&second.stdout);
        let messages2 = kb2.json(&["messages", "--json"]);
        let stored2 = id_counts(
            messages2
                .iter()
                .map(|m| m["message_id"].as_str().unwrap_or("")),
        );
        let twice2 = extra_copies(&stored2);
        let expected2 = plan.uv_mails + fresh;
        let lost2 = old
            .iter()
            .chain(new.iter())
            .enumerate()
            .filter(|(i, _)| {
                let id = if *i < plan.uv_mails {
                    format!("uv-{i}@campaign.test")
                } else {
                    format!("uv-new-{}@campaign.test", i - plan.uv_mails)
                };
                !stored2.contains_key(&id)
            })
            .count();
        let re_read = number_before(&report, " al opgeslagen");
        let newly = number_before(&report, " opgeslagen,");

        let good = exit.is_some_and(|s| s.success())
            && stalls == 0
            && sent as usize == inbox.len()
            && lost == 0
            && twice == 0
            && reconnects >= plan.imap_restarts
            && first.status.success()
            && second.status.success()
            && before.is_some()
            && before != after
            && twice2 == 0
            && lost2 == 0
            && messages2.len() == expected2
            && re_read == plan.uv_mails
            && newly == fresh
            && panic_count == 0;
        Area::new(
            format!(
                "{} Dovecot restarts under run: {sent} sent, {} in the mailbox, {} stored, {lost} lost, {twice} stored twice, \
                 {stalls} stalls{trail}, {reconnects} reconnects logged, SIGTERM {}; UIDVALIDITY {} -> {}: {re_read} re-read as already stored, \
                 {newly} new stored, {} stored in all ({expected2} expected), {twice2} twice, {lost2} lost; {panic_count} panics",
                plan.imap_restarts,
                inbox.len(),
                messages.len(),
                exit.map(|s| s.to_string()).unwrap_or_else(|| "none (killed)".into()),
                before.map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                after.map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                messages2.len(),
            ),
            good,
        )
    })
}

async fn uidvalidity(stack: &MailStack, folder: &str) -> Option<u32> {
    let mut s = stack.imap(SERVICE).await;
    let v = s.select(folder).await.ok().and_then(|m| m.uid_validity);
    let _ = s.logout().await;
    v
}

// ---------------------------------------------------------------------------------------
// 4. hostile: generated malformed, huge and bomb-like mail, appended over IMAP

fn corpus_bases() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    for dir in ["corpus", "corpus2/tune", "corpus2/test", "demo"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "eml") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn hash_of(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

fn head(i: usize, kind: &str) -> String {
    format!(
        "From: Hostile {i} <hostile{}@example.test>\r\nTo: {SERVICE_ADDR}\r\nDate: {}\r\nMessage-ID: <hostile-{kind}-{i}@campaign.test>\r\n",
        i % 41,
        date_now()
    )
}

/// A valid mail with a few bytes flipped, cut or doubled.
fn byte_flipped(base: &[u8], i: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut m = format!("X-Campaign-Seq: flip-{i}\r\n").into_bytes();
    m.extend_from_slice(base);
    for _ in 0..rng.usize(1..=24) {
        let pos = rng.usize(..m.len());
        m[pos] = match rng.u8(..9) {
            0 => 0,
            1 => b'\r',
            2 => b'\n',
            3 => b':',
            4 => b'=',
            5 => b'?',
            6 => rng.u8(0x80..),
            7 => b'-',
            _ => rng.u8(..),
        };
    }
    match rng.u8(..8) {
        0 => {
            let cut = rng.usize(1..m.len().max(2));
            m.truncate(cut);
        }
        1 => {
            let a = rng.usize(..m.len());
            let b = (a + rng.usize(1..200)).min(m.len());
            let chunk = m[a..b].to_vec();
            m.splice(a..a, chunk);
        }
        _ => {}
    }
    m
}

/// Broken MIME in twenty shapes.
fn broken_mime(i: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let h = head(i, "mime");
    let words = [
        "onacceptabel",
        "klacht",
        "verkeerd geadviseerd",
        "nooit teruggebeld",
        "polis",
        "vraag",
    ];
    let phrase = words[rng.usize(..words.len())];
    let filler = "x".repeat(rng.usize(0..2000));
    let mut m: Vec<u8> = match i % 20 {
        0 => format!("{h}Subject: open\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zz{i}\"\r\n\r\n--zz{i}\r\nContent-Type: text/plain\r\n\r\n{phrase} nooit gesloten {filler}\r\n").into_bytes(),
        1 => format!("{h}Subject: unused\r\nContent-Type: multipart/alternative; boundary=\"nope\"\r\n\r\n{phrase} just text\r\n").into_bytes(),
        2 => format!("{h}Subject: empty boundary\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n\r\n{phrase}\r\n----\r\n").into_bytes(),
        3 => format!("{h}Subject: crossed\r\nContent-Type: multipart/mixed; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\n{phrase}\r\n--a--\r\n--b--\r\n").into_bytes(),
        4 => format!("{h}Subject: charset\r\nContent-Type: text/plain; charset=x-unknown-{}\r\n\r\n{phrase} \u{e9}\u{e8}\r\n", rng.u32(..)).into_bytes(),
        5 => {
            let mut v = format!("{h}Subject: \u{ff}bad utf8 ").into_bytes();
            v.extend_from_slice(b"\xff\xfe\xc3\x28\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xc3\x28 \xa0\xa1 \xf0\x28\x8c\xbc ");
            v.extend_from_slice(phrase.as_bytes());
            v.extend_from_slice(b"\r\n");
            v
        }
        6 => {
            let body = b64_lines(format!("Ik ben {phrase} en teleurgesteld. {filler}").as_bytes());
            let cut = rng.usize(1..body.len().max(2));
            format!("{h}Subject: b64 cut\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n", &body[..cut]).into_bytes()
        }
        7 => format!("{h}Subject: b64 junk\r\nContent-Type: multipart/mixed; boundary=\"j\"\r\n\r\n--j\r\nContent-Type: text/plain\r\n\r\n{phrase}\r\n--j\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!****====%%%%{filler}\r\n--j--\r\n").into_bytes(),
        8 => format!("{h}Subject: qp\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=4= {phrase}\r\ntrailing soft break =\r\n=\r\n=").into_bytes(),
        9 => {
            let mut v = format!("{h}Subject: nul\x00in\x00subject\r\nX-Nul: \x00\x00\r\n\r\nbody\x00with\x00nul {phrase}\r\n").into_bytes();
            v.push(0);
            v
        }
        10 => format!("this is not a header\r\nneither is this {phrase}\r\n{h}\r\nbody\r\n").into_bytes(),
        11 => format!("{h}Subject: lf only\nContent-Type: text/plain\n\n{phrase}\n\rstray CR\r\rend\n").into_bytes(),
        12 => format!("{h}Subject: only headers {phrase}").into_bytes(),
        13 => {
            let mut v = h.clone().into_bytes();
            v.extend((0..rng.usize(64..8192)).map(|_| rng.u8(..)));
            v
        }
        14 => {
            let mut v = format!("{h}Subject: nested messages\r\n").into_bytes();
            for _ in 0..rng.usize(10..80) {
                v.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\nFrom: b@example.test\r\nSubject: inner\r\n");
            }
            v.extend_from_slice(format!("\r\n{phrase}\r\n").as_bytes());
            v
        }
        15 => {
            let params: String = (0..rng.usize(1000..10000)).map(|k| format!("; p{k}=\"{k}\"")).collect();
            format!("{h}Subject: params\r\nContent-Type: text/plain; charset=utf-8{params}\r\n\r\n{phrase}\r\n").into_bytes()
        }
        16 => {
            let cs = ["utf-16", "utf-32", "utf-7", "utf-16le", "ucs-2"][rng.usize(..5)];
            let mut v = format!("{h}Subject: {cs}\r\nContent-Type: text/plain; charset={cs}\r\nContent-Transfer-Encoding: binary\r\n\r\n").into_bytes();
            v.extend((0..rng.usize(1..999)).map(|_| rng.u8(..)));
            v
        }
        17 => {
            let names: String = (0..rng.usize(100..2000)).map(|k| format!(";\r\n name*{k}*=utf-8''%E2%80%AE%{:02X}", rng.u8(..))).collect();
            format!("{h}Subject: rfc2231\r\nContent-Type: multipart/mixed; boundary=\"q\"\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\n{phrase}\r\n--q\r\nContent-Type: application/octet-stream{names}\r\nContent-Disposition: attachment{}\r\n\r\nAAAA\r\n--q--\r\n", names.replace("name*", "filename*")).into_bytes()
        }
        18 => {
            let tags = "<div><table><tr><td>".repeat(rng.usize(100..5000));
            format!("{h}Subject: html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>{tags}{phrase}<script>alert(1)</script><!-- unclosed comment {filler}").into_bytes()
        }
        _ => format!("{h}Subject: cte\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\nM{filler}\r\n{phrase}\r\n").into_bytes(),
    };
    if rng.u8(..4) == 0 {
        // Sometimes also cut at a random place.
        let cut = rng.usize(1..m.len().max(2));
        m.truncate(cut);
    }
    m
}

fn deep_nesting(i: usize) -> Vec<u8> {
    let depths = [100usize, 500, 2000, 5000, 20000];
    let depth = depths[(i / 2) % depths.len()];
    let mut m = format!(
        "{}Subject: deep {depth}\r\nMIME-Version: 1.0\r\n",
        head(i, "deep")
    )
    .into_bytes();
    if i.is_multiple_of(2) {
        for d in 0..depth {
            m.extend_from_slice(
                format!("Content-Type: multipart/mixed; boundary=\"b{d}\"\r\n\r\n--b{d}\r\n")
                    .as_bytes(),
            );
        }
        m.extend_from_slice(b"Content-Type: text/plain\r\n\r\ndiep onacceptabel\r\n");
        for d in (0..depth).rev() {
            m.extend_from_slice(format!("--b{d}--\r\n").as_bytes());
        }
    } else {
        for _ in 0..depth / 10 {
            m.extend_from_slice(
                b"Content-Type: message/rfc822\r\n\r\nFrom: b@example.test\r\nSubject: inner\r\nMIME-Version: 1.0\r\n",
            );
        }
        m.extend_from_slice(b"\r\nbinnenste klacht\r\n");
    }
    m
}

fn encoded_word_bomb(i: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let h = head(i, "bomb");
    let n = rng.usize(20_000..50_000);
    let fold = |words: Vec<String>| -> String {
        words
            .chunks(8)
            .map(|c| c.join(" "))
            .collect::<Vec<_>>()
            .join("\r\n ")
    };
    let (subject, from) = match i % 6 {
        0 => (
            fold(
                (0..n)
                    .map(|_| "=?utf-8?b?S2xhY2h0IQ==?=".to_string())
                    .collect(),
            ),
            None,
        ),
        1 => (
            "bomb in from".to_string(),
            Some(format!(
                "From: {} <bomb{i}@example.test>\r\n",
                fold((0..n).map(|k| encoded_word(&format!("n{k}"))).collect())
            )),
        ),
        2 => (
            fold(
                (0..n)
                    .map(|k| format!("=?x-unknown-{k}?q?=FF=FE=00?="))
                    .collect(),
            ),
            None,
        ),
        3 => (
            format!(
                "=?utf-8?b?{}?=",
                b64(&"klacht onacceptabel ".repeat(n * 2).into_bytes())
            ),
            None,
        ),
        4 => (
            "bomb in to".to_string(),
            Some(format!(
                "Cc: {}\r\n",
                (0..n)
                    .map(|k| format!("=?utf-8?q?a{k}?= <a{k}@example.test>"))
                    .collect::<Vec<_>>()
                    .join(",\r\n ")
            )),
        ),
        _ => (
            fold(
                (0..n)
                    .map(|k| format!("=?utf-8?q?=3D=3Futf-8=3Fb=3F{k}=3F=3D?= =?utf-8?b?"))
                    .collect(),
            ),
            None,
        ),
    };
    let mut m = h;
    if let Some(f) = from {
        // Replace the ordinary From by the bomb.
        m = m
            .lines()
            .filter(|l| !l.starts_with("From:"))
            .map(|l| format!("{l}\r\n"))
            .collect::<String>();
        m.push_str(&f);
    }
    format!("{m}Subject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIk ben ontevreden.\r\n")
        .into_bytes()
}

fn long_header_lines(i: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let h = head(i, "long");
    let len = rng.usize(256 * 1024..1024 * 1024);
    let extra = match i % 6 {
        0 => format!("Subject: {}\r\n", "A".repeat(len)),
        1 => format!(
            "Subject: lang\r\nX-Long: {}\r\n",
            (0..len).map(|_| rng.alphanumeric()).collect::<String>()
        ),
        2 => {
            let mut s = "Subject: many fields\r\n".to_string();
            for k in 0..len / 50 {
                s.push_str(&format!("X-H{k}: waarde {k}\r\n"));
            }
            s
        }
        3 => format!(
            "Subject: refs\r\nReferences: {}\r\n",
            (0..len / 30)
                .map(|k| format!("<r{k}@example.test>"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        4 => format!(
            "Subject: folded\r\nX-Folded: begin{}\r\n",
            "\r\n \t".repeat(len / 4)
        ),
        _ => format!(
            "Subject: boundary\r\nContent-Type: multipart/mixed; boundary=\"{}\"\r\n",
            "b".repeat(len)
        ),
    };
    let body = if i % 6 == 5 {
        "\r\nklacht zonder grens\r\n".to_string()
    } else {
        "Content-Type: text/plain; charset=utf-8\r\n\r\nIk ben ontevreden over uw advies.\r\n"
            .to_string()
    };
    format!("{h}{extra}{body}").into_bytes()
}

fn ten_megabytes(i: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    const SIZE: usize = 10 * 1024 * 1024;
    let h = head(i, "big");
    match i % 3 {
        0 => {
            let phrase = "dit is onacceptabel en ik ben het er niet mee eens, u heeft nagelaten mij te informeren.\r\n";
            format!(
                "{h}Subject: Lang verhaal\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}",
                phrase.repeat(SIZE / phrase.len())
            )
            .into_bytes()
        }
        1 => {
            let data: Vec<u8> = (0..SIZE * 3 / 4).map(|_| rng.u8(..)).collect();
            format!(
                "{h}Subject: Bijlage\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"big\"\r\n\r\n--big\r\nContent-Type: text/plain\r\n\r\nZie bijlage, ik ben zeer ontevreden.\r\n--big\r\nContent-Type: application/octet-stream; name=scan.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--big--\r\n",
                b64_lines(&data)
            )
            .into_bytes()
        }
        _ => format!(
            "{h}Subject: Een regel\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}",
            "klacht ".repeat(SIZE / 7)
        )
        .into_bytes(),
    }
}

fn hostile_mails(small: usize, big: usize, seed: u64) -> Vec<(&'static str, Vec<u8>)> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let bases = corpus_bases();
    let n_deep = (small / 100).max(3);
    let n_bomb = (small / 50).max(4);
    let n_long = (small / 50).max(4);
    let n_mime = small * 3 / 10;
    let n_flip = small.saturating_sub(n_deep + n_bomb + n_long + n_mime);
    let mut out: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |kind: &'static str, m: Vec<u8>, out: &mut Vec<(&'static str, Vec<u8>)>| {
        if seen.insert(hash_of(&m)) {
            out.push((kind, m));
            true
        } else {
            false
        }
    };
    for i in 0..big {
        push("10 MB", ten_megabytes(i, &mut rng), &mut out);
    }
    for i in 0..n_deep {
        push("deep nesting", deep_nesting(i), &mut out);
    }
    for i in 0..n_bomb {
        push(
            "encoded-word bomb",
            encoded_word_bomb(i, &mut rng),
            &mut out,
        );
    }
    for i in 0..n_long {
        push(
            "long header lines",
            long_header_lines(i, &mut rng),
            &mut out,
        );
    }
    let mut i = 0;
    let mut made = 0;
    while made < n_mime && i < n_mime * 4 {
        if push("broken MIME", broken_mime(i, &mut rng), &mut out) {
            made += 1;
        }
        i += 1;
    }
    let mut made = 0;
    let mut i = 0;
    while made < n_flip && i < n_flip * 4 && !bases.is_empty() {
        let base = &bases[rng.usize(..bases.len())];
        if push("byte flips", byte_flipped(base, i, &mut rng), &mut out) {
            made += 1;
        }
        i += 1;
    }
    out
}

/// Appends every mail over IMAP; a mail the server refuses (NUL bytes, …) is dropped into
/// the Maildir instead, as a delivery agent would. (appended, via maildir)
async fn append_all(stack: &MailStack, user: &str, mails: &[(&str, Vec<u8>)]) -> (usize, usize) {
    let mut session = stack.imap(user).await;
    let (mut appended, mut maildir) = (0, 0);
    let stamp = Utc::now().timestamp();
    for (i, (_, m)) in mails.iter().enumerate() {
        let done = tokio::time::timeout(
            Duration::from_secs(60),
            session.append("INBOX", None, None, m),
        )
        .await;
        match done {
            Ok(Ok(_)) => appended += 1,
            _ => {
                drop(session);
                stack.deliver_to_maildir(
                    user,
                    &format!("{stamp}.M{i}P{}.campaign,S={}", std::process::id(), m.len()),
                    m,
                );
                maildir += 1;
                session = stack.imap(user).await;
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
    (appended, maildir)
}

fn area_hostile(ctx: &Ctx) -> Area {
    let plan = ctx.plan;
    let stack = MailStack::start();
    let kb = Kb::new(&ctx.bin, &stack, "", "");
    let mails = hostile_mails(plan.hostile, plan.hostile_big, ctx.seed ^ 4);
    let total = mails.len();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, _) in &mails {
        *kinds.entry(k).or_insert(0) += 1;
    }
    let bytes: usize = mails.iter().map(|(_, m)| m.len()).sum();
    let rt = runtime();
    rt.block_on(async {
        let (appended, maildir) = append_all(&stack, SERVICE, &mails).await;
        drop(mails);
        let in_box = wait_count(&stack, SERVICE, "INBOX", total as u32, WAIT).await;
        let t = Instant::now();
        let first = kb.run(&["sync"]);
        let sync_secs = t.elapsed().as_secs();
        let second = kb.run(&["sync"]);
        let messages = kb.json(&["messages", "--json"]);
        let stored = messages.len();
        let unrouted = messages
            .iter()
            .filter(|m| m["complaint"].is_null() && m.get("routing_failed").is_none())
            .count();
        let failed = messages
            .iter()
            .filter(|m| m.get("routing_failed").is_some_and(|f| !f.is_null()))
            .count();
        let mut status: BTreeMap<String, usize> = BTreeMap::new();
        for m in &messages {
            *status
                .entry(m["parse_status"].as_str().unwrap_or("?").to_string())
                .or_insert(0) += 1;
        }
        let log = format!("{}{}", text(&first.stderr), text(&second.stderr));
        let panic_count = panics(&log);
        let second_out = text(&second.stdout);
        let nothing_left = second_out.contains(": 0 opgehaald");
        let good = in_box as usize == total
            && stored == total
            && unrouted == 0
            && panic_count == 0
            && first.status.success()
            && second.status.success()
            && nothing_left;
        let kinds = kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        let status = status
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        Area::new(
            format!(
                "{total} mails, {:.0} MB ({kinds}; {appended} by APPEND, {maildir} into the Maildir): {in_box} in the mailbox, \
                 {stored} stored ({status}), {unrouted} left unrouted, {failed} routing failed; sync exit {} in {sync_secs} s, \
                 second sync exit {} with {} left; {panic_count} panics",
                bytes as f64 / 1e6,
                first.status.code().map(|c| c.to_string()).unwrap_or_else(|| first.status.to_string()),
                second.status.code().map(|c| c.to_string()).unwrap_or_else(|| second.status.to_string()),
                if nothing_left { "nothing" } else { "something" },
            ),
            good,
        )
    })
}

// ---------------------------------------------------------------------------------------
// 5. forged: mails that claim directie's authority without having it

struct Forged {
    name: &'static str,
    envelope_from: &'static str,
    envelope_to: String,
    raw: Vec<u8>,
    id: String,
    /// The third party a forged forward names (no case may be opened for them).
    third_party: Option<String>,
}

/// Header lines (already formatted), then a text/plain body.
fn raw_with(headers: &[String], body: &str) -> Vec<u8> {
    let mut s = String::new();
    for h in headers {
        s.push_str(h);
        s.push_str("\r\n");
    }
    s.push_str(&format!(
        "Date: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        date_now(),
        body.replace('\n', "\r\n")
    ));
    s.into_bytes()
}

fn forward_body(third: &str) -> String {
    format!(
        "KLACHT\n\n---------- Doorgestuurd bericht ---------\nVan: Derde Partij <{third}>\nOnderwerp: Gesprek\n\nIk vond het gesprek met uw adviseur niet prettig en ben zeer ontevreden.\n"
    )
}

fn area_forged(ctx: &Ctx) -> Area {
    let stack = MailStack::start();
    let mut kb = Kb::new(&ctx.bin, &stack, "", "");
    kb.env.push((
        "KLACHTENBUS__DIRECTIE__ADDRESSES".into(),
        format!("{DIRECTIE},{OTHER_DIRECTIE}"),
    ));
    let rt = runtime();
    rt.block_on(async {
        // Four cases: two to forge against, two for the genuine controls.
        let customers = [
            "forged-a@example.test",
            "forged-b@example.test",
            "forged-c@example.test",
            "forged-d@example.test",
        ];
        for (i, c) in customers.iter().enumerate() {
            let raw = mail(
                c,
                SERVICE_ADDR,
                &format!("Klacht {i}"),
                COMPLAINT,
                &format!("forged-c{i}@campaign.test"),
            );
            stack
                .send("afzender@example.test", &[SERVICE_ADDR], &raw)
                .await;
        }
        wait_count(&stack, SERVICE, "INBOX", 4, WAIT).await;
        kb.must(&["sync"]);
        wait_count(&stack, DIRECTIE, "INBOX", 4, WAIT).await;
        wait_count(&stack, OTHER_DIRECTIE, "INBOX", 4, WAIT).await;
        let cases = kb.json(&["cases", "--json"]);
        let ref_of = |c: &str| -> String {
            cases
                .iter()
                .find(|x| x["from"] == c)
                .and_then(|x| x["ref"].as_str())
                .unwrap_or_else(|| panic!("no case for {c}"))
                .to_string()
        };
        let refs: Vec<String> = customers.iter().map(|c| ref_of(c)).collect();
        let d_mail = harness::mailbox(&stack, DIRECTIE).await;
        let o_mail = harness::mailbox(&stack, OTHER_DIRECTIE).await;
        let d_notes = notifications(&d_mail);
        let o_notes = notifications(&o_mail);
        let note = |notes: &BTreeMap<String, Vec<&ParsedMail>>, r: &str| -> ParsedMail {
            notes
                .get(r)
                .and_then(|l| l.first())
                .map(|m| (*m).clone())
                .unwrap_or_else(|| panic!("no notification for {r}"))
        };
        let (n1, n2, n3, n4) = (
            note(&d_notes, &refs[0]),
            note(&d_notes, &refs[1]),
            note(&d_notes, &refs[2]),
            note(&d_notes, &refs[3]),
        );
        let o1 = note(&o_notes, &refs[0]);
        let to1 = reply_address(&n1);
        let to2 = reply_address(&n2);
        let to1_other = reply_address(&o1);
        let tok1 = token_of(&to1);
        let tok2 = token_of(&to2);
        let note1_id = n1.message_id.clone().unwrap_or_default();
        let key = TokenKey::new(secrecy::SecretString::from(REPLY_SECRET.to_string()));
        let ref1: CaseRef = refs[0].parse().expect("case reference");
        let stranger_tok = key.token(ref1, STRANGER);
        let plus = |t: &str| format!("{SERVICE}+{t}@example.test");
        let fwd_d = plus(&key.forward_token(DIRECTIE));
        let fwd_o = plus(&key.forward_token(OTHER_DIRECTIE));
        let fwd_stranger = plus(&key.forward_token(STRANGER));
        let subj1 = format!("Re: [{}] Mogelijke klacht", refs[0]);

        let mut n = 0usize;
        let mut forged: Vec<Forged> = Vec::new();
        let mut add = |name: &'static str,
                       envelope_from: &'static str,
                       envelope_to: &str,
                       headers: Vec<String>,
                       body: &str,
                       third_party: Option<String>,
                       forged: &mut Vec<Forged>| {
            n += 1;
            let id = format!("forged-{n}@campaign.test");
            let mut h = headers;
            h.push(format!("Message-ID: <{id}>"));
            forged.push(Forged {
                name,
                envelope_from,
                envelope_to: envelope_to.to_string(),
                raw: raw_with(&h, body),
                id,
                third_party,
            });
        };
        let hdrs = |from: &str, to: &str, subject: &str| {
            vec![
                format!("From: {from}"),
                format!("To: {to}"),
                format!("Subject: {subject}"),
            ]
        };
        // Part A: without a trusted Authentication-Results server.
        add("no token", DIRECTIE, SERVICE_ADDR, hdrs(DIRECTIE, SERVICE_ADDR, &subj1), "KLACHT", None, &mut forged);
        add("another case's token, this case's subject", DIRECTIE, &to2, hdrs(DIRECTIE, &to2, &subj1), "KLACHT", None, &mut forged);
        let altered = plus(&tok2.replace(&refs[1].to_lowercase(), &refs[0].to_lowercase()));
        add("another case's token with the reference changed", DIRECTIE, &altered, hdrs(DIRECTIE, &altered, &subj1), "KLACHT", None, &mut forged);
        add("the other directie address's token", DIRECTIE, &to1_other, hdrs(DIRECTIE, &to1_other, &subj1), "KLACHT", None, &mut forged);
        add("other directie address using this one's token", OTHER_DIRECTIE, &to1, hdrs(OTHER_DIRECTIE, &to1, &subj1), "GEEN KLACHT", None, &mut forged);
        add("a stranger's token (valid HMAC for a stranger)", DIRECTIE, &plus(&stranger_tok), hdrs(DIRECTIE, &plus(&stranger_tok), &subj1), "KLACHT", None, &mut forged);
        add("From directie@example.test. (trailing dot) with a stranger's token", DIRECTIE, &plus(&stranger_tok), hdrs("directie@example.test.", &plus(&stranger_tok), &subj1), "KLACHT", None, &mut forged);
        add("From with two addresses", DIRECTIE, &to1, hdrs(&format!("{DIRECTIE}, {STRANGER}"), &to1, &subj1), "KLACHT", None, &mut forged);
        add("two From headers, directie first", DIRECTIE, &to1, [hdrs(DIRECTIE, &to1, &subj1), vec![format!("From: {STRANGER}")]].concat(), "KLACHT", None, &mut forged);
        add("two From headers, stranger first", STRANGER, &to1, [vec![format!("From: {STRANGER}")], hdrs(DIRECTIE, &to1, &subj1)].concat(), "KLACHT", None, &mut forged);
        add("From as a group with two members", DIRECTIE, &to1, hdrs(&format!("Team: {DIRECTIE}, {STRANGER};"), &to1, &subj1), "KLACHT", None, &mut forged);
        add("a stranger's From with a valid token", STRANGER, &to1, hdrs(STRANGER, &to1, &subj1), "KLACHT", None, &mut forged);
        add("a stranger's From, valid token in References only", STRANGER, SERVICE_ADDR, [hdrs(STRANGER, SERVICE_ADDR, &subj1), vec![format!("In-Reply-To: <{note1_id}>"), format!("References: <{note1_id}>")]].concat(), "GEEN KLACHT", None, &mut forged);
        add("Sender of a stranger", DIRECTIE, &to1, [hdrs(DIRECTIE, &to1, &subj1), vec![format!("Sender: {STRANGER}")]].concat(), "KLACHT", None, &mut forged);
        add("directie's address as a stranger's display name", STRANGER, &to1, hdrs(&format!("\"{DIRECTIE}\" <{STRANGER}>"), &to1, &subj1), "KLACHT", None, &mut forged);
        add("look-alike domain (examp1e)", STRANGER, &to1, hdrs("directie@examp1e.test", &to1, &subj1), "KLACHT", None, &mut forged);
        add("subdomain of directie's domain", STRANGER, &to1, hdrs("directie@mail.example.test", &to1, &subj1), "KLACHT", None, &mut forged);
        add("token only in the body", DIRECTIE, SERVICE_ADDR, hdrs(DIRECTIE, SERVICE_ADDR, &subj1), &format!("KLACHT\n\nantwoordadres: {to1}"), None, &mut forged);
        let truncated = plus(&tok1[..tok1.len() - 1]);
        add("truncated token", DIRECTIE, &truncated, hdrs(DIRECTIE, &truncated, &subj1), "KLACHT", None, &mut forged);
        add("valid token, subject naming another case", DIRECTIE, &to1, hdrs(DIRECTIE, &to1, &format!("Re: [{}] Mogelijke klacht", refs[1])), "GEEN KLACHT", None, &mut forged);
        add("stranger with Reply-To directie", STRANGER, &to1, [hdrs(STRANGER, &to1, &subj1), vec![format!("Reply-To: {DIRECTIE}")]].concat(), "KLACHT", None, &mut forged);
        add("stranger with Resent-From directie", STRANGER, &to1, [hdrs(STRANGER, &to1, &subj1), vec![format!("Resent-From: {DIRECTIE}")]].concat(), "NOTITIE vervalst", None, &mut forged);
        add("stranger's NOTITIE with a valid token", STRANGER, &to1, hdrs(STRANGER, &to1, &subj1), "NOTITIE vervalst", None, &mut forged);
        let tp = |k: usize| format!("derde{k}@example.test");
        add("forward with KLACHT, no token", DIRECTIE, SERVICE_ADDR, hdrs(DIRECTIE, SERVICE_ADDR, "Fwd: Gesprek"), &forward_body(&tp(1)), Some(tp(1)), &mut forged);
        add("forward to the other directie address's forwarding address", DIRECTIE, &fwd_o, hdrs(DIRECTIE, &fwd_o, "Fwd: Gesprek"), &forward_body(&tp(2)), Some(tp(2)), &mut forged);
        add("forward with a stranger's forwarding token", DIRECTIE, &fwd_stranger, hdrs(DIRECTIE, &fwd_stranger, "Fwd: Gesprek"), &forward_body(&tp(3)), Some(tp(3)), &mut forged);
        add("forward to directie's forwarding address from two addresses", DIRECTIE, &fwd_d, hdrs(&format!("{DIRECTIE}, {STRANGER}"), &fwd_d, "Fwd: Gesprek"), &forward_body(&tp(4)), Some(tp(4)), &mut forged);
        add("forward to directie's forwarding address with a stranger's Sender", DIRECTIE, &fwd_d, [hdrs(DIRECTIE, &fwd_d, "Fwd: Gesprek"), vec![format!("Sender: {STRANGER}")]].concat(), &forward_body(&tp(5)), Some(tp(5)), &mut forged);
        add("other directie address forwarding to directie's forwarding address", OTHER_DIRECTIE, &fwd_d, hdrs(OTHER_DIRECTIE, &fwd_d, "Fwd: Gesprek"), &forward_body(&tp(6)), Some(tp(6)), &mut forged);
        let part_a = forged.len();

        // Genuine controls for part A: a reply and a forward that must be carried out.
        let (c1_to, c1_raw) = harness::reply_to(&n3, DIRECTIE, "KLACHT", "forged-control-1@campaign.test");
        let control_tp = "derde-echt@example.test";
        let c2_raw = raw_with(
            &[
                format!("From: {DIRECTIE}"),
                format!("To: {fwd_d}"),
                "Subject: Fwd: Gesprek".into(),
                "Message-ID: <forged-control-2@campaign.test>".into(),
            ],
            &forward_body(control_tp),
        );
        for f in &forged {
            stack.send(f.envelope_from, &[&f.envelope_to], &f.raw).await;
        }
        stack.send(DIRECTIE, &[&c1_to], &c1_raw).await;
        stack.send(DIRECTIE, &[&fwd_d], &c2_raw).await;
        let want_a = (4 + part_a + 2) as u32;
        let have_a = wait_count(&stack, SERVICE, "INBOX", want_a, WAIT).await;
        let sync_a = kb.run(&["sync"]);

        // Part B: directie.trusted_authserv_id set; every mail carries directie's valid
        // token, and a pass that must not count.
        kb.env.push((
            "KLACHTENBUS__DIRECTIE__TRUSTED_AUTHSERV_ID".into(),
            TRUSTED_AUTHSERV.into(),
        ));
        let ar = |v: &str| format!("Authentication-Results: {v}");
        let with_ar = |ars: Vec<String>, from: &str| [ars, hdrs(from, &to1, &subj1)].concat();
        let m = TRUSTED_AUTHSERV;
        add("trusted server set, no Authentication-Results", DIRECTIE, &to1, hdrs(DIRECTIE, &to1, &subj1), "KLACHT", None, &mut forged);
        add("a pass for another domain (dkim)", DIRECTIE, &to1, with_ar(vec![ar(&format!("{m}; dkim=pass header.d=evil.example"))], DIRECTIE), "KLACHT", None, &mut forged);
        add("a pass for another domain (dmarc)", DIRECTIE, &to1, with_ar(vec![ar(&format!("{m}; dmarc=pass header.from=evil.example"))], DIRECTIE), "KLACHT", None, &mut forged);
        add("a pass inside a comment", DIRECTIE, &to1, with_ar(vec![ar(&format!("{m}; dkim=fail (dkim=pass header.d=example.test) header.d=example.test"))], DIRECTIE), "KLACHT", None, &mut forged);
        add("a pass inside a quoted reason", DIRECTIE, &to1, with_ar(vec![ar(&format!("{m}; spf=fail reason=\"dkim=pass header.d=example.test\""))], DIRECTIE), "KLACHT", None, &mut forged);
        add("a pass below a fail", DIRECTIE, &to1, with_ar(vec![ar(&format!("{m}; dkim=fail header.d=example.test")), ar(&format!("{m}; dkim=pass header.d=example.test"))], DIRECTIE), "KLACHT", None, &mut forged);
        add("a pass from another server", DIRECTIE, &to1, with_ar(vec![ar("mx.evil.example; dkim=pass header.d=example.test")], DIRECTIE), "KLACHT", None, &mut forged);
        add("a pass for a look-alike domain", DIRECTIE, &to1, with_ar(vec![ar(&format!("{m}; dkim=pass header.d=xexample.test"))], DIRECTIE), "KLACHT", None, &mut forged);
        add("a pass for the top-level domain", DIRECTIE, &to1, with_ar(vec![ar(&format!("{m}; dkim=pass header.d=test"))], DIRECTIE), "KLACHT", None, &mut forged);
        add("a pass without a signing domain", DIRECTIE, &to1, with_ar(vec![ar(&format!("{m}; dkim=pass"))], DIRECTIE), "KLACHT", None, &mut forged);
        add("a result before the authserv-id", DIRECTIE, &to1, with_ar(vec![ar("dkim=pass header.d=example.test")], DIRECTIE), "KLACHT", None, &mut forged);
        add("an aligned pass, but two From addresses", DIRECTIE, &to1, with_ar(vec![ar(&format!("{m}; dkim=pass header.d=example.test"))], &format!("{DIRECTIE}, {STRANGER}")), "KLACHT", None, &mut forged);
        add("an aligned pass, but a stranger's Sender", DIRECTIE, &to1, [with_ar(vec![ar(&format!("{m}; dkim=pass header.d=example.test"))], DIRECTIE), vec![format!("Sender: {STRANGER}")]].concat(), "KLACHT", None, &mut forged);
        add("an aligned pass, but a stranger's token", DIRECTIE, &plus(&stranger_tok), [vec![ar(&format!("{m}; dkim=pass header.d=example.test"))], hdrs(DIRECTIE, &plus(&stranger_tok), &subj1)].concat(), "KLACHT", None, &mut forged);
        add("token-less forward with a pass for another domain", DIRECTIE, SERVICE_ADDR, [vec![ar(&format!("{m}; dkim=pass header.d=evil.example"))], hdrs(DIRECTIE, SERVICE_ADDR, "Fwd: Gesprek")].concat(), &forward_body(&tp(8)), Some(tp(8)), &mut forged);
        add("token-less forward with a failing result", DIRECTIE, SERVICE_ADDR, [vec![ar(&format!("{m}; dkim=fail header.d=example.test; dmarc=fail header.from=example.test"))], hdrs(DIRECTIE, SERVICE_ADDR, "Fwd: Gesprek")].concat(), &forward_body(&tp(9)), Some(tp(9)), &mut forged);
        add("token-less forward with a pass in a comment", DIRECTIE, SERVICE_ADDR, [vec![ar(&format!("{m}; dmarc=none (dmarc=pass header.from=example.test)"))], hdrs(DIRECTIE, SERVICE_ADDR, "Fwd: Gesprek")].concat(), &forward_body(&tp(10)), Some(tp(10)), &mut forged);
        let part_b = forged.len() - part_a;
        let c3_raw = String::from_utf8_lossy(
            &harness::reply_to(&n4, DIRECTIE, "KLACHT", "forged-control-3@campaign.test").1,
        )
        .replacen(
            "From:",
            &format!("Authentication-Results: {m}; dkim=pass header.d=example.test\r\nFrom:"),
            1,
        );
        let c3_to = reply_address(&n4);
        for f in &forged[part_a..] {
            stack.send(f.envelope_from, &[&f.envelope_to], &f.raw).await;
        }
        stack.send(DIRECTIE, &[&c3_to], c3_raw.as_bytes()).await;
        let want_b = want_a + part_b as u32 + 1;
        let have_b = wait_count(&stack, SERVICE, "INBOX", want_b, WAIT).await;
        let sync_b = kb.run(&["sync"]);

        // How each was routed, and what changed.
        let routes = db_routes(&kb.db).await;
        let cases = kb.json(&["cases", "--json"]);
        let status = |r: &str| -> String {
            cases
                .iter()
                .find(|c| c["ref"] == r)
                .and_then(|c| c["status"].as_str())
                .unwrap_or("?")
                .to_string()
        };
        let (mut refused, mut accepted, mut other) = (0, 0, Vec::new());
        for f in &forged {
            match routes.get(&f.id).map(|(r, _)| r.as_str()) {
                Some("directie_refused") | Some("refused_reply") => refused += 1,
                Some("directie_reply") | Some("case") => {
                    accepted += 1;
                    other.push(format!("ACCEPTED {:?}", f.name));
                }
                Some(r) => other.push(format!("{:?} routed {r}", f.name)),
                None => other.push(format!("{:?} not stored", f.name)),
            }
        }
        let status_changes = [&refs[0], &refs[1]]
            .iter()
            .filter(|r| status(r) != "kandidaat")
            .count();
        let third: BTreeSet<String> = forged.iter().filter_map(|f| f.third_party.clone()).collect();
        let forward_cases = cases
            .iter()
            .filter(|c| c["from"].as_str().is_some_and(|f| third.contains(f)))
            .count();
        let control_route = |id: &str| routes.get(id).map(|(r, _)| r.clone()).unwrap_or_default();
        let controls = [
            control_route("forged-control-1@campaign.test") == "directie_reply" && status(&refs[2]) == "in_behandeling",
            control_route("forged-control-2@campaign.test") == "case"
                && cases.iter().any(|c| c["from"] == control_tp),
            control_route("forged-control-3@campaign.test") == "directie_reply" && status(&refs[3]) == "in_behandeling",
        ];
        let controls_ok = controls.iter().filter(|c| **c).count();
        let panic_count = panics(&text(&sync_a.stderr)) + panics(&text(&sync_b.stderr));
        let total = forged.len();
        let good = total >= 25
            && refused == total
            && accepted == 0
            && status_changes == 0
            && forward_cases == 0
            && controls_ok == controls.len()
            && have_b == want_b
            && have_a >= want_a
            && sync_a.status.success()
            && sync_b.status.success()
            && panic_count == 0;
        let mut figures = format!(
            "{total} forged variants ({part_a} by token/From/Sender/forward, {part_b} with a trusted Authentication-Results server): \
             {refused} refused, {accepted} accepted, {status_changes} status changes, {forward_cases} cases opened by forged forwards; \
             genuine controls carried out {controls_ok}/{}; {panic_count} panics",
            controls.len()
        );
        if !other.is_empty() {
            figures.push_str(&format!("; {}", other.join("; ")));
        }
        Area::new(figures, good)
    })
}

// ---------------------------------------------------------------------------------------
// 6. injection: customer text that tries to become headers, template code or script

const BIDI: &[char] = &[
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

fn area_injection(ctx: &Ctx) -> Area {
    let stack = MailStack::start();
    let kb = Kb::new(&ctx.bin, &stack, "", "");
    let rt = runtime();
    // Recipients an injection would add; nobody may write to them.
    let targets = [
        "inj-bcc1@example.test",
        "inj-bcc2@example.test",
        "inj-cc3@example.test",
        "inj-bcc4@example.test",
    ];
    let tera = "T1[{{ 7*7 }}]T1 T2[{% raw %}x{% endraw %}]T2 T4[{{7*7}}]T4 T5[{{ org.name }}]T5 T6[{{ get_env(name=\"HOME\") }}]T6";
    let text_body = format!(
        "U heeft mij verkeerd geadviseerd, dit is onacceptabel!\n{tera}\n<script>alert('x')</script> <ScRiPt src=//x></ScRiPt> <img src=x onerror=alert(1)>\n\
         Bestand: \u{202E}fdp.exe\u{202C} \u{2066}omgekeerd\u{2069}\n\r\nBcc: {}\r\n",
        targets[3]
    );
    let variants: Vec<(String, Vec<u8>)> = vec![
        (
            "inj1@example.test".into(),
            mail(
                "inj1@example.test",
                SERVICE_ADDR,
                &encoded_word(&format!("Klacht\r\nBcc: {}", targets[0])),
                &text_body,
                "inj-1@campaign.test",
            ),
        ),
        (
            "inj2@example.test".into(),
            mail(
                &format!(
                    "{} <inj2@example.test>",
                    encoded_word(&format!(
                        "Karel\r\nBcc: {}\r\nX-Injected: yes\r\n\r\n{{{{ 7*7 }}}}",
                        targets[1]
                    ))
                ),
                SERVICE_ADDR,
                &encoded_word("Klacht \u{202E}tpecca\u{202C} {{ 7*7 }} {% raw %}"),
                &text_body,
                "inj-2@campaign.test",
            ),
        ),
        (
            "inj3@example.test".into(),
            mail(
                "inj3@example.test",
                SERVICE_ADDR,
                &format!("=?utf-8?q?Klacht=0D=0ACc:=20{}=0D=0A=0D=0AX-Injected:=20yes?=", targets[2]),
                &text_body,
                "inj-3@campaign.test",
            ),
        ),
        (
            "inj4@example.test".into(),
            format!(
                "From: inj4@example.test\r\nTo: {SERVICE_ADDR}\r\nSubject: =?utf-8?b?{}?=\r\nDate: {}\r\nMessage-ID: <inj-4@campaign.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
                 <html><body><p>U heeft mij verkeerd geadviseerd, dit is onacceptabel!</p><p>{}</p>\
                 <p>&lt;script&gt;alert(1)&lt;/script&gt; en \u{202E}lmth.exe</p><script>alert(2)</script></body></html>\r\n",
                b64(format!("Klacht\nBcc: {}", targets[3]).as_bytes()),
                date_now(),
                tera.replace('<', "&lt;")
            )
            .into_bytes(),
        ),
    ];
    rt.block_on(async {
        for (customer, raw) in &variants {
            stack.send(customer, &[SERVICE_ADDR], raw).await;
        }
        let k = variants.len() as u32;
        wait_count(&stack, SERVICE, "INBOX", k, WAIT).await;
        let first = kb.run(&["sync"]);
        wait_count(&stack, DIRECTIE, "INBOX", k, WAIT).await;
        let directie = harness::mailbox(&stack, DIRECTIE).await;
        let notes = notifications(&directie);
        for (r, list) in &notes {
            let (to, raw) = harness::reply_to(
                list[0],
                DIRECTIE,
                "KLACHT",
                &format!("inj-r-{}@campaign.test", r.to_lowercase()),
            );
            stack.send(DIRECTIE, &[&to], &raw).await;
        }
        wait_count(&stack, SERVICE, "INBOX", k + notes.len() as u32, WAIT).await;
        let second = kb.run(&["sync"]);
        settle(&stack).await;

        // Read back what the customers and directie received.
        let mut checked: Vec<(String, Vec<u8>, ParsedMail)> = Vec::new();
        for (customer, _) in &variants {
            for (raw, m) in harness::mailbox(&stack, customer).await {
                checked.push((format!("acknowledgement to {customer}"), raw, m));
            }
        }
        let acks = checked.len();
        for (raw, m) in harness::mailbox(&stack, DIRECTIE).await {
            if m.subject.as_deref().is_some_and(|s| s.contains("Mogelijke klacht")) {
                checked.push(("notification".into(), raw, m));
            }
        }
        let (mut injected, mut evaluated, mut literal, mut unescaped, mut escaped, mut bidi) =
            (0, 0, 0, 0, 0, 0);
        let mut notes_out = Vec::new();
        for (what, raw, m) in &checked {
            let headers = header_block(raw);
            // Header lines (not continuations) an injection would add, and the To count.
            let lines: Vec<String> = headers
                .lines()
                .filter(|l| !l.starts_with([' ', '\t']))
                .map(|l| l.to_ascii_lowercase())
                .collect();
            let added = lines
                .iter()
                .filter(|l| l.starts_with("bcc:") || l.starts_with("cc:") || l.starts_with("x-injected:"))
                .count();
            let tos = lines.iter().filter(|l| l.starts_with("to:")).count();
            if added > 0 || tos != 1 {
                injected += 1;
                notes_out.push(format!("{what}: {added} added header lines, {tos} To"));
            }
            let parsed = mail_parser::MessageParser::default().parse(raw.as_slice());
            let html = parsed
                .as_ref()
                .and_then(|p| p.body_html(0).map(|h| h.to_string()))
                .unwrap_or_default();
            let plain = m.body_text.clone().unwrap_or_default();
            for body in [&plain, &html] {
                if ["T1[49]T1", "T2[x]T2", "T4[49]T4", "T5[De Vries"]
                    .iter()
                    .any(|e| body.contains(e))
                    || (body.contains("T6[") && !body.contains("T6[{{"))
                {
                    evaluated += 1;
                    notes_out.push(format!("{what}: template evaluated"));
                }
            }
            if plain.contains("T1[{{ 7*7 }}]T1") && plain.contains("{% raw %}") {
                literal += 1;
            }
            let lower = html.to_ascii_lowercase();
            if lower.contains("<script") || lower.contains("<img") {
                unescaped += 1;
                notes_out.push(format!("{what}: unescaped script in HTML"));
            }
            if lower.contains("&lt;script&gt;") {
                escaped += 1;
            }
            let subject = m.subject.clone().unwrap_or_default();
            bidi += subject.chars().filter(|c| BIDI.contains(c)).count();
        }
        let mut extra_recipients = 0;
        for t in targets {
            extra_recipients += harness::mailbox(&stack, t).await.len();
        }
        let panic_count = panics(&text(&first.stderr)) + panics(&text(&second.stderr));
        let good = acks == variants.len()
            && checked.len() == 2 * variants.len()
            && injected == 0
            && extra_recipients == 0
            && evaluated == 0
            && unescaped == 0
            && first.status.success()
            && second.status.success()
            && panic_count == 0;
        let mut figures = format!(
            "{} complaints (CRLF+Bcc/Cc in encoded Subject and From, tera, <script>, bidi), {acks} acknowledgements + {} notifications read back: \
             {injected} with injected headers, {extra_recipients} mails to injected recipients, {evaluated} evaluated templates \
             ({literal} of {} kept the tera text literally), {unescaped} unescaped scripts in HTML ({escaped} escaped); \
             bidi controls left in decoded subjects: {bidi} (not bounded); {panic_count} panics",
            variants.len(),
            checked.len() - acks,
            checked.len(),
        );
        if !notes_out.is_empty() {
            figures.push_str(&format!("; {}", notes_out.join("; ")));
        }
        Area::new(figures, good)
    })
}

// ---------------------------------------------------------------------------------------
// 7. erase: nothing of an erased person left in the database file

fn area_erase(ctx: &Ctx) -> Area {
    let plan = ctx.plan;
    let stack = MailStack::start();
    let kb = Kb::new(&ctx.bin, &stack, "", "");
    let rt = runtime();
    let people: Vec<[String; 7]> = (0..plan.erase_people)
        .map(|i| {
            [
                format!("Quorsdalmark{i}"),
                format!("Wiebelstraatmark{i}"),
                format!("06-2718{:04}", 3100 + i),
                format!("erase{i}.zq@example.test"),
                format!("Onderwerpmark{i}"),
                format!("Bodymark{i}"),
                format!("Vervolgmark{i}"),
            ]
        })
        .collect();
    rt.block_on(async {
        for (i, p) in people.iter().enumerate() {
            let body = format!(
                "Geachte heer,\n\nIk ben Femke {}, ik woon aan de {} 12 en ben bereikbaar op {}. {} {COMPLAINT}\n",
                p[0], p[1], p[2], p[5]
            );
            let raw = mail(
                &format!("Femke {} <{}>", p[0], p[3]),
                SERVICE_ADDR,
                &format!("{} klacht over advies", p[4]),
                &body,
                &format!("erase-c{i}@campaign.test"),
            );
            stack.send(&p[3], &[SERVICE_ADDR], &raw).await;
        }
        let k = people.len() as u32;
        wait_count(&stack, SERVICE, "INBOX", k, WAIT).await;
        kb.must(&["sync"]);
        wait_count(&stack, DIRECTIE, "INBOX", k, WAIT).await;
        let cases = kb.json(&["cases", "--json"]);
        let ref_of = |addr: &str| -> String {
            cases
                .iter()
                .find(|c| c["from"] == addr)
                .and_then(|c| c["ref"].as_str())
                .unwrap_or_default()
                .to_string()
        };
        let directie = harness::mailbox(&stack, DIRECTIE).await;
        let notes = notifications(&directie);
        let mut inbox = k;
        // Even: KLACHT, a follow-up from the customer, then STANDPUNT. Odd: GEEN KLACHT.
        for (i, p) in people.iter().enumerate() {
            let r = ref_of(&p[3]);
            let Some(note) = notes.get(&r).and_then(|l| l.first()) else {
                continue;
            };
            let decision = if i.is_multiple_of(2) { "KLACHT" } else { "GEEN KLACHT" };
            let (to, raw) = harness::reply_to(note, DIRECTIE, decision, &format!("erase-r{i}@campaign.test"));
            stack.send(DIRECTIE, &[&to], &raw).await;
            inbox += 1;
            let follow = mail(
                &format!("Femke {} <{}>", p[0], p[3]),
                SERVICE_ADDR,
                &format!("Re: [{r}] {}", p[4]),
                &format!("{} Ik wacht nog steeds, bel mij op {}.", p[6], p[2]),
                &format!("erase-f{i}@campaign.test"),
            );
            stack.send(&p[3], &[SERVICE_ADDR], &follow).await;
            inbox += 1;
        }
        wait_count(&stack, SERVICE, "INBOX", inbox, WAIT).await;
        kb.must(&["sync"]);
        for (i, p) in people.iter().enumerate().filter(|(i, _)| i.is_multiple_of(2)) {
            let r = ref_of(&p[3]);
            let Some(note) = notes.get(&r).and_then(|l| l.first()) else {
                continue;
            };
            let (to, raw) = harness::reply_to(
                note,
                DIRECTIE,
                "STANDPUNT\n\nWij hebben uw dossier nagekeken en vergoeden de advieskosten.",
                &format!("erase-s{i}@campaign.test"),
            );
            stack.send(DIRECTIE, &[&to], &raw).await;
            inbox += 1;
        }
        wait_count(&stack, SERVICE, "INBOX", inbox, WAIT).await;
        kb.must(&["sync"]);
        settle(&stack).await;
        let cases = kb.json(&["cases", "--json"]);
        let handled = |s: &str| cases.iter().filter(|c| c["status"] == s).count();
        let (standpunt, geen) = (handled("standpunt_gegeven"), handled("geen_klacht"));
        let present_before = {
            let bytes = std::fs::read(&kb.db).unwrap_or_default().to_ascii_lowercase();
            people
                .iter()
                .flatten()
                .filter(|m| memchr::memmem::find(&bytes, m.to_ascii_lowercase().as_bytes()).is_some())
                .count()
        };

        let mut erased = 0;
        let mut erase_errors = Vec::new();
        for p in &people {
            let out = kb.run(&["erase", "--email", &p[3]]);
            if out.status.success() {
                erased += 1;
            } else {
                erase_errors.push(text(&out.stderr).trim().to_string());
            }
        }
        // The file's bytes (and the write-ahead log's, when there is one), case-insensitive.
        let mut files = Vec::new();
        let mut byte_hits = Vec::new();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let path = PathBuf::from(format!("{}{suffix}", kb.db.display()));
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            files.push(format!("kb.sqlite{suffix} ({} KB)", bytes.len() / 1024));
            let lower = bytes.to_ascii_lowercase();
            for m in people.iter().flatten() {
                if memchr::memmem::find(&lower, m.to_ascii_lowercase().as_bytes()).is_some() {
                    byte_hits.push(format!("{m} in kb.sqlite{suffix}"));
                }
            }
        }
        // And every value of every column, in case a marker straddles a page boundary.
        let mut row_hits = BTreeSet::new();
        for (column, value) in db_all_values(&kb.db).await {
            let lower = value.to_ascii_lowercase();
            for m in people.iter().flatten() {
                if memchr::memmem::find(&lower, m.to_ascii_lowercase().as_bytes()).is_some() {
                    row_hits.insert(format!("{m} in {column}"));
                }
            }
        }
        let markers = people.len() * people[0].len();
        let good = erased == people.len()
            && standpunt + geen == people.len()
            && present_before == markers
            && byte_hits.is_empty()
            && row_hits.is_empty();
        let mut figures = format!(
            "{} people ({standpunt} standpunt_gegeven, {geen} geen_klacht; complaint, follow-up and directie's replies each), \
             {erased} erased; {markers} markers (name, street, phone, e-mail, subject, body, follow-up), {present_before} in the file before: \
             {} left in the bytes of {}, {} left in any column",
            people.len(),
            byte_hits.len(),
            files.join(" + "),
            row_hits.len(),
        );
        if !erase_errors.is_empty() {
            figures.push_str(&format!("; erase refused: {}", erase_errors.join(" | ")));
        }
        if !byte_hits.is_empty() || !row_hits.is_empty() {
            let mut all: Vec<String> = byte_hits;
            all.extend(row_hits);
            all.truncate(12);
            figures.push_str(&format!("; found: {}", all.join(", ")));
        }
        Area::new(figures, good)
    })
}

// ---------------------------------------------------------------------------------------
// 8. logs: `sync` and `run` at RUST_LOG=trace hold no personal data or secrets

fn area_logs(ctx: &Ctx) -> Area {
    let plan = ctx.plan;
    let stack = MailStack::start();
    let kb = Kb::new(&ctx.bin, &stack, "", "");
    let rt = runtime();
    let person = |i: usize| {
        (
            format!("Zwanenburgmark{i}"),
            format!("06-9876{:04}", 5400 + i),
            format!("BODYMARKLOG{i}"),
            format!("OnderwerpGeheim{i}"),
            format!("karel{i}@example.test"),
        )
    };
    let complaint = |i: usize| {
        let (name, phone, body, subject, addr) = person(i);
        mail(
            &format!("Karel {name} <{addr}>"),
            SERVICE_ADDR,
            &subject,
            &format!("Geachte heer,\n\nIk ben {name}, bereikbaar op {phone}. {body} {COMPLAINT}\n"),
            &format!("logs-c{i}@campaign.test"),
        )
    };
    rt.block_on(async {
        let traced = |args: &[&str]| -> Output {
            kb.command()
                .args(args)
                .env("RUST_LOG", "trace")
                .stdin(Stdio::null())
                .output()
                .expect("run klachtenbus")
        };
        let mut log = String::new();
        let mut runs = 0;
        let mut failures = Vec::new();
        let k = plan.log_complaints;
        for i in 0..k {
            stack.send(&person(i).4, &[SERVICE_ADDR], &complaint(i)).await;
        }
        wait_count(&stack, SERVICE, "INBOX", k as u32, WAIT).await;
        let out = traced(&["sync"]);
        runs += 1;
        if !out.status.success() {
            failures.push("first sync".to_string());
        }
        log.push_str(&text(&out.stderr));
        wait_count(&stack, DIRECTIE, "INBOX", k as u32, WAIT).await;

        // `run` at trace: directie's replies and one more complaint arrive while it runs.
        let run_log = kb.path("run-trace.log");
        let mut d = {
            let file = std::fs::File::create(&run_log).expect("run log");
            let child = kb
                .command()
                .arg("run")
                .env("RUST_LOG", "trace")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(file)
                .spawn()
                .expect("start run");
            Daemon { child: Some(child) }
        };
        tokio::time::sleep(Duration::from_secs(2)).await;
        let directie = harness::mailbox(&stack, DIRECTIE).await;
        let notes = notifications(&directie);
        let mut tokens: Vec<String> = Vec::new();
        let key = TokenKey::new(secrecy::SecretString::from(REPLY_SECRET.to_string()));
        tokens.push(key.forward_token(DIRECTIE));
        let mut position_markers = Vec::new();
        let mut inbox = k as u32;
        for (j, (r, list)) in notes.iter().enumerate() {
            let to = reply_address(list[0]);
            tokens.push(token_of(&to));
            if j == 0 {
                // An authenticated reply whose first line is not a command: refused, and
                // directie's words (a name and a phone number) must not reach the log.
                let (name, phone, ..) = person(0);
                let (to, raw) = harness::reply_to(
                    list[0],
                    DIRECTIE,
                    &format!("Bel {name} even terug op {phone}, zij is boos"),
                    &format!("logs-u-{}@campaign.test", r.to_lowercase()),
                );
                stack.send(DIRECTIE, &[&to], &raw).await;
                inbox += 1;
            }
            let marker = format!("POSITIONMARK{j}");
            let body = if j == 0 {
                "KLACHT".to_string()
            } else {
                format!("KLACHT\nSTANDPUNT\n\nWij betreuren het. {marker}")
            };
            if j > 0 {
                position_markers.push(marker);
            }
            let (to, raw) = harness::reply_to(
                list[0],
                DIRECTIE,
                &body,
                &format!("logs-r-{}@campaign.test", r.to_lowercase()),
            );
            stack.send(DIRECTIE, &[&to], &raw).await;
            inbox += 1;
        }
        stack.send(&person(k).4, &[SERVICE_ADDR], &complaint(k)).await;
        inbox += 1;
        wait_count(&stack, SERVICE, "INBOX", inbox, WAIT).await;
        let want = (k + 1) as i64;
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(90) {
            let opened = db_count(&kb.db, "SELECT COUNT(*) FROM cases").await;
            let decided = db_count(&kb.db, "SELECT COUNT(*) FROM cases WHERE status <> 'kandidaat'").await;
            let pending = db_count(&kb.db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'").await;
            if opened >= want && decided >= k as i64 && pending == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let exit = d.terminate(Duration::from_secs(30)).await;
        runs += 1;
        if !exit.is_some_and(|s| s.success()) {
            failures.push(format!("run exit {exit:?}"));
        }
        log.push_str(&std::fs::read_to_string(&run_log).unwrap_or_default());
        settle(&stack).await;
        let out = traced(&["sync"]);
        runs += 1;
        if !out.status.success() {
            failures.push("last sync".to_string());
        }
        log.push_str(&text(&out.stderr));
        let cases = kb.json(&["cases", "--json"]);
        let decided = cases.iter().filter(|c| c["status"] != "kandidaat").count();
        for (_, note) in notifications(&harness::mailbox(&stack, DIRECTIE).await) {
            tokens.push(token_of(&reply_address(note[0])));
        }
        tokens.sort();
        tokens.dedup();
        tokens.retain(|t| !t.is_empty());

        let mut secrets: Vec<(String, String)> = Vec::new();
        for i in 0..=k {
            let (name, phone, body, subject, _) = person(i);
            secrets.push(("name".into(), name));
            secrets.push(("phone".into(), phone));
            secrets.push(("body".into(), body));
            secrets.push(("subject".into(), subject));
        }
        for m in position_markers {
            secrets.push(("position text".into(), m));
        }
        for t in &tokens {
            // The MAC part is what makes a token; the full token too.
            secrets.push(("reply token".into(), t.clone()));
            if let Some(mac) = t.rsplit('-').next() {
                secrets.push(("reply token MAC".into(), mac.to_string()));
            }
        }
        secrets.push(("IMAP password".into(), PASSWORD.into()));
        secrets.push(("reply_secret".into(), REPLY_SECRET.into()));
        let found: Vec<String> = secrets
            .iter()
            .filter(|(_, s)| log.contains(s.as_str()))
            .map(|(what, s)| {
                let line = log.lines().find(|l| l.contains(s.as_str())).unwrap_or("");
                let at = line.find(s.as_str()).unwrap_or(0);
                let from = line[..at].char_indices().rev().nth(80).map_or(0, |(i, _)| i);
                let context: String = line[from..].chars().take(160).collect();
                format!("{what} {s:?} in \"{}\"", context.trim())
            })
            .collect();
        let lines = log.lines().count();
        let detailed = log
            .lines()
            .filter(|l| l.contains("TRACE") || l.contains("DEBUG"))
            .count();
        let panic_count = panics(&log);
        let good = found.is_empty()
            && failures.is_empty()
            && detailed >= 5
            && decided >= k
            && cases.len() > k
            && panic_count == 0;
        let mut figures = format!(
            "{runs} runs at RUST_LOG=trace (sync, run, sync) over {} complaints and {} directie replies ({decided} decisions carried out, 1 reply not a command): \
             {lines} log lines ({detailed} DEBUG/TRACE), {} of {} secrets found (names, phones, bodies, subjects, position texts, {} reply tokens, IMAP password, reply_secret); {panic_count} panics",
            k + 1,
            notes.len() + 1,
            found.len(),
            secrets.len(),
            tokens.len(),
        );
        if !found.is_empty() {
            figures.push_str(&format!("; found: {}", found.join(", ")));
        }
        if !failures.is_empty() {
            figures.push_str(&format!("; {}", failures.join(", ")));
        }
        Area::new(figures, good)
    })
}

// ---------------------------------------------------------------------------------------

type AreaFn = fn(&Ctx) -> Area;

const AREAS: &[(&str, AreaFn)] = &[
    ("kill", area_kill),
    ("smtp", area_smtp),
    ("imap", area_imap),
    ("hostile", area_hostile),
    ("forged", area_forged),
    ("injection", area_injection),
    ("erase", area_erase),
    ("logs", area_logs),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut short = false;
    let mut seed = None;
    let mut only: Option<Vec<String>> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--short" => short = true,
            "--full" => short = false,
            "--seed" => seed = it.next().and_then(|s| s.parse::<u64>().ok()),
            "--only" => {
                only = it
                    .next()
                    .map(|s| s.split(',').map(str::to_string).collect())
            }
            other => {
                eprintln!("campaign: unknown argument {other:?} (use --short, --seed N, --only AREA[,AREA])");
                return ExitCode::from(2);
            }
        }
    }
    let bin = match locate_binary() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("campaign: {e}");
            return ExitCode::from(2);
        }
    };
    let seed = seed.unwrap_or_else(|| Utc::now().timestamp_micros() as u64);
    let plan = if short { Plan::short() } else { Plan::full() };
    let ctx = Ctx { bin, plan, seed };
    println!(
        "campaign: {} run, seed {seed}, binary {}",
        if short { "short" } else { "full" },
        ctx.bin.display()
    );
    let started = Instant::now();
    let (mut run, mut failed) = (0, 0);
    for (name, area) in AREAS {
        if only.as_ref().is_some_and(|o| !o.iter().any(|x| x == name)) {
            continue;
        }
        eprintln!("campaign: {name}: running ...");
        let t = Instant::now();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| area(&ctx)));
        let secs = t.elapsed().as_secs();
        let area = result.unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let first: String = what
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(300)
                .collect();
            Area::new(format!("aborted: {first}"), false)
        });
        run += 1;
        if !area.ok {
            failed += 1;
        }
        println!(
            "campaign: {name}: {}; {secs} s {}",
            area.figures,
            ok(area.ok)
        );
    }
    println!(
        "campaign: {run} areas, {failed} failed ({} s)",
        started.elapsed().as_secs()
    );
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
