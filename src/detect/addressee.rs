//! Whom a mail is addressed to, when its opening line says so: "Aan de klantenservice van
//! Veluwse Energie,", "To the complaints department of Maaskant Leven,", "Dear PayFlux
//! Merchant Support,". A line that opens with an addressing word, names an organisation
//! (a word of the lexicon's `organisation_words`: klantenservice, afdeling, team,
//! department) by a name written with capitals, and shares no distinctive word with the
//! firm's own name (`organisation.name`), addresses someone else: a complaint copied to
//! the firm, or sent to the wrong address. Such a mail does not declare a complaint to the
//! firm (see the declaration rule of the detector), whatever words it uses, and the
//! detector holds its score at the doubt threshold: directie sees it among the doubtful
//! mails, never as a complaint. A line that names only a department ("To: The Claims
//! Department") takes the name from the line after or before it when that one is a firm's
//! name alone ("Smits Financieel Advies B.V." over "t.a.v. de klachtenfunctionaris").
//!
//! A letter's address block names the organisation too: a firm's name on the opening line,
//! its department below ("Aan: Spaarbank Kennemerland" over "Afdeling
//! Klachtenbehandeling"); and a published review's heading that names another firm
//! ("Review: Maasland Finance Partners – 1/5", "★☆☆☆☆ Nijhoff Assurantiën, Hengelo") makes
//! the review one of that firm.
//!
//! Only the first few lines are read, and only when the firm's name is known.
//!
//! The headers can say it too ([`copied_to`]): a mail whose To: names another
//! organisation's address, the firm only in Cc ("my complaint to the insurer, my adviser
//! in copy"), is addressed to that organisation, not to the firm.

use serde::Deserialize;

use super::lexicon::Target;
use super::normalize::{normalize, Normalized};
use super::screen::{base_address, ScreenContext};
use crate::parse::ParsedMail;

/// The lexicon's `[addressee]` table (its words normalised once the lexicon is read).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Addressee {
    /// Words or phrases an addressing line starts with ("aan", "geachte", "to the", "dear").
    pub openers: Vec<String>,
    /// Words that name an organisation or a part of one ("klantenservice", "department").
    pub organisation_words: Vec<String>,
    /// Words that name no one in particular: in a firm's name they do not tell one firm
    /// from another ("financieel", "advies", "en": the firm is recognised by the others),
    /// in an addressing line they are no name ("Dear Customer Service").
    pub generic: Vec<String>,
    /// Words that make a line a firm's name ("verzekeringen", "advies", "bank", "bv"): a
    /// name line beside a department that holds one names the organisation addressed.
    #[serde(default)]
    pub firm_words: Vec<String>,
    /// Words a published review's heading starts with ("Review: Hofstad Assurantiën, Den
    /// Haag – 1/5", "Recensie: …"): a heading that names a firm other than this one (a
    /// word of the `firm_words` in its name) is a review of that firm.
    #[serde(default)]
    pub headings: Vec<String>,
    /// Phrases a published warning's or grievance's heading starts with ("Pas op met …",
    /// "Slechte ervaring met …", "Klacht over: …", "Avoid …"): followed on the line by a
    /// firm's name as written (a name and a trade word, both with capitals: "Pas op met
    /// Assurantiekantoor Blauwe Haven", "Warning about Hanze Bank"), other than this firm,
    /// the text is about that firm. A heading without such a name ("Avoid if you travel
    /// outside Europe") or with the firm's own is not.
    #[serde(default)]
    pub warning_headings: Vec<String>,
    /// The people and places of a trade a financial firm does not have ("monteur",
    /// "technician", "driver", "movers", "showroom"): written after a word that addresses
    /// the reader ("uw monteur", "your technician"), they tell a complaint meant for an
    /// installer, a courier, a removal firm or a shop, sent to the firm by mistake. A firm
    /// that has them (an installer, a web shop) empties the list in its own lexicon.
    #[serde(default)]
    pub other_trades: Vec<String>,
    /// The words of `other_trades`, for a look-up per word of a text.
    #[serde(skip)]
    pub other_trades_set: std::collections::HashSet<String, foldhash::fast::RandomState>,
    /// The words of `other_trades` as one search, inside words too: a text in which none
    /// stands is not walked word by word.
    #[serde(skip)]
    pub other_trades_any: Option<regex::Regex>,
    /// Words after which a word of `other_trades` names a thing, not someone: "your
    /// driver's licence" is the reader's own document.
    #[serde(default)]
    pub other_trades_not_before: Vec<String>,
    /// Phrases that make the people of a word of `other_trades` right before them the
    /// reader's: "twee monteurs van uw bedrijf", "een monteur van u", "an engineer from your
    /// company" (unless a third party follows: "de monteur van jullie verzekeraar").
    #[serde(default)]
    pub other_trades_of: Vec<String>,
    /// Words that say the writer took their business somewhere ("overgestapt", "moved",
    /// "switched"): followed by one of `moved_to_prepositions` and the firm's name late in
    /// a text ("… ben inmiddels overgestapt naar Duinzicht"), they tell a grievance about
    /// the firm the writer left, the firm named as where they went.
    #[serde(default)]
    pub moved_to: Vec<String>,
    /// The words between a word of `moved_to` and the firm's name ("naar", "bij", "to").
    #[serde(default)]
    pub moved_to_prepositions: Vec<String>,
    /// Phrases that say a text is not about the firm named right after them ("dit gaat niet
    /// over Lindeboom", "not to be confused with Noordkaap").
    #[serde(default)]
    pub not_about: Vec<String>,
}

/// The reason, in a verdict's ignored matches, that a declaration did not count.
pub const REASON: &str = "elders_geadresseerd";

/// How many non-empty lines at the top of a body are read, and how many bytes at most.
const LINES: usize = 3;
const BYTES: usize = 1024;
/// An addressing line is short: a longer one is a sentence of the mail.
const MAX_WORDS: usize = 12;
/// A line that is only a name is shorter still.
const NAME_WORDS: usize = 6;

/// The distinctive words of the firm's name, normalised ("Dijkstra & Mol Financieel
/// Advies" → dijkstra, mol).
pub fn distinctive(addressee: &Addressee, name: &str) -> Vec<String> {
    normalize(name)
        .text()
        .split_whitespace()
        .filter(|w| w.len() >= 3 && !addressee.generic.iter().any(|g| g == w))
        .map(str::to_string)
        .collect()
}

/// The opening line of `body` that addresses another organisation than the firm whose
/// distinctive name words are `own`, as written (at most 100 characters). `None` when `own`
/// is empty: without the firm's name nothing can be told.
pub fn elsewhere<'a>(addressee: &Addressee, body: &'a str, own: &[String]) -> Option<&'a str> {
    if own.is_empty() || addressee.openers.is_empty() {
        return None;
    }
    let mut end = body.len().min(BYTES);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    // One line more than is read for an opening: the name may stand on the next line.
    let lines: Vec<&str> = body[..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(LINES + 1)
        .collect();
    (0..lines.len().min(LINES))
        .find(|&i| {
            let next = lines.get(i + 1).copied();
            let prev = i.checked_sub(1).map(|j| lines[j]);
            addresses_other(addressee, lines[i], [next, prev], own)
        })
        .map(|i| lines[i])
        .map(|line| {
            let mut cut = line.len().min(100);
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            &line[..cut]
        })
}

/// Whether `line` addresses an organisation that is not the firm. A line that names a
/// department but no one ("To: The Claims Department", "t.a.v. de klachtenfunctionaris")
/// takes its name from a neighbour that is a firm's name alone: the next line
/// ("Apeldoornse Levensverzekering Mij."), else the line before ("Smits Financieel Advies
/// B.V.").
fn addresses_other(
    addressee: &Addressee,
    line: &str,
    [next, prev]: [Option<&str>; 2],
    own: &[String],
) -> bool {
    let norm = normalize(line);
    let words: Vec<&str> = norm.text().split_whitespace().collect();
    let opens = opens(addressee, &words);
    let is = |list: &[String], w: &str| list.iter().any(|x| x == w);
    // An organisation word, not one added to a person ("Beste Daan en team").
    let organisation = words.iter().enumerate().any(|(i, w)| {
        is(&addressee.organisation_words, w)
            && !matches!(i.checked_sub(1).map(|j| words[j]), Some("en" | "and"))
    });
    // A letter's address block: the organisation's name on the opening line, its
    // department on the line below ("Aan: Spaarbank Kennemerland" over "Afdeling
    // Klachtenbehandeling"). The name must be a firm's (a word that is or ends in one of
    // the `firm_words`: "Spaarbank", "Rabobank"): a person's name over a department may be
    // someone at the firm itself.
    let block = || {
        !organisation
            && next.is_some_and(|next| department_line(addressee, next))
            && words.iter().any(|w| names_a_firm(addressee, w))
    };
    // A review's heading that names a firm ("Review: Maasland Finance Partners – 1/5",
    // "★☆☆☆☆ Nijhoff Assurantiën, Hengelo": a heading word or the review's rating first).
    let heading = !opens
        && (addressee
            .headings
            .iter()
            .any(|h| words.first() == Some(&h.as_str()))
            || ((rated(line)
                || addressee
                    .warning_headings
                    .iter()
                    .any(|h| starts_with_phrase(&words, h).is_some()))
                && firm_name(addressee, line)))
        && words.iter().any(|w| names_a_firm(addressee, w));
    // A greeting to a firm by its name, the line ending in a comma as a salutation does
    // ("Dear Maasbank,", "Geachte Hanze Verzekeringen,": a word that is or ends in one of
    // the `firm_words`). "Aan: Spaarbank Kennemerland" alone may be a forwarded mail's
    // header: it takes a department below it (`block`).
    let greets_firm =
        || opens && line.ends_with(',') && words.iter().skip(1).any(|w| names_a_firm(addressee, w));
    if !(opens || heading)
        || words.len() > MAX_WORDS
        || !(organisation || heading || block() || greets_firm())
    {
        return false;
    }
    let mentions_own = |words: &[&str]| words.iter().any(|w| own.iter().any(|o| o == w));
    if mentions_own(&words) && !another_of_the_same_name(addressee, &words, own) {
        return false;
    }
    if !names(addressee, line, 1).is_empty() {
        return true;
    }
    // No name on the line itself: a neighbour that is a name line and names a firm (one
    // of the `firm_words`: verzekeringen, advies, bank, b.v.) names the organisation; a
    // person's name there may be the firm's own complaints officer.
    let neighbour = |other: Option<&str>| {
        other.is_some_and(|other| {
            // "B.V." and "N.V." read as the words bv and nv.
            let norm = normalize(&other.replace('.', ""));
            let words: Vec<&str> = norm.text().split_whitespace().collect();
            name_line(addressee, other, words.len())
                && !mentions_own(&words)
                && words.iter().any(|w| is(&addressee.firm_words, w))
        })
    };
    neighbour(next) || neighbour(prev)
}

/// Where `norm` speaks of the reader's people or premises of a trade the firm does not have:
/// a word of `second_person` right before one of the `other_trades`, not followed by one of
/// `other_trades_not_before` ("uw monteur", "jullie bezorger", "your technician"), or one
/// of the `other_trades` right before a phrase of `other_trades_of` not followed by a
/// third party ("twee monteurs van uw bedrijf", "een monteur van u", "a technician from your
/// company"; not "de monteur van jullie verzekeraar"). The first such phrase, as a range of
/// [`Normalized::text`].
pub fn other_trade(
    addressee: &Addressee,
    target: &Target,
    norm: &Normalized,
) -> Option<std::ops::Range<usize>> {
    let text = norm.text();
    if addressee.other_trades.is_empty()
        || addressee
            .other_trades_any
            .as_ref()
            .is_some_and(|any| !any.is_match(text))
    {
        return None;
    }
    let at = |w: &str| w.as_ptr() as usize - text.as_ptr() as usize;
    let reader = |w: &str| target.second_person_set.contains(w);
    let mut previous: Option<&str> = None;
    let mut words = norm.words().peekable();
    while let Some(word) = words.next() {
        if addressee.other_trades_set.contains(word) {
            let thing = words
                .peek()
                .is_some_and(|next| addressee.other_trades_not_before.iter().any(|n| n == next));
            if let Some(p) = previous.filter(|&p| reader(p) && !thing) {
                return Some(at(p)..at(word) + word.len());
            }
            // "twee monteurs van uw bedrijf": one of `other_trades_of` right after the
            // word, no third party after that.
            let rest = text[at(word) + word.len()..].trim_start_matches(' ');
            for of in &addressee.other_trades_of {
                let Some(after) = rest
                    .strip_prefix(of.as_str())
                    .filter(|a| a.is_empty() || a.starts_with(' '))
                else {
                    continue;
                };
                let mut next = after.split_ascii_whitespace();
                let (first, second) = (next.next(), next.next());
                if first.is_none_or(|f| target.party(f, second).is_none()) {
                    return Some(at(word)..text.len() - after.len());
                }
            }
        }
        previous = Some(word);
    }
    None
}

/// How many words may stand between a word of `moved_to` and its preposition ("overgestapt
/// met het hele dossier naar").
const MOVED_GAP: usize = 5;

/// How many words may stand between a preposition or a `not_about` phrase and the firm's
/// name ("naar het kantoor van Duinzicht" is too far; "naar Hoekstra Vermogensplanning",
/// "to the Noordkaap office" are not).
const NAME_GAP: usize = 2;

/// Where in a text, as a share of its words, a move to the firm must be told at the
/// earliest to say that the grievance before it was another firm's: a story that opens
/// with the move ("In 2024 ben ik overgestapt naar Stroomwijzer; de adviseur zei …") is
/// about the firm.
const MOVED_LATE: f64 = 0.4;

/// Where `norm` names the firm only as the place the writer moved to after the story told
/// (a word of `moved_to`, one of `moved_to_prepositions` and a word of `own`, in the last
/// three fifths of the text) or says it is not about the firm (a `not_about` phrase right
/// before a word of `own`): the grievance is another firm's. The first such phrase, as a
/// range of [`Normalized::text`].
pub fn another_firm_meant(
    addressee: &Addressee,
    norm: &Normalized,
    own: &[String],
) -> Option<std::ops::Range<usize>> {
    if own.is_empty() || (addressee.moved_to.is_empty() && addressee.not_about.is_empty()) {
        return None;
    }
    let text = norm.text();
    let words: Vec<&str> = norm.words().collect();
    let offset = |w: &str| w.as_ptr() as usize - text.as_ptr() as usize;
    let is = |list: &[String], w: &str| list.iter().any(|l| l == w);
    let late = (MOVED_LATE * words.len() as f64).ceil() as usize;
    for (at, name) in words.iter().enumerate() {
        if !is(own, name) {
            continue;
        }
        let end = offset(name) + name.len();
        // The name may follow a few words after what comes before it.
        for before in (at.saturating_sub(NAME_GAP + 1)..at).rev() {
            // "dit gaat niet over" / "not to be confused with", ending at `before`.
            for phrase in &addressee.not_about {
                let n = phrase.split(' ').count();
                if before + 1 >= n
                    && words[before + 1 - n..=before]
                        .iter()
                        .copied()
                        .eq(phrase.split(' '))
                {
                    return Some(offset(words[before + 1 - n])..end);
                }
            }
            if !is(&addressee.moved_to_prepositions, words[before]) {
                continue;
            }
            let moved = (before.saturating_sub(MOVED_GAP + 1)..before)
                .rev()
                .find(|&m| is(&addressee.moved_to, words[m]));
            if let Some(m) = moved.filter(|&m| m >= late) {
                return Some(offset(words[m])..end);
            }
        }
    }
    None
}

/// Whether `line` opens with a review's rating ("★☆☆☆☆", "1/5 –", "2 van de 5"): the line
/// is the review's heading.
fn rated(line: &str) -> bool {
    let line = line.trim_start();
    super::score::rating(line).is_some_and(|(_, written)| line.starts_with(written))
}

/// Whether `line` holds a firm's name as written: a word of a firm's trade (one of the
/// `firm_words`, or a compound ending in one) with a capital, after a name with a capital
/// ("Nijhoff Assurantiën", "Kroon Verhuizingen"). A trade alone ("Hypotheekadvies? Eerder
/// een verkoopgesprek") or in lower case ("Avoid if you travel") names no firm.
fn firm_name(addressee: &Addressee, line: &str) -> bool {
    let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let tokens: Vec<&str> = line
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    tokens.windows(2).any(|pair| {
        let (name, trade) = (normalize(pair[0]), normalize(pair[1]));
        let (name, trade) = (name.text(), trade.text());
        capital(pair[0])
            && capital(pair[1])
            && names_a_firm(addressee, trade)
            && !names_a_firm(addressee, name)
            && !addressee.generic.iter().any(|g| g == name)
    })
}

/// Whether `line` names a department alone ("Afdeling Klachtenbehandeling", "Complaints
/// Department"): at most [`NAME_WORDS`] words, one of them an organisation word, no
/// addressing word before them.
fn department_line(addressee: &Addressee, line: &str) -> bool {
    let norm = normalize(line);
    let words: Vec<&str> = norm.text().split_whitespace().collect();
    !words.is_empty()
        && words.len() <= NAME_WORDS
        && !opens(addressee, &words)
        && words
            .iter()
            .any(|w| addressee.organisation_words.iter().any(|o| o == w))
}

/// Whether the normalised word `w` names a firm: it is one of the `firm_words`, or a
/// compound that ends in one of four letters or more ("spaarbank", "rabobank").
fn names_a_firm(addressee: &Addressee, w: &str) -> bool {
    addressee.firm_words.iter().any(|f| is_or_compound(w, f))
}

/// Whether the word `w` is the trade word `f`, or a compound ending in it ("spaarbank",
/// "bootverhuur"; `f` of four letters or more).
fn is_or_compound(w: &str, f: &str) -> bool {
    w == f || (f.len() >= 4 && w.len() > f.len() && w.ends_with(f))
}

/// Two words this long that start alike name one trade ("Hypotheken" and "Hypotheekadvies"):
/// a writer who shortens or misremembers the firm's name is not naming another firm.
const SAME_STEM: usize = 6;

/// Where `norm` (made from `text`) names a namesake of the firm: a word of the firm's name
/// followed by a trade word written with a capital that the firm's name does not hold
/// ("Rijnmond Reizen" to Rijnmond Reisverzekeringen, "Visser Makelaardij" to Visser &
/// Meijer Assurantiën: a word of the `firm_words` or a compound ending in one, not one
/// of the `generic`, and not starting as a word of the name does), the two side by side on
/// a line. The grievance around it is that firm's. The first such pair, as a range of
/// [`Normalized::text`].
pub fn namesake(
    addressee: &Addressee,
    norm: &Normalized,
    text: &str,
    own: &[String],
) -> Option<std::ops::Range<usize>> {
    if own.is_empty() {
        return None;
    }
    let words = norm.text();
    let at = |w: &str| w.as_ptr() as usize - words.as_ptr() as usize;
    let is = |list: &[String], w: &str| list.iter().any(|x| x == w);
    fn stem(w: &str) -> Option<&str> {
        w.get(..SAME_STEM)
    }
    // The words before the current one, nearest last.
    let mut recent: [&str; NAME_WORDS] = [""; NAME_WORDS];
    for word in norm.words() {
        let name = recent[NAME_WORDS - 1];
        recent.rotate_left(1);
        recent[NAME_WORDS - 1] = word;
        if !is(own, name) {
            continue;
        }
        // The firm's whole name with a trade added ("Dijkstra & Mol Makelaardij") is the
        // firm's, as on an addressing line ([`another_of_the_same_name`]).
        let whole = own.len() > 1 && own.iter().all(|o| recent.contains(&o.as_str()));
        let trade = !whole
            && !is(own, word)
            && addressee
                .firm_words
                .iter()
                .any(|f| !is(&addressee.generic, f) && is_or_compound(word, f))
            && !own
                .iter()
                .any(|o| stem(o).is_some_and(|s| stem(word) == Some(s)));
        if !trade {
            continue;
        }
        // As one name is written: the two words side by side on a line, the second with a
        // capital ("Huisman Financiële Dienstverlening" above a quoted post that opens with
        // "Uitvaartverzekering:" names no other firm).
        let (start, end) = (at(word), at(word) + word.len());
        let written = norm.source_range(start, end);
        let before = norm.source_range(at(name), at(name) + name.len());
        let side_by_side = text
            .get(before.end..written.start)
            .is_some_and(|gap| !gap.is_empty() && gap.chars().all(|c| c == ' ' || c == '\u{a0}'));
        if side_by_side && text[written].chars().next().is_some_and(char::is_uppercase) {
            return Some(at(name)..end);
        }
    }
    None
}

/// Whether the normalised `words` of a line that hold a word of the firm's name name
/// another firm that shares it: a word of a firm's trade (or a compound ending in one:
/// "Bootverhuur") is there that the firm's name does not hold, and either not every distinctive word of the firm's name is there ("Aan: Bos
/// Makelaardij" to Van Rijn & Bos Financieel Advies: a surname two firms share) or the
/// firm's name has only one ("To whom it may concern at Huisman Makelaardij," to Huisman
/// Hypotheken & Verzekeringen: one surname is shared by many firms). A trade word that names
/// no one in particular (`generic`: advies, verzekeringen) tells nothing, and a line with
/// the whole of a name of two or more distinctive words ("Aan Van Rijn & Bos
/// Vastgoedadvies") is the firm's.
fn another_of_the_same_name(addressee: &Addressee, words: &[&str], own: &[String]) -> bool {
    let is = |list: &[String], w: &str| list.iter().any(|x| x == w);
    (own.len() == 1 || own.iter().any(|o| !words.contains(&o.as_str())))
        && words.iter().any(|w| {
            !is(own, w)
                && addressee
                    .firm_words
                    .iter()
                    .any(|f| !is(&addressee.generic, f) && is_or_compound(w, f))
        })
}

/// Whether the normalised `words` of a line start with one of the addressing `openers`.
fn opens(addressee: &Addressee, words: &[&str]) -> bool {
    addressee
        .openers
        .iter()
        .any(|o| starts_with_phrase(words, o).is_some())
}

/// How many words the normalised `phrase` has when `words` start with it (none for an
/// empty phrase or another start), without splitting it into a list of its own.
pub(super) fn starts_with_phrase(words: &[&str], phrase: &str) -> Option<usize> {
    let mut n = 0;
    for p in phrase.split_whitespace() {
        if words.get(n) != Some(&p) {
            return None;
        }
        n += 1;
    }
    (n > 0).then_some(n)
}

/// The words of `line` written with a capital, after the first `skip`, that are no
/// addressing, organisation or generic word: the names on the line.
fn names(addressee: &Addressee, line: &str, skip: usize) -> Vec<String> {
    let is = |list: &[String], w: &str| list.iter().any(|x| x == w);
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .skip(skip)
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(|w| normalize(w).text().to_string())
        .filter(|w| {
            !w.is_empty()
                && !is(&addressee.openers, w)
                && !is(&addressee.organisation_words, w)
                && !is(&addressee.generic, w)
        })
        .collect()
}

/// A line that is a name alone: at most `NAME_WORDS` words, each written with a capital
/// or a linking word of names (van, de, en, &), at least one of them a name.
fn name_line(addressee: &Addressee, line: &str, word_count: usize) -> bool {
    let linking = [
        "van", "de", "der", "den", "het", "en", "and", "of", "the", "te",
    ];
    let mut tokens = line
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .peekable();
    tokens.peek().is_some()
        && word_count <= NAME_WORDS
        && tokens.all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                || linking.contains(&w.to_lowercase().as_str())
        })
        && !names(addressee, line, 0).is_empty()
}

/// The address a mail is sent To when the firm is only copied: no To: address is the
/// firm's, at least one is an organisation's (a domain that is no public mail provider's
/// and holds no distinctive word of the firm's name, `ctx.organisation` ([`distinctive`]):
/// such a domain may be one of the firm's that the configuration does not list), and one of the
/// firm's addresses is in Cc. The firm's addresses: the service's own and directie's, and
/// any address at their domains (a public mail provider's domain excepted: there only the
/// addresses themselves). A mail whose opening line addresses the firm by name ("Geachte
/// heer Dijkstra,") is the firm's whoever the headers name (a complaint sent to an outside
/// complaints officer or the ombudsman with the firm in copy).
pub fn copied_to<'a>(
    mail: &'a ParsedMail,
    ctx: &ScreenContext,
    addressee: &Addressee,
) -> Option<&'a str> {
    let domain_of = |address: &str| {
        address
            .rsplit_once('@')
            .map(|(_, d)| d.trim().to_ascii_lowercase())
    };
    let firm_domains: Vec<String> = ctx
        .own_addresses
        .iter()
        .chain(&ctx.directie_addresses)
        .filter_map(|a| domain_of(a))
        .filter(|d| !super::is_public_provider(d))
        .collect();
    let is_firm = |address: &str| {
        let base = base_address(address);
        ctx.is_own(&base)
            || ctx
                .directie_addresses
                .iter()
                .any(|d| base_address(d) == base)
            || domain_of(address).is_some_and(|d| firm_domains.contains(&d))
    };
    if mail.to.is_empty()
        || mail.to.iter().any(|a| is_firm(&a.address))
        || !mail.cc.iter().any(|a| is_firm(&a.address))
    {
        return None;
    }
    // Only a mail the headers hold comes this far: the firm's name is read here.
    let own = ctx
        .organisation
        .as_deref()
        .map_or_else(Vec::new, |name| distinctive(addressee, name));
    if addresses_firm(addressee, mail.body_text.as_deref().unwrap_or(""), &own) {
        return None;
    }
    mail.to
        .iter()
        .find(|a| {
            domain_of(&a.address).is_some_and(|d| {
                !super::is_public_provider(&d) && !own.iter().any(|w| d.contains(w.as_str()))
            })
        })
        .map(|a| a.address.as_str())
}

/// Whether the first line of `body` is an addressing line that names the firm: it opens
/// with one of the `openers`, is at most [`MAX_WORDS`] words long and holds one of `own`,
/// the distinctive words of the firm's name.
fn addresses_firm(addressee: &Addressee, body: &str, own: &[String]) -> bool {
    let Some(line) = body.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return false;
    };
    let norm = normalize(line);
    let words: Vec<&str> = norm.text().split_whitespace().collect();
    opens(addressee, &words)
        && words.len() <= MAX_WORDS
        && words.iter().any(|w| own.iter().any(|o| o == w))
}
