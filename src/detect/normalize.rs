//! Text normalisation for matching: lower case, accents removed (é → e), apostrophes
//! dropped (don't → dont), every run of non-alphanumeric characters folded to one space.
//! Each byte of the result remembers where it came from, so a match can be shown to
//! directie exactly as the customer wrote it.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

pub struct Normalized<'a> {
    /// A space, then the words separated by single spaces; no trailing space. The leading
    /// space lets the lexicon's automaton see every word start as " word".
    spaced: String,
    source: &'a str,
    /// For every byte of `text()`: the start byte offset of the source character.
    src_start: Vec<u32>,
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

pub fn normalize(input: &str) -> Normalized<'_> {
    let mut text: Vec<u8> = Vec::with_capacity(input.len() + 1);
    text.push(b' ');
    let mut src_start: Vec<u32> = Vec::with_capacity(input.len());
    // Offset of the separator that will become a space before the next word.
    let mut pending_space: Option<u32> = None;
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            // Fast path: most mail text is ASCII; one table look-up classifies the byte.
            match ASCII[b as usize] {
                SEPARATOR => {
                    if text.len() > 1 && pending_space.is_none() {
                        pending_space = Some(i as u32);
                    }
                }
                APOSTROPHE => {}
                lower => {
                    if let Some(ps) = pending_space.take() {
                        text.push(b' ');
                        src_start.push(ps);
                    }
                    text.push(lower);
                    src_start.push(i as u32);
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
            if text.len() > 1 && pending_space.is_none() {
                pending_space = Some(start);
            }
            continue;
        }
        if let Some(ps) = pending_space.take() {
            text.push(b' ');
            src_start.push(ps);
        }
        let mut buf = [0u8; 4];
        let mut emit = |ch: char| {
            for lc in ch.to_lowercase() {
                let encoded = lc.encode_utf8(&mut buf);
                text.extend_from_slice(encoded.as_bytes());
                for _ in 0..encoded.len() {
                    src_start.push(start);
                }
            }
        };
        decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                emit(d)
            }
        });
    }
    Normalized {
        // Only whole UTF-8 sequences and ASCII were pushed.
        spaced: String::from_utf8(text).expect("normalised text is UTF-8"),
        source: input,
        src_start,
    }
}

impl Normalized<'_> {
    /// Words separated by single spaces; no leading or trailing space.
    pub fn text(&self) -> &str {
        &self.spaced[1..]
    }

    /// [`Normalized::text`] with one space in front.
    pub fn spaced(&self) -> &str {
        &self.spaced
    }

    /// The source range of the normalised byte range `start..end`.
    pub fn source_range(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        if start >= end || end > self.src_start.len() {
            return 0..0;
        }
        let last = self.src_start[end - 1] as usize;
        let last_len = self.source[last..].chars().next().map_or(0, char::len_utf8);
        self.src_start[start] as usize..last + last_len
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
