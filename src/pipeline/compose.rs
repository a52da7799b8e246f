//! What the letters and notices of a case say: the template context, subjects, the
//! complainant's address and the daily limits of letters to them.

use super::*;
use crate::domain::excerpt::excerpt;
use crate::domain::name::PersonName;

/// What became of a letter to the complainant.
pub(super) enum LetterOutcome {
    Queued(QueuedLetter),
    /// Not queued, and why (no usable address, already sent).
    NotSent(String),
}

/// A letter as it was queued, for directie's confirmation.
#[derive(serde::Serialize)]
pub(super) struct QueuedLetter {
    pub what: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    /// Held back by the daily limit.
    pub deferred: bool,
    /// Printed and posted by directie (no e-mail address).
    pub by_post: bool,
}

impl Pipeline {
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

    pub(super) fn org_context(&self, ctx: &mut Context) {
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

    pub(super) fn case_context(&self, case: &CaseRow, ctx: &mut Context) {
        let english = case.language == Language::En;
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
        // "mevrouw K. van der Berg" → "Geachte mevrouw Van der Berg"; no title known →
        // "heer/mevrouw Smit"; no name → "heer, mevrouw" (DOMAIN.md, letters).
        let name = PersonName::parse(case.complainant_name.as_deref().unwrap_or(""));
        let salutation = name.salutation(english);
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
                "excerpt": excerpt(&case.summary),
                "name_line": name.address_line(english),
                "phone_note": case.channel.is_spoken(),
            }),
        );
    }

    pub(super) fn language(case: &CaseRow) -> Language {
        if case.language == Language::En {
            Language::En
        } else {
            Language::Nl
        }
    }

    pub(super) fn render(
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

    pub(super) fn ack_subject(case: &CaseRow) -> String {
        if case.language == Language::En {
            format!("Acknowledgement of your complaint [{}]", case.case_ref)
        } else {
            format!("Ontvangstbevestiging van uw klacht [{}]", case.case_ref)
        }
    }

    /// A stored YYYY-MM-DD date as the letters write it.
    pub(super) fn local_date_text(&self, date: &str, english: bool) -> String {
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

    /// The template of a letter kind.
    pub(super) fn letter_template(kind: &LetterKind) -> Template {
        match kind {
            LetterKind::Acknowledgement { .. } => Template::Bevestigingsbrief,
            LetterKind::Position(_) => Template::Standpuntbrief,
            LetterKind::Extension { .. } => Template::Verlengingsbrief,
        }
    }

    /// A letter's subject, in the case's language.
    pub(super) fn letter_subject(case: &CaseRow, kind: &LetterKind) -> String {
        let english = case.language == Language::En;
        let r = case.case_ref;
        match kind {
            LetterKind::Acknowledgement { .. } => Self::ack_subject(case),
            LetterKind::Position(_) if english => format!("Our position on your complaint [{r}]"),
            LetterKind::Position(_) => format!("Ons standpunt over uw klacht [{r}]"),
            LetterKind::Extension { .. } if english => {
                format!("New date for our position on your complaint [{r}]")
            }
            LetterKind::Extension { .. } => {
                format!("Nieuwe termijn voor ons standpunt over uw klacht [{r}]")
            }
        }
    }

    /// A letter to the complainant as it reads for `case` (as the case now is), by e-mail.
    pub(super) fn render_letter(&self, case: &CaseRow, kind: &LetterKind) -> anyhow::Result<Body> {
        self.render_letter_for(case, kind, false)
    }

    /// As [`Pipeline::render_letter`]; `paper`: the letter is printed and posted (it does
    /// not ask to answer "this e-mail").
    pub(super) fn render_letter_for(
        &self,
        case: &CaseRow,
        kind: &LetterKind,
        paper: bool,
    ) -> anyhow::Result<Body> {
        let english = case.language == Language::En;
        let mut case = case.clone();
        if let LetterKind::Acknowledgement {
            promised: Some(d), ..
        } = kind
        {
            case.position_by = d.to_string();
        }
        self.render(Self::letter_template(kind), &case, |ctx| {
            ctx.insert("paper", &paper);
            match kind {
                LetterKind::Acknowledgement { promised, kifid } => {
                    ctx.insert("late", &promised.is_some());
                    ctx.insert("kifid_open", kifid);
                }
                LetterKind::Position(p) => ctx.insert("position", p),
                LetterKind::Extension {
                    previous,
                    reason,
                    kifid,
                } => {
                    let previous = previous.map(|d| {
                        if english {
                            english_date(d)
                        } else {
                            dutch_date(d)
                        }
                    });
                    ctx.insert("previous", &previous);
                    ctx.insert("reason", reason);
                    ctx.insert("kifid_open", kifid);
                }
            }
        })
    }

    /// Queues a letter to the complainant, unless the address must never get automatic
    /// mail; at most one of each kind per case; deferred past the daily limit. Says what
    /// became of it.
    pub(super) async fn letter_to_customer(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        kind: &LetterKind,
    ) -> anyhow::Result<LetterOutcome> {
        let template = Self::letter_template(kind);
        let recipient = match self.customer_address(case) {
            Ok(a) => a,
            // No e-mail address, but a postal one (a letter, phone or form complaint):
            // the letter goes to directie as a PDF to post.
            Err(_) if case.complainant_addr.is_none() && case.postal.is_some() => {
                return self.letter_by_post(tx, case, kind).await;
            }
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
                return Ok(LetterOutcome::NotSent(format!(
                    "{}: {why}",
                    template.name()
                )));
            }
        };
        let now = tx.now();
        let recent = tx
            .mails_to_since(&recipient, now - Duration::hours(24), None)
            .await?;
        let deferred = recent >= i64::from(self.max_auto_mails_per_day);
        let not_before = if deferred {
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
        let body = self.render_letter(case, kind)?;
        let subject = Self::letter_subject(case, kind);
        // One acknowledgement and one position letter per case; one extension letter per
        // new date.
        let dedup_key = match kind {
            LetterKind::Extension { .. } => {
                format!("{}:{}:{}", template.name(), case.id, case.position_by)
            }
            _ => format!("{}:{}", template.name(), case.id),
        };
        let (in_reply_to, references) = self.thread_refs(tx, case).await?;
        let text = body.text.clone();
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
                    subject.clone(),
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
                .await?;
                Ok(LetterOutcome::Queued(QueuedLetter {
                    what: template.name(),
                    to: recipient,
                    subject,
                    text,
                    deferred,
                    by_post: false,
                }))
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
                .await?;
                Ok(LetterOutcome::NotSent(format!(
                    "{} is al eerder klaargezet; niet nog eens",
                    template.name()
                )))
            }
        }
    }

    /// A letter for a complainant without e-mail: rendered to a printable PDF (letterhead,
    /// address block, date, reference, "Betreft") and sent to every directie address to
    /// print and post; the mail (with the PDF) is in the case's dossier.
    pub(super) async fn letter_by_post(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        kind: &LetterKind,
    ) -> anyhow::Result<LetterOutcome> {
        let template = Self::letter_template(kind);
        let english = case.language == Language::En;
        let body = self.render_letter_for(case, kind, true)?;
        let subject = Self::letter_subject(case, kind);
        let name = PersonName::parse(case.complainant_name.as_deref().unwrap_or(""));
        let mut address: Vec<String> = name
            .address_line(english)
            .or_else(|| case.complainant_name.clone())
            .into_iter()
            .collect();
        address.extend(
            case.postal
                .as_deref()
                .unwrap_or("")
                .split([',', '\n'])
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
        let today = local_date(tx.now());
        let labels = if english {
            ["Date", "Our reference", "Subject"]
        } else {
            ["Datum", "Ons kenmerk", "Betreft"]
        };
        let letterhead: Vec<String> = std::iter::once(Some(self.org.name.clone()))
            .chain([
                self.org.address.clone(),
                self.org.phone.clone(),
                self.org.website.clone(),
            ])
            .flatten()
            .collect();
        let paper = crate::pdf::PaperLetter {
            letterhead,
            address: address.clone(),
            heading: vec![
                (
                    labels[0].into(),
                    if english {
                        english_date(today)
                    } else {
                        dutch_date(today)
                    },
                ),
                (labels[1].into(), case.case_ref.to_string()),
                (
                    labels[2].into(),
                    subject
                        .trim_end_matches(&format!(" [{}]", case.case_ref))
                        .to_string(),
                ),
            ],
            body: body.text.clone(),
            page_label: if english {
                |n, total| format!("page {n} of {total}")
            } else {
                |n, total| format!("pagina {n} van {total}")
            },
            logo: self.org.logo.clone(),
        };
        let pdf = crate::pdf::render(&paper)?;
        let filename = format!("{}-{}.pdf", case.case_ref, template.name());
        let what = match kind {
            LetterKind::Acknowledgement { .. } => "ontvangstbevestiging",
            LetterKind::Position(_) => "standpuntbrief",
            LetterKind::Extension { .. } => "verlengingsbrief",
        };
        let notice = self.render(Template::PerPost, case, |ctx| {
            ctx.insert("letter_kind", what);
            ctx.insert("filename", &filename);
            ctx.insert("address", &address);
        })?;
        let dedup = match kind {
            LetterKind::Extension { .. } => {
                format!(
                    "per_post:{}:{}:{}",
                    template.name(),
                    case.id,
                    case.position_by
                )
            }
            _ => format!("per_post:{}:{}", template.name(), case.id),
        };
        let mut queued_any = false;
        for d in &self.directie.addresses {
            let one = NewMail {
                attachment: Some(crate::store::Attachment {
                    filename: filename.clone(),
                    content_type: "application/pdf".into(),
                    data: pdf.clone(),
                }),
                ..NewMail::notice(
                    Template::PerPost.name(),
                    format!("{dedup}:{d}"),
                    d,
                    format!(
                        "[{}] Per post te versturen: {}",
                        case.case_ref,
                        header_safe(&subject, 150)
                    ),
                    notice.clone(),
                    tx.now(),
                )
            };
            if let Some(outbox) = self.to_directie_member(tx, case, d, one).await? {
                queued_any = true;
                tx.event(
                    case.id,
                    "klachtenbus",
                    "brief_per_post",
                    &format!("{}: PDF aan {d} om per post te versturen", template.name()),
                    None,
                    Some(outbox),
                )
                .await?;
            }
        }
        if !queued_any {
            return Ok(LetterOutcome::NotSent(format!(
                "{} is al eerder klaargezet; niet nog eens",
                template.name()
            )));
        }
        tracing::info!(case = %case.case_ref, letter = template.name(), "letter to be posted: PDF sent to directie");
        Ok(LetterOutcome::Queued(QueuedLetter {
            what: template.name(),
            to: format!("per post: {}", address.join(", ")),
            subject,
            text: body.text,
            deferred: false,
            by_post: true,
        }))
    }

    /// The complainant's address, if automatic mail may go there.
    pub(super) fn customer_address(&self, case: &CaseRow) -> Result<String, &'static str> {
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
}
