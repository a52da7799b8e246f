//! `scripts/fit-learned.py`: the learned weights refitted with a firm's own judged mail among
//! the corpora, and judged on the firm's newest mail. The firm's mail here is a written
//! corpus's tuning half laid out as `klachtenbus corpus` writes it (`bericht-<id>.eml` and a
//! `labels.jsonl`); a small fit (two corpora, one draw of the folds) keeps the test short.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::BIN;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The corpus whose tuning half plays the firm's judged mail, and whose configuration the
/// firm's.
const FIRM: &str = "tests/fixtures/corpus5";

/// The Python with numpy, scipy and scikit-learn that scripts/test.sh installs.
fn python() -> String {
    std::env::var("KLACHTENBUS_REFERENCE_PYTHON").expect(
        "KLACHTENBUS_REFERENCE_PYTHON is not set: run the tests with scripts/test.sh, which \
         installs the pinned Python packages the fitting scripts need",
    )
}

/// The labels of a labelled folder: (file, complaint, class).
fn labels(dir: &Path) -> Vec<(String, bool, String)> {
    std::fs::read_to_string(dir.join("labels.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["file"].as_str().unwrap().to_string(),
                v["complaint"].as_bool().unwrap(),
                v["class"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The first `n` mails of the firm's corpus (all when `None`), in `dir` as `bericht-<id>.eml`
/// numbered 1, 2, … in the order of their file names; their labels, in that order.
fn own_corpus(dir: &Path, n: Option<usize>) -> Vec<(String, bool, String)> {
    let source = Path::new(ROOT).join(FIRM).join("tune");
    let mut all = labels(&source);
    all.sort();
    all.truncate(n.unwrap_or(all.len()));
    std::fs::create_dir_all(dir).unwrap();
    let mut out = String::new();
    let mut written = Vec::new();
    for (i, (file, complaint, class)) in all.into_iter().enumerate() {
        let name = format!("bericht-{}.eml", i + 1);
        std::fs::copy(source.join(&file), dir.join(&name)).unwrap();
        out.push_str(
            &serde_json::json!({"file": name, "complaint": complaint, "class": class}).to_string(),
        );
        out.push('\n');
        written.push((name, complaint, class));
    }
    std::fs::write(dir.join("labels.jsonl"), out).unwrap();
    written
}

/// scripts/fit-learned.py with `args`, the small fit's corpora and this build's binary; its
/// temporary files in `tmp`.
fn fit(tmp: &Path, args: &[&str]) -> Output {
    Command::new(python())
        .arg(Path::new(ROOT).join("scripts/fit-learned.py"))
        .args(args)
        .args([
            "--corpora",
            "corpus2",
            "corpus3",
            "--repeats",
            "1",
            "--bin",
            BIN,
        ])
        .env("TMPDIR", tmp)
        .env_remove("KLACHTENBUS__DETECTION__LEXICON_DIR")
        .current_dir(ROOT)
        .output()
        .expect("run scripts/fit-learned.py")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// (complaints caught, missed, others flagged) of `eval` on `dir` with the firm's
/// configuration, with `lexicon_dir` in effect when given.
fn eval(dir: &Path, lexicon_dir: Option<&Path>) -> (u32, u32, u32) {
    let mut cmd = Command::new(BIN);
    cmd.args(["--config", &format!("{ROOT}/{FIRM}/klachtenbus.toml")])
        .args(["--lang", "nl", "eval"])
        .arg(dir)
        .env_remove("KLACHTENBUS__DETECTION__LEXICON_DIR");
    if let Some(lex) = lexicon_dir {
        cmd.env("KLACHTENBUS__DETECTION__LEXICON_DIR", lex);
    }
    let out = cmd.output().unwrap();
    let stdout = text(&out.stdout);
    let row = |name: &str| -> (u32, u32) {
        let line = stdout
            .lines()
            .find(|l| {
                l.strip_prefix(name).is_some_and(|rest| {
                    rest.starts_with(" ") && rest.split_whitespace().count() == 2
                })
            })
            .unwrap_or_else(|| panic!("no row {name:?} in eval's output:\n{stdout}"));
        let mut n = line[name.len()..]
            .split_whitespace()
            .map(|x| x.parse().unwrap());
        (n.next().unwrap(), n.next().unwrap())
    };
    let (caught, missed) = row("klacht");
    let (flagged, _) = row("geen klacht");
    (caught, missed, flagged)
}

/// What the script prints for the newest mails on the line that says `which`: complaints
/// missed, others flagged, recall and F1.
fn printed(stdout: &str, which: &str) -> (u32, u32, f64, f64) {
    let line = stdout
        .lines()
        .find(|l| l.contains(&format!("mails, {which}: ")))
        .unwrap_or_else(|| panic!("no line for {which:?}:\n{stdout}"));
    let number = |after: &str| -> f64 {
        let at = line.find(after).unwrap() + after.len();
        line[at..]
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (
        number("(") as u32,
        number("missed, ") as u32,
        number("recall "),
        number("F1 "),
    )
}

#[test]
fn a_refit_with_the_firm_s_own_mail_is_written_and_judged_on_its_newest_mail() {
    let tmp = tempfile::tempdir().unwrap();
    let own = tmp.path().join("own");
    let mail = own_corpus(&own, None);
    let out = tmp.path().join("lexicon-nieuw");
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let before: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&own)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();

    let config = format!("{ROOT}/{FIRM}/klachtenbus.toml");
    let done = fit(
        &work,
        &[
            "--own",
            own.to_str().unwrap(),
            "--config",
            &config,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let stdout = text(&done.stdout);
    assert!(done.status.success(), "{stdout}\n{}", text(&done.stderr));

    // The newest 40 % by register id were kept out of the fit; the rest was fitted on.
    let kept = (mail.len() as f64 * 0.4).round() as usize;
    let (older, newest) = mail.split_at(mail.len() - kept);
    let complaints = |part: &[(String, bool, String)]| part.iter().filter(|m| m.1).count();
    assert!(
        stdout.contains(&format!(
            "the firm's mail: {} complaints and {} others fitted on (weight 3); {} complaints and {} others kept to judge",
            complaints(older),
            older.len() - complaints(older),
            complaints(newest),
            newest.len() - complaints(newest),
        )),
        "{stdout}"
    );

    // The folder written, readable by its owner only: the shipped lexicon files and a
    // learned file fitted now.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for file in ["nl.toml", "en.toml"] {
        assert_eq!(
            std::fs::read(out.join(file)).unwrap(),
            std::fs::read(Path::new(ROOT).join("lexicon").join(file)).unwrap(),
            "{file}"
        );
    }
    let learned = std::fs::read_to_string(out.join("learned.tsv")).unwrap();
    assert!(
        learned.lines().any(|l| l.starts_with("@basis\t")),
        "no @basis"
    );
    let phrases = learned
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('@') && l.contains('\t'))
        .count();
    assert!(phrases > 1000, "{phrases} phrases");
    assert_ne!(
        learned,
        std::fs::read_to_string(Path::new(ROOT).join("lexicon/learned.tsv")).unwrap()
    );

    // What the script says of the newest mails is what `eval` says of them, with the
    // configuration's detector and with the folder written.
    let newest_dir = tmp.path().join("newest");
    std::fs::create_dir(&newest_dir).unwrap();
    let mut newest_labels = String::new();
    for (name, complaint, class) in newest {
        std::fs::copy(own.join(name), newest_dir.join(name)).unwrap();
        newest_labels.push_str(
            &serde_json::json!({"file": name, "complaint": complaint, "class": class}).to_string(),
        );
        newest_labels.push('\n');
    }
    std::fs::write(newest_dir.join("labels.jsonl"), newest_labels).unwrap();
    let configured = eval(&newest_dir, None);
    let refit = eval(&newest_dir, Some(&out));
    let said_configured = printed(&stdout, "as configured");
    let said_refit = printed(&stdout, "refit");
    assert_eq!(
        (said_configured.0, said_configured.1),
        (configured.1, configured.2),
        "{stdout}"
    );
    assert_eq!((said_refit.0, said_refit.1), (refit.1, refit.2), "{stdout}");
    // And it recommends the refit only when its recall is not lower and its F1 higher.
    let better = said_refit.2 >= said_configured.2 && said_refit.3 > said_configured.3;
    let use_line = format!(
        "the refit does better on them: set detection.lexicon_dir = \"{}\" to use it",
        out.display()
    );
    assert_eq!(stdout.contains(&use_line), better, "{stdout}");
    assert_eq!(
        stdout.contains("the refit does no better on them: keep the detector as configured"),
        !better,
        "{stdout}"
    );

    // The firm's folder is as it was, and the work folder with its copy of the mail is gone.
    for (path, bytes) in before {
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{}", path.display());
    }
    assert_eq!(std::fs::read_dir(&own).unwrap().count(), mail.len() + 1);
    assert_eq!(
        std::fs::read_dir(&work).unwrap().count(),
        0,
        "the work folder was left behind"
    );
}

#[test]
fn a_refit_is_refused_with_a_reason_and_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let config = format!("{ROOT}/{FIRM}/klachtenbus.toml");
    let refused = |args: &[&str], reason: &str| {
        let done = fit(&work, args);
        let stderr = text(&done.stderr);
        assert!(!done.status.success(), "{args:?} was not refused");
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    };

    // Too little judged mail to learn from and to judge by: 12 mails.
    let few = tmp.path().join("few");
    own_corpus(&few, Some(12));
    let out = tmp.path().join("out");
    refused(
        &[
            "--own",
            few.to_str().unwrap(),
            "--config",
            &config,
            "--out",
            out.to_str().unwrap(),
        ],
        "at least 5 of each are needed in both parts",
    );
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().count() == 0);

    // The firm's mail without the firm's configuration.
    let own = tmp.path().join("own");
    own_corpus(&own, None);
    refused(
        &[
            "--own",
            own.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        "--own needs --config",
    );

    // A folder that is not a corpus.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    refused(
        &[
            "--own",
            empty.to_str().unwrap(),
            "--config",
            &config,
            "--out",
            out.to_str().unwrap(),
        ],
        "no labels.jsonl",
    );

    // An output folder that holds something already is left as it is.
    let full = tmp.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("nl.toml"), "# mine").unwrap();
    refused(
        &[
            "--own",
            own.to_str().unwrap(),
            "--config",
            &config,
            "--out",
            full.to_str().unwrap(),
        ],
        "exists and is not an empty folder",
    );
    assert_eq!(
        std::fs::read_to_string(full.join("nl.toml")).unwrap(),
        "# mine"
    );
    assert_eq!(std::fs::read_dir(&work).unwrap().count(), 0);
}
