//! The Dutch working-day calendar the procedure's deadlines run on. Pure code, no I/O.
//!
//! A working day is Monday to Friday and not a holiday. Two holiday profiles are in use:
//! - `atw` (Algemene termijnenwet): Nieuwjaarsdag, Goede Vrijdag, Tweede Paasdag,
//!   Koningsdag (27 April, 26 April when the 27th is a Sunday; before 2014 Koninginnedag on
//!   30 April, 29 April when the 30th is a Sunday), Bevrijdingsdag (5 May, every year),
//!   Hemelvaartsdag (Easter + 39), Tweede Pinksterdag (Easter + 50), 25 and 26 December;
//! - `kantoor` (the default, a typical office): as `atw` without Goede Vrijdag, and 5 May only
//!   in years divisible by 5.
//!
//! Easter Sunday and Whit Sunday are listed too (they fall on Sundays). Configured extra
//! closed days come on top. Valid for 1990 to 2200.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Amsterdam;

pub const FIRST_YEAR: i32 = 1990;
pub const LAST_YEAR: i32 = 2200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Kantoor,
    Atw,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Kantoor => "kantoor",
            Profile::Atw => "atw",
        }
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kantoor" => Ok(Profile::Kantoor),
            "atw" => Ok(Profile::Atw),
            other => Err(format!(
                "unknown calendar {other:?}; expected kantoor or atw"
            )),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("{0} is outside the calendar's range ({FIRST_YEAR} to {LAST_YEAR})")]
    OutOfRange(NaiveDate),
}

/// A wall-clock time in Europe/Amsterdam as a UTC instant (the earlier one when the clock
/// is set back; None for a time skipped when it is set forward).
pub fn amsterdam(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    Amsterdam
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The date in Europe/Amsterdam at instant `t`.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Amsterdam).date_naive()
}

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and
/// Butcher).
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("computus gives a valid date")
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid fixed holiday")
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).expect("date in range")
}

fn minus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(days)).expect("date in range")
}

/// The holidays of `year` in `profile`, in date order.
pub fn holidays(year: i32, profile: Profile) -> Vec<Holiday> {
    let e = easter(year);
    let mut out = vec![
        Holiday {
            date: ymd(year, 1, 1),
            name: "Nieuwjaarsdag",
        },
        Holiday {
            date: e,
            name: "Eerste Paasdag",
        },
        Holiday {
            date: plus(e, 1),
            name: "Tweede Paasdag",
        },
        Holiday {
            date: plus(e, 39),
            name: "Hemelvaartsdag",
        },
        Holiday {
            date: plus(e, 49),
            name: "Eerste Pinksterdag",
        },
        Holiday {
            date: plus(e, 50),
            name: "Tweede Pinksterdag",
        },
        Holiday {
            date: ymd(year, 12, 25),
            name: "Eerste Kerstdag",
        },
        Holiday {
            date: ymd(year, 12, 26),
            name: "Tweede Kerstdag",
        },
    ];
    if profile == Profile::Atw {
        out.push(Holiday {
            date: minus(e, 2),
            name: "Goede Vrijdag",
        });
    }
    out.push(if year >= 2014 {
        let d = ymd(year, 4, 27);
        Holiday {
            date: if d.weekday() == Weekday::Sun {
                ymd(year, 4, 26)
            } else {
                d
            },
            name: "Koningsdag",
        }
    } else {
        let d = ymd(year, 4, 30);
        Holiday {
            date: if d.weekday() == Weekday::Sun {
                ymd(year, 4, 29)
            } else {
                d
            },
            name: "Koninginnedag",
        }
    });
    if profile == Profile::Atw || year % 5 == 0 {
        out.push(Holiday {
            date: ymd(year, 5, 5),
            name: "Bevrijdingsdag",
        });
    }
    out.sort_by_key(|h| h.date);
    out
}

/// Working days under a profile, with extra closed days of the office.
#[derive(Debug, Clone)]
pub struct Calendar {
    profile: Profile,
    extra_closed: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn new(profile: Profile, extra_closed: impl IntoIterator<Item = NaiveDate>) -> Self {
        Calendar {
            profile,
            extra_closed: extra_closed.into_iter().collect(),
        }
    }

    pub fn profile(&self) -> Profile {
        self.profile
    }

    fn check(&self, d: NaiveDate) -> Result<(), CalendarError> {
        if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
            Ok(())
        } else {
            Err(CalendarError::OutOfRange(d))
        }
    }

    /// Why `d` is not a working day (a weekday name, a holiday, or "gesloten"), or None.
    pub fn closed_reason(&self, d: NaiveDate) -> Option<&'static str> {
        match d.weekday() {
            Weekday::Sat => return Some("zaterdag"),
            Weekday::Sun => return Some("zondag"),
            _ => {}
        }
        if let Some(h) = holidays(d.year(), self.profile)
            .into_iter()
            .find(|h| h.date == d)
        {
            return Some(h.name);
        }
        self.extra_closed.contains(&d).then_some("gesloten")
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        self.closed_reason(d).is_none()
    }

    /// `n` working days after `from`; `from` itself is not counted.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.check(from)?;
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().ok_or(CalendarError::OutOfRange(d))?;
            self.check(d)?;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// `n` working days before `to`; `to` itself is not counted.
    pub fn sub_working_days(&self, to: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.check(to)?;
        let mut d = to;
        let mut left = n;
        while left > 0 {
            d = d.pred_opt().ok_or(CalendarError::OutOfRange(d))?;
            self.check(d)?;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days from `from` to `to`: those in (`from`, `to`] when `to` is later,
    /// negative (those in (`to`, `from`]) when it is earlier.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let n = a
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= b)
            .filter(|d| self.is_working_day(*d))
            .count() as i64;
        sign * n
    }

    /// `d` when it is a working day, else the next working day.
    pub fn on_or_next_working_day(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut d = d;
        loop {
            self.check(d)?;
            if self.is_working_day(d) {
                return Ok(d);
            }
            d = d.succ_opt().ok_or(CalendarError::OutOfRange(d))?;
        }
    }

    /// `days` calendar days after `from`, moved to the next working day when that day is
    /// not one (the Algemene termijnenwet rule).
    pub fn add_days_to_working_day(
        &self,
        from: NaiveDate,
        days: u32,
    ) -> Result<NaiveDate, CalendarError> {
        self.check(from)?;
        let d = from
            .checked_add_days(Days::new(u64::from(days)))
            .ok_or(CalendarError::OutOfRange(from))?;
        self.on_or_next_working_day(d)
    }
}

/// Closed days read from an iCalendar file: every all-day event (`DTSTART;VALUE=DATE`),
/// each day from its start up to its (exclusive) end. Timed events do not close a day and
/// are counted in `timed_events_ignored`; recurring events are refused, since a closed day
/// that silently repeats (or does not) is worse than an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IcsClosedDays {
    pub days: Vec<NaiveDate>,
    pub timed_events_ignored: usize,
}

/// Longest all-day event accepted (a closed period of a few weeks is plausible, a year is
/// a mistake).
const MAX_ICS_EVENT_DAYS: i64 = 62;

pub fn closed_days_from_ics(text: &str) -> Result<IcsClosedDays, String> {
    use icalendar::{Component, DatePerhapsTime};
    let cal: icalendar::Calendar = text.parse().map_err(|e: String| {
        format!("not an iCalendar file: {}", e.lines().next().unwrap_or(""))
    })?;
    let mut out = IcsClosedDays::default();
    for (n, event) in cal.events().enumerate() {
        let name = event
            .get_summary()
            .map(|s| format!("event {:?}", s.chars().take(60).collect::<String>()))
            .unwrap_or_else(|| format!("event {}", n + 1));
        if event.property_value("RRULE").is_some() || event.property_value("RDATE").is_some() {
            return Err(format!(
                "{name} repeats (RRULE/RDATE), which is not supported; list each closed day as its own event"
            ));
        }
        let start = match event.get_start() {
            Some(DatePerhapsTime::Date(d)) => d,
            Some(DatePerhapsTime::DateTime(_)) => {
                out.timed_events_ignored += 1;
                continue;
            }
            None => return Err(format!("{name} has no DTSTART")),
        };
        let end = match event.get_end() {
            Some(DatePerhapsTime::Date(d)) if d > start => d,
            Some(DatePerhapsTime::Date(_)) | None => start + Days::new(1),
            Some(DatePerhapsTime::DateTime(_)) => {
                return Err(format!("{name} starts on a date but ends at a time"))
            }
        };
        if (end - start).num_days() > MAX_ICS_EVENT_DAYS {
            return Err(format!(
                "{name} closes {} days in a row (at most {MAX_ICS_EVENT_DAYS})",
                (end - start).num_days()
            ));
        }
        let mut d = start;
        while d < end {
            if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
                return Err(format!(
                    "{name}: {d} is outside {FIRST_YEAR} to {LAST_YEAR}"
                ));
            }
            out.days.push(d);
            d = d + Days::new(1);
        }
    }
    out.days.sort();
    out.days.dedup();
    Ok(out)
}

const DAYS: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "dinsdag 8 december 2026".
pub fn dutch_date(d: NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        DAYS[d.weekday().num_days_from_monday() as usize],
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

/// "Tuesday 8 December 2026".
pub fn english_date(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

#[cfg(test)]
mod tests;
