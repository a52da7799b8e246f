use super::*;
use secrecy::ExposeSecret;
use std::io::Write;

fn with(pairs: &[(&str, &str)]) -> Settings {
    Settings::load_with_env(
        Some(&write_empty()),
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    )
    .unwrap()
}

fn write_empty() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kb-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("empty.toml");
    std::fs::File::create(&path).unwrap();
    path
}

const GOOD: &[(&str, &str)] = &[
    ("KLACHTENBUS__IMAP__HOST", "127.0.0.1"),
    ("KLACHTENBUS__IMAP__SECURITY", "none"),
    ("KLACHTENBUS__IMAP__USERNAME", "klachten"),
    ("KLACHTENBUS__IMAP__PASSWORD", "12345"),
];

#[test]
fn env_overrides_and_defaults_combine() {
    let mut pairs = GOOD.to_vec();
    pairs.push(("KLACHTENBUS__IMAP__PORT", "10143"));
    let imap = with(&pairs).imap().unwrap();
    assert_eq!(imap.port, 10143);
    assert_eq!(imap.folder, "INBOX");
    assert_eq!(imap.security, Security::None);
    // A numeric-looking password stays the exact text.
    assert_eq!(imap.password.expose_secret(), "12345");
    assert!(
        !format!("{imap:?}").contains("12345"),
        "secret leaked in Debug"
    );
}

#[test]
fn an_unknown_setting_is_named_with_the_nearest_real_one() {
    let load = |pairs: &[(&str, &str)], file: &str| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        std::fs::write(&path, file).unwrap();
        Settings::load_with_env(
            Some(&path),
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    };
    let err = load(&[], "[imap]\nhots = \"mail.example.nl\"\n").unwrap_err();
    assert_eq!(err.key(), Some("imap.hots"));
    assert_eq!(
        err.to_string(),
        "configuration: `imap.hots` is not a setting (did you mean `imap.host`?)"
    );
    let err = load(&[("KLACHTENBUS__SMTP__RETRY_FIRST_SEC", "5")], "").unwrap_err();
    assert_eq!(err.key(), Some("smtp.retry_first_sec"));
    assert!(err.to_string().contains("smtp.retry_first_secs"), "{err}");
    // A section that does not exist, and a key outside any section.
    let err = load(&[], "[imapp]\nhost = \"x\"\n").unwrap_err();
    assert_eq!(err.key(), Some("imapp.host"));
    let err = load(&[], "threshold = 2\n").unwrap_err();
    assert_eq!(err.key(), Some("threshold"));
    // Settings that are commented out in the defaults are real settings.
    let ok = load(
        &[],
        "[imap]\nprocessed_folder = \"Verwerkt\"\n[smtp]\nfrom = \"k@firma.nl\"\n",
    );
    assert!(ok.is_ok(), "{:?}", ok.err());
}

#[test]
fn missing_host_is_named() {
    let pairs: Vec<_> = GOOD[1..].to_vec();
    let err = with(&pairs).imap().unwrap_err();
    assert_eq!(err.key(), Some("imap.host"));
    assert!(err.to_string().contains("KLACHTENBUS__IMAP__HOST"));
}

#[test]
fn bad_port_is_named() {
    for bad in ["abc", "0", "70000", "-1", "1.5"] {
        let mut pairs = GOOD.to_vec();
        pairs.push(("KLACHTENBUS__IMAP__PORT", bad));
        let err = with(&pairs).imap().unwrap_err();
        assert_eq!(err.key(), Some("imap.port"), "port {bad:?}: {err}");
    }
}

#[test]
fn unknown_security_is_named() {
    let mut pairs = GOOD.to_vec();
    pairs[1] = ("KLACHTENBUS__IMAP__SECURITY", "ssl3");
    let err = with(&pairs).imap().unwrap_err();
    assert_eq!(err.key(), Some("imap.security"));
    assert!(err.to_string().contains("ssl3"));
}

#[test]
fn plaintext_refused_for_remote_host() {
    let mut pairs = GOOD.to_vec();
    pairs[0] = ("KLACHTENBUS__IMAP__HOST", "imap.example.nl");
    let err = with(&pairs).imap().unwrap_err();
    assert_eq!(err.key(), Some("imap.security"));
    for host in ["localhost", "127.0.0.2", "::1", "[::1]"] {
        assert!(is_loopback_host(host), "{host}");
    }
    assert!(!is_loopback_host("10.0.0.1"));
}

#[test]
fn file_layer_and_syntax_error_names_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.toml");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "[imap]\nhost = \"localhost\"\nport = 1143\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"").unwrap();
    let s = Settings::load_with_env(Some(&path), Vec::new()).unwrap();
    assert_eq!(s.imap().unwrap().port, 1143);

    std::fs::write(&path, "[imap\nhost=").unwrap();
    let err = Settings::load_with_env(Some(&path), Vec::new()).unwrap_err();
    assert!(err.to_string().contains("k.toml"), "{err}");

    let err = Settings::load_with_env(Some(&dir.path().join("nope.toml")), Vec::new()).unwrap_err();
    assert!(matches!(err, ConfigError::File { .. }));
}

#[test]
fn detection_and_addresses() {
    let s = with(&[
        ("KLACHTENBUS__DETECTION__THRESHOLD", "4.5"),
        (
            "KLACHTENBUS__DIRECTIE__ADDRESSES",
            "jan@firma.nl, els@firma.nl",
        ),
        ("KLACHTENBUS__SMTP__FROM", "klachten@firma.nl"),
    ]);
    assert_eq!(s.detection().unwrap().threshold, 4.5);
    // A financial firm by default; a firm with its own technicians says so.
    assert!(s.detection().unwrap().other_trades);
    let installer = with(&[("KLACHTENBUS__DETECTION__OTHER_TRADES", "false")]);
    assert!(!installer.detection().unwrap().other_trades);
    let s2 = with(&[("KLACHTENBUS__DETECTION__OTHER_TRADES", "soms")]);
    assert_eq!(
        s2.detection().unwrap_err().key(),
        Some("detection.other_trades")
    );
    let (own, dir) = s.screen_addresses().unwrap();
    assert_eq!(own, vec!["klachten@firma.nl"]);
    assert_eq!(dir, vec!["jan@firma.nl", "els@firma.nl"]);
    let s = with(&[("KLACHTENBUS__DETECTION__THRESHOLD", "hoog")]);
    assert_eq!(
        s.detection().unwrap_err().key(),
        Some("detection.threshold")
    );
    let s = with(&[("KLACHTENBUS__DIRECTIE__ADDRESSES", "jan at firma")]);
    assert_eq!(
        s.screen_addresses().unwrap_err().key(),
        Some("directie.addresses")
    );
}

#[test]
fn database_url_checked() {
    let s = with(&[("KLACHTENBUS__DATABASE__URL", "mysql://x")]);
    assert_eq!(s.database().unwrap_err().key(), Some("database.url"));
    let s = with(&[]);
    assert!(s.database().unwrap().url.starts_with("sqlite://"));
}

#[test]
fn a_logo_must_be_a_small_png_or_jpeg() {
    let dir = tempfile::tempdir().unwrap();
    let logo = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let config = dir.path().join("k.toml");
        std::fs::write(
            &config,
            format!(
                "[organisation]\nname = \"Firma\"\nlogo_file = \"{}\"\n",
                path.display()
            ),
        )
        .unwrap();
        Settings::load_with_env(Some(&config), std::iter::empty())
            .unwrap()
            .organisation()
    };
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/logo.png"
    ))
    .unwrap();
    let org = logo("logo.png", &png).unwrap();
    assert_eq!(org.logo.unwrap().content_type, "image/png");
    let org = logo("logo.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap();
    assert_eq!(org.logo.unwrap().content_type, "image/jpeg");
    for (name, bytes, why) in [
        ("logo.gif", b"GIF89a....".to_vec(), "not a PNG or JPEG"),
        (
            "big.png",
            [png.clone(), vec![0; Logo::MAX_BYTES]].concat(),
            "at most 512 KB",
        ),
    ] {
        let err = logo(name, &bytes).unwrap_err();
        assert_eq!(err.key(), Some("organisation.logo_file"));
        assert!(err.to_string().contains(why), "{err}");
    }
}

#[test]
fn a_database_url_prints_without_its_password() {
    use super::mail::{without_password, DatabaseSettings};
    for (url, shown) in [
        (
            "postgres://klachtenbus:s3cret@db.local:5432/register",
            "postgres://klachtenbus:***@db.local:5432/register",
        ),
        (
            "postgres://klachtenbus@db.local/register",
            "postgres://klachtenbus@db.local/register",
        ),
        (
            "sqlite:///var/lib/klachtenbus/register.sqlite",
            "sqlite:///var/lib/klachtenbus/register.sqlite",
        ),
        ("postgres://u:p%40ss@h/d", "postgres://u:***@h/d"),
    ] {
        assert_eq!(without_password(url), shown);
    }
    let settings = DatabaseSettings {
        url: "postgres://klachtenbus:s3cret@db.local/register".into(),
    };
    let debug = format!("{settings:?}");
    assert!(!debug.contains("s3cret"), "{debug}");
    assert!(debug.contains("klachtenbus:***@db.local"), "{debug}");
}
