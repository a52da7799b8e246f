//! Per-case reply tokens: `kl-2026-0007-<24 hex>`, an HMAC-SHA256 with
//! `directie.reply_secret` over the case reference and one directie address. The token sits
//! in the notification's Reply-To plus-address (`klachten+<token>@firma.nl`) and in its
//! Message-ID, so a reply carries it in To/Delivered-To or in References. A token proves
//! that the reply answers *this* case's notification to *this* directie address.

use std::sync::LazyLock;

use hmac::{Hmac, Mac};
use regex::Regex;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::CaseRef;
use crate::detect::screen::base_address;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the MAC kept in a token (96 bits).
const MAC_BYTES: usize = 12;

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bkl-(\d{4})-(\d{4,7})-([0-9a-f]{24})\b").expect("token pattern")
});

#[derive(Clone)]
pub struct TokenKey(SecretString);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey([hidden])")
    }
}

impl TokenKey {
    pub fn new(secret: SecretString) -> Self {
        TokenKey(secret)
    }

    fn mac(&self, case: CaseRef, directie: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.0.expose_secret().as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(case.to_string().as_bytes());
        mac.update(b"\n");
        mac.update(base_address(directie).as_bytes());
        mac
    }

    /// The token for `case` as sent to `directie`.
    pub fn token(&self, case: CaseRef, directie: &str) -> String {
        let tag = self.mac(case, directie).finalize().into_bytes();
        format!(
            "kl-{}-{:04}-{}",
            case.year(),
            case.seq(),
            hex::encode(&tag[..MAC_BYTES])
        )
    }

    /// The case of the first token in `candidates` that verifies for `directie`. The MAC
    /// is compared in constant time.
    pub fn verify<'a>(
        &self,
        candidates: impl IntoIterator<Item = &'a str>,
        directie: &str,
    ) -> Option<CaseRef> {
        candidates.into_iter().find_map(|text| {
            TOKEN.captures_iter(text).find_map(|c| {
                let case = CaseRef::new(c[1].parse().ok()?, c[2].parse().ok()?)?;
                let tag = hex::decode(c[3].to_ascii_lowercase()).ok()?;
                self.mac(case, directie)
                    .verify_truncated_left(&tag)
                    .ok()
                    .map(|()| case)
            })
        })
    }
}

static FORWARD_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bkl-doorsturen-([0-9a-f]{24})\b").expect("forward token"));

impl TokenKey {
    fn forward_mac(&self, directie: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.0.expose_secret().as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(b"doorsturen\n");
        mac.update(base_address(directie).as_bytes());
        mac
    }

    /// The token of `directie`'s forwarding address (`klachten+kl-doorsturen-…@firma.nl`):
    /// a mail forwarded there with `KLACHT` on top proves it comes from that address.
    pub fn forward_token(&self, directie: &str) -> String {
        let tag = self.forward_mac(directie).finalize().into_bytes();
        format!("kl-doorsturen-{}", hex::encode(&tag[..MAC_BYTES]))
    }

    /// Whether a forwarding token among `candidates` verifies for `directie`.
    pub fn verify_forward<'a>(
        &self,
        candidates: impl IntoIterator<Item = &'a str>,
        directie: &str,
    ) -> bool {
        candidates.into_iter().any(|text| {
            FORWARD_TOKEN.captures_iter(text).any(|c| {
                hex::decode(c[1].to_ascii_lowercase()).is_ok_and(|tag| {
                    self.forward_mac(directie)
                        .verify_truncated_left(&tag)
                        .is_ok()
                })
            })
        })
    }
}

impl TokenKey {
    fn doubt_mac(&self, message: i64, directie: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.0.expose_secret().as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(format!("twijfel\n{message}\n").as_bytes());
        mac.update(base_address(directie).as_bytes());
        mac
    }

    /// The number under which doubtful mail `message` is listed to `directie` in the
    /// digest: `17-3f9a2c81d0e4` (register id, 48-bit MAC over id and address).
    pub fn doubt_number(&self, message: i64, directie: &str) -> String {
        let tag = self.doubt_mac(message, directie).finalize().into_bytes();
        format!("{message}-{}", hex::encode(&tag[..6]))
    }

    /// Whether `token` is the one listed for `message` to `directie` (constant time).
    pub fn verify_doubt(&self, message: i64, token: &str, directie: &str) -> bool {
        hex::decode(token).is_ok_and(|tag| {
            tag.len() == 6
                && self
                    .doubt_mac(message, directie)
                    .verify_truncated_left(&tag)
                    .is_ok()
        })
    }
}

/// True when `text` holds something shaped like a token (verified or not).
pub fn has_token_shape(text: &str) -> bool {
    TOKEN.is_match(text)
}

/// `klachten@firma.nl` + token → `klachten+<token>@firma.nl`.
pub fn plus_address(from: &str, token: &str) -> String {
    match from.split_once('@') {
        Some((local, domain)) => format!("{local}+{token}@{domain}"),
        None => from.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::new(SecretString::from("een lang geheim van de directie"))
    }

    #[test]
    fn token_verifies_for_its_case_and_address_only() {
        let k = key();
        let c7 = CaseRef::new(2026, 7).unwrap();
        let c8 = CaseRef::new(2026, 8).unwrap();
        let t = k.token(c7, "Jan@Firma.nl");
        assert!(t.starts_with("kl-2026-0007-"), "{t}");
        assert_eq!(t.len(), "kl-2026-0007-".len() + 24);
        let reply_to = plus_address("klachten@firma.nl", &t);
        assert_eq!(k.verify([reply_to.as_str()], "jan@firma.nl"), Some(c7));
        // Upper-cased by a mail system on the way.
        assert_eq!(
            k.verify([reply_to.to_uppercase().as_str()], "jan@firma.nl"),
            Some(c7)
        );
        // Another directie address.
        assert_eq!(k.verify([reply_to.as_str()], "els@firma.nl"), None);
        // The MAC of case 7 with the reference of case 8.
        let forged = t.replace("kl-2026-0007", "kl-2026-0008");
        assert_eq!(k.verify([forged.as_str()], "jan@firma.nl"), None);
        assert_ne!(k.token(c8, "jan@firma.nl"), forged);
        // Another secret.
        let other = TokenKey::new(SecretString::from("een ander geheim, even lang"));
        assert_eq!(other.verify([t.as_str()], "jan@firma.nl"), None);
        // A token in a Message-ID found among References.
        let refs = format!("<abc@x> <kb.12.{t}@firma.nl>");
        assert_eq!(k.verify(["<x@y>", refs.as_str()], "jan@firma.nl"), Some(c7));
        assert!(has_token_shape(&forged));
        assert!(!format!("{k:?}").contains("geheim"));
    }

    #[test]
    fn doubt_numbers_verify_for_their_message_and_address_only() {
        let k = key();
        let n = k.doubt_number(17, "Jan@Firma.nl");
        let (id, token) = n.split_once('-').unwrap();
        assert_eq!(id, "17");
        assert_eq!(token.len(), 12);
        assert!(k.verify_doubt(17, token, "jan@firma.nl"));
        assert!(!k.verify_doubt(18, token, "jan@firma.nl"));
        assert!(!k.verify_doubt(17, token, "els@firma.nl"));
        assert!(!k.verify_doubt(17, "000000000000", "jan@firma.nl"));
        assert!(!k.verify_doubt(17, "zz", "jan@firma.nl"));
    }

    #[test]
    fn forwarding_token_verifies_for_its_address_only() {
        let k = key();
        let t = k.forward_token("Jan@Firma.nl");
        assert!(t.starts_with("kl-doorsturen-"), "{t}");
        let to = plus_address("klachten@firma.nl", &t);
        assert!(k.verify_forward([to.as_str()], "jan@firma.nl"));
        assert!(k.verify_forward([to.to_uppercase().as_str()], "jan@firma.nl"));
        assert!(!k.verify_forward([to.as_str()], "els@firma.nl"));
        assert!(!k.verify_forward(["klachten@firma.nl"], "jan@firma.nl"));
        // A case token is no forwarding token, and the other way round.
        let case = k.token(CaseRef::new(2026, 7).unwrap(), "jan@firma.nl");
        assert!(!k.verify_forward([case.as_str()], "jan@firma.nl"));
        assert!(!has_token_shape(&t));
    }
}
