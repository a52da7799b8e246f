//! A real local mail stack and database for the tests and the demo: Dovecot (IMAP + LMTP)
//! and Postfix (SMTP, delivering to Dovecot over LMTP), and a PostgreSQL cluster, each
//! started as a child of this process on free loopback ports inside a temporary folder and
//! stopped when dropped. Needs root (Postfix and PostgreSQL drop to their own users) and
//! the Debian packages that `scripts/install-deps.sh` installs.
//!
//! Shared by `tests/integration` and `examples/demo.rs` (through `#[path]`).

#![expect(
    dead_code,
    reason = "shared by every test module; not every module uses every helper"
)]

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_imap::Session;
use futures::TryStreamExt;
use tokio::net::TcpStream;

pub const DOMAIN: &str = "example.test";
/// A second local domain, for customers: mail from the firm's own domain is a colleague's
/// to the detector, so sample customers write from here (and get their letters here).
pub const CUSTOMER_DOMAIN: &str = "klant.example.test";
/// Every Dovecot user of the test stack has this password (but see [`OAUTH_ONLY_USER`]).
pub const PASSWORD: &str = "secret";
/// The OAuth2 client that [`TokenServer`] sets up (confidential). Dovecot introspects
/// tokens with these credentials, and glewlwyd only answers for tokens of this client.
pub const OAUTH_CLIENT: &str = "klachtenbus";
pub const OAUTH_SECRET: &str = "app-secret";
/// The service mailbox: in a [`MailStack::start_oauth2`] stack it logs in with an OAuth2
/// token only, never with [`PASSWORD`].
pub const OAUTH_ONLY_USER: &str = "klachten@example.test";
/// Postfix rejects this recipient at RCPT time with a 5xx answer.
pub const UNKNOWN_RECIPIENT: &str = "unknown@example.test";

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

pub fn require_root() {
    let uid = Command::new("id").arg("-u").output().expect("run id -u");
    let uid = String::from_utf8_lossy(&uid.stdout).trim().to_string();
    assert_eq!(
        uid, "0",
        "the integration tests start Dovecot, Postfix and PostgreSQL and must run as root \
         (run scripts/test.sh, or sudo)"
    );
}

pub fn free_port() -> u16 {
    free_ports::<1>()[0]
}

/// `N` free loopback ports, all different: each is held until all are chosen (a port let
/// go can be handed out again at once, and Dovecot refuses two listeners on one port).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("no free loopback port"))
        .collect();
    std::array::from_fn(|i| {
        listeners[i]
            .local_addr()
            .expect("a bound listener's address")
            .port()
    })
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn world_readable_tempdir(prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("create temp dir");
    // Dovecot's mail user, postfix and postgres must reach into it.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// How long a server started by the harness may take to open its port. A busy CI machine
/// (a parallel build, other tests starting their servers) can take well over the usual
/// fraction of a second.
const STARTUP_WAIT: Duration = Duration::from_secs(60);

/// Waits until `port` accepts connections. With `child`, stops waiting as soon as that
/// process has exited. On failure, panics with every one of `logs` that has content.
fn wait_for_port(port: u16, what: &str, logs: &[&Path], mut child: Option<&mut Child>) {
    let start = Instant::now();
    let exited = loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Some(status) = child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
            break Some(status);
        }
        if start.elapsed() >= STARTUP_WAIT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let logs: String = logs
        .iter()
        .map(|log| {
            let text = fs::read_to_string(log).unwrap_or_default();
            format!("--- {} ---\n{}", log.display(), text.trim_end())
        })
        .collect::<Vec<_>>()
        .join("\n");
    match exited {
        Some(status) => panic!("{what} exited ({status}) before it opened port {port}:\n{logs}"),
        None => panic!(
            "{what} did not open port {port} within {} s:\n{logs}",
            STARTUP_WAIT.as_secs()
        ),
    }
}

/// Dovecot + Postfix in one temporary folder.
pub struct MailStack {
    dir: tempfile::TempDir,
    pub imap_port: u16,
    pub lmtp_port: u16,
    pub smtp_port: u16,
    dovecot: Option<Child>,
    postfix_running: bool,
    /// Port of the [`TokenServer`] that Dovecot asks (RFC 7662 introspection) whether an
    /// OAuth2 token is valid; `None` for password logins only ([`MailStack::start`]).
    oauth2: Option<u16>,
}

impl MailStack {
    /// Password logins only: every user logs in with [`PASSWORD`].
    pub fn start() -> MailStack {
        Self::start_with(None)
    }

    /// Like [`MailStack::start`], but Dovecot (IMAP, and SMTP AUTH through Postfix) also
    /// takes OAuth2 tokens of `tokens` (SASL XOAUTH2 and OAUTHBEARER), checked by
    /// introspection at every login. A token opens the mailbox whose local part is its
    /// glewlwyd user name (user tokens) or its client id (client_credentials tokens).
    /// Every user keeps the [`PASSWORD`] login except [`OAUTH_ONLY_USER`], the service
    /// mailbox, which logs in with a token only. Postfix relays for authenticated clients.
    pub fn start_oauth2(tokens: &TokenServer) -> MailStack {
        Self::start_with(Some(tokens.port))
    }

    fn start_with(token_port: Option<u16>) -> MailStack {
        require_root();
        let dir = world_readable_tempdir("kb-mail-");
        let [imap_port, lmtp_port, smtp_port] = free_ports();
        let mut stack = MailStack {
            imap_port,
            lmtp_port,
            smtp_port,
            dir,
            dovecot: None,
            postfix_running: false,
            oauth2: token_port,
        };
        stack.write_dovecot_config();
        stack.start_dovecot();
        stack.write_postfix_config();
        // The port was free when chosen, but another test may have bound it since: then
        // Postfix's master cannot listen and `postfix start` fails. Choose again, twice.
        for _ in 0..2 {
            if stack.try_start_postfix().is_ok() {
                return stack;
            }
            // In case a master did start: `postfix stop` says so when none runs. (Not
            // `stop_postfix`: it waits for the port to close, and someone else holds it.)
            let _ = stack.postfix("stop");
            stack.smtp_port = free_port();
            stack.write_postfix_config();
        }
        stack.start_postfix();
        stack
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    fn dovecot_conf(&self) -> PathBuf {
        self.root().join("dovecot/dovecot.conf")
    }

    /// Dovecot's `base_dir`: its sockets, among them `auth-postfix` for Postfix's SASL.
    fn dovecot_base_dir(&self) -> PathBuf {
        self.root().join("dovecot/run")
    }

    pub fn dovecot_log(&self) -> String {
        fs::read_to_string(self.root().join("dovecot/dovecot.log")).unwrap_or_default()
    }

    fn postfix_etc(&self) -> PathBuf {
        self.root().join("postfix/etc")
    }

    /// The Maildir of `user` (local part or full address).
    pub fn maildir(&self, user: &str) -> PathBuf {
        self.root().join("mail").join(full_address(user))
    }

    fn write_dovecot_config(&self) {
        let root = self.root();
        for d in ["dovecot", "mail"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        run(
            Command::new("chown")
                .args(["mail:mail"])
                .arg(root.join("mail")),
            "chown mail dir",
        );
        let r = root.display();
        // Without OAuth2 every extra piece is empty: start()'s configuration as it always was.
        let mut mechanisms = "plain login";
        let mut auth_settings = String::new();
        let mut oauth_passdbs = String::new();
        let mut static_passdb_limits = String::new();
        let mut userdb_extra = "";
        let mut oauth_services = "";
        if let Some(token_port) = self.oauth2 {
            for (kind, attribute) in [("client", "client_id"), ("user", "username")] {
                let ext = root.join(format!("dovecot/oauth2-{kind}.conf.ext"));
                fs::write(
                    &ext,
                    format!(
                        r#"# RFC 7662 introspection at glewlwyd, authenticated as the client that owns the tokens
introspection_mode = post
introspection_url = http://{OAUTH_CLIENT}:{OAUTH_SECRET}@127.0.0.1:{token_port}/api/oidc/introspect
# the introspection field that must match the SASL user (by local part)
username_attribute = {attribute}
username_format = %Ln
active_attribute = active
active_value = true
timeout_msecs = 5000
"#
                    ),
                )
                .unwrap();
                // It holds the client secret; auth reads it as root.
                fs::set_permissions(&ext, fs::Permissions::from_mode(0o600)).unwrap();
            }
            mechanisms = "plain login xoauth2 oauthbearer";
            auth_settings = format!(
                r#"auth_default_realm = {DOMAIN}
auth_verbose = yes
# no 2 s delay before a refusal
auth_failure_delay = 0
"#
            );
            oauth_passdbs = format!(
                r#"# client_credentials tokens: the introspection answer has client_id, no username
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {r}/dovecot/oauth2-client.conf.ext
}}
# user tokens (password, refresh_token, device_code grants): it has username
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {r}/dovecot/oauth2-user.conf.ext
}}
"#
            );
            // The password never checks a token, and the service mailbox has no password.
            static_passdb_limits =
                format!("  mechanisms = plain login\n  username_filter = !{OAUTH_ONLY_USER}\n");
            // An oauth2 passdb cannot tell whether a user exists (LMTP would answer 451).
            userdb_extra = " allow_all_users=yes";
            oauth_services = r#"# auth cannot reach anvil-auth-penalty, so there is no per-IP penalty (up to
# 15 s) after failed logins
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
# SASL for Postfix (smtpd_sasl_type = dovecot)
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
"#;
        }
        let conf = format!(
            r#"base_dir = {r}/dovecot/run
state_dir = {r}/dovecot/state
instance_name = klachtenbus-test-{imap}
log_path = {r}/dovecot/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
{auth_settings}mail_location = maildir:{r}/mail/%u
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
recipient_delimiter = +
imap_idle_notify_interval = 2 secs
{oauth_passdbs}passdb {{
  driver = static
{static_passdb_limits}  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={r}/mail/%u{userdb_extra}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp}
  }}
}}
{oauth_services}"#,
            imap = self.imap_port,
            lmtp = self.lmtp_port,
        );
        fs::write(self.dovecot_conf(), conf).unwrap();
    }

    /// Starts (or restarts) Dovecot with the same configuration and ports.
    pub fn start_dovecot(&mut self) {
        assert!(self.dovecot.is_none(), "dovecot already running");
        if self.oauth2.is_some() {
            // Left by an earlier run in this base_dir, it makes auth retry for 5 s before
            // the first login (the listener has mode 0, see write_dovecot_config).
            let stale = self.dovecot_base_dir().join("anvil-auth-penalty");
            if let Err(e) = fs::remove_file(&stale) {
                assert!(
                    e.kind() == std::io::ErrorKind::NotFound,
                    "remove {}: {e}",
                    stale.display()
                );
            }
        }
        let out = fs::File::create(self.root().join("dovecot/stdout.log")).unwrap();
        let child = Command::new("dovecot")
            .arg("-c")
            .arg(self.dovecot_conf())
            .arg("-F")
            // Its own process group, so that a stop reaches every client process too.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start dovecot (is dovecot-imapd installed? scripts/install-deps.sh)");
        let mut child = child;
        wait_for_port(
            self.imap_port,
            "dovecot",
            &[
                &self.root().join("dovecot/dovecot.log"),
                &self.root().join("dovecot/stdout.log"),
            ],
            Some(&mut child),
        );
        self.dovecot = Some(child);
    }

    /// Stops Dovecot, dropping every IMAP connection at once (the master alone would let
    /// its client processes linger for seconds while it shuts down).
    pub fn stop_dovecot(&mut self) {
        if let Some(mut child) = self.dovecot.take() {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill")
                .args(["-TERM", "--", &group])
                .stderr(Stdio::null())
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = Command::new("kill")
                .args(["-KILL", "--", &group])
                .stderr(Stdio::null())
                .status();
            let _ = child.wait();
            // The port must be free before a restart can bind it again.
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10)
                && std::net::TcpStream::connect(("127.0.0.1", self.imap_port)).is_ok()
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    fn write_postfix_config(&self) {
        let etc = self.postfix_etc();
        let p = self.root().join("postfix");
        for d in ["etc", "queue", "data"] {
            fs::create_dir_all(p.join(d)).unwrap();
        }
        run(
            Command::new("chown").arg("postfix").arg(p.join("data")),
            "chown postfix data dir",
        );
        let pd = p.display();
        // Without OAuth2 both are empty: start()'s configuration as it always was.
        let mut permit_sasl = "";
        let mut sasl = String::new();
        if self.oauth2.is_some() {
            permit_sasl = ", permit_sasl_authenticated";
            sasl = format!(
                "smtpd_sasl_auth_enable = yes\n\
                 smtpd_sasl_type = dovecot\n\
                 smtpd_sasl_path = {}\n\
                 smtpd_sasl_security_options = noanonymous\n\
                 smtpd_tls_auth_only = no\n",
                self.dovecot_base_dir().join("auth-postfix").display()
            );
        }
        let main_cf = format!(
            r#"compatibility_level = 3.6
queue_directory = {pd}/queue
data_directory = {pd}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.{DOMAIN}
mydomain = {DOMAIN}
myorigin = {DOMAIN}
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
relay_domains =
virtual_mailbox_domains = {DOMAIN}, {CUSTOMER_DOMAIN}
virtual_mailbox_maps = regexp:{pd}/etc/vmailbox
virtual_transport = lmtp:inet:127.0.0.1:{lmtp}
recipient_delimiter = +
smtpd_recipient_restrictions = check_recipient_access regexp:{pd}/etc/recipient_access, permit_mynetworks{permit_sasl}, reject_unauth_destination
maillog_file = {pd}/maillog
maillog_file_prefixes = {pd}
smtputf8_enable = no
biff = no
header_size_limit = 10240000
message_size_limit = 104857600
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
lmtp_connect_timeout = 2s
alias_maps =
alias_database =
local_recipient_maps =
{sasl}"#,
            lmtp = self.lmtp_port
        );
        fs::write(etc.join("main.cf"), main_cf).unwrap();
        fs::write(
            etc.join("vmailbox"),
            format!(
                "/@{}$/ OK\n/@{}$/ OK\n",
                DOMAIN.replace('.', "\\."),
                CUSTOMER_DOMAIN.replace('.', "\\.")
            ),
        )
        .unwrap();
        fs::write(
            etc.join("recipient_access"),
            format!(
                "/^{}$/ REJECT 5.1.1 no such user\n",
                UNKNOWN_RECIPIENT.replace('.', "\\.")
            ),
        )
        .unwrap();
        let master_cf = format!(
            "127.0.0.1:{smtp} inet n - n - - smtpd\n{}",
            [
                "pickup unix n - n 60 1 pickup",
                "cleanup unix n - n - 0 cleanup",
                "qmgr unix n - n 300 1 qmgr",
                "tlsmgr unix - - n 1000? 1 tlsmgr",
                "rewrite unix - - n - - trivial-rewrite",
                "bounce unix - - n - 0 bounce",
                "defer unix - - n - 0 bounce",
                "trace unix - - n - 0 bounce",
                "verify unix - - n - 1 verify",
                "flush unix n - n 1000? 0 flush",
                "proxymap unix - - n - - proxymap",
                "smtp unix - - n - - smtp",
                "relay unix - - n - - smtp",
                "showq unix n - n - - showq",
                "error unix - - n - - error",
                "retry unix - - n - - error",
                "discard unix - - n - - discard",
                "lmtp unix - - n - - lmtp",
                "anvil unix - - n - 1 anvil",
                "scache unix - - n - 1 scache",
                "postlog unix-dgram n - n - 1 postlogd",
            ]
            .join("\n")
                + "\n",
            smtp = self.smtp_port
        );
        fs::write(etc.join("master.cf"), master_cf).unwrap();
        allow_postfix_config_dir(&etc);
        with_main_cf_lock(|| {
            run(
                Command::new("postfix")
                    .arg("-c")
                    .arg(&etc)
                    .args(["post-install", "create-missing"]),
                "postfix post-install create-missing",
            )
        });
    }

    /// Starts Postfix on [`Self::smtp_port`]; panics with Postfix's own log when it cannot.
    pub fn start_postfix(&mut self) {
        if let Err(failure) = self.try_start_postfix() {
            panic!("{failure}");
        }
    }

    /// `postfix start`, and on failure what it printed and the end of its maillog (Postfix
    /// reports most start-up errors there, not on the terminal).
    fn try_start_postfix(&mut self) -> Result<(), String> {
        let out = self.postfix("start").map_err(|e| {
            format!(
                "postfix start: cannot run (is postfix installed? scripts/install-deps.sh): {e}"
            )
        })?;
        if !out.status.success() {
            let log = self.postfix_log();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "postfix start failed ({}) on port {}:\n{}\n{}\nend of postfix/maillog:\n{}",
                out.status,
                self.smtp_port,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                tail.join("\n")
            ));
        }
        self.postfix_running = true;
        wait_for_port(
            self.smtp_port,
            "postfix",
            &[&self.root().join("postfix/maillog")],
            None,
        );
        Ok(())
    }

    /// `postfix -c <this stack's config> <command>`, what it printed and its status.
    fn postfix(&self, command: &str) -> std::io::Result<std::process::Output> {
        with_main_cf_lock(|| {
            Command::new("postfix")
                .arg("-c")
                .arg(self.postfix_etc())
                .arg(command)
                .output()
        })
    }

    pub fn stop_postfix(&mut self) {
        if self.postfix_running {
            let _ = self.postfix("stop");
            self.postfix_running = false;
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10)
                && std::net::TcpStream::connect(("127.0.0.1", self.smtp_port)).is_ok()
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// Asks Postfix to retry deferred mail now.
    pub fn flush_postfix(&self) {
        with_main_cf_lock(|| {
            run(
                Command::new("postqueue")
                    .arg("-c")
                    .arg(self.postfix_etc())
                    .arg("-f"),
                "postqueue -f",
            )
        });
    }

    pub fn postfix_log(&self) -> String {
        fs::read_to_string(self.root().join("postfix/maillog")).unwrap_or_default()
    }

    /// Sends `raw` through Postfix with real SMTP.
    pub async fn send(&self, from: &str, to: &[&str], raw: &[u8]) {
        use lettre::address::Envelope;
        use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
        let envelope = Envelope::new(
            Some(from.parse().expect("from address")),
            to.iter().map(|t| t.parse().expect("to address")).collect(),
        )
        .unwrap();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(self.smtp_port)
            .build();
        transport
            .send_raw(&envelope, raw)
            .await
            .unwrap_or_else(|e| panic!("SMTP to postfix failed: {e}"));
    }

    /// A logged-in IMAP session for `user`, for the test to look at or change the mailbox.
    pub async fn imap(&self, user: &str) -> Session<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", self.imap_port))
            .await
            .expect("connect to dovecot");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap();
        client
            .login(full_address(user), PASSWORD)
            .await
            .map_err(|(e, _)| e)
            .expect("login to dovecot")
    }

    /// A logged-in IMAP session for `user` (local part or full address), with SASL
    /// XOAUTH2 and an OAuth2 access token (a [`MailStack::start_oauth2`] stack).
    pub async fn imap_with_token(&self, user: &str, token: &str) -> Session<TcpStream> {
        self.try_imap_with_token(user, token)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "XOAUTH2 login of {user} to dovecot: {e}; dovecot log:\n{}",
                    self.dovecot_log()
                )
            })
    }

    /// The XOAUTH2 login of [`MailStack::imap_with_token`], for tests that expect a refusal
    /// (`NO`, for a bad, expired or revoked token, or a token of another user).
    pub async fn try_imap_with_token(
        &self,
        user: &str,
        token: &str,
    ) -> Result<Session<TcpStream>, async_imap::error::Error> {
        let tcp = TcpStream::connect(("127.0.0.1", self.imap_port))
            .await
            .expect("connect to dovecot");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap();
        let xoauth2 = XOAuth2 {
            initial: Some(format!(
                "user={}\x01auth=Bearer {token}\x01\x01",
                full_address(user)
            )),
        };
        client
            .authenticate("XOAUTH2", xoauth2)
            .await
            .map_err(|(e, _)| e)
    }

    /// Number of messages in `folder` of `user`.
    pub async fn count(&self, user: &str, folder: &str) -> u32 {
        let mut s = self.imap(user).await;
        let n = match s.status(folder, "(MESSAGES)").await {
            Ok(mb) => mb.exists,
            Err(_) => 0,
        };
        let _ = s.logout().await;
        n
    }

    /// Waits until `folder` of `user` holds at least `n` messages (delivery through
    /// Postfix is asynchronous). Panics with the Postfix log after `timeout`.
    pub async fn wait_for_count(&self, user: &str, folder: &str, n: u32, timeout: Duration) {
        let start = Instant::now();
        loop {
            let have = self.count(user, folder).await;
            if have >= n {
                return;
            }
            if start.elapsed() > timeout {
                panic!(
                    "{user}/{folder}: {have} of {n} messages after {timeout:?}; postfix log:\n{}",
                    self.postfix_log()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Appends messages directly over IMAP (for bulk set-up).
    pub async fn append(&self, user: &str, folder: &str, messages: &[Vec<u8>]) {
        let mut s = self.imap(user).await;
        let _ = s.create(folder).await;
        for m in messages {
            s.append(folder, None, None, m).await.expect("IMAP APPEND");
        }
        let _ = s.logout().await;
    }

    /// Appends one message with the given INTERNALDATE (`"30-Nov-2026 10:00:00 +0100"`),
    /// the arrival time klachtenbus counts deadlines from.
    pub async fn append_at(&self, user: &str, folder: &str, raw: &[u8], internaldate: &str) {
        let mut s = self.imap(user).await;
        s.append(folder, None, Some(&format!("\"{internaldate}\"")), raw)
            .await
            .expect("IMAP APPEND with date");
        let _ = s.logout().await;
    }

    /// Drops messages straight into the Maildir as a delivery agent would: the way to get
    /// bytes onto the server that SMTP or APPEND would refuse or repair (NUL bytes,
    /// broken MIME).
    pub fn deliver_to_maildir(&self, user: &str, name: &str, raw: &[u8]) {
        let dir = self.maildir(user);
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let tmp = dir.join("tmp").join(name);
        let mut f = fs::File::create(&tmp).unwrap();
        f.write_all(raw).unwrap();
        f.sync_all().unwrap();
        fs::rename(&tmp, dir.join("new").join(name)).unwrap();
        run(
            Command::new("chown").args(["-R", "mail:mail"]).arg(&dir),
            "chown maildir",
        );
    }

    /// UID → flags of every message in `folder`.
    pub async fn flags(&self, user: &str, folder: &str) -> Vec<(u32, Vec<String>)> {
        let mut s = self.imap(user).await;
        let mb = s.select(folder).await.expect("select");
        let mut out = Vec::new();
        if mb.exists > 0 {
            let fetches: Vec<_> = s
                .uid_fetch("1:*", "(UID FLAGS)")
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            for f in &fetches {
                out.push((
                    f.uid.unwrap(),
                    f.flags().map(|fl| format!("{fl:?}")).collect(),
                ));
            }
        }
        let _ = s.logout().await;
        out.sort();
        out
    }
}

impl Drop for MailStack {
    fn drop(&mut self) {
        self.stop_postfix();
        self.stop_dovecot();
        forget_postfix_config_dir(&self.postfix_etc());
    }
}

pub fn full_address(user: &str) -> String {
    if user.contains('@') {
        user.to_string()
    } else {
        format!("{user}@{DOMAIN}")
    }
}

const POSTFIX_MAIN_CF: &str = "/etc/postfix/main.cf";

/// Postfix only accepts a private `-c` configuration folder that the default main.cf
/// lists in `alternate_config_directories`. Several stacks may start at once (one per
/// test), so the list is edited under a file lock and pruned of folders that are gone.
fn allow_postfix_config_dir(etc: &Path) {
    edit_alternate_dirs(|dirs| dirs.push(etc.display().to_string()));
}

fn forget_postfix_config_dir(etc: &Path) {
    let me = etc.display().to_string();
    edit_alternate_dirs(|dirs| dirs.retain(|d| *d != me));
}

/// Runs `work` holding the lock that guards the default main.cf. Every postfix command
/// that reads main.cf (start, stop, post-install, postqueue) runs under it too: while
/// another test rewrites the file, a reader could otherwise see a list without its own
/// folder and refuse the `-c` configuration.
fn with_main_cf_lock<T>(work: impl FnOnce() -> T) -> T {
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open("/etc/postfix/.klachtenbus-tests.lock")
        .expect("open postfix lock file (is postfix installed?)");
    lock.lock().expect("lock postfix main.cf");
    let result = work();
    let _ = lock.unlock();
    result
}

fn edit_alternate_dirs(change: impl FnOnce(&mut Vec<String>)) {
    with_main_cf_lock(|| edit_alternate_dirs_locked(change))
}

fn edit_alternate_dirs_locked(change: impl FnOnce(&mut Vec<String>)) {
    let out = Command::new("postconf")
        .args(["-h", "alternate_config_directories"])
        .output()
        .expect("postconf");
    let current = String::from_utf8_lossy(&out.stdout).to_string();
    let mut dirs: Vec<String> = current
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|d| !d.is_empty() && Path::new(d).exists())
        .map(str::to_string)
        .collect();
    change(&mut dirs);
    dirs.sort();
    dirs.dedup();
    run(
        Command::new("postconf").arg("-e").arg(format!(
            "alternate_config_directories = {}",
            dirs.join(", ")
        )),
        &format!("postconf -e in {POSTFIX_MAIN_CF}"),
    );
}

/// A PostgreSQL 15 cluster of its own, in a temporary folder.
pub struct Postgres {
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Postgres {
    pub fn start() -> Postgres {
        require_root();
        let dir = world_readable_tempdir("kb-pg-");
        let data = dir.path().join("data");
        run(
            Command::new("chown").arg("postgres").arg(dir.path()),
            "chown pg dir",
        );
        let port = free_port();
        run(
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(format!("{PG_BIN}/initdb"))
                .arg("-D")
                .arg(&data)
                .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]),
            "initdb",
        );
        run(
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(format!("{PG_BIN}/pg_ctl"))
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.path().join("postgres.log"))
                .arg("-o")
                .arg(format!(
                    "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                    dir.path().display()
                ))
                .args(["-w", "start"]),
            "pg_ctl start",
        );
        Postgres { dir, port }
    }

    /// A fresh, empty database in this cluster.
    pub async fn database(&self, name: &str) -> String {
        use sqlx::Connection;
        let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("connect to pg");
        sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .expect("create database");
        conn.close().await.ok();
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(format!("{PG_BIN}/pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// Every message in `user`'s INBOX: raw bytes and parsed fields, oldest first.
pub async fn mailbox(
    stack: &MailStack,
    user: &str,
) -> Vec<(Vec<u8>, klachtenbus::parse::ParsedMail)> {
    use futures::TryStreamExt;
    let mut s = stack.imap(user).await;
    let mb = s.select("INBOX").await.expect("select INBOX");
    let mut out = Vec::new();
    if mb.exists > 0 {
        let fetches: Vec<_> = s
            .fetch("1:*", "BODY.PEEK[]")
            .await
            .expect("fetch")
            .try_collect()
            .await
            .expect("fetch stream");
        for f in fetches {
            let raw = f.body().expect("body").to_vec();
            let parsed = klachtenbus::parse::parse(&raw);
            assert_no_past_promise(&parsed);
            out.push((raw, parsed));
        }
    }
    let _ = s.logout().await;
    out
}

/// The header block of a raw message.
pub fn header_block(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let end = text
        .find("\r\n\r\n")
        .or_else(|| text.find("\n\n"))
        .unwrap_or(text.len());
    text[..end].to_string()
}

/// A reply from `from` to a notification: to its Reply-To, threaded to it, with `body` on
/// top of the quoted notification.
pub fn reply_to(
    notification: &klachtenbus::parse::ParsedMail,
    from: &str,
    body: &str,
    id: &str,
) -> (String, Vec<u8>) {
    let to = notification
        .header("reply-to")
        .map(|r| {
            r.trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
                .to_string()
        })
        .expect("notification has a Reply-To");
    let msg_id = notification
        .message_id
        .clone()
        .expect("notification Message-ID");
    let subject = notification.subject.clone().unwrap_or_default();
    let quoted: String = notification
        .body_text
        .as_deref()
        .unwrap_or("")
        .lines()
        .take(15)
        .map(|l| format!("> {l}\r\n"))
        .collect();
    let raw = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: {subject}\r\nDate: Wed, 25 Nov 2026 09:00:00 +0100\r\nMessage-ID: <{id}>\r\nIn-Reply-To: <{msg_id}>\r\nReferences: <{msg_id}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\r\nOp 25-11-2026 schreef klachtenbus:\r\n{quoted}"
    );
    (to, raw.into_bytes())
}

/// Postfix's `smtp-sink` on a free loopback port: an SMTP server that answers the end of
/// DATA only after `delay_secs` (a slow relay), and keeps every mail it accepted as a file.
pub struct SlowRelay {
    pub port: u16,
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl SlowRelay {
    pub fn start(delay_secs: u32) -> SlowRelay {
        require_root();
        let dir = tempfile::tempdir().unwrap();
        // smtp-sink drops to the postfix user after binding; it writes the mails there.
        run(
            Command::new("chown").arg("postfix").arg(dir.path()),
            "chown the smtp-sink folder",
        );
        let port = free_port();
        let child = Command::new("/usr/sbin/smtp-sink")
            .arg("-u")
            .arg("postfix")
            .arg("-d")
            .arg(dir.path().join("%H%M%S."))
            .arg("-w")
            .arg(delay_secs.to_string())
            .arg(format!("127.0.0.1:{port}"))
            .arg("20")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start smtp-sink (Debian package postfix)");
        let start = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "smtp-sink did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SlowRelay { port, dir, child }
    }

    /// Every mail accepted so far, parsed.
    pub fn mails(&self) -> Vec<klachtenbus::parse::ParsedMail> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        files
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .map(|raw| klachtenbus::parse::parse(&raw))
            .collect()
    }
}

impl Drop for SlowRelay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SASL XOAUTH2 for async-imap: the first answer is `user=<address>^Aauth=Bearer <token>^A^A`.
/// When it refuses the token, Dovecot sends an error challenge (base64 JSON) first; the
/// client answers it with an empty line and then gets the `NO`.
struct XOAuth2 {
    initial: Option<String>,
}

impl async_imap::Authenticator for XOAuth2 {
    type Response = String;

    fn process(&mut self, _challenge: &[u8]) -> String {
        self.initial.take().unwrap_or_default()
    }
}

/// glewlwyd's SQL schema, with its admin user `admin` / `password` (scope g_admin).
const GLEWLWYD_INIT_SQL: &str = "/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz";
const GLEWLWYD_ADMIN: &str = "admin";
const GLEWLWYD_ADMIN_PASSWORD: &str = "password";

/// An OAuth2 token server of its own: Debian's glewlwyd (OIDC plugin, SQLite) on a free
/// loopback port in a temporary folder, stopped when dropped. It knows the scope `mail`,
/// the confidential client [`OAUTH_CLIENT`] / [`OAUTH_SECRET`] (grants client_credentials,
/// password, refresh_token and device code; it may introspect and revoke its own tokens),
/// and the users added with [`TokenServer::add_user`]. Access tokens are JWTs that
/// [`MailStack::start_oauth2`]'s Dovecot checks by introspection.
pub struct TokenServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl TokenServer {
    /// Access tokens live `access_token_secs`, refresh tokens an hour (and stay the same
    /// when used).
    pub fn start(access_token_secs: u32) -> TokenServer {
        require_root();
        let dir = world_readable_tempdir("kb-oauth-");
        let root = dir.path();
        let port = free_port();
        let db = root.join("glewlwyd.db");
        let sql = Command::new("zcat")
            .arg(GLEWLWYD_INIT_SQL)
            .output()
            .unwrap_or_else(|e| panic!("zcat: cannot start: {e}"));
        assert!(
            sql.status.success(),
            "zcat {GLEWLWYD_INIT_SQL} failed (is glewlwyd installed? scripts/install-deps.sh): {}",
            String::from_utf8_lossy(&sql.stderr)
        );
        let init = root.join("init.sql");
        fs::write(&init, &sql.stdout).unwrap();
        run(
            Command::new("sqlite3")
                .arg(&db)
                .stdin(fs::File::open(&init).unwrap()),
            "sqlite3 glewlwyd.db < init.sqlite3.sql (is sqlite3 installed? scripts/install-deps.sh)",
        );
        let r = root.display();
        // No use_secure_connection key at all: glewlwyd 2.7 then wants certificate files.
        let conf = format!(
            r#"port={port}
bind_address="127.0.0.1"
external_url="http://127.0.0.1:{port}"
login_url="login.html"
api_prefix="api"
allow_origin="*"
log_mode="file"
log_level="INFO"
log_file="{r}/glewlwyd.log"
cookie_secure=0
cookie_same_site="empty"
session_expiration=3600
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
plugin_api_run_enabled=""
add_x_frame_option_header_deny=true
max_post_size=16778240
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
hash_algorithm = "SHA512"
database =
{{
  type = "sqlite3"
  path = "{r}/glewlwyd.db"
}};
"#
        );
        let conf_path = root.join("glewlwyd.conf");
        fs::write(&conf_path, conf).unwrap();
        let out = fs::File::create(root.join("stdout.log")).unwrap();
        let child = Command::new("glewlwyd")
            .arg(format!("--config-file={}", conf_path.display()))
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start glewlwyd (is it installed? scripts/install-deps.sh)");
        // From here on a panic drops the server, which stops glewlwyd.
        let mut server = TokenServer { port, dir, child };
        server.wait_until_listening();
        server.setup(access_token_secs);
        server
    }

    fn api(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/api{path}", self.port)
    }

    /// The token endpoint (RFC 6749), for every grant.
    pub fn token_url(&self) -> String {
        self.api("/oidc/token")
    }

    /// The introspection endpoint (RFC 7662) that Dovecot asks, with HTTP Basic auth of
    /// [`OAUTH_CLIENT`].
    pub fn introspect_url(&self) -> String {
        self.api("/oidc/introspect")
    }

    /// glewlwyd's own log and what it wrote to stdout and stderr.
    pub fn log(&self) -> String {
        let root = self.dir.path();
        format!(
            "{}{}",
            fs::read_to_string(root.join("glewlwyd.log")).unwrap_or_default(),
            fs::read_to_string(root.join("stdout.log")).unwrap_or_default()
        )
    }

    fn wait_until_listening(&mut self) {
        let start = Instant::now();
        while start.elapsed() < STARTUP_WAIT {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "glewlwyd exited ({status}) before it opened port {}; log:\n{}",
                    self.port,
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "glewlwyd did not open port {} within {} s; log:\n{}",
            self.port,
            STARTUP_WAIT.as_secs(),
            self.log()
        );
    }

    /// The scope, the OIDC plugin instance, and the client, through the admin API.
    fn setup(&self, access_token_secs: u32) {
        let (code, body) = self.curl(&[
            "-c",
            &self.admin_cookies(),
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            &serde_json::json!({
                "username": GLEWLWYD_ADMIN,
                "password": GLEWLWYD_ADMIN_PASSWORD,
            })
            .to_string(),
            &self.api("/auth/"),
        ]);
        if code != 200 {
            panic!(
                "glewlwyd admin login -> HTTP {code}: {body}\nglewlwyd log:\n{}",
                self.log()
            );
        }
        self.admin_post(
            "/scope/",
            serde_json::json!({
                "name": "mail",
                "display_name": "Mail",
                "description": "IMAP/SMTP access",
                "password_required": false,
                "password_max_age": 0,
                "scheme": {},
            }),
        );
        self.admin_post(
            "/mod/plugin/",
            serde_json::json!({
                "module": "oidc",
                "name": "oidc",
                "display_name": "klachtenbus test OIDC",
                "enabled": true,
                "parameters": {
                    "iss": self.api("/oidc"),
                    "jwt-type": "sha",
                    "jwt-key-size": "256",
                    "key": "test-signing-secret-0123456789abcdef",
                    "access-token-duration": access_token_secs,
                    "refresh-token-duration": 3600,
                    "code-duration": 600,
                    "refresh-token-rolling": false,
                    // A refresh token works once and the answer carries its successor, as
                    // with providers that rotate them.
                    "refresh-token-one-use": "always",
                    "allow-non-oidc": true,
                    "auth-type-code-enabled": true,
                    "auth-type-client-enabled": true,
                    "auth-type-password-enabled": true,
                    "auth-type-refresh-enabled": true,
                    "auth-type-device-enabled": true,
                    "device-authorization-expiration": 600,
                    "device-authorization-interval": 1,
                    "introspection-revocation-allowed": true,
                    "introspection-revocation-allow-target-client": true,
                },
            }),
        );
        self.admin_post(
            "/client/",
            serde_json::json!({
                "client_id": OAUTH_CLIENT,
                "name": OAUTH_CLIENT,
                "confidential": true,
                "client_secret": OAUTH_SECRET,
                "enabled": true,
                "scope": ["mail"],
                "authorization_type": [
                    "client_credentials",
                    "password",
                    "refresh_token",
                    "device_authorization",
                    "code",
                ],
                "redirect_uri": ["http://127.0.0.1/cb"],
                "token_endpoint_auth_method": ["client_secret_basic", "client_secret_post"],
            }),
        );
    }

    /// A glewlwyd user with scope `mail`. `name` is a local part or a full address; glewlwyd
    /// knows the local part, which is the mailbox a token of this user opens in Dovecot.
    pub fn add_user(&self, name: &str, password: &str) {
        let local = local_part(name);
        self.admin_post(
            "/user/",
            serde_json::json!({
                "username": local,
                "name": local,
                "email": full_address(name),
                "password": password,
                "enabled": true,
                "scope": ["mail"],
            }),
        );
    }

    /// An access token of the client itself (client_credentials grant). Its subject is
    /// the client: it opens the mailbox `klachtenbus@example.test`.
    pub fn client_credentials_token(&self) -> String {
        let answer = self.token(&[("grant_type", "client_credentials"), ("scope", "mail")]);
        json_str(&answer, "access_token")
    }

    /// Access token and refresh token of `user` (password grant; local part or full address).
    pub fn password_grant(&self, user: &str, password: &str) -> (String, String) {
        let answer = self.token(&[
            ("grant_type", "password"),
            ("scope", "mail"),
            ("username", local_part(user)),
            ("password", password),
        ]);
        (
            json_str(&answer, "access_token"),
            json_str(&answer, "refresh_token"),
        )
    }

    /// A new access token for a refresh token (which stays valid).
    pub fn refresh_grant(&self, refresh_token: &str) -> String {
        let answer = self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ]);
        json_str(&answer, "access_token")
    }

    /// Revokes an access or refresh token (RFC 7009); `hint` is `access_token` or
    /// `refresh_token`.
    pub fn revoke(&self, token: &str, hint: &str) {
        let (code, body) = self.client_post(
            "/oidc/revoke",
            &[("token", token), ("token_type_hint", hint)],
        );
        if code != 200 {
            panic!(
                "glewlwyd revoke -> HTTP {code}: {body}\nglewlwyd log:\n{}",
                self.log()
            );
        }
    }

    fn token(&self, form: &[(&str, &str)]) -> serde_json::Value {
        let (code, body) = self.client_post("/oidc/token", form);
        if code != 200 {
            panic!(
                "glewlwyd token request {form:?} -> HTTP {code}: {body}\nglewlwyd log:\n{}",
                self.log()
            );
        }
        serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!(
                "glewlwyd token answer is not JSON ({e}): {body}\nglewlwyd log:\n{}",
                self.log()
            )
        })
    }

    /// A form POST with the client's HTTP Basic auth.
    fn client_post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let mut args = vec!["-u".to_string(), format!("{OAUTH_CLIENT}:{OAUTH_SECRET}")];
        for (name, value) in form {
            args.push("--data-urlencode".to_string());
            args.push(format!("{name}={value}"));
        }
        args.push(self.api(path));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.curl(&args)
    }

    fn admin_cookies(&self) -> String {
        self.dir.path().join("admin.cookies").display().to_string()
    }

    /// A JSON POST to the admin API with the session of `setup`'s login; wants HTTP 200.
    fn admin_post(&self, path: &str, body: serde_json::Value) {
        let (code, answer) = self.curl(&[
            "-b",
            &self.admin_cookies(),
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            &body.to_string(),
            &self.api(path),
        ]);
        if code != 200 {
            panic!(
                "glewlwyd admin API POST {path} {body} -> HTTP {code}: {answer}\nglewlwyd log:\n{}",
                self.log()
            );
        }
    }

    /// One request with the curl binary: HTTP status and body.
    fn curl(&self, args: &[&str]) -> (u16, String) {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "30", "-w", "\n%{http_code}"])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("curl: cannot start: {e} (scripts/install-deps.sh)"));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", text.as_str()));
        let code: u16 = code.trim().parse().unwrap_or(0);
        if !out.status.success() || code == 0 {
            panic!(
                "curl {args:?} failed ({}): {}\nglewlwyd log:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr),
                self.log()
            );
        }
        (code, body.to_string())
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        // Only while it runs: the id of a reaped child may belong to another process.
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .stderr(Stdio::null())
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = self.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn local_part(user: &str) -> &str {
    user.split('@').next().unwrap_or(user)
}

fn json_str(answer: &serde_json::Value, field: &str) -> String {
    answer[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in glewlwyd's answer {answer}"))
        .to_string()
}

/// A letter to a complainant never promises a date before the day it was sent: every date
/// after "uiterlijk op" / "no later than" / "by" in an acknowledgement, extension or
/// position letter is on or after the letter's own Date (in Amsterdam). Checked on every
/// mail a test reads from a mailbox.
pub fn assert_no_past_promise(mail: &klachtenbus::parse::ParsedMail) {
    let subject = mail.subject.as_deref().unwrap_or("");
    let letter = [
        "Ontvangstbevestiging van uw klacht",
        "Nieuwe termijn voor ons standpunt",
        "Ons standpunt over uw klacht",
        "Acknowledgement of your complaint",
        "New date for our position",
        "Our position on your complaint",
    ]
    .iter()
    .any(|s| subject.contains(s));
    let (Some(sent), true) = (mail.date, letter) else {
        return;
    };
    let sent = sent
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .date_naive();
    let text = mail.body_text.as_deref().unwrap_or("").replace('\n', " ");
    let promise = regex::Regex::new(
        r"(?i)(uiterlijk op|no later than|position by)\s+(?:[a-z]+ )?(\d{1,2}) ([a-z]+) (\d{4})",
    )
    .unwrap();
    const NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    for c in promise.captures_iter(&text) {
        let month = c[3].to_lowercase();
        let m = NL
            .iter()
            .position(|n| *n == month)
            .or_else(|| {
                (1..=12)
                    .find(|m| {
                        chrono::NaiveDate::from_ymd_opt(2026, *m as u32, 1)
                            .unwrap()
                            .format("%B")
                            .to_string()
                            .to_lowercase()
                            == month
                    })
                    .map(|m| m - 1)
            })
            .unwrap_or_else(|| panic!("unknown month in {:?}", &c[0]));
        let date = chrono::NaiveDate::from_ymd_opt(
            c[4].parse().unwrap(),
            m as u32 + 1,
            c[2].parse().unwrap(),
        )
        .unwrap();
        assert!(
            date >= sent,
            "letter {subject:?} sent on {sent} promises {date} ({:?}):\n{text}",
            &c[0]
        );
    }
}
