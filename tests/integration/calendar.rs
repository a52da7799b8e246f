//! The holiday calendar against an independent reference, and the `calendar` command.

use std::collections::BTreeSet;
use std::process::Command;

use klachtenbus::calendar::{holidays, Profile};

use crate::support::BIN;

const FIRST: i32 = 2000;
const LAST: i32 = 2100;

/// The Python `holidays` package (pinned in scripts/test.sh), via tests/reference/nl_holidays.py.
fn reference() -> serde_json::Value {
    let python = std::env::var("KLACHTENBUS_REFERENCE_PYTHON").expect(
        "KLACHTENBUS_REFERENCE_PYTHON is not set: run the tests with scripts/test.sh, which \
         installs the pinned Python `holidays` package as the calendar's reference",
    );
    let out = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/reference/nl_holidays.py"
        ))
        .arg(FIRST.to_string())
        .arg(LAST.to_string())
        .output()
        .expect("run the reference script");
    assert!(
        out.status.success(),
        "reference script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("reference JSON")
}

/// A configuration with nothing but the defaults, in a folder of its own.
struct Bare {
    dir: tempfile::TempDir,
}

impl Bare {
    fn new() -> Bare {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("klachtenbus.toml"), "").unwrap();
        Bare { dir }
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--config")
            .arg(self.dir.path().join("klachtenbus.toml"))
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG");
        cmd
    }
}

#[test]
fn holiday_sets_equal_the_python_holidays_package_2000_to_2100() {
    let reference = reference();
    let mut differences = Vec::new();
    let mut compared = 0;
    for profile in [Profile::Kantoor, Profile::Atw] {
        let by_year = reference[profile.as_str()]
            .as_object()
            .expect("profile in reference");
        assert_eq!(by_year.len(), (LAST - FIRST + 1) as usize);
        for year in FIRST..=LAST {
            // Sets of dates: two holidays may share a day (Hemelvaart on 5 May 2005, 2016).
            let theirs: BTreeSet<String> = by_year[&year.to_string()]
                .as_array()
                .expect("year in reference")
                .iter()
                .map(|d| d.as_str().unwrap().to_string())
                .collect();
            let ours: BTreeSet<String> = holidays(year, profile)
                .iter()
                .map(|h| h.date.to_string())
                .collect();
            compared += ours.len();
            if ours != theirs {
                differences.push(format!(
                    "{profile} {year}: ours {ours:?}, reference {theirs:?}"
                ));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} years differ from holidays {}:\n{}",
        differences.len(),
        reference["version"],
        differences.join("\n")
    );
    // 101 years × (≥ 9 days) × 2 profiles.
    assert!(compared > 1800, "compared only {compared} days");
}

#[test]
fn calendar_command_worked_examples() {
    let kb = Bare::new();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = kb
            .cmd()
            .arg("calendar")
            .args(args)
            .arg("--json")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // The contract's shape, and the worked example of the issue.
    assert_eq!(
        json(&["--from", "2026-12-21", "--werkdagen", "7"]),
        serde_json::json!({"from": "2026-12-21", "werkdagen": 7, "deadline": "2026-12-31", "profile": "kantoor"})
    );
    #[rustfmt::skip]
    let examples: &[(&[&str], &str, &str)] = &[
        (&["--from", "2026-04-01", "--werkdagen", "7"], "2026-04-13",
         "across Easter 2026: Goede Vrijdag is a working day in kantoor"),
        (&["--from", "2026-04-01", "--werkdagen", "7", "--profile", "atw"], "2026-04-14",
         "and a holiday in atw"),
        (&["--from", "2025-04-24", "--werkdagen", "7"], "2025-05-06",
         "Koningsdag 2025 on Saturday 26 April (27th a Sunday), Bevrijdingsdag 2025 (lustrum)"),
        (&["--from", "2026-05-12", "--werkdagen", "7"], "2026-05-22",
         "Hemelvaart 2026, Thursday 14 May"),
        (&["--from", "2025-12-30", "--werkdagen", "7"], "2026-01-09",
         "year end: 31 Dec, 2, 5, 6, 7, 8, 9 January"),
        (&["--from", "2026-12-12", "--dagen", "14"], "2026-12-28",
         "position: onto Saturday 26 December (Tweede Kerstdag) → Monday 28"),
        (&["--from", "2025-12-12", "--dagen", "14"], "2025-12-29",
         "position: onto Friday 26 December 2025 (Tweede Kerstdag) → Monday 29"),
        (&["--from", "2026-11-01", "--dagen", "14"], "2026-11-16",
         "position: onto a plain Sunday → Monday"),
    ];
    for (args, want, why) in examples {
        assert_eq!(json(args)["deadline"], *want, "{why}");
    }

    let holidays = json(&["--holidays", "2025"]);
    let dates: Vec<&str> = holidays["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(dates.contains(&"2025-04-26") && !dates.contains(&"2025-04-18"));
    let atw = json(&["--holidays", "2025", "--profile", "atw"]);
    assert!(atw["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["date"] == "2025-04-18" && h["name"] == "Goede Vrijdag"));

    // Out of range and bad input: exit 2 with a message.
    for args in [
        &["--from", "2200-12-30", "--werkdagen", "7"][..],
        &["--holidays", "1989"][..],
        &["--from", "21-12-2026", "--werkdagen", "7"][..],
        &[
            "--from",
            "2026-12-21",
            "--werkdagen",
            "7",
            "--profile",
            "bank",
        ][..],
    ] {
        let out = kb.cmd().arg("calendar").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn closed_days_from_config_and_icalendar_move_deadlines() {
    let kb = Bare::new();
    let ics = kb.dir.path().join("gesloten.ics");
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//NL\r\n\
         BEGIN:VEVENT\r\nUID:1@test\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Brugdag\r\n\
         DTSTART;VALUE=DATE:20260515\r\nDTEND;VALUE=DATE:20260516\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:2@test\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Teamuitje\r\n\
         DTSTART:20260518T130000Z\r\nDTEND:20260518T170000Z\r\nEND:VEVENT\r\n\
         END:VCALENDAR\r\n",
    )
    .unwrap();
    let deadline = |env: Vec<(&str, String)>| -> String {
        let mut cmd = kb.cmd();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd
            .args([
                "calendar",
                "--from",
                "2026-05-12",
                "--werkdagen",
                "7",
                "--json",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["deadline"].as_str().unwrap().to_string()
    };
    assert_eq!(deadline(vec![]), "2026-05-22");
    // The Friday after Ascension closed, by list and by iCalendar (the timed event on
    // Monday 18 May closes nothing).
    assert_eq!(
        deadline(vec![(
            "KLACHTENBUS__DEADLINES__EXTRA_CLOSED_DAYS",
            "2026-05-15".into()
        )]),
        "2026-05-26"
    );
    assert_eq!(
        deadline(vec![(
            "KLACHTENBUS__DEADLINES__CLOSED_DAYS_ICS",
            ics.display().to_string()
        )]),
        "2026-05-26"
    );
    // A recurring event is refused with the key named.
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//NL\r\nBEGIN:VEVENT\r\nUID:3@test\r\n\
         DTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260515\r\nRRULE:FREQ=YEARLY\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let out = kb
        .cmd()
        .env("KLACHTENBUS__DEADLINES__CLOSED_DAYS_ICS", &ics)
        .args(["calendar", "--holidays", "2026"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("deadlines.closed_days_ics") && err.contains("RRULE"),
        "{err}"
    );
}
