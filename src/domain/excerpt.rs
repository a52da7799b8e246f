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

/// The first sentences of `text` (at most [`EXCERPT_CHARS`] characters, cut after a whole
/// sentence where one fits, else after a word, with "…"), without a leading salutation
/// line. Line breaks become spaces.
pub fn excerpt(text: &str) -> String {
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
