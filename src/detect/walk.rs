//! Search loops over an Aho–Corasick [`DFA`], written against the crate's public
//! [`Automaton`] trait as its documentation describes for callers with their own loop.
//!
//! A DFA search is one table look-up per byte, and each look-up needs the state the one
//! before produced: the processor waits for memory on every byte. Longer haystacks are
//! therefore read as two halves at once, two independent chains of look-ups in one
//! loop. The second half starts `max_pattern_len - 1` bytes early and reports only
//! matches that end in it, so every occurrence is reported exactly once.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::Anchored;

/// Below this many bytes beyond the overlap a haystack is read in one piece.
const MIN_SPLIT: usize = 64;

/// Where the second half starts and where the first half's matches end: `(b_start, mid)`,
/// or `None` when the haystack is read in one piece.
fn split(dfa: &DFA, len: usize) -> Option<(usize, usize)> {
    let overlap = dfa.max_pattern_len().saturating_sub(1);
    if len < 2 * overlap + MIN_SPLIT {
        return None;
    }
    let mid = len / 2;
    Some((mid - overlap, mid))
}

/// Calls `f(pattern, start, end)` for every occurrence of every pattern of `dfa` in
/// `haystack`, overlapping ones included (in no particular order). `dfa` must use
/// standard match semantics and support unanchored searches.
pub fn for_each_match(dfa: &DFA, haystack: &[u8], mut f: impl FnMut(usize, usize, usize)) {
    let Ok(start) = dfa.start_state(Anchored::No) else {
        return;
    };
    let Some((b_start, mid)) = split(dfa, haystack.len()) else {
        let mut sid = start;
        for (at, &b) in haystack.iter().enumerate() {
            sid = dfa.next_state(Anchored::No, sid, b);
            if dfa.is_special(sid) {
                report(dfa, sid, at + 1, &mut f);
            }
        }
        return;
    };
    let (first, second) = (&haystack[..mid], &haystack[b_start..]);
    let (mut sa, mut sb) = (start, start);
    for (at, (&a, &b)) in first.iter().zip(second).enumerate() {
        sa = dfa.next_state(Anchored::No, sa, a);
        sb = dfa.next_state(Anchored::No, sb, b);
        if dfa.is_special(sa) {
            report(dfa, sa, at + 1, &mut f);
        }
        if dfa.is_special(sb) && b_start + at + 1 > mid {
            report(dfa, sb, b_start + at + 1, &mut f);
        }
    }
    for (at, &b) in second.iter().enumerate().skip(first.len()) {
        sb = dfa.next_state(Anchored::No, sb, b);
        if dfa.is_special(sb) {
            report(dfa, sb, b_start + at + 1, &mut f);
        }
    }
}

/// The matches of a special state (rare), reported out of line so that the search loop
/// keeps its states in registers.
#[cold]
#[inline(never)]
fn report(dfa: &DFA, sid: StateID, end: usize, f: &mut dyn FnMut(usize, usize, usize)) {
    if !dfa.is_match(sid) {
        return;
    }
    for k in 0..dfa.match_len(sid) {
        let pid = dfa.match_pattern(sid, k);
        f(pid.as_usize(), end - dfa.pattern_len(pid), end);
    }
}

/// Whether any pattern of `dfa` occurs in `haystack`. The whole haystack is read: the
/// callers' texts mostly hold no match, and where one does it is usually near the end.
pub fn has_match(dfa: &DFA, haystack: &[u8]) -> bool {
    let mut found = false;
    for_each_match(dfa, haystack, |_, _, _| found = true);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    const PATTERNS: &[&str] = &[" nooit", " nooit teruggebeld", " klacht", " u", " te laat"];

    fn dfa() -> DFA {
        DFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(PATTERNS)
            .unwrap()
    }

    /// The crate's own overlapping search, as the reference.
    fn reference(text: &str) -> Vec<(usize, usize, usize)> {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(PATTERNS)
            .unwrap();
        let mut v: Vec<_> = ac
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn finds_what_the_crate_finds_in_short_and_split_haystacks() {
        let dfa = dfa();
        let unit = " u heeft mij nooit teruggebeld en de klacht kwam te laat";
        // Lengths around the split threshold, and a match straddling every position of
        // the middle at least once.
        for n in 0..12 {
            let mut text = String::new();
            for i in 0..n {
                text.push_str(&unit[..(i * 7) % unit.len()]);
                text.push_str(unit);
            }
            let mut got = Vec::new();
            for_each_match(&dfa, text.as_bytes(), |p, s, e| got.push((p, s, e)));
            got.sort();
            assert_eq!(got, reference(&text), "length {}", text.len());
            assert_eq!(has_match(&dfa, text.as_bytes()), !got.is_empty());
        }
    }

    #[test]
    fn a_single_match_anywhere_is_found_once() {
        let dfa = dfa();
        for at in 0..300 {
            let mut text = "x".repeat(300);
            text.insert_str(at, " nooit teruggebeld");
            let mut got = Vec::new();
            for_each_match(&dfa, text.as_bytes(), |p, s, e| got.push((p, s, e)));
            got.sort();
            assert_eq!(got, reference(&text), "at {at}");
            assert!(has_match(&dfa, text.as_bytes()));
        }
        assert!(!has_match(&dfa, "x".repeat(500).as_bytes()));
    }
}
