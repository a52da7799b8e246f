//! The service's clock. Everything that asks "what time is it" (deadlines, reminders, the
//! outbox's retry times, timeline stamps) asks this clock, so tests and rehearsals can run
//! the service at another moment (`klachtenbus --now 2026-12-21T09:00:00+01:00 sync`) and
//! no test has to sleep.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock(Kind);

#[derive(Debug, Clone, Default)]
enum Kind {
    /// The system clock.
    #[default]
    System,
    /// The system clock moved by a fixed amount: time passes as usual from a chosen start.
    Shifted(Duration),
    /// A clock that only moves when told to (in-process tests).
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    pub fn system() -> Clock {
        Clock(Kind::System)
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock(Kind::Shifted(start - Utc::now()))
    }

    /// A clock standing at `at` until [`Clock::set`] moves it.
    pub fn manual(at: DateTime<Utc>) -> Clock {
        Clock(Kind::Manual(Arc::new(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Kind::System => Utc::now(),
            Kind::Shifted(by) => Utc::now() + *by,
            Kind::Manual(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Moves a manual clock (and every copy of it); other clocks ignore this.
    pub fn set(&self, to: DateTime<Utc>) {
        if let Kind::Manual(at) = &self.0 {
            *at.lock().unwrap_or_else(|e| e.into_inner()) = to;
        }
    }

    pub fn is_system(&self) -> bool {
        matches!(self.0, Kind::System)
    }
}

/// Parses the `--now` argument: RFC 3339 (`2026-12-21T09:00:00+01:00`), or a local
/// Europe/Amsterdam time `2026-12-21T09:00[:SS]` / `2026-12-21 09:00[:SS]`, or a date (09:00
/// that day).
pub fn parse_moment(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
    .ok_or(())
    .or_else(|_| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| d.and_hms_opt(9, 0, 0).expect("valid time"))
    })
    .map_err(|_| {
        format!(
            "{s:?} is not a moment; use 2026-12-21T09:00:00+01:00, 2026-12-21T09:00 or 2026-12-21"
        )
    })?;
    crate::calendar::amsterdam(local)
        .ok_or_else(|| format!("{s:?} does not exist in Europe/Amsterdam (clock change)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_for_every_copy() {
        let t = parse_moment("2026-12-21T09:00:00+01:00").unwrap();
        let c = Clock::manual(t);
        let copy = c.clone();
        c.set(t + Duration::days(2));
        assert_eq!(copy.now(), t + Duration::days(2));
    }

    #[test]
    fn shifted_clock_runs_from_its_start() {
        let start = parse_moment("2030-01-02").unwrap();
        let c = Clock::starting_at(start);
        let d = c.now() - start;
        assert!(d >= Duration::zero() && d < Duration::seconds(5), "{d}");
    }

    #[test]
    fn moments_are_read_in_amsterdam_time() {
        assert_eq!(
            parse_moment("2026-12-21T09:00").unwrap().to_rfc3339(),
            "2026-12-21T08:00:00+00:00"
        );
        assert_eq!(
            parse_moment("2026-12-21 09:00:30").unwrap().to_rfc3339(),
            "2026-12-21T08:00:30+00:00"
        );
        assert_eq!(
            parse_moment("2026-07-01").unwrap().to_rfc3339(),
            "2026-07-01T07:00:00+00:00"
        );
        assert!(parse_moment("gisteren").is_err());
        // 02:30 on the last Sunday of March does not exist in Amsterdam.
        assert!(parse_moment("2026-03-29T02:30").is_err());
    }
}
