//! The `klachtenbus` command line. Each command asks the configuration for the sections it
//! needs before it does anything, so a bad setting stops it with exit code 2 and nothing
//! half-started. Results go to standard output; logs to standard error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::config::{ConfigError, Settings};
use crate::detect::{Detector, ScreenContext};
use crate::store::{Store, Stored};
use crate::{import, logging, mailbox, pipeline};

#[derive(Debug, Parser)]
#[command(
    name = "klachtenbus",
    version,
    about = "Complaints register fed by the company mailbox"
)]
pub struct Cli {
    /// Configuration file, layered on top of the built-in defaults (without it:
    /// config/default.toml and config/local.toml in the working directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The daemon: watch the mailbox (IDLE or polling) until SIGINT/SIGTERM.
    Run,
    /// One full pass over the mailbox, then exit.
    Sync,
    /// Apply database migrations.
    Migrate,
    /// Store archived messages as if they had arrived on their Date.
    Import {
        /// .eml files
        #[arg(required = true, value_name = "FILE.eml")]
        files: Vec<PathBuf>,
    },
    /// Verdict, score, threshold and signals for one message; changes nothing.
    Classify {
        /// An .eml file, or - for standard input
        #[arg(value_name = "FILE.eml|-")]
        file: PathBuf,
        /// Print JSON (see the README for the shape).
        #[arg(long)]
        json: bool,
    },
    /// Precision, recall and F1 over a labelled corpus (labels.jsonl beside .eml files).
    Eval {
        dir: PathBuf,
        /// Exit with 1 when recall is below this.
        #[arg(long, value_name = "R")]
        min_recall: Option<f64>,
        /// Exit with 1 when precision is below this.
        #[arg(long, value_name = "P")]
        min_precision: Option<f64>,
    },
    /// List stored messages.
    Messages {
        /// Print JSON (see the README for the shape).
        #[arg(long)]
        json: bool,
    },
}

/// Runs the parsed command line and maps the outcome to the exit code contract:
/// 0 success, 1 runtime failure, 2 bad usage or configuration.
pub fn main(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("klachtenbus: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(e) => {
            if let Some(cfg) = e.downcast_ref::<ConfigError>() {
                eprintln!("klachtenbus: {cfg}");
                return ExitCode::from(2);
            }
            eprintln!("klachtenbus: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::load(cli.config.as_deref())?;
    logging::init(&settings.logging()?);
    match cli.command {
        Command::Run => run(&settings).await,
        Command::Sync => sync(&settings).await,
        Command::Migrate => {
            let store = open_store(&settings).await?;
            store.close().await;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { files } => import_files(&settings, &files).await,
        Command::Classify { file, json } => classify(&settings, &file, json).await,
        Command::Eval {
            dir,
            min_recall,
            min_precision,
        } => eval(&settings, &dir, min_recall, min_precision),
        Command::Messages { json } => messages(&settings, json).await,
    }
}

/// Opens and migrates the database named by `database.url`.
async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let db = settings.database()?;
    let store = Store::connect(&db.url)
        .await
        .context("opening the database (database.url)")?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

/// The detector and screening addresses from `[detection]`, `smtp.from`, `imap.username`
/// and `directie.addresses`.
fn detector(settings: &Settings) -> anyhow::Result<(Detector, ScreenContext)> {
    let det = settings.detection()?;
    let (own, directie) = settings.screen_addresses()?;
    let detector = Detector::new(det.threshold, det.lexicon_dir.as_deref()).map_err(|e| {
        if det.lexicon_dir.is_some() {
            anyhow::Error::new(ConfigError::Invalid {
                key: "detection.lexicon_dir".into(),
                reason: e.to_string(),
            })
        } else {
            anyhow::Error::new(e).context("loading the built-in lexicons")
        }
    })?;
    Ok((detector, ScreenContext::new(own, directie)))
}

/// Classification of what intake stored; logged, and printed by `sync`.
async fn classify_stored(
    store: &Store,
    detector: &Detector,
    ctx: &ScreenContext,
) -> anyhow::Result<pipeline::ClassifyReport> {
    pipeline::classify_new(store, detector, ctx)
        .await
        .context("classifying stored messages")
}

/// A token cancelled by SIGINT or SIGTERM.
fn shutdown_token() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = ctrl_c => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
        tracing::info!("shutdown requested; finishing the current step");
        t.cancel();
    });
    token
}

async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let imap = settings.imap()?;
    let limits = settings.limits()?;
    let (detector, ctx) = detector(settings)?;
    let store = open_store(settings).await?;
    let cancel = shutdown_token();
    // What earlier runs stored but did not classify.
    classify_stored(&store, &detector, &ctx).await?;
    mailbox::watch(&imap, &limits, &store, &cancel, |report| {
        let (store, detector, ctx) = (&store, &detector, &ctx);
        async move {
            if report.stored > 0 {
                if let Err(e) = classify_stored(store, detector, ctx).await {
                    tracing::error!(error = %format!("{e:#}"), "classification failed; retried after the next pass");
                }
            }
        }
    })
    .await;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn sync(settings: &Settings) -> anyhow::Result<ExitCode> {
    let imap = settings.imap()?;
    let limits = settings.limits()?;
    let (detector, ctx) = detector(settings)?;
    let store = open_store(settings).await?;
    let cancel = shutdown_token();
    let (mut session, caps) = mailbox::connect(&imap)
        .await
        .with_context(|| format!("connecting to {}:{}", imap.host, imap.port))?;
    let report = mailbox::sync_pass(&mut session, caps, &imap, &limits, &store, &cancel)
        .await
        .with_context(|| format!("reading folder {:?}", imap.folder))?;
    let _ = session.logout().await;
    let classified = classify_stored(&store, &detector, &ctx).await?;
    store.close().await;
    println!(
        "{}: {} fetched, {} stored, {} already stored ({} headers only, {} unparsed){}",
        imap.folder,
        report.fetched,
        report.stored,
        report.duplicates,
        report.headers_only,
        report.unparsed,
        if report.interrupted {
            "; stopped early on request"
        } else {
            ""
        }
    );
    println!(
        "classified {}: {} look like a complaint, {} screened out",
        classified.classified, classified.flagged, classified.screened
    );
    Ok(ExitCode::SUCCESS)
}

async fn import_files(settings: &Settings, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let (detector, ctx) = detector(settings)?;
    let store = open_store(settings).await?;
    let mut failed = 0;
    for path in files {
        match import::import_file(&store, path).await {
            Ok(done) => {
                let what = match done.stored {
                    Stored::New(id) => format!("stored as message {id}"),
                    Stored::Duplicate(id) => format!("already stored as message {id}"),
                };
                let dated = if done.dated_by_header {
                    "Date header"
                } else {
                    "file time (no usable Date header)"
                };
                println!(
                    "{}: {what}, received {} ({dated}), {}",
                    path.display(),
                    crate::store::timestamp(done.received_at),
                    done.status.as_str()
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("klachtenbus: import: {e}");
            }
        }
    }
    let classified = classify_stored(&store, &detector, &ctx).await?;
    if classified.classified > 0 {
        println!(
            "classified {}: {} look like a complaint, {} screened out",
            classified.classified, classified.flagged, classified.screened
        );
    }
    store.close().await;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One row of `messages --json`.
#[derive(Debug, Serialize)]
pub struct MessageJson {
    pub id: i64,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub received_at: String,
    /// Detection verdict; null until the message has been classified.
    pub complaint: Option<bool>,
    pub score: Option<f64>,
    /// Case reference; null while the message belongs to no case.
    pub case: Option<String>,
    /// Screening reason (auto_reply, bounce, …) or null.
    pub screened: Option<String>,
    /// parsed | unparsed | headers_only
    pub parse_status: String,
    pub size: i64,
    pub sha256: String,
}

async fn messages(settings: &Settings, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let rows = store.list_messages().await?;
    store.close().await;
    let rows: Vec<MessageJson> = rows
        .into_iter()
        .map(|m| MessageJson {
            id: m.id,
            message_id: m.message_id,
            from: m.from,
            subject: m.subject,
            received_at: m.received_at,
            complaint: m.complaint,
            score: m.score,
            case: None,
            screened: m.screened,
            parse_status: m.parse_status.as_str().to_string(),
            size: m.size,
            sha256: m.sha256,
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>5}  {:<20}  {:<32}  {:<16}  SUBJECT",
        "ID", "RECEIVED", "FROM", "VERDICT"
    );
    for m in &rows {
        let verdict = match (&m.screened, m.complaint, m.score) {
            (Some(reason), _, _) => reason.clone(),
            (None, Some(true), Some(score)) => format!("KLACHT? {score:.1}"),
            (None, Some(false), Some(score)) => format!("-  {score:.1}"),
            _ => "(not classified)".into(),
        };
        let verdict = if m.parse_status == "parsed" {
            verdict
        } else {
            format!("{verdict} [{}]", m.parse_status)
        };
        println!(
            "{:>5}  {:<20}  {:<32}  {:<16}  {}",
            m.id,
            m.received_at,
            truncate(m.from.as_deref().unwrap_or("-"), 32),
            verdict,
            truncate(m.subject.as_deref().unwrap_or("(no subject)"), 60)
        );
    }
    println!("{} message(s)", rows.len());
    Ok(ExitCode::SUCCESS)
}

async fn classify(settings: &Settings, file: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let (detector, ctx) = detector(settings)?;
    let raw = if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .context("reading standard input")?;
        buf
    } else {
        std::fs::read(file).with_context(|| format!("reading {}", file.display()))?
    };
    let mail = crate::parse::parse(&raw);
    let verdict = detector.classify(&mail, &ctx);
    if json {
        println!("{}", serde_json::to_string_pretty(&verdict)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: score {} (threshold {}), language {}",
        match (verdict.screened, verdict.complaint) {
            (Some(r), _) => format!("screened out ({})", r.as_str()),
            (None, true) => "looks like a complaint".into(),
            (None, false) => "not a complaint".into(),
        },
        verdict.score,
        verdict.threshold,
        verdict.language.as_str()
    );
    for s in &verdict.signals {
        println!("  {:<18} {:>5}  {:?}", s.criterion, s.weight, s.phrase);
    }
    for i in &verdict.ignored {
        println!("  (not counted: {}) {:?}", i.reason, i.phrase);
    }
    Ok(ExitCode::SUCCESS)
}

fn eval(
    settings: &Settings,
    dir: &Path,
    min_recall: Option<f64>,
    min_precision: Option<f64>,
) -> anyhow::Result<ExitCode> {
    let (detector, ctx) = detector(settings)?;
    let report = crate::detect::eval::evaluate(dir, &detector, &ctx)?;
    print!("{}", report.render());
    let mut ok = true;
    if let Some(r) = min_recall.filter(|r| report.recall() < *r) {
        eprintln!("klachtenbus: recall {:.3} is below {r}", report.recall());
        ok = false;
    }
    if let Some(p) = min_precision.filter(|p| report.precision() < *p) {
        eprintln!(
            "klachtenbus: precision {:.3} is below {p}",
            report.precision()
        );
        ok = false;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
