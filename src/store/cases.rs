//! Cases, their timeline, the outbox and message routing in the database.
//!
//! Every decision is taken inside one [`Tx`]: the routing row that marks a message as
//! handled, the case change, its events and the mail it causes commit together or not at
//! all, so a crash repeats nothing a person would notice.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use super::{json_col, timestamp, Result, Store, StoreError};
use crate::case::{CaseRef, Channel, Origin, Outcome, Status};
use crate::detect::{Language, Verdict};
use crate::letters::Body;

/// A case about to be opened.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub channel: Channel,
    pub message_pk: Option<i64>,
    pub complainant_addr: Option<String>,
    pub complainant_name: Option<String>,
    pub subject: Option<String>,
    pub language: Language,
    pub summary: String,
    pub screened: Option<String>,
    pub received_at: DateTime<Utc>,
    /// Register fields a Klachtenformulier records.
    pub postal: Option<String>,
    pub phone: Option<String>,
    pub taken_by: Option<String>,
    pub employee: Option<String>,
    pub confirm_by: NaiveDate,
    pub position_by: NaiveDate,
    pub kifid_from: NaiveDate,
}

/// A case as stored.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    #[serde(skip)]
    pub id: i64,
    #[serde(rename = "ref", serialize_with = "display")]
    pub case_ref: CaseRef,
    pub status: Status,
    pub channel: Channel,
    #[serde(skip)]
    pub message_pk: Option<i64>,
    #[serde(rename = "from")]
    pub complainant_addr: Option<String>,
    #[serde(rename = "from_name")]
    pub complainant_name: Option<String>,
    pub subject: Option<String>,
    pub language: Language,
    #[serde(skip)]
    pub summary: String,
    #[serde(skip)]
    pub screened: Option<String>,
    pub received_at: String,
    pub confirm_by: String,
    pub position_by: String,
    /// From this day the complainant may go to Kifid if no position was given (8 weeks).
    pub kifid_from: Option<String>,
    /// Due moment of the latest reminder sent for the case.
    #[serde(skip)]
    pub reminded_through: Option<String>,
    pub category: Option<String>,
    pub employee: Option<String>,
    pub confirmed_at: Option<String>,
    pub position_at: Option<String>,
    pub closed_at: Option<String>,
    /// The complainant's postal address (Klachtenformulier).
    #[serde(rename = "address")]
    pub postal: Option<String>,
    pub phone: Option<String>,
    /// The employee who took a phone, oral or letter complaint.
    pub taken_by: Option<String>,
    pub outcome: Option<Outcome>,
    /// When `purge` or `erase` removed the personal data.
    pub purged_at: Option<String>,
    /// When the acknowledgement went out (queued by e-mail, or posted).
    pub acknowledged_at: Option<String>,
    /// When the position went out (letter queued or posted, or handled orally).
    pub position_sent_at: Option<String>,
    /// How the case came to be opened ([`Origin`]).
    pub origin: Origin,
}

fn display<S: serde::Serializer>(r: &CaseRef, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(r)
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub detail: String,
    /// Register id of the message this event is about.
    pub message: Option<i64>,
    /// Outbox id of the mail this event queued.
    pub outbox: Option<i64>,
}

/// A mail to be queued.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub case_id: Option<i64>,
    pub kind: &'static str,
    /// At most one row per key (e.g. one acknowledgement per case).
    pub dedup_key: Option<String>,
    pub recipient: String,
    /// The customer address the mail concerns (for the daily limits).
    pub about_addr: Option<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body: Body,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// `auto-replied` or `auto-generated`.
    pub auto_submitted: &'static str,
    /// Put into the Message-ID (a reply token), so replies carry it in References.
    pub id_token: Option<String>,
    pub not_before: DateTime<Utc>,
    /// A file sent with the mail (the printable letter).
    pub attachment: Option<Attachment>,
}

/// A file attached to a queued mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

impl NewMail {
    /// A notice from the service to directie (or another address of the firm): no case
    /// thread, no reply token, `Auto-Submitted: auto-generated`, due `now`.
    pub fn notice(
        kind: &'static str,
        dedup_key: String,
        recipient: &str,
        subject: String,
        body: Body,
        now: DateTime<Utc>,
    ) -> NewMail {
        NewMail {
            case_id: None,
            kind,
            dedup_key: Some(dedup_key),
            recipient: recipient.to_string(),
            about_addr: None,
            reply_to: None,
            subject,
            body,
            in_reply_to: None,
            references: Vec::new(),
            auto_submitted: "auto-generated",
            id_token: None,
            not_before: now,
            attachment: None,
        }
    }
}

/// A doubtful mail as the digest lists it.
#[derive(Debug, Clone)]
pub struct Doubt {
    pub id: i64,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub received_at: String,
    pub score: f64,
    pub verdict: Option<Verdict>,
}

/// Where a queued mail stands: waiting to be sent (or retried), sent, or given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    Pending,
    Sent,
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<MailStatus> {
        match s {
            "pending" => Some(MailStatus::Pending),
            "sent" => Some(MailStatus::Sent),
            "failed" => Some(MailStatus::Failed),
            _ => None,
        }
    }
}

/// A queued mail, as the sender reads it.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub case_id: Option<i64>,
    pub kind: String,
    pub recipient: String,
    pub reply_to: Option<String>,
    pub subject: String,
    #[serde(skip)]
    pub body_text: String,
    #[serde(skip)]
    pub body_html: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub auto_submitted: String,
    pub message_id: String,
    pub date_header: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
    /// Loaded apart ([`crate::store::Store::attachment`]) by the sender and the dossier.
    #[serde(skip)]
    pub attachment: Option<Attachment>,
}

const CASE_COLUMNS: &str = "id, ref, status, channel, message_pk, complainant_addr, \
    complainant_name, subject, language, summary, screened, received_at, confirm_by, \
    position_by, kifid_from, reminded_through, category, employee, confirmed_at, position_at, closed_at, \
    complainant_postal, complainant_phone, taken_by, outcome, purged_at, acknowledged_at, \
    position_sent_at, \
    (SELECT route FROM routing WHERE routing.message_pk = cases.message_pk) AS origin_route, \
    (SELECT detail FROM routing WHERE routing.message_pk = cases.message_pk) AS origin_detail";

const OUTBOX_COLUMNS: &str = "id, case_id, kind, recipient, reply_to, subject, body_text, \
    body_html, in_reply_to, refs, auto_submitted, message_id, date_header, status, attempts, \
    created_at, sent_at, last_error";

/// A case reference as the `cases.ref` column holds it.
pub(super) fn parse_ref(reference: &str) -> Result<CaseRef> {
    reference
        .parse()
        .map_err(|e: crate::case::BadRef| StoreError::Corrupt {
            column: "cases.ref",
            reason: e.to_string(),
        })
}

/// A status as the `cases.status` column holds it.
pub(super) fn parse_status(status: &str) -> Result<Status> {
    Status::parse(status).ok_or_else(|| unknown("cases.status", status))
}

/// A column holding one word of an enum (`name` in the row), parsed by `parse`.
fn word<T>(
    r: &AnyRow,
    name: &str,
    column: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T> {
    let text: String = r.try_get(name)?;
    parse(&text).ok_or_else(|| unknown(column, &text))
}

/// A word the register should not hold: the database was changed by hand, or by a newer
/// version.
fn unknown(column: &'static str, text: &str) -> StoreError {
    StoreError::Corrupt {
        column,
        reason: format!("unknown value {text:?}"),
    }
}

fn case_row(r: &AnyRow) -> Result<CaseRow> {
    let reference: String = r.try_get("ref")?;
    let channel = word(r, "channel", "cases.channel", Channel::parse)?;
    let origin = Origin::of(
        channel,
        r.try_get::<Option<String>, _>("origin_route")?.as_deref(),
        r.try_get::<Option<String>, _>("origin_detail")?.as_deref(),
    );
    Ok(CaseRow {
        id: r.try_get("id")?,
        case_ref: parse_ref(&reference)?,
        status: word(r, "status", "cases.status", Status::parse)?,
        channel,
        message_pk: r.try_get("message_pk")?,
        complainant_addr: r.try_get("complainant_addr")?,
        complainant_name: r.try_get("complainant_name")?,
        subject: r.try_get("subject")?,
        language: match r.try_get::<String, _>("language")?.as_str() {
            "en" => Language::En,
            _ => Language::Nl,
        },
        summary: r.try_get("summary")?,
        screened: r.try_get("screened")?,
        received_at: r.try_get("received_at")?,
        confirm_by: r.try_get("confirm_by")?,
        position_by: r.try_get("position_by")?,
        kifid_from: r.try_get("kifid_from")?,
        reminded_through: r.try_get("reminded_through")?,
        category: r.try_get("category")?,
        employee: r.try_get("employee")?,
        confirmed_at: r.try_get("confirmed_at")?,
        position_at: r.try_get("position_at")?,
        closed_at: r.try_get("closed_at")?,
        postal: r.try_get("complainant_postal")?,
        phone: r.try_get("complainant_phone")?,
        taken_by: r.try_get("taken_by")?,
        outcome: r
            .try_get::<Option<String>, _>("outcome")?
            .as_deref()
            .and_then(Outcome::parse),
        purged_at: r.try_get("purged_at")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        position_sent_at: r.try_get("position_sent_at")?,
        origin,
    })
}

fn outbox_row(r: &AnyRow) -> Result<OutboxRow> {
    let refs: Option<String> = r.try_get("refs")?;
    Ok(OutboxRow {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        kind: r.try_get("kind")?,
        recipient: r.try_get("recipient")?,
        reply_to: r.try_get("reply_to")?,
        subject: r.try_get("subject")?,
        body_text: r.try_get("body_text")?,
        body_html: r.try_get("body_html")?,
        in_reply_to: r.try_get("in_reply_to")?,
        references: refs
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        auto_submitted: r.try_get("auto_submitted")?,
        message_id: r
            .try_get::<Option<String>, _>("message_id")?
            .unwrap_or_default(),
        date_header: r.try_get("date_header")?,
        status: word(r, "status", "outbox.status", MailStatus::parse)?,
        attempts: r.try_get("attempts")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        last_error: r.try_get("last_error")?,
        attachment: None,
    })
}

async fn case_by_ref<'e, E: Executor<'e, Database = Any>>(
    e: E,
    r: CaseRef,
) -> Result<Option<CaseRow>> {
    sqlx::query(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE ref = $1"))
        .bind(r.to_string())
        .fetch_optional(e)
        .await?
        .as_ref()
        .map(case_row)
        .transpose()
}

/// One database transaction of the pipeline.
pub struct Tx {
    pub(super) tx: sqlx::Transaction<'static, Any>,
    /// The store clock's time when the transaction began: every stamp it writes.
    now: DateTime<Utc>,
    /// Domain part of Message-IDs (that of `smtp.from`).
    id_domain: String,
}

mod read;
mod write;
