//! The steps after intake, run on what the register holds: today, classification of every
//! stored message that has no verdict yet. Each step works from the database, so a crash
//! between intake and classification only delays the verdict to the next pass.

use crate::detect::{Detector, ScreenContext};
use crate::store::{Store, StoreError};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ClassifyReport {
    pub classified: usize,
    pub flagged: usize,
    pub screened: usize,
}

/// Gives every unclassified message its verdict.
#[tracing::instrument(skip_all)]
pub async fn classify_new(
    store: &Store,
    detector: &Detector,
    ctx: &ScreenContext,
) -> Result<ClassifyReport, StoreError> {
    let mut report = ClassifyReport::default();
    loop {
        let ids = store.unclassified(200).await?;
        if ids.is_empty() {
            return Ok(report);
        }
        for id in ids {
            let Some(mail) = store.parsed(id).await? else {
                continue;
            };
            let verdict = detector.classify(&mail, ctx);
            store.save_verdict(id, &verdict).await?;
            report.classified += 1;
            if verdict.screened.is_some() {
                report.screened += 1;
                tracing::debug!(
                    id,
                    reason = verdict.screened.map(|r| r.as_str()),
                    "screened"
                );
            } else if verdict.complaint {
                report.flagged += 1;
                tracing::info!(
                    id,
                    score = verdict.score,
                    signals = verdict.signals.len(),
                    "looks like a complaint"
                );
            }
        }
    }
}
