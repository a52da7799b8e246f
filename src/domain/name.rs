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

mod parse;
mod tokens;
mod words;

use parse::*;
use tokens::*;
use words::*;

#[cfg(test)]
mod tests;
