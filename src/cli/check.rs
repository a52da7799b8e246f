//! `check`: every setting, and each server the settings name, tried without changing
//! anything: one line per check with what to do when it fails.

use std::process::ExitCode;

use crate::config::{Security, Settings};
use crate::mailbox::check::Finding;

/// Prints one line per check; exit 0 when all are fine, 1 otherwise.
pub(super) async fn check(settings: &Settings) -> anyhow::Result<ExitCode> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut note = |ok: bool, what: String| {
        findings.push(Finding {
            ok,
            what,
            fatal: false,
        })
    };

    // Every section, so that one run names every broken setting.
    let sections: [(&str, Result<(), crate::config::ConfigError>); 8] = [
        ("directie", settings.directie().map(drop)),
        ("organisation", settings.organisation().map(drop)),
        ("deadlines", settings.deadlines().map(drop)),
        ("detection", settings.detection().map(drop)),
        ("limits", settings.limits().map(drop)),
        ("staff", settings.staff().map(drop)),
        ("report", settings.report().map(drop)),
        ("database", settings.database().map(drop)),
    ];
    for (name, result) in sections {
        match result {
            Ok(()) => note(true, format!("settings: [{name}] ok")),
            Err(e) => note(false, e.to_string()),
        }
    }
    let imap = settings.imap();
    let smtp = settings.smtp();
    if let Err(e) = &imap {
        note(false, e.to_string());
    }
    if let Err(e) = &smtp {
        note(false, e.to_string());
    }

    match crate::startup::pipeline(settings) {
        Ok(_) => note(
            true,
            match settings.letters_template_dir() {
                Ok(Some(dir)) => format!(
                    "templates and lexicons: loaded; every template renders, with the firm's own from {}",
                    dir.display()
                ),
                _ => "templates and lexicons: loaded (letters render from the built-in templates)"
                    .into(),
            },
        ),
        Err(e) => note(false, format!("templates and lexicons: {e:#}")),
    }

    if settings.database().is_ok() {
        match super::open_store(settings).await {
            Ok(store) => {
                let backend = store.backend();
                let n = store.message_count().await.unwrap_or(0);
                store.close().await;
                note(
                    true,
                    format!("database: reachable and up to date ({backend:?}, {n} messages)"),
                );
            }
            Err(e) => note(false, format!("database: {e:#} — check database.url")),
        }
    }

    if let Ok(imap) = &imap {
        if let Some(tokens) = &imap.oauth2 {
            match tokens.access_token().await {
                Ok(_) => note(true, "oauth2: a token was obtained".into()),
                Err(e) => note(false, format!("oauth2: {e}")),
            }
        }
        findings.extend(crate::mailbox::check::check(imap).await);
    }

    if let Ok(smtp) = &smtp {
        let pipeline = crate::startup::pipeline(settings);
        let mailer = pipeline
            .as_ref()
            .map_err(|e| format!("{e:#}"))
            .and_then(|p| crate::startup::mailer(settings, p).map_err(|e| format!("{e:#}")));
        let at = format!("{}:{} ({})", smtp.host, smtp.port, smtp.security.as_str());
        let line = match mailer {
            Err(e) => Finding {
                ok: false,
                what: format!("smtp: {e}"),
                fatal: false,
            },
            Ok(mailer) => match mailer.test_connection().await {
                Ok(()) => Finding {
                    ok: true,
                    fatal: false,
                    what: format!(
                        "smtp: connected to {at}{} (nothing sent)",
                        if smtp.credentials.is_some() || smtp.oauth2.is_some() {
                            " and logged in"
                        } else {
                            ""
                        }
                    ),
                },
                Err(e) => Finding {
                    ok: false,
                    what: format!("smtp: {at}: {e} — {}", smtp_hint(smtp.security, &e)),
                    fatal: false,
                },
            },
        };
        findings.push(line);
    }

    let mut failed = 0;
    for f in &findings {
        println!("{}  {}", if f.ok { "ok  " } else { "FAIL" }, f.what);
        failed += usize::from(!f.ok);
    }
    if failed == 0 {
        println!("all {} checks passed", findings.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{failed} of {} checks failed", findings.len());
        Ok(ExitCode::from(1))
    }
}

/// What to try when the SMTP connection or login failed.
fn smtp_hint(security: Security, error: &str) -> &'static str {
    let e = error.to_ascii_lowercase();
    if e.contains("535") || e.contains("authentication") {
        "check smtp.username and smtp.password (or [oauth2])"
    } else if e.contains("refused") {
        "check smtp.host and smtp.port, and that the server runs"
    } else if security == Security::Tls {
        "if the server speaks plain SMTP on this port, try security = \"starttls\" (port 587)"
    } else {
        "check smtp.host, smtp.port and smtp.security"
    }
}
