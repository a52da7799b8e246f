//! Where the mailer hands its mail: the SMTP server (with a password or OAuth2), or a log
//! in memory for tests that build the whole application without a mail server.

use std::sync::Arc;

use lettre::transport::stub::AsyncStubTransport;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

/// Where outgoing mail is handed over.
#[derive(Clone)]
pub enum Transport {
    /// The SMTP server of `[smtp]` over TLS from the first byte (`smtp.security = "tls"`).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// The SMTP server of `[smtp]`, plain (loopback) or with STARTTLS, on connections of
    /// the mailer's own with `TCP_NODELAY` (`outbox/direct.rs`).
    Direct(Arc<super::direct::Direct>),
    /// The SMTP server of `[smtp]` with `smtp.auth = "oauth2"`: every connection logs in
    /// with AUTH XOAUTH2 as `user` with a current token.
    SmtpOAuth2 {
        builder: Box<lettre::transport::smtp::AsyncSmtpTransportBuilder>,
        user: String,
        tokens: Arc<crate::oauth::TokenSource>,
    },
    /// A log in memory of every mail, each accepted: for building the whole application
    /// in a test without a mail server ([`Transport::memory`]).
    Memory(AsyncStubTransport),
}

impl Transport {
    /// A memory transport; [`Transport::sent`] reads what it was given.
    pub fn memory() -> Transport {
        Transport::Memory(AsyncStubTransport::new_ok())
    }

    /// The mails a memory transport was given, as sent (envelope and raw text); none for
    /// SMTP.
    pub async fn sent(&self) -> Vec<(lettre::address::Envelope, String)> {
        match self {
            Transport::Memory(stub) => stub.messages().await,
            Transport::Smtp(_) | Transport::Direct(_) | Transport::SmtpOAuth2 { .. } => Vec::new(),
        }
    }
}
