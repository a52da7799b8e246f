//! Mailbox intake: from the IMAP folder into the register, every message exactly once.
//!
//! Order of durability, per batch: fetch (`BODY.PEEK[]`, so nothing is marked read by the
//! fetch itself) → parse → one database transaction with the raw bytes, their hash, the
//! parsed fields and the new checkpoint (while the next batch is fetched) → only then `\Seen` (or a move to
//! `imap.processed_folder`, or nothing: `imap.mark`). A crash before the commit leaves the server untouched and the
//! checkpoint where it was; a crash after it leaves at most a flag to set, which the next
//! pass sets (`server_pending`). Duplicates are recognised by the SHA-256 of the bytes, so
//! a re-read after a UIDVALIDITY change stores nothing twice.

pub mod check;
mod connect;
mod progress;
mod watch;

use std::ops::Range;
use std::time::Duration;

use async_imap::types::Fetch;
use chrono::Utc;
use futures::TryStreamExt;
use tokio_util::sync::CancellationToken;

pub use connect::{connect, ImapSession, ServerCaps};
pub use watch::watch;

use progress::Progress;

use crate::clock::Clock;
use crate::config::{ImapSettings, LimitsSettings, Mark};
use crate::parse;
use crate::store::{Checkpoint, NewMessage, Origin, Store, StoreError, Stored};

/// Most bytes one fetch batch may hold, whatever `imap.fetch_batch` says, so memory stays
/// bounded with large messages (two batches are in memory at once: one committed while
/// the next is fetched).
const MAX_BATCH_BYTES: u64 = 16 * 1024 * 1024;
/// Headers of an over-size message are fetched up to this many bytes.
const MAX_HEADER_BYTES: u64 = 1024 * 1024;
/// One IMAP command (a batch fetch included) may take at most this long.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("IMAP connection failed: {0}")]
    Connect(String),
    #[error("IMAP TLS: {0}")]
    Tls(String),
    #[error("IMAP login refused: {0}")]
    Login(String),
    /// No OAuth2 token to log in with.
    #[error("IMAP login: no OAuth2 token")]
    Token(#[from] crate::oauth::TokenError),
    #[error("IMAP: {0}")]
    Imap(#[from] async_imap::error::Error),
    #[error("IMAP server did not answer in time while {0}")]
    Timeout(&'static str),
    #[error("IMAP server misbehaved: {0}")]
    Protocol(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one pass over the folder did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    /// Messages fetched from the server.
    pub fetched: usize,
    /// Messages stored for the first time.
    pub stored: usize,
    /// Messages whose bytes were already stored.
    pub duplicates: usize,
    /// Messages stored as header + marker because they were too large.
    pub headers_only: usize,
    /// Messages stored raw because they could not be parsed.
    pub unparsed: usize,
    /// True when the pass stopped early because shutdown was requested.
    pub interrupted: bool,
}

impl PassReport {
    fn add(&mut self, other: PassReport) {
        self.fetched += other.fetched;
        self.stored += other.stored;
        self.duplicates += other.duplicates;
        self.headers_only += other.headers_only;
        self.unparsed += other.unparsed;
        self.interrupted |= other.interrupted;
    }
}

async fn timed<T, E: Into<IntakeError>>(
    what: &'static str,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, IntakeError> {
    match tokio::time::timeout(COMMAND_TIMEOUT, fut).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(IntakeError::Timeout(what)),
    }
}

/// One pass: selects the folder and stores everything after the checkpoint.
#[tracing::instrument(skip_all, fields(folder = %settings.folder))]
pub async fn sync_pass(
    session: &mut ImapSession,
    caps: ServerCaps,
    settings: &ImapSettings,
    limits: &LimitsSettings,
    store: &Store,
    clock: &Clock,
    cancel: &CancellationToken,
) -> Result<PassReport, IntakeError> {
    let folder = settings.folder.as_str();
    if let Mark::Move(pf) = &settings.mark {
        // Creating an existing folder fails harmlessly; a real problem shows at the move.
        // Subscribed, so that mail programs show it.
        let _ = timed("creating processed_folder", session.create(pf)).await;
        let _ = timed("subscribing processed_folder", session.subscribe(pf)).await;
    }
    let mailbox = timed("selecting the folder", session.select(folder)).await?;
    let uidvalidity = mailbox
        .uid_validity
        .ok_or_else(|| IntakeError::Protocol(format!("no UIDVALIDITY for folder {folder:?}")))?;

    let mut last_uid = 0;
    match store.checkpoint(folder).await? {
        Some(cp) if cp.uidvalidity == uidvalidity => last_uid = cp.last_uid,
        Some(cp) => {
            tracing::warn!(
                old = cp.uidvalidity,
                new = uidvalidity,
                "UIDVALIDITY changed: re-reading the whole folder; already stored messages are recognised by their hash"
            );
            // Recorded at once, so the next pass does not say it again when the folder
            // stays empty (the checkpoint otherwise moves only with stored mail).
            store
                .reset_checkpoint(
                    folder,
                    Checkpoint {
                        uidvalidity,
                        last_uid: 0,
                    },
                    clock.now(),
                )
                .await?;
        }
        None => {}
    }

    // Finish what a previous run committed but could not flag.
    let pending = store.server_pending(folder, uidvalidity).await?;
    if !pending.is_empty() {
        tracing::info!(
            count = pending.len(),
            "flagging messages stored by an earlier run"
        );
        mark_done(session, caps, settings, &pending).await?;
        store
            .clear_server_pending(folder, uidvalidity, &pending)
            .await?;
    }

    let mut report = PassReport::default();
    if mailbox.exists == 0 {
        return Ok(report);
    }
    let new = list_new(session, last_uid).await?;
    if new.is_empty() {
        return Ok(report);
    }
    tracing::debug!(
        count = new.len(),
        after_uid = last_uid,
        "new messages on the server"
    );

    let mut progress = Progress::start(&new);
    let mut bytes_read = 0;
    let batches = plan_batches(&new, settings.fetch_batch, limits.max_message_bytes);
    // Pipelined: while one batch is parsed and committed, the next is fetched on the
    // session. A batch is flagged on the server only after its commit, and the next fetch
    // only peeks, so a crash anywhere leaves nothing flagged that is not stored.
    let mut next = match batches.first() {
        Some(first) if !cancel.is_cancelled() => {
            Some(fetch_batch(session, limits, &new[first.clone()]).await?)
        }
        _ => None,
    };
    for (i, range) in batches.iter().enumerate() {
        let Some(fetched) = next.take() else {
            report.interrupted = true;
            break;
        };
        let batch = &new[range.clone()];
        progress.tell(&report, bytes_read);
        let following = batches.get(i + 1).filter(|_| !cancel.is_cancelled());
        let commit = store_fetched(
            settings,
            limits,
            (store, clock),
            uidvalidity,
            batch,
            fetched,
        );
        let fetch = async {
            match following {
                Some(r) => fetch_batch(session, limits, &new[r.clone()])
                    .await
                    .map(Some),
                None => Ok(None),
            }
        };
        let (committed, fetched_next) = tokio::join!(commit, fetch);
        let (r, done) = committed?;
        // Committed: now, and only now, tell the server.
        mark_done(session, caps, settings, &done).await?;
        store
            .clear_server_pending(&settings.folder, uidvalidity, &done)
            .await?;
        report.add(r);
        bytes_read += batch.iter().map(|(_, size)| size).sum::<u64>();
        next = fetched_next?;
    }
    progress.end(&report, bytes_read);
    Ok(report)
}

/// UIDs above `last_uid` with their sizes, in ascending order: 16 bytes a message, the one
/// list a pass keeps for the whole folder.
async fn list_new(
    session: &mut ImapSession,
    last_uid: u32,
) -> Result<Vec<(u32, u64)>, IntakeError> {
    let range = format!("{}:*", last_uid.saturating_add(1));
    // `n:*` always matches the highest UID, even when it is below n.
    let mut out = fetch_each(
        session,
        &range,
        "(UID RFC822.SIZE)",
        "listing new messages",
        |f| {
            let uid = f.uid.filter(|uid| *uid > last_uid)?;
            Some((uid, u64::from(f.size.unwrap_or(0))))
        },
    )
    .await?;
    out.sort_unstable();
    out.dedup_by_key(|(uid, _)| *uid);
    Ok(out)
}

/// Runs `UID FETCH set query` and keeps what `keep` takes out of each response as it
/// arrives. async-imap gives every response a buffer of its own (at least 4 KiB) beside its
/// parsed attributes; collected whole before being read, the listing of a 50,000-message
/// folder held 340 MB, so no response outlives its turn here.
async fn fetch_each<T>(
    session: &mut ImapSession,
    set: &str,
    query: &str,
    what: &'static str,
    mut keep: impl FnMut(&Fetch) -> Option<T>,
) -> Result<Vec<T>, IntakeError> {
    timed(what, async {
        let mut responses = session.uid_fetch(set, query).await?;
        let mut out = Vec::new();
        while let Some(f) = responses.try_next().await? {
            out.extend(keep(&f));
        }
        Ok::<_, async_imap::error::Error>(out)
    })
    .await
}

/// Splits the new UIDs into batches of at most `per_batch` messages and about
/// [`MAX_BATCH_BYTES`] (over-size messages count only their header), as ranges of `new`.
fn plan_batches(new: &[(u32, u64)], per_batch: usize, max_message: u64) -> Vec<Range<usize>> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut bytes = 0u64;
    for (i, &(_, size)) in new.iter().enumerate() {
        let cost = if size > max_message {
            MAX_HEADER_BYTES
        } else {
            size
        };
        if i > start && (i - start >= per_batch || bytes + cost > MAX_BATCH_BYTES) {
            batches.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += cost;
    }
    if start < new.len() {
        batches.push(start..new.len());
    }
    batches
}

/// `1:3,5,7:9` from sorted UIDs.
pub fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

struct Fetched {
    uid: u32,
    size: u64,
    internal: Option<chrono::DateTime<Utc>>,
    bytes: Vec<u8>,
    headers_only: bool,
}

async fn fetch_set(
    session: &mut ImapSession,
    uids: &[u32],
    query: &str,
    headers_only: bool,
) -> Result<Vec<Fetched>, IntakeError> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    // Each message is copied out of its response, and the response dropped, as it arrives:
    // a batch is held once, not twice.
    fetch_each(session, &uid_set(uids), query, "fetching messages", |f| {
        let uid = f.uid?;
        // Servers may send unsolicited FETCH responses (flag changes) for other UIDs.
        uids.binary_search(&uid).ok()?;
        let bytes = if headers_only { f.header() } else { f.body() }?;
        Some(Fetched {
            uid,
            size: u64::from(f.size.unwrap_or(bytes.len() as u32)),
            internal: f.internal_date().map(|d| d.with_timezone(&Utc)),
            bytes: bytes.to_vec(),
            headers_only,
        })
    })
    .await
}

/// Fetches one batch: whole messages, and only the header of those over
/// `limits.max_message_bytes`, in UID order.
async fn fetch_batch(
    session: &mut ImapSession,
    limits: &LimitsSettings,
    batch: &[(u32, u64)],
) -> Result<Vec<Fetched>, IntakeError> {
    let (big, normal): (Vec<_>, Vec<_>) = batch
        .iter()
        .partition(|(_, size)| *size > limits.max_message_bytes);
    let normal: Vec<u32> = normal.iter().map(|(u, _)| *u).collect();
    let big: Vec<u32> = big.iter().map(|(u, _)| *u).collect();
    let mut fetched = fetch_set(
        session,
        &normal,
        "(UID INTERNALDATE RFC822.SIZE BODY.PEEK[])",
        false,
    )
    .await?;
    let header_query =
        format!("(UID INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER]<0.{MAX_HEADER_BYTES}>)");
    fetched.extend(fetch_set(session, &big, &header_query, true).await?);
    fetched.sort_by_key(|f| f.uid);
    Ok(fetched)
}

/// Parses a fetched batch and commits it with the new checkpoint, in one transaction.
/// Returns what it did and the UIDs to flag on the server.
async fn store_fetched(
    settings: &ImapSettings,
    limits: &LimitsSettings,
    (store, clock): (&Store, &Clock),
    uidvalidity: u32,
    batch: &[(u32, u64)],
    fetched: Vec<Fetched>,
) -> Result<(PassReport, Vec<u32>), IntakeError> {
    for f in fetched.iter().filter(|f| f.headers_only) {
        tracing::warn!(
            uid = f.uid,
            size = f.size,
            limit = limits.max_message_bytes,
            "message exceeds limits.max_message_bytes: storing its header with a marker"
        );
    }

    // Parsing is CPU work on untrusted input: keep it off the async workers.
    let folder = settings.folder.clone();
    let now = clock.now();
    let messages: Vec<NewMessage> = tokio::task::spawn_blocking(move || {
        fetched
            .into_iter()
            .map(|f| {
                let parsed = if f.headers_only {
                    parse::parse_headers_only(&f.bytes, f.size)
                } else {
                    parse::parse(&f.bytes)
                };
                NewMessage {
                    raw: f.bytes,
                    origin: Origin::Imap {
                        mailbox: folder.clone(),
                        uidvalidity,
                        uid: f.uid,
                    },
                    received_at: f.internal.unwrap_or(now),
                    size: f.size,
                    parsed,
                }
            })
            .collect()
    })
    .await
    .map_err(|e| IntakeError::Protocol(format!("parser task failed: {e}")))?;

    let last_uid = batch.iter().map(|(u, _)| *u).max().unwrap_or(0);
    let outcomes = store
        .store_batch(
            &settings.folder,
            Checkpoint {
                uidvalidity,
                last_uid,
            },
            &messages,
            now,
        )
        .await?;

    let mut report = PassReport {
        fetched: messages.len(),
        ..Default::default()
    };
    for (m, outcome) in messages.iter().zip(&outcomes) {
        match outcome {
            Stored::New(id) => {
                report.stored += 1;
                match m.parsed.status {
                    parse::ParseStatus::HeadersOnly => report.headers_only += 1,
                    parse::ParseStatus::Unparsed => report.unparsed += 1,
                    parse::ParseStatus::Parsed => {}
                }
                tracing::debug!(id, uid = ?uid_of(m), status = m.parsed.status.as_str(), "stored");
            }
            Stored::Duplicate(id) => {
                report.duplicates += 1;
                tracing::debug!(id, uid = ?uid_of(m), "already stored");
            }
        }
    }
    let done: Vec<u32> = messages.iter().filter_map(uid_of).collect();
    Ok((report, done))
}

fn uid_of(m: &NewMessage) -> Option<u32> {
    match m.origin {
        Origin::Imap { uid, .. } => Some(uid),
        Origin::Import | Origin::Intake => None,
    }
}

/// Flags stored messages `\Seen`, moves them to the processed folder, or (`imap.mark =
/// none`) leaves them alone.
async fn mark_done(
    session: &mut ImapSession,
    caps: ServerCaps,
    settings: &ImapSettings,
    uids: &[u32],
) -> Result<(), IntakeError> {
    if uids.is_empty() {
        return Ok(());
    }
    let set = uid_set(uids);
    match &settings.mark {
        Mark::None => Ok(()),
        Mark::Seen => {
            timed("flagging messages \\Seen", async {
                let _: Vec<Fetch> = session
                    .uid_store(&set, "+FLAGS.SILENT (\\Seen)")
                    .await?
                    .try_collect()
                    .await?;
                Ok::<_, async_imap::error::Error>(())
            })
            .await
        }
        Mark::Move(folder) if caps.move_ => {
            timed("moving messages", session.uid_mv(&set, folder)).await
        }
        Mark::Move(folder) => {
            // No MOVE: copy, then delete the originals (RFC 4315 UID EXPUNGE where
            // available, so that other deleted messages are left alone).
            timed("copying messages", session.uid_copy(&set, folder)).await?;
            timed("deleting moved messages", async {
                let _: Vec<Fetch> = session
                    .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
                    .await?
                    .try_collect()
                    .await?;
                if caps.uidplus {
                    let _: Vec<u32> = session.uid_expunge(&set).await?.try_collect().await?;
                }
                Ok::<_, async_imap::error::Error>(())
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_are_compressed() {
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8, 9]), "1:3,5,7:9");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn batches_respect_count_and_bytes() {
        let new: Vec<(u32, u64)> = (1..=7).map(|u| (u, 10)).collect();
        let b = plan_batches(&new, 3, 1000);
        assert_eq!(b, vec![0..3, 3..6, 6..7]);

        let big = MAX_BATCH_BYTES / 2 + 1;
        let new = vec![(1, big), (2, big), (3, 5)];
        let b = plan_batches(&new, 50, u64::MAX);
        assert_eq!(b.len(), 2, "two halves-plus-one do not fit one batch");

        // Over-size messages only cost their header.
        let new = vec![(1, 10 * MAX_BATCH_BYTES), (2, 10 * MAX_BATCH_BYTES)];
        assert_eq!(plan_batches(&new, 50, 1024).len(), 1);
    }
}
