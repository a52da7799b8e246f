//! A raw name split into cleaned tokens: quotes, "via …", brackets, control and
//! invisible characters and e-mail addresses removed; initials and degrees recognised.

use super::*;

/// The raw name as cleaned tokens: words (letters, periods, hyphens, apostrophes), ","
/// and "&". `None` when the input is not a name at all (too long, MIME-encoded, too many
/// parts).
pub(super) fn tokenize(raw: &str) -> Option<Vec<String>> {
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
pub(super) fn trim_quotes(t: &str) -> &str {
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
pub(super) fn split_word(t: &str, out: &mut Vec<String>) {
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

pub(super) fn is_known_abbreviation(lower: &str) -> bool {
    let key: String = lower.chars().filter(|&c| c != '.').collect();
    gender_title(lower).is_some()
        || is_academic(lower)
        || tv_canonical(lower).is_some()
        || LEGAL_FORMS.contains(&key.as_str())
        || DEGREE_SUFFIXES.contains(&lower)
}

/// "Jansen-de Vries", "Jansen-van der Berg": a word ending in "-<tussenvoegsel>" takes the
/// following tussenvoegsel words and one name word.
pub(super) fn join_hyphen_tv(toks: Vec<String>) -> Vec<String> {
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
pub(super) fn is_initials_dotted(t: &str) -> bool {
    if !t.contains('.') {
        return false;
    }
    let mut groups = t.split(['.', '-']).filter(|g| !g.is_empty()).peekable();
    groups.peek().is_some()
        && groups.all(|g| g.chars().all(char::is_alphabetic) && g.chars().count() <= 3)
}

pub(super) fn is_single_letter(t: &str) -> bool {
    let mut cs = t.chars();
    cs.next().is_some_and(char::is_alphabetic) && cs.next().is_none()
}

/// "KP", "JPM": initials written without periods.
pub(super) fn is_caps_initials(t: &str) -> bool {
    let n = t.chars().count();
    (2..=3).contains(&n) && t.chars().all(|c| c.is_alphabetic() && c.is_uppercase())
}

/// "J.P." → "J.P.", "th." → "Th.", "J.-P." → "J.-P.", "KP" → "K.P.", "j" → "J.".
pub(super) fn format_initials(t: &str) -> String {
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
pub(super) fn strip_degree_suffixes(toks: &mut Vec<String>) {
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
pub(super) fn trim_separators(toks: &mut Vec<String>) {
    while toks.last().is_some_and(|t| is_separator(t)) {
        toks.pop();
    }
    let lead = toks.iter().take_while(|t| is_separator(t)).count();
    *toks = toks.split_off(lead);
}

pub(super) fn is_role_or_company(toks: &[String]) -> bool {
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
pub(super) fn needs_case_normalisation(toks: &[String]) -> bool {
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
