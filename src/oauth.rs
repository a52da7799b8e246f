//! OAuth2 access tokens for IMAP and SMTP (XOAUTH2), as Microsoft 365 and Google require:
//! app-only access with the client-credentials grant, delegated access with a stored
//! refresh token, or a command that prints a token. A token is kept until shortly before it
//! expires and fetched anew after the server refused it (once). Tokens and secrets are never
//! logged.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    ClientId, ClientSecret, RefreshToken, RequestTokenError, Scope, StandardErrorResponse,
    TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::config::OAuth2Settings;

/// How a token is obtained (`oauth2.flow`, or `oauth2.token_command`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// App-only access for a daemon (Microsoft's client credentials).
    ClientCredentials,
    /// Delegated access: the refresh token in `oauth2.token_file` (rotated tokens are
    /// saved there as they arrive).
    RefreshToken { token_file: PathBuf },
    /// A command whose standard output is the access token.
    Command(String),
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token server refused: a revoked or expired refresh token, a wrong client secret.
    /// Trying again will not help.
    #[error("the OAuth2 token server refused ({kind}{}){}", .detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default(), .hint.map(|h| format!("; {h}")).unwrap_or_default())]
    Refused {
        kind: String,
        detail: Option<String>,
        hint: Option<&'static str>,
    },
    /// The token server could not be reached or answered nonsense: worth another try.
    #[error("OAuth2 token server: {0}")]
    Unavailable(String),
    #[error("oauth2.token_file {path}: {reason}")]
    TokenFile { path: String, reason: String },
    #[error("oauth2.token_command: {0}")]
    Command(String),
}

impl TokenError {
    /// Whether retrying later can help (the server or the network), as opposed to a
    /// refusal that needs a person.
    pub fn is_temporary(&self) -> bool {
        matches!(self, TokenError::Unavailable(_))
    }
}

/// A token kept until shortly before it expires.
struct Cached {
    token: SecretString,
    /// None: the lifetime is unknown (a token command): used for one login only.
    renew_at: Option<Instant>,
}

/// Where access tokens come from, shared by the IMAP and SMTP connections of a process.
pub struct TokenSource {
    settings: OAuth2Settings,
    http: reqwest::Client,
    cached: Mutex<Option<Cached>>,
}

/// Tokens are renewed this long before they expire.
const EARLY: Duration = Duration::from_secs(60);

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.settings.token_url)
            .field("flow", &self.settings.flow)
            .finish_non_exhaustive()
    }
}

/// The sources of this process, one per token server, client and flow: the IMAP and SMTP
/// connections share one, so that a refresh token that may be used only once (rotated at
/// every refresh) is never used by both.
static SHARED: std::sync::LazyLock<std::sync::Mutex<Vec<Shared>>> =
    std::sync::LazyLock::new(Default::default);

/// A source and the settings it was made for.
type Shared = (String, std::sync::Arc<TokenSource>);

impl TokenSource {
    /// The process's source for these settings (made on first use).
    pub fn shared(settings: OAuth2Settings) -> std::sync::Arc<TokenSource> {
        let key = format!(
            "{}\u{0}{}\u{0}{:?}",
            settings.token_url, settings.client_id, settings.flow
        );
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, source)) = shared.iter().find(|(k, _)| *k == key) {
            return source.clone();
        }
        let source = std::sync::Arc::new(TokenSource::new(settings));
        shared.push((key, source.clone()));
        source
    }

    pub fn new(settings: OAuth2Settings) -> TokenSource {
        let http = reqwest::Client::builder()
            // Following redirects would let the token server send the secret elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client with default TLS settings");
        TokenSource {
            settings,
            http,
            cached: Mutex::new(None),
        }
    }

    /// The files the source needs, checked before anything else is opened: the refresh
    /// token of `flow = "refresh_token"` must be readable.
    pub fn check_files(&self) -> Result<(), TokenError> {
        match &self.settings.flow {
            Flow::RefreshToken { token_file } => read_refresh_token(token_file).map(drop),
            _ => Ok(()),
        }
    }

    /// A valid access token: the one kept, or a new one.
    pub async fn access_token(&self) -> Result<SecretString, TokenError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref() {
            if c.renew_at.is_some_and(|at| Instant::now() < at) {
                return Ok(c.token.clone());
            }
        }
        let fresh = self.fetch().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets the kept token (the server refused it): the next [`Self::access_token`]
    /// fetches a new one.
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    async fn fetch(&self) -> Result<Cached, TokenError> {
        match &self.settings.flow {
            Flow::Command(command) => {
                let token = run_command(command).await?;
                Ok(Cached {
                    token,
                    renew_at: None,
                })
            }
            Flow::ClientCredentials => {
                let client = self.client()?;
                let mut request = client.exchange_client_credentials();
                for s in &self.settings.scopes {
                    request = request.add_scope(Scope::new(s.clone()));
                }
                let response = request
                    .request_async(&self.http)
                    .await
                    .map_err(|e| refused(e, &self.settings.flow))?;
                Ok(cached_from(&response))
            }
            Flow::RefreshToken { token_file } => {
                // Read at every refresh: another process (or the SMTP side of this one)
                // may have rotated it.
                let stored = read_refresh_token(token_file)?;
                let client = self.client()?;
                let refresh = RefreshToken::new(stored.expose_secret().to_string());
                let mut request = client.exchange_refresh_token(&refresh);
                for s in &self.settings.scopes {
                    request = request.add_scope(Scope::new(s.clone()));
                }
                let response = request
                    .request_async(&self.http)
                    .await
                    .map_err(|e| refused(e, &self.settings.flow))?;
                if let Some(rotated) = response.refresh_token() {
                    if rotated.secret() != stored.expose_secret() {
                        write_refresh_token(token_file, rotated.secret())?;
                        tracing::info!("OAuth2 refresh token rotated; saved");
                    }
                }
                Ok(cached_from(&response))
            }
        }
    }

    /// `klachtenbus login`: the device-code flow (RFC 8628). `show` is given the address to
    /// open and the code to enter; once a person has approved there, the refresh token is
    /// stored in `oauth2.token_file` (a new 0600 file renamed over the old one).
    pub async fn login_device(
        &self,
        show: impl Fn(&str, &str, u64),
    ) -> Result<PathBuf, TokenError> {
        let Flow::RefreshToken { token_file } = &self.settings.flow else {
            return Err(TokenError::Refused {
                kind: "not possible".into(),
                detail: Some("login stores a refresh token: set oauth2.flow = \"refresh_token\" and oauth2.token_file".into()),
                hint: None,
            });
        };
        let device_url = self
            .settings
            .device_url
            .clone()
            .ok_or_else(|| TokenError::Refused {
                kind: "not possible".into(),
                detail: Some(
                    "oauth2.device_url is not set (it is known for provider microsoft and google)"
                        .into(),
                ),
                hint: None,
            })?;
        let url = oauth2::DeviceAuthorizationUrl::new(device_url)
            .map_err(|e| TokenError::Unavailable(format!("oauth2.device_url: {e}")))?;
        let client = self.client()?.set_device_authorization_url(url);
        let mut request = client.exchange_device_code();
        for s in &self.settings.scopes {
            request = request.add_scope(Scope::new(s.clone()));
        }
        let details: oauth2::StandardDeviceAuthorizationResponse = request
            .request_async(&self.http)
            .await
            .map_err(|e| refused(e, &self.settings.flow))?;
        show(
            details.verification_uri().as_str(),
            details.user_code().secret(),
            details.expires_in().as_secs(),
        );
        let response = client
            .exchange_device_access_token(&details)
            .request_async(&self.http, tokio::time::sleep, None)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => TokenError::Refused {
                    kind: r.error().to_string(),
                    detail: r.error_description().cloned(),
                    hint: Some("run `klachtenbus login` again and approve within the time shown"),
                },
                other => TokenError::Unavailable(other.to_string()),
            })?;
        let refresh = response
            .refresh_token()
            .ok_or_else(|| TokenError::Refused {
                kind: "no refresh token".into(),
                detail: Some("the server gave an access token only".into()),
                hint: Some("ask for offline access (oauth2.scopes with offline_access)"),
            })?;
        write_refresh_token(token_file, refresh.secret())?;
        *self.cached.lock().await = Some(cached_from(&response));
        Ok(token_file.clone())
    }

    fn client(
        &self,
    ) -> Result<
        BasicClient<
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointSet,
        >,
        TokenError,
    > {
        let url = TokenUrl::new(self.settings.token_url.clone())
            .map_err(|e| TokenError::Unavailable(format!("oauth2.token_url: {e}")))?;
        let mut client =
            BasicClient::new(ClientId::new(self.settings.client_id.clone())).set_token_uri(url);
        if let Some(secret) = &self.settings.client_secret {
            client =
                client.set_client_secret(ClientSecret::new(secret.expose_secret().to_string()));
        }
        Ok(client)
    }
}

fn cached_from(response: &oauth2::basic::BasicTokenResponse) -> Cached {
    let lifetime = response.expires_in().unwrap_or(Duration::from_secs(300));
    Cached {
        token: SecretString::from(response.access_token().secret().to_string()),
        renew_at: Some(Instant::now() + lifetime.saturating_sub(EARLY).max(lifetime / 2)),
    }
}

type RequestError = RequestTokenError<
    oauth2::HttpClientError<reqwest::Error>,
    StandardErrorResponse<BasicErrorResponseType>,
>;

/// A token request's failure: the server's refusal (with a hint for the usual causes), or
/// a temporary problem.
fn refused(e: RequestError, flow: &Flow) -> TokenError {
    const LOGIN_AGAIN: &str =
        "the refresh token is revoked or expired: store a new one in oauth2.token_file";
    const CLIENT: &str = "check oauth2.client_id and oauth2.client_secret";
    match e {
        RequestTokenError::ServerResponse(r) => {
            let kind = r.error().to_string();
            let hint = match r.error() {
                BasicErrorResponseType::InvalidGrant => Some(match flow {
                    Flow::RefreshToken { .. } => LOGIN_AGAIN,
                    _ => CLIENT,
                }),
                BasicErrorResponseType::InvalidClient
                | BasicErrorResponseType::UnauthorizedClient => Some(CLIENT),
                BasicErrorResponseType::InvalidScope => Some("check oauth2.scopes"),
                _ => None,
            };
            TokenError::Refused {
                kind,
                detail: r.error_description().cloned(),
                hint,
            }
        }
        RequestTokenError::Request(e) => TokenError::Unavailable(e.to_string()),
        RequestTokenError::Parse(e, _) => {
            TokenError::Unavailable(format!("unreadable answer: {e}"))
        }
        // An error status without a body: some servers refuse a revoked refresh token or a
        // wrong client this way.
        RequestTokenError::Other(e) if e.contains("empty error response") => TokenError::Refused {
            kind: "no reason given".into(),
            detail: None,
            hint: Some(match flow {
                Flow::RefreshToken { .. } => LOGIN_AGAIN,
                _ => CLIENT,
            }),
        },
        RequestTokenError::Other(e) => TokenError::Unavailable(e),
    }
}

/// The refresh token stored in `path`: JSON `{"refresh_token": "…"}`.
fn read_refresh_token(path: &Path) -> Result<SecretString, TokenError> {
    let fail = |reason: String| TokenError::TokenFile {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(format!(
            "{e} (it holds the refresh token as JSON: {{\"refresh_token\": \"…\"}})"
        ))
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| fail(format!("not JSON: {e}")))?;
    value["refresh_token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(|t| SecretString::from(t.to_string()))
        .ok_or_else(|| fail("holds no refresh_token".into()))
}

/// Stores a refresh token: a new file readable by its owner only (0600), renamed over the
/// old one, so that a crash leaves the old token or the new one, never half of either.
pub fn write_refresh_token(path: &Path, token: &str) -> Result<(), TokenError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let fail = |reason: String| TokenError::TokenFile {
        path: path.display().to_string(),
        reason,
    };
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| fail(e.to_string()))?;
    let body = serde_json::json!({ "refresh_token": token }).to_string();
    file.write_all(body.as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(|e| fail(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| fail(e.to_string()))
}

/// Runs `oauth2.token_command` through `sh -c`; its trimmed standard output is the token.
async fn run_command(command: &str) -> Result<SecretString, TokenError> {
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .map_err(|_| TokenError::Command("no token within 60 seconds".into()))?
    .map_err(|e| TokenError::Command(format!("cannot run it: {e}")))?;
    if !output.status.success() {
        // Its error output may hold a secret: only the status is told.
        return Err(TokenError::Command(format!(
            "exited with {}",
            output.status
        )));
    }
    let token = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(TokenError::Command(
            "its output is not one token (nothing, or more than one word)".into(),
        ));
    }
    Ok(SecretString::from(token))
}

/// The SASL XOAUTH2 initial response: `user=<user>^Aauth=Bearer <token>^A^A`.
pub fn xoauth2(user: &str, token: &SecretString) -> String {
    format!(
        "user={user}\x01auth=Bearer {}\x01\x01",
        token.expose_secret()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_token_file_is_private_and_replaced_whole() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.json");
        write_refresh_token(&path, "first").unwrap();
        write_refresh_token(&path, "second").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(read_refresh_token(&path).unwrap().expose_secret(), "second");
        assert!(!path.with_extension("tmp").exists());
        std::fs::write(&path, "{}").unwrap();
        let err = read_refresh_token(&path).unwrap_err().to_string();
        assert!(err.contains("holds no refresh_token"), "{err}");
        let err = read_refresh_token(&dir.path().join("missing.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("refresh_token"), "{err}");
    }

    #[tokio::test]
    async fn a_token_command_prints_the_token_and_its_failures_say_nothing_secret() {
        let token = run_command("printf 'abc.def\\n'").await.unwrap();
        assert_eq!(token.expose_secret(), "abc.def");
        let err = run_command("echo secret-in-stderr >&2; exit 3")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains("secret-in-stderr") && err.contains("exit"),
            "{err}"
        );
        let err = run_command("echo two words").await.unwrap_err().to_string();
        assert!(err.contains("not one token"), "{err}");
    }

    #[test]
    fn the_xoauth2_string_has_its_separators() {
        let s = xoauth2("klachten@firma.nl", &SecretString::from("T0K".to_string()));
        assert_eq!(s, "user=klachten@firma.nl\u{1}auth=Bearer T0K\u{1}\u{1}");
    }
}
