//! Screening, before any scoring: mail that is automatic (auto-replies, bounces, lists and
//! newsletters, no-reply senders), the service's own mail, and directie's replies is
//! stored but never becomes a case. Each screened mail carries its reason.

use std::sync::LazyLock;

use aho_corasick::dfa::DFA;
use serde::{Deserialize, Serialize};

use super::walk::for_each_match;
use crate::parse::ParsedMail;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenReason {
    /// RFC 3834 Auto-Submitted, X-Autoreply, out-of-office subjects, Precedence auto_reply/junk,
    /// read receipts sent as plain text.
    AutoReply,
    /// Null return path, MAILER-DAEMON/postmaster, multipart/report delivery reports.
    Bounce,
    /// List-Id, List-Unsubscribe, Precedence bulk/list: lists and newsletters.
    MailingList,
    /// From a no-reply address (notifications, invoices).
    NoReply,
    /// From the service's own address.
    OwnAddress,
    /// From a directie address: a reply or command, handled elsewhere.
    Directie,
}

impl ScreenReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ScreenReason::AutoReply => "auto_reply",
            ScreenReason::Bounce => "bounce",
            ScreenReason::MailingList => "mailing_list",
            ScreenReason::NoReply => "no_reply",
            ScreenReason::OwnAddress => "own_address",
            ScreenReason::Directie => "directie",
        }
    }

    pub fn parse(s: &str) -> Option<ScreenReason> {
        [
            ScreenReason::AutoReply,
            ScreenReason::Bounce,
            ScreenReason::MailingList,
            ScreenReason::NoReply,
            ScreenReason::OwnAddress,
            ScreenReason::Directie,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Addresses screening needs to know (from `smtp.from`, `imap.username`,
/// `directie.addresses`), lower-cased.
#[derive(Debug, Clone, Default)]
pub struct ScreenContext {
    pub own_addresses: Vec<String>,
    pub directie_addresses: Vec<String>,
    /// `own_addresses` without +tags, for comparison.
    own_bases: Vec<String>,
    /// The domains of `own_addresses`: mail from them may be the website's contact form.
    pub own_domains: Vec<String>,
    /// The firm's name (`organisation.name`): a mail whose opening line addresses another
    /// organisation is told by it ([`super::addressee`]).
    pub organisation: Option<String>,
}

impl ScreenContext {
    pub fn new(
        own: impl IntoIterator<Item = String>,
        directie: impl IntoIterator<Item = String>,
    ) -> Self {
        let clean = |v: &mut Vec<String>| {
            for a in v.iter_mut() {
                *a = a.trim().to_ascii_lowercase();
            }
            v.retain(|a| a.contains('@'));
        };
        let mut own_addresses: Vec<String> = own.into_iter().collect();
        let mut directie_addresses: Vec<String> = directie.into_iter().collect();
        clean(&mut own_addresses);
        clean(&mut directie_addresses);
        let mut own_domains: Vec<String> = own_addresses
            .iter()
            .filter_map(|a| a.rsplit_once('@').map(|(_, d)| d.to_string()))
            .collect();
        own_domains.dedup();
        ScreenContext {
            own_bases: own_addresses.iter().map(|a| base_address(a)).collect(),
            own_domains,
            own_addresses,
            directie_addresses,
            organisation: None,
        }
    }

    /// The firm's name, `organisation.name`.
    pub fn with_organisation(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.organisation = (!name.trim().is_empty()).then_some(name);
        self
    }
}

impl ScreenContext {
    /// Whether `base` (a base address) is one of the service's own addresses.
    pub fn is_own(&self, base: &str) -> bool {
        self.own_bases.iter().any(|o| o == base)
    }
}

/// `local+tag@domain` → `local@domain`, lower-cased.
pub fn base_address(address: &str) -> String {
    let a = address.trim();
    let mut out = String::with_capacity(a.len());
    match a.split_once('@') {
        Some((local, domain)) => {
            out.push_str(local.split('+').next().unwrap_or(local));
            out.push('@');
            out.push_str(domain);
        }
        None => out.push_str(a),
    }
    out.make_ascii_lowercase();
    out
}

const AUTO_SUBJECTS: &[&str] = &[
    "automatisch antwoord",
    "automatisch bericht",
    "automatische reactie",
    "automatic reply",
    "auto reply",
    "autoreply",
    "auto-reply",
    "out of office",
    "out of the office",
    "afwezig",
    "afwezigheidsbericht",
    "niet aanwezig",
    "abwesenheitsnotiz",
    "vakantie melding",
    // Not "ontvangstbevestiging": it is the subject of our own acknowledgement, and a
    // customer's "Re: Ontvangstbevestiging …" is a follow-up, not an auto-reply.
];

const BOUNCE_SUBJECTS: &[&str] = &[
    "undelivered mail returned to sender",
    "delivery status notification",
    "mail delivery failed",
    "undeliverable:",
    "onbestelbaar:",
    "failure notice",
    "returned mail:",
    "niet bezorgd:",
    "kan niet worden bezorgd",
];

/// Subjects of the notifications by which a review site, complaint site, social network,
/// forum or chat tool passes on what a person wrote to the firm or about it ("New 1-star
/// review", "Nieuwe review voor …", "New complaint about <firm>", "… sent a message to …",
/// "… heeft gereageerd op je bericht", "Nieuwe reactie: <topic>", "… mentioned <firm> in a
/// post", "WhatsApp-gesprek gesloten - <name>", "Websitechat - offline bericht van …"), and
/// the phone system's or chat tool's transcript of what a caller said or typed ("Nieuwe
/// voicemail van …", "Chattranscript #…", "Gespreksexport WhatsApp …"), a helpdesk's ticket
/// notification ("[Ticket #5218] Nieuw ticket aangemaakt: …"), and Kifid passing a
/// complaint on ("Kifid dossier … - doorzending klacht"): they come from a no-reply or
/// system address, often marked `Auto-Submitted: auto-generated` and `Precedence: bulk`,
/// but the words are the writer's, so such mail is judged on its content, as the website's
/// contact form is. List headers (`List-Id`, `List-Unsubscribe`, `List-Post`,
/// `Precedence: list`) and the marks of an automatic answer (`auto-replied`, `X-Autoreply`)
/// still screen it.
const RELAY_SUBJECTS: &[&str] = &[
    "review",
    "beoordeling",
    "recensie",
    "new complaint",
    "nieuwe klacht",
    "whatsapp",
    "chat",
    "offline bericht",
    "offline message",
    "getagd",
    "tagged",
    "sent you a message",
    "sent a message",
    "new message from",
    "commented on",
    "new comment",
    "replied to your",
    "new reply",
    "new topic",
    "new post",
    "new question",
    "mentioned",
    "wrote on your",
    "posted on your",
    "heeft je een bericht gestuurd",
    "heeft u een bericht gestuurd",
    "stuurde je een bericht",
    "stuurde u een bericht",
    "nieuw bericht van",
    "nieuw bericht voor",
    "heeft gereageerd op",
    "reageerde op",
    "nieuwe reactie",
    "reactie geplaatst",
    "nieuw antwoord",
    "nieuw onderwerp",
    "nieuwe vraag",
    "heeft je getagd",
    "heeft je genoemd",
    "noemde je",
    "voicemail",
    "voice mail",
    "spraakbericht",
    "transcript",
    "ticket #",
    "ticket#",
    "[ticket",
    "nieuw ticket",
    "new ticket",
    "ticket aangemaakt",
    "ticket created",
    "ticketnummer",
    "kifid",
    "doorzending",
];

fn matcher(words: &[&str]) -> DFA {
    DFA::builder()
        .ascii_case_insensitive(true)
        .prefilter(false)
        .build(words)
        .expect("subject markers")
}

/// How a mail program's read receipt sent as a plain message begins its subject ("Gelezen:
/// Offerte hypotheek", "Read: Your pension overview", "Niet gelezen: …").
const RECEIPT_SUBJECTS: &[&str] = &[
    "gelezen:",
    "niet gelezen:",
    "read:",
    "not read:",
    "gelesen:",
    "ungelesen:",
    "lu :",
    "lu:",
];

/// What such a receipt says of the message it answers ("Uw bericht … is gelezen op dinsdag
/// 2 juni 2026 12:15", "Your message … was read on …", "… is verwijderd zonder te zijn
/// gelezen").
const RECEIPT_BODIES: &[&str] = &[
    "is gelezen op",
    "werd gelezen op",
    "zonder te zijn gelezen",
    "zonder gelezen te zijn",
    "was read on",
    "was deleted without being read",
    "wurde am",
    "ohne gelesen zu werden",
];

/// A read receipt says no more than its subject and one line; a longer body is a person's.
const RECEIPT_MAX_BYTES: usize = 1_000;

static AUTO: LazyLock<DFA> = LazyLock::new(|| matcher(AUTO_SUBJECTS));
static BOUNCE: LazyLock<DFA> = LazyLock::new(|| matcher(BOUNCE_SUBJECTS));
static RELAY: LazyLock<DFA> = LazyLock::new(|| matcher(RELAY_SUBJECTS));
static RECEIPT_SUBJECT: LazyLock<DFA> = LazyLock::new(|| matcher(RECEIPT_SUBJECTS));
static RECEIPT_BODY: LazyLock<DFA> = LazyLock::new(|| matcher(RECEIPT_BODIES));

/// A read receipt sent as a plain message, not as `multipart/report` (which is screened as
/// a report): its subject starts with a receipt's marker, and its short body says that the
/// message was read (or deleted unread). Both are needed: "Read: the attached report" with
/// a person's text under it is a person's mail.
fn read_receipt(subject: &str, body: &str) -> bool {
    body.len() <= RECEIPT_MAX_BYTES
        && subject_starts_with(subject, &RECEIPT_SUBJECT)
        && any_marker(body, &RECEIPT_BODY, |_, _| true)
}

/// Whether any occurrence of a marker in `subject` satisfies `test(start, end)`. The
/// markers are ASCII, so their offsets are character boundaries.
fn any_marker(subject: &str, markers: &DFA, test: impl Fn(usize, usize) -> bool) -> bool {
    let mut found = false;
    for_each_match(markers, subject.as_bytes(), |_, start, end| {
        found = found || test(start, end);
    });
    found
}

/// The subject starts with a marker, or has one right after a "prefix:" or right before a
/// colon ("[Extern]: Automatisch antwoord", "Afwezig: …"). Not after reply and forward
/// prefixes alone: "Re: Automatisch antwoord: uw offerte" is a person answering an
/// automatic reply (often to say that no one answers), and an automatic reply to a reply
/// puts its marker first ("Automatisch antwoord: Re: …").
fn subject_has_marker(subject: &str, markers: &DFA) -> bool {
    any_marker(subject, markers, |start, end| {
        let before = &subject[..start];
        let answered = !before.trim().is_empty()
            && super::REPLY_PREFIX
                .find(before)
                .is_some_and(|m| m.end() == before.len());
        !answered
            && (start == 0
                || before.trim_end().ends_with(':')
                || subject[end..].trim_start().starts_with(':'))
    })
}

/// The subject starts with a marker.
fn subject_starts_with(subject: &str, markers: &DFA) -> bool {
    any_marker(subject, markers, |start, _| {
        subject[..start].trim().is_empty()
    })
}

pub fn screen(mail: &ParsedMail, ctx: &ScreenContext) -> Option<ScreenReason> {
    let from = mail
        .from
        .as_ref()
        .map(|a| base_address(&a.address))
        .unwrap_or_default();
    // The website's contact form comes from the firm's own (or a no-reply) address on
    // behalf of a customer: it is the customer's mail, judged on its content. A form
    // mailer that answers to the customer (`Reply-To`) may mark what it sends
    // `Auto-Submitted: auto-generated` (RFC 3834: made by a process), which says nothing
    // about who wrote the message in it; only an answer to another mail (`auto-replied`,
    // an out-of-office subject) is screened. klachtenbus's own notices, marked so too and
    // naming a customer in a field, answer to the service's own address: still screened.
    // A relay's subject ([`RELAY_SUBJECTS`]) says the same of what it passes on.
    let subject = mail.subject.as_deref().unwrap_or("");
    let relayed = any_marker(subject, &RELAY, |_, _| true);
    // klachtenbus's own notices quote the customer's subject: from the service's own
    // address, a relay's word there passes nothing on.
    if super::contact_form::customer(mail, ctx).is_some() {
        let form_mailer = super::contact_form::answers_to_customer(mail, ctx);
        let relayed = relayed && !ctx.own_bases.contains(&from);
        return automatic_from(mail, "", form_mailer || relayed)
            .filter(|r| *r != ScreenReason::NoReply);
    }
    if !from.is_empty() && ctx.own_bases.contains(&from) {
        return Some(ScreenReason::OwnAddress);
    }
    if !from.is_empty() && ctx.directie_addresses.contains(&from) {
        return Some(ScreenReason::Directie);
    }
    automatic_from(mail, &from, relayed)
}

/// Whether a mail is automatic (bounce, auto-reply, list mail, no-reply sender), whoever
/// sent it: directie's out-of-office replies are ignored by this test too.
pub fn automatic(mail: &ParsedMail) -> Option<ScreenReason> {
    let from = mail
        .from
        .as_ref()
        .map(|a| base_address(&a.address))
        .unwrap_or_default();
    automatic_from(mail, &from, false)
}

/// [`automatic`] for a mail from `from`. For mail that passes on a person's words
/// (`relayed`: a contact form answering to its customer, a relay's subject), an
/// `Auto-Submitted` value other than `auto-replied` is no sign of an automatic answer, nor
/// is `Precedence: bulk` one of list mail.
fn automatic_from(mail: &ParsedMail, from: &str, relayed: bool) -> Option<ScreenReason> {
    // Header names are stored lower-case; values are compared case-insensitively. One
    // pass over the kept headers picks out the ones screening reads.
    #[derive(Default)]
    struct Seen<'a> {
        return_path: Option<&'a str>,
        content_type: Option<&'a str>,
        failed_recipients: bool,
        auto_submitted: Option<&'a str>,
        autoreply: bool,
        precedence: Option<&'a str>,
        list: bool,
    }
    let mut h = Seen::default();
    for (name, values) in &mail.headers {
        let Some(v) = values.first().map(|v| v.trim()) else {
            continue;
        };
        match name.as_str() {
            "return-path" => h.return_path = Some(v),
            "content-type" => h.content_type = Some(v),
            "x-failed-recipients" => h.failed_recipients = true,
            "auto-submitted" => h.auto_submitted = Some(v),
            "x-autoreply" | "x-autorespond" => h.autoreply = true,
            "precedence" => h.precedence = Some(v),
            "list-id" | "list-unsubscribe" | "list-post" => h.list = true,
            _ => {}
        }
    }
    let header = |name: &str| match name {
        "return-path" => h.return_path,
        "content-type" => h.content_type,
        "auto-submitted" => h.auto_submitted,
        "precedence" => h.precedence,
        _ => None,
    };
    let local = from.split('@').next().unwrap_or("");
    let subject = mail.subject.as_deref().unwrap_or("");
    let content_type = header("content-type").unwrap_or_default();

    let null_return_path = header("return-path").is_some_and(|rp| {
        rp.trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
            .is_empty()
    });
    if null_return_path
        || matches!(local, "mailer-daemon" | "postmaster")
        || content_type
            .get(..16)
            .is_some_and(|ct| ct.eq_ignore_ascii_case("multipart/report"))
        || h.failed_recipients
        || subject_starts_with(subject, &BOUNCE)
    {
        return Some(ScreenReason::Bounce);
    }

    let starts = |v: &str, p: &str| v.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p));
    let auto_submitted = header("auto-submitted").is_some_and(|v| {
        if relayed {
            starts(v, "auto-replied")
        } else {
            !starts(v, "no")
        }
    });
    let precedence = header("precedence").unwrap_or_default();
    let precedence_is = |p: &str| precedence.eq_ignore_ascii_case(p);
    if auto_submitted
        || h.autoreply
        || precedence_is("auto_reply")
        || precedence_is("junk")
        || subject_has_marker(subject, &AUTO)
        || read_receipt(subject, mail.body_text.as_deref().unwrap_or(""))
    {
        return Some(ScreenReason::AutoReply);
    }

    // A relay's system marks what it sends as bulk to keep auto-replies away; a list's own
    // headers still make it list mail.
    if h.list || (precedence_is("bulk") && !relayed) || precedence_is("list") {
        return Some(ScreenReason::MailingList);
    }

    if is_no_reply_local(local) && !any_marker(subject, &RELAY, |_, _| true) {
        return Some(ScreenReason::NoReply);
    }
    None
}

/// A local part that takes no answers: `no-reply`, `do_not_reply`, `geen-antwoord`, ….
pub fn is_no_reply_local(local: &str) -> bool {
    let squashed = || {
        local
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase())
    };
    ["donotreply", "geenantwoord", "nietbeantwoorden"]
        .iter()
        .any(|w| squashed().eq(w.bytes()))
        || squashed().take(7).eq("noreply".bytes())
}

/// An address no automatic mail may go to: a no-reply sender, or a mail system's own
/// (MAILER-DAEMON, postmaster).
pub fn refuses_mail(address: &str) -> bool {
    let base = base_address(address);
    let local = base.split('@').next().unwrap_or("");
    matches!(local, "mailer-daemon" | "postmaster") || is_no_reply_local(local)
}
