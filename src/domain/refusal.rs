//! Why a directie mail is not carried out: one value per reason, said in Dutch to the
//! member who sent it (the "Antwoord niet uitgevoerd" notice) and kept in the register.
//! Nothing of a refused mail is done.

use chrono::{DateTime, NaiveDate, Utc};

use crate::authority::Unproven;
use crate::calendar::{dutch_date, CalendarError};
use crate::case::command::CommandError;
use crate::case::{CaseRef, Status, TransitionError};

/// A `GEEN KLACHT` already recorded on the case: when, and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub at: DateTime<Utc>,
    pub by: String,
}

/// Why a reply was not carried out (nothing of it is).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{error} ({case})")]
    Transition {
        error: TransitionError,
        case: CaseRef,
    },
    #[error("KLACHT is niet uitgevoerd: {} besloot op {} GEEN KLACHT, nadat uw antwoord was geschreven. Wilt u dat besluit herzien, beantwoord de melding dan opnieuw met KLACHT ({case})", .rejection.by, amsterdam(&.rejection.at))]
    Overtaken { rejection: Rejection, case: CaseRef },
    #[error("UITKOMST past alleen bij een bevestigde klacht; deze zaak is {} ({case})", .status.as_str())]
    OutcomeTooEarly { status: Status, case: CaseRef },
    #[error("VERLENG past alleen bij een bevestigde klacht zonder standpunt; deze zaak is {} ({case})", .status.as_str())]
    ExtendNotNow { status: Status, case: CaseRef },
    #[error("VERLENG {until}: {error} ({case})")]
    ExtendCalendar {
        until: NaiveDate,
        error: CalendarError,
        case: CaseRef,
    },
    #[error("de nieuwe datum {} ligt niet na de huidige termijn {} (en na vandaag) ({case})", dutch_date(*.until), dutch_date(*.current))]
    ExtendNotLater {
        until: NaiveDate,
        current: NaiveDate,
        case: CaseRef,
    },
    #[error("de nieuwe datum {} ligt meer dan een jaar vooruit ({case})", dutch_date(*.until))]
    ExtendTooFar { until: NaiveDate, case: CaseRef },
    #[error("VERSTUUR: er is geen concept van de standpuntbrief om te versturen; stuur eerst STANDPUNT met het standpunt eronder ({case})")]
    NoDraft { case: CaseRef },
    #[error("VERSTUUR: dit antwoord hoort bij versie {named} van het concept, maar er is een nieuwere versie {latest}; beantwoord die met VERSTUUR ({case})")]
    DraftReplaced {
        named: u32,
        latest: u32,
        case: CaseRef,
    },
    #[error(
        "VERSTUURD PER POST: er wacht bij deze zaak geen brief op verzending per post ({case})"
    )]
    NothingToPost { case: CaseRef },
    #[error("de nieuwe standpunttermijn kon niet worden berekend: {error} ({case})")]
    LateCalendar { error: CalendarError, case: CaseRef },
    #[error("KLACHT <nummer> hoort in een antwoord op het overzicht met twijfelgevallen, niet bij zaak {case}")]
    PromoteOnCase { case: CaseRef },
    #[error("{0}")]
    Unproven(#[from] Unproven),
    #[error("een doorgestuurde mail met KLACHT wordt alleen uitgevoerd als u hem naar uw eigen doorstuuradres stuurt: {address}")]
    ForwardToOwnAddress { address: String },
    #[error("de doorgestuurde mail noemt geen e-mailadres van de afzender (de regel Van: toont alleen een naam); stuur hem opnieuw door met het adres in de kopregels, of leg de klacht vast met het Klachtenformulier")]
    ForwardWithoutSender,
    #[error("het kenmerk in uw antwoord hoort niet bij uw adres (of is gewijzigd)")]
    TokenNotYours,
    #[error("uw antwoord bevat geen kenmerk van klachtenbus; beantwoord de melding zelf, zodat het antwoordadres klachten+kl-… blijft staan")]
    NoToken,
    #[error("het onderwerp noemt {named}, maar het antwoordadres hoort bij {case}")]
    SubjectNamesOther { named: CaseRef, case: CaseRef },
    #[error("{error} (zaak {case})")]
    Unreadable { error: CommandError, case: CaseRef },
    #[error("zaak {case} bestaat niet (meer)")]
    NoSuchCase { case: CaseRef },
    #[error("nummer {number} staat niet in een overzicht aan uw adres")]
    UnknownNumber { number: String },
    #[error(
        "bericht {number} staat niet (meer) bij de twijfelgevallen; misschien is het al een zaak"
    )]
    NotADoubt { number: String },
}

impl Refusal {
    /// The case the refused mail was about, when its reply address proved one.
    pub fn case(&self) -> Option<CaseRef> {
        match self {
            Refusal::Transition { case, .. }
            | Refusal::Overtaken { case, .. }
            | Refusal::OutcomeTooEarly { case, .. }
            | Refusal::ExtendNotNow { case, .. }
            | Refusal::ExtendCalendar { case, .. }
            | Refusal::ExtendNotLater { case, .. }
            | Refusal::ExtendTooFar { case, .. }
            | Refusal::NoDraft { case }
            | Refusal::DraftReplaced { case, .. }
            | Refusal::NothingToPost { case }
            | Refusal::LateCalendar { case, .. }
            | Refusal::PromoteOnCase { case }
            | Refusal::SubjectNamesOther { case, .. }
            | Refusal::Unreadable { case, .. }
            | Refusal::NoSuchCase { case } => Some(*case),
            Refusal::Unproven(_)
            | Refusal::ForwardToOwnAddress { .. }
            | Refusal::ForwardWithoutSender
            | Refusal::TokenNotYours
            | Refusal::NoToken
            | Refusal::UnknownNumber { .. }
            | Refusal::NotADoubt { .. } => None,
        }
    }
}

/// A moment as directie reads it: "maandag 30 november 2026 om 14:05".
fn amsterdam(at: &DateTime<Utc>) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::Amsterdam);
    format!(
        "{} om {}",
        dutch_date(local.date_naive()),
        local.format("%H:%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> CaseRef {
        "KL-2026-0009".parse().unwrap()
    }

    /// Every refusal says what was wrong in Dutch, names the case it is about when the
    /// reply proved one, and no other.
    #[test]
    fn each_refusal_names_its_case_and_says_why() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
        let table: Vec<(Refusal, Option<CaseRef>, &str)> = vec![
            (
                Refusal::Unproven(Unproven::FromHeaders(2)),
                None,
                "2 From-regels",
            ),
            (
                Refusal::ForwardToOwnAddress {
                    address: "klachten+fw-x@firma.example".into(),
                },
                None,
                "klachten+fw-x@firma.example",
            ),
            (
                Refusal::ForwardWithoutSender,
                None,
                "geen e-mailadres van de afzender",
            ),
            (Refusal::TokenNotYours, None, "hoort niet bij uw adres"),
            (Refusal::NoToken, None, "geen kenmerk"),
            (
                Refusal::SubjectNamesOther {
                    named: "KL-2026-0003".parse().unwrap(),
                    case: case(),
                },
                Some(case()),
                "het onderwerp noemt KL-2026-0003",
            ),
            (
                Refusal::NoSuchCase { case: case() },
                Some(case()),
                "bestaat niet (meer)",
            ),
            (
                Refusal::UnknownNumber {
                    number: "12-abc".into(),
                },
                None,
                "nummer 12-abc staat niet in een overzicht",
            ),
            (
                Refusal::NotADoubt {
                    number: "12-abc".into(),
                },
                None,
                "bericht 12-abc staat niet (meer) bij de twijfelgevallen",
            ),
            (
                Refusal::ExtendNotLater {
                    until: day,
                    current: day,
                    case: case(),
                },
                Some(case()),
                "maandag 14 december 2026",
            ),
            (
                Refusal::OutcomeTooEarly {
                    status: Status::Kandidaat,
                    case: case(),
                },
                Some(case()),
                "UITKOMST past alleen bij een bevestigde klacht",
            ),
            (
                Refusal::NoDraft { case: case() },
                Some(case()),
                "geen concept",
            ),
        ];
        for (refusal, named, says) in table {
            assert_eq!(refusal.case(), named, "{refusal:?}");
            let text = refusal.to_string();
            assert!(text.contains(says), "{refusal:?}: {text}");
            if let Some(c) = named {
                assert!(text.contains(&c.to_string()), "{refusal:?}: {text}");
            }
        }
    }
}
