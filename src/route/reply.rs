//! Directie's reply to a case: the commands it holds, judged against the case as it is,
//! become effects, or one refusal that says why nothing was done.
//!
//! The rules: the lifecycle of [`Status::apply`] (a decision already taken is noted as
//! repeated and changes nothing); a `KLACHT` written before someone else's `GEEN KLACHT`
//! was recorded is a conflict, not a reconsideration; `UITKOMST` only for a confirmed
//! complaint; `VERLENG` only for a confirmed complaint without a position, to a working day
//! after both the current deadline and today, at most a year ahead; `KLACHT <nummer>`
//! belongs on the digest, not on a case.
//!
//! Time: a complaint confirmed after its position date gets a new date
//! (`late_position_days` working days from today) and a letter that apologises for the
//! delay; every letter that names a date for the position carries the Kifid paragraph
//! when the 8-week mark falls on or before that date. With `review_position`, `STANDPUNT`
//! makes a draft for directie and `VERSTUUR` sends the latest draft.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::calendar::{dutch_date, Calendar};
use crate::case::command::Command;
use crate::case::{CaseRef, Decision, Status};
use crate::domain::effect::{Effect, LetterKind};
pub use crate::domain::refusal::{Refusal, Rejection};

/// What the decider needs to know of the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseView {
    pub reference: CaseRef,
    pub status: Status,
    pub position_by: NaiveDate,
    /// The day the case reaches Kifid's 8-week mark.
    pub kifid_from: NaiveDate,
    pub category: Option<String>,
    /// The latest draft of the position letter (`STANDPUNT` under review), if any.
    pub draft: Option<Draft>,
    /// Whether the acknowledgement and the position have gone out (by e-mail or post).
    pub ack_sent: bool,
    pub position_sent: bool,
}

/// A draft of the position letter: its text and its number (1 for the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub text: String,
    pub version: u32,
}

/// The draft a reply answers, from its subject ("… (versie 2) …").
pub fn draft_version_in(subject: &str) -> Option<u32> {
    let lower = subject.to_lowercase();
    let at = lower.find("(versie ")?;
    let digits: String = lower[at + 8..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The firm's settings a decision depends on.
pub struct Rules<'a> {
    pub calendar: &'a Calendar,
    /// `directie.review_position`.
    pub review_position: bool,
    /// `deadlines.late_position_days`.
    pub late_position_days: u32,
}

/// One reply to judge.
pub struct Reply<'a> {
    pub commands: &'a [Command],
    /// The reply's Date header.
    pub written: Option<DateTime<Utc>>,
    /// The latest `GEEN KLACHT` on the case, if any.
    pub rejection: Option<Rejection>,
    /// Today in Amsterdam.
    pub today: NaiveDate,
    /// The draft version named in the reply's subject, if any.
    pub draft_named: Option<u32>,
}

/// The effects of `reply` on `case`, in the order they are to be written, or the refusal
/// of the whole reply.
pub fn decide(case: &CaseView, reply: &Reply, rules: &Rules) -> Result<Vec<Effect>, Refusal> {
    let calendar = rules.calendar;
    let mut effects = Vec::new();
    let mut status = case.status;
    let mut position_by = case.position_by;
    let mut category = case.category.clone();
    // A late confirmation's new date, for the acknowledgement.
    let mut promised: Option<NaiveDate> = None;
    for c in reply.commands {
        // Under review a position is a draft: it changes nothing yet, but only where a
        // position could be given.
        if let (Command::Position(text), true) = (c, rules.review_position) {
            match status.apply(Decision::Position) {
                Ok(Some(_)) => {
                    effects.push(Effect::Event {
                        kind: "standpunt_concept".into(),
                        detail: format!("concept standpuntbrief: {}", first_chars(text, 300)),
                    });
                    effects.push(Effect::Draft(text.clone()));
                }
                Ok(None) => effects.push(Effect::Event {
                    kind: "herhaald".into(),
                    detail: "STANDPUNT: het standpunt is al gegeven; niets veranderd".into(),
                }),
                Err(error) => {
                    return Err(Refusal::Transition {
                        error,
                        case: case.reference,
                    })
                }
            }
            continue;
        }
        let sent_draft;
        let c = match c {
            Command::Send => {
                if status == Status::InBehandeling {
                    let Some(draft) = case.draft.clone() else {
                        return Err(Refusal::NoDraft {
                            case: case.reference,
                        });
                    };
                    if let Some(named) = reply.draft_named.filter(|n| *n != draft.version) {
                        return Err(Refusal::DraftReplaced {
                            named,
                            latest: draft.version,
                            case: case.reference,
                        });
                    }
                    sent_draft = Command::Position(draft.text);
                    &sent_draft
                } else {
                    c
                }
            }
            other => other,
        };
        let decision = match c {
            Command::Confirm => Some(Decision::Confirm),
            Command::Reject => Some(Decision::Reject),
            Command::Position(_) | Command::HandledOrally { .. } | Command::Send => {
                Some(Decision::Position)
            }
            Command::Close => Some(Decision::Close),
            _ => None,
        };
        if decision == Some(Decision::Confirm) && status == Status::GeenKlacht {
            if let Some(rejection) = overtaken(reply) {
                return Err(Refusal::Overtaken {
                    rejection,
                    case: case.reference,
                });
            }
        }
        let next = match decision {
            Some(d) => status.apply(d).map_err(|error| Refusal::Transition {
                error,
                case: case.reference,
            })?,
            None => None,
        };
        if decision.is_some() && next.is_none() {
            effects.push(Effect::Event {
                kind: "herhaald".into(),
                detail: format!("{} was al verwerkt; niets veranderd", c.word()),
            });
            continue;
        }
        if let Some(n) = next {
            effects.push(Effect::SetStatus(n));
            status = n;
        }
        let (kind, detail): (String, String) = match c {
            Command::Confirm if position_by < reply.today => {
                // Confirmed after the position date: a new date, never one in the past.
                let moved = calendar
                    .add_working_days(reply.today, rules.late_position_days)
                    .map_err(|error| Refusal::LateCalendar {
                        error,
                        case: case.reference,
                    })?;
                // The register keeps the procedure's deadline (the half-yearly review must
                // see it was missed); the letter promises the new date.
                promised = Some(moved);
                effects.push(Effect::Event {
                    kind: "termijn_verstreken".into(),
                    detail: format!(
                        "de standpunttermijn ({}) was al verstreken; de klager krijgt excuses en een nieuwe datum: {}{}",
                        dutch_date(position_by),
                        dutch_date(moved),
                        if case.kifid_from <= moved {
                            ", met de mogelijkheid van Kifid"
                        } else {
                            ""
                        }
                    ),
                });
                ("bevestigd".into(), "directie: dit is een klacht".into())
            }
            Command::Confirm => ("bevestigd".into(), "directie: dit is een klacht".into()),
            Command::Reject => (
                "geen_klacht".into(),
                "directie: geen klacht; klager krijgt niets".into(),
            ),
            Command::Position(text) => (
                "standpunt".into(),
                format!("standpunt per brief: {}", first_chars(text, 300)),
            ),
            Command::HandledOrally { how, summary } => {
                (format!("afgehandeld_{}", how.as_str()), summary.clone())
            }
            Command::Close => ("gesloten".into(), "dossier gesloten".into()),
            Command::Extend { until, reason } => {
                let moved = extension(
                    case.reference,
                    status,
                    position_by,
                    *until,
                    reply.today,
                    calendar,
                )?;
                effects.push(Effect::SetPositionBy(moved));
                let note = if moved != *until {
                    format!(
                        " ({} is geen werkdag: {})",
                        dutch_date(*until),
                        calendar.closed_reason(*until).unwrap_or("gesloten")
                    )
                } else {
                    String::new()
                };
                let detail = format!(
                    "standpunt uiterlijk {}{note}, was {}: {reason}",
                    dutch_date(moved),
                    dutch_date(position_by)
                );
                position_by = moved;
                ("verlengd".into(), detail)
            }
            Command::Category(cat) => {
                effects.push(Effect::SetCategory(*cat));
                category = Some(cat.as_str().to_string());
                ("categorie".into(), cat.as_str().into())
            }
            Command::Employee(name) => {
                effects.push(Effect::SetEmployee(name.clone()));
                ("medewerker".into(), name.clone())
            }
            Command::Note(text) => ("notitie".into(), text.clone()),
            Command::Outcome(o) => {
                if matches!(status, Status::Kandidaat | Status::GeenKlacht) {
                    return Err(Refusal::OutcomeTooEarly {
                        status,
                        case: case.reference,
                    });
                }
                effects.push(Effect::SetOutcome(*o));
                ("uitkomst".into(), o.as_str().into())
            }
            Command::Send => unreachable!("VERSTUUR is the draft's STANDPUNT or repeated"),
            Command::Posted => {
                // The earliest letter still waiting for the post.
                let (position, what) = if !case.ack_sent && status != Status::Kandidaat {
                    (false, "ontvangstbevestiging")
                } else if !case.position_sent
                    && matches!(status, Status::StandpuntGegeven | Status::Gesloten)
                {
                    (true, "standpuntbrief")
                } else {
                    return Err(Refusal::NothingToPost {
                        case: case.reference,
                    });
                };
                effects.push(Effect::LetterPosted { position });
                (
                    "per_post_verstuurd".into(),
                    format!("directie: de {what} is per post verstuurd"),
                )
            }
            Command::Promote { .. } => {
                return Err(Refusal::PromoteOnCase {
                    case: case.reference,
                })
            }
            Command::Measure(text) => {
                effects.push(Effect::AddMeasure {
                    text: text.clone(),
                    category: category.clone(),
                });
                ("maatregel".into(), text.clone())
            }
        };
        effects.push(Effect::Event { kind, detail });
        let kifid = case.kifid_from <= promised.unwrap_or(position_by);
        match c {
            Command::Confirm => effects.push(Effect::Letter(LetterKind::Acknowledgement {
                promised: promised.take(),
                kifid,
            })),
            Command::Position(text) => {
                effects.push(Effect::Letter(LetterKind::Position(text.clone())))
            }
            Command::Extend { reason, .. } => effects.push(Effect::Letter(LetterKind::Extension {
                // A date that has passed is not repeated to the complainant.
                previous: (case.position_by >= reply.today).then_some(case.position_by),
                reason: reason.clone(),
                kifid,
            })),
            _ => {}
        }
    }
    Ok(effects)
}

/// The earlier `GEEN KLACHT` a `KLACHT` did not know of: recorded after the reply was
/// written. A reply without a Date, or written after it, reconsiders the case.
fn overtaken(reply: &Reply) -> Option<Rejection> {
    let rejection = reply.rejection.as_ref()?;
    let written = reply.written?;
    (written < rejection.at).then(|| rejection.clone())
}

/// `VERLENG until`: the working day the position moves to.
fn extension(
    case: CaseRef,
    status: Status,
    current: NaiveDate,
    until: NaiveDate,
    today: NaiveDate,
    calendar: &Calendar,
) -> Result<NaiveDate, Refusal> {
    if status != Status::InBehandeling {
        return Err(Refusal::ExtendNotNow { status, case });
    }
    let moved = calendar
        .on_or_next_working_day(until)
        .map_err(|error| Refusal::ExtendCalendar { until, error, case })?;
    if moved <= current || moved <= today {
        return Err(Refusal::ExtendNotLater {
            until,
            current,
            case,
        });
    }
    if moved > today + Duration::days(366) {
        return Err(Refusal::ExtendTooFar { until, case });
    }
    Ok(moved)
}

/// At most `n` characters of `s`, with "…" when cut.
pub fn first_chars(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests;
