//! A letter the detector cannot read — a scanned PDF without text, a photo of a page, a
//! word processor's file that is not read (`.doc`, `.odt`, …) —
//! under a covering note that says what it is ("Bijgaand mijn brief.", "zie scan"): nothing
//! was read, so nothing is flagged, but the mail is doubtful, so that directie looks at it.
//! A logo or a photo under a mail that says something of its own is no such letter.

use crate::parse::ParsedMail;

use super::newtext;

/// The ignored match that says why such a mail is doubtful.
pub const REASON: &str = "bijlage_niet_gelezen";

/// Fewer words of its own than this: the mail is a covering note.
const NOTE_WORDS: usize = 30;

/// An image attachment at least this large may be a photographed page; a logo or an
/// emoticon in a signature is smaller.
const PHOTO_BYTES: u64 = 100 * 1024;

/// Word processors' files that are not read, by the ending of their name: letters are
/// written in them. (A `.docx` is read, [`crate::documents`].)
const WORD_PROCESSOR_FILES: &[&str] = &[".doc", ".odt", ".rtf", ".pages"];

/// Words (of the note, its subject or the attachment's name) that say a letter is attached.
const LETTER_WORDS: &[&str] = &[
    "brief",
    "brieven",
    "klachtbrief",
    "bezwaarbrief",
    "klacht",
    "bezwaar",
    "scan",
    "gescand",
    "gescande",
    "ingescand",
    "letter",
    "complaint",
    "scanned",
];

/// Why `mail` is a letter nobody could read, when it is one: the unread attachments and
/// the note's first words.
pub fn unread_letter(mail: &ParsedMail) -> Option<String> {
    let unread: Vec<&str> = mail
        .documents
        .iter()
        .filter(|d| d.text.is_empty())
        .map(|d| d.name.as_str())
        .chain(
            mail.attachments
                .iter()
                .filter(|a| {
                    (a.content_type.starts_with("image/") && a.size >= PHOTO_BYTES)
                        || a.name.as_deref().is_some_and(|n| {
                            let n = n.to_ascii_lowercase();
                            WORD_PROCESSOR_FILES.iter().any(|e| n.ends_with(e))
                        })
                })
                .map(|a| a.name.as_deref().unwrap_or("afbeelding")),
        )
        .collect();
    if unread.is_empty() {
        return None;
    }
    let own = newtext::new_text(mail.body_text.as_deref().unwrap_or(""));
    if own.split_whitespace().count() >= NOTE_WORDS {
        return None;
    }
    let subject = mail.subject.as_deref().unwrap_or("");
    let says_letter = |text: &str| {
        text.split(|c: char| !c.is_alphanumeric())
            .any(|w| LETTER_WORDS.iter().any(|l| w.eq_ignore_ascii_case(l)))
    };
    if !(says_letter(&own) || says_letter(subject) || unread.iter().any(|n| says_letter(n))) {
        return None;
    }
    let note = own.split_whitespace().collect::<Vec<_>>().join(" ");
    let note = if note.is_empty() {
        subject.trim()
    } else {
        &note
    };
    let mut shown: String = note.chars().take(80).collect();
    if shown.len() < note.len() {
        shown.push('…');
    }
    Some(format!(
        "{}: geen tekst gelezen (een scan, foto of tekstverwerkerbestand); de mail zelf: \"{shown}\"",
        unread.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse, Attachment, Document};

    fn note(subject: &str, body: &str) -> ParsedMail {
        parse(format!("From: a@klant.example\r\nSubject: {subject}\r\n\r\n{body}\r\n").as_bytes())
    }

    fn scan(name: &str) -> Document {
        Document {
            name: name.into(),
            text: String::new(),
        }
    }

    #[test]
    fn a_scanned_letter_under_a_covering_note_is_named() {
        let mut mail = note(
            "Brief",
            "Goedemiddag,\r\n\r\nBijgaand mijn brief.\r\n\r\nGroet,\r\nLotte",
        );
        mail.documents = vec![scan("Scan_001.pdf")];
        let why = unread_letter(&mail).unwrap();
        assert!(why.starts_with("Scan_001.pdf: geen tekst"), "{why}");
        assert!(why.contains("Bijgaand mijn brief."), "{why}");
        // A photographed page says so by its note or its name.
        let mut photo = note("", "Zie foto van de klachtbrief");
        photo.attachments.push(Attachment {
            name: Some("IMG_2041.jpg".into()),
            content_type: "image/jpeg".into(),
            size: 2_400_000,
        });
        assert!(unread_letter(&photo).is_some());
        // A letter written in a word processor is not read, and named the same way.
        let mut word = note("Klacht", "Zie bijlage.");
        word.attachments.push(Attachment {
            name: Some("Brief aan adviseur.DOC".into()),
            content_type: "application/msword".into(),
            size: 14_000,
        });
        let why = unread_letter(&word).unwrap();
        assert!(
            why.starts_with("Brief aan adviseur.DOC: geen tekst gelezen"),
            "{why}"
        );
    }

    #[test]
    fn no_letter_where_nothing_is_unread_or_the_mail_speaks_for_itself() {
        // Read letters, or none at all.
        let mut mail = note("Brief", "Bijgaand mijn brief.");
        assert_eq!(unread_letter(&mail), None);
        mail.documents = vec![Document {
            name: "brief.pdf".into(),
            text: "Geachte heer,\nTekst.\nMet vriendelijke groet,\nLotte".into(),
        }];
        assert_eq!(unread_letter(&mail), None);
        // A scan that is no letter: an ID, a payslip.
        let mut id = note(
            "Paspoort",
            "Hierbij een kopie van mijn paspoort voor het dossier.",
        );
        id.documents = vec![scan("paspoort.pdf")];
        assert_eq!(unread_letter(&id), None);
        // A logo in a signature.
        let mut logo = note("Brief", "Bijgaand mijn brief.");
        logo.attachments.push(Attachment {
            name: Some("logo.png".into()),
            content_type: "image/png".into(),
            size: 8_000,
        });
        assert_eq!(unread_letter(&logo), None);
        // A mail that says what it is about is judged on that.
        let long = "Ik heb de brief van de bank gescand. ".repeat(6);
        let mut said = note("Brief", &long);
        said.documents = vec![scan("scan.pdf")];
        assert_eq!(unread_letter(&said), None);
    }
}
