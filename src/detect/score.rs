//! Scoring a text: the lexicon's phrases found with their criteria and weights, targets
//! and negations, polarity, typography; the language of a text.

use super::*;

/// Frequent words of Dutch that English does not use.
pub(super) fn is_dutch_word(w: &str) -> bool {
    matches!(
        w,
        "de" | "het"
            | "een"
            | "ik"
            | "je"
            | "u"
            | "uw"
            | "niet"
            | "en"
            | "van"
            | "dat"
            | "op"
            | "te"
            | "met"
            | "voor"
            | "zijn"
            | "heb"
            | "heeft"
            | "wij"
            | "maar"
            | "ook"
            | "nog"
            | "mijn"
            | "geen"
            | "dit"
            | "die"
            | "er"
            | "om"
            | "aan"
            | "bij"
            | "naar"
            | "als"
            | "dan"
            | "wat"
            | "wel"
            | "zou"
            | "kan"
            | "hebben"
            | "worden"
            | "wordt"
            | "ben"
            | "bent"
            | "mij"
            | "ons"
            | "onze"
            | "hier"
            | "daar"
            | "graag"
            | "moet"
            | "nooit"
            | "meer"
            | "weer"
            | "hoor"
            | "echt"
            | "heel"
    )
}

/// Frequent words of English that Dutch does not use.
pub(super) fn is_english_word(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "and"
            | "of"
            | "to"
            | "i"
            | "you"
            | "your"
            | "my"
            | "not"
            | "that"
            | "it"
            | "for"
            | "on"
            | "with"
            | "have"
            | "has"
            | "this"
            | "was"
            | "be"
            | "are"
            | "but"
            | "no"
            | "our"
            | "me"
            | "would"
            | "will"
            | "can"
            | "been"
            | "there"
            | "what"
            | "please"
            | "thank"
            | "thanks"
            | "from"
            | "they"
            | "am"
            | "at"
            | "an"
            | "any"
            | "if"
            | "or"
            | "so"
            | "do"
            | "did"
            | "should"
    )
}

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// What [`score_text`] found in a text.
pub(super) struct Scored {
    pub signals: Vec<Signal>,
    /// The matches set aside, and why.
    pub ignored: Vec<Ignored>,
    /// The complaint the text declares in so many words, if any, as written ([`declare`]).
    pub declared: Option<declare::Declared>,
    /// Whether every grievance of the four criteria in the text is aimed at a third party
    /// (at least one, and none at the firm or at no one said).
    pub aimed_elsewhere: bool,
    /// Whether a grievance of the four criteria in the text is aimed at the firm: its
    /// sentence (or one it carries on) addresses the reader or names the firm.
    pub aimed_at_firm: bool,
}

/// The signals of a text, the matches set aside, and the complaint it declares in so many
/// words, if any. `own`: the distinctive words of the firm's name, which aim a grievance
/// at the firm ([`target`]).
pub(super) fn score_text(
    lex: &Lexicon,
    own: &[String],
    text: &str,
    norm: &normalize::Normalized,
) -> Scored {
    let words = norm.text();
    let hits = lex.scan(norm);
    let as_written = |s: usize, e: usize| {
        let r = norm.source_range(s, e);
        join_words(&text[r])
    };

    let mut ignored = Vec::new();
    // Exclusions (medical klachten, tax bezwaar) sorted by start, with the running maximum
    // of their ends: whether a hit overlaps one is then a bisection, not a walk over all.
    let mut excludes: Vec<(usize, usize, &str)> = hits
        .iter()
        .filter_map(|h| match &lex.patterns[h.pattern].role {
            Role::Exclude { reason } => Some((h.start, h.end, reason.as_str())),
            Role::Signal { .. } | Role::Declaration { .. } => None,
        })
        .collect();
    excludes.sort_unstable_by_key(|&(s, e, _)| (s, e));
    let mut reach: Vec<(usize, usize)> = Vec::with_capacity(excludes.len());
    for (i, &(_, e, _)) in excludes.iter().enumerate() {
        match reach.last() {
            Some(&(far, j)) if far >= e => reach.push((far, j)),
            _ => reach.push((e, i)),
        }
    }
    let excluded_by = |start: usize, end: usize| {
        let n = excludes.partition_point(|&(s, _, _)| s < end);
        let (far, i) = *reach.get(n.checked_sub(1)?)?;
        (far > start).then(|| excludes[i].2)
    };
    let mut candidates: Vec<&lexicon::Hit> = Vec::new();
    for h in hits
        .iter()
        .filter(|h| matches!(lex.patterns[h.pattern].role, Role::Signal { .. }))
    {
        match excluded_by(h.start, h.end) {
            Some(reason) => note_ignored(&mut ignored, reason, || as_written(h.start, h.end)),
            None => candidates.push(h),
        }
    }
    // Longest match wins where matches overlap ("bedankt voor niets" over "bedankt voor").
    candidates.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(a.start.cmp(&b.start))
    });
    // The ranges taken so far, disjoint, by start: the one starting last before a hit's
    // end is the only one that can overlap it.
    let mut taken: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    // At most one signal per pattern, so this list stays as short as the lexicon allows.
    let mut seen_patterns: Vec<&str> = Vec::new();
    let mut accepted: Vec<(usize, Signal)> = Vec::new();
    // Whether a grievance of the four criteria was aimed at a third party, and whether one
    // was not ([`Scored::aimed_elsewhere`]).
    let (mut aimed_other, mut aimed_not_other) = (false, false);
    // Whether a grievance of the four criteria was aimed at the firm ([`Scored::aimed_at_firm`]).
    let mut aimed_firm = false;
    // Where the signals of the word klacht that counted are (for a declaration).
    let mut klacht_words: Vec<std::ops::Range<usize>> = Vec::new();
    // Where the strong disagreement that counted is ("ik ben het niet eens"): with the
    // word klacht, a declared complaint's own words ([`declare::Declared::own`]).
    let mut disagreement: Vec<std::ops::Range<usize>> = Vec::new();
    // Sentences and their aims, found once and only for a text with a grievance to place.
    let topics = std::cell::OnceCell::new();
    let topics =
        || topics.get_or_init(|| target::Topics::new(lex, own, words, &norm.sentences(text)));
    for h in candidates {
        if taken
            .range(..h.end)
            .next_back()
            .is_some_and(|(_, &e)| e > h.start)
        {
            continue;
        }
        taken.insert(h.start, h.end);
        let p = &lex.patterns[h.pattern];
        let Role::Signal {
            criterion,
            weight,
            negatable,
            family,
        } = &p.role
        else {
            continue;
        };
        // Context quoted from someone else ("their webcare wrote \"sorry to hear, DM us\"")
        // is not the writer's own: it does not turn the writer's grievance away.
        if *weight < 0.0
            && criterion == "context"
            && quoted(text, norm.source_range(h.start, h.end))
        {
            note_ignored(&mut ignored, QUOTED, || as_written(h.start, h.end));
            continue;
        }
        // The words before the match, nearest first (no list is built: few are read).
        let before = || words[..h.start].split_ascii_whitespace().rev();
        if *negatable
            && before()
                .take(lex.negation_window)
                .any(|w| lex.negators.iter().any(|n| n == w))
        {
            note_ignored(&mut ignored, "ontkenning", || {
                as_written(
                    h.start.saturating_sub(
                        before()
                            .take(lex.negation_window)
                            .map(|w| w.len() + 1)
                            .sum(),
                    ),
                    h.end,
                )
            });
            continue;
        }
        let elsewhere = || {
            matches!(
                target::aim_of(lex, words, topics(), h.start, h.end),
                target::Aim::Other(_)
            )
        };
        if seen_patterns.contains(&p.source.as_str()) {
            // A repeat counts once, but where the word klacht stands matters for a
            // declaration ("Klacht" as the subject, "ik dien een klacht in" below it).
            if *weight > 0.0 && criterion == "klachtwoord" && !elsewhere() {
                klacht_words.push(h.start..h.end);
            } else if *weight > 0.0 && criterion == "sterke_bewoording" && !elsewhere() {
                disagreement.push(h.start..h.end);
            }
            continue;
        }
        seen_patterns.push(p.source.as_str());
        let previous = before().next();
        let intensified =
            *weight > 0.0 && previous.is_some_and(|w| lex.intensifiers.iter().any(|i| i == w));
        let mut w = if intensified {
            weight * lex.intensifier_factor
        } else {
            *weight
        };
        // A grievance aimed at someone else (a third party near it, the firm not
        // addressed) counts for less.
        if *weight > 0.0 && CRITERIA.contains(&criterion.as_str()) {
            let aim = target::aim_of(lex, words, topics(), h.start, h.end);
            if let target::Aim::Other(party) = aim {
                note_ignored(&mut ignored, target::REASON, || {
                    format!("{} ({party})", as_written(h.start, h.end))
                });
                w *= lex.target.factor;
                aimed_other = true;
            } else {
                aimed_not_other = true;
                aimed_firm |= aim == target::Aim::Firm;
                if criterion == "klachtwoord" {
                    klacht_words.push(h.start..h.end);
                } else if criterion == "sterke_bewoording" {
                    disagreement.push(h.start..h.end);
                }
            }
        }
        let (start, phrase) = if intensified {
            let s = h.start - previous.map_or(0, str::len) - 1;
            (s, as_written(s, h.end))
        } else {
            (h.start, as_written(h.start, h.end))
        };
        accepted.push((
            start,
            Signal {
                criterion: criterion.clone(),
                phrase,
                weight: round2(w),
                family: lex.families[*family].name.clone(),
            },
        ));
    }
    accepted.sort_by_key(|(s, _)| *s);
    let declared = declare::declared(lex, words, &hits, &mut klacht_words, topics).map(|r| {
        let written = as_written(r.start, r.end);
        klacht_words.push(r);
        klacht_words.append(&mut disagreement);
        declare::Declared {
            written,
            own: klacht_words,
        }
    });
    let company = accepted.iter().any(|(_, s)| s.for_a_criterion());
    let mut signals: Vec<Signal> = accepted.into_iter().map(|(_, s)| s).collect();
    if company {
        signals.extend(polarity(lex, words, &taken, as_written));
    }
    signals.extend(typography(lex, text, norm.capitals_run()));
    // Praise does not cancel strong blame: there a compliment is mixed feelings or sarcasm
    // ("echt top service"), for directie to judge, not a discount. Next to weak blame only
    // (a count, a "nog steeds"), real praise ("goed geholpen", "complimenten") does count:
    // a thank-you that mentions an earlier hitch is not a complaint.
    let blame: f64 = signals
        .iter()
        .filter(|s| CRITERIA.contains(&s.criterion.as_str()))
        .map(|s| s.weight)
        .sum();
    if blame > 0.0 {
        signals.retain(|s| {
            let praise_counts = (blame < STRONG_BLAME && s.weight <= STRONG_PRAISE)
                || s.family == lexicon::TYPOGRAPHY_FAMILIES[3];
            let keep = s.criterion != "compliment" || praise_counts;
            if !keep {
                ignored.push(Ignored {
                    reason: "compliment_naast_verwijt".into(),
                    phrase: s.phrase.clone(),
                });
            }
            keep
        });
    }
    Scored {
        signals,
        ignored,
        declared,
        aimed_elsewhere: aimed_other && !aimed_not_other,
        aimed_at_firm: aimed_firm,
    }
}

/// Why a context phrase was set aside: it stands in quotation marks, someone else's words.
pub(super) const QUOTED: &str = "geciteerd";

/// Whether `range` of `text` stands inside a quotation of at least [`QUOTATION_WORDS`]
/// words in double quotation marks opened earlier in its paragraph (a blank line ends one):
/// someone else's words. A word or two in quotation marks is a term or a status
/// ("op \"afgehandeld\" zetten"), the writer's own. Single quotes are not counted: they are
/// apostrophes as often ("foto's", "it's"). Only [`QUOTE_REACH`] bytes either side are
/// read, so that a text of many such phrases costs time in proportion to its length: in a
/// paragraph that began further back nothing counts as quoted.
pub(super) fn quoted(text: &str, range: std::ops::Range<usize>) -> bool {
    let is_mark = |c: char| matches!(c, '"' | '“' | '”' | '„' | '«' | '»');
    let mut from = range.start.saturating_sub(QUOTE_REACH);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..range.start];
    if !mark_in_paragraph(before.as_bytes()) {
        return false;
    }
    let paragraph = last_blank_line_end(before.as_bytes());
    let paragraph = match paragraph {
        Some(start) => start,
        None if from == 0 => 0,
        None => return false,
    };
    let marks = before[paragraph..].chars().filter(|&c| is_mark(c)).count();
    if marks % 2 == 0 {
        return false;
    }
    // The quotation: from its opening mark to its closing one (or the paragraph's end, or
    // as far as is read).
    let open = before
        .char_indices()
        .rev()
        .find(|&(_, c)| is_mark(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let mut to = (range.end + QUOTE_REACH).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let after = &text[range.end..to];
    let paragraph_end = first_blank_line(after.as_bytes()).unwrap_or(after.len());
    let close = after[..paragraph_end]
        .find(is_mark)
        .unwrap_or(paragraph_end);
    text[from + open..range.end + close]
        .split_whitespace()
        .take(QUOTATION_WORDS)
        .count()
        >= QUOTATION_WORDS
}

/// Whether a quotation mark stands in `before` after its last blank line: read from the
/// end, byte by byte, it stops at the first mark or blank line. Without one no quotation
/// is open, and [`quoted`] need not look further (most texts have no mark near a phrase).
fn mark_in_paragraph(before: &[u8]) -> bool {
    for i in (0..before.len()).rev() {
        let previous = |k: usize, b: u8| i >= k && before[i - k] == b;
        match before[i] {
            b'"' => return true,
            // '«' and '»' (C2 AB, C2 BB); '“', '”' and '„' (E2 80 9C to 9E).
            0xAB | 0xBB if previous(1, 0xC2) => return true,
            0x9C..=0x9E if previous(1, 0x80) && previous(2, 0xE2) => return true,
            b'\n' if blank_line_ends_at(before, i) => return false,
            _ => {}
        }
    }
    false
}

/// Where the last blank line in `bytes` ends ("\n\n" or "\n\r\n": what ends a paragraph
/// for [`quoted`]), if there is one. Read from the end, line break by line break.
fn last_blank_line_end(bytes: &[u8]) -> Option<usize> {
    memchr::memrchr_iter(b'\n', bytes)
        .find(|&j| blank_line_ends_at(bytes, j))
        .map(|j| j + 1)
}

/// Whether the line break at `j` of `bytes` ends a blank line: a line break ("\n" or
/// "\n\r") stands right before it.
fn blank_line_ends_at(bytes: &[u8], j: usize) -> bool {
    let previous = |k: usize, b: u8| j >= k && bytes[j - k] == b;
    previous(1, b'\n') || (previous(1, b'\r') && previous(2, b'\n'))
}

/// Where the first blank line in `bytes` starts ("\n\n" or "\n\r\n"), if there is one.
fn first_blank_line(bytes: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', bytes).find(|&i| match bytes.get(i + 1) {
        Some(b'\n') => true,
        Some(b'\r') => bytes.get(i + 2) == Some(&b'\n'),
        _ => false,
    })
}

/// How far [`quoted`] reads either side of a phrase, in bytes.
const QUOTE_REACH: usize = 2048;

/// The fewest words a quotation has (see [`quoted`]).
const QUOTATION_WORDS: usize = 4;

/// The general polarity lexicon's signal: the words of negative polarity (a negated
/// positive word included) outside the phrases already matched, at most
/// `max_units` units of polarity, shown as the strongest few words as written.
pub(super) fn polarity(
    lex: &Lexicon,
    words: &str,
    taken: &std::collections::BTreeMap<usize, usize>,
    as_written: impl Fn(usize, usize) -> String,
) -> Option<Signal> {
    let p = &lex.polarity;
    if p.settings.weight <= 0.0 || p.words.is_empty() {
        return None;
    }
    let mut found: Vec<(f64, usize, usize)> = Vec::new();
    let mut units = 0.0;
    let mut previous: [&str; 2] = ["", ""];
    let mut at = 0;
    // The matched phrases in order: a cursor walks them beside the words.
    let mut phrases = taken.iter().map(|(&s, &e)| (s, e)).peekable();
    // The normalised words: one space between two, none at either end.
    for w in words.split_ascii_whitespace() {
        let (start, end) = (at, at + w.len());
        at = end + 1;
        while phrases.next_if(|&(_, e)| e <= start).is_some() {}
        let inside = phrases.peek().is_some_and(|&(s, _)| s < end);
        let before = previous;
        previous = [w, previous[0]];
        if inside || w.len() < 3 {
            continue;
        }
        let Some(&value) = p.words.get(w) else {
            continue;
        };
        let negated = before[..lex.negation_window.min(2)]
            .iter()
            .any(|b| lex.negators.iter().any(|n| n == b));
        let value = if negated { -value } else { value };
        if value > -p.settings.min {
            continue;
        }
        units += -value;
        found.push((-value, start, end));
        if units >= p.settings.max_units {
            break;
        }
    }
    if found.is_empty() {
        return None;
    }
    let units = units.min(p.settings.max_units);
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let phrase = found
        .iter()
        .take(POLARITY_SHOWN)
        .map(|&(_, s, e)| as_written(s, e))
        .collect::<Vec<_>>()
        .join(", ");
    Some(Signal {
        criterion: "polariteit".into(),
        phrase,
        weight: round2(p.settings.weight * units),
        family: "polariteit".into(),
    })
}

/// A polarity signal shows at most this many words.
pub(super) const POLARITY_SHOWN: usize = 5;

/// Blame of at least this weight is not discounted by praise.
pub(super) const STRONG_BLAME: f64 = 3.0;
/// Praise this strong (or stronger: more negative) counts next to weak blame; formulaic
/// thanks ("dank voor") never does.
pub(super) const STRONG_PRAISE: f64 = -2.0;

/// A verdict lists at most this many ignored matches: enough to explain it, and a mail
/// that repeats a negated phrase a hundred thousand times does not make a verdict as long.
pub(super) const MAX_IGNORED: usize = 50;

pub(super) fn note_ignored(
    ignored: &mut Vec<Ignored>,
    reason: &str,
    phrase: impl FnOnce() -> String,
) {
    if ignored.len() < MAX_IGNORED {
        ignored.push(Ignored {
            reason: reason.to_string(),
            phrase: phrase(),
        });
    }
}

pub(super) static EXCLAMATIONS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[!¡]{2,}(\s*[!?1]+)*").expect("exclamation regex"));

/// The first rating out of five that `text` gives, and how it is written: a run of five
/// stars ("★★☆☆☆"), one to five stars in a row ("⭐⭐"), a score with a decimal over five
/// ("Beoordeling: 1,0 / 5"), a score out of five stars ("Rated 1 out of 5 stars",
/// "beoordeeld met 2 van de 5 sterren"), a number of stars ("2 sterren", "1 star"; in words
/// it counts things as often as it rates), a whole score over five after a rating's label
/// ("Score: 2/5", "Totaalscore: 3 / 5") or as a line's heading ("1/5" alone on its line, "2/5 – App works"),
/// or a whole score over five with a star after it ("5/5 ⭐", which is five stars, not the one
/// star drawn beside it), or one to four stars drawn at a line's end or opening a line
/// ("wachten, wachten... ★", "★★ Beloofd: …"), or a figure with an asterisk at a line's
/// end ("Onbereikbaar. 1*"; "PADI 5* Dive Centre" inside a line is a grade), or a number
/// of stars in words as the text's first line ("One star.", "Vijf sterren!", a review's
/// heading), or a whole score over five that closes a line after a word ("thanks voor
/// niks 1/5", "Netjes! 5/5": a review's verdict under its text) unless that word makes it
/// a date or a page ("gebeld op 4/5", "pagina 1/5": [`NOT_A_RATING_BEFORE`]). A bare "4/5"
/// inside a sentence is a date or
/// a share, "2 van 5 facturen" no rating, and "één ster" inside a sentence no rating either.
pub(super) fn rating(text: &str) -> Option<(u8, &str)> {
    if let Some(heading) = rating_in_words(text) {
        return Some(heading);
    }
    out_of_five(text).or_else(|| out_of_ten(text))
}

/// A score out of ten, as Dutch review sites and school grades give it, read as stars
/// (1 to 3: one, 4 and 5: two, 6: three, 7 and 8: four, 9 and 10: five; a 5 is a fail): after
/// a rating's label opening a line, the score alone or ending its sentence ("Cijfer: 4",
/// "Cijfer: 9. Zou weer gaan"; not "Score: 5 van de 8 punten"), or over ten after a label
/// anywhere ("Score: 8/10", "Beoordeling 7,5 / 10"), or over ten as a
/// line's heading ("2/10" alone on its line, "3/10 – nooit meer"; "10/10" also before words:
/// "10/10 zou weer gaan"), or over ten closing a line after a word ("Netjes geholpen
/// 9/10"), or in words ("2 out of 10", "3 van de 10"). A bare "3/10" inside a sentence is a
/// date (3 October), and so it is after the words of [`NOT_A_RATING_BEFORE`].
fn out_of_ten(text: &str) -> Option<(u8, &str)> {
    const SCORE: &str = r"(10|[1-9])(?:[,.][0-9])?";
    static TEN: LazyLock<Regex> = LazyLock::new(|| {
        let parts = [
            format!(
                r"(?mR:^[ \t]*(?:totaal|eind)?(?:beoordeling|waardering|score|rating|cijfer)[ \t]*:?[ \t]*{SCORE}(?:[ \t]*/[ \t]*10(?-u:\b)|[ \t]*[.,!]?[ \t]*$|[.,!][ \t]))"
            ),
            format!(
                r"(?-u:\b)(?:totaal|eind)?(?:beoordeling|waardering|score|rating|cijfer)[ \t]*:?[ \t]*{SCORE}[ \t]*/[ \t]*10(?-u:\b)"
            ),
            format!(r"(?mR:^[ \t]*{SCORE}[ \t]*/[ \t]*10[ \t]*(?:$|[-–—][ \t]))"),
            r"(?mR:^[ \t]*(10)/10[ \t])".to_string(),
            format!(r"(?-u:\b){SCORE} (?:out of|uit|van de|van) 10(?-u:\b)"),
            format!(r"(?mR:(\S+)[ \t]+{SCORE}[ \t]*/[ \t]*10[ \t]*$)"),
        ];
        Regex::new(&format!("(?i){}", parts.join("|"))).expect("out-of-ten regex")
    });
    // A cheap guard first, as for scores over five: every match holds a score over ten, a
    // label or a score out of ten in words. Matched as written, in the three ways a word is
    // written (lower case, a capital first, capitals), so that the search can be the
    // vectorised one ([`any_of`]); a label in mixed case ("sCORE: 4") is not read.
    static MAY: LazyLock<Regex> = LazyLock::new(|| {
        let words = [
            "cijfer",
            "score",
            "beoordeling",
            "waardering",
            "rating",
            "out of 10",
            "uit 10",
            "van 10",
            "van de 10",
        ];
        let written = words.iter().flat_map(|w| {
            let mut capital = w.to_string();
            capital[..1].make_ascii_uppercase();
            [w.to_string(), capital, w.to_ascii_uppercase()]
        });
        any_of(
            ["/10", "/ 10", "/\t10"]
                .into_iter()
                .map(String::from)
                .chain(written),
        )
    });
    if !MAY.is_match(text) {
        return None;
    }
    let c = TEN.captures(text)?;
    // A score closing a line: the word before it says whether it is one.
    let figure = if let (Some(before), Some(figure)) = (c.get(6), c.get(7)) {
        if !rates_after(before.as_str()) {
            return None;
        }
        figure
    } else {
        (1..=5).find_map(|i| c.get(i))?
    };
    let score: u8 = figure.as_str().parse().ok()?;
    let stars = match score {
        1..=3 => 1,
        4 | 5 => 2,
        6 => 3,
        7 | 8 => 4,
        _ => 5,
    };
    let whole = c.get(0)?;
    let start = if c.get(6).is_some() {
        figure.start()
    } else {
        whole.start()
    };
    let written = text[start..whole.end()]
        .trim()
        .trim_end_matches(['-', '–', '—', ' ', '\t']);
    Some((stars, written))
}

/// [`rating`] out of five.
fn out_of_five(text: &str) -> Option<(u8, &str)> {
    const STARS: &str = "(?:sterren|ster|stars|star)";
    // Word boundaries in ASCII: a Unicode one stops the regex's fast engine at the first
    // letter beyond ASCII, as most texts have. Groups 3 to 8 and 11 hold the figure, 9 and 10
    // a run of stars drawn.
    static RATING: LazyLock<Regex> = LazyLock::new(|| {
        let parts = [
            r"([★☆]{5})".to_string(),
            r"(⭐{1,5})".to_string(),
            r"(?-u:\b)([1-5])[,.][0-9] ?/ ?5(?-u:\b)".to_string(),
            format!(r"(?-u:\b)([1-5])(?:[,.][0-9])? (?:out of|uit|van de|van) 5 {STARS}(?-u:\b)"),
            format!(r"(?-u:\b)([1-5]) {STARS}(?-u:\b)"),
            r"(?-u:\b)(?:totaal|eind)?(?:beoordeling|waardering|score|rating|cijfer)[ \t]*:?[ \t]*([1-5]) ?/ ?5(?-u:\b)"
                .to_string(),
            r"(?mR:^[ \t]*([1-5]) ?/ ?5[ \t]*(?:$|[-–—][ \t]))".to_string(),
            r"(?-u:\b)([1-5]) ?/ ?5[ \t]*[⭐★]".to_string(),
            r"(?mR:(?:^|[ \t(])(★{1,4})[ \t]*$)".to_string(),
            r"(?mR:^[ \t]*(★{1,4})[ \t])".to_string(),
            r"(?mR:(?:^|[ \t(])([1-5])\*[ \t]*$)".to_string(),
            r"(?mR:(\S+)[ \t]+([1-5]) ?/ ?5[ \t]*$)".to_string(),
        ];
        Regex::new(&format!("(?i){}", parts.join("|"))).expect("rating regex")
    });
    // A cheap guard first: the regex runs only on a text that can hold a rating. Every
    // match of the regex holds one of these byte strings, and they are rare in text (" ster"
    // is not: "staat", "sturen"; nor is "2 s": "2 september"); matched as written, so that
    // the search can be the vectorised one ([`any_of`]; with case folding it cannot).
    // Every word of `STARS` starts with "st", in any case.
    static MAY: LazyLock<Regex> = LazyLock::new(|| {
        let counted = (1..=5).flat_map(|n| ["st", "sT", "St", "ST"].map(|st| format!("{n} {st}")));
        any_of(
            ["★", "⭐", "/ 5", "/5"]
                .into_iter()
                .map(String::from)
                .chain(counted)
                .chain((1..=5).map(|n| format!("{n}*"))),
        )
    });
    if !MAY.is_match(text) {
        return None;
    }
    let c = RATING.captures(text)?;
    // A score closing a line: the word before it says whether it is one.
    if let (Some(before), Some(figure)) = (c.get(12), c.get(13)) {
        if !rates_after(before.as_str()) {
            return None;
        }
        let stars = figure.as_str().parse().ok()?;
        let written = text[figure.start()..c.get(0)?.end()].trim_end();
        return Some((stars, written));
    }
    let stars = match (c.get(1), c.get(2)) {
        (Some(run), _) => run.as_str().chars().filter(|&ch| ch == '★').count(),
        (None, Some(run)) => run.as_str().chars().count(),
        (None, None) => match (c.get(9), c.get(10)) {
            (Some(run), _) | (None, Some(run)) => run.as_str().chars().count(),
            (None, None) => (3..=8)
                .chain([11])
                .find_map(|i| c.get(i))?
                .as_str()
                .parse()
                .ok()?,
        },
    };
    // A heading's indent and dash are not part of the rating.
    let written = c
        .get(0)?
        .as_str()
        .trim_start()
        .trim_end_matches(['-', '–', '—', ' ', '\t']);
    Some((stars as u8, written))
}

/// A search for any of `literals`, as written: the regex crate looks for a few dozen
/// literals with a vectorised search (Teddy), where the Aho-Corasick crate, past sixteen of
/// them, walks its automaton byte by byte, three to four times the instructions.
pub(super) fn any_of(literals: impl IntoIterator<Item = String>) -> Regex {
    let alternatives: Vec<String> = literals.into_iter().map(|l| regex::escape(&l)).collect();
    Regex::new(&alternatives.join("|")).expect("literal search")
}

/// Whether a score closing a line after `before` (the word before it, as written) is a
/// rating: not after a figure or a sign that makes it part of a date, a sum or a range, nor
/// after one of [`NOT_A_RATING_BEFORE`] ("gebeld op 4/5", "pagina 2/5").
fn rates_after(before: &str) -> bool {
    let word = before
        .trim_start_matches(|ch: char| !ch.is_alphanumeric())
        .to_lowercase();
    let last = before.chars().last().unwrap_or(' ');
    !(last.is_ascii_digit()
        || matches!(last, '/' | ':' | '(' | '-' | '–' | '—' | '=' | '+' | '*')
        || NOT_A_RATING_BEFORE.split(' ').any(|w| w == word))
}

/// The words before a score over five at a line's end that make it a date, a page, a part
/// or a share, not a rating ("gebeld op 4/5", "pagina 1/5", "stap 2/5").
const NOT_A_RATING_BEFORE: &str = "op per sinds tot vanaf van t/m dd d.d. datum om voor na on \
    since until till from by before after date pagina page blz blz. bladzijde bijlage deel stap \
    vraag part step question nr nr. no no. week dag day ronde round foto photo is was ongeveer \
    about circa ca. bijna nearly almost";

/// The labels a rating's heading may start with ("Beoordeling: 2 van 5").
const RATING_LABELS: &[&str] = &[
    "beoordeling",
    "waardering",
    "score",
    "totaalscore",
    "rating",
    "cijfer",
    "oordeel",
];

/// A number of stars in words on the text's first line, alone ("One star.", "Twee sterren",
/// "vijf sterren!"), or a score out of five in words ("5 van de 5", "2 out of 5"), with or
/// without a label ("Waardering: 5 van 5"): a review's heading.
fn rating_in_words(text: &str) -> Option<(u8, &str)> {
    let line = text.trim_start().lines().next()?.trim();
    let bare = line.trim_end_matches(['.', '!']);
    // A rating's label may come first ("Waardering: 5 van 5").
    let bare = bare
        .split_once(' ')
        .filter(|(label, _)| {
            let label = label.trim_end_matches(':');
            RATING_LABELS.iter().any(|l| label.eq_ignore_ascii_case(l))
        })
        .map_or(bare, |(_, rest)| rest.trim_start_matches([':', ' ']));
    let (number, stars) = bare.split_once(' ')?;
    let out_of_five = ["van de 5", "van 5", "uit 5", "out of 5"]
        .iter()
        .any(|s| stars.eq_ignore_ascii_case(s));
    if !out_of_five
        && !["star", "stars", "ster", "sterren"]
            .iter()
            .any(|s| stars.eq_ignore_ascii_case(s))
    {
        return None;
    }
    // A score out of five may be written in figures ("5 van de 5"); stars are counted in
    // words only (a figure before "sterren" is the regex's).
    if let Some(n @ 1..=5) = number.parse::<u8>().ok().filter(|_| out_of_five) {
        return Some((n, line));
    }
    let n = match number.to_lowercase().as_str() {
        "one" | "een" | "één" => 1,
        "two" | "twee" => 2,
        "three" | "drie" => 3,
        "four" | "vier" => 4,
        "five" | "vijf" => 5,
        _ => return None,
    };
    Some((n, line))
}

/// Shouting: runs of exclamation marks, and words in CAPITALS; and a review's rating
/// ([`rating`]). `capitals_run` is
/// [`normalize::Normalized::capitals_run`] of `text`: the words are only read when it
/// allows a long enough run.
pub(super) fn typography(lex: &Lexicon, text: &str, capitals_run: usize) -> Vec<Signal> {
    let t = &lex.typography;
    let mut out = Vec::new();
    // A review's own rating: one or two stars is dissatisfaction said outright, five is
    // praise, four praise with a reserve. Only the first rating counts (a reply quoting
    // another is history).
    let four = t.rating_four_weight();
    if t.rating_low_weight != 0.0 || t.rating_high_weight != 0.0 || four != 0.0 {
        let signal = rating(text).and_then(|(stars, written)| match stars {
            1 | 2 if t.rating_low_weight != 0.0 => {
                Some(("sterke_bewoording", t.rating_low_weight, 2, written))
            }
            4 if four != 0.0 => Some(("compliment", four, 3, written)),
            5 if t.rating_high_weight != 0.0 => {
                Some(("compliment", t.rating_high_weight, 3, written))
            }
            _ => None,
        });
        if let Some((criterion, weight, family, written)) = signal {
            out.push(Signal {
                criterion: criterion.into(),
                phrase: written.trim().to_string(),
                weight,
                family: lexicon::TYPOGRAPHY_FAMILIES[family].into(),
            });
        }
    }
    if !text.contains("!!") && !text.contains('¡') {
        // No run of exclamation marks: skip the regex.
    } else if let Some(m) = EXCLAMATIONS
        .find_iter(text)
        .find(|m| m.as_str().chars().filter(|c| *c == '!').count() >= t.exclamation_run)
    {
        out.push(Signal {
            criterion: "sterke_bewoording".into(),
            phrase: m.as_str().trim().to_string(),
            weight: t.exclamation_weight,
            family: lexicon::TYPOGRAPHY_FAMILIES[0].into(),
        });
    }
    if capitals_run < t.capitals_min_words {
        return out;
    }
    let (words, best) = capitals(text);
    if words >= t.capitals_min_words {
        out.push(Signal {
            criterion: "sterke_bewoording".into(),
            phrase: best.join(" "),
            weight: t.capitals_weight,
            family: lexicon::TYPOGRAPHY_FAMILIES[1].into(),
        });
    }
    out
}

/// The longest run of consecutive words written in capitals (white-space separated, at
/// least three letters, none lower case, at least one capital), first of the longest: its
/// length in words, and its first [`CAPITALS_SHOWN`] words.
pub(super) fn capitals(text: &str) -> (usize, Vec<&str>) {
    let mut run: Vec<&str> = Vec::new();
    let mut run_len = 0;
    let mut best: Vec<&str> = Vec::new();
    let mut best_len = 0;
    // A run is kept only when it ends, so a text of a million capital words is read once.
    fn end_run<'a>(
        run: &mut Vec<&'a str>,
        run_len: &mut usize,
        best: &mut Vec<&'a str>,
        best_len: &mut usize,
    ) {
        if *run_len > *best_len {
            *best_len = *run_len;
            *best = std::mem::take(run);
        } else {
            run.clear();
        }
        *run_len = 0;
    }
    for raw in split_words(text) {
        // Nearly every word has a lower-case ASCII letter: reject those with a byte scan
        // before the Unicode checks below.
        if raw.bytes().any(|b| b.is_ascii_lowercase()) {
            end_run(&mut run, &mut run_len, &mut best, &mut best_len);
            continue;
        }
        let w = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 3
            && w.chars().all(|c| !c.is_lowercase())
            && w.chars().any(|c| c.is_uppercase())
        {
            if run.len() < CAPITALS_SHOWN {
                run.push(w);
            }
            run_len += 1;
        } else {
            end_run(&mut run, &mut run_len, &mut best, &mut best_len);
        }
    }
    end_run(&mut run, &mut run_len, &mut best, &mut best_len);
    (best_len, best)
}

/// A shouted phrase shows at most this many words.
pub(super) const CAPITALS_SHOWN: usize = 25;

/// The words of `text` joined by single spaces (a phrase as written, without its line
/// breaks and runs of spaces).
pub(super) fn join_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_words(&mut out, text);
    out
}

/// [`join_words`] of `text`, appended to `out`.
pub(super) fn push_words(out: &mut String, text: &str) {
    let mut first = true;
    let mut push = |w: &str| {
        if !first {
            out.push(' ');
        }
        first = false;
        out.push_str(w);
    };
    for chunk in text.split_ascii_whitespace() {
        if chunk.is_ascii() {
            push(chunk);
        } else {
            // Unicode white space such as a no-break space splits words too.
            chunk
                .split(char::is_whitespace)
                .filter(|w| !w.is_empty())
                .for_each(&mut push);
        }
    }
}

/// The words of `text` as `split_whitespace` gives them, splitting on ASCII white space
/// byte by byte and decoding only chunks that hold other characters (which may be
/// Unicode white space such as a no-break space).
pub(super) fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split_ascii_whitespace().flat_map(|chunk| {
        let ascii = chunk.is_ascii();
        let whole = ascii.then_some(chunk);
        let parts = (!ascii).then(|| chunk.split(char::is_whitespace).filter(|w| !w.is_empty()));
        whole.into_iter().chain(parts.into_iter().flatten())
    })
}

/// How signals add up to a score: what one criterion may add at most, and the bonus when
/// two or more of the four criteria fired: the lexicon's ([`Scoring::of`]), or the learned
/// file's where it gives them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scoring {
    pub cap: f64,
    pub bonus: f64,
}

impl Scoring {
    /// The lexicon's `max_per_criterion` and `combination_bonus`.
    pub fn of(lex: &Lexicon) -> Scoring {
        Scoring {
            cap: lex.max_per_criterion,
            bonus: lex.combination_bonus,
        }
    }
}

pub(super) fn total(scoring: Scoring, signals: &[Signal]) -> f64 {
    round2(total_unclamped(scoring, signals).max(0.0))
}

/// [`total`] before it is held at 0 or more: what a weight fit needs.
pub(super) fn total_unclamped(scoring: Scoring, signals: &[Signal]) -> f64 {
    let mut sum = 0.0;
    let mut distinct = 0;
    for c in CRITERIA {
        let s: f64 = signals
            .iter()
            .filter(|s| s.criterion == *c)
            .map(|s| s.weight)
            .sum();
        if s > 0.0 {
            distinct += 1;
        }
        sum += s.min(scoring.cap);
    }
    sum += signals
        .iter()
        .filter(|s| !CRITERIA.contains(&s.criterion.as_str()))
        .map(|s| s.weight)
        .sum::<f64>();
    if distinct >= 2 {
        sum += scoring.bonus;
    }
    sum
}

#[cfg(test)]
mod blank_line_tests {
    use super::{first_blank_line, last_blank_line_end};

    /// The search for blank lines agrees with looking for both forms by substring.
    #[test]
    fn blank_lines_are_found_as_a_substring_search_finds_them() {
        let by_substring_last = |t: &str| {
            ["\n\n", "\n\r\n"]
                .iter()
                .filter_map(|b| t.rfind(b).map(|i| i + b.len()))
                .max()
        };
        let by_substring_first =
            |t: &str| ["\n\n", "\n\r\n"].iter().filter_map(|b| t.find(b)).min();
        for t in [
            "",
            "\n",
            "\r\n",
            "a\nb",
            "a\n\nb",
            "a\r\n\r\nb",
            "a\n\r\nb\n\nc",
            "a\n\nb\r\n\r\nc",
            "\n\n\n",
            "x\r\n\r\n",
            "\r\n\r\nx",
            "a\n\r\r\nb",
            "één\n\n“quote”\r\n\r\nend\n",
        ] {
            assert_eq!(
                last_blank_line_end(t.as_bytes()),
                by_substring_last(t),
                "{t:?}"
            );
            assert_eq!(
                first_blank_line(t.as_bytes()),
                by_substring_first(t),
                "{t:?}"
            );
        }
    }
}
