//! A complaint in a postscript: a routine request with, under the greeting, "P.S. Vorig jaar
//! moesten we zes weken en drie mails wachten op dezelfde overzichten." Judged with the rest
//! of the mail, the grievance is a line among many routine words, and the learned word
//! statistics, which weigh the whole text, argue it down. So when the whole text is not a
//! complaint, a postscript is judged on its own as well: a grievance that stands on its own
//! there flags the mail, explained by the postscript's signals.
//!
//! A postscript is the text from a line that opens with "P.S.", "PS", "PPS" or "N.B." to
//! the end, when the new text has something before it and the postscript a word after its
//! marker.

use std::sync::LazyLock;

use regex::Regex;

/// The reason, in a verdict's ignored matches, that the postscript decided.
pub const REASON: &str = "naschrift";

/// The marker opening a postscript line, then a separator or a space, then text or the end
/// of the line (the postscript may start on the next).
const OPENING: &str =
    r"(?:p\.?[ ]?p\.?[ ]?s|p\.[ ]?s|ps|n\.[ ]?b|nb)\b\.?(?:[ \t]*[:\-–])?[ \t]*(?:[^\s.:\-–]|\r?$)";

/// A line opening a postscript, anywhere in a text.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?im)^[ \t]*{OPENING}")).expect("valid postscript pattern")
});

/// Whether `line` (one line, no line break in it) opens a postscript ("P.S. …", "PS …",
/// "N.B. …"); the regex runs only on lines that start with a marker's first letter.
pub(super) fn opens(line: &str) -> bool {
    matches!(
        line.trim_start().as_bytes().first(),
        Some(b'p' | b'P' | b'n' | b'N')
    ) && MARKER.is_match(line)
}

/// The postscript of a text (its new text, quoted history already dropped): from the
/// first marker line that has text before it, to the end. Line by line, so that the
/// pattern runs only on the few lines [`opens`] lets through.
pub(super) fn find(text: &str) -> Option<&str> {
    text.split_inclusive('\n')
        .scan(0, |start, line| {
            let at = *start;
            *start += line.len();
            Some((at, line.strip_suffix('\n').unwrap_or(line)))
        })
        .filter(|&(_, line)| opens(line))
        .map(|(start, _)| start)
        .filter(|&start| !text[..start].trim().is_empty())
        .map(|start| text[start..].trim())
        // The marker and at least one word of text.
        .find(|ps| ps.split_whitespace().nth(1).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postscript_runs_from_its_marker_line_to_the_end() {
        let text = "Kunt u de jaaropgave sturen?\n\nGroet,\nCarla\n\nPS Vorig jaar duurde het zes weken.\nHopelijk nu sneller.";
        assert_eq!(
            find(text),
            Some("PS Vorig jaar duurde het zes weken.\nHopelijk nu sneller.")
        );
        // The postscript may start on the line under its marker.
        assert_eq!(
            find("Vraag.\n\nP.S.\nde factuur klopt niet"),
            Some("P.S.\nde factuur klopt niet")
        );
        assert!(opens("P.S.") && opens("  ps: nog iets") && !opens("PSV") && !opens("Psalm 23"));
        for marker in [
            "P.S.", "P.S:", "p.s.", "PS:", "P.P.S.", "PPS", "N.B.", "NB:", "Ps.",
        ] {
            let text = format!("Vraag.\n\n{marker} de factuur is twee keer afgeschreven");
            assert!(
                find(&text).is_some_and(|p| p.starts_with(marker)),
                "{marker}"
            );
        }
    }

    #[test]
    fn no_postscript_without_a_marker_line_text_before_it_or_text_after_the_marker() {
        // The marker must open a line and be a word of its own.
        for text in [
            "Ik heb een vraag over de PS4 in mijn inboedel.\nGroet",
            "De PSV-wedstrijd was leuk.",
            "Graag een afspraak.\nPSV speelt vanavond.",
            "Graag een afspraak.\nNbsp staat in de html.",
            // Nothing before it: the whole text is the postscript, already judged.
            "P.S. de factuur klopt niet.",
            // The marker alone, nothing after it.
            "Graag een afspraak.\n\nP.S.\n",
        ] {
            assert_eq!(find(text), None, "{text}");
        }
        assert_eq!(find("Beste Jan,\nTot morgen."), None);
    }
}
