//! The words a name is read with: titles, tussenvoegsels, roles and company forms.

use super::*;

pub(super) const FEMALE_TITLES: &[&str] = &[
    "mevrouw",
    "mevr",
    "mevr.",
    "mw",
    "mw.",
    "juffrouw",
    "mejuffrouw",
    "mej",
    "mej.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "miss",
];
pub(super) const MALE_TITLES: &[&str] = &["heer", "dhr", "dhr.", "hr", "hr."];
/// What makes "de …" the title "de heer".
pub(super) const MALE_AFTER_DE: &[&str] = &["heer", "hr", "hr."];
pub(super) const FAMILY_TITLES: &[&str] = &["familie", "fam", "fam."];
/// Academic and professional titles, dropped; also combined ("prof.dr.ir.", "mr.drs.").
pub(super) const ACADEMIC_TITLES: &[&str] = &["dr", "ir", "drs", "prof", "ing", "ds", "mr", "bc"];
/// Joins two people: "De heer en mevrouw", "Jan & Karin".
pub(super) const CONNECTORS: &[&str] = &["&", "en", "and"];
/// Words that make a display name a mailbox's role, not a person.
pub(super) const ROLE_WORDS: &[&str] = &[
    "info",
    "klantenservice",
    "admin",
    "administratie",
    "administration",
    "administrator",
    "sales",
    "support",
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
    "helpdesk",
    "servicedesk",
    "service",
    "customerservice",
    "klachten",
    "klachtenafdeling",
    "secretariaat",
    "receptie",
    "boekhouding",
    "facturatie",
    "debiteuren",
    "crediteuren",
    "webmaster",
    "postmaster",
    "mailer-daemon",
    "team",
    "afdeling",
    "office",
    "marketing",
    "redactie",
    "contact",
];
/// Words that make a display name a company's (compared without periods).
pub(super) const COMPANY_WORDS: &[&str] = &[
    "holding",
    "groep",
    "group",
    "ltd",
    "gmbh",
    "inc",
    "llc",
    "plc",
    "bvba",
    "stichting",
    "vereniging",
    "gemeente",
    "zonen",
    "zn",
    "verzekeringen",
    "advocaten",
    "notarissen",
    "accountants",
    "makelaardij",
    "partners",
    "company",
    "corporation",
    "corp",
    "limited",
];
/// Legal forms that may also read as initials ("B.V." before a surname): a company only
/// when last, or (but for "cv") when written without periods.
pub(super) const LEGAL_FORMS: &[&str] = &["bv", "nv", "vof", "cv"];
/// Degrees and suffixes after a name, dropped: "J. Bos MSc", "Smit jr.".
pub(super) const DEGREE_SUFFIXES: &[&str] = &[
    "msc", "m.sc.", "bsc", "b.sc.", "mba", "m.b.a.", "phd", "ph.d.", "llm", "ll.m.", "llb",
    "ll.b.", "jr", "jr.", "sr", "sr.", "b.a.", "m.a.", "emba",
];
/// Suffixes that are also surnames ("Ma"): dropped only in capitals.
pub(super) const CAPS_DEGREE_SUFFIXES: &[&str] = &["BA", "MA", "RA", "AA", "RC"];
/// Words after which a display name says who sent it for whom: "'Karin Smit' via Gmail".
pub(super) const CUT_WORDS: &[&str] = &["via", "namens"];

/// The tussenvoegsel word in its canonical form, if `lower` is one.
pub(super) fn tv_canonical(lower: &str) -> Option<&'static str> {
    Some(match lower {
        "van" => "van",
        "de" => "de",
        "der" => "der",
        "den" => "den",
        "het" => "het",
        "'t" => "'t",
        "ter" => "ter",
        "ten" => "ten",
        "te" => "te",
        "vd" | "vd." => "van de",
        "v.d." | "v.d" => "van der",
        "d'" => "d'",
        "l'" => "l'",
        "la" => "la",
        "le" => "le",
        "du" => "du",
        "di" => "di",
        "da" => "da",
        "von" => "von",
        "zu" => "zu",
        "del" => "del",
        "della" => "della",
        "dos" => "dos",
        "des" => "des",
        // Only as the first of several: "in 't", "op de", "aan den", "uit de", "bij de".
        "in" => "in",
        "op" => "op",
        "aan" => "aan",
        "uit" => "uit",
        "bij" => "bij",
        _ => return None,
    })
}

pub(super) fn is_tv_starter_only(canonical: &str) -> bool {
    matches!(canonical, "in" | "op" | "aan" | "uit" | "bij")
}

pub(super) fn is_tv(tok: &str) -> bool {
    tv_canonical(&tok.to_lowercase()).is_some()
}

/// The tussenvoegsel at the start of `toks` (as many words as occur, up to four), always
/// leaving at least one token for the surname: its canonical text and how many tokens it
/// took.
pub(super) fn match_tv(toks: &[String]) -> Option<(String, usize)> {
    let mut parts: Vec<&'static str> = Vec::new();
    while parts.len() + 1 < toks.len() && parts.len() < 4 {
        match tv_canonical(&toks[parts.len()].to_lowercase()) {
            Some(c) => parts.push(c),
            None => break,
        }
    }
    if parts.is_empty() || (parts.len() == 1 && is_tv_starter_only(parts[0])) {
        return None;
    }
    Some((parts.join(" "), parts.len()))
}

pub(super) fn is_connector(tok: &str) -> bool {
    CONNECTORS.contains(&tok.to_lowercase().as_str())
}

pub(super) fn is_separator(tok: &str) -> bool {
    tok == "," || is_connector(tok)
}

pub(super) fn gender_title(lower: &str) -> Option<Gender> {
    if FEMALE_TITLES.contains(&lower) {
        Some(Gender::Female)
    } else if MALE_TITLES.contains(&lower) {
        Some(Gender::Male)
    } else if FAMILY_TITLES.contains(&lower) {
        Some(Gender::Family)
    } else {
        None
    }
}

/// "dr.", "Prof.", "prof.dr.ir.", "mr.drs." — every period-separated part a title.
pub(super) fn is_academic(lower: &str) -> bool {
    let mut parts = lower.split('.').filter(|p| !p.is_empty()).peekable();
    parts.peek().is_some() && parts.all(|p| ACADEMIC_TITLES.contains(&p))
}

pub(super) fn is_mr(lower: &str) -> bool {
    lower == "mr" || lower == "mr."
}

/// Whether `toks` starts with a gendered title (or "mr"): for "Dhr. en mevr.".
pub(super) fn starts_with_gender_title(toks: &[String]) -> bool {
    let Some(first) = toks.first() else {
        return false;
    };
    let first = first.to_lowercase();
    gender_title(&first).is_some()
        || is_mr(&first)
        || (first == "de"
            && toks
                .get(1)
                .is_some_and(|t| MALE_AFTER_DE.contains(&t.to_lowercase().as_str())))
}

// ---------------------------------------------------------------------------------------
// Tokens.

pub(super) fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Invisible formatting characters (zero-width, bidi controls, soft hyphen): removed.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

/// Where a raw name stops: a `<` (an address, markup) or a line break (header injection).
pub(super) fn is_cut(c: char) -> bool {
    matches!(c, '<' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

pub(super) fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || is_combining(c) || matches!(c, '.' | '-' | '\'')
}

pub(super) fn has_letter(s: &str) -> bool {
    s.chars().any(char::is_alphabetic)
}
