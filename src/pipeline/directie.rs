//! Directie's mail: replies (judged by [`crate::route::reply`], carried out in `apply.rs`),
//! refusals explained to directie, forwards and doubtful mails promoted to cases.

use super::*;

impl Pipeline {
    /// A mail from a directie address: an authenticated command, or refused.
    pub(super) async fn directie_mail(
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
                .refuse(store, id, verdict, from, &subject, &why.into(), report)
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
                    let refusal = Refusal::ForwardToOwnAddress {
                        address: plus_address(&self.from, &self.key.forward_token(from)),
                    };
                    return self
                        .refuse(store, id, verdict, from, &subject, &refusal, report)
                        .await;
                }
                if crate::detect::newtext::forward(body).is_some() {
                    // A forward whose sender line holds a name only: nobody to open a case
                    // for. Said so, rather than that the mail lacks a reply token.
                    return self
                        .refuse(
                            store,
                            id,
                            verdict,
                            from,
                            &subject,
                            &Refusal::ForwardWithoutSender,
                            report,
                        )
                        .await;
                }
            }
            let refusal = if self.carries_token(mail) {
                Refusal::TokenNotYours
            } else {
                Refusal::NoToken
            };
            return self
                .refuse(store, id, verdict, from, &subject, &refusal, report)
                .await;
        };
        if let Some(other) = CaseRef::find_in(&subject).filter(|s| *s != case_ref) {
            let refusal = Refusal::SubjectNamesOther {
                named: other,
                case: case_ref,
            };
            return self
                .refuse(store, id, verdict, from, &subject, &refusal, report)
                .await;
        }
        let commands = match commands {
            Ok(c) => c,
            Err(error) => {
                let refusal = Refusal::Unreadable {
                    error,
                    case: case_ref,
                };
                return self
                    .refuse(store, id, verdict, from, &subject, &refusal, report)
                    .await;
            }
        };
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
        let Some(case) = tx.case_for_decision(case_ref).await? else {
            drop(tx);
            let refusal = Refusal::NoSuchCase { case: case_ref };
            return self
                .refuse(store, id, verdict, from, &subject, &refusal, report)
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
            .apply(&mut tx, &case, &commands, id, from, &subject, mail.date)
            .await?
        {
            Ok(()) => {
                tx.commit().await?;
                report.replies_applied += 1;
                Ok(())
            }
            Err(refusal) => {
                drop(tx);
                self.refuse(store, id, verdict, from, &subject, &refusal, report)
                    .await
            }
        }
    }

    /// A directie mail that is not carried out: routed as refused, logged, and directie
    /// (the configured address it came from) is told why, within the daily limit. When the
    /// case is known, the mail carries that member's reply token, so it can be answered.
    #[expect(
        clippy::too_many_arguments,
        reason = "a routing step takes the store, the message, its verdict, its author and the report it adds to"
    )]
    pub(super) async fn refuse(
        &self,
        store: &Store,
        id: i64,
        verdict: &Verdict,
        from: &str,
        subject: &str,
        refusal: &Refusal,
        report: &mut RouteReport,
    ) -> anyhow::Result<()> {
        let reason = refusal.to_string();
        let reason = reason.as_str();
        let case = refusal.case();
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
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
            ctx.insert("case", &case.map(|c| c.to_string()));
            let body = self
                .letters
                .render(Template::NietBegrepen, Language::Nl, &ctx)?;
            // Answerable only where the member's token for the case may be given: a reply
            // that proved its author.
            let token = case
                .filter(|_| self.directie.addresses.iter().any(|a| a == from))
                .map(|c| self.key.token(c, from));
            let title = match case {
                Some(c) => format!(
                    "[{c}] Antwoord niet uitgevoerd: {}",
                    header_safe(subject, 150)
                ),
                None => format!("Antwoord niet uitgevoerd: {}", header_safe(subject, 150)),
            };
            tx.enqueue(&NewMail {
                auto_submitted: "auto-replied",
                reply_to: token.as_ref().map(|t| plus_address(&self.from, t)),
                id_token: token.clone(),
                ..NewMail::notice(
                    Template::NietBegrepen.name(),
                    format!("niet_begrepen:{id}"),
                    from,
                    title,
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
    #[expect(
        clippy::too_many_arguments,
        reason = "a routing step takes the store, the message, its verdict, its author and the report it adds to"
    )]
    pub(super) async fn promote_forward(
        &self,
        store: &Store,
        id: i64,
        mail: &ParsedMail,
        verdict: &Verdict,
        from: &str,
        fwd: Forwarded,
        report: &mut RouteReport,
    ) -> anyhow::Result<()> {
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
        if !tx
            .claim_route(id, "case", None, Some(crate::case::ROUTED_FORWARDED))
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
        let received = store.received_at(id).await?.unwrap_or_else(|| self.now());
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

    /// Directie answered the digest with `KLACHT <nummer>` lines: each doubtful mail named
    /// (with the number listed to this directie address) becomes a `kandidaat`, all in one
    /// transaction; the notification says it came from the doubt band. Refused as a whole
    /// when a number does not verify or its mail is no longer doubtful.
    #[expect(
        clippy::too_many_arguments,
        reason = "a routing step takes the store, the message, its verdict, its author and the report it adds to"
    )]
    pub(super) async fn promote_doubts(
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
                let refusal = Refusal::UnknownNumber { number };
                return self
                    .refuse(store, id, verdict, from, subject, &refusal, report)
                    .await;
            }
            let mail = match store.parsed(*message).await? {
                Some(m) if store.is_doubt(*message).await? => m,
                _ => {
                    let refusal = Refusal::NotADoubt { number };
                    return self
                        .refuse(store, id, verdict, from, subject, &refusal, report)
                        .await;
                }
            };
            mails.push((*message, mail));
        }
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
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
            self.read_documents(store, message, &mut mail).await?;
            let judged = self.detector.classify(&mail, &self.screen);
            let received = store
                .received_at(message)
                .await?
                .unwrap_or_else(|| self.now());
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
        let mut mail = store
            .parsed(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no stored message {id}"))?;
        let received = store.received_at(id).await?.unwrap_or_else(|| self.now());
        self.read_documents(store, id, &mut mail).await?;
        let verdict = self.detector.classify(&mail, &self.screen);
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
        // A message not routed yet is routed by this promotion.
        tx.claim_route(id, "case", None, Some(crate::case::ROUTED_PROMOTED))
            .await?;
        tx.save_verdict(id, &verdict).await?;
        let screened = verdict.screened.map(|r| r.as_str().to_string());
        let case = self
            .open_case(&mut tx, id, &mail, &verdict, received, screened, Actor::Cli)
            .await?;
        tx.commit().await?;
        Ok(case)
    }

    pub(super) fn carries_token(&self, mail: &ParsedMail) -> bool {
        token_candidates(mail).any(has_token_shape)
    }
}

/// Where a reply can carry its token: the addresses it was sent to (the plus-address of
/// our Reply-To) and the Message-IDs it answers (our notification's).
pub(super) fn token_candidates(mail: &ParsedMail) -> impl Iterator<Item = &str> {
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
pub(super) struct Forwarded {
    from: Option<crate::parse::MailAddress>,
    subject: Option<String>,
    text: String,
}

/// A forwarded mail inside directie's message ([`crate::detect::newtext::forward`]: a
/// forward or original-message separator, Outlook's line of underscores or its header block,
/// Apple Mail's "Begin doorgestuurd bericht:"), with the sender it names and its text.
pub(super) fn forwarded(mail: &ParsedMail) -> Option<Forwarded> {
    let found = crate::detect::newtext::forward(mail.body_text.as_deref()?)?;
    let from = found.sender.and_then(crate::parse::header_mailbox);
    let text = found.text.trim();
    (from.is_some() && !text.is_empty()).then(|| Forwarded {
        from,
        subject: found.subject.map(|s| crate::parse::clean(s, 500)),
        text: text.to_string(),
    })
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
        // Outlook's forward under a line of underscores, and Apple Mail's in Dutch.
        for body in [
            "KLACHT\n\n________________________________\nVan: Piet Klant <piet@example.test>\nVerzonden: dinsdag 24 november 2026 10:00\nAan: info@firma.nl\nOnderwerp: Slecht advies\n\nIk ben heel ontevreden over het advies.\n",
            "Klacht\n\nBegin doorgestuurd bericht:\n\nVan: Piet Klant <piet@example.test>\nOnderwerp: Slecht advies\nDatum: 24 november 2026 om 10:00:00 CET\nAan: info@firma.nl\n\nIk ben heel ontevreden over het advies.\n",
        ] {
            let f = forwarded(&mail_with(&[], body)).unwrap();
            assert_eq!(f.from.unwrap().address, "piet@example.test", "{body}");
            assert_eq!(f.subject.as_deref(), Some("Slecht advies"));
            assert_eq!(f.text, "Ik ben heel ontevreden over het advies.");
        }
    }
}
