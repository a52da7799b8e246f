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
use crate::case::{CaseRef, Status};
use crate::detect::Verdict;
use crate::letters::Body;

/// A case about to be opened.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub channel: &'static str,
    pub message_pk: Option<i64>,
    pub complainant_addr: Option<String>,
    pub complainant_name: Option<String>,
    pub subject: Option<String>,
    pub language: String,
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
    pub channel: String,
    #[serde(skip)]
    pub message_pk: Option<i64>,
    #[serde(rename = "from")]
    pub complainant_addr: Option<String>,
    #[serde(rename = "from_name")]
    pub complainant_name: Option<String>,
    pub subject: Option<String>,
    pub language: String,
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
    pub outcome: Option<String>,
    /// When `purge` or `erase` removed the personal data.
    pub purged_at: Option<String>,
    /// When the acknowledgement went out (queued by e-mail, or posted).
    pub acknowledged_at: Option<String>,
    /// When the position went out (letter queued or posted, or handled orally).
    pub position_sent_at: Option<String>,
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
    pub status: String,
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
    position_sent_at";

const OUTBOX_COLUMNS: &str = "id, case_id, kind, recipient, reply_to, subject, body_text, \
    body_html, in_reply_to, refs, auto_submitted, message_id, date_header, status, attempts, \
    created_at, sent_at, last_error";

fn case_row(r: &AnyRow) -> Result<CaseRow> {
    let reference: String = r.try_get("ref")?;
    let status: String = r.try_get("status")?;
    Ok(CaseRow {
        id: r.try_get("id")?,
        case_ref: reference
            .parse()
            .map_err(|e: crate::case::BadRef| StoreError::Corrupt {
                column: "cases.ref",
                reason: e.to_string(),
            })?,
        status: Status::parse(&status).ok_or_else(|| StoreError::Corrupt {
            column: "cases.status",
            reason: format!("unknown status {status:?}"),
        })?,
        channel: r.try_get("channel")?,
        message_pk: r.try_get("message_pk")?,
        complainant_addr: r.try_get("complainant_addr")?,
        complainant_name: r.try_get("complainant_name")?,
        subject: r.try_get("subject")?,
        language: r.try_get("language")?,
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
        outcome: r.try_get("outcome")?,
        purged_at: r.try_get("purged_at")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        position_sent_at: r.try_get("position_sent_at")?,
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
        status: r.try_get("status")?,
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

impl Store {
    /// Starts a transaction; Message-IDs of mail queued in it end in `@id_domain`.
    pub async fn begin(&self, id_domain: &str) -> Result<Tx> {
        Ok(Tx {
            tx: self.pool.begin().await?,
            now: self.now(),
            id_domain: id_domain.to_string(),
        })
    }

    /// Stored messages that the pipeline has not routed yet, oldest first, each with
    /// whether its routing failed before. A message whose earlier failure put off its next
    /// attempt is left out until then. A form stored by `intake` is routed by `intake`.
    pub async fn unrouted(&self, limit: i64) -> Result<Vec<(i64, bool)>> {
        let rows = sqlx::query(
            "SELECT m.id, f.attempts FROM messages m
             LEFT JOIN routing r ON r.message_pk = m.id
             LEFT JOIN failures f ON f.kind = 'route' AND f.item = m.id
             WHERE r.message_pk IS NULL AND m.source <> 'intake'
               AND (f.item IS NULL OR f.next_attempt_at <= $2)
             ORDER BY m.id LIMIT $1",
        )
        .bind(limit)
        .bind(timestamp(self.now()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get::<Option<i64>, _>("attempts")?.is_some(),
                ))
            })
            .collect()
    }

    /// Doubtful mails not listed in a digest yet and still outside any case, oldest first:
    /// register id, sender, subject, arrival and the verdict's JSON.
    pub async fn doubts_unlisted(&self) -> Result<Vec<Doubt>> {
        let rows = sqlx::query(
            "SELECT m.id, m.from_addr, m.subject, m.received_at, v.score, v.verdict
             FROM routing r JOIN messages m ON m.id = r.message_pk
             LEFT JOIN verdicts v ON v.message_pk = m.id
             LEFT JOIN doubt_listed d ON d.message_pk = m.id
             LEFT JOIN case_messages cm ON cm.message_pk = m.id
             WHERE r.route = 'doubt' AND d.message_pk IS NULL AND cm.message_pk IS NULL
             ORDER BY m.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let verdict: Option<String> = r.try_get("verdict")?;
                Ok(Doubt {
                    id: r.try_get("id")?,
                    from: r.try_get("from_addr")?,
                    subject: r.try_get("subject")?,
                    received_at: r.try_get("received_at")?,
                    score: r.try_get::<Option<f64>, _>("score")?.unwrap_or(0.0),
                    verdict: verdict.and_then(|v| serde_json::from_str(&v).ok()),
                })
            })
            .collect()
    }

    /// Whether message `id` was routed as doubtful.
    pub async fn is_doubt(&self, id: i64) -> Result<bool> {
        let row = sqlx::query("SELECT route FROM routing WHERE message_pk = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get::<String, _>("route")? == "doubt",
            None => false,
        })
    }

    /// When a stored message arrived (RFC 3339).
    pub async fn received_at(&self, id: i64) -> Result<Option<DateTime<Utc>>> {
        let row = sqlx::query("SELECT received_at FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let text: String = row.try_get("received_at")?;
        DateTime::parse_from_rfc3339(&text)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|e| StoreError::Corrupt {
                column: "messages.received_at",
                reason: e.to_string(),
            })
    }

    /// A stored message by register id or by Message-ID (with or without `<>`).
    pub async fn find_message(&self, key: &str) -> Result<Option<i64>> {
        let key = key.trim();
        if let Ok(id) = key.parse::<i64>() {
            let row = sqlx::query("SELECT id FROM messages WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = row {
                return Ok(Some(r.try_get("id")?));
            }
        }
        let bare = key.trim_start_matches('<').trim_end_matches('>');
        let row = sqlx::query("SELECT id FROM messages WHERE message_id = $1 ORDER BY id LIMIT 1")
            .bind(bare)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// The case a message belongs to, if any.
    pub async fn case_of_message(&self, message_pk: i64) -> Result<Option<CaseRef>> {
        let row = sqlx::query(
            "SELECT c.ref FROM case_messages cm JOIN cases c ON c.id = cm.case_id
             WHERE cm.message_pk = $1",
        )
        .bind(message_pk)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            r.try_get::<String, _>("ref")?
                .parse()
                .map_err(|e: crate::case::BadRef| StoreError::Corrupt {
                    column: "cases.ref",
                    reason: e.to_string(),
                })
        })
        .transpose()
    }

    pub async fn cases(&self, status: Option<Status>) -> Result<Vec<CaseRow>> {
        let rows = match status {
            Some(s) => {
                sqlx::query(&format!(
                    "SELECT {CASE_COLUMNS} FROM cases WHERE status = $1 ORDER BY id"
                ))
                .bind(s.as_str())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("SELECT {CASE_COLUMNS} FROM cases ORDER BY id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(case_row).collect()
    }

    /// Whether the register holds any case at all.
    pub async fn has_cases(&self) -> Result<bool> {
        let row = sqlx::query("SELECT id FROM cases LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    pub async fn case(&self, r: CaseRef) -> Result<Option<CaseRow>> {
        case_by_ref(&self.pool, r).await
    }

    pub async fn events(&self, case_id: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT at, actor, kind, detail, message_pk, outbox_id FROM case_events
             WHERE case_id = $1 ORDER BY id",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Event {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    kind: r.try_get("kind")?,
                    detail: r.try_get("detail")?,
                    message: r.try_get("message_pk")?,
                    outbox: r.try_get("outbox_id")?,
                })
            })
            .collect()
    }

    /// The stored messages of a case (complaint, follow-ups, directie's replies) with their
    /// role, oldest first.
    pub async fn case_messages(&self, case_id: i64) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT message_pk, role FROM case_messages WHERE case_id = $1 ORDER BY message_pk",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("message_pk")?, r.try_get("role")?)))
            .collect()
    }

    /// Every mail queued for a case, oldest first.
    pub async fn case_mail(&self, case_id: i64) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE case_id = $1 ORDER BY id"
        ))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_row).collect()
    }

    /// Claims up to `limit` mails that are due, for `lease`, in this process's name (so a
    /// second instance does not send them at the same time).
    pub async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        let now_s = timestamp(now);
        let rows = sqlx::query(&format!(
            "UPDATE outbox SET claimed_until = $1, claimed_by = $4
             WHERE status = 'pending' AND next_attempt_at <= $2
               AND (claimed_until IS NULL OR claimed_until < $2)
               AND id IN (SELECT id FROM outbox
                          WHERE status = 'pending' AND next_attempt_at <= $2
                            AND (claimed_until IS NULL OR claimed_until < $2)
                          ORDER BY id LIMIT $3)
             RETURNING {OUTBOX_COLUMNS}"
        ))
        .bind(timestamp(now + lease))
        .bind(&now_s)
        .bind(limit)
        .bind(super::instance())
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<OutboxRow> = rows.iter().map(outbox_row).collect::<Result<_>>()?;
        out.sort_by_key(|r| r.id);
        Ok(out)
    }

    /// Extends this process's claim on a row it is still sending. False when the claim is
    /// no longer ours.
    pub async fn renew_claim(&self, id: i64, until: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET claimed_until = $1
             WHERE id = $2 AND status = 'pending' AND claimed_by = $3",
        )
        .bind(timestamp(until))
        .bind(id)
        .bind(super::instance())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Releases the claims of processes on this host that are no longer running (a crash
    /// or SIGKILL while sending), so their mail goes out on the next pass instead of after
    /// the lease. Claims of other hosts are left to expire. Returns how many were released.
    pub async fn release_stale_claims(&self) -> Result<u64> {
        let me = super::instance();
        let host = me.split('/').next().unwrap_or("");
        let rows = sqlx::query(
            "SELECT id, claimed_by FROM outbox
             WHERE status = 'pending' AND claimed_by IS NOT NULL AND claimed_by <> $1",
        )
        .bind(me)
        .fetch_all(&self.pool)
        .await?;
        let mut released = 0;
        for r in &rows {
            let holder: String = r.try_get("claimed_by")?;
            let mut parts = holder.split('/');
            let (Some(h), Some(pid)) = (parts.next(), parts.next()) else {
                continue;
            };
            let gone = h == host
                && pid.parse::<u32>().is_ok()
                && !Path::new(&format!("/proc/{pid}")).exists()
                && Path::new("/proc/self").exists();
            if gone {
                released += sqlx::query(
                    "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL
                     WHERE id = $1 AND claimed_by = $2",
                )
                .bind(r.try_get::<i64, _>("id")?)
                .bind(&holder)
                .execute(&self.pool)
                .await?
                .rows_affected();
            }
        }
        Ok(released)
    }

    /// The earliest time a pending mail is due, if any is pending.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>> {
        let row =
            sqlx::query("SELECT MIN(next_attempt_at) AS due FROM outbox WHERE status = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        let due: Option<String> = row.try_get("due")?;
        Ok(due
            .and_then(|d| DateTime::parse_from_rfc3339(&d).ok())
            .map(|d| d.with_timezone(&Utc)))
    }

    /// Marks a row this process claimed as sent. False when the claim was no longer ours
    /// (another instance took the row over after the lease ran out).
    pub async fn mark_sent(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1,
                    claimed_until = NULL, claimed_by = NULL, last_error = NULL
             WHERE id = $2 AND claimed_by = $3",
        )
        .bind(timestamp(now))
        .bind(id)
        .bind(super::instance())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts a row this process claimed back for a retry at `next`. False when the claim
    /// was no longer ours.
    pub async fn mark_retry(&self, id: i64, next: DateTime<Utc>, error: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2,
                    claimed_until = NULL, claimed_by = NULL
             WHERE id = $3 AND claimed_by = $4",
        )
        .bind(timestamp(next))
        .bind(crate::parse::clean(error, 1000))
        .bind(id)
        .bind(super::instance())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Outbox counts by status (pending, sent, failed).
    pub async fn outbox_counts(&self) -> Result<(i64, i64, i64)> {
        let row = sqlx::query(
            "SELECT
               SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
               SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) AS sent,
               SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
             FROM outbox",
        )
        .fetch_one(&self.pool)
        .await?;
        let n = |c: &str| -> Result<i64> { Ok(row.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
        Ok((n("pending")?, n("sent")?, n("failed")?))
    }
}

impl Tx {
    /// The time this transaction stamps on what it writes.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Marks a message as routed. False when it already was (another instance, or an
    /// earlier run): the caller must then roll back and do nothing.
    pub async fn claim_route(
        &mut self,
        message_pk: i64,
        route: &str,
        case_id: Option<i64>,
        detail: Option<&str>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO routing (message_pk, route, case_id, detail, routed_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_pk) DO NOTHING",
        )
        .bind(message_pk)
        .bind(route)
        .bind(case_id)
        .bind(detail.map(|d| crate::parse::clean(d, 500)))
        .bind(timestamp(self.now))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn save_verdict(&mut self, id: i64, verdict: &Verdict) -> Result<()> {
        super::insert_verdict(&mut *self.tx, id, verdict, self.now).await
    }

    /// Opens a case with the next reference of its year.
    pub async fn open_case(&mut self, new: &NewCase) -> Result<(i64, CaseRef)> {
        let year =
            chrono::Datelike::year(&new.received_at.with_timezone(&chrono_tz::Europe::Amsterdam));
        // The counter row is the lock: concurrent openers in one year queue on it.
        let row = sqlx::query(
            "INSERT INTO case_counters (year, last_seq) VALUES ($1, 1)
             ON CONFLICT (year) DO UPDATE SET last_seq = case_counters.last_seq + 1
             RETURNING last_seq",
        )
        .bind(i64::from(year))
        .fetch_one(&mut *self.tx)
        .await?;
        let seq: i64 = row.try_get("last_seq")?;
        let case_ref = CaseRef::new(year, seq as u32).ok_or_else(|| StoreError::Corrupt {
            column: "case_counters",
            reason: format!("year {year} sequence {seq}"),
        })?;
        let now = timestamp(self.now);
        let row = sqlx::query(
            "INSERT INTO cases (ref, status, channel, message_pk, complainant_addr,
                 complainant_name, subject, language, summary, screened, received_at,
                 confirm_by, position_by, kifid_from, created_at, updated_at,
                 complainant_postal, complainant_phone, taken_by, employee)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15,
                 $16, $17, $18, $19)
             RETURNING id",
        )
        .bind(case_ref.to_string())
        .bind(Status::Kandidaat.as_str())
        .bind(new.channel)
        .bind(new.message_pk)
        .bind(new.complainant_addr.clone())
        .bind(new.complainant_name.clone())
        .bind(new.subject.clone())
        .bind(new.language.clone())
        .bind(new.summary.clone())
        .bind(new.screened.clone())
        .bind(timestamp(new.received_at))
        .bind(new.confirm_by.to_string())
        .bind(new.position_by.to_string())
        .bind(new.kifid_from.to_string())
        .bind(now)
        .bind(new.postal.clone())
        .bind(new.phone.clone())
        .bind(new.taken_by.clone())
        .bind(new.employee.clone())
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        if let Some(pk) = new.message_pk {
            self.link_message(pk, id, "complaint").await?;
        }
        Ok((id, case_ref))
    }

    pub async fn case_by_ref(&mut self, r: CaseRef) -> Result<Option<CaseRow>> {
        case_by_ref(&mut *self.tx, r).await
    }

    /// The case a decision is about, locked for the rest of the transaction: a second
    /// decision on the same case (another instance routing a conflicting reply at the same
    /// moment) waits until this one commits and then reads the case as this one left it.
    /// The lock is a no-op write, so it works the same on PostgreSQL (a row lock) and
    /// SQLite (the database's write lock, taken before the case is read).
    pub async fn case_for_decision(&mut self, r: CaseRef) -> Result<Option<CaseRow>> {
        sqlx::query("UPDATE cases SET updated_at = updated_at WHERE ref = $1")
            .bind(r.to_string())
            .execute(&mut *self.tx)
            .await?;
        case_by_ref(&mut *self.tx, r).await
    }

    pub async fn case_by_id(&mut self, id: i64) -> Result<Option<CaseRow>> {
        sqlx::query(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .as_ref()
            .map(case_row)
            .transpose()
    }

    pub async fn link_message(&mut self, message_pk: i64, case_id: i64, role: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO case_messages (message_pk, case_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (message_pk) DO NOTHING",
        )
        .bind(message_pk)
        .bind(case_id)
        .bind(role)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The latest event of `kind` on a case: when it was recorded (RFC 3339), by whom,
    /// and its detail.
    pub async fn last_event(
        &mut self,
        case_id: i64,
        kind: &str,
    ) -> Result<Option<(String, String, String)>> {
        let row = sqlx::query(
            "SELECT at, actor, detail FROM case_events WHERE case_id = $1 AND kind = $2
             ORDER BY id DESC LIMIT 1",
        )
        .bind(case_id)
        .bind(kind)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|r| Ok((r.try_get("at")?, r.try_get("actor")?, r.try_get("detail")?)))
            .transpose()
    }

    /// Saves `text` as the case's position draft, replacing an earlier one; returns its
    /// version (1 for the first).
    pub async fn save_draft(&mut self, case_id: i64, text: &str, author: &str) -> Result<u32> {
        let version: i32 = sqlx::query_scalar(
            "INSERT INTO position_drafts (case_id, version, body, author, at)
             VALUES ($1, 1, $2, $3, $4)
             ON CONFLICT (case_id) DO UPDATE SET version = position_drafts.version + 1,
                 body = excluded.body, author = excluded.author, at = excluded.at
             RETURNING version",
        )
        .bind(case_id)
        .bind(text)
        .bind(crate::parse::clean(author, 320))
        .bind(self.now.to_rfc3339())
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(u32::try_from(version).unwrap_or(0))
    }

    /// The case's position draft: its text and version.
    pub async fn draft(&mut self, case_id: i64) -> Result<Option<(String, u32)>> {
        let row = sqlx::query("SELECT body, version FROM position_drafts WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| {
            let version: i32 = r.try_get("version")?;
            Ok((r.try_get("body")?, u32::try_from(version).unwrap_or(0)))
        })
        .transpose()
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn event(
        &mut self,
        case_id: i64,
        actor: &str,
        kind: &str,
        detail: &str,
        message_pk: Option<i64>,
        outbox_id: Option<i64>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO case_events (case_id, at, actor, kind, detail, message_pk, outbox_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(case_id)
        .bind(timestamp(self.now))
        .bind(crate::parse::clean(actor, 320))
        .bind(kind)
        .bind(crate::parse::clean_text(detail, 2000))
        .bind(message_pk)
        .bind(outbox_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Moves a case to `status`, stamping `confirmed_at`/`position_at`/`closed_at`.
    pub async fn set_status(&mut self, case_id: i64, status: Status) -> Result<()> {
        let stamp = match status {
            Status::InBehandeling => Some("confirmed_at"),
            Status::StandpuntGegeven => Some("position_at"),
            Status::Gesloten => Some("closed_at"),
            _ => None,
        };
        let now = timestamp(self.now);
        let sql = match stamp {
            Some(col) => format!(
                "UPDATE cases SET status = $1, updated_at = $2, {col} = COALESCE({col}, $2) WHERE id = $3"
            ),
            None => "UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3".to_string(),
        };
        sqlx::query(&sql)
            .bind(status.as_str())
            .bind(now)
            .bind(case_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Stamps when a letter went out: `acknowledged_at` or `position_sent_at` (the first
    /// time only).
    pub async fn stamp_sent(&mut self, case_id: i64, position: bool) -> Result<()> {
        let sql = if position {
            "UPDATE cases SET position_sent_at = COALESCE(position_sent_at, $1) WHERE id = $2"
        } else {
            "UPDATE cases SET acknowledged_at = COALESCE(acknowledged_at, $1) WHERE id = $2"
        };
        sqlx::query(sql)
            .bind(timestamp(self.now))
            .bind(case_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn set_category(&mut self, case_id: i64, category: &str) -> Result<()> {
        self.set_text("category", case_id, category).await
    }

    pub async fn set_outcome(&mut self, case_id: i64, outcome: crate::case::Outcome) -> Result<()> {
        self.set_text("outcome", case_id, outcome.as_str()).await
    }

    pub async fn set_employee(&mut self, case_id: i64, employee: &str) -> Result<()> {
        self.set_text("employee", case_id, employee).await
    }

    async fn set_text(&mut self, column: &'static str, case_id: i64, value: &str) -> Result<()> {
        sqlx::query(&format!(
            "UPDATE cases SET {column} = $1, updated_at = $2 WHERE id = $3"
        ))
        .bind(crate::parse::clean(value, 200))
        .bind(timestamp(self.now))
        .bind(case_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Moves the position deadline (`VERLENG`).
    pub async fn set_position_by(&mut self, case_id: i64, date: NaiveDate) -> Result<()> {
        self.set_text("position_by", case_id, &date.to_string())
            .await
    }

    /// Records that reminders up to `to` are sent, if nobody else moved the mark since it
    /// read `from` (two schedulers on one PostgreSQL database then send a reminder once).
    pub async fn advance_reminders(
        &mut self,
        case_id: i64,
        from: Option<&str>,
        to: DateTime<Utc>,
    ) -> Result<bool> {
        let done = match from {
            Some(f) => sqlx::query(
                "UPDATE cases SET reminded_through = $1 WHERE id = $2 AND reminded_through = $3",
            )
            .bind(timestamp(to))
            .bind(case_id)
            .bind(f)
            .execute(&mut *self.tx)
            .await?,
            None => sqlx::query(
                "UPDATE cases SET reminded_through = $1 WHERE id = $2 AND reminded_through IS NULL",
            )
            .bind(timestamp(to))
            .bind(case_id)
            .execute(&mut *self.tx)
            .await?,
        };
        Ok(done.rows_affected() == 1)
    }

    /// Whether a mail with this `dedup_key` was ever queued.
    pub async fn queued(&mut self, dedup_key: &str) -> Result<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM outbox WHERE dedup_key = $1")
            .bind(dedup_key)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row.is_some())
    }

    /// Queues a mail; its Message-ID is derived from the row. `None` when a mail with the
    /// same `dedup_key` is already queued.
    pub async fn enqueue(&mut self, mail: &NewMail) -> Result<Option<(i64, String)>> {
        let now = self.now;
        let inserted = sqlx::query(
            "INSERT INTO outbox (case_id, kind, dedup_key, recipient, about_addr, reply_to,
                 subject, body_text, body_html, in_reply_to, refs, auto_submitted, date_header,
                 status, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', 0,
                     $14, $15)
             ON CONFLICT (dedup_key) DO NOTHING
             RETURNING id",
        )
        .bind(mail.case_id)
        .bind(mail.kind)
        .bind(mail.dedup_key.clone())
        .bind(mail.recipient.to_ascii_lowercase())
        .bind(mail.about_addr.as_ref().map(|a| a.to_ascii_lowercase()))
        .bind(mail.reply_to.clone())
        .bind(mail.subject.clone())
        .bind(mail.body.text.clone())
        .bind(mail.body.html.clone())
        .bind(mail.in_reply_to.clone())
        .bind(mail.references.join(" "))
        .bind(mail.auto_submitted)
        .bind(now.to_rfc2822())
        .bind(timestamp(mail.not_before))
        .bind(timestamp(now))
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = inserted else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        let message_id = match &mail.id_token {
            Some(token) => format!("kb.{id}.{token}@{}", self.id_domain),
            None => format!("kb.{id}.{}@{}", mail.kind, self.id_domain),
        };
        sqlx::query("UPDATE outbox SET message_id = $1 WHERE id = $2")
            .bind(&message_id)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        if let Some(a) = &mail.attachment {
            sqlx::query(
                "INSERT INTO outbox_attachments (outbox_id, filename, content_type, data)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(crate::parse::clean(&a.filename, 200))
            .bind(a.content_type.clone())
            .bind(a.data.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(Some((id, message_id)))
    }

    /// Mails (of `kind`, when given) queued to `address` since `since`.
    pub async fn mails_to_since(
        &mut self,
        address: &str,
        since: DateTime<Utc>,
        kind: Option<&str>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox
             WHERE recipient = $1 AND created_at >= $2 AND ($3 = '' OR kind = $3)",
        )
        .bind(address.to_ascii_lowercase())
        .bind(timestamp(since))
        .bind(kind.unwrap_or(""))
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Notices to directie about mail from `address` since `since`.
    pub async fn notices_about_since(
        &mut self,
        address: &str,
        since: DateTime<Utc>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(DISTINCT COALESCE(case_id, id)) AS n FROM outbox
             WHERE about_addr = $1 AND kind IN ('notificatie', 'vervolgbericht')
               AND created_at >= $2",
        )
        .bind(address.to_ascii_lowercase())
        .bind(timestamp(since))
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// The case a thread belongs to: a Message-ID among `ids` is one of the case's
    /// messages or one of the mails sent for it.
    pub async fn case_for_thread(&mut self, ids: &[String]) -> Result<Option<i64>> {
        for id in ids.iter().rev() {
            let bare = id.trim().trim_start_matches('<').trim_end_matches('>');
            if bare.is_empty() {
                continue;
            }
            let row = sqlx::query(
                "SELECT case_id FROM outbox WHERE message_id = $1 AND case_id IS NOT NULL
                 UNION ALL
                 SELECT cm.case_id FROM messages m JOIN case_messages cm ON cm.message_pk = m.id
                 WHERE m.message_id = $1",
            )
            .bind(bare)
            .fetch_optional(&mut *self.tx)
            .await?;
            if let Some(r) = row {
                return Ok(Some(r.try_get("case_id")?));
            }
        }
        Ok(None)
    }

    /// Records that doubtful mail `id` was listed in the digest of `day`.
    pub async fn mark_doubt_listed(&mut self, id: i64, day: NaiveDate) -> Result<()> {
        sqlx::query(
            "INSERT INTO doubt_listed (message_pk, listed_on) VALUES ($1, $2)
             ON CONFLICT (message_pk) DO NOTHING",
        )
        .bind(id)
        .bind(day.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Marks a queued mail as permanently failed.
    pub async fn mark_failed(&mut self, id: i64, error: &str) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $1,
                    claimed_until = NULL, claimed_by = NULL WHERE id = $2",
        )
        .bind(crate::parse::clean(error, 1000))
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The Message-ID of the customer's original message of a case, and its References.
    pub async fn thread_of(&mut self, message_pk: i64) -> Result<(Option<String>, Vec<String>)> {
        let row = sqlx::query("SELECT message_id, refs FROM messages WHERE id = $1")
            .bind(message_pk)
            .fetch_optional(&mut *self.tx)
            .await?;
        match row {
            Some(r) => Ok((r.try_get("message_id")?, json_col(&r, "refs")?)),
            None => Ok((None, Vec::new())),
        }
    }
}
