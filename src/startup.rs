//! The application assembled from its settings: the register, the routing pipeline and the
//! mailer. `run` and `sync` start from these parts; a test builds the whole [`App`] in
//! process, with a manual clock and a memory transport, and steps it.

use std::sync::Arc;
use std::time::Duration;

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
        .with_doubt_threshold(det.doubt_threshold)
        .with_other_trades(det.other_trades);
    let mut ctx = ScreenContext::new(own, directie);
    if let Some(name) = settings.organisation_name()? {
        ctx = ctx.with_organisation(name);
    }
    Ok((detector, ctx))
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

/// The pipeline and the mailer, every setting they need checked, before the register is
/// opened (commands check their other settings in between, and open nothing on an error).
pub struct Services {
    pub pipeline: Pipeline,
    pub mailer: Mailer,
}

impl Services {
    /// Builds the pipeline and the mailer, reading time from `clock`.
    pub fn build(settings: &Settings, clock: Clock) -> anyhow::Result<Services> {
        let pipeline = pipeline(settings)?.with_clock(clock);
        let mailer = mailer(settings, &pipeline)?;
        Ok(Services { pipeline, mailer })
    }

    /// Opens the database: the whole application.
    pub async fn open(self, settings: &Settings) -> anyhow::Result<App> {
        let store = open_store(settings).await?;
        Ok(App {
            store,
            pipeline: self.pipeline,
            mailer: self.mailer,
        })
    }
}

/// The register, the pipeline that routes what it holds, and the mailer that sends what it
/// queues.
pub struct App {
    pub store: Store,
    pub pipeline: Pipeline,
    pub mailer: Mailer,
}

/// How long the daemon waits at most before its next round: another instance may queue
/// mail or store mail it did not route (it died first).
pub const ROUND_AT_LEAST_EVERY: Duration = Duration::from_secs(15);

impl App {
    /// Checks every setting the services need, then opens the database.
    pub async fn build(settings: &Settings, clock: Clock) -> anyhow::Result<App> {
        Services::build(settings, clock)?.open(settings).await
    }

    /// Hands mail to `transport` instead of the SMTP server.
    pub fn with_transport(mut self, transport: Transport) -> App {
        self.mailer = self.mailer.with_transport(transport);
        self
    }

    /// Routes every stored message not routed yet.
    pub async fn route(&self) -> anyhow::Result<RouteReport> {
        self.route_until(&CancellationToken::new()).await
    }

    /// Routes stored messages not routed yet, until there are none or `cancel` fires.
    pub async fn route_until(&self, cancel: &CancellationToken) -> anyhow::Result<RouteReport> {
        self.pipeline
            .route_until(&self.store, cancel)
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

    /// One round of the daemon's work besides reading the mailbox: send what is queued,
    /// route what is stored but not routed (by this instance, one that died, or a message
    /// whose retry is due), send what that queued, queue what is due (reminders, digests,
    /// reports, alerts), send what is queued. A part that fails is logged and the others
    /// still run.
    pub async fn round(&self, cancel: &CancellationToken) {
        // What is queued goes out first: woken by intake, whose routing has just queued a
        // new case's notification, the round sends it before sweeping the register again
        // and before the reminder round, which reads every open case — on a large
        // register both take a while.
        if let Err(e) = self.deliver().await {
            tracing::error!(error = %format!("{e:#}"), "outbox round failed");
        }
        if let Err(e) = self.route_until(cancel).await {
            tracing::error!(error = %format!("{e:#}"), "routing sweep failed");
        }
        if let Err(e) = self.deliver().await {
            tracing::error!(error = %format!("{e:#}"), "outbox round failed");
        }
        if let Err(e) = self.remind().await {
            tracing::error!(error = %format!("{e:#}"), "reminder round failed");
        }
        // Alerts are queued before sending, so that an alert about the mailbox goes out in
        // this round (one about sending waits until sending works again).
        if let Err(e) = self.pipeline.alerts_due(&self.store).await {
            tracing::error!(error = %format!("{e:#}"), "alert round failed");
        }
        if let Err(e) = self.deliver().await {
            tracing::error!(error = %format!("{e:#}"), "outbox round failed");
        }
    }

    /// How long until the next round is due: the next outbox retry or reminder moment, at
    /// least a second and at most [`ROUND_AT_LEAST_EVERY`].
    pub async fn next_round_in(&self) -> Duration {
        let now = self.pipeline.now();
        let until = |t: chrono::DateTime<chrono::Utc>| {
            (t - now)
                .to_std()
                .unwrap_or(Duration::ZERO)
                .max(Duration::from_secs(1))
        };
        let mut next = ROUND_AT_LEAST_EVERY;
        if let Ok(Some(due)) = self.store.next_due().await {
            next = next.min(until(due));
        }
        match self.pipeline.next_moment(&self.store, now).await {
            Ok(Some(at)) => next = next.min(until(at)),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %format!("{e:#}"), "cannot plan reminders"),
        }
        next
    }
}
