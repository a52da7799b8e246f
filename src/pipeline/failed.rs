//! What routing does with a message it cannot route, and with a mail that takes too long
//! to judge: record it, tell directie once, go on with the rest.

use std::time::{Duration, Instant};

use tera::Context;

use super::Pipeline;
use crate::calendar::dutch_date;
use crate::detect::Verdict;
use crate::letters::{header_safe, Template};
use crate::logging::mask_address;
use crate::parse::ParsedMail;
use crate::store::{FailureKind, NewMail, Store};

/// Judging one mail should take milliseconds; one that takes longer than this is logged
/// and marked in its verdict, so a pathological mail is found and its shape can be fixed.
pub const CLASSIFY_BUDGET: Duration = Duration::from_secs(1);

impl Pipeline {
    /// Classifies `mail`, logging and marking the verdict when it exceeds
    /// [`CLASSIFY_BUDGET`].
    pub(super) fn classify_within_budget(&self, id: i64, mail: &ParsedMail) -> Verdict {
        let started = Instant::now();
        let mut verdict = self.detector.classify(mail, &self.screen);
        let took = started.elapsed();
        if took > CLASSIFY_BUDGET {
            let ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
            tracing::warn!(
                message = id,
                ms,
                budget_ms = CLASSIFY_BUDGET.as_millis() as u64,
                "classifying this message took longer than its budget"
            );
            verdict.over_budget_ms = Some(ms);
        }
        verdict
    }

    /// Records that message `id` could not be routed, and tells directie the first time.
    /// Errors here are the database's own: the caller ends the pass with them.
    pub(super) async fn routing_failed(
        &self,
        store: &Store,
        id: i64,
        error: &anyhow::Error,
    ) -> anyhow::Result<()> {
        // The chain of contexts, on one line; it names settings and steps, never mail text.
        let error = format!("{error:#}");
        let failure = store
            .record_failure(FailureKind::Route, id, &error, self.now())
            .await?;
        tracing::warn!(
            message = id,
            attempts = failure.attempts,
            next_attempt = %failure.next_attempt_at,
            error = %failure.error,
            "routing this message failed; the messages after it are routed, it is retried later"
        );
        if failure.reported {
            return Ok(());
        }
        let summary = store.message_summary(id).await?;
        let sender = summary
            .as_ref()
            .and_then(|m| m.from.clone())
            .unwrap_or_else(|| "(onbekend)".into());
        let subject = summary
            .as_ref()
            .and_then(|m| m.subject.clone())
            .unwrap_or_else(|| "(geen onderwerp)".into());
        let received = summary
            .as_ref()
            .and_then(|m| chrono::DateTime::parse_from_rfc3339(&m.received_at).ok())
            .map(|d| dutch_date(crate::calendar::local_date(d.to_utc())))
            .unwrap_or_else(|| "(onbekend)".into());
        let mut ctx = Context::new();
        ctx.insert("message", &id);
        ctx.insert("sender", &sender);
        ctx.insert("subject", &subject);
        ctx.insert("received", &received);
        ctx.insert("attempts", &failure.attempts);
        ctx.insert("next_attempt", &failure.next_attempt_at);
        ctx.insert("error", &failure.error);
        let body = self.letters.render(
            Template::VerwerkingMislukt,
            crate::detect::Language::Nl,
            &ctx,
        )?;
        let mut tx = store.begin(self.id_domain(), self.now()).await?;
        if !tx.claim_failure_report(FailureKind::Route, id).await? {
            return Ok(());
        }
        for d in &self.directie.addresses {
            tx.enqueue(&NewMail::notice(
                Template::VerwerkingMislukt.name(),
                format!("verwerking_mislukt:{id}:{d}"),
                d,
                format!("Mail niet verwerkt: {}", header_safe(&subject, 150)),
                body.clone(),
                tx.now(),
            ))
            .await?;
        }
        tx.commit().await?;
        tracing::info!(message = id, from = %mask_address(&sender), "directie told that a message could not be routed");
        Ok(())
    }
}
