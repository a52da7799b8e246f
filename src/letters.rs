//! Letters and notices, rendered with tera from `templates/<lang>/<name>.{txt,html}.tera`
//! (embedded in the binary). Customer text only ever enters as a context *value*: it is
//! never template source, and the HTML parts are auto-escaped. Header values built from
//! customer text go through [`header_safe`].

use std::path::Path;

use serde::Serialize;
use tera::{Context, Tera};

use crate::detect::Language;

/// The kinds of mail klachtenbus writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// Acknowledgement to the complainant.
    Bevestigingsbrief,
    /// Reasoned (final) position to the complainant.
    Standpuntbrief,
    /// To directie: a mail looks like a complaint.
    Notificatie,
    /// To directie: a new mail joined an existing case.
    Vervolgbericht,
    /// To directie: a reply was not carried out, and why.
    NietBegrepen,
    /// To directie: a letter could not be delivered.
    Bezorgfout,
    /// To the complainant: the position deadline is extended (`VERLENG`).
    Verlengingsbrief,
    /// To directie: a deadline is near.
    Herinnering,
    /// To directie (and escalation addresses): a deadline has passed.
    Escalatie,
    /// To directie: the morning list of open cases.
    Overzicht,
    /// To a staff member: a mailed Klachtenformulier was not accepted, and why.
    FormulierOnvolledig,
    /// To directie: a stored mail could not be routed (it is retried; told once).
    VerwerkingMislukt,
    /// Directie is told once that intake or sending has been failing for a while.
    Storing,
    /// … and once that it works again.
    Hersteld,
    /// To the directie member who replied: what was carried out, with any letter as sent.
    Verwerkt,
    /// To the directie member who wrote `STANDPUNT`: the position letter as a draft.
    ConceptStandpunt,
    /// To directie: a letter for a complainant without e-mail, as a PDF to print and post.
    PerPost,
}

impl Template {
    pub const ALL: [Template; 17] = [
        Template::Bevestigingsbrief,
        Template::Standpuntbrief,
        Template::Notificatie,
        Template::Vervolgbericht,
        Template::NietBegrepen,
        Template::Bezorgfout,
        Template::Verlengingsbrief,
        Template::Herinnering,
        Template::Escalatie,
        Template::Overzicht,
        Template::FormulierOnvolledig,
        Template::VerwerkingMislukt,
        Template::Storing,
        Template::Hersteld,
        Template::Verwerkt,
        Template::ConceptStandpunt,
        Template::PerPost,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Template::Bevestigingsbrief => "bevestigingsbrief",
            Template::Standpuntbrief => "standpuntbrief",
            Template::Notificatie => "notificatie",
            Template::Vervolgbericht => "vervolgbericht",
            Template::NietBegrepen => "niet_begrepen",
            Template::Bezorgfout => "bezorgfout",
            Template::Verlengingsbrief => "verlengingsbrief",
            Template::Herinnering => "herinnering",
            Template::Escalatie => "escalatie",
            Template::Overzicht => "overzicht",
            Template::FormulierOnvolledig => "formulier_onvolledig",
            Template::VerwerkingMislukt => "verwerking_mislukt",
            Template::Storing => "storing",
            Template::Hersteld => "hersteld",
            Template::Verwerkt => "verwerkt",
            Template::ConceptStandpunt => "concept_standpunt",
            Template::PerPost => "per_post",
        }
    }

    /// Directie's notices are Dutch; only letters to complainants follow their language.
    fn language(self, lang: Language) -> &'static str {
        match self {
            Template::Bevestigingsbrief | Template::Standpuntbrief | Template::Verlengingsbrief => {
                lang.as_str()
            }
            _ => "nl",
        }
    }
}

macro_rules! embedded {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../templates/", $path)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = embedded![
    "nl/bevestigingsbrief.txt.tera",
    "nl/bevestigingsbrief.html.tera",
    "en/bevestigingsbrief.txt.tera",
    "en/bevestigingsbrief.html.tera",
    "nl/standpuntbrief.txt.tera",
    "nl/standpuntbrief.html.tera",
    "en/standpuntbrief.txt.tera",
    "en/standpuntbrief.html.tera",
    "nl/notificatie.txt.tera",
    "nl/notificatie.html.tera",
    "nl/vervolgbericht.txt.tera",
    "nl/vervolgbericht.html.tera",
    "nl/niet_begrepen.txt.tera",
    "nl/niet_begrepen.html.tera",
    "nl/bezorgfout.txt.tera",
    "nl/bezorgfout.html.tera",
    "nl/verlengingsbrief.txt.tera",
    "nl/verlengingsbrief.html.tera",
    "en/verlengingsbrief.txt.tera",
    "en/verlengingsbrief.html.tera",
    "nl/herinnering.txt.tera",
    "nl/herinnering.html.tera",
    "nl/escalatie.txt.tera",
    "nl/escalatie.html.tera",
    "nl/overzicht.txt.tera",
    "nl/overzicht.html.tera",
    "nl/formulier_onvolledig.txt.tera",
    "nl/formulier_onvolledig.html.tera",
    "nl/verwerking_mislukt.txt.tera",
    "nl/verwerking_mislukt.html.tera",
    "nl/storing.txt.tera",
    "nl/storing.html.tera",
    "nl/hersteld.txt.tera",
    "nl/hersteld.html.tera",
    "nl/verwerkt.txt.tera",
    "nl/verwerkt.html.tera",
    "nl/concept_standpunt.txt.tera",
    "nl/concept_standpunt.html.tera",
    "nl/per_post.txt.tera",
    "nl/per_post.html.tera",
];

#[derive(Debug, thiserror::Error)]
#[error("rendering template {name}: {source}")]
pub struct LetterError {
    name: String,
    #[source]
    source: tera::Error,
}

/// A rendered mail body: plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Body {
    pub text: String,
    pub html: String,
}

pub struct Letters {
    tera: Tera,
}

impl Letters {
    /// The built-in templates.
    pub fn new() -> Result<Letters, LetterError> {
        Self::with_overrides(None)
    }

    /// The built-in templates, each replaced by the file of the same name under `dir`
    /// (`nl/bevestigingsbrief.txt.tera`, …) when there is one. A file there that is not a
    /// template name, one that does not parse, or one that does not render with
    /// [`sample_context`] is refused, naming the file.
    pub fn with_overrides(dir: Option<&Path>) -> Result<Letters, LetterError> {
        let mut tera = Tera::default();
        // Tera only escapes names ending in .html by default; ours end in .html.tera.
        tera.autoescape_on(vec![".html.tera"]);
        let mut overridden: Vec<(&str, String)> = Vec::new();
        if let Some(dir) = dir {
            check_override_names(dir)?;
            for (name, _) in TEMPLATES {
                let path = dir.join(name);
                if path.is_file() {
                    let shown = path.display().to_string();
                    let source = std::fs::read_to_string(&path).map_err(|e| LetterError {
                        name: shown.clone(),
                        source: tera::Error::msg(e.to_string()),
                    })?;
                    overridden.push((name, shown));
                    tera.add_raw_template(name, &source)
                        .map_err(|source| LetterError {
                            name: path.display().to_string(),
                            source,
                        })?;
                }
            }
        }
        for (name, source) in TEMPLATES {
            if !overridden.iter().any(|(n, _)| n == name) {
                tera.add_raw_template(name, source)
                    .map_err(|source| LetterError {
                        name: format!("templates/{name}"),
                        source,
                    })?;
            }
        }
        let letters = Letters { tera };
        if !overridden.is_empty() {
            let sample = sample_context();
            for t in Template::ALL {
                for lang in [Language::Nl, Language::En] {
                    if let Err(mut e) = letters.render(t, lang, &sample) {
                        if let Some((_, shown)) = overridden.iter().find(|(n, _)| *n == e.name) {
                            e.name = shown.clone();
                        }
                        return Err(e);
                    }
                }
            }
        }
        Ok(letters)
    }

    pub fn render(
        &self,
        template: Template,
        lang: Language,
        context: &Context,
    ) -> Result<Body, LetterError> {
        let base = format!("{}/{}", template.language(lang), template.name());
        let one = |ext: &str| {
            let name = format!("{base}.{ext}.tera");
            self.tera
                .render(&name, context)
                .map_err(|source| LetterError { name, source })
        };
        Ok(Body {
            text: tidy(&one("txt")?),
            html: one("html")?,
        })
    }
}

/// Every file under an override folder must be a template name: a misspelt file would
/// otherwise be ignored without a word.
fn check_override_names(dir: &Path) -> Result<(), LetterError> {
    let refuse = |name: String, why: String| LetterError {
        name,
        source: tera::Error::msg(why),
    };
    let entries =
        std::fs::read_dir(dir).map_err(|e| refuse(dir.display().to_string(), e.to_string()))?;
    for lang in entries {
        let lang = lang.map_err(|e| refuse(dir.display().to_string(), e.to_string()))?;
        let lang_name = lang.file_name().to_string_lossy().to_string();
        if !lang.path().is_dir() {
            return Err(refuse(
                lang.path().display().to_string(),
                "templates belong in nl/ or en/ under letters.template_dir".into(),
            ));
        }
        for file in std::fs::read_dir(lang.path())
            .map_err(|e| refuse(lang.path().display().to_string(), e.to_string()))?
        {
            let file =
                file.map_err(|e| refuse(lang.path().display().to_string(), e.to_string()))?;
            let name = format!("{lang_name}/{}", file.file_name().to_string_lossy());
            if !TEMPLATES.iter().any(|(n, _)| *n == name) {
                let known: Vec<&str> = TEMPLATES
                    .iter()
                    .map(|(n, _)| *n)
                    .filter(|n| n.starts_with(&format!("{lang_name}/")))
                    .collect();
                return Err(refuse(
                    file.path().display().to_string(),
                    format!(
                        "not a template name; the names in {lang_name}/ are: {}",
                        if known.is_empty() {
                            "(none: use nl/ or en/)".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Blank-line runs left by template conditionals collapsed to one.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_start_matches('\n').to_string()
}

/// A value fit for a mail header: no CR, LF or other control characters (so no header
/// can be injected), whitespace runs collapsed, at most `max` characters.
pub fn header_safe(value: &str, max: usize) -> String {
    let spaced: String = value
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

/// Unicode bidirectional formatting characters: in a subject they can make a mail program
/// show text reversed or reordered ("Trojan Source"); customer text loses them in headers.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The base of [`sample_context`]: firm and case values, with `summary` as the complaint.
pub fn sample_base(summary: &str) -> Context {
    let mut c = Context::new();
    c.insert(
        "org",
        &serde_json::json!({"name": "De Vries Advies B.V.", "phone": "020 123 45 67",
            "address": null, "website": null, "signatory": "J. de Vries",
            "kifid_number": "300.012345", "kifid_binding": true}),
    );
    c.insert(
        "case",
        &serde_json::json!({"ref": "KL-2026-0007", "salutation": "heer Jansen",
            "received": "dinsdag 24 november 2026",
            "confirm_by": "donderdag 3 december 2026",
            "position_by": "dinsdag 8 december 2026", "summary": summary,
            "kifid_from": "dinsdag 19 januari 2027",
            "phone_note": false, "status": "kandidaat", "subject": "Polis",
            "excerpt": summary}),
    );
    c.insert("position", "Wij betalen de kosten terug.");
    c.insert(
        "kifid",
        &serde_json::json!({"term": "drie maanden", "term_en": "three months"}),
    );
    c
}

/// A context with every value any template uses, with made-up values: overrides in
/// `letters.template_dir` are checked by rendering every template with it.
pub fn sample_context() -> Context {
    let mut c = sample_base("De premie van mijn polis is zonder bericht verhoogd.");
    c.insert("sender", "Jan <jan@example.test>");
    c.insert("score", &3.5);
    c.insert("threshold", &2.5);
    c.insert("signals", &Vec::<serde_json::Value>::new());
    c.insert("opened_by", "directie");
    c.insert("new_text", "tekst");
    c.insert("preview", "voorbeeld");
    c.insert("preview_subject", "onderwerp");
    c.insert("forward_address", "klachten+kl-doorsturen-0123@firma.nl");
    c.insert("message", &17);
    c.insert("sender", "jan@example.test");
    c.insert("received", "maandag 30 november 2026");
    c.insert("attempts", &1);
    c.insert("next_attempt", "2026-11-30T10:01:00Z");
    c.insert("error", "opening the case: date out of range");
    c.insert("subject", "onderwerp");
    c.insert("reason", "onbekend commando");
    c.insert("case_ref", "KL-2026-0007");
    c.insert("kind", "bevestigingsbrief");
    c.insert("recipient", "x@example.test");
    c.insert("error", "550 unknown user");
    c.insert("previous", "maandag 14 december 2026");
    c.insert(
        "deadlines",
        &serde_json::json!([{"label": "ontvangstbevestiging", "date": "woensdag 9 december 2026",
            "state": "vandaag", "overdue": false}]),
    );
    c.insert("status", "kandidaat");
    c.insert("todo", "beslis");
    c.insert("directie", &true);
    c.insert("complainant", "Jan <jan@example.test>");
    c.insert("today", "maandag 7 december 2026");
    c.insert(
        "cases",
        &serde_json::json!([{"ref": "KL-2026-0007", "status": "kandidaat", "subject": "Polis",
            "complainant": "jan@example.test", "received": "maandag 30 november 2026",
            "next": "ontvangstbevestiging uiterlijk woensdag 9 december 2026 (nog 2 werkdagen)",
            "overdue": false}]),
    );
    c.insert("overdue", &0);
    c.insert(
        "doubts",
        &serde_json::json!([{"number": "17-3f9a2c81d0e4", "from": "jan@example.test",
            "subject": "Polis", "received": "maandag 30 november 2026", "score": 1.0,
            "signals": "verwijt_handelen \"nog steeds\"",
            "why": "kort_bericht (9 woorden; woordgebruik telt vanaf 20 (score daarmee 1,62))"}]),
    );
    c.insert("origin", "uit de twijfelgevallen");
    c.insert("problems", &["ontbrekend veld: Klacht"]);
    c.insert("what", "de mailbox niet lezen");
    c.insert("consequence", "komen nieuwe klachten niet binnen");
    c.insert("since", "dinsdag 1 december 2026 om 10:05");
    c.insert("recovered", "dinsdag 1 december 2026 om 11:20");
    c.insert("last_ok", &Some("dinsdag 1 december 2026 om 10:00"));
    c.insert("done", &["bevestigd als klacht"]);
    c.insert("warnings", &["de standpunttermijn was al verstreken"]);
    c.insert(
        "letters",
        &serde_json::json!([{"what": "bevestigingsbrief", "to": "jan@example.test",
            "subject": "Ontvangstbevestiging", "text": "Geachte heer Jansen,", "deferred": false}]),
    );
    c.insert("not_sent", &Vec::<String>::new());
    c.insert("letter", "Geachte heer Jansen,");
    c.insert("letter_subject", "Ons standpunt over uw klacht");
    c.insert("to", "jan@example.test");
    c.insert("version", &1);
    c.insert("letter_kind", "ontvangstbevestiging");
    c.insert("filename", "KL-2026-0007-bevestigingsbrief.pdf");
    c.insert(
        "address",
        &["Mevrouw A. de Boer", "Dorpsstraat 12", "1234 AB Ergens"],
    );
    c
}

#[cfg(test)]
mod tests;
