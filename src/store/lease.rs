//! One daemon per mailbox. On SQLite a lock file beside the database refuses a second
//! `run` or `sync`; on PostgreSQL a session advisory lock per mailbox lets exactly one
//! instance watch it while the others stand by, and frees itself when its holder's
//! connection ends (a crash or SIGKILL included). Routing, the outbox and the scheduler are
//! safe to run everywhere; only the mailbox is exclusive.

use sqlx::{Connection, Row};

use super::{Backend, Result, Store, StoreError};

/// Held for as long as this process watches the mailbox; dropping it lets go.
#[derive(Debug)]
pub enum MailboxLease {
    /// The locked file beside the SQLite database.
    File(std::fs::File),
    /// The connection that holds the PostgreSQL advisory lock.
    Postgres(Box<sqlx::AnyConnection>),
    /// An in-memory database: nobody else can share it.
    Private,
}

impl MailboxLease {
    /// Whether the lease is still held (a PostgreSQL connection can die under it).
    pub async fn alive(&mut self) -> bool {
        match self {
            MailboxLease::Postgres(conn) => conn.ping().await.is_ok(),
            MailboxLease::File(_) | MailboxLease::Private => true,
        }
    }
}

/// The advisory-lock key of a mailbox: the first 8 bytes of a SHA-256 of its identity.
fn lock_key(mailbox: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("klachtenbus-mailbox\n{mailbox}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

impl Store {
    /// Where the SQLite lock file lies, if the register is an SQLite file.
    pub fn lock_file(&self) -> Option<std::path::PathBuf> {
        self.sqlite_file.as_ref().map(|f| {
            let mut name = f.as_os_str().to_owned();
            name.push(".lock");
            std::path::PathBuf::from(name)
        })
    }

    /// Takes the lease on `mailbox` (host, user and folder) if nobody holds it; `None`
    /// when another process does.
    pub async fn try_mailbox_lease(&self, mailbox: &str) -> Result<Option<MailboxLease>> {
        match self.backend {
            Backend::Sqlite => {
                let Some(path) = self.lock_file() else {
                    return Ok(Some(MailboxLease::Private));
                };
                let io = |source| StoreError::Io {
                    path: path.display().to_string(),
                    source,
                };
                let mut options = std::fs::OpenOptions::new();
                options.read(true).write(true).create(true).truncate(false);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let file = options.open(&path).map_err(io)?;
                match file.try_lock() {
                    Ok(()) => Ok(Some(MailboxLease::File(file))),
                    Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                    Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
                }
            }
            Backend::Postgres => {
                let mut conn = self.pool.acquire().await?.detach();
                let got: bool = sqlx::query("SELECT pg_try_advisory_lock($1) AS got")
                    .bind(lock_key(mailbox))
                    .fetch_one(&mut conn)
                    .await?
                    .try_get("got")?;
                Ok(got.then(|| MailboxLease::Postgres(Box::new(conn))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_sqlite_lease_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("kb.sqlite").display());
        let a = Store::connect(&url).await.unwrap();
        let b = Store::connect(&url).await.unwrap();
        let held = a.try_mailbox_lease("imap:klachten:INBOX").await.unwrap();
        assert!(matches!(held, Some(MailboxLease::File(_))));
        assert!(b
            .try_mailbox_lease("imap:klachten:INBOX")
            .await
            .unwrap()
            .is_none());
        drop(held);
        assert!(b
            .try_mailbox_lease("imap:klachten:INBOX")
            .await
            .unwrap()
            .is_some());
        assert_ne!(lock_key("a"), lock_key("b"));
    }
}
