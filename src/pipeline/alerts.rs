//! Alerts: when reading the mailbox or sending mail has failed for `alerts.after_minutes`,
//! one mail says what fails and since when; when it works again, one mail says so. Nothing
//! in between, however long it lasts.

use chrono::{Duration, Utc};
use tera::Context;

use super::Pipeline;
use crate::calendar::dutch_date;
use crate::detect::Language;
use crate::letters::Template;
use crate::store::{Health, NewMail, Store};

/// What the alert says a kind of work is, and what stops while it fails.
fn wording(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "intake" => (
            "de mailbox niet lezen",
            "komen nieuwe klachten niet binnen en krijgt directie er geen melding van",
        ),
        _ => (
            "geen mail versturen",
            "blijven meldingen, herinneringen en brieven in de wachtrij staan",
        ),
    }
}

/// A moment as an office reads it: "dinsdag 1 december 2026 om 14:05".
fn moment(t: chrono::DateTime<Utc>) -> String {
    let local = t.with_timezone(&chrono_tz::Europe::Amsterdam);
    format!(
        "{} om {}",
        dutch_date(local.date_naive()),
        local.format("%H:%M")
    )
}

impl Pipeline {
    /// Queues the alerts and recovery notices that are due. Returns how many were queued.
    pub async fn alerts_due(&self, store: &Store) -> anyhow::Result<usize> {
        let now = self.now();
        let mut queued = 0;
        for h in store.health().await? {
            let (template, dedup_at, alerted) = match (h.failing_since(), h.alerted_at()) {
                (Some(since), None)
                    if now - since >= Duration::minutes(self.alerts.after_minutes as i64) =>
                {
                    (Template::Storing, since, Some(now))
                }
                (None, Some(at)) => (Template::Hersteld, at, None),
                _ => continue,
            };
            let body = self.alert_body(template, &h, now)?;
            let subject = match template {
                Template::Storing => format!("klachtenbus: storing — kan {}", wording(&h.kind).0),
                _ => format!(
                    "klachtenbus: hersteld — kan weer {}",
                    wording(&h.kind).0.replace("niet ", "").replace("geen ", "")
                ),
            };
            let mut tx = store.begin(self.id_domain(), self.now()).await?;
            if !tx
                .set_alerted(&h.kind, h.alerted_at.as_deref(), alerted)
                .await?
            {
                continue;
            }
            for addr in self.alert_addresses() {
                let key = format!(
                    "{}:{}:{}:{addr}",
                    template.name(),
                    h.kind,
                    crate::store::timestamp(dedup_at)
                );
                if tx
                    .enqueue(&NewMail::notice(
                        template.name(),
                        key,
                        addr,
                        subject.clone(),
                        body.clone(),
                        now,
                    ))
                    .await?
                    .is_some()
                {
                    queued += 1;
                }
            }
            tx.commit().await?;
            tracing::warn!(kind = %h.kind, notice = template.name(), "alert queued");
        }
        Ok(queued)
    }

    fn alert_addresses(&self) -> &[String] {
        if self.alerts.addresses.is_empty() {
            &self.directie.addresses
        } else {
            &self.alerts.addresses
        }
    }

    fn alert_body(
        &self,
        template: Template,
        h: &Health,
        now: chrono::DateTime<Utc>,
    ) -> anyhow::Result<crate::letters::Body> {
        let (what, consequence) = wording(&h.kind);
        let mut ctx = Context::new();
        let what = match template {
            Template::Hersteld => what.replace("niet ", "").replace("geen ", ""),
            _ => what.to_string(),
        };
        ctx.insert("what", &what);
        ctx.insert("consequence", consequence);
        let since = h.failing_since().or(h.alerted_at()).unwrap_or(now);
        ctx.insert("since", &moment(since));
        ctx.insert("recovered", &moment(now));
        ctx.insert("error", h.last_error.as_deref().unwrap_or("(onbekend)"));
        ctx.insert(
            "last_ok",
            &h.last_ok
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| moment(t.with_timezone(&Utc))),
        );
        Ok(self.letters.render(template, Language::Nl, &ctx)?)
    }
}
