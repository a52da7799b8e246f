//! The new text of a mail: what the sender wrote this time, without the quoted history,
//! the signature, or legal and complaint-procedure footers. Detection judges only this,
//! so an old angry mail quoted under a thank-you, or a footer that mentions the firm's
//! klachtenprocedure or Kifid membership, does not flag.

use std::sync::LazyLock;

use aho_corasick::dfa::DFA;
use regex::Regex;

use super::walk::{for_each_match, has_match};

/// A line where quoted history begins; it and everything after it is dropped.
static HISTORY_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^\s*(
            -{2,}\s*(oorspronkelijk\s+bericht|original\s+message|doorgestuurd\s+bericht|forwarded\s+message|origineel\s+bericht)\s*-{2,}
          | begin\s+(forwarded|doorgestuurd)\s+(message|bericht)\s*:?
          | op\s.{1,200}\s(schreef|heeft\s+het\s+volgende\s+geschreven)\s*.{0,200}:\s*$
          | on\s.{1,200}\swrote\s*:\s*$
          | _{10,}\s*$
        )",
    )
    .expect("history regex")
});

/// The attribution line of a reply ("Op … schreef …:", "On … wrote:"): quoted history
/// follows, and when it is quoted line by line with `>`, the lines between the quotes are
/// the sender's answers ([`new_text`]).
static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^\s*(
            op\s.{1,200}\s(schreef|heeft\s+het\s+volgende\s+geschreven)\s*.{0,200}:\s*$
          | on\s.{1,200}\swrote\s*:\s*$
        )",
    )
    .expect("attribution regex")
});

/// The first line of an Outlook-style header block ("Van: …" then "Verzonden: …").
static OUTLOOK_FROM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*\*?(van|from)\s*:\*?\s*\S").expect("outlook from"));
static OUTLOOK_NEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*\*?(verzonden|sent|datum|date|aan|to|onderwerp|subject)\s*:")
        .expect("outlook next")
});

/// "Op … schreef" split over two lines by a mail program that wraps at 72 columns.
static WRAPPED_OP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(op|on)\s.{1,200}$").expect("wrapped op"));
static WRAPPED_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(schreef|geschreven|wrote)\s*.{0,200}:\s*$").expect("wrapped tail")
});

/// A closing line: the signature follows it.
static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^\s*(
            (met\s+)?(vriendelijke|hartelijke|beste|goede)\s+groet(en)?
          | met\s+(een\s+)?(vriendelijke|hartelijke)\s+groet(en)?
          | mvg | m\.v\.g\.? | vriendelijke\s+groet | hoogachtend | groet(en|jes)?
          | (kind|best|warm)\s+regards | regards | sincerely | yours\s+(sincerely|faithfully)
          | best | cheers | thanks\s+and\s+regards
        )\s*[,.!]?\s*$",
    )
    .expect("closing regex")
});

/// A salutation line that opens a letter.
static SALUTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^\s*(
            geachte | beste | dear | hallo | goedendag | goedemorgen | goedemiddag
          | l\.\s?s\. | aan\s+wie\s+het\s+(aangaat|betreft) | to\s+whom\s+it\s+may\s+concern
        )\b",
    )
    .expect("salutation regex")
});

/// Whether `text` (an attached document's) is laid out as a letter: a salutation line
/// among its first 40 lines and a closing line below it. Forms, statements, payslips,
/// contracts and policy conditions have neither; a letter is someone's own words.
pub fn is_letter(text: &str) -> bool {
    let mut lines = text.lines();
    lines.by_ref().take(40).any(|l| SALUTATION.is_match(l))
        && lines.any(|l| {
            let first_word = l.split_whitespace().next().unwrap_or("");
            l.trim().len() <= 40 && may_close(first_word) && CLOSING.is_match(l)
        })
}

/// Whether `line`, a rule of underscores, closes a letterhead rather than opening quoted
/// history or a footer: no letter has begun above it (no salutation among the lines
/// `kept`), no mail header block follows it ("Van: …", "Verzonden: …"), and a salutation
/// follows within a few lines (the firm's name, "t.a.v.", a place and date, "Betreft:",
/// then "Geachte …"). A rule under the sender's own words, or over a header block or a
/// disclaimer, still ends the new text.
fn letterhead_rule(line: &str, after: &[&str], kept: &[&str]) -> bool {
    const SALUTATION_WITHIN: usize = 8;
    if !line.trim().bytes().all(|b| b == b'_') || kept.iter().any(|l| SALUTATION.is_match(l)) {
        return false;
    }
    let mut next = after.iter().filter(|l| !l.trim().is_empty());
    let headers = after
        .iter()
        .take(5)
        .filter(|l| OUTLOOK_NEXT.is_match(l))
        .count();
    next.clone()
        .next()
        .is_some_and(|l| !OUTLOOK_FROM.is_match(l))
        && headers < 2
        && next
            .by_ref()
            .take(SALUTATION_WITHIN)
            .any(|l| SALUTATION.is_match(l))
}

/// How many lines after a closing line count as signature. Text further down (a P.S.)
/// is kept.
const SIGNATURE_LINES: usize = 10;

/// Phrases that mark a paragraph as firm boilerplate (disclaimers, complaint-procedure
/// and register footers) rather than something the sender wrote: the whole paragraph is
/// dropped.
const FOOTER_MARKERS: &[&str] = &[
    "dit bericht is uitsluitend bestemd",
    "dit e-mailbericht is uitsluitend bestemd",
    "de informatie in dit bericht",
    "de informatie verzonden met dit",
    "dit bericht kan vertrouwelijke",
    "indien u dit bericht ten onrechte",
    "aan dit bericht kunnen geen rechten",
    "onze klachtenprocedure",
    "onze klachtenregeling",
    "klachtenregeling vindt u",
    "klachtenprocedure vindt u",
    "aangesloten bij het kifid",
    "aangesloten bij kifid",
    "aangesloten bij het klachteninstituut",
    "kifid-nummer",
    "kifid nummer",
    "ingeschreven in het register van de afm",
    "afm-vergunning",
    "vergunning van de autoriteit financiele markten",
    "this message is intended only",
    "this e-mail is intended",
    "this email is intended",
    "if you are not the intended recipient",
    "our complaints procedure",
    "our complaints policy",
    "please consider the environment",
    "denk aan het milieu",
    "afmelden voor deze nieuwsbrief",
];

/// Words that open a footer as often as a customer writes them ("Disclaimer:", "Sent from
/// my iPhone", "KvK: 1234" — and "I read the disclaimer twice", "I tried to unsubscribe"):
/// a paragraph with one is the sender's own when it speaks in the first person
/// ([`FIRST_PERSON`]); else it is dropped from the word's line on, and the lines above it
/// stay.
const FOOTER_WORDS: &[&str] = &[
    "disclaimer",
    "unsubscribe",
    "verzonden vanaf mijn",
    "sent from my",
    "kamer van koophandel",
    "kvk-nummer",
    "kvk nummer",
    "kvk:",
];

/// Whether a line can start quoted history: it has a colon, `--` or `__` (one SIMD scan
/// for the three bytes; the regex runs only then).
fn may_be_history(line: &str) -> bool {
    let b = line.as_bytes();
    memchr::memchr3_iter(b':', b'-', b'_', b).any(|i| b[i] == b':' || b.get(i + 1) == Some(&b[i]))
}

/// A header line of a forwarded mail's header block ("Van: …", "Onderwerp: …").
static FORWARD_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*\*?(van|from|aan|to|cc|bcc|datum|date|verzonden|sent|onderwerp|subject|reply-to|beantwoorden\s+aan)\s*:",
    )
    .expect("forward header")
});

/// The mail `body` forwards: the text after the first start of history that is no reply's
/// attribution (`HISTORY_START`: a forward or original-message separator) or an Outlook
/// header block (`OUTLOOK_FROM`), and its header lines. For a body whose new text ([`new_text`]) holds no word: what
/// the forwarder passes on. `None` without one, or when a reply's attribution ("Op …
/// schreef:") or a `>` quote comes first: an empty reply passes nothing on.
pub fn forwarded(body: &str) -> Option<&str> {
    forward_parts(body)
        .map(|(_, text)| text)
        .filter(|text| !text.trim().is_empty())
}

/// `fresh`, the new text of `body`, with what the mail passes on ([`passed_on`]): a
/// colleague sending a customer's mail on to the shared inbox without a word of their own
/// passes that mail on, and it is what is judged; with a short note of their own ("Ter
/// info, graag oppakken.", "See below from my father."), the note and that mail are judged
/// together.
pub fn or_forwarded(fresh: String, body: &str, subject: Option<&str>) -> String {
    match passed_on(&fresh, body, subject) {
        None => fresh,
        Some(passed) if !fresh.chars().any(char::is_alphanumeric) => passed,
        Some(passed) => {
            let mut text = fresh;
            text.push_str("\n\n");
            text.push_str(&passed);
            text
        }
    }
}

/// The new text of the mail that `body` forwards ([`forwarded`]), when the sender's own new
/// text `fresh` holds no word, or is the short note of a forward (its `subject` says so:
/// [`is_forward`]) of fewer than [`FORWARD_NOTE_WORDS`] words. A reply's short answer on
/// top of a thread that Outlook quotes the way it quotes a forward (under "-----Original
/// Message-----" or a header block) passes nothing on; nor does a longer note, which is
/// judged by itself.
pub fn passed_on(fresh: &str, body: &str, subject: Option<&str>) -> Option<String> {
    let note = fresh.chars().any(char::is_alphanumeric);
    if note
        && (!is_forward(subject)
            || fresh
                .split_whitespace()
                .nth(FORWARD_NOTE_WORDS - 1)
                .is_some())
    {
        return None;
    }
    forwarded(body)
        .map(new_text)
        .filter(|text| text.chars().any(char::is_alphanumeric))
}

/// Whether `subject`'s latest prefix is a forward's ("FW:", "Fwd:", "Doorst:", "WG:",
/// "TR:"): the mail passes another on. "RE: FW: …" answers a forward.
pub fn is_forward(subject: Option<&str>) -> bool {
    static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*(fw|fwd|doorst|tr|wg)\s*(\[\d+\])?\s*:").expect("forward prefix")
    });
    subject.is_some_and(|s| PREFIX.is_match(s))
}

/// A forward's own note of fewer words than this is judged with the mail it forwards
/// ([`or_forwarded`]): as many as the learned weights need to judge a text by itself.
pub const FORWARD_NOTE_WORDS: usize = 20;

/// A mail forwarded inside a body: the sender and subject its header block names ("Van:
/// Jan Klant <jan@example.nl>", "From: … [mailto:…]", "Onderwerp: …"), each the value after
/// its label, trimmed, and the forwarded text under the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forward<'a> {
    pub sender: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub text: &'a str,
}

/// The first mail `body` forwards, found as [`forwarded`] finds it (a forward or
/// original-message separator, or an Outlook header block, before any reply's attribution
/// or `>` quote). `None` without one.
pub fn forward(body: &str) -> Option<Forward<'_>> {
    let (header, text) = forward_parts(body)?;
    let (mut sender, mut subject) = (None, None);
    for line in header.lines() {
        let Some(found) = FORWARD_FIELD.captures(line) else {
            continue;
        };
        let value = found.get(2).map_or("", |v| v.as_str().trim());
        let slot = if found[1].eq_ignore_ascii_case("van") || found[1].eq_ignore_ascii_case("from")
        {
            &mut sender
        } else {
            &mut subject
        };
        if slot.is_none() && !value.is_empty() {
            *slot = Some(value);
        }
    }
    Some(Forward {
        sender,
        subject,
        text,
    })
}

/// A forwarded mail's sender or subject line, its label and value captured.
static FORWARD_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*\*?(van|from|onderwerp|subject)\s*:\*?\s*(.*)$").expect("forward field")
});

/// The header block of the first forward in `body` (from its separator or Outlook "Van:"
/// line through its header lines) and the forwarded text under it.
fn forward_parts(body: &str) -> Option<(&str, &str)> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let l = line.trim_end();
        // An attribution is history too, but a reply's: checked first.
        if l.trim_start().starts_with('>') || ATTRIBUTION.is_match(l) {
            return None;
        }
        if HISTORY_START.is_match(l) || OUTLOOK_FROM.is_match(l) {
            let mut end = offset;
            // The header block: header lines, their wrapped continuations and blank lines.
            while let Some(l) = body[end..].split_inclusive('\n').next() {
                let t = l.trim();
                if t.is_empty() || FORWARD_HEADER.is_match(l) || l.starts_with([' ', '\t']) {
                    end += l.len();
                } else {
                    break;
                }
            }
            return Some((&body[start..end], &body[end..]));
        }
    }
    None
}

/// What the sender wrote this time: `body` without quoted history, signatures and
/// footers. History starts at an attribution ("Op … schreef …:"), a forward or original-
/// message separator, or an Outlook header block, and runs to the end, with one exception:
/// under an attribution whose history is quoted line by line with `>`, a paragraph of
/// unquoted lines between the quotes (set off from the quote above it by a blank line) is
/// an answer written in between ("4", "No. We told her three times …") and is kept. A
/// quoted line the mail program wrapped carries on without `>` right under it, and stays
/// history.
pub fn new_text(body: &str) -> String {
    new_text_signed(body, None)
}

/// [`new_text`], and the signature lines it drops under a closing line pushed to
/// `signature` when given: who the sender signs as.
pub fn new_text_signed<'a>(body: &'a str, mut signature: Option<&mut Vec<&'a str>>) -> String {
    let lines = split_lines(body);
    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    // Under an attribution whose history is quoted with `>`: whether the line before was
    // part of the quote (a `>` line or its wrapped continuation).
    let mut answering = false;
    let mut in_quote = false;
    // Whether the sender's signature has been read ([`new_text_signed`]).
    let mut signed = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start();
        if t.starts_with('>') || (t.starts_with("| ") && is_quote_pipe(t)) {
            in_quote = true;
            i += 1;
            continue;
        }
        if answering && in_quote {
            // A line right under a quoted one continues it; a blank line ends the quote.
            in_quote = !t.is_empty();
            i += 1;
            continue;
        }
        // Cheap guards first: the regexes only run on lines that could match them.
        if may_be_history(line) && HISTORY_START.is_match(line) {
            let quoted = || {
                lines[i + 1..]
                    .iter()
                    .find(|l| !l.trim().is_empty())
                    .is_some_and(|l| l.trim_start().starts_with('>'))
            };
            if !answering && ATTRIBUTION.is_match(line) && quoted() {
                answering = true;
                in_quote = true;
                i += 1;
                continue;
            }
            if letterhead_rule(line, &lines[i + 1..], &kept) {
                i += 1;
                continue;
            }
            break;
        }
        if line.trim() == "-- " || line.trim_end() == "--" {
            // A postscript under the signature ("--", name, company, "PS …") is the
            // sender's own words: the signature is skipped, the postscript kept. A quote
            // or the history below ends the search.
            let ps = lines[i + 1..]
                .iter()
                .take(2 * SIGNATURE_LINES)
                .take_while(|l| {
                    let quoted = l.trim_start().starts_with('>');
                    !(quoted || (may_be_history(l) && HISTORY_START.is_match(l)))
                })
                .position(|l| super::postscript::opens(l));
            match ps {
                Some(at) => {
                    i += 1 + at;
                    continue;
                }
                None => break,
            }
        }
        let first_word = t.split_whitespace().next().unwrap_or("");
        if (first_word.eq_ignore_ascii_case("op") || first_word.eq_ignore_ascii_case("on"))
            && WRAPPED_OP.is_match(line)
            && !WRAPPED_TAIL.is_match(line)
            && lines.get(i + 1).is_some_and(|n| WRAPPED_TAIL.is_match(n))
        {
            break;
        }
        let head = first_word.trim_start_matches('*').get(..3).unwrap_or("");
        if (head.eq_ignore_ascii_case("van") || head.eq_ignore_ascii_case("fro"))
            && OUTLOOK_FROM.is_match(line)
        {
            let next_hdrs = lines[i + 1..]
                .iter()
                .take(5)
                .filter(|l| OUTLOOK_NEXT.is_match(l))
                .count();
            if next_hdrs >= 2 {
                break;
            }
        }
        if line.trim().len() <= 40 && may_close(first_word) && CLOSING.is_match(line) {
            // Skip the closing and the signature under it; keep what follows later on.
            i += 1;
            let mut skipped = 0;
            while i < lines.len() && skipped < SIGNATURE_LINES {
                let l = lines[i];
                if (may_be_history(l) && HISTORY_START.is_match(l))
                    || l.trim_start().starts_with('>')
                    || super::postscript::opens(l)
                {
                    break;
                }
                if l.trim().is_empty() && lines.get(i + 1).is_none_or(|n| n.trim().is_empty()) {
                    break;
                }
                // The sender's own signature: the lines right under the first closing.
                if let Some(signature) = signature.as_deref_mut() {
                    if l.trim().is_empty() {
                        signed |= !signature.is_empty();
                    } else if !signed {
                        signature.push(l);
                    }
                }
                i += 1;
                skipped += 1;
            }
            signed = true;
            continue;
        }
        kept.push(line);
        i += 1;
    }
    drop_footers(&kept)
}

/// The lines of `body` as [`str::lines`] gives them (a `\r` before the `\n` dropped, no
/// empty line after a final `\n`), found with one SIMD scan for the line feeds.
fn split_lines(body: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(body.len() / 32 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', body.as_bytes()) {
        let line = &body[start..nl];
        lines.push(line.strip_suffix('\r').unwrap_or(line));
        start = nl + 1;
    }
    if start < body.len() {
        lines.push(&body[start..]);
    }
    lines
}

/// Whether a line whose first word is `first_word` can be a closing line: the first
/// three letters of every alternative of [`CLOSING`], so the regex runs only then.
fn may_close(first_word: &str) -> bool {
    let b = first_word.as_bytes();
    if b.len() < 3 {
        return false;
    }
    let k = [
        b[0].to_ascii_lowercase(),
        b[1].to_ascii_lowercase(),
        b[2].to_ascii_lowercase(),
    ];
    matches!(
        &k,
        b"met"
            | b"vri"
            | b"har"
            | b"bes"
            | b"goe"
            | b"mvg"
            | b"m.v"
            | b"hoo"
            | b"gro"
            | b"kin"
            | b"war"
            | b"reg"
            | b"sin"
            | b"you"
            | b"che"
            | b"tha"
    )
}

fn is_quote_pipe(t: &str) -> bool {
    // "| text" quoting used by some web mailers; a table row has several pipes.
    t.matches('|').count() == 1
}

static FOOTERS: LazyLock<DFA> = LazyLock::new(|| {
    DFA::builder()
        .ascii_case_insensitive(true)
        .prefilter(false)
        .build(FOOTER_MARKERS.iter().chain(FOOTER_WORDS))
        .expect("footer markers")
});

fn has_footer(text: &str) -> bool {
    has_match(&FOOTERS, text.as_bytes())
}

/// Words in which a sender speaks of themself. A paragraph that says one of them outside a
/// footer marker is the sender's own, whatever else it names ("what I cannot understand is
/// the disclaimer you sent", "ik heb me al drie keer afgemeld via unsubscribe"): boilerplate
/// speaks as the firm ("wij", "u") or as no one. The plural ("wij", "we", "ons") is the
/// firm's voice as often as a couple's, and does not count.
const FIRST_PERSON: &[&str] = &[
    "ik", "mij", "me", "mijn", "m'n", "mn", "i", "my", "i'm", "i've", "i'd", "i'll", "myself",
    "mine",
];

fn is_first_person(word: &str) -> bool {
    let word = word.replace('\u{2019}', "'");
    let word = word.trim_matches('\'');
    FIRST_PERSON.iter().any(|p| p.eq_ignore_ascii_case(word))
}

/// Where the paragraph `para` (its lines joined by `\n`) turns to boilerplate, in bytes:
/// 0 when it holds one of [`FOOTER_MARKERS`]; the start of the line of its first of
/// [`FOOTER_WORDS`] when it does not speak in the first person outside them
/// ([`FIRST_PERSON`]). `None`: no marker, or the sender's own words.
fn boilerplate_from(para: &str) -> Option<usize> {
    let mut words: Vec<std::ops::Range<usize>> = Vec::new();
    let mut firm = false;
    for_each_match(&FOOTERS, para.as_bytes(), |pattern, start, end| {
        if pattern < FOOTER_MARKERS.len() {
            firm = true;
        } else {
            words.push(start..end);
        }
    });
    if firm {
        return Some(0);
    }
    let first = words.iter().map(|r| r.start).min()?;
    let speaks = para
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .filter(|w| !w.is_empty() && is_first_person(w))
        .any(|w| {
            let at = w.as_ptr() as usize - para.as_ptr() as usize;
            !words.iter().any(|r| r.contains(&at))
        });
    if speaks {
        return None;
    }
    Some(para[..first].rfind('\n').map_or(0, |i| i + 1))
}

/// Drops the firm's boilerplate from every blank-line separated paragraph that carries a
/// footer marker ([`boilerplate_from`]). A footer is the firm's voice; a customer who
/// names a disclaimer, a newsletter or the Chamber of Commerce in their own words is not
/// one.
fn drop_footers(lines: &[&str]) -> String {
    let joined = lines.join("\n");
    // One automaton pass over the whole text; paragraphs are only split when it hits.
    if !has_footer(&joined) {
        let t = joined.trim();
        return if t.len() == joined.len() {
            joined
        } else {
            t.to_string()
        };
    }
    let mut out = String::new();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, out: &mut String| {
        if para.is_empty() {
            return;
        }
        let joined = para.join("\n");
        let kept = joined[..boilerplate_from(&joined).unwrap_or(joined.len())].trim_end();
        if !kept.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(kept);
        }
        para.clear();
    };
    for line in lines {
        if line.trim().is_empty() {
            flush(&mut para, &mut out);
        } else {
            para.push(line);
        }
    }
    flush(&mut para, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_has_a_salutation_and_a_closing_below_it() {
        assert!(is_letter(
            "J. Jansen\nApeldoorn\n\nBetreft: advies\n\nGeachte heer De Vries,\nHet klopt niet.\nMet vriendelijke groet,\nJ. Jansen"
        ));
        assert!(is_letter(
            "Dear Sir or Madam,\nThe fee was never mentioned.\nYours sincerely,\nAnn"
        ));
        // A form, a payslip, conditions: no salutation, or no closing under it.
        assert!(!is_letter(
            "Werkgeversverklaring\nNaam werkgever: Hendriks\nBruto jaarsalaris: 52.400"
        ));
        assert!(!is_letter(
            "Geachte relatie,\nArtikel 1. Begrippen\nArtikel 2. Dekking"
        ));
        assert!(!is_letter("Met vriendelijke groet,\nJan\n\nGeachte heer,"));
    }

    #[test]
    fn splits_lines_as_str_lines_does() {
        for body in [
            "",
            "\n",
            "a",
            "a\n",
            "a\r\nb",
            "a\r\n\r\nb\r\n",
            "a\rb\n\n\nc",
            "a\r",
            "\r\n",
            "één\ntwee\r\n",
        ] {
            assert_eq!(
                split_lines(body),
                body.lines().collect::<Vec<_>>(),
                "{body:?}"
            );
        }
    }

    #[test]
    fn drops_quoted_reply_dutch() {
        let body = "Dank u wel, het is opgelost.\n\nOp ma 23 nov. 2026 om 10:12 schreef Jan <jan@example.test>:\n> Dit is ONACCEPTABEL, ik dien een klacht in!\n";
        assert_eq!(new_text(body), "Dank u wel, het is opgelost.");
    }

    #[test]
    fn drops_wrapped_op_schreef() {
        let body = "Prima, dank.\n\nOp maandag 23 november 2026 10:12 heeft Klantenservice\n<info@firma.example> het volgende geschreven:\n\nuw klacht is ontvangen\n";
        assert_eq!(new_text(body), "Prima, dank.");
    }

    #[test]
    fn drops_outlook_block() {
        let body = "Bedankt voor de snelle reactie.\n\nVan: Jan Jansen <jan@example.test>\nVerzonden: maandag 23 november 2026 10:12\nAan: info@firma.example\nOnderwerp: klacht\n\nIk ben woedend.\n";
        assert_eq!(new_text(body), "Bedankt voor de snelle reactie.");
    }

    #[test]
    fn a_rule_under_a_letterhead_opens_the_letter_and_other_rules_end_the_new_text() {
        let rule = "_".repeat(40);
        // A letterhead: the sender's firm, a rule, then the address block and a salutation.
        let body = format!(
            "HOVENIERSBEDRIJF JANSEN\nKerkstraat 4 | 1234 AB Dorp | KvK 12345678\n{rule}\n\nAan: Firma\nt.a.v. de directie\n\nDorp, 9 maart 2026\n\nGeachte heer,\n\nIk dien een klacht in over uw advies.\n"
        );
        let kept = new_text(&body);
        assert!(kept.contains("Ik dien een klacht in"), "{kept}");
        // An Outlook reply: the rule over a header block, the quoted letter's salutation
        // right under it.
        let body = format!(
            "Dank u wel.\n\n{rule}\nVan: Firma <info@firma.example>\nVerzonden: maandag 9 maart 2026 10:12\nAan: Jan\nOnderwerp: uw klacht\n\nGeachte heer,\n\nUw klacht is ongegrond.\n"
        );
        assert_eq!(new_text(&body), "Dank u wel.");
        // A rule over a disclaimer, and a rule under the sender's own letter.
        let body = format!(
            "Graag een afspraak.\n\n{rule}\nDit bericht is vertrouwelijk. Geachte lezer, neem contact op.\n"
        );
        assert_eq!(new_text(&body), "Graag een afspraak.");
        let body = format!(
            "Geachte heer,\n\nGraag een afspraak.\n\n{rule}\n\nBeste Jan,\n\nUw klacht is ongegrond.\n"
        );
        assert_eq!(new_text(&body), "Geachte heer,\n\nGraag een afspraak.");
    }

    #[test]
    fn drops_original_message_and_forward() {
        let body = "Zie hieronder.\n-----Oorspronkelijk bericht-----\nVan: x\nschandalig\n";
        assert_eq!(new_text(body), "Zie hieronder.");
        let body = "FYI\n\n---------- Forwarded message ---------\nFrom: a\nrude\n";
        assert_eq!(new_text(body), "FYI");
        let body = "Thanks!\n\nOn Mon, 23 Nov 2026 at 10:12, Jan <jan@example.test> wrote:\n> unacceptable\n";
        assert_eq!(new_text(body), "Thanks!");
    }

    #[test]
    fn gives_the_senders_own_signature_only() {
        let signed = |body: &'static str| {
            let mut sig = Vec::new();
            let text = new_text_signed(body, Some(&mut sig));
            (text, sig)
        };
        let (text, sig) =
            signed("Het klopt niet.\n\nMet vriendelijke groet,\n\nIlse\nBrinkman\n\nTel 038\n");
        assert_eq!(text.trim(), "Het klopt niet.");
        assert_eq!(sig, ["Ilse", "Brinkman"]);
        // A second closing further down (history the walk did not see as such) is not the
        // sender's.
        let (_, sig) = signed(
            "Klopt niet.\n\nBest,\nHannah\n\nFrom: Sandra\nSent: today\n\nKind regards,\n\
             Sandra\nDe Vries Advies\n",
        );
        assert_eq!(sig, ["Hannah"]);
        assert_eq!(new_text("Klopt niet.\n\nBest,\nHannah"), "Klopt niet.");
    }

    #[test]
    fn drops_signature_but_keeps_ps_far_below() {
        let body = "Ik wacht op uw antwoord.\n\nMet vriendelijke groet,\nJan Jansen\nAdviseur\nTel 06-12345678\n\nP.S. nog steeds geen reactie op mijn vorige mail";
        let t = new_text(body);
        assert!(t.starts_with("Ik wacht op uw antwoord."));
        assert!(!t.contains("Jan Jansen"));
        assert!(t.contains("P.S. nog steeds geen reactie"), "{t}");
        // Every marker of a postscript, right under the name too; not a word that only
        // starts like one.
        for ps in [
            "PS nog steeds",
            "PPS nog steeds",
            "NB nog steeds",
            "P.S.\nnog steeds",
        ] {
            let body = format!("Ik wacht.\n\nMet vriendelijke groet,\nJan Jansen\n{ps} niets");
            let t = new_text(&body);
            assert!(
                t.contains("nog steeds niets") && !t.contains("Jan"),
                "{ps}: {t}"
            );
        }
        let body = "Ik wacht.\n\nMet vriendelijke groet,\nJan Jansen\nPSV-supporter";
        assert_eq!(new_text(body), "Ik wacht.");
        let body = "Tekst.\n-- \nJan\nKlachtenprocedure: zie website";
        assert_eq!(new_text(body), "Tekst.");
        // Under a "-- " signature too: the signature goes, the postscript stays.
        let body = "Kunt u het adres doorgeven?\n\nTom\n\n--\nTom Hiemstra\nFietsdelen Noord\n\
                    www.fietsdelen.example | 050-1234567\nKvK 84412093\n\nPS Ik ben drie keer \
                    gebeld terwijl ik om mail had gevraagd.";
        let t = new_text(body);
        assert!(t.contains("PS Ik ben drie keer gebeld"), "{t}");
        assert!(!t.contains("Hiemstra") && !t.contains("KvK"), "{t}");
        // A postscript in the quoted history under the signature is not the sender's.
        let body = "Dank!\n-- \nTom Hiemstra\n\nOp 3 maart 2026 om 10:12 schreef Jan \
                    <jan@example.org>:\n> PS nog steeds geen antwoord";
        let t = new_text(body);
        assert!(!t.contains("nog steeds"), "{t}");
        let body = "Dank!\n-- \nTom Hiemstra\n> PS nog steeds geen antwoord";
        assert!(!new_text(body).contains("nog steeds"));
    }

    #[test]
    fn drops_footer_paragraphs() {
        let body = "Kunt u mij de polis sturen?\n\nFirma B.V. is aangesloten bij het Kifid onder nummer 300.000. Onze klachtenprocedure vindt u op de website.\n\nDisclaimer: dit bericht is uitsluitend bestemd voor de geadresseerde.";
        assert_eq!(new_text(body), "Kunt u mij de polis sturen?");
    }

    #[test]
    fn a_paragraph_in_the_first_person_is_kept_whatever_footer_word_it_names() {
        // One paragraph: before, the whole complaint went with the word "disclaimer".
        let mug = "I bought a travel mug from you. Now, I understood from the disclaimer \
                   inside that you could not promise the same results.\nWhat I cannot \
                   understand is that it leaks every time I drink from it.";
        assert_eq!(new_text(mug), mug);
        let unsubscribe = "I have tried to unsubscribe five times and you still send me offers.";
        assert_eq!(new_text(unsubscribe), unsubscribe);
        let afgemeld = "Goedemiddag,\n\nVolgens de Kamer van Koophandel staat mijn bedrijf al \
                        twee jaar op een ander adres, toch stuurt u alles nog naar het oude.";
        assert_eq!(new_text(afgemeld), afgemeld);
        let curly = "I\u{2019}ve read the disclaimer twice and it says nothing about this fee.";
        assert_eq!(new_text(curly), curly);
    }

    #[test]
    fn boilerplate_is_dropped_from_its_marker_line_on() {
        // The firm's voice, or no one's: dropped as before.
        let body = "Kunt u bellen?\n\nDisclaimer: wij aanvaarden geen aansprakelijkheid. U \
                    kunt aan dit bericht geen rechten ontlenen.";
        assert_eq!(new_text(body), "Kunt u bellen?");
        // A phone's line under the text without a blank line: the text stays, the line
        // goes ("my"/"mijn" inside the marker is not the sender speaking).
        assert_eq!(
            new_text("Kunt u de polis sturen?\nVerzonden vanaf mijn iPhone"),
            "Kunt u de polis sturen?"
        );
        assert_eq!(
            new_text("Please call me back.\n\nSent from my iPhone"),
            "Please call me back."
        );
        // A first-person word before the marker on an earlier line of the same paragraph
        // keeps it: the sender's words, not boilerplate.
        assert_eq!(
            new_text("Ik wacht nog steeds op de polis.\nVerzonden vanaf mijn iPhone"),
            "Ik wacht nog steeds op de polis.\nVerzonden vanaf mijn iPhone"
        );
        // The firm's legal sentences take their whole paragraph, whoever it names.
        assert_eq!(
            new_text(
                "Bijgaand de stukken.\n\nThis email is intended only for the addressee; \
                      I accept no liability."
            ),
            "Bijgaand de stukken."
        );
        assert_eq!(
            new_text("Tot donderdag.\n\nJan de Vries\nDe Vries Advies B.V.\nKvK: 12345678"),
            "Tot donderdag.\n\nJan de Vries\nDe Vries Advies B.V."
        );
    }

    #[test]
    fn a_customer_mentioning_your_procedure_is_kept() {
        let body = "Volgens uw klachtenprocedure dien ik hierbij een klacht in.";
        assert_eq!(new_text(body), body);
    }

    /// A reply with answers written between the quoted questions of a survey.
    const ANSWERS: &str =
        "Hi,\n\nThe survey link would not open, my answers are under each question.\n\n\
        Sarah\n\n\
        On Tue, 6 Oct 2026 at 10:00, KlantMeter <survey@klantmeter.example> wrote:\n\
        > Dear Ms Lindqvist,\n>\n\
        > 1. How would you rate your most recent contact, on a scale from 1 to 10?\n\n\
        4\n\n\
        > 2. Did you feel that your adviser listened to your wishes?\n\n\
        No. We told her three times that we do not want a loan against the building.\n\
        She kept bringing it up.\n\n\
        > 3. Anything else?\n> Thank you for your time.\n";

    #[test]
    fn answers_between_quoted_lines_are_kept_and_the_quotes_are_not() {
        let t = new_text(ANSWERS);
        assert!(t.starts_with("Hi,"), "{t}");
        assert!(t.contains("\n4\n"), "{t}");
        assert!(
            t.contains("No. We told her three times that we do not want a loan against the building.\nShe kept bringing it up."),
            "{t}"
        );
        for quoted in [
            "Dear Ms Lindqvist",
            "How would you rate",
            "listened",
            "Thank you for your time",
        ] {
            assert!(!t.contains(quoted), "{quoted}: {t}");
        }
    }

    #[test]
    fn a_quoted_line_wrapped_without_its_marker_stays_history() {
        // The mail program wrapped the last quoted line: "weeks!" carries on the quote.
        let body = "Thank you for your call. I consider the matter closed.\n\n\
            On Mon, 9 Nov 2026 at 14:02, Tom <tom@mail.example> wrote:\n\
            > This is outrageous. Your adviser was rude and still no answer after\n\
            weeks!\n";
        assert_eq!(
            new_text(body),
            "Thank you for your call. I consider the matter closed."
        );
    }

    #[test]
    fn history_that_is_not_quoted_line_by_line_is_dropped_whole() {
        // A reply whose history is not marked with `>` (an HTML mail made text): everything
        // under the attribution is history, answers cannot be told from it.
        let body = "Dank u, dan is het opgelost.\n\n\
            Op 9 nov. 2026 om 14:02 schreef Jan <jan@mail.example>:\n\n\
            Dit is schandalig, ik wacht al weken.\n\n\
            Met vriendelijke groet,\nJan\n";
        assert_eq!(new_text(body), "Dank u, dan is het opgelost.");
        // Under answers, a forwarded message or an earlier reply still ends the new text.
        let body = format!(
            "{ANSWERS}\n---------- Forwarded message ---------\nFrom: a\nrude and unacceptable\n"
        );
        let t = new_text(&body);
        assert!(t.contains("She kept bringing it up."), "{t}");
        assert!(!t.contains("unacceptable"), "{t}");
    }

    #[test]
    fn a_forward_without_words_of_its_own_passes_the_forwarded_mail_on() {
        let forward = "\n\n-------- Doorgestuurd bericht --------\nOnderwerp: schade schuur\n\
                       Datum: Thu, 5 Feb 2026 19:33:10 +0100\nVan: Harm <harm@klant.example>\n\
                       Aan: Anouk <anouk@firma.example>\n\n\nAnouk,\n\nJe zei dat alles gedekt was.\n";
        assert_eq!(
            forwarded(forward),
            Some("Anouk,\n\nJe zei dat alles gedekt was.\n")
        );
        assert_eq!(new_text(forward).trim(), "");
        // Outlook's forward: a header block only, wrapped header lines and all.
        let outlook =
            "Van: Harm <harm@klant.example>\nVerzonden: donderdag 5 februari 2026 19:33\n\
                       Aan: info@firma.example\nOnderwerp: FW: schade schuur,\n  tweede regel\n\n\
                       Het advies klopte niet.";
        assert_eq!(forwarded(outlook), Some("Het advies klopte niet."));
        // An empty reply above quoted history passes nothing on.
        for reply in [
            "Op 5 februari 2026 schreef Harm <harm@klant.example>:\n> Het advies klopte niet.\n",
            "> Het advies klopte niet.\n\nVan: Harm\nAan: info@firma.example\n\nTekst",
        ] {
            assert_eq!(forwarded(reply), None, "{reply}");
        }
        assert_eq!(forwarded("Geen doorgestuurd bericht hier."), None);
    }

    #[test]
    fn a_forwards_short_note_passes_the_forwarded_mail_on_with_it() {
        let body = "Zie onder.\n\n-------- Doorgestuurd bericht --------\nVan: Harm <harm@klant.example>\n\
                    Onderwerp: schade\n\nJe zei dat alles gedekt was.\n";
        let fresh = new_text(body);
        assert_eq!(fresh.trim(), "Zie onder.");
        let fw = Some("Fwd: schade");
        assert_eq!(
            passed_on(&fresh, body, fw).as_deref().map(str::trim),
            Some("Je zei dat alles gedekt was.")
        );
        let judged = or_forwarded(fresh.clone(), body, fw);
        assert!(
            judged.starts_with("Zie onder.") && judged.contains("gedekt"),
            "{judged}"
        );
        // Not a forward's subject: the note alone ("RE: FW: …" answers a forward).
        for subject in [
            Some("Re: schade"),
            Some("RE: FW: schade"),
            Some("schade"),
            None,
        ] {
            assert_eq!(passed_on(&fresh, body, subject), None, "{subject:?}");
            assert_eq!(or_forwarded(fresh.clone(), body, subject), fresh);
        }
        // A note of twenty words or more is judged by itself.
        let long = "een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien \
                    veertien vijftien zestien zeventien achttien negentien twintig";
        let body_long = body.replacen("Zie onder.", long, 1);
        assert_eq!(passed_on(&new_text(&body_long), &body_long, fw), None);
        // One word less, and the forward is passed on.
        let shorter = long.rsplit_once(' ').unwrap().0;
        let body_short = body.replacen("Zie onder.", shorter, 1);
        assert!(passed_on(&new_text(&body_short), &body_short, fw).is_some());
        // No note at all: passed on whatever the subject.
        let bare = body.replacen("Zie onder.", "", 1);
        assert!(passed_on(&new_text(&bare), &bare, None).is_some());
        assert!(is_forward(Some(" fw[2]: x")) && !is_forward(Some("Forward planning")));
    }

    #[test]
    fn a_forwards_sender_and_subject_are_read_from_its_header_block() {
        let sender = |body| forward(body).and_then(|f| f.sender);
        let forward_ = "Zie onder.\n\n-------- Doorgestuurd bericht --------\nOnderwerp: x\n\
                       Van: Harm <harm@klant.example>\nAan: info@firma.example\n\nTekst\nVan: niet dit\n";
        assert_eq!(
            forward(forward_),
            Some(Forward {
                sender: Some("Harm <harm@klant.example>"),
                subject: Some("x"),
                text: "Tekst\nVan: niet dit\n",
            })
        );
        let outlook = "*From:* Jan Klant [mailto:jan@klant.example]\n*Sent:* Monday\n\nText";
        assert_eq!(
            sender(outlook),
            Some("Jan Klant [mailto:jan@klant.example]")
        );
        // A reply's history, or a forward whose block names no sender.
        assert_eq!(
            sender("Ok.\n\nOp 5 feb. schreef Harm <h@k.example>:\n> x\n"),
            None
        );
        assert_eq!(
            sender("-------- Forwarded message --------\nSubject: x\n\nText"),
            None
        );
    }
}
