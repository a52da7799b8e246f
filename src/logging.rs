//! Logging setup: `logging.level` and `logging.format` (pretty or JSON), with `RUST_LOG`
//! taking precedence when set. Logs go to standard error; standard output is reserved for
//! command results (tables and `--json`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LoggingSettings};

pub fn init(settings: &LoggingSettings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // Our own crate at the configured level; chatty dependencies one step quieter.
        EnvFilter::new(format!("warn,klachtenbus={level}", level = settings.level))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let result = match settings.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

/// `jan.devries@example.nl` → `j***@example.nl`: enough to tell mails apart in a log, not
/// enough to identify a customer.
pub fn mask_address(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::mask_address("jan@example.nl"), "j***@example.nl");
        assert_eq!(super::mask_address("nonsense"), "***");
    }
}
