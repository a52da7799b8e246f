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
use crate::case::{Origin, Outcome, Status};
use crate::cli::labels::{self, Language};
use crate::store::{CaseRow, Measure};

mod build;
mod period;
mod render;
mod table;

pub use build::{build, build_in};
use period::*;
pub use period::{Format, Period};
pub use render::Renderer;
use render::*;
use table::*;
pub use table::{columns, Cell, Column, Row, Section};

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

#[cfg(test)]
mod tests;
