//! Reminders, escalations and the morning digest: the scheduler part of the pipeline.
//!
//! A case's *moments* follow from its deadlines and status alone: reminders at the
//! configured working days before each deadline that still runs (the acknowledgement
//! while the case is `kandidaat`, the position while it is `kandidaat` or
//! `in_behandeling`), and an escalation on every working day after a deadline has passed.
//! Each moment falls due at `deadlines.reminder_time` (Europe/Amsterdam).
//!
//! The case row keeps `reminded_through`, the latest moment already mailed. A pass mails
//! what fell due after that mark as **one** mail per case and moves the mark, in one
//! transaction with the outbox rows: nothing is mailed twice across restarts, and after
//! downtime a case gets one mail describing where it stands now, not a burst of stale ones.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use tera::Context;

use super::Pipeline;
use crate::calendar::{amsterdam, dutch_date, local_date};
use crate::case::Status;
use crate::letters::Template;
use crate::store::{timestamp, CaseRow, FailureKind, NewMail, Store};

mod text;
use text::*;

/// The two clocks of the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// `confirm_by`: the acknowledgement.
    Confirm,
    /// `position_by`: the reasoned position.
    Position,
}

impl Deadline {
    fn label(self) -> &'static str {
        match self {
            Deadline::Confirm => "ontvangstbevestiging",
            Deadline::Position => "gemotiveerd standpunt",
        }
    }
}

/// One moment at which directie hears about a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub at: DateTime<Utc>,
    pub deadline: Deadline,
    /// The working day it belongs to.
    pub day: NaiveDate,
    /// An escalation (the deadline has passed), not a reminder.
    pub overdue: bool,
}

/// What one scheduler pass queued.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReminderReport {
    /// Cases that got a reminder.
    pub reminders: usize,
    /// Cases that got an escalation.
    pub escalations: usize,
    /// Half-yearly inventory mails queued.
    pub reports: usize,
    /// Digest mails queued.
    pub digests: usize,
    /// Cases whose reminder could not be queued (recorded, retried later).
    pub failed: usize,
}

/// Open cases read at a time by the scheduler.
const CASE_PAGE: i64 = 200;

/// How far ahead `next_moment` looks; escalations come every working day, so an active
/// case always has a moment within it.
const LOOKAHEAD_DAYS: i64 = 21;

impl Pipeline {
    /// `day` at `time`, Amsterdam time (a time skipped by the clock change counts from the
    /// hour after).
    pub(super) fn at(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let local = day.and_time(time);
        amsterdam(local)
            .or_else(|| amsterdam(local + Duration::hours(1)))
            .unwrap_or_else(|| local.and_utc())
    }

    /// The deadlines of a case that still run, with their dates.
    pub fn running(&self, case: &CaseRow) -> Vec<(Deadline, NaiveDate)> {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut out = Vec::new();
        if case.status == Status::Kandidaat {
            if let Some(d) = date(&case.confirm_by) {
                out.push((Deadline::Confirm, d));
            }
        }
        if matches!(case.status, Status::Kandidaat | Status::InBehandeling) {
            if let Some(d) = date(&case.position_by) {
                out.push((Deadline::Position, d));
            }
        }
        out
    }

    /// The case's moments in (`after`, `until`], in time order.
    pub fn moments(
        &self,
        case: &CaseRow,
        after: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> Vec<Moment> {
        let time = self.deadlines.reminder_time;
        // Nothing before the case existed (a promoted old mail starts at its arrival).
        let arrived = DateTime::parse_from_rfc3339(&case.received_at)
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let in_range = |at: DateTime<Utc>| {
            after.is_none_or(|a| at > a) && at <= until && arrived.is_none_or(|r| at > r)
        };
        let mut out = Vec::new();
        for (deadline, due) in self.running(case) {
            let offsets = match deadline {
                Deadline::Confirm => &self.deadlines.confirm_reminders,
                Deadline::Position => &self.deadlines.position_reminders,
            };
            for &n in offsets {
                if let Ok(day) = self.calendar.sub_working_days(due, n) {
                    let at = Self::at(day, time);
                    if in_range(at) {
                        out.push(Moment {
                            at,
                            deadline,
                            day,
                            overdue: false,
                        });
                    }
                }
            }
            // Escalations: every working day after `due`, from the day before `after`
            // (earlier ones are behind the mark anyway).
            let mut day = match after {
                Some(a) => due.max(local_date(a) - Duration::days(1)),
                None => due,
            };
            while let Ok(next) = self.calendar.add_working_days(day, 1) {
                let at = Self::at(next, time);
                if at > until {
                    break;
                }
                if in_range(at) {
                    out.push(Moment {
                        at,
                        deadline,
                        day: next,
                        overdue: true,
                    });
                }
                day = next;
            }
        }
        out.sort_by_key(|m| (m.at, m.overdue));
        out
    }

    /// The next moment of any kind after `after`: a reminder of a case or the digest.
    pub async fn next_moment(
        &self,
        store: &Store,
        after: DateTime<Utc>,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let until = after + Duration::days(LOOKAHEAD_DAYS);
        let mut next = self.next_digest(after);
        if let Some(r) = self.next_report(after) {
            next = Some(next.map_or(r, |n: DateTime<Utc>| n.min(r)));
        }
        let mut page_after = 0;
        loop {
            let page = store.open_cases_after(page_after, CASE_PAGE).await?;
            let Some(last) = page.last() else {
                return Ok(next);
            };
            page_after = last.id;
            for case in &page {
                let mark = reminded_through(case);
                let from = mark.map_or(after, |m| m.max(after));
                if let Some(m) = self.moments(case, Some(from), until).first() {
                    next = Some(next.map_or(m.at, |n: DateTime<Utc>| n.min(m.at)));
                }
            }
        }
    }

    fn next_digest(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let time = self.deadlines.digest_time?;
        let mut day = local_date(after);
        for _ in 0..LOOKAHEAD_DAYS {
            if self.calendar.is_working_day(day) && Self::at(day, time) > after {
                return Some(Self::at(day, time));
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// Queues every reminder, escalation and digest that is due.
    #[tracing::instrument(skip_all)]
    pub async fn remind_due(&self, store: &Store) -> anyhow::Result<ReminderReport> {
        let mut report = ReminderReport::default();
        let now = self.now();
        // Cases whose reminder failed before: skipped until their next attempt is due.
        let failing = store.failures(FailureKind::Remind).await?;
        let now_text = timestamp(now);
        let deferred = |id: i64| {
            failing
                .iter()
                .any(|f| f.item == id && f.next_attempt_at > now_text)
        };
        // A page of open cases at a time: what a pass holds does not grow with the register.
        let mut after = 0;
        loop {
            let page = store.open_cases_after(after, CASE_PAGE).await?;
            let Some(last) = page.last() else {
                break;
            };
            after = last.id;
            for case in page.iter().filter(|c| !deferred(c.id)) {
                // One case that cannot be handled (a corrupt date, a template error) is recorded
                // and retried later; the other cases get their reminders all the same.
                match self.remind_case(store, case, now).await {
                    Ok(None) => continue,
                    Ok(Some(overdue)) => {
                        if overdue {
                            report.escalations += 1;
                        } else {
                            report.reminders += 1;
                        }
                    }
                    Err(e) => {
                        report.failed += 1;
                        let failure = store
                            .record_failure(
                                FailureKind::Remind,
                                case.id,
                                &format!("{e:#}"),
                                self.now(),
                            )
                            .await?;
                        tracing::error!(case = %case.case_ref, attempts = failure.attempts, error = %failure.error, "cannot queue this case's reminder; retried later");
                        continue;
                    }
                }
                if failing.iter().any(|f| f.item == case.id) {
                    store.clear_failure(FailureKind::Remind, case.id).await?;
                }
            }
        }
        report.digests = self.digest_due(store, now).await?;
        report.reports = self.report_due(store).await?;
        Ok(report)
    }

    /// Queues the reminder or escalation due for one case, with the case's mark, in one
    /// transaction. `Some(overdue)` when a mail was queued.
    async fn remind_case(
        &self,
        store: &Store,
        case: &CaseRow,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<bool>> {
        let due = self.moments(case, reminded_through(case), now);
        let Some(latest) = due.last().map(|m| m.at) else {
            return Ok(None);
        };
        let mut tx = store.begin(self.id_domain(), self.now()).await?;
        if !tx
            .advance_reminders(case.id, case.reminded_through.as_deref(), latest)
            .await?
        {
            // Another instance handled this case meanwhile.
            return Ok(None);
        }
        let today = local_date(now);
        let states = self.deadline_states(case, today);
        let overdue = states.iter().any(|s| s.overdue);
        let template = if overdue {
            Template::Escalatie
        } else {
            Template::Herinnering
        };
        let headline = states
            .iter()
            .find(|s| s.overdue)
            .or_else(|| states.first())
            .map(|s| format!("{} uiterlijk {}", s.label, s.date))
            .unwrap_or_default();
        let subject = if overdue {
            format!("[{}] Termijn verstreken: {headline}", case.case_ref)
        } else {
            format!("[{}] Herinnering: {headline}", case.case_ref)
        };
        let (in_reply_to, references) = self.thread_refs(&mut tx, case).await?;
        let mut recipients: Vec<(String, bool)> = self
            .directie
            .addresses
            .iter()
            .map(|a| (a.clone(), true))
            .collect();
        if overdue {
            for a in &self.deadlines.escalation_addresses {
                if !recipients.iter().any(|(r, _)| r == a) {
                    recipients.push((a.clone(), false));
                }
            }
        }
        let mut first_outbox = None;
        for (addr, is_directie) in &recipients {
            let body = self.render(template, case, |ctx| {
                self.reminder_context(ctx, case, &states, *is_directie)
            })?;
            let mail = NewMail {
                case_id: Some(case.id),
                in_reply_to: in_reply_to.clone(),
                references: references.clone(),
                ..NewMail::notice(
                    template.name(),
                    format!(
                        "{}:{}:{}:{addr}",
                        template.name(),
                        case.id,
                        timestamp(latest)
                    ),
                    addr,
                    subject.clone(),
                    body,
                    now,
                )
            };
            // Directie can answer a reminder like the notification; an escalation address
            // outside directie gets no reply token.
            let queued = if *is_directie {
                self.to_directie_member(&mut tx, case, addr, mail).await?
            } else {
                tx.enqueue(&mail).await?.map(|(id, _)| id)
            };
            if first_outbox.is_none() {
                first_outbox = queued;
            }
        }
        let detail = format!(
            "{headline}; aan {}",
            recipients
                .iter()
                .map(|(a, _)| a.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        tx.event(
            case.id,
            "klachtenbus",
            template.name(),
            &detail,
            None,
            first_outbox,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(case = %case.case_ref, kind = template.name(), "deadline mail queued");
        Ok(Some(overdue))
    }

    fn reminder_context(
        &self,
        ctx: &mut Context,
        case: &CaseRow,
        states: &[DeadlineState],
        is_directie: bool,
    ) {
        ctx.insert("deadlines", states);
        ctx.insert("status", status_text(case.status));
        ctx.insert("todo", todo_text(case.status));
        ctx.insert("directie", &is_directie);
        ctx.insert(
            "complainant",
            &match (&case.complainant_name, &case.complainant_addr) {
                (Some(n), Some(a)) => format!("{n} <{a}>"),
                (None, Some(a)) => a.clone(),
                (Some(n), None) => n.clone(),
                (None, None) => "(onbekend)".into(),
            },
        );
    }

    /// Where each running deadline stands on `today`, overdue ones first.
    fn deadline_states(&self, case: &CaseRow, today: NaiveDate) -> Vec<DeadlineState> {
        let mut out: Vec<DeadlineState> = self
            .running(case)
            .into_iter()
            .map(|(deadline, due)| {
                let (state, overdue) = if due > today {
                    let n = self.calendar.working_days_between(today, due);
                    (
                        format!("nog {n} werkdag{}", if n == 1 { "" } else { "en" }),
                        false,
                    )
                } else if due == today {
                    ("vandaag".to_string(), false)
                } else {
                    let n = self.calendar.working_days_between(due, today);
                    (
                        match n {
                            0 => "verstreken".to_string(),
                            1 => "1 werkdag over de termijn".to_string(),
                            n => format!("{n} werkdagen over de termijn"),
                        },
                        true,
                    )
                };
                DeadlineState {
                    label: deadline.label(),
                    date: dutch_date(due),
                    due,
                    state,
                    overdue,
                }
            })
            .collect();
        out.sort_by_key(|s| (!s.overdue, s.due));
        out
    }

    /// The morning digest, once per working day per directie address, from
    /// `deadlines.digest_time` on; a day missed while the service was down is not sent later.
    async fn digest_due(&self, store: &Store, now: DateTime<Utc>) -> anyhow::Result<usize> {
        // Doubtful mails are listed on the first working day after they arrive, even when
        // no digest of open cases is configured (then at the reminder time, doubts only).
        let (time, with_cases) = match self.deadlines.digest_time {
            Some(t) => (t, true),
            None => (self.deadlines.reminder_time, false),
        };
        let today = local_date(now);
        if !self.calendar.is_working_day(today) || now < Self::at(today, time) {
            return Ok(0);
        }
        // A mail arriving after the digest of its day waits for the next one. Read only
        // once a digest is due: a first pass over a large mailbox leaves thousands of
        // doubtful mails, which a round at any other moment has no need to hold.
        let doubts = store.doubts_unlisted(Self::at(today, time)).await?;
        if !with_cases && doubts.is_empty() {
            return Ok(0);
        }
        let mut tx = store.begin(self.id_domain(), self.now()).await?;
        let mut pending = Vec::new();
        for addr in &self.directie.addresses {
            let key = format!("{}:{today}:{addr}", Template::Overzicht.name());
            if !tx.queued(&key).await? {
                pending.push((addr, key));
            }
        }
        if pending.is_empty() {
            return Ok(0);
        }
        let cases = if with_cases {
            open_cases(store).await?
        } else {
            Vec::new()
        };
        if cases.is_empty() && doubts.is_empty() {
            return Ok(0);
        }
        let mut rows: Vec<(bool, NaiveDate, serde_json::Value)> = cases
            .iter()
            .map(|c| {
                let states = self.deadline_states(c, today);
                let first = states.first();
                let next = first
                    .map(|s| format!("{} uiterlijk {} ({})", s.label, s.date, s.state))
                    .unwrap_or_else(|| "geen".into());
                let overdue = first.is_some_and(|s| s.overdue);
                let due = first.map_or(NaiveDate::MAX, |s| s.due);
                let row = serde_json::json!({
                    "ref": c.case_ref.to_string(),
                    "status": status_text(c.status),
                    "subject": c.subject.clone().unwrap_or_else(|| "(geen onderwerp)".into()),
                    "complainant": c.complainant_addr.clone().or_else(|| c.complainant_name.clone()).unwrap_or_default(),
                    "received": DateTime::parse_from_rfc3339(&c.received_at)
                        .map(|t| dutch_date(local_date(t.with_timezone(&Utc))))
                        .unwrap_or_else(|_| c.received_at.clone()),
                    "next": next,
                    "overdue": overdue,
                });
                (overdue, due, row)
            })
            .collect();
        rows.sort_by_key(|(overdue, due, _)| (!*overdue, *due));
        let overdue = rows.iter().filter(|r| r.0).count();
        let cases_shown: Vec<serde_json::Value> = rows.into_iter().map(|r| r.2).collect();
        let mut subject = if cases.is_empty() {
            format!("Twijfelgevallen op {}: {}", dutch_date(today), doubts.len())
        } else {
            format!(
                "Open klachten op {}: {}{}",
                dutch_date(today),
                cases.len(),
                if overdue > 0 {
                    format!(", {overdue} over de termijn")
                } else {
                    String::new()
                }
            )
        };
        if !cases.is_empty() && !doubts.is_empty() {
            subject.push_str(&format!("; {} twijfelgevallen", doubts.len()));
        }
        let mut queued = 0;
        for (addr, key) in pending {
            // Each directie address gets its own numbers: a number proves the digest
            // reached that address.
            let listed: Vec<serde_json::Value> = doubts
                .iter()
                .map(|d| doubt_row(d, &self.key.doubt_number(d.id, addr)))
                .collect();
            let mut ctx = Context::new();
            ctx.insert("today", &dutch_date(today));
            ctx.insert("cases", &cases_shown);
            ctx.insert("overdue", &overdue);
            ctx.insert("doubts", &listed);
            let body =
                self.letters
                    .render(Template::Overzicht, crate::detect::Language::Nl, &ctx)?;
            if tx
                .enqueue(&NewMail::notice(
                    Template::Overzicht.name(),
                    key,
                    addr,
                    subject.clone(),
                    body,
                    now,
                ))
                .await?
                .is_some()
            {
                queued += 1;
            }
        }
        for d in &doubts {
            tx.mark_doubt_listed(d.id, today).await?;
        }
        tx.commit().await?;
        Ok(queued)
    }
}

/// A running deadline as the mails show it.
#[derive(Debug, Clone, serde::Serialize)]
struct DeadlineState {
    label: &'static str,
    /// As a Dutch date.
    date: String,
    #[serde(skip)]
    due: NaiveDate,
    /// "nog 2 werkdagen", "vandaag", "3 werkdagen over de termijn".
    state: String,
    overdue: bool,
}

/// Cases with a deadline that may still run, all of them: the digest lists every one.
async fn open_cases(store: &Store) -> anyhow::Result<Vec<CaseRow>> {
    let mut cases = store.cases(Some(Status::Kandidaat)).await?;
    cases.extend(store.cases(Some(Status::InBehandeling)).await?);
    Ok(cases)
}
