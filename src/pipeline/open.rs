//! Opening cases (from a mail, a forward, a Klachtenformulier), following up on them, and
//! telling directie: the notification to every directie address.

use super::*;

impl Pipeline {
    #[expect(
        clippy::too_many_arguments,
        reason = "the store, the mail and its routing facts are one call; bundling them would hide which one a case is opened from"
    )]
    pub(super) async fn open_case(
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
        // A colleague's forward of a customer's mail is the customer's complaint: letters go
        // to the customer; the colleague is named in the timeline and the notification.
        let forwarded_for = crate::detect::contact_form::forwarded_customer(mail, &self.screen);
        let complainant = forwarded_for.as_ref().or(mail.from.as_ref());
        let new = NewCase {
            channel: Channel::Email,
            message_pk: Some(id),
            complainant_addr: complainant.map(|a| a.address.to_ascii_lowercase()),
            complainant_name: complainant.and_then(|a| a.name.clone()),
            subject: mail.subject.clone(),
            language: verdict.language,
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
        let forwarded_by = forwarded_for
            .as_ref()
            .and(mail.from.as_ref())
            .map(|colleague| format!("doorgestuurd door {}", colleague.address));
        let why = match &forwarded_by {
            Some(by) => format!("{why}; {by}"),
            None => why,
        };
        tx.event(case_id, &actor.name(), "geopend", &why, Some(id), None)
            .await?;
        let case = reload(tx, case_id).await?;
        let sender = match (complainant, &forwarded_by) {
            (Some(a), Some(by)) => format!("{a} ({by})"),
            (Some(a), None) => a.to_string(),
            (None, _) => "(onbekend)".into(),
        };
        self.notify_directie(tx, &case, &sender, verdict, &actor, None)
            .await?;
        Ok(case_ref)
    }

    /// The open case a flagged mail repeats, if any: a colleague forwards a customer's mail
    /// that reached the watched inbox too (or forwards it a second time), or the customer's
    /// own mail arrives after a colleague's forward of it. Same complainant, a case whose
    /// deadlines still run, and the same complaint text ([`same_text`]); the mail then joins
    /// that case instead of opening a second one for the same complaint.
    pub(super) async fn case_repeated(
        &self,
        store: &Store,
        mail: &ParsedMail,
    ) -> anyhow::Result<Option<CaseRow>> {
        let (Some(customer), text) = complaint_of(mail, &self.screen) else {
            return Ok(None);
        };
        let text = comparable(&text);
        if text.len() < SAME_TEXT_MIN {
            return Ok(None);
        }
        let address = customer.address.to_ascii_lowercase();
        for case in store.open_cases_of(&address, REPEAT_CANDIDATES).await? {
            let Some(pk) = case.message_pk else {
                continue;
            };
            let Some(first) = store.parsed(pk).await? else {
                continue;
            };
            if same_text(&text, &comparable(&complaint_of(&first, &self.screen).1)) {
                return Ok(Some(case));
            }
        }
        Ok(None)
    }

    /// Links mail `id`, the same complaint as `case`'s ([`Pipeline::case_repeated`]), to
    /// the case: the timeline says who sent it (and for whom, when a colleague forwarded
    /// it); directie, who has the complaint already, gets no notice.
    pub(super) async fn same_complaint(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        id: i64,
        mail: &ParsedMail,
    ) -> anyhow::Result<()> {
        tx.link_message(id, case.id, "follow_up").await?;
        let sender = mail
            .from
            .as_ref()
            .map_or_else(|| "(onbekend)".to_string(), |a| a.address.clone());
        let detail = match crate::detect::contact_form::forwarded_customer(mail, &self.screen) {
            Some(customer) => format!(
                "de klacht van {} opnieuw, doorgestuurd door {sender}: {}",
                customer.address,
                mail.subject.as_deref().unwrap_or("(geen onderwerp)")
            ),
            None => format!(
                "de klacht opnieuw ontvangen van {sender}: {}",
                mail.subject.as_deref().unwrap_or("(geen onderwerp)")
            ),
        };
        tx.event(case.id, &sender, "zelfde_klacht", &detail, Some(id), None)
            .await?;
        Ok(())
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
            channel: form.channel.into(),
            message_pk: Some(id),
            complainant_addr: form.email.clone(),
            complainant_name: Some(form.name.clone()),
            subject: Some(format!("Klachtenformulier ({})", form.channel.as_str())),
            language: verdict.language,
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

    /// A mail from a staff address whose subject starts with "Klachtenformulier".
    pub(super) async fn form_mail(
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
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
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

    /// The notification, one per directie address (each with its own reply token).
    pub(super) async fn notify_directie(
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
    pub(super) async fn each_directie_address(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        mail: DirectieMail,
        body: impl Fn(&str) -> anyhow::Result<Body>,
    ) -> anyhow::Result<()> {
        let (in_reply_to, references) = mail.thread;
        for d in &self.directie.addresses {
            let one = NewMail {
                about_addr: mail.about.clone(),
                in_reply_to: in_reply_to.clone(),
                references: references.clone(),
                ..NewMail::notice(
                    mail.kind.name(),
                    format!("{}:{d}", mail.dedup),
                    d,
                    mail.subject.clone(),
                    body(d)?,
                    tx.now(),
                )
            };
            if let Some(outbox) = self.to_directie_member(tx, case, d, one).await? {
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
    pub(super) async fn notice_allowed(
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
    pub(super) async fn thread_refs(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
    ) -> anyhow::Result<(Option<String>, Vec<String>)> {
        // A Klachtenformulier is the firm's own record, not the complainant's mail.
        let Some(pk) = case.message_pk.filter(|_| case.channel == Channel::Email) else {
            return Ok((None, Vec::new()));
        };
        let (id, mut refs) = tx.thread_of(pk).await?;
        if let Some(id) = &id {
            refs.push(id.clone());
        }
        Ok((id, refs))
    }

    pub(super) async fn follow_up(
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

    /// Files an automatic mail (screened, or an auto-reply from a staff or directie
    /// address) under `route` with its verdict, in a transaction of its own; whether this
    /// call filed it (another instance may have been first).
    pub(super) async fn claim_automatic(
        &self,
        store: &Store,
        id: i64,
        route: &str,
        reason: ScreenReason,
        verdict: &Verdict,
    ) -> anyhow::Result<bool> {
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
        let claimed = tx
            .claim_route(id, route, None, Some(reason.as_str()))
            .await?;
        if claimed {
            tx.save_verdict(id, verdict).await?;
            tx.commit().await?;
        }
        Ok(claimed)
    }
}

/// How many of a complainant's open cases are compared with a new flagged mail.
const REPEAT_CANDIDATES: i64 = 10;
/// Fewer comparable characters than this say too little to call two mails the same.
const SAME_TEXT_MIN: usize = 40;
/// The comparable characters of a mail's complaint text that are compared.
const SAME_TEXT_CHARS: usize = 600;
/// How alike (normalised Levenshtein) two texts must be to be the same complaint: a
/// forward re-wraps lines and may add or lose a character here and there.
const SAME_TEXT_SIMILARITY: f64 = 0.85;

/// Whom a mail's complaint is from and its words: a colleague's forward of a customer's
/// mail is the customer's, its text the forwarded mail's new text; any other mail is its
/// sender's, its text its new text (or, with none or a forward's short note, what it
/// forwards).
fn complaint_of(
    mail: &ParsedMail,
    screen: &ScreenContext,
) -> (Option<crate::parse::MailAddress>, String) {
    let body = mail.body_text.as_deref().unwrap_or("");
    if let Some(customer) = crate::detect::contact_form::forwarded_customer(mail, screen) {
        let text =
            crate::detect::newtext::forward(body).map_or_else(String::new, |f| new_text(f.text));
        return (Some(customer), text);
    }
    // What a forward passes on, without its note: the text the customer's own mail has.
    let fresh = new_text(body);
    let text =
        crate::detect::newtext::passed_on(&fresh, body, mail.subject.as_deref()).unwrap_or(fresh);
    (mail.from.clone(), text)
}

/// Lower case, letters and digits only, single spaces, at most [`SAME_TEXT_CHARS`].
fn comparable(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(SAME_TEXT_CHARS));
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
        if out.len() >= SAME_TEXT_CHARS {
            break;
        }
    }
    out.chars().take(SAME_TEXT_CHARS).collect()
}

/// Whether two comparable texts are the same complaint.
fn same_text(a: &str, b: &str) -> bool {
    b.len() >= SAME_TEXT_MIN && strsim::normalized_levenshtein(a, b) >= SAME_TEXT_SIMILARITY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_complaint_is_told_by_its_words_not_its_wrapping() {
        let own = "Anouk,\n\nJe zei in september dat de schuur gewoon onder de opstalverzekering \
                   viel. Nu wijst de verzekeraar de schade af. Dat heb je mij nooit verteld.";
        let forwarded = "Anouk,\nJe zei in september dat de schuur gewoon onder de\n\
                         opstalverzekering viel.  Nu wijst de verzekeraar de schade af. Dat heb je\n\
                         mij nooit verteld.";
        assert!(same_text(&comparable(own), &comparable(forwarded)));
        // Another complaint of the same customer is another case.
        let other = "Anouk,\n\nDe premie van de inboedelverzekering is zonder bericht met veertig \
                     euro per maand omhoog gegaan. Dat had ik graag vooraf geweten.";
        assert!(!same_text(&comparable(own), &comparable(other)));
        // Too short to tell.
        assert!(!same_text(
            &comparable("Klopt niet."),
            &comparable("Klopt niet.")
        ));
        assert!(comparable(&"woord ".repeat(500)).chars().count() <= SAME_TEXT_CHARS);
    }
}
