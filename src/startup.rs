//! The application assembled from its settings: the register, the routing pipeline and the
//! mailer. `run` and `sync` start from these parts; a test builds the whole [`App`] in
//! process, with a manual clock and a memory transport, and steps it.

use std::sync::Arc;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::{ConfigError, Settings};
use crate::detect::{Detector, ScreenContext};
use crate::letters::Letters;
use crate::outbox::{DeliveryReport, Mailer, Transport};
use crate::pipeline::{Pipeline, ReminderReport, RouteReport};
use crate::store::Store;

/// The detector and screening addresses from `[detection]`, `smtp.from`, `imap.username`
/// and `directie.addresses`.
pub fn detector(settings: &Settings) -> anyhow::Result<(Detector, ScreenContext)> {
    let det = settings.detection()?;
    let (own, directie) = settings.screen_addresses()?;
    let detector = Detector::new(det.threshold, det.lexicon_dir.as_deref()).map_err(|e| {
        if det.lexicon_dir.is_some() {
            anyhow::Error::new(ConfigError::Invalid {
                key: "detection.lexicon_dir".into(),
                reason: e.to_string(),
            })
        } else {
            anyhow::Error::new(e).context("loading the built-in lexicons")
        }
    })?;
    let detector = detector
        .with_max_text_bytes(det.max_text_bytes)
        .with_doubt_threshold(det.doubt_threshold);
    Ok((detector, ScreenContext::new(own, directie)))
}

/// The routing pipeline from `[smtp]`, `[directie]`, `[organisation]`, `[deadlines]`,
/// `[detection]`, `[limits]`, `[staff]` and `[report]`.
pub fn pipeline(settings: &Settings) -> anyhow::Result<Pipeline> {
    let (detector, ctx) = detector(settings)?;
    let smtp = settings.smtp()?;
    let limits = settings.limits()?;
    let letters = Arc::new(
        Letters::with_overrides(settings.letters_template_dir()?.as_deref())
            .context("loading the letter templates")?,
    );
    Ok(Pipeline::new(
        detector,
        ctx,
        settings.directie()?,
        smtp.from.clone(),
        settings.organisation()?,
        settings.deadlines()?,
        limits.max_auto_mails_per_address_per_day,
        letters,
    )
    .with_staff(settings.staff()?)
    .with_report(settings.report()?)
    .with_since(settings.intake_since()?)
    .with_alerts(settings.alerts()?)
    .with_first_run_limit(limits.first_run_max_cases))
}

/// The mailer for `pipeline`'s mail, to the server of `[smtp]`.
pub fn mailer(settings: &Settings, pipeline: &Pipeline) -> anyhow::Result<Mailer> {
    let smtp = settings.smtp()?;
    Ok(Mailer::new(
        &smtp,
        &pipeline.org.name,
        pipeline.directie.addresses.clone(),
        pipeline.letters.clone(),
    )
    .map_err(|e| ConfigError::Invalid {
        key: "smtp.host".into(),
        reason: e.to_string(),
    })?
    .with_logo(pipeline.org.logo.clone())
    .with_clock(pipeline.clock().clone()))
}

/// Opens and migrates the database named by `database.url`.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let db = settings.database()?;
    let store = Store::connect(&db.url)
        .await
        .context("opening the database (database.url)")?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

/// The register, the pipeline that routes what it holds, and the mailer that sends what it
/// queues.
pub struct App {
    pub store: Store,
    pub pipeline: Pipeline,
    pub mailer: Mailer,
}

impl App {
    /// Checks every setting the services need, then opens the database.
    pub async fn build(settings: &Settings, clock: Clock) -> anyhow::Result<App> {
        let pipeline = pipeline(settings)?.with_clock(clock);
        let mailer = mailer(settings, &pipeline)?;
        let store = open_store(settings).await?;
        Ok(App {
            store,
            pipeline,
            mailer,
        })
    }

    /// Hands mail to `transport` instead of the SMTP server.
    pub fn with_transport(mut self, transport: Transport) -> App {
        self.mailer = self.mailer.with_transport(transport);
        self
    }

    /// Routes every stored message not routed yet.
    pub async fn route(&self) -> anyhow::Result<RouteReport> {
        self.pipeline
            .route_until(&self.store, &CancellationToken::new())
            .await
            .context("routing stored messages")
    }

    /// Queues the reminders, escalations, digests and reports that are due.
    pub async fn remind(&self) -> anyhow::Result<ReminderReport> {
        self.pipeline
            .remind_due(&self.store)
            .await
            .context("queueing reminders")
    }

    /// Sends the mail that is due.
    pub async fn deliver(&self) -> anyhow::Result<DeliveryReport> {
        self.mailer
            .deliver_due(&self.store)
            .await
            .context("sending queued mail")
    }
}
