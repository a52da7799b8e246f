//! `check` for the mailbox: log in, find the folder, judge `processed_folder` against the
//! server's hierarchy separator, and see whether IDLE is offered. Nothing is changed on
//! the server.

use futures::TryStreamExt;

use super::{connect, IntakeError};
use crate::config::{ImapSettings, Mark, Security};

/// One line of `check`: whether it is fine, and what was found (or what to do about it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ok: bool,
    pub what: String,
    /// A setting that can never work (a folder that does not exist, a processed folder
    /// spelled with another separator): `run` refuses to start on it.
    pub fatal: bool,
}

impl Finding {
    fn ok(what: impl Into<String>) -> Finding {
        Finding {
            ok: true,
            what: what.into(),
            fatal: false,
        }
    }

    fn fail(what: impl Into<String>) -> Finding {
        Finding {
            ok: false,
            what: what.into(),
            fatal: false,
        }
    }

    fn fatal(what: impl Into<String>) -> Finding {
        Finding {
            ok: false,
            what: what.into(),
            fatal: true,
        }
    }
}

/// The checks of the `[imap]` settings against the server.
pub async fn check(settings: &ImapSettings) -> Vec<Finding> {
    let mut out = Vec::new();
    let at = format!(
        "{}:{} ({})",
        settings.host,
        settings.port,
        settings.security.as_str()
    );
    let (mut session, caps) = match connect(settings).await {
        Ok(s) => s,
        Err(e) => {
            out.push(Finding::fail(format!(
                "imap: {e} — {}",
                login_hint(settings, &e)
            )));
            return out;
        }
    };
    out.push(Finding::ok(format!(
        "imap: logged in to {at} as {}{}",
        settings.username,
        if settings.oauth2.is_some() {
            " (OAuth2)"
        } else {
            ""
        }
    )));
    let listed: Result<Vec<(String, Option<String>)>, _> = async {
        let names: Vec<_> = session
            .list(Some(""), Some("*"))
            .await?
            .try_collect()
            .await?;
        Ok::<_, async_imap::error::Error>(
            names
                .iter()
                .map(|n| (n.name().to_string(), n.delimiter().map(str::to_string)))
                .collect(),
        )
    }
    .await;
    match listed {
        Err(e) => out.push(Finding::fail(format!("imap: cannot list the folders: {e}"))),
        Ok(folders) => {
            let separator = folders
                .iter()
                .find_map(|(_, d)| d.clone())
                .unwrap_or_else(|| "/".into());
            let exists = |name: &str| {
                folders.iter().any(|(n, _)| {
                    n == name
                        || (name.eq_ignore_ascii_case("INBOX") && n.eq_ignore_ascii_case("INBOX"))
                })
            };
            if exists(&settings.folder) {
                out.push(Finding::ok(format!(
                    "imap: folder {:?} found",
                    settings.folder
                )));
            } else {
                let some: Vec<&str> = folders.iter().take(10).map(|(n, _)| n.as_str()).collect();
                out.push(Finding::fatal(format!(
                    "imap: folder {:?} does not exist — set imap.folder to one of: {}",
                    settings.folder,
                    some.join(", ")
                )));
            }
            if let Mark::Move(pf) = &settings.mark {
                out.push(processed_folder(pf, &separator, exists(pf)));
            }
        }
    }
    out.push(if caps.idle {
        Finding::ok("imap: IDLE offered: new mail is seen at once")
    } else {
        Finding::ok(format!(
            "imap: no IDLE: the mailbox is polled every {} s (imap.poll_interval_secs)",
            settings.poll_interval_secs
        ))
    });
    let _ = session.logout().await;
    out
}

/// `processed_folder` as the server spells folders: a name written with another separator
/// would be created as one odd folder, or refused.
fn processed_folder(name: &str, separator: &str, exists: bool) -> Finding {
    let foreign = ['/', '.', '\\']
        .into_iter()
        .find(|c| c.to_string() != separator && name.contains(*c));
    if let Some(c) = foreign {
        let right = name.replace(c, separator);
        return Finding::fatal(format!(
            "imap: processed_folder {name:?} uses {c:?}, but this server separates folders with {separator:?} — write processed_folder = {right:?}"
        ));
    }
    if exists {
        Finding::ok(format!("imap: processed_folder {name:?} found"))
    } else {
        Finding::ok(format!(
            "imap: processed_folder {name:?} does not exist yet; it is created at the first pass"
        ))
    }
}

/// What to try when the connection or the login failed.
fn login_hint(settings: &ImapSettings, e: &IntakeError) -> String {
    match e {
        IntakeError::Login(_) if settings.oauth2.is_some() => {
            "the server refused the OAuth2 token: check imap.username (the mailbox the token is for) and the app's permissions".into()
        }
        IntakeError::Login(_) => "check imap.username and imap.password".into(),
        IntakeError::Token(_) => "check the [oauth2] settings".into(),
        IntakeError::Tls(_) | IntakeError::Timeout(_) if settings.security == Security::Tls => {
            "if the server speaks plain IMAP on this port, try security = \"starttls\", or port 993 for TLS".into()
        }
        IntakeError::Tls(_) => "check the server's certificate (imap.ca_file for a private CA)".into(),
        IntakeError::Connect(_) => "check imap.host and imap.port, and that the server runs".into(),
        IntakeError::Timeout(_) => "the server did not answer in time: check imap.host, imap.port and imap.security".into(),
        _ => "see the message".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processed_folder_is_judged_by_the_servers_separator() {
        let f = processed_folder("Klachtenbus/Verwerkt", ".", false);
        assert!(!f.ok);
        assert!(f.what.contains("\"Klachtenbus.Verwerkt\""), "{}", f.what);
        let f = processed_folder("Klachtenbus.Verwerkt", "/", false);
        assert!(
            !f.ok && f.what.contains("\"Klachtenbus/Verwerkt\""),
            "{}",
            f.what
        );
        assert!(processed_folder("Klachtenbus/Verwerkt", "/", true).ok);
        assert!(processed_folder("Verwerkt", ".", false).ok);
    }
}
