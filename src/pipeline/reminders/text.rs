//! How the reminders and the digest describe a case: its status, what is to do, the
//! moment it was last reminded, a doubtful mail's line.

use super::*;

/// One doubtful mail as the digest lists it: its number, sender, subject, arrival, score,
/// the phrases that scored, and what held it back ([`crate::detect::HELD_REASONS`]: a
/// declared complaint about someone else's business, a mail addressed to another
/// organisation, a short text).
pub(super) fn doubt_row(d: &crate::store::Doubt, number: &str) -> serde_json::Value {
    let why = d
        .verdict
        .as_ref()
        .map(|v| {
            v.held_because()
                .map(|i| format!("{} ({})", i.reason, i.phrase))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
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
        "why": why,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Ignored, Language, Verdict};

    #[test]
    fn a_doubtful_mail_says_what_held_it_back() {
        let ignored = |reason: &str, phrase: &str| Ignored {
            reason: reason.into(),
            phrase: phrase.into(),
        };
        let verdict = Verdict {
            complaint: false,
            score: 1.49,
            threshold: 1.5,
            language: Language::Nl,
            screened: None,
            signals: Vec::new(),
            ignored: vec![
                ignored("compliment_naast_verwijt", "dank u wel"),
                ignored(
                    "klacht_verklaard_twijfel",
                    "score 4,02: de woorden naast de klacht zelf -5,3",
                ),
                ignored(
                    "elders_geadresseerd",
                    "Aan de klantenservice van Veluwse Energie,",
                ),
            ],
            truncated: None,
            over_budget_ms: None,
            documents: Vec::new(),
            doubt: true,
        };
        let doubt = crate::store::Doubt {
            id: 17,
            from: Some("jan@example.test".into()),
            subject: Some("Klacht".into()),
            received_at: "2026-11-30T09:00:00Z".into(),
            score: 1.49,
            verdict: Some(verdict),
        };
        let row = doubt_row(&doubt, "17-3f9a");
        assert_eq!(
            row["why"],
            "klacht_verklaard_twijfel (score 4,02: de woorden naast de klacht zelf -5,3); \
             elders_geadresseerd (Aan de klantenservice van Veluwse Energie,)"
        );
        // A mail in the band by its score alone has nothing held.
        let plain = crate::store::Doubt {
            verdict: None,
            ..doubt
        };
        assert_eq!(doubt_row(&plain, "17-3f9a")["why"], "");
    }
}
