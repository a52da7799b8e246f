//! The register's storage: SQLite (default) or PostgreSQL through sqlx's `Any` driver.
//!
//! One set of queries serves both backends: `$n` placeholders, `ON CONFLICT`,
//! `RETURNING`, text timestamps in RFC 3339 UTC and `BIGINT` integers. The schema lives in
//! `migrations/sqlite` and `migrations/postgres`, which differ only in the identity column
//! and the blob type; both are embedded in the binary.

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor, Row};

use crate::detect::Verdict;
use crate::parse::{ParseStatus, ParsedMail};

mod cases;
mod failures;
mod health;
mod lease;
mod messages;
mod register;
pub use cases::{Attachment, CaseRow, Doubt, Event, MailStatus, NewCase, NewMail, OutboxRow, Tx};
pub use failures::{Failure, FailureKind};
pub use health::{Health, KINDS as HEALTH_KINDS};
pub use lease::MailboxLease;
pub use register::{Forgotten, Measure, NewMeasure, REMOVED};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database: cannot create {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("database: stored value in {column} is corrupt: {reason}")]
    Corrupt {
        column: &'static str,
        reason: String,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where a stored message came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Fetched from an IMAP folder at this UID.
    Imap {
        mailbox: String,
        uidvalidity: u32,
        uid: u32,
    },
    /// Read from a file by `import`.
    Import,
    /// A Klachtenformulier recorded with `intake`.
    Intake,
}

/// A message ready to be written.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The bytes stored: the whole message, or only its header when it was too large.
    pub raw: Vec<u8>,
    pub origin: Origin,
    /// IMAP INTERNALDATE, or the Date header for imported mail.
    pub received_at: DateTime<Utc>,
    /// Size of the whole message on the server.
    pub size: u64,
    pub parsed: ParsedMail,
}

impl NewMessage {
    pub fn sha256(&self) -> String {
        sha256_hex(&self.raw)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// What happened to one message of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored now, with this row id.
    New(i64),
    /// The same bytes were already stored under this row id; nothing was added.
    Duplicate(i64),
}

impl Stored {
    pub fn id(self) -> i64 {
        match self {
            Stored::New(id) | Stored::Duplicate(id) => id,
        }
    }
}

/// Where the intake stands in one IMAP folder.
/// A stored message waiting to be routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unrouted {
    /// Register id.
    pub id: i64,
    /// Its size on the server, in bytes.
    pub size: u64,
    /// Its routing failed before (it is being retried).
    pub failed_before: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub uidvalidity: u32,
    pub last_uid: u32,
}

/// A message the detector judged as customer mail (routed as ordinary, doubtful or as a
/// case's source), with what became of it: the rows `corpus` labels.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedMail {
    pub id: i64,
    pub received_at: String,
    /// `message`, `doubt` or `case`.
    pub route: String,
    /// The routing note (`promoted`, `forwarded by directie`, …).
    pub detail: Option<String>,
    /// The language the detector judged it in.
    pub language: Option<String>,
    /// The case opened from it, if any: reference, status, and whether directie confirmed it.
    pub case: Option<(String, crate::case::Status, bool)>,
}

/// A stored message as listed by `messages`.
#[derive(Debug, Clone)]
pub struct MessageSummary {
    pub id: i64,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub received_at: String,
    pub parse_status: ParseStatus,
    pub size: i64,
    pub sha256: String,
    /// The detection verdict, once classified.
    pub complaint: Option<bool>,
    pub score: Option<f64>,
    pub screened: Option<String>,
    /// The case the message belongs to.
    pub case_ref: Option<String>,
    /// Which way routing sent it (`case`, `doubt`, `message`, `screened`, …), once routed.
    pub route: Option<String>,
    /// Routing failed for this message; it is retried at `next_attempt_at`.
    pub routing_failed: Option<RoutingFailed>,
}

/// Why a stored message is not routed yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoutingFailed {
    pub attempts: i64,
    pub error: String,
    pub next_attempt_at: String,
}

/// The query behind [`MessageSummary`]; a `WHERE` or `ORDER BY` may follow.
const MESSAGE_SUMMARY: &str =
    "SELECT m.id, m.message_id, m.from_addr, m.subject, m.received_at, m.parse_status,
            m.size, m.sha256, v.complaint, v.score, v.screened, c.ref AS case_ref,
            f.attempts AS failed_attempts, f.error AS failed_error,
            f.next_attempt_at AS failed_next, r.route AS route
     FROM messages m LEFT JOIN verdicts v ON v.message_pk = m.id
     LEFT JOIN routing r ON r.message_pk = m.id
     LEFT JOIN case_messages cm ON cm.message_pk = m.id
     LEFT JOIN cases c ON c.id = cm.case_id
     LEFT JOIN failures f ON f.kind = 'route' AND f.item = m.id";

fn message_summary(r: &AnyRow) -> Result<MessageSummary> {
    let failed_attempts: Option<i64> = r.try_get("failed_attempts")?;
    Ok(MessageSummary {
        id: r.try_get("id")?,
        message_id: r.try_get("message_id")?,
        from: r.try_get("from_addr")?,
        subject: r.try_get("subject")?,
        received_at: r.try_get("received_at")?,
        parse_status: ParseStatus::from_db(&r.try_get::<String, _>("parse_status")?),
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        complaint: r.try_get::<Option<i64>, _>("complaint")?.map(|c| c != 0),
        score: r.try_get("score")?,
        screened: r.try_get("screened")?,
        case_ref: r.try_get("case_ref")?,
        route: r.try_get("route")?,
        routing_failed: match failed_attempts {
            Some(attempts) => Some(RoutingFailed {
                attempts,
                error: r.try_get("failed_error")?,
                next_attempt_at: r.try_get("failed_next")?,
            }),
            None => None,
        },
    })
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The SQLite file, when the register is one (for the mailbox lock beside it).
    sqlite_file: Option<std::path::PathBuf>,
}

/// This process as the holder of outbox claims: `<host>/<pid>/<start>`. The pid lets a
/// later process on the same host see that the holder is gone.
pub fn instance() -> &'static str {
    static INSTANCE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let host = hostname::get()
            .ok()
            .and_then(|h| h.into_string().ok())
            .filter(|h| !h.is_empty() && !h.contains('/'))
            .unwrap_or_else(|| "localhost".into());
        format!(
            "{host}/{}/{}",
            std::process::id(),
            Utc::now().format("%Y%m%dT%H%M%S")
        )
    });
    &INSTANCE
}

pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Creates a missing SQLite file readable by its owner only (0600), in a folder that is
/// created owner-only too (0700): the register holds personal data. Existing files and
/// folders keep the permissions the operator gave them.
fn create_private(file: &Path) -> Result<()> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| StoreError::Io { path, source }
    };
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(io(dir))?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(file)(e)),
    }
}

/// Writes a folder's checkpoint (UIDVALIDITY and highest stored UID). Within one
/// UIDVALIDITY the checkpoint never moves back: a writer holding an older view (another
/// instance, a late batch) cannot undo what was recorded after it.
async fn set_checkpoint<'e, E: Executor<'e, Database = sqlx::Any>>(
    e: E,
    mailbox: &str,
    checkpoint: Checkpoint,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mailbox_checkpoints (mailbox, uidvalidity, last_uid, updated_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (mailbox) DO UPDATE
         SET last_uid = CASE
                 WHEN mailbox_checkpoints.uidvalidity = excluded.uidvalidity
                      AND mailbox_checkpoints.last_uid > excluded.last_uid
                 THEN mailbox_checkpoints.last_uid
                 ELSE excluded.last_uid END,
             uidvalidity = excluded.uidvalidity,
             updated_at = excluded.updated_at",
    )
    .bind(mailbox)
    .bind(i64::from(checkpoint.uidvalidity))
    .bind(i64::from(checkpoint.last_uid))
    .bind(timestamp(now))
    .execute(e)
    .await?;
    Ok(())
}

async fn insert_verdict<'e, E: Executor<'e, Database = sqlx::Any>>(
    e: E,
    id: i64,
    verdict: &Verdict,
    now: DateTime<Utc>,
) -> Result<()> {
    let json = serde_json::to_string(verdict).map_err(|e| StoreError::Corrupt {
        column: "verdict",
        reason: e.to_string(),
    })?;
    sqlx::query(
        "INSERT INTO verdicts (message_pk, complaint, score, threshold, language, screened,
                               verdict, classified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (message_pk) DO NOTHING",
    )
    .bind(id)
    .bind(i64::from(verdict.complaint))
    .bind(verdict.score)
    .bind(verdict.threshold)
    .bind(verdict.language.as_str())
    .bind(verdict.screened.map(|s| s.as_str()))
    .bind(json)
    .bind(timestamp(now))
    .execute(e)
    .await?;
    Ok(())
}

/// [`insert_verdict`] for many messages in one statement.
async fn insert_verdicts<'e, E: Executor<'e, Database = sqlx::Any>>(
    e: E,
    verdicts: &[(i64, &Verdict)],
    now: DateTime<Utc>,
) -> Result<()> {
    if verdicts.is_empty() {
        return Ok(());
    }
    let mut sql = String::from(
        "INSERT INTO verdicts (message_pk, complaint, score, threshold, language, screened,
                               verdict, classified_at) VALUES ",
    );
    for i in 0..verdicts.len() {
        let n = 7 * i;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, $1)",
            n + 2,
            n + 3,
            n + 4,
            n + 5,
            n + 6,
            n + 7,
            n + 8
        ));
    }
    sql.push_str(" ON CONFLICT (message_pk) DO NOTHING");
    let mut q = sqlx::query(&sql).persistent(false).bind(timestamp(now));
    for (id, verdict) in verdicts {
        let json = serde_json::to_string(verdict).map_err(|e| StoreError::Corrupt {
            column: "verdict",
            reason: e.to_string(),
        })?;
        q = q
            .bind(*id)
            .bind(i64::from(verdict.complaint))
            .bind(verdict.score)
            .bind(verdict.threshold)
            .bind(verdict.language.as_str())
            .bind(verdict.screened.map(|s| s.as_str()))
            .bind(json);
    }
    q.execute(e).await?;
    Ok(())
}

/// Rows a multi-row insert of messages holds: 24 parameters each, far inside both
/// databases' limits.
const INSERT_ROWS: usize = 40;

/// [`insert_message`] for many messages with two statements (their rows, then their raw
/// bytes); a message whose bytes are stored already (or occur twice in `messages`) takes
/// the single-message path for duplicates.
async fn insert_messages(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    messages: &[NewMessage],
    now: DateTime<Utc>,
) -> Result<Vec<Stored>> {
    let shas: Vec<String> = messages.iter().map(NewMessage::sha256).collect();
    let mut sql = String::from(
        "INSERT INTO messages (sha256, message_id, source, mailbox, uidvalidity, uid,
             server_pending, received_at, stored_at, size, parse_status, parse_error,
             from_addr, from_name, to_addrs, cc_addrs, subject, sent_date, in_reply_to, refs,
             headers, body_text, html_only, attachments) VALUES ",
    );
    for i in 0..messages.len() {
        if i > 0 {
            sql.push(',');
        }
        sql.push('(');
        for k in 0..24 {
            if k > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", 24 * i + k + 1));
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT (sha256) DO NOTHING RETURNING id, sha256");
    // Statements of many shapes: prepared each time, not kept in the connection's cache.
    let mut q = sqlx::query(&sql).persistent(false);
    for (m, sha) in messages.iter().zip(&shas) {
        q = bind_message(q, m, sha, now);
    }
    let rows = q.fetch_all(&mut **tx).await?;
    let mut new_ids = std::collections::HashMap::with_capacity(rows.len());
    for r in &rows {
        new_ids.insert(
            r.try_get::<String, _>("sha256")?,
            r.try_get::<i64, _>("id")?,
        );
    }
    let mut out = Vec::with_capacity(messages.len());
    let mut raw = Vec::with_capacity(new_ids.len());
    for (m, sha) in messages.iter().zip(&shas) {
        match new_ids.remove(sha) {
            Some(id) => {
                raw.push((id, &m.raw));
                out.push(Stored::New(id));
            }
            None => out.push(Stored::Duplicate(record_duplicate(tx, m, sha).await?)),
        }
    }
    if !raw.is_empty() {
        let mut sql = String::from("INSERT INTO message_raw (message_pk, raw) VALUES ");
        for i in 0..raw.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
        }
        let mut q = sqlx::query(&sql).persistent(false);
        for (id, bytes) in raw {
            q = q.bind(id).bind(bytes.as_slice());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(out)
}

/// Binds the 24 columns of a message row, in the order of the INSERTs above and below.
fn bind_message<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    m: &'q NewMessage,
    sha: &str,
    now: DateTime<Utc>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let (source, mailbox, uidvalidity, uid) = origin_columns(&m.origin);
    let pending: i64 = if mailbox.is_some() { 1 } else { 0 };
    let p = &m.parsed;
    let json = |v: serde_json::Result<String>| v.unwrap_or_else(|_| "[]".into());
    q.bind(sha.to_string())
        .bind(p.message_id.clone())
        .bind(source)
        .bind(mailbox)
        .bind(uidvalidity)
        .bind(uid)
        .bind(pending)
        .bind(timestamp(m.received_at))
        .bind(timestamp(now))
        .bind(m.size as i64)
        .bind(p.status.as_str())
        .bind(p.error.clone())
        .bind(p.from.as_ref().map(|a| a.address.clone()))
        .bind(p.from.as_ref().and_then(|a| a.name.clone()))
        .bind(json(serde_json::to_string(&p.to)))
        .bind(json(serde_json::to_string(&p.cc)))
        .bind(p.subject.clone())
        .bind(p.date.map(timestamp))
        .bind(json(serde_json::to_string(&p.in_reply_to)))
        .bind(json(serde_json::to_string(&p.references)))
        .bind(serde_json::to_string(&p.headers).unwrap_or_else(|_| "{}".into()))
        .bind(p.body_text.as_deref())
        .bind(i64::from(p.html_only))
        .bind(json(serde_json::to_string(&p.attachments)))
}

/// Source, mailbox, UIDVALIDITY and UID columns of a message's origin.
fn origin_columns(origin: &Origin) -> (&'static str, Option<String>, Option<i64>, Option<i64>) {
    match origin {
        Origin::Imap {
            mailbox,
            uidvalidity,
            uid,
        } => (
            "imap",
            Some(mailbox.clone()),
            Some(i64::from(*uidvalidity)),
            Some(i64::from(*uid)),
        ),
        Origin::Import => ("import", None, None, None),
        Origin::Intake => ("intake", None, None, None),
    }
}

async fn insert_message(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    m: &NewMessage,
    now: DateTime<Utc>,
) -> Result<Stored> {
    let sha = m.sha256();
    let inserted = bind_message(
        sqlx::query(
            "INSERT INTO messages (sha256, message_id, source, mailbox, uidvalidity, uid,
                 server_pending, received_at, stored_at, size, parse_status, parse_error,
                 from_addr, from_name, to_addrs, cc_addrs, subject, sent_date, in_reply_to, refs,
                 headers, body_text, html_only, attachments)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                     $18, $19, $20, $21, $22, $23, $24)
             ON CONFLICT (sha256) DO NOTHING
             RETURNING id",
        ),
        m,
        &sha,
        now,
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = inserted {
        let id: i64 = row.try_get("id")?;
        sqlx::query("INSERT INTO message_raw (message_pk, raw) VALUES ($1, $2)")
            .bind(id)
            .bind(m.raw.clone())
            .execute(&mut **tx)
            .await?;
        return Ok(Stored::New(id));
    }
    Ok(Stored::Duplicate(record_duplicate(tx, m, &sha).await?))
}

/// Same bytes seen before (a re-read after a UIDVALIDITY change, or an import of mail
/// that also came in over IMAP). Nothing new is stored; the row learns where the message
/// now lives so that it is flagged there. Returns its id.
async fn record_duplicate(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    m: &NewMessage,
    sha: &str,
) -> Result<i64> {
    let row = sqlx::query("SELECT id FROM messages WHERE sha256 = $1")
        .bind(sha)
        .fetch_one(&mut **tx)
        .await?;
    let id: i64 = row.try_get("id")?;
    let (_, mailbox, uidvalidity, uid) = origin_columns(&m.origin);
    if let (Some(mailbox), Some(uidvalidity), Some(uid)) = (mailbox, uidvalidity, uid) {
        sqlx::query(
            "UPDATE messages SET mailbox = $1, uidvalidity = $2, uid = $3, server_pending = 1
             WHERE id = $4",
        )
        .bind(mailbox)
        .bind(uidvalidity)
        .bind(uid)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

fn u32_col(row: &AnyRow, col: &'static str) -> Result<u32> {
    let v: i64 = row.try_get(col)?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt {
        column: col,
        reason: format!("{v} is not a 32-bit unsigned value"),
    })
}

fn json_col<T: serde::de::DeserializeOwned>(row: &AnyRow, col: &'static str) -> Result<T> {
    let text: String = row.try_get(col)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
        column: col,
        reason: e.to_string(),
    })
}
