//! A complainant's name, for letters: a raw display name ("Dhr. J. Bos", "Smit, K.",
//! "'Karin Smit' via Gmail", "PIETER DE BOER") parsed into its parts, and the salutation and
//! address line a Dutch (or English) business letter needs.
//!
//! Pure: no I/O. Gender comes only from a title (mevrouw, dhr., Mrs, familie …); it is never
//! guessed from a first name. Whatever the input, the output holds only letters, spaces,
//! periods, hyphens and apostrophes (plus the fixed "/" and "," of "heer/mevrouw" and
//! "heer, mevrouw"), and is at most [`MAX_OUTPUT_CHARS`] characters long.

/// The longest salutation or address line this module returns, in characters.
pub const MAX_OUTPUT_CHARS: usize = 80;

/// Longer raw names (after the cut at `<` or a line break) are not names.
const MAX_INPUT_CHARS: usize = 256;
/// A single name part longer than this is not a name part.
const MAX_TOKEN_CHARS: usize = 40;
/// More parts than this (titles included) is not a name.
const MAX_TOKENS: usize = 10;

/// How to address the person, as far as a title says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gender {
    Female,
    Male,
    /// "Familie Jansen", or a couple ("De heer en mevrouw Jansen").
    Family,
    /// No (single) gendered title: gender is never guessed from first names.
    #[default]
    Unknown,
}

/// A name in parts. Every part is either `None` or holds only letters, spaces, periods,
/// hyphens and apostrophes; the tussenvoegsel is in lower case ("van der").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonName {
    pub gender: Gender,
    /// As letters with periods: "K.", "J.P.", "J.-P.", "Th.".
    pub initials: Option<String>,
    /// Given name(s) as written (case normalised when the input was all caps / all lower).
    pub given: Option<String>,
    /// "van der", "de", "in 't", "d'" …
    pub tussenvoegsel: Option<String>,
    /// "Berg", "Jansen-de Vries".
    pub surname: Option<String>,
}

impl PersonName {
    /// Parses a raw display name (a From header's name, a form field). Never fails: what
    /// cannot be read as a person's name (an e-mail address, a role such as "info", a
    /// company, a single word) gives a name without a surname.
    pub fn parse(raw: &str) -> PersonName {
        let Some(mut toks) = tokenize(raw) else {
            return PersonName::default();
        };
        if is_role_or_company(&toks) {
            return PersonName::default();
        }
        strip_degree_suffixes(&mut toks);
        trim_separators(&mut toks);
        if toks.is_empty() {
            return PersonName::default();
        }
        let normalize = needs_case_normalisation(&toks);
        let parsed = match toks.iter().position(|t| t == ",") {
            Some(c) => {
                let left = &toks[..c];
                let right_end = toks[c + 1..]
                    .iter()
                    .position(|t| t == ",")
                    .map_or(toks.len(), |p| c + 1 + p);
                let right = &toks[c + 1..right_end];
                parse_surname_first(left, right, normalize)
                    .unwrap_or_else(|| parse_plain(left, normalize))
            }
            None => parse_plain(&toks, normalize),
        };
        parsed.finish()
    }

    /// What follows "Geachte " / "Dear " up to the comma: "mevrouw Van der Berg",
    /// "heer Bos", "familie Jansen", "heer/mevrouw Smit", "heer, mevrouw"; in English
    /// "Ms Smith", "Mr Smith", "Jansen family", "Karin Smit", "Sir or Madam".
    pub fn salutation(&self, english: bool) -> String {
        let name = self.tv_surname(true);
        let out = match (english, name) {
            (false, Some(name)) => {
                let title = match self.gender {
                    Gender::Female => "mevrouw",
                    Gender::Male => "heer",
                    Gender::Family => "familie",
                    Gender::Unknown => "heer/mevrouw",
                };
                format!("{title} {name}")
            }
            (false, None) => match self.gender {
                Gender::Female => "mevrouw".to_string(),
                Gender::Male => "heer".to_string(),
                Gender::Family | Gender::Unknown => "heer, mevrouw".to_string(),
            },
            (true, Some(name)) => match self.gender {
                Gender::Female => format!("Ms {name}"),
                Gender::Male => format!("Mr {name}"),
                Gender::Family => format!("{name} family"),
                Gender::Unknown => match self.full_name(false) {
                    Some(full) => full,
                    None => "Sir or Madam".to_string(),
                },
            },
            (true, None) => match self.gender {
                Gender::Female => "Madam".to_string(),
                Gender::Male => "Sir".to_string(),
                Gender::Family | Gender::Unknown => "Sir or Madam".to_string(),
            },
        };
        cap_chars(&out)
    }

    /// The name as an address line: "Mevrouw K. van der Berg", "De heer J. Bos",
    /// "K. van der Berg" (unknown gender), "Familie Jansen"; English "Ms K. van der Berg",
    /// "Mr J. Bos", "The Jansen family". `None` when no surname is known.
    pub fn address_line(&self, english: bool) -> Option<String> {
        let surname_only = self.tv_surname(true)?;
        let out = match self.gender {
            Gender::Family => {
                if english {
                    format!("The {surname_only} family")
                } else {
                    format!("Familie {surname_only}")
                }
            }
            gender => {
                let name = self.full_name(true).unwrap_or(surname_only);
                let title = match (gender, english) {
                    (Gender::Female, false) => "Mevrouw ",
                    (Gender::Male, false) => "De heer ",
                    (Gender::Female, true) => "Ms ",
                    (Gender::Male, true) => "Mr ",
                    _ => "",
                };
                format!("{title}{name}")
            }
        };
        Some(cap_chars(&out))
    }

    /// Tussenvoegsel + surname ("Van der Berg" with `capital`, "van der Berg" without),
    /// or `None` when no surname is known.
    fn tv_surname(&self, capital: bool) -> Option<String> {
        let surname = clean_field(self.surname.as_deref())?;
        match clean_field(self.tussenvoegsel.as_deref()) {
            Some(tv) => {
                let tv = tv.to_lowercase();
                let tv = if capital { capitalise_first(&tv) } else { tv };
                Some(join_tv(&tv, &surname))
            }
            None => Some(surname),
        }
    }

    /// Initials (or else the given name) + tussenvoegsel + surname, with the tussenvoegsel
    /// in lower case after them: "K. van der Berg", "Karin Smit". `prefer_initials` picks
    /// the initials when both are known. `None` without a surname or a first part.
    fn full_name(&self, prefer_initials: bool) -> Option<String> {
        let rest = self.tv_surname(false)?;
        let initials = clean_field(self.initials.as_deref());
        let given = clean_field(self.given.as_deref());
        let first = if prefer_initials {
            initials.or(given)
        } else {
            given.or(initials)
        }?;
        Some(format!("{first} {rest}"))
    }

    /// Every part cleaned and capped; empty parts become `None`.
    fn finish(self) -> PersonName {
        PersonName {
            gender: self.gender,
            initials: clean_field(self.initials.as_deref()),
            given: clean_field(self.given.as_deref()),
            tussenvoegsel: clean_field(self.tussenvoegsel.as_deref()).map(|t| t.to_lowercase()),
            surname: clean_field(self.surname.as_deref()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Word lists.

const FEMALE_TITLES: &[&str] = &[
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
const MALE_TITLES: &[&str] = &["heer", "dhr", "dhr.", "hr", "hr."];
/// What makes "de …" the title "de heer".
const MALE_AFTER_DE: &[&str] = &["heer", "hr", "hr."];
const FAMILY_TITLES: &[&str] = &["familie", "fam", "fam."];
/// Academic and professional titles, dropped; also combined ("prof.dr.ir.", "mr.drs.").
const ACADEMIC_TITLES: &[&str] = &["dr", "ir", "drs", "prof", "ing", "ds", "mr", "bc"];
/// Joins two people: "De heer en mevrouw", "Jan & Karin".
const CONNECTORS: &[&str] = &["&", "en", "and"];
/// Words that make a display name a mailbox's role, not a person.
const ROLE_WORDS: &[&str] = &[
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
const COMPANY_WORDS: &[&str] = &[
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
const LEGAL_FORMS: &[&str] = &["bv", "nv", "vof", "cv"];
/// Degrees and suffixes after a name, dropped: "J. Bos MSc", "Smit jr.".
const DEGREE_SUFFIXES: &[&str] = &[
    "msc", "m.sc.", "bsc", "b.sc.", "mba", "m.b.a.", "phd", "ph.d.", "llm", "ll.m.", "llb",
    "ll.b.", "jr", "jr.", "sr", "sr.", "b.a.", "m.a.", "emba",
];
/// Suffixes that are also surnames ("Ma"): dropped only in capitals.
const CAPS_DEGREE_SUFFIXES: &[&str] = &["BA", "MA", "RA", "AA", "RC"];
/// Words after which a display name says who sent it for whom: "'Karin Smit' via Gmail".
const CUT_WORDS: &[&str] = &["via", "namens"];

/// The tussenvoegsel word in its canonical form, if `lower` is one.
fn tv_canonical(lower: &str) -> Option<&'static str> {
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

fn is_tv_starter_only(canonical: &str) -> bool {
    matches!(canonical, "in" | "op" | "aan" | "uit" | "bij")
}

fn is_tv(tok: &str) -> bool {
    tv_canonical(&tok.to_lowercase()).is_some()
}

/// The tussenvoegsel at the start of `toks` (as many words as occur, up to four), always
/// leaving at least one token for the surname: its canonical text and how many tokens it
/// took.
fn match_tv(toks: &[String]) -> Option<(String, usize)> {
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

fn is_connector(tok: &str) -> bool {
    CONNECTORS.contains(&tok.to_lowercase().as_str())
}

fn is_separator(tok: &str) -> bool {
    tok == "," || is_connector(tok)
}

fn gender_title(lower: &str) -> Option<Gender> {
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
fn is_academic(lower: &str) -> bool {
    let mut parts = lower.split('.').filter(|p| !p.is_empty()).peekable();
    parts.peek().is_some() && parts.all(|p| ACADEMIC_TITLES.contains(&p))
}

fn is_mr(lower: &str) -> bool {
    lower == "mr" || lower == "mr."
}

/// Whether `toks` starts with a gendered title (or "mr"): for "Dhr. en mevr.".
fn starts_with_gender_title(toks: &[String]) -> bool {
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

fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Invisible formatting characters (zero-width, bidi controls, soft hyphen): removed.
fn is_invisible(c: char) -> bool {
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
fn is_cut(c: char) -> bool {
    matches!(c, '<' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || is_combining(c) || matches!(c, '.' | '-' | '\'')
}

fn has_letter(s: &str) -> bool {
    s.chars().any(char::is_alphabetic)
}

/// The raw name as cleaned tokens: words (letters, periods, hyphens, apostrophes), ","
/// and "&". `None` when the input is not a name at all (too long, MIME-encoded, too many
/// parts).
fn tokenize(raw: &str) -> Option<Vec<String>> {
    if raw.contains("=?") {
        return None; // an undecoded RFC 2047 encoded-word
    }
    let mut s = String::new();
    let mut depth = 0usize;
    for (count, c) in raw.chars().take_while(|&c| !is_cut(c)).enumerate() {
        if count >= MAX_INPUT_CHARS {
            return None;
        }
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                s.push(' ');
                continue;
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                s.push(' ');
                continue;
            }
            _ => {}
        }
        if depth > 0 {
            continue;
        }
        if is_name_char(c) || c == '@' {
            s.push(c);
        } else if matches!(c, '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}') {
            s.push('\'');
        } else if matches!(c, '\u{2010}'..='\u{2015}') {
            s.push('-');
        } else if c == ',' {
            s.push_str(" , ");
        } else if c == '&' || c == '+' {
            s.push_str(" & ");
        } else if c.is_whitespace() {
            s.push(' ');
        } else if c.is_numeric() || c.is_control() || is_invisible(c) {
            // dropped without a trace: "Jan2" is "Jan", "B\0os" is "Bos"
        } else {
            s.push(' ');
        }
    }

    // Hyphens: "Jansen - de Vries" and "Jansen- de Vries" are "Jansen-de Vries".
    let mut joined: Vec<String> = Vec::new();
    let mut glue = false;
    for t in s.split_whitespace() {
        if t == "," || t == "&" {
            joined.push(t.to_string());
            glue = false;
            continue;
        }
        let core = t.trim_matches('-');
        if core.is_empty() {
            glue = true;
            continue;
        }
        let prev_is_word = joined.last().is_some_and(|p| p != "," && p != "&");
        if (glue || t.starts_with('-')) && prev_is_word {
            let last = joined.last_mut().expect("checked above");
            last.push('-');
            last.push_str(core);
        } else {
            joined.push(core.to_string());
        }
        glue = t.ends_with('-');
    }

    let mut toks: Vec<String> = Vec::new();
    for t in &joined {
        if t == "," || t == "&" {
            toks.push(t.clone());
            continue;
        }
        if t.contains('@') {
            continue; // an e-mail address is not a name
        }
        let t = trim_quotes(t);
        if !has_letter(t) {
            continue;
        }
        split_word(t, &mut toks);
    }

    if let Some(cut) = toks
        .iter()
        .enumerate()
        .position(|(i, t)| i > 0 && CUT_WORDS.contains(&t.to_lowercase().as_str()))
    {
        toks.truncate(cut);
    }

    let toks = join_hyphen_tv(toks);

    let words = toks.iter().filter(|t| *t != ",").count();
    if words > MAX_TOKENS || toks.iter().any(|t| t.chars().count() > MAX_TOKEN_CHARS) {
        return None;
    }
    Some(toks)
}

/// Quotes around a word go ("'Karin" → "Karin"), apostrophes that are part of a name stay
/// ("'t", "'s-Gravesande", "d'", "O'Brien").
fn trim_quotes(t: &str) -> &str {
    let mut t = t;
    loop {
        let lower = t.to_lowercase();
        let keep_start =
            lower == "'t" || lower == "'s" || lower.starts_with("'t-") || lower.starts_with("'s-");
        let keep_end = lower == "d'" || lower == "l'";
        if let Some(rest) = t.strip_prefix('\'').filter(|_| !keep_start) {
            t = rest;
        } else if let Some(rest) = t.strip_suffix('\'').filter(|_| !keep_end) {
            t = rest;
        } else {
            return t;
        }
    }
}

/// Pushes `t` as one or more tokens: "d'Ancona" → "d'", "Ancona"; "v.d.Berg" → "v.d.",
/// "Berg"; "J.Smit" / "k.smit" → "J.", "Smit"; initials, titles, tussenvoegsels and legal
/// forms with periods stay whole.
fn split_word(t: &str, out: &mut Vec<String>) {
    let lower = t.to_lowercase();
    if (lower.starts_with("d'") || lower.starts_with("l'"))
        && t.chars().nth(2).is_some_and(char::is_alphabetic)
    {
        out.push(t[..2].to_string());
        out.push(t[2..].to_string());
        return;
    }
    if lower.starts_with("v.d.") && t.len() > 4 && has_letter(&t[4..]) {
        out.push(t[..4].to_string());
        split_word(&t[4..], out);
        return;
    }
    if !t.contains('.') || is_initials_dotted(t) || is_known_abbreviation(&lower) {
        out.push(t.to_string());
        return;
    }
    let mut piece = String::new();
    for c in t.chars() {
        piece.push(c);
        if c == '.' {
            if has_letter(&piece) {
                out.push(std::mem::take(&mut piece));
            } else {
                piece.clear();
            }
        }
    }
    if has_letter(&piece) {
        out.push(piece);
    }
}

fn is_known_abbreviation(lower: &str) -> bool {
    let key: String = lower.chars().filter(|&c| c != '.').collect();
    gender_title(lower).is_some()
        || is_academic(lower)
        || tv_canonical(lower).is_some()
        || LEGAL_FORMS.contains(&key.as_str())
        || DEGREE_SUFFIXES.contains(&lower)
}

/// "Jansen-de Vries", "Jansen-van der Berg": a word ending in "-<tussenvoegsel>" takes the
/// following tussenvoegsel words and one name word.
fn join_hyphen_tv(toks: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let ends_in_tv = t.contains('-')
            && t.rsplit('-')
                .next()
                .is_some_and(|last| !last.is_empty() && is_tv(last));
        if ends_in_tv {
            let mut j = i + 1;
            while j < toks.len() && is_tv(&toks[j]) {
                j += 1;
            }
            if j < toks.len() && !is_separator(&toks[j]) {
                out.push(toks[i..=j].join(" "));
                i = j + 1;
                continue;
            }
        }
        out.push(t.clone());
        i += 1;
    }
    out
}

/// Initials with periods: "K.", "J.P.", "J.-P.", "Th.", "Chr." (every group at most three
/// letters). Position decides: "Bos." at the end is a surname.
fn is_initials_dotted(t: &str) -> bool {
    if !t.contains('.') {
        return false;
    }
    let mut groups = t.split(['.', '-']).filter(|g| !g.is_empty()).peekable();
    groups.peek().is_some()
        && groups.all(|g| g.chars().all(char::is_alphabetic) && g.chars().count() <= 3)
}

fn is_single_letter(t: &str) -> bool {
    let mut cs = t.chars();
    cs.next().is_some_and(char::is_alphabetic) && cs.next().is_none()
}

/// "KP", "JPM": initials written without periods.
fn is_caps_initials(t: &str) -> bool {
    let n = t.chars().count();
    (2..=3).contains(&n) && t.chars().all(|c| c.is_alphabetic() && c.is_uppercase())
}

/// "J.P." → "J.P.", "th." → "Th.", "J.-P." → "J.-P.", "KP" → "K.P.", "j" → "J.".
fn format_initials(t: &str) -> String {
    let mut out = String::new();
    if !t.contains('.') {
        for c in t.chars().filter(|c| c.is_alphabetic()) {
            out.extend(c.to_uppercase());
            out.push('.');
        }
        return out;
    }
    for group in t.split('.') {
        for (k, part) in group.split('-').enumerate() {
            if k > 0 {
                out.push('-');
            }
            if part.is_empty() {
                continue;
            }
            out.push_str(&capitalise_part(part));
            out.push('.');
        }
    }
    out
}

/// Drops "MSc", "jr.", "BA" … at the end of the name (with the comma before them), as long
/// as two words stay.
fn strip_degree_suffixes(toks: &mut Vec<String>) {
    loop {
        let Some(last) = toks.last() else {
            return;
        };
        let lower = last.to_lowercase();
        let is_suffix = DEGREE_SUFFIXES.contains(&lower.as_str())
            || CAPS_DEGREE_SUFFIXES.contains(&last.trim_end_matches('.'));
        let words_before = toks[..toks.len() - 1].iter().filter(|t| *t != ",").count();
        if !is_suffix || words_before < 2 {
            return;
        }
        toks.pop();
        while toks.last().is_some_and(|t| t == ",") {
            toks.pop();
        }
    }
}

/// No "," or "&" at either end.
fn trim_separators(toks: &mut Vec<String>) {
    while toks.last().is_some_and(|t| is_separator(t)) {
        toks.pop();
    }
    let lead = toks.iter().take_while(|t| is_separator(t)).count();
    *toks = toks.split_off(lead);
}

fn is_role_or_company(toks: &[String]) -> bool {
    toks.iter().enumerate().any(|(i, t)| {
        let lower = t.to_lowercase();
        let key: String = lower.chars().filter(|&c| c != '.').collect();
        if ROLE_WORDS.contains(&lower.as_str()) || ROLE_WORDS.contains(&key.as_str()) {
            return true;
        }
        if COMPANY_WORDS.contains(&key.as_str()) {
            return true;
        }
        if key.len() > 5
            && (key.ends_with("groep") || key.ends_with("holding") || key.ends_with("service"))
        {
            return true;
        }
        if LEGAL_FORMS.contains(&key.as_str()) {
            let is_last = toks[i + 1..].iter().all(|n| {
                let nk: String = n.to_lowercase().chars().filter(|&c| c != '.').collect();
                n == "," || LEGAL_FORMS.contains(&nk.as_str())
            });
            return is_last || (!t.contains('.') && key != "cv");
        }
        false
    })
}

/// All caps ("PIETER DE BOER") or all lower ("karin van der berg"), judged on the name
/// words (not titles, initials with periods or tussenvoegsels): then every part is
/// capitalised. Mixed case is kept as written.
fn needs_case_normalisation(toks: &[String]) -> bool {
    let mut upper = false;
    let mut lower = false;
    for t in toks {
        let l = t.to_lowercase();
        if is_separator(t)
            || is_single_letter(t)
            || t.contains('.')
            || gender_title(&l).is_some()
            || is_academic(&l)
            || tv_canonical(&l).is_some()
        {
            continue;
        }
        for c in t.chars() {
            upper |= c.is_uppercase();
            lower |= c.is_lowercase();
        }
    }
    upper != lower
}

// ---------------------------------------------------------------------------------------
// Parsing.

/// The titles at the start of a token list.
#[derive(Debug, Default, Clone, Copy)]
struct Titles {
    female: bool,
    male: bool,
    family: bool,
    /// "mr"/"mr.": Mr (English) or mr. (meester, a law degree) — decided by what follows.
    mr: bool,
    /// "De heer en mevrouw", "Mr and Mrs".
    couple: bool,
    /// Any title at all, academic ones included.
    any: bool,
    /// The first token after the titles.
    next: usize,
}

impl Titles {
    fn scan(toks: &[String]) -> Titles {
        let mut t = Titles::default();
        let mut i = 0;
        while i < toks.len() {
            let w = toks[i].to_lowercase();
            if w == "de"
                && toks
                    .get(i + 1)
                    .is_some_and(|n| MALE_AFTER_DE.contains(&n.to_lowercase().as_str()))
            {
                t.male = true;
                t.any = true;
                i += 2;
                continue;
            }
            if let Some(g) = gender_title(&w) {
                match g {
                    Gender::Female => t.female = true,
                    Gender::Male => t.male = true,
                    _ => t.family = true,
                }
                t.any = true;
                i += 1;
                continue;
            }
            if is_mr(&w) {
                t.mr = true;
                t.any = true;
                i += 1;
                continue;
            }
            if is_academic(&w) {
                t.any = true;
                i += 1;
                continue;
            }
            if is_connector(&w)
                && (t.female || t.male || t.family || t.mr)
                && starts_with_gender_title(&toks[i + 1..])
            {
                t.couple = true;
                i += 1;
                continue;
            }
            break;
        }
        t.next = i;
        t
    }

    fn union(self, other: Titles) -> Titles {
        Titles {
            female: self.female || other.female,
            male: self.male || other.male,
            family: self.family || other.family,
            mr: self.mr || other.mr,
            couple: self.couple || other.couple,
            any: self.any || other.any,
            next: self.next,
        }
    }

    fn gender(&self, family_hint: bool) -> Gender {
        if self.family || self.couple || family_hint {
            Gender::Family
        } else if self.female && !self.male {
            Gender::Female
        } else if self.male && !self.female {
            Gender::Male
        } else {
            Gender::Unknown
        }
    }

    /// Only "mr" (no other gendered title) before an English-looking name: Mr.
    fn gender_with_mr(&self, family_hint: bool, rest: &[String]) -> Gender {
        let g = self.gender(family_hint);
        if g == Gender::Unknown && self.mr && !self.female && !self.male && english_looking(rest) {
            Gender::Male
        } else {
            g
        }
    }
}

/// "John Smith", "Mary Ann Jones": at least two words, no tussenvoegsel, no initials
/// (with periods or of a single letter). After "Mr" such a name makes it the English Mr;
/// otherwise "mr." is the Dutch law title.
fn english_looking(rest: &[String]) -> bool {
    rest.len() >= 2
        && rest.iter().all(|w| {
            !w.contains('.')
                && !is_tv(w)
                && !is_separator(w)
                && w.chars().filter(|c| c.is_alphabetic()).count() >= 2
        })
}

/// A name word as it appears in the output: no periods; capitalised when normalising.
fn render_word(t: &str, normalize: bool) -> String {
    let t: String = t.chars().filter(|&c| c != '.').collect();
    if normalize {
        capitalise_name(&t)
    } else {
        t
    }
}

/// A given-name word: initials keep their periods.
fn render_given_word(t: &str, normalize: bool) -> String {
    if is_initials_dotted(t) {
        format_initials(t)
    } else {
        render_word(t, normalize)
    }
}

fn render_given(toks: &[String], normalize: bool) -> Option<String> {
    let s: Vec<String> = toks
        .iter()
        .filter(|t| !is_separator(t))
        .map(|t| render_given_word(t, normalize))
        .filter(|t| has_letter(t))
        .collect();
    (!s.is_empty()).then(|| s.join(" "))
}

fn render_surname(toks: &[String], normalize: bool) -> Option<String> {
    let s: Vec<String> = toks
        .iter()
        .filter(|t| !is_separator(t))
        .map(|t| render_word(t, normalize))
        .filter(|t| has_letter(t))
        .collect();
    (!s.is_empty()).then(|| s.join(" "))
}

fn join_initials(v: &[String]) -> Option<String> {
    (!v.is_empty()).then(|| v.concat())
}

/// "Mevrouw K. van der Berg", "Jan-Willem van den Heuvel", "Karin", "Mr John Smith".
fn parse_plain(toks: &[String], normalize: bool) -> PersonName {
    let titles = Titles::scan(toks);
    let mut rest = &toks[titles.next..];

    // "Jan en Karin Smit", "Jan & Karin Smit": the family; the name is the last person's.
    let mut family_hint = false;
    if let Some(k) = rest.iter().rposition(|t| is_connector(t)) {
        let before = rest[..k].iter().any(|t| !is_separator(t));
        let after = &rest[k + 1..];
        if after.is_empty() {
            rest = &rest[..k];
        } else {
            family_hint = before;
            rest = after;
        }
    }
    let rest: Vec<String> = rest.iter().filter(|t| !is_separator(t)).cloned().collect();

    let gender = titles.gender_with_mr(family_hint, &rest);
    let mut name = split_name(&rest, titles.any, normalize);
    name.gender = gender;
    if family_hint {
        name.initials = None;
        name.given = None;
    }
    name
}

/// Initials, given names, tussenvoegsel and surname, in that order, from the words after
/// the titles.
fn split_name(rest: &[String], had_title: bool, normalize: bool) -> PersonName {
    let mut name = PersonName::default();
    if rest.is_empty() {
        return name;
    }
    let mut initials: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 1 < rest.len() {
        let w = &rest[i];
        if is_tv(w) {
            break;
        }
        let caps_ok = (had_title || !initials.is_empty()) && !normalize && is_caps_initials(w);
        if is_initials_dotted(w) || is_single_letter(w) || caps_ok {
            initials.push(format_initials(w));
            i += 1;
        } else {
            break;
        }
    }
    name.initials = join_initials(&initials);
    let rem = &rest[i..];

    for j in 0..rem.len() {
        if let Some((tv, n)) = match_tv(&rem[j..]) {
            name.given = render_given(&rem[..j], normalize);
            name.tussenvoegsel = Some(tv);
            name.surname = render_surname(&rem[j + n..], normalize);
            return name;
        }
    }
    match rem {
        [] => {}
        [only] => {
            if had_title || !initials.is_empty() {
                name.surname = render_surname(std::slice::from_ref(only), normalize);
            } else {
                // A single word ("Karin", "Smit") could be either: no surname.
                name.given = render_given(std::slice::from_ref(only), normalize);
            }
        }
        [given @ .., last] => {
            name.given = render_given(given, normalize);
            name.surname = render_surname(std::slice::from_ref(last), normalize);
        }
    }
    name
}

/// "Smit, Karin", "Smit, K.", "Berg, K. van der", "Vries, J.P. de", "van der Berg, K.":
/// `None` when the part before the comma does not read as a surname (then the comma is
/// not the surname-first comma: "J. Smit, Amsterdam").
fn parse_surname_first(left: &[String], right: &[String], normalize: bool) -> Option<PersonName> {
    if right.is_empty() {
        return None;
    }
    let mut lt = Titles::scan(left);
    if lt.next >= left.len() {
        lt = Titles::default(); // "Heer, J.": the whole left side is the surname
    }
    let l = &left[lt.next..];
    if l.is_empty() || l.iter().any(|t| is_separator(t)) || is_initials_dotted(&l[0]) {
        return None;
    }
    let rt = Titles::scan(right);
    let r = &right[rt.next..];

    // The surname side: "Berg", "van der Berg", "Berg van der".
    let trailing_tv_start = (1..l.len()).find(|&k| l[k..].iter().all(|t| is_tv(t)));
    let (tv_left, surname_toks): (Option<String>, &[String]) = if let Some((tv, n)) = match_tv(l) {
        (Some(tv), &l[n..])
    } else if let Some(k) = trailing_tv_start {
        (Some(canonical_tv_words(&l[k..])), &l[..k])
    } else {
        (None, l)
    };
    let left_is_surname = l.len() == 1 || tv_left.is_some();
    let right_is_initials = !r.is_empty()
        && r.iter().all(|w| {
            is_tv(w) || is_initials_dotted(w) || is_single_letter(w) || is_caps_initials(w)
        });
    if !left_is_surname && !right_is_initials {
        return None;
    }

    // The other side: titles, initials, given names, a trailing tussenvoegsel.
    let family_hint = r.iter().any(|t| is_connector(t));
    let r: Vec<String> = r.iter().filter(|t| !is_separator(t)).cloned().collect();
    let mut initials: Vec<String> = Vec::new();
    let mut i = 0;
    while i < r.len() {
        let w = &r[i];
        if is_tv(w) {
            break;
        }
        if is_initials_dotted(w) || is_single_letter(w) || (!normalize && is_caps_initials(w)) {
            initials.push(format_initials(w));
            i += 1;
        } else {
            break;
        }
    }
    let mut end = r.len();
    while end > i && is_tv(&r[end - 1]) {
        end -= 1;
    }
    let tv_right = (end < r.len()).then(|| canonical_tv_words(&r[end..]));

    let titles = lt.union(rt);
    let mut name = PersonName {
        gender: titles.gender(family_hint),
        initials: join_initials(&initials),
        given: render_given(&r[i..end], normalize),
        tussenvoegsel: tv_left.or(tv_right),
        surname: render_surname(surname_toks, normalize),
    };
    if family_hint {
        name.initials = None;
        name.given = None;
    }
    name.surname.as_ref()?;
    Some(name)
}

fn canonical_tv_words(toks: &[String]) -> String {
    toks.iter()
        .filter_map(|t| tv_canonical(&t.to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------
// Text.

/// "karin" → "Karin", "IJSSEL" → "IJssel", "o'brien" → "O'Brien", "jansen-de vries" →
/// "Jansen-de Vries" (tussenvoegsels inside a name stay lower case).
fn capitalise_name(s: &str) -> String {
    s.split(' ')
        .enumerate()
        .map(|(wi, word)| {
            if wi > 0 && is_tv(word) {
                return word.to_lowercase();
            }
            word.split('-')
                .enumerate()
                .map(|(k, part)| {
                    if k > 0 && is_tv(part) {
                        part.to_lowercase()
                    } else {
                        capitalise_part(part)
                    }
                })
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One name part: first letter up, the rest down; "ij" counts as one letter ("IJssel");
/// after "O'"-style one-letter prefixes the next letter is up too ("O'Brien").
fn capitalise_part(part: &str) -> String {
    let lower = part.to_lowercase();
    if lower.starts_with('\'') {
        return lower; // "'t", "'s-Gravesande"
    }
    if let Some(rest) = lower.strip_prefix("ij") {
        return format!("IJ{rest}");
    }
    let mut cs = lower.chars();
    let Some(first) = cs.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().collect();
    let rest = cs.as_str();
    if let Some(after) = rest.strip_prefix('\'') {
        let mut ac = after.chars();
        if let Some(c) = ac.next().filter(|c| c.is_alphabetic()) {
            // "O'Brien": a one-letter prefix and an apostrophe
            out.push('\'');
            out.extend(c.to_uppercase());
            out.push_str(ac.as_str());
            return out;
        }
    }
    out.push_str(rest);
    out
}

/// The first letter up, unless the text starts with an apostrophe ("'t Hart" stays).
fn capitalise_first(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) if c.is_alphabetic() => {
            let mut out: String = c.to_uppercase().collect();
            out.push_str(cs.as_str());
            out
        }
        _ => s.to_string(),
    }
}

/// "van der" + "Berg" → "van der Berg"; "d'" + "Ancona" → "d'Ancona".
fn join_tv(tv: &str, surname: &str) -> String {
    if tv.ends_with('\'') && !tv.starts_with('\'') {
        format!("{tv}{surname}")
    } else {
        format!("{tv} {surname}")
    }
}

/// A part as it may appear in output: cut at `<` or a line break, only letters, periods,
/// hyphens, apostrophes and single spaces, at most [`MAX_OUTPUT_CHARS`] characters;
/// `None` when no letter is left.
fn clean_field(s: Option<&str>) -> Option<String> {
    let s = s?;
    let mut out = String::new();
    let mut space = false;
    for c in s.chars().take_while(|&c| !is_cut(c)) {
        if is_name_char(c) {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else if c.is_whitespace() {
            space = true;
        }
    }
    let out = cap_chars(&out);
    has_letter(&out).then_some(out)
}

/// At most [`MAX_OUTPUT_CHARS`] characters, without trailing spaces.
fn cap_chars(s: &str) -> String {
    let capped: String = s.chars().take(MAX_OUTPUT_CHARS).collect();
    capped.trim().to_string()
}

#[cfg(test)]
mod tests;
