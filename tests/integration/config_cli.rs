//! Bad settings stop every command with exit code 2 and name the setting, before anything
//! starts (issue: foundation, acceptance 7). No servers needed.

use std::process::Command;

use crate::support::{stderr, BIN, VALID_SERVICES};

struct Case {
    name: &'static str,
    toml: &'static str,
    env: &'static [(&'static str, &'static str)],
    expect: &'static str,
}

const VALID_IMAP: &str =
    "host = \"127.0.0.1\"\nport = 1143\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"\n";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "missing host",
            toml: "[imap]\nport = 1143\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"\n",
            env: &[],
            expect: "imap.host",
        },
        Case {
            name: "port not a number",
            toml: "[imap]\nhost = \"127.0.0.1\"\nport = \"abc\"\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"\n",
            env: &[],
            expect: "imap.port",
        },
        Case {
            name: "port out of range",
            toml: "[imap]\nhost = \"127.0.0.1\"\nport = 70000\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"\n",
            env: &[],
            expect: "imap.port",
        },
        Case {
            name: "port from environment",
            toml: "",
            env: &[("KLACHTENBUS__IMAP__PORT", "-5")],
            expect: "imap.port",
        },
        Case {
            name: "unknown security",
            toml: "[imap]\nhost = \"127.0.0.1\"\nport = 1143\nsecurity = \"ssl\"\nusername = \"u\"\npassword = \"p\"\n",
            env: &[],
            expect: "imap.security",
        },
        Case {
            name: "plaintext to a remote host",
            toml: "[imap]\nhost = \"imap.firma.example\"\nport = 143\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"\n",
            env: &[],
            expect: "imap.security",
        },
        Case {
            name: "missing password",
            toml: "[imap]\nhost = \"127.0.0.1\"\nport = 1143\nsecurity = \"none\"\nusername = \"u\"\n",
            env: &[],
            expect: "imap.password",
        },
        Case {
            name: "bad poll interval",
            toml: "",
            env: &[("KLACHTENBUS__IMAP__POLL_INTERVAL_SECS", "soon")],
            expect: "imap.poll_interval_secs",
        },
        Case {
            name: "bad idle",
            toml: "",
            env: &[("KLACHTENBUS__IMAP__IDLE", "maybe")],
            expect: "imap.idle",
        },
        Case {
            name: "bad database url",
            toml: "",
            env: &[("KLACHTENBUS__DATABASE__URL", "mysql://db/x")],
            expect: "database.url",
        },
        Case {
            name: "bad message limit",
            toml: "",
            env: &[("KLACHTENBUS__LIMITS__MAX_MESSAGE_BYTES", "lots")],
            expect: "limits.max_message_bytes",
        },
        Case {
            name: "bad log format",
            toml: "",
            env: &[("KLACHTENBUS__LOGGING__FORMAT", "xml")],
            expect: "logging.format",
        },
        Case {
            name: "no SMTP server",
            toml: "[imap]\nhost = \"127.0.0.1\"\nport = 1143\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"\n",
            env: &[],
            expect: "smtp.host",
        },
        Case {
            name: "service address with a +tag",
            toml: "",
            env: &[("KLACHTENBUS__SMTP__FROM", "klachten+x@firma.example")],
            expect: "smtp.from",
        },
        Case {
            name: "plaintext SMTP to a remote host",
            toml: "",
            env: &[("KLACHTENBUS__SMTP__HOST", "smtp.firma.example")],
            expect: "smtp.security",
        },
        Case {
            name: "unreadable IMAP CA file",
            toml: "",
            env: &[("KLACHTENBUS__IMAP__CA_FILE", "/nonexistent/ca.pem")],
            expect: "imap.ca_file",
        },
        Case {
            name: "judged text bound too small",
            toml: "",
            env: &[("KLACHTENBUS__DETECTION__MAX_TEXT_BYTES", "10")],
            expect: "detection.max_text_bytes",
        },
        Case {
            name: "short reply secret",
            toml: "",
            env: &[("KLACHTENBUS__DIRECTIE__REPLY_SECRET", "kort")],
            expect: "directie.reply_secret",
        },
        Case {
            name: "no directie",
            toml: "",
            env: &[("KLACHTENBUS__DIRECTIE__ADDRESSES", "")],
            expect: "directie.addresses",
        },
        Case {
            name: "unknown calendar",
            toml: "",
            env: &[("KLACHTENBUS__DEADLINES__CALENDAR", "belgie")],
            expect: "deadlines.calendar",
        },
        Case {
            name: "bad closed day",
            toml: "",
            env: &[("KLACHTENBUS__DEADLINES__EXTRA_CLOSED_DAYS", "2026-13-01")],
            expect: "deadlines.extra_closed_days",
        },
        Case {
            name: "SMTP user without password",
            toml: "",
            env: &[("KLACHTENBUS__SMTP__USERNAME", "klachten")],
            expect: "smtp.password",
        },
        Case {
            name: "TOML syntax error",
            toml: "[imap\nhost = ",
            env: &[],
            expect: "klachtenbus.toml",
        },
    ]
}

#[test]
fn every_malformed_setting_exits_2_naming_it_and_starts_nothing() {
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("klachtenbus.toml");
        let toml = if case.toml.is_empty() {
            format!("[imap]\n{VALID_IMAP}\n{VALID_SERVICES}")
        } else {
            case.toml.to_string()
        };
        let db = dir.path().join("data/k.sqlite");
        let toml =
            if toml.contains("[imap]") && !case.env.iter().any(|(k, _)| k.contains("DATABASE")) {
                format!("{toml}\n[database]\nurl = \"sqlite://{}\"\n", db.display())
            } else {
                toml
            };
        std::fs::write(&path, toml).unwrap();
        for command in ["sync", "run"] {
            let mut cmd = Command::new(BIN);
            cmd.arg("--config")
                .arg(&path)
                .arg(command)
                .current_dir(dir.path());
            for (k, v) in case.env {
                cmd.env(k, v);
            }
            let out = cmd.output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(2),
                "{} ({command}): expected exit 2, got {:?}; stderr: {}",
                case.name,
                out.status.code(),
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(case.expect),
                "{} ({command}): message does not name {}: {}",
                case.name,
                case.expect,
                stderr(&out)
            );
            assert!(
                !db.exists(),
                "{}: database created despite bad configuration",
                case.name
            );
        }
    }
}

#[test]
fn missing_config_file_and_bad_usage_exit_2() {
    let out = Command::new(BIN)
        .args(["--config", "/nonexistent/klachtenbus.toml", "messages"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/klachtenbus.toml"));

    let out = Command::new(BIN).arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(BIN).arg("import").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "import without files is bad usage"
    );
}

#[test]
fn secrets_are_never_printed_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.toml");
    std::fs::write(
        &path,
        "[imap]\nhost = \"10.1.2.3\"\nport = 143\nsecurity = \"none\"\nusername = \"u\"\npassword = \"hunter2-very-secret\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .arg("sync")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("hunter2"), "{}", stderr(&out));
}

#[test]
fn bad_detection_settings_exit_2() {
    let eml = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/demo/02-vraag-polis.eml"
    );
    for (key, value, named) in [
        (
            "KLACHTENBUS__DETECTION__LEXICON_DIR",
            "/nonexistent/lexicon",
            "detection.lexicon_dir",
        ),
        (
            "KLACHTENBUS__DETECTION__THRESHOLD",
            "hoog",
            "detection.threshold",
        ),
        (
            "KLACHTENBUS__DIRECTIE__ADDRESSES",
            "directie at firma",
            "directie.addresses",
        ),
    ] {
        let out = Command::new(BIN)
            .args(["classify", eml])
            .env(key, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{key}: {}", stderr(&out));
        assert!(stderr(&out).contains(named), "{key}: {}", stderr(&out));
    }
}
