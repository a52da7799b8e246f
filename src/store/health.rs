//! How the service's own work goes (reading the mailbox, sending mail): the last success,
//! since when it has been failing, and whether directie was alerted about it.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{timestamp, Result, Store, Tx};

/// What is watched: reading the mailbox, and handing mail to the SMTP server.
pub const KINDS: [&str; 2] = ["intake", "sending"];

/// The state of one kind of work.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Health {
    pub kind: String,
    pub last_ok: Option<String>,
    /// Since when it has been failing; None while it works.
    pub failing_since: Option<String>,
    pub last_error: Option<String>,
    /// When directie was alerted about the current (or just ended) failure.
    pub alerted_at: Option<String>,
}

fn parse(t: &Option<String>) -> Option<DateTime<Utc>> {
    t.as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

impl Health {
    pub fn failing_since(&self) -> Option<DateTime<Utc>> {
        parse(&self.failing_since)
    }

    pub fn alerted_at(&self) -> Option<DateTime<Utc>> {
        parse(&self.alerted_at)
    }
}

impl Store {
    /// `kind` worked at `now`.
    pub async fn health_ok(&self, kind: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO health (kind, last_ok) VALUES ($1, $2)
             ON CONFLICT (kind) DO UPDATE
             SET last_ok = excluded.last_ok, failing_since = NULL, last_error = NULL",
        )
        .bind(kind)
        .bind(timestamp(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// `kind` failed with `error` (one line; no message text): failing since the first
    /// failure after its last success.
    pub async fn health_failed(&self, kind: &str, error: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO health (kind, failing_since, last_error) VALUES ($1, $2, $3)
             ON CONFLICT (kind) DO UPDATE
             SET failing_since = COALESCE(health.failing_since, excluded.failing_since),
                 last_error = excluded.last_error",
        )
        .bind(kind)
        .bind(timestamp(now))
        .bind(crate::parse::clean(error, 500))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every kind recorded so far, by kind.
    pub async fn health(&self) -> Result<Vec<Health>> {
        let rows = sqlx::query(
            "SELECT kind, last_ok, failing_since, last_error, alerted_at FROM health ORDER BY kind",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Health {
                    kind: r.try_get("kind")?,
                    last_ok: r.try_get("last_ok")?,
                    failing_since: r.try_get("failing_since")?,
                    last_error: r.try_get("last_error")?,
                    alerted_at: r.try_get("alerted_at")?,
                })
            })
            .collect()
    }
}

impl Tx {
    /// Notes (or, with None, clears) that directie was alerted about `kind`'s failure.
    /// Conditional on the state it was read in, so two instances alert once.
    pub async fn set_alerted(
        &mut self,
        kind: &str,
        was: Option<&str>,
        at: Option<DateTime<Utc>>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE health SET alerted_at = $1
             WHERE kind = $2 AND (alerted_at = $3 OR (alerted_at IS NULL AND $3 IS NULL))",
        )
        .bind(at.map(timestamp))
        .bind(kind)
        .bind(was)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
