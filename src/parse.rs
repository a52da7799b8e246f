//! Parsing a raw message into the fields later stages need.
//!
//! mail-parser does the MIME work (charsets, quoted-printable, base64, HTML to text).
//! This module turns its borrowed view into owned, storable fields, and guarantees that
//! nothing a sender writes can stop the daemon: a message the parser rejects, or one that
//! makes it panic, comes back as [`ParseStatus::Unparsed`] with the reason, never as a
//! crash. The raw bytes are stored either way.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{DateTime, Utc};
use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};

/// Headers that screening, threading and authentication look at; kept verbatim (all
/// occurrences) beside the parsed fields so later stages need not parse the raw again.
pub const KEPT_HEADERS: &[&str] = &[
    "auto-submitted",
    "precedence",
    "list-id",
    "list-unsubscribe",
    "list-post",
    "return-path",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "x-failed-recipients",
    "authentication-results",
    "delivered-to",
    "x-original-to",
    "reply-to",
    "sender",
    "from",
    "content-type",
    "x-mailer",
    "feedback-id",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParseStatus {
    /// Parsed by mail-parser; the fields are filled in as far as the message has them.
    Parsed,
    /// The parser rejected the message or panicked on it; only the raw bytes are kept.
    Unparsed,
    /// The message was larger than `limits.max_message_bytes`; only its header was
    /// downloaded and parsed.
    HeadersOnly,
}

impl ParseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ParseStatus::Parsed => "parsed",
            ParseStatus::Unparsed => "unparsed",
            ParseStatus::HeadersOnly => "headers_only",
        }
    }

    pub fn from_db(s: &str) -> Self {
        match s {
            "parsed" => ParseStatus::Parsed,
            "headers_only" => ParseStatus::HeadersOnly,
            _ => ParseStatus::Unparsed,
        }
    }
}

/// A mailbox: display name and address, as written in a From/To header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailAddress {
    pub name: Option<String>,
    pub address: String,
}

/// As a reader sees it: `Name <address>`, or the address alone.
impl std::fmt::Display for MailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} <{}>", self.address),
            None => f.write_str(&self.address),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: Option<String>,
    pub content_type: String,
    pub size: u64,
}

/// The text of a document attached to a mail (a letter sent as a PDF), read by
/// [`crate::documents`]: parsing leaves [`ParsedMail::documents`] empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The attachment's name as the sender gave it (cleaned), or "bijlage".
    pub name: String,
    /// Its text: lines as laid out, at most [`crate::documents::MAX_TEXT_BYTES`]; empty
    /// for a scan, which has none.
    pub text: String,
}

/// The owned, storable result of parsing one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedMail {
    pub status: ParseStatus,
    /// Why the message is unparsed (or a note for headers-only).
    pub error: Option<String>,
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    pub from: Option<MailAddress>,
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    pub subject: Option<String>,
    pub date: Option<DateTime<Utc>>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// Lower-case header name → every value, for the names in [`KEPT_HEADERS`].
    pub headers: BTreeMap<String, Vec<String>>,
    /// The best text body: text/plain, else the HTML body converted to text.
    pub body_text: Option<String>,
    /// True when the message has an HTML body and no text/plain one.
    pub html_only: bool,
    pub attachments: Vec<Attachment>,
    /// The text of attached documents, judged with the mail's own words: filled by
    /// [`crate::documents::read`] where a mail is judged, never by parsing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
}

impl ParsedMail {
    fn unparsed(reason: impl Into<String>) -> Self {
        ParsedMail {
            status: ParseStatus::Unparsed,
            error: Some(reason.into()),
            message_id: None,
            from: None,
            to: Vec::new(),
            cc: Vec::new(),
            subject: None,
            date: None,
            in_reply_to: Vec::new(),
            references: Vec::new(),
            headers: BTreeMap::new(),
            body_text: None,
            html_only: false,
            attachments: Vec::new(),
            documents: Vec::new(),
        }
    }

    /// First value of a kept header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .and_then(|v| v.first())
            .map(String::as_str)
    }
}

/// Parses a whole message. Never panics.
pub fn parse(raw: &[u8]) -> ParsedMail {
    parse_guarded(raw, ParseStatus::Parsed)
}

/// Header fields that every mail program writes (one of them opens any real message's
/// header); a text that names none before its first empty line has no header.
const MESSAGE_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "received",
    "return-path",
    "delivered-to",
    "reply-to",
    "sender",
    "in-reply-to",
    "references",
    "dkim-signature",
    "authentication-results",
];

/// Whether `raw` opens with a message's header: an mbox "From " line, or lines that are
/// all header fields ("Name: value", or a folded line that goes on with a space) up to the
/// first empty line, one of them a field every mail program writes (From, To, Subject,
/// Date, Message-ID, Content-Type, Received, …). A text saved or pasted
/// without a header (a review copied from a web page, a note of a phone call) has none,
/// even when its first line reads like a field ("Score: 2/5", "To: the claims department"
/// over a letter's first sentence).
pub fn has_header(raw: &[u8]) -> bool {
    let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    if raw.starts_with(b"From ") {
        return true;
    }
    let mut known = false;
    for (n, line) in raw.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return known;
        }
        if n > 0 && matches!(line[0], b' ' | b'\t') {
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|&b| b.is_ascii_graphic()) {
            return false;
        }
        known |= MESSAGE_FIELDS
            .iter()
            .any(|f| f.as_bytes().eq_ignore_ascii_case(name));
    }
    known
}

/// `raw` read as a message when it has a header ([`has_header`]); else as the text of a
/// message without one, in UTF-8 or, where it is not valid UTF-8, Windows-1252, and as
/// HTML when it opens as a web page does (`<!DOCTYPE html>`, `<html>`, `<body>`, `<div>`,
/// `<p>`: a page saved from a browser) — the second value says it was read as text. For the commands that read a file a person gives them (`classify`,
/// `eval`); what arrives by IMAP is always read as a message ([`parse`]).
pub fn parse_message_or_text(raw: &[u8]) -> (ParsedMail, bool) {
    if raw.is_empty() || has_header(raw) {
        return (parse(raw), false);
    }
    let text = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    let charset = if std::str::from_utf8(text).is_ok() {
        "utf-8"
    } else {
        "windows-1252"
    };
    let kind = if looks_like_html(text) {
        "html"
    } else {
        "plain"
    };
    let mut wrapped = format!(
        "MIME-Version: 1.0\r\nContent-Type: text/{kind}; charset=\"{charset}\"\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    .into_bytes();
    wrapped.extend_from_slice(text);
    (parse(&wrapped), true)
}

/// Whether a text with no header opens as a web page does: its first tag, before any
/// other text, is a document's or a block's (`<!doctype`, `<html`, `<head`, `<body`,
/// `<div`, `<p`, `<article`, `<section`, `<table`, `<meta`).
fn looks_like_html(text: &[u8]) -> bool {
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let head = &text[start..text.len().min(start + 64)];
    let lower = head.to_ascii_lowercase();
    [
        "<!doctype",
        "<html",
        "<head",
        "<body",
        "<div",
        "<p>",
        "<p ",
        "<article",
        "<section",
        "<table",
        "<meta",
    ]
    .iter()
    .any(|tag| lower.starts_with(tag.as_bytes()))
}

/// Parses the header of a message that was too large to download whole.
pub fn parse_headers_only(header: &[u8], full_size: u64) -> ParsedMail {
    let mut mail = parse_guarded(header, ParseStatus::HeadersOnly);
    if mail.status == ParseStatus::HeadersOnly {
        mail.body_text = None;
        mail.attachments.clear();
        mail.error = Some(format!(
            "message of {full_size} bytes exceeds limits.max_message_bytes; only the header was stored"
        ));
    }
    mail
}

/// The attachments of a message with their decoded contents (for the dossier): name as
/// given by the sender (cleaned), bytes. Empty when the message cannot be parsed, also
/// when the parser panics.
pub fn attachment_contents(raw: &[u8]) -> Vec<(Option<String>, Vec<u8>)> {
    catch_unwind(AssertUnwindSafe(|| {
        MessageParser::default()
            .parse(raw)
            .map(|msg| {
                msg.attachments()
                    .map(|part| {
                        (
                            part.attachment_name().map(|n| clean(n, 255)),
                            part.contents().to_vec(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }))
    .unwrap_or_default()
}

fn parse_guarded(raw: &[u8], ok_status: ParseStatus) -> ParsedMail {
    // mail-parser is careful, but it is fed by strangers: a panic in it must cost one
    // message its fields, not the daemon its life.
    match catch_unwind(AssertUnwindSafe(|| parse_inner(raw, ok_status))) {
        Ok(mail) => mail,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            ParsedMail::unparsed(format!("parser panicked: {}", clean(&what, 200)))
        }
    }
}

fn parse_inner(raw: &[u8], ok_status: ParseStatus) -> ParsedMail {
    if raw.is_empty() {
        return ParsedMail::unparsed("empty message");
    }
    let Some(msg) = MessageParser::default().parse(raw) else {
        return ParsedMail::unparsed("not a MIME message");
    };
    if msg.headers().is_empty() {
        return ParsedMail::unparsed("no header fields found");
    }
    let html_only = msg.text_body_count() == 0 && msg.html_body_count() > 0
        || (msg.text_body_count() > 0
            && msg.text_bodies().all(|p| p.is_text_html())
            && msg.html_body_count() > 0);
    ParsedMail {
        status: ok_status,
        error: None,
        message_id: msg.message_id().map(|s| clean(s, 998)),
        from: msg.from().and_then(|a| addresses(a).into_iter().next()),
        to: msg.to().map(addresses).unwrap_or_default(),
        cc: msg.cc().map(addresses).unwrap_or_default(),
        subject: msg.subject().map(|s| clean(s, 2000)),
        date: msg
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        in_reply_to: id_list(msg.in_reply_to()),
        references: id_list(msg.references()),
        headers: kept_headers(&msg),
        body_text: with_attached_messages(msg.body_text(0).map(|b| strip_nul(&b)), &msg),
        html_only,
        attachments: msg
            .attachments()
            .map(|part| Attachment {
                name: part.attachment_name().map(|n| clean(n, 255)),
                content_type: part
                    .content_type()
                    .map(|ct| match ct.subtype() {
                        Some(sub) => format!("{}/{}", ct.ctype(), sub),
                        None => ct.ctype().to_string(),
                    })
                    .map(|s| clean(&s.to_ascii_lowercase(), 255))
                    .unwrap_or_else(|| "application/octet-stream".into()),
                size: part.len() as u64,
            })
            .collect(),
        documents: Vec::new(),
    }
}

/// At most this many attached messages are shown in a body as forwards, and at most this
/// many bytes of each one's text (the detector judges less; the attachment keeps it all).
const ATTACHED_MESSAGES: usize = 3;
const ATTACHED_TEXT_BYTES: usize = 512 * 1024;

/// `body` with every message attached to `msg` (`message/rfc822`: Outlook's "Doorsturen als
/// bijlage", a relay passing a mail on) written under it as an inline forward: a
/// "Doorgestuurd bericht" line, its sender, subject and date, and its text. What reads
/// inline forwards (the detector's new text, a colleague's forward naming the customer,
/// directie's forward with KLACHT) reads these the same; the attachment itself stays listed.
fn with_attached_messages(body: Option<String>, msg: &Message<'_>) -> Option<String> {
    let mut attached = msg
        .attachments()
        .filter_map(|part| part.message())
        .take(ATTACHED_MESSAGES)
        .peekable();
    if attached.peek().is_none() {
        return body;
    }
    let mut text = body.unwrap_or_default();
    for inner in attached {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("\n---------- Doorgestuurd bericht ---------\n");
        if let Some(from) = inner.from().and_then(|a| addresses(a).into_iter().next()) {
            text.push_str(&format!("Van: {from}\n"));
        }
        if let Some(subject) = inner.subject() {
            text.push_str(&format!("Onderwerp: {}\n", clean(subject, 2000)));
        }
        if let Some(date) = inner.date() {
            text.push_str(&format!("Datum: {}\n", date.to_rfc822()));
        }
        text.push('\n');
        let inner_text = inner
            .body_text(0)
            .map(|b| strip_nul(&b))
            .unwrap_or_default();
        let mut cut = inner_text.len().min(ATTACHED_TEXT_BYTES);
        while !inner_text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.push_str(&inner_text[..cut]);
        if cut < inner_text.len() {
            text.push_str("\n[…]\n");
        }
    }
    Some(text)
}

fn addresses(addr: &Address<'_>) -> Vec<MailAddress> {
    addr.iter()
        .filter_map(|a| {
            let address = a.address()?.trim();
            (!address.is_empty()).then(|| MailAddress {
                name: a.name().map(|n| clean(n, 255)).filter(|n| !n.is_empty()),
                address: clean(address, 320),
            })
        })
        .collect()
}

fn id_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![clean(t, 998)],
        HeaderValue::TextList(list) => list.iter().map(|t| clean(t, 998)).collect(),
        _ => Vec::new(),
    }
}

fn kept_headers(msg: &Message<'_>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in msg.headers_raw() {
        let lower = name.to_ascii_lowercase();
        if KEPT_HEADERS.contains(&lower.as_str()) {
            // Unfold and trim; raw header values keep their encoded words, which is what
            // the screening rules (tokens like `auto-replied`) want.
            let unfolded = value.split(['\r', '\n']).map(str::trim).collect::<Vec<_>>();
            out.entry(lower)
                .or_default()
                .push(clean(unfolded.join(" ").trim(), 4000));
        }
    }
    out
}

/// The mailbox a sender line of a forwarded mail's header block names, as mail programs
/// write it: `Name <a@b>`, `a@b`, or Outlook's `Name [mailto:a@b]`. The name without its
/// quotes, the address in lower case; `None` when the value holds no single address.
pub fn header_mailbox(value: &str) -> Option<MailAddress> {
    let bracketed = [('<', '>'), ('[', ']')]
        .into_iter()
        .find_map(
            |(open, close)| match (value.rfind(open), value.rfind(close)) {
                (Some(s), Some(e)) if s < e => Some((&value[..s], &value[s + 1..e])),
                _ => None,
            },
        );
    let (name, addr) = match bracketed {
        Some((name, addr)) => (
            Some(name.trim().trim_matches(['"', '\'']).trim()).filter(|n| !n.is_empty()),
            addr.trim(),
        ),
        None => (None, value.trim()),
    };
    let addr = addr.strip_prefix("mailto:").unwrap_or(addr);
    (addr.contains('@') && !addr.contains(char::is_whitespace)).then(|| MailAddress {
        name: name.map(|n| clean(n, 200)),
        address: clean(&addr.to_ascii_lowercase(), 320),
    })
}

/// Text safe to store in any database column: no NUL (PostgreSQL refuses it in text),
/// no other control characters, and bounded length.
pub fn clean(s: &str, max_chars: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .take(max_chars)
        .collect()
}

/// As [`clean`], keeping line breaks: for texts shown as paragraphs (a note, a timeline
/// entry), never for header values.
pub fn clean_text(s: &str, max_chars: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
        .take(max_chars)
        .collect()
}

fn strip_nul(s: &str) -> String {
    s.replace('\0', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_without_a_header_is_read_as_the_text_of_a_message() {
        // A message, however its header starts (mbox, a BOM, folded lines, odd fields).
        for raw in [
            &b"From: a@example.test\r\nSubject: x\r\n\r\nTekst."[..],
            b"From jan@example.test Tue Nov 24 10:00:00 2026\nSubject: x\n\nTekst.",
            b"\xEF\xBB\xBFReceived: from x\r\n\tby y\r\nX-Thing: 1\r\nDate: Tue, 24 Nov 2026\r\n\r\nT.",
        ] {
            assert!(has_header(raw), "{}", String::from_utf8_lossy(raw));
        }
        // Texts: no field, a field-like first line over a sentence, no known field.
        for raw in [
            &b"Slechtste adviseur ooit. Ik dien een klacht in."[..],
            b"Score: 2/5\nTraag, heel traag.",
            b"To: the claims department\nI am writing to complain about my claim.",
            b"Naam: Jan\nTelefoon: 0612345678\n\nBericht: bel me terug",
            b"",
        ] {
            assert!(!has_header(raw), "{}", String::from_utf8_lossy(raw));
        }
        let (m, text) = parse_message_or_text("Score: 2/5\nTraag, héél traag.\n".as_bytes());
        assert!(text);
        assert_eq!(m.status, ParseStatus::Parsed);
        assert_eq!(
            m.body_text.as_deref().map(str::trim),
            Some("Score: 2/5\nTraag, héél traag.")
        );
        assert!(m.subject.is_none() && m.from.is_none());
        // Not UTF-8: Windows-1252, as older Windows programs save it.
        let (m, text) = parse_message_or_text(b"Te laat betaald, \x80 40 boete");
        assert!(text);
        assert_eq!(
            m.body_text.as_deref().map(str::trim),
            Some("Te laat betaald, € 40 boete")
        );
        // A page saved from a browser: its text, not its tags.
        let (m, text) = parse_message_or_text(
            b"<!DOCTYPE html>\n<html><body><p>Nooit meer. <b>Traag</b> en duur.</p></body></html>",
        );
        assert!(text);
        let body = m.body_text.unwrap_or_default();
        assert!(body.contains("Nooit meer. Traag en duur."), "{body}");
        assert!(!body.contains('<'), "{body}");
        // A message stays a message.
        let (m, text) = parse_message_or_text(b"From: a@example.test\r\nSubject: x\r\n\r\nTekst.");
        assert!(!text);
        assert_eq!(m.subject.as_deref(), Some("x"));
    }

    #[test]
    fn plain_message_fields() {
        let raw = b"From: Jan de Vries <jan@example.test>\r\nTo: klachten@firma.test, Els <els@firma.test>\r\nSubject: =?ISO-8859-1?Q?Pr=E9mie?= te hoog\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <abc@example.test>\r\nIn-Reply-To: <x@firma.test>\r\nReferences: <w@firma.test> <x@firma.test>\r\nAuto-Submitted: no\r\n\r\nGoedemorgen,\r\n\r\nDe premie is te hoog.\r\n";
        let m = parse(raw);
        assert_eq!(m.status, ParseStatus::Parsed);
        assert_eq!(m.message_id.as_deref(), Some("abc@example.test"));
        assert_eq!(m.from.as_ref().unwrap().address, "jan@example.test");
        assert_eq!(
            m.from.as_ref().unwrap().name.as_deref(),
            Some("Jan de Vries")
        );
        assert_eq!(m.to.len(), 2);
        assert_eq!(m.subject.as_deref(), Some("Prémie te hoog"));
        assert_eq!(m.date.unwrap().to_rfc3339(), "2026-11-24T09:00:00+00:00");
        assert_eq!(m.in_reply_to, vec!["x@firma.test"]);
        assert_eq!(m.references, vec!["w@firma.test", "x@firma.test"]);
        assert_eq!(m.header("Auto-Submitted"), Some("no"));
        assert!(m.body_text.unwrap().contains("De premie is te hoog."));
        assert!(!m.html_only);
    }

    #[test]
    fn windows_1252_quoted_printable() {
        let raw = b"From: a@example.test\r\nSubject: test\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nIk ben zeer ontevreden =96 de adviseur heeft =93niets=94 gedaan. Caf=E9\r\n";
        let m = parse(raw);
        let body = m.body_text.unwrap();
        assert!(
            body.contains("ontevreden – de adviseur heeft “niets” gedaan. Café"),
            "{body}"
        );
    }

    #[test]
    fn html_only_becomes_text() {
        let raw = b"From: a@example.test\r\nSubject: html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Ik ben <b>boos</b>.</p><script>x()</script></body></html>\r\n";
        let m = parse(raw);
        assert!(m.html_only);
        let body = m.body_text.unwrap();
        assert!(body.contains("Ik ben boos."), "{body}");
        assert!(!body.contains("<b>"));
    }

    #[test]
    fn attachments_are_metadata() {
        let raw = b"From: a@example.test\r\nSubject: bijlage\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nZie bijlage.\r\n--b1\r\nContent-Type: application/pdf; name=\"polis.pdf\"\r\nContent-Disposition: attachment; filename=\"polis.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";
        let m = parse(raw);
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].name.as_deref(), Some("polis.pdf"));
        assert_eq!(m.attachments[0].content_type, "application/pdf");
        assert_eq!(m.attachments[0].size, 9);
        assert_eq!(m.body_text.as_deref().map(str::trim), Some("Zie bijlage."));
    }

    #[test]
    fn garbage_is_unparsed_not_a_crash() {
        assert_eq!(parse(b"").status, ParseStatus::Unparsed);
        let m = parse(&[0u8; 64]);
        assert!(matches!(
            m.status,
            ParseStatus::Unparsed | ParseStatus::Parsed
        ));
        assert!(m.subject.iter().all(|s| !s.contains('\0')));
    }

    #[test]
    fn nul_and_control_characters_never_reach_fields() {
        let raw = b"From: a@example.test\r\nSubject: a\x00b\x07c\r\n\r\nbody\x00text\r\n";
        let m = parse(raw);
        assert_eq!(m.subject.as_deref(), Some("abc"));
        assert!(!m.body_text.unwrap().contains('\0'));
    }

    #[test]
    fn headers_only_keeps_header_fields_and_says_why() {
        let m = parse_headers_only(
            b"From: a@example.test\r\nSubject: groot\r\nMessage-ID: <big@x>\r\n\r\n",
            99_000_000,
        );
        assert_eq!(m.status, ParseStatus::HeadersOnly);
        assert_eq!(m.subject.as_deref(), Some("groot"));
        assert!(m.error.unwrap().contains("99000000"));
    }

    #[test]
    fn a_forwarded_sender_line_names_its_mailbox() {
        let m = header_mailbox("\"Hendriks, Harm\" <Harm@Klant.Example>").unwrap();
        assert_eq!(
            (m.name.as_deref(), m.address.as_str()),
            (Some("Hendriks, Harm"), "harm@klant.example")
        );
        let m = header_mailbox("Jan Klant [mailto:jan@klant.example]").unwrap();
        assert_eq!(
            (m.name.as_deref(), m.address.as_str()),
            (Some("Jan Klant"), "jan@klant.example")
        );
        let m = header_mailbox(" jan@klant.example ").unwrap();
        assert_eq!((m.name, m.address.as_str()), (None, "jan@klant.example"));
        assert!(header_mailbox("Jan Klant").is_none());
        assert!(header_mailbox("Jan Klant <>").is_none());
    }

    #[test]
    fn an_attached_message_is_shown_under_the_body_as_a_forward() {
        let raw = "From: a@firma.example\r\nSubject: FW: x\r\nMIME-Version: 1.0\r\n\
                   Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n\
                   --B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nZie bijlage.\r\n\
                   --B\r\nContent-Type: message/rfc822\r\n\r\n\
                   From: \"Klant, Jan\" <jan@klant.example>\r\nSubject: Mijn polis\r\n\
                   Date: Mon, 23 Nov 2026 19:33:00 +0100\r\n\
                   Content-Type: text/plain; charset=utf-8\r\n\r\nDe premie klopt niet.\r\n--B--\r\n";
        let m = parse(raw.as_bytes());
        let body = m.body_text.as_deref().unwrap();
        assert!(body.starts_with("Zie bijlage."), "{body}");
        let forward = crate::detect::newtext::forward(body).unwrap();
        assert_eq!(forward.sender, Some("Klant, Jan <jan@klant.example>"));
        assert_eq!(forward.subject, Some("Mijn polis"));
        assert_eq!(forward.text.trim(), "De premie klopt niet.");
        assert_eq!(m.attachments.len(), 1);
        // A long attached text is shown up to its bound, cut at a character.
        let long = format!(
            "From: a@firma.example\r\nSubject: FW: x\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n\
             --B\r\nContent-Type: message/rfc822\r\n\r\nFrom: jan@klant.example\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n--B--\r\n",
            "é".repeat(ATTACHED_TEXT_BYTES)
        );
        let body = parse(long.as_bytes()).body_text.unwrap();
        assert!(body.len() < ATTACHED_TEXT_BYTES + 200, "{}", body.len());
        let tail: String = body.chars().rev().take(8).collect();
        assert!(body.ends_with("é\n[…]\n"), "{tail:?}");
        // Without an attached message the body is as written.
        let plain = parse(b"From: a@b.example\r\nSubject: x\r\n\r\nTekst\r\n");
        assert_eq!(plain.body_text.as_deref().map(str::trim), Some("Tekst"));
    }
}
