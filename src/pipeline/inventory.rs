//! The half-yearly inventory as mail: scheduled at the start of each half year
//! (`report.schedule`), and on request (`report --mail`).

use chrono::{DateTime, Utc};

use super::Pipeline;
use crate::calendar::local_date;
use crate::letters::Body;
use crate::report::{build, Format, Period, Renderer};
use crate::store::{NewMail, Store};

/// The outbox kind of the inventory mail.
pub const KIND: &str = "inventarisatie";

/// The inventory of `period` from every case and measure in the register, as it stands at
/// `now`.
pub async fn inventory(
    store: &Store,
    period: &Period,
    organisation: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<crate::report::Report> {
    let cases = store.cases(None).await?;
    let measures = store.measures().await?;
    Ok(build(period, &cases, &measures, now, organisation))
}

impl Pipeline {
    /// When the scheduled report of the half year before the one containing `day` falls
    /// due: the first working day of that half year at `report.time`.
    fn report_moment(&self, period: &Period) -> Option<DateTime<Utc>> {
        let first = self.calendar.on_or_next_working_day(period.from).ok()?;
        Some(Self::at(first, self.report.time))
    }

    /// The next scheduled report moment after `after` (for the daemon's sleep).
    pub(super) fn next_report(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !self.report.schedule {
            return None;
        }
        let current = Period::half_of(local_date(after));
        [current.clone(), current_next(&current)]
            .iter()
            .filter_map(|p| self.report_moment(p))
            .find(|m| *m > after)
    }

    /// Queues the report of the half year just ended to every directie address, once per
    /// half year (the outbox's dedup key holds across restarts and instances). A register
    /// with no case received before that half year ended, or that stored its first message
    /// after it, has nothing to report.
    pub async fn report_due(&self, store: &Store) -> anyhow::Result<usize> {
        if !self.report.schedule {
            return Ok(0);
        }
        let now = self.now();
        let current = Period::half_of(local_date(now));
        let Some(due) = self.report_moment(&current) else {
            return Ok(0);
        };
        if now < due {
            return Ok(0);
        }
        let period = current.previous();
        // A half year that ended before the service first stored anything is not its to
        // report (a first start on a mailbox with months of old mail).
        if let Some(first) = store.first_stored_at().await? {
            if local_date(first) > period.to {
                return Ok(0);
            }
        }
        let mut tx = store.begin(self.id_domain(), self.now()).await?;
        let mut todo = Vec::new();
        for addr in &self.directie.addresses {
            if !tx.queued(&dedup_key(&period, addr)).await? {
                todo.push(addr.clone());
            }
        }
        drop(tx);
        if todo.is_empty() {
            return Ok(0);
        }
        let cases = store.cases(None).await?;
        let before_end = cases
            .iter()
            .filter_map(|c| chrono::DateTime::parse_from_rfc3339(&c.received_at).ok())
            .any(|t| local_date(t.with_timezone(&Utc)) <= period.to);
        if !before_end {
            return Ok(0);
        }
        let measures = store.measures().await?;
        let report = build(&period, &cases, &measures, now, &self.org.name);
        let body = render_mail(&report)?;
        let mut tx = store.begin(self.id_domain(), self.now()).await?;
        let mut queued = 0;
        for addr in &todo {
            if self
                .queue_report(&mut tx, &period, &body, addr, dedup_key(&period, addr))
                .await?
            {
                queued += 1;
            }
        }
        tx.commit().await?;
        tracing::info!(period = %period, queued, "half-yearly inventory queued");
        Ok(queued)
    }

    /// Queues the report of `period` to every directie address now (`report --mail`).
    pub async fn mail_report(&self, store: &Store, period: &Period) -> anyhow::Result<usize> {
        let report = inventory(store, period, &self.org.name, self.now()).await?;
        let body = render_mail(&report)?;
        let mut tx = store.begin(self.id_domain(), self.now()).await?;
        let stamp = crate::store::timestamp(tx.now());
        let mut queued = 0;
        for addr in &self.directie.addresses {
            let key = format!("{}:{stamp}", dedup_key(period, addr));
            if self.queue_report(&mut tx, period, &body, addr, key).await? {
                queued += 1;
            }
        }
        tx.commit().await?;
        Ok(queued)
    }

    async fn queue_report(
        &self,
        tx: &mut crate::store::Tx,
        period: &Period,
        body: &Body,
        addr: &str,
        dedup_key: String,
    ) -> anyhow::Result<bool> {
        let queued = tx
            .enqueue(&NewMail::notice(
                KIND,
                dedup_key,
                addr,
                format!("Klachteninventarisatie {period}"),
                body.clone(),
                tx.now(),
            ))
            .await?;
        Ok(queued.is_some())
    }
}

fn current_next(p: &Period) -> Period {
    Period::half_of(p.to + chrono::Duration::days(1))
}

fn dedup_key(period: &Period, addr: &str) -> String {
    format!("{KIND}:{period}:{addr}")
}

fn render_mail(report: &crate::report::Report) -> anyhow::Result<Body> {
    let r = Renderer::new()?;
    Ok(Body {
        text: r.render(report, Format::Text)?,
        html: r.render(report, Format::Html)?,
    })
}
