//! Configuration: `config/default.toml`, then `config/local.toml` (or `--config FILE`),
//! then `KLACHTENBUS__SECTION__KEY` environment variables.
//!
//! Settings are read section by section into typed structs. Every problem is a
//! [`ConfigError`] that names the setting, so the operator knows what to fix; the
//! command line turns it into exit code 2 before anything has started.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use secrecy::SecretString;

/// The defaults shipped with the binary (the same text as `config/default.toml`), so a
/// `--config FILE` elsewhere on disk still starts from every default.
const DEFAULTS: &str = include_str!("../config/default.toml");

const ENV_PREFIX: &str = "KLACHTENBUS";

/// A setting that is missing, malformed or not allowed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: `{key}` is not set (set it in the config file or in {env})")]
    Missing { key: String, env: String },
    #[error("configuration: `{key}` is invalid: {reason}")]
    Invalid { key: String, reason: String },
    #[error("configuration: cannot read {path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("configuration: `{key}` is not a setting{}", .hint.as_ref().map(|h| format!(" (did you mean `{h}`?)")).unwrap_or_default())]
    Unknown { key: String, hint: Option<String> },
}

impl ConfigError {
    fn missing(key: &str) -> Self {
        ConfigError::Missing {
            key: key.to_string(),
            env: env_name(key),
        }
    }

    fn invalid(key: &str, reason: impl Into<String>) -> Self {
        ConfigError::Invalid {
            key: key.to_string(),
            reason: reason.into(),
        }
    }

    /// The setting this error is about, when it is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Missing { key, .. }
            | ConfigError::Invalid { key, .. }
            | ConfigError::Unknown { key, .. } => Some(key),
            ConfigError::File { .. } => None,
        }
    }
}

/// `imap.port` → `KLACHTENBUS__IMAP__PORT`.
fn env_name(key: &str) -> String {
    format!(
        "{ENV_PREFIX}__{}",
        key.replace('.', "__").to_ascii_uppercase()
    )
}

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

#[derive(Debug, Clone)]
pub struct DetectionSettings {
    pub threshold: f64,
    pub lexicon_dir: Option<PathBuf>,
    /// Only this much of a mail's new text is judged.
    pub max_text_bytes: usize,
    /// From this score up to the threshold a mail is listed as doubtful.
    pub doubt_threshold: f64,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct LimitsSettings {
    pub max_message_bytes: u64,
    pub max_auto_mails_per_address_per_day: u32,
    /// On a register without cases, more old complaint-like mails than this are held.
    pub first_run_max_cases: usize,
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
}

/// `[directie]`: who decides, and how their replies are authenticated.
#[derive(Debug, Clone)]
pub struct DirectieSettings {
    pub addresses: Vec<String>,
    pub reply_secret: SecretString,
    pub trusted_authserv_id: Option<String>,
    /// After each carried-out reply, a short "Verwerkt" mail to the directie member who
    /// sent it, with what changed and any letter as sent.
    pub confirmations: bool,
    /// `STANDPUNT` returns the position letter as a draft first; `VERSTUUR` sends it.
    pub review_position: bool,
}

/// `[organisation]`: the firm facts letters carry.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OrganisationSettings {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub signatory: Option<String>,
    /// Who handles complaints, as the acknowledgement names them ("mw. J. de Wit,
    /// klachtenfunctionaris"); unset: "onze directie".
    pub complaints_officer: Option<String>,
    pub kifid_number: Option<String>,
    pub kifid_binding: bool,
    /// The term for taking a complaint to Kifid after the final position, in months.
    pub kifid_term_months: u32,
    /// `organisation.logo_file`: shown in the letterhead of letters (HTML and PDF).
    pub logo_file: Option<String>,
    #[serde(skip)]
    pub logo: Option<Logo>,
}

/// The firm's logo, read and checked at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub data: std::sync::Arc<Vec<u8>>,
    /// `image/png` or `image/jpeg`.
    pub content_type: &'static str,
}

impl Logo {
    /// The Content-ID the HTML letters refer to (`cid:logo@klachtenbus`).
    pub const CID: &'static str = "logo@klachtenbus";
    /// The largest logo accepted.
    pub const MAX_BYTES: usize = 512 * 1024;

    /// Reads a PNG or JPEG file.
    pub fn read(path: &Path) -> Result<Logo, String> {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if data.len() > Self::MAX_BYTES {
            return Err(format!(
                "{} is {} KB; a logo may be at most {} KB",
                path.display(),
                data.len() / 1024,
                Self::MAX_BYTES / 1024
            ));
        }
        let content_type = if data.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else {
            return Err(format!("{} is not a PNG or JPEG image", path.display()));
        };
        Ok(Logo {
            data: std::sync::Arc::new(data),
            content_type,
        })
    }
}

/// `[deadlines]`.
#[derive(Debug, Clone)]
pub struct DeadlineSettings {
    pub calendar: crate::calendar::Profile,
    /// `extra_closed_days` and the all-day events of `closed_days_ics`.
    pub extra_closed_days: Vec<chrono::NaiveDate>,
    pub confirm_werkdagen: u32,
    pub position_days: u32,
    /// A complaint confirmed after its position date: the new date is this many working
    /// days from the day of confirmation.
    pub late_position_days: u32,
    /// Working days before `confirm_by` on which directie is reminded (0 = on the day).
    pub confirm_reminders: Vec<u32>,
    /// Working days before `position_by` on which directie is reminded.
    pub position_reminders: Vec<u32>,
    /// Local time of day at which reminders and escalations fall due.
    pub reminder_time: chrono::NaiveTime,
    /// Who else gets the escalation mails (besides directie).
    pub escalation_addresses: Vec<String>,
    /// Local time of the morning digest; None = no digest.
    pub digest_time: Option<chrono::NaiveTime>,
}

impl DeadlineSettings {
    pub fn calendar(&self) -> crate::calendar::Calendar {
        crate::calendar::Calendar::new(self.calendar, self.extra_closed_days.iter().copied())
    }
}

/// `[alerts]`: who is told when intake or sending keeps failing.
#[derive(Debug, Clone)]
pub struct AlertSettings {
    pub after_minutes: u64,
    /// Empty: directie.
    pub addresses: Vec<String>,
}

/// `[report]`: the half-yearly inventory mailed to directie.
#[derive(Debug, Clone, Copy)]
pub struct ReportSettings {
    /// Mail the report of the half year just ended on the first working day of January
    /// and July.
    pub schedule: bool,
    /// Local time of day at which the scheduled report falls due.
    pub time: chrono::NaiveTime,
}

/// `[retention]`.
#[derive(Debug, Clone, Copy)]
pub struct RetentionSettings {
    /// Years after closing after which `purge` removes a case's personal data.
    pub keep_years: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct LoggingSettings {
    pub level: String,
    pub format: LogFormat,
}

/// Every setting there is: the keys of `config/default.toml`, set or commented out there
/// (`# key = …` inside its section), as `section.key`.
static KNOWN: std::sync::LazyLock<std::collections::BTreeSet<String>> =
    std::sync::LazyLock::new(|| {
        let mut known = std::collections::BTreeSet::new();
        let mut section = None;
        for line in DEFAULTS.lines() {
            let line = line.trim_end();
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = Some(name.to_string());
                continue;
            }
            let setting = line.strip_prefix('#').map(str::trim_start).unwrap_or(line);
            let Some((key, _)) = setting.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if let Some(s) = &section {
                if !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    known.insert(format!("{s}.{key}"));
                }
            }
        }
        known
    });

/// Refuses a setting that does not exist (a typo such as `imap.hots` would otherwise be
/// ignored, and the default used), naming it and the nearest real one.
fn check_known(cfg: &Config) -> Result<(), ConfigError> {
    let unknown = |key: String| {
        let hint = KNOWN
            .iter()
            .map(|k| (strsim::levenshtein(k, &key), k))
            .filter(|(d, _)| *d <= 3)
            .min()
            .map(|(_, k)| k.clone());
        ConfigError::Unknown { key, hint }
    };
    let table: config::Map<String, config::Value> =
        cfg.clone()
            .try_deserialize()
            .map_err(|e| ConfigError::File {
                path: PathBuf::from("(configuration)"),
                reason: e.to_string(),
            })?;
    for (section, value) in table {
        match value.kind {
            config::ValueKind::Table(keys) => {
                for key in keys.keys() {
                    let full = format!("{section}.{key}");
                    if !KNOWN.contains(&full) {
                        return Err(unknown(full));
                    }
                }
            }
            _ => return Err(unknown(section)),
        }
    }
    Ok(())
}

/// The layered configuration, not yet turned into typed sections. Commands ask for the
/// sections they need, up front, so that a command which does not touch IMAP (say
/// `migrate`) does not demand IMAP settings, and a daemon never half-starts.
#[derive(Debug, Clone)]
pub struct Settings {
    cfg: Config,
}

impl Settings {
    /// Loads the layers. `explicit` is the `--config FILE` argument; without it the
    /// files `config/default.toml` and `config/local.toml` in the working directory are
    /// used when present.
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with_env(explicit, std::env::vars())
    }

    /// As [`Settings::load`], with the environment given (for tests).
    pub fn load_with_env(
        explicit: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        let files: Vec<(PathBuf, bool)> = match explicit {
            Some(path) => vec![(path.to_path_buf(), true)],
            None => vec![
                (PathBuf::from("config/default.toml"), false),
                (PathBuf::from("config/local.toml"), false),
            ],
        };
        for (path, required) in files {
            if !path.exists() {
                if required {
                    return Err(ConfigError::File {
                        path,
                        reason: "no such file".into(),
                    });
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::File {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            // Parse each file on its own first, so a syntax error names the file.
            Config::builder()
                .add_source(File::from_str(&text, FileFormat::Toml))
                .build()
                .map_err(|e| ConfigError::File {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            builder = builder.add_source(File::from_str(&text, FileFormat::Toml));
        }
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with(&format!("{ENV_PREFIX}__")))
            .collect();
        builder = builder.add_source(
            Environment::with_prefix(ENV_PREFIX)
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("directie.addresses")
                .with_list_parse_key("staff.addresses")
                .with_list_parse_key("deadlines.extra_closed_days")
                .with_list_parse_key("deadlines.confirm_reminders")
                .with_list_parse_key("deadlines.position_reminders")
                .with_list_parse_key("deadlines.escalation_addresses")
                .with_list_parse_key("alerts.addresses")
                .try_parsing(true)
                .source(Some(env)),
        );
        let cfg = builder.build().map_err(|e| ConfigError::File {
            path: PathBuf::from("(environment)"),
            reason: e.to_string(),
        })?;
        check_known(&cfg)?;
        Ok(Settings { cfg })
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.cfg.get::<config::Value>(key) {
            Err(config::ConfigError::NotFound(_)) => Ok(None),
            Err(e) => Err(ConfigError::invalid(key, e.to_string())),
            Ok(v) => match v.kind {
                config::ValueKind::Nil => Ok(None),
                config::ValueKind::Table(_) | config::ValueKind::Array(_) => {
                    Err(ConfigError::invalid(key, "expected a single value"))
                }
                _ => {
                    let s = v
                        .into_string()
                        .map_err(|e| ConfigError::invalid(key, e.to_string()))?;
                    let s = s.trim().to_string();
                    Ok((!s.is_empty()).then_some(s))
                }
            },
        }
    }

    fn string(&self, key: &str) -> Result<String, ConfigError> {
        self.opt_string(key)?
            .ok_or_else(|| ConfigError::missing(key))
    }

    fn integer(&self, key: &str, min: i64, max: i64) -> Result<i64, ConfigError> {
        let text = self.string(key)?;
        let n: i64 = text
            .parse()
            .map_err(|_| ConfigError::invalid(key, format!("{text:?} is not a whole number")))?;
        if n < min || n > max {
            return Err(ConfigError::invalid(
                key,
                format!("{n} is out of range ({min} to {max})"),
            ));
        }
        Ok(n)
    }

    fn number(&self, key: &str, min: f64, max: f64) -> Result<f64, ConfigError> {
        let text = self.string(key)?;
        let n: f64 = text
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite())
            .ok_or_else(|| ConfigError::invalid(key, format!("{text:?} is not a number")))?;
        if n < min || n > max {
            return Err(ConfigError::invalid(
                key,
                format!("{n} is out of range ({min} to {max})"),
            ));
        }
        Ok(n)
    }

    /// A list of strings; a missing key is an empty list.
    fn list(&self, key: &str) -> Result<Vec<String>, ConfigError> {
        match self.cfg.get::<config::Value>(key) {
            Err(config::ConfigError::NotFound(_)) => Ok(Vec::new()),
            Err(e) => Err(ConfigError::invalid(key, e.to_string())),
            Ok(v) => match v.kind {
                config::ValueKind::Nil => Ok(Vec::new()),
                config::ValueKind::Array(items) => items
                    .into_iter()
                    .map(|i| {
                        i.into_string()
                            .map(|s| s.trim().to_string())
                            .map_err(|e| ConfigError::invalid(key, e.to_string()))
                    })
                    .filter(|r| r.as_ref().map_or(true, |s| !s.is_empty()))
                    .collect(),
                config::ValueKind::String(s) => Ok(s
                    .split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()),
                _ => Err(ConfigError::invalid(key, "expected a list")),
            },
        }
    }

    /// A list of e-mail addresses, each checked.
    fn addresses(&self, key: &str) -> Result<Vec<String>, ConfigError> {
        let list = self.list(key)?;
        for a in &list {
            check_address(key, a)?;
        }
        Ok(list)
    }

    fn boolean(&self, key: &str) -> Result<bool, ConfigError> {
        let text = self.string(key)?;
        match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "on" => Ok(true),
            "false" | "no" | "0" | "off" => Ok(false),
            _ => Err(ConfigError::invalid(
                key,
                format!("{text:?} is not true or false"),
            )),
        }
    }

    fn secret(&self, key: &str) -> Result<SecretString, ConfigError> {
        self.string(key).map(SecretString::from)
    }

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

    /// The `[detection]` section.
    pub fn detection(&self) -> Result<DetectionSettings, ConfigError> {
        Ok(DetectionSettings {
            threshold: self.number("detection.threshold", 0.0, 1000.0)?,
            lexicon_dir: self.opt_string("detection.lexicon_dir")?.map(PathBuf::from),
            max_text_bytes: self.integer("detection.max_text_bytes", 1024, 64 << 20)? as usize,
            doubt_threshold: self.number("detection.doubt_threshold", 0.0, 1000.0)?,
        })
    }

    /// Addresses screening needs: the service's own (`smtp.from`, and `imap.username`
    /// when it is an address) and directie's. All optional here.
    pub fn screen_addresses(&self) -> Result<(Vec<String>, Vec<String>), ConfigError> {
        let mut own = Vec::new();
        if let Some(from) = self.opt_string("smtp.from")? {
            check_address("smtp.from", &from)?;
            own.push(from);
        }
        if let Some(user) = self.opt_string("imap.username")? {
            if user.contains('@') {
                own.push(user);
            }
        }
        Ok((own, self.addresses("directie.addresses")?))
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
        })
    }

    /// The `[directie]` section.
    pub fn directie(&self) -> Result<DirectieSettings, ConfigError> {
        let addresses = self.addresses("directie.addresses")?;
        if addresses.is_empty() {
            return Err(ConfigError::missing("directie.addresses"));
        }
        let secret = self.string("directie.reply_secret")?;
        if secret.chars().count() < 16 {
            return Err(ConfigError::invalid(
                "directie.reply_secret",
                "must be at least 16 characters (a long random string)",
            ));
        }
        Ok(DirectieSettings {
            addresses: addresses.iter().map(|a| a.to_ascii_lowercase()).collect(),
            reply_secret: SecretString::from(secret),
            trusted_authserv_id: self.opt_string("directie.trusted_authserv_id")?,
            confirmations: self.boolean("directie.confirmations")?,
            review_position: self.boolean("directie.review_position")?,
        })
    }

    /// `letters.template_dir`: a folder whose `nl/…` and `en/…` files replace built-in
    /// templates of the same name.
    pub fn letters_template_dir(&self) -> Result<Option<PathBuf>, ConfigError> {
        Ok(self.opt_string("letters.template_dir")?.map(PathBuf::from))
    }

    /// `ui.language`: the language of the command line's human output.
    pub fn ui_language(&self) -> Result<crate::detect::Language, ConfigError> {
        match self.string("ui.language")?.as_str() {
            "nl" => Ok(crate::detect::Language::Nl),
            "en" => Ok(crate::detect::Language::En),
            other => Err(ConfigError::invalid(
                "ui.language",
                format!("{other:?} is not nl or en"),
            )),
        }
    }

    /// The `[organisation]` section.
    pub fn organisation(&self) -> Result<OrganisationSettings, ConfigError> {
        let logo_file = self.opt_string("organisation.logo_file")?;
        Ok(OrganisationSettings {
            name: self.string("organisation.name")?,
            address: self.opt_string("organisation.address")?,
            phone: self.opt_string("organisation.phone")?,
            website: self.opt_string("organisation.website")?,
            signatory: self.opt_string("organisation.signatory")?,
            complaints_officer: self.opt_string("organisation.complaints_officer")?,
            kifid_number: self.opt_string("organisation.kifid_number")?,
            kifid_binding: self.boolean("organisation.kifid_binding")?,
            kifid_term_months: self.integer("organisation.kifid_term_months", 1, 24)? as u32,
            logo: logo_file
                .as_deref()
                .map(|f| {
                    Logo::read(Path::new(f))
                        .map_err(|e| ConfigError::invalid("organisation.logo_file", e))
                })
                .transpose()?,
            logo_file,
        })
    }

    /// The `[deadlines]` section.
    pub fn deadlines(&self) -> Result<DeadlineSettings, ConfigError> {
        let calendar = self
            .string("deadlines.calendar")?
            .parse()
            .map_err(|e: String| ConfigError::invalid("deadlines.calendar", e))?;
        let extra_closed_days = self
            .list("deadlines.extra_closed_days")?
            .iter()
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                    ConfigError::invalid(
                        "deadlines.extra_closed_days",
                        format!("{d:?} is not a date (YYYY-MM-DD)"),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        let mut extra_closed_days: Vec<chrono::NaiveDate> = extra_closed_days;
        if let Some(path) = self.opt_string("deadlines.closed_days_ics")? {
            let key = "deadlines.closed_days_ics";
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError::invalid(key, format!("cannot read {path}: {e}")))?;
            let ics = crate::calendar::closed_days_from_ics(&text)
                .map_err(|e| ConfigError::invalid(key, format!("{path}: {e}")))?;
            if ics.timed_events_ignored > 0 {
                tracing::info!(
                    file = %path,
                    ignored = ics.timed_events_ignored,
                    "events with a time of day do not close a day; ignored"
                );
            }
            extra_closed_days.extend(ics.days);
        }
        let confirm_werkdagen = self.integer("deadlines.confirm_werkdagen", 1, 100)? as u32;
        let position_days = self.integer("deadlines.position_days", 1, 365)? as u32;
        let offsets = |key: &str, max: u32| -> Result<Vec<u32>, ConfigError> {
            let mut v = self
                .list(key)?
                .iter()
                .map(|n| match n.parse::<u32>() {
                    Ok(n) if n <= max => Ok(n),
                    _ => Err(ConfigError::invalid(
                        key,
                        format!("{n:?} is not a number of working days from 0 to {max}"),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?;
            v.sort_unstable();
            v.dedup();
            Ok(v)
        };
        let time = |key: &str, text: &str| {
            chrono::NaiveTime::parse_from_str(text, "%H:%M")
                .map_err(|_| ConfigError::invalid(key, format!("{text:?} is not a time (HH:MM)")))
        };
        let reminder_time = time(
            "deadlines.reminder_time",
            &self.string("deadlines.reminder_time")?,
        )?;
        let digest_time = self
            .opt_string("deadlines.digest_time")?
            .map(|t| time("deadlines.digest_time", &t))
            .transpose()?;
        Ok(DeadlineSettings {
            calendar,
            extra_closed_days,
            confirm_werkdagen,
            position_days,
            late_position_days: self.integer("deadlines.late_position_days", 1, 100)? as u32,
            confirm_reminders: offsets("deadlines.confirm_reminders", confirm_werkdagen)?,
            position_reminders: offsets("deadlines.position_reminders", 30)?,
            reminder_time,
            escalation_addresses: self
                .addresses("deadlines.escalation_addresses")?
                .into_iter()
                .map(|a| a.to_ascii_lowercase())
                .collect(),
            digest_time,
        })
    }

    /// `staff.addresses`: who may e-mail a Klachtenformulier (lower-cased).
    pub fn staff(&self) -> Result<Vec<String>, ConfigError> {
        Ok(self
            .addresses("staff.addresses")?
            .into_iter()
            .map(|a| a.to_ascii_lowercase())
            .collect())
    }

    /// The `[report]` section.
    pub fn report(&self) -> Result<ReportSettings, ConfigError> {
        let text = self.string("report.time")?;
        let time = chrono::NaiveTime::parse_from_str(&text, "%H:%M").map_err(|_| {
            ConfigError::invalid("report.time", format!("{text:?} is not a time (HH:MM)"))
        })?;
        Ok(ReportSettings {
            schedule: self.boolean("report.schedule")?,
            time,
        })
    }

    /// The `[alerts]` section.
    pub fn alerts(&self) -> Result<AlertSettings, ConfigError> {
        Ok(AlertSettings {
            after_minutes: self.integer("alerts.after_minutes", 1, 7 * 24 * 60)? as u64,
            addresses: self.addresses("alerts.addresses")?,
        })
    }

    /// The `[retention]` section.
    pub fn retention(&self) -> Result<RetentionSettings, ConfigError> {
        Ok(RetentionSettings {
            keep_years: self.integer("retention.keep_years", 1, 100)? as u32,
        })
    }

    /// The `[limits]` section.
    pub fn limits(&self) -> Result<LimitsSettings, ConfigError> {
        Ok(LimitsSettings {
            max_message_bytes: self.integer("limits.max_message_bytes", 1024, 1 << 40)? as u64,
            max_auto_mails_per_address_per_day: self.integer(
                "limits.max_auto_mails_per_address_per_day",
                0,
                1000,
            )? as u32,
            first_run_max_cases: self.integer("limits.first_run_max_cases", 0, 1_000_000)? as usize,
        })
    }

    /// The `[logging]` section.
    pub fn logging(&self) -> Result<LoggingSettings, ConfigError> {
        let level = self.string("logging.level")?.to_ascii_lowercase();
        if !["trace", "debug", "info", "warn", "error"].contains(&level.as_str()) {
            return Err(ConfigError::invalid(
                "logging.level",
                format!("{level:?}; expected trace, debug, info, warn or error"),
            ));
        }
        let format = match self.string("logging.format")?.to_ascii_lowercase().as_str() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError::invalid(
                    "logging.format",
                    format!("{other:?}; expected pretty or json"),
                ))
            }
        };
        Ok(LoggingSettings { level, format })
    }
}

/// A plain `local@domain` address (no display name, no spaces).
fn check_address(key: &str, address: &str) -> Result<(), ConfigError> {
    let ok = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !address
                    .chars()
                    .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            key,
            format!("{address:?} is not an e-mail address"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::io::Write;

    fn with(pairs: &[(&str, &str)]) -> Settings {
        Settings::load_with_env(
            Some(&write_empty()),
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .unwrap()
    }

    fn write_empty() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kb-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("empty.toml");
        std::fs::File::create(&path).unwrap();
        path
    }

    const GOOD: &[(&str, &str)] = &[
        ("KLACHTENBUS__IMAP__HOST", "127.0.0.1"),
        ("KLACHTENBUS__IMAP__SECURITY", "none"),
        ("KLACHTENBUS__IMAP__USERNAME", "klachten"),
        ("KLACHTENBUS__IMAP__PASSWORD", "12345"),
    ];

    #[test]
    fn env_overrides_and_defaults_combine() {
        let mut pairs = GOOD.to_vec();
        pairs.push(("KLACHTENBUS__IMAP__PORT", "10143"));
        let imap = with(&pairs).imap().unwrap();
        assert_eq!(imap.port, 10143);
        assert_eq!(imap.folder, "INBOX");
        assert_eq!(imap.security, Security::None);
        // A numeric-looking password stays the exact text.
        assert_eq!(imap.password.expose_secret(), "12345");
        assert!(
            !format!("{imap:?}").contains("12345"),
            "secret leaked in Debug"
        );
    }

    #[test]
    fn an_unknown_setting_is_named_with_the_nearest_real_one() {
        let load = |pairs: &[(&str, &str)], file: &str| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("k.toml");
            std::fs::write(&path, file).unwrap();
            Settings::load_with_env(
                Some(&path),
                pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
            )
        };
        let err = load(&[], "[imap]\nhots = \"mail.example.nl\"\n").unwrap_err();
        assert_eq!(err.key(), Some("imap.hots"));
        assert_eq!(
            err.to_string(),
            "configuration: `imap.hots` is not a setting (did you mean `imap.host`?)"
        );
        let err = load(&[("KLACHTENBUS__SMTP__RETRY_FIRST_SEC", "5")], "").unwrap_err();
        assert_eq!(err.key(), Some("smtp.retry_first_sec"));
        assert!(err.to_string().contains("smtp.retry_first_secs"), "{err}");
        // A section that does not exist, and a key outside any section.
        let err = load(&[], "[imapp]\nhost = \"x\"\n").unwrap_err();
        assert_eq!(err.key(), Some("imapp.host"));
        let err = load(&[], "threshold = 2\n").unwrap_err();
        assert_eq!(err.key(), Some("threshold"));
        // Settings that are commented out in the defaults are real settings.
        let ok = load(
            &[],
            "[imap]\nprocessed_folder = \"Verwerkt\"\n[smtp]\nfrom = \"k@firma.nl\"\n",
        );
        assert!(ok.is_ok(), "{:?}", ok.err());
    }

    #[test]
    fn missing_host_is_named() {
        let pairs: Vec<_> = GOOD[1..].to_vec();
        let err = with(&pairs).imap().unwrap_err();
        assert_eq!(err.key(), Some("imap.host"));
        assert!(err.to_string().contains("KLACHTENBUS__IMAP__HOST"));
    }

    #[test]
    fn bad_port_is_named() {
        for bad in ["abc", "0", "70000", "-1", "1.5"] {
            let mut pairs = GOOD.to_vec();
            pairs.push(("KLACHTENBUS__IMAP__PORT", bad));
            let err = with(&pairs).imap().unwrap_err();
            assert_eq!(err.key(), Some("imap.port"), "port {bad:?}: {err}");
        }
    }

    #[test]
    fn unknown_security_is_named() {
        let mut pairs = GOOD.to_vec();
        pairs[1] = ("KLACHTENBUS__IMAP__SECURITY", "ssl3");
        let err = with(&pairs).imap().unwrap_err();
        assert_eq!(err.key(), Some("imap.security"));
        assert!(err.to_string().contains("ssl3"));
    }

    #[test]
    fn plaintext_refused_for_remote_host() {
        let mut pairs = GOOD.to_vec();
        pairs[0] = ("KLACHTENBUS__IMAP__HOST", "imap.example.nl");
        let err = with(&pairs).imap().unwrap_err();
        assert_eq!(err.key(), Some("imap.security"));
        for host in ["localhost", "127.0.0.2", "::1", "[::1]"] {
            assert!(is_loopback_host(host), "{host}");
        }
        assert!(!is_loopback_host("10.0.0.1"));
    }

    #[test]
    fn file_layer_and_syntax_error_names_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(f, "[imap]\nhost = \"localhost\"\nport = 1143\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"").unwrap();
        let s = Settings::load_with_env(Some(&path), Vec::new()).unwrap();
        assert_eq!(s.imap().unwrap().port, 1143);

        std::fs::write(&path, "[imap\nhost=").unwrap();
        let err = Settings::load_with_env(Some(&path), Vec::new()).unwrap_err();
        assert!(err.to_string().contains("k.toml"), "{err}");

        let err =
            Settings::load_with_env(Some(&dir.path().join("nope.toml")), Vec::new()).unwrap_err();
        assert!(matches!(err, ConfigError::File { .. }));
    }

    #[test]
    fn detection_and_addresses() {
        let s = with(&[
            ("KLACHTENBUS__DETECTION__THRESHOLD", "4.5"),
            (
                "KLACHTENBUS__DIRECTIE__ADDRESSES",
                "jan@firma.nl, els@firma.nl",
            ),
            ("KLACHTENBUS__SMTP__FROM", "klachten@firma.nl"),
        ]);
        assert_eq!(s.detection().unwrap().threshold, 4.5);
        let (own, dir) = s.screen_addresses().unwrap();
        assert_eq!(own, vec!["klachten@firma.nl"]);
        assert_eq!(dir, vec!["jan@firma.nl", "els@firma.nl"]);
        let s = with(&[("KLACHTENBUS__DETECTION__THRESHOLD", "hoog")]);
        assert_eq!(
            s.detection().unwrap_err().key(),
            Some("detection.threshold")
        );
        let s = with(&[("KLACHTENBUS__DIRECTIE__ADDRESSES", "jan at firma")]);
        assert_eq!(
            s.screen_addresses().unwrap_err().key(),
            Some("directie.addresses")
        );
    }

    #[test]
    fn database_url_checked() {
        let s = with(&[("KLACHTENBUS__DATABASE__URL", "mysql://x")]);
        assert_eq!(s.database().unwrap_err().key(), Some("database.url"));
        let s = with(&[]);
        assert!(s.database().unwrap().url.starts_with("sqlite://"));
    }

    #[test]
    fn a_logo_must_be_a_small_png_or_jpeg() {
        let dir = tempfile::tempdir().unwrap();
        let logo = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let config = dir.path().join("k.toml");
            std::fs::write(
                &config,
                format!(
                    "[organisation]\nname = \"Firma\"\nlogo_file = \"{}\"\n",
                    path.display()
                ),
            )
            .unwrap();
            Settings::load_with_env(Some(&config), std::iter::empty())
                .unwrap()
                .organisation()
        };
        let png = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/logo.png"
        ))
        .unwrap();
        let org = logo("logo.png", &png).unwrap();
        assert_eq!(org.logo.unwrap().content_type, "image/png");
        let org = logo("logo.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap();
        assert_eq!(org.logo.unwrap().content_type, "image/jpeg");
        for (name, bytes, why) in [
            ("logo.gif", b"GIF89a....".to_vec(), "not a PNG or JPEG"),
            (
                "big.png",
                [png.clone(), vec![0; Logo::MAX_BYTES]].concat(),
                "at most 512 KB",
            ),
        ] {
            let err = logo(name, &bytes).unwrap_err();
            assert_eq!(err.key(), Some("organisation.logo_file"));
            assert!(err.to_string().contains(why), "{err}");
        }
    }
}
