//! Weighted lexicons (data files `lexicon/<lang>.toml`) compiled into one Aho-Corasick
//! automaton per language, so that scanning costs one pass over the text whatever the
//! number of phrases.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use aho_corasick::dfa::DFA;
use aho_corasick::MatchKind;
use serde::Deserialize;

use super::normalize::{normalize, Normalized};
use super::walk::for_each_match;

pub const BUILTIN_NL: &str = include_str!("../../lexicon/nl.toml");
pub const BUILTIN_EN: &str = include_str!("../../lexicon/en.toml");
/// General polarity lexicons (Pattern, BSD; VADER, MIT: see `lexicon/polarity/`).
pub const BUILTIN_POLARITY_NL: &str = include_str!("../../lexicon/polarity/nl.tsv");
pub const BUILTIN_POLARITY_EN: &str = include_str!("../../lexicon/polarity/en.tsv");

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("lexicon {name}: {reason}")]
    Invalid { name: String, reason: String },
    #[error("lexicon {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    language: String,
    gap_words: usize,
    negation_window: usize,
    negators: Vec<String>,
    intensifier_factor: f64,
    intensifiers: Vec<String>,
    max_per_criterion: f64,
    combination_bonus: f64,
    typography: Typography,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    polarity: Option<PolaritySettings>,
    #[serde(default)]
    signal: Vec<SignalGroup>,
    #[serde(default)]
    exclude: Vec<ExcludeGroup>,
    #[serde(default)]
    declaration: Option<DeclarationGroup>,
    #[serde(default)]
    addressee: Option<super::addressee::Addressee>,
    #[serde(default)]
    short: Option<ShortGroup>,
    #[serde(default)]
    report: Option<ReportGroup>,
}

/// `[report]`: a text that tells someone else's dispute in the third person (a ruling's
/// summary, a page about a complaints body): no word of the writer's own, a word of the
/// bodies that judge disputes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportGroup {
    /// The words by which writers speak of themselves ("ik", "mijn", "wij", "I", "my").
    first_person: Vec<String>,
    /// Words of a body that judges disputes or its ruling ("geschillencommissie",
    /// "uitspraak", "Kifid", "ruling", "court").
    disputes: Vec<String>,
}

/// `[short]`: about texts shorter than the learned file's `@min_woorden`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShortGroup {
    /// Phrases of a polite request or an advance thank-you ("kunt u mij laten weten",
    /// "alvast bedankt"): a short text that holds one is never flagged by the learned
    /// weights alone.
    requests: Vec<String>,
}

/// A complaint made in so many words, by the writer, to the firm ("ik dien hierbij een
/// klacht in", "I wish to lodge a formal complaint"): where a phrase of these holds a
/// counted signal of the word klacht, the learned word weights do not count against the
/// mail (see `detect::declare`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclarationGroup {
    /// Words that make it a condition or a question when they come before the phrase in
    /// its sentence ("als", "hoe", "if", "how").
    unless: Vec<String>,
    phrases: Vec<String>,
    /// Declarations that open with a conjunction, their subject earlier in the sentence
    /// ("ik ben het niet eens met uw advies en dien hierbij een klacht in"): they declare
    /// only after a word of `subjects` in their sentence.
    #[serde(default)]
    coordinated: Vec<String>,
    /// The writer as a subject ("ik", "wij", "I", "we"), for `coordinated`.
    #[serde(default)]
    subjects: Vec<String>,
    /// Someone else as a subject ("hij", "zij", "he", "they"): nearer to a coordinated
    /// phrase than the writer, the clause is theirs ("ik sprak de klant, hij is boos en
    /// wil een klacht indienen").
    #[serde(default)]
    others: Vec<String>,
    /// Words of `unless` that ask rather than set a condition ("hoe", "how"): before a
    /// coordinated phrase they belong to the other clause ("I am unhappy with how my claim
    /// was handled and wish to lodge a complaint").
    #[serde(default)]
    questions: Vec<String>,
    /// Headings that name what a complaint is about ("Klacht over: …", "Complaint
    /// about: …"): on one of a text's opening lines, followed by the firm's own name, the
    /// complaint is declared to the firm (see `detect::declare::heading`).
    #[serde(default)]
    headings: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Typography {
    pub exclamation_run: usize,
    pub exclamation_weight: f64,
    pub capitals_min_words: usize,
    pub capitals_weight: f64,
    /// A rating of one or two stars out of five that the text gives (a review): counts as
    /// strong wording (0: not read).
    #[serde(default)]
    pub rating_low_weight: f64,
    /// A rating of five stars, and of four when `rating_four_weight` is not given: counts
    /// as praise (a negative weight; 0: not read).
    #[serde(default)]
    pub rating_high_weight: f64,
    /// A rating of four stars (family `beoordeling_hoog` too): praise with a reserve, often
    /// given beside one real gripe. Not given: `rating_high_weight`; 0: not read.
    #[serde(default)]
    pub rating_four_weight: Option<f64>,
}

impl Typography {
    /// The weight of a four-star rating in effect.
    pub fn rating_four_weight(&self) -> f64 {
        self.rating_four_weight.unwrap_or(self.rating_high_weight)
    }
}

/// Whom a grievance targets: a signal with a third party (the insurer, the bank, a previous
/// adviser) among the words around it and no word addressing the firm (u, jullie, you) is
/// about someone else, and counts `factor` of its weight.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Words looked at before a signal (after it: half as many).
    pub window: usize,
    pub factor: f64,
    /// What the learned phrase weights count of a positive weight in a text whose every
    /// grievance is aimed at a third party (1: all of it).
    #[serde(default = "one")]
    pub learned_factor: f64,
    /// A sentence that names no one carries on the aim of the one before it in its
    /// paragraph (see `detect::target`).
    #[serde(default)]
    pub carry: bool,
    pub third_parties: Vec<String>,
    /// Words that also name a third party as the last part of a compound word, at least
    /// three letters on: "zorgverzekeraar" and "autoverzekeraar" are insurers,
    /// "schadehersteller" a repairer, "bedrijfstakpensioenfonds" a pension fund.
    #[serde(default)]
    pub compound_heads: Vec<String>,
    pub second_person: Vec<String>,
    /// Words after which a word of `third_parties` names no one: "vorige" is a previous
    /// adviser, but "vorige week" a time ("Vorige week gebeld, nog steeds niets gehoord").
    #[serde(default)]
    pub not_a_party_before: Vec<String>,
    /// Words that make the third party right after them (or after one of `determiners`)
    /// the one something goes to or is done for, not the one a grievance is aimed at:
    /// "aan de bank doorgegeven", "naar het pensioenfonds", "for my landlord".
    #[serde(default)]
    pub recipient_before: Vec<String>,
    /// Articles and possessives between a word of `recipient_before` and the party.
    #[serde(default)]
    pub determiners: Vec<String>,
    /// Words before a word of `recipient_before` that make the party the cause after all:
    /// "het ligt aan de verzekeraar", "due to the bank".
    #[serde(default)]
    pub cause_before: Vec<String>,
    /// Words after which a word of `second_person` that follows a grievance asks the firm
    /// something rather than says whom the grievance is aimed at: "De notaris heeft de
    /// akte nog steeds niet gestuurd, kunt u navragen?" is about the notary.
    #[serde(default)]
    pub request_before_you: Vec<String>,
    /// The same words for lookups (a signal looks at a dozen words around it).
    #[serde(skip)]
    pub third_party_set: std::collections::HashSet<String, foldhash::fast::RandomState>,
    #[serde(skip)]
    pub not_a_party_before_set: std::collections::HashSet<String, foldhash::fast::RandomState>,
    #[serde(skip)]
    pub request_before_you_set: std::collections::HashSet<String, foldhash::fast::RandomState>,
    #[serde(skip)]
    pub second_person_set: std::collections::HashSet<String, foldhash::fast::RandomState>,
}

/// How the general polarity lexicon counts: words of negative polarity (at most `min` or
/// below, a negated positive word included) add `weight` per unit of polarity, at most
/// `max_units` units, and only next to a signal of the four criteria (it needs company).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolaritySettings {
    pub weight: f64,
    pub max_units: f64,
    pub min: f64,
    /// Words of the polarity lexicon that say nothing about a grievance here.
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// The general polarity lexicon of a language and how it counts.
#[derive(Debug, Clone, Default)]
pub struct Polarity {
    pub settings: PolaritySettings,
    /// Normalised word → polarity (-1.0 … 1.0); looked up once per word of a mail, so
    /// with a fast (randomly seeded) hasher.
    pub words: HashMap<String, f64, foldhash::fast::RandomState>,
}

impl Polarity {
    /// Reads `word<TAB>polarity` lines (`#` starts a comment line).
    pub fn parse(
        name: &str,
        settings: PolaritySettings,
        text: &str,
    ) -> Result<Polarity, LexiconError> {
        let ignore: Vec<String> = settings
            .ignore
            .iter()
            .map(|w| normalize(w).text().to_string())
            .collect();
        let mut words = HashMap::with_hasher(foldhash::fast::RandomState::default());
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let invalid = || LexiconError::Invalid {
                name: name.to_string(),
                reason: format!("line {}: expected word<TAB>polarity", n + 1),
            };
            let (word, value) = line.split_once('\t').ok_or_else(invalid)?;
            let value: f64 = value.trim().parse().map_err(|_| invalid())?;
            let norm = normalize(word).text().to_string();
            // Hyphenated words fall apart into two when normalised: not matchable as one.
            if norm.is_empty() || norm.contains(' ') || ignore.contains(&norm) {
                continue;
            }
            words.insert(norm, value);
        }
        Ok(Polarity { settings, words })
    }
}

/// The families of the typography signals (runs of exclamation marks, words in capitals,
/// a review's low and high rating).
pub const TYPOGRAPHY_FAMILIES: &[&str] = &[
    "uitroeptekens",
    "hoofdletters",
    "beoordeling_laag",
    "beoordeling_hoog",
];

/// The family of the polarity lexicon's signal.
pub const POLARITY_FAMILY: &str = "polariteit";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalGroup {
    /// The family's name, for explanations and for fitting weights (default:
    /// `<criterion>_<n>`, n counting the groups of the file from 1).
    #[serde(default)]
    family: Option<String>,
    /// One phrase of this family is meant to flag a mail by itself (an explicit signal of
    /// section 3.1): `scripts/fit-weights.py` keeps its weight at or above the threshold.
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "read by scripts/fit-weights.py from the same file; the detector does not need it"
    )]
    alone: bool,
    criterion: String,
    weight: f64,
    #[serde(default)]
    negatable: bool,
    phrases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExcludeGroup {
    reason: String,
    phrases: Vec<String>,
}

/// A signal group of the lexicon file: its phrases share a criterion and a weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub name: String,
    pub criterion: String,
    pub weight: f64,
}

/// What a pattern does when it matches.
#[derive(Debug, Clone)]
pub enum Role {
    Signal {
        criterion: String,
        weight: f64,
        negatable: bool,
        /// Index into [`Lexicon::families`].
        family: usize,
    },
    Exclude {
        reason: String,
    },
    /// A phrase of the `[declaration]` group: no weight of its own. `coordinated`: one of
    /// its `coordinated` phrases, whose subject must come earlier in the sentence.
    Declaration {
        coordinated: bool,
    },
}

/// One segment of a pattern: a normalised word sequence, optionally a prefix.
#[derive(Debug, Clone)]
struct Segment {
    id: usize,
    prefix: bool,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    /// The phrase as written in the lexicon (for explanations and de-duplication).
    pub source: String,
    pub role: Role,
    segments: Vec<Segment>,
}

/// A pattern found in a normalised text (byte range of the normalised text).
#[derive(Debug, Clone)]
pub struct Hit {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug)]
pub struct Lexicon {
    pub language: String,
    pub gap_words: usize,
    pub negation_window: usize,
    pub negators: Vec<String>,
    pub intensifier_factor: f64,
    pub intensifiers: Vec<String>,
    pub max_per_criterion: f64,
    pub combination_bonus: f64,
    pub typography: Typography,
    /// Whom a grievance targets (no effect when absent).
    pub target: Target,
    pub patterns: Vec<Pattern>,
    /// The signal groups, in file order (names unique within a lexicon).
    pub families: Vec<Family>,
    /// The general polarity lexicon (weight 0 when the lexicon file has no `[polarity]`).
    pub polarity: Polarity,
    /// The `[declaration]` group's `unless` words (normalised).
    pub declaration_unless: Vec<String>,
    /// The `[declaration]` group's `subjects` and `others` (normalised), for its
    /// coordinated phrases.
    pub declaration_subjects: Vec<String>,
    pub declaration_others: Vec<String>,
    /// The `[declaration]` group's `questions` (normalised): `unless` words that a
    /// coordinated phrase leaves to the clause before it.
    pub declaration_questions: Vec<String>,
    /// The `[declaration]` group's `headings` (normalised): "klacht over" before the firm's
    /// name on an opening line.
    pub declaration_headings: Vec<String>,
    /// Who an opening line addresses (`[addressee]`, normalised; empty: not looked at).
    pub addressee: super::addressee::Addressee,
    /// `[short]`'s `requests` (normalised; empty without the group).
    pub short_requests: Vec<String>,
    /// `[report]`'s `first_person` (normalised; empty without the group).
    pub first_person: Vec<String>,
    /// `[report]`'s `disputes` (normalised; empty without the group).
    pub dispute_words: Vec<String>,
    /// The reasons of the `[[exclude]]` groups.
    pub exclude_reasons: Vec<String>,
    /// Every whole word of the lexicon's phrases (normalised; the last word of a phrase
    /// part that ends in `*` left out): which language a text of few function words is in.
    phrase_words: HashSet<String>,
    automaton: DFA,
    /// For every automaton pattern (segment id): the patterns whose first segment it is.
    starts: Vec<Vec<usize>>,
}

impl Target {
    /// The third party `word` names, followed by `next` (the word after it, if any): none
    /// when `next` is one of `not_a_party_before` ("vorige week").
    pub fn party(&self, word: &str, next: Option<&str>) -> Option<&str> {
        let party = match self.third_party_set.get(word) {
            Some(party) => party,
            None => self.compound_head(word)?,
        };
        if next.is_some_and(|n| self.not_a_party_before_set.contains(n)) {
            return None;
        }
        Some(party.as_str())
    }

    /// Whether a third party whose word follows `before` (the normalised words before it)
    /// is named as the one something goes to or is done for: a word of `recipient_before`
    /// right before it, or before one of `determiners` right before it, and not after one
    /// of `cause_before`.
    pub fn is_recipient(&self, before: &str) -> bool {
        let is = |list: &[String], w: Option<&str>| w.is_some_and(|w| list.iter().any(|l| l == w));
        let mut words = before.split_ascii_whitespace().rev();
        let mut w = words.next();
        if is(&self.determiners, w) {
            w = words.next();
        }
        is(&self.recipient_before, w) && !is(&self.cause_before, words.next())
    }

    /// The word of `compound_heads` that `word` ends with, after at least
    /// [`MIN_COMPOUND_PREFIX`] letters of its own.
    fn compound_head(&self, word: &str) -> Option<&String> {
        self.compound_heads.iter().find(|h| {
            word.len() >= h.len() + MIN_COMPOUND_PREFIX
                && word.ends_with(h.as_str())
                && word.is_char_boundary(word.len() - h.len())
        })
    }
}

/// The default of [`Target::learned_factor`]: the learned weights count whole.
fn one() -> f64 {
    1.0
}

/// Letters a compound word needs before a word of `compound_heads` at its end: "autogarage",
/// not a word that merely ends in the same letters.
const MIN_COMPOUND_PREFIX: usize = 3;

impl Lexicon {
    pub fn builtin(lang: &str) -> Result<Lexicon, LexiconError> {
        match lang {
            "nl" => Lexicon::parse("nl.toml", BUILTIN_NL, BUILTIN_POLARITY_NL),
            "en" => Lexicon::parse("en.toml", BUILTIN_EN, BUILTIN_POLARITY_EN),
            other => Err(LexiconError::Invalid {
                name: other.into(),
                reason: "no built-in lexicon for this language".into(),
            }),
        }
    }

    /// Whether the normalised `word` is a whole word of one of the lexicon's phrases.
    pub fn is_phrase_word(&self, word: &str) -> bool {
        self.phrase_words.contains(word)
    }

    /// The weight per unit of a family's signals as written in the file: a signal group's
    /// `weight`, the typography weights, or the polarity weight. `None` for a name the
    /// lexicon does not know.
    pub fn unit_weight(&self, family: &str) -> Option<f64> {
        match family {
            _ if family == TYPOGRAPHY_FAMILIES[0] => Some(self.typography.exclamation_weight),
            _ if family == TYPOGRAPHY_FAMILIES[1] => Some(self.typography.capitals_weight),
            _ if family == TYPOGRAPHY_FAMILIES[2] => Some(self.typography.rating_low_weight),
            _ if family == TYPOGRAPHY_FAMILIES[3] => Some(self.typography.rating_high_weight),
            POLARITY_FAMILY => Some(self.polarity.settings.weight),
            name => self
                .families
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.weight),
        }
    }

    /// `<dir>/<lang>.toml`, with `<dir>/polarity/<lang>.tsv` when that exists (else the
    /// built-in polarity lexicon).
    pub fn from_dir(dir: &Path, lang: &str) -> Result<Lexicon, LexiconError> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| LexiconError::Read {
                path: path.display().to_string(),
                source,
            })
        };
        let path = dir.join(format!("{lang}.toml"));
        let text = read(&path)?;
        let polarity_path = dir.join("polarity").join(format!("{lang}.tsv"));
        let polarity = if polarity_path.exists() {
            read(&polarity_path)?
        } else {
            match lang {
                "en" => BUILTIN_POLARITY_EN.to_string(),
                _ => BUILTIN_POLARITY_NL.to_string(),
            }
        };
        Lexicon::parse(&path.display().to_string(), &text, &polarity)
    }

    /// A lexicon file and the polarity lexicon (`word<TAB>polarity` lines) beside it.
    pub fn parse(name: &str, text: &str, polarity: &str) -> Result<Lexicon, LexiconError> {
        let invalid = |reason: String| LexiconError::Invalid {
            name: name.to_string(),
            reason,
        };
        let file: LexiconFile = toml_from_str(text).map_err(&invalid)?;
        let mut segment_ids: HashMap<String, usize> = HashMap::new();
        let mut segment_texts: Vec<String> = Vec::new();
        let mut patterns = Vec::new();
        let mut add = |phrase: &str, role: Role| -> Result<(), LexiconError> {
            let mut segments = Vec::new();
            for part in phrase.split("...") {
                let trimmed = part.trim();
                let prefix = trimmed.ends_with('*');
                let norm = normalize(trimmed.trim_end_matches('*')).text().to_string();
                if norm.is_empty() {
                    return Err(invalid(format!("empty part in phrase {phrase:?}")));
                }
                let next = segment_texts.len();
                let id = *segment_ids.entry(norm.clone()).or_insert(next);
                if id == next {
                    segment_texts.push(norm);
                }
                segments.push(Segment { id, prefix });
            }
            patterns.push(Pattern {
                source: phrase.to_string(),
                role,
                segments,
            });
            Ok(())
        };
        let mut families: Vec<Family> = Vec::with_capacity(file.signal.len());
        for (n, group) in file.signal.iter().enumerate() {
            if group.criterion.trim().is_empty() {
                return Err(invalid("a signal group has an empty criterion".into()));
            }
            let family = group
                .family
                .clone()
                .unwrap_or_else(|| format!("{}_{}", group.criterion, n + 1));
            if families.iter().any(|f| f.name == family)
                || TYPOGRAPHY_FAMILIES.contains(&family.as_str())
                || family == POLARITY_FAMILY
            {
                return Err(invalid(format!("family {family:?} is named twice")));
            }
            families.push(Family {
                name: family,
                criterion: group.criterion.clone(),
                weight: group.weight,
            });
            for p in &group.phrases {
                add(
                    p,
                    Role::Signal {
                        criterion: group.criterion.clone(),
                        weight: group.weight,
                        negatable: group.negatable,
                        family: n,
                    },
                )?;
            }
        }
        if let Some(d) = &file.declaration {
            if !d.coordinated.is_empty() && d.subjects.is_empty() {
                return Err(invalid(
                    "[declaration] has coordinated phrases but no subjects".into(),
                ));
            }
            if let Some(q) = d.questions.iter().find(|q| !d.unless.contains(q)) {
                return Err(invalid(format!(
                    "[declaration] question {q:?} is not one of its unless words"
                )));
            }
            for p in &d.phrases {
                add(p, Role::Declaration { coordinated: false })?;
            }
            for p in &d.coordinated {
                add(p, Role::Declaration { coordinated: true })?;
            }
        }
        for group in &file.exclude {
            for p in &group.phrases {
                add(
                    p,
                    Role::Exclude {
                        reason: group.reason.clone(),
                    },
                )?;
            }
        }
        // Every segment starts a word: with a space in front (and the text scanned with
        // one in front too) the automaton reports only matches at word starts, instead of
        // every "u" or "te" inside a longer word.
        let spaced: Vec<String> = segment_texts.iter().map(|t| format!(" {t}")).collect();
        // A DFA without prefilter: every segment starts with the same byte (the space),
        // so a prefilter would stop at every word; the DFA walks the text once instead.
        let automaton = DFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&spaced)
            .map_err(|e| invalid(e.to_string()))?;
        let mut starts = vec![Vec::new(); segment_texts.len()];
        for (i, p) in patterns.iter().enumerate() {
            starts[p.segments[0].id].push(i);
        }
        let mut phrase_words = HashSet::new();
        for p in &patterns {
            for s in &p.segments {
                let mut words: Vec<&str> = segment_texts[s.id].split_whitespace().collect();
                if s.prefix {
                    words.pop();
                }
                phrase_words.extend(words.into_iter().map(str::to_string));
            }
        }
        let norm_list = |v: &[String]| {
            v.iter()
                .map(|w| normalize(w).text().to_string())
                .collect::<Vec<_>>()
        };
        // One of the `[declaration]` group's word lists, normalised (none without the group).
        let declaration_list = |list: fn(&DeclarationGroup) -> &Vec<String>| {
            file.declaration
                .as_ref()
                .map(|d| norm_list(list(d)))
                .unwrap_or_default()
        };
        Ok(Lexicon {
            language: file.language,
            gap_words: file.gap_words,
            negation_window: file.negation_window,
            negators: norm_list(&file.negators),
            intensifier_factor: file.intensifier_factor,
            intensifiers: norm_list(&file.intensifiers),
            max_per_criterion: file.max_per_criterion,
            combination_bonus: file.combination_bonus,
            typography: file.typography,
            target: file
                .target
                .map(|t| {
                    let third_parties = norm_list(&t.third_parties);
                    let compound_heads = norm_list(&t.compound_heads);
                    let second_person = norm_list(&t.second_person);
                    let not_a_party_before = norm_list(&t.not_a_party_before);
                    let request_before_you = norm_list(&t.request_before_you);
                    let recipient_before = norm_list(&t.recipient_before);
                    let determiners = norm_list(&t.determiners);
                    let cause_before = norm_list(&t.cause_before);
                    Target {
                        third_party_set: third_parties.iter().cloned().collect(),
                        second_person_set: second_person.iter().cloned().collect(),
                        not_a_party_before_set: not_a_party_before.iter().cloned().collect(),
                        request_before_you_set: request_before_you.iter().cloned().collect(),
                        third_parties,
                        compound_heads,
                        second_person,
                        not_a_party_before,
                        request_before_you,
                        recipient_before,
                        determiners,
                        cause_before,
                        ..t
                    }
                })
                .unwrap_or_default(),
            patterns,
            families,
            polarity: match file.polarity {
                Some(settings) => {
                    let mut p = Polarity::parse(name, settings, polarity)?;
                    // "zeer" and "erg" are sore and bad as adjectives, but "very" before
                    // another word: an intensifier or a negator is never a polarity word.
                    for w in norm_list(&file.intensifiers)
                        .iter()
                        .chain(norm_list(&file.negators).iter())
                    {
                        p.words.remove(w);
                    }
                    p
                }
                None => Polarity::default(),
            },
            declaration_unless: declaration_list(|d| &d.unless),
            declaration_subjects: declaration_list(|d| &d.subjects),
            declaration_others: declaration_list(|d| &d.others),
            declaration_questions: declaration_list(|d| &d.questions),
            declaration_headings: declaration_list(|d| &d.headings),
            addressee: file
                .addressee
                .map(|a| super::addressee::Addressee {
                    openers: norm_list(&a.openers),
                    organisation_words: norm_list(&a.organisation_words),
                    generic: norm_list(&a.generic),
                    firm_words: norm_list(&a.firm_words),
                    headings: norm_list(&a.headings),
                    warning_headings: norm_list(&a.warning_headings),
                    other_trades: norm_list(&a.other_trades),
                    other_trades_set: norm_list(&a.other_trades).into_iter().collect(),
                    other_trades_any: (!a.other_trades.is_empty())
                        .then(|| super::score::any_of(norm_list(&a.other_trades))),
                    other_trades_not_before: norm_list(&a.other_trades_not_before),
                    other_trades_of: norm_list(&a.other_trades_of),
                    moved_to: norm_list(&a.moved_to),
                    moved_to_prepositions: norm_list(&a.moved_to_prepositions),
                    not_about: norm_list(&a.not_about),
                })
                .unwrap_or_default(),
            short_requests: file
                .short
                .as_ref()
                .map(|g| norm_list(&g.requests))
                .unwrap_or_default(),
            first_person: file
                .report
                .as_ref()
                .map(|g| norm_list(&g.first_person))
                .unwrap_or_default(),
            dispute_words: file
                .report
                .as_ref()
                .map(|g| norm_list(&g.disputes))
                .unwrap_or_default(),
            exclude_reasons: file.exclude.iter().map(|g| g.reason.clone()).collect(),
            phrase_words,
            automaton,
            starts,
        })
    }

    /// Every pattern occurrence in normalised text, overlapping ones included (byte
    /// offsets of [`Normalized::text`]).
    pub fn scan(&self, norm: &Normalized) -> Vec<Hit> {
        // Every segment is compiled with a space in front and the text is read with one
        // in front too, so the automaton reports occurrences at word starts only.
        let spaced = norm.spaced().as_bytes();
        let bytes = &spaced[1..];
        // Segment occurrences, sorted by (segment, start). A match at `s..e` in `spaced`
        // is the word segment `s..e - 1` of the text.
        let mut occ: Vec<(usize, Occurrence)> = Vec::with_capacity(32);
        for_each_match(&self.automaton, spaced, |id, start, end| {
            let end = end - 1;
            let whole_word = end == bytes.len() || bytes[end] == b' ';
            let word_end = if whole_word {
                end
            } else {
                memchr::memchr(b' ', &bytes[end..]).map_or(bytes.len(), |p| end + p)
            };
            occ.push((
                id,
                Occurrence {
                    start,
                    end: word_end,
                    whole_word,
                },
            ));
        });
        occ.sort_unstable_by_key(|(id, o)| (*id, o.start));
        let of = |id: usize| {
            let lo = occ.partition_point(|(i, _)| *i < id);
            let hi = occ.partition_point(|(i, _)| *i <= id);
            &occ[lo..hi]
        };
        let mut hits = Vec::with_capacity(occ.len());
        for &(id, first) in &occ {
            for &pi in &self.starts[id] {
                let p = &self.patterns[pi];
                if !first.whole_word && !p.segments[0].prefix {
                    continue;
                }
                let mut cur_end = first.end;
                let complete = p.segments[1..].iter().all(|seg| {
                    match self.next_occurrence(bytes, seg, cur_end, of(seg.id)) {
                        Some(e) => {
                            cur_end = e;
                            true
                        }
                        None => false,
                    }
                });
                if complete {
                    hits.push(Hit {
                        pattern: pi,
                        start: first.start,
                        end: cur_end,
                    });
                }
            }
        }
        hits
    }

    /// The end of the first usable occurrence of `seg` after byte `after`, if at most
    /// `gap_words` words lie between.
    fn next_occurrence(
        &self,
        bytes: &[u8],
        seg: &Segment,
        after: usize,
        list: &[(usize, Occurrence)],
    ) -> Option<usize> {
        // `list` is sorted by start: bisect to the first occurrence after `after`. Most
        // patterns end here: their next segment does not occur after this one at all.
        let from = list.partition_point(|(_, o)| o.start <= after);
        if from == list.len() {
            return None;
        }
        // At most `gap_words` words may lie between: text[after] is the space before the
        // first of them, so the occurrence must start before the (gap_words + 2)-th space
        // from `after`. Bounding the window keeps a text with many occurrences linear.
        let limit = memchr::memchr_iter(b' ', &bytes[after.min(bytes.len())..])
            .nth(self.gap_words + 1)
            .map_or(bytes.len(), |p| after + p);
        list[from..]
            .iter()
            .take_while(|(_, o)| o.start <= limit)
            .find(|(_, o)| o.whole_word || seg.prefix)
            .map(|(_, o)| o.end)
    }
}

#[derive(Debug, Clone, Copy)]
struct Occurrence {
    start: usize,
    /// End of the word the occurrence ends in.
    end: usize,
    /// The occurrence ends at a word boundary (else only a prefix segment may use it).
    whole_word: bool,
}

fn toml_from_str(text: &str) -> Result<LexiconFile, String> {
    config::Config::builder()
        .add_source(config::File::from_str(text, config::FileFormat::Toml))
        .build()
        .and_then(|c| c.try_deserialize::<LexiconFile>())
        .map_err(|e| e.to_string())
}
