//! The firm's own public reply: a webcare answer under a review or a post repeats the
//! customer's grievance in the firm's voice ("Je hebt je nieuwe adres twee keer
//! doorgegeven en toch ging de post weer naar Enschede, dat klopt niet") and reads, word
//! for word, like the complaint it answers. What gives it away is who signs it: a webcare
//! sign-off ("… Laat het ons via een DM weten. ^RvD") or a signature that names the firm
//! ("Team Brinkman", "Klantenservice Brinkman Financieel Advies").
//!
//! Such a text is not flagged but held in the doubt band, so that directie still sees it
//! when it is a colleague's note about a customer's grievance rather than a public reply.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// The reason, in a verdict's ignored matches, that the text is signed as the firm.
pub const REASON: &str = "antwoord_kantoor";

/// Words of a signature line that name a role or a department, not a person.
const ROLES: &[&str] = &[
    "team",
    "klantenservice",
    "klantcontact",
    "webcare",
    "schadeafdeling",
    "directie",
    "support",
    "customer service",
    "customer care",
];

/// The roles of a signature line that are the firm's customer service, which signs for
/// the firm without naming it.
const SERVICES: &[&str] = &[
    "klantenservice",
    "klantcontact",
    "webcare",
    "customer service",
    "customer care",
];

/// How a writer introduces themself as someone of the firm, in a text's first lines:
/// "this is Marloes from Veldhuis", "hier is Ilse van Brinkman".
const INTRODUCTIONS: &[&str] = &[
    "this is ",
    "hier is ",
    "je spreekt met ",
    "u spreekt met ",
    "my name is ",
    "mijn naam is ",
];

/// The words that link a name to the firm in an introduction.
const OF_THE_FIRM: &[&str] = &[" from ", " at ", " of ", " van ", " bij ", " namens "];

/// How long a signature line may be, in bytes.
const MAX_LINE: usize = 80;

/// How many of the last lines may hold the signature.
const LAST_LINES: usize = 3;

/// How many words make a line a sentence, above which a signature can stand.
const SENTENCE_WORDS: usize = 8;

/// Words of a firm's name that say its trade, not which firm it is: "Brinkman Financieel
/// Advies" is named by "Brinkman".
const TRADE_WORDS: &[&str] = &[
    "advies",
    "adviesbureau",
    "advieskantoor",
    "adviseurs",
    "assurantiën",
    "assurantien",
    "assurantiekantoor",
    "financieel",
    "financiële",
    "financiele",
    "diensten",
    "dienstverlening",
    "hypotheken",
    "hypotheekadvies",
    "verzekeringen",
    "verzekeringsadvies",
    "pensioen",
    "vermogen",
    "planning",
    "groep",
];

/// The sign-off that makes `text` (a mail's new text) the firm's own words, as written:
/// its last line ending in a webcare sign-off ("^RvD", "^Marloes"), or one of its last
/// lines or of the `signature` lines under its closing (which the new text leaves out) a
/// signature naming the firm (`organisation`): the firm's whole name with at most
/// three more capitalised words ("Groet, Ilse" above "Brinkman Financieel Advies",
/// "Directeur Veldhuis Assurantiën"), or a distinctive word of its name beside a role
/// ("Team Brinkman"), or a customer service signing without the firm's name ("Annemiek,
/// klantenservice"); or one of its first two lines introducing the writer as someone of the
/// firm ("Hi Tom, this is Marloes from Veldhuis Assurantiën"). A line that asks or exclaims
/// ("Nooit meer Brinkman!") signs nothing. Without `organisation`, only the webcare
/// sign-off and a customer service's signature are read.
pub(super) fn sign_off<'a>(
    text: &'a str,
    signature: &'a str,
    organisation: Option<&str>,
) -> Option<&'a str> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if let Some(caret) = lines.clone().next_back().and_then(webcare_initials) {
        return Some(caret);
    }
    // Without the firm's name configured, only a customer service's signature can name
    // the firm.
    let org_lower = organisation
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_lowercase);
    let distinctive: Vec<String> = org_lower
        .iter()
        .flat_map(|o| o.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 4 && !TRADE_WORDS.contains(w))
        .map(str::to_string)
        .collect();
    // One of the last lines signs only under something said: a letter's address block
    // above its grievance names the firm too. The last lines, last first, and whether a
    // sentence stands above each.
    let mut last: Vec<&str> = lines.by_ref().rev().take(LAST_LINES).collect();
    let above = |l: &str| l.split_whitespace().nth(SENTENCE_WORDS - 1).is_some();
    let mut said = lines.any(above);
    let mut signed_lines = Vec::with_capacity(last.len());
    while let Some(line) = last.pop() {
        // Popped first to last: `said` holds for the lines before `line`.
        if said {
            signed_lines.push(line);
        }
        said |= above(line);
    }
    signed_lines
        .into_iter()
        .rev()
        .chain(signature.lines().map(str::trim))
        .find(|line| signs_as_firm(line, org_lower.as_deref(), &distinctive))
        .or_else(|| {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .take(2)
                .find(|line| introduces_the_firm(line, &distinctive))
        })
}

/// Whether `line` introduces its writer as someone of the firm: an introduction, a name
/// or a role (capitalised words, "the webcare team"), a link and a distinctive word of the
/// firm's name ("Hi Tom, this is Marloes from Veldhuis Assurantiën"). "This is a complaint
/// about the service of Brinkman" names no one.
fn introduces_the_firm(line: &str, distinctive: &[String]) -> bool {
    if distinctive.is_empty() {
        return false;
    }
    let lower = line.to_lowercase();
    if lower.len() != line.len() {
        return false;
    }
    INTRODUCTION_FINDER
        .find_overlapping_iter(&lower)
        .any(|intro| {
            let start = intro.end();
            let after = &lower[start..];
            let mut reach = INTRODUCTION_REACH.min(after.len());
            while !after.is_char_boundary(reach) {
                reach -= 1;
            }
            let near = &after[..reach];
            OF_THE_FIRM.iter().any(|link| {
                near.find(link).is_some_and(|l| {
                    let who = &line[start..start + l];
                    let someone = (1..=3).contains(&words(who).count())
                        && words(who).all(|w| name_or_role(w, TEAM_WORDS));
                    someone
                        && words(&after[l + link.len()..])
                            .take(3)
                            .any(|w| distinctive.iter().any(|d| d == w))
                })
            })
        })
}

/// All [`INTRODUCTIONS`] in one search of a line.
static INTRODUCTION_FINDER: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(INTRODUCTIONS).expect("introductions"));

/// Words of an introduction that name a team rather than a person.
const TEAM_WORDS: &[&str] = &[
    "the",
    "het",
    "team",
    "webcare",
    "webcareteam",
    "klantenservice",
];

/// How far after an introduction the link to the firm may stand, in bytes.
const INTRODUCTION_REACH: usize = 48;

/// How many words a quotation needs for the text to quote someone at length.
const LONG_QUOTE_WORDS: usize = 20;

/// Whether `text` quotes someone at length: a passage of [`LONG_QUOTE_WORDS`] words or
/// more between double quotation marks. A firm's reply that quotes the customer's review
/// word for word ("U schrijft: "Mijn pakket …"") carries the complaint itself.
pub(super) fn quotes_at_length(text: &str) -> bool {
    const OPEN: [char; 3] = ['"', '“', '„'];
    const CLOSE: [char; 2] = ['"', '”'];
    let mut rest = text;
    while let Some(open) = rest.find(OPEN) {
        let after = &rest[open..];
        let after = &after[after.chars().next().map_or(1, char::len_utf8)..];
        let Some(close) = after.find(CLOSE) else {
            return false;
        };
        if after[..close].split_whitespace().count() >= LONG_QUOTE_WORDS {
            return true;
        }
        rest = &after[close..];
        rest = &rest[rest.chars().next().map_or(1, char::len_utf8)..];
    }
    false
}

/// Whether `signed`, as [`sign_off`] gives it, is a webcare sign-off ("^Sanne") rather than
/// a signature: a public reply in the firm's name, also when a colleague's address sent it.
pub(super) fn is_webcare(signed: &str) -> bool {
    signed.starts_with('^')
}

/// A webcare sign-off closing `line`: a caret and a name or initials, "^TK", "^Ilse".
fn webcare_initials(line: &str) -> Option<&str> {
    let at = line.rfind('^')?;
    let name = &line[at + 1..];
    let before = line[..at].chars().next_back();
    (!name.is_empty()
        && name.len() <= 12
        && name.chars().all(|c| c.is_alphabetic() || c == '.')
        && name.chars().next().is_some_and(char::is_uppercase)
        && before.is_none_or(char::is_whitespace))
    .then(|| &line[at..])
}

/// Whether `line` is a signature naming the firm ([`sign_off`]).
fn signs_as_firm(line: &str, org_lower: Option<&str>, distinctive: &[String]) -> bool {
    if line.len() > MAX_LINE || line.bytes().any(|b| b == b'!' || b == b'?') {
        return false;
    }
    let lower = line.to_lowercase();
    if lower.len() != line.len() {
        // Lower case of another length: no offset of `lower` is one of `line`.
        return false;
    }
    if let Some((at, org_lower)) = org_lower.and_then(|o| Some((lower.find(o)?, o))) {
        // The rest: a name or a role, capitalised words and punctuation, at most three.
        let rest = format!("{} {}", &line[..at], &line[at + org_lower.len()..]);
        return words(&rest).count() <= 3 && words(&rest).all(|w| name_or_role(w, ROLES));
    }
    // Without the firm's whole name, a line signs for the firm by a role.
    let Some(service) = roles_in(&lower) else {
        return false;
    };
    // A customer service signing without the firm's name: "Annemiek, klantenservice".
    if service && words(line).count() <= 4 && words(line).all(|w| name_or_role(w, SERVICES)) {
        return true;
    }
    !distinctive.is_empty()
        && words(&lower).any(|w| distinctive.iter().any(|d| d == w))
        && lower.split_whitespace().count() <= 5
}

/// The words of `text`: its runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Whether `word` is capitalised (a name) or a word of one of `roles`.
fn name_or_role(word: &str, roles: &[&str]) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
        || roles
            .iter()
            .flat_map(|r| r.split(' '))
            .any(|part| part.eq_ignore_ascii_case(word))
}

/// Whether one of the [`ROLES`] stands in `lower` (a lower-case line) as whole words: `None`
/// when none does, else whether one of them is one of the [`SERVICES`].
fn roles_in(lower: &str) -> Option<bool> {
    let mut found = None;
    for m in ROLE_FINDER.find_overlapping_iter(lower) {
        if word_at(lower, m.start(), m.len()) {
            let service = SERVICES.contains(&ROLES[m.pattern().as_usize()]);
            found = Some(service || found == Some(true));
        }
    }
    found
}

/// All [`ROLES`] in one search of a line.
static ROLE_FINDER: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(ROLES).expect("roles"));

/// Whether `text[at..at + len]` is a whole word.
fn word_at(text: &str, at: usize, len: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + len..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_is_a_role() {
        for service in SERVICES {
            assert!(ROLES.contains(service), "{service}");
        }
    }

    const ORG: Option<&str> = Some("Brinkman Financieel Advies");

    #[test]
    fn a_webcare_sign_off_or_a_signature_naming_the_firm_signs_as_the_firm() {
        let said = "We hebben het nu in al onze systemen voor u aangepast.";
        for (text, signature, written) in [
            ("Sorry! Stuur je ons een DM? ^RvD", "", "^RvD"),
            ("We'll call you today. ^Ilse\n", "", "^Ilse"),
            (
                &format!("{said}\nIlse\nBrinkman Financieel Advies"),
                "",
                "Brinkman Financieel Advies",
            ),
            (said, "Team Brinkman", "Team Brinkman"),
            (
                said,
                "Klantenservice Brinkman Financieel Advies",
                "Klantenservice Brinkman Financieel Advies",
            ),
            (
                said,
                "Dennis\nBrinkman Financieel Advies\nZwolle",
                "Brinkman Financieel Advies",
            ),
        ] {
            assert_eq!(sign_off(text, signature, ORG), Some(written), "{text}");
        }
        // A customer service's signature, and a writer who introduces themself as the
        // firm's.
        for org in [ORG, None] {
            assert_eq!(
                sign_off(said, "Annemiek, klantenservice", org),
                Some("Annemiek, klantenservice")
            );
        }
        for text in [
            "Hi u/tom_z, this is Marloes from Brinkman Financieel Advies. Sorry to read this.",
            "Hi, this is the webcare team at Brinkman. We are sorry the invoice was higher.",
            "Goedemiddag,\nHier is Ilse van Brinkman, ik reageer namens de schadeafdeling.",
        ] {
            assert!(sign_off(text, "", ORG).is_some(), "{text}");
        }
        // The reach after an introduction ends on a character boundary; a name that long
        // names no one.
        let long_name = format!("Hi, this is {} van Brinkman", "É".repeat(30));
        assert_eq!(sign_off(&long_name, "", ORG), None);
        // Who signs a quotation of the customer's own words at length passes it on.
        let long = "U schrijft: \"Mijn pakket werd naar een pakketpunt gestuurd dat op \
                    maandag gesloten is, terwijl ik in de app had aangegeven dat het thuis \
                    bezorgd moest worden.\" Dat spijt ons.";
        assert!(quotes_at_length(long));
        assert!(!quotes_at_length(
            "U noemt het \"niet netjes\" en \"traag\". Klopt."
        ));
        assert!(!quotes_at_length("Een \" los aanhalingsteken"));
        // Traps: a customer who names the firm in a closing line, a caret in a sum, a
        // customer's own signature, the firm's name far above the end, another firm's
        // team, and no firm configured.
        for (text, org) in [
            ("Nooit meer Brinkman!", ORG),
            (
                "Wat een service van Brinkman Financieel Advies, echt niet normaal",
                ORG,
            ),
            ("De formule is 2^N", ORG),
            ("Groet,\nAnneke Brinkman-de Wit", ORG),
            (
                "Brinkman Financieel Advies\nheeft mij slecht geholpen.\nIk wacht al weken.\nMet \
                 vriendelijke groet,\nPiet",
                ORG,
            ),
            ("Groet,\nTeam Jansen Hypotheken", ORG),
            (
                "This is a complaint about the service of Brinkman, which has been awful for \
                 weeks.",
                ORG,
            ),
            (
                "Hier is iets misgegaan bij Brinkman: mijn polis klopt niet en niemand belt.",
                ORG,
            ),
            (
                "This is Jan from Zwolle, a customer of Brinkman for years, and I am angry.",
                ORG,
            ),
            (
                "Ik heb al drie keer gebeld en niemand helpt mij verder.\nIk bel morgen de \
                 klantenservice weer",
                ORG,
            ),
            (
                "Klacht\n\nBrinkman Financieel Advies\nt.a.v. de klachtenfunctionaris\nDrie \
                 keer gebeld, niemand reageert.",
                ORG,
            ),
            ("Groet, Ilse\nBrinkman Financieel Advies", None),
        ] {
            assert_eq!(sign_off(text, "", org), None, "{text}");
        }
    }
}
