//! Reporting periods (half year, year, range) and output formats.

use super::*;

/// A reporting period: a half year, a calendar year, or any range of dates (both ends
/// included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub(super) kind: Kind,
}

/// What kind of period it is, for its label and the period before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `(year, 1 | 2)`
    Half(i32, u8),
    Year(i32),
    Range,
}

/// The years a half year or a year may lie in.
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2200;

impl Period {
    pub fn half(year: i32, half: u8) -> Option<Period> {
        let (from, to) = match half {
            1 => (
                NaiveDate::from_ymd_opt(year, 1, 1)?,
                NaiveDate::from_ymd_opt(year, 6, 30)?,
            ),
            2 => (
                NaiveDate::from_ymd_opt(year, 7, 1)?,
                NaiveDate::from_ymd_opt(year, 12, 31)?,
            ),
            _ => return None,
        };
        Some(Period {
            from,
            to,
            kind: Kind::Half(year, half),
        })
    }

    /// The calendar year `year`, 1 January to 31 December.
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
            kind: Kind::Year(year),
        })
    }

    /// The half year `date` falls in.
    pub fn half_of(date: NaiveDate) -> Period {
        let half = if date.month() <= 6 { 1 } else { 2 };
        Period::half(date.year(), half).expect("a valid half year")
    }

    /// The period of the same kind just before this one.
    pub fn previous(&self) -> Period {
        match self.kind {
            Kind::Half(y, 2) => Period::half(y, 1).expect("valid"),
            Kind::Half(y, _) => Period::half(y - 1, 2).expect("valid"),
            Kind::Year(y) => Period::year(y - 1).expect("valid"),
            Kind::Range => {
                let days = (self.to - self.from).num_days() + 1;
                Period {
                    from: self.from - Duration::days(days),
                    to: self.from - Duration::days(1),
                    kind: Kind::Range,
                }
            }
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// The label used in reports and dedup keys: `2026-H1`, `2026`, or
    /// `2026-01-01..2026-03-31`.
    pub fn label(&self) -> String {
        self.to_string()
    }

    /// Reads `2026-H1`, `2026-H2`, `2026` (the whole year) or `2026-01-01..2026-03-31`,
    /// with the reason in `lang` when it is none of these.
    pub fn parse_in(s: &str, lang: Language) -> Result<Period, String> {
        let s = s.trim();
        let bad = || match lang {
            Language::Nl => format!(
                "{s:?} is geen periode: gebruik 2026, 2026-H1, 2026-H2 of 2026-01-01..2026-03-31"
            ),
            Language::En => format!(
                "{s:?} is not a period: use 2026, 2026-H1, 2026-H2 or 2026-01-01..2026-03-31"
            ),
        };
        if let Some((a, b)) = s.split_once("..") {
            let d = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| bad());
            let (from, to) = (d(a)?, d(b)?);
            if to < from {
                return Err(match lang {
                    Language::Nl => format!("{s:?}: het einde ligt vóór het begin"),
                    Language::En => format!("{s:?}: the end lies before the start"),
                });
            }
            if (to - from).num_days() > 366 * 10 {
                return Err(match lang {
                    Language::Nl => format!("{s:?}: hoogstens tien jaar"),
                    Language::En => format!("{s:?}: at most ten years"),
                });
            }
            return Ok(Period {
                from,
                to,
                kind: Kind::Range,
            });
        }
        let year = |y: &str| -> Result<i32, String> {
            if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let y: i32 = y.parse().map_err(|_| bad())?;
            if YEARS.contains(&y) {
                Ok(y)
            } else {
                Err(bad())
            }
        };
        let Some((y, half)) = s.split_once(['-', ' ']) else {
            // A whole year: `2026`.
            return Period::year(year(s)?).ok_or_else(bad);
        };
        let y = year(y)?;
        let half = match half.trim().to_ascii_uppercase().as_str() {
            "H1" => 1,
            "H2" => 2,
            _ => return Err(bad()),
        };
        Period::half(y, half).ok_or_else(bad)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Half(y, h) => write!(f, "{y}-H{h}"),
            Kind::Year(y) => write!(f, "{y}"),
            Kind::Range => write!(f, "{}..{}", self.from, self.to),
        }
    }
}

impl FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Period, String> {
        Period::parse_in(s, Language::En)
    }
}

/// The output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Csv,
    Html,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(Format::Text),
            "md" | "markdown" => Ok(Format::Markdown),
            "csv" => Ok(Format::Csv),
            "html" => Ok(Format::Html),
            _ => Err(format!("{s:?}: use text, md, csv or html")),
        }
    }
}
