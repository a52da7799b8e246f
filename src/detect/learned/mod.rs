//! Learned phrase weights (`lexicon/learned.tsv`): single words and runs of two or three
//! words, each with a weight fitted on the tuning half of the labelled corpus
//! (`scripts/fit-phrases.py`), beside the hand-written families. A mail gets the weight
//! of every listed phrase it contains (once per phrase, however often it occurs) plus the
//! file's `@basis`, as one signal, `woordgebruik`, which names its strongest phrases as the
//! sender wrote them. Every weight is a line in the file; deleting the file's lines (or
//! pointing `detection.lexicon_dir` at a folder whose `learned.tsv` is empty) turns the
//! signal off.
//!
//! The phrases are fitted together with the lexicons' families: `@familie:<name>` lines
//! give a family's weight per unit (one match; an intensifier or another target scales
//! it), replacing the weight written in `nl.toml`/`en.toml` while the file is in effect,
//! and `@familie:_combinatie` replaces `combination_bonus`; `@kap_per_criterium`
//! replaces `max_per_criterion`, what one criterion of section 3.1 may add at most.
//! `@min_woorden` says from how many words on the file judges a text: a shorter one says
//! too little for word statistics and is judged by the lexicons alone, as written.
//!
//! A phrase line may give a third column, its norm weight (`phrase<TAB>weight<TAB>norm`);
//! then every phrase line gives one, and the phrases found in a text add up to the sum of
//! their weights divided by the root of the sum of their norm weights squared: a long text
//! that contains many phrases counts each for less, so that its length alone does not
//! push it over the threshold. (This is the fit's L2-normalised, idf-weighted phrase
//! vector: a phrase's weight is its fitted weight times its idf, its norm weight its idf.)
//! A listed phrase of weight 0 still counts in the norm. `@norm_min` holds the norm of a
//! short text at that much at least: its few phrases then count as in a text of that length
//! instead of being scaled up (norm weights are written over the typical text's, so 1 is a
//! text of typical length).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use super::lexicon::LexiconError;
use super::normalize::Normalized;
use super::{round2, Signal};

pub(super) const BUILTIN: &str = include_str!("../../../lexicon/learned.tsv");

/// The criterion and family of the learned signal.
pub const CRITERION: &str = "woordgebruik";
pub const FAMILY: &str = "geleerd";
/// The criterion of the colleague signal ([`COLLEAGUE`]): who wrote the mail.
pub const SENDER_CRITERION: &str = "afzender_collega";

/// The key of the line that gives the basis (not a phrase: phrases are plain words).
pub const BASIS: &str = "@basis";

/// The key of the line that gives the weight of a mail written by a colleague: its sender
/// is at one of the firm's own domains, and it is no contact-form mail.
pub const COLLEAGUE: &str = "@afzender_collega";

/// The prefix of a line that gives a family's fitted weight per unit.
pub const FAMILY_PREFIX: &str = "@familie:";

/// The name, after [`FAMILY_PREFIX`], of the line that replaces the combination bonus.
pub const COMBINATION: &str = "_combinatie";

/// The key of the line that gives from how many words on the file judges a text: a
/// shorter one is judged by the lexicons alone (their own weights, no learned signal).
pub const MIN_WORDS: &str = "@min_woorden";

/// The reason, in a verdict's ignored matches, that a text was too short for the file.
pub const SHORT: &str = "kort_bericht";

/// The reason, in a verdict's ignored matches, that a short text the lexicons alone flag
/// is doubtful instead: the learned weights would not have flagged it and the lexicons'
/// score is under [`SHORT_ALONE`] times the threshold.
pub const SHORT_DISAGREE: &str = "kort_bericht_oneens";

/// The reason, in a verdict's ignored matches, that a text just long enough for the file
/// scored under what a text of its length needs ([`Learned::needs`]).
pub const SHORT_BELOW: &str = "kort_bericht_drempel";

/// The reason, in a verdict's ignored matches, that a text flagged by the learned weights
/// with no signal of the four criteria of section 3.1 scored under [`ALONE_NEEDS`] times
/// the threshold.
pub const ALONE: &str = "woordgebruik_alleen";

/// How many times the threshold a text must score to be flagged when the learned weights
/// judge it and no lexicon found a signal of the four criteria (a word of complaint,
/// strong wording, blame for what was done, blame for behaviour): under it the text is
/// doubtful. The learned weights carry the words a firm's complaints share with its other
/// mail ("keer", "nog", "toen", "werd"), and by themselves they flag a routine question,
/// a thank-you or a story about someone else as often as a complaint. Fixed at 1.6 on the
/// summed held-out halves of corpus2 to corpus191; on the tuning halves no fit read
/// (corpus152 to corpus155, corpus180 to corpus185, corpus188 to corpus191) such flags
/// under 3.5 were 0 complaints against 11 other mails.
pub const ALONE_NEEDS: f64 = 1.6;

/// The reason, in a verdict's ignored matches, that the file knows too few of a text's
/// words to judge it ([`MIN_KNOWN`]).
pub const UNKNOWN: &str = "onbekende_woorden";

/// The least share of a text's words (those of addresses, links and numbers left out) that
/// must be words of listed phrases for the file to judge it. Below it the text is in another
/// language or a dialect, or it is a table or a list of names: its phrases say little and
/// the file's basis would decide, so the lexicons alone judge it, as a short text.
pub const MIN_KNOWN: f64 = 0.5;

/// How many of a text's words the file knows: the words of listed
/// phrases among those counted (no word of an address, a link or with a digit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    pub known: usize,
    pub counted: usize,
}

impl Coverage {
    /// Whether the file knows enough of the text's words to judge it ([`MIN_KNOWN`]).
    pub fn enough(&self) -> bool {
        self.counted > 0 && self.known as f64 >= MIN_KNOWN * self.counted as f64
    }
}

/// How many times the threshold the lexicons alone must score to flag a short text that
/// the learned weights would not flag: one weak phrase ("eindelijk", "nog steeds niet",
/// "hadden gehoopt") reaches the threshold by itself, and in a one-line thank-you or
/// routine question it is no complaint; a word of section 3.1 ("klacht") is enough.
pub const SHORT_ALONE: f64 = 2.0;

/// How many times the threshold the learned weights must score to flag a short text by
/// themselves, lexicons or not: a terse review ("Traag. Heel traag."), a chaser ("al drie
/// weken wachten op een terugbelafspraak, iemand?") or irony ("Geweldig hoor, zes weken
/// voor een budgetplan") holds no word of blame the lexicons know. Below it the basis and
/// a word or two decide, and a short question or thank-you may reach the threshold on
/// them: such a text stays doubtful. Chosen on the tuning halves of the short published
/// texts (corpus136 to corpus139): at 2.5 times 1.5 they catch 19 more of 96 complaints
/// for 2 more false flags of 144 texts, at 2 times 22 for 4, at 3 times 14 for 1.
pub const SHORT_LEARNED_ALONE: f64 = 2.5;

/// The key of the line that gives what one criterion of section 3.1 may add at most,
/// replacing the lexicons' `max_per_criterion` while the file is in effect.
pub const CAP: &str = "@kap_per_criterium";

/// The key of the line that gives the least norm a text's phrases are divided by, with
/// norm weights (0 when not given).
pub const NORM_MIN: &str = "@norm_min";

/// A signal names at most this many phrases.
const SHOWN: usize = 5;

#[derive(Debug, Default)]
pub struct Learned {
    basis: f64,
    /// [`COLLEAGUE`]'s weight, when the file gives one.
    colleague: Option<f64>,
    /// Fitted weight per unit of a lexicon family ([`FAMILY_PREFIX`] lines).
    families: BTreeMap<String, f64>,
    /// The combination bonus replacing the lexicons' (`@familie:_combinatie`).
    combination: Option<f64>,
    /// What one criterion may add at most, replacing the lexicons' ([`CAP`]).
    cap: Option<f64>,
    /// From how many words on the file judges a text ([`MIN_WORDS`]; 0 when not given).
    min_words: usize,
    /// Every word of a listed phrase: its number, and the phrase it is alone (if listed).
    words: Words,
    /// A pair of word numbers → the index of that two-word phrase in `phrases`.
    pairs: HashMap<u64, u32, foldhash::fast::RandomState>,
    /// Three word numbers → the index of that three-word phrase in `phrases`.
    triples: HashMap<u64, u32, foldhash::fast::RandomState>,
    /// Every phrase's weight and norm weight, side by side so that one read from memory
    /// gives both.
    phrases: Vec<Phrase>,
    /// Whether the file gives norm weights (else every phrase's is 0 and none counts).
    normed: bool,
    /// The least norm the phrases found are divided by ([`NORM_MIN`]).
    norm_min: Option<f64>,
}

/// The words of the listed phrases. A word of up to [`PACKED`] bytes (nearly every one) is
/// kept as a number, its bytes and its length, so that looking it up reads no string
/// elsewhere in memory; a longer one as a string.
#[derive(Debug, Default)]
struct Words {
    short: HashMap<u128, Word, foldhash::fast::RandomState>,
    long: HashMap<Box<str>, Word, foldhash::fast::RandomState>,
}

/// The longest word [`Words`] keeps as a number: its bytes and, in the last byte, its length.
const PACKED: usize = 15;

/// `word` as [`Words`]' number, when it is short enough.
fn packed(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    (bytes.len() <= PACKED).then(|| {
        let mut key = [0u8; 16];
        key[..bytes.len()].copy_from_slice(bytes);
        key[PACKED] = bytes.len() as u8;
        u128::from_le_bytes(key)
    })
}

impl Words {
    fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    fn get(&self, word: &str) -> Option<Word> {
        match packed(word) {
            Some(key) => self.short.get(&key),
            None => self.long.get(word),
        }
        .copied()
    }
}

/// A listed phrase's weight and norm weight (written to four decimals: `f32` holds them, in
/// half the memory of `f64`; sums are taken in `f64`).
#[derive(Debug, Clone, Copy)]
struct Phrase {
    weight: f32,
    norm: f32,
}

/// A word of a text in [`Learned::each_phrase_marking`]: where it is, its entry when it is
/// a listed word, and the phrase that ends with it, of two words and of three, if listed.
struct Place {
    start: usize,
    end: usize,
    word: Option<Word>,
    pair: Option<u32>,
    triple: Option<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Word {
    number: u32,
    alone: Option<u32>,
}

impl Learned {
    /// Parses the file: `#` comments, a line `@basis<TAB>w`, then `phrase<TAB>w` lines.
    pub fn parse(name: &str, text: &str) -> Result<Learned, LexiconError> {
        let invalid = |line: usize, reason: String| LexiconError::Invalid {
            name: name.to_string(),
            reason: format!("line {line}: {reason}"),
        };
        let mut learned = Learned::default();
        learned.reserve(text);
        let mut seen_basis = false;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (phrase, weight) = line
                .split_once('\t')
                .ok_or_else(|| invalid(n + 1, "expected phrase<TAB>weight".into()))?;
            let (weight, norm) = match weight.split_once('\t') {
                Some((weight, norm)) => (weight, Some(norm)),
                None => (weight, None),
            };
            let weight: f64 = weight
                .trim()
                .parse()
                .ok()
                .filter(|w: &f64| w.is_finite())
                .ok_or_else(|| invalid(n + 1, format!("not a weight: {weight:?}")))?;
            if norm.is_some() && phrase.starts_with('@') {
                return Err(invalid(
                    n + 1,
                    format!("{phrase} takes one weight, no norm weight"),
                ));
            }
            if phrase == BASIS {
                if seen_basis {
                    return Err(invalid(n + 1, format!("{BASIS} is given twice")));
                }
                seen_basis = true;
                learned.basis = weight;
                continue;
            }
            if phrase == COLLEAGUE {
                if learned.colleague.replace(weight).is_some() {
                    return Err(invalid(n + 1, format!("{COLLEAGUE} is given twice")));
                }
                continue;
            }
            if phrase == MIN_WORDS {
                if weight < 0.0 || weight.fract() != 0.0 || weight > 1e6 {
                    return Err(invalid(
                        n + 1,
                        format!("{MIN_WORDS} is a whole number of words"),
                    ));
                }
                learned.min_words = weight as usize;
                continue;
            }
            if phrase == NORM_MIN {
                if weight < 0.0 {
                    return Err(invalid(n + 1, format!("{NORM_MIN} must be 0 or more")));
                }
                if learned.norm_min.replace(weight).is_some() {
                    return Err(invalid(n + 1, format!("{NORM_MIN} is given twice")));
                }
                continue;
            }
            if phrase == CAP {
                if weight <= 0.0 {
                    return Err(invalid(n + 1, format!("{CAP} must be above 0")));
                }
                if learned.cap.replace(weight).is_some() {
                    return Err(invalid(n + 1, format!("{CAP} is given twice")));
                }
                continue;
            }
            if let Some(family) = phrase.strip_prefix(FAMILY_PREFIX) {
                if family.is_empty()
                    || !family
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    return Err(invalid(
                        n + 1,
                        format!("{phrase:?}: a family name is lower case a-z, 0-9 and _"),
                    ));
                }
                let twice = if family == COMBINATION {
                    learned.combination.replace(weight).is_some()
                } else {
                    learned
                        .families
                        .insert(family.to_string(), weight)
                        .is_some()
                };
                if twice {
                    return Err(invalid(n + 1, format!("{phrase} is given twice")));
                }
                continue;
            }
            if phrase.starts_with('@') {
                return Err(invalid(
                    n + 1,
                    format!(
                        "unknown key {phrase:?} (known: {BASIS}, {COLLEAGUE}, {CAP}, {MIN_WORDS}, {NORM_MIN}, {FAMILY_PREFIX}<family>)"
                    ),
                ));
            }
            let words: Vec<&str> = phrase.split(' ').collect();
            if words.len() > 3
                || words.iter().any(|w| {
                    w.is_empty()
                        || w.chars()
                            .any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
                })
            {
                return Err(invalid(
                    n + 1,
                    format!(
                        "{phrase:?} is not one to three normalised words (lower case a-z and 0-9, one space)"
                    ),
                ));
            }
            let index = u32::try_from(learned.phrases.len())
                .map_err(|_| invalid(n + 1, "too many phrases".into()))?;
            let twice = || invalid(n + 1, format!("{phrase:?} is listed twice"));
            let too_many = || {
                invalid(
                    n + 1,
                    format!("more than {} different words", 1u32 << WORD_BITS),
                )
            };
            let mut number = |word: &str| learned.word(word).map(|w| w.number).ok_or_else(too_many);
            match words[..] {
                [one] => {
                    let word = learned.word(one).ok_or_else(too_many)?;
                    if word.alone.replace(index).is_some() {
                        return Err(twice());
                    }
                }
                [first, second] => {
                    let key = pair(number(first)?, number(second)?);
                    if learned.pairs.insert(key, index).is_some() {
                        return Err(twice());
                    }
                }
                [first, second, third] => {
                    let key = triple([number(first)?, number(second)?, number(third)?]);
                    if learned.triples.insert(key, index).is_some() {
                        return Err(twice());
                    }
                }
                _ => unreachable!("one to three words, checked above"),
            }
            let norm = norm
                .map(|norm| {
                    norm.trim()
                        .parse()
                        .ok()
                        .filter(|w: &f64| w.is_finite() && *w >= 0.0)
                        .ok_or_else(|| {
                            invalid(n + 1, format!("not a norm weight (0 or more): {norm:?}"))
                        })
                })
                .transpose()?;
            if learned.phrases.is_empty() {
                learned.normed = norm.is_some();
            } else if norm.is_some() != learned.normed {
                return Err(invalid(
                    n + 1,
                    "either every phrase line gives a norm weight (a third column) or none".into(),
                ));
            }
            learned.phrases.push(Phrase {
                weight: weight as f32,
                norm: norm.map_or(0.0, |n: f64| n as f32),
            });
        }
        if learned.norm_min.is_some() && !learned.normed {
            return Err(LexiconError::Invalid {
                name: name.to_string(),
                reason: format!("{NORM_MIN} needs phrase lines with a norm weight"),
            });
        }
        Ok(learned)
    }

    /// Room for the phrases of `text`, counted before they are read, so that the tables
    /// are allocated once at their size (a table grown by doubling holds up to twice what
    /// it needs, and the file lists tens of thousands of phrases).
    fn reserve(&mut self, text: &str) {
        let phrase_lines = text
            .lines()
            .filter(|l| !(l.starts_with(['#', '@']) || l.trim().is_empty()));
        let mut by_words = [0usize; 3];
        for line in phrase_lines {
            let phrase = line.split('\t').next().unwrap_or("");
            let spaces = phrase.bytes().filter(|&b| b == b' ').count();
            if let Some(n) = by_words.get_mut(spaces) {
                *n += 1;
            }
        }
        self.phrases.reserve_exact(by_words.iter().sum());
        self.words.short.reserve(by_words[0]);
        self.pairs.reserve(by_words[1]);
        self.triples.reserve(by_words[2]);
    }

    /// The entry of `word`, numbered when it is new; `None` when the file holds more words
    /// than a phrase key can number ([`WORD_BITS`] bits each).
    fn word(&mut self, word: &str) -> Option<&mut Word> {
        let number = u32::try_from(self.words.len())
            .ok()
            .filter(|n| *n < 1 << WORD_BITS)?;
        let new = Word {
            number,
            alone: None,
        };
        Some(match packed(word) {
            Some(key) => self.words.short.entry(key).or_insert(new),
            None => self.words.long.entry(word.into()).or_insert(new),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// The fitted weight per unit of `family`, when the file gives one.
    pub fn family_weight(&self, family: &str) -> Option<f64> {
        self.families.get(family).copied()
    }

    /// The families the file weighs, by name.
    pub fn families(&self) -> impl Iterator<Item = &str> {
        self.families.keys().map(String::as_str)
    }

    /// The file weighs the lexicons' families.
    pub fn weighs_families(&self) -> bool {
        !self.families.is_empty() || self.combination.is_some()
    }

    /// Whether the file judges a text of `words` words (else the lexicons alone do).
    pub fn judges(&self, words: usize) -> bool {
        words >= self.min_words
    }

    /// What a text of `words` words that the file judges must score to be flagged: from
    /// `@min_woorden` words up to twice as many, [`SHORT_ALONE`] times `threshold` at first,
    /// falling in a straight line to `threshold`; from there on `threshold`. On so few words
    /// the basis and a common word or two decide: a short question, a thank-you with an
    /// earlier hitch or a post about someone else reaches the threshold on them, where the
    /// short complaints score well above it.
    pub fn needs(&self, words: usize, threshold: f64) -> f64 {
        let (from, to) = (self.min_words, 2 * self.min_words);
        if self.is_empty() || words < from || words >= to {
            return threshold;
        }
        let short_of = (to - words) as f64 / (to - from) as f64;
        threshold * (1.0 + (SHORT_ALONE - 1.0) * short_of)
    }

    /// From how many words on the file judges a text.
    pub fn min_words(&self) -> usize {
        self.min_words
    }

    /// What one criterion may add at most, when the file says.
    pub fn cap(&self) -> Option<f64> {
        self.cap
    }

    /// The combination bonus replacing the lexicons', when the file gives one.
    pub fn combination(&self) -> Option<f64> {
        self.combination
    }

    /// How many phrases the file lists.
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    /// The signal of a mail written by a colleague (the sender is at one of the firm's own
    /// domains), when the file weighs that: staff writing about a case is seldom a
    /// customer's complaint.
    pub(super) fn colleague_signal(&self, address: &str) -> Option<Signal> {
        let weight = self.colleague.filter(|w| *w != 0.0)?;
        Some(Signal {
            criterion: SENDER_CRITERION.into(),
            phrase: address.to_string(),
            weight: round2(weight),
            family: FAMILY.into(),
        })
    }

    /// The learned signal for a normalised text made from `text`: the basis and the
    /// weight of every listed phrase found, or nothing when the file lists no phrases.
    /// One look-up per word, one more per pair of listed words and one per three.
    #[cfg(test)]
    pub(super) fn signal(&self, text: &str, norm: &Normalized) -> Option<Signal> {
        self.signal_naming(text, norm, None).0
    }

    /// [`Learned::signal`] and how many of the text's words the file knows (none counted
    /// when it lists no phrases).
    pub(super) fn read(&self, text: &str, norm: &Normalized) -> (Option<Signal>, Coverage) {
        self.signal_naming(text, norm, None)
    }

    /// The file's `@basis`: what the learned signal is with no phrase found.
    pub(super) fn basis(&self) -> f64 {
        self.basis
    }

    /// [`Learned::signal`], its phrase naming the strongest phrases that count against a
    /// complaint (whichever way the sum goes).
    pub(super) fn signal_against(&self, text: &str, norm: &Normalized) -> Option<Signal> {
        self.signal_naming(text, norm, Some(-1.0)).0
    }

    /// Calls `f(index, start, end)` for every listed phrase in `norm`, at its first
    /// occurrence (offsets in [`Normalized::text`]), in the order of the text; how many of
    /// its words the file knows.
    fn each_phrase(&self, norm: &Normalized, mut f: impl FnMut(u32, usize, usize)) -> Coverage {
        SEEN.with_borrow_mut(|seen| self.each_phrase_marking(norm, seen, &mut f))
    }

    /// [`Learned::each_phrase`] with `seen`, a bit per listed phrase, all clear (as it is
    /// left): a thread's bits are kept from text to text, and only those set are cleared,
    /// since clearing the bits of every phrase for a short mail cost more than its look-ups.
    fn each_phrase_marking(
        &self,
        norm: &Normalized,
        seen: &mut Vec<u64>,
        f: &mut impl FnMut(u32, usize, usize),
    ) -> Coverage {
        let words = norm.text();
        let slots = self.phrases.len().div_ceil(64);
        if seen.len() < slots {
            seen.resize(slots, 0);
        }
        // About one phrase per word is found: room for them up front.
        let mut marks = Marks {
            bits: seen,
            set: Vec::with_capacity(norm.word_count()),
        };
        let mut take = |index: u32, start: usize, end: usize| {
            if marks.mark(index) {
                f(index, start, end);
            }
        };
        // The look-ups are made in passes, the words first, then the pairs and threes of
        // listed words: within a pass one look-up does not wait for another, so that the
        // processor has several of them under way at once (the tables are larger than its
        // nearest caches, and a look-up mostly waits for memory). The phrases are then
        // taken in the order of the text, as one walk would.
        let mut at: Vec<Place> = Vec::with_capacity(norm.word_count());
        let mut coverage = Coverage::default();
        at.extend(norm.words().enumerate().map(|(i, w)| {
            let start = w.as_ptr() as usize - words.as_ptr() as usize;
            // An address or a link says nothing of what its writer means.
            let link = norm.in_link(i);
            let word = if link { None } else { self.words.get(w) };
            // A number is no phrase's word: it does not count as a word the file misses.
            if !link && !w.bytes().any(|b| b.is_ascii_digit()) {
                coverage.counted += 1;
                coverage.known += usize::from(word.is_some());
            }
            Place {
                start,
                end: start + w.len(),
                word,
                pair: None,
                triple: None,
            }
        }));
        for i in 1..at.len() {
            let (Some(first), Some(second)) = (at[i - 1].word, at[i].word) else {
                continue;
            };
            at[i].pair = self.pairs.get(&pair(first.number, second.number)).copied();
            if let Some(before) = i.checked_sub(2).and_then(|b| at[b].word) {
                at[i].triple = self
                    .triples
                    .get(&triple([before.number, first.number, second.number]))
                    .copied();
            }
        }
        for (i, place) in at.iter().enumerate() {
            if let Some(index) = place.triple {
                take(index, at[i - 2].start, place.end);
            }
            if let Some(index) = place.pair {
                take(index, at[i - 1].start, place.end);
            }
            if let Some(index) = place.word.and_then(|w| w.alone) {
                take(index, place.start, place.end);
            }
        }
        coverage
    }

    /// The divisor of the phrases' sum: with norm weights, the norm of those found (at
    /// least [`NORM_MIN`]), else 1.
    fn length(&self, squares: f64) -> f64 {
        if squares > 0.0 {
            squares.sqrt().max(self.norm_min.unwrap_or(0.0))
        } else {
            1.0
        }
    }

    /// What the phrases found add to the basis when those overlapping `own` (ranges of
    /// [`Normalized::text`], in any order) are left out, all of them still counting for
    /// the norm: the part of the learned signal that the words around a complaint's own
    /// words give. `None` without a learned file.
    pub(super) fn part_outside(
        &self,
        norm: &Normalized,
        own: &[std::ops::Range<usize>],
    ) -> Option<f64> {
        if self.is_empty() {
            return None;
        }
        // Disjoint and in order, so that a bisection finds the one a phrase may overlap.
        let mut sorted = own.to_vec();
        sorted.sort_unstable_by_key(|r| r.start);
        let mut own: Vec<std::ops::Range<usize>> = Vec::with_capacity(sorted.len());
        for r in sorted {
            match own.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => own.push(r),
            }
        }
        let (mut outside, mut squares) = (0.0, 0.0);
        self.each_phrase(norm, |index, start, end| {
            let phrase = self.phrases[index as usize];
            if self.normed {
                squares += f64::from(phrase.norm).powi(2);
            }
            let first = own.partition_point(|r| r.end <= start);
            if own.get(first).is_none_or(|r| r.start >= end) {
                outside += f64::from(phrase.weight);
            }
        });
        Some(outside / self.length(squares))
    }

    /// The learned signal, naming the phrases that push towards `sign` (by default the
    /// sum's own way), and how many of the text's words the file knows.
    fn signal_naming(
        &self,
        text: &str,
        norm: &Normalized,
        sign: Option<f64>,
    ) -> (Option<Signal>, Coverage) {
        if self.is_empty() {
            return (None, Coverage::default());
        }
        let mut found: Vec<(f64, usize, usize)> = Vec::with_capacity(norm.word_count());
        let (mut phrases, mut squares) = (0.0, 0.0);
        let coverage = self.each_phrase(norm, |index, start, end| {
            let phrase = self.phrases[index as usize];
            let w = f64::from(phrase.weight);
            phrases += w;
            if self.normed {
                squares += f64::from(phrase.norm).powi(2);
            }
            found.push((w, start, end));
        });
        // With norm weights, the phrases found count for their weights over the norm.
        let sum = self.basis + phrases / self.length(squares);
        // The phrases that pushed the sum its way, strongest first.
        let sign = sign.unwrap_or(if sum >= 0.0 { 1.0 } else { -1.0 });
        found.retain(|&(w, _, _)| w * sign > 0.0);
        let order = |a: &(f64, usize, usize), b: &(f64, usize, usize)| {
            (b.0 * sign)
                .total_cmp(&(a.0 * sign))
                .then(a.1.cmp(&b.1))
                .then(a.2.cmp(&b.2))
        };
        if found.len() > SHOWN {
            found.select_nth_unstable_by(SHOWN - 1, order);
            found.truncate(SHOWN);
        }
        found.sort_by(order);
        // Where each stands as written, and room for them all.
        for (_, start, end) in &mut found {
            let written = norm.source_range(*start, *end);
            (*start, *end) = (written.start, written.end);
        }
        let mut phrase = String::with_capacity(found.iter().map(|&(_, s, e)| e - s + 2).sum());
        for (i, &(_, start, end)) in found.iter().enumerate() {
            if i > 0 {
                phrase.push_str(", ");
            }
            super::score::push_words(&mut phrase, &text[start..end]);
        }
        let signal = Signal {
            criterion: CRITERION.into(),
            phrase,
            weight: round2(sum),
            family: FAMILY.into(),
        };
        (Some(signal), coverage)
    }
}

thread_local! {
    /// [`Learned::each_phrase`]'s bits, kept clear between texts.
    static SEEN: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// A bit per listed phrase and the bits set, cleared when dropped (a panic included), so
/// that the next text starts with none.
struct Marks<'a> {
    bits: &'a mut Vec<u64>,
    set: Vec<u32>,
}

impl Marks<'_> {
    /// Sets `index`'s bit; whether it was clear.
    fn mark(&mut self, index: u32) -> bool {
        let (slot, bit) = (index as usize / 64, 1u64 << (index % 64));
        let clear = self.bits[slot] & bit == 0;
        if clear {
            self.bits[slot] |= bit;
            self.set.push(index);
        }
        clear
    }
}

impl Drop for Marks<'_> {
    fn drop(&mut self) {
        for &index in &self.set {
            self.bits[index as usize / 64] = 0;
        }
    }
}

/// A word's number takes at most this many bits, so that three fit in one `u64` key.
const WORD_BITS: u32 = 21;

/// The key of a pair of word numbers.
fn pair(first: u32, second: u32) -> u64 {
    (u64::from(first) << WORD_BITS) | u64::from(second)
}

/// The key of three word numbers.
fn triple([first, second, third]: [u32; 3]) -> u64 {
    (u64::from(first) << (2 * WORD_BITS)) | (u64::from(second) << WORD_BITS) | u64::from(third)
}

#[cfg(test)]
mod tests;
