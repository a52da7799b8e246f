//! The steps after intake, run on what the register holds: every stored message that has
//! not been routed yet is screened, classified and routed, in one transaction each:
//! - directie's replies are authenticated (address + per-case token, and optionally
//!   `Authentication-Results`) and their commands applied to the case;
//! - automatic mail (auto-replies, bounces, lists, no-reply, own mail) stops here;
//! - a customer's follow-up joins its case;
//! - a mail that looks like a complaint opens a case and notifies directie.
//!
//! The routing row, the case change, its events and the mail it causes are committed
//! together, so a crash at any point repeats nothing a person would notice.

mod alerts;
mod apply;
mod compose;
mod directie;
mod failed;
mod inventory;
mod open;
mod reminders;
mod runner;

pub use inventory::inventory;

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tera::Context;

use crate::authority;
use crate::calendar::{dutch_date, english_date, local_date, Calendar};
use crate::case::command::{parse_reply, Command};
use crate::case::token::{has_token_shape, plus_address, TokenKey};
use crate::case::{CaseRef, Channel};
use crate::clock::Clock;
use crate::config::{DeadlineSettings, DirectieSettings, OrganisationSettings};
use crate::detect::newtext::new_text;
use crate::detect::screen::{automatic, base_address, refuses_mail};
use crate::detect::{Detector, Language, ScreenContext, ScreenReason, Verdict};
use crate::domain::effect::{Effect, LetterKind};
use crate::form::Form;
use crate::letters::{header_safe, Body, Letters, Template};
use crate::logging::mask_address;
use crate::parse::ParsedMail;
use crate::route::reply::{self, first_chars, Refusal};
use crate::store::{CaseRow, FailureKind, NewCase, NewMail, Store, Tx, Unrouted};
use tokio_util::sync::CancellationToken;

pub use reminders::{Deadline, Moment, ReminderReport};

/// What one routing round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RouteReport {
    pub classified: usize,
    pub flagged: usize,
    pub screened: usize,
    pub cases_opened: usize,
    pub follow_ups: usize,
    pub replies_applied: usize,
    pub replies_refused: usize,
    /// Messages received before `imap.since`: kept as archive, not routed.
    pub archived: usize,
    /// Old complaint-like mails held on a first run (`limits.first_run_max_cases`).
    pub held: usize,
    /// Messages whose routing failed in this round (recorded, retried later).
    pub failed: usize,
    /// The round stopped early because shutdown was requested.
    pub interrupted: bool,
}

/// Everything routing needs, built once from the settings.
pub struct Pipeline {
    pub detector: Detector,
    pub screen: ScreenContext,
    pub directie: DirectieSettings,
    key: TokenKey,
    /// `smtp.from`: the service's own address.
    pub from: String,
    id_domain: String,
    pub org: OrganisationSettings,
    pub calendar: Calendar,
    pub deadlines: DeadlineSettings,
    pub max_auto_mails_per_day: u32,
    pub letters: Arc<Letters>,
    /// `staff.addresses`: who may mail a Klachtenformulier.
    pub staff: Vec<String>,
    /// `[report]`: the scheduled half-yearly inventory.
    pub report: crate::config::ReportSettings,
    /// `imap.since` (or `sync --since`): mail received before this day (Amsterdam) is kept
    /// as archive and never routed.
    pub since: Option<NaiveDate>,
    /// `[alerts]`: who is told when intake or sending keeps failing.
    pub alerts: crate::config::AlertSettings,
    /// `limits.first_run_max_cases` (0: no check).
    pub first_run_max_cases: usize,
    /// What time it is: every decision and every stamp in the register reads this clock.
    clock: Clock,
}

/// Refusal notices to one directie address per day. They go only to configured directie
/// addresses (never to the sender of a forged mail elsewhere), one per refused mail, so
/// a spoofer cannot amplify; the cap only stops a flood of spoofed mail from burying
/// directie's inbox. Higher than the customer limit: directie may mistype a few times.
const REFUSAL_NOTICES_PER_DAY: i64 = 20;

/// Without a position after this many weeks, the complainant may go to Kifid.
pub const KIFID_WEEKS: i64 = 8;

/// Mail text shown to directie and quoted in letters is bounded.
const SUMMARY_CHARS: usize = 4000;

/// A mail about a case to every directie address (see `each_directie_address`).
struct DirectieMail {
    kind: Template,
    /// Dedup key prefix; the address is appended.
    dedup: String,
    subject: String,
    /// The customer address it concerns (for the daily limits).
    about: Option<String>,
    /// In-Reply-To and References.
    thread: (Option<String>, Vec<String>),
    /// How the timeline names it ("melding", "vervolgmelding").
    what: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor<'a> {
    System,
    Directie(&'a str),
    /// The employee (staff address, or `intake`) who recorded a Klachtenformulier.
    Staff(&'a str),
    Cli,
    /// Directie, promoting a doubtful mail from the digest (`KLACHT <nummer>`).
    DoubtPromotion(&'a str),
}

impl Actor<'_> {
    fn name(&self) -> String {
        match self {
            Actor::System => "klachtenbus".into(),
            Actor::Directie(a) | Actor::Staff(a) | Actor::DoubtPromotion(a) => a.to_string(),
            Actor::Cli => "cli".into(),
        }
    }

    /// How the case came about, when it is worth saying in the notification.
    fn origin(&self) -> Option<String> {
        match self {
            Actor::DoubtPromotion(a) => Some(format!(
                "uit de twijfelgevallen van het overzicht gehaald door {a} (de score lag onder de drempel)"
            )),
            _ => None,
        }
    }
}

impl Pipeline {
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is one section of the settings"
    )]
    pub fn new(
        detector: Detector,
        screen: ScreenContext,
        directie: DirectieSettings,
        from: String,
        org: OrganisationSettings,
        deadlines: DeadlineSettings,
        max_auto_mails_per_day: u32,
        letters: Arc<Letters>,
    ) -> Pipeline {
        let id_domain = from
            .split_once('@')
            .map(|(_, d)| d.to_string())
            .unwrap_or_default();
        Pipeline {
            detector,
            screen,
            key: TokenKey::new(directie.reply_secret.clone()),
            directie,
            from,
            id_domain,
            org,
            calendar: deadlines.calendar(),
            deadlines,
            max_auto_mails_per_day,
            letters,
            staff: Vec::new(),
            report: crate::config::ReportSettings {
                schedule: false,
                time: chrono::NaiveTime::MIN,
            },
            since: None,
            alerts: crate::config::AlertSettings {
                after_minutes: 30,
                addresses: Vec::new(),
            },
            first_run_max_cases: 0,
            clock: Clock::system(),
        }
    }

    /// Holds old complaint-like mail on a first run (`limits.first_run_max_cases`).
    pub fn with_first_run_limit(mut self, max_cases: usize) -> Pipeline {
        self.first_run_max_cases = max_cases;
        self
    }

    /// Reads time from `clock` instead of the system clock (`--now`, tests).
    pub fn with_clock(mut self, clock: Clock) -> Pipeline {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The current time by the pipeline's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Who is alerted, and after how long (`[alerts]`).
    pub fn with_alerts(mut self, alerts: crate::config::AlertSettings) -> Pipeline {
        self.alerts = alerts;
        self
    }

    /// Keeps mail received before `since` as archive, unrouted (`imap.since`).
    pub fn with_since(mut self, since: Option<NaiveDate>) -> Pipeline {
        self.since = since;
        self
    }

    /// Who may mail a Klachtenformulier (`staff.addresses`).
    pub fn with_staff(mut self, staff: Vec<String>) -> Pipeline {
        self.staff = staff.into_iter().map(|a| base_address(&a)).collect();
        self
    }

    /// The scheduled half-yearly report (`[report]`).
    pub fn with_report(mut self, report: crate::config::ReportSettings) -> Pipeline {
        self.report = report;
        self
    }

    pub fn id_domain(&self) -> &str {
        &self.id_domain
    }
}

/// A case read again inside the transaction that changed it.
async fn reload(tx: &mut Tx, id: i64) -> anyhow::Result<CaseRow> {
    tx.case_by_id(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("case {id} vanished"))
}

/// A mail whose subject starts with "Klachtenformulier" (case-insensitive).
fn is_form(mail: &ParsedMail) -> bool {
    mail.subject.as_deref().is_some_and(|s| {
        s.trim_start()
            .get(..17)
            .is_some_and(|p| p.eq_ignore_ascii_case("klachtenformulier"))
    })
}

/// The new text of a mail, bounded, for directie and the letters.
fn summary_of(mail: &ParsedMail) -> String {
    let body = mail.body_text.as_deref().unwrap_or("");
    // A forward with no word of its own, or a short note: the mail it passes on too, as
    // the detector judged it.
    let text = crate::detect::newtext::or_forwarded(new_text(body), body, mail.subject.as_deref());
    let text = text.trim();
    let text = if text.is_empty() {
        mail.subject.as_deref().unwrap_or("")
    } else {
        text
    };
    if mail.documents.iter().all(|d| d.text.is_empty()) {
        return first_chars(text, SUMMARY_CHARS);
    }
    // The attached letters read with it, each under its own heading.
    let mut all = text.to_string();
    for document in mail.documents.iter().filter(|d| !d.text.is_empty()) {
        all.push_str("\n\n");
        all.push_str(&crate::domain::excerpt::document_heading(&document.name));
        all.push('\n');
        all.push_str(&document.text);
    }
    first_chars(&all, SUMMARY_CHARS)
}

fn criterion_label(criterion: &str) -> String {
    match criterion {
        "klachtwoord" => "1. het woord klacht of een synoniem".into(),
        "sterke_bewoording" => "2. sterke bewoording / duidelijk oneens".into(),
        "verwijt_handelen" => "3. verwijt over handelen of nalaten".into(),
        "verwijt_gedrag" => "4. verwijt over gedrag van een medewerker".into(),
        "typografie" => "nadruk (!!!, HOOFDLETTERS)".into(),
        "woordgebruik" => "woordgebruik (geleerde woorden en woordparen)".into(),
        "afzender_collega" => "afzender: een collega (eigen domein)".into(),
        other => other.to_string(),
    }
}
