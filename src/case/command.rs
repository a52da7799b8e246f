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
            Command::Promote { .. } => "KLACHT <nummer>",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("the reply has no text above the quoted notification")]
    Empty,
    #[error("the first line ({0:?}) is not a command")]
    Unknown(String),
    #[error("{0} needs {1}")]
    MissingArgument(&'static str, &'static str),
    #[error("{0:?} is not a category (advies, informatie, termijn, bejegening, overig)")]
    BadCategory(String),
    #[error("{0:?} is not an outcome (gegrond, deels gegrond, ongegrond)")]
    BadOutcome(String),
    #[error("AFGEHANDELD needs telefonisch or persoonlijk, then a summary")]
    BadOral,
    #[error("VERLENG needs a date (2026-12-28 or 28-12-2026) and then the reason, e.g. \"VERLENG 28-12-2026 wij wachten op stukken van de verzekeraar\"")]
    BadExtension,
}

/// Longest texts kept from a reply: a position letter, and a note or name.
const MAX_TEXT: usize = 20_000;
const MAX_WORD: usize = 200;

/// The commands in a reply's new text: the main command first, then any attribute
/// commands (`CATEGORIE`, `MEDEWERKER`, `UITKOMST`, `NOTITIE`, `MAATREGEL`) on the
/// following lines.
pub fn parse_reply(new_text: &str) -> Result<Vec<Command>, CommandError> {
    let lines: Vec<&str> = new_text.lines().collect();
    let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return Err(CommandError::Empty);
    };
    let rest = &lines[first + 1..];
    let (main, takes_rest) = parse_line(lines[first], rest)?
        .ok_or_else(|| CommandError::Unknown(crate::parse::clean(lines[first].trim(), 80)))?;
    let mut commands = vec![main];
    if !takes_rest {
        for (i, line) in rest.iter().enumerate() {
            match parse_line(line, &rest[i + 1..]) {
                Ok(Some((
                    c @ (Command::Category(_)
                    | Command::Employee(_)
                    | Command::Outcome(_)
                    | Command::Note(_)
                    | Command::Measure(_)
                    | Command::Promote { .. }),
                    takes_rest,
                ))) => {
                    commands.push(c);
                    if takes_rest {
                        // A note or measure takes the lines after it.
                        break;
                    }
                }
                Err(e @ (CommandError::BadCategory(_) | CommandError::BadOutcome(_))) => {
                    return Err(e)
                }
                _ => {}
            }
        }
    }
    Ok(commands)
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

/// One line as a command. Returns the command and whether it consumed the lines after it.
fn parse_line(line: &str, after: &[&str]) -> Result<Option<(Command, bool)>, CommandError> {
    let t = line.trim();
    let bare = t
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_uppercase();
    let bare = bare.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(promote) = promote(&bare) {
        return Ok(Some((promote, false)));
    }
    // Decisions are the whole line: "Nee, dit is wel een klacht" is not `NEE`.
    match bare.as_str() {
        "KLACHT" | "BEVESTIG" | "BEVESTIGEN" | "JA" | "CONFIRM" => {
            return Ok(Some((Command::Confirm, false)))
        }
        "GEEN KLACHT" | "NEE" | "NO" | "NOT A COMPLAINT" => {
            return Ok(Some((Command::Reject, false)))
        }
        "SLUIT" | "SLUITEN" | "CLOSE" => return Ok(Some((Command::Close, false))),
        _ => {}
    }
    let (word, arg) = match t.split_once(char::is_whitespace) {
        Some((w, a)) => (w, a.trim()),
        None => (t, ""),
    };
    let word = word.trim_end_matches([':', '.', ',']).to_uppercase();
    let following = || {
        let mut text = String::new();
        if !arg.is_empty() {
            text.push_str(arg);
        }
        for l in after {
            if !text.is_empty() || !l.trim().is_empty() {
                text.push('\n');
                text.push_str(l.trim_end());
            }
        }
        let text = text.trim().to_string();
        text.chars().take(MAX_TEXT).collect::<String>()
    };
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
            let a = one_line("a category", "CATEGORIE")?;
            let c = Category::parse(&a).ok_or(CommandError::BadCategory(a))?;
            (Command::Category(c), false)
        }
        "UITKOMST" | "OUTCOME" => {
            let a = one_line("an outcome", "UITKOMST")?;
            let o = Outcome::parse(&a).ok_or(CommandError::BadOutcome(a))?;
            (Command::Outcome(o), false)
        }
        "MAATREGEL" | "MEASURE" => {
            let text = following();
            if text.is_empty() {
                return Err(CommandError::MissingArgument("MAATREGEL", "a text"));
            }
            (
                Command::Measure(crate::parse::clean(&text.replace('\n', " "), 2000)),
                true,
            )
        }
        "MEDEWERKER" | "EMPLOYEE" => (Command::Employee(one_line("a name", "MEDEWERKER")?), false),
        "NOTITIE" | "NOTE" => {
            let text = following();
            if text.is_empty() {
                return Err(CommandError::MissingArgument("NOTITIE", "a text"));
            }
            (Command::Note(text), true)
        }
        "STANDPUNT" | "POSITION" => {
            let text = following();
            if text.is_empty() {
                return Err(CommandError::MissingArgument(
                    "STANDPUNT",
                    "the reasoned position on the lines after it",
                ));
            }
            (Command::Position(text), true)
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
            let mut summary = summary.trim().to_string();
            for l in after {
                if !summary.is_empty() || !l.trim().is_empty() {
                    summary.push('\n');
                    summary.push_str(l.trim_end());
                }
            }
            let summary: String = summary.trim().chars().take(MAX_TEXT).collect();
            if summary.is_empty() {
                return Err(CommandError::BadOral);
            }
            (Command::HandledOrally { how, summary }, true)
        }
        "VERLENG" | "VERLENGEN" | "EXTEND" => {
            let (date, reason) = match arg.split_once(char::is_whitespace) {
                Some((d, r)) => (d, r),
                None => (arg, ""),
            };
            let until = parse_date(date.trim_end_matches([':', ',', '.']))
                .ok_or(CommandError::BadExtension)?;
            let mut reason = reason.trim().to_string();
            for l in after {
                if !reason.is_empty() || !l.trim().is_empty() {
                    reason.push('\n');
                    reason.push_str(l.trim_end());
                }
            }
            let reason = crate::parse::clean(reason.trim(), 2000);
            if reason.is_empty() {
                return Err(CommandError::BadExtension);
            }
            (Command::Extend { until, reason }, true)
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
mod tests {
    use super::*;

    #[test]
    fn extension_takes_a_date_and_a_reason() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 28).unwrap();
        for text in [
            "VERLENG 2026-12-28 wachten op de verzekeraar",
            "verleng 28-12-2026 wachten op de verzekeraar",
            "Verleng: 28/12/2026\nwachten op de verzekeraar",
        ] {
            assert_eq!(
                parse_reply(text).unwrap(),
                vec![Command::Extend {
                    until: d,
                    reason: "wachten op de verzekeraar".into()
                }],
                "{text}"
            );
        }
        for bad in [
            "VERLENG",
            "VERLENG 2026-12-28",
            "VERLENG volgende week omdat",
            "VERLENG 31-02-2026 x",
        ] {
            assert_eq!(parse_reply(bad), Err(CommandError::BadExtension), "{bad}");
        }
    }

    #[test]
    fn decisions_in_dutch_and_english() {
        for (text, want) in [
            ("KLACHT", Command::Confirm),
            ("klacht.", Command::Confirm),
            ("\n\n  Bevestig\n", Command::Confirm),
            ("Ja", Command::Confirm),
            ("confirm", Command::Confirm),
            ("GEEN KLACHT", Command::Reject),
            ("Geen  klacht!", Command::Reject),
            ("nee", Command::Reject),
            ("NO", Command::Reject),
            ("sluit", Command::Close),
        ] {
            assert_eq!(parse_reply(text).unwrap()[0], want, "{text:?}");
        }
    }

    #[test]
    fn a_decision_must_be_the_whole_line() {
        assert!(matches!(
            parse_reply("Nee, dit is wel degelijk een klacht"),
            Err(CommandError::Unknown(_))
        ));
        assert!(matches!(
            parse_reply("Klachtje? Weet ik niet"),
            Err(CommandError::Unknown(_))
        ));
        assert_eq!(parse_reply("   \n \n"), Err(CommandError::Empty));
    }

    #[test]
    fn arguments_and_further_lines() {
        let c = parse_reply("KLACHT\nCATEGORIE bejegening\nMEDEWERKER Jan de Vries\nverder niets")
            .unwrap();
        assert_eq!(
            c,
            vec![
                Command::Confirm,
                Command::Category(Category::Bejegening),
                Command::Employee("Jan de Vries".into()),
            ]
        );
        assert_eq!(
            parse_reply("categorie foo"),
            Err(CommandError::BadCategory("foo".into()))
        );
        assert!(matches!(
            parse_reply("MEDEWERKER"),
            Err(CommandError::MissingArgument("MEDEWERKER", _))
        ));
        let c = parse_reply("NOTITIE: klant teruggebeld\nvolgt schriftelijk").unwrap();
        assert_eq!(
            c,
            vec![Command::Note(
                "klant teruggebeld\nvolgt schriftelijk".into()
            )]
        );
    }

    #[test]
    fn outcome_and_measure() {
        assert_eq!(
            parse_reply("UITKOMST deels gegrond\nMAATREGEL Adviesgesprekken\nvoortaan vastleggen")
                .unwrap(),
            vec![
                Command::Outcome(Outcome::DeelsGegrond),
                Command::Measure("Adviesgesprekken voortaan vastleggen".into())
            ]
        );
        assert_eq!(
            parse_reply("SLUIT\nuitkomst: ongegrond").unwrap(),
            vec![Command::Close, Command::Outcome(Outcome::Ongegrond)]
        );
        assert_eq!(
            parse_reply("UITKOMST misschien"),
            Err(CommandError::BadOutcome("misschien".into()))
        );
        assert_eq!(
            parse_reply("KLACHT\nUITKOMST ja"),
            Err(CommandError::BadOutcome("ja".into()))
        );
        assert_eq!(
            parse_reply("MAATREGEL"),
            Err(CommandError::MissingArgument("MAATREGEL", "a text"))
        );
    }

    #[test]
    fn position_takes_the_text_below() {
        let c = parse_reply(
            "STANDPUNT\n\nWij hebben uw klacht onderzocht.\nU krijgt de kosten terug.\n",
        )
        .unwrap();
        assert_eq!(
            c,
            vec![Command::Position(
                "Wij hebben uw klacht onderzocht.\nU krijgt de kosten terug.".into()
            )]
        );
        assert!(matches!(
            parse_reply("STANDPUNT\n\n"),
            Err(CommandError::MissingArgument("STANDPUNT", _))
        ));
        let c = parse_reply("Afgehandeld telefonisch klant akkoord met excuses").unwrap();
        assert_eq!(
            c,
            vec![Command::HandledOrally {
                how: Oral::Telefonisch,
                summary: "klant akkoord met excuses".into()
            }]
        );
        assert_eq!(
            parse_reply("AFGEHANDELD per post"),
            Err(CommandError::BadOral)
        );
        assert_eq!(
            parse_reply("AFGEHANDELD persoonlijk"),
            Err(CommandError::BadOral)
        );
    }

    #[test]
    fn klacht_with_a_digest_number_promotes_a_doubtful_mail() {
        assert_eq!(
            parse_reply("Klacht 17-3F9A2C81D0E4\nKLACHT 20-000000abcdef\n\nGroet, Henk").unwrap(),
            vec![
                Command::Promote {
                    message: 17,
                    token: "3f9a2c81d0e4".into()
                },
                Command::Promote {
                    message: 20,
                    token: "000000abcdef".into()
                }
            ]
        );
        // Without a valid number it is no promotion (and "KLACHT 17" alone is not a command).
        assert_eq!(parse_reply("KLACHT").unwrap(), vec![Command::Confirm]);
        assert!(parse_reply("KLACHT 17").is_err());
        assert!(parse_reply("KLACHT 17-xyz").is_err());
    }
}
