//! Whom a grievance is aimed at: the firm (the reader: "u", "jullie", "you"), someone
//! else (a third party of the lexicon: the insurer, the garage, the tax office), or no one
//! said. A sentence that names no one carries on the aim of the sentence before it in the
//! same paragraph ("De garage rekent 2.900 euro. Ik ben er klaar mee."); a blank line
//! starts afresh.

use std::ops::Range;

use super::lexicon::Lexicon;

/// Reason of a grievance set aside as aimed at someone else ([`Ignored`](super::Ignored)).
pub(super) const REASON: &str = "ander_doel";

/// The aim of a sentence, or of a grievance in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Aim<'a> {
    Firm,
    Other(&'a str),
    Unknown,
}

/// The sentences of a normalised text, and the aim each one has, said or carried on: read
/// only for the sentences a grievance is in and those it carries on from, each at most once.
pub(super) struct Topics<'a> {
    lex: &'a Lexicon,
    /// The distinctive words of the firm's name (`organisation.name`), normalised.
    own: &'a [String],
    words: &'a str,
    /// Start of every sentence in the normalised words (the first is 0).
    starts: Vec<usize>,
    /// Whether each sentence begins a paragraph.
    paragraph: Vec<bool>,
    /// What each sentence says about its aim, once read.
    said: Vec<std::cell::Cell<Option<Aim<'a>>>>,
}

/// A sentence that names no one carries on the aim of at most this many sentences before
/// it (in its paragraph).
const CARRY_BACK: usize = 3;

impl<'a> Topics<'a> {
    /// `sentences`: the starts after the first, each with whether it begins a paragraph
    /// ([`super::normalize::Normalized::sentences`]).
    /// `own`: the distinctive words of the firm's name ([`super::addressee::distinctive`]).
    pub(super) fn new(
        lex: &'a Lexicon,
        own: &'a [String],
        words: &'a str,
        sentences: &[(usize, bool)],
    ) -> Topics<'a> {
        let mut starts = Vec::with_capacity(sentences.len() + 1);
        let mut paragraph = Vec::with_capacity(sentences.len() + 1);
        starts.push(0);
        paragraph.push(true);
        for &(start, new_paragraph) in sentences {
            starts.push(start);
            paragraph.push(new_paragraph);
        }
        let said = (0..starts.len())
            .map(|_| std::cell::Cell::new(None))
            .collect();
        Topics {
            lex,
            own,
            words,
            starts,
            paragraph,
            said,
        }
    }

    fn range(&self, i: usize) -> Range<usize> {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.words.len());
        self.starts[i]..end.max(self.starts[i])
    }

    fn said(&self, i: usize) -> Aim<'a> {
        if let Some(aim) = self.said[i].get() {
            return aim;
        }
        let aim = said_aim(self.lex, self.own, &self.words[self.range(i)]);
        self.said[i].set(Some(aim));
        aim
    }

    /// The sentence holding the normalised offset `at`, and its aim: what it says, else
    /// what the sentences before it in its paragraph said (the nearest that said one).
    pub(super) fn at(&self, at: usize) -> (Range<usize>, Aim<'a>) {
        let i = self.starts.partition_point(|&s| s <= at).saturating_sub(1);
        let mut aim = Aim::Unknown;
        for j in (i.saturating_sub(CARRY_BACK)..=i).rev() {
            aim = self.said(j);
            if aim != Aim::Unknown || self.paragraph[j] {
                break;
            }
        }
        (self.range(i), aim)
    }
}

/// What a sentence says about its aim: the firm when it addresses the reader or names the
/// firm (a word of `own`), else the first third party it names, else nothing.
fn said_aim<'a>(lex: &'a Lexicon, own: &[String], sentence: &str) -> Aim<'a> {
    let t = &lex.target;
    let mut other = None;
    let mut words = sentence.split_ascii_whitespace().peekable();
    while let Some(w) = words.next() {
        if t.second_person_set.contains(w) || names_firm(lex, own, sentence, w) {
            return Aim::Firm;
        }
        if other.is_none() {
            other = t
                .party(w, words.peek().copied())
                .filter(|_| !t.is_recipient(preceding(sentence, w)));
        }
    }
    other.map_or(Aim::Unknown, Aim::Other)
}

/// The part of `text` before `word`, a slice of it.
fn preceding<'s>(text: &'s str, word: &str) -> &'s str {
    let at = (word.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    text.get(..at).unwrap_or("")
}

/// Whether `word`, a slice of `text`, names the firm: one of the distinctive words of its
/// name, and no negator among the two words before it ("mijn vorige adviseur (niet
/// Weidehof hoor)", "not Weidehof, the other one" name someone else).
fn names_firm(lex: &Lexicon, own: &[String], text: &str, word: &str) -> bool {
    is_own(own, word)
        && !preceding(text, word)
            .split_ascii_whitespace()
            .rev()
            .take(2)
            .any(|w| lex.negators.iter().any(|n| n == w))
}

/// Whether `word` is one of the distinctive words of the firm's name.
fn is_own(own: &[String], word: &str) -> bool {
    own.iter().any(|o| o == word)
}

/// The third party a signal at `start..end` of the normalised `words` is aimed at: one of
/// the lexicon's third parties within the target window around it and in its `sentence`,
/// with no word that addresses or names the firm there (a word of `own`: "Bank Noordhaven"
/// names the firm, not some bank).
pub(super) fn other_target<'a>(
    lex: &'a Lexicon,
    own: &[String],
    words: &str,
    start: usize,
    end: usize,
    sentence: Range<usize>,
) -> Option<&'a str> {
    let t = &lex.target;
    if t.window == 0 || t.third_parties.is_empty() {
        return None;
    }
    let from = sentence.start.min(start);
    let to = sentence.end.clamp(end.min(words.len()), words.len());
    // Each word with the word after it in the text (a third party may be no one before
    // some words: [`super::lexicon::Target::party`]).
    let end = end.min(words.len());
    let mut next = words[start..end].split_ascii_whitespace().next();
    let before = words[from..start]
        .split_ascii_whitespace()
        .rev()
        .take(t.window)
        .map(|w| (w, next.replace(w)));
    let inside = words[end..to]
        .split_ascii_whitespace()
        .take(t.window.div_ceil(2))
        .count();
    // After the signal, a "u" right after "kunt" asks the firm something: it does not say
    // the grievance before it was the firm's.
    let mut rest = words[end..].split_ascii_whitespace().peekable();
    let mut previous = words[start..end].split_ascii_whitespace().next_back();
    let after = std::iter::from_fn(|| {
        let w = rest.next()?;
        let asks = previous
            .replace(w)
            .is_some_and(|p| t.request_before_you_set.contains(p));
        Some((w, rest.peek().copied(), asks))
    })
    .take(inside);
    let mut party = None;
    for (w, next, asks) in before.map(|(w, next)| (w, next, false)).chain(after) {
        if (t.second_person_set.contains(w) && !asks) || names_firm(lex, own, words, w) {
            return None;
        }
        if party.is_none() {
            party = t
                .party(w, next)
                .filter(|_| !t.is_recipient(preceding(words, w)));
        }
    }
    party
}

/// Whom a grievance at `start..end` is aimed at: a third party near it in its sentence
/// ([`other_target`]), else the aim of its sentence, said or carried on.
pub(super) fn aim_of<'a>(
    lex: &'a Lexicon,
    words: &str,
    topics: &Topics<'a>,
    start: usize,
    end: usize,
) -> Aim<'a> {
    let (sentence, aim) = topics.at(start);
    if let Some(party) = other_target(lex, topics.own, words, start, end, sentence) {
        return Aim::Other(party);
    }
    match aim {
        Aim::Other(_) if !lex.target.carry => Aim::Unknown,
        aim => aim,
    }
}
