//! Cases: the reference (`KL-2026-0007`), the lifecycle as an explicit state machine, the
//! categories, directie's reply commands and the per-case reply tokens. Pure: no I/O.

pub mod command;
pub mod token;

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// A case reference: `KL-<year>-<nnnn>`, sequential per year, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseRef {
    year: i32,
    seq: u32,
}

static REF_IN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bKL-(\d{4})-(\d{4,7})\b").expect("reference pattern"));

impl CaseRef {
    pub fn new(year: i32, seq: u32) -> Option<CaseRef> {
        ((1000..=9999).contains(&year) && seq >= 1).then_some(CaseRef { year, seq })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn seq(self) -> u32 {
        self.seq
    }

    /// The first reference written anywhere in `text` (a subject line, say).
    pub fn find_in(text: &str) -> Option<CaseRef> {
        REF_IN_TEXT
            .captures_iter(text)
            .find_map(|c| CaseRef::new(c[1].parse().ok()?, c[2].parse().ok()?))
    }
}

impl fmt::Display for CaseRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KL-{}-{:04}", self.year, self.seq)
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a case reference (expected KL-<year>-<number>, e.g. KL-2026-0007)")]
pub struct BadRef(pub String);

impl FromStr for CaseRef {
    type Err = BadRef;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let whole = REF_IN_TEXT
            .captures(t)
            .filter(|c| c.get(0).is_some_and(|m| m.as_str().len() == t.len()));
        whole
            .and_then(|c| CaseRef::new(c[1].parse().ok()?, c[2].parse().ok()?))
            .ok_or_else(|| BadRef(s.to_string()))
    }
}

/// Where a case stands (DESIGN.md, "Case lifecycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Flagged, waiting for directie.
    Kandidaat,
    /// Directie decided it is not a complaint.
    GeenKlacht,
    /// Confirmed; acknowledgement queued or sent.
    InBehandeling,
    /// The position has been given to the complainant.
    StandpuntGegeven,
    /// Archived.
    Gesloten,
}

pub const STATUSES: [Status; 5] = [
    Status::Kandidaat,
    Status::GeenKlacht,
    Status::InBehandeling,
    Status::StandpuntGegeven,
    Status::Gesloten,
];

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Kandidaat => "kandidaat",
            Status::GeenKlacht => "geen_klacht",
            Status::InBehandeling => "in_behandeling",
            Status::StandpuntGegeven => "standpunt_gegeven",
            Status::Gesloten => "gesloten",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        STATUSES.into_iter().find(|st| st.as_str() == s.trim())
    }

    /// The status a decision leads to. `Ok(None)` means the decision was already taken
    /// (the same reply twice is applied once); an error means it does not apply now.
    pub fn apply(self, decision: Decision) -> Result<Option<Status>, TransitionError> {
        use Decision::*;
        use Status::*;
        let next = match (self, decision) {
            (Kandidaat | GeenKlacht, Confirm) => Some(InBehandeling),
            (InBehandeling | StandpuntGegeven, Confirm) => None,
            (Kandidaat, Reject) => Some(GeenKlacht),
            (GeenKlacht, Reject) => None,
            (InBehandeling, Position) => Some(StandpuntGegeven),
            (StandpuntGegeven, Position) => None,
            (Gesloten, Close) => None,
            (_, Close) => Some(Gesloten),
            (from, decision) => return Err(TransitionError { from, decision }),
        };
        Ok(next)
    }
}

impl Status {
    /// The status as a person reads it, in Dutch.
    pub fn label(self) -> &'static str {
        match self {
            Status::Kandidaat => "kandidaat (nog niet beoordeeld)",
            Status::GeenKlacht => "geen klacht",
            Status::InBehandeling => "in behandeling",
            Status::StandpuntGegeven => "standpunt gegeven",
            Status::Gesloten => "gesloten",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What directie can decide about a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// It is a complaint: acknowledge it.
    Confirm,
    /// It is not a complaint.
    Reject,
    /// The position has been given (by letter or orally).
    Position,
    /// Archive the case.
    Close,
}

impl Decision {
    pub fn word(self) -> &'static str {
        match self {
            Decision::Confirm => "KLACHT",
            Decision::Reject => "GEEN KLACHT",
            Decision::Position => "STANDPUNT/AFGEHANDELD",
            Decision::Close => "SLUIT",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{} kan niet: de zaak is {}", decision.word(), from.label())]
pub struct TransitionError {
    pub from: Status,
    pub decision: Decision,
}

/// The categories of the half-yearly inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Advies,
    Informatie,
    Termijn,
    Bejegening,
    Overig,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Advies => "advies",
            Category::Informatie => "informatie",
            Category::Termijn => "termijn",
            Category::Bejegening => "bejegening",
            Category::Overig => "overig",
        }
    }

    /// Dutch names, and the English words directie may use instead.
    pub fn parse(s: &str) -> Option<Category> {
        match s.trim().to_lowercase().as_str() {
            "advies" | "advice" => Some(Category::Advies),
            "informatie" | "information" | "info" => Some(Category::Informatie),
            "termijn" | "delay" | "timeliness" | "term" => Some(Category::Termijn),
            "bejegening" | "conduct" | "treatment" | "behaviour" | "behavior" => {
                Some(Category::Bejegening)
            }
            "overig" | "other" => Some(Category::Overig),
            _ => None,
        }
    }
}

/// Directie's judgement of a complaint (`UITKOMST`), for the register and the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Gegrond,
    DeelsGegrond,
    Ongegrond,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Gegrond, Outcome::DeelsGegrond, Outcome::Ongegrond];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Gegrond => "gegrond",
            Outcome::DeelsGegrond => "deels_gegrond",
            Outcome::Ongegrond => "ongegrond",
        }
    }

    /// Dutch words (with a space or hyphen in "deels gegrond") and the English ones.
    pub fn parse(s: &str) -> Option<Outcome> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        match s.as_str() {
            "gegrond" | "upheld" => Some(Outcome::Gegrond),
            "deels_gegrond"
            | "deelsgegrond"
            | "gedeeltelijk_gegrond"
            | "partly_upheld"
            | "partially_upheld" => Some(Outcome::DeelsGegrond),
            "ongegrond" | "rejected" | "not_upheld" => Some(Outcome::Ongegrond),
            _ => None,
        }
    }
}

/// How a case came to be opened: what the detector did with its mail, or that no mail was
/// judged (a Klachtenformulier). The half-yearly inventory counts complaints by it, which
/// shows how many complaints in the firm's own mail the detector found by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The detector flagged the mail and the case opened by itself.
    Herkend,
    /// The mail scored in the doubt band and was made a case after all (by directie from
    /// the digest, or with `promote`).
    Twijfelgeval,
    /// The detector did not flag the mail; it was made a case by hand (`promote`).
    MetDeHand,
    /// Directie forwarded a mail that had not reached the watched mailbox with `KLACHT`.
    Doorgestuurd,
    /// A Klachtenformulier: by phone, in person or by letter, no mail judged.
    Formulier,
    /// Not known: the register's routing note is gone (personal data removed) or missing.
    Onbekend,
}

/// The routing note of a mail made a case by hand (`promote`) that was not routed before.
pub const ROUTED_PROMOTED: &str = "promoted";
/// The routing note of a mail directie forwarded with `KLACHT` on top.
pub const ROUTED_FORWARDED: &str = "forwarded by directie";

impl Origin {
    pub const ALL: [Origin; 6] = [
        Origin::Herkend,
        Origin::Twijfelgeval,
        Origin::MetDeHand,
        Origin::Doorgestuurd,
        Origin::Formulier,
        Origin::Onbekend,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Herkend => "herkend",
            Origin::Twijfelgeval => "twijfelgeval",
            Origin::MetDeHand => "met_de_hand",
            Origin::Doorgestuurd => "doorgestuurd",
            Origin::Formulier => "formulier",
            Origin::Onbekend => "onbekend",
        }
    }

    /// From the case's channel and how its mail was routed (`routing.route` and
    /// `routing.detail` of the case's first message, when it has one). Removing personal
    /// data clears a routing note but for [`ROUTED_PROMOTED`] and [`ROUTED_FORWARDED`], so
    /// that the origin stays as it was.
    pub fn of(channel: Channel, route: Option<&str>, detail: Option<&str>) -> Origin {
        if channel != Channel::Email {
            return Origin::Formulier;
        }
        match (route, detail) {
            (None, _) => Origin::Onbekend,
            (Some("doubt"), _) => Origin::Twijfelgeval,
            (Some("formulier"), _) => Origin::Formulier,
            (Some("case"), Some(ROUTED_FORWARDED)) => Origin::Doorgestuurd,
            (Some("case"), Some(ROUTED_PROMOTED)) => Origin::MetDeHand,
            (Some("case"), _) => Origin::Herkend,
            // Routed as something else first (an ordinary message, held at a first run,
            // screened), then made a case by hand.
            (Some(_), _) => Origin::MetDeHand,
        }
    }
}

/// How the complaint reached the firm: by e-mail, or on a Klachtenformulier by phone, in
/// person or by letter. `Formulier` is a form of an early register that did not record
/// how it came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Telefoon,
    Mondeling,
    Brief,
    Formulier,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Telefoon => "telefoon",
            Channel::Mondeling => "mondeling",
            Channel::Brief => "brief",
            Channel::Formulier => "formulier",
        }
    }

    /// The register's word for the channel.
    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "telefoon" => Some(Channel::Telefoon),
            "mondeling" => Some(Channel::Mondeling),
            "brief" => Some(Channel::Brief),
            "formulier" => Some(Channel::Formulier),
            _ => None,
        }
    }

    /// Taken down by an employee from what the complainant said (phone, in person, or a
    /// form without its channel): the acknowledgement repeats the complaint as noted.
    pub fn is_spoken(self) -> bool {
        matches!(
            self,
            Channel::Telefoon | Channel::Mondeling | Channel::Formulier
        )
    }
}

impl From<crate::form::Channel> for Channel {
    fn from(c: crate::form::Channel) -> Channel {
        match c {
            crate::form::Channel::Telefoon => Channel::Telefoon,
            crate::form::Channel::Mondeling => Channel::Mondeling,
            crate::form::Channel::Brief => Channel::Brief,
        }
    }
}

/// How an oral position was given (`AFGEHANDELD telefonisch|persoonlijk`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oral {
    Telefonisch,
    Persoonlijk,
}

impl Oral {
    pub fn as_str(self) -> &'static str {
        match self {
            Oral::Telefonisch => "telefonisch",
            Oral::Persoonlijk => "persoonlijk",
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_case_s_origin_follows_how_its_mail_was_routed() {
        use super::{Channel, Origin};
        let of = Origin::of;
        assert_eq!(of(Channel::Email, Some("case"), None), Origin::Herkend);
        assert_eq!(
            of(Channel::Email, Some("doubt"), None),
            Origin::Twijfelgeval
        );
        assert_eq!(
            of(Channel::Email, Some("case"), Some("promoted")),
            Origin::MetDeHand
        );
        // Routed as an ordinary message (or held, or screened) first, promoted later.
        for route in ["message", "archive", "screened"] {
            assert_eq!(
                of(Channel::Email, Some(route), None),
                Origin::MetDeHand,
                "{route}"
            );
        }
        assert_eq!(
            of(Channel::Email, Some("case"), Some("forwarded by directie")),
            Origin::Doorgestuurd
        );
        for channel in [Channel::Telefoon, Channel::Mondeling, Channel::Brief] {
            assert_eq!(of(channel, None, None), Origin::Formulier);
        }
        assert_eq!(
            of(Channel::Email, Some("formulier"), None),
            Origin::Formulier
        );
        // Trap: a routing note other than the two that name an origin (a screening reason,
        // a first run's hold) says nothing of it.
        assert_eq!(
            of(Channel::Email, Some("case"), Some("anything else")),
            Origin::Herkend
        );
        assert_eq!(of(Channel::Email, None, None), Origin::Onbekend);
    }
    use super::*;

    #[test]
    fn references_parse_print_and_are_found() {
        let r: CaseRef = "KL-2026-0007".parse().unwrap();
        assert_eq!(r.to_string(), "KL-2026-0007");
        assert_eq!("kl-2026-0007".parse::<CaseRef>().unwrap(), r);
        assert_eq!(
            CaseRef::new(2027, 12345).unwrap().to_string(),
            "KL-2027-12345"
        );
        for bad in [
            "KL-2026-7",
            "KL-26-0007",
            "KL-2026-0000",
            "x KL-2026-0007",
            "",
        ] {
            assert!(bad.parse::<CaseRef>().is_err(), "{bad:?}");
        }
        assert_eq!(
            CaseRef::find_in("Re: [KL-2026-0007] Mogelijke klacht: polis"),
            Some(r)
        );
        assert_eq!(CaseRef::find_in("Re: polis 2026-0007"), None);
    }

    #[test]
    fn lifecycle_transitions() {
        use Decision::*;
        use Status::*;
        assert_eq!(Kandidaat.apply(Confirm), Ok(Some(InBehandeling)));
        assert_eq!(Kandidaat.apply(Reject), Ok(Some(GeenKlacht)));
        // Directie may change its mind about a rejected candidate.
        assert_eq!(GeenKlacht.apply(Confirm), Ok(Some(InBehandeling)));
        assert_eq!(InBehandeling.apply(Position), Ok(Some(StandpuntGegeven)));
        assert_eq!(StandpuntGegeven.apply(Close), Ok(Some(Gesloten)));
        // The same decision twice is applied once.
        assert_eq!(InBehandeling.apply(Confirm), Ok(None));
        assert_eq!(GeenKlacht.apply(Reject), Ok(None));
        assert_eq!(StandpuntGegeven.apply(Position), Ok(None));
        assert_eq!(Gesloten.apply(Close), Ok(None));
        // Illegal transitions are errors, with the reason.
        let e = Kandidaat.apply(Position).unwrap_err();
        assert_eq!(e.from, Kandidaat);
        assert!(e.to_string().contains("kandidaat"), "{e}");
        assert!(InBehandeling.apply(Reject).is_err());
        assert!(Gesloten.apply(Confirm).is_err());
        assert!(Gesloten.apply(Position).is_err());
        for s in STATUSES {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn outcomes() {
        assert_eq!(Outcome::parse("Deels gegrond"), Some(Outcome::DeelsGegrond));
        assert_eq!(Outcome::parse("deels-gegrond"), Some(Outcome::DeelsGegrond));
        assert_eq!(Outcome::parse("UPHELD"), Some(Outcome::Gegrond));
        assert_eq!(Outcome::parse("ongegrond"), Some(Outcome::Ongegrond));
        assert_eq!(Outcome::parse("misschien"), None);
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }

    #[test]
    fn categories() {
        assert_eq!(Category::parse("Bejegening"), Some(Category::Bejegening));
        assert_eq!(Category::parse("advice"), Some(Category::Advies));
        assert_eq!(Category::parse("klantvriendelijk"), None);
    }
}
