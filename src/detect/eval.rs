//! `eval <dir>`: precision, recall and F1 of the detector over a labelled corpus: `.eml`
//! files with a `labels.jsonl` beside them, one line per file:
//! `{"file": "001.eml", "complaint": true, "class": "waiting"}` (`class` is optional and
//! gives per-class figures; further keys, such as a note, are ignored).

use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use super::{Detector, Language, ScreenContext, Verdict};
use crate::cli::labels::{self, t};
use crate::parse::{parse_message_or_text, ParsedMail};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} line {line}: {reason}")]
    Label {
        path: String,
        line: usize,
        reason: String,
    },
    #[error("{0}: no labelled messages")]
    Empty(String),
}

#[derive(Debug, Deserialize)]
struct Label {
    file: String,
    complaint: bool,
    #[serde(default)]
    class: Option<String>,
}

/// How the detector did on one class of the corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassScore {
    /// Whether the class holds complaints.
    pub complaint: bool,
    pub total: usize,
    /// Judged as labelled (flagged for complaints, not flagged otherwise).
    pub correct: usize,
}

#[derive(Debug, Clone)]
pub struct Miss {
    pub file: String,
    pub expected: bool,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub true_pos: usize,
    pub false_pos: usize,
    pub true_neg: usize,
    pub false_neg: usize,
    pub misses: Vec<Miss>,
    /// Per class, by name (labels with a `class`).
    pub classes: std::collections::BTreeMap<String, ClassScore>,
    /// Files with no header, read as the text of a message without one
    /// ([`crate::parse::parse_message_or_text`]).
    pub read_as_text: usize,
    /// Complaints not flagged but in the doubt band: directie's digest lists them.
    pub doubt_complaints: usize,
    /// Other mails in the doubt band.
    pub doubt_others: usize,
}

impl EvalReport {
    pub fn total(&self) -> usize {
        self.true_pos + self.false_pos + self.true_neg + self.false_neg
    }

    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }

    /// The share of complaints that directie sees: flagged, or listed among the doubtful
    /// mails of the digest.
    pub fn recall_with_doubt(&self) -> f64 {
        ratio(
            self.true_pos + self.doubt_complaints,
            self.true_pos + self.false_neg,
        )
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// The figures, the per-class table and every miss with its signals, in `lang`.
    pub fn render(&self, lang: Language) -> String {
        let mut out = self.render_figures(lang);
        for m in &self.misses {
            render_miss(&mut out, m, lang);
        }
        out
    }

    /// The figures and the per-class table, without the misses: for a held-out half whose
    /// misses nobody tuning the lexicons should read.
    pub fn render_figures(&self, lang: Language) -> String {
        let mut out = String::new();
        match lang {
            Language::Nl => {
                let _ = writeln!(out, "berichten: {}", self.total());
                if self.read_as_text > 0 {
                    let _ = writeln!(
                        out,
                        "waarvan zonder kopregels, als tekst gelezen: {}",
                        self.read_as_text
                    );
                }
                let _ = writeln!(out, "precisie:  {}", figure(lang, self.precision()));
                let _ = writeln!(out, "recall:    {}", figure(lang, self.recall()));
                let _ = writeln!(out, "F1:        {}", figure(lang, self.f1()));
                let _ = writeln!(out);
                let _ = writeln!(out, "                  gesignaleerd   niet gesignaleerd");
                let _ = writeln!(
                    out,
                    "klacht            {:>12}   {:>17}",
                    self.true_pos, self.false_neg
                );
                let _ = writeln!(
                    out,
                    "geen klacht       {:>12}   {:>17}",
                    self.false_pos, self.true_neg
                );
                let _ = writeln!(out);
                let _ = writeln!(
                    out,
                    "twijfelband (niet gesignaleerd, wel in het overzicht voor de directie): \
                     {} van de {} gemiste klachten, {} andere berichten",
                    self.doubt_complaints, self.false_neg, self.doubt_others
                );
                let _ = writeln!(
                    out,
                    "recall met de twijfelband: {}",
                    figure(lang, self.recall_with_doubt())
                );
            }
            Language::En => {
                let _ = writeln!(out, "messages:  {}", self.total());
                if self.read_as_text > 0 {
                    let _ = writeln!(
                        out,
                        "of which with no header, read as text: {}",
                        self.read_as_text
                    );
                }
                let _ = writeln!(out, "precision: {:.3}", self.precision());
                let _ = writeln!(out, "recall:    {:.3}", self.recall());
                let _ = writeln!(out, "F1:        {:.3}", self.f1());
                let _ = writeln!(out);
                let _ = writeln!(out, "                    flagged   not flagged");
                let _ = writeln!(
                    out,
                    "complaint         {:>9}   {:>11}",
                    self.true_pos, self.false_neg
                );
                let _ = writeln!(
                    out,
                    "not a complaint   {:>9}   {:>11}",
                    self.false_pos, self.true_neg
                );
                let _ = writeln!(out);
                let _ = writeln!(
                    out,
                    "doubt band (not flagged, but listed for directie): {} of the {} missed \
                     complaints, {} other messages",
                    self.doubt_complaints, self.false_neg, self.doubt_others
                );
                let _ = writeln!(
                    out,
                    "recall with the doubt band: {:.3}",
                    self.recall_with_doubt()
                );
            }
        }
        if !self.classes.is_empty() {
            let _ = writeln!(out);
            // As wide as the longest class name (a firm's own corpus names its own).
            let width = self
                .classes
                .keys()
                .map(|name| name.chars().count())
                .max()
                .unwrap_or(0)
                .max(16);
            let _ = writeln!(
                out,
                "{:<width$}  {}",
                t(lang, "klasse", "class"),
                t(
                    lang,
                    "soort      n    goed  ratio",
                    "label      n   right   rate"
                )
            );
            for (name, c) in &self.classes {
                let rate = format!("{:.2}", ratio(c.correct, c.total));
                let rate = match lang {
                    Language::Nl => rate.replace('.', ","),
                    Language::En => rate,
                };
                let _ = writeln!(
                    out,
                    "{:<width$}  {:<7} {:>4}   {:>5}  {:>5}",
                    name,
                    if c.complaint { "klacht" } else { "geen" },
                    c.total,
                    c.correct,
                    rate
                );
            }
        }
        out
    }
}

/// A figure of `eval` (precision, recall, F1) to three decimals: "0,950" in Dutch,
/// "0.950" in English.
pub fn figure(lang: Language, x: f64) -> String {
    let s = format!("{x:.3}");
    match lang {
        Language::Nl => s.replace('.', ","),
        Language::En => s,
    }
}

/// A score, threshold or weight as written: "7,5" in Dutch, "7.5" in English.
pub fn number(lang: Language, x: f64) -> String {
    let s = x.to_string();
    match lang {
        Language::Nl => s.replace('.', ","),
        Language::En => s,
    }
}

fn render_miss(out: &mut String, m: &Miss, lang: Language) {
    let _ = writeln!(out);
    let screened = m
        .verdict
        .screened
        .map(|r| {
            format!(
                ", {}: {}",
                t(lang, "uitgefilterd", "screened"),
                match lang {
                    Language::Nl => labels::screened(lang, r.as_str()),
                    Language::En => r.as_str().to_string(),
                }
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} {}: score {} ({} {}), {} {}{screened}",
        match (m.expected, lang) {
            (true, Language::Nl) => "GEMIST",
            (true, Language::En) => "MISSED",
            (false, Language::Nl) => "TEN ONRECHTE GESIGNALEERD",
            (false, Language::En) => "FALSE FLAG",
        },
        m.file,
        number(lang, m.verdict.score),
        t(lang, "drempel", "threshold"),
        number(lang, m.verdict.threshold),
        t(lang, "taal", "language"),
        m.verdict.language.as_str(),
    );
    for s in &m.verdict.signals {
        let _ = writeln!(
            out,
            "    {:<18} {:>5}  {:?}",
            s.criterion,
            number(lang, s.weight),
            s.phrase
        );
    }
    for i in &m.verdict.ignored {
        let _ = writeln!(
            out,
            "    ({}: {}) {:?}",
            t(lang, "genegeerd", "ignored"),
            i.reason,
            i.phrase
        );
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

pub fn evaluate(
    dir: &Path,
    detector: &Detector,
    ctx: &ScreenContext,
) -> Result<EvalReport, EvalError> {
    let mut report = EvalReport::default();
    let (shown, read_as_text) = for_each_labelled(dir, detector, ctx, |label, _mail, verdict| {
        if let Some(class) = &label.class {
            let c = report.classes.entry(class.clone()).or_default();
            c.complaint = label.complaint;
            c.total += 1;
            c.correct += usize::from(label.complaint == verdict.complaint);
        }
        match (label.complaint, verdict.complaint) {
            (true, true) => report.true_pos += 1,
            (false, false) => report.true_neg += 1,
            (true, false) => report.false_neg += 1,
            (false, true) => report.false_pos += 1,
        }
        if !verdict.complaint && verdict.doubt {
            if label.complaint {
                report.doubt_complaints += 1;
            } else {
                report.doubt_others += 1;
            }
        }
        if label.complaint != verdict.complaint {
            report.misses.push(Miss {
                file: label.file,
                expected: label.complaint,
                verdict,
            });
        }
    })?;
    report.read_as_text = read_as_text;
    if report.total() == 0 {
        return Err(EvalError::Empty(shown));
    }
    Ok(report)
}

/// What a weight fit needs of one labelled mail: per lexicon family, the sum of its
/// signals' weights divided by the family's weight in the lexicon (1 per plain match; an
/// intensifier or a third-party target scales it), and how many of the four criteria fired.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeatureRow {
    pub file: String,
    pub complaint: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub language: super::Language,
    /// Screened mails are never flagged, whatever their signals.
    pub screened: bool,
    pub features: std::collections::BTreeMap<String, f64>,
    pub criteria: usize,
    pub score: f64,
    /// The score without the learned phrases' signal ([`super::learned`]), before it is
    /// held at 0 or more.
    pub lexicon_score: f64,
    /// The weight of the learned phrases' signal (0 without one).
    pub learned: f64,
    /// The normalised words judged, for a fit of the learned phrases.
    pub words: String,
    /// A colleague wrote it: the sender is at one of the firm's own domains
    /// ([`super::colleague_domain`]).
    pub colleague: bool,
    /// How many matches were set aside, by reason (ander_doel, ontkenning, medisch, …).
    pub ignored: std::collections::BTreeMap<String, usize>,
    /// It declares a complaint to the firm in so many words (the declaration rule): the
    /// learned phrases do not count against it.
    pub declared: bool,
    /// The short-text rule may judge it with the learned weights when it is shorter than
    /// `@min_woorden` ([`Detector::short_rule_open`]).
    pub short_rule: bool,
}

/// One [`FeatureRow`] per labelled mail of `dir`, in the order of its `labels.jsonl`.
pub fn feature_rows(
    dir: &Path,
    detector: &Detector,
    ctx: &ScreenContext,
) -> Result<Vec<FeatureRow>, EvalError> {
    let mut rows = Vec::new();
    for_each_labelled(dir, detector, ctx, |label, mail, verdict| {
        let lex = detector.lexicon(verdict.language);
        let (learned, lexical): (Vec<_>, Vec<_>) = verdict
            .signals
            .iter()
            .cloned()
            .partition(|s| s.family == super::learned::FAMILY);
        let mut features = std::collections::BTreeMap::new();
        let mut criteria = std::collections::BTreeSet::new();
        for s in &lexical {
            // Units: the signal's weight over the weight per unit in effect.
            let base = detector.unit_weight(lex, &s.family).unwrap_or(s.weight);
            if base != 0.0 {
                *features.entry(s.family.clone()).or_insert(0.0) += s.weight / base;
            }
            if s.for_a_criterion() {
                criteria.insert(s.criterion.clone());
            }
        }
        let mut ignored = std::collections::BTreeMap::new();
        for i in &verdict.ignored {
            *ignored.entry(i.reason.clone()).or_insert(0) += 1;
        }
        rows.push(FeatureRow {
            ignored,
            file: label.file,
            complaint: label.complaint,
            class: label.class,
            language: verdict.language,
            screened: verdict.screened.is_some(),
            features,
            criteria: criteria.len(),
            score: verdict.score,
            lexicon_score: super::round2(super::total_unclamped(detector.scoring(lex), &lexical)),
            learned: learned.iter().map(|s| s.weight).sum::<f64>() + 0.0,
            colleague: super::colleague_domain(mail, ctx).is_some(),
            declared: detector
                .declaration(
                    mail.subject.as_deref(),
                    mail.body_text.as_deref().unwrap_or(""),
                    ctx.organisation.as_deref(),
                )
                .is_some(),
            words: detector.judged_words(
                mail.subject.as_deref(),
                mail.body_text.as_deref().unwrap_or(""),
            ),
            short_rule: detector.short_rule_open(
                mail.subject.as_deref(),
                mail.body_text.as_deref().unwrap_or(""),
                verdict.language,
                super::calendar_answer(mail),
                &verdict.ignored,
            ),
        });
    })?;
    Ok(rows)
}

/// Reads `dir/labels.jsonl` and judges every file it names, a file with no header as the
/// text of a message ([`crate::parse::parse_message_or_text`]); returns the labels file's
/// name and how many files were read as text.
fn for_each_labelled(
    dir: &Path,
    detector: &Detector,
    ctx: &ScreenContext,
    mut each: impl FnMut(Label, &ParsedMail, Verdict),
) -> Result<(String, usize), EvalError> {
    let labels_path = dir.join("labels.jsonl");
    let shown = labels_path.display().to_string();
    let mut read_as_text = 0;
    let text = std::fs::read_to_string(&labels_path).map_err(|source| EvalError::Read {
        path: shown.clone(),
        source,
    })?;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label: Label = serde_json::from_str(line).map_err(|e| EvalError::Label {
            path: shown.clone(),
            line: n + 1,
            reason: e.to_string(),
        })?;
        let path = dir.join(&label.file);
        let raw = std::fs::read(&path).map_err(|source| EvalError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let (mut mail, text) = parse_message_or_text(&raw);
        if text {
            read_as_text += 1;
        } else {
            crate::documents::read_into(&mut mail, &raw);
        }
        let verdict = detector.classify(&mail, ctx);
        each(label, &mail, verdict);
    }
    Ok((shown, read_as_text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_class_table_is_as_wide_as_its_longest_class_name() {
        let mut report = EvalReport::default();
        for (name, complaint, total, correct) in [
            ("herkend", true, 3, 3),
            ("niet_gesignaleerd_door_de_detector", false, 12, 11),
        ] {
            report.classes.insert(
                name.to_string(),
                ClassScore {
                    complaint,
                    total,
                    correct,
                },
            );
        }
        for lang in [Language::Nl, Language::En] {
            let text = report.render_figures(lang);
            let table: Vec<&str> = text
                .lines()
                .skip_while(|l| !l.starts_with(t(lang, "klasse", "class")))
                .collect();
            assert_eq!(table.len(), 3, "{text}");
            // The label column starts at the same place on every line.
            let at = table[0].find(t(lang, "soort", "label")).unwrap();
            assert_eq!(at, "niet_gesignaleerd_door_de_detector".len() + 2, "{text}");
            for row in &table[1..] {
                let label = row[at..].split_whitespace().next().unwrap();
                assert!(label == "klacht" || label == "geen", "{text}");
            }
        }
        // Short names keep the table as it was.
        report.classes.remove("niet_gesignaleerd_door_de_detector");
        let text = report.render_figures(Language::Nl);
        assert!(
            text.contains("klasse            soort      n    goed  ratio"),
            "{text}"
        );
    }
}
