//! The mail settings: `[imap]`, `[smtp]`, `[oauth2]`, `[database]`.

use super::*;

/// How the connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    Tls,
    /// Plain connection upgraded with STARTTLS.
    StartTls,
    /// No encryption; only accepted for loopback hosts.
    None,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::StartTls => "starttls",
            Security::None => "none",
        }
    }

    fn parse(key: &str, value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "tls" => Ok(Security::Tls),
            "starttls" => Ok(Security::StartTls),
            "none" => Ok(Security::None),
            other => Err(ConfigError::invalid(
                key,
                format!("unknown value {other:?}; expected one of tls, starttls, none"),
            )),
        }
    }
}

/// True for `localhost` and loopback IP addresses: the only hosts an unencrypted
/// connection may go to, because nothing leaves the machine.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// How a connection logs in.
enum Auth {
    Password,
    OAuth2,
}

/// `[oauth2]`: where access tokens come from.
#[derive(Debug, Clone)]
pub struct OAuth2Settings {
    /// `microsoft`, `google` or `generic`.
    pub provider: String,
    pub flow: crate::oauth::Flow,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub scopes: Vec<String>,
    /// Where `klachtenbus login` asks for a device code (RFC 8628).
    pub device_url: Option<String>,
}

/// `imap.mark`: what intake does on the server to a message it has stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// Flag it `\Seen`.
    Seen,
    /// Leave it as it is: staff who share the mailbox keep their unread markers.
    None,
    /// Move it to this folder (`imap.processed_folder`).
    Move(String),
}

#[derive(Debug, Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    /// Empty with `imap.auth = "oauth2"`.
    pub password: SecretString,
    /// `imap.auth = "oauth2"`: log in with SASL XOAUTH2 and a token from here.
    pub oauth2: Option<std::sync::Arc<crate::oauth::TokenSource>>,
    pub folder: String,
    /// What is done on the server to a message once it is stored.
    pub mark: Mark,
    pub idle: bool,
    pub poll_interval_secs: u64,
    pub fetch_batch: usize,
    pub ca_file: Option<PathBuf>,
}

#[derive(Clone)]
pub struct DatabaseSettings {
    pub url: String,
}

/// The URL without the password it may carry (`postgres://user:secret@host/db` shows as
/// `postgres://user:***@host/db`), so a debug print cannot leak it.
impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &without_password(&self.url))
            .finish()
    }
}

/// `url` with the password of its user part replaced by `***`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let user = &rest[..at];
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            let shown = if rest[..at].contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            format!("{scheme}://{shown}{}", &rest[at..])
        }
        None => url.to_string(),
    }
}

/// `[smtp]`: where outgoing mail is handed over.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Both set, or neither.
    pub credentials: Option<(String, SecretString)>,
    /// `smtp.auth = "oauth2"`: AUTH XOAUTH2 as this user with a token from the source.
    pub oauth2: Option<(String, std::sync::Arc<crate::oauth::TokenSource>)>,
    /// The service's own address (`klachten@firma.nl`); replies come back to it.
    pub from: String,
    pub give_up_after_hours: u64,
    /// First retry delay after a temporary failure; doubles per attempt, capped at an hour.
    pub retry_first_secs: u64,
    /// How long a claim on an outbox row lasts without renewal (renewed every quarter of it
    /// while the row is sent).
    pub claim_lease_secs: u64,
    /// `smtp.parallel`: mails handed to the server at once.
    pub parallel: usize,
}

impl Settings {
    /// `imap.since`: the day from which mail is acted on (read on its own, so that the
    /// commands that route without reading the mailbox need no other IMAP setting).
    pub fn intake_since(&self) -> Result<Option<chrono::NaiveDate>, ConfigError> {
        match self.opt_string("imap.since")? {
            None => Ok(None),
            Some(text) => chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    ConfigError::invalid(
                        "imap.since",
                        format!("{text:?} is not a date (YYYY-MM-DD)"),
                    )
                }),
        }
    }

    /// `imap.auth` / `smtp.auth`.
    fn auth(&self, key: &str) -> Result<Auth, ConfigError> {
        match self.opt_string(key)?.as_deref() {
            None | Some("password") => Ok(Auth::Password),
            Some("oauth2") => Ok(Auth::OAuth2),
            Some(other) => Err(ConfigError::invalid(
                key,
                format!("{other:?} is not password or oauth2"),
            )),
        }
    }

    /// The `[oauth2]` section: where tokens for `imap.auth`/`smtp.auth = "oauth2"` come
    /// from.
    pub fn oauth2(&self) -> Result<OAuth2Settings, ConfigError> {
        use crate::oauth::Flow;
        let provider = self
            .opt_string("oauth2.provider")?
            .unwrap_or_else(|| "generic".into());
        if let Some(command) = self.opt_string("oauth2.token_command")? {
            return Ok(OAuth2Settings {
                provider,
                flow: Flow::Command(command),
                token_url: String::new(),
                client_id: String::new(),
                client_secret: None,
                scopes: Vec::new(),
                device_url: None,
            });
        }
        let flow = match self.string("oauth2.flow")?.as_str() {
            "client_credentials" => Flow::ClientCredentials,
            "refresh_token" => Flow::RefreshToken {
                token_file: PathBuf::from(self.string("oauth2.token_file")?),
            },
            other => {
                return Err(ConfigError::invalid(
                    "oauth2.flow",
                    format!("{other:?} is not client_credentials or refresh_token"),
                ))
            }
        };
        let token_url = match (provider.as_str(), self.opt_string("oauth2.token_url")?) {
            (_, Some(url)) => url,
            ("microsoft", None) => format!(
                "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
                self.string("oauth2.tenant")?
            ),
            ("google", None) => "https://oauth2.googleapis.com/token".into(),
            ("generic", None) => return Err(ConfigError::missing("oauth2.token_url")),
            (other, None) => {
                return Err(ConfigError::invalid(
                    "oauth2.provider",
                    format!("{other:?} is not microsoft, google or generic"),
                ))
            }
        };
        if !(token_url.starts_with("https://")
            || token_url.starts_with("http://127.")
            || token_url.starts_with("http://localhost"))
        {
            return Err(ConfigError::invalid(
                "oauth2.token_url",
                "must be an https:// address (http only on this machine)",
            ));
        }
        let scopes = match self.opt_string("oauth2.scopes")? {
            Some(s) => s.split_whitespace().map(str::to_string).collect(),
            None => match (provider.as_str(), &flow) {
                ("microsoft", Flow::ClientCredentials) => {
                    vec!["https://outlook.office365.com/.default".into()]
                }
                ("microsoft", _) => vec![
                    "https://outlook.office365.com/IMAP.AccessAsUser.All".into(),
                    "https://outlook.office365.com/SMTP.Send".into(),
                    "offline_access".into(),
                ],
                ("google", _) => vec!["https://mail.google.com/".into()],
                _ => Vec::new(),
            },
        };
        let device_url = match (provider.as_str(), self.opt_string("oauth2.device_url")?) {
            (_, Some(url)) => Some(url),
            ("microsoft", None) => Some(format!(
                "https://login.microsoftonline.com/{}/oauth2/v2.0/devicecode",
                self.string("oauth2.tenant")?
            )),
            ("google", None) => Some("https://oauth2.googleapis.com/device/code".into()),
            _ => None,
        };
        Ok(OAuth2Settings {
            provider,
            flow,
            token_url,
            client_id: self.string("oauth2.client_id")?,
            client_secret: self
                .opt_string("oauth2.client_secret")?
                .map(SecretString::from),
            scopes,
            device_url,
        })
    }

    /// The `[imap]` section.
    pub fn imap(&self) -> Result<ImapSettings, ConfigError> {
        let host = self.string("imap.host")?;
        if host.contains(char::is_whitespace) || host.contains('/') {
            return Err(ConfigError::invalid(
                "imap.host",
                format!("{host:?} is not a host name or address"),
            ));
        }
        let port = self.integer("imap.port", 1, 65535)? as u16;
        let security = Security::parse("imap.security", &self.string("imap.security")?)?;
        if security == Security::None && !is_loopback_host(&host) {
            return Err(ConfigError::invalid(
                "imap.security",
                format!(
                    "`none` sends the password unencrypted and is only allowed for a loopback host, not {host:?}; use tls or starttls"
                ),
            ));
        }
        let folder = self.string("imap.folder")?;
        let processed_folder = self.opt_string("imap.processed_folder")?;
        if processed_folder.as_deref() == Some(folder.as_str()) {
            return Err(ConfigError::invalid(
                "imap.processed_folder",
                "must differ from imap.folder",
            ));
        }
        let mark = match (self.opt_string("imap.mark")?.as_deref(), processed_folder) {
            (None | Some("move"), Some(pf)) => Mark::Move(pf),
            (None | Some("seen"), None) => Mark::Seen,
            (Some("none"), None) => Mark::None,
            (Some("move"), None) => return Err(ConfigError::missing("imap.processed_folder")),
            (Some("seen" | "none"), Some(_)) => {
                return Err(ConfigError::invalid(
                    "imap.processed_folder",
                    "is only used with imap.mark = \"move\"; remove it or set mark = \"move\"",
                ))
            }
            (Some(other), _) => {
                return Err(ConfigError::invalid(
                    "imap.mark",
                    format!("{other:?} is not seen, none or move"),
                ))
            }
        };
        let (password, oauth2) = match self.auth("imap.auth")? {
            Auth::Password => (self.secret("imap.password")?, None),
            Auth::OAuth2 => (
                SecretString::from(String::new()),
                Some(crate::oauth::TokenSource::shared(self.oauth2()?)),
            ),
        };
        Ok(ImapSettings {
            host,
            port,
            security,
            username: self.string("imap.username")?,
            password,
            oauth2,
            folder,
            mark,
            idle: self.boolean("imap.idle")?,
            poll_interval_secs: self.integer("imap.poll_interval_secs", 1, 86_400)? as u64,
            fetch_batch: self.integer("imap.fetch_batch", 1, 10_000)? as usize,
            ca_file: match self.opt_string("imap.ca_file")? {
                // Checked here, before anything is opened or created: a wrong path is a
                // configuration error that names the key.
                Some(path) => {
                    std::fs::File::open(&path).map_err(|e| {
                        ConfigError::invalid("imap.ca_file", format!("cannot read {path}: {e}"))
                    })?;
                    Some(PathBuf::from(path))
                }
                None => None,
            },
        })
    }

    /// The `[database]` section.
    pub fn database(&self) -> Result<DatabaseSettings, ConfigError> {
        let url = self.string("database.url")?;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::invalid(
                "database.url",
                "expected a sqlite:// or postgres:// URL",
            ));
        }
        Ok(DatabaseSettings { url })
    }

    /// The `[smtp]` section.
    pub fn smtp(&self) -> Result<SmtpSettings, ConfigError> {
        let host = self.string("smtp.host")?;
        if host.contains(char::is_whitespace) || host.contains('/') {
            return Err(ConfigError::invalid(
                "smtp.host",
                format!("{host:?} is not a host name or address"),
            ));
        }
        let security = Security::parse("smtp.security", &self.string("smtp.security")?)?;
        if security == Security::None && !is_loopback_host(&host) {
            return Err(ConfigError::invalid(
                "smtp.security",
                format!(
                    "`none` is only allowed for a loopback host, not {host:?}; use tls or starttls"
                ),
            ));
        }
        let username = self.opt_string("smtp.username")?;
        let (credentials, oauth2) = match self.auth("smtp.auth")? {
            Auth::Password => {
                let password = self.opt_string("smtp.password")?;
                let credentials = match (username, password) {
                    (Some(u), Some(p)) => Some((u, SecretString::from(p))),
                    (None, None) => None,
                    (Some(_), None) => return Err(ConfigError::missing("smtp.password")),
                    (None, Some(_)) => return Err(ConfigError::missing("smtp.username")),
                };
                (credentials, None)
            }
            Auth::OAuth2 => {
                let user = username.ok_or_else(|| ConfigError::missing("smtp.username"))?;
                let source = crate::oauth::TokenSource::shared(self.oauth2()?);
                (None, Some((user, source)))
            }
        };
        let from = self.string("smtp.from")?;
        check_address("smtp.from", &from)?;
        if from.contains('+') {
            return Err(ConfigError::invalid(
                "smtp.from",
                "must be a plain address without +tag: replies come back to from+<token>",
            ));
        }
        Ok(SmtpSettings {
            host,
            port: self.integer("smtp.port", 1, 65535)? as u16,
            security,
            credentials,
            oauth2,
            from,
            give_up_after_hours: self.integer("smtp.give_up_after_hours", 1, 24 * 365)? as u64,
            retry_first_secs: self.integer("smtp.retry_first_secs", 0, 86_400)? as u64,
            claim_lease_secs: self.integer("smtp.claim_lease_secs", 4, 86_400)? as u64,
            parallel: self.integer("smtp.parallel", 1, 16)? as usize,
        })
    }
}
