//! Reading cases, their timeline and their mail; the outbox as the sender sees it.

use super::*;
use crate::store::Unrouted;

impl Store {
    /// Starts a transaction at the moment `now`, which stamps everything it writes;
    /// Message-IDs of mail queued in it end in `@id_domain`.
    pub async fn begin(&self, id_domain: &str, now: DateTime<Utc>) -> Result<Tx> {
        Ok(Tx {
            tx: self.pool.begin().await?,
            now,
            id_domain: id_domain.to_string(),
        })
    }

    /// Stored messages that the pipeline has not routed yet, oldest first, each with
    /// whether its routing failed before. A message whose earlier failure put off its next
    /// attempt is left out until then. A form stored by `intake` is routed by `intake`.
    pub async fn unrouted(&self, limit: i64, now: DateTime<Utc>) -> Result<Vec<(i64, bool)>> {
        Ok(self
            .unrouted_after(0, limit, now)
            .await?
            .into_iter()
            .map(|u| (u.id, u.failed_before))
            .collect())
    }

    /// As [`Store::unrouted`], only messages after `after` (a pass going through the
    /// register reads on from where its last batch ended, instead of from the start).
    pub async fn unrouted_after(
        &self,
        after: i64,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Unrouted>> {
        let rows = sqlx::query(
            "SELECT m.id, m.size, f.attempts FROM messages m
             LEFT JOIN routing r ON r.message_pk = m.id
             LEFT JOIN failures f ON f.kind = 'route' AND f.item = m.id
             WHERE m.id > $3 AND r.message_pk IS NULL AND m.source <> 'intake'
               AND (f.item IS NULL OR f.next_attempt_at <= $2)
             ORDER BY m.id LIMIT $1",
        )
        .bind(limit)
        .bind(timestamp(now))
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Unrouted {
                    id: r.try_get("id")?,
                    size: r.try_get::<i64, _>("size")?.max(0) as u64,
                    failed_before: r.try_get::<Option<i64>, _>("attempts")?.is_some(),
                })
            })
            .collect()
    }

    /// Doubtful mails that arrived before `before`, not listed in a digest yet and still
    /// outside any case, oldest first: register id, sender, subject, arrival and the
    /// verdict's JSON.
    pub async fn doubts_unlisted(&self, before: DateTime<Utc>) -> Result<Vec<Doubt>> {
        let rows = sqlx::query(
            "SELECT m.id, m.from_addr, m.subject, m.received_at, v.score, v.verdict
             FROM routing r JOIN messages m ON m.id = r.message_pk
             LEFT JOIN verdicts v ON v.message_pk = m.id
             LEFT JOIN doubt_listed d ON d.message_pk = m.id
             LEFT JOIN case_messages cm ON cm.message_pk = m.id
             WHERE r.route = 'doubt' AND d.message_pk IS NULL AND cm.message_pk IS NULL
               AND m.received_at < $1
             ORDER BY m.id",
        )
        .bind(timestamp(before))
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

    /// Up to `limit` cases whose deadlines may still run (`kandidaat`, `in_behandeling`)
    /// with an id above `after`, by id: the scheduler reads them a page at a time, so that
    /// a register with thousands of open cases is not held whole.
    pub async fn open_cases_after(&self, after: i64, limit: i64) -> Result<Vec<CaseRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE status IN ($1, $2) AND id > $3
             ORDER BY id LIMIT $4"
        ))
        .bind(Status::Kandidaat.as_str())
        .bind(Status::InBehandeling.as_str())
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(case_row).collect()
    }

    /// The newest `limit` cases of complainant `address` (lower case, as stored) whose
    /// deadlines may still run (`kandidaat`, `in_behandeling`), newest first.
    pub async fn open_cases_of(&self, address: &str, limit: i64) -> Result<Vec<CaseRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE status IN ($1, $2) AND complainant_addr = $3
             ORDER BY id DESC LIMIT $4"
        ))
        .bind(Status::Kandidaat.as_str())
        .bind(Status::InBehandeling.as_str())
        .bind(address)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
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
        .bind(super::super::instance())
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
        .bind(super::super::instance())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives up this process's claims on rows it did not try.
    pub async fn release_claims(&self, ids: &[i64]) -> Result<()> {
        for id in ids {
            sqlx::query(
                "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL
                 WHERE id = $1 AND status = 'pending' AND claimed_by = $2",
            )
            .bind(id)
            .bind(super::super::instance())
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Releases the claims of processes on this host that are no longer running (a crash
    /// or SIGKILL while sending), so their mail goes out on the next pass instead of after
    /// the lease. Claims of other hosts are left to expire. Returns how many were released.
    pub async fn release_stale_claims(&self) -> Result<u64> {
        let me = super::super::instance();
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
        .bind(super::super::instance())
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
        .bind(super::super::instance())
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
