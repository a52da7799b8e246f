//! SMTP connections the mailer opens itself (plain on loopback, or upgraded with STARTTLS),
//! kept open between mails and reused. lettre's pooled transport opens its sockets with
//! Nagle's algorithm on: a mail's last short write then waits for the server's delayed
//! acknowledgement, about 40 ms per mail on Linux, which caps one connection near 25 mails
//! a second. Here every socket is set to `TCP_NODELAY` before lettre's SMTP client
//! ([`AsyncSmtpConnection`]) speaks on it.

use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use tokio::sync::Mutex;

use super::SendError;

/// A connect, a login or one mail may take this long.
const TIMEOUT: Duration = Duration::from_secs(120);

pub struct Direct {
    host: String,
    port: u16,
    starttls: bool,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// Open connections between mails, at most `keep`.
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    keep: usize,
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("starttls", &self.starttls)
            .finish_non_exhaustive()
    }
}

impl Direct {
    /// `keep`: how many connections stay open between mails (one per parallel sender).
    pub fn new(
        host: &str,
        port: u16,
        starttls: bool,
        credentials: Option<Credentials>,
        keep: usize,
    ) -> Direct {
        Direct {
            host: host.to_string(),
            port,
            starttls,
            credentials,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
            keep: keep.max(1),
        }
    }

    /// A new connection: TCP with `TCP_NODELAY`, greeting and EHLO, STARTTLS when
    /// configured (refused if the server does not offer it), and the login.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let temporary = |what: &str, e: &dyn std::fmt::Display| {
            SendError::Temporary(format!("SMTP {}:{}: {what}: {e}", self.host, self.port))
        };
        let open = async {
            let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| temporary("connect", &e))?;
            tcp.set_nodelay(true)
                .map_err(|e| temporary("TCP_NODELAY", &e))?;
            let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                .await
                .map_err(|e| temporary("greeting", &e))?;
            if self.starttls {
                let tls = TlsParameters::new(self.host.clone())
                    .map_err(|e| temporary("TLS settings", &e))?;
                conn.starttls(tls, &self.hello)
                    .await
                    .map_err(|e| temporary("STARTTLS", &e))?;
            }
            if let Some(credentials) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                    .await
                    .map_err(|e| temporary("login", &e))?;
            }
            Ok(conn)
        };
        tokio::time::timeout(TIMEOUT, open)
            .await
            .unwrap_or_else(|_| Err(temporary("no answer", &format!("{TIMEOUT:?}"))))
    }

    /// Sends one mail on an open connection, or a new one. A connection that was kept open
    /// and turns out closed (the server ended it while idle) is replaced once.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let envelope = message.envelope();
        let bytes = message.formatted();
        let kept = self.idle.lock().await.pop();
        let (mut conn, mut reused) = match kept {
            Some(conn) => (conn, true),
            None => (self.connect().await?, false),
        };
        loop {
            let sent = tokio::time::timeout(TIMEOUT, conn.send(envelope, &bytes)).await;
            match sent {
                Ok(Ok(_)) => {
                    let mut idle = self.idle.lock().await;
                    if idle.len() < self.keep {
                        idle.push(conn);
                    }
                    return Ok(());
                }
                // Closed while idle: no answer at all (not an SMTP reply), on a kept
                // connection. Nothing was accepted, so a fresh connection may try again.
                Ok(Err(e)) if reused && !e.is_permanent() && !e.is_transient() => {
                    tracing::debug!(error = %e, "a kept SMTP connection was closed; opening a new one");
                    conn = self.connect().await?;
                    reused = false;
                }
                Ok(Err(e)) if e.is_permanent() => return Err(SendError::Permanent(e.to_string())),
                Ok(Err(e)) => return Err(SendError::Temporary(e.to_string())),
                Err(_) => {
                    return Err(SendError::Temporary(format!(
                        "SMTP {}:{}: no answer within {TIMEOUT:?}",
                        self.host, self.port
                    )));
                }
            }
        }
    }

    /// Connects and logs in, then says goodbye (`check`).
    pub async fn test_connection(&self) -> Result<(), String> {
        let mut conn = self.connect().await.map_err(|e| e.to_string())?;
        let _ = conn.quit().await;
        Ok(())
    }
}
