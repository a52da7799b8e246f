//! Mail the firm's own people or systems send for a customer. A website contact-form mail:
//! sent by the firm's own web server (from one of its own addresses, or a no-reply
//! address), with the customer in `Reply-To` or in a labelled field of the body ("E-mail:
//! …"). A colleague's forward of a customer's mail to the shared inbox. Such a mail is the
//! customer's: it is judged on its content like any other, and letters go to the customer,
//! not to the web server or the colleague.

use std::sync::LazyLock;

use regex::Regex;

use super::screen::{base_address, is_no_reply_local, ScreenContext};
use crate::parse::{MailAddress, ParsedMail};

/// A labelled e-mail field in a form body ("E-mail: jan@example.nl", "Uw e-mailadres: …").
static EMAIL_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?im)^[\s*|]*(?:uw\s+|your\s+)?(?:e-?mail(?:adres)?|e-?mail\s+address|mail)\s*[:=]\s*<?(?:mailto:)?([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+?)>?[\s.,;]*$",
    )
    .expect("form e-mail field")
});

/// A labelled name field ("Naam: …", "Name: …").
static NAME_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)^[\s*|]*(?:uw\s+|your\s+)?(?:naam|name|volledige naam|full name)\s*[:=]\s*(.{2,80}?)\s*$")
        .expect("form name field")
});

/// The customer behind a contact-form mail, or `None` when `mail` is not one: the sender
/// is one of the firm's own addresses, at one of its domains, or a no-reply address, and the
/// customer is none of the firm's own or directie's addresses, nor the sender, nor no-reply.
pub fn customer(mail: &ParsedMail, ctx: &ScreenContext) -> Option<MailAddress> {
    find(mail, ctx).map(|(customer, _)| customer)
}

/// Whether `mail` is a contact form's whose `Reply-To` names the customer: a form mailer
/// answering to the customer, which klachtenbus's own notices (answered to the service's
/// own address, the customer at most in a labelled field) never are.
pub fn answers_to_customer(mail: &ParsedMail, ctx: &ScreenContext) -> bool {
    find(mail, ctx).is_some_and(|(_, by_reply_to)| by_reply_to)
}

/// The customer whose mail a colleague forwarded: `mail` is from a colleague (an address at
/// one of the firm's own domains, not the service's own nor directie's, no contact form),
/// and the first thing under its new text is a forward ([`newtext::forward`]) whose
/// sender is outside the firm (at none of its domains, no no-reply address). Who a case about it is opened for; the colleague stays its
/// sender. `None` for any other mail.
///
/// [`newtext::forward`]: super::newtext::forward
pub fn forwarded_customer(mail: &ParsedMail, ctx: &ScreenContext) -> Option<MailAddress> {
    let sender = base_address(&mail.from.as_ref()?.address);
    if super::colleague_domain(mail, ctx).is_none()
        || ctx.is_own(&sender)
        || ctx.directie_addresses.contains(&sender)
    {
        return None;
    }
    let line = super::newtext::forward(mail.body_text.as_deref()?)?.sender?;
    crate::parse::header_mailbox(line).filter(|found| {
        let colleagues = found
            .address
            .rsplit_once('@')
            .is_some_and(|(_, d)| ctx.own_domains.iter().any(|own| own == d));
        !colleagues && is_customer(&found.address, &sender, ctx)
    })
}

/// Whether `address` can be a customer's in mail `sender` sent for them: none of the firm's
/// own or directie's addresses, not the sender, no no-reply address, at a dotted domain.
fn is_customer(address: &str, sender: &str, ctx: &ScreenContext) -> bool {
    let base = base_address(address);
    match base.split_once('@') {
        Some((l, d)) => {
            base != sender
                && !ctx.is_own(&base)
                && !ctx.directie_addresses.contains(&base)
                && !is_no_reply_local(l)
                && d.contains('.')
        }
        None => false,
    }
}

/// [`customer`], and whether `Reply-To` named them (else a labelled field did).
fn find(mail: &ParsedMail, ctx: &ScreenContext) -> Option<(MailAddress, bool)> {
    let sender = base_address(&mail.from.as_ref()?.address);
    let (local, domain) = sender.split_once('@')?;
    let from_firm = ctx.own_domains.iter().any(|d| d == domain) || is_no_reply_local(local);
    if !from_firm {
        return None;
    }
    let outside = |address: &str| is_customer(address, &sender, ctx);
    let named = |address: &str, name: Option<String>| MailAddress {
        name,
        address: crate::parse::clean(&address.trim().to_ascii_lowercase(), 320),
    };
    let body = mail.body_text.as_deref().unwrap_or("");
    let field_name = || {
        NAME_FIELD
            .captures(body)
            .map(|c| crate::parse::clean(c[1].trim(), 200))
            .filter(|n| !n.is_empty())
    };
    if let Some(reply_to) = mail.header("reply-to") {
        let boxes = crate::authority::mailboxes(reply_to);
        if let [one] = boxes.as_slice() {
            if outside(one) {
                return Some((named(one, field_name()), true));
            }
        }
    }
    let found = EMAIL_FIELD.captures(body)?;
    let address = found.get(1)?.as_str();
    outside(address).then(|| (named(address, field_name()), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(from: &str, extra: &str, body: &str) -> ParsedMail {
        let raw = format!(
            "From: {from}\r\n{extra}Subject: Contactformulier\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        );
        crate::parse::parse(raw.as_bytes())
    }

    fn own() -> ScreenContext {
        ScreenContext::new(
            ["klachten@firma.example".to_string()],
            ["directie@firma.example".to_string()],
        )
    }

    #[test]
    fn reply_to_or_a_labelled_field_names_the_customer() {
        let m = mail(
            "Website <website@firma.example>",
            "Reply-To: Jan Klant <Jan@Klant.example>\r\n",
            "Naam: Jan Klant\nBericht: het advies klopt niet",
        );
        let c = customer(&m, &own()).unwrap();
        assert_eq!(c.address, "jan@klant.example");
        assert_eq!(c.name.as_deref(), Some("Jan Klant"));
        // No Reply-To: the body's field, from a no-reply sender at another host.
        let m = mail(
            "noreply@webhost.example",
            "",
            "Naam:   D. Hofman\nE-mail:   d.hofman@hetnet.example\nBericht: niemand gekomen",
        );
        assert_eq!(
            customer(&m, &own()).unwrap().address,
            "d.hofman@hetnet.example"
        );
        let m = mail(
            "website@firma.example",
            "",
            "Your email: <mailto:x@y.example>\nMessage: hi",
        );
        assert_eq!(customer(&m, &own()).unwrap().address, "x@y.example");
    }

    #[test]
    fn ordinary_and_internal_mail_is_not_a_form() {
        // A customer's own mail.
        let m = mail(
            "jan@klant.example",
            "Reply-To: piet@klant.example\r\n",
            "E-mail: piet@klant.example",
        );
        assert!(customer(&m, &own()).is_none());
        // Mail from the firm's address answered to itself or to directie.
        let m = mail(
            "els@firma.example",
            "Reply-To: klachten@firma.example\r\n",
            "Zie hieronder.",
        );
        assert!(customer(&m, &own()).is_none());
        let m = mail(
            "website@firma.example",
            "Reply-To: directie@firma.example\r\n",
            "E-mail: website@firma.example",
        );
        assert!(customer(&m, &own()).is_none());
        // A form without any customer address.
        let m = mail(
            "website@firma.example",
            "",
            "Naam: Jan\nTelefoon: 0612345678",
        );
        assert!(customer(&m, &own()).is_none());
        // A newsletter from a no-reply sender pointing back at another no-reply.
        let m = mail(
            "noreply@bank.example",
            "Reply-To: no-reply@bank.example\r\n",
            "Uw maandoverzicht",
        );
        assert!(customer(&m, &own()).is_none());
    }

    #[test]
    fn a_colleagues_forward_names_the_customer_whose_mail_it_passes_on() {
        let gmail = "\n\n---------- Forwarded message ---------\nFrom: Harm Hendriks <Harm@Klant.example>\n\
                     Date: Mon, 23 Nov 2026 at 19:33\nSubject: schade schuur\nTo: anouk@firma.example\n\n\
                     Je zei dat alles gedekt was.\n";
        let m = mail("Anouk <anouk@firma.example>", "", gmail);
        let c = forwarded_customer(&m, &own()).unwrap();
        assert_eq!(c.address, "harm@klant.example");
        assert_eq!(c.name.as_deref(), Some("Harm Hendriks"));
        // Outlook's block, with a comment of the colleague's own above it.
        let outlook =
            "Graag oppakken, klant is boos.\n\nVan: Klant, Jan [mailto:jan@klant.example]\n\
                       Verzonden: maandag 23 november 2026 19:33\nAan: Anouk\nOnderwerp: advies\n\n\
                       Het advies klopte niet.";
        let c = forwarded_customer(&mail("anouk@firma.example", "", outlook), &own()).unwrap();
        assert_eq!(c.address, "jan@klant.example");
        assert_eq!(c.name.as_deref(), Some("Klant, Jan"));
    }

    #[test]
    fn only_a_colleagues_forward_of_an_outside_sender_changes_who_complains() {
        let forward = |from: &str| {
            format!(
                "\n-------- Doorgestuurd bericht --------\nVan: {from}\nOnderwerp: x\n\nHet advies klopte niet.\n"
            )
        };
        let none = |sender: &str, body: &str| {
            assert!(
                forwarded_customer(&mail(sender, "", body), &own()).is_none(),
                "{sender}: {body}"
            )
        };
        // The customer forwarding their own earlier mail: they are the sender already.
        none("harm@klant.example", &forward("Harm <harm@klant.example>"));
        // A colleague forwarding a colleague's, the service's own or directie's mail.
        none("anouk@firma.example", &forward("Els <els@firma.example>"));
        none("anouk@firma.example", &forward("klachten@firma.example"));
        none("anouk@firma.example", &forward("directie@firma.example"));
        // Directie forwarding (their own route), the service itself, a no-reply original.
        none("directie@firma.example", &forward("harm@klant.example"));
        none("klachten@firma.example", &forward("harm@klant.example"));
        none("anouk@firma.example", &forward("no-reply@bank.example"));
        // A colleague's reply above a customer's quoted mail is no forward; nor a sender
        // line without an address.
        none(
            "anouk@firma.example",
            "Dank je.\n\nOp 23 nov. 2026 schreef Harm <harm@klant.example>:\n> Het advies klopte niet.\n",
        );
        none("anouk@firma.example", &forward("Harm Hendriks"));
    }
}
