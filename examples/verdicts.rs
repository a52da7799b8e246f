//! Every verdict the built-in detector gives on the project's corpora, one JSON line per
//! mail and context, so that two builds can be compared verdict by verdict (a change meant
//! to make detection faster must leave every line the same):
//!
//!     cargo run --release --example verdicts > /tmp/before.jsonl
//!     # change, rebuild
//!     cargo run --release --example verdicts > /tmp/after.jsonl
//!     cmp /tmp/before.jsonl /tmp/after.jsonl
//!
//! Each mail of `tests/fixtures/corpus/` and of every split corpus's `tune/` and `test/` is
//! judged twice: by the built-in detector with no firm named, and as `eval` judges it with
//! the corpus's own `klachtenbus.toml` (its firm, addresses and detection settings).

use std::path::{Path, PathBuf};

use klachtenbus::config::Settings;
use klachtenbus::detect::{Detector, ScreenContext};
use klachtenbus::parse::parse;
use klachtenbus::startup::detector;

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
}

/// The detector and context a corpus's own `klachtenbus.toml` gives, as `eval` uses them
/// (the environment left out).
fn firm(corpus: &Path) -> Option<(Detector, ScreenContext)> {
    let path = corpus.join("klachtenbus.toml");
    if !path.exists() {
        return None;
    }
    let settings = Settings::load_with_env(Some(&path), std::iter::empty())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(detector(&settings).unwrap_or_else(|e| panic!("{}: {e:#}", path.display())))
}

fn main() {
    let plain = Detector::new(3.0, None).expect("the built-in lexicons");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut corpora: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .expect("tests/fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("corpus"))
        })
        .collect();
    corpora.sort();
    let none = ScreenContext::default();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for corpus in &corpora {
        let own = firm(corpus);
        let mut paths = eml_files(corpus);
        paths.extend(eml_files(&corpus.join("tune")));
        paths.extend(eml_files(&corpus.join("test")));
        for path in paths {
            let mail = parse(&std::fs::read(&path).expect("a corpus mail"));
            let name = path.strip_prefix(&fixtures).unwrap_or(&path).display();
            let firm = own.as_ref().map(|(d, c)| (d, c));
            for (context, judge) in [("none", Some((&plain, &none))), ("firm", firm)] {
                let Some((detector, ctx)) = judge else {
                    continue;
                };
                let verdict = detector.classify(&mail, ctx);
                use std::io::Write;
                writeln!(
                    out,
                    "{{\"mail\":\"{name}\",\"context\":\"{context}\",\"verdict\":{}}}",
                    serde_json::to_string(&verdict).expect("a verdict as JSON")
                )
                .expect("standard output");
            }
        }
    }
}
