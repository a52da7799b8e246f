//! OAuth2 (SASL XOAUTH2) against real servers: Debian's glewlwyd issues the tokens, Dovecot
//! validates them by introspection, Postfix takes SASL from Dovecot. The service mailbox
//! `klachten@example.test` cannot log in with a password at all.

use std::time::Duration;

use crate::cases::{complaint, settle};
use crate::harness::{MailStack, TokenServer, OAUTH_CLIENT, OAUTH_SECRET};
use crate::support::{cases_json, stderr, Kb, DIRECTIE};

const WAIT: Duration = Duration::from_secs(60);

/// An installation reading `user`'s mailbox and sending as `user`, both with OAuth2
/// (`oauth2` is the body of the `[oauth2]` section).
fn oauth_kb(stack: &MailStack, user: &str, oauth2: &str) -> Kb {
    let mut kb = Kb::new(
        stack,
        user,
        "auth = \"oauth2\"\nidle = true\npoll_interval_secs = 3600",
        &format!("[oauth2]\n{oauth2}\n"),
    );
    kb.env.extend([
        ("KLACHTENBUS__SMTP__AUTH".to_string(), "oauth2".to_string()),
        (
            "KLACHTENBUS__SMTP__USERNAME".to_string(),
            crate::harness::full_address(user),
        ),
    ]);
    kb
}

fn generic(tokens: &TokenServer, flow: &str) -> String {
    format!(
        "provider = \"generic\"\nflow = \"{flow}\"\ntoken_url = \"{}\"\nclient_id = \"{OAUTH_CLIENT}\"\nclient_secret = \"{OAUTH_SECRET}\"\nscopes = \"mail\"",
        tokens.token_url()
    )
}

async fn send_complaint(stack: &MailStack, to_user: &str, i: usize) {
    let from = format!("klant{i}@example.test");
    stack
        .send(
            &from,
            &[&crate::harness::full_address(to_user)],
            &complaint(
                &from,
                &format!("Klacht {i}"),
                &format!("oauth-{i}@example.test"),
            ),
        )
        .await;
}

/// App-only access (client credentials): `sync` reads the mailbox and the notification goes
/// out over SMTP with AUTH XOAUTH2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_read_the_mailbox_and_send_with_xoauth2() {
    let tokens = TokenServer::start(300);
    let stack = MailStack::start_oauth2(&tokens);
    // A client-credentials token opens the mailbox named after the client.
    let user = OAUTH_CLIENT;
    let kb = oauth_kb(&stack, user, &generic(&tokens, "client_credentials"));
    send_complaint(&stack, user, 0).await;
    stack.wait_for_count(user, "INBOX", 1, WAIT).await;
    let out = kb.sync();
    assert!(out.contains("1 opgeslagen"), "{out}");
    assert!(out.contains("1 geopend"), "{out}");
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;
    let log = stack.postfix_log();
    assert!(
        log.contains("sasl_method=XOAUTH2"),
        "the notification went out with XOAUTH2:\n{log}"
    );
}

/// Delegated access with a stored refresh token, on a mailbox that refuses passwords; access
/// tokens live five seconds, so the running daemon must fetch new ones as it goes, and loses
/// no message; a revoked refresh token stops `sync` with a clear error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_keeps_a_daemon_going_and_a_revoked_one_is_named() {
    let tokens = TokenServer::start(5);
    tokens.add_user("klachten", "klachten-pw");
    let stack = MailStack::start_oauth2(&tokens);
    let user = "klachten";

    // The server refuses this mailbox a password login.
    let kb_password = Kb::new(&stack, user, "", "");
    let out = kb_password.run(&["sync"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("login refused"), "{}", stderr(&out));

    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("oauth2-token.json");
    let kb = oauth_kb(
        &stack,
        user,
        &format!(
            "{}\ntoken_file = \"{}\"",
            generic(&tokens, "refresh_token"),
            token_file.display()
        ),
    );
    // No refresh token stored yet: refused before any database is created.
    let out = kb.run(&["sync"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("oauth2.token_file") && stderr(&out).contains("klachtenbus login"),
        "{}",
        stderr(&out)
    );
    assert!(!kb.path("data/klachtenbus.sqlite").exists());
    let (_, refresh) = tokens.password_grant(user, "klachten-pw");
    klachtenbus::oauth::write_refresh_token(&token_file, &refresh).unwrap();
    let (daemon, log) = crate::hardening::spawn_run(&kb, "run");
    crate::hardening::wait_for_log(&log, "watching mailbox", WAIT).await;
    for i in 0..3 {
        send_complaint(&stack, user, i).await;
        stack
            .wait_for_count(DIRECTIE, "INBOX", i as u32 + 1, WAIT)
            .await;
        // Past the token's lifetime before the next one.
        tokio::time::sleep(Duration::from_secs(6)).await;
    }
    settle(&stack).await;
    crate::hardening::stop(daemon);
    assert_eq!(cases_json(&kb).len(), 3, "no message lost");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(&refresh), "no token in the log");

    // Every refresh gave a new refresh token (one use each), and the daemon saved it.
    let current = std::fs::read_to_string(&token_file).unwrap();
    let current: serde_json::Value = serde_json::from_str(&current).unwrap();
    let current = current["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(current, refresh, "the rotated refresh token was saved");
    assert!(!text.contains(&current), "no token in the log");
    tokens.revoke(&current, "refresh_token");
    let out = kb.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("refused") && err.contains("store a new one in oauth2.token_file"),
        "{err}"
    );
    assert!(!err.contains(&refresh), "no token in the error");
}

/// `oauth2.token_command`: whatever prints a token (here curl against the token server).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_command_supplies_the_token() {
    let tokens = TokenServer::start(300);
    tokens.add_user("klachten", "klachten-pw");
    let stack = MailStack::start_oauth2(&tokens);
    let user = "klachten";
    // Any arrangement that prints a token: here curl with the password grant.
    let command = format!(
        "curl -s -u {OAUTH_CLIENT}:{OAUTH_SECRET} -d grant_type=password -d scope=mail -d username=klachten -d password=klachten-pw {} | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'",
        tokens.token_url()
    );
    let kb = oauth_kb(
        &stack,
        user,
        &format!("token_command = \"{}\"", command.replace('"', "\\\"")),
    );
    send_complaint(&stack, user, 0).await;
    // The mailbox takes no password, so the harness cannot count it: let Postfix deliver.
    settle(&stack).await;
    let out = kb.sync();
    assert!(
        out.contains("1 opgeslagen") && out.contains("1 geopend"),
        "{out}"
    );
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;
}

/// `klachtenbus login`: the device-code flow stores the refresh token (0600) that `sync`
/// then uses. The approval is given through glewlwyd's own login API, as a person would in
/// the browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_stores_a_refresh_token_by_the_device_code_flow() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::PermissionsExt;
    let tokens = TokenServer::start(300);
    tokens.add_user("klachten", "klachten-pw");
    let stack = MailStack::start_oauth2(&tokens);
    let user = "klachten";
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("oauth2-token.json");
    let api = format!("http://127.0.0.1:{}/api", tokens.port);
    let kb = oauth_kb(
        &stack,
        user,
        &format!(
            "{}\ntoken_file = \"{}\"\ndevice_url = \"{api}/oidc/device_authorization/\"",
            generic(&tokens, "refresh_token"),
            token_file.display()
        ),
    );
    let mut login = kb
        .command()
        .arg("login")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(login.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let code = first
        .split("voer de code ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no code in {first:?}"))
        .to_string();
    assert!(first.starts_with("Open http://127.0.0.1:"), "{first}");

    // The person logs in at the token server and approves the device.
    let cookies = dir.path().join("cookies");
    let curl = |args: &[&str]| {
        let out = std::process::Command::new("curl")
            .arg("-s")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "curl {args:?}");
    };
    curl(&[
        "-c",
        cookies.to_str().unwrap(),
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"username":"klachten","password":"klachten-pw"}"#,
        &format!("{api}/auth/"),
    ]);
    curl(&[
        "-b",
        cookies.to_str().unwrap(),
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"scope":"mail"}"#,
        &format!("{api}/auth/grant/{OAUTH_CLIENT}"),
    ]);
    curl(&[
        "-b",
        cookies.to_str().unwrap(),
        "-o",
        "/dev/null",
        &format!("{api}/oidc/device?code={code}&g_continue"),
    ]);
    let status = login.wait().unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(status.success(), "login: {rest:?}");
    assert!(
        rest.iter()
            .any(|l| l.starts_with("refresh token opgeslagen in")),
        "{rest:?}"
    );
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    send_complaint(&stack, user, 0).await;
    settle(&stack).await;
    let out = kb.sync();
    assert!(
        out.contains("1 opgeslagen") && out.contains("1 geopend"),
        "{out}"
    );
}
