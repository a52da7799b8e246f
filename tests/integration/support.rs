//! Running the `klachtenbus` binary against a test stack, and reading what it stored.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use klachtenbus::store::Store;

use crate::harness::{full_address, MailStack, PASSWORD};

pub const BIN: &str = env!("CARGO_BIN_EXE_klachtenbus");

/// One klachtenbus installation: a working folder with its config file and database.
pub struct Kb {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub db_url: String,
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
        let config = dir.path().join("klachtenbus.toml");
        std::fs::write(&config, toml).unwrap();
        Kb {
            dir,
            config,
            db_url,
        }
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--config")
            .arg(&self.config)
            .current_dir(self.dir.path());
        cmd.env_remove("RUST_LOG");
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
