//! Writing within one transaction ([`Tx`]): cases, their timeline, routing, the outbox.

use super::*;

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

    /// Routes many messages that need nothing but their route and verdict recorded, with
    /// two statements for all of them: each is claimed unless routed already (by another
    /// instance), and its verdict saved. Returns the ids claimed.
    pub async fn claim_plain(
        &mut self,
        messages: &[(i64, &str, Option<&str>, &Verdict)],
    ) -> Result<Vec<i64>> {
        let mut claimed = Vec::with_capacity(messages.len());
        // 100 rows a statement: far inside both databases' limits on bound parameters.
        for chunk in messages.chunks(100) {
            let mut sql = String::from(
                "INSERT INTO routing (message_pk, route, case_id, detail, routed_at) VALUES ",
            );
            for i in 0..chunk.len() {
                let n = 3 * i;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("(${}, ${}, NULL, ${}, $1)", n + 2, n + 3, n + 4));
            }
            sql.push_str(" ON CONFLICT (message_pk) DO NOTHING RETURNING message_pk");
            let mut q = sqlx::query(&sql)
                .persistent(false)
                .bind(timestamp(self.now));
            for (id, route, detail, _) in chunk {
                q = q
                    .bind(*id)
                    .bind(*route)
                    .bind(detail.map(|d| crate::parse::clean(d, 500)));
            }
            let rows = q.fetch_all(&mut *self.tx).await?;
            let mut ids = rows
                .iter()
                .map(|r| r.try_get::<i64, _>("message_pk"))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            ids.sort_unstable();
            let verdicts: Vec<(i64, &Verdict)> = chunk
                .iter()
                .filter(|(id, _, _, _)| ids.binary_search(id).is_ok())
                .map(|(id, _, _, v)| (*id, *v))
                .collect();
            super::super::insert_verdicts(&mut *self.tx, &verdicts, self.now).await?;
            claimed.extend(ids);
        }
        claimed.sort_unstable();
        Ok(claimed)
    }

    pub async fn save_verdict(&mut self, id: i64, verdict: &Verdict) -> Result<()> {
        super::super::insert_verdict(&mut *self.tx, id, verdict, self.now).await
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
        .bind(new.channel.as_str())
        .bind(new.message_pk)
        .bind(new.complainant_addr.clone())
        .bind(new.complainant_name.clone())
        .bind(new.subject.clone())
        .bind(new.language.as_str())
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
