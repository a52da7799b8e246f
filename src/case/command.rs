//! Directie's reply commands (DESIGN.md, "Directie replies"): the command is the first
//! non-empty line of the new text (quoted history already removed by the caller); the
//! lines after it are its argument, or further attribute commands.

use super::{Category, Oral, Outcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `KLACHT`, `BEVESTIG`, `JA`, `CONFIRM`.
    Confirm,
    /// `GEEN KLACHT`, `NEE`, `NO`.
    Reject,
    /// `CATEGORIE <advies|informatie|termijn|bejegening|overig>`.
    Category(Category),
    /// `MEDEWERKER <naam>`.
    Employee(String),
    /// `NOTITIE <tekst>`.
    Note(String),
    /// `STANDPUNT` followed by the reasoned position.
    Position(String),
    /// `AFGEHANDELD telefonisch|persoonlijk <samenvatting>`.
    HandledOrally { how: Oral, summary: String },
    /// `SLUIT`.
    Close,
    /// `UITKOMST <gegrond|deels gegrond|ongegrond>`.
    Outcome(Outcome),
    /// `MAATREGEL <tekst>`: a measure taken after this complaint.
    Measure(String),
    /// `VERLENG <datum> <reden>`: the position deadline moves to `until`.
    Extend {
        until: chrono::NaiveDate,
        reason: String,
    },
    /// `VERSTUUR`: send the draft position letter as it was shown (with
    /// `directie.review_position`).
    Send,
    /// `VERSTUURD PER POST`: the printed letter (for a complainant without e-mail) is in the
    /// post.
    Posted,
    /// `KLACHT <nummer>` on the digest: the doubtful mail `message` becomes a case. The
    /// number is the register id and a token for the directie address it was listed to.
    Promote { message: i64, token: String },
}

impl Command {
    pub fn word(&self) -> &'static str {
        match self {
            Command::Confirm => "KLACHT",
            Command::Reject => "GEEN KLACHT",
            Command::Category(_) => "CATEGORIE",
            Command::Employee(_) => "MEDEWERKER",
            Command::Note(_) => "NOTITIE",
            Command::Position(_) => "STANDPUNT",
            Command::HandledOrally { .. } => "AFGEHANDELD",
            Command::Close => "SLUIT",
            Command::Extend { .. } => "VERLENG",
            Command::Outcome(_) => "UITKOMST",
            Command::Measure(_) => "MAATREGEL",
            Command::Send => "VERSTUUR",
            Command::Posted => "VERSTUURD PER POST",
            Command::Promote { .. } => "KLACHT <nummer>",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("het antwoord heeft geen tekst boven de geciteerde melding")]
    Empty,
    #[error("de eerste regel ({0:?}) is geen opdracht")]
    Unknown(String),
    #[error("{0} heeft {1} nodig")]
    MissingArgument(&'static str, &'static str),
    #[error("{0:?} is geen categorie (advies, informatie, termijn, bejegening, overig)")]
    BadCategory(String),
    #[error("{0:?} is geen uitkomst (gegrond, deels gegrond, ongegrond)")]
    BadOutcome(String),
    #[error("AFGEHANDELD heeft telefonisch of persoonlijk nodig, en dan een samenvatting, bijvoorbeeld \"AFGEHANDELD telefonisch klant akkoord met excuses\"")]
    BadOral,
    #[error("VERLENG heeft een datum nodig (2026-12-28 of 28-12-2026) en dan de reden, bijvoorbeeld \"VERLENG 28-12-2026 wij wachten op stukken van de verzekeraar\"")]
    BadExtension,
}

/// Longest texts kept from a reply: a position letter, and a note or name.
const MAX_TEXT: usize = 20_000;
const MAX_WORD: usize = 200;

/// The commands in a reply's new text: the main command first, then any attribute
/// commands (`CATEGORIE`, `MEDEWERKER`, `UITKOMST`, `NOTITIE`, `MAATREGEL`) on the
/// following lines, in order.
///
/// - A first line that starts with a decision and goes on ("Geen klacht, ik bel hem zelf",
///   "Klacht: graag snel") is that decision; the rest of the line is a note. `JA`, `NEE`
///   and `NO` are decisions only as the whole line ("Nee, dit is wel een klacht" is not).
/// - A text (a position, a note, a measure, a reason) ends at a line `--`, at a closing
///   line ("Met vriendelijke groet", "Groet, Jan"), or at a line that is an attribute
///   command; inside a position text a free-text command (`NOTITIE`, `MAATREGEL`,
///   `MEDEWERKER`) must be written in capitals or followed by a colon, so an ordinary
///   sentence such as "Medewerker Jansen heeft u gebeld" stays in the letter.
pub fn parse_reply(new_text: &str) -> Result<Vec<Command>, CommandError> {
    let lines: Vec<&str> = new_text.lines().collect();
    let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return Err(CommandError::Empty);
    };
    let rest = &lines[first + 1..];
    let mut commands = Vec::new();
    let mut i = match parse_line(lines[first], rest)? {
        Some((main, taken)) => {
            commands.push(main);
            taken
        }
        None => {
            let (decision, note) = decision_with_text(lines[first]).ok_or_else(|| {
                CommandError::Unknown(crate::parse::clean(lines[first].trim(), 80))
            })?;
            commands.push(decision);
            commands.push(Command::Note(note));
            0
        }
    };
    while i < rest.len() {
        if ends_text(rest[i]) {
            break;
        }
        match parse_line(rest[i], &rest[i + 1..]) {
            Ok(Some((
                c @ (Command::Category(_)
                | Command::Employee(_)
                | Command::Outcome(_)
                | Command::Note(_)
                | Command::Measure(_)
                | Command::Promote { .. }),
                taken,
            ))) => {
                commands.push(c);
                i += taken;
            }
            Err(e @ (CommandError::BadCategory(_) | CommandError::BadOutcome(_))) => return Err(e),
            _ => {}
        }
        i += 1;
    }
    Ok(commands)
}

/// A line that ends a text and every command after it: `--` (a signature separator) or
/// a closing ("Met vriendelijke groet", "Groet, Jan", "Mvg Jan", "Kind regards").
fn ends_text(line: &str) -> bool {
    let t = line.trim();
    if t == "--" || t == "-- " {
        return true;
    }
    if t.chars().count() > 60 {
        return false;
    }
    let l = t.to_lowercase();
    let l = l.trim_start_matches(['-', ' ']);
    const CLOSINGS: &[&str] = &[
        "met vriendelijke groet",
        "met hartelijke groet",
        "met een vriendelijke groet",
        "vriendelijke groet",
        "hartelijke groet",
        "beste groet",
        "groeten",
        "groetjes",
        "groet",
        "mvg",
        "m.v.g",
        "hoogachtend",
        "kind regards",
        "best regards",
        "regards",
        "sincerely",
        "yours sincerely",
    ];
    // The closing alone, with punctuation, or followed by a short name ("Groet Jan").
    let original = t.trim_start_matches(['-', ' ']);
    CLOSINGS.iter().any(|c| {
        l.strip_prefix(c).is_some_and(|after| {
            let name = original.get(c.len()..).unwrap_or("").trim();
            after.is_empty()
                || after.starts_with([',', '.', '!'])
                || (after.starts_with(' ')
                    && name.split_whitespace().count() <= 4
                    && name.starts_with(char::is_uppercase))
        })
    })
}

/// A line that ends a position text: an attribute command (free-text ones in capitals or
/// with a colon), or the end of the text.
fn ends_position(line: &str) -> bool {
    if ends_text(line) {
        return true;
    }
    let t = line.trim();
    let word = t.split(char::is_whitespace).next().unwrap_or("");
    let shouted = word.chars().any(char::is_alphabetic) && word.chars().all(|c| !c.is_lowercase())
        || word.ends_with(':');
    match parse_line(line, &[]) {
        Ok(Some((Command::Category(_) | Command::Outcome(_), _))) => true,
        Ok(Some((Command::Note(_) | Command::Measure(_) | Command::Employee(_), _))) => shouted,
        Err(CommandError::MissingArgument("NOTITIE" | "MAATREGEL", _)) => shouted,
        _ => false,
    }
}

/// The lines of `after` that belong to a text starting on the command's own line: up to a
/// line for which `stop` holds. Returns the text (line breaks kept, at most `MAX_TEXT`
/// characters) and how many lines of `after` it took.
fn text_until(arg: &str, after: &[&str], stop: fn(&str) -> bool) -> (String, usize) {
    let mut text = String::new();
    if !arg.is_empty() {
        text.push_str(arg);
    }
    let mut taken = 0;
    for l in after {
        if stop(l) {
            break;
        }
        taken += 1;
        if !text.is_empty() || !l.trim().is_empty() {
            text.push('\n');
            text.push_str(l.trim_end());
        }
    }
    let text: String = text.trim().chars().take(MAX_TEXT).collect();
    (text, taken)
}

/// A text ends at a closing, `--`, or the next attribute command.
fn ends_note(line: &str) -> bool {
    ends_position(line)
}

/// "Geen klacht, ik bel hem zelf" / "Klacht: graag snel": a decision word with text after
/// it on the first line. Not for `JA`/`NEE` (ordinary answers start with them), nor when a
/// number follows (`KLACHT 17` is a malformed digest line, not a confirmation).
fn decision_with_text(line: &str) -> Option<(Command, String)> {
    const FORMS: &[(&[&str], Command)] = &[
        (&["geen", "klacht"], Command::Reject),
        (&["not", "a", "complaint"], Command::Reject),
        (&["bevestigen"], Command::Confirm),
        (&["bevestig"], Command::Confirm),
        (&["klacht"], Command::Confirm),
        (&["confirm"], Command::Confirm),
    ];
    'forms: for (words, command) in FORMS {
        let mut rest = line.trim_start();
        for (i, w) in words.iter().enumerate() {
            let end = rest
                .find(|c: char| !c.is_alphanumeric())
                .unwrap_or(rest.len());
            if !rest[..end].eq_ignore_ascii_case(w) {
                continue 'forms;
            }
            rest = &rest[end..];
            if i + 1 < words.len() {
                let t = rest.trim_start();
                if t.len() == rest.len() {
                    continue 'forms;
                }
                rest = t;
            }
        }
        let note = rest
            .trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ',' | ':' | ';' | '.' | '-' | '–' | '!')
            })
            .trim();
        if note.is_empty() || note.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        return Some((command.clone(), crate::parse::clean(note, MAX_WORD * 10)));
    }
    None
}

/// `KLACHT 17-3f9a2c81d0e4` (or `BEVESTIG`, `JA`, `CONFIRM`): a doubtful mail from the
/// digest, by its number. `bare` is the line in upper case with single spaces.
fn promote(bare: &str) -> Option<Command> {
    let (word, number) = bare.split_once(' ')?;
    if !matches!(
        word,
        "KLACHT" | "BEVESTIG" | "BEVESTIGEN" | "JA" | "CONFIRM"
    ) {
        return None;
    }
    let (id, token) = number.split_once('-')?;
    let message = id.parse::<i64>().ok().filter(|m| *m > 0)?;
    (token.len() == 12 && token.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Command::Promote {
        message,
        token: token.to_ascii_lowercase(),
    })
}

/// One line as a command. Returns the command and how many of the lines after it
/// (`after`) it took as its text.
fn parse_line(line: &str, after: &[&str]) -> Result<Option<(Command, usize)>, CommandError> {
    let t = line.trim();
    let bare = t
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_uppercase();
    let bare = bare.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(promote) = promote(&bare) {
        return Ok(Some((promote, 0)));
    }
    // Decisions are the whole line here; see `decision_with_text` for a decision with a note.
    match bare.as_str() {
        "KLACHT" | "BEVESTIG" | "BEVESTIGEN" | "JA" | "CONFIRM" => {
            return Ok(Some((Command::Confirm, 0)))
        }
        "GEEN KLACHT" | "NEE" | "NO" | "NOT A COMPLAINT" => return Ok(Some((Command::Reject, 0))),
        "SLUIT" | "SLUITEN" | "CLOSE" => return Ok(Some((Command::Close, 0))),
        "VERSTUUR" | "VERSTUREN" | "SEND" => return Ok(Some((Command::Send, 0))),
        "VERSTUURD PER POST" | "PER POST VERSTUURD" | "POSTED" => {
            return Ok(Some((Command::Posted, 0)))
        }
        _ => {}
    }
    let (word, arg) = match t.split_once(char::is_whitespace) {
        Some((w, a)) => (w, a.trim()),
        None => (t, ""),
    };
    let word = word.trim_end_matches([':', '.', ',']).to_uppercase();
    let one_line = |what: &'static str, name: &'static str| {
        let a = crate::parse::clean(arg, MAX_WORD);
        if a.is_empty() {
            Err(CommandError::MissingArgument(name, what))
        } else {
            Ok(a)
        }
    };
    let cmd = match word.as_str() {
        "CATEGORIE" | "CATEGORY" => {
            let a = one_line("een categorie", "CATEGORIE")?;
            let c = Category::parse(&a).ok_or(CommandError::BadCategory(a))?;
            (Command::Category(c), 0)
        }
        "UITKOMST" | "OUTCOME" => {
            let a = one_line("een uitkomst", "UITKOMST")?;
            let o = Outcome::parse(&a).ok_or(CommandError::BadOutcome(a))?;
            (Command::Outcome(o), 0)
        }
        "MAATREGEL" | "MEASURE" => {
            let (text, taken) = text_until(arg, after, ends_note);
            if text.is_empty() {
                return Err(CommandError::MissingArgument("MAATREGEL", "een tekst"));
            }
            (
                Command::Measure(crate::parse::clean(&text.replace('\n', " "), 2000)),
                taken,
            )
        }
        "MEDEWERKER" | "EMPLOYEE" => (Command::Employee(one_line("een naam", "MEDEWERKER")?), 0),
        "NOTITIE" | "NOTE" => {
            let (text, taken) = text_until(arg, after, ends_note);
            if text.is_empty() {
                return Err(CommandError::MissingArgument("NOTITIE", "een tekst"));
            }
            (Command::Note(text), taken)
        }
        "STANDPUNT" | "POSITION" => {
            let (text, taken) = text_until(arg, after, ends_position);
            if text.is_empty() {
                return Err(CommandError::MissingArgument(
                    "STANDPUNT",
                    "het gemotiveerde standpunt op de regels eronder",
                ));
            }
            (Command::Position(text), taken)
        }
        "AFGEHANDELD" | "HANDLED" => {
            let (how, summary) = match arg.split_once(char::is_whitespace) {
                Some((h, s)) => (h, s),
                None => (arg, ""),
            };
            let how = match how.trim_end_matches([':', ',']).to_lowercase().as_str() {
                "telefonisch" | "phone" | "telephone" | "by-phone" => Oral::Telefonisch,
                "persoonlijk" | "in-person" | "person" | "personally" => Oral::Persoonlijk,
                _ => return Err(CommandError::BadOral),
            };
            let (summary, taken) = text_until(summary.trim(), after, ends_note);
            if summary.is_empty() {
                return Err(CommandError::BadOral);
            }
            (Command::HandledOrally { how, summary }, taken)
        }
        "VERLENG" | "VERLENGEN" | "EXTEND" => {
            let (date, reason) = match arg.split_once(char::is_whitespace) {
                Some((d, r)) => (d, r),
                None => (arg, ""),
            };
            let until = parse_date(date.trim_end_matches([':', ',', '.']))
                .ok_or(CommandError::BadExtension)?;
            let (reason, taken) = text_until(reason.trim(), after, ends_note);
            let reason = crate::parse::clean(&reason, 2000);
            if reason.is_empty() {
                return Err(CommandError::BadExtension);
            }
            (Command::Extend { until, reason }, taken)
        }
        _ => return Ok(None),
    };
    Ok(Some(cmd))
}

/// A date as directie writes it: 2026-12-28, 28-12-2026 or 28/12/2026.
fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| chrono::NaiveDate::parse_from_str(s, f).ok())
}

#[cfg(test)]
mod tests;
