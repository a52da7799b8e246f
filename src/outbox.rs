//! The outbox worker: sends queued mail through SMTP (lettre), once.
//!
//! Each row was rendered when the decision was taken and carries its own Message-ID and
//! Date, so a retry sends the very same mail. Temporary failures (4xx, refused
//! connections, timeouts) are retried with exponential backoff until
//! `smtp.give_up_after_hours`; a permanent failure (5xx) is not retried, and directie is
//! told in a mail of its own.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use sha2::Digest;
use tera::Context;

use crate::config::{Security, SmtpSettings};
use crate::detect::Language;
use crate::letters::{header_safe, Letters, Template};
use crate::store::{NewMail, OutboxRow, Store, StoreError};

mod direct;
mod transport;
pub use transport::Transport;

/// How long a claim on an outbox row lasts without renewal, by default
/// (`smtp.claim_lease_secs`). The sender renews it every quarter of the lease while a row is
/// being sent, so a relay slower than the lease does not outlast it.
pub const CLAIM_LEASE: chrono::Duration = chrono::Duration::seconds(120);

/// How one send went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth another try later.
    #[error("temporary: {0}")]
    Temporary(String),
    /// Retrying cannot help (5xx, an address that cannot be written).
    #[error("permanent: {0}")]
    Permanent(String),
}

/// What became of one row handed to the server.
enum Delivered {
    Sent,
    /// A temporary failure (the error): tried again later.
    Retrying(String),
    /// Given up on: marked failed, and directie told.
    Failed,
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    id_domain: String,
    give_up: chrono::Duration,
    retry_first_secs: u64,
    /// How long a claim lasts, and how often it is renewed while sending.
    claim_lease: chrono::Duration,
    claim_renew: Duration,
    /// `smtp.parallel`: rows in flight at once.
    parallel: usize,
    directie: Vec<String>,
    letters: Arc<Letters>,
    /// Sent inline with HTML that refers to it (`cid:logo@klachtenbus`).
    logo: Option<crate::config::Logo>,
    /// What time it is (retry times, claims, stamps).
    clock: crate::clock::Clock,
}

impl Mailer {
    pub fn new(
        smtp: &SmtpSettings,
        org_name: &str,
        directie: Vec<String>,
        letters: Arc<Letters>,
    ) -> anyhow::Result<Mailer> {
        let builder = match smtp.security {
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
            Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?,
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        };
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(Duration::from_secs(60)));
        if let Some((user, password)) = &smtp.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_string(),
            ));
        }
        let from = Mailbox::new(
            Some(header_safe(org_name, 100)).filter(|n| !n.is_empty()),
            smtp.from.parse()?,
        );
        let transport = match &smtp.oauth2 {
            None if smtp.security != Security::Tls => {
                Transport::Direct(Arc::new(direct::Direct::new(
                    &smtp.host,
                    smtp.port,
                    smtp.security == Security::StartTls,
                    smtp.credentials.as_ref().map(|(user, password)| {
                        Credentials::new(user.clone(), password.expose_secret().to_string())
                    }),
                    smtp.parallel.max(1),
                )))
            }
            None => Transport::Smtp(builder.build()),
            Some((user, tokens)) => Transport::SmtpOAuth2 {
                builder: Box::new(builder),
                user: user.clone(),
                tokens: tokens.clone(),
            },
        };
        Ok(Mailer {
            transport,
            from,
            id_domain: smtp
                .from
                .split_once('@')
                .map(|(_, d)| d.to_string())
                .unwrap_or_default(),
            give_up: chrono::Duration::hours(smtp.give_up_after_hours as i64),
            retry_first_secs: smtp.retry_first_secs,
            claim_lease: chrono::Duration::seconds(smtp.claim_lease_secs as i64),
            claim_renew: Duration::from_secs(smtp.claim_lease_secs.max(4)) / 4,
            parallel: smtp.parallel.max(1),
            directie,
            letters,
            logo: None,
            clock: crate::clock::Clock::system(),
        })
    }

    /// Connects to the SMTP server and logs in, sending nothing (`check`).
    pub async fn test_connection(&self) -> Result<(), String> {
        let tested = match &self.transport {
            Transport::Smtp(smtp) => smtp.test_connection().await,
            Transport::Direct(direct) => return direct.test_connection().await,
            Transport::SmtpOAuth2 {
                builder,
                user,
                tokens,
            } => {
                let token = tokens
                    .access_token()
                    .await
                    .map_err(|e| format!("no OAuth2 token: {e}"))?;
                (**builder)
                    .clone()
                    .credentials(Credentials::new(
                        user.clone(),
                        token.expose_secret().to_string(),
                    ))
                    .authentication(vec![Mechanism::Xoauth2])
                    .build::<Tokio1Executor>()
                    .test_connection()
                    .await
            }
            Transport::Memory(_) => Ok(true),
        };
        match tested {
            Ok(true) => Ok(()),
            Ok(false) => Err("the server did not answer NOOP".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Hands mail over to `transport` instead of the SMTP server of the settings.
    /// The firm's logo, for HTML letters that show it.
    pub fn with_logo(mut self, logo: Option<crate::config::Logo>) -> Mailer {
        self.logo = logo;
        self
    }

    /// Reads time from `clock` instead of the system clock (`--now`, tests).
    pub fn with_clock(mut self, clock: crate::clock::Clock) -> Mailer {
        self.clock = clock;
        self
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn with_transport(mut self, transport: Transport) -> Mailer {
        self.transport = transport;
        self
    }

    /// The mail a row stands for.
    pub fn build(&self, row: &OutboxRow) -> Result<Message, SendError> {
        let to: Mailbox = row.recipient.parse().map_err(|e| {
            SendError::Permanent(format!("{:?} is not a usable address: {e}", row.recipient))
        })?;
        let date = DateTime::parse_from_rfc2822(&row.date_header)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|_| Utc::now());
        let mut b = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(header_safe(&row.subject, 250))
            .message_id(Some(format!("<{}>", header_safe(&row.message_id, 250))))
            .date(date.into())
            .raw_header(raw("Auto-Submitted", &row.auto_submitted))
            .raw_header(raw("X-Auto-Response-Suppress", "All"));
        if let Some(reply_to) = &row.reply_to {
            if let Ok(m) = reply_to.parse::<Mailbox>() {
                b = b.reply_to(m);
            }
        }
        if let Some(id) = &row.in_reply_to {
            b = b.in_reply_to(format!("<{}>", header_safe(id, 250)));
        }
        if !row.references.is_empty() {
            let refs: Vec<String> = row
                .references
                .iter()
                .rev()
                .take(20)
                .rev()
                .map(|r| format!("<{}>", header_safe(r, 250)))
                .collect();
            b = b.references(refs.join(" "));
        }
        // The MIME boundary comes from the row too, so building a row again (a retry, the
        // dossier) gives the same bytes.
        let boundary = format!(
            "kb-{}",
            &hex::encode(sha2::Sha256::digest(row.message_id.as_bytes()))[..32]
        );
        let html = SinglePart::html(row.body_html.clone());
        let alternative = MultiPart::alternative()
            .boundary(boundary.clone())
            .singlepart(SinglePart::plain(row.body_text.clone()));
        let logo = self.logo.as_ref().filter(|_| {
            row.body_html
                .contains(&format!("cid:{}", crate::config::Logo::CID))
        });
        let alternative = match logo {
            None => alternative.singlepart(html),
            Some(logo) => alternative.multipart(
                MultiPart::related()
                    .boundary(format!("{boundary}-r"))
                    .singlepart(html)
                    .singlepart(
                        LettreAttachment::new_inline(crate::config::Logo::CID.to_string()).body(
                            logo.data.as_ref().clone(),
                            ContentType::parse(logo.content_type)
                                .map_err(|e| SendError::Permanent(format!("logo type: {e}")))?,
                        ),
                    ),
            ),
        };
        let body = match &row.attachment {
            None => alternative,
            Some(a) => {
                let content_type = ContentType::parse(&a.content_type).map_err(|e| {
                    SendError::Permanent(format!("attachment type {:?}: {e}", a.content_type))
                })?;
                MultiPart::mixed()
                    .boundary(format!("{boundary}-m"))
                    .multipart(alternative)
                    .singlepart(
                        LettreAttachment::new(header_safe(&a.filename, 200))
                            .body(a.data.clone(), content_type),
                    )
            }
        };
        b.multipart(body)
            .map_err(|e| SendError::Permanent(format!("cannot build the mail: {e}")))
    }

    async fn send(&self, row: &OutboxRow) -> Result<(), SendError> {
        let message = self.build(row)?;
        match &self.transport {
            Transport::Direct(direct) => direct.send(&message).await,
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Temporary(e.to_string())),
            },
            Transport::SmtpOAuth2 {
                builder,
                user,
                tokens,
            } => {
                let mut outcome = None;
                // A refused token (revoked, expired early) is fetched anew once; a login
                // that keeps failing is the token's problem, not the mail's: retried later.
                for attempt in 0..2 {
                    let token = tokens.access_token().await.map_err(|e| {
                        SendError::Temporary(format!("no OAuth2 token for SMTP: {e}"))
                    })?;
                    let smtp = (**builder)
                        .clone()
                        .credentials(Credentials::new(
                            user.clone(),
                            token.expose_secret().to_string(),
                        ))
                        .authentication(vec![Mechanism::Xoauth2])
                        .build::<Tokio1Executor>();
                    match smtp.send(message.clone()).await {
                        Ok(_) => return Ok(()),
                        Err(e) if is_auth_refusal(&e) => {
                            tokens.invalidate().await;
                            if attempt == 1 {
                                outcome = Some(SendError::Temporary(format!(
                                    "SMTP refused the OAuth2 login: {e}"
                                )));
                            }
                        }
                        Err(e) if e.is_permanent() => {
                            return Err(SendError::Permanent(e.to_string()))
                        }
                        Err(e) => return Err(SendError::Temporary(e.to_string())),
                    }
                }
                Err(outcome.unwrap_or_else(|| SendError::Temporary("SMTP login failed".into())))
            }
            Transport::Memory(stub) => stub
                .send(message)
                .await
                .map_err(|e| SendError::Temporary(e.to_string())),
        }
    }

    fn backoff(&self, attempts: i64) -> chrono::Duration {
        let secs = self
            .retry_first_secs
            .saturating_mul(1u64 << attempts.clamp(0, 20))
            .min(3600);
        chrono::Duration::seconds(secs as i64)
    }

    /// Sends every mail that is due. Store errors stop the round; SMTP errors are per mail.
    ///
    /// Rows are claimed up to two per sender at a time, in this process's name, for
    /// `smtp.claim_lease_secs`, and the claim is renewed every quarter of that while the row is being sent: a slow server
    /// cannot outlast the claim, so no second instance sends the same row meanwhile, and a
    /// crashed sender's row is free again after one lease (at once for a process on the
    /// same host, which releases the claims of processes no longer running).
    #[tracing::instrument(skip_all)]
    pub async fn deliver_due(&self, store: &Store) -> Result<DeliveryReport, StoreError> {
        let mut last_error = None;
        let report = self.deliver_round(store, &mut last_error).await?;
        // The health of sending: a round that sent something worked; one that only met
        // temporary failures did not.
        if report.sent > 0 {
            store.health_ok("sending", self.now()).await?;
        } else if let Some(e) = last_error {
            store.health_failed("sending", &e, self.now()).await?;
        }
        Ok(report)
    }

    async fn deliver_round(
        &self,
        store: &Store,
        last_error: &mut Option<String>,
    ) -> Result<DeliveryReport, StoreError> {
        let mut report = DeliveryReport::default();
        let released = store.release_stale_claims().await?;
        if released > 0 {
            tracing::info!(
                released,
                "released the outbox claims of a process that is gone"
            );
        }
        // `parallel` senders side by side, each claiming one row at a time and sending it;
        // all of them are polled together, so none holds a connection while waiting on
        // another. A temporary failure stops every sender's next claim (the server is
        // failing: the rest waits for its retry time, or with a zero first delay the rows
        // just tried would be due again at once).
        let stop = std::sync::atomic::AtomicBool::new(false);
        // Rows are claimed a few at a time (one statement, one commit, for up to two per
        // sender) and handed out from here; a sender that finds it empty claims the next.
        let claimed = tokio::sync::Mutex::new(std::collections::VecDeque::new());
        let sender = || async {
            let mut mine = DeliveryReport::default();
            let mut error = None;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let next = {
                    let mut queue = claimed.lock().await;
                    if queue.is_empty() {
                        let batch = 2 * self.parallel as i64;
                        let at = std::time::Instant::now();
                        let rows = store.claim_due(self.now(), self.claim_lease, batch).await?;
                        queue.extend(rows.into_iter().map(|r| (at, r)));
                    }
                    queue.pop_front()
                };
                let Some((claimed_at, row)) = next else {
                    break;
                };
                // A row that waited behind a slow send renews its claim first; one whose
                // claim was lost meanwhile is another sender's now.
                if claimed_at.elapsed() >= self.claim_renew
                    && !store
                        .renew_claim(row.id, self.now() + self.claim_lease)
                        .await?
                {
                    continue;
                }
                match self.deliver_one(store, row).await? {
                    Delivered::Sent => mine.sent += 1,
                    Delivered::Failed => mine.failed += 1,
                    Delivered::Retrying(e) => {
                        error = Some(e);
                        mine.retrying += 1;
                        stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
            Ok::<_, StoreError>((mine, error))
        };
        let senders = futures::future::join_all((0..self.parallel).map(|_| sender())).await;
        // Claimed but not tried (a temporary failure stopped the round): free at once for
        // the next round, instead of after the lease.
        let left: Vec<i64> = claimed.into_inner().iter().map(|(_, r)| r.id).collect();
        if !left.is_empty() {
            store.release_claims(&left).await?;
        }
        for done in senders {
            let (mine, error) = done?;
            report.sent += mine.sent;
            report.failed += mine.failed;
            report.retrying += mine.retrying;
            if error.is_some() {
                *last_error = error;
            }
        }
        Ok(report)
    }

    /// Sends one claimed row and records the outcome: sent, retried later, or failed.
    async fn deliver_one(
        &self,
        store: &Store,
        mut row: OutboxRow,
    ) -> Result<Delivered, StoreError> {
        row.attachment = store.attachment(row.id).await?;
        let outcome = self.send_renewing(store, &row).await?;
        let now = self.now();
        match outcome {
            Ok(()) => {
                if !store.mark_sent(row.id, now).await? {
                    tracing::warn!(
                        outbox = row.id,
                        "the claim on this mail ran out while it was sent; another instance may send it again (same Message-ID)"
                    );
                }
                tracing::info!(
                    outbox = row.id,
                    kind = %row.kind,
                    to = %crate::logging::mask_address(&row.recipient),
                    "mail sent"
                );
                Ok(Delivered::Sent)
            }
            Err(SendError::Temporary(e)) => {
                let created = DateTime::parse_from_rfc3339(&row.created_at)
                    .map(|d| d.with_timezone(&Utc))
                    .unwrap_or(now);
                if now - created >= self.give_up {
                    self.fail(
                        store,
                        &row,
                        &format!("given up after {} hours: {e}", self.give_up.num_hours()),
                    )
                    .await?;
                    return Ok(Delivered::Failed);
                }
                let next = now + self.backoff(row.attempts);
                if !store.mark_retry(row.id, next, &e).await? {
                    tracing::warn!(
                        outbox = row.id,
                        "the claim on this mail was taken over while it was tried"
                    );
                }
                tracing::warn!(
                    outbox = row.id,
                    kind = %row.kind,
                    error = %e,
                    retry_at = %crate::store::timestamp(next),
                    "sending failed; will retry"
                );
                Ok(Delivered::Retrying(e))
            }
            Err(SendError::Permanent(e)) => {
                self.fail(store, &row, &e).await?;
                Ok(Delivered::Failed)
            }
        }
    }

    /// Sends one claimed row, renewing the claim until the server has answered.
    async fn send_renewing(
        &self,
        store: &Store,
        row: &OutboxRow,
    ) -> Result<Result<(), SendError>, StoreError> {
        let send = self.send(row);
        tokio::pin!(send);
        let mut renew = tokio::time::interval(self.claim_renew);
        renew.tick().await;
        loop {
            tokio::select! {
                outcome = &mut send => return Ok(outcome),
                _ = renew.tick() => {
                    let until = self.now() + self.claim_lease;
                    if !store.renew_claim(row.id, until).await? {
                        tracing::warn!(outbox = row.id, "lost the claim on a mail while sending it");
                    }
                }
            }
        }
    }

    /// A mail that will never arrive: marked failed, noted in its case, and (unless it was
    /// itself to directie) directie is told.
    async fn fail(&self, store: &Store, row: &OutboxRow, error: &str) -> Result<(), StoreError> {
        tracing::error!(
            outbox = row.id,
            kind = %row.kind,
            to = %crate::logging::mask_address(&row.recipient),
            error = %error,
            "mail cannot be delivered; not retried"
        );
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
        tx.mark_failed(row.id, error).await?;
        let case = match row.case_id {
            Some(id) => tx.case_by_id(id).await?,
            None => None,
        };
        if let Some(case) = &case {
            tx.event(
                case.id,
                "klachtenbus",
                "niet_bezorgd",
                &format!("{} aan {}: {error}", row.kind, row.recipient),
                None,
                Some(row.id),
            )
            .await?;
        }
        let to_directie = self
            .directie
            .iter()
            .any(|d| crate::detect::screen::base_address(&row.recipient) == *d);
        if !to_directie {
            let case_ref = case
                .as_ref()
                .map(|c| c.case_ref.to_string())
                .unwrap_or_else(|| "-".into());
            let mut ctx = Context::new();
            ctx.insert("case_ref", &case_ref);
            ctx.insert("kind", &row.kind);
            ctx.insert("recipient", &row.recipient);
            ctx.insert("subject", &row.subject);
            ctx.insert("error", error);
            match self
                .letters
                .render(Template::Bezorgfout, Language::Nl, &ctx)
            {
                Ok(body) => {
                    for d in &self.directie {
                        tx.enqueue(&NewMail {
                            case_id: row.case_id,
                            ..NewMail::notice(
                                Template::Bezorgfout.name(),
                                format!("bezorgfout:{}:{d}", row.id),
                                d,
                                format!("[{case_ref}] Niet bezorgd: {}", row.kind),
                                body.clone(),
                                tx.now(),
                            )
                        })
                        .await?;
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot render the delivery-failure notice"),
            }
        }
        tx.commit().await
    }
}

/// An SMTP answer that refuses the login (530/535), not the mail.
fn is_auth_refusal(e: &lettre::transport::smtp::Error) -> bool {
    e.status()
        .is_some_and(|code| matches!(code.to_string().as_str(), "530" | "534" | "535"))
}

fn raw(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(
        HeaderName::new_from_ascii_str(name),
        header_safe(value, 100),
    )
}
