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

mod firm;
mod mail;

pub use firm::*;
pub use mail::*;

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
mod tests;
