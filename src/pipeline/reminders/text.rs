//! How the reminders and the digest describe a case: its status, what is to do, the
//! moment it was last reminded, a doubtful mail's line.

use super::*;

/// One doubtful mail as the digest lists it: its number, sender, subject, arrival, score
/// and the phrases that scored.
pub(super) fn doubt_row(d: &crate::store::Doubt, number: &str) -> serde_json::Value {
    let signals = d
        .verdict
        .as_ref()
        .map(|v| {
            v.signals
                .iter()
                .map(|s| format!("{} \"{}\"", s.criterion, s.phrase))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    serde_json::json!({
        "number": number,
        "from": d.from.clone().unwrap_or_else(|| "(onbekend)".into()),
        "subject": d.subject.clone().unwrap_or_else(|| "(geen onderwerp)".into()),
        "received": DateTime::parse_from_rfc3339(&d.received_at)
            .map(|t| dutch_date(local_date(t.with_timezone(&Utc))))
            .unwrap_or_else(|_| d.received_at.clone()),
        "score": d.score,
        "signals": signals,
    })
}

/// The due moment of the latest reminder sent for the case.
pub(super) fn reminded_through(case: &CaseRow) -> Option<DateTime<Utc>> {
    case.reminded_through
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

pub(super) fn status_text(s: Status) -> &'static str {
    match s {
        Status::Kandidaat => "kandidaat (wacht op uw beslissing)",
        Status::InBehandeling => "in behandeling (wacht op het standpunt)",
        Status::GeenKlacht => "geen klacht",
        Status::StandpuntGegeven => "standpunt gegeven",
        Status::Gesloten => "gesloten",
    }
}

pub(super) fn todo_text(s: Status) -> &'static str {
    match s {
        Status::Kandidaat => {
            "beslis of dit een klacht is: antwoord KLACHT (de ontvangstbevestiging gaat dan uit) of GEEN KLACHT"
        }
        _ => {
            "geef het gemotiveerde standpunt: antwoord STANDPUNT met de tekst eronder, AFGEHANDELD telefonisch|persoonlijk met een samenvatting, of VERLENG datum reden"
        }
    }
}
