//! Logging setup: `logging.level` and `logging.format` (pretty or JSON), with `RUST_LOG`
//! taking precedence when set. Logs go to standard error; standard output is reserved for
//! command results (tables and `--json`).
//!
//! Whatever `RUST_LOG` says, the protocol and database libraries may only log warnings
//! and errors: below that they write transcripts (async-imap logs every byte it decodes at
//! trace), and a transcript holds message bodies, names, reply tokens and passwords.
//!
//! While a progress bar is shown on standard error (a long mailbox pass on a terminal),
//! log lines are written around it: the bar is cleared, the line written, the bar drawn
//! again below it ([`log_around`]).

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, PoisonError};

use indicatif::ProgressBar;

use tracing::{Level, Metadata};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{filter, EnvFilter, Layer};

use crate::config::{LogFormat, LoggingSettings};

/// Targets (crates) whose debug and trace output can hold mail content or credentials.
const TRANSCRIPT_TARGETS: &[&str] = &[
    "async_imap",
    "imap_proto",
    "async_native_tls",
    "tokio_rustls",
    "rustls",
    "lettre",
    "sqlx",
    "mail_parser",
    "tera",
];

/// Whether an event may be logged at all: everything of ours and of other crates, but
/// from the crates that log protocol transcripts or queries (IMAP, SMTP, SQL, TLS, parsing,
/// templates) only warnings and errors.
pub fn allowed(meta: &Metadata<'_>) -> bool {
    *meta.level() <= Level::WARN || !is_transcript_target(meta.target())
}

fn is_transcript_target(target: &str) -> bool {
    let krate = target.split("::").next().unwrap_or(target);
    TRANSCRIPT_TARGETS.contains(&krate)
}

pub fn init(settings: &LoggingSettings) {
    let env = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // Our own crate at the configured level; chatty dependencies one step quieter.
        EnvFilter::new(format!("warn,klachtenbus={level}", level = settings.level))
    });
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(|| Stderr);
    let fmt = match settings.format {
        LogFormat::Json => fmt.json().boxed(),
        LogFormat::Pretty => fmt.compact().boxed(),
    };
    // A second init (tests) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(env)
        .with(filter::filter_fn(allowed))
        .with(fmt)
        .try_init();
}

/// The progress bar on standard error, while one is shown. One at a time: a process reads
/// one mailbox pass at a time.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Log lines are written around `bar` until the guard is dropped.
pub fn log_around(bar: &ProgressBar) -> AroundBar {
    *BAR.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar.clone());
    AroundBar(())
}

/// See [`log_around`].
#[must_use = "log lines go around the bar until this is dropped"]
pub struct AroundBar(());

impl Drop for AroundBar {
    fn drop(&mut self) {
        *BAR.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// Standard error, making room for the progress bar when one is shown. The fmt layer hands
/// over one whole event per `write_all`.
struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        // Cloned out of the lock: the bar takes its own lock to clear and redraw.
        let bar = BAR.lock().unwrap_or_else(PoisonError::into_inner).clone();
        match bar {
            Some(bar) => bar.suspend(|| std::io::stderr().write_all(buf)),
            None => std::io::stderr().write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
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
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(super::mask_address("jan@example.nl"), "j***@example.nl");
        assert_eq!(super::mask_address("nonsense"), "***");
    }

    #[test]
    fn transcripts_are_cut_at_warn() {
        for t in [
            "async_imap::imap_stream",
            "sqlx::query",
            "lettre",
            "rustls::conn",
        ] {
            assert!(is_transcript_target(t), "{t}");
        }
        for t in ["klachtenbus::pipeline", "klachtenbus", "async_imapx"] {
            assert!(!is_transcript_target(t), "{t}");
        }
    }
}
