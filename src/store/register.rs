//! The register beyond single cases: measures (maatregelen), and removing personal data
//! (`purge` after the retention term, `erase` on request) while the anonymous facts of each
//! case stay for the inventory.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;

use super::cases::Tx;
use super::{timestamp, Backend, Result, Store};
use crate::case::{CaseRef, Status};
use crate::detect::Verdict;

/// A measure about to be recorded.
#[derive(Debug, Clone)]
pub struct NewMeasure {
    pub taken_on: NaiveDate,
    pub owner: String,
    pub text: String,
    pub case_id: Option<i64>,
    pub category: Option<String>,
}

/// A recorded measure.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Measure {
    pub id: i64,
    pub taken_on: String,
    pub owner: String,
    pub text: String,
    /// The reference of the case it followed, if any.
    pub case: Option<String>,
    pub category: Option<String>,
}

async fn insert_measure<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    m: &NewMeasure,
    now: DateTime<Utc>,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO measures (taken_on, owner, text, case_id, category, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(m.taken_on.to_string())
    .bind(crate::parse::clean(&m.owner, 200))
    .bind(crate::parse::clean(&m.text, 2000))
    .bind(m.case_id)
    .bind(m.category.clone())
    .bind(timestamp(now))
    .fetch_one(e)
    .await?;
    Ok(row.try_get("id")?)
}

impl Tx {
    pub async fn add_measure(&mut self, m: &NewMeasure) -> Result<i64> {
        let now = self.now();
        insert_measure(&mut *self.tx, m, now).await
    }
}

/// What one purge or erase removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Forgotten {
    /// References of the cases whose personal data was removed.
    pub cases: Vec<String>,
    /// Stored messages emptied (raw bytes deleted, addresses and text cleared).
    pub messages: u64,
    /// Queued or sent mails emptied.
    pub mails: u64,
}

/// Written where text was removed.
pub const REMOVED: &str = "(verwijderd)";

impl Store {
    pub async fn add_measure(&self, m: &NewMeasure, now: DateTime<Utc>) -> Result<i64> {
        insert_measure(&self.pool, m, now).await
    }

    /// Every measure, oldest first.
    pub async fn measures(&self) -> Result<Vec<Measure>> {
        let rows = sqlx::query(
            "SELECT m.id, m.taken_on, m.owner, m.text, m.category, c.ref
             FROM measures m LEFT JOIN cases c ON c.id = m.case_id
             ORDER BY m.taken_on, m.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Measure {
                    id: r.try_get("id")?,
                    taken_on: r.try_get("taken_on")?,
                    owner: r.try_get("owner")?,
                    text: r.try_get("text")?,
                    case: r.try_get("ref")?,
                    category: r.try_get("category")?,
                })
            })
            .collect()
    }

    /// Cases whose handling ended before `before` and that still hold personal data:
    /// closed, judged not a complaint, or given a position (timestamps are RFC 3339 UTC,
    /// so text comparison orders them).
    pub async fn cases_ended_before(&self, before: DateTime<Utc>) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE purged_at IS NULL AND (
                 (status = 'gesloten' AND COALESCE(closed_at, updated_at) < $1)
              OR (status = 'geen_klacht' AND updated_at < $1)
              OR (status = 'standpunt_gegeven' AND COALESCE(position_at, updated_at) < $1))
             ORDER BY id",
        )
        .bind(timestamp(before))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Messages outside any case received before `before` that still hold personal data.
    pub async fn loose_messages_before(&self, before: DateTime<Utc>) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT m.id FROM messages m
             WHERE m.received_at < $1 AND m.from_addr IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM case_messages cm WHERE cm.message_pk = m.id)
               AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.message_pk = m.id)
             ORDER BY m.id",
        )
        .bind(timestamp(before))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// The cases (with their status) and loose messages that hold `address`, as the
    /// complainant's or sender's address (compared case-insensitively).
    pub async fn holding_address(
        &self,
        address: &str,
    ) -> Result<(Vec<(i64, CaseRef, Status)>, Vec<i64>)> {
        let address = address.trim().to_ascii_lowercase();
        let cases = sqlx::query(
            "SELECT id, ref, status FROM cases
             WHERE purged_at IS NULL AND LOWER(complainant_addr) = $1 ORDER BY id",
        )
        .bind(address.clone())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let reference: String = r.try_get("ref")?;
            let status: String = r.try_get("status")?;
            Ok((
                r.try_get("id")?,
                super::cases::parse_ref(&reference)?,
                super::cases::parse_status(&status)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
        let messages = sqlx::query(
            "SELECT m.id FROM messages m
             WHERE LOWER(m.from_addr) = $1
               AND NOT EXISTS (SELECT 1 FROM case_messages cm WHERE cm.message_pk = m.id)
             ORDER BY m.id",
        )
        .bind(address)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("id")?))
        .collect::<Result<Vec<_>>>()?;
        Ok((cases, messages))
    }

    /// Removes the personal data of `cases` and of the loose `messages`, in one
    /// transaction: raw mail is deleted; addresses, names, subjects and texts are cleared
    /// from cases, their messages, verdicts, routing notes, timeline details and mails.
    /// What stays per case: reference, status, channel, category, outcome, employee,
    /// language and every date — the inventory's counts. The privacy log records the
    /// action and the counts (never the data).
    pub async fn forget(
        &self,
        cases: &[i64],
        messages: &[i64],
        action: &str,
        actor: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Forgotten> {
        let mut tx = self.begin("localhost", now).await?;
        let now = timestamp(tx.now());
        let mut out = Forgotten::default();
        let mut message_ids: Vec<i64> = messages.to_vec();
        for &case_id in cases {
            let row =
                sqlx::query("SELECT ref, message_pk, complainant_addr FROM cases WHERE id = $1")
                    .bind(case_id)
                    .fetch_one(&mut *tx.tx)
                    .await?;
            out.cases.push(row.try_get("ref")?);
            if let Some(pk) = row.try_get::<Option<i64>, _>("message_pk")? {
                message_ids.push(pk);
            }
            let addr: Option<String> = row.try_get("complainant_addr")?;
            for r in sqlx::query("SELECT message_pk FROM case_messages WHERE case_id = $1")
                .bind(case_id)
                .fetch_all(&mut *tx.tx)
                .await?
            {
                message_ids.push(r.try_get("message_pk")?);
            }
            out.mails += sqlx::query(
                "UPDATE outbox SET
                     recipient = CASE WHEN LOWER(recipient) = LOWER(COALESCE(about_addr, ''))
                                      THEN $1 ELSE recipient END,
                     about_addr = NULL, subject = $1, body_text = '', body_html = '',
                     in_reply_to = NULL, refs = NULL, last_error = NULL
                 WHERE case_id = $2
                    OR (case_id IS NULL AND about_addr IS NOT NULL AND LOWER(about_addr) = LOWER($3))",
            )
            .bind(REMOVED)
            .bind(case_id)
            .bind(addr.clone().unwrap_or_else(|| "\u{1}".into()))
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
            sqlx::query(
                "DELETE FROM outbox_attachments
                 WHERE outbox_id IN (SELECT id FROM outbox WHERE case_id = $1)",
            )
            .bind(case_id)
            .execute(&mut *tx.tx)
            .await?;
            sqlx::query("DELETE FROM position_drafts WHERE case_id = $1")
                .bind(case_id)
                .execute(&mut *tx.tx)
                .await?;
            sqlx::query(
                "UPDATE case_events SET detail = $1
                 WHERE case_id = $2 AND kind NOT IN ('categorie', 'uitkomst', 'bevestigd',
                     'geen_klacht', 'gesloten', 'brief_klaargezet', 'melding_directie')",
            )
            .bind(REMOVED)
            .bind(case_id)
            .execute(&mut *tx.tx)
            .await?;
            // The complainant as actor of timeline events (follow-ups) becomes a role.
            sqlx::query(
                "UPDATE case_events SET actor = 'klager'
                 WHERE case_id = $1 AND LOWER(actor) = LOWER($2)",
            )
            .bind(case_id)
            .bind(addr.as_deref().unwrap_or("\u{1}"))
            .execute(&mut *tx.tx)
            .await?;
            sqlx::query(
                "UPDATE cases SET complainant_addr = NULL, complainant_name = NULL,
                     subject = NULL, summary = '', complainant_postal = NULL,
                     complainant_phone = NULL, purged_at = $1, updated_at = $1
                 WHERE id = $2",
            )
            .bind(now.clone())
            .bind(case_id)
            .execute(&mut *tx.tx)
            .await?;
            tx.event(
                case_id,
                actor,
                "gegevens_verwijderd",
                &format!("{action}: {reason}"),
                None,
                None,
            )
            .await?;
        }
        message_ids.sort_unstable();
        message_ids.dedup();
        for &id in &message_ids {
            sqlx::query("DELETE FROM message_raw WHERE message_pk = $1")
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            let done = sqlx::query(
                "UPDATE messages SET message_id = NULL, from_addr = NULL, from_name = NULL,
                     to_addrs = '[]', cc_addrs = '[]', subject = NULL, in_reply_to = '[]',
                     refs = '[]', headers = '{}', body_text = NULL, attachments = '[]',
                     parse_error = NULL
                 WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
            out.messages += done.rows_affected();
            // The two fixed notes that say how a case was opened hold nothing personal and
            // keep the inventory's counts of how cases came in.
            sqlx::query(
                "UPDATE routing SET detail = NULL
                 WHERE message_pk = $1 AND detail NOT IN ($2, $3)",
            )
            .bind(id)
            .bind(crate::case::ROUTED_PROMOTED)
            .bind(crate::case::ROUTED_FORWARDED)
            .execute(&mut *tx.tx)
            .await?;
            // The verdict keeps its score and which criteria fired, not the words.
            if let Some(r) = sqlx::query("SELECT verdict FROM verdicts WHERE message_pk = $1")
                .bind(id)
                .fetch_optional(&mut *tx.tx)
                .await?
            {
                let text: String = r.try_get("verdict")?;
                if let Ok(mut v) = serde_json::from_str::<Verdict>(&text) {
                    for s in &mut v.signals {
                        s.phrase = REMOVED.to_string();
                    }
                    v.ignored.clear();
                    sqlx::query("UPDATE verdicts SET verdict = $1 WHERE message_pk = $2")
                        .bind(serde_json::to_string(&v).unwrap_or_else(|_| "{}".into()))
                        .bind(id)
                        .execute(&mut *tx.tx)
                        .await?;
                }
            }
        }
        sqlx::query(
            "INSERT INTO privacy_log (at, action, actor, cases, messages, mails, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now)
        .bind(action)
        .bind(crate::parse::clean(actor, 200))
        .bind(out.cases.len() as i64)
        .bind(out.messages as i64)
        .bind(out.mails as i64)
        .bind(crate::parse::clean(
            &format!("{reason}; zaken: {}", out.cases.join(", ")),
            4000,
        ))
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        self.compact().await?;
        Ok(out)
    }

    /// After personal data was removed: rebuilds the database so no old copy of it stays
    /// in free pages or the write-ahead log (SQLite: `VACUUM`, then a checkpoint that
    /// truncates the WAL; PostgreSQL: `VACUUM` of the tables that held it).
    pub async fn compact(&self) -> Result<()> {
        match self.backend() {
            Backend::Sqlite => {
                sqlx::query("VACUUM").execute(&self.pool).await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&self.pool)
                    .await?;
            }
            Backend::Postgres => {
                sqlx::query(
                    "VACUUM message_raw, messages, verdicts, routing, cases, case_events, outbox",
                )
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use sqlx::Row;

    /// Every text or blob column of the schema, classified. `forget` clears (or deletes)
    /// the personal ones for the person erased; the others hold no personal data of a
    /// complainant (references, states, dates, keys, staff and directie names). A column
    /// added without a place in this list fails the test, so erasure is decided for it.
    const PERSONAL: &[&str] = &[
        "messages.message_id",
        "messages.parse_error",
        "messages.from_addr",
        "messages.from_name",
        "messages.to_addrs",
        "messages.cc_addrs",
        "messages.subject",
        "messages.in_reply_to",
        "messages.refs",
        "messages.headers",
        "messages.body_text",
        "messages.attachments",
        "message_raw.raw",
        "verdicts.verdict",
        "cases.complainant_addr",
        "cases.complainant_name",
        "cases.subject",
        "cases.summary",
        "cases.complainant_postal",
        "cases.complainant_phone",
        "case_events.actor",
        "case_events.detail",
        // Deleted by purge and erase (the whole row).
        "position_drafts.body",
        "outbox_attachments.data",
        "outbox_attachments.filename",
        "outbox.recipient",
        "outbox.about_addr",
        "outbox.subject",
        "outbox.body_text",
        "outbox.body_html",
        "outbox.in_reply_to",
        "outbox.refs",
        "outbox.last_error",
        "routing.detail",
    ];
    const NOT_PERSONAL: &[&str] = &[
        // The service's own health: server errors (host, port, the service's own
        // address), never a customer's.
        "health.kind",
        "health.last_ok",
        "health.failing_since",
        "health.last_error",
        "health.alerted_at",
        "mailbox_checkpoints.mailbox",
        "mailbox_checkpoints.updated_at",
        "messages.sha256",
        "messages.source",
        "messages.mailbox",
        "messages.received_at",
        "messages.stored_at",
        "messages.parse_status",
        "messages.sent_date",
        "verdicts.language",
        "verdicts.screened",
        "verdicts.classified_at",
        "cases.ref",
        "cases.status",
        "cases.channel",
        "cases.language",
        "cases.screened",
        "cases.received_at",
        "cases.confirm_by",
        "cases.position_by",
        "cases.category",
        // The employee involved and who took a form: staff, kept for the inventory.
        "cases.employee",
        "cases.taken_by",
        "cases.confirmed_at",
        "cases.acknowledged_at",
        "cases.position_sent_at",
        "cases.position_at",
        "cases.closed_at",
        "cases.created_at",
        "cases.updated_at",
        "cases.kifid_from",
        "cases.reminded_through",
        "cases.outcome",
        "cases.purged_at",
        "case_messages.role",
        "case_events.at",
        "case_events.kind",
        "outbox_attachments.content_type",
        // A directie address and a moment; the row goes with the draft.
        "position_drafts.author",
        "position_drafts.at",
        "outbox.kind",
        // Dedup keys hold row ids and directie addresses only.
        "outbox.dedup_key",
        // The service's own plus-address with a token.
        "outbox.reply_to",
        "outbox.auto_submitted",
        "outbox.message_id",
        "outbox.date_header",
        "outbox.status",
        "outbox.next_attempt_at",
        "outbox.claimed_until",
        // The process holding a claim: host, pid, start time.
        "outbox.claimed_by",
        "outbox.created_at",
        "outbox.sent_at",
        "routing.route",
        "routing.routed_at",
        // Measures are the firm's own (owner: a directie address).
        "measures.taken_on",
        "measures.owner",
        "measures.text",
        "measures.category",
        "measures.created_at",
        "privacy_log.at",
        "privacy_log.action",
        "privacy_log.actor",
        "privacy_log.detail",
        "doubt_listed.listed_on",
        // Errors name steps and settings, never mail text.
        "failures.kind",
        "failures.error",
        "failures.first_failed_at",
        "failures.last_failed_at",
        "failures.next_attempt_at",
        "failures.reported_at",
    ];

    #[tokio::test]
    async fn every_text_column_is_classified_for_erasure() {
        // A file: every pooled connection must see the same schema.
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("schema.sqlite").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let tables: Vec<String> = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
        )
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("name"))
        .collect();
        let mut unclassified = Vec::new();
        let mut seen = Vec::new();
        for t in &tables {
            for r in sqlx::query(&format!("SELECT name, type FROM pragma_table_info('{t}')"))
                .fetch_all(store.pool())
                .await
                .unwrap()
            {
                let (name, ty): (String, String) = (r.get("name"), r.get("type"));
                if !matches!(ty.to_ascii_uppercase().as_str(), "TEXT" | "BLOB" | "") {
                    continue;
                }
                let column = format!("{t}.{name}");
                if !PERSONAL.contains(&column.as_str()) && !NOT_PERSONAL.contains(&column.as_str())
                {
                    unclassified.push(column.clone());
                }
                seen.push(column);
            }
        }
        assert!(
            unclassified.is_empty(),
            "text columns not classified for erasure: {unclassified:?}"
        );
        // And the lists name no column that is gone.
        for c in PERSONAL.iter().chain(NOT_PERSONAL) {
            assert!(seen.iter().any(|s| s == c), "{c} is not in the schema");
        }
    }
}
