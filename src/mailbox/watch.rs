//! The daemon's mailbox watch: a pass, then wait for news (IDLE where the server has it,
//! else a poll timer), forever; reconnect with exponential backoff after any error.

use std::future::Future;
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::types::UnsolicitedResponse;
use tokio_util::sync::CancellationToken;

use super::{connect, sync_pass, ImapSession, IntakeError, PassReport};
use crate::clock::Clock;
use crate::config::{ImapSettings, LimitsSettings};
use crate::store::Store;

/// RFC 2177 lets a server drop an IDLE after 30 minutes; re-issue well before that.
const IDLE_REFRESH: Duration = Duration::from_secs(24 * 60);
const BACKOFF_START: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(120);

/// Watches the folder until `cancel` fires. `after_pass` runs after every pass that
/// stored something (later stages hook in there). Returns when cancelled.
pub async fn watch<F, Fut>(
    settings: &ImapSettings,
    limits: &LimitsSettings,
    store: &Store,
    clock: &Clock,
    cancel: &CancellationToken,
    mut after_pass: F,
) where
    F: FnMut(PassReport) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut backoff = BACKOFF_START;
    while !cancel.is_cancelled() {
        let outcome = watch_connection(
            settings,
            limits,
            store,
            clock,
            cancel,
            &mut after_pass,
            &mut || backoff = BACKOFF_START,
        )
        .await;
        match outcome {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(error = %e, retry_in_secs = backoff.as_secs(), "mailbox watch interrupted; reconnecting");
                if let Err(db) = store
                    .health_failed("intake", &e.to_string(), clock.now())
                    .await
                {
                    tracing::warn!(error = %db, "cannot record the intake failure");
                }
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = cancel.cancelled() => break,
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
    tracing::info!("mailbox watch stopped");
}

/// One connection's life: returns Ok when cancelled, Err when the connection failed.
async fn watch_connection<F, Fut>(
    settings: &ImapSettings,
    limits: &LimitsSettings,
    store: &Store,
    clock: &Clock,
    cancel: &CancellationToken,
    after_pass: &mut F,
    connected: &mut dyn FnMut(),
) -> Result<(), IntakeError>
where
    F: FnMut(PassReport) -> Fut,
    Fut: Future<Output = ()>,
{
    let (mut session, caps) = tokio::select! {
        r = connect(settings) => r?,
        _ = cancel.cancelled() => return Ok(()),
    };
    let use_idle = settings.idle && caps.idle;
    tracing::info!(
        host = %settings.host,
        folder = %settings.folder,
        mode = if use_idle { "idle" } else { "poll" },
        "watching mailbox"
    );
    // Whether the pass before was one run at once on news from the server.
    let mut repass = false;
    loop {
        // What the server announced before this pass, the pass reads anyway.
        mail_arrived(std::iter::from_fn(|| {
            session.unsolicited_responses.try_recv().ok()
        }));
        let report = sync_pass(&mut session, caps, settings, limits, store, clock, cancel).await?;
        connected();
        if let Err(db) = store.health_ok("intake", clock.now()).await {
            tracing::warn!(error = %db, "cannot record the intake pass");
        }
        if report.fetched > 0 {
            tracing::info!(
                stored = report.stored,
                duplicates = report.duplicates,
                headers_only = report.headers_only,
                unparsed = report.unparsed,
                "mailbox pass"
            );
        }
        after_pass(report).await;
        if cancel.is_cancelled() {
            let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
            return Ok(());
        }
        // Mail delivered while the pass ran is announced in the answer to one of its later
        // commands; the IMAP client keeps such news aside, and IDLE would wait for the
        // next. Another pass at once reads it (once more only when that one found mail).
        let arrived = mail_arrived(std::iter::from_fn(|| {
            session.unsolicited_responses.try_recv().ok()
        }));
        if use_idle && arrived && !(repass && report.fetched == 0) {
            tracing::debug!("mail arrived during the pass: another pass");
            repass = true;
            continue;
        }
        repass = false;
        session = if use_idle {
            match idle_once(session, cancel).await? {
                Some(s) => s,
                None => return Ok(()),
            }
        } else {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(settings.poll_interval_secs)) => session,
                _ = cancel.cancelled() => {
                    let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
                    return Ok(());
                }
            }
        };
    }
}

/// Whether `responses`, what the server said outside a command's own answer, announce
/// new mail (EXISTS or RECENT). Reads them all.
fn mail_arrived(responses: impl Iterator<Item = UnsolicitedResponse>) -> bool {
    let mut arrived = false;
    for r in responses {
        arrived |= matches!(
            r,
            UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
        );
    }
    arrived
}

/// Waits in IDLE until the server reports news, the refresh interval passes, or shutdown
/// is requested. Returns the session for the next pass, or None when cancelled.
async fn idle_once(
    session: ImapSession,
    cancel: &CancellationToken,
) -> Result<Option<ImapSession>, IntakeError> {
    // News the server sends before it confirms the IDLE is kept aside by the client.
    let aside = session.unsolicited_responses.clone();
    let mut idle = session.idle();
    idle.init().await?;
    let cancelled;
    if mail_arrived(std::iter::from_fn(|| aside.try_recv().ok())) {
        tracing::debug!("IDLE: mail arrived as it began");
        cancelled = false;
    } else {
        let (wait, _stop) = idle.wait_with_timeout(IDLE_REFRESH);
        tokio::select! {
            r = wait => {
                match r? {
                    IdleResponse::NewData(_) => tracing::debug!("IDLE: server reported news"),
                    IdleResponse::Timeout => tracing::debug!("IDLE: refreshing"),
                    // The stream ended: the server closed the connection.
                    IdleResponse::ManualInterrupt => {
                        return Err(IntakeError::Connect("server ended the IDLE connection".into()))
                    }
                }
                cancelled = false;
            }
            // async-imap's own timeout restarts at every keep-alive the server sends, so
            // the refresh needs a clock of its own.
            _ = tokio::time::sleep(IDLE_REFRESH) => { cancelled = false; }
            _ = cancel.cancelled() => { cancelled = true; }
        }
    }
    let mut session = tokio::time::timeout(Duration::from_secs(30), idle.done())
        .await
        .map_err(|_| IntakeError::Timeout("leaving IDLE"))??;
    if cancelled {
        let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
        return Ok(None);
    }
    Ok(Some(session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_arrived_is_an_exists_or_a_recent_and_every_response_is_read() {
        use UnsolicitedResponse::{Exists, Expunge, Recent};
        assert!(mail_arrived([Exists(4)].into_iter()));
        assert!(mail_arrived([Expunge(1), Recent(1)].into_iter()));
        // A message moved away or expunged is no new mail; nothing said is none either.
        assert!(!mail_arrived([Expunge(3), Expunge(2)].into_iter()));
        assert!(!mail_arrived(std::iter::empty()));
        // All are read, also after the first that announces mail.
        let mut responses = vec![Exists(5), Expunge(1), Exists(6)].into_iter();
        assert!(mail_arrived(&mut responses));
        assert_eq!(responses.next().map(|_| ()), None);
    }
}
