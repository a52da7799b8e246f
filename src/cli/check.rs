//! `check`: every setting, and each server the settings name, tried without changing
//! anything: one line per check with what to do when it fails.

use std::process::ExitCode;

use super::labels::{self, t, Language};
use crate::config::{Security, Settings};
use crate::mailbox::check::Finding;

/// Prints one line per check; exit 0 when all are fine, 1 otherwise.
pub(super) async fn check(settings: &Settings) -> anyhow::Result<ExitCode> {
    let lang = super::lang();
    let mut findings: Vec<Finding> = Vec::new();
    let mut note = |ok: bool, what: String| {
        findings.push(Finding {
            ok,
            what,
            fatal: false,
        })
    };

    // Every section, so that one run names every broken setting.
    let sections: [(&str, Result<(), crate::config::ConfigError>); 9] = [
        ("directie", settings.directie().map(drop)),
        ("organisation", settings.organisation().map(drop)),
        ("deadlines", settings.deadlines().map(drop)),
        ("detection", settings.detection().map(drop)),
        ("limits", settings.limits().map(drop)),
        ("staff", settings.staff().map(drop)),
        ("report", settings.report().map(drop)),
        ("database", settings.database().map(drop)),
        ("ui", settings.ui_language().map(drop)),
    ];
    for (name, result) in sections {
        match result {
            Ok(()) => note(
                true,
                match lang {
                    Language::Nl => format!("instellingen: [{name}] in orde"),
                    Language::En => format!("settings: [{name}] ok"),
                },
            ),
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
            match (settings.letters_template_dir(), lang) {
                (Ok(Some(dir)), Language::Nl) => format!(
                    "templates en lexicons: geladen; elke template werkt, met de eigen templates uit {}",
                    dir.display()
                ),
                (Ok(Some(dir)), Language::En) => format!(
                    "templates and lexicons: loaded; every template renders, with the firm's own from {}",
                    dir.display()
                ),
                (_, Language::Nl) => {
                    "templates en lexicons: geladen (brieven met de ingebouwde templates)".into()
                }
                (_, Language::En) => {
                    "templates and lexicons: loaded (letters render from the built-in templates)"
                        .into()
                }
            },
        ),
        Err(e) => note(
            false,
            format!(
                "{}: {e:#}",
                t(lang, "templates en lexicons", "templates and lexicons")
            ),
        ),
    }

    if settings.database().is_ok() {
        match super::open_store(settings).await {
            Ok(store) => {
                let backend = store.backend();
                let n = store.message_count().await.unwrap_or(0);
                store.close().await;
                let messages = labels::count(
                    lang,
                    usize::try_from(n).unwrap_or(0),
                    ("bericht", "berichten"),
                    ("message", "messages"),
                );
                note(
                    true,
                    match lang {
                        Language::Nl => {
                            format!("database: bereikbaar en bijgewerkt ({backend:?}, {messages})")
                        }
                        Language::En => {
                            format!("database: reachable and up to date ({backend:?}, {messages})")
                        }
                    },
                );
            }
            Err(e) => note(
                false,
                match lang {
                    Language::Nl => format!("database: {e:#} — controleer database.url"),
                    Language::En => format!("database: {e:#} — check database.url"),
                },
            ),
        }
    }

    if let Ok(imap) = &imap {
        if let Some(tokens) = &imap.oauth2 {
            match tokens.access_token().await {
                Ok(_) => note(
                    true,
                    t(
                        lang,
                        "oauth2: een token verkregen",
                        "oauth2: a token was obtained",
                    )
                    .into(),
                ),
                Err(e) => note(false, format!("oauth2: {e}")),
            }
        }
        findings.extend(crate::mailbox::check::check(imap, lang).await);
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
                    what: {
                        let logged_in = if smtp.credentials.is_some() || smtp.oauth2.is_some() {
                            t(lang, " en ingelogd", " and logged in")
                        } else {
                            ""
                        };
                        match lang {
                            Language::Nl => {
                                format!("smtp: verbonden met {at}{logged_in} (niets verstuurd)")
                            }
                            Language::En => {
                                format!("smtp: connected to {at}{logged_in} (nothing sent)")
                            }
                        }
                    },
                },
                Err(e) => Finding {
                    ok: false,
                    what: format!("smtp: {at}: {e} — {}", smtp_hint(lang, smtp.security, &e)),
                    fatal: false,
                },
            },
        };
        findings.push(line);
    }

    let mut failed = 0;
    for f in &findings {
        outln!("{}  {}", if f.ok { "ok  " } else { "FAIL" }, f.what);
        failed += usize::from(!f.ok);
    }
    let total = findings.len();
    if failed == 0 {
        match lang {
            Language::Nl => outln!("alle {total} controles geslaagd"),
            Language::En => outln!("all {total} checks passed"),
        }
        Ok(ExitCode::SUCCESS)
    } else {
        match lang {
            Language::Nl => outln!("{failed} van de {total} controles mislukt"),
            Language::En => outln!("{failed} of {total} checks failed"),
        }
        Ok(ExitCode::from(1))
    }
}

/// What to try when the SMTP connection or login failed.
fn smtp_hint(lang: Language, security: Security, error: &str) -> &'static str {
    let e = error.to_ascii_lowercase();
    if e.contains("535") || e.contains("authentication") {
        t(
            lang,
            "controleer smtp.username en smtp.password (of [oauth2])",
            "check smtp.username and smtp.password (or [oauth2])",
        )
    } else if e.contains("refused") {
        t(
            lang,
            "controleer smtp.host en smtp.port, en of de server draait",
            "check smtp.host and smtp.port, and that the server runs",
        )
    } else if security == Security::Tls {
        t(
            lang,
            "als de server op deze poort gewone SMTP spreekt, probeer dan security = \"starttls\" (poort 587)",
            "if the server speaks plain SMTP on this port, try security = \"starttls\" (port 587)",
        )
    } else {
        t(
            lang,
            "controleer smtp.host, smtp.port en smtp.security",
            "check smtp.host, smtp.port and smtp.security",
        )
    }
}
