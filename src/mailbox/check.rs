//! `check` for the mailbox: log in, find the folder, judge `processed_folder` against the
//! server's hierarchy separator, and see whether IDLE is offered. Nothing is changed on
//! the server.

use futures::TryStreamExt;

use super::{connect, IntakeError};
use crate::cli::labels::{t, Language};
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

/// The checks of the `[imap]` settings against the server, each line in `lang`.
pub async fn check(settings: &ImapSettings, lang: Language) -> Vec<Finding> {
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
                login_hint(settings, &e, lang)
            )));
            return out;
        }
    };
    let oauth2 = if settings.oauth2.is_some() {
        " (OAuth2)"
    } else {
        ""
    };
    out.push(Finding::ok(match lang {
        Language::Nl => format!("imap: ingelogd op {at} als {}{oauth2}", settings.username),
        Language::En => format!("imap: logged in to {at} as {}{oauth2}", settings.username),
    }));
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
        Err(e) => out.push(Finding::fail(match lang {
            Language::Nl => format!("imap: kan de mappen niet opvragen: {e}"),
            Language::En => format!("imap: cannot list the folders: {e}"),
        })),
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
                out.push(Finding::ok(match lang {
                    Language::Nl => format!("imap: map {:?} gevonden", settings.folder),
                    Language::En => format!("imap: folder {:?} found", settings.folder),
                }));
            } else {
                let some: Vec<&str> = folders.iter().take(10).map(|(n, _)| n.as_str()).collect();
                let some = some.join(", ");
                out.push(Finding::fatal(match lang {
                    Language::Nl => format!(
                        "imap: map {:?} bestaat niet — zet imap.folder op een van deze: {some}",
                        settings.folder
                    ),
                    Language::En => format!(
                        "imap: folder {:?} does not exist — set imap.folder to one of: {some}",
                        settings.folder
                    ),
                }));
            }
            if let Mark::Move(pf) = &settings.mark {
                out.push(processed_folder(pf, &separator, exists(pf), lang));
            }
        }
    }
    out.push(if caps.idle {
        Finding::ok(t(
            lang,
            "imap: IDLE aangeboden: nieuwe mail wordt meteen gezien",
            "imap: IDLE offered: new mail is seen at once",
        ))
    } else {
        Finding::ok(match lang {
            Language::Nl => format!(
                "imap: geen IDLE: de mailbox wordt elke {} s bekeken (imap.poll_interval_secs)",
                settings.poll_interval_secs
            ),
            Language::En => format!(
                "imap: no IDLE: the mailbox is polled every {} s (imap.poll_interval_secs)",
                settings.poll_interval_secs
            ),
        })
    });
    let _ = session.logout().await;
    out
}

/// `processed_folder` as the server spells folders: a name written with another separator
/// would be created as one odd folder, or refused. (`run` tells a fatal line about
/// `processed_folder` from one about `folder` by the word processed_folder, in both
/// languages.)
fn processed_folder(name: &str, separator: &str, exists: bool, lang: Language) -> Finding {
    let foreign = ['/', '.', '\\']
        .into_iter()
        .find(|c| c.to_string() != separator && name.contains(*c));
    if let Some(c) = foreign {
        let right = name.replace(c, separator);
        return Finding::fatal(match lang {
            Language::Nl => format!(
                "imap: processed_folder {name:?} gebruikt {c:?}, maar deze server scheidt mappen met {separator:?} — schrijf processed_folder = {right:?}"
            ),
            Language::En => format!(
                "imap: processed_folder {name:?} uses {c:?}, but this server separates folders with {separator:?} — write processed_folder = {right:?}"
            ),
        });
    }
    match (exists, lang) {
        (true, Language::Nl) => Finding::ok(format!("imap: processed_folder {name:?} gevonden")),
        (true, Language::En) => Finding::ok(format!("imap: processed_folder {name:?} found")),
        (false, Language::Nl) => Finding::ok(format!(
            "imap: processed_folder {name:?} bestaat nog niet; die wordt bij de eerste ronde aangemaakt"
        )),
        (false, Language::En) => Finding::ok(format!(
            "imap: processed_folder {name:?} does not exist yet; it is created at the first pass"
        )),
    }
}

/// What to try when the connection or the login failed.
fn login_hint(settings: &ImapSettings, e: &IntakeError, lang: Language) -> String {
    let (nl, en) = match e {
        IntakeError::Login(_) if settings.oauth2.is_some() => (
            "de server weigerde het OAuth2-token: controleer imap.username (de mailbox waarvoor het token is) en de rechten van de app",
            "the server refused the OAuth2 token: check imap.username (the mailbox the token is for) and the app's permissions",
        ),
        IntakeError::Login(_) => (
            "controleer imap.username en imap.password",
            "check imap.username and imap.password",
        ),
        IntakeError::Token(_) => (
            "controleer de instellingen in [oauth2]",
            "check the [oauth2] settings",
        ),
        IntakeError::Tls(_) | IntakeError::Timeout(_) if settings.security == Security::Tls => (
            "als de server op deze poort gewone IMAP spreekt, probeer dan security = \"starttls\", of poort 993 voor TLS",
            "if the server speaks plain IMAP on this port, try security = \"starttls\", or port 993 for TLS",
        ),
        IntakeError::Tls(_) => (
            "controleer het certificaat van de server (imap.ca_file voor een eigen CA)",
            "check the server's certificate (imap.ca_file for a private CA)",
        ),
        IntakeError::Connect(_) => (
            "controleer imap.host en imap.port, en of de server draait",
            "check imap.host and imap.port, and that the server runs",
        ),
        IntakeError::Timeout(_) => (
            "de server antwoordde niet op tijd: controleer imap.host, imap.port en imap.security",
            "the server did not answer in time: check imap.host, imap.port and imap.security",
        ),
        _ => ("zie de melding", "see the message"),
    };
    t(lang, nl, en).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processed_folder_is_judged_by_the_servers_separator() {
        for lang in [Language::Nl, Language::En] {
            let f = processed_folder("Klachtenbus/Verwerkt", ".", false, lang);
            assert!(!f.ok && f.fatal);
            assert!(f.what.contains("\"Klachtenbus.Verwerkt\""), "{}", f.what);
            // `run` names imap.processed_folder by this word.
            assert!(f.what.contains("processed_folder"), "{}", f.what);
            let f = processed_folder("Klachtenbus.Verwerkt", "/", false, lang);
            assert!(
                !f.ok && f.what.contains("\"Klachtenbus/Verwerkt\""),
                "{}",
                f.what
            );
            assert!(processed_folder("Klachtenbus/Verwerkt", "/", true, lang).ok);
            assert!(processed_folder("Verwerkt", ".", false, lang).ok);
        }
    }
}
