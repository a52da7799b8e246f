//! Opening an authenticated IMAP session: TCP, then TLS from the start, STARTTLS, or (on
//! loopback only, enforced by the configuration) nothing. Certificates are always
//! verified, against the system roots plus an optional `imap.ca_file`.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use super::IntakeError;
use crate::config::{ImapSettings, Security};

/// Any byte stream an IMAP session can run over (plain TCP or TLS).
pub trait ImapIo: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> ImapIo for T {}

pub type ImapSession = async_imap::Session<Box<dyn ImapIo>>;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// What the server can do, as far as the intake cares.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerCaps {
    pub idle: bool,
    pub move_: bool,
    pub uidplus: bool,
}

pub async fn connect(settings: &ImapSettings) -> Result<(ImapSession, ServerCaps), IntakeError> {
    let attempt = || async {
        tokio::time::timeout(CONNECT_TIMEOUT, connect_inner(settings))
            .await
            .map_err(|_| IntakeError::Timeout("connecting and logging in"))?
    };
    match (attempt().await, &settings.oauth2) {
        // The server refused the token (revoked, or expired early): fetch a new one, once.
        (Err(IntakeError::Login(why)), Some(tokens)) => {
            tracing::info!(reason = %why, "IMAP refused the OAuth2 token; fetching a new one");
            tokens.invalidate().await;
            attempt().await
        }
        (result, _) => result,
    }
}

/// SASL XOAUTH2 for async-imap: the initial response, then (when the server answers a
/// refusal with a JSON challenge) the empty response that ends the exchange.
struct XOAuth2 {
    initial: Option<String>,
}

impl async_imap::Authenticator for XOAuth2 {
    type Response = String;

    fn process(&mut self, _challenge: &[u8]) -> String {
        self.initial.take().unwrap_or_default()
    }
}

async fn connect_inner(settings: &ImapSettings) -> Result<(ImapSession, ServerCaps), IntakeError> {
    let addr = (settings.host.as_str(), settings.port);
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| IntakeError::Connect(format!("{}:{}: {e}", settings.host, settings.port)))?;
    tcp.set_nodelay(true).ok();

    let stream: Box<dyn ImapIo> = match settings.security {
        Security::None => Box::new(tcp),
        Security::Tls => Box::new(tls_wrap(settings, tcp).await?),
        Security::StartTls => {
            let mut client = async_imap::Client::new(tcp);
            read_greeting(&mut client).await?;
            client
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| IntakeError::Tls(format!("STARTTLS refused: {e}")))?;
            Box::new(tls_wrap(settings, client.into_inner()).await?)
        }
    };
    let mut client = async_imap::Client::new(stream);
    if settings.security != Security::StartTls {
        read_greeting(&mut client).await?;
    }
    let mut session = match &settings.oauth2 {
        None => client
            .login(&settings.username, settings.password.expose_secret())
            .await
            .map_err(|(e, _)| IntakeError::Login(e.to_string()))?,
        Some(tokens) => {
            let token = tokens.access_token().await?;
            let initial = crate::oauth::xoauth2(&settings.username, &token);
            client
                .authenticate(
                    "XOAUTH2",
                    XOAuth2 {
                        initial: Some(initial),
                    },
                )
                .await
                .map_err(|(e, _)| IntakeError::Login(e.to_string()))?
        }
    };
    let caps = session.capabilities().await?;
    let caps = ServerCaps {
        idle: caps.has_str("IDLE"),
        move_: caps.has_str("MOVE"),
        uidplus: caps.has_str("UIDPLUS"),
    };
    Ok((session, caps))
}

async fn read_greeting<T: ImapIo>(client: &mut async_imap::Client<T>) -> Result<(), IntakeError> {
    match client.read_response().await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(IntakeError::Connect(
            "server closed the connection before its greeting".into(),
        )),
        Err(e) => Err(IntakeError::Connect(format!("reading greeting: {e}"))),
    }
}

async fn tls_wrap(
    settings: &ImapSettings,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, IntakeError> {
    let config = tls_config(settings)?;
    let name = ServerName::try_from(settings.host.clone()).map_err(|e| {
        IntakeError::Tls(format!("{:?} is not a valid TLS name: {e}", settings.host))
    })?;
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| IntakeError::Tls(format!("TLS handshake with {}: {e}", settings.host)))
}

fn tls_config(settings: &ImapSettings) -> Result<ClientConfig, IntakeError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        // A broken certificate in the system store is skipped, not fatal.
        let _ = roots.add(cert);
    }
    if let Some(path) = &settings.ca_file {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| IntakeError::Tls(format!("imap.ca_file {}: {e}", path.display())))?;
        for cert in certs {
            let cert = cert
                .map_err(|e| IntakeError::Tls(format!("imap.ca_file {}: {e}", path.display())))?;
            roots
                .add(cert)
                .map_err(|e| IntakeError::Tls(format!("imap.ca_file {}: {e}", path.display())))?;
        }
    }
    if roots.is_empty() {
        return Err(IntakeError::Tls(
            "no trusted certificates: the system store is empty and imap.ca_file is not set".into(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| IntakeError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
