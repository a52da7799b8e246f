//! Whom a mail is addressed to, when its opening line says so: "Aan de klantenservice van
//! Veluwse Energie,", "To the complaints department of Maaskant Leven,", "Dear PayFlux
//! Merchant Support,". A line that opens with an addressing word, names an organisation
//! (a word of the lexicon's `organisation_words`: klantenservice, afdeling, team,
//! department) by a name written with capitals, and shares no distinctive word with the
//! firm's own name (`organisation.name`), addresses someone else: a complaint copied to
//! the firm, or sent to the wrong address. Such a mail does not declare a complaint to the
//! firm (see the declaration rule of the detector), whatever words it uses.
//!
//! Only the first few lines are read, and only when the firm's name is known.

use serde::Deserialize;

use super::normalize::normalize;

/// The lexicon's `[addressee]` table (its words normalised once the lexicon is read).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Addressee {
    /// Words or phrases an addressing line starts with ("aan", "geachte", "to the", "dear").
    pub openers: Vec<String>,
    /// Words that name an organisation or a part of one ("klantenservice", "department").
    pub organisation_words: Vec<String>,
    /// Words that name no one in particular: in a firm's name they do not tell one firm
    /// from another ("financieel", "advies", "en": the firm is recognised by the others),
    /// in an addressing line they are no name ("Dear Customer Service").
    pub generic: Vec<String>,
}

/// The reason, in a verdict's ignored matches, that a declaration did not count.
pub const REASON: &str = "elders_geadresseerd";

/// How many non-empty lines at the top of a body are read, and how many bytes at most.
const LINES: usize = 3;
const BYTES: usize = 1024;
/// An addressing line is short: a longer one is a sentence of the mail.
const MAX_WORDS: usize = 12;

/// The distinctive words of the firm's name, normalised ("Dijkstra & Mol Financieel
/// Advies" → dijkstra, mol).
pub fn distinctive(addressee: &Addressee, name: &str) -> Vec<String> {
    normalize(name)
        .text()
        .split_whitespace()
        .filter(|w| w.len() >= 3 && !addressee.generic.iter().any(|g| g == w))
        .map(str::to_string)
        .collect()
}

/// The opening line of `body` that addresses another organisation than the firm whose
/// distinctive name words are `own`, as written (at most 100 characters). `None` when `own`
/// is empty: without the firm's name nothing can be told.
pub fn elsewhere<'a>(addressee: &Addressee, body: &'a str, own: &[String]) -> Option<&'a str> {
    if own.is_empty() || addressee.openers.is_empty() {
        return None;
    }
    let mut end = body.len().min(BYTES);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body[..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(LINES)
        .find(|line| addresses_other(addressee, line, own))
        .map(|line| {
            let mut cut = line.len().min(100);
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            &line[..cut]
        })
}

fn addresses_other(addressee: &Addressee, line: &str, own: &[String]) -> bool {
    let norm = normalize(line);
    let words: Vec<&str> = norm.text().split_whitespace().collect();
    let opens = addressee.openers.iter().any(|o| {
        let o: Vec<&str> = o.split_whitespace().collect();
        !o.is_empty() && words.starts_with(&o)
    });
    let is = |list: &[String], w: &str| list.iter().any(|x| x == w);
    // An organisation word, not one added to a person ("Beste Daan en team").
    let organisation = words.iter().enumerate().any(|(i, w)| {
        is(&addressee.organisation_words, w)
            && !matches!(i.checked_sub(1).map(|j| words[j]), Some("en" | "and"))
    });
    if !opens || words.len() > MAX_WORDS || !organisation {
        return false;
    }
    // The words written with a capital, after the first: the names on the line.
    let names: Vec<String> = line
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .skip(1)
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(|w| normalize(w).text().to_string())
        .filter(|w| {
            !is(&addressee.openers, w)
                && !is(&addressee.organisation_words, w)
                && !is(&addressee.generic, w)
        })
        .collect();
    !names.is_empty() && !words.iter().any(|w| own.iter().any(|o| o == w))
}
