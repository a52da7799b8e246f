//! Tokens read as title, initials, given names, tussenvoegsel and surname, and written
//! back with Dutch capitalisation.

use super::*;

/// The titles at the start of a token list.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Titles {
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
pub(super) fn english_looking(rest: &[String]) -> bool {
    rest.len() >= 2
        && rest.iter().all(|w| {
            !w.contains('.')
                && !is_tv(w)
                && !is_separator(w)
                && w.chars().filter(|c| c.is_alphabetic()).count() >= 2
        })
}

/// A name word as it appears in the output: no periods; capitalised when normalising.
pub(super) fn render_word(t: &str, normalize: bool) -> String {
    let t: String = t.chars().filter(|&c| c != '.').collect();
    if normalize {
        capitalise_name(&t)
    } else {
        t
    }
}

/// A given-name word: initials keep their periods.
pub(super) fn render_given_word(t: &str, normalize: bool) -> String {
    if is_initials_dotted(t) {
        format_initials(t)
    } else {
        render_word(t, normalize)
    }
}

pub(super) fn render_given(toks: &[String], normalize: bool) -> Option<String> {
    let s: Vec<String> = toks
        .iter()
        .filter(|t| !is_separator(t))
        .map(|t| render_given_word(t, normalize))
        .filter(|t| has_letter(t))
        .collect();
    (!s.is_empty()).then(|| s.join(" "))
}

pub(super) fn render_surname(toks: &[String], normalize: bool) -> Option<String> {
    let s: Vec<String> = toks
        .iter()
        .filter(|t| !is_separator(t))
        .map(|t| render_word(t, normalize))
        .filter(|t| has_letter(t))
        .collect();
    (!s.is_empty()).then(|| s.join(" "))
}

pub(super) fn join_initials(v: &[String]) -> Option<String> {
    (!v.is_empty()).then(|| v.concat())
}

/// "Mevrouw K. van der Berg", "Jan-Willem van den Heuvel", "Karin", "Mr John Smith".
pub(super) fn parse_plain(toks: &[String], normalize: bool) -> PersonName {
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
pub(super) fn split_name(rest: &[String], had_title: bool, normalize: bool) -> PersonName {
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
pub(super) fn parse_surname_first(
    left: &[String],
    right: &[String],
    normalize: bool,
) -> Option<PersonName> {
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

pub(super) fn canonical_tv_words(toks: &[String]) -> String {
    toks.iter()
        .filter_map(|t| tv_canonical(&t.to_lowercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------
// Text.

/// "karin" → "Karin", "IJSSEL" → "IJssel", "o'brien" → "O'Brien", "jansen-de vries" →
/// "Jansen-de Vries" (tussenvoegsels inside a name stay lower case).
pub(super) fn capitalise_name(s: &str) -> String {
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
pub(super) fn capitalise_part(part: &str) -> String {
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
pub(super) fn capitalise_first(s: &str) -> String {
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
pub(super) fn join_tv(tv: &str, surname: &str) -> String {
    if tv.ends_with('\'') && !tv.starts_with('\'') {
        format!("{tv}{surname}")
    } else {
        format!("{tv} {surname}")
    }
}

/// A part as it may appear in output: cut at `<` or a line break, only letters, periods,
/// hyphens, apostrophes and single spaces, at most [`MAX_OUTPUT_CHARS`] characters;
/// `None` when no letter is left.
pub(super) fn clean_field(s: Option<&str>) -> Option<String> {
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
pub(super) fn cap_chars(s: &str) -> String {
    let capped: String = s.chars().take(MAX_OUTPUT_CHARS).collect();
    capped.trim().to_string()
}
