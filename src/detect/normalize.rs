//! Text normalisation for matching: lower case, accents removed (é → e), apostrophes
//! dropped (don't → dont), every run of non-alphanumeric characters folded to one space.
//! Each word of the result remembers where it came from, so a match can be shown to
//! directie exactly as the customer wrote it. The same pass notes how many words in a row
//! were written in capitals, so the check for shouting runs only where it can succeed.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

pub struct Normalized {
    /// A space, then the words separated by single spaces; no trailing space. The leading
    /// space lets the lexicon's automaton see every word start as " word".
    spaced: String,
    /// Every word of `text()`, in order: where it starts there and where it came from.
    words: Vec<Word>,
    /// The longest run of consecutive words written without ASCII lower-case letters and
    /// with an ASCII capital or a non-ASCII letter (words of digits neither count nor
    /// break a run).
    capitals_run: usize,
    /// Per word, whether it stands in an e-mail address or a web link
    /// ([`link_words`]); empty when the text holds none.
    links: Vec<bool>,
}

/// A word of the normalised text and the source bytes it was made from.
#[derive(Debug, Clone, Copy)]
struct Word {
    /// Byte offset of the word in `text()`.
    start: u32,
    /// Source byte range from its first to the end of its last letter or digit.
    src_start: u32,
    src_end: u32,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{00B4}')
}

const SEPARATOR: u8 = 0;
const APOSTROPHE: u8 = 1;

/// Per ASCII byte: its lower-case form when it is a letter or digit, else [`SEPARATOR`]
/// or [`APOSTROPHE`] (dropped without separating words).
static ASCII: [u8; 128] = {
    let mut t = [SEPARATOR; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        } else if c == b'\'' || c == b'`' {
            t[b] = APOSTROPHE;
        }
        b += 1;
    }
    t
};

/// The word being built: where it started (normalised, source), where its last letter
/// ended in the source, and the kinds of letters it was written with.
struct Open {
    word: Word,
    /// An ASCII lower-case letter.
    lower: bool,
    /// An ASCII capital or a non-ASCII letter or digit (which may be a capital).
    capital: bool,
}

/// Runs of words in capitals: the current one and the longest.
#[derive(Default)]
struct Capitals {
    run: usize,
    best: usize,
}

pub fn normalize(input: &str) -> Normalized {
    let mut text: Vec<u8> = Vec::with_capacity(input.len() + 1);
    text.push(b' ');
    // About one word per six bytes of mail text.
    let mut words: Vec<Word> = Vec::with_capacity(input.len() / 4 + 1);
    let mut open: Option<Open> = None;
    let mut capitals = Capitals::default();
    let close = |open: &mut Option<Open>, words: &mut Vec<Word>, caps: &mut Capitals| {
        if let Some(o) = open.take() {
            words.push(o.word);
            if o.lower {
                caps.run = 0;
            } else if o.capital {
                caps.run += 1;
                caps.best = caps.best.max(caps.run);
            }
        }
    };
    // Starts a word at source offset `at` unless one is open; a space separates it from
    // the previous word.
    let begin = |open: &mut Option<Open>, text: &mut Vec<u8>, at: u32| {
        if open.is_none() {
            if text.len() > 1 {
                text.push(b' ');
            }
            *open = Some(Open {
                word: Word {
                    start: (text.len() - 1) as u32,
                    src_start: at,
                    src_end: at,
                },
                lower: false,
                capital: false,
            });
        }
    };
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            // Fast path: most mail text is ASCII; one table look-up classifies the byte,
            // and a run of ASCII letters and digits is copied in one go.
            match ASCII[b as usize] {
                SEPARATOR => close(&mut open, &mut words, &mut capitals),
                APOSTROPHE => {}
                _ => {
                    begin(&mut open, &mut text, i as u32);
                    // One pass finds the run's end and whether it holds a lower-case
                    // letter or a capital (a digit is neither).
                    let (mut run, mut lower, mut capital) = (i, false, false);
                    while let Some(&b) = bytes.get(run) {
                        if !b.is_ascii() || ASCII[b as usize] <= APOSTROPHE {
                            break;
                        }
                        lower |= b.is_ascii_lowercase();
                        capital |= b.is_ascii_uppercase();
                        run += 1;
                    }
                    text.extend(bytes[i..run].iter().map(|&b| ASCII[b as usize]));
                    if let Some(o) = open.as_mut() {
                        o.word.src_end = run as u32;
                        o.lower |= lower;
                        o.capital |= capital;
                    }
                    i = run;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        let c = input[i..].chars().next().expect("char boundary");
        let start = i as u32;
        i += c.len_utf8();
        if is_apostrophe(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            close(&mut open, &mut words, &mut capitals);
            continue;
        }
        let mut buf = [0u8; 4];
        decompose_canonical(c, |d| {
            if is_combining_mark(d) {
                return;
            }
            for lc in d.to_lowercase() {
                begin(&mut open, &mut text, start);
                text.extend_from_slice(lc.encode_utf8(&mut buf).as_bytes());
            }
        });
        if let Some(o) = open.as_mut() {
            o.word.src_end = i as u32;
            o.capital = true;
        }
    }
    close(&mut open, &mut words, &mut capitals);
    let links = link_words(input, &words);
    Normalized {
        // Only whole UTF-8 sequences and ASCII were pushed.
        spaced: String::from_utf8(text).expect("normalised text is UTF-8"),
        words,
        capitals_run: capitals.best,
        links,
    }
}

/// Whether `b` ends a written address or link: white space, or a bracket or quotation
/// mark around it ("<info@firma.nl>", "(www.firma.nl)", "[mailto:jan@firma.nl]").
fn ends_link(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'<' | b'>' | b'(' | b')' | b'[' | b']' | b'"' | b'\'')
}

/// The searchers of a link's start, built once (building one costs more than searching a
/// short text).
static SCHEME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"://"));
static WWW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"www."));
static WWW_CAPS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"WWW."));

/// Per word of `words` (made from `input`), whether it stands in an e-mail address
/// ("jan.devries@hotmail.com": a letter or digit on both sides of the "@"; a handle such as
/// "@BrinkmanFA" is no address) or a web link ("https://…", "www.…", "WWW.…"), a run of
/// characters up to white space or a bracket. Empty when `input` holds neither: most texts.
fn link_words(input: &str, words: &[Word]) -> Vec<bool> {
    let bytes = input.as_bytes();
    let at_sign = memchr::memchr(b'@', bytes).is_some();
    let web =
        SCHEME.find(bytes).is_some() || WWW.find(bytes).is_some() || WWW_CAPS.find(bytes).is_some();
    if !at_sign && !web {
        return Vec::new();
    }
    // The runs that hold an address or a link, in order.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        if ends_link(bytes[start]) {
            start += 1;
            continue;
        }
        let end = bytes[start..]
            .iter()
            .position(|&b| ends_link(b))
            .map_or(bytes.len(), |n| start + n);
        let run = &bytes[start..end];
        let address = run
            .windows(3)
            .any(|w| w[1] == b'@' && w[0].is_ascii_alphanumeric() && w[2].is_ascii_alphanumeric());
        let link =
            SCHEME.find(run).is_some() || run.starts_with(b"www.") || run.starts_with(b"WWW.");
        if address || link {
            spans.push((start, end));
        }
        start = end;
    }
    if spans.is_empty() {
        return Vec::new();
    }
    let mut span = spans.iter().peekable();
    words
        .iter()
        .map(|w| {
            let at = w.src_start as usize;
            while span.next_if(|&&(_, end)| end <= at).is_some() {}
            span.peek().is_some_and(|&&(from, _)| from <= at)
        })
        .collect()
}

impl Normalized {
    /// Words separated by single spaces; no leading or trailing space.
    pub fn text(&self) -> &str {
        &self.spaced[1..]
    }

    /// [`Normalized::text`] with one space in front.
    pub fn spaced(&self) -> &str {
        &self.spaced
    }

    /// The longest run of words that may be written in capitals. A run of `n` words in
    /// capitals (split on white space, each with at least one capital and no lower-case
    /// letter) is always counted in full, so a smaller figure rules such a run out; a
    /// larger one only says it may exist.
    pub fn capitals_run(&self) -> usize {
        self.capitals_run
    }

    /// Where the sentences after the first start in [`Normalized::text`] (the offsets of
    /// their first words), read from `source`, the text this was made from. A sentence
    /// ends at `!` or `?`, at a blank line, or at a `.` or an emoji followed by a word that
    /// starts with a capital or a digit (so "bijv. de" and "o.a." end none).
    pub fn sentence_starts(&self, source: &str) -> Vec<usize> {
        self.sentences(source).into_iter().map(|(s, _)| s).collect()
    }

    /// Like [`Normalized::sentence_starts`], each start with whether it also begins a
    /// paragraph (a blank line before it).
    pub fn sentences(&self, source: &str) -> Vec<(usize, bool)> {
        let mut out = Vec::new();
        for pair in self.words.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let Some(gap) = source.get(a.src_end as usize..b.src_start as usize) else {
                continue;
            };
            // Most gaps are one space: the gap is read once, byte by byte (the marks
            // looked for are ASCII, so no character is split).
            let (mut newlines, mut mark, mut stop) = (0, false, false);
            for &byte in gap.as_bytes() {
                match byte {
                    b'\n' => newlines += 1,
                    b'!' | b'?' => mark = true,
                    // A full stop, or an emoji (a character of four bytes): "… verzet 😤
                    // Gelukkig hield …" are two sentences.
                    b'.' | 0xF0..=0xF4 => stop = true,
                    _ => {}
                }
            }
            let capital = || {
                source[b.src_start as usize..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
            };
            let paragraph = newlines >= 2;
            if paragraph || mark || (stop && capital()) {
                out.push((b.start as usize, paragraph));
            }
        }
        out
    }

    /// Whether the `i`th word stands in an e-mail address or a web link.
    pub fn in_link(&self, i: usize) -> bool {
        self.links.get(i).copied().unwrap_or(false)
    }

    /// How many words the text has.
    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    /// The words of [`Normalized::text`], in order.
    pub fn words(&self) -> impl Iterator<Item = &str> + '_ {
        let text = self.text();
        self.words.iter().enumerate().map(move |(i, w)| {
            let end = self
                .words
                .get(i + 1)
                .map_or(text.len(), |next| next.start as usize - 1);
            &text[w.start as usize..end]
        })
    }

    /// The source range of the normalised byte range `start..end`, widened to whole words:
    /// from the first letter of the word holding `start` to the end of the last letter of
    /// the word holding `end - 1`.
    pub fn source_range(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        if start >= end || end > self.text().len() {
            return 0..0;
        }
        // The words starting at or before an offset; the last of them holds it.
        let holding = |at: usize| {
            self.words
                .partition_point(|w| w.start as usize <= at)
                .checked_sub(1)
        };
        match (holding(start), holding(end - 1)) {
            (Some(a), Some(b)) => {
                let (first, last) = (self.words[a], self.words[b]);
                let from = first.src_start as usize;
                from..(last.src_end as usize).max(from)
            }
            _ => 0..0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_punctuation() {
        let n = normalize("  Ik ben ÉCHT   teleurgesteld!!! Geërgerd, don’t… ");
        assert_eq!(n.text(), "ik ben echt teleurgesteld geergerd dont");
    }

    /// The words of `src` that stand in an address or a link.
    fn linked(src: &str) -> Vec<String> {
        let n = normalize(src);
        n.words()
            .enumerate()
            .filter(|&(i, _)| n.in_link(i))
            .map(|(_, w)| w.to_string())
            .collect()
    }

    #[test]
    fn words_of_addresses_and_links_are_marked() {
        // Addresses and links, bare, in brackets, after "mailto:" or a label.
        assert_eq!(
            linked("Mail naar jan.de-vries@hotmail.com of kijk op https://www.firma.nl/klachten."),
            ["jan", "de", "vries", "hotmail", "com", "https", "www", "firma", "nl", "klachten"]
        );
        assert_eq!(
            linked("Jan <jan@firma.nl> [mailto:info@firma.nl] (WWW.Firma.NL)"),
            ["jan", "firma", "nl", "mailto", "info", "firma", "nl", "www", "firma", "nl"]
        );
        assert_eq!(
            linked("E-mail:piet@x.nl, dank"),
            ["e", "mail", "piet", "x", "nl"]
        );
        // No address: a handle, an "@" between spaces, "om 10@" and a bare domain name.
        assert!(linked("@BrinkmanFA: 3 @ 10 euro, om 10@ uur, zie firma.nl").is_empty());
        // The words around a link are no part of it; most texts hold none.
        let n = normalize("Slecht geholpen, zie www.firma.nl en bel me.");
        let marks: Vec<bool> = (0..n.word_count()).map(|i| n.in_link(i)).collect();
        assert_eq!(
            marks,
            [false, false, false, true, true, true, false, false, false]
        );
        assert!(normalize("Geen adres hier.").links.is_empty());
    }

    #[test]
    fn maps_words_back_to_their_source() {
        let src = "‘Dat’   is  ZÓ...\n schandalig!! don't";
        let n = normalize(src);
        assert_eq!(n.text(), "dat is zo schandalig dont");
        assert_eq!(
            n.words().collect::<Vec<_>>(),
            n.text().split(' ').collect::<Vec<_>>()
        );
        let text = n.text();
        let mut at = 0;
        let mut seen = Vec::new();
        for w in text.split(' ') {
            seen.push(&src[n.source_range(at, at + w.len())]);
            at += w.len() + 1;
        }
        assert_eq!(seen, ["Dat", "is", "ZÓ", "schandalig", "don't"]);
        // A range inside a word widens to the word; an empty or out-of-range one is empty.
        let s = text.find("chand").unwrap();
        assert_eq!(&src[n.source_range(s, s + 3)], "schandalig");
        assert_eq!(n.source_range(3, 3), 0..0);
        assert_eq!(n.source_range(0, text.len() + 1), 0..0);
        assert_eq!(&src[n.source_range(0, text.len())], &src["‘".len()..]);
    }

    #[test]
    fn sentences_end_at_marks_blank_lines_and_a_full_stop_before_a_capital() {
        let src = "Ik belde op 3 jan. en 10 jan. Niemand nam op!  Waarom?\nDat o.a. bijv. de polis\n\n\u{c9}\u{e9}n vraag nog. 12 keer gebeld.";
        let n = normalize(src);
        let text = n.text();
        let starts: Vec<(&str, bool)> = n
            .sentences(src)
            .into_iter()
            .map(|(s, paragraph)| (text[s..].split(' ').next().unwrap(), paragraph))
            .collect();
        assert_eq!(
            starts,
            [
                ("niemand", false),
                ("waarom", false),
                ("dat", false),
                ("een", true),
                ("12", false)
            ]
        );
        assert_eq!(
            n.sentence_starts(src),
            n.sentences(src)
                .into_iter()
                .map(|(s, _)| s)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn an_emoji_before_a_capital_ends_a_sentence() {
        // A post's sentences often end in an emoji instead of a full stop; before a word in
        // lower case the emoji stands inside the sentence, as a full stop would not end it.
        let src = "De notaris heeft het weer verzet \u{1F624} Gelukkig hield Cornelis de offerte vast \u{1F64F} echt top";
        let n = normalize(src);
        let text = n.text();
        let starts: Vec<&str> = n
            .sentence_starts(src)
            .into_iter()
            .map(|s| text[s..].split(' ').next().unwrap())
            .collect();
        assert_eq!(starts, ["gelukkig"]);
    }

    #[test]
    fn maps_back_to_source() {
        let src = "Dat is ONACCEPTABEL, geërgerd!";
        let n = normalize(src);
        let at = n.text().find("onacceptabel").unwrap();
        let r = n.source_range(at, at + "onacceptabel".len());
        assert_eq!(&src[r], "ONACCEPTABEL");
        let at = n.text().find("geergerd").unwrap();
        let r = n.source_range(at, at + "geergerd".len());
        assert_eq!(&src[r], "geërgerd");
        let at = n.text().find("is onacceptabel").unwrap();
        let r = n.source_range(at, at + "is onacceptabel".len());
        assert_eq!(&src[r], "is ONACCEPTABEL");
    }
}
