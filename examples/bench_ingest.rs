//! The ingest benchmark behind `scripts/bench-ingest.sh`: for each mailbox size, a private
//! Dovecot + Postfix on loopback, a mailbox filled with N messages (one in twenty a
//! complaint, about 5 kB each), then, in one run on the same mailbox:
//! - `mbsync` (isync) pulling the folder into a Maildir;
//! - `klachtenbus sync` on a fresh SQLite register, and on a fresh PostgreSQL database
//!   (fetch, store, parse, screen, classify, route, commit, notifications sent);
//! - Postfix's own load generator `smtp-source` sending as many mails to directie as
//!   klachtenbus sent notifications, beside klachtenbus's sending rate in the same sync.
//!
//! Printed per run: wall time, messages per second, peak RSS and the ratio to mbsync.
//! Every figure comes from `/usr/bin/time` around the real binaries; nothing is estimated.
//!
//! With `--repeat K` each contender runs K times, taking turns on the same mailbox, and the
//! medians are compared as well (mbsync's own time moves a lot between runs on a shared
//! machine).
//!
//! After the last run, `klachtenbus run` watches the mailbox and `--latency K` complaints
//! (default 10) are timed from Postfix accepting each to its notification in directie's
//! mailbox.
//!
//!   bench_ingest [--messages 1000,5000] [--db sqlite,postgres] [--parallel N] [--repeat K]
//!                [--latency K] [--klachtenbus PATH]

#[path = "../tests/integration/harness.rs"]
mod harness;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

const MAILBOX: &str = "info";
const DIRECTIE: &str = "directie@example.test";

/// What `/usr/bin/time` said about one command.
struct Timed {
    seconds: f64,
    peak_rss_mb: f64,
    stderr: String,
}

/// Runs `cmd` under `/usr/bin/time`, which prints elapsed seconds and peak RSS (KiB) as the
/// last line of standard error.
fn timed(cmd: &mut Command, what: &str) -> Timed {
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let envs: Vec<_> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M"])
        .arg(program)
        .args(args)
        .envs(envs)
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start /usr/bin/time: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{stderr}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    let last = stderr.lines().last().unwrap_or_default();
    let mut parts = last.split_whitespace();
    let seconds: f64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN);
    let kib: f64 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN);
    Timed {
        seconds,
        peak_rss_mb: kib / 1024.0,
        stderr,
    }
}

/// Message `i` of the benchmark mailbox: a routine question, or (one in twenty) a
/// complaint; a body of about 5 kB of ordinary text.
fn message(i: usize) -> Vec<u8> {
    let complaint = i % 20 == 7;
    let (subject, opening) = if complaint {
        (
            format!("Klacht over het advies, dossier {i}"),
            "Ik ben zeer ontevreden over het advies dat ik van uw kantoor kreeg. Ik heb drie keer gebeld en niemand belt terug. Ik wil een formele klacht indienen.",
        )
    } else {
        (
            format!("Vraag over mijn polis {i}"),
            "Wij verhuizen op 1 februari. Wilt u ons nieuwe adres doorgeven aan de verzekeraars van onze polissen? Hieronder de gegevens.",
        )
    };
    // The body's bulk is one line of ordinary text repeated. This benchmark measures
    // reading the mailbox, and every case it opens is a notification sent: it needs mail
    // the detector judges as intended, which `report_details` checks. (An earlier line,
    // "Hierbij stuur ik u de gegevens die u vroeg: het polisnummer, de ingangsdatum en het
    // bedrag van de premie per maand", reads as a complaint to the learned weights: every
    // message opened a case.)
    let filler = "Alvast bedankt voor het doorgeven. Het nieuwe adres is Lindelaan 4, 8011 AB Zwolle; het telefoonnummer blijft hetzelfde.";
    let mut body = String::with_capacity(5200);
    body.push_str("Geachte heer, mevrouw,\r\n\r\n");
    body.push_str(opening);
    body.push_str("\r\n\r\n");
    while body.len() < 4800 {
        body.push_str(filler);
        body.push_str("\r\n");
    }
    body.push_str("\r\nMet vriendelijke groet,\r\nKlant ");
    body.push_str(&i.to_string());
    body.push_str("\r\n");
    format!(
        "From: Klant {i} <klant{i}@example.test>\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Mon, 30 Nov 2026 10:{m:02}:{s:02} +0100\r\nMessage-ID: <bench-{i}@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}",
        to = harness::full_address(MAILBOX),
        m = (i / 60) % 60,
        s = i % 60,
    )
    .into_bytes()
}

/// Writes `n` messages straight into the mailbox's Maildir (as a delivery agent would),
/// then has Dovecot index them, so neither contender pays for the indexing.
fn fill(stack: &harness::MailStack, rt: &tokio::runtime::Runtime, n: usize) -> u64 {
    let dir = stack.maildir(MAILBOX);
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let mut bytes = 0;
    for i in 0..n {
        let raw = message(i);
        bytes += raw.len() as u64;
        let name = format!("{}.bench{i}.localhost", 1_700_000_000 + i);
        let tmp = dir.join("tmp").join(&name);
        std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&raw))
            .unwrap();
        std::fs::rename(&tmp, dir.join("new").join(&name)).unwrap();
    }
    let status = Command::new("chown")
        .args(["-R", "mail:mail"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success(), "chown the maildir");
    let seen = rt.block_on(stack.count(MAILBOX, "INBOX"));
    assert_eq!(seen as usize, n, "Dovecot sees every message");
    bytes
}

fn mbsync(stack: &harness::MailStack, work: &Path) -> Timed {
    let local = work.join("mbsync");
    std::fs::create_dir_all(&local).unwrap();
    let rc = work.join("mbsyncrc");
    std::fs::write(
        &rc,
        format!(
            "IMAPAccount bench\nHost 127.0.0.1\nPort {port}\nUser {user}\nPass {pass}\nSSLType None\nAuthMechs LOGIN\n\nIMAPStore bench-far\nAccount bench\n\nMaildirStore bench-near\nPath {near}/\nInbox {near}/INBOX\n\nChannel bench\nFar :bench-far:\nNear :bench-near:\nPatterns INBOX\nCreate Near\nSync Pull\nSyncState *\n",
            port = stack.imap_port,
            user = harness::full_address(MAILBOX),
            pass = harness::PASSWORD,
            near = local.display(),
        ),
    )
    .unwrap();
    timed(
        Command::new("mbsync")
            .arg("-q")
            .arg("-c")
            .arg(&rc)
            .arg("bench"),
        "mbsync (isync; scripts/bench-ingest.sh installs it)",
    )
}

fn klachtenbus_config(
    stack: &harness::MailStack,
    work: &Path,
    url: &str,
    parallel: usize,
) -> PathBuf {
    let config = work.join("klachtenbus.toml");
    std::fs::write(
        &config,
        format!(
            "[imap]\nhost = \"127.0.0.1\"\nport = {imap}\nsecurity = \"none\"\nusername = \"{user}\"\npassword = \"{pass}\"\nidle = false\n\n[database]\nurl = \"{url}\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {smtp}\nsecurity = \"none\"\nfrom = \"{user}\"\nparallel = {parallel}\n\n[directie]\naddresses = [\"{DIRECTIE}\"]\nreply_secret = \"bench-secret-0123456789\"\n\n[organisation]\nname = \"De Vries Advies B.V.\"\n\n[limits]\nfirst_run_max_cases = 0\n\n[logging]\nlevel = \"info\"\nformat = \"json\"\n",
            imap = stack.imap_port,
            smtp = stack.smtp_port,
            user = harness::full_address(MAILBOX),
            pass = harness::PASSWORD,
        ),
    )
    .unwrap();
    config
}

/// The rate at which `sync` handed notifications to Postfix: "mail sent" log lines over
/// the time from the first to the last.
fn sending_rate(log: &str) -> Option<(usize, f64)> {
    let stamps: Vec<chrono::DateTime<chrono::FixedOffset>> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "mail sent")
        .filter_map(|v| chrono::DateTime::parse_from_rfc3339(v["timestamp"].as_str()?).ok())
        .collect();
    let (first, last) = (stamps.first()?, stamps.last()?);
    let secs = (*last - *first).num_milliseconds() as f64 / 1000.0;
    (stamps.len() > 1 && secs > 0.0).then(|| (stamps.len(), (stamps.len() - 1) as f64 / secs))
}

/// How long routing took: from the first to the last "case opened" log line (the first
/// and the last complaint of the mailbox: all but twenty of its messages lie between).
/// How many cases the log says were opened.
fn cases_opened(log: &str) -> usize {
    log.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "case opened")
        .count()
}

fn routing_span(log: &str) -> Option<f64> {
    let stamps: Vec<chrono::DateTime<chrono::FixedOffset>> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["fields"]["message"] == "case opened")
        .filter_map(|v| chrono::DateTime::parse_from_rfc3339(v["timestamp"].as_str()?).ok())
        .collect();
    let (first, last) = (stamps.first()?, stamps.last()?);
    Some((*last - *first).num_milliseconds() as f64 / 1000.0)
}

/// `smtp-source` sending `n` mails of about the size of a notification to directie, one
/// connection, through the same Postfix.
fn smtp_source(stack: &harness::MailStack, n: usize) -> f64 {
    let t = timed(
        Command::new("smtp-source")
            .args(["-c", "-s", "1", "-l", "3000"])
            .arg("-m")
            .arg(n.to_string())
            .args(["-f", "bench@example.test", "-t", DIRECTIE])
            .arg(format!("127.0.0.1:{}", stack.smtp_port)),
        "smtp-source",
    );
    n as f64 / t.seconds.max(0.01)
}

struct Args {
    sizes: Vec<usize>,
    dbs: Vec<String>,
    klachtenbus: PathBuf,
    parallel: usize,
    /// Runs of each contender, taking turns; the medians are compared.
    repeat: usize,
    /// Complaints timed from arrival to notification under `run` after the last run.
    latency: usize,
}

fn args() -> Args {
    let mut a = Args {
        sizes: vec![1000, 5000],
        dbs: vec!["sqlite".into(), "postgres".into()],
        klachtenbus: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/klachtenbus"),
        parallel: 1,
        repeat: 1,
        latency: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let value = it.next().unwrap_or_default();
        match arg.as_str() {
            "--messages" => {
                a.sizes = value
                    .split(',')
                    .map(|n| n.trim().replace('_', "").parse().expect("--messages N[,N]"))
                    .collect()
            }
            "--db" => a.dbs = value.split(',').map(|d| d.trim().to_string()).collect(),
            "--klachtenbus" => a.klachtenbus = PathBuf::from(value),
            "--parallel" => a.parallel = value.parse().expect("--parallel N (smtp.parallel)"),
            "--repeat" => a.repeat = value.parse::<usize>().expect("--repeat K").max(1),
            "--latency" => a.latency = value.parse().expect("--latency K (0: none)"),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// Arrival → notification under `run`: the daemon watches the mailbox (IDLE) of the
/// register just synced; `k` complaints are sent through Postfix one after another, each
/// timed from Postfix accepting it until directie's mailbox holds its notification (so the
/// time includes Postfix's delivery to the mailbox and the notification's way back).
fn latency(
    stack: &harness::MailStack,
    rt: &tokio::runtime::Runtime,
    klachtenbus: &Path,
    config: &Path,
    k: usize,
    in_mailbox: &mut usize,
) {
    let mut daemon = Command::new(klachtenbus)
        .arg("--config")
        .arg(config)
        .arg("run")
        .env("KLACHTENBUS__IMAP__IDLE", "true")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("klachtenbus run");
    // Started, routed what was there, and in IDLE.
    std::thread::sleep(Duration::from_secs(3));
    let mut times = Vec::with_capacity(k);
    for i in 0..k {
        let raw = format!(
            "From: Klant L{i} <latency{i}@example.test>\r\nTo: {to}\r\nSubject: Klacht over mijn hypotheekadvies\r\nDate: Mon, 30 Nov 2026 11:00:00 +0100\r\nMessage-ID: <latency-{i}-{pid}@example.test>\r\n\r\nIk ben zeer ontevreden over het advies. Niemand belt terug en ik wil een formele klacht indienen.\r\n",
            to = harness::full_address(MAILBOX),
            pid = std::process::id(),
        );
        let start = std::time::Instant::now();
        rt.block_on(stack.send(
            &format!("latency{i}@example.test"),
            &[&harness::full_address(MAILBOX)],
            raw.as_bytes(),
        ));
        *in_mailbox += 1;
        loop {
            if rt.block_on(stack.count(DIRECTIE, "INBOX")) as usize >= *in_mailbox {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no notification within a minute"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        times.push(start.elapsed().as_secs_f64());
        std::thread::sleep(Duration::from_millis(300));
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(daemon.id().to_string())
        .status();
    let _ = daemon.wait();
    let max = times.iter().copied().fold(0.0, f64::max);
    println!(
        "{:>7} {:>6} arrival -> notification under run (IDLE), {k} complaints one by one: median {:.2} s, slowest {max:.2} s",
        "",
        "",
        median(times)
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// What one `sync` run's log says: progress lines, routing time, sending rate beside
/// `smtp-source`'s. `in_mailbox`: how many mails directie's mailbox holds once everything
/// sent so far is delivered; it grows by this run's notifications and smtp-source's mails,
/// and both are waited for, so that Postfix is idle again when the next run starts.
fn report_details(
    stack: &harness::MailStack,
    rt: &tokio::runtime::Runtime,
    n: usize,
    k: &Timed,
    in_mailbox: &mut usize,
) {
    let progress: Vec<&str> = k
        .stderr
        .lines()
        .filter(|l| l.contains("reading the mailbox"))
        .collect();
    if let Some(last) = progress.last() {
        println!(
            "{n:>7} {:>6} progress: {} log lines, the last: {last}",
            "",
            progress.len()
        );
    }
    // One message in twenty is a complaint. Every case opened is a notification to
    // directie, so a detector that flags the routine mail too makes this a benchmark of
    // sending notifications, not of reading the mailbox: say so.
    let opened = cases_opened(&k.stderr);
    let expected = (0..n).filter(|i| i % 20 == 7).count();
    println!(
        "{n:>7} {:>6} cases opened: {opened} ({expected} complaints in the mailbox){}",
        "",
        if opened == expected {
            ""
        } else {
            " -- the detector did not judge the benchmark's mail as expected"
        }
    );
    // The notifications are in directie's mailbox (Postfix → LMTP) once delivered.
    *in_mailbox += opened;
    let delivered = |count: usize| {
        rt.block_on(stack.wait_for_count(DIRECTIE, "INBOX", count as u32, Duration::from_secs(120)))
    };
    delivered(*in_mailbox);
    if let Some(secs) = routing_span(&k.stderr) {
        println!(
            "{n:>7} {:>6} routing: {secs:.2} s from the first case opened to the last ({:.0} messages/s)",
            "",
            n.saturating_sub(20) as f64 / secs.max(0.001)
        );
    }
    if let Some((sent, rate)) = sending_rate(&k.stderr) {
        let reference = smtp_source(stack, sent);
        println!(
            "{n:>7} {:>6} sending {sent} mails: klachtenbus {rate:.0}/s, smtp-source {reference:.0}/s ({:.0} %)",
            "",
            100.0 * rate / reference
        );
        *in_mailbox += sent;
        delivered(*in_mailbox);
    }
}

fn main() -> ExitCode {
    let args = args();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let pg = args
        .dbs
        .iter()
        .any(|d| d == "postgres")
        .then(harness::Postgres::start);
    println!(
        "{:>7} {:>6} {:<24} {:>8} {:>9} {:>8} {:>6}",
        "N", "MB", "contender", "seconds", "msg/s", "peak MB", "ratio"
    );
    for &n in &args.sizes {
        for db in &args.dbs {
            let stack = harness::MailStack::start();
            let bytes = fill(&stack, &rt, n);
            let mb = bytes as f64 / 1e6;
            let line = |who: &str, t: &Timed, base: f64| {
                println!(
                    "{n:>7} {mb:>6.1} {who:<24} {:>8.2} {:>9.0} {:>8.1} {:>6.2}",
                    t.seconds,
                    n as f64 / t.seconds.max(0.01),
                    t.peak_rss_mb,
                    t.seconds / base
                );
            };
            // The two contenders take turns on the same mailbox, each run from scratch (a
            // new Maildir, a new register): the machine's moods fall on both alike, and the
            // medians are compared.
            let (mut theirs, mut ours) = (Vec::new(), Vec::new());
            let mut in_mailbox = 0;
            for run in 0..args.repeat {
                let work = tempfile::tempdir().expect("temp dir");
                let m = mbsync(&stack, work.path());
                line("mbsync", &m, m.seconds);
                let url = match db.as_str() {
                    "postgres" => rt.block_on(
                        pg.as_ref()
                            .expect("postgres started")
                            .database(&format!("bench{n}_{run}")),
                    ),
                    _ => format!("sqlite://{}", work.path().join("register.sqlite").display()),
                };
                let config = klachtenbus_config(&stack, work.path(), &url, args.parallel);
                let k = timed(
                    Command::new(&args.klachtenbus)
                        .arg("--config")
                        .arg(&config)
                        .arg("sync"),
                    "klachtenbus sync (cargo build --release first)",
                );
                line(
                    &format!("klachtenbus sync ({db}, p{})", args.parallel),
                    &k,
                    m.seconds,
                );
                report_details(&stack, &rt, n, &k, &mut in_mailbox);
                theirs.push(m.seconds);
                ours.push((k.seconds, k.peak_rss_mb));
                if run + 1 == args.repeat && args.latency > 0 {
                    latency(
                        &stack,
                        &rt,
                        &args.klachtenbus,
                        &config,
                        args.latency,
                        &mut in_mailbox,
                    );
                }
            }
            if args.repeat > 1 {
                let mbsync = median(theirs);
                let sync = median(ours.iter().map(|(s, _)| *s).collect());
                let rss = ours.iter().map(|(_, r)| *r).fold(0.0, f64::max);
                println!(
                    "{n:>7} {mb:>6.1} median of {}: mbsync {mbsync:.2} s, klachtenbus sync ({db}, p{}) {sync:.2} s, ratio {:.2}; peak RSS at most {rss:.1} MB",
                    args.repeat,
                    args.parallel,
                    sync / mbsync
                );
            }
        }
    }
    ExitCode::SUCCESS
}
