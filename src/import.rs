//! `import`: archived messages (`.eml` files) into the register, dated by their Date
//! header as if they had arrived then.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::parse;
use crate::store::{NewMessage, Origin, Store, StoreError, Stored};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is empty")]
    Empty { path: String },
    #[error("{path}: {source}")]
    Store { path: String, source: StoreError },
}

/// The outcome of importing one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub stored: Stored,
    pub received_at: DateTime<Utc>,
    /// False when the message had no usable Date header and the file's time was used.
    pub dated_by_header: bool,
    pub status: parse::ParseStatus,
}

/// Stores the message in the file at `path`, received at its Date header (else the file's
/// time, else `now`); `now` also stamps the row.
pub async fn import_file(
    store: &Store,
    path: &Path,
    now: DateTime<Utc>,
) -> Result<Imported, ImportError> {
    let shown = path.display().to_string();
    let raw = tokio::fs::read(path)
        .await
        .map_err(|source| ImportError::Read {
            path: shown.clone(),
            source,
        })?;
    if raw.is_empty() {
        return Err(ImportError::Empty { path: shown });
    }
    let modified: Option<DateTime<Utc>> = tokio::fs::metadata(path)
        .await
        .ok()
        .and_then(|m| m.modified().ok())
        .map(DateTime::<Utc>::from);
    let (raw, parsed) = tokio::task::spawn_blocking(move || {
        let parsed = parse::parse(&raw);
        (raw, parsed)
    })
    .await
    .map_err(|e| ImportError::Read {
        path: shown.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let (received_at, dated_by_header) = match parsed.date {
        Some(d) => (d, true),
        None => (modified.unwrap_or(now), false),
    };
    let status = parsed.status;
    let message = NewMessage {
        size: raw.len() as u64,
        raw,
        origin: Origin::Import,
        received_at,
        parsed,
    };
    let stored = store
        .store_one(&message, now)
        .await
        .map_err(|source| ImportError::Store {
            path: shown,
            source,
        })?;
    Ok(Imported {
        stored,
        received_at,
        dated_by_header,
        status,
    })
}
