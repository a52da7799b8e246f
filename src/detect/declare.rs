//! A complaint made in so many words: the writer lodges it, now, with the firm ("ik dien
//! hierbij een klacht in", "I wish to lodge a formal complaint"). Section 3.1's first
//! signal at its plainest; the learned word weights, fitted on corpora that hold many
//! texts that mention a complaint without making one, may not argue such a mail down.
//!
//! A phrase of the lexicon's `[declaration]` group declares a complaint when
//! - a signal of the word klacht (criterion `klachtwoord`) that counted lies inside it;
//! - no negator is inside it or in the negation window before it in its sentence ("ik
//!   wil geen klacht indienen", "not writing to complain");
//! - no `unless` word comes before it in its sentence or in one of its gaps (a condition,
//!   a threat or a question: "anders dien ik een klacht in", "I'd like to know how to file
//!   a complaint"); a word the phrase itself holds is meant ("mail als ... klacht");
//! - it is not aimed at someone else ("… een klacht indienen bij de gemeente");
//! - a coordinated phrase ("en dien … klacht in", "and wish to lodge … complaint") has the
//!   writer as its subject earlier in its sentence ("ik", "wij", "I", "we"), nearer than
//!   anyone else ("hij", "they").
//!
//! It has no weight of its own: the signals it holds carry the score, and a context signal
//! (a withdrawal, a text about complaints) or a colleague as the sender still counts.

use std::ops::Range;

use super::lexicon::{Hit, Lexicon, Role};
use super::normalize::{normalize, Normalized};
use super::target::{self, Aim, Topics};

/// The reason, in a verdict's ignored matches, that the learned signal did not count.
pub const REASON: &str = "klacht_verklaard";

/// The reason, in a verdict's ignored matches, that a declared complaint is doubtful: the
/// learned phrases around the complaint's own words argue against it by more than
/// [`AGAINST_DOUBT`] times the cap per criterion.
pub const DOUBT_REASON: &str = "klacht_verklaard_twijfel";

/// How far the learned phrases outside a declared complaint's own words (the declaration,
/// every word klacht and every strong disagreement that counted: the fit counts those
/// against a mail, as the corpora mention complaints and quote disagreement more than they
/// make them) may argue against it before it is only doubtful.
/// A complaint meant for someone else and sent to the firm by mistake (about a boiler, a
/// dentist's autoclave, a web shop's order), or a question how to complain about a former
/// adviser, is declared in the same words as one to the firm; its other words are not the
/// firm's business. In the tuning halves those words summed to −18 … +3 for the 75 such
/// mails (59 below −3), and to +2.6 and +3.5 for the two declared complaints the
/// declaration had to carry. Such a mail goes to directie's digest ("Twijfelgevallen")
/// instead of opening a case and sending an acknowledgement.
///
/// Counted in what one criterion may add at most (the learned file's
/// `@kap_per_criterium`, else the lexicon's `max_per_criterion`), so that the hold keeps
/// its meaning when a refit writes its weights at another scale: 1.9 times the cap of 1.58
/// the bounds above were read under is 3.0.
pub const AGAINST_DOUBT: f64 = 1.9;

/// A complaint declared in so many words: the phrase as written, and where the complaint's
/// own words are in the normalised text (the declaration, and every word klacht and
/// strong disagreement that counted: "ik ben het niet eens"), which say nothing about what
/// it is about.
#[derive(Debug, Clone)]
pub(super) struct Declared {
    pub written: String,
    pub own: Vec<Range<usize>>,
}

/// How many words before a declaration are read for an `unless` word (within its
/// sentence): a condition or a question comes shortly before what it governs.
const UNLESS_WINDOW: usize = 12;

/// How many words before a coordinated declaration are read for its subject (within its
/// sentence): "Ik ben het al maanden niet eens met de manier waarop mijn schade is
/// afgehandeld en dien …" puts fifteen between.
const SUBJECT_WINDOW: usize = 25;

/// The first declaration among `hits` that holds one of `counted` (the ranges of the
/// `klachtwoord` signals that counted, in normalised offsets), as a normalised range.
/// `topics` gives the text's sentences and aims, asked for only when a declaration is read.
pub(super) fn declared<'a, 't>(
    lex: &'a Lexicon,
    words: &str,
    hits: &[Hit],
    counted: &mut [Range<usize>],
    topics: impl Fn() -> &'t Topics<'a>,
) -> Option<Range<usize>>
where
    'a: 't,
{
    if counted.is_empty() {
        return None;
    }
    counted.sort_unstable_by_key(|c| (c.start, c.end));
    // Whether a counted signal lies inside `h` (a bisection: linear in the hits overall).
    let holds = |h: &Hit| {
        let first = counted.partition_point(|c| c.start < h.start);
        counted[first..]
            .iter()
            .take_while(|c| c.start < h.end)
            .any(|c| c.end <= h.end)
    };
    hits.iter()
        .filter(|h| matches!(lex.patterns[h.pattern].role, Role::Declaration { .. }))
        .filter(|h| holds(h))
        .find(|h| {
            // Both read within the declaration's sentence: "… gebeld zonder resultaat. Ik
            // dien hierbij een klacht in." negates nothing.
            let (sentence, _) = topics().at(h.start);
            let in_sentence = &words[sentence.start.min(h.start)..h.start];
            let before = || in_sentence.split_ascii_whitespace().rev();
            let inside = || words[h.start..h.end].split_ascii_whitespace();
            // A coordinated declaration ("… en dien hierbij een klacht in") opens a clause of
            // its own: a negator before the conjunction is the other clause's ("ik ben niet
            // tevreden en dien …"). Its subject comes earlier in the sentence: the writer,
            // nearer than anyone else ("… de klant, hij is boos en wil een klacht indienen"),
            // or it declares nothing ("Neem contact op en dien een klacht in", advice in the
            // imperative).
            let coordinated = matches!(
                lex.patterns[h.pattern].role,
                Role::Declaration { coordinated: true }
            );
            let is = |list: &[String], w: &str| list.iter().any(|s| s == w);
            let subject = !coordinated
                || before()
                    .take(SUBJECT_WINDOW)
                    .find(|w| is(&lex.declaration_subjects, w) || is(&lex.declaration_others, w))
                    .is_some_and(|w| is(&lex.declaration_subjects, w));
            let negated = before()
                .take(if coordinated { 0 } else { lex.negation_window })
                .chain(inside())
                .any(|w| lex.negators.iter().any(|n| n == w));
            // A condition before the conjunction governs both clauses ("als u ontevreden
            // bent en een klacht wilt indienen"); a question word there is the other
            // clause's ("unhappy with how my claim was handled and wish to lodge …").
            // Inside it, only a word of a gap counts: the phrase's own words are meant
            // ("wil ... als ... klacht indienen": "als" is "as" there, not "if").
            let literal: Vec<&str> = lex.patterns[h.pattern]
                .source
                .split_ascii_whitespace()
                .filter(|w| *w != "...")
                .collect();
            let unless = before()
                .take(UNLESS_WINDOW)
                .filter(|w| !(coordinated && is(&lex.declaration_questions, w)))
                .chain(inside().filter(|w| !literal.contains(w)))
                .any(|w| is(&lex.declaration_unless, w));
            subject
                && !negated
                && !unless
                && !matches!(
                    target::aim_of(lex, words, topics(), h.start, h.end),
                    Aim::Other(_)
                )
        })
        .map(|h| h.start..h.end)
}

/// How many words may stand between a heading and the firm's name ("Complaint about the
/// Noordkaap office"): further on, the name may be a person's who shares it ("Klacht over
/// huisbezoek dhr. Ronald Schouten" to Schouten & Dekker).
const HEADING_GAP: usize = 1;

/// How many non-empty opening lines of a text are read for a heading.
const HEADING_LINES: usize = 3;

/// How many bytes of the normalised text must hold a word of the firm's name for the
/// opening lines to be read for a heading (a cheap test first: most mails hold none).
const HEADING_BYTES: usize = 400;

/// A complaint declared by a heading that names the firm as what it is about, on one of
/// the opening lines of `text` (the subject is the first): one of `headings` at the start
/// of the line (the lexicon's declaration `headings`, "Klacht over:", "Complaint about:";
/// or a warning's, "Pas op met", "Warning about"), a word of `own` (the firm's name) within
/// [`HEADING_GAP`] words after it and every word of `own` on the line, and no question
/// mark on the line ("Klacht over uw adviseur? Zo pakt u het aan" asks). Its own words
/// are the heading up to the name, found in `norm`.
pub(super) fn heading(
    headings: &[String],
    text: &str,
    norm: &Normalized,
    own: &[String],
) -> Option<Declared> {
    if own.is_empty() || headings.is_empty() {
        return None;
    }
    let mut head = norm.text().len().min(HEADING_BYTES);
    while !norm.text().is_char_boundary(head) {
        head -= 1;
    }
    if !own.iter().any(|o| norm.text()[..head].contains(o.as_str())) {
        return None;
    }
    let lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(HEADING_LINES);
    for line in lines.filter(|l| !l.contains('?')) {
        let line_norm = normalize(line);
        let words: Vec<&str> = line_norm.text().split(' ').collect();
        for h in headings {
            let Some(opening) = super::addressee::starts_with_phrase(&words, h) else {
                continue;
            };
            let Some(at) = words[opening..]
                .iter()
                .take(HEADING_GAP + 1)
                .position(|w| own.iter().any(|o| o == w))
            else {
                continue;
            };
            // The whole of the firm's name: one of its words alone may be a namesake's
            // ("Slechte ervaring met Dijkstra Hypotheken (Almere)" to Dijkstra & Mol).
            if !own.iter().all(|o| words.contains(&o.as_str())) {
                continue;
            }
            let phrase = words[..opening + at + 1].join(" ");
            let start = norm.text().find(&phrase)?;
            let mut cut = line.len().min(100);
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            return Some(Declared {
                written: line[..cut].to_string(),
                own: std::iter::once(start..start + phrase.len()).collect(),
            });
        }
    }
    None
}
