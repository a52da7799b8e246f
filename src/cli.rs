//! The `klachtenbus` command line. Each command asks the configuration for the sections it
//! needs before it does anything, so a bad setting stops it with exit code 2 and nothing
//! half-started. Results go to standard output; logs to standard error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::startup::detector;

use crate::calendar::{dutch_date, Calendar, Profile};
use crate::case::{CaseRef, Status};
use crate::clock::Clock;
use crate::config::{ConfigError, ImapSettings, Settings};
use crate::dossier::CaseJson;
use crate::outbox::{DeliveryReport, Mailer};
use crate::pipeline::{Pipeline, ReminderReport, RouteReport};
use crate::store::{Backend, Store, Stored};
use crate::{import, logging, mailbox};

mod check;
mod register;

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

    /// Run as if it were this moment (RFC 3339, or a local time 2026-12-21T09:00, or a
    /// date); the clock runs on from there. For rehearsals and tests of deadlines.
    #[arg(long, global = true, value_name = "MOMENT", value_parser = crate::clock::parse_moment)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,

    #[command(subcommand)]
    pub command: Command,
}

/// The clock of this invocation (`--now`, else the system clock); set once in `dispatch`.
static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();

fn clock() -> Clock {
    CLOCK.get().cloned().unwrap_or_default()
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The daemon: watch the mailbox (IDLE or polling) until SIGINT/SIGTERM.
    Run,
    /// One full pass over the mailbox, then exit.
    Sync {
        /// Mail received before this day (YYYY-MM-DD) is stored as archive, not acted on
        /// (as `imap.since`, for this run).
        #[arg(long, value_name = "DATE")]
        since: Option<chrono::NaiveDate>,
    },
    /// How the service is doing: the last successful mailbox pass and mail sent, failures
    /// and alerts, the outbox and mail not yet routed.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Store a refresh token for `oauth2.flow = "refresh_token"`: prints an address and a
    /// code, waits until a person has approved there, and saves the token in
    /// `oauth2.token_file`.
    Login,
    /// Apply database migrations.
    Migrate,
    /// Try every setting and each server it names (IMAP login, folders, SMTP login,
    /// database, OAuth2 token) without changing anything; exit 1 when something fails.
    Check,
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
    /// Precision, recall and F1 over a labelled corpus (labels.jsonl beside .eml files),
    /// or over each half of a split corpus (subfolders `tune/` and `test/`, each with its
    /// labels). The misses of a `test/` half are not shown unless asked for.
    Eval {
        dir: PathBuf,
        /// Also list the misses of a held-out `test/` half.
        #[arg(long)]
        show_test_misses: bool,
        /// Exit with 1 when recall is below this.
        #[arg(long, value_name = "R")]
        min_recall: Option<f64>,
        /// Exit with 1 when precision is below this.
        #[arg(long, value_name = "P")]
        min_precision: Option<f64>,
        /// Write, per mail, the signal families that fired (JSON lines) to FILE, for
        /// `scripts/fit-weights.py`; a held-out `test/` half is never written.
        #[arg(long, value_name = "FILE")]
        features: Option<PathBuf>,
    },
    /// List stored messages.
    Messages {
        /// Print JSON (see the README for the shape).
        #[arg(long)]
        json: bool,
    },
    /// List cases with status and deadlines.
    Cases {
        /// Only cases with this status (kandidaat, geen_klacht, in_behandeling,
        /// standpunt_gegeven, gesloten).
        #[arg(long, value_name = "S", value_parser = parse_status)]
        status: Option<Status>,
        #[arg(long)]
        json: bool,
    },
    /// One case with its full timeline and the mail sent for it.
    Show {
        #[arg(value_name = "REF", value_parser = parse_ref)]
        reference: CaseRef,
        #[arg(long)]
        json: bool,
    },
    /// What the working-day calendar decides: a deadline from a date, or a year's holidays.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["werkdagen", "dagen", "holidays"])))]
    Calendar {
        /// Start date (YYYY-MM-DD); the day itself is not counted.
        #[arg(long, value_name = "DATE", required_unless_present = "holidays")]
        from: Option<chrono::NaiveDate>,
        /// Count this many working days from --from (the acknowledgement rule).
        #[arg(long, value_name = "N", requires = "from")]
        werkdagen: Option<u32>,
        /// Count this many calendar days from --from, moved to the next working day when
        /// that is not one (the position rule).
        #[arg(long, value_name = "N", requires = "from")]
        dagen: Option<u32>,
        /// List the holidays and closed days of this year.
        #[arg(long, value_name = "YEAR", conflicts_with = "from")]
        holidays: Option<i32>,
        /// kantoor or atw (default: deadlines.calendar).
        #[arg(long, value_name = "P", value_parser = parse_profile)]
        profile: Option<Profile>,
        #[arg(long)]
        json: bool,
    },
    /// Write a case's dossier (original messages, mail sent, attachments, timeline,
    /// case.json and a SHA256SUMS manifest) into a folder.
    Dossier {
        #[arg(value_name = "REF", value_parser = parse_ref)]
        reference: CaseRef,
        /// The folder (created; must be empty or hold an earlier dossier).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Record a Klachtenformulier (a complaint by phone, in person or by letter): asks for
    /// each field in a terminal, or takes every field as a flag.
    Intake(register::IntakeArgs),
    /// Corrective measures (maatregelen): add one, or list them.
    Maatregel {
        #[command(subcommand)]
        action: register::MeasureAction,
    },
    /// The inventory of a period: counts, times, trends, measures.
    Report {
        /// 2026-H1, 2026-H2, or 2026-01-01..2026-03-31.
        #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
        period: crate::report::Period,
        /// text, md, csv or html.
        #[arg(long, value_name = "F", default_value = "text", value_parser = parse_format)]
        format: crate::report::Format,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE", conflicts_with = "mail")]
        out: Option<PathBuf>,
        /// Mail it to directie (text and HTML) instead.
        #[arg(long)]
        mail: bool,
    },
    /// Remove the personal data and mail of cases handled more than retention.keep_years
    /// ago; the anonymous facts stay for the reports.
    Purge {
        /// Only say what would be removed.
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove one person's personal data on request (refused while they have an open case).
    Erase {
        #[arg(long, value_name = "ADDRESS")]
        email: String,
        /// Only say what would be removed.
        #[arg(long)]
        dry_run: bool,
    },
    /// Turn a stored message (register id or Message-ID) into a `kandidaat` case.
    Promote {
        #[arg(value_name = "MESSAGE-ID")]
        message: String,
    },
}

fn parse_status(s: &str) -> Result<Status, String> {
    Status::parse(s).ok_or_else(|| {
        format!(
            "{s:?} is not a status; expected one of {}",
            crate::case::STATUSES.map(|s| s.as_str()).join(", ")
        )
    })
}

fn parse_period(s: &str) -> Result<crate::report::Period, String> {
    s.parse()
}

fn parse_format(s: &str) -> Result<crate::report::Format, String> {
    s.parse()
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
}

fn parse_ref(s: &str) -> Result<CaseRef, String> {
    s.parse().map_err(|e: crate::case::BadRef| e.to_string())
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
    let _ = CLOCK.set(cli.now.map(Clock::starting_at).unwrap_or_default());
    match cli.command {
        Command::Run => run(&settings).await,
        Command::Sync { since } => sync(&settings, since).await,
        Command::Check => check::check(&settings).await,
        Command::Login => login(&settings).await,
        Command::Status { json } => status(&settings, json).await,
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
            show_test_misses,
            min_recall,
            min_precision,
            features,
        } => eval(
            &settings,
            &dir,
            EvalOptions {
                show_test_misses,
                min_recall,
                min_precision,
                features,
            },
        ),
        Command::Messages { json } => messages(&settings, json).await,
        Command::Cases { status, json } => cases(&settings, status, json).await,
        Command::Show { reference, json } => show(&settings, reference, json).await,
        Command::Promote { message } => promote(&settings, &message).await,
        Command::Dossier { reference, out } => dossier(&settings, reference, &out).await,
        Command::Intake(args) => register::intake(&settings, args).await,
        Command::Maatregel { action } => register::measure(&settings, action).await,
        Command::Report {
            period,
            format,
            out,
            mail,
        } => register::report(&settings, period, format, out, mail).await,
        Command::Purge { dry_run } => register::purge(&settings, dry_run).await,
        Command::Erase { email, dry_run } => register::erase(&settings, &email, dry_run).await,
        Command::Calendar {
            from,
            werkdagen,
            dagen,
            holidays,
            profile,
            json,
        } => calendar(&settings, from, werkdagen, dagen, holidays, profile, json),
    }
}

/// The OAuth2 token files `run` and `sync` will need, checked before the database is
/// opened or created.
fn check_token_files(
    imap: &ImapSettings,
    smtp: &crate::config::SmtpSettings,
) -> anyhow::Result<()> {
    let sources = imap
        .oauth2
        .iter()
        .chain(smtp.oauth2.as_ref().map(|(_, s)| s));
    for source in sources {
        source.check_files().map_err(|e| ConfigError::Invalid {
            key: "oauth2.token_file".into(),
            reason: format!("{e}; store one with `klachtenbus login`"),
        })?;
    }
    Ok(())
}

/// Before `run` starts: a folder that does not exist or a processed folder spelled with
/// another separator can never work, so the daemon refuses to start (exit 2) instead of
/// retrying for ever. A server that cannot be reached now is no reason: it is retried.
async fn refuse_never_working(imap: &ImapSettings) -> anyhow::Result<()> {
    let fatal: Vec<String> = crate::mailbox::check::check(imap)
        .await
        .into_iter()
        .filter(|f| f.fatal)
        .map(|f| f.what)
        .collect();
    if fatal.is_empty() {
        return Ok(());
    }
    let key = if fatal.iter().any(|w| w.contains("processed_folder")) {
        "imap.processed_folder"
    } else {
        "imap.folder"
    };
    Err(ConfigError::Invalid {
        key: key.into(),
        reason: fatal.join("; "),
    }
    .into())
}

/// `status`: the health of intake and sending, the outbox and the routing backlog.
async fn status(settings: &Settings, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let recorded = store.health().await?;
    let health: Vec<crate::store::Health> = crate::store::HEALTH_KINDS
        .iter()
        .map(|k| {
            recorded
                .iter()
                .find(|h| h.kind == *k)
                .cloned()
                .unwrap_or(crate::store::Health {
                    kind: k.to_string(),
                    last_ok: None,
                    failing_since: None,
                    last_error: None,
                    alerted_at: None,
                })
        })
        .collect();
    let (pending, sent, failed) = store.outbox_counts().await?;
    let unrouted = store.unrouted(100_000).await?.len();
    store.close().await;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "health": health,
                "outbox": { "pending": pending, "sent": sent, "failed": failed },
                "unrouted": unrouted,
            }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let local = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| {
                t.with_timezone(&chrono_tz::Europe::Amsterdam)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|| "never".into())
    };
    for h in &health {
        let name = if h.kind == "intake" {
            "mailbox"
        } else {
            "sending"
        };
        match &h.failing_since {
            None => println!("{name:<8} ok; last success {}", local(&h.last_ok)),
            Some(_) => println!(
                "{name:<8} FAILING since {} (last success {}){}: {}",
                local(&h.failing_since),
                local(&h.last_ok),
                if h.alerted_at.is_some() {
                    "; alert sent"
                } else {
                    ""
                },
                h.last_error.as_deref().unwrap_or("")
            ),
        }
    }
    println!("outbox   {pending} waiting, {sent} sent, {failed} failed permanently");
    println!("routing  {unrouted} stored message(s) not routed yet");
    Ok(ExitCode::SUCCESS)
}

/// `login`: the device-code flow of `[oauth2]`.
async fn login(settings: &Settings) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let tokens = crate::oauth::TokenSource::new(settings.oauth2()?);
    let saved = tokens
        .login_device(|uri, code, secs| {
            println!(
                "Open {uri} and enter the code {code} (valid for {} minutes); waiting for the approval…",
                secs / 60
            );
            let _ = std::io::stdout().flush();
        })
        .await?;
    println!("refresh token saved in {}", saved.display());
    Ok(ExitCode::SUCCESS)
}

/// Opens and migrates the database named by `database.url`.
async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    crate::startup::open_store(settings, clock()).await
}

/// Routing and sending, built from `[smtp]`, `[directie]`, `[organisation]`,
/// `[deadlines]`, `[detection]` and `[limits]`.
struct Services {
    pipeline: Pipeline,
    mailer: Mailer,
}

fn services(settings: &Settings) -> anyhow::Result<Services> {
    let pipeline = crate::startup::pipeline(settings)?;
    let mailer = crate::startup::mailer(settings, &pipeline)?;
    Ok(Services { pipeline, mailer })
}

async fn route(
    store: &Store,
    services: &Services,
    cancel: &CancellationToken,
) -> anyhow::Result<RouteReport> {
    services
        .pipeline
        .route_until(store, cancel)
        .await
        .context("routing stored messages")
}

async fn remind(store: &Store, services: &Services) -> anyhow::Result<ReminderReport> {
    services
        .pipeline
        .remind_due(store)
        .await
        .context("queueing reminders")
}

async fn deliver(store: &Store, services: &Services) -> anyhow::Result<DeliveryReport> {
    services
        .mailer
        .deliver_due(store)
        .await
        .context("sending queued mail")
}

fn print_route(r: &RouteReport) {
    println!(
        "classified {}: {} look like a complaint, {} screened out",
        r.classified, r.flagged, r.screened
    );
    println!(
        "cases: {} opened, {} follow-ups joined; directie replies: {} applied, {} refused",
        r.cases_opened, r.follow_ups, r.replies_applied, r.replies_refused
    );
    if r.held > 0 {
        println!(
            "{} complaint-like mails older than a week held: this is the register's first run and they are more than limits.first_run_max_cases, so no case was opened for them. Set imap.since to today to keep old mail as archive, and open a case for any that still matters with `klachtenbus promote <id>` (ids: `klachtenbus messages`)",
            r.held
        );
    }
    if r.archived > 0 {
        println!(
            "{} received before imap.since: kept as archive, not acted on",
            r.archived
        );
    }
    if r.failed > 0 {
        println!(
            "routing failed for {} message(s): retried later, directie told (see `messages`)",
            r.failed
        );
    }
    if r.interrupted {
        println!("routing stopped early on request; the rest is routed next time");
    }
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

/// `run`, with every log line of the daemon carrying the instance's name (host/pid/start):
/// with several instances on one database, the logs say which did what.
async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    use tracing::Instrument;
    let instance = crate::store::instance();
    run_instance(settings)
        .instrument(tracing::info_span!("run", instance = %instance))
        .await
}

async fn run_instance(settings: &Settings) -> anyhow::Result<ExitCode> {
    let imap = settings.imap()?;
    let limits = settings.limits()?;
    settings.database()?;
    let services = services(settings)?;
    let smtp = settings.smtp()?;
    check_token_files(&imap, &smtp)?;
    refuse_never_working(&imap).await?;
    let store = open_store(settings).await?;
    // One line that says what this daemon is and where it reads and sends (no secrets).
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        database = ?store.backend(),
        mailbox = %format!("{}:{}/{}", imap.host, imap.port, imap.folder),
        imap_auth = if imap.oauth2.is_some() { "oauth2" } else { "password" },
        smtp = %format!("{}:{}", smtp.host, smtp.port),
        smtp_auth = if smtp.oauth2.is_some() { "oauth2" } else if smtp.credentials.is_some() { "password" } else { "none" },
        mark = ?imap.mark,
        "klachtenbus starting"
    );
    let mailbox_id = mailbox_identity(&imap);
    // On SQLite one daemon per database: a second `run` is refused at once.
    let mut first_lease = match store.backend() {
        Backend::Sqlite => Some(
            store
                .try_mailbox_lease(&mailbox_id)
                .await?
                .ok_or_else(|| busy(&store))?,
        ),
        Backend::Postgres => None,
    };
    let cancel = shutdown_token();
    let wake = tokio::sync::Notify::new();
    // What earlier runs stored but did not route.
    route(&store, &services, &cancel).await?;
    let watch = async {
        // On PostgreSQL every instance routes, sends and reminds, but only the holder of
        // the mailbox lease watches the mailbox; the others stand by and take over when
        // its connection ends.
        while !cancel.is_cancelled() {
            let mut lease = match first_lease.take() {
                Some(lease) => lease,
                None => match stand_by(&store, &mailbox_id, &cancel).await {
                    Some(lease) => lease,
                    None => break,
                },
            };
            let watching = cancel.child_token();
            let watch = mailbox::watch(&imap, &limits, &store, &watching, |report| {
                let (store, services, wake, cancel) = (&store, &services, &wake, &cancel);
                async move {
                    if report.stored > 0 {
                        if let Err(e) = route(store, services, cancel).await {
                            tracing::error!(error = %format!("{e:#}"), "routing failed; retried after the next pass");
                        }
                        wake.notify_one();
                    }
                }
            });
            let guard = async {
                loop {
                    tokio::time::sleep(LEASE_CHECK).await;
                    if !lease.alive().await {
                        tracing::error!(
                            "lost the mailbox lease (database connection); standing by"
                        );
                        watching.cancel();
                        return;
                    }
                }
            };
            tokio::select! {
                _ = watch => {}
                _ = guard => {}
            }
            drop(lease);
        }
    };
    tokio::join!(watch, outbox_worker(&store, &services, &cancel, &wake));
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// How often a standing-by instance tries to take the mailbox lease, and how often the
/// holder checks that it still has it.
const LEASE_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// The identity of the mailbox for its lease: server, user and folder.
fn mailbox_identity(imap: &ImapSettings) -> String {
    format!(
        "{}:{}/{}/{}",
        imap.host, imap.port, imap.username, imap.folder
    )
}

/// The error for a second `run` or `sync` on one SQLite database.
fn busy(store: &Store) -> anyhow::Error {
    anyhow::anyhow!(
        "another klachtenbus `run` or `sync` is using this database (lock {}); stop it first — a running daemon already does what `sync` does",
        store
            .lock_file()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    )
}

/// Waits until this instance holds the mailbox lease, or shutdown. Says once that it
/// stands by.
async fn stand_by(
    store: &Store,
    mailbox: &str,
    cancel: &CancellationToken,
) -> Option<crate::store::MailboxLease> {
    let mut said = false;
    loop {
        match store.try_mailbox_lease(mailbox).await {
            Ok(Some(lease)) => {
                tracing::info!("holding the mailbox lease: this instance watches the mailbox");
                return Some(lease);
            }
            Ok(None) if !said => {
                tracing::info!("another instance watches the mailbox; standing by (routing, sending and reminders go on here)");
                said = true;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot ask for the mailbox lease; trying again"),
        }
        tokio::select! {
            _ = cancel.cancelled() => return None,
            _ = tokio::time::sleep(LEASE_CHECK) => {}
        }
    }
}

/// Routes what is stored but unrouted, queues reminders and sends queued mail whenever some
/// is due, until shutdown. It sleeps until the next reminder moment or outbox retry (at most
/// 15 seconds), and is woken early when intake changed something (a new case, a decision).
async fn outbox_worker(
    store: &Store,
    services: &Services,
    cancel: &CancellationToken,
    wake: &tokio::sync::Notify,
) {
    /// Another instance may queue mail or store mail it did not route (it died first);
    /// look at the outbox and sweep for unrouted mail at least this often.
    const OUTBOX_LOOK: std::time::Duration = std::time::Duration::from_secs(15);
    while !cancel.is_cancelled() {
        // The routing sweep: mail stored but not routed (by an instance that died, or a
        // message whose retry is due) is routed here whoever stored it.
        if let Err(e) = route(store, services, cancel).await {
            tracing::error!(error = %format!("{e:#}"), "routing sweep failed");
        }
        if let Err(e) = remind(store, services).await {
            tracing::error!(error = %format!("{e:#}"), "reminder round failed");
        }
        // Alerts are queued before the round, so that an alert about the mailbox goes out
        // in it (one about sending waits until sending works again).
        if let Err(e) = services.pipeline.alerts_due(store).await {
            tracing::error!(error = %format!("{e:#}"), "alert round failed");
        }
        if let Err(e) = deliver(store, services).await {
            tracing::error!(error = %format!("{e:#}"), "outbox round failed");
        }
        let now = store.now();
        let until = |t: chrono::DateTime<chrono::Utc>| {
            (t - now)
                .to_std()
                .unwrap_or(std::time::Duration::ZERO)
                .max(std::time::Duration::from_secs(1))
        };
        let mut next = OUTBOX_LOOK;
        if let Ok(Some(due)) = store.next_due().await {
            next = next.min(until(due));
        }
        match services.pipeline.next_moment(store, now).await {
            Ok(Some(at)) => next = next.min(until(at)),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "cannot plan reminders"),
        }
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = wake.notified() => {}
            _ = tokio::time::sleep(next) => {}
        }
    }
}

async fn sync(settings: &Settings, since: Option<chrono::NaiveDate>) -> anyhow::Result<ExitCode> {
    let imap = settings.imap()?;
    let limits = settings.limits()?;
    settings.database()?;
    let mut services = services(settings)?;
    if since.is_some() {
        services.pipeline = services.pipeline.with_since(since);
    }
    check_token_files(&imap, &settings.smtp()?)?;
    let store = open_store(settings).await?;
    let cancel = shutdown_token();
    // The mailbox is read only by the holder of its lease: on SQLite a running daemon
    // refuses `sync`; on PostgreSQL a `sync` beside a watching instance skips the mailbox
    // and does the rest (routing, reminders, sending).
    let lease = store.try_mailbox_lease(&mailbox_identity(&imap)).await?;
    if lease.is_none() && store.backend() == Backend::Sqlite {
        return Err(busy(&store));
    }
    let report = match &lease {
        Some(_) => {
            let (mut session, caps) = mailbox::connect(&imap)
                .await
                .with_context(|| format!("connecting to {}:{}", imap.host, imap.port))?;
            let report = mailbox::sync_pass(&mut session, caps, &imap, &limits, &store, &cancel)
                .await
                .with_context(|| format!("reading folder {:?}", imap.folder))?;
            let _ = session.logout().await;
            report
        }
        None => {
            println!(
                "{}: watched by another instance; not read by this sync",
                imap.folder
            );
            Default::default()
        }
    };
    let routed = route(&store, &services, &cancel).await?;
    let reminded = remind(&store, &services).await?;
    let delivered = deliver(&store, &services).await?;
    let (pending, _, _) = store.outbox_counts().await?;
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
    print_route(&routed);
    println!(
        "deadlines: {} reminders, {} escalations, {} digests",
        reminded.reminders, reminded.escalations, reminded.digests
    );
    if reminded.reports > 0 {
        println!("inventory: {} half-yearly reports queued", reminded.reports);
    }
    println!(
        "mail: {} sent, {} failed permanently, {} waiting in the outbox",
        delivered.sent, delivered.failed, pending
    );
    Ok(ExitCode::SUCCESS)
}

async fn import_files(settings: &Settings, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let services = services(settings)?;
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
    let routed = route(&store, &services, &CancellationToken::new()).await?;
    if routed.classified > 0 || routed.failed > 0 {
        print_route(&routed);
        println!("mail to directie is sent by the next `sync` or by `run`");
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
    /// `complaint` (flagged), `doubt` (scored in the doubt band: listed for directie in
    /// the digest), `none`; null until classified.
    pub band: Option<&'static str>,
    /// Present while routing this message fails: attempts, last error, next attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_failed: Option<crate::store::RoutingFailed>,
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
            case: m.case_ref,
            screened: m.screened,
            parse_status: m.parse_status.as_str().to_string(),
            size: m.size,
            sha256: m.sha256,
            band: match (m.complaint, m.route.as_deref()) {
                (None, _) => None,
                (Some(true), _) => Some("complaint"),
                (Some(false), Some("doubt")) => Some("doubt"),
                (Some(false), _) => Some("none"),
            },
            routing_failed: m.routing_failed,
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
            (None, Some(false), Some(score)) if m.band == Some("doubt") => {
                format!("twijfel {score:.1}")
            }
            (None, Some(false), Some(score)) => format!("-  {score:.1}"),
            _ => "(not classified)".into(),
        };
        let verdict = if m.parse_status == "parsed" {
            verdict
        } else {
            format!("{verdict} [{}]", m.parse_status)
        };
        let verdict = match &m.routing_failed {
            Some(f) => format!("ROUTING FAILED x{}", f.attempts),
            None => verdict,
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

struct EvalOptions {
    show_test_misses: bool,
    min_recall: Option<f64>,
    min_precision: Option<f64>,
    features: Option<PathBuf>,
}

fn eval(settings: &Settings, dir: &Path, options: EvalOptions) -> anyhow::Result<ExitCode> {
    let EvalOptions {
        show_test_misses,
        min_recall,
        min_precision,
        features,
    } = options;
    let (detector, ctx) = detector(settings)?;
    // One labelled folder, or the halves of a split corpus.
    let halves: Vec<PathBuf> = if dir.join("labels.jsonl").exists() {
        vec![dir.to_path_buf()]
    } else {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| anyhow::anyhow!("{}: no labels.jsonl to read ({e})", dir.display()))?;
        let mut subs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("labels.jsonl").exists())
            .collect();
        subs.sort();
        subs
    };
    if halves.is_empty() {
        anyhow::bail!("{}: no labels.jsonl, here or in a subfolder", dir.display());
    }
    if let Some(out) = &features {
        let mut lines = String::new();
        for half in halves
            .iter()
            .filter(|h| h.file_name().is_none_or(|n| n != "test"))
        {
            for row in crate::detect::eval::feature_rows(half, &detector, &ctx)? {
                lines.push_str(&serde_json::to_string(&row)?);
                lines.push('\n');
            }
        }
        std::fs::write(out, lines).with_context(|| format!("writing {}", out.display()))?;
    }
    let mut ok = true;
    for half in &halves {
        let report = crate::detect::eval::evaluate(half, &detector, &ctx)?;
        let held_out = half.file_name().is_some_and(|n| n == "test") && !show_test_misses;
        if halves.len() > 1 {
            println!("== {}", half.display());
        }
        if held_out {
            print!("{}", report.render_figures());
            println!("(misses of the held-out half not shown; --show-test-misses lists them)");
        } else {
            print!("{}", report.render());
        }
        if halves.len() > 1 {
            println!();
        }
        if let Some(r) = min_recall.filter(|r| report.recall() < *r) {
            eprintln!(
                "klachtenbus: {}: recall {:.3} is below {r}",
                half.display(),
                report.recall()
            );
            ok = false;
        }
        if let Some(p) = min_precision.filter(|p| report.precision() < *p) {
            eprintln!(
                "klachtenbus: {}: precision {:.3} is below {p}",
                half.display(),
                report.precision()
            );
            ok = false;
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn cases(
    settings: &Settings,
    status: Option<Status>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let rows = store.cases(status).await?;
    if json {
        let mut out = Vec::with_capacity(rows.len());
        for case in rows {
            let timeline = store.events(case.id).await?;
            out.push(CaseJson {
                case,
                timeline,
                mail: None,
            });
        }
        store.close().await;
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    store.close().await;
    println!(
        "{:<13}  {:<17}  {:<10}  {:<10}  {:<10}  {:<28}  SUBJECT",
        "REF", "STATUS", "BEVESTIG", "STANDPUNT", "KIFID", "FROM"
    );
    for c in &rows {
        println!(
            "{:<13}  {:<17}  {:<10}  {:<10}  {:<10}  {:<28}  {}",
            c.case_ref.to_string(),
            c.status.as_str(),
            c.confirm_by,
            c.position_by,
            c.kifid_from.as_deref().unwrap_or("-"),
            truncate(c.complainant_addr.as_deref().unwrap_or("-"), 28),
            truncate(c.subject.as_deref().unwrap_or("(geen onderwerp)"), 50)
        );
    }
    println!("{} case(s)", rows.len());
    Ok(ExitCode::SUCCESS)
}

async fn show(settings: &Settings, reference: CaseRef, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let Some(case) = store.case(reference).await? else {
        store.close().await;
        eprintln!("klachtenbus: no case {reference}");
        return Ok(ExitCode::from(1));
    };
    let timeline = store.events(case.id).await?;
    let mail = store.case_mail(case.id).await?;
    store.close().await;
    if json {
        let out = CaseJson {
            case,
            timeline,
            mail: Some(mail),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}  {}", case.case_ref, case.status);
    let addr = case.complainant_addr.as_deref().unwrap_or("-");
    match case.complainant_name.as_deref() {
        Some(n) => println!("  from:        {n} <{addr}>"),
        None => println!("  from:        {addr}"),
    }
    println!("  subject:     {}", case.subject.as_deref().unwrap_or("-"));
    println!("  received:    {}", case.received_at);
    println!("  confirm by:  {}", case.confirm_by);
    println!("  position by: {}", case.position_by);
    println!(
        "  kifid from:  {} (8 weeks without a position)",
        case.kifid_from.as_deref().unwrap_or("-")
    );
    println!("  category:    {}", case.category.as_deref().unwrap_or("-"));
    println!("  employee:    {}", case.employee.as_deref().unwrap_or("-"));
    println!("  channel:     {}", case.channel);
    if let Some(t) = &case.taken_by {
        println!("  taken by:    {t}");
    }
    if let Some(a) = &case.postal {
        println!("  address:     {a}");
    }
    if let Some(p) = &case.phone {
        println!("  phone:       {p}");
    }
    println!("  outcome:     {}", case.outcome.as_deref().unwrap_or("-"));
    if let Some(p) = &case.purged_at {
        println!("  personal data removed at {p}");
    }
    println!("timeline:");
    for e in &timeline {
        println!(
            "  {}  {:<20}  {:<24}  {}",
            e.at,
            e.kind,
            truncate(&e.actor, 24),
            truncate(&e.detail, 100)
        );
    }
    println!("mail:");
    for m in &mail {
        println!(
            "  {}  {:<18}  {:<8}  {}  {}",
            m.created_at,
            m.kind,
            m.status,
            m.recipient,
            m.last_error.as_deref().unwrap_or("")
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn promote(settings: &Settings, message: &str) -> anyhow::Result<ExitCode> {
    let services = services(settings)?;
    let store = open_store(settings).await?;
    let Some(id) = store.find_message(message).await? else {
        store.close().await;
        eprintln!("klachtenbus: no stored message {message:?} (give the id from `messages` or a Message-ID)");
        return Ok(ExitCode::from(1));
    };
    let result = services.pipeline.promote(&store, id).await;
    store.close().await;
    match result {
        Ok(r) => {
            println!("{r}: opened as kandidaat from message {id}; directie is notified by the next `sync` or by `run`");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("klachtenbus: {e:#}");
            Ok(ExitCode::from(1))
        }
    }
}

async fn dossier(settings: &Settings, reference: CaseRef, out: &Path) -> anyhow::Result<ExitCode> {
    let services = services(settings)?;
    let store = open_store(settings).await?;
    let written = crate::dossier::write(&store, &services.mailer, reference, out).await;
    store.close().await;
    let written = written?;
    println!(
        "dossier {reference}: {} files in {} (check with: cd {} && sha256sum -c SHA256SUMS)",
        written.len(),
        out.display(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
fn calendar(
    settings: &Settings,
    from: Option<chrono::NaiveDate>,
    werkdagen: Option<u32>,
    dagen: Option<u32>,
    year: Option<i32>,
    profile: Option<Profile>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let deadlines = settings.deadlines()?;
    let profile = profile.unwrap_or(deadlines.calendar);
    let cal = Calendar::new(profile, deadlines.extra_closed_days.iter().copied());
    if let Some(year) = year {
        if !(crate::calendar::FIRST_YEAR..=crate::calendar::LAST_YEAR).contains(&year) {
            eprintln!(
                "klachtenbus: {year} is outside the calendar's range ({} to {})",
                crate::calendar::FIRST_YEAR,
                crate::calendar::LAST_YEAR
            );
            return Ok(ExitCode::from(2));
        }
        // One line per day; two holidays on one day (Hemelvaart on 5 May) share it.
        let mut days: std::collections::BTreeMap<chrono::NaiveDate, Vec<&str>> = Default::default();
        for h in crate::calendar::holidays(year, profile) {
            days.entry(h.date).or_default().push(h.name);
        }
        for d in &deadlines.extra_closed_days {
            if chrono::Datelike::year(d) == year {
                days.entry(*d).or_default().push("gesloten");
            }
        }
        let days: Vec<(chrono::NaiveDate, String)> = days
            .into_iter()
            .map(|(d, mut names)| {
                names.dedup();
                (d, names.join(" / "))
            })
            .collect();
        if json {
            let list: Vec<_> = days
                .iter()
                .map(|(d, n)| serde_json::json!({"date": d.to_string(), "name": n}))
                .collect();
            println!(
                "{}",
                serde_json::json!({"year": year, "profile": profile.as_str(), "holidays": list})
            );
        } else {
            println!("{year} ({profile}):");
            for (d, n) in days {
                println!("  {d}  {:<28} {n}", dutch_date(d));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let from = from.context("--from is required")?;
    let (deadline, n, key) = match (werkdagen, dagen) {
        (Some(n), _) => (cal.add_working_days(from, n), n, "werkdagen"),
        (None, Some(n)) => (cal.add_days_to_working_day(from, n), n, "dagen"),
        (None, None) => anyhow::bail!("give --werkdagen or --dagen"),
    };
    let deadline = match deadline {
        Ok(d) => d,
        Err(e) => {
            eprintln!("klachtenbus: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if json {
        let mut v = serde_json::json!({
            "from": from.to_string(),
            "deadline": deadline.to_string(),
            "profile": profile.as_str(),
        });
        v[key] = serde_json::json!(n);
        println!("{v}");
    } else {
        let skipped: Vec<String> = from
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= deadline)
            .filter_map(|d| {
                let r = cal.closed_reason(d)?;
                (!matches!(r, "zaterdag" | "zondag")).then(|| format!("{d} {r}"))
            })
            .collect();
        println!("from:      {} ({from})", dutch_date(from));
        println!("{:<10} {n} ({profile})", format!("{key}:"));
        println!("deadline:  {} ({deadline})", dutch_date(deadline));
        if !skipped.is_empty() {
            println!("closed:    {}", skipped.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
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
