//! The half-yearly inventory (klachteninventarisatie, section 3.5 of the procedure): what
//! came in, how fast it was handled, what stands open, what rises, and whether measures
//! helped. One [`Report`] of sections and rows feeds every format, so text, Markdown,
//! CSV and HTML always carry the same figures.
//!
//! Definitions (also in the README):
//! - a case counts in the period of the Amsterdam date it was received;
//! - a *complaint* is a case directie confirmed (`confirmed_at` set); *judged not a
//!   complaint* is one closed without that; *waiting* is still `kandidaat`;
//! - times are calendar days (to one decimal) from receipt to the acknowledgement
//!   (`KLACHT`) and to the position; the median of an even count is the mean of the middle
//!   two, the 90th percentile is the nearest rank (⌈0.9·n⌉-th smallest);
//! - *within the deadline*: acknowledged on or before `confirm_by`, position on or before
//!   `position_by` (as extended by `VERLENG`);
//! - *past the Kifid mark*: the position came on or after `kifid_from`, or has not come
//!   and today is on or after it;
//! - a category *rose markedly* when it has at least 3 complaints and at least twice the
//!   mean of the two periods before (or any 3 when both were 0);
//! - a measure's effect compares the complaints of its category in equal windows before and
//!   after the day it was taken (at most 182 days, ending with the period); under 28 days
//!   is too early to tell.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use tera::{Context, Tera};

use crate::calendar::{dutch_date, local_date};
use crate::case::{Category, Outcome, Status};
use crate::store::{CaseRow, Measure};

/// A reporting period: a half year, or any range of dates (both ends included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `(year, 1 | 2)` for a half year.
    half: Option<(i32, u8)>,
}

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
            half: Some((year, half)),
        })
    }

    /// The half year `date` falls in.
    pub fn half_of(date: NaiveDate) -> Period {
        let half = if date.month() <= 6 { 1 } else { 2 };
        Period::half(date.year(), half).expect("a valid half year")
    }

    /// The period of the same kind just before this one.
    pub fn previous(&self) -> Period {
        match self.half {
            Some((y, 2)) => Period::half(y, 1).expect("valid"),
            Some((y, _)) => Period::half(y - 1, 2).expect("valid"),
            None => {
                let days = (self.to - self.from).num_days() + 1;
                Period {
                    from: self.from - Duration::days(days),
                    to: self.from - Duration::days(1),
                    half: None,
                }
            }
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// The label used in reports and dedup keys: `2026-H1`, or `2026-01-01..2026-03-31`.
    pub fn label(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.half {
            Some((y, h)) => write!(f, "{y}-H{h}"),
            None => write!(f, "{}..{}", self.from, self.to),
        }
    }
}

impl FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Period, String> {
        let s = s.trim();
        let bad =
            || format!("{s:?} is not a period: use 2026-H1, 2026-H2 or 2026-01-01..2026-03-31");
        if let Some((a, b)) = s.split_once("..") {
            let d = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| bad());
            let (from, to) = (d(a)?, d(b)?);
            if to < from {
                return Err(format!("{s:?}: the end lies before the start"));
            }
            if (to - from).num_days() > 366 * 10 {
                return Err(format!("{s:?}: at most ten years"));
            }
            return Ok(Period {
                from,
                to,
                half: None,
            });
        }
        let (year, half) = s.split_once(['-', ' ']).ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let half = match half.to_ascii_uppercase().as_str() {
            "H1" => 1,
            "H2" => 2,
            _ => return Err(bad()),
        };
        if !(1990..=2200).contains(&year) {
            return Err(bad());
        }
        Period::half(year, half).ok_or_else(bad)
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

fn pad(label: &str, cells: &[String]) -> String {
    let mut line = format!("  {:<34}", label);
    for c in cells {
        line.push_str(&format!("{:>14}", c));
    }
    line.trim_end().to_string()
}

fn section(
    key: &str,
    title: &str,
    columns: &[(&str, &str)],
    rows: Vec<(String, String, Vec<Cell>)>,
) -> Section {
    let columns: Vec<Column> = columns
        .iter()
        .map(|(k, l)| Column {
            key: k.to_string(),
            label: l.to_string(),
        })
        .collect();
    let header = pad(
        "",
        &columns.iter().map(|c| c.label.clone()).collect::<Vec<_>>(),
    );
    let rows = rows
        .into_iter()
        .map(|(key, label, cells)| Row {
            line: pad(
                &label,
                &cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>(),
            ),
            key,
            label,
            cells,
        })
        .collect();
    Section {
        key: key.into(),
        title: title.into(),
        columns,
        rows,
        note: None,
        header,
    }
}

fn channel_label(c: &str) -> String {
    match c {
        "email" => "e-mail".into(),
        "formulier" => "formulier".into(),
        other => other.into(),
    }
}

const CATEGORY_COLOURS: [&str; 6] = [
    "#1b6ca8", "#f0a202", "#d1495b", "#00798c", "#6a4c93", "#9a9a9a",
];

/// Builds the inventory of `period` from every case and measure in the register.
pub fn build(
    period: &Period,
    cases: &[CaseRow],
    measures: &[Measure],
    now: DateTime<Utc>,
    organisation: &str,
) -> Report {
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
    sections.push(section(
        "totaal",
        "Aantallen",
        &[("aantal", "aantal")],
        vec![
            (
                "klachten".into(),
                "klachten".into(),
                vec![Cell::count(total)],
            ),
            (
                "geen_klacht".into(),
                "gemarkeerd, geen klacht".into(),
                vec![Cell::count(not_complaints)],
            ),
            (
                "te_beoordelen".into(),
                "nog te beoordelen".into(),
                vec![Cell::count(waiting)],
            ),
            (
                "geanonimiseerd".into(),
                "persoonsgegevens verwijderd".into(),
                vec![Cell::count(anonymised)],
            ),
        ],
    ));

    let share_cols: &[(&str, &str)] = &[("aantal", "aantal"), ("aandeel", "aandeel")];
    let tally =
        |key: &dyn Fn(&Fact) -> String, order: &[String]| -> Vec<(String, String, Vec<Cell>)> {
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
                .map(|(k, n)| (k.clone(), k, vec![Cell::count(n), Cell::percent(n, total)]))
                .collect()
        };
    let categories: Vec<String> = [
        Category::Advies,
        Category::Informatie,
        Category::Termijn,
        Category::Bejegening,
        Category::Overig,
    ]
    .iter()
    .map(|c| c.as_str().to_string())
    .collect();
    let category_of = |f: &Fact| f.case.category.clone().unwrap_or_else(|| "onbekend".into());
    sections.push(section(
        "categorie",
        "Per categorie",
        share_cols,
        tally(&category_of, &categories),
    ));
    let channels: Vec<String> = ["e-mail", "telefoon", "mondeling", "brief"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    sections.push(section(
        "kanaal",
        "Per kanaal",
        share_cols,
        tally(&|f: &Fact| channel_label(&f.case.channel), &channels),
    ));
    sections.push(section(
        "medewerker",
        "Per betrokken medewerker",
        share_cols,
        tally(
            &|f: &Fact| {
                f.case
                    .employee
                    .clone()
                    .unwrap_or_else(|| "(niet vastgelegd)".into())
            },
            &[],
        ),
    ));
    let outcomes: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| o.as_str().to_string())
        .chain(std::iter::once("nog_niet_bepaald".to_string()))
        .collect();
    sections.push(section(
        "uitkomst",
        "Per uitkomst",
        share_cols,
        tally(
            &|f: &Fact| {
                f.case
                    .outcome
                    .clone()
                    .unwrap_or_else(|| "nog_niet_bepaald".into())
            },
            &outcomes,
        ),
    ));

    // Times to acknowledgement and to position.
    let mut timing_rows = Vec::new();
    for (key, label, stamp, deadline) in [
        (
            "ontvangstbevestiging",
            "ontvangstbevestiging",
            (|c: &CaseRow| c.confirmed_at.clone()) as fn(&CaseRow) -> Option<String>,
            (|c: &CaseRow| c.confirm_by.clone()) as fn(&CaseRow) -> String,
        ),
        (
            "standpunt",
            "standpunt",
            |c: &CaseRow| c.position_at.clone(),
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
            highlights.push(format!(
                "{label}: {} van {} na de termijn",
                days.len() - within,
                days.len()
            ));
        }
    }
    sections.push(section(
        "doorlooptijd",
        "Doorlooptijd in kalenderdagen",
        &[
            ("aantal", "aantal"),
            ("mediaan", "mediaan"),
            ("p90", "90e perc."),
            ("max", "maximum"),
            ("binnen_termijn", "op tijd"),
            ("binnen_termijn_pct", "op tijd %"),
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
            match f.case.position_at.as_deref().and_then(ts) {
                Some(p) => local_date(p) >= mark,
                None => today >= mark,
            }
        })
        .map(|f| f.case.case_ref.to_string())
        .collect();
    let open: Vec<&Fact> = in_period
        .iter()
        .copied()
        .filter(|f| matches!(f.case.status, Status::Kandidaat | Status::InBehandeling))
        .collect();
    let overdue: Vec<&Fact> = open
        .iter()
        .copied()
        .filter(|f| {
            let due = match f.case.status {
                Status::Kandidaat => date(&f.case.confirm_by),
                _ => date(&f.case.position_by),
            };
            due.is_some_and(|d| today > d)
        })
        .collect();
    let refs = |fs: &[&Fact]| {
        fs.iter()
            .map(|f| f.case.case_ref.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !kifid.is_empty() {
        highlights.push(format!(
            "{} klacht(en) voorbij de Kifid-grens van 8 weken",
            kifid.len()
        ));
    }
    if !overdue.is_empty() {
        highlights.push(format!("{} open zaak/zaken over de termijn", overdue.len()));
    }
    sections.push(section(
        "stand",
        &format!("Stand op {}", dutch_date(today)),
        &[("aantal", "aantal"), ("zaken", "zaken")],
        vec![
            (
                "kifid_8_weken".into(),
                "voorbij Kifid-grens (8 weken)".into(),
                vec![Cell::count(kifid.len()), Cell::text(kifid.join(" "))],
            ),
            (
                "open".into(),
                "open".into(),
                vec![Cell::count(open.len()), Cell::text(refs(&open))],
            ),
            (
                "te_laat".into(),
                "open en over de termijn".into(),
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
        if rose {
            highlights.push(format!(
                "categorie {cat} is opvallend gestegen: {a} → {b} → {c}"
            ));
        }
        trend_rows.push((
            cat.clone(),
            cat.clone(),
            vec![
                Cell::count(a),
                Cell::count(b),
                Cell::count(c),
                Cell::text(if rose { "gestegen" } else { "" }),
            ],
        ));
    }
    let (l2, l1, l0) = (p2.label(), p1.label(), period.label());
    sections.push(section(
        "trend",
        "Trend per categorie",
        &[
            ("twee_perioden_terug", &l2),
            ("vorige_periode", &l1),
            ("deze_periode", &l0),
            ("signaal", "signaal"),
        ],
        trend_rows,
    ));

    // Repeat complainants over the three periods.
    let window = Period {
        from: p2.from,
        to: period.to,
        half: None,
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
        highlights.push(format!(
            "{} klager(s) met meer dan één klacht in drie perioden",
            repeat.len()
        ));
    }
    let mut repeat_section = section(
        "herhaalde_klagers",
        "Klagers met meer dan één klacht (deze en de twee vorige perioden)",
        &[("aantal", "aantal"), ("zaken", "zaken")],
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
        repeat_section.note = Some("geen".into());
    }
    sections.push(repeat_section);

    // Measures and whether their category fell afterwards.
    let mut measure_rows = Vec::new();
    for m in measures {
        let Some(on) = date(&m.taken_on) else {
            continue;
        };
        if !window.contains(on) {
            continue;
        }
        let cat = m.category.clone();
        let span = MEASURE_WINDOW_DAYS.min((period.to - on).num_days() + 1);
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
                    "gedaald"
                } else {
                    "niet gedaald"
                };
                (Cell::count(before), Cell::count(after), verdict)
            }
            Some(_) => (Cell::decimal(None), Cell::decimal(None), "te vroeg"),
            None => (Cell::decimal(None), Cell::decimal(None), "geen categorie"),
        };
        measure_rows.push((
            format!("{}#{}", m.taken_on, m.id),
            m.taken_on.clone(),
            vec![
                Cell::text(m.text.clone()),
                Cell::text(m.owner.clone()),
                Cell::text(cat.unwrap_or_default()),
                Cell::text(m.case.clone().unwrap_or_default()),
                Cell::text(format!("{span}")),
                before,
                after,
                Cell::text(verdict),
            ],
        ));
    }
    let mut measure_section = section(
        "maatregelen",
        "Maatregelen en hun effect op de categorie",
        &[
            ("maatregel", "maatregel"),
            ("eigenaar", "eigenaar"),
            ("categorie", "categorie"),
            ("zaak", "zaak"),
            ("venster_dagen", "venster"),
            ("ervoor", "ervoor"),
            ("erna", "erna"),
            ("effect", "effect"),
        ],
        measure_rows,
    );
    if measure_section.rows.is_empty() {
        measure_section.note = Some("geen maatregelen in deze of de twee vorige perioden".into());
    }
    sections.push(measure_section);

    let mut chart_categories = categories.clone();
    chart_categories.push("onbekend".into());
    let chart = chart(period, &complaints, &chart_categories, &category_of);
    Report {
        period: period.label(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        from_text: dutch_date(period.from),
        to_text: dutch_date(period.to),
        generated: dutch_date(today),
        organisation: organisation.to_string(),
        highlights,
        sections,
        chart,
    }
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

/// Renders reports in every format.
pub struct Renderer {
    tera: Tera,
}

impl Renderer {
    pub fn new() -> Result<Renderer, tera::Error> {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        tera.autoescape_on(vec![".html.tera"]);
        Ok(Renderer { tera })
    }

    pub fn render(&self, report: &Report, format: Format) -> Result<String, tera::Error> {
        let name = match format {
            Format::Csv => return Ok(csv(report)),
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
    }
}
