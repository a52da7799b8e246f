//! The runner: every stored message that has not been routed yet is loaded, judged and
//! routed; a message that fails is recorded and passed over. A message that opens, changes
//! or answers something is routed in one transaction of its own. The many that only need
//! their verdict recorded (most mail is no complaint) are committed together, one
//! transaction per batch: each message's record is whole or absent, so a crash leaves them
//! unrouted, to be routed again, never half done.

use super::*;

impl Pipeline {
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
        if self.first_run_max_cases > 0 && !store.has_cases().await? {
            report.held = self.hold_old_candidates(store).await?;
        }
        // Messages before the cursor were routed in this pass, failed (and are put off),
        // or were taken by another instance: each batch reads on after the last.
        let mut after = 0;
        loop {
            let batch = store.unrouted_after(after, 200, self.now()).await?;
            let Some(last) = batch.last() else {
                return Ok(report);
            };
            after = last.id;
            let mut plain = Plain::default();
            'batch: for chunk in load_chunks(&batch) {
                let ids: Vec<i64> = chunk.iter().map(|u| u.id).collect();
                // One query for the chunk; should it fail (a row that cannot be read), each
                // message is loaded on its own, so that only the bad one fails.
                let mut loaded = store
                    .parsed_many(&ids)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .peekable();
                for u in chunk {
                    if cancel.is_cancelled() {
                        report.interrupted = true;
                        break 'batch;
                    }
                    let mail = loaded
                        .next_if(|(id, _, _)| *id == u.id)
                        .map(|(_, mail, received)| (mail, received));
                    match self.route_one(store, u.id, mail, &mut report).await {
                        Ok(Some(only_verdict)) => plain.add(only_verdict, u.failed_before),
                        Ok(None) if u.failed_before => {
                            store.clear_failure(FailureKind::Route, u.id).await?
                        }
                        Ok(None) => {}
                        Err(e) => {
                            report.failed += 1;
                            self.routing_failed(store, u.id, &e).await?;
                        }
                    }
                }
            }
            self.commit_plain(store, plain, &mut report).await?;
            if report.interrupted {
                return Ok(report);
            }
        }
    }

    /// A first run on a mailbox full of old mail (the register has no case yet): when more
    /// than `limits.first_run_max_cases` complaint-like mails older than a week wait, they
    /// are held — routed as `archive`, no case, no notification — so that months of old
    /// mail do not open cases with long-passed deadlines. Returns how many were held.
    async fn hold_old_candidates(&self, store: &Store) -> anyhow::Result<usize> {
        let week_ago = self.now() - Duration::days(7);
        let mut old = Vec::new();
        for (id, _) in store.unrouted(1_000_000, self.now()).await? {
            let received = store.received_at(id).await?.unwrap_or_else(|| self.now());
            if received >= week_ago || self.since.is_some_and(|s| local_date(received) < s) {
                continue;
            }
            let Some(mut mail) = store.parsed(id).await? else {
                continue;
            };
            self.contact_form_as_customer(&mut mail);
            self.read_documents(store, id, &mut mail).await?;
            let verdict = self.classify_within_budget(id, &mail);
            if verdict.complaint && verdict.screened.is_none() && !self.carries_token(&mail) {
                old.push((id, verdict));
            }
        }
        if old.len() <= self.first_run_max_cases {
            return Ok(0);
        }
        let mut held = 0;
        for (id, verdict) in &old {
            let mut tx = store.begin(&self.id_domain, self.now()).await?;
            if tx
                .claim_route(
                    *id,
                    "archive",
                    None,
                    Some("first run: held, older than a week"),
                )
                .await?
            {
                tx.save_verdict(*id, verdict).await?;
                tx.commit().await?;
                held += 1;
            }
        }
        tracing::warn!(
            held,
            limit = self.first_run_max_cases,
            "first run: old complaint-like mail held, no cases opened for it"
        );
        Ok(held)
    }

    /// Records the verdicts of a batch's plain messages in one transaction (a message
    /// another instance routed meanwhile is left as that instance routed it).
    async fn commit_plain(
        &self,
        store: &Store,
        plain: Plain,
        report: &mut RouteReport,
    ) -> anyhow::Result<()> {
        if plain.messages.is_empty() {
            return Ok(());
        }
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
        let rows: Vec<(i64, &str, Option<&str>, &Verdict)> = plain
            .messages
            .iter()
            .map(|m| (m.id, m.route, m.detail, &m.verdict))
            .collect();
        let claimed = tx.claim_plain(&rows).await?;
        tx.commit().await?;
        report.screened += plain
            .messages
            .iter()
            .filter(|m| m.route == "screened" && claimed.binary_search(&m.id).is_ok())
            .count();
        for id in plain.failed_before {
            store.clear_failure(FailureKind::Route, id).await?;
        }
        Ok(())
    }

    /// Routes message `id`. `Some` for a message that needs nothing but its verdict
    /// recorded (not a complaint, no case, no reply): the caller records it with others.
    #[tracing::instrument(skip_all, fields(message = id))]
    pub(super) async fn route_one(
        &self,
        store: &Store,
        id: i64,
        loaded: Option<(ParsedMail, DateTime<Utc>)>,
        report: &mut RouteReport,
    ) -> anyhow::Result<Option<OnlyVerdict>> {
        let (mut mail, received) = match loaded {
            Some(loaded) => loaded,
            None => {
                let Some(mail) = store.parsed(id).await? else {
                    return Ok(None);
                };
                let received = store.received_at(id).await?.unwrap_or_else(|| self.now());
                (mail, received)
            }
        };
        // The website's contact form: sent by the firm's own server for a customer. It is
        // the customer's mail from here on — judged, opened and answered as theirs. (A
        // Klachtenformulier from staff names the customer too, but is staff's own route.)
        self.contact_form_as_customer(&mut mail);
        // Mail from before `imap.since` (a first run on a mailbox with months of mail) is
        // kept, not acted on: no case, no notification, no escalation.
        if let Some(since) = self.since {
            if local_date(received) < since {
                let mut tx = store.begin(&self.id_domain, self.now()).await?;
                if tx
                    .claim_route(id, "archive", None, Some("received before imap.since"))
                    .await?
                {
                    tx.commit().await?;
                    report.archived += 1;
                }
                return Ok(None);
            }
        }
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
        self.read_documents(store, id, &mut mail).await?;
        let verdict = self.classify_within_budget(id, &mail);
        report.classified += 1;
        if is_form(&mail) {
            if listed(&self.staff) {
                self.form_mail(store, id, &mail, &verdict, &from, report)
                    .await?;
                return Ok(None);
            }
            tracing::warn!(from = %mask_address(&from), "a Klachtenformulier from an address not in staff.addresses: treated as ordinary mail");
        }
        if listed(&self.directie.addresses) {
            self.directie_mail(store, id, &mail, &verdict, &from, report)
                .await?;
            return Ok(None);
        }
        if let Some(reason) = verdict.screened {
            // Recorded with the batch's others, as screened, with the reason.
            tracing::debug!(reason = reason.as_str(), "screened");
            return Ok(Some(OnlyVerdict {
                id,
                route: "screened",
                detail: Some(reason.as_str()),
                verdict,
            }));
        }
        let carries_token = self.carries_token(&mail);
        let mut thread = mail.in_reply_to.clone();
        thread.extend(mail.references.iter().cloned());
        let subject_ref = mail.subject.as_deref().and_then(CaseRef::find_in);
        if !carries_token && !verdict.complaint && thread.is_empty() && subject_ref.is_none() {
            // Most mail: no complaint and no thread a case could own. Nothing to read or
            // write now; the verdict is recorded with the batch's others.
            return Ok(Some(only_verdict(id, verdict)));
        }
        // The same complaint again (a colleague's forward of a mail that opened a case, or
        // that mail after the forward) joins the case: looked up before the transaction.
        let repeated = if verdict.complaint && !carries_token {
            self.case_repeated(store, &mail).await?
        } else {
            None
        };
        let mut tx = store.begin(&self.id_domain, self.now()).await?;
        if carries_token {
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
            return Ok(None);
        }
        let mut case_id = tx.case_for_thread(&thread).await?;
        if case_id.is_none() {
            if let Some(r) = subject_ref {
                case_id = tx.case_by_ref(r).await?.map(|c| c.id);
            }
        }
        if let Some(case_id) = case_id {
            if !tx.claim_route(id, "follow_up", Some(case_id), None).await? {
                return Ok(None);
            }
            tx.save_verdict(id, &verdict).await?;
            self.follow_up(&mut tx, case_id, id, &mail, &from).await?;
            tx.commit().await?;
            report.follow_ups += 1;
            return Ok(None);
        }
        if verdict.complaint {
            report.flagged += 1;
            if let Some(case) = repeated {
                if !tx
                    .claim_route(id, "follow_up", Some(case.id), Some("same complaint"))
                    .await?
                {
                    return Ok(None);
                }
                tx.save_verdict(id, &verdict).await?;
                self.same_complaint(&mut tx, &case, id, &mail).await?;
                tx.commit().await?;
                report.follow_ups += 1;
                tracing::info!(case = %case.case_ref, "the same complaint again: joined its case");
                return Ok(None);
            }
            if !tx.claim_route(id, "case", None, None).await? {
                return Ok(None);
            }
            tx.save_verdict(id, &verdict).await?;
            let case = self
                .open_case(&mut tx, id, &mail, &verdict, received, None, Actor::System)
                .await?;
            tx.commit().await?;
            report.cases_opened += 1;
            tracing::info!(case = %case, score = verdict.score, signals = verdict.signals.len(), "case opened");
            return Ok(None);
        }
        // Not flagged: a doubtful mail is listed for directie in the next digest. Nothing
        // was written; the verdict is recorded with the batch's others.
        drop(tx);
        Ok(Some(only_verdict(id, verdict)))
    }

    /// Reads the text of the PDFs attached to stored message `id` into `mail`
    /// ([`crate::documents`]), on a thread where waiting for `pdftotext` blocks no task.
    pub(super) async fn read_documents(
        &self,
        store: &Store,
        id: i64,
        mail: &mut ParsedMail,
    ) -> anyhow::Result<()> {
        if mail.status != crate::parse::ParseStatus::Parsed
            || !mail.documents.is_empty()
            || !crate::documents::has_document(mail)
        {
            return Ok(());
        }
        let Some(raw) = store.raw(id).await? else {
            return Ok(());
        };
        // A panic on the reading thread costs the documents, not the routing.
        mail.documents = tokio::task::spawn_blocking(move || crate::documents::read(&raw))
            .await
            .unwrap_or_default();
        Ok(())
    }

    /// A contact-form mail becomes the customer's: its From is the customer named in it.
    pub(super) fn contact_form_as_customer(&self, mail: &mut ParsedMail) {
        let contact_form = (!is_form(mail))
            .then(|| crate::detect::contact_form::customer(mail, &self.screen))
            .flatten();
        if let Some(customer) = contact_form {
            tracing::info!(customer = %mask_address(&customer.address), "contact-form mail: routed as the customer's");
            mail.from = Some(customer);
        }
    }
}

fn only_verdict(id: i64, verdict: Verdict) -> OnlyVerdict {
    let route = if verdict.doubt { "doubt" } else { "message" };
    OnlyVerdict {
        id,
        route,
        detail: None,
        verdict,
    }
}

/// Most messages a routing chunk loads at once, and about most bytes (their size on the
/// server): memory stays bounded however large the mail.
const CHUNK_MESSAGES: usize = 50;
const CHUNK_BYTES: u64 = 4 * 1024 * 1024;

/// Splits a batch of unrouted messages into chunks loaded with one query each.
fn load_chunks(batch: &[Unrouted]) -> Vec<&[Unrouted]> {
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, u) in batch.iter().enumerate() {
        if i > start && (i - start >= CHUNK_MESSAGES || bytes + u.size > CHUNK_BYTES) {
            chunks.push(&batch[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += u.size;
    }
    if start < batch.len() {
        chunks.push(&batch[start..]);
    }
    chunks
}

/// A message that needs nothing but its route and verdict recorded.
pub(super) struct OnlyVerdict {
    id: i64,
    route: &'static str,
    /// Why, when screened.
    detail: Option<&'static str>,
    verdict: Verdict,
}

/// A batch's plain messages, recorded together; and which of them had failed before.
#[derive(Default)]
struct Plain {
    messages: Vec<OnlyVerdict>,
    failed_before: Vec<i64>,
}

impl Plain {
    fn add(&mut self, m: OnlyVerdict, failed_before: bool) {
        if failed_before {
            self.failed_before.push(m.id);
        }
        self.messages.push(m);
    }
}
