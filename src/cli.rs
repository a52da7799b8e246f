//! The `klachtenbus` command line. Each command asks the configuration for the sections it
//! needs before it does anything, so a bad setting stops it with exit code 2 and nothing
//! half-started. Results go to standard output; logs to standard error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::startup::{detector, App, Services};

use crate::calendar::{dutch_date, Calendar, Profile};
use crate::case::{CaseRef, Status};
use crate::clock::Clock;
use crate::config::{ConfigError, ImapSettings, Settings};
use crate::detect::Language;
use crate::dossier::CaseJson;
use crate::pipeline::RouteReport;
use crate::store::{Backend, Store, Stored};
use crate::{import, logging, mailbox};

/// `println!` for the commands' results: when standard output is a pipe whose reader has
/// gone (`klachtenbus messages | head -1`), the command ends quietly with exit code 0, as a
/// Unix tool ended by SIGPIPE would; another write error ends it with a message and code 1.
/// (`println!` would panic instead.)
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            $crate::cli::output_failed(e);
        }
    }};
}

/// `outln!` without the line end.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout().lock(), $($arg)*) {
            $crate::cli::output_failed(e);
        }
    }};
}

/// Ends the process after a failed write to standard output (see `outln!`).
pub(crate) fn output_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("klachtenbus: cannot write to standard output: {e}");
    std::process::exit(1)
}

mod args;
mod cases;
mod check;
mod daemon;
mod inspect;
pub mod labels;
mod register;
mod retention;
mod service;

pub use args::case_ref;
use args::*;
use cases::*;
use daemon::*;
use inspect::*;
use service::*;

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

    /// Language of the output for people: nl (default) or en; overrides ui.language.
    /// `--json` and CSV are the same in both.
    #[arg(long, global = true, value_name = "nl|en", value_parser = parse_lang)]
    pub lang: Option<Language>,

    #[command(subcommand)]
    pub command: Command,
}

/// The clock of this invocation (`--now`, else the system clock); set once in `dispatch`.
static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();

fn clock() -> Clock {
    CLOCK.get().cloned().unwrap_or_default()
}

/// The language of this invocation's human output (`--lang`, else `ui.language`, else
/// Dutch); set once in `dispatch`.
static LANG: std::sync::OnceLock<Language> = std::sync::OnceLock::new();

fn lang() -> Language {
    LANG.get().copied().unwrap_or(Language::Nl)
}

/// The language for what is said before the settings are read (a bad argument): `--lang`
/// as given on the command line, else Dutch.
fn early_lang() -> Language {
    if let Some(l) = LANG.get() {
        return *l;
    }
    let args: Vec<String> = std::env::args_os()
        .filter_map(|a| a.into_string().ok())
        .collect();
    for (i, a) in args.iter().enumerate() {
        let value = match a.strip_prefix("--lang=") {
            Some(v) => Some(v),
            None if a == "--lang" => args.get(i + 1).map(String::as_str),
            None => None,
        };
        if let Some(l) = value.and_then(labels::parse_language) {
            return l;
        }
    }
    Language::Nl
}

/// `klachtenbus: <message>` on standard error, in this invocation's language.
fn complain(nl: &str, en: &str) {
    eprintln!("klachtenbus: {}", labels::t(lang(), nl, en));
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
        /// standpunt_gegeven, gesloten), or `open` (kandidaat and in_behandeling) or
        /// `overdue` (open and past a deadline that still runs).
        #[arg(long, value_name = "S", value_parser = parse_status)]
        status: Option<StatusFilter>,
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
    /// Write the mail the detector judged as customer mail, with a labels.jsonl of what
    /// directie made of it, into a folder for `eval`: how the detector, or another
    /// threshold or lexicon, does on the firm's own mail. Holds personal data.
    Corpus {
        /// The folder (created, readable by its owner only; must be missing or empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only mail received in this period (as `report --period`).
        #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
        period: Option<crate::report::Period>,
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
        /// 2026-H1, 2026-H2, 2026 (the whole year), or 2026-01-01..2026-03-31; without
        /// it, the current half year.
        #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
        period: Option<crate::report::Period>,
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
    /// Write a consistent copy of the register (SQLite) to FILE while `run` keeps going;
    /// an existing FILE is never overwritten. On PostgreSQL: use pg_dump.
    Backup {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Turn a stored message (register id or Message-ID) into a `kandidaat` case.
    Promote {
        #[arg(value_name = "MESSAGE-ID")]
        message: String,
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
            let l = cli.lang.unwrap_or(Language::Nl);
            eprintln!(
                "klachtenbus: {}: {e}",
                labels::t(
                    l,
                    "kan de asynchrone runtime niet starten",
                    "cannot start the async runtime"
                )
            );
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
    // The commands that speak to people read `ui.language` (a wrong value stops them
    // with exit 2, naming the setting); `--lang` overrides it.
    let speaks = matches!(
        cli.command,
        Command::Messages { .. }
            | Command::Cases { .. }
            | Command::Show { .. }
            | Command::Calendar { .. }
            | Command::Dossier { .. }
            | Command::Maatregel { .. }
            | Command::Report { .. }
            | Command::Status { .. }
            | Command::Promote { .. }
            | Command::Purge { .. }
            | Command::Erase { .. }
            | Command::Run
            | Command::Sync { .. }
            | Command::Login
            | Command::Migrate
            | Command::Import { .. }
            | Command::Classify { .. }
            | Command::Eval { .. }
    );
    let language = match cli.lang {
        Some(l) => l,
        // `check` names a wrong `ui.language` as one of its lines instead of stopping.
        None if matches!(cli.command, Command::Check) => {
            settings.ui_language().unwrap_or(Language::Nl)
        }
        None if speaks => settings.ui_language()?,
        None => Language::Nl,
    };
    let _ = LANG.set(language);
    match cli.command {
        Command::Run => run(&settings).await,
        Command::Sync { since } => sync(&settings, since).await,
        Command::Check => check::check(&settings).await,
        Command::Login => login(&settings).await,
        Command::Status { json } => service::service_status(&settings, json).await,
        Command::Migrate => {
            let store = open_store(&settings).await?;
            store.close().await;
            outln!(
                "{}",
                labels::t(
                    lang(),
                    "de database is bijgewerkt",
                    "database is up to date"
                )
            );
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
        Command::Corpus { out, period } => corpus(&settings, &out, period.as_ref()).await,
        Command::Intake(args) => register::intake(&settings, args).await,
        Command::Maatregel { action } => register::measure(&settings, action).await,
        Command::Report {
            period,
            format,
            out,
            mail,
        } => register::report(&settings, period, format, out, mail).await,
        Command::Purge { dry_run } => retention::purge(&settings, dry_run).await,
        Command::Backup { file } => {
            let store = open_store(&settings).await?;
            let result = store.backup_to(&file).await;
            store.close().await;
            match result {
                Ok(bytes) => {
                    outln!(
                        "{}",
                        labels::t(
                            lang(),
                            &format!(
                                "register gekopieerd naar {} ({bytes} bytes)",
                                file.display()
                            ),
                            &format!("register copied to {} ({bytes} bytes)", file.display()),
                        )
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("klachtenbus: {e}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Erase { email, dry_run } => retention::erase(&settings, &email, dry_run).await,
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

/// Opens and migrates the database named by `database.url`.
async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    crate::startup::open_store(settings).await
}

/// Routing and sending, built from `[smtp]`, `[directie]`, `[organisation]`,
/// `[deadlines]`, `[detection]` and `[limits]`, on this invocation's clock.
fn services(settings: &Settings) -> anyhow::Result<Services> {
    Services::build(settings, clock())
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

#[cfg(test)]
mod tests;
