//! Text normalisation for matching: lower case, accents removed (é → e), apostrophes
//! dropped (don't → dont), every run of non-alphanumeric characters folded to one space.
//! Each byte of the result remembers where it came from, so a match can be shown to
//! directie exactly as the customer wrote it.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

pub struct Normalized {
    /// Words separated by single spaces; no leading or trailing space.
    pub text: String,
    /// For every byte of `text`: start and end byte offset of the source character.
    src_start: Vec<u32>,
    src_end: Vec<u32>,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{00B4}')
}

pub fn normalize(input: &str) -> Normalized {
    let mut text = String::with_capacity(input.len());
    let mut src_start = Vec::with_capacity(input.len());
    let mut src_end = Vec::with_capacity(input.len());
    let mut pending_space: Option<(u32, u32)> = None;
    let mut buf = [0u8; 4];
    for (i, c) in input.char_indices() {
        let (s, e) = (i as u32, (i + c.len_utf8()) as u32);
        if is_apostrophe(c) {
            continue;
        }
        if !c.is_alphanumeric() {
            if !text.is_empty() && pending_space.is_none() {
                pending_space = Some((s, e));
            }
            continue;
        }
        if let Some((ps, pe)) = pending_space.take() {
            text.push(' ');
            src_start.push(ps);
            src_end.push(pe);
        }
        let mut emit = |ch: char| {
            for lc in ch.to_lowercase() {
                let bytes = lc.encode_utf8(&mut buf);
                text.push_str(bytes);
                for _ in 0..bytes.len() {
                    src_start.push(s);
                    src_end.push(e);
                }
            }
        };
        if c.is_ascii() {
            emit(c);
        } else {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    emit(d)
                }
            });
        }
    }
    Normalized {
        text,
        src_start,
        src_end,
    }
}

impl Normalized {
    /// The source range of the normalised byte range `start..end`.
    pub fn source_range(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        if start >= end || end > self.src_start.len() {
            return 0..0;
        }
        self.src_start[start] as usize..self.src_end[end - 1] as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_punctuation() {
        let n = normalize("  Ik ben ÉCHT   teleurgesteld!!! Geërgerd, don’t… ");
        assert_eq!(n.text, "ik ben echt teleurgesteld geergerd dont");
    }

    #[test]
    fn maps_back_to_source() {
        let src = "Dat is ONACCEPTABEL, geërgerd!";
        let n = normalize(src);
        let at = n.text.find("onacceptabel").unwrap();
        let r = n.source_range(at, at + "onacceptabel".len());
        assert_eq!(&src[r], "ONACCEPTABEL");
        let at = n.text.find("geergerd").unwrap();
        let r = n.source_range(at, at + "geergerd".len());
        assert_eq!(&src[r], "geërgerd");
        let at = n.text.find("is onacceptabel").unwrap();
        let r = n.source_range(at, at + "is onacceptabel".len());
        assert_eq!(&src[r], "is ONACCEPTABEL");
    }
}
