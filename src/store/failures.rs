//! Items that failed: recorded, retried with backoff and reported once, so that one bad
//! message or case never stops a loop over many.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{timestamp, Result, Store, Tx};

/// What kind of item failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// A stored message that could not be routed (`messages.id`).
    Route,
    /// A case whose reminder could not be queued (`cases.id`).
    Remind,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Route => "route",
            FailureKind::Remind => "remind",
        }
    }
}

/// One recorded failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub item: i64,
    pub attempts: i64,
    pub error: String,
    pub first_failed_at: String,
    pub next_attempt_at: String,
    pub reported: bool,
}

/// The first retry comes after a minute; each next one waits twice as long, up to this.
const MAX_BACKOFF_MINUTES: i64 = 6 * 60;

/// When the attempt after `attempts` failures falls due.
pub fn next_attempt(now: DateTime<Utc>, attempts: i64) -> DateTime<Utc> {
    let minutes = 1i64
        .checked_shl(attempts.clamp(1, 20) as u32 - 1)
        .unwrap_or(MAX_BACKOFF_MINUTES)
        .min(MAX_BACKOFF_MINUTES);
    now + Duration::minutes(minutes)
}

impl Store {
    /// Records that `item` failed with `error` (one line, no message text): the attempt
    /// count goes up and the next attempt is put off. Returns the failure as it now stands.
    pub async fn record_failure(
        &self,
        kind: FailureKind,
        item: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<Failure> {
        let error = crate::parse::clean(error, 1000);
        let mut tx = self.pool.begin().await?;
        let attempts: i64 =
            sqlx::query("SELECT attempts FROM failures WHERE kind = $1 AND item = $2")
                .bind(kind.as_str())
                .bind(item)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("attempts"))
                .transpose()?
                .unwrap_or(0)
                + 1;
        let row = sqlx::query(
            "INSERT INTO failures (kind, item, attempts, error, first_failed_at, last_failed_at,
                                   next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $5, $6)
             ON CONFLICT (kind, item) DO UPDATE SET attempts = $3, error = $4,
                 last_failed_at = $5, next_attempt_at = $6
             RETURNING item, attempts, error, first_failed_at, next_attempt_at, reported_at",
        )
        .bind(kind.as_str())
        .bind(item)
        .bind(attempts)
        .bind(&error)
        .bind(timestamp(now))
        .bind(timestamp(next_attempt(now, attempts)))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        failure_row(&row)
    }

    /// The failure recorded for `item`, if any.
    pub async fn failure(&self, kind: FailureKind, item: i64) -> Result<Option<Failure>> {
        let row = sqlx::query(
            "SELECT item, attempts, error, first_failed_at, next_attempt_at, reported_at
             FROM failures WHERE kind = $1 AND item = $2",
        )
        .bind(kind.as_str())
        .bind(item)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(failure_row).transpose()
    }

    /// Every recorded failure of a kind, oldest first.
    pub async fn failures(&self, kind: FailureKind) -> Result<Vec<Failure>> {
        let rows = sqlx::query(
            "SELECT item, attempts, error, first_failed_at, next_attempt_at, reported_at
             FROM failures WHERE kind = $1 ORDER BY first_failed_at, item",
        )
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(failure_row).collect()
    }

    /// `item` succeeded: its failure record goes.
    pub async fn clear_failure(&self, kind: FailureKind, item: i64) -> Result<()> {
        sqlx::query("DELETE FROM failures WHERE kind = $1 AND item = $2")
            .bind(kind.as_str())
            .bind(item)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Tx {
    /// Marks a failure as reported, in the transaction that queues the report; false when
    /// it already was (by another instance).
    pub async fn claim_failure_report(&mut self, kind: FailureKind, item: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE failures SET reported_at = $3
             WHERE kind = $1 AND item = $2 AND reported_at IS NULL",
        )
        .bind(kind.as_str())
        .bind(item)
        .bind(timestamp(self.now()))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn failure_row(r: &sqlx::any::AnyRow) -> Result<Failure> {
    Ok(Failure {
        item: r.try_get("item")?,
        attempts: r.try_get("attempts")?,
        error: r.try_get("error")?,
        first_failed_at: r.try_get("first_failed_at")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        reported: r.try_get::<Option<String>, _>("reported_at")?.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_minute_to_six_hours() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let wait = |n| (next_attempt(now, n) - now).num_minutes();
        assert_eq!(
            [1, 2, 3, 4, 9, 10, 40].map(wait),
            [1, 2, 4, 8, 256, 360, 360]
        );
    }
}
