//! Running the `klachtenbus` binary against a test stack, and reading what it stored.

use std::path::PathBuf;
use std::process::{Command, Output};

use klachtenbus::store::Store;

use crate::harness::{full_address, MailStack, PASSWORD};

pub const BIN: &str = env!("CARGO_BIN_EXE_klachtenbus");

/// Directie's address in every test installation.
pub const DIRECTIE: &str = "directie@example.test";
pub const REPLY_SECRET: &str = "test-secret-0123456789";

/// Valid `[smtp]`, `[directie]` and `[organisation]`, for the cases about other settings.
pub const VALID_SERVICES: &str = "[smtp]\nhost = \"127.0.0.1\"\nport = 1025\nsecurity = \"none\"\nfrom = \"klachten@firma.example\"\n\n[directie]\naddresses = [\"directie@firma.example\"]\nreply_secret = \"0123456789abcdef0123\"\n\n[organisation]\nname = \"Firma\"\n";

/// One klachtenbus installation: a working folder with its config file and database.
pub struct Kb {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub db_url: String,
    /// Extra environment for every command (setting overrides).
    pub env: Vec<(String, String)>,
}

impl Kb {
    /// Configured to read `user`'s mailbox on `stack`. `extra` is appended TOML (sections
    /// that are already present may not be repeated, so it carries its own headers).
    pub fn new(stack: &MailStack, user: &str, imap_extra: &str, extra: &str) -> Kb {
        Self::with_db(stack, user, imap_extra, extra, None)
    }

    pub fn with_db(
        stack: &MailStack,
        user: &str,
        imap_extra: &str,
        extra: &str,
        db_url: Option<String>,
    ) -> Kb {
        let dir = tempfile::tempdir().unwrap();
        let db_url = db_url.unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                dir.path().join("data/klachtenbus.sqlite").display()
            )
        });
        let toml = format!(
            "[imap]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nusername = \"{user}\"\npassword = \"{PASSWORD}\"\n{imap_extra}\n\n[database]\nurl = \"{db_url}\"\n\n[logging]\nlevel = \"debug\"\n\n{extra}\n",
            port = stack.imap_port,
            user = full_address(user),
        );
        // Settings every installation needs for cases and mail; tests change them through
        // `Kb::env` (KLACHTENBUS__… variables) rather than by repeating sections.
        let toml = format!(
            "{toml}\n[smtp]\nhost = \"127.0.0.1\"\nport = {smtp}\nsecurity = \"none\"\nfrom = \"{from}\"\nretry_first_secs = 0\n\n[directie]\naddresses = [\"{DIRECTIE}\"]\nreply_secret = \"{REPLY_SECRET}\"\n# The scenarios written before these existed: tests that need them turn them on.\nconfirmations = false\nreview_position = false\n\n[organisation]\nname = \"De Vries Advies B.V.\"\nphone = \"020 123 45 67\"\nsignatory = \"J. de Vries, directeur\"\nkifid_number = \"300.012345\"\n",
            smtp = stack.smtp_port,
            from = full_address(user),
        );
        let config = dir.path().join("klachtenbus.toml");
        std::fs::write(&config, toml).unwrap();
        Kb {
            dir,
            config,
            db_url,
            env: Vec::new(),
        }
    }

    /// Runs every command with this environment variable set as well.
    pub fn with_env(mut self, key: &str, value: &str) -> Kb {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--config")
            .arg(&self.config)
            .current_dir(self.dir.path());
        cmd.env_remove("RUST_LOG");
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run klachtenbus")
    }

    /// `sync`, which must succeed.
    pub fn sync(&self) -> String {
        let out = self.run(&["sync"]);
        assert!(
            out.status.success(),
            "sync failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.db_url).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

/// The binary with `--config config` and `args`, without `RUST_LOG` from the caller.
pub fn run_with_config(config: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run klachtenbus")
}

/// A simple RFC 5322 message.
pub fn mail(from: &str, to: &str, subject: &str, body: &str, id: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// `n` short customer mails, subjects "`subject` 0", "`subject` 1", …, Message-IDs
/// `<id_prefix>-<i>@example.test>`.
pub fn numbered_mails(n: usize, subject: &str, id_prefix: &str) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            mail(
                "klant@example.test",
                "klachten@example.test",
                &format!("{subject} {i}"),
                "tekst",
                &format!("{id_prefix}-{i}@example.test"),
            )
        })
        .collect()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// `cases --json`, parsed.
pub fn cases_json(kb: &Kb) -> Vec<serde_json::Value> {
    let out = kb.run(&["cases", "--json"]);
    assert!(out.status.success(), "cases failed: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("cases --json is JSON")
}

/// Stores `raw` as received at `at`, the way `import` does, without routing it: for tests
/// that give the register mail without a mailbox.
pub async fn store_unrouted(
    store: &Store,
    raw: &[u8],
    at: chrono::DateTime<chrono::Utc>,
) -> klachtenbus::store::Stored {
    use klachtenbus::store::{NewMessage, Origin};
    store
        .store_one(
            &NewMessage {
                parsed: klachtenbus::parse::parse(raw),
                size: raw.len() as u64,
                raw: raw.to_vec(),
                origin: Origin::Import,
                received_at: at,
            },
            at,
        )
        .await
        .expect("storing a message")
}
