//! A directie reply carried out on its case: the decider's effects written in order, then
//! the member is told what was done ("Verwerkt"), or gets the draft position letter.

use super::compose::{LetterOutcome, QueuedLetter};
use super::*;

impl Pipeline {
    /// Carries out directie's commands on a case: the decider judges them against the case
    /// ([`reply::decide`]), then their effects are written here in order, and directie is
    /// told what was done ("Verwerkt", unless `directie.confirmations` is off; a draft
    /// position goes back as a draft instead). `Ok(Err(refusal))` when the reply is refused
    /// (the caller rolls back and tells directie why). `written` is the reply's Date header.
    #[expect(
        clippy::too_many_arguments,
        reason = "a letter to one member needs the transaction, the case, the member and what the letter says"
    )]
    pub(super) async fn apply(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        commands: &[Command],
        id: i64,
        from: &str,
        subject: &str,
        written: Option<DateTime<Utc>>,
    ) -> anyhow::Result<Result<(), Refusal>> {
        tx.link_message(id, case.id, "directie").await?;
        let rejection = match tx.last_event(case.id, "geen_klacht").await? {
            Some((at, by, _)) => {
                DateTime::parse_from_rfc3339(&at)
                    .ok()
                    .map(|at| reply::Rejection {
                        at: at.with_timezone(&Utc),
                        by,
                    })
            }
            None => None,
        };
        let draft = tx
            .draft(case.id)
            .await?
            .map(|(text, version)| reply::Draft { text, version });
        let position_by = NaiveDate::parse_from_str(&case.position_by, "%Y-%m-%d")?;
        let view = reply::CaseView {
            reference: case.case_ref,
            status: case.status,
            position_by,
            kifid_from: case
                .kifid_from
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .unwrap_or(position_by + Duration::weeks(KIFID_WEEKS)),
            category: case.category.clone(),
            draft,
            ack_sent: case.acknowledged_at.is_some(),
            position_sent: case.position_sent_at.is_some(),
        };
        let input = reply::Reply {
            commands,
            written,
            rejection,
            today: local_date(tx.now()),
            draft_named: reply::draft_version_in(subject),
        };
        let rules = reply::Rules {
            calendar: &self.calendar,
            review_position: self.directie.review_position,
            late_position_days: self.deadlines.late_position_days,
        };
        let effects = match reply::decide(&view, &input, &rules) {
            Ok(effects) => effects,
            Err(refusal) => return Ok(Err(refusal)),
        };
        // The case as the effects leave it: letters show the new dates.
        let mut current = case.clone();
        let mut done = Done::default();
        for effect in effects {
            match effect {
                Effect::SetStatus(n) => {
                    tx.set_status(case.id, n).await?;
                    current.status = n;
                }
                Effect::SetPositionBy(d) => {
                    tx.set_position_by(case.id, d).await?;
                    current.position_by = d.to_string();
                }
                Effect::SetCategory(c) => {
                    tx.set_category(case.id, c.as_str()).await?;
                    current.category = Some(c.as_str().to_string());
                }
                Effect::SetEmployee(name) => {
                    tx.set_employee(case.id, &name).await?;
                    current.employee = Some(name);
                }
                Effect::SetOutcome(o) => {
                    tx.set_outcome(case.id, o).await?;
                    current.outcome = Some(o);
                }
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
                        .await?;
                    if kind.starts_with("afgehandeld_") {
                        // A position given by phone or in person went out with the call.
                        tx.stamp_sent(case.id, true).await?;
                    }
                    if kind == "termijn_verstreken" {
                        done.warnings.push(detail.clone());
                    }
                    done.lines.push(done_line(&kind, &detail));
                }
                Effect::Letter(kind) => match self.letter_to_customer(tx, &current, &kind).await? {
                    LetterOutcome::Queued(letter) => {
                        // By e-mail it goes out now; on paper when directie posts it.
                        if !letter.by_post {
                            match kind {
                                LetterKind::Acknowledgement { .. } => {
                                    tx.stamp_sent(case.id, false).await?
                                }
                                LetterKind::Position(_) => tx.stamp_sent(case.id, true).await?,
                                LetterKind::Extension { .. } => {}
                            }
                        }
                        done.letters.push(letter)
                    }
                    LetterOutcome::NotSent(why) => done.not_sent.push(why),
                },
                Effect::LetterPosted { position } => tx.stamp_sent(case.id, position).await?,
                Effect::Draft(text) => {
                    let version = tx.save_draft(case.id, &text, from).await?;
                    done.draft = Some((text, version));
                }
            }
        }
        if let Some((text, version)) = done.draft.take() {
            self.draft_to(tx, &current, from, id, &text, version, &done)
                .await?;
        } else if self.directie.confirmations {
            self.confirm_to(tx, &current, from, id, subject, commands, &done)
                .await?;
        }
        tracing::info!(case = %case.case_ref, command = commands[0].word(), status = current.status.as_str(), "directie reply applied");
        Ok(Ok(()))
    }

    /// Queues `mail` (to `member`) about `case`, with that member's reply token (Reply-To
    /// plus-address and Message-ID), so it can be answered like a notification. The
    /// outbox row, unless the mail's dedup key was queued before. Every mail to directie
    /// about a case goes through here.
    pub(super) async fn to_directie_member(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        member: &str,
        mail: NewMail,
    ) -> anyhow::Result<Option<i64>> {
        let token = self.key.token(case.case_ref, member);
        let queued = tx
            .enqueue(&NewMail {
                case_id: Some(case.id),
                reply_to: Some(plus_address(&self.from, &token)),
                id_token: Some(token),
                ..mail
            })
            .await?;
        Ok(queued.map(|(outbox, _)| outbox))
    }

    /// "Verwerkt": what a reply changed, with the letters as sent.
    #[expect(
        clippy::too_many_arguments,
        reason = "a letter to one member needs the transaction, the case, the member and what the letter says"
    )]
    async fn confirm_to(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        member: &str,
        id: i64,
        subject: &str,
        commands: &[Command],
        done: &Done,
    ) -> anyhow::Result<()> {
        let words: Vec<&str> = commands.iter().map(Command::word).collect();
        let body = self.render(Template::Verwerkt, case, |ctx| {
            ctx.insert("subject", subject);
            ctx.insert("done", &done.lines);
            ctx.insert("warnings", &done.warnings);
            ctx.insert("letters", &done.letters);
            ctx.insert("not_sent", &done.not_sent);
            ctx.insert("status", case.status.label());
        })?;
        let title = format!("[{}] Verwerkt: {}", case.case_ref, words.join(", "));
        let mail = NewMail::notice(
            Template::Verwerkt.name(),
            format!("verwerkt:{id}"),
            member,
            title,
            body,
            tx.now(),
        );
        self.to_directie_member(tx, case, member, mail).await?;
        Ok(())
    }

    /// The position letter as a draft to the directie member who wrote it; `VERSTUUR` in
    /// reply sends it.
    #[expect(
        clippy::too_many_arguments,
        reason = "a letter to one member needs the transaction, the case, the member and what the letter says"
    )]
    async fn draft_to(
        &self,
        tx: &mut Tx,
        case: &CaseRow,
        member: &str,
        id: i64,
        text: &str,
        version: u32,
        done: &Done,
    ) -> anyhow::Result<()> {
        let kind = LetterKind::Position(text.to_string());
        let letter = self.render_letter(case, &kind)?;
        let to = self
            .customer_address(case)
            .unwrap_or_else(|why| format!("(geen e-mail: {why})"));
        let body = self.render(Template::ConceptStandpunt, case, |ctx| {
            ctx.insert("letter", &letter.text);
            ctx.insert("letter_subject", &Self::letter_subject(case, &kind));
            ctx.insert("to", &to);
            ctx.insert("version", &version);
            ctx.insert("done", &done.lines);
            ctx.insert("warnings", &done.warnings);
        })?;
        let title = format!(
            "[{}] Concept standpuntbrief (versie {version}): antwoord VERSTUUR om te versturen",
            case.case_ref
        );
        let mail = NewMail::notice(
            Template::ConceptStandpunt.name(),
            format!("concept:{id}"),
            member,
            title,
            body,
            tx.now(),
        );
        self.to_directie_member(tx, case, member, mail).await?;
        Ok(())
    }
}

/// What a carried-out reply did, for the confirmation to directie.
#[derive(Default)]
struct Done {
    lines: Vec<String>,
    warnings: Vec<String>,
    letters: Vec<QueuedLetter>,
    not_sent: Vec<String>,
    /// The draft written by this reply, and its version.
    draft: Option<(String, u32)>,
}

/// One timeline entry of a reply as directie reads it in the confirmation.
fn done_line(kind: &str, detail: &str) -> String {
    match kind {
        "bevestigd" => "bevestigd als klacht".into(),
        "geen_klacht" => "geen klacht: de klager krijgt geen bericht".into(),
        "standpunt" => "standpunt gegeven".into(),
        "standpunt_concept" => "concept van de standpuntbrief gemaakt; nog niet verstuurd".into(),
        "gesloten" => "dossier gesloten".into(),
        "per_post_verstuurd" => "de brief is per post verstuurd".into(),
        "verlengd" => format!("termijn verlengd: {detail}"),
        "termijn_verstreken" => format!("nieuwe standpunttermijn: {detail}"),
        "categorie" => format!("categorie: {detail}"),
        "medewerker" => format!("medewerker: {detail}"),
        "notitie" => format!("notitie: {}", first_chars(detail, 300)),
        "uitkomst" => format!("uitkomst: {}", detail.replace('_', " ")),
        "maatregel" => format!("maatregel vastgelegd: {}", first_chars(detail, 300)),
        "herhaald" => detail.to_string(),
        k => match k.strip_prefix("afgehandeld_") {
            Some(how) => format!("afgehandeld ({how}): {}", first_chars(detail, 300)),
            None => format!("{k}: {}", first_chars(detail, 300)),
        },
    }
}
