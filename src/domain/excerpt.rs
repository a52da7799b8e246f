//! What "Uw klacht gaat over" quotes: the first sentences of the complainant's new text,
//! without their salutation (and the signature, which the new text already leaves out).

/// At most this many characters are quoted.
pub const EXCERPT_CHARS: usize = 320;

/// Words a salutation line starts with; such a line ("Geachte heer De Vries,", "Hallo,")
/// is not part of what the complaint is about.
const SALUTATIONS: &[&str] = &[
    "geachte",
    "beste",
    "hallo",
    "hoi",
    "hi",
    "hey",
    "goedemorgen",
    "goedemiddag",
    "goedenavond",
    "goedendag",
    "dag",
    "l.s.",
    "ls",
    "dear",
    "hello",
    "to whom it may concern",
    "aan",
];

/// Fewer words than this above an attached document: the mail is a covering note
/// ("Bijgaand treft u mijn brief aan."), and the document says what the complaint is about.
const COVERING_NOTE_WORDS: usize = 30;

/// The line that puts an attached document's text under the mail's own in a case's
/// summary.
pub fn document_heading(name: &str) -> String {
    format!("--- bijlage {name} ---")
}

fn is_document_heading(line: &str) -> bool {
    let line = line.trim();
    line.starts_with("--- bijlage ") && line.ends_with(" ---")
}

/// What [`excerpt`] quotes of a summary: the mail's own text, or, when that is only a
/// covering note, the first attached document from its salutation on (a letter opens
/// with addresses and a date) and whether it is that document.
fn quoted_part(text: &str) -> (&str, bool) {
    let mut offset = 0;
    let mut heading = None;
    for line in text.split_inclusive('\n') {
        if is_document_heading(line) {
            heading = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((start, end)) = heading else {
        return (text, false);
    };
    let own = &text[..start];
    let rest = &text[end..];
    let document = rest
        .split_inclusive('\n')
        .scan(0, |at, line| {
            let here = *at;
            *at += line.len();
            Some((here, line))
        })
        .find(|(_, line)| is_document_heading(line))
        .map_or(rest, |(at, _)| &rest[..at]);
    if own.split_whitespace().count() >= COVERING_NOTE_WORDS
        || document.split_whitespace().next().is_none()
    {
        return (own, false);
    }
    let mut at = 0;
    for line in document.split_inclusive('\n').take(25) {
        if is_salutation(line.trim()) {
            return (&document[at..], true);
        }
        at += line.len();
    }
    (document, true)
}

/// The first sentences of `text` (at most [`EXCERPT_CHARS`] characters, cut after a whole
/// sentence where one fits, else after a word, with "…"), without a leading salutation
/// line. Line breaks become spaces. Of a summary with attached documents
/// ([`document_heading`]), the mail's own text is quoted, or the first document when the
/// mail only covers it.
pub fn excerpt(text: &str) -> String {
    let letter;
    let text = match quoted_part(text) {
        // A letter's closing and signature are no part of what it is about.
        (document, true) => {
            letter = crate::detect::newtext::new_text(document);
            letter.as_str()
        }
        (own, false) => own,
    };
    let mut lines = text.lines().map(str::trim).skip_while(|l| l.is_empty());
    let mut body: Vec<&str> = Vec::new();
    if let Some(first) = lines.next() {
        if !is_salutation(first) {
            body.push(first);
        }
    }
    body.extend(lines);
    let flat = body
        .iter()
        .filter(|l| !l.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= EXCERPT_CHARS {
        return flat;
    }
    let head: String = flat.chars().take(EXCERPT_CHARS).collect();
    // The last sentence end in the head, if it leaves a reasonable part.
    let sentence_end = head
        .char_indices()
        .filter(|(i, c)| matches!(c, '.' | '!' | '?') && head[i + c.len_utf8()..].starts_with(' '))
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    match sentence_end {
        Some(end) if end >= EXCERPT_CHARS / 3 => format!("{} …", &head[..end]),
        _ => {
            let cut = head.rfind(' ').unwrap_or(head.len());
            format!("{} …", head[..cut].trim_end_matches([',', ';', ':']))
        }
    }
}

/// A salutation line: short, starting with a greeting word, usually ending in a comma.
fn is_salutation(line: &str) -> bool {
    let lower = line.to_lowercase();
    line.chars().count() <= 60
        && SALUTATIONS.iter().any(|s| {
            lower
                .strip_prefix(s)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ',', '!']))
        })
        && (lower.ends_with(',') || lower.ends_with('!') || lower.split_whitespace().count() <= 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_salutation_goes_and_short_texts_stay_whole() {
        assert_eq!(
            excerpt("Geachte heer De Vries,\n\nU heeft mij verkeerd geadviseerd.\nIk wil mijn geld terug."),
            "U heeft mij verkeerd geadviseerd. Ik wil mijn geld terug."
        );
        assert_eq!(
            excerpt("Hallo,\nde premie klopt niet"),
            "de premie klopt niet"
        );
        assert_eq!(
            excerpt("Dear Sir or Madam,\nMy policy was cancelled."),
            "My policy was cancelled."
        );
        // Not a salutation: a sentence that starts with "Dag".
        assert_eq!(
            excerpt("Dagelijks bel ik en niemand neemt op."),
            "Dagelijks bel ik en niemand neemt op."
        );
        assert_eq!(
            excerpt("Beste mensen van het kantoor, ik ben al drie maanden aan het wachten op een antwoord over mijn pensioen en niemand belt terug"),
            "Beste mensen van het kantoor, ik ben al drie maanden aan het wachten op een antwoord over mijn pensioen en niemand belt terug"
        );
        assert_eq!(excerpt("  \n "), "");
    }

    #[test]
    fn a_covering_note_quotes_the_letter_it_covers() {
        let letter = "J. Jansen\nLindelaan 4\nApeldoorn, 3 maart 2026\n\nGeachte heer De Vries,\n\nIk ben het niet eens met de provisie.\n\nMet vriendelijke groet,\nJ. Jansen";
        let summary = format!(
            "Bijgaand treft u mijn brief aan.\n\n{}\n{letter}",
            document_heading("brief.pdf")
        );
        assert_eq!(excerpt(&summary), "Ik ben het niet eens met de provisie.");
        // A second document is not quoted with the first.
        let two = format!(
            "{summary}\n\n{}\nRekening 2026",
            document_heading("nota.pdf")
        );
        assert!(!excerpt(&two).contains("Rekening"), "{}", excerpt(&two));
        // A mail that says what it is about is quoted itself.
        let own = "De premie van mijn polis is verhoogd zonder dat iemand mij dat heeft gemeld, terwijl bij het afsluiten werd gezegd dat die vijf jaar vast zou blijven staan. Ik wil dit rechtgezet zien.";
        let with_letter = format!("{own}\n\n{}\n{letter}", document_heading("brief.pdf"));
        assert_eq!(excerpt(&with_letter), own);
        // A letter without a salutation is quoted from its start; no document, no change.
        let bare = format!(
            "Zie bijlage.\n\n{}\nDe provisie klopt niet.",
            document_heading("brief.pdf")
        );
        assert_eq!(excerpt(&bare), "De provisie klopt niet.");
        assert_eq!(excerpt("Zie bijlage."), "Zie bijlage.");
    }

    #[test]
    fn long_texts_are_cut_after_a_sentence_or_a_word() {
        let long = format!(
            "Eerste zin over het advies. {}",
            "Tweede zin met veel woorden erin. ".repeat(20)
        );
        let e = excerpt(&long);
        assert!(e.chars().count() <= EXCERPT_CHARS + 2, "{e}");
        assert!(e.ends_with(". …"), "{e}");
        assert!(e.starts_with("Eerste zin over het advies."));
        let words = "woord ".repeat(100);
        let e = excerpt(&words);
        assert!(e.ends_with("woord …"), "{e}");
        assert!(e.chars().count() <= EXCERPT_CHARS + 2);
        // Multi-byte text is cut on a character boundary.
        let e = excerpt(&"één ".repeat(200));
        assert!(e.ends_with('…'));
    }
}
