//! The words the command line shows to people, in Dutch (the default) or English, and
//! times and dates as people read them: in Europe/Amsterdam, not UTC.
//!
//! Machine values (statuses, outcomes, categories, channels, timeline kinds, …) stay as
//! they are in `--json`, CSV and the database; only what a person reads goes through
//! here. A value this module does not know (a kind added later) is shown with its
//! underscores turned into spaces, never as a raw identifier.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;

use crate::case::{Category, Outcome, Status};
pub use crate::detect::Language;

/// One message in both languages: `t(lang, "geen zaak", "no case")`.
pub fn t<'a>(lang: Language, nl: &'a str, en: &'a str) -> &'a str {
    match lang {
        Language::Nl => nl,
        Language::En => en,
    }
}

/// `n` with the singular or plural noun: `count(lang, 4, ("zaak", "zaken"), ("case", "cases"))`
/// is "4 zaken".
pub fn count(lang: Language, n: usize, nl: (&str, &str), en: (&str, &str)) -> String {
    let (one, many) = match lang {
        Language::Nl => nl,
        Language::En => en,
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `nl` or `en` as given to `--lang` (or `ui.language`).
pub fn parse_language(s: &str) -> Option<Language> {
    match s.trim().to_ascii_lowercase().as_str() {
        "nl" | "nederlands" | "dutch" => Some(Language::Nl),
        "en" | "engels" | "english" => Some(Language::En),
        _ => None,
    }
}

/// A value this module has no words for: readable all the same.
fn fallback(s: &str) -> String {
    s.replace('_', " ")
}

// ---------------------------------------------------------------------------------------
// Machine values

pub fn status(lang: Language, s: Status) -> &'static str {
    match s {
        Status::Kandidaat => t(lang, "kandidaat", "candidate"),
        Status::GeenKlacht => t(lang, "geen klacht", "not a complaint"),
        Status::InBehandeling => t(lang, "in behandeling", "in progress"),
        Status::StandpuntGegeven => t(lang, "standpunt gegeven", "position given"),
        Status::Gesloten => t(lang, "gesloten", "closed"),
    }
}

pub fn outcome(lang: Language, o: Outcome) -> &'static str {
    match o {
        Outcome::Gegrond => t(lang, "gegrond", "upheld"),
        Outcome::DeelsGegrond => t(lang, "deels gegrond", "partly upheld"),
        Outcome::Ongegrond => t(lang, "ongegrond", "not upheld"),
    }
}

/// A stored outcome (`deels_gegrond`, …).
pub fn outcome_str(lang: Language, s: &str) -> String {
    match Outcome::ALL.into_iter().find(|o| o.as_str() == s) {
        Some(o) => outcome(lang, o).to_string(),
        None => fallback(s),
    }
}

pub const CATEGORIES: [Category; 5] = [
    Category::Advies,
    Category::Informatie,
    Category::Termijn,
    Category::Bejegening,
    Category::Overig,
];

pub fn category(lang: Language, c: Category) -> &'static str {
    match c {
        Category::Advies => t(lang, "advies", "advice"),
        Category::Informatie => t(lang, "informatie", "information"),
        Category::Termijn => t(lang, "termijn", "timeliness"),
        Category::Bejegening => t(lang, "bejegening", "conduct"),
        Category::Overig => t(lang, "overig", "other"),
    }
}

/// A stored category (`advies`, …), or the inventory's `onbekend`.
pub fn category_str(lang: Language, s: &str) -> String {
    if s == "onbekend" {
        return t(lang, "onbekend", "unknown").to_string();
    }
    match CATEGORIES.into_iter().find(|c| c.as_str() == s) {
        Some(c) => category(lang, c).to_string(),
        None => fallback(s),
    }
}

/// The channels a case can come in by (`cases --json`: `channel`).
pub const CHANNELS: [&str; 4] = ["email", "telefoon", "mondeling", "brief"];

pub fn channel(lang: Language, c: &str) -> String {
    match c {
        "email" | "e-mail" => t(lang, "e-mail", "email"),
        "telefoon" => t(lang, "telefoon", "phone"),
        "mondeling" => t(lang, "mondeling", "in person"),
        "brief" => t(lang, "brief", "letter"),
        "formulier" => t(lang, "formulier", "form"),
        other => return fallback(other),
    }
    .to_string()
}

/// How a case was opened ([`crate::case::Origin`]), for people.
pub fn origin(lang: Language, o: crate::case::Origin) -> &'static str {
    use crate::case::Origin;
    match o {
        Origin::Herkend => t(lang, "door klachtenbus herkend", "flagged by the detector"),
        Origin::Twijfelgeval => t(
            lang,
            "twijfelgeval, daarna aangemerkt",
            "doubtful, marked afterwards",
        ),
        Origin::MetDeHand => t(
            lang,
            "niet herkend, met de hand aangemerkt",
            "not flagged, marked by hand",
        ),
        Origin::Doorgestuurd => t(lang, "door directie doorgestuurd", "forwarded by directie"),
        Origin::Formulier => t(
            lang,
            "Klachtenformulier (telefoon, balie, brief)",
            "complaint form (phone, in person, letter)",
        ),
        Origin::Onbekend => t(lang, "onbekend", "not known"),
    }
}

/// The timeline kinds (README, "cases --json and show --json").
pub const EVENT_KINDS: [&str; 30] = [
    "geopend",
    "melding_directie",
    "melding_onderdrukt",
    "bevestigd",
    "geen_klacht",
    "standpunt",
    "standpunt_concept",
    "termijn_verstreken",
    "afgehandeld_telefonisch",
    "afgehandeld_persoonlijk",
    "gesloten",
    "categorie",
    "medewerker",
    "notitie",
    "herhaald",
    "vervolgbericht",
    "zelfde_klacht",
    "brief_klaargezet",
    "brief_uitgesteld",
    "brief_niet_verstuurd",
    "brief_al_verstuurd",
    "niet_bezorgd",
    "verlengd",
    "herinnering",
    "escalatie",
    "uitkomst",
    "maatregel",
    "gegevens_verwijderd",
    "brief_per_post",
    "per_post_verstuurd",
];

/// A timeline entry's kind (`brief_klaargezet` → "brief klaargezet").
pub fn event(lang: Language, kind: &str) -> String {
    match kind {
        "geopend" => t(lang, "geopend", "opened"),
        "melding_directie" => t(lang, "melding aan directie", "directie notified"),
        "melding_onderdrukt" => t(lang, "melding onderdrukt", "notification held back"),
        "bevestigd" => t(lang, "bevestigd als klacht", "confirmed as complaint"),
        "geen_klacht" => t(lang, "geen klacht", "not a complaint"),
        "standpunt" => t(lang, "standpunt gegeven", "position given"),
        "standpunt_concept" => t(lang, "concept standpunt gemaakt", "position drafted"),
        "brief_per_post" => t(
            lang,
            "brief als PDF aan directie (per post)",
            "letter as PDF to directie (by post)",
        ),
        "per_post_verstuurd" => t(lang, "brief per post verstuurd", "letter posted"),
        "termijn_verstreken" => t(
            lang,
            "nieuwe standpunttermijn (termijn was verstreken)",
            "new position deadline (the deadline had passed)",
        ),
        "afgehandeld_telefonisch" => t(lang, "telefonisch afgehandeld", "handled by phone"),
        "afgehandeld_persoonlijk" => t(lang, "persoonlijk afgehandeld", "handled in person"),
        "gesloten" => t(lang, "gesloten", "closed"),
        "categorie" => t(lang, "categorie", "category"),
        "medewerker" => t(lang, "medewerker", "employee"),
        "notitie" => t(lang, "notitie", "note"),
        "herhaald" => t(lang, "herhaald besluit", "repeated decision"),
        "vervolgbericht" => t(lang, "vervolgbericht", "follow-up"),
        "zelfde_klacht" => t(lang, "dezelfde klacht opnieuw", "the same complaint again"),
        "brief_klaargezet" => t(lang, "brief klaargezet", "letter queued"),
        "brief_uitgesteld" => t(lang, "brief uitgesteld", "letter postponed"),
        "brief_niet_verstuurd" => t(lang, "brief niet verstuurd", "letter not sent"),
        "brief_al_verstuurd" => t(lang, "brief al verstuurd", "letter already sent"),
        "niet_bezorgd" => t(lang, "niet bezorgd", "not delivered"),
        "verlengd" => t(lang, "termijn verlengd", "deadline extended"),
        "herinnering" => t(lang, "herinnering", "reminder"),
        "escalatie" => t(lang, "escalatie", "escalation"),
        "uitkomst" => t(lang, "uitkomst", "outcome"),
        "maatregel" => t(lang, "maatregel", "measure"),
        "gegevens_verwijderd" => t(lang, "persoonsgegevens verwijderd", "personal data removed"),
        other => return fallback(other),
    }
    .to_string()
}

/// The kind of a queued mail (the outbox's `kind`: a template name, or `inventarisatie`).
pub fn mail_kind(lang: Language, kind: &str) -> String {
    match kind {
        "bevestigingsbrief" => t(lang, "bevestigingsbrief", "acknowledgement"),
        "standpuntbrief" => t(lang, "standpuntbrief", "position letter"),
        "verlengingsbrief" => t(lang, "verlengingsbrief", "extension letter"),
        "notificatie" => t(lang, "melding aan directie", "notification"),
        "vervolgbericht" => t(lang, "vervolgbericht", "follow-up notice"),
        "niet_begrepen" => t(lang, "antwoord niet uitgevoerd", "reply not carried out"),
        "bezorgfout" => t(lang, "niet bezorgd", "delivery failure"),
        "herinnering" => t(lang, "herinnering", "reminder"),
        "escalatie" => t(lang, "escalatie", "escalation"),
        "overzicht" => t(lang, "ochtendoverzicht", "morning digest"),
        "formulier_onvolledig" => t(lang, "formulier niet verwerkt", "form not accepted"),
        "verwerking_mislukt" => t(lang, "verwerking mislukt", "processing failed"),
        "storing" => t(lang, "storing", "outage"),
        "hersteld" => t(lang, "hersteld", "recovered"),
        "inventarisatie" => t(lang, "inventarisatie", "inventory"),
        "verwerkt" => t(lang, "bevestiging aan directie", "confirmation to directie"),
        "concept_standpunt" => t(lang, "concept standpuntbrief", "position letter draft"),
        other => return fallback(other),
    }
    .to_string()
}

/// Where a queued mail stands (`pending`, `sent`, `failed`).
pub fn mail_status(lang: Language, s: &str) -> String {
    match s {
        "pending" => t(lang, "wacht", "waiting"),
        "sent" => t(lang, "verstuurd", "sent"),
        "failed" => t(lang, "mislukt", "failed"),
        other => return fallback(other),
    }
    .to_string()
}

/// Why screening set a mail aside (`messages`).
pub fn screened(lang: Language, reason: &str) -> String {
    match reason {
        "auto_reply" => t(lang, "automatisch antwoord", "auto-reply"),
        "bounce" => t(lang, "onbestelbaar", "bounce"),
        "mailing_list" => t(lang, "mailinglijst", "mailing list"),
        "no_reply" => t(lang, "no-reply-adres", "no-reply address"),
        "own_address" => t(lang, "eigen adres", "own address"),
        "directie" => t(lang, "directie", "directie"),
        other => return fallback(other),
    }
    .to_string()
}

/// How far a stored mail could be read (`unparsed`, `headers_only`).
pub fn parse_status(lang: Language, s: &str) -> String {
    match s {
        "parsed" => t(lang, "gelezen", "parsed"),
        "unparsed" => t(lang, "onleesbaar", "unparsed"),
        "headers_only" => t(lang, "alleen kopregels", "headers only"),
        other => return fallback(other),
    }
    .to_string()
}

/// A score as people write it: "8,0" in Dutch, "8.0" in English.
pub fn score(lang: Language, x: f64) -> String {
    let s = format!("{x:.1}");
    match lang {
        Language::Nl => s.replace('.', ","),
        Language::En => s,
    }
}

// ---------------------------------------------------------------------------------------
// Times and dates

/// A day: "1-12-2026" in Dutch, "2026-12-01" in English.
pub fn date(lang: Language, d: NaiveDate) -> String {
    match lang {
        Language::Nl => d.format("%-d-%-m-%Y").to_string(),
        Language::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// A stored day (`YYYY-MM-DD`); anything else is shown as it is.
pub fn date_str(lang: Language, s: &str) -> String {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => date(lang, d),
        Err(_) => s.to_string(),
    }
}

/// Prints `label: value` lines with the values under one another, after `indent`.
pub fn fields(lines: &[(String, String)], indent: &str) {
    let width = lines
        .iter()
        .map(|(k, _)| k.chars().count() + 1)
        .max()
        .unwrap_or(0);
    for (k, v) in lines {
        let key = format!("{k}:");
        outln!("{indent}{key:<width$} {v}");
    }
}

/// A moment in Amsterdam time: "1-12-2026 15:48" in Dutch, "2026-12-01 15:48" in English.
pub fn time(lang: Language, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&Amsterdam);
    match lang {
        Language::Nl => local.format("%-d-%-m-%Y %H:%M").to_string(),
        Language::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// A stored moment (RFC 3339, UTC) in Amsterdam time; anything else is shown as it is.
pub fn time_str(lang: Language, s: &str) -> String {
    match DateTime::parse_from_rfc3339(s.trim()) {
        Ok(at) => time(lang, at.with_timezone(&Utc)),
        Err(_) => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::STATUSES;
    use crate::detect::Language::{En, Nl};

    fn readable(what: &str, nl: &str, en: &str) {
        for (lang, s) in [("nl", nl), ("en", en)] {
            assert!(!s.trim().is_empty(), "{what}: empty {lang} label");
            assert!(
                !s.contains('_'),
                "{what}: {lang} label {s:?} has an underscore"
            );
        }
    }

    #[test]
    fn every_machine_value_has_a_dutch_and_an_english_label() {
        for s in STATUSES {
            readable(s.as_str(), status(Nl, s), status(En, s));
            assert_ne!(status(Nl, s), status(En, s), "{}", s.as_str());
        }
        for o in Outcome::ALL {
            readable(o.as_str(), outcome(Nl, o), outcome(En, o));
            assert_eq!(outcome_str(Nl, o.as_str()), outcome(Nl, o));
            assert_eq!(outcome_str(En, o.as_str()), outcome(En, o));
        }
        for c in CATEGORIES {
            readable(c.as_str(), category(Nl, c), category(En, c));
            assert_eq!(Category::parse(category(En, c)), Some(c), "{}", c.as_str());
            assert_eq!(category_str(Nl, c.as_str()), category(Nl, c));
        }
        let mut channels: Vec<&str> = crate::form::Channel::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        channels.push("email");
        for c in channels {
            assert!(CHANNELS.contains(&c), "{c} missing from CHANNELS");
            readable(c, &channel(Nl, c), &channel(En, c));
        }
        for k in EVENT_KINDS {
            readable(k, &event(Nl, k), &event(En, k));
            assert_ne!(event(En, k), fallback(k), "{k} has no English words");
        }
        for k in crate::letters::Template::ALL.map(|tpl| tpl.name()) {
            readable(k, &mail_kind(Nl, k), &mail_kind(En, k));
        }
        for s in ["pending", "sent", "failed"] {
            readable(s, &mail_status(Nl, s), &mail_status(En, s));
        }
        for r in [
            "auto_reply",
            "bounce",
            "mailing_list",
            "no_reply",
            "own_address",
            "directie",
        ] {
            readable(r, &screened(Nl, r), &screened(En, r));
        }
    }

    #[test]
    fn labels_say_what_the_value_means() {
        assert_eq!(status(Nl, Status::InBehandeling), "in behandeling");
        assert_eq!(status(En, Status::InBehandeling), "in progress");
        assert_eq!(status(Nl, Status::StandpuntGegeven), "standpunt gegeven");
        assert_eq!(status(Nl, Status::GeenKlacht), "geen klacht");
        assert_eq!(outcome_str(Nl, "deels_gegrond"), "deels gegrond");
        assert_eq!(outcome_str(En, "deels_gegrond"), "partly upheld");
        assert_eq!(event(Nl, "brief_klaargezet"), "brief klaargezet");
        assert_eq!(event(En, "brief_klaargezet"), "letter queued");
        assert_eq!(event(Nl, "bevestigd"), "bevestigd als klacht");
        assert_eq!(channel(Nl, "email"), "e-mail");
        assert_eq!(channel(En, "mondeling"), "in person");
        assert_eq!(category_str(En, "bejegening"), "conduct");
        assert_eq!(category_str(Nl, "onbekend"), "onbekend");
        assert_eq!(category_str(En, "onbekend"), "unknown");
        assert_eq!(mail_kind(Nl, "standpuntbrief"), "standpuntbrief");
        assert_eq!(mail_status(Nl, "sent"), "verstuurd");
        // A kind added later is readable, not an identifier.
        assert_eq!(event(Nl, "nieuw_soort_ding"), "nieuw soort ding");
        assert_eq!(score(Nl, 8.0), "8,0");
        assert_eq!(score(En, 8.04), "8.0");
    }

    #[test]
    fn counts_and_languages() {
        assert_eq!(count(Nl, 1, ("zaak", "zaken"), ("case", "cases")), "1 zaak");
        assert_eq!(
            count(Nl, 4, ("zaak", "zaken"), ("case", "cases")),
            "4 zaken"
        );
        assert_eq!(
            count(En, 0, ("zaak", "zaken"), ("case", "cases")),
            "0 cases"
        );
        assert_eq!(t(En, "geen zaak", "no case"), "no case");
        assert_eq!(parse_language("EN"), Some(En));
        assert_eq!(parse_language("nl"), Some(Nl));
        assert_eq!(parse_language("de"), None);
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn times_are_shown_in_amsterdam() {
        // Winter: CET, UTC+1.
        assert_eq!(time(Nl, utc("2026-12-01T14:48:00Z")), "1-12-2026 15:48");
        assert_eq!(time(En, utc("2026-12-01T14:48:00Z")), "2026-12-01 15:48");
        // Summer: CEST, UTC+2.
        assert_eq!(time(Nl, utc("2026-07-01T13:48:00Z")), "1-7-2026 15:48");
        assert_eq!(time(En, utc("2026-07-01T13:48:00Z")), "2026-07-01 15:48");
        // Late in the UTC evening it is already the next day in Amsterdam.
        assert_eq!(time(Nl, utc("2026-12-31T23:30:00Z")), "1-1-2027 00:30");
        // The clock change of 29 March 2026 (02:00 CET → 03:00 CEST at 01:00 UTC).
        assert_eq!(time(Nl, utc("2026-03-29T00:59:00Z")), "29-3-2026 01:59");
        assert_eq!(time(Nl, utc("2026-03-29T01:00:00Z")), "29-3-2026 03:00");
        // Stored strings; what is not a moment is shown as it is.
        assert_eq!(time_str(Nl, "2026-11-25T05:01:57Z"), "25-11-2026 06:01");
        assert_eq!(
            time_str(Nl, "2026-11-25T06:01:57+01:00"),
            "25-11-2026 06:01"
        );
        assert_eq!(time_str(Nl, "gisteren"), "gisteren");
    }

    #[test]
    fn dates_are_written_the_local_way() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(date(Nl, d), "4-12-2026");
        assert_eq!(date(En, d), "2026-12-04");
        assert_eq!(date_str(Nl, "2027-01-20"), "20-1-2027");
        assert_eq!(date_str(Nl, "-"), "-");
    }
}
