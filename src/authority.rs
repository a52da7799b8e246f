//! Who a mail is from, for decisions that carry authority (directie's commands, staff's
//! forms): exactly one author, compared after normalisation, and — when the receiving
//! server is trusted — an `Authentication-Results` pass (RFC 8601) that is *aligned* with
//! that author's domain. Pure code: it reads a parsed mail and says yes or why not.

use crate::parse::ParsedMail;

/// Why a mail's authorship cannot be trusted (Dutch: directie reads it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unproven {
    #[error("de mail heeft {0} From-regels; er mag er precies één zijn")]
    FromHeaders(usize),
    #[error("de From-regel noemt {0} adressen; er mag er precies één zijn")]
    FromMailboxes(usize),
    #[error("het afzenderadres is onleesbaar")]
    BadAddress,
    #[error("de mail is namens {sender} verstuurd (Sender), dat geen bevoegd adres is")]
    Sender { sender: String },
    #[error("de mail is niet als echt bevestigd: geen Authentication-Results van {authserv} met een dkim- of dmarc-pass voor het domein {domain}")]
    NotAuthenticated { authserv: String, domain: String },
}

/// An address as compared for authority: trimmed, without angle brackets, lower case,
/// without a `+tag`, the domain without a trailing dot and in its ASCII (IDNA) form.
/// `None` when it is not an address.
pub fn normalize_address(address: &str) -> Option<String> {
    let a = address
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let (local, domain) = a.rsplit_once('@')?;
    let local = local.split('+').next().unwrap_or(local);
    let domain = normalize_domain(domain)?;
    if local.is_empty() || local.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some(format!("{}@{domain}", local.to_lowercase()))
}

/// A domain in lower-case ASCII (IDNA), without a trailing dot.
pub fn normalize_domain(domain: &str) -> Option<String> {
    let d = domain.trim().strip_suffix('.').unwrap_or(domain.trim());
    if d.is_empty() || d.ends_with('.') {
        return None;
    }
    let ascii = idna::domain_to_ascii(d).ok()?;
    (!ascii.is_empty() && ascii.contains('.')).then_some(ascii)
}

/// The one author of `mail`: its From header must occur once and hold one mailbox.
/// Messages stored before the raw From header was kept fall back to the parsed From.
pub fn single_author(mail: &ParsedMail) -> Result<String, Unproven> {
    match mail.headers.get("from") {
        Some(values) => {
            if values.len() != 1 {
                return Err(Unproven::FromHeaders(values.len()));
            }
            let boxes = mailboxes(&values[0]);
            if boxes.len() != 1 {
                return Err(Unproven::FromMailboxes(boxes.len()));
            }
            normalize_address(&boxes[0]).ok_or(Unproven::BadAddress)
        }
        None => mail
            .from
            .as_ref()
            .and_then(|a| normalize_address(&a.address))
            .ok_or(Unproven::BadAddress),
    }
}

/// The mailboxes in an address header's raw value, read by mail-parser (groups opened).
pub fn mailboxes(value: &str) -> Vec<String> {
    let header = format!("From: {value}\r\n\r\n");
    let parsed = std::panic::catch_unwind(|| {
        let msg = mail_parser::MessageParser::default().parse(header.as_bytes())?;
        let from = msg.from()?;
        Some(
            from.iter()
                .map(|a| a.address().unwrap_or("").to_string())
                .collect::<Vec<_>>(),
        )
    });
    parsed.ok().flatten().unwrap_or_default()
}

/// Checks that `mail` is from one author in `trusted`, that a differing Sender is also
/// in `trusted`, and — when `authserv` is given — that the topmost
/// `Authentication-Results` from that server shows an aligned pass. Returns the author.
pub fn prove(
    mail: &ParsedMail,
    trusted: &[String],
    authserv: Option<&str>,
) -> Result<String, Unproven> {
    let author = single_author(mail)?;
    if let Some(sender) = mail.headers.get("sender").and_then(|v| v.first()) {
        let boxes = mailboxes(sender);
        let sender = match boxes.as_slice() {
            [one] => normalize_address(one).ok_or(Unproven::BadAddress)?,
            _ => return Err(Unproven::BadAddress),
        };
        if sender != author
            && !trusted
                .iter()
                .any(|t| normalize_address(t) == Some(sender.clone()))
        {
            return Err(Unproven::Sender { sender });
        }
    }
    if let Some(authserv) = authserv {
        let domain = author.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        if !aligned_pass(mail, authserv, domain) {
            return Err(Unproven::NotAuthenticated {
                authserv: authserv.to_string(),
                domain: domain.to_string(),
            });
        }
    }
    Ok(author)
}

/// The topmost `Authentication-Results` header from `authserv` (the receiving server puts
/// its own on top; one a sender forged lies below it) shows `dmarc=pass` with
/// `header.from` equal to `domain`, or `dkim=pass` with `header.d` equal to `domain` or a
/// parent of it within the same registrable domain.
pub fn aligned_pass(mail: &ParsedMail, authserv: &str, domain: &str) -> bool {
    let Some(domain) = normalize_domain(domain) else {
        return false;
    };
    let Some(results) = mail
        .headers
        .get("authentication-results")
        .into_iter()
        .flatten()
        .filter_map(|h| AuthResults::parse(h))
        .find(|r| r.authserv_id.eq_ignore_ascii_case(authserv))
    else {
        return false;
    };
    results.results.iter().any(|r| {
        r.result == "pass"
            && match r.method.as_str() {
                "dmarc" => r
                    .property("header.from")
                    .and_then(normalize_domain)
                    .is_some_and(|d| d == domain),
                "dkim" => r
                    .property("header.d")
                    .and_then(normalize_domain)
                    .is_some_and(|d| dkim_aligned(&d, &domain)),
                _ => false,
            }
    })
}

/// Relaxed DKIM alignment: the signing domain is the author's domain, or a parent of it
/// that is not above the registrable domain (so `d=nl` or `d=co.uk` never aligns).
fn dkim_aligned(signer: &str, author: &str) -> bool {
    if signer == author {
        return true;
    }
    let Some(registrable) = psl::domain_str(author) else {
        return false;
    };
    author.ends_with(&format!(".{signer}"))
        && (signer == registrable || signer.ends_with(&format!(".{registrable}")))
}

/// One parsed `Authentication-Results` header (RFC 8601 section 2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    pub authserv_id: String,
    pub results: Vec<MethodResult>,
}

/// `method=result` with its `ptype.property=value` pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    pub method: String,
    pub result: String,
    pub properties: Vec<(String, String)>,
}

impl MethodResult {
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl AuthResults {
    /// Parses one header value. Comments (nested, with quoted pairs) are removed first;
    /// quoted strings are read as one value, so `;` or `=` inside them splits nothing.
    /// `None` when there is no authserv-id.
    pub fn parse(value: &str) -> Option<AuthResults> {
        let tokens = tokenize(value);
        let mut parts = tokens.split(|t| *t == Token::Semi);
        let head = parts.next()?;
        let authserv_id = match head.first()? {
            Token::Word(w) => w.to_ascii_lowercase(),
            _ => return None,
        };
        let mut results = Vec::new();
        for part in parts {
            // method [ "/" version ] "=" result, then reason and properties.
            let mut it = part.iter().peekable();
            let Some(Token::Word(method)) = it.next() else {
                continue;
            };
            let mut method = method.to_ascii_lowercase();
            if let Some((m, _version)) = method.clone().split_once('/') {
                method = m.to_string();
            }
            if it.next() != Some(&Token::Eq) {
                continue;
            }
            let Some(Token::Word(result)) = it.next() else {
                continue;
            };
            let mut properties = Vec::new();
            while let Some(t) = it.next() {
                if let Token::Word(name) = t {
                    if it.peek() == Some(&&Token::Eq) {
                        it.next();
                        match it.next() {
                            Some(Token::Word(v)) | Some(Token::Quoted(v)) => {
                                properties.push((name.to_ascii_lowercase(), v.clone()))
                            }
                            _ => {}
                        }
                    }
                }
            }
            results.push(MethodResult {
                method,
                result: result.to_ascii_lowercase(),
                properties,
            });
        }
        Some(AuthResults {
            authserv_id,
            results,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Eq,
    Semi,
}

/// Splits a header value into words, quoted strings, `=` and `;`, dropping comments.
fn tokenize(value: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '(' => {
                flush(&mut word, &mut out);
                let mut depth = 1;
                while depth > 0 {
                    match chars.next() {
                        Some('\\') => {
                            chars.next();
                        }
                        Some('(') => depth += 1,
                        Some(')') => depth -= 1,
                        Some(_) => {}
                        None => break,
                    }
                }
            }
            '"' => {
                flush(&mut word, &mut out);
                let mut q = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                q.push(n);
                            }
                        }
                        '"' => break,
                        c => q.push(c),
                    }
                }
                out.push(Token::Quoted(q));
            }
            '=' => {
                flush(&mut word, &mut out);
                out.push(Token::Eq);
            }
            ';' => {
                flush(&mut word, &mut out);
                out.push(Token::Semi);
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn mail(headers: &[(&str, &str)]) -> ParsedMail {
        let mut raw = String::new();
        for (n, v) in headers {
            raw.push_str(&format!("{n}: {v}\r\n"));
        }
        raw.push_str("Subject: KLACHT\r\n\r\nKLACHT\r\n");
        crate::parse::parse(raw.as_bytes())
    }

    const MX: &str = "mx.firma.example";
    const DIRECTIE: &str = "directie@firma.example";

    fn trusted() -> Vec<String> {
        vec![DIRECTIE.to_string()]
    }

    fn verdict(headers: &[(&str, &str)]) -> Result<String, Unproven> {
        prove(&mail(headers), &trusted(), Some(MX))
    }

    #[test]
    fn an_aligned_pass_from_the_trusted_server_is_accepted() {
        for ar in [
            "mx.firma.example; dkim=pass header.d=firma.example; spf=pass",
            "mx.firma.example; dmarc=pass header.from=firma.example",
            "MX.FIRMA.EXAMPLE 1; dkim=pass (good signature) header.d=FIRMA.EXAMPLE.",
            // The trusted server's header on top, a forged one below it.
            "mx.firma.example; dkim=pass header.d=firma.example",
        ] {
            assert_eq!(
                verdict(&[("From", DIRECTIE), ("Authentication-Results", ar)]),
                Ok(DIRECTIE.to_string()),
                "{ar}"
            );
        }
        // A parent signing domain within the registrable domain aligns (relaxed).
        let sub = "directie@mail.firma.example";
        assert!(prove(
            &mail(&[
                ("From", sub),
                (
                    "Authentication-Results",
                    "mx.firma.example; dkim=pass header.d=firma.example"
                )
            ]),
            &[sub.to_string()],
            Some(MX)
        )
        .is_ok());
    }

    #[test]
    fn a_pass_that_is_not_aligned_or_not_a_result_is_refused() {
        for ar in [
            // A pass for another domain.
            "mx.firma.example; dkim=pass header.d=evil.example",
            "mx.firma.example; dmarc=pass header.from=evil.example",
            // A pass for a look-alike suffix, or for a public suffix.
            "mx.firma.example; dkim=pass header.d=xfirma.example",
            "mx.firma.example; dkim=pass header.d=example",
            // A pass inside a comment, or in a quoted reason.
            "mx.firma.example; dkim=fail (dkim=pass header.d=firma.example) header.d=firma.example",
            "mx.firma.example; spf=fail reason=\"dkim=pass header.d=firma.example\"",
            "mx.firma.example; dkim=neutral header.d=firma.example",
            // No signing domain at all.
            "mx.firma.example; dkim=pass",
            // Another server's word.
            "mx.evil.example; dkim=pass header.d=firma.example",
            // A result before the authserv-id.
            "dkim=pass header.d=firma.example",
        ] {
            assert!(
                matches!(
                    verdict(&[("From", DIRECTIE), ("Authentication-Results", ar)]),
                    Err(Unproven::NotAuthenticated { .. })
                ),
                "{ar}"
            );
        }
        // Only the topmost header of the trusted server counts: a forged pass below a fail.
        let m = mail(&[
            ("From", DIRECTIE),
            (
                "Authentication-Results",
                "mx.firma.example; dkim=fail header.d=firma.example",
            ),
            (
                "Authentication-Results",
                "mx.firma.example; dkim=pass header.d=firma.example",
            ),
        ]);
        assert!(prove(&m, &trusted(), Some(MX)).is_err());
        // Without any header.
        assert!(verdict(&[("From", DIRECTIE)]).is_err());
        // A co.uk-style public suffix never aligns.
        assert!(!dkim_aligned("co.uk", "firma.co.uk"));
        assert!(dkim_aligned("firma.co.uk", "mail.firma.co.uk"));
    }

    #[test]
    fn from_must_be_one_header_with_one_address() {
        let ok = "mx.firma.example; dkim=pass header.d=firma.example";
        assert_eq!(
            verdict(&[
                ("From", "Directie <DIRECTIE@Firma.Example.>"),
                ("Authentication-Results", ok)
            ]),
            Ok(DIRECTIE.to_string())
        );
        assert_eq!(
            verdict(&[
                ("From", "directie@firma.example, evil@evil.example"),
                ("Authentication-Results", ok)
            ]),
            Err(Unproven::FromMailboxes(2))
        );
        assert_eq!(
            verdict(&[
                ("From", DIRECTIE),
                ("From", "evil@evil.example"),
                ("Authentication-Results", ok)
            ]),
            Err(Unproven::FromHeaders(2))
        );
        assert_eq!(
            verdict(&[("From", "Team: directie@firma.example, evil@evil.example;")]),
            Err(Unproven::FromMailboxes(2))
        );
        // A Sender that is someone else.
        assert_eq!(
            verdict(&[
                ("From", DIRECTIE),
                ("Sender", "evil@evil.example"),
                ("Authentication-Results", ok)
            ]),
            Err(Unproven::Sender {
                sender: "evil@evil.example".into()
            })
        );
        // A Sender that is the author, or another trusted address, is fine.
        assert!(verdict(&[
            ("From", DIRECTIE),
            ("Sender", "Directie <directie@firma.example>"),
            ("Authentication-Results", ok)
        ])
        .is_ok());
        // Without a trusted server configured, From alone decides.
        assert!(prove(&mail(&[("From", DIRECTIE)]), &trusted(), None).is_ok());
    }

    #[test]
    fn addresses_are_normalised_for_comparison() {
        assert_eq!(
            normalize_address("<Directie+x@Firma.Example.>").as_deref(),
            Some("directie@firma.example")
        );
        assert_eq!(
            normalize_address("jan@bücher.example").as_deref(),
            Some("jan@xn--bcher-kva.example")
        );
        assert_eq!(normalize_address("geen adres"), None);
        assert_eq!(normalize_address("a@b..").as_deref(), None);
        // The parsed From is used when the raw header was not kept (older messages).
        let mut m = mail(&[("From", DIRECTIE)]);
        m.headers = BTreeMap::new();
        assert_eq!(single_author(&m), Ok(DIRECTIE.to_string()));
    }

    #[test]
    fn authentication_results_are_parsed_per_rfc_8601() {
        let r = AuthResults::parse(
            "mx.example.org 1; (a comment; with = signs) dkim=pass (sig ok) header.d=\"example.org\" header.s=sel; spf=none smtp.mailfrom=x@y",
        )
        .unwrap();
        assert_eq!(r.authserv_id, "mx.example.org");
        assert_eq!(r.results.len(), 2);
        assert_eq!(r.results[0].method, "dkim");
        assert_eq!(r.results[0].property("header.d"), Some("example.org"));
        assert_eq!(r.results[1].result, "none");
        assert!(AuthResults::parse("").is_none());
        assert!(AuthResults::parse("; dkim=pass").is_none());
    }
}
