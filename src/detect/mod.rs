//! Complaint detection: explainable keyword heuristics for the four signals of section
//! 3.1 of the procedure (the word klacht or a synonym, strong disagreement, blame for an
//! act or omission of the firm, blame for an employee's behaviour).
//!
//! Steps: [`screen`] (automatic mail, own mail, directie) → [`newtext`] (drop quoted
//! history, signature, footers) → language (nl/en) → [`normalize`] → scan with the
//! language's [`lexicon`] → resolve overlaps, exclusions (medical klachten, tax bezwaar),
//! negation and intensifiers → add typography (!!!, CAPITALS) → score against the
//! threshold. Every verdict lists the signals that made it, with the phrase as written.
//! Pure code: no I/O once the lexicons are loaded.

pub mod addressee;
pub mod contact_form;
mod declare;
pub mod eval;
pub mod firm_voice;
pub mod learned;
pub mod lexicon;
pub mod newtext;
pub mod normalize;
pub mod postscript;
pub mod screen;
mod target;
pub mod unread;
mod walk;

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::parse::{Document, ParsedMail};
use lexicon::{Lexicon, LexiconError, Role};
pub use screen::{ScreenContext, ScreenReason};

/// Criteria of section 3.1 of the procedure; other criteria (compliment) only adjust.
pub const CRITERIA: &[&str] = &[
    "klachtwoord",
    "sterke_bewoording",
    "verwijt_handelen",
    "verwijt_gedrag",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nl,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Nl => "nl",
            Language::En => "en",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub criterion: String,
    /// The words as the sender wrote them.
    pub phrase: String,
    pub weight: f64,
    /// The lexicon family (signal group) the phrase belongs to.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub family: String,
}

impl Signal {
    /// Whether the signal adds to one of the four criteria of section 3.1 ([`CRITERIA`]).
    pub fn for_a_criterion(&self) -> bool {
        self.weight > 0.0 && CRITERIA.contains(&self.criterion.as_str())
    }
}

/// A match that did not count, and why (negated, medical sense, tax objection, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ignored {
    pub reason: String,
    pub phrase: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub complaint: bool,
    pub score: f64,
    pub threshold: f64,
    pub language: Language,
    pub screened: Option<ScreenReason>,
    pub signals: Vec<Signal>,
    #[serde(default)]
    pub ignored: Vec<Ignored>,
    /// Present when the new text was longer than `detection.max_text_bytes`: only its
    /// first `judged_bytes` bytes were judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<Truncated>,
    /// Present when judging this mail took longer than routing's time budget (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_budget_ms: Option<u64>,
    /// Not flagged, but scored at or above `detection.doubt_threshold`: listed for
    /// directie among the doubtful mails ("twijfelgevallen").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub doubt: bool,
    /// The attached documents read and judged with the mail's own words (their names):
    /// a phrase shown may be quoted from one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
}

/// The reasons, among a verdict's ignored matches, that hold a mail under the threshold or
/// put it in the doubt band whatever its score: what directie's digest says a doubtful
/// mail is doubtful for.
pub const HELD_REASONS: &[&str] = &[
    declare::DOUBT_REASON,
    addressee::REASON,
    learned::SHORT_DISAGREE,
    learned::SHORT,
    learned::UNKNOWN,
    CALENDAR_REASON,
    firm_voice::REASON,
    unread::REASON,
];

impl Verdict {
    /// The ignored matches that say why the mail is held or doubtful ([`HELD_REASONS`]).
    pub fn held_because(&self) -> impl Iterator<Item = &Ignored> {
        self.ignored
            .iter()
            .filter(|i| HELD_REASONS.contains(&i.reason.as_str()))
    }
}

/// How much of a long text was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truncated {
    pub judged_bytes: usize,
    pub text_bytes: usize,
}

/// The default of `detection.max_text_bytes`: a complaint says what it is about long
/// before this, and the bound keeps the time for one hostile mail small.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 256 * 1024;

/// The reason, in a verdict's ignored matches, that a calendar program's answer to an
/// invitation (a `text/calendar` part under a subject such as "Geaccepteerd: …") was
/// judged by the lexicons alone: its text is mostly the program's.
pub const CALENDAR_REASON: &str = "agenda_antwoord";

/// Reason of a text held as someone else's dispute told in the third person (a ruling's
/// summary): no word of the writer's own, a word of a body that judges disputes.
pub const REPORT_REASON: &str = "verslag";

/// The fewest words of a text held as someone else's dispute ([`REPORT_REASON`]): a short
/// one with no "ik" may be a terse threat ("Zie u bij de rechter.").
const REPORT_MIN_WORDS: usize = 40;

/// How many words of a text the language votes read.
const LANGUAGE_VOTE_WORDS: usize = 150;

/// Subjects a calendar program gives its answer to an invitation ("Geaccepteerd:
/// Adviesgesprek", "Accepted: Mortgage review", "Voorlopig geaccepteerd: …").
const CALENDAR_ANSWERS: &[&str] = &[
    "geaccepteerd",
    "voorlopig geaccepteerd",
    "voorlopig",
    "geweigerd",
    "afgewezen",
    "accepted",
    "tentative",
    "tentatively accepted",
    "declined",
    "angenommen",
    "mit vorbehalt angenommen",
    "abgelehnt",
];

/// Whether `mail` is a calendar program's answer to an invitation: it carries the answer
/// (a `text/calendar` part) under a subject that starts with one ("Geaccepteerd: …"). Its
/// text is mostly the program's ("Sarah Mitchell has accepted this invitation", the
/// meeting's title, time and place), which the learned word statistics, fitted on what
/// people write, misread; what the attendee writes along it may still be a complaint ("Ik
/// kom. Wel even voor de duidelijkheid: dit is de derde datum …"), which the lexicons
/// judge. It is not screened.
pub(crate) fn calendar_answer(mail: &ParsedMail) -> bool {
    mail.attachments
        .iter()
        .any(|a| a.content_type == "text/calendar")
        && mail
            .subject
            .as_deref()
            .and_then(|s| s.split_once(':'))
            .is_some_and(|(head, _)| {
                CALENDAR_ANSWERS
                    .iter()
                    .any(|a| head.trim().eq_ignore_ascii_case(a))
            })
}

/// What [`Detector::judged_words`] writes for a word of an e-mail address or a web link,
/// which the learned phrases never read: no word of a phrase, so a fit makes none with it.
pub const LINK_WORD: &str = "_";

/// The reply and forward prefixes a subject may start with ("Re:", "Antw:", "FW:", "WG:").
static REPLY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*((re|antw|aw|fw|fwd|doorst|tr|wg|sv)\s*(\[\d+\])?\s*:\s*)+")
        .expect("reply prefix regex")
});

/// Looks at a message and says whether it looks like a complaint, and why.
pub struct Detector {
    nl: Lexicon,
    en: Lexicon,
    /// Phrase weights fitted on the labelled corpus ([`learned`]), for either language.
    learned: learned::Learned,
    threshold: f64,
    /// From this score up to the threshold a mail is doubtful (never above the threshold).
    doubt_threshold: f64,
    max_text_bytes: usize,
    /// Whether the reader's people or premises of another trade ("uw monteur") tell a mail
    /// meant for another firm (`detection.other_trades`).
    other_trades: bool,
    language: whatlang::Detector,
}

impl Detector {
    /// The built-in lexicons, or `<lexicon_dir>/nl.toml` and `en.toml`.
    pub fn new(threshold: f64, lexicon_dir: Option<&Path>) -> Result<Detector, LexiconError> {
        let (nl, en) = match lexicon_dir {
            Some(dir) => (Lexicon::from_dir(dir, "nl")?, Lexicon::from_dir(dir, "en")?),
            None => (Lexicon::builtin("nl")?, Lexicon::builtin("en")?),
        };
        // `<lexicon_dir>/learned.tsv` when that exists, else the built-in one.
        let (learned, name) = match lexicon_dir.map(|d| d.join("learned.tsv")) {
            Some(path) if path.exists() => {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(&path).map_err(|source| LexiconError::Read {
                    path: name.clone(),
                    source,
                })?;
                (learned::Learned::parse(&name, &text)?, name)
            }
            _ => (
                learned::Learned::parse("learned.tsv", learned::BUILTIN)?,
                "learned.tsv".to_string(),
            ),
        };
        if let Some(unknown) = learned
            .families()
            .find(|f| nl.unit_weight(f).is_none() && en.unit_weight(f).is_none())
        {
            return Err(LexiconError::Invalid {
                name,
                reason: format!(
                    "{}{unknown}: no family of that name in nl.toml or en.toml",
                    learned::FAMILY_PREFIX
                ),
            });
        }
        Ok(Detector {
            nl,
            en,
            learned,
            threshold,
            doubt_threshold: threshold,
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
            other_trades: true,
            language: whatlang::Detector::with_allowlist(vec![
                whatlang::Lang::Nld,
                whatlang::Lang::Eng,
            ]),
        })
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The lexicon used for `language`.
    pub fn lexicon(&self, language: Language) -> &Lexicon {
        match language {
            Language::Nl => &self.nl,
            Language::En => &self.en,
        }
    }

    /// Mails scoring from `doubt` up to the threshold are doubtful
    /// (`detection.doubt_threshold`; at or above the threshold: no doubt band).
    pub fn with_doubt_threshold(mut self, doubt: f64) -> Detector {
        self.doubt_threshold = doubt.min(self.threshold);
        self
    }

    /// The hand-written lexicons alone, without the learned phrase weights: for tests of
    /// the families.
    #[cfg(test)]
    pub(crate) fn without_learned(mut self) -> Detector {
        self.learned = learned::Learned::default();
        self
    }

    /// How the signals of a mail in `lexicon`'s language add up: the learned file's cap
    /// and combination bonus where it gives them, else the lexicon's.
    pub(crate) fn scoring(&self, lexicon: &Lexicon) -> Scoring {
        let lex = Scoring::of(lexicon);
        Scoring {
            cap: self.learned.cap().unwrap_or(lex.cap),
            bonus: self.learned.combination().unwrap_or(lex.bonus),
        }
    }

    /// The weight per unit of `family`'s signals in effect: the learned file's, when it
    /// gives one, else the lexicon's.
    pub(crate) fn unit_weight(&self, lexicon: &Lexicon, family: &str) -> Option<f64> {
        self.learned
            .family_weight(family)
            .or_else(|| lexicon.unit_weight(family))
    }

    /// Gives every signal of a family that the learned file weighs that file's weight per
    /// unit instead of the lexicon's (the units — a match, an intensifier, another target —
    /// stay as the lexicon counted them); a signal left with no weight says nothing and goes.
    fn reweigh(&self, lexicon: &Lexicon, signals: &mut Vec<Signal>) {
        if !self.learned.weighs_families() {
            return;
        }
        signals.retain_mut(|s| {
            let (Some(fitted), Some(written)) = (
                self.learned.family_weight(&s.family),
                lexicon.unit_weight(&s.family),
            ) else {
                return true;
            };
            if written != 0.0 {
                s.weight = round2(s.weight / written * fitted);
            }
            s.weight != 0.0
        });
    }

    /// Whether a mail that speaks of the reader's people or premises of a trade the firm
    /// does not have ("uw monteur", "your technician": the lexicons' `other_trades`) is held
    /// as addressed to another firm (`detection.other_trades`; on by default).
    pub fn with_other_trades(mut self, on: bool) -> Detector {
        self.other_trades = on;
        self
    }

    /// Judges at most the first `bytes` of a mail's new text (`detection.max_text_bytes`).
    pub fn with_max_text_bytes(mut self, bytes: usize) -> Detector {
        self.max_text_bytes = bytes.max(1);
        self
    }

    /// Screens, then judges the new text of `mail`.
    pub fn classify(&self, mail: &ParsedMail, ctx: &ScreenContext) -> Verdict {
        let body = mail.body_text.as_deref().unwrap_or("");
        let (mut verdict, learned, webcare) = self.judge_text(
            mail.subject.as_deref(),
            body,
            &mail.documents,
            ctx.organisation.as_deref(),
            calendar_answer(mail),
        );
        let elsewhere = verdict
            .ignored
            .iter()
            .any(|i| i.reason == addressee::REASON);
        // A webcare sign-off ("… ^Sanne") is a public reply whoever sent it: its hold stays.
        // A colleague passing a customer's mail on with no or a short note of their own is
        // judged on the customer's words: the weight of a colleague's own mail does not
        // apply.
        if let Some(signal) = colleague_domain(mail, ctx)
            .filter(|_| learned && !webcare && !passes_customer_on(mail, ctx))
            .and_then(|domain| self.learned.colleague_signal(&format!("@{domain}")))
        {
            verdict.signals.push(signal);
            // A colleague signs as the firm: the colleague's weight judges that, not the
            // firm's-voice hold ([`firm_voice`]).
            let firm_voice = verdict
                .ignored
                .iter()
                .any(|i| i.reason == firm_voice::REASON);
            verdict.ignored.retain(|i| i.reason != firm_voice::REASON);
            let lexicon = self.lexicon(verdict.language);
            let before = verdict.score;
            verdict.score = self.held(total(self.scoring(lexicon), &verdict.signals), elsewhere);
            // Any other hold stands: a text held under the threshold (a short text that
            // needs more, a declared complaint argued against) is not flagged by the sum
            // of its signals once the colleague's weight joins them.
            if !verdict.complaint && !firm_voice {
                verdict.score = verdict.score.min(before);
            }
            verdict.complaint = verdict.score >= self.threshold;
            verdict.doubt =
                !verdict.complaint && verdict.score >= self.doubt_threshold && verdict.score > 0.0;
        }
        // Sent To another organisation, the firm only in Cc: held as a mail whose opening
        // line addresses someone else ([`addressee::copied_to`]).
        let addressing = &self.lexicon(verdict.language).addressee;
        if let Some(to) = addressee::copied_to(mail, ctx, addressing).filter(|_| !elsewhere) {
            verdict.ignored.push(Ignored {
                reason: addressee::REASON.into(),
                phrase: format!("aan {to}, het kantoor in cc"),
            });
            verdict.score = self.held(verdict.score, true);
            verdict.complaint = verdict.score >= self.threshold;
            verdict.doubt = !verdict.complaint
                && (verdict.doubt
                    || (verdict.score >= self.doubt_threshold && verdict.score > 0.0));
        }
        verdict.documents = mail
            .documents
            .iter()
            .filter(|d| !d.text.is_empty())
            .map(|d| d.name.clone())
            .collect();
        // A letter nobody could read, under a note that says it is one: for directie
        // (also when the short note is doubtful anyway: this says why it matters).
        if !verdict.complaint {
            if let Some(why) = unread::unread_letter(mail) {
                verdict.doubt = true;
                verdict.ignored.push(Ignored {
                    reason: unread::REASON.into(),
                    phrase: why,
                });
            }
        }
        if let Some(reason) = screen::screen(mail, ctx) {
            verdict.screened = Some(reason);
            verdict.complaint = false;
            verdict.doubt = false;
        }
        verdict
    }

    /// Judges a subject and body without screening.
    pub fn judge(&self, subject: Option<&str>, body: &str) -> Verdict {
        self.judge_text(subject, body, &[], None, false).0
    }

    /// The lexicons' reading of a subject and body: the text judged, its language, the
    /// signals and set-aside matches, the complaint it declares in so many words, and
    /// whether it is addressed to another organisation (its grievance then counted as one
    /// aimed at a third party, nothing declared).
    fn read(
        &self,
        subject: Option<&str>,
        body: &str,
        documents: &[Document],
        organisation: Option<&str>,
    ) -> Reading {
        let mut signature = Vec::new();
        let (text, truncated) =
            self.judged_text_signed(subject, body, documents, Some(&mut signature));
        let signature = signature.join("\n");
        let norm = normalize::normalize(&text);
        let language = self.detect_language(&text, &norm);
        let lexicon = self.lexicon(language);
        let own = organisation.map_or_else(Vec::new, |name| {
            addressee::distinctive(&lexicon.addressee, name)
        });
        // The firm's name: a grievance near it is aimed at the firm ([`target`]). A word of
        // the name that is one of the lexicon's third parties ("Bank" of "Bank Noordhaven")
        // names no one in particular: "mijn vorige bank" is still someone else.
        let named: Vec<String> = own
            .iter()
            .filter(|w| !lexicon.target.third_party_set.contains(w.as_str()))
            .cloned()
            .collect();
        let score::Scored {
            mut signals,
            mut ignored,
            mut declared,
            aimed_elsewhere,
            aimed_at_firm,
        } = score_text(lexicon, &named, &text, &norm);
        // A heading that names the firm as what the complaint is about ("Klacht over:
        // Dijkstra & Mol", with the word klacht counted) or a warning against the firm ("Pas
        // op met Dijkstra & Mol") declares it as plainly as "ik dien een klacht in".
        if declared.is_none() {
            let klacht = signals
                .iter()
                .any(|s| s.criterion == "klachtwoord" && s.weight > 0.0);
            declared = klacht
                .then(|| declare::heading(&lexicon.declaration_headings, &text, &norm, &named))
                .flatten()
                .or_else(|| {
                    declare::heading(&lexicon.addressee.warning_headings, &text, &norm, &named)
                });
        }
        // A mail addressed to another organisation declares nothing to the firm, its
        // grievance counts as one aimed at a third party, and it is at most doubtful
        // ([`addressee`], [`Detector::held`]).
        let elsewhere = addressee::elsewhere(&lexicon.addressee, body, &own)
            .map(str::to_string)
            .or_else(|| {
                // The reader's technician, driver or shop: a firm of another trade.
                let trade = self
                    .other_trades
                    .then(|| addressee::other_trade(&lexicon.addressee, &lexicon.target, &norm));
                // The firm named only as where the writer went after another firm's
                // story, or as the firm the text is not about.
                trade
                    .flatten()
                    .or_else(|| addressee::another_firm_meant(&lexicon.addressee, &norm, &own))
                    .or_else(|| addressee::namesake(&lexicon.addressee, &norm, &text, &own))
                    .map(|r| score::join_words(&text[norm.source_range(r.start, r.end)]))
            });
        if let Some(line) = &elsewhere {
            declared = None;
            for s in signals.iter_mut() {
                if s.for_a_criterion() {
                    s.weight = round2(s.weight * lexicon.target.factor);
                }
            }
            ignored.push(Ignored {
                reason: addressee::REASON.into(),
                phrase: line.clone(),
            });
        }
        Reading {
            text,
            truncated,
            norm,
            language,
            signals,
            ignored,
            declared,
            elsewhere: elsewhere.is_some(),
            aimed_elsewhere,
            aimed_at_firm,
            signature,
        }
    }

    /// The complaint a mail declares in so many words to the firm ([`declare`]), if any:
    /// for `eval --features`, so that a weight fit can judge as the detector does.
    pub(crate) fn declaration(
        &self,
        subject: Option<&str>,
        body: &str,
        organisation: Option<&str>,
    ) -> Option<String> {
        self.read(subject, body, &[], organisation)
            .declared
            .map(|d| d.written)
    }

    /// [`Detector::judge`], whether the learned weights judged the text (a text shorter
    /// than the learned file's `@min_woorden` is judged by the lexicons alone), and whether
    /// a webcare sign-off held it as the firm's own reply.
    /// `organisation`: the firm's name, to tell a mail addressed to another organisation.
    /// A mail whose whole text is no complaint is judged on its postscript too
    /// ([`postscript`]).
    fn judge_text(
        &self,
        subject: Option<&str>,
        body: &str,
        documents: &[Document],
        organisation: Option<&str>,
        calendar: bool,
    ) -> (Verdict, bool, bool) {
        let whole = self.judge_whole(subject, body, documents, organisation, calendar);
        if whole.verdict.complaint || whole.elsewhere {
            return (whole.verdict, whole.learned, whole.webcare);
        }
        let Some(ps) = postscript::find(&whole.text) else {
            return (whole.verdict, whole.learned, whole.webcare);
        };
        // A postscript too short for the learned weights is judged by the lexicons, and
        // flags the mail only when the learned weights would have flagged it as well: a
        // short "P.S. Nogmaals dank voor …" holds a lexicon match ("nogmaals") and no
        // grievance.
        let alone = self.judge_whole(None, ps, &[], organisation, calendar);
        if !(alone.verdict.complaint && alone.with_learned >= self.threshold) {
            return (whole.verdict, whole.learned, whole.webcare);
        }
        let mut verdict = alone.verdict;
        let mut line: String = ps.lines().next().unwrap_or("").chars().take(80).collect();
        if line.len() < ps.len() {
            line.push('…');
        }
        verdict.ignored.push(Ignored {
            reason: postscript::REASON.into(),
            phrase: format!(
                "het naschrift \"{line}\" alleen {}, de hele tekst {}",
                eval::number(Language::Nl, verdict.score),
                eval::number(Language::Nl, whole.verdict.score)
            ),
        });
        verdict.truncated = whole.verdict.truncated;
        (verdict, alone.learned, alone.webcare)
    }

    /// [`Detector::judge_text`] on the whole text.
    fn judge_whole(
        &self,
        subject: Option<&str>,
        body: &str,
        documents: &[Document],
        organisation: Option<&str>,
        calendar: bool,
    ) -> Judged {
        let Reading {
            text,
            truncated,
            norm,
            language,
            mut signals,
            mut ignored,
            declared,
            elsewhere,
            aimed_elsewhere,
            aimed_at_firm,
            signature,
        } = self.read(subject, body, documents, organisation);
        let lexicon = self.lexicon(language);
        let words = norm.word_count();
        let (mut learned_signal, coverage) = self.learned.read(&text, &norm);
        // A text whose every grievance is aimed at someone else (the notary, the insurer,
        // a previous adviser) tells that story in the words the learned weights count for
        // a complaint: they count `target.learned_factor` of their weight.
        if aimed_elsewhere {
            let factor = lexicon.target.learned_factor;
            if let Some(s) = learned_signal
                .as_mut()
                .filter(|s| s.weight > 0.0 && factor < 1.0)
            {
                let weight = round2(s.weight * factor);
                ignored.push(Ignored {
                    reason: target::REASON.into(),
                    phrase: format!(
                        "woordgebruik {} telt {}: elk verwijt in de tekst is aan een ander gericht",
                        eval::number(Language::Nl, s.weight),
                        eval::number(Language::Nl, weight)
                    ),
                });
                s.weight = weight;
            }
        }
        let long_enough = self.learned.judges(words);
        // A text too short for the learned weights, one of whose words they know too few
        // (another language, a dialect, a table), or a calendar program's answer to an
        // invitation (mostly the program's words: [`calendar_answer`]) is judged by the
        // lexicons alone; what the learned weights would have flagged is doubtful, for
        // directie to look at.
        let known = self.learned.is_empty() || coverage.enough();
        let mut learned = long_enough && known && !calendar;
        // The other way round: a short text whose learned weights alone score
        // [`learned::SHORT_LEARNED_ALONE`] times the threshold is judged with them, as a
        // longer one is (a terse review, irony with no word of blame) — unless it is a
        // reply's note above the quoted history, which is not judged ("Zie hieronder, van
        // mijn man.": the words a note shares with the complaints it passes on say nothing
        // by themselves), or a polite request (`[short] requests`: "Kunt u mij laten weten
        // wanneer de premie wordt afgeschreven?" shares its words with complaints about
        // money taken), or one in which a lexicon's `[[exclude]]` set a phrase aside as its
        // harmless form ("nooit meer gedoe met de polis": the learned weights read "nooit
        // meer" as the grievance it mostly is).
        if !learned
            && !long_enough
            && known
            && !self.learned.is_empty()
            && short_rule_open(lexicon, subject, &norm, calendar, &ignored)
        {
            let mut with_learned = signals.clone();
            self.reweigh(lexicon, &mut with_learned);
            with_learned.extend(learned_signal.clone());
            learned = total(self.scoring(lexicon), &with_learned)
                >= learned::SHORT_LEARNED_ALONE * self.threshold;
        }
        let mut learned_doubt = false;
        // The learned part outside a declared complaint's own words, and the limit it passed.
        let mut declared_doubt: Option<(f64, f64)> = None;
        let mut with_learned_score = None;
        let scoring = if learned {
            self.reweigh(lexicon, &mut signals);
            match (learned_signal, declared) {
                // A complaint made in so many words: its word statistics do not argue it
                // down ([`declare`]); the learned signal keeps its basis, the phrases
                // against are set aside.
                (Some(s), Some(declared)) if s.weight < self.learned.basis() => {
                    let basis = self.learned.basis();
                    let against = self
                        .learned
                        .signal_against(&text, &norm)
                        .map_or(String::new(), |a| a.phrase);
                    ignored.push(Ignored {
                        reason: declare::REASON.into(),
                        phrase: format!(
                            "{against} ({}) tegen \"{}\"",
                            eval::number(Language::Nl, round2(s.weight - basis)),
                            declared.written
                        ),
                    });
                    let limit = declare::AGAINST_DOUBT * self.scoring(lexicon).cap;
                    declared_doubt = self
                        .learned
                        .part_outside(&norm, &declared.own)
                        .filter(|&part| part < -limit)
                        .map(|part| (part, limit));
                    signals.push(Signal {
                        phrase: learned::BASIS.into(),
                        weight: round2(basis),
                        ..s
                    });
                }
                (s, _) => signals.extend(s),
            }
            self.scoring(lexicon)
        } else {
            let mut with_learned = signals.clone();
            self.reweigh(lexicon, &mut with_learned);
            with_learned.extend(learned_signal);
            let would = total(self.scoring(lexicon), &with_learned);
            // Doubtful when the learned weights would flag it; a short text, only when its
            // words lean that way too: on a few words the basis alone reaches the
            // threshold, and "Prima, tot dinsdag." or "Zie bijlage." is no doubt for
            // directie to look at. A longer text of too few known words is doubtful on the
            // basis alone: nobody read it ("Sehr geehrte Damen und Herren, …").
            learned_doubt =
                would >= self.threshold && (long_enough || would > self.learned.basis());
            with_learned_score = Some(would);
            let would = eval::number(Language::Nl, round2(would));
            ignored.push(if long_enough && known {
                Ignored {
                    reason: CALENDAR_REASON.into(),
                    phrase: format!(
                        "antwoord van een agenda op een uitnodiging: woordgebruik telt niet \
                         (score daarmee {would})"
                    ),
                }
            } else if long_enough {
                Ignored {
                    reason: learned::UNKNOWN.into(),
                    phrase: format!(
                        "{} van {} woorden bekend; woordgebruik telt vanaf de helft (score \
                         daarmee {would})",
                        coverage.known, coverage.counted
                    ),
                }
            } else {
                Ignored {
                    reason: learned::SHORT.into(),
                    phrase: format!(
                        "{words} woorden; woordgebruik telt vanaf {} (score daarmee {would})",
                        self.learned.min_words(),
                    ),
                }
            });
            Scoring::of(lexicon)
        };
        let mut score = self.held(total(scoring, &signals), elsewhere);
        // A text the signals flag may still be held just under the threshold, as doubtful
        // for directie to look at: the first hold that applies says why.
        let mut webcare = false;
        let criteria = signals.iter().any(Signal::for_a_criterion);
        let facts = Facts {
            lexicon,
            text: &text,
            norm: &norm,
            signature: &signature,
            organisation,
            words,
            learned,
            long_enough,
            known,
            with_learned: with_learned_score,
            declared_doubt,
            aimed_at_firm,
            criteria,
        };
        if let Some(hold) = self.hold(score, &facts) {
            webcare = hold.webcare;
            ignored.push(hold.why);
            score = round2(self.threshold - 0.01);
            learned_doubt = true;
        }
        let complaint = score >= self.threshold;
        let verdict = Verdict {
            doubt: !complaint && (learned_doubt || (score >= self.doubt_threshold && score > 0.0)),
            complaint,
            score,
            threshold: self.threshold,
            language,
            screened: None,
            signals,
            ignored,
            truncated,
            over_budget_ms: None,
            documents: Vec::new(),
        };
        Judged {
            with_learned: with_learned_score.unwrap_or(verdict.score),
            verdict,
            learned,
            elsewhere,
            webcare,
            text,
        }
    }

    /// Why a text that `score` flags is held just under the threshold, if it is: the first
    /// of the holds below that applies (each is for a score at or over the threshold, and a
    /// held score is under it).
    fn hold(&self, score: f64, facts: &Facts) -> Option<Hold> {
        if score < self.threshold {
            return None;
        }
        let number = |x: f64| eval::number(Language::Nl, round2(x));
        let Facts {
            lexicon,
            text,
            norm,
            signature,
            organisation,
            words,
            learned,
            long_enough,
            known,
            with_learned,
            declared_doubt,
            aimed_at_firm,
            criteria,
        } = *facts;
        // A short text (or one of too few known words) the lexicons alone flag, but the
        // learned weights would not, is doubtful unless the lexicons score well over the
        // threshold ([`learned::SHORT_ALONE`]).
        if let Some(would) = with_learned.filter(|&would| {
            would < self.threshold && score < learned::SHORT_ALONE * self.threshold
        }) {
            return Some(Hold::doubt(
                learned::SHORT_DISAGREE,
                format!(
                    "lexicons alleen {}, met woordgebruik {}: {} telt pas vanaf {}",
                    number(score),
                    number(would),
                    if long_enough && known {
                        "een antwoord van een agenda"
                    } else if long_enough {
                        "een tekst met zo weinig bekende woorden"
                    } else {
                        "een kort bericht"
                    },
                    number(learned::SHORT_ALONE * self.threshold)
                ),
            ));
        }
        // A declared complaint that the learned phrases argue against far is doubtful
        // ([`declare::AGAINST_DOUBT`]).
        if let Some((part, limit)) = declared_doubt {
            return Some(Hold::doubt(
                declare::DOUBT_REASON,
                format!(
                    "score {}: de woorden naast de klacht zelf {} (vanaf {} twijfel), een \
                     verklaarde klacht die niet over dit kantoor lijkt te gaan",
                    number(score),
                    number(part),
                    number(-limit)
                ),
            ));
        }
        // A text just long enough for the learned weights needs more than the threshold
        // ([`Learned::needs`]); under it, it is doubtful.
        let needs = self.learned.needs(words, self.threshold);
        if learned && long_enough && score < needs {
            return Some(Hold::doubt(
                learned::SHORT_BELOW,
                format!(
                    "score {}: {words} woorden; een tekst van {} tot {} woorden telt pas vanaf {}",
                    number(score),
                    self.learned.min_words(),
                    2 * self.learned.min_words(),
                    number(needs)
                ),
            ));
        }
        // A text that tells someone else's dispute in the third person (a ruling's summary,
        // a page about a complaints body: not one word by which the writer speaks of
        // themselves, a word of a body that judges disputes) is no grievance of the
        // writer's: doubtful, not flagged. Only a text of [`REPORT_MIN_WORDS`] words or more
        // ("Zie u bij de rechter." is a threat) that aims no grievance at the firm ("Het
        // kantoor van Dijkstra heeft de opzegging nooit doorgegeven" is a review in the
        // passive voice).
        let third_person = words >= REPORT_MIN_WORDS
            && !aimed_at_firm
            && !lexicon.first_person.is_empty()
            && !holds_phrase(norm, &lexicon.first_person);
        if let Some(body) = lexicon
            .dispute_words
            .iter()
            .filter(|_| third_person)
            .find(|w| holds_phrase(norm, std::slice::from_ref(w)))
        {
            return Some(Hold::doubt(
                REPORT_REASON,
                format!(
                    "score {}: {words} woorden over \"{body}\", geen woord van de \
                     schrijver zelf (ik, mijn, wij): het geschil van een ander",
                    number(score)
                ),
            ));
        }
        // A text the learned weights flag with no signal of the four criteria is doubtful
        // under [`learned::ALONE_NEEDS`] times the threshold: the words a firm's complaints
        // share with its other mail carry it, not a grievance anyone can point at.
        if learned && !criteria && score < learned::ALONE_NEEDS * self.threshold {
            return Some(Hold::doubt(
                learned::ALONE,
                format!(
                    "score {}: alleen woordgebruik, geen signaal van de vier criteria; telt \
                     pas vanaf {}",
                    number(score),
                    number(learned::ALONE_NEEDS * self.threshold)
                ),
            ));
        }
        // A text signed as the firm is its own reply, told back to the customer: doubtful,
        // not flagged, unless it quotes someone at length ([`firm_voice`]).
        let signed = firm_voice::sign_off(text, signature, organisation)
            .filter(|_| !firm_voice::quotes_at_length(text))?;
        Some(Hold {
            webcare: firm_voice::is_webcare(signed),
            ..Hold::doubt(
                firm_voice::REASON,
                format!(
                    "score {}: ondertekend \"{signed}\", een antwoord van het kantoor zelf",
                    number(score)
                ),
            )
        })
    }

    /// The score of a mail addressed to another organisation is held at the doubt
    /// threshold at most: not a complaint to the firm whatever its words, but shown to
    /// directie among the doubtful mails when it scored that high (a misdirected complaint
    /// may still need an answer, and the addressing line may be misread).
    fn held(&self, score: f64, elsewhere: bool) -> f64 {
        if elsewhere {
            score.min(self.doubt_threshold.min(self.threshold - 0.01))
        } else {
            score
        }
    }

    /// The normalised words a mail is judged on (its fresh subject and new text, at most
    /// `max_text_bytes`), those of addresses and links as [`LINK_WORD`]: what `eval
    /// --features` gives a weight fit.
    pub fn judged_words(&self, subject: Option<&str>, body: &str) -> String {
        let (text, _) = self.judged_text(subject, body);
        let norm = normalize::normalize(&text);
        let mut words = String::with_capacity(norm.text().len());
        for (i, word) in norm.words().enumerate() {
            if i > 0 {
                words.push(' ');
            }
            // The learned phrases never read an address or a link: "_" is no phrase word.
            words.push_str(if norm.in_link(i) { LINK_WORD } else { word });
        }
        words
    }

    /// Whether the short-text rule may judge a text shorter than `@min_woorden` with the
    /// learned weights ([`learned::SHORT_LEARNED_ALONE`]) when they score high enough: not a
    /// calendar program's answer, not a reply's note, no polite request of `[short]
    /// requests`, and no phrase a lexicon's `[[exclude]]` set aside (`ignored` holds the
    /// verdict's reasons). For a fit of the learned weights, which models the rule.
    pub fn short_rule_open(
        &self,
        subject: Option<&str>,
        body: &str,
        language: Language,
        calendar: bool,
        ignored: &[Ignored],
    ) -> bool {
        let (text, _) = self.judged_text(subject, body);
        let norm = normalize::normalize(&text);
        short_rule_open(self.lexicon(language), subject, &norm, calendar, ignored)
    }

    /// The text judged: a fresh subject, a blank line and the new text of the body, cut
    /// at `max_text_bytes`.
    fn judged_text(&self, subject: Option<&str>, body: &str) -> (String, Option<Truncated>) {
        self.judged_text_signed(subject, body, &[], None)
    }

    /// [`Detector::judged_text`] with the text of attached `documents` under the new text
    /// (a letter sent as a PDF is the sender's words too), and the signature lines under a
    /// closing line of the new text pushed to `signature` when given.
    fn judged_text_signed<'a>(
        &self,
        subject: Option<&str>,
        body: &'a str,
        documents: &[Document],
        signature: Option<&mut Vec<&'a str>>,
    ) -> (String, Option<Truncated>) {
        let fresh = newtext::or_forwarded(newtext::new_text_signed(body, signature), body, subject);
        // A reply's subject repeats the original's; only a fresh subject is the sender's.
        let subject = subject.filter(|s| !REPLY_PREFIX.is_match(s)).unwrap_or("");
        let mut text = if subject.is_empty() {
            fresh
        } else {
            let mut t = String::with_capacity(subject.len() + 2 + fresh.len());
            t.push_str(subject);
            t.push_str("\n\n");
            t.push_str(&fresh);
            t
        };
        for document in documents.iter().filter(|d| !d.text.is_empty()) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&document.text);
        }
        let truncated = (text.len() > self.max_text_bytes).then(|| {
            let text_bytes = text.len();
            let mut cut = self.max_text_bytes;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            Truncated {
                judged_bytes: text.len(),
                text_bytes,
            }
        });
        (text, truncated)
    }

    /// Dutch or English: a vote of common function words decides, in a short text with few
    /// of them a vote of the polarity lexicons' words; only when it is unclear
    /// (few such words, or a near tie) is the statistical detector asked.
    fn detect_language(&self, text: &str, norm: &normalize::Normalized) -> Language {
        let (mut nl, mut en) = (0usize, 0usize);
        for w in norm.words().take(LANGUAGE_VOTE_WORDS) {
            if is_dutch_word(w) {
                nl += 1;
            } else if is_english_word(w) {
                en += 1;
            }
        }
        // Three words or more decide a vote; two of one language and none of the other
        // decide a short text ("nooit meer Cornelis"), which the statistical detector
        // misreads on so few letters.
        if (nl + en >= 3 && nl != en) || (nl + en == 2 && nl.min(en) == 0) {
            return if en > nl { Language::En } else { Language::Nl };
        }
        // A short text of few function words: words of one language's polarity lexicon and
        // none of the other's decide it ("Slow. Rude. Pricey.", "Wrong advice. Avoid."),
        // which the statistical detector misreads on so few letters.
        if nl + en < 3 {
            let known = |lex: &Lexicon, w: &str| lex.polarity.words.contains_key(w);
            if let Some(language) =
                one_sided_vote(norm, |w| (known(&self.nl, w), known(&self.en, w)))
            {
                return language;
            }
            // Then the words of one lexicon's phrases and none of the other's ("nooit
            // teruggebeld.", "Trage club.", "Beloftes, beloftes"): on two or three words
            // the statistical detector reads Dutch as English as often as not.
            if let Some(language) = one_sided_vote(norm, |w| {
                (self.nl.is_phrase_word(w), self.en.is_phrase_word(w))
            }) {
                return language;
            }
        }
        let mut end = text.len().min(600);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        match self.language.detect_lang(&text[..end]) {
            Some(whatlang::Lang::Eng) => Language::En,
            _ => Language::Nl,
        }
    }
}

/// The language of a short text whose first words include some of one language's list and
/// none of the other's: `lists(word)` says whether a word is on the Dutch and on the English
/// one. A word on both counts for neither.
fn one_sided_vote(
    norm: &normalize::Normalized,
    lists: impl Fn(&str) -> (bool, bool),
) -> Option<Language> {
    let (mut nl, mut en) = (0usize, 0usize);
    for w in norm.words().take(LANGUAGE_VOTE_WORDS) {
        match lists(w) {
            (true, false) => nl += 1,
            (false, true) => en += 1,
            _ => {}
        }
    }
    match (nl, en) {
        (0, 0) => None,
        (_, 0) => Some(Language::Nl),
        (0, _) => Some(Language::En),
        _ => None,
    }
}

/// The firm's own domain a mail was sent from, when a colleague wrote it: its sender is at
/// one of the domains of the service's own addresses, and it is no contact-form mail (whose
/// writer is the customer it names).
///
/// A public mail provider's domain (a firm on `@gmail.com` shares it with its customers) is
/// never a colleague's: `lexicon/free-email-domains/`.
pub fn colleague_domain<'a>(mail: &'a ParsedMail, ctx: &ScreenContext) -> Option<&'a str> {
    let address = &mail.from.as_ref()?.address;
    let (_, domain) = address.rsplit_once('@')?;
    let domain = domain.trim();
    let own = ctx
        .own_domains
        .iter()
        .any(|d| d.eq_ignore_ascii_case(domain));
    (own && !is_public_provider(domain) && contact_form::customer(mail, ctx).is_none())
        .then_some(domain)
}

/// Whether `mail` is a colleague's forward of a customer's mail
/// ([`contact_form::forwarded_customer`]) that passes it on with no or a short note
/// ([`newtext::passed_on`]).
fn passes_customer_on(mail: &ParsedMail, ctx: &ScreenContext) -> bool {
    let body = mail.body_text.as_deref().unwrap_or("");
    contact_form::forwarded_customer(mail, ctx).is_some()
        && newtext::passed_on(&newtext::new_text(body), body, mail.subject.as_deref()).is_some()
}

/// The public mail providers' domains, sorted (built in from
/// `lexicon/free-email-domains/domains.txt`).
static PUBLIC_PROVIDERS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let mut domains: Vec<&str> = include_str!("../../lexicon/free-email-domains/domains.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    domains.sort_unstable();
    domains
});

/// Whether `domain` belongs to a public mail provider (gmail.com, ziggo.nl, …).
pub fn is_public_provider(domain: &str) -> bool {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    PUBLIC_PROVIDERS.binary_search(&domain.as_str()).is_ok()
}

/// Stages of [`Detector::classify`] run alone, for the `classify` benchmark's account of
/// where the time goes (`cargo bench --bench classify`). Not an interface of the service.
#[doc(hidden)]
pub mod stages {
    use super::normalize::Normalized;
    use super::Detector;

    /// The text a mail is judged on: a fresh subject and the new text of its body, cut at
    /// `max_text_bytes`.
    pub fn judged_text(detector: &Detector, subject: Option<&str>, body: &str) -> String {
        detector.judged_text(subject, body).0
    }

    /// The learned signal's weight for `text` (normalised as `norm`), its phrases named as
    /// a verdict names them; `None` without a learned file.
    pub fn learned(detector: &Detector, text: &str, norm: &Normalized) -> Option<f64> {
        detector.learned.read(text, norm).0.map(|s| s.weight)
    }
}

mod score;
use score::*;

/// A text judged: the verdict, whether the learned weights judged it, its score with them
/// (for a text too short for them, what it would have been), whether it is addressed to
/// another organisation, and the text judged.
struct Judged {
    verdict: Verdict,
    learned: bool,
    with_learned: f64,
    elsewhere: bool,
    /// Held as the firm's own reply by a webcare sign-off ([`firm_voice::is_webcare`]).
    webcare: bool,
    text: String,
}

/// What [`Detector::hold`] judges a flagged text by.
#[derive(Clone, Copy)]
struct Facts<'a> {
    lexicon: &'a Lexicon,
    text: &'a str,
    norm: &'a normalize::Normalized,
    /// The signature lines under a closing line of the new text ([`firm_voice`]).
    signature: &'a str,
    organisation: Option<&'a str>,
    /// The text's words.
    words: usize,
    /// Whether the learned weights judged the text.
    learned: bool,
    /// Whether the text is long enough for the learned weights.
    long_enough: bool,
    /// Whether the learned weights know enough of its words.
    known: bool,
    /// For a text judged by the lexicons alone: its score with the learned weights.
    with_learned: Option<f64>,
    /// A declared complaint's learned part outside its own words, and the limit it passed.
    declared_doubt: Option<(f64, f64)>,
    /// Whether a grievance in the text is aimed at the firm.
    aimed_at_firm: bool,
    /// Whether a signal of one of the four criteria of section 3.1 ([`CRITERIA`]) adds
    /// to the score.
    criteria: bool,
}

/// Why a flagged text is held just under the threshold, as a set-aside match, and whether
/// a webcare sign-off held it as the firm's own reply.
struct Hold {
    why: Ignored,
    webcare: bool,
}

impl Hold {
    fn doubt(reason: &str, phrase: String) -> Hold {
        Hold {
            why: Ignored {
                reason: reason.into(),
                phrase,
            },
            webcare: false,
        }
    }
}

/// What [`Detector::read`] finds in a text, before the learned weights.
struct Reading {
    text: String,
    truncated: Option<Truncated>,
    norm: normalize::Normalized,
    language: Language,
    signals: Vec<Signal>,
    ignored: Vec<Ignored>,
    declared: Option<declare::Declared>,
    elsewhere: bool,
    /// Whether every grievance in the text is aimed at a third party
    /// ([`score::Scored::aimed_elsewhere`]).
    aimed_elsewhere: bool,
    /// Whether a grievance in the text is aimed at the firm ([`score::Scored::aimed_at_firm`]).
    aimed_at_firm: bool,
    /// The signature lines under a closing line of the new text ([`firm_voice`]).
    signature: String,
}

/// [`Detector::short_rule_open`] on the normalised text judged.
fn short_rule_open(
    lexicon: &Lexicon,
    subject: Option<&str>,
    norm: &normalize::Normalized,
    calendar: bool,
    ignored: &[Ignored],
) -> bool {
    !calendar
        && !subject.is_some_and(|s| REPLY_PREFIX.is_match(s))
        && !holds_phrase(norm, &lexicon.short_requests)
        && !ignored
            .iter()
            .any(|i| lexicon.exclude_reasons.contains(&i.reason))
}

/// Whether normalised text holds one of `phrases` (normalised) as whole words.
fn holds_phrase(norm: &normalize::Normalized, phrases: &[String]) -> bool {
    // The words with a space in front: a phrase starts a word where a space precedes it.
    let spaced = norm.spaced();
    phrases.iter().filter(|p| !p.is_empty()).any(|p| {
        spaced.match_indices(p.as_str()).any(|(at, _)| {
            spaced[..at].ends_with(' ')
                && matches!(spaced.as_bytes().get(at + p.len()), None | Some(b' '))
        })
    })
}

#[cfg(test)]
mod tests;
