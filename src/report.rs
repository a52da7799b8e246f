//! The half-yearly inventory (klachteninventarisatie, section 3.5 of the procedure): what
//! came in, how fast it was handled, what stands open, what rises, and whether measures
//! helped. One [`Report`] of sections and rows feeds every format, so text, Markdown,
//! CSV and HTML always carry the same figures.
//!
//! Definitions (also in the README):
//! - a case counts in the period of the Amsterdam date it was received;
//! - a *complaint* is a case directie confirmed (`confirmed_at` set); *judged not a
//!   complaint* is one closed without that; *waiting* is still `kandidaat`;
//! - times are calendar days (to one decimal) from receipt to the acknowledgement and to
//!   the position going out (`acknowledged_at`, `position_sent_at`: queued by e-mail,
//!   posted by directie, or a position handled orally); the median of an even count is the mean of the middle
//!   two, the 90th percentile is the nearest rank (⌈0.9·n⌉-th smallest);
//! - *within the deadline*: acknowledged on or before `confirm_by`, position on or before
//!   `position_by` (as extended by `VERLENG`);
//! - *past the Kifid mark*: the position came on or after `kifid_from`, or has not come
//!   and today is on or after it;
//! - a category *rose markedly* when it has at least 3 complaints and at least twice the
//!   mean of the two periods before (or any 3 when both were 0);
//! - *open*: `kandidaat` or `in_behandeling` ([`is_open`]); *over the deadline*: open and
//!   past `confirm_by` without an acknowledgement, or past `position_by` without a
//!   position ([`is_overdue`], the notion of the escalations);
//! - a measure's effect compares the complaints of its category in equal windows before and
//!   after the day it was taken (at most 182 days, ending with the period, or today when
//!   that is earlier); under 28 days — a measure younger than that — is too early to tell
//!   ("te vroeg").
//!
//! Labels and titles come in Dutch or English ([`build_in`]); keys and CSV values are the
//! same in both.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use tera::{Context, Tera};

use crate::calendar::{dutch_date, english_date, local_date};
use crate::case::{Outcome, Status};
use crate::cli::labels::{self, Language};
use crate::store::{CaseRow, Measure};

/// A reporting period: a half year, a calendar year, or any range of dates (both ends
/// included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    kind: Kind,
}

/// What kind of period it is, for its label and the period before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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

/// One figure: as people read it (Dutch decimal comma) and as machines do (CSV).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cell {
    pub text: String,
    pub raw: String,
}

impl Cell {
    fn count(n: usize) -> Cell {
        Cell {
            text: n.to_string(),
            raw: n.to_string(),
        }
    }

    fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell {
            text: s.clone(),
            raw: s,
        }
    }

    fn decimal(x: Option<f64>) -> Cell {
        match x {
            Some(x) => {
                let raw = format!("{x:.1}");
                Cell {
                    text: raw.replace('.', ","),
                    raw,
                }
            }
            None => Cell {
                text: "–".into(),
                raw: String::new(),
            },
        }
    }

    fn percent(part: usize, whole: usize) -> Cell {
        if whole == 0 {
            return Cell::decimal(None);
        }
        let raw = format!("{:.1}", 100.0 * part as f64 / whole as f64);
        Cell {
            text: format!("{}%", raw.replace('.', ",")),
            raw,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub cells: Vec<Cell>,
    /// The row as one aligned line of the text format.
    pub line: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Column {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Section {
    pub key: String,
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// A sentence under the table (e.g. "geen").
    pub note: Option<String>,
    /// The header line of the text format.
    pub header: String,
}

/// The inventory of one period.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub period: String,
    pub from: String,
    pub to: String,
    pub from_text: String,
    pub to_text: String,
    pub generated: String,
    pub organisation: String,
    /// The language of titles, labels and findings (`nl` or `en`); keys and CSV values
    /// are the same in both.
    pub language: &'static str,
    /// Short findings for the top of the report (what rose, what is late).
    pub highlights: Vec<String>,
    pub sections: Vec<Section>,
    /// Complaints per month by category, as an inline SVG chart (HTML only).
    pub chart: String,
}

const MEASURE_WINDOW_DAYS: i64 = 182;
const MEASURE_MIN_DAYS: i64 = 28;

/// What one case contributes, read once.
struct Fact<'a> {
    case: &'a CaseRow,
    received: NaiveDate,
    received_at: Option<DateTime<Utc>>,
    complaint: bool,
}

fn ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Median (mean of the middle two for an even count), nearest-rank 90th percentile and
/// maximum of `xs`.
pub fn spread(xs: &[f64]) -> (Option<f64>, Option<f64>, Option<f64>) {
    if xs.is_empty() {
        return (None, None, None);
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    let rank = (0.9 * n as f64).ceil() as usize;
    (
        Some(median),
        Some(v[rank.clamp(1, n) - 1]),
        v.last().copied(),
    )
}

fn days_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_seconds() as f64 / 86_400.0
}

/// The widest a column other than the last may be in the text format; longer text is cut
/// with "…" there (Markdown, HTML and CSV keep it whole).
const MAX_COLUMN: usize = 60;

/// Whether a cell reads as a figure (right-aligned): digits, decimal comma or point,
/// percent sign, or the dash of "no figure".
fn numeric(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '%' | '–' | '-'))
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Lays out a table for a fixed-width screen: every column as wide as its widest cell
/// (counted in characters), two spaces between columns, columns marked in `right`
/// right-aligned. A left-aligned last column is not padded, and no line ends in spaces.
/// Rows shorter than the widest are read as ending in empty cells.
pub fn columns(rows: &[Vec<String>], right: &[bool]) -> Vec<String> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; n];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                let gap = (*width).saturating_sub(cell.chars().count());
                if i > 0 {
                    line.push_str("  ");
                }
                if right.get(i).copied().unwrap_or(false) {
                    line.extend(std::iter::repeat_n(' ', gap));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if i + 1 < n {
                        line.extend(std::iter::repeat_n(' ', gap));
                    }
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// The text-format lines of a section: its header line and one line per row, indented by
/// two spaces. The first column holds the row labels; a column of figures is right-aligned.
fn layout(columns_: &[Column], rows: &[(String, Vec<Cell>)]) -> (String, Vec<String>) {
    let last = columns_.len();
    let fit = |i: usize, s: &str| {
        if i < last {
            clip(s, MAX_COLUMN)
        } else {
            s.to_string()
        }
    };
    let mut table: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
    table.push(
        std::iter::once(String::new())
            .chain(
                columns_
                    .iter()
                    .enumerate()
                    .map(|(i, c)| fit(i + 1, &c.label)),
            )
            .collect(),
    );
    for (label, cells) in rows {
        table.push(
            std::iter::once(fit(0, label))
                .chain(cells.iter().enumerate().map(|(i, c)| fit(i + 1, &c.text)))
                .collect(),
        );
    }
    let right: Vec<bool> = (0..=last)
        .map(|i| {
            i > 0 && {
                let mut cells = rows
                    .iter()
                    .filter_map(|(_, cells)| cells.get(i - 1))
                    .map(|c| c.text.as_str())
                    .filter(|t| !t.is_empty())
                    .peekable();
                cells.peek().is_some() && cells.all(numeric)
            }
        })
        .collect();
    let mut lines =
        columns(&table, &right)
            .into_iter()
            .map(|l| if l.is_empty() { l } else { format!("  {l}") });
    let header = lines.next().unwrap_or_default();
    (header, lines.collect())
}

fn section(
    key: &str,
    title: &str,
    columns_: &[(&str, &str)],
    rows: Vec<(String, String, Vec<Cell>)>,
) -> Section {
    let columns_: Vec<Column> = columns_
        .iter()
        .map(|(k, l)| Column {
            key: k.to_string(),
            label: l.to_string(),
        })
        .collect();
    let labelled: Vec<(String, Vec<Cell>)> = rows
        .iter()
        .map(|(_, label, cells)| (label.clone(), cells.clone()))
        .collect();
    let (header, lines) = layout(&columns_, &labelled);
    let rows = rows
        .into_iter()
        .zip(lines)
        .map(|((key, label, cells), line)| Row {
            line,
            key,
            label,
            cells,
        })
        .collect();
    Section {
        key: key.into(),
        title: title.into(),
        columns: columns_,
        rows,
        note: None,
        header,
    }
}

/// The inventory's key for a channel (`e-mail`, `telefoon`, …; CSV keeps these).
fn channel_key(c: &str) -> String {
    match c {
        "email" => "e-mail".into(),
        "formulier" => "formulier".into(),
        other => other.into(),
    }
}

const CATEGORY_COLOURS: [&str; 6] = [
    "#1b6ca8", "#f0a202", "#d1495b", "#00798c", "#6a4c93", "#9a9a9a",
];

/// Open: waiting for directie's decision (`kandidaat`) or for the position
/// (`in_behandeling`). A case with a position given, closed, or judged not a complaint
/// is not open.
pub fn is_open(status: Status) -> bool {
    matches!(status, Status::Kandidaat | Status::InBehandeling)
}

/// Open and past a deadline that still runs on `today` (an Amsterdam date): `confirm_by`
/// while the case is `kandidaat` (no acknowledgement yet), `position_by` while no position
/// has been given. The deadline day itself is not over the deadline: escalations start on
/// the working day after it.
pub fn is_overdue(case: &CaseRow, today: NaiveDate) -> bool {
    let passed = |s: &str| date(s).is_some_and(|d| today > d);
    match case.status {
        Status::Kandidaat => passed(&case.confirm_by) || passed(&case.position_by),
        Status::InBehandeling => passed(&case.position_by),
        _ => false,
    }
}

/// What a measure's effect is called: (as people read it, as CSV holds it).
fn effect(lang: Language, nl: &'static str, en: &'static str) -> Cell {
    Cell {
        text: labels::t(lang, nl, en).to_string(),
        raw: nl.to_string(),
    }
}

/// Builds the inventory of `period` from every case and measure in the register, in Dutch.
pub fn build(
    period: &Period,
    cases: &[CaseRow],
    measures: &[Measure],
    now: DateTime<Utc>,
    organisation: &str,
) -> Report {
    build_in(period, cases, measures, now, organisation, Language::Nl)
}

/// Builds the inventory in `lang`: titles, labels and findings in that language; keys and
/// the CSV values (`raw`) are the same in both.
pub fn build_in(
    period: &Period,
    cases: &[CaseRow],
    measures: &[Measure],
    now: DateTime<Utc>,
    organisation: &str,
    lang: Language,
) -> Report {
    let tr = |nl: &'static str, en: &'static str| labels::t(lang, nl, en);
    let long_date = |d: NaiveDate| match lang {
        Language::Nl => dutch_date(d),
        Language::En => english_date(d),
    };
    let today = local_date(now);
    let facts: Vec<Fact> = cases
        .iter()
        .filter_map(|c| {
            let received_at = ts(&c.received_at);
            let received = received_at.map(local_date)?;
            Some(Fact {
                case: c,
                received,
                received_at,
                complaint: c.confirmed_at.is_some(),
            })
        })
        .collect();
    let in_period: Vec<&Fact> = facts
        .iter()
        .filter(|f| period.contains(f.received))
        .collect();
    let complaints: Vec<&Fact> = in_period.iter().copied().filter(|f| f.complaint).collect();
    let not_complaints = in_period
        .iter()
        .filter(|f| !f.complaint && matches!(f.case.status, Status::GeenKlacht | Status::Gesloten))
        .count();
    let waiting = in_period
        .iter()
        .filter(|f| f.case.status == Status::Kandidaat)
        .count();
    let anonymised = in_period
        .iter()
        .filter(|f| f.case.purged_at.is_some())
        .count();
    let total = complaints.len();

    let mut sections = Vec::new();
    let mut highlights = Vec::new();
    let number = tr("aantal", "number");
    sections.push(section(
        "totaal",
        tr("Aantallen", "Counts"),
        &[("aantal", number)],
        vec![
            (
                "klachten".into(),
                tr("klachten", "complaints").into(),
                vec![Cell::count(total)],
            ),
            (
                "geen_klacht".into(),
                tr("gemarkeerd, geen klacht", "flagged, not a complaint").into(),
                vec![Cell::count(not_complaints)],
            ),
            (
                "te_beoordelen".into(),
                tr("nog te beoordelen", "awaiting a decision").into(),
                vec![Cell::count(waiting)],
            ),
            (
                "geanonimiseerd".into(),
                tr("persoonsgegevens verwijderd", "personal data removed").into(),
                vec![Cell::count(anonymised)],
            ),
        ],
    ));

    let share_cols: &[(&str, &str)] = &[("aantal", number), ("aandeel", tr("aandeel", "share"))];
    // Rows per key (in `order` first, then the others by count), labelled for people.
    let tally = |key: &dyn Fn(&Fact) -> String,
                 label: &dyn Fn(&str) -> String,
                 order: &[String]|
     -> Vec<(String, String, Vec<Cell>)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for f in &complaints {
            *counts.entry(key(f)).or_default() += 1;
        }
        let mut rows = Vec::new();
        for k in order {
            let n = counts.remove(k).unwrap_or(0);
            rows.push((k.clone(), n));
        }
        let mut rest: Vec<(String, usize)> = counts.into_iter().collect();
        rest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        rows.extend(rest);
        rows.into_iter()
            .map(|(k, n)| {
                let l = label(&k);
                (k, l, vec![Cell::count(n), Cell::percent(n, total)])
            })
            .collect()
    };
    let categories: Vec<String> = labels::CATEGORIES
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let category_of = |f: &Fact| f.case.category.clone().unwrap_or_else(|| "onbekend".into());
    let category_label = |k: &str| labels::category_str(lang, k);
    sections.push(section(
        "categorie",
        tr("Per categorie", "By category"),
        share_cols,
        tally(&category_of, &category_label, &categories),
    ));
    let channels: Vec<String> = labels::CHANNELS.iter().map(|c| channel_key(c)).collect();
    sections.push(section(
        "kanaal",
        tr("Per kanaal", "By channel"),
        share_cols,
        tally(
            &|f: &Fact| channel_key(&f.case.channel),
            &|k: &str| labels::channel(lang, k),
            &channels,
        ),
    ));
    const NOT_RECORDED: &str = "(niet vastgelegd)";
    sections.push(section(
        "medewerker",
        tr("Per betrokken medewerker", "By employee involved"),
        share_cols,
        tally(
            &|f: &Fact| {
                f.case
                    .employee
                    .clone()
                    .unwrap_or_else(|| NOT_RECORDED.into())
            },
            &|k: &str| {
                if k == NOT_RECORDED {
                    tr(NOT_RECORDED, "(not recorded)").to_string()
                } else {
                    k.to_string()
                }
            },
            &[],
        ),
    ));
    const UNDECIDED: &str = "nog_niet_bepaald";
    let outcomes: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| o.as_str().to_string())
        .chain(std::iter::once(UNDECIDED.to_string()))
        .collect();
    sections.push(section(
        "uitkomst",
        tr("Per uitkomst", "By outcome"),
        share_cols,
        tally(
            &|f: &Fact| f.case.outcome.clone().unwrap_or_else(|| UNDECIDED.into()),
            &|k: &str| {
                if k == UNDECIDED {
                    tr("nog niet bepaald", "not yet decided").to_string()
                } else {
                    labels::outcome_str(lang, k)
                }
            },
            &outcomes,
        ),
    ));

    // Times to acknowledgement and to position.
    let mut timing_rows = Vec::new();
    for (key, label, stamp, deadline) in [
        (
            "ontvangstbevestiging",
            tr("ontvangstbevestiging", "acknowledgement"),
            (|c: &CaseRow| c.acknowledged_at.clone()) as fn(&CaseRow) -> Option<String>,
            (|c: &CaseRow| c.confirm_by.clone()) as fn(&CaseRow) -> String,
        ),
        (
            "standpunt",
            tr("standpunt", "position"),
            |c: &CaseRow| c.position_sent_at.clone(),
            |c: &CaseRow| c.position_by.clone(),
        ),
    ] {
        let mut days = Vec::new();
        let mut within = 0;
        for f in &complaints {
            let (Some(at), Some(from)) = (stamp(f.case).as_deref().and_then(ts), f.received_at)
            else {
                continue;
            };
            days.push(days_between(from, at));
            if date(&deadline(f.case)).is_some_and(|d| local_date(at) <= d) {
                within += 1;
            }
        }
        let (median, p90, max) = spread(&days);
        timing_rows.push((
            key.to_string(),
            label.to_string(),
            vec![
                Cell::count(days.len()),
                Cell::decimal(median),
                Cell::decimal(p90),
                Cell::decimal(max),
                Cell::count(within),
                Cell::percent(within, days.len()),
            ],
        ));
        if days.len() > within {
            let late = days.len() - within;
            highlights.push(match lang {
                Language::Nl => format!("{label}: {late} van {} na de termijn", days.len()),
                Language::En => format!("{label}: {late} of {} after the deadline", days.len()),
            });
        }
    }
    sections.push(section(
        "doorlooptijd",
        tr(
            "Doorlooptijd in kalenderdagen",
            "Handling time in calendar days",
        ),
        &[
            ("aantal", number),
            ("mediaan", tr("mediaan", "median")),
            ("p90", tr("90e perc.", "90th perc.")),
            ("max", tr("maximum", "maximum")),
            ("binnen_termijn", tr("op tijd", "on time")),
            ("binnen_termijn_pct", tr("op tijd %", "on time %")),
        ],
        timing_rows,
    ));

    // Kifid, open and overdue.
    let kifid: Vec<String> = complaints
        .iter()
        .filter(|f| {
            let Some(mark) = f.case.kifid_from.as_deref().and_then(date) else {
                return false;
            };
            match f.case.position_sent_at.as_deref().and_then(ts) {
                Some(p) => local_date(p) >= mark,
                None => today >= mark,
            }
        })
        .map(|f| f.case.case_ref.to_string())
        .collect();
    let open: Vec<&Fact> = in_period
        .iter()
        .copied()
        .filter(|f| is_open(f.case.status))
        .collect();
    let overdue: Vec<&Fact> = open
        .iter()
        .copied()
        .filter(|f| is_overdue(f.case, today))
        .collect();
    let refs = |fs: &[&Fact]| {
        fs.iter()
            .map(|f| f.case.case_ref.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !kifid.is_empty() {
        let n = labels::count(
            lang,
            kifid.len(),
            ("klacht", "klachten"),
            ("complaint", "complaints"),
        );
        highlights.push(match lang {
            Language::Nl => format!("{n} voorbij de Kifid-grens van 8 weken"),
            Language::En => format!("{n} past the Kifid mark of 8 weeks"),
        });
    }
    if !overdue.is_empty() {
        let n = labels::count(
            lang,
            overdue.len(),
            ("open zaak", "open zaken"),
            ("open case", "open cases"),
        );
        highlights.push(match lang {
            Language::Nl => format!("{n} over de termijn"),
            Language::En => format!("{n} past a deadline"),
        });
    }
    let cases_col = tr("zaken", "cases");
    let stand_title = match lang {
        Language::Nl => format!("Stand op {}", long_date(today)),
        Language::En => format!("As of {}", long_date(today)),
    };
    sections.push(section(
        "stand",
        &stand_title,
        &[("aantal", number), ("zaken", cases_col)],
        vec![
            (
                "kifid_8_weken".into(),
                tr(
                    "voorbij Kifid-grens (8 weken)",
                    "past the Kifid mark (8 weeks)",
                )
                .into(),
                vec![Cell::count(kifid.len()), Cell::text(kifid.join(" "))],
            ),
            (
                "open".into(),
                tr("open", "open").into(),
                vec![Cell::count(open.len()), Cell::text(refs(&open))],
            ),
            (
                "te_laat".into(),
                tr("open en over de termijn", "open and past a deadline").into(),
                vec![Cell::count(overdue.len()), Cell::text(refs(&overdue))],
            ),
        ],
    ));

    // Trends against the two periods before.
    let p1 = period.previous();
    let p2 = p1.previous();
    let count_in = |p: &Period, cat: &str| {
        facts
            .iter()
            .filter(|f| f.complaint && p.contains(f.received) && category_of(f) == cat)
            .count()
    };
    let mut trend_rows = Vec::new();
    let mut trend_keys = categories.clone();
    trend_keys.push("onbekend".into());
    for cat in &trend_keys {
        let (a, b, c) = (
            count_in(&p2, cat),
            count_in(&p1, cat),
            count_in(period, cat),
        );
        if a + b + c == 0 {
            continue;
        }
        let mean = (a + b) as f64 / 2.0;
        let rose = c >= 3 && (mean == 0.0 || c as f64 >= 2.0 * mean);
        let label = category_label(cat);
        if rose {
            highlights.push(match lang {
                Language::Nl => format!("categorie {label} is opvallend gestegen: {a} → {b} → {c}"),
                Language::En => format!("category {label} rose markedly: {a} → {b} → {c}"),
            });
        }
        trend_rows.push((
            cat.clone(),
            label,
            vec![
                Cell::count(a),
                Cell::count(b),
                Cell::count(c),
                if rose {
                    effect(lang, "gestegen", "risen")
                } else {
                    Cell::text("")
                },
            ],
        ));
    }
    let (l2, l1, l0) = (p2.label(), p1.label(), period.label());
    sections.push(section(
        "trend",
        tr("Trend per categorie", "Trend by category"),
        &[
            ("twee_perioden_terug", &l2),
            ("vorige_periode", &l1),
            ("deze_periode", &l0),
            ("signaal", tr("signaal", "signal")),
        ],
        trend_rows,
    ));

    // Repeat complainants over the three periods.
    let window = Period {
        from: p2.from,
        to: period.to,
        kind: Kind::Range,
    };
    let mut by_person: BTreeMap<String, Vec<&Fact>> = BTreeMap::new();
    for f in facts
        .iter()
        .filter(|f| f.complaint && window.contains(f.received))
    {
        let who = f
            .case
            .complainant_addr
            .clone()
            .or_else(|| f.case.complainant_name.clone());
        if let Some(who) = who {
            by_person.entry(who.to_lowercase()).or_default().push(f);
        }
    }
    let mut repeat: Vec<(String, Vec<&Fact>)> = by_person
        .into_iter()
        .filter(|(_, fs)| fs.len() >= 2 && fs.iter().any(|f| period.contains(f.received)))
        .collect();
    repeat.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    if !repeat.is_empty() {
        let n = labels::count(
            lang,
            repeat.len(),
            ("klager", "klagers"),
            ("complainant", "complainants"),
        );
        highlights.push(match lang {
            Language::Nl => format!("{n} met meer dan één klacht in drie perioden"),
            Language::En => format!("{n} with more than one complaint in three periods"),
        });
    }
    let mut repeat_section = section(
        "herhaalde_klagers",
        tr(
            "Klagers met meer dan één klacht (deze en de twee vorige perioden)",
            "Complainants with more than one complaint (this and the two previous periods)",
        ),
        &[("aantal", number), ("zaken", cases_col)],
        repeat
            .iter()
            .map(|(who, fs)| {
                (
                    who.clone(),
                    who.clone(),
                    vec![Cell::count(fs.len()), Cell::text(refs(fs))],
                )
            })
            .collect(),
    );
    if repeat_section.rows.is_empty() {
        repeat_section.note = Some(tr("geen", "none").into());
    }
    sections.push(repeat_section);

    // Measures and whether their category fell afterwards. The windows before and after
    // are equal: at most half a year, and never beyond the period's end or today — a
    // measure younger than that cannot be judged yet ("te vroeg").
    let observed_until = period.to.min(today);
    let mut measure_rows = Vec::new();
    for m in measures {
        let Some(on) = date(&m.taken_on) else {
            continue;
        };
        if !window.contains(on) {
            continue;
        }
        let cat = m.category.clone();
        let span = MEASURE_WINDOW_DAYS.min((observed_until - on).num_days() + 1);
        let (before, after, verdict) = match &cat {
            Some(cat) if span >= MEASURE_MIN_DAYS => {
                let n = |from: NaiveDate, to: NaiveDate| {
                    facts
                        .iter()
                        .filter(|f| {
                            f.complaint
                                && f.received >= from
                                && f.received < to
                                && &category_of(f) == cat
                        })
                        .count()
                };
                let before = n(on - Duration::days(span), on);
                let after = n(on, on + Duration::days(span));
                let verdict = if after < before {
                    effect(lang, "gedaald", "decreased")
                } else {
                    effect(lang, "niet gedaald", "not decreased")
                };
                (Cell::count(before), Cell::count(after), verdict)
            }
            Some(_) => (
                Cell::decimal(None),
                Cell::decimal(None),
                effect(lang, "te vroeg", "too early"),
            ),
            None => (
                Cell::decimal(None),
                Cell::decimal(None),
                effect(lang, "geen categorie", "no category"),
            ),
        };
        let category_cell = match &cat {
            Some(c) => Cell {
                text: labels::category_str(lang, c),
                raw: c.clone(),
            },
            None => Cell::text(""),
        };
        measure_rows.push((
            format!("{}#{}", m.taken_on, m.id),
            on_label(lang, &m.taken_on).unwrap_or_else(|| m.taken_on.clone()),
            vec![
                Cell::text(m.text.clone()),
                Cell::text(m.owner.clone()),
                category_cell,
                Cell::text(m.case.clone().unwrap_or_default()),
                Cell::count(span.max(0) as usize),
                before,
                after,
                verdict,
            ],
        ));
    }
    let mut measure_section = section(
        "maatregelen",
        tr(
            "Maatregelen en hun effect op de categorie",
            "Measures and their effect on the category",
        ),
        &[
            ("maatregel", tr("maatregel", "measure")),
            ("eigenaar", tr("eigenaar", "owner")),
            ("categorie", tr("categorie", "category")),
            ("zaak", tr("zaak", "case")),
            ("venster_dagen", tr("venster", "window")),
            ("ervoor", tr("ervoor", "before")),
            ("erna", tr("erna", "after")),
            ("effect", tr("effect", "effect")),
        ],
        measure_rows,
    );
    if measure_section.rows.is_empty() {
        measure_section.note = Some(
            tr(
                "geen maatregelen in deze of de twee vorige perioden",
                "no measures in this or the two previous periods",
            )
            .into(),
        );
    }
    sections.push(measure_section);

    let mut chart_categories = categories.clone();
    chart_categories.push("onbekend".into());
    let chart = chart(period, &complaints, &chart_categories, &category_of);
    Report {
        period: period.label(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        from_text: long_date(period.from),
        to_text: long_date(period.to),
        generated: long_date(today),
        organisation: organisation.to_string(),
        language: lang.as_str(),
        highlights,
        sections,
        chart,
    }
}

/// A measure's day as people write it (`5-3-2026` in Dutch).
fn on_label(lang: Language, taken_on: &str) -> Option<String> {
    date(taken_on).map(|d| labels::date(lang, d))
}

/// Complaints per month, stacked by category, as inline SVG.
fn chart(
    period: &Period,
    complaints: &[&Fact],
    categories: &[String],
    category_of: &dyn Fn(&Fact) -> String,
) -> String {
    let mut months: Vec<(i32, u32)> = Vec::new();
    let mut d = period.from.with_day(1).expect("day 1");
    while d <= period.to && months.len() < 120 {
        months.push((d.year(), d.month()));
        d = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).expect("valid")
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1).expect("valid")
        };
    }
    let mut counts = vec![vec![0usize; categories.len()]; months.len()];
    for f in complaints {
        let m = months
            .iter()
            .position(|&(y, mo)| y == f.received.year() && mo == f.received.month());
        let c = categories.iter().position(|c| *c == category_of(f));
        if let (Some(m), Some(c)) = (m, c) {
            counts[m][c] += 1;
        }
    }
    let top = counts
        .iter()
        .map(|m| m.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (w, h, left, bottom, top_pad) = (640.0, 260.0, 40.0, 40.0, 20.0);
    let plot_h = h - bottom - top_pad;
    let slot = (w - left - 130.0) / months.len().max(1) as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Klachten per maand per categorie\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    svg.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#333\"/>",
        y = h - bottom,
        x2 = w - 130.0
    ));
    svg.push_str(&format!(
        "<text x=\"{x}\" y=\"{y}\" text-anchor=\"end\">{top}</text><text x=\"{x}\" y=\"{y0}\" text-anchor=\"end\">0</text>",
        x = left - 6.0,
        y = top_pad + 4.0,
        y0 = h - bottom
    ));
    for (i, (month, per_cat)) in months.iter().zip(&counts).enumerate() {
        let x = left + i as f64 * slot + slot * 0.15;
        let bar_w = slot * 0.7;
        let mut y = h - bottom;
        for (c, &n) in per_cat.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let bh = plot_h * n as f64 / top as f64;
            y -= bh;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{} {}-{:02}: {n}</title></rect>",
                CATEGORY_COLOURS[c % CATEGORY_COLOURS.len()],
                categories[c],
                month.0,
                month.1
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}-{:02}</text>",
            x + bar_w / 2.0,
            h - bottom + 16.0,
            month.0 % 100,
            month.1
        ));
    }
    for (c, name) in categories.iter().enumerate() {
        let y = top_pad + c as f64 * 18.0;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{tx}\" y=\"{ty}\">{name}</text>",
            CATEGORY_COLOURS[c % CATEGORY_COLOURS.len()],
            x = w - 120.0,
            tx = w - 102.0,
            ty = y + 10.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/nl/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = embedded![
    "inventarisatie.txt.tera",
    "inventarisatie.md.tera",
    "inventarisatie.html.tera",
];

/// The text format in English (`report --lang en`); the Dutch one, which the mailed
/// report uses too, is `templates/nl/inventarisatie.txt.tera`. Markdown and HTML are
/// Dutch documents only.
const ENGLISH_TEXT: &str = r#"Complaints inventory {{ organisation }}
Period {{ period }}: {{ from_text }} to {{ to_text }} (drawn up {{ generated }})

Notable:
{% for h in highlights %}  - {{ h }}
{% else %}  - nothing in particular
{% endfor %}{% for s in sections %}
{{ s.title }}
{{ s.header }}
{% for r in s.rows %}{{ r.line }}
{% endfor %}{% if s.note %}  {{ s.note }}
{% endif %}{% endfor %}
Times in calendar days from receipt to the acknowledgement and to the position; median and
90th percentile (nearest rank). "On time" is on or before the case's deadline.
"#;

/// Renders reports in every format.
pub struct Renderer {
    tera: Tera,
}

impl Renderer {
    pub fn new() -> Result<Renderer, tera::Error> {
        let mut tera = Tera::default();
        tera.add_raw_templates(
            TEMPLATES
                .iter()
                .copied()
                .chain([("inventarisatie.en.txt.tera", ENGLISH_TEXT)]),
        )?;
        tera.autoescape_on(vec![".html.tera"]);
        Ok(Renderer { tera })
    }

    pub fn render(&self, report: &Report, format: Format) -> Result<String, tera::Error> {
        let name = match format {
            Format::Csv => return Ok(csv(report)),
            Format::Text if report.language == "en" => "inventarisatie.en.txt.tera",
            Format::Text => "inventarisatie.txt.tera",
            Format::Markdown => "inventarisatie.md.tera",
            Format::Html => "inventarisatie.html.tera",
        };
        let ctx = Context::from_serialize(report)?;
        self.tera.render(name, &ctx)
    }
}

/// `sectie,rij,kolom,waarde`: one figure per line, machine-readable values.
fn csv(report: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["periode", "sectie", "rij", "kolom", "waarde"]);
    for s in &report.sections {
        for r in &s.rows {
            for (c, cell) in s.columns.iter().zip(&r.cells) {
                let _ = w.write_record([
                    report.period.as_str(),
                    s.key.as_str(),
                    r.key.as_str(),
                    c.key.as_str(),
                    cell.raw.as_str(),
                ]);
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_step_back() {
        let p: Period = "2026-H1".parse().unwrap();
        assert_eq!(p.from, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(p.to, NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        assert_eq!(p.previous().label(), "2025-H2");
        assert_eq!(p.previous().previous().label(), "2025-H1");
        let r: Period = "2026-03-01..2026-03-31".parse().unwrap();
        assert_eq!(r.previous().label(), "2026-01-29..2026-02-28");
        assert!("2026-H3".parse::<Period>().is_err());
        assert!("2026-05-01..2026-04-01".parse::<Period>().is_err());
        assert_eq!(
            Period::half_of(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()).label(),
            "2026-H2"
        );
    }

    #[test]
    fn spread_uses_the_documented_definitions() {
        assert_eq!(spread(&[]), (None, None, None));
        assert_eq!(spread(&[3.0]), (Some(3.0), Some(3.0), Some(3.0)));
        assert_eq!(
            spread(&[4.0, 1.0, 3.0, 2.0]),
            (Some(2.5), Some(4.0), Some(4.0))
        );
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(spread(&ten), (Some(5.5), Some(9.0), Some(10.0)));
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(spread(&eleven).1, Some(10.0));
    }

    #[test]
    fn every_format_renders_an_empty_period() {
        let r = build(
            &"2026-H1".parse().unwrap(),
            &[],
            &[],
            Utc::now(),
            "Firma B.V.",
        );
        let renderer = Renderer::new().unwrap();
        for f in [Format::Text, Format::Markdown, Format::Csv, Format::Html] {
            let out = renderer.render(&r, f).unwrap();
            assert!(out.contains("klachten"), "{f:?}: {out}");
        }
        let en = build_in(
            &"2026-H1".parse().unwrap(),
            &[],
            &[],
            Utc::now(),
            "Firma B.V.",
            Language::En,
        );
        let out = renderer.render(&en, Format::Text).unwrap();
        assert!(out.starts_with("Complaints inventory Firma B.V."), "{out}");
        assert!(out.contains("  complaints"), "{out}");
        assert!(!out.contains("klachten"), "{out}");
    }

    #[test]
    fn whole_years_and_dutch_reasons() {
        let y: Period = "2026".parse().unwrap();
        assert_eq!(y.from, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(y.to, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(y.label(), "2026");
        assert_eq!(y.previous().label(), "2025");
        assert_eq!(y.previous().previous().from.to_string(), "2024-01-01");
        assert!(y.contains(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()));
        assert_eq!(Period::year(2026), Some(y));
        // The other forms are unchanged.
        assert_eq!(
            " 2026-h2 ".parse::<Period>().unwrap().to_string(),
            "2026-H2"
        );
        assert_eq!(
            "2026-01-01..2026-12-31".parse::<Period>().unwrap().label(),
            "2026-01-01..2026-12-31"
        );
        for bad in ["26", "1989", "20266", "2026-", "2026-H", "zomer", ""] {
            assert!(bad.parse::<Period>().is_err(), "{bad:?}");
        }
        let nl = Period::parse_in("zomer", Language::Nl).unwrap_err();
        assert_eq!(
            nl,
            "\"zomer\" is geen periode: gebruik 2026, 2026-H1, 2026-H2 of 2026-01-01..2026-03-31"
        );
        let en = Period::parse_in("2026-05-01..2026-04-01", Language::En).unwrap_err();
        assert_eq!(
            en,
            "\"2026-05-01..2026-04-01\": the end lies before the start"
        );
    }

    fn at(s: &str) -> DateTime<Utc> {
        ts(s).unwrap()
    }

    /// A case received at `received` (RFC 3339), confirmed then unless still `kandidaat`
    /// or `geen_klacht`; deadlines 9 and 14 days on.
    fn case(
        n: u32,
        received: &str,
        status: Status,
        category: Option<&str>,
        employee: Option<&str>,
    ) -> CaseRow {
        let day = local_date(at(received));
        CaseRow {
            id: i64::from(n),
            case_ref: crate::case::CaseRef::new(2026, n).unwrap(),
            status,
            channel: "email".into(),
            message_pk: None,
            complainant_addr: Some(format!("klant{n}@example.test")),
            complainant_name: None,
            subject: None,
            language: "nl".into(),
            summary: String::new(),
            screened: None,
            received_at: received.into(),
            confirm_by: (day + Duration::days(9)).to_string(),
            position_by: (day + Duration::days(14)).to_string(),
            kifid_from: Some((day + Duration::weeks(8)).to_string()),
            reminded_through: None,
            category: category.map(String::from),
            employee: employee.map(String::from),
            confirmed_at: (!matches!(status, Status::Kandidaat | Status::GeenKlacht))
                .then(|| received.to_string()),
            acknowledged_at: (!matches!(status, Status::Kandidaat | Status::GeenKlacht))
                .then(|| received.to_string()),
            position_at: None,
            closed_at: None,
            postal: None,
            phone: None,
            taken_by: None,
            outcome: None,
            purged_at: None,
            position_sent_at: None,
        }
    }

    fn measure(id: i64, taken_on: &str, text: &str, category: Option<&str>) -> Measure {
        Measure {
            id,
            taken_on: taken_on.into(),
            owner: "Els".into(),
            text: text.into(),
            case: None,
            category: category.map(String::from),
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn open_and_overdue_follow_the_deadlines_that_still_run() {
        // Received Tuesday 24 November 2026: confirm by 3 December, position by 8 December.
        let mut c = case(1, "2026-11-24T09:00:00Z", Status::Kandidaat, None, None);
        assert_eq!(c.confirm_by, "2026-12-03");
        assert!(is_open(c.status));
        assert!(
            !is_overdue(&c, day("2026-12-03")),
            "the deadline day itself"
        );
        assert!(is_overdue(&c, day("2026-12-04")));
        c.status = Status::InBehandeling;
        assert!(is_open(c.status));
        assert!(
            !is_overdue(&c, day("2026-12-04")),
            "acknowledged: confirm_by is done"
        );
        assert!(!is_overdue(&c, day("2026-12-08")));
        assert!(is_overdue(&c, day("2026-12-09")));
        for s in [
            Status::StandpuntGegeven,
            Status::Gesloten,
            Status::GeenKlacht,
        ] {
            c.status = s;
            assert!(!is_open(s), "{s}");
            assert!(!is_overdue(&c, day("2027-06-01")), "{s}");
        }
    }

    /// The cells of a text line: runs of two or more spaces separate them.
    fn fields(line: &str) -> Vec<String> {
        line.split("  ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    /// Every line of `s` holds its label and cells (the header its column labels), each
    /// separated from the next by at least two spaces.
    fn assert_columns_apart(s: &Section) {
        let last = s.columns.len();
        let fit = |i: usize, t: &str| {
            if i < last {
                clip(t, MAX_COLUMN)
            } else {
                t.to_string()
            }
        };
        let want: Vec<String> = s
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| fit(i + 1, &c.label))
            .collect();
        assert_eq!(fields(&s.header), want, "{}: header {:?}", s.key, s.header);
        for r in &s.rows {
            let want: Vec<String> = std::iter::once(fit(0, &r.label))
                .chain(r.cells.iter().enumerate().map(|(i, c)| fit(i + 1, &c.text)))
                .filter(|t| !t.is_empty())
                .collect();
            assert_eq!(fields(&r.line), want, "{}: row {:?}", s.key, r.line);
            assert!(r.line.starts_with("  "), "{:?}", r.line);
            assert_eq!(r.line, r.line.trim_end(), "trailing spaces");
        }
    }

    #[test]
    fn text_columns_never_run_together() {
        let long = "een categorie met een veel langere naam dan de kop";
        let s = section(
            "categorie",
            "Per categorie",
            &[("aantal", "aantal"), ("aandeel", "aandeel")],
            vec![
                (
                    "x".into(),
                    long.into(),
                    vec![Cell::count(12), Cell::percent(12, 40)],
                ),
                (
                    "advies".into(),
                    "advies".into(),
                    vec![Cell::count(3), Cell::percent(3, 40)],
                ),
            ],
        );
        assert_eq!(
            s.header,
            format!("  {}  aantal  aandeel", " ".repeat(long.len()))
        );
        assert_eq!(s.rows[0].line, format!("  {long}      12    30,0%"));
        assert_eq!(
            s.rows[1].line,
            format!("  advies{}       3     7,5%", " ".repeat(long.len() - 6))
        );
        assert_columns_apart(&s);
        // Figures are right-aligned under their header: each column ends where its
        // header label ends.
        for (col, label) in [(1, "aantal"), (2, "aandeel")] {
            let end = s.header.find(label).unwrap() + label.len();
            for r in &s.rows {
                let cell = &r.cells[col - 1].text;
                assert_eq!(r.line.rfind(cell.as_str()).unwrap() + cell.len(), end);
            }
        }

        // A whole report with long labels, long measure text and wide column headers
        // (a date range's trend columns), in both languages.
        let period: Period = "2026-01-01..2026-03-31".parse().unwrap();
        let employee = "mevrouw drs. Bartholomea van der Heijden-Oudshoorn tot Wijckersloot";
        let cases = vec![
            case(
                1,
                "2026-01-10T09:00:00Z",
                Status::InBehandeling,
                Some("informatie"),
                Some(employee),
            ),
            case(
                2,
                "2026-02-10T09:00:00Z",
                Status::InBehandeling,
                Some("informatie"),
                None,
            ),
            case(3, "2026-02-11T09:00:00Z", Status::Kandidaat, None, None),
            case(4, "2026-03-01T09:00:00Z", Status::GeenKlacht, None, None),
        ];
        let measures = vec![measure(
            1,
            "2026-02-01",
            "Elke adviseur belt binnen twee werkdagen terug en legt dat vast in het klantdossier, ook als de klant niet opneemt",
            Some("informatie"),
        )];
        for lang in [Language::Nl, Language::En] {
            let r = build_in(
                &period,
                &cases,
                &measures,
                at("2026-05-01T10:00:00Z"),
                "Firma",
                lang,
            );
            for s in &r.sections {
                assert_columns_apart(s);
            }
            let text = Renderer::new().unwrap().render(&r, Format::Text).unwrap();
            for s in &r.sections {
                for r in &s.rows {
                    assert!(text.contains(&format!("{}\n", r.line)), "{}", r.line);
                }
            }
        }
    }

    fn measure_row(r: &Report) -> &Row {
        let s = r.sections.iter().find(|s| s.key == "maatregelen").unwrap();
        assert_eq!(s.rows.len(), 1, "{:?}", s.rows);
        &s.rows[0]
    }

    #[test]
    fn a_measure_younger_than_its_window_is_too_early() {
        let h2: Period = "2026-H2".parse().unwrap();
        let complaints = vec![
            case(
                1,
                "2026-07-10T09:00:00Z",
                Status::InBehandeling,
                Some("termijn"),
                None,
            ),
            case(
                2,
                "2026-07-20T09:00:00Z",
                Status::InBehandeling,
                Some("termijn"),
                None,
            ),
        ];
        let m = vec![measure(1, "2026-08-01", "Termijnbewaking", Some("termijn"))];
        // On 15 August the measure is 15 days old: nothing after it can be judged yet,
        // though the half year runs on to December.
        let r = build(&h2, &complaints, &m, at("2026-08-15T10:00:00Z"), "Firma");
        let row = measure_row(&r);
        let cells: Vec<(&str, &str)> = row
            .cells
            .iter()
            .map(|c| (c.text.as_str(), c.raw.as_str()))
            .collect();
        assert_eq!(row.label, "1-8-2026");
        assert_eq!(cells[4], ("15", "15"), "the window is the measure's age");
        assert_eq!(cells[5], ("–", ""));
        assert_eq!(cells[6], ("–", ""));
        assert_eq!(cells[7], ("te vroeg", "te vroeg"));
        let en = build_in(
            &h2,
            &complaints,
            &m,
            at("2026-08-15T10:00:00Z"),
            "Firma",
            Language::En,
        );
        let en_row = measure_row(&en);
        assert_eq!(en_row.cells[7].text, "too early");
        assert_eq!(en_row.cells[7].raw, "te vroeg", "CSV keeps the Dutch value");
        assert_eq!(en_row.label, "2026-08-01");

        // 40 days on, the windows are 40 days: two before it, none after.
        let r = build(&h2, &complaints, &m, at("2026-09-09T10:00:00Z"), "Firma");
        let row = measure_row(&r);
        let texts: Vec<&str> = row.cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts[4..], ["40", "2", "0", "gedaald"]);

        // Looked back on after the half year, the window runs to its end (153 days).
        let r = build(&h2, &complaints, &m, at("2027-03-01T10:00:00Z"), "Firma");
        let texts: Vec<String> = measure_row(&r)
            .cells
            .iter()
            .map(|c| c.text.clone())
            .collect();
        assert_eq!(texts[4..], ["153", "2", "0", "gedaald"]);

        // With a complaint after it as well, the category did not fall.
        let mut more = complaints.clone();
        more.push(case(
            3,
            "2026-08-20T09:00:00Z",
            Status::InBehandeling,
            Some("termijn"),
            None,
        ));
        more.push(case(
            4,
            "2026-08-21T09:00:00Z",
            Status::InBehandeling,
            Some("termijn"),
            None,
        ));
        let r = build(&h2, &more, &m, at("2026-09-09T10:00:00Z"), "Firma");
        let texts: Vec<String> = measure_row(&r)
            .cells
            .iter()
            .map(|c| c.text.clone())
            .collect();
        assert_eq!(texts[4..], ["40", "2", "2", "niet gedaald"]);
    }

    #[test]
    fn outcomes_and_channels_are_labelled_and_keys_stay() {
        let mut c = case(
            1,
            "2026-02-10T09:00:00Z",
            Status::InBehandeling,
            Some("advies"),
            None,
        );
        c.outcome = Some("deels_gegrond".into());
        let r = build(
            &"2026-H1".parse().unwrap(),
            &[c],
            &[],
            at("2026-07-15T10:00:00Z"),
            "F",
        );
        let uitkomst = r.sections.iter().find(|s| s.key == "uitkomst").unwrap();
        let row = uitkomst
            .rows
            .iter()
            .find(|r| r.key == "deels_gegrond")
            .unwrap();
        assert_eq!(row.label, "deels gegrond");
        assert_eq!(row.cells[0].raw, "1");
        let open = uitkomst
            .rows
            .iter()
            .find(|r| r.key == "nog_niet_bepaald")
            .unwrap();
        assert_eq!(open.label, "nog niet bepaald");
        let kanaal = r.sections.iter().find(|s| s.key == "kanaal").unwrap();
        assert_eq!(kanaal.rows[0].key, "e-mail");
        assert_eq!(kanaal.rows[0].label, "e-mail");
        let csv = csv(&r);
        assert!(
            csv.contains("2026-H1,uitkomst,deels_gegrond,aantal,1"),
            "{csv}"
        );
    }
}
