//! The steps after intake, run on what the register holds: every stored message that has
//! not been routed yet is screened, classified and routed, in one transaction each:
//! - directie's replies are authenticated (address + per-case token, and optionally
//!   `Authentication-Results`) and their commands applied to the case;
//! - automatic mail (auto-replies, bounces, lists, no-reply, own mail) stops here;
//! - a customer's follow-up joins its case;
//! - a mail that looks like a complaint opens a case and notifies directie.
//!
//! The routing row, the case change, its events and the mail it causes are committed
//! together, so a crash at any point repeats nothing a person would notice.

mod failed;
mod inventory;
mod reminders;

pub use inventory::inventory;

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tera::Context;

use crate::authority;
use crate::calendar::{dutch_date, english_date, local_date, Calendar};
use crate::case::command::{parse_reply, Command};
use crate::case::token::{has_token_shape, plus_address, TokenKey};
use crate::case::CaseRef;
use crate::config::{DeadlineSettings, DirectieSettings, OrganisationSettings};
use crate::detect::newtext::new_text;
use crate::detect::screen::{automatic, base_address, refuses_mail};
use crate::detect::{Detector, Language, ScreenContext, ScreenReason, Verdict};
use crate::domain::effect::{Effect, LetterKind};
use crate::form::Form;
use crate::letters::{header_safe, Body, Letters, Template};
use crate::logging::mask_address;
use crate::parse::ParsedMail;
use crate::route::reply::{self, first_chars};
use crate::store::{CaseRow, FailureKind, NewCase, NewMail, Store, Tx};
use tokio_util::sync::CancellationToken;

pub use reminders::{Deadline, Moment, ReminderReport};

/// What one routing round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RouteReport {
    pub classified: usize,
    pub flagged: usize,
    pub screened: usize,
    pub cases_opened: usize,
    pub follow_ups: usize,
    pub replies_applied: usize,
    pub replies_refused: usize,
    /// Messages whose routing failed in this round (recorded, retried later).
    pub failed: usize,
    /// The round stopped early because shutdown was requested.
    pub interrupted: bool,
}

/// Everything routing needs, built once from the settings.
pub struct Pipeline {
    pub detector: Detector,
    pub screen: ScreenContext,
    pub directie: DirectieSettings,
    key: TokenKey,
    /// `smtp.from`: the service's own address.
    pub from: String,
    id_domain: String,
    pub org: OrganisationSettings,
    pub calendar: Calendar,
    pub deadlines: DeadlineSettings,
    pub max_auto_mails_per_day: u32,
    pub letters: Arc<Letters>,
    /// `staff.addresses`: who may mail a Klachtenformulier.
    pub staff: Vec<String>,
    /// `[report]`: the scheduled half-yearly inventory.
    pub report: crate::config::ReportSettings,
}

/// Refusal notices to one directie address per day. They go only to configured directie
/// addresses (never to the sender of a forged mail elsewhere), one per refused mail, so
/// a spoofer cannot amplify; the cap only stops a flood of spoofed mail from burying
/// directie's inbox. Higher than the customer limit: directie may mistype a few times.
const REFUSAL_NOTICES_PER_DAY: i64 = 20;

/// Without a position after this many weeks, the complainant may go to Kifid.
pub const KIFID_WEEKS: i64 = 8;

/// Mail text shown to directie and quoted in letters is bounded.
const SUMMARY_CHARS: usize = 4000;

/// A mail about a case to every directie address (see `each_directie_address`).
struct DirectieMail {
    kind: Template,
    /// Dedup key prefix; the address is appended.
    dedup: String,
    subject: String,
    /// The customer address it concerns (for the daily limits).
    about: Option<String>,
    /// In-Reply-To and References.
    thread: (Option<String>, Vec<String>),
    /// How the timeline names it ("melding", "vervolgmelding").
    what: &'static str,
}

/// What a letter to the complainant carries besides the case.
#[derive(Debug, Clone, Copy)]
enum Letter<'a> {
    Plain,
    Position(&'a str),
    Extension { previous: &'a str, reason: &'a str },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor<'a> {
    System,
    Directie(&'a str),
    /// The employee (staff address, or `intake`) who recorded a Klachtenformulier.
    Staff(&'a str),
    Cli,
    /// Directie, promoting a doubtful mail from the digest (`KLACHT <nummer>`).
    DoubtPromotion(&'a str),
}

impl Actor<'_> {
    fn name(&self) -> String {
        match self {
            Actor::System => "klachtenbus".into(),
            Actor::Directie(a) | Actor::Staff(a) | Actor::DoubtPromotion(a) => a.to_string(),
            Actor::Cli => "cli".into(),
        }
    }

    /// How the case came about, when it is worth saying in the notification.
    fn origin(&self) -> Option<String> {
        match self {
            Actor::DoubtPromotion(a) => Some(format!(
                "uit de twijfelgevallen van het overzicht gehaald door {a} (de score lag onder de drempel)"
            )),
            _ => None,
        }
    }
}

impl Pipeline {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        detector: Detector,
        screen: ScreenContext,
        directie: DirectieSettings,
        from: String,
        org: OrganisationSettings,
        deadlines: DeadlineSettings,
        max_auto_mails_per_day: u32,
        letters: Arc<Letters>,
    ) -> Pipeline {
        let id_domain = from
            .split_once('@')
            .map(|(_, d)| d.to_string())
            .unwrap_or_default();
        Pipeline {
            detector,
            screen,
            key: TokenKey::new(directie.reply_secret.clone()),
            directie,
            from,
            id_domain,
            org,
            calendar: deadlines.calendar(),
            deadlines,
            max_auto_mails_per_day,
            letters,
            staff: Vec::new(),
            report: crate::config::ReportSettings {
                schedule: false,
                time: chrono::NaiveTime::MIN,
            },
        }
    }

    /// Who may mail a Klachtenformulier (`staff.addresses`).
    pub fn with_staff(mut self, staff: Vec<String>) -> Pipeline {
        self.staff = staff.into_iter().map(|a| base_address(&a)).collect();
        self
    }

    /// The scheduled half-yearly report (`[report]`).
    pub fn with_report(mut self, report: crate::config::ReportSettings) -> Pipeline {
        self.report = report;
        self
    }

    pub fn id_domain(&self) -> &str {
        &self.id_domain
    }

    /// Routes every stored message that has not been routed yet.
    pub async fn route_new(&self, store: &Store) -> anyhow::Result<RouteReport> {
        self.route_until(store, &CancellationToken::new()).await
    }

    /// Routes stored messages until none is left or `cancel` fires (checked between
    /// messages). A message whose routing fails is recorded, retried later with backoff
    /// and reported to directie once; the messages behind it are routed all the same.
    /// Only a failure to record such a failure (the database itself) ends the pass.
    #[tracing::instrument(skip_all)]
    pub async fn route_until(
        &self,
        store: &Store,
        cancel: &CancellationToken,
    ) -> anyhow::Result<RouteReport> {
        let mut report = RouteReport::default();
        loop {
            let batch = store.unrouted(200).await?;
            if batch.is_empty() {
                return Ok(report);
            }
            let before = report;
            for (id, failed_before) in batch {
                if cancel.is_cancelled() {
                    report.interrupted = true;
                    return Ok(report);
                }
                match self.route_one(store, id, &mut report).await {
                    Ok(()) if failed_before => store.clear_failure(FailureKind::Route, id).await?,
                    Ok(()) => {}
                    Err(e) => {
                        report.failed += 1;
                        self.routing_failed(store, id, &e).await?;
                    }
                }
            }
            if report == before {
                // Every id was routed by someone else meanwhile; nothing more to do now.
                return Ok(report);
            }
        }
    }

    #[tracing::instrument(skip_all, fields(message = id))]
    async fn route_one(
        &self,
        store: &Store,
        id: i64,
        report: &mut RouteReport,
    ) -> anyhow::Result<()> {
        let Some(mut mail) = store.parsed(id).await? else {
            return Ok(());
        };
        // The website's contact form: sent by the firm's own server for a customer. It is
        // the customer's mail from here on — judged, opened and answered as theirs. (A
        // Klachtenformulier from staff names the customer too, but is staff's own route.)
        self.contact_form_as_customer(&mut mail);
        let received = store.received_at(id).await?.unwrap_or_else(|| store.now());
        // Compared as authority compares it: case, +tag, trailing dot and IDNA folded.
        let from = mail
            .from
            .as_ref()
            .map(|a| {
                authority::normalize_address(&a.address).unwrap_or_else(|| base_address(&a.address))
            })
            .unwrap_or_default();
        let listed = |list: &[String]| {
            !from.is_empty()
                && list
                    .iter()
                    .any(|a| authority::normalize_address(a).as_deref() == Some(from.as_str()))
        };
        let verdict = self.classify_within_budget(id, &mail);
        report.classified += 1;
        if is_form(&mail) {
            if listed(&self.staff) {
                return self
                    .form_mail(store, id, &mail, &verdict, &from, report)
                    .await;
            }
            tracing::warn!(from = %mask_address(&from), "a Klachtenformulier from an address not in staff.addresses: treated as ordinary mail");
        }
        if listed(&self.directie.addresses) {
            return self
                .directie_mail(store, id, &mail, &verdict, &from, report)
                .await;
        }
        if let Some(reason) = verdict.screened {
            if self
                .claim_automatic(store, id, "screened", reason, &verdict)
                .await?
            {
                report.screened += 1;
                tracing::debug!(reason = reason.as_str(), "screened");
            }
            return Ok(());
        }
        let mut tx = store.begin(&self.id_domain).await?;
        if self.carries_token(&mail) {
            // Somebody other than directie answering a notification: never a command,
            // and not a new complaint either.
            if tx
                .claim_route(
                    id,
                    "refused_reply",
                    None,
                    Some("not from a directie address"),
                )
                .await?
            {
                tx.save_verdict(id, &verdict).await?;
                tx.commit().await?;
                report.replies_refused += 1;
                tracing::warn!(from = %mask_address(&from), "reply to a notification from a sender who is not directie; ignored");
            }
            return Ok(());
        }
        let mut thread = mail.in_reply_to.clone();
        thread.extend(mail.references.iter().cloned());
        let mut case_id = tx.case_for_thread(&thread).await?;
        if case_id.is_none() {
            if let Some(r) = mail.subject.as_deref().and_then(CaseRef::find_in) {
                case_id = tx.case_by_ref(r).await?.map(|c| c.id);
            }
        }
        if let Some(case_id) = case_id {
            if !tx.claim_route(id, "follow_up", Some(case_id), None).await? {
                return Ok(());
            }
            tx.save_verdict(id, &verdict).await?;
            self.follow_up(&mut tx, case_id, id, &mail, &from).await?;
            tx.commit().await?;
            report.follow_ups += 1;
            return Ok(());
        }
        if verdict.complaint {
            report.flagged += 1;
            if !tx.claim_route(id, "case", None, None).await? {
                return Ok(());
            }
            tx.save_verdict(id, &verdict).await?;
            let case = self
                .open_case(&mut tx, id, &mail, &verdict, received, None, Actor::System)
                .await?;
            tx.commit().await?;
            report.cases_opened += 1;
            tracing::info!(case = %case, score = verdict.score, signals = verdict.signals.len(), "case opened");
            return Ok(());
        }
        // Not flagged: a doubtful mail is listed for directie in the next digest.
        let route = if verdict.doubt { "doubt" } else { "message" };
        if tx.claim_route(id, route, None, None).await? {
            tx.save_verdict(id, &verdict).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// A contact-form mail becomes the customer's: its From is the customer named in it.
    fn contact_form_as_customer(&self, mail: &mut ParsedMail) {
        let contact_form = (!is_form(mail))
            .then(|| crate::detect::contact_form::customer(mail, &self.screen))
            .flatten();
        if let Some(customer) = contact_form {
            tracing::info!(customer = %mask_address(&customer.address), "contact-form mail: routed as the customer's");
            mail.from = Some(customer);
        }
    }

    /// Directie answered the digest with `KLACHT <nummer>` lines: each doubtful mail named
    /// (with the number listed to this directie address) becomes a `kandidaat`, all in one
    /// transaction; the notification says it came from the doubt band. Refused as a whole
    /// when a number does not verify or its mail is no longer doubtful.
    #[allow(clippy::too_many_arguments)]
    async fn promote_doubts(
        &self,
        store: &Store,
        id: i64,
        verdict: &Verdict,
        from: &str,
        subject: &str,
        commands: &[Command],
        report: &mut RouteReport,
    ) -> anyhow::Result<()> {
        let mut mails = Vec::new();
        for c in commands {
            let Command::Promote { message, token } = c else {
                continue;
            };
            let number = format!("{message}-{token}");
            if !self.key.verify_doubt(*message, token, from) {
                let reason = format!("nummer {number} staat niet in een overzicht aan uw adres");
                return self
                    .refuse(store, id, verdict, from, subject, &reason, report)
                    .await;
            }
            let mail = match store.parsed(*message).await? {
                Some(m) if store.is_doubt(*message).await? => m,
                _ => {
                    let reason = format!(
                        "bericht {number} staat niet (meer) bij de twijfelgevallen; misschien is het al een zaak"
                    );
                    return self
                        .refuse(store, id, verdict, from, subject, &reason, report)
                        .await;
                }
            };
            mails.push((*message, mail));
        }
        let mut tx = store.begin(&self.id_domain).await?;
        let numbers: Vec<String> = mails.iter().map(|(m, _)| m.to_string()).collect();
        if !tx
            .claim_route(
                id,
                "directie_reply",
                None,
                Some(&format!("twijfelgevallen: {}", numbers.join(", "))),
            )
            .await?
        {
            return Ok(());
        }
        tx.save_verdict(id, verdict).await?;
        for (message, mut mail) in mails {
            if store.case_of_message(message).await?.is_some() {
                continue;
            }
            self.contact_form_as_customer(&mut mail);
            let judged = self.detector.classify(&mail, &self.screen);
            let received = store
                .received_at(message)
                .await?
                .unwrap_or_else(|| store.now());
            let case = self
                .open_case(
                    &mut tx,
                    message,
                    &mail,
                    &judged,
                    received,
                    None,
                    Actor::DoubtPromotion(from),
                )
                .await?;
            report.cases_opened += 1;
            tracing::info!(case = %case, message, "doubtful mail promoted by directie");
        }
        tx.commit().await?;
        report.replies_applied += 1;
        Ok(())
    }

    /// Turns a stored message into a `kandidaat` on request (`promote`).
    pub async fn promote(&self, store: &Store, id: i64) -> anyhow::Result<CaseRef> {
        if let Some(r) = store.case_of_message(id).await? {
            anyhow::bail!("message {id} already belongs to case {r}");
        }
        let mail = store
            .parsed(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no stored message {id}"))?;
        let received = store.received_at(id).await?.unwrap_or_else(|| store.now());
        let verdict = self.detector.classify(&mail, &self.screen);
        let mut tx = store.begin(&self.id_domain).await?;
        // A message not routed yet is routed by this promotion.
        tx.claim_route(id, "case", None, Some("promoted")).await?;
        tx.save_verdict(id, &verdict).await?;
        let screened = verdict.screened.map(|r| r.as_str().to_string());
        let case = self
            .open_case(&mut tx, id, &mail, &verdict, received, screened, Actor::Cli)
            .await?;
        tx.commit().await?;
        Ok(case)
    }

    fn carries_token(&self, mail: &ParsedMail) -> bool {
        token_candidates(mail).any(has_token_shape)
    }

    #[allow(clippy::too_many_arguments)]
    async fn open_case(
        &self,
        tx: &mut Tx,
        id: i64,
        mail: &ParsedMail,
        verdict: &Verdict,
        received: DateTime<Utc>,
        screened: Option<String>,
        actor: Actor<'_>,
    ) -> anyhow::Result<CaseRef> {
        let (confirm_by, position_by, kifid_from) = self.deadlines_for(received)?;
        let summary = summary_of(mail);
        let new = NewCase {
            channel: "email",
            message_pk: Some(id),
            complainant_addr: mail.from.as_ref().map(|a| a.address.to_ascii_lowercase()),
            complainant_name: mail.from.as_ref().and_then(|a| a.name.clone()),
            subject: mail.subject.clone(),
            language: verdict.language.as_str().to_string(),
            summary,
            screened,
            received_at: received,
            postal: None,
            phone: None,
            taken_by: None,
            employee: None,
            confirm_by,
            position_by,
            kifid_from,
        };
        let (case_id, case_ref) = tx.open_case(&new).await?;
        let why = if verdict.signals.is_empty() {
            format!("door {} als klacht aangemerkt", actor.name())
        } else {
            format!(
                "score {} (drempel {}): {}",
                verdict.score,
                verdict.threshold,
                verdict
                    .signals
                    .iter()
                    .map(|s| format!("{} \"{}\"", s.criterion, s.phrase))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        tx.event(case_id, &actor.name(), "geopend", &why, Some(id), None)
            .await?;
        let case = reload(tx, case_id).await?;
        let sender = match mail.from.as_ref() {
            Some(a) => match &a.name {
                Some(n) => format!("{n} <{}>", a.address),
                None => a.address.clone(),
            },
            None => "(onbekend)".into(),
        };
        self.notify_directie(tx, &case, &sender, verdict, &actor, None)
            .await?;
        Ok(case_ref)
    }

    /// A Klachtenformulier (mailed by staff, or from `intake`) as a `kandidaat` dated at
    /// its receipt date; directie is notified as for any other case. `id` is the stored
    /// message holding the form; `attachments` are the names of its attachments.
    pub async fn open_form(
        &self,
        tx: &mut Tx,
        id: i64,
        form: &Form,
        attachments: &[String],
        taken_via: &str,
    ) -> anyhow::Result<CaseRef> {
        let received = form.received_utc();
        let (confirm_by, position_by, kifid_from) = self.deadlines_for(received)?;
        let verdict = self.detector.judge(None, &form.complaint);
        let new = NewCase {
            channel: form.channel.as_str(),
            message_pk: Some(id),
            complainant_addr: form.email.clone(),
            complainant_name: Some(form.name.clone()),
            subject: Some(format!("Klachtenformulier ({})", form.channel.as_str())),
            language: verdict.language.as_str().to_string(),
            summary: first_chars(&form.complaint, SUMMARY_CHARS),
            screened: None,
            received_at: received,
            postal: form.address.clone(),
            phone: form.phone.clone(),
            taken_by: Some(form.taken_by.clone()),
            employee: form.employee.clone(),
            confirm_by,
            position_by,
            kifid_from,
        };
        let (case_id, case_ref) = tx.open_case(&new).await?;
        tx.event(
            case_id,
            taken_via,
            "geopend",
            &format!(
                "Klachtenformulier ({}), opgenomen door {}",
                form.channel.as_str(),
                form.taken_by
            ),
            Some(id),
            None,
        )
        .await?;
        let case = reload(tx, case_id).await?;
        let sender = match &form.email {
            Some(e) => format!("{} <{e}>", form.name),
            None => form.name.clone(),
        };
        let details = serde_json::json!({
            "channel": form.channel.as_str(),
            "taken_by": form.taken_by,
            "name": form.name,
            "address": form.address,
            "email": form.email,
            "phone": form.phone,
            "employee": form.employee,
            "attachments": attachments.join(", "),
        });
        self.notify_directie(
            tx,
            &case,
            &sender,
            &verdict,
            &Actor::Staff(taken_via),
            Some(details),
        )
        .await?;
        Ok(case_ref)
    }

    /// Files an automatic mail (screened, or an auto-reply from a staff or directie
    /// address) under `route` with its verdict, in a transaction of its own; whether this
    /// call filed it (another instance may have been first).
    async fn claim_automatic(
        &self,
        store: &Store,
        id: i64,
        route: &str,
        reason: ScreenReason,
        verdict: &Verdict,
    ) -> anyhow::Result<bool> {
        let mut tx = store.begin(&self.id_domain).await?;
        let claimed = tx
            .claim_route(id, route, None, Some(reason.as_str()))
            .await?;
        if claimed {
            tx.save_verdict(id, verdict).await?;
            tx.commit().await?;
        }
        Ok(claimed)
    }

    /// A mail from a staff address whose subject starts with "Klachtenformulier".
    async fn form_mail(
        &self,
        store: &Store,
        id: i64,
        mail: &ParsedMail,
        verdict: &Verdict,
        from: &str,
        report: &mut RouteReport,
    ) -> anyhow::Result<()> {
        if let Some(reason) = automatic(mail) {
            if self
                .claim_automatic(store, id, "screened", reason, verdict)
                .await?
            {
                report.screened += 1;
            }
            return Ok(());
        }
        let mut tx = store.begin(&self.id_domain).await?;
        let now = tx
            .now()
            .with_timezone(&chrono_tz::Europe::Amsterdam)
            .naive_local();
        let parsed = match authority::prove(
            mail,
            &self.staff,
            self.directie.trusted_authserv_id.as_deref(),
        ) {
            Err(why) => Err(vec![why.to_string()]),
            Ok(_) => Form::parse(mail.body_text.as_deref().unwrap_or(""), now).map_err(|e| e.0),
        };
        let form = match parsed {
            Ok(f) => f,
            Err(problems) => {
                let detail = problems.join("; ");
                if !tx
                    .claim_route(id, "formulier_geweigerd", None, Some(&detail))
                    .await?
                {
                    return Ok(());
                }
                tx.save_verdict(id, verdict).await?;
                tracing::warn!(from = %mask_address(from), problems = %detail, "Klachtenformulier not accepted");
                let recent = tx
                    .mails_to_since(
                        from,
                        tx.now() - Duration::hours(24),
                        Some(Template::FormulierOnvolledig.name()),
                    )
                    .await?;
                if recent < REFUSAL_NOTICES_PER_DAY {
                    let subject = mail.subject.clone().unwrap_or_default();
                    let mut ctx = Context::new();
                    ctx.insert("subject", &subject);
                    ctx.insert("problems", &problems);
                    let body =
                        self.letters
                            .render(Template::FormulierOnvolledig, Language::Nl, &ctx)?;
                    let (in_reply_to, references) = tx.thread_of(id).await?;
                    let mut references = references;
                    if let Some(m) = &in_reply_to {
                        references.push(m.clone());
                    }
                    tx.enqueue(&NewMail {
                        in_reply_to,
                        references,
                        auto_submitted: "auto-replied",
                        ..NewMail::notice(
                            Template::FormulierOnvolledig.name(),
                            format!("formulier_onvolledig:{id}"),
                            from,
                            format!(
                                "Klachtenformulier niet verwerkt: {}",
                                header_safe(&subject, 150)
                            ),
                            body,
                            tx.now(),
                        )
                    })
                    .await?;
                }
                tx.commit().await?;
                report.replies_refused += 1;
                return Ok(());
            }
        };
        if !tx.claim_route(id, "formulier", None, None).await? {
            return Ok(());
        }
        tx.save_verdict(id, verdict).await?;
        let attachments: Vec<String> = mail
            .attachments
            .iter()
            .map(|a| a.name.clone().unwrap_or_else(|| a.content_type.clone()))
            .collect();
        let case = self
            .open_form(&mut tx, id, &form, &attachments, from)
            .await?;
        tx.commit().await?;
        report.cases_opened += 1;
        tracing::info!(case = %case, channel = form.channel.as_str(), "case opened from a Klachtenformulier");
        Ok(())
    }

    /// `confirm_by`, `position_by` and the Kifid 8-week mark for a case that arrived at
    /// `arrival`, counted on the local (Europe/Amsterdam) date.
    pub fn deadlines_for(
        &self,
        arrival: DateTime<Utc>,
    ) -> anyhow::Result<(NaiveDate, NaiveDate, NaiveDate)> {
        let local = local_date(arrival);
        let confirm_by = self
            .calendar
            .add_working_days(local, self.deadlines.confirm_werkdagen)?;
        let position_by = self
            .calendar
            .add_days_to_working_day(local, self.deadlines.position_days)?;
        let kifid_from = local + Duration::weeks(KIFID_WEEKS);
        Ok((confirm_by, position_by, kifid_from))
    }

    fn org_context(&self, ctx: &mut Context) {
        ctx.insert("org", &self.org);
        let months = self.org.kifid_term_months;
        ctx.insert(
            "kifid",
            &serde_json::json!({
                "term": if months == 3 { "drie maanden".to_string() } else { format!("{months} maanden") },
                "term_en": if months == 3 { "three months".to_string() } else { format!("{months} months") },
            }),
        );
    }

    fn case_context(&self, case: &CaseRow, ctx: &mut Context) {
        let english = case.language == "en";
        let date = |s: &str| self.local_date_text(s, english);
        let received = DateTime::parse_from_rfc3339(&case.received_at)
            .map(|d| {
                let d = d.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
                if english {
                    english_date(d)
                } else {
                    dutch_date(d)
                }
            })
            .unwrap_or_else(|_| case.received_at.clone());
        // A name recorded with its title ("Mevrouw A. de Boer", "Dhr. Jansen") is used as is.
        let titled = |n: &str| {
            let n = n.to_lowercase();
            [
                "mevrouw ", "mevr.", "mw.", "dhr.", "de heer ", "heer ", "familie ", "fam.",
            ]
            .iter()
            .any(|t| n.starts_with(t))
        };
        let salutation = match (&case.complainant_name, english) {
            (Some(n), false) if titled(n) => n.clone(),
            (Some(n), false) => format!("heer/mevrouw {n}"),
            (None, false) => "heer/mevrouw".to_string(),
            (Some(n), true) => n.clone(),
            (None, true) => "Sir or Madam".to_string(),
        };
        ctx.insert(
            "case",
            &serde_json::json!({
                "ref": case.case_ref.to_string(),
                "status": case.status.as_str(),
                "subject": case.subject.clone().unwrap_or_default(),
                "salutation": salutation,
                "received": received,
                "confirm_by": date(&case.confirm_by),
                "position_by": date(&case.position_by),
                "kifid_from": case.kifid_from.as_deref().map(date).unwrap_or_default(),
                "summary": case.summary,
                "phone_note": matches!(case.channel.as_str(), "telefoon" | "mondeling" | "formulier"),
            }),
        );
    }

    fn language(case: &CaseRow) -> Language {
        if case.language == "en" {
            Language::En
        } else {
            Language::Nl
        }
    }

    fn render(
        &self,
        t: Template,
        case: &CaseRow,
        extra: impl FnOnce(&mut Context),
    ) -> anyhow::Result<Body> {
        let mut ctx = Context::new();
        self.org_context(&mut ctx);
        self.case_context(case, &mut ctx);
        extra(&mut ctx);
        Ok(self.letters.render(t, Self::language(case), &ctx)?)
    }

    fn ack_subject(case: &CaseRow) -> String {
        if case.language == "en" {
            format!("Acknowledgement of your complaint [{}]", case.case_ref)
        } else {
            format!("Ontvangstbevestiging van uw klacht [{}]", case.case_ref)
        }
    }

    /// The notification, one per directie address (each with its own reply token).
    async fn notify_directie(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        sender: &str,
        verdict: &Verdict,
        actor: &Actor<'_>,
        form: Option<serde_json::Value>,
    ) -> anyhow::Result<()> {
        let about = case.complainant_addr.clone();
        if let Some(addr) = &about {
            if !self.notice_allowed(tx, case, addr, case.message_pk).await? {
                return Ok(());
            }
        }
        let preview = self.render(Template::Bevestigingsbrief, case, |_| {})?;
        let signals: Vec<serde_json::Value> = verdict
            .signals
            .iter()
            .map(|s| {
                serde_json::json!({
                    "label": criterion_label(&s.criterion),
                    "phrase": s.phrase,
                    "weight": s.weight,
                })
            })
            .collect();
        let subject = format!(
            "[{}] Mogelijke klacht: {}",
            case.case_ref,
            header_safe(case.subject.as_deref().unwrap_or("(geen onderwerp)"), 150)
        );
        let thread = self.thread_refs(tx, case).await?;
        let to_each = DirectieMail {
            kind: Template::Notificatie,
            dedup: format!("notificatie:{}", case.id),
            subject,
            about,
            thread,
            what: "melding",
        };
        self.each_directie_address(tx, case, to_each, |d| {
            self.render(Template::Notificatie, case, |ctx| {
                ctx.insert("sender", sender);
                ctx.insert("form", &form);
                ctx.insert("score", &verdict.score);
                ctx.insert("threshold", &verdict.threshold);
                ctx.insert("signals", &signals);
                ctx.insert("opened_by", &actor.name());
                ctx.insert("origin", &actor.origin());
                ctx.insert("new_text", &case.summary);
                ctx.insert("preview", &preview.text);
                ctx.insert("preview_subject", &Self::ack_subject(case));
                ctx.insert(
                    "forward_address",
                    &plus_address(&self.from, &self.key.forward_token(d)),
                );
            })
        })
        .await
    }

    /// Queues `mail` about `case` to every directie address, each with its own reply token
    /// (the Reply-To plus-address and the Message-ID carry it, so an answer is authenticated
    /// as that address's), once per dedup key and address, and notes each in the timeline
    /// (`melding_directie`, "<what> aan <address>"). `body` renders the mail for an address.
    async fn each_directie_address(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        mail: DirectieMail,
        body: impl Fn(&str) -> anyhow::Result<Body>,
    ) -> anyhow::Result<()> {
        let (in_reply_to, references) = mail.thread;
        for d in &self.directie.addresses {
            let token = self.key.token(case.case_ref, d);
            let queued = tx
                .enqueue(&NewMail {
                    case_id: Some(case.id),
                    about_addr: mail.about.clone(),
                    reply_to: Some(plus_address(&self.from, &token)),
                    in_reply_to: in_reply_to.clone(),
                    references: references.clone(),
                    id_token: Some(token),
                    ..NewMail::notice(
                        mail.kind.name(),
                        format!("{}:{d}", mail.dedup),
                        d,
                        mail.subject.clone(),
                        body(d)?,
                        tx.now(),
                    )
                })
                .await?;
            if let Some((outbox, _)) = queued {
                tx.event(
                    case.id,
                    "klachtenbus",
                    "melding_directie",
                    &format!("{} aan {d}", mail.what),
                    None,
                    Some(outbox),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Whether directie may get one more notice about mail from `sender` today
    /// (`limits.max_auto_mails_per_address_per_day`); when not, the case's timeline says so.
    async fn notice_allowed(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        sender: &str,
        message_pk: Option<i64>,
    ) -> anyhow::Result<bool> {
        let sent = tx
            .notices_about_since(sender, tx.now() - Duration::hours(24))
            .await?;
        if sent < i64::from(self.max_auto_mails_per_day) {
            return Ok(true);
        }
        tx.event(
            case.id,
            "klachtenbus",
            "melding_onderdrukt",
            &format!(
                "al {sent} meldingen over deze afzender in 24 uur (limits.max_auto_mails_per_address_per_day)"
            ),
            message_pk,
            None,
        )
        .await?;
        tracing::warn!(case = %case.case_ref, from = %mask_address(sender), "notice to directie suppressed: daily limit for this sender");
        Ok(false)
    }

    /// In-Reply-To and References for mail about a case: the customer's message.
    async fn thread_refs(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
    ) -> anyhow::Result<(Option<String>, Vec<String>)> {
        // A Klachtenformulier is the firm's own record, not the complainant's mail.
        let Some(pk) = case.message_pk.filter(|_| case.channel == "email") else {
            return Ok((None, Vec::new()));
        };
        let (id, mut refs) = tx.thread_of(pk).await?;
        if let Some(id) = &id {
            refs.push(id.clone());
        }
        Ok((id, refs))
    }

    async fn follow_up(
        &self,
        tx: &mut Tx,
        case_id: i64,
        id: i64,
        mail: &ParsedMail,
        from: &str,
    ) -> anyhow::Result<()> {
        tx.link_message(id, case_id, "follow_up").await?;
        tx.event(
            case_id,
            from,
            "vervolgbericht",
            &format!(
                "bericht van {from}: {}",
                mail.subject.as_deref().unwrap_or("(geen onderwerp)")
            ),
            Some(id),
            None,
        )
        .await?;
        let case = reload(tx, case_id).await?;
        tracing::info!(case = %case.case_ref, "follow-up joined its case");
        if !self.notice_allowed(tx, &case, from, Some(id)).await? {
            return Ok(());
        }
        let text = summary_of(mail);
        let sender = mail
            .from
            .as_ref()
            .map(|a| a.address.clone())
            .unwrap_or_default();
        let subject_line = mail.subject.clone().unwrap_or_default();
        let body = self.render(Template::Vervolgbericht, &case, |ctx| {
            ctx.insert("sender", &sender);
            ctx.insert("subject", &subject_line);
            ctx.insert("new_text", &text);
        })?;
        let to_each = DirectieMail {
            kind: Template::Vervolgbericht,
            dedup: format!("vervolg:{id}"),
            subject: format!(
                "[{}] Nieuw bericht: {}",
                case.case_ref,
                header_safe(&subject_line, 150)
            ),
            about: Some(from.to_string()),
            thread: (
                mail.message_id.clone(),
                mail.message_id.iter().cloned().collect(),
            ),
            what: "vervolgmelding",
        };
        self.each_directie_address(tx, &case, to_each, |_| Ok(body.clone()))
            .await
    }

    /// A mail from a directie address: an authenticated command, or refused.
    async fn directie_mail(
        &self,
        store: &Store,
        id: i64,
        mail: &ParsedMail,
        verdict: &Verdict,
        from: &str,
        report: &mut RouteReport,
    ) -> anyhow::Result<()> {
        if let Some(reason) = automatic(mail) {
            self.claim_automatic(store, id, "directie_automatic", reason, verdict)
                .await?;
            tracing::info!(
                reason = reason.as_str(),
                "automatic mail from a directie address ignored"
            );
            return Ok(());
        }
        let subject = mail.subject.clone().unwrap_or_default();
        // One author, a Sender that is trusted too, and — with a trusted receiving server —
        // an authentication pass aligned with the author's domain; else nothing is done.
        if let Err(why) = authority::prove(
            mail,
            &self.directie.addresses,
            self.directie.trusted_authserv_id.as_deref(),
        ) {
            return self
                .refuse(store, id, verdict, from, &subject, &why.to_string(), report)
                .await;
        }
        let body = mail.body_text.as_deref().unwrap_or("");
        let text = new_text(body);
        let commands = parse_reply(&text);
        if let Ok(list) = &commands {
            if list.iter().all(|c| matches!(c, Command::Promote { .. })) {
                return self
                    .promote_doubts(store, id, verdict, from, &subject, list, report)
                    .await;
            }
        }
        let verified = self.key.verify(token_candidates(mail), from);

        let Some(case_ref) = verified else {
            if matches!(commands.as_deref(), Ok([Command::Confirm, ..])) {
                if let Some(fwd) = forwarded(mail) {
                    // A forward opens a case naming a third party: it needs the same proof
                    // as a reply — the trusted server's aligned pass (checked above), or
                    // this directie address's own forwarding token.
                    if self.directie.trusted_authserv_id.is_some()
                        || self.key.verify_forward(token_candidates(mail), from)
                    {
                        return self
                            .promote_forward(store, id, mail, verdict, from, fwd, report)
                            .await;
                    }
                    let reason = format!(
                        "een doorgestuurde mail met KLACHT wordt alleen uitgevoerd als u hem naar uw eigen doorstuuradres stuurt: {}",
                        plus_address(&self.from, &self.key.forward_token(from))
                    );
                    return self
                        .refuse(store, id, verdict, from, &subject, &reason, report)
                        .await;
                }
            }
            let reason = if self.carries_token(mail) {
                "het kenmerk in uw antwoord hoort niet bij uw adres (of is gewijzigd)"
            } else {
                "uw antwoord bevat geen kenmerk van klachtenbus; beantwoord de melding zelf, zodat het antwoordadres klachten+kl-… blijft staan"
            };
            return self
                .refuse(store, id, verdict, from, &subject, reason, report)
                .await;
        };
        if let Some(other) = CaseRef::find_in(&subject).filter(|s| *s != case_ref) {
            let reason =
                format!("het onderwerp noemt {other}, maar het antwoordadres hoort bij {case_ref}");
            return self
                .refuse(store, id, verdict, from, &subject, &reason, report)
                .await;
        }
        let commands = match commands {
            Ok(c) => c,
            Err(e) => {
                let reason = format!("{e} (zaak {case_ref})");
                return self
                    .refuse(store, id, verdict, from, &subject, &reason, report)
                    .await;
            }
        };
        let mut tx = store.begin(&self.id_domain).await?;
        let Some(case) = tx.case_for_decision(case_ref).await? else {
            drop(tx);
            let reason = format!("zaak {case_ref} bestaat niet (meer)");
            return self
                .refuse(store, id, verdict, from, &subject, &reason, report)
                .await;
        };
        if !tx
            .claim_route(id, "directie_reply", Some(case.id), None)
            .await?
        {
            return Ok(());
        }
        tx.save_verdict(id, verdict).await?;
        match self
            .apply(&mut tx, &case, &commands, id, from, mail.date)
            .await?
        {
            Ok(()) => {
                tx.commit().await?;
                report.replies_applied += 1;
                Ok(())
            }
            Err(reason) => {
                drop(tx);
                self.refuse(store, id, verdict, from, &subject, &reason, report)
                    .await
            }
        }
    }

    /// Carries out directie's commands on a case: the decider judges them against the case
    /// ([`reply::decide`]), then their effects are written here in order. `Ok(Err(reason))`
    /// when the reply is refused (the caller rolls back and tells directie why). `written`
    /// is the reply's Date header.
    async fn apply(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        commands: &[Command],
        id: i64,
        from: &str,
        written: Option<DateTime<Utc>>,
    ) -> anyhow::Result<Result<(), String>> {
        tx.link_message(id, case.id, "directie").await?;
        let rejection = match tx.last_event(case.id, "geen_klacht").await? {
            Some((at, by)) => DateTime::parse_from_rfc3339(&at)
                .ok()
                .map(|at| reply::Rejection {
                    at: at.with_timezone(&Utc),
                    by,
                }),
            None => None,
        };
        let view = reply::CaseView {
            reference: case.case_ref,
            status: case.status,
            position_by: NaiveDate::parse_from_str(&case.position_by, "%Y-%m-%d")?,
            category: case.category.clone(),
        };
        let input = reply::Reply {
            commands,
            written,
            rejection,
            today: local_date(tx.now()),
        };
        let effects = match reply::decide(&view, &input, &self.calendar) {
            Ok(effects) => effects,
            Err(refusal) => return Ok(Err(refusal.to_string())),
        };
        let mut status = case.status;
        for effect in effects {
            match effect {
                Effect::SetStatus(n) => {
                    tx.set_status(case.id, n).await?;
                    status = n;
                }
                Effect::SetPositionBy(d) => tx.set_position_by(case.id, d).await?,
                Effect::SetCategory(c) => tx.set_category(case.id, c.as_str()).await?,
                Effect::SetEmployee(name) => tx.set_employee(case.id, &name).await?,
                Effect::SetOutcome(o) => tx.set_outcome(case.id, o).await?,
                Effect::AddMeasure { text, category } => {
                    tx.add_measure(&crate::store::NewMeasure {
                        taken_on: local_date(tx.now()),
                        owner: from.to_string(),
                        text,
                        case_id: Some(case.id),
                        category,
                    })
                    .await?;
                }
                Effect::Event { kind, detail } => {
                    tx.event(case.id, from, &kind, &detail, Some(id), None)
                        .await?
                }
                Effect::Letter(LetterKind::Acknowledgement) => {
                    self.letter_to_customer(tx, case, Template::Bevestigingsbrief, Letter::Plain)
                        .await?
                }
                Effect::Letter(LetterKind::Position(text)) => {
                    self.letter_to_customer(
                        tx,
                        case,
                        Template::Standpuntbrief,
                        Letter::Position(&text),
                    )
                    .await?
                }
                Effect::Letter(LetterKind::Extension { previous, reason }) => {
                    // The letter shows the new date: read the case again.
                    let now = reload(tx, case.id).await?;
                    self.letter_to_customer(
                        tx,
                        &now,
                        Template::Verlengingsbrief,
                        Letter::Extension {
                            previous: &previous.to_string(),
                            reason: &reason,
                        },
                    )
                    .await?
                }
            }
        }
        tracing::info!(case = %case.case_ref, command = commands[0].word(), status = status.as_str(), "directie reply applied");
        Ok(Ok(()))
    }

    /// A stored YYYY-MM-DD date as the letters write it.
    fn local_date_text(&self, date: &str, english: bool) -> String {
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map(|d| {
                if english {
                    english_date(d)
                } else {
                    dutch_date(d)
                }
            })
            .unwrap_or_else(|_| date.to_string())
    }

    /// Queues a letter to the complainant, unless the address must never get automatic
    /// mail; at most one of each kind per case; deferred past the daily limit.
    async fn letter_to_customer(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        template: Template,
        letter: Letter<'_>,
    ) -> anyhow::Result<()> {
        let recipient = match self.customer_address(case) {
            Ok(a) => a,
            Err(why) => {
                tx.event(
                    case.id,
                    "klachtenbus",
                    "brief_niet_verstuurd",
                    &format!("{}: {why}", template.name()),
                    None,
                    None,
                )
                .await?;
                tracing::warn!(case = %case.case_ref, reason = why, "letter not sent");
                return Ok(());
            }
        };
        let now = tx.now();
        let recent = tx
            .mails_to_since(&recipient, now - Duration::hours(24), None)
            .await?;
        let not_before = if recent >= i64::from(self.max_auto_mails_per_day) {
            tx.event(
                case.id,
                "klachtenbus",
                "brief_uitgesteld",
                &format!(
                    "{}: daglimiet voor {recipient} bereikt; verzending over 24 uur",
                    template.name()
                ),
                None,
                None,
            )
            .await?;
            now + Duration::hours(24)
        } else {
            now
        };
        let english = case.language == "en";
        let body = self.render(template, case, |ctx| match letter {
            Letter::Plain => {}
            Letter::Position(p) => ctx.insert("position", p),
            Letter::Extension { previous, reason } => {
                ctx.insert("previous", &self.local_date_text(previous, english));
                ctx.insert("reason", reason);
            }
        })?;
        let subject = match template {
            Template::Standpuntbrief if english => {
                format!("Our position on your complaint [{}]", case.case_ref)
            }
            Template::Standpuntbrief => format!("Ons standpunt over uw klacht [{}]", case.case_ref),
            Template::Verlengingsbrief if english => {
                format!(
                    "New date for our position on your complaint [{}]",
                    case.case_ref
                )
            }
            Template::Verlengingsbrief => {
                format!(
                    "Nieuwe termijn voor ons standpunt over uw klacht [{}]",
                    case.case_ref
                )
            }
            _ => Self::ack_subject(case),
        };
        // One acknowledgement and one position letter per case; one extension letter per
        // new date.
        let dedup_key = match letter {
            Letter::Extension { .. } => {
                format!("{}:{}:{}", template.name(), case.id, case.position_by)
            }
            _ => format!("{}:{}", template.name(), case.id),
        };
        let (in_reply_to, references) = self.thread_refs(tx, case).await?;
        let queued = tx
            .enqueue(&NewMail {
                case_id: Some(case.id),
                about_addr: Some(recipient.clone()),
                in_reply_to,
                references,
                auto_submitted: "auto-replied",
                id_token: Some(case.case_ref.to_string().to_ascii_lowercase()),
                ..NewMail::notice(
                    template.name(),
                    dedup_key,
                    &recipient,
                    subject,
                    body,
                    not_before,
                )
            })
            .await?;
        match queued {
            Some((outbox, _)) => {
                tx.event(
                    case.id,
                    "klachtenbus",
                    "brief_klaargezet",
                    template.name(),
                    None,
                    Some(outbox),
                )
                .await?
            }
            None => {
                tx.event(
                    case.id,
                    "klachtenbus",
                    "brief_al_verstuurd",
                    &format!("{} is al eerder klaargezet; niet nog eens", template.name()),
                    None,
                    None,
                )
                .await?
            }
        }
        Ok(())
    }

    /// The complainant's address, if automatic mail may go there.
    fn customer_address(&self, case: &CaseRow) -> Result<String, &'static str> {
        let Some(addr) = case.complainant_addr.as_deref() else {
            return Err("geen e-mailadres van de klager bekend");
        };
        if let Some(reason) = &case.screened {
            return Err(match reason.as_str() {
                "auto_reply" => "de bron was een automatisch antwoord",
                "bounce" => "de bron was een onbestelbaar-melding",
                "mailing_list" => "de bron was een nieuwsbrief of lijstmail",
                "no_reply" => "de bron was een no-reply-adres",
                _ => "de bron was eigen mail of mail van de directie",
            });
        }
        let base = base_address(addr);
        if self
            .screen
            .own_addresses
            .iter()
            .any(|o| base_address(o) == base)
            || self.directie.addresses.contains(&base)
        {
            return Err("het adres is van de firma zelf");
        }
        if refuses_mail(&base) {
            return Err("het adres neemt geen antwoord aan");
        }
        Ok(addr.to_string())
    }

    /// A directie mail that is not carried out: routed as refused, logged, and directie
    /// (the configured address it came from) is told why, within the daily limit.
    #[allow(clippy::too_many_arguments)]
    async fn refuse(
        &self,
        store: &Store,
        id: i64,
        verdict: &Verdict,
        from: &str,
        subject: &str,
        reason: &str,
        report: &mut RouteReport,
    ) -> anyhow::Result<()> {
        let mut tx = store.begin(&self.id_domain).await?;
        if !tx
            .claim_route(id, "directie_refused", None, Some(reason))
            .await?
        {
            return Ok(());
        }
        tx.save_verdict(id, verdict).await?;
        report.replies_refused += 1;
        // The reason can quote directie's own words (an unknown first line, a category):
        // it goes to directie and into the register, never into the log.
        tracing::warn!(from = %mask_address(from), message = id, "directie mail not carried out; directie is told why");
        let recent = tx
            .mails_to_since(
                from,
                tx.now() - Duration::hours(24),
                Some(Template::NietBegrepen.name()),
            )
            .await?;
        if recent < REFUSAL_NOTICES_PER_DAY {
            let mut ctx = Context::new();
            ctx.insert("subject", subject);
            ctx.insert("reason", reason);
            let body = self
                .letters
                .render(Template::NietBegrepen, Language::Nl, &ctx)?;
            tx.enqueue(&NewMail {
                auto_submitted: "auto-replied",
                ..NewMail::notice(
                    Template::NietBegrepen.name(),
                    format!("niet_begrepen:{id}"),
                    from,
                    format!("Antwoord niet uitgevoerd: {}", header_safe(subject, 150)),
                    body,
                    tx.now(),
                )
            })
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Directie forwarded a mail with `KLACHT` on top: the forwarded mail becomes a
    /// `kandidaat` (directie then confirms it from the notification, as for any case).
    #[allow(clippy::too_many_arguments)]
    async fn promote_forward(
        &self,
        store: &Store,
        id: i64,
        mail: &ParsedMail,
        verdict: &Verdict,
        from: &str,
        fwd: Forwarded,
        report: &mut RouteReport,
    ) -> anyhow::Result<()> {
        let mut tx = store.begin(&self.id_domain).await?;
        if !tx
            .claim_route(id, "case", None, Some("forwarded by directie"))
            .await?
        {
            return Ok(());
        }
        tx.save_verdict(id, verdict).await?;
        let mut original = mail.clone();
        original.from = fwd.from;
        original.subject = fwd.subject.or_else(|| mail.subject.clone());
        original.body_text = Some(fwd.text);
        original.in_reply_to.clear();
        original.references.clear();
        let judged = self.detector.judge(
            original.subject.as_deref(),
            original.body_text.as_deref().unwrap_or(""),
        );
        let received = store.received_at(id).await?.unwrap_or_else(|| store.now());
        let case = self
            .open_case(
                &mut tx,
                id,
                &original,
                &judged,
                received,
                None,
                Actor::Directie(from),
            )
            .await?;
        tx.commit().await?;
        report.cases_opened += 1;
        tracing::info!(case = %case, "case opened from a mail directie forwarded");
        Ok(())
    }
}

/// A case read again inside the transaction that changed it.
async fn reload(tx: &mut Tx, id: i64) -> anyhow::Result<CaseRow> {
    tx.case_by_id(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("case {id} vanished"))
}

/// A mail whose subject starts with "Klachtenformulier" (case-insensitive).
fn is_form(mail: &ParsedMail) -> bool {
    mail.subject.as_deref().is_some_and(|s| {
        s.trim_start()
            .get(..17)
            .is_some_and(|p| p.eq_ignore_ascii_case("klachtenformulier"))
    })
}

/// Where a reply can carry its token: the addresses it was sent to (the plus-address of
/// our Reply-To) and the Message-IDs it answers (our notification's).
fn token_candidates(mail: &ParsedMail) -> impl Iterator<Item = &str> {
    mail.to
        .iter()
        .chain(mail.cc.iter())
        .map(|a| a.address.as_str())
        .chain(["delivered-to", "x-original-to"].into_iter().flat_map(|h| {
            mail.headers
                .get(h)
                .into_iter()
                .flatten()
                .map(String::as_str)
        }))
        .chain(mail.in_reply_to.iter().map(String::as_str))
        .chain(mail.references.iter().map(String::as_str))
}

/// What a forward holds: the original sender, subject and text.
struct Forwarded {
    from: Option<crate::parse::MailAddress>,
    subject: Option<String>,
    text: String,
}

/// A forwarded mail inside directie's message: the block after a forward marker, with its
/// `Van:`/`From:` and `Onderwerp:`/`Subject:` lines.
fn forwarded(mail: &ParsedMail) -> Option<Forwarded> {
    let body = mail.body_text.as_deref()?;
    let lines: Vec<&str> = body.lines().collect();
    let start = lines.iter().position(|l| {
        let t = l.trim().to_lowercase();
        (t.starts_with("---") || t.starts_with("___") || t.starts_with("begin forwarded"))
            && (t.contains("doorgestuurd")
                || t.contains("forwarded")
                || t.contains("oorspronkelijk bericht")
                || t.contains("original message"))
    })?;
    let mut from = None;
    let mut subject = None;
    let mut i = start + 1;
    while i < lines.len() && i < start + 12 {
        let l = lines[i].trim();
        if l.is_empty() && (from.is_some() || subject.is_some()) {
            break;
        }
        if let Some((name, value)) = l.split_once(':') {
            let name = name.trim().to_lowercase();
            let value = value.trim();
            if name == "van" || name == "from" {
                from = parse_mailbox(value);
            } else if name == "onderwerp" || name == "subject" {
                subject = Some(crate::parse::clean(value, 500));
            }
        }
        i += 1;
    }
    let text = lines[i.min(lines.len())..].join("\n").trim().to_string();
    (from.is_some() && !text.is_empty()).then_some(Forwarded {
        from,
        subject,
        text,
    })
}

/// `Name <a@b>` or `a@b` from a forwarded header line.
fn parse_mailbox(value: &str) -> Option<crate::parse::MailAddress> {
    let (name, addr) = match (value.rfind('<'), value.rfind('>')) {
        (Some(s), Some(e)) if s < e => (
            Some(value[..s].trim().trim_matches('"').to_string()).filter(|n| !n.is_empty()),
            value[s + 1..e].trim(),
        ),
        _ => (None, value.trim()),
    };
    let addr = addr.trim_start_matches("mailto:");
    (addr.contains('@') && !addr.contains(char::is_whitespace)).then(|| crate::parse::MailAddress {
        name: name.map(|n| crate::parse::clean(&n, 200)),
        address: crate::parse::clean(&addr.to_ascii_lowercase(), 320),
    })
}

/// The new text of a mail, bounded, for directie and the letters.
fn summary_of(mail: &ParsedMail) -> String {
    let text = new_text(mail.body_text.as_deref().unwrap_or(""));
    let text = text.trim();
    let text = if text.is_empty() {
        mail.subject.as_deref().unwrap_or("")
    } else {
        text
    };
    first_chars(text, SUMMARY_CHARS)
}

fn criterion_label(criterion: &str) -> String {
    match criterion {
        "klachtwoord" => "1. het woord klacht of een synoniem".into(),
        "sterke_bewoording" => "2. sterke bewoording / duidelijk oneens".into(),
        "verwijt_handelen" => "3. verwijt over handelen of nalaten".into(),
        "verwijt_gedrag" => "4. verwijt over gedrag van een medewerker".into(),
        "typografie" => "nadruk (!!!, HOOFDLETTERS)".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn mail_with(headers: &[(&str, &str)], body: &str) -> ParsedMail {
        let mut h: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in headers {
            h.entry(k.to_string()).or_default().push(v.to_string());
        }
        let mut m = crate::parse::parse(b"From: a@b.nl\r\nSubject: x\r\n\r\nx");
        m.headers = h;
        m.body_text = Some(body.into());
        m
    }

    #[test]
    fn forwards_yield_the_original_sender_and_text() {
        let m = mail_with(
            &[],
            "KLACHT\n\n---------- Doorgestuurd bericht ---------\nVan: Piet Klant <Piet@Example.test>\nDatum: 24 nov 2026\nOnderwerp: Slecht advies\nAan: info@firma.nl\n\nIk ben heel ontevreden over het advies.\n",
        );
        let f = forwarded(&m).unwrap();
        assert_eq!(f.from.unwrap().address, "piet@example.test");
        assert_eq!(f.subject.as_deref(), Some("Slecht advies"));
        assert_eq!(f.text, "Ik ben heel ontevreden over het advies.");
        assert!(forwarded(&mail_with(&[], "KLACHT\n\ngeen doorgestuurd bericht")).is_none());
    }
}
