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
use crate::detect::Language;
use crate::dossier::CaseJson;
use crate::outbox::{DeliveryReport, Mailer};
use crate::pipeline::{Pipeline, ReminderReport, RouteReport};
use crate::store::{Backend, Store, Stored};
use crate::{import, logging, mailbox};

mod check;
mod daemon;
mod inspect;
pub mod labels;
mod register;

use daemon::*;
use inspect::*;

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

/// Which cases `cases --status` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Exactly this status.
    Is(Status),
    /// Not yet handled: `kandidaat` or `in_behandeling` (as the inventory counts "open").
    Open,
    /// Open and past a deadline that still runs (as the escalations decide).
    Overdue,
}

impl StatusFilter {
    /// Whether `case` passes on `today` (an Amsterdam date).
    pub fn admits(self, case: &crate::store::CaseRow, today: chrono::NaiveDate) -> bool {
        match self {
            StatusFilter::Is(s) => case.status == s,
            StatusFilter::Open => crate::report::is_open(case.status),
            StatusFilter::Overdue => crate::report::is_overdue(case, today),
        }
    }
}

fn parse_status(s: &str) -> Result<StatusFilter, String> {
    let key = s.trim().to_lowercase().replace([' ', '-'], "_");
    match key.as_str() {
        "open" => return Ok(StatusFilter::Open),
        "overdue" | "te_laat" => return Ok(StatusFilter::Overdue),
        _ => {}
    }
    if let Some(status) = Status::parse(&key) {
        return Ok(StatusFilter::Is(status));
    }
    let known = crate::case::STATUSES.map(|s| s.as_str()).join(", ");
    Err(match early_lang() {
        Language::Nl => format!("{s:?} is geen status; kies uit {known}, open of overdue"),
        Language::En => format!("{s:?} is not a status; expected one of {known}, open or overdue"),
    })
}

fn parse_lang(s: &str) -> Result<Language, String> {
    labels::parse_language(s).ok_or_else(|| format!("{s:?}: nl of en (nl or en)"))
}

fn parse_period(s: &str) -> Result<crate::report::Period, String> {
    crate::report::Period::parse_in(s, early_lang())
}

fn parse_format(s: &str) -> Result<crate::report::Format, String> {
    s.parse().map_err(|_: String| match early_lang() {
        Language::Nl => format!("{s:?}: kies text, md, csv of html"),
        Language::En => format!("{s:?}: use text, md, csv or html"),
    })
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse().map_err(|_: String| match early_lang() {
        Language::Nl => format!("{s:?} is geen kalender; kies kantoor of atw"),
        Language::En => format!("{s:?} is not a calendar; expected kantoor or atw"),
    })
}

/// A case reference as people type it: `KL-2026-0009`, `KL-2026-9`, `kl-2026-9` or
/// `2026-9` (the register prints `KL-2026-0009`).
pub fn case_ref(s: &str) -> Option<CaseRef> {
    let t = s.trim();
    let rest = match t.get(..2) {
        Some(p) if p.eq_ignore_ascii_case("kl") => t[2..].trim_start_matches(['-', ' ']),
        _ => t,
    };
    let (year, seq) = rest.split_once('-')?;
    let digits = |d: &str, max: usize| {
        !d.is_empty() && d.len() <= max && d.bytes().all(|b| b.is_ascii_digit())
    };
    if year.len() != 4 || !digits(year, 4) || !digits(seq, 7) {
        return None;
    }
    CaseRef::new(year.parse().ok()?, seq.parse().ok()?)
}

fn parse_ref(s: &str) -> Result<CaseRef, String> {
    case_ref(s).ok_or_else(|| match early_lang() {
        Language::Nl => {
            format!("{s:?} is geen zaakkenmerk (schrijf KL-2026-7, KL-2026-0007 of 2026-7)")
        }
        Language::En => {
            format!("{s:?} is not a case reference (write KL-2026-7, KL-2026-0007 or 2026-7)")
        }
    })
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
        Command::Status { json } => inspect::service_status(&settings, json).await,
        Command::Migrate => {
            let store = open_store(&settings).await?;
            store.close().await;
            println!(
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
        Command::Intake(args) => register::intake(&settings, args).await,
        Command::Maatregel { action } => register::measure(&settings, action).await,
        Command::Report {
            period,
            format,
            out,
            mail,
        } => register::report(&settings, period, format, out, mail).await,
        Command::Purge { dry_run } => register::purge(&settings, dry_run).await,
        Command::Backup { file } => {
            let store = open_store(&settings).await?;
            let result = store.backup_to(&file).await;
            store.close().await;
            match result {
                Ok(bytes) => {
                    println!(
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

/// What routing did, as `sync` and `import` print it.
fn print_route(r: &RouteReport) {
    let lang = lang();
    let msgs = |n: usize| labels::count(lang, n, ("bericht", "berichten"), ("message", "messages"));
    match lang {
        Language::Nl => println!(
            "{} beoordeeld: {} op een klacht, {} uitgefilterd",
            msgs(r.classified),
            if r.flagged == 1 {
                "1 lijkt".to_string()
            } else {
                format!("{} lijken", r.flagged)
            },
            r.screened
        ),
        Language::En => println!(
            "classified {}: {} like a complaint, {} screened out",
            r.classified,
            if r.flagged == 1 {
                "1 looks".to_string()
            } else {
                format!("{} look", r.flagged)
            },
            r.screened
        ),
    }
    let follow_ups = labels::count(
        lang,
        r.follow_ups,
        ("vervolgbericht", "vervolgberichten"),
        ("follow-up", "follow-ups"),
    );
    match lang {
        Language::Nl => println!(
            "zaken: {} geopend, {follow_ups} toegevoegd; antwoorden van directie: {} uitgevoerd, {} geweigerd",
            r.cases_opened, r.replies_applied, r.replies_refused
        ),
        Language::En => println!(
            "cases: {} opened, {follow_ups} joined; directie replies: {} applied, {} refused",
            r.cases_opened, r.replies_applied, r.replies_refused
        ),
    }
    if r.held > 0 {
        match lang {
            Language::Nl => println!(
                "{} ouder dan een week {}: het register draait voor het eerst en er wachten meer dan limits.first_run_max_cases, dus er is geen zaak voor geopend. Zet imap.since op vandaag om oude mail als archief te bewaren, en open een zaak voor elk bericht dat er nog toe doet met `klachtenbus promote <id>` (id's: `klachtenbus messages`)",
                msgs(r.held),
                if r.held == 1 {
                    "dat op een klacht lijkt, is aangehouden"
                } else {
                    "die op een klacht lijken, zijn aangehouden"
                }
            ),
            Language::En => println!(
                "{} complaint-like mails older than a week held: this is the register's first run and they are more than limits.first_run_max_cases, so no case was opened for them. Set imap.since to today to keep old mail as archive, and open a case for any that still matters with `klachtenbus promote <id>` (ids: `klachtenbus messages`)",
                r.held
            ),
        }
    }
    if r.archived > 0 {
        match lang {
            Language::Nl => println!(
                "{} ontvangen vóór imap.since: als archief bewaard, niet behandeld",
                msgs(r.archived)
            ),
            Language::En => println!(
                "{} received before imap.since: kept as archive, not acted on",
                r.archived
            ),
        }
    }
    if r.failed > 0 {
        match lang {
            Language::Nl => println!(
                "verwerking mislukt voor {}: wordt later opnieuw geprobeerd, directie is ingelicht (zie `messages`)",
                msgs(r.failed)
            ),
            Language::En => println!(
                "routing failed for {}: retried later, directie told (see `messages`)",
                msgs(r.failed)
            ),
        }
    }
    if r.interrupted {
        println!(
            "{}",
            labels::t(
                lang,
                "verwerking op verzoek eerder gestopt; de rest wordt de volgende keer verwerkt",
                "routing stopped early on request; the rest is routed next time",
            )
        );
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn references_as_people_type_them() {
        let r = CaseRef::new(2026, 9).unwrap();
        for s in [
            "KL-2026-9",
            "kl-2026-9",
            "2026-9",
            "KL-2026-0009",
            "Kl-2026-009",
            " KL 2026-9 ",
            "kl2026-9",
        ] {
            assert_eq!(case_ref(s), Some(r), "{s:?}");
            assert_eq!(parse_ref(s), Ok(r), "{s:?}");
        }
        assert_eq!(case_ref("2027-12345").unwrap().to_string(), "KL-2027-12345");
        for bad in [
            "KL-26-9",
            "KL-2026-0",
            "KL-2026-0000",
            "2026",
            "9",
            "KL-2026-",
            "KL-2026-9x",
            "x KL-2026-9",
            "2026-9-1",
            "KL-0999-1",
            "KL-2026-12345678",
            "ÉÉ-2026-9",
            "",
        ] {
            assert_eq!(case_ref(bad), None, "{bad:?}");
            assert!(parse_ref(bad).is_err(), "{bad:?}");
        }
        // Through clap, as `show` gets it.
        let cli = Cli::try_parse_from(["klachtenbus", "show", "2026-9"]).unwrap();
        assert!(matches!(cli.command, Command::Show { reference, .. } if reference == r));
        let cli = Cli::try_parse_from([
            "klachtenbus",
            "maatregel",
            "add",
            "x",
            "--case",
            "kl-2026-9",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Command::Maatregel {
                action: register::MeasureAction::Add { case: Some(c), .. }
            } if c == r
        ));
    }

    #[test]
    fn status_filters() {
        assert_eq!(parse_status("open"), Ok(StatusFilter::Open));
        assert_eq!(parse_status("OVERDUE"), Ok(StatusFilter::Overdue));
        assert_eq!(parse_status("te-laat"), Ok(StatusFilter::Overdue));
        assert_eq!(
            parse_status("in_behandeling"),
            Ok(StatusFilter::Is(Status::InBehandeling))
        );
        assert_eq!(
            parse_status("standpunt gegeven"),
            Ok(StatusFilter::Is(Status::StandpuntGegeven))
        );
        for s in crate::case::STATUSES {
            assert_eq!(parse_status(s.as_str()), Ok(StatusFilter::Is(s)));
        }
        assert!(parse_status("openstaand").is_err());
    }

    #[test]
    fn report_period_is_optional_and_takes_a_year() {
        let cli = Cli::try_parse_from(["klachtenbus", "report"]).unwrap();
        assert!(matches!(cli.command, Command::Report { period: None, .. }));
        let cli = Cli::try_parse_from(["klachtenbus", "report", "--period", "2026"]).unwrap();
        let Command::Report {
            period: Some(p), ..
        } = cli.command
        else {
            panic!("no period");
        };
        assert_eq!(p.label(), "2026");
        assert_eq!(p.from.to_string(), "2026-01-01");
        assert_eq!(p.to.to_string(), "2026-12-31");
        assert!(Cli::try_parse_from(["klachtenbus", "report", "--period", "2026-H3"]).is_err());
    }

    #[test]
    fn lang_is_a_global_flag() {
        let cli = Cli::try_parse_from(["klachtenbus", "cases", "--lang", "en"]).unwrap();
        assert_eq!(cli.lang, Some(Language::En));
        let cli = Cli::try_parse_from(["klachtenbus", "--lang", "nl", "status"]).unwrap();
        assert_eq!(cli.lang, Some(Language::Nl));
        assert!(Cli::try_parse_from(["klachtenbus", "--lang", "de", "status"]).is_err());
    }
}
