//! Learned phrase weights (`lexicon/learned.tsv`): single words and pairs of words, each
//! with a weight fitted on the tuning half of the labelled corpus
//! (`scripts/fit-phrases.py`), beside the hand-written families. A mail gets the weight
//! of every listed phrase it contains (once per phrase, however often it occurs) plus the
//! file's `@basis`, as one signal, `woordgebruik`, which names its strongest phrases as the
//! sender wrote them. Every weight is a line in the file; deleting the file's lines (or
//! pointing `detection.lexicon_dir` at a folder whose `learned.tsv` is empty) turns the
//! signal off.

use std::collections::{HashMap, HashSet};

use super::lexicon::LexiconError;
use super::normalize::Normalized;
use super::{round2, Signal};

pub(super) const BUILTIN: &str = include_str!("../../lexicon/learned.tsv");

/// The criterion and family of the learned signal.
pub const CRITERION: &str = "woordgebruik";
pub const FAMILY: &str = "geleerd";

/// The key of the line that gives the basis (not a phrase: phrases are plain words).
pub const BASIS: &str = "@basis";

/// A signal names at most this many phrases.
const SHOWN: usize = 5;

#[derive(Debug, Default)]
pub struct Learned {
    basis: f64,
    /// Phrase (normalised words, one space between) → its index in `weights`.
    index: HashMap<String, u32, foldhash::fast::RandomState>,
    weights: Vec<f64>,
    /// The longest phrase, in words.
    longest: usize,
}

impl Learned {
    /// Parses the file: `#` comments, a line `@basis<TAB>w`, then `phrase<TAB>w` lines.
    pub fn parse(name: &str, text: &str) -> Result<Learned, LexiconError> {
        let invalid = |line: usize, reason: String| LexiconError::Invalid {
            name: name.to_string(),
            reason: format!("line {line}: {reason}"),
        };
        let mut learned = Learned::default();
        let mut seen_basis = false;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (phrase, weight) = line
                .split_once('\t')
                .ok_or_else(|| invalid(n + 1, "expected phrase<TAB>weight".into()))?;
            let weight: f64 = weight
                .trim()
                .parse()
                .ok()
                .filter(|w: &f64| w.is_finite())
                .ok_or_else(|| invalid(n + 1, format!("not a weight: {weight:?}")))?;
            if phrase == BASIS {
                if seen_basis {
                    return Err(invalid(n + 1, format!("{BASIS} is given twice")));
                }
                seen_basis = true;
                learned.basis = weight;
                continue;
            }
            let words: Vec<&str> = phrase.split(' ').collect();
            if words.iter().any(|w| {
                w.is_empty()
                    || w.chars()
                        .any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
            }) {
                return Err(invalid(
                    n + 1,
                    format!("{phrase:?} is not normalised (lower case a-z and 0-9, single spaces)"),
                ));
            }
            let index = u32::try_from(learned.weights.len())
                .map_err(|_| invalid(n + 1, "too many phrases".into()))?;
            if learned.index.insert(phrase.to_string(), index).is_some() {
                return Err(invalid(n + 1, format!("{phrase:?} is listed twice")));
            }
            learned.weights.push(weight);
            learned.longest = learned.longest.max(words.len());
        }
        Ok(learned)
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// How many phrases the file lists.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// The learned signal for a normalised text made from `text`: the basis and the
    /// weight of every listed phrase found, or nothing when the file lists no phrases.
    pub(super) fn signal(&self, text: &str, norm: &Normalized) -> Option<Signal> {
        if self.is_empty() {
            return None;
        }
        let words = norm.text();
        // Byte offsets of every word: a phrase is a run of consecutive words.
        let spans: Vec<(usize, usize)> = norm
            .words()
            .map(|w| {
                let start = w.as_ptr() as usize - words.as_ptr() as usize;
                (start, start + w.len())
            })
            .collect();
        let mut seen: HashSet<u32, foldhash::fast::RandomState> = HashSet::default();
        let mut found: Vec<(f64, usize, usize)> = Vec::new();
        let mut sum = self.basis;
        for i in 0..spans.len() {
            for n in 1..=self.longest.min(spans.len() - i) {
                let (start, end) = (spans[i].0, spans[i + n - 1].1);
                let Some(&index) = self.index.get(&words[start..end]) else {
                    continue;
                };
                if seen.insert(index) {
                    let w = self.weights[index as usize];
                    sum += w;
                    found.push((w, start, end));
                }
            }
        }
        // The phrases that pushed the sum its way, strongest first.
        let sign = if sum >= 0.0 { 1.0 } else { -1.0 };
        found.retain(|&(w, _, _)| w * sign > 0.0);
        found.sort_by(|a, b| (b.0 * sign).total_cmp(&(a.0 * sign)).then(a.1.cmp(&b.1)));
        let phrase = found
            .iter()
            .take(SHOWN)
            .map(|&(_, s, e)| super::join_words(&text[norm.source_range(s, e)]))
            .collect::<Vec<_>>()
            .join(", ");
        Some(Signal {
            criterion: CRITERION.into(),
            phrase,
            weight: round2(sum),
            family: FAMILY.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::normalize::normalize;

    const FILE: &str =
        "# test\n@basis\t-0.5\nbasis\t0.25\nniet teruggebeld\t1.25\nbedankt\t-0.75\nnooit\t0.5\n";

    fn signal(text: &str) -> Signal {
        let learned = Learned::parse("test", FILE).unwrap();
        learned.signal(text, &normalize(text)).unwrap()
    }

    #[test]
    fn sums_the_basis_and_each_phrase_found_once() {
        let s = signal("Ik ben NIET  teruggebeld, nooit. Nooit! Niet teruggebeld.");
        assert_eq!(s.weight, 1.25);
        assert_eq!(s.criterion, CRITERION);
        // Strongest first, as written (the first occurrence).
        assert_eq!(s.phrase, "NIET teruggebeld, nooit");
    }

    #[test]
    fn a_negative_sum_names_the_phrases_against() {
        let s = signal("Bedankt voor alles, nooit gedacht.");
        assert_eq!(s.weight, -0.75);
        assert_eq!(s.phrase, "Bedankt");
    }

    #[test]
    fn nothing_found_is_the_basis_alone() {
        let s = signal("Graag een offerte.");
        assert_eq!(s.weight, -0.5);
        assert_eq!(s.phrase, "");
    }

    #[test]
    fn the_word_basis_is_a_phrase_like_any_other() {
        let s = signal("Op basis van uw advies? Nooit.");
        assert_eq!(s.weight, 0.25);
        assert_eq!(s.phrase, "Nooit, basis");
    }

    #[test]
    fn an_empty_file_gives_no_signal() {
        let learned = Learned::parse("test", "# nothing\n").unwrap();
        assert!(learned.signal("klacht", &normalize("klacht")).is_none());
    }

    #[test]
    fn bad_lines_are_named() {
        for (file, says) in [
            ("@basis 1\n", "line 1: expected phrase<TAB>weight"),
            ("@basis\t1\n@basis\t2\n", "line 2: @basis is given twice"),
            ("klacht\tzwaar\n", "not a weight"),
            ("Klacht\t1\n", "not normalised"),
            ("een  twee\t1\n", "not normalised"),
            (
                "klacht\t1\nklacht\t2\n",
                "line 2: \"klacht\" is listed twice",
            ),
            ("klacht\tNaN\n", "not a weight"),
        ] {
            let e = Learned::parse("learned.tsv", file).unwrap_err().to_string();
            assert!(e.contains(says), "{file:?}: {e}");
        }
    }
}
