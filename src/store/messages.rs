//! The register opened: connecting and migrating, storing messages once, checkpoints,
//! routing state and the listings of stored mail.

use super::*;

impl Store {
    /// Opens the database at `url` (creating an SQLite file and its folder when missing).
    /// Does not migrate; call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let mut sqlite_file = None;
        let (backend, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            let file = path.split('?').next().unwrap_or("");
            if !file.is_empty() && file != ":memory:" {
                create_private(Path::new(file))?;
                sqlite_file = Some(std::path::PathBuf::from(file));
            }
            let url = if url.contains('?') {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else {
            (Backend::Postgres, url.to_string())
        };
        let options = sqlx::any::AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers (the CLI) work beside the daemon; FULL makes a
                        // commit survive power loss, which is the point of storing first.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA busy_timeout = 15000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        // Deleted and overwritten content is zeroed, not left in free
                        // pages: erased personal data must not stay in the file.
                        conn.execute("PRAGMA secure_delete = ON").await?;
                        // Each connection keeps its own page cache (2 MB by default, filled
                        // on a large register): 512 KiB each keeps the process small while
                        // the operating system's file cache holds the rest.
                        conn.execute("PRAGMA cache_size = -512").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store {
            pool,
            backend,
            sqlite_file,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the embedded migrations that are not applied yet.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Writes a consistent copy of an SQLite register to `file` (`VACUUM INTO`: a
    /// snapshot that `run` can go on writing beside) and returns its size. Refuses an
    /// existing `file`, and a PostgreSQL register (use `pg_dump`).
    pub async fn backup_to(&self, file: &std::path::Path) -> anyhow::Result<u64> {
        if self.backend == Backend::Postgres {
            anyhow::bail!(
                "the register is on PostgreSQL: back it up with pg_dump (pg_dump -Fc DATABASE > FILE)"
            );
        }
        if file.exists() {
            anyhow::bail!(
                "{} already exists; a backup never overwrites a file",
                file.display()
            );
        }
        let target = file
            .to_str()
            .ok_or_else(|| anyhow::anyhow!("{} is not a UTF-8 path", file.display()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_string())
            .execute(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!("backup to {} failed: {e}", file.display()))?;
        Ok(std::fs::metadata(file)?.len())
    }

    /// The file attached to an outbox mail, if any.
    pub async fn attachment(&self, outbox_id: i64) -> Result<Option<cases::Attachment>> {
        let row = sqlx::query(
            "SELECT filename, content_type, data FROM outbox_attachments WHERE outbox_id = $1",
        )
        .bind(outbox_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(cases::Attachment {
                filename: r.try_get("filename")?,
                content_type: r.try_get("content_type")?,
                data: r.try_get("data")?,
            })
        })
        .transpose()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn checkpoint(&self, mailbox: &str) -> Result<Option<Checkpoint>> {
        let row =
            sqlx::query("SELECT uidvalidity, last_uid FROM mailbox_checkpoints WHERE mailbox = $1")
                .bind(mailbox)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(Checkpoint {
                uidvalidity: u32_col(&r, "uidvalidity")?,
                last_uid: u32_col(&r, "last_uid")?,
            })
        })
        .transpose()
    }

    /// Stores a batch fetched from `mailbox` and moves its checkpoint to `new_last_uid`,
    /// all in one transaction: either every message of the batch and the checkpoint are
    /// durable, or none of it is, so a crash can neither lose a message nor skip one.
    pub async fn store_batch(
        &self,
        mailbox: &str,
        checkpoint: Checkpoint,
        messages: &[NewMessage],
        now: DateTime<Utc>,
    ) -> Result<Vec<Stored>> {
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::with_capacity(messages.len());
        for chunk in messages.chunks(INSERT_ROWS) {
            out.extend(insert_messages(&mut tx, chunk, now).await?);
        }
        set_checkpoint(&mut *tx, mailbox, checkpoint, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Sets a folder's checkpoint outright (after a UIDVALIDITY change: the old UIDs mean
    /// nothing any more).
    pub async fn reset_checkpoint(
        &self,
        mailbox: &str,
        checkpoint: Checkpoint,
        now: DateTime<Utc>,
    ) -> Result<()> {
        set_checkpoint(&self.pool, mailbox, checkpoint, now).await?;
        Ok(())
    }

    /// Stores one message outside any mailbox (import).
    pub async fn store_one(&self, message: &NewMessage, now: DateTime<Utc>) -> Result<Stored> {
        let mut tx = self.pool.begin().await?;
        let stored = insert_message(&mut tx, message, now).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// UIDs in `mailbox` that are stored but not yet flagged or moved on the server
    /// (the daemon stopped between the commit and the flag).
    pub async fn server_pending(&self, mailbox: &str, uidvalidity: u32) -> Result<Vec<u32>> {
        let rows = sqlx::query(
            "SELECT uid FROM messages
             WHERE mailbox = $1 AND uidvalidity = $2 AND server_pending = 1 AND uid IS NOT NULL
             ORDER BY uid",
        )
        .bind(mailbox)
        .bind(i64::from(uidvalidity))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| u32_col(r, "uid")).collect()
    }

    /// Records that these UIDs were flagged or moved on the server.
    pub async fn clear_server_pending(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        uids: &[u32],
    ) -> Result<()> {
        if uids.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        // UIDs are integers: a literal list makes one statement of a whole batch.
        for chunk in uids.chunks(1000) {
            let list = chunk
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",");
            sqlx::query(&format!(
                "UPDATE messages SET server_pending = 0
                 WHERE mailbox = $1 AND uidvalidity = $2 AND uid IN ({list})"
            ))
            .persistent(false)
            .bind(mailbox)
            .bind(i64::from(uidvalidity))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn message_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM messages")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// When the register stored its first message: the first start of the service (a
    /// first run on a full mailbox stores its old mail then).
    pub async fn first_stored_at(&self) -> Result<Option<DateTime<Utc>>> {
        let row = sqlx::query("SELECT MIN(stored_at) AS first FROM messages")
            .fetch_one(&self.pool)
            .await?;
        let first: Option<String> = row.try_get("first")?;
        Ok(first
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)))
    }

    pub async fn list_messages(&self) -> Result<Vec<MessageSummary>> {
        let rows = sqlx::query(&format!("{MESSAGE_SUMMARY} ORDER BY m.received_at, m.id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(message_summary).collect()
    }

    /// One stored message as `messages` lists it.
    pub async fn message_summary(&self, id: i64) -> Result<Option<MessageSummary>> {
        let row = sqlx::query(&format!("{MESSAGE_SUMMARY} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(message_summary).transpose()
    }

    pub async fn verdict(&self, id: i64) -> Result<Option<Verdict>> {
        let row = sqlx::query("SELECT verdict FROM verdicts WHERE message_pk = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| json_col(&r, "verdict")).transpose()
    }

    /// Every message the detector judged as customer mail — routed as ordinary mail, as
    /// doubtful, or as the source of a case — oldest first, with the case opened from it.
    /// Follow-ups, directie's replies and automatic mail are not among them.
    pub async fn judged_mail(&self) -> Result<Vec<JudgedMail>> {
        let rows = sqlx::query(
            "SELECT m.id, m.received_at, r.route, r.detail, v.language,
                    c.ref AS case_ref, c.status AS case_status, c.confirmed_at
             FROM messages m
             JOIN routing r ON r.message_pk = m.id
             LEFT JOIN verdicts v ON v.message_pk = m.id
             LEFT JOIN cases c ON c.message_pk = m.id
             WHERE r.route IN ('message', 'doubt', 'case')
             ORDER BY m.id, c.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<JudgedMail> = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            // One row per message: the first case opened from it.
            if out.last().is_some_and(|m| m.id == id) {
                continue;
            }
            let case = match r.try_get::<Option<String>, _>("case_ref")? {
                Some(reference) => {
                    let status: String = r.try_get("case_status")?;
                    let status =
                        crate::case::Status::parse(&status).ok_or_else(|| StoreError::Corrupt {
                            column: "cases.status",
                            reason: format!("case {reference}: {status:?}"),
                        })?;
                    let confirmed = r.try_get::<Option<String>, _>("confirmed_at")?.is_some();
                    Some((reference, status, confirmed))
                }
                None => None,
            };
            out.push(JudgedMail {
                id,
                received_at: r.try_get("received_at")?,
                route: r.try_get("route")?,
                detail: r.try_get("detail")?,
                language: r.try_get("language")?,
                case,
            });
        }
        Ok(out)
    }

    /// The original bytes of a stored message.
    pub async fn raw(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT raw FROM message_raw WHERE message_pk = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<Vec<u8>, _>("raw")).transpose()?)
    }

    /// The parsed fields of a stored message.
    pub async fn parsed(&self, id: i64) -> Result<Option<ParsedMail>> {
        let row = sqlx::query(&format!(
            "SELECT {PARSED_COLUMNS} FROM messages WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| parsed_from_row(&r)).transpose()
    }

    /// The parsed fields and arrival of several stored messages in one query, in the order
    /// of `ids` (a message that is gone is left out). The caller bounds how many bytes it
    /// asks for at once.
    pub async fn parsed_many(&self, ids: &[i64]) -> Result<Vec<(i64, ParsedMail, DateTime<Utc>)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Register ids are integers of our own: a literal list is one statement on both
        // databases, whatever their limits on bound parameters.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let rows = sqlx::query(&format!(
            "SELECT id, received_at, {PARSED_COLUMNS} FROM messages WHERE id IN ({list})"
        ))
        // A statement of its own each time: not kept in the connection's cache.
        .persistent(false)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let received: String = r.try_get("received_at")?;
            let received = DateTime::parse_from_rfc3339(&received)
                .map_err(|e| StoreError::Corrupt {
                    column: "messages.received_at",
                    reason: e.to_string(),
                })?
                .with_timezone(&Utc);
            out.push((r.try_get::<i64, _>("id")?, parsed_from_row(r)?, received));
        }
        out.sort_by_key(|(id, _, _)| ids.iter().position(|i| i == id));
        Ok(out)
    }
}

/// The columns [`parsed_from_row`] reads.
const PARSED_COLUMNS: &str = "parse_status, parse_error, message_id, from_addr, from_name,
    to_addrs, cc_addrs, subject, sent_date, in_reply_to, refs, headers, body_text, html_only,
    attachments";

fn parsed_from_row(r: &AnyRow) -> Result<ParsedMail> {
    let from =
        r.try_get::<Option<String>, _>("from_addr")?
            .map(|address| crate::parse::MailAddress {
                name: r.try_get("from_name").ok().flatten(),
                address,
            });
    let sent: Option<String> = r.try_get("sent_date")?;
    Ok(ParsedMail {
        status: ParseStatus::from_db(&r.try_get::<String, _>("parse_status")?),
        error: r.try_get("parse_error")?,
        message_id: r.try_get("message_id")?,
        from,
        to: json_col(r, "to_addrs")?,
        cc: json_col(r, "cc_addrs")?,
        subject: r.try_get("subject")?,
        date: sent
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|d| d.with_timezone(&Utc)),
        in_reply_to: json_col(r, "in_reply_to")?,
        references: json_col(r, "refs")?,
        headers: json_col(r, "headers")?,
        body_text: r.try_get("body_text")?,
        html_only: r.try_get::<i64, _>("html_only")? != 0,
        attachments: json_col(r, "attachments")?,
        documents: Vec::new(),
    })
}
