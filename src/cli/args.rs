//! Parsing the command line's values: statuses, periods, formats, profiles, languages and
//! case references as people write them.

use super::*;

/// Which cases `cases --status` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Exactly this status.
    Is(Status),
    /// Not yet handled: `kandidaat` or `in_behandeling` (as the inventory counts "open").
    Open,
    /// Open and past a deadline that still runs (as the escalations decide).
    Overdue,
}

impl StatusFilter {
    /// Whether `case` passes on `today` (an Amsterdam date).
    pub fn admits(self, case: &crate::store::CaseRow, today: chrono::NaiveDate) -> bool {
        match self {
            StatusFilter::Is(s) => case.status == s,
            StatusFilter::Open => crate::report::is_open(case.status),
            StatusFilter::Overdue => crate::report::is_overdue(case, today),
        }
    }
}

pub(super) fn parse_status(s: &str) -> Result<StatusFilter, String> {
    let key = s.trim().to_lowercase().replace([' ', '-'], "_");
    match key.as_str() {
        "open" => return Ok(StatusFilter::Open),
        "overdue" | "te_laat" => return Ok(StatusFilter::Overdue),
        _ => {}
    }
    if let Some(status) = Status::parse(&key) {
        return Ok(StatusFilter::Is(status));
    }
    let known = crate::case::STATUSES.map(|s| s.as_str()).join(", ");
    Err(match early_lang() {
        Language::Nl => format!("{s:?} is geen status; kies uit {known}, open of overdue"),
        Language::En => format!("{s:?} is not a status; expected one of {known}, open or overdue"),
    })
}

pub(super) fn parse_lang(s: &str) -> Result<Language, String> {
    labels::parse_language(s).ok_or_else(|| format!("{s:?}: nl of en (nl or en)"))
}

pub(super) fn parse_period(s: &str) -> Result<crate::report::Period, String> {
    crate::report::Period::parse_in(s, early_lang())
}

pub(super) fn parse_format(s: &str) -> Result<crate::report::Format, String> {
    s.parse().map_err(|_: String| match early_lang() {
        Language::Nl => format!("{s:?}: kies text, md, csv of html"),
        Language::En => format!("{s:?}: use text, md, csv or html"),
    })
}

pub(super) fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse().map_err(|_: String| match early_lang() {
        Language::Nl => format!("{s:?} is geen kalender; kies kantoor of atw"),
        Language::En => format!("{s:?} is not a calendar; expected kantoor or atw"),
    })
}

/// A case reference as people type it: `KL-2026-0009`, `KL-2026-9`, `kl-2026-9` or
/// `2026-9` (the register prints `KL-2026-0009`).
pub fn case_ref(s: &str) -> Option<CaseRef> {
    let t = s.trim();
    let rest = match t.get(..2) {
        Some(p) if p.eq_ignore_ascii_case("kl") => t[2..].trim_start_matches(['-', ' ']),
        _ => t,
    };
    let (year, seq) = rest.split_once('-')?;
    let digits = |d: &str, max: usize| {
        !d.is_empty() && d.len() <= max && d.bytes().all(|b| b.is_ascii_digit())
    };
    if year.len() != 4 || !digits(year, 4) || !digits(seq, 7) {
        return None;
    }
    CaseRef::new(year.parse().ok()?, seq.parse().ok()?)
}

pub(super) fn parse_ref(s: &str) -> Result<CaseRef, String> {
    case_ref(s).ok_or_else(|| match early_lang() {
        Language::Nl => {
            format!("{s:?} is geen zaakkenmerk (schrijf KL-2026-7, KL-2026-0007 of 2026-7)")
        }
        Language::En => {
            format!("{s:?} is not a case reference (write KL-2026-7, KL-2026-0007 or 2026-7)")
        }
    })
}
