//! Cases and directie's replies, end to end on Dovecot + Postfix with mail read back over
//! IMAP (issue: directie decides by reply).

use std::time::Duration;

use klachtenbus::case::CaseRef;
use klachtenbus::parse::ParsedMail;

use crate::harness::{header_block, mailbox, reply_to, MailStack, UNKNOWN_RECIPIENT};
use crate::support::{cases_json, mail, stderr, stdout, Kb, DIRECTIE};

pub(crate) const SERVICE: &str = "klachten";
pub(crate) const CUSTOMER_FOR_DOSSIER: &str = "piet@example.test";
const CUSTOMER: &str = "klant@example.test";
pub(crate) const WAIT: Duration = Duration::from_secs(60);

pub(crate) const COMPLAINT: &str =
    "Geachte heer De Vries,\n\nU heeft mij verkeerd geadviseerd over mijn hypotheek en ik ben \
    nog steeds niet teruggebeld. Dit is echt onacceptabel.\n\nMet vriendelijke groet,\nPiet Klant";

pub(crate) fn complaint(from: &str, subject: &str, id: &str) -> Vec<u8> {
    mail(from, "klachten@example.test", subject, COMPLAINT, id)
}

/// Sends through Postfix and waits until `user`'s INBOX holds `n` messages.
pub(crate) async fn send_and_wait(
    stack: &MailStack,
    from: &str,
    to: &str,
    raw: &[u8],
    user: &str,
    n: u32,
) {
    stack.send(from, &[to], raw).await;
    stack.wait_for_count(user, "INBOX", n, WAIT).await;
}

/// Sends `raw` (envelope sender `from`) to the service as its first message and syncs: one
/// case opens, for the customer `customer`. Returns the case's reference.
pub(crate) async fn open_first_case(
    stack: &MailStack,
    kb: &Kb,
    from: &str,
    raw: &[u8],
    customer: &str,
) -> String {
    send_and_wait(stack, from, "klachten@example.test", raw, SERVICE, 1).await;
    let out = kb.sync();
    assert!(out.contains("zaken: 1 geopend"), "{out}");
    let cases = cases_json(kb);
    assert_eq!(cases[0]["from"], customer);
    cases[0]["ref"].as_str().unwrap().to_string()
}

/// Directie confirms case `reference` by answering its notification with KLACHT: the
/// notification is awaited, the reply (Message-ID `message_id`) is sent and awaited as the
/// service's `nth` message, and a sync carries it out. Returns the sync's output.
pub(crate) async fn confirm_by_directie(
    stack: &MailStack,
    kb: &Kb,
    reference: &str,
    message_id: &str,
    nth: u32,
) -> String {
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;
    let note = notification(stack, reference).await;
    let (to, reply) = reply_to(&note, DIRECTIE, "KLACHT", message_id);
    send_and_wait(stack, DIRECTIE, &to, &reply, SERVICE, nth).await;
    let out = kb.sync();
    assert!(out.contains("1 uitgevoerd"), "{out}");
    out
}

/// Lets Postfix hand over whatever it still holds, for checks that nothing (more) arrives.
pub(crate) async fn settle(stack: &MailStack) {
    stack.flush_postfix();
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

fn case_by_ref<'a>(cases: &'a [serde_json::Value], r: &str) -> &'a serde_json::Value {
    cases
        .iter()
        .find(|c| c["ref"] == r)
        .unwrap_or_else(|| panic!("no case {r} in {cases:?}"))
}

pub(crate) fn body(m: &ParsedMail) -> &str {
    m.body_text.as_deref().unwrap_or("")
}

/// The notifications in directie's mailbox, by case reference.
pub(crate) async fn notification(stack: &MailStack, reference: &str) -> ParsedMail {
    mailbox(stack, DIRECTIE)
        .await
        .into_iter()
        .map(|(_, m)| m)
        .find(|m| {
            m.subject
                .as_deref()
                .is_some_and(|s| s.contains(reference) && s.contains("Mogelijke klacht"))
        })
        .unwrap_or_else(|| panic!("no notification for {reference}"))
}

/// Two complaints, from `CUSTOMER` and from `second` (whose envelope sender is
/// `CUSTOMER`, so Postfix accepts it whatever `second` is), synced: the two references.
async fn two_cases(stack: &MailStack, kb: &Kb, second: &str, prefix: &str) -> (String, String) {
    for (n, from, subject) in [(1, CUSTOMER, "Eerste"), (2, second, "Tweede")] {
        let raw = complaint(from, subject, &format!("{prefix}-{n}@example.test"));
        send_and_wait(stack, CUSTOMER, "klachten@example.test", &raw, SERVICE, n).await;
    }
    kb.sync();
    stack.wait_for_count(DIRECTIE, "INBOX", 2, WAIT).await;
    let cases = cases_json(kb);
    assert_eq!(cases.len(), 2, "{cases:?}");
    let reference = |i: usize| cases[i]["ref"].as_str().unwrap().to_string();
    (reference(0), reference(1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complaint_notification_reply_acknowledgement_follow_up_and_position() {
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let original = complaint(CUSTOMER, "Mijn hypotheekadvies", "klacht-1@example.test");
    send_and_wait(
        &stack,
        CUSTOMER,
        "klachten@example.test",
        &original,
        SERVICE,
        1,
    )
    .await;
    let out = kb.sync();
    assert!(out.contains("zaken: 1 geopend"), "{out}");
    assert!(out.contains("mail: 1 verstuurd"), "{out}");

    // 1. Directie's mailbox holds the notification.
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;
    let cases = cases_json(&kb);
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    let reference = case["ref"].as_str().unwrap().to_string();
    assert!(reference.parse::<CaseRef>().is_ok(), "{reference}");
    assert_eq!(case["status"], "kandidaat");
    assert_eq!(case["from"], CUSTOMER);
    let position_by =
        chrono::NaiveDate::parse_from_str(case["position_by"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
    let confirm_by =
        chrono::NaiveDate::parse_from_str(case["confirm_by"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
    let note = notification(&stack, &reference).await;
    let text = body(&note);
    assert!(
        note.subject.as_deref().unwrap().starts_with(&format!(
            "[{reference}] Mogelijke klacht: Mijn hypotheekadvies"
        )),
        "{:?}",
        note.subject
    );
    for part in [
        CUSTOMER,
        "verkeerd geadviseerd",
        "onacceptabel",
        "verwijt over handelen of nalaten",
        &klachtenbus::calendar::dutch_date(confirm_by),
        &klachtenbus::calendar::dutch_date(position_by),
        "Voorbeeld van de ontvangstbevestiging",
        "Ontvangstbevestiging van uw klacht",
        "GEEN KLACHT",
    ] {
        assert!(text.contains(part), "notification lacks {part:?}:\n{text}");
    }
    assert_eq!(note.header("auto-submitted"), Some("auto-generated"));
    let reply_address = note.header("reply-to").unwrap().to_string();
    assert!(
        reply_address.contains("klachten+kl-"),
        "Reply-To is not a token plus-address: {reply_address}"
    );

    // 2. Directie replies KLACHT: exactly one acknowledgement, threaded, with the reference
    // and the position deadline.
    let (to, reply) = reply_to(
        &note,
        DIRECTIE,
        "KLACHT\nCATEGORIE advies",
        "antwoord-1@example.test",
    );
    send_and_wait(&stack, DIRECTIE, &to, &reply, SERVICE, 2).await;
    let out = kb.sync();
    assert!(
        out.contains("antwoorden van directie: 1 uitgevoerd"),
        "{out}"
    );
    stack.wait_for_count(CUSTOMER, "INBOX", 1, WAIT).await;
    // The same decision again changes nothing and sends nothing.
    let (to, again) = reply_to(&note, DIRECTIE, "klacht", "antwoord-2@example.test");
    send_and_wait(&stack, DIRECTIE, &to, &again, SERVICE, 3).await;
    kb.sync();
    kb.sync();
    settle(&stack).await;
    let letters = mailbox(&stack, CUSTOMER).await;
    assert_eq!(letters.len(), 1, "exactly one acknowledgement");
    let (ack_raw, ack) = &letters[0];
    assert!(
        ack.subject.as_deref().unwrap().contains(&reference),
        "{:?}",
        ack.subject
    );
    assert_eq!(ack.in_reply_to, vec!["klacht-1@example.test".to_string()]);
    assert!(ack
        .references
        .contains(&"klacht-1@example.test".to_string()));
    assert_eq!(ack.header("auto-submitted"), Some("auto-replied"));
    let headers = header_block(ack_raw);
    assert!(
        headers.contains("X-Auto-Response-Suppress: All"),
        "{headers}"
    );
    for part in [
        reference.as_str(),
        &klachtenbus::calendar::dutch_date(position_by),
        "directie",
    ] {
        assert!(
            body(ack).contains(part),
            "acknowledgement lacks {part:?}:\n{}",
            body(ack)
        );
    }
    let case = case_by_ref(&cases_json(&kb), &reference).clone();
    assert_eq!(case["status"], "in_behandeling");
    assert_eq!(case["category"], "advies");
    let kinds: Vec<&str> = case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "geopend",
        "melding_directie",
        "bevestigd",
        "brief_klaargezet",
        "herhaald",
    ] {
        assert!(kinds.contains(&kind), "timeline lacks {kind}: {kinds:?}");
    }

    // 8. The customer answers the acknowledgement: the mail joins the case.
    let ack_id = ack.message_id.clone().unwrap();
    let follow = format!(
        "From: {CUSTOMER}\r\nTo: klachten@example.test\r\nSubject: Re: {}\r\nMessage-ID: <vervolg-1@example.test>\r\nIn-Reply-To: <{ack_id}>\r\nReferences: <klacht-1@example.test> <{ack_id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIk wacht nog steeds, dit is onacceptabel! Ik wil een klacht indienen.\r\n",
        ack.subject.as_deref().unwrap()
    );
    send_and_wait(
        &stack,
        CUSTOMER,
        "klachten@example.test",
        follow.as_bytes(),
        SERVICE,
        4,
    )
    .await;
    let out = kb.sync();
    assert!(
        out.contains("zaken: 0 geopend, 1 vervolgbericht toegevoegd"),
        "{out}"
    );
    let cases = cases_json(&kb);
    assert_eq!(cases.len(), 1, "a follow-up opens no case");
    assert!(cases[0]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "vervolgbericht"));
    stack.wait_for_count(DIRECTIE, "INBOX", 2, WAIT).await;
    let msgs = kb.run(&["messages", "--json"]);
    let msgs: Vec<serde_json::Value> = serde_json::from_slice(&msgs.stdout).unwrap();
    let joined = msgs
        .iter()
        .find(|m| m["message_id"] == "vervolg-1@example.test")
        .unwrap();
    assert_eq!(joined["case"], reference.as_str());

    // 4. STANDPUNT sends the position letter.
    let (to, position) = reply_to(
        &note,
        DIRECTIE,
        "STANDPUNT\n\nWij hebben uw dossier nagekeken. Het advies was onvolledig; wij vergoeden de advieskosten.",
        "antwoord-3@example.test",
    );
    send_and_wait(&stack, DIRECTIE, &to, &position, SERVICE, 5).await;
    kb.sync();
    stack.wait_for_count(CUSTOMER, "INBOX", 2, WAIT).await;
    let letters = mailbox(&stack, CUSTOMER).await;
    let standpunt = &letters[1].1;
    for part in [
        "wij vergoeden de advieskosten",
        "eindstandpunt",
        "Kifid",
        "300.012345",
        "rechter",
    ] {
        assert!(
            body(standpunt).contains(part),
            "position letter lacks {part:?}:\n{}",
            body(standpunt)
        );
    }
    assert_eq!(
        case_by_ref(&cases_json(&kb), &reference)["status"],
        "standpunt_gegeven"
    );

    let show = kb.run(&["show", &reference]);
    assert!(show.status.success(), "{}", stderr(&show));
    assert!(
        stdout(&show).contains("standpuntbrief"),
        "{}",
        stdout(&show)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_replies_change_nothing() {
    let stack = MailStack::start();
    let mut kb = Kb::new(&stack, SERVICE, "", "");
    const OTHER: &str = "tweede@example.test";
    kb.env.push((
        "KLACHTENBUS__DIRECTIE__ADDRESSES".into(),
        format!("{DIRECTIE},{OTHER}"),
    ));
    let (ref1, ref2) = two_cases(&stack, &kb, "ander@example.test", "k").await;
    stack.wait_for_count(OTHER, "INBOX", 2, WAIT).await;
    let note1 = notification(&stack, &ref1).await;
    let note2 = notification(&stack, &ref2).await;
    let (to1, _) = reply_to(&note1, DIRECTIE, "", "x");
    let (to2, _) = reply_to(&note2, DIRECTIE, "", "x");
    let token2 = to2
        .split_once('+')
        .unwrap()
        .1
        .split_once('@')
        .unwrap()
        .0
        .to_string();

    let mut inbox = 2;
    let mut forged = |from: &str, to: &str, subject: &str, extra: &str, n: usize| {
        inbox += 1;
        let raw = format!(
            "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <forged-{n}@example.test>\r\n{extra}Content-Type: text/plain\r\n\r\nKLACHT\r\n"
        );
        (to.to_string(), raw.into_bytes(), inbox)
    };
    let attempts = vec![
        // From not in the directie list, with a valid token.
        forged("boef@example.test", &to1, &format!("Re: [{ref1}]"), "", 1),
        // Right From, no token.
        forged(
            DIRECTIE,
            "klachten@example.test",
            &format!("Re: [{ref1}] Mogelijke klacht"),
            "",
            2,
        ),
        // A token of another case, with the reference changed to case 1.
        forged(
            DIRECTIE,
            &format!(
                "klachten+{}@example.test",
                token2.replace(&ref2.to_lowercase(), &ref1.to_lowercase())
            ),
            &format!("Re: [{ref1}]"),
            "",
            3,
        ),
        // Case 2's valid token under case 1's subject.
        forged(
            DIRECTIE,
            &to2,
            &format!("Re: [{ref1}] Mogelijke klacht"),
            "",
            4,
        ),
        // The other directie address using this address's token.
        forged(OTHER, &to1, &format!("Re: [{ref1}]"), "", 5),
    ];
    for (to, raw, n) in &attempts {
        let from = klachtenbus::parse::parse(raw).from.unwrap().address;
        send_and_wait(&stack, &from, to, raw, SERVICE, *n as u32).await;
    }
    let out = kb.sync();
    assert!(
        out.contains("antwoorden van directie: 0 uitgevoerd, 5 geweigerd"),
        "{out}"
    );

    // With trusted_authserv_id: a valid token is not enough without a passing result.
    kb.env.push((
        "KLACHTENBUS__DIRECTIE__TRUSTED_AUTHSERV_ID".into(),
        "mx.example.test".into(),
    ));
    let (to, none) = reply_to(&note1, DIRECTIE, "KLACHT", "auth-none@example.test");
    send_and_wait(&stack, DIRECTIE, &to, &none, SERVICE, 8).await;
    let failing = String::from_utf8(reply_to(&note1, DIRECTIE, "KLACHT", "auth-fail@example.test").1)
        .unwrap()
        .replacen("From:", "Authentication-Results: mx.example.test; spf=pass; dkim=fail header.d=example.test; dmarc=fail\r\nFrom:", 1);
    send_and_wait(&stack, DIRECTIE, &to, failing.as_bytes(), SERVICE, 9).await;
    let out = kb.sync();
    assert!(
        out.contains("antwoorden van directie: 0 uitgevoerd, 2 geweigerd"),
        "{out}"
    );

    settle(&stack).await;
    for c in cases_json(&kb) {
        assert_eq!(
            c["status"], "kandidaat",
            "a forged reply changed {}",
            c["ref"]
        );
    }
    assert_eq!(mailbox(&stack, CUSTOMER).await.len(), 0);
    assert_eq!(mailbox(&stack, "ander@example.test").await.len(), 0);
    // Directie hears why, at the address the reply claimed to come from (the outsider's
    // reply is only logged).
    stack.wait_for_count(DIRECTIE, "INBOX", 2 + 5, WAIT).await;
    stack.wait_for_count(OTHER, "INBOX", 2 + 1, WAIT).await;
    let refused: Vec<String> = mailbox(&stack, DIRECTIE)
        .await
        .into_iter()
        .filter_map(|(_, m)| m.subject.filter(|s| s.contains("Antwoord niet uitgevoerd")))
        .collect();
    assert_eq!(refused.len(), 5, "{refused:?}");
    assert_eq!(mailbox(&stack, "boef@example.test").await.len(), 0);

    // The genuine reply, with a passing result from the trusted server, is carried out.
    let genuine = String::from_utf8(reply_to(&note1, DIRECTIE, "KLACHT", "auth-pass@example.test").1)
        .unwrap()
        .replacen("From:", "Authentication-Results: mx.example.test; spf=pass; dkim=pass header.d=example.test\r\nFrom:", 1);
    send_and_wait(&stack, DIRECTIE, &to, genuine.as_bytes(), SERVICE, 10).await;
    let out = kb.sync();
    assert!(
        out.contains("antwoorden van directie: 1 uitgevoerd"),
        "{out}"
    );
    assert_eq!(
        case_by_ref(&cases_json(&kb), &ref1)["status"],
        "in_behandeling"
    );
    assert_eq!(case_by_ref(&cases_json(&kb), &ref2)["status"], "kandidaat");
    stack.wait_for_count(CUSTOMER, "INBOX", 1, WAIT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn geen_klacht_sends_nothing_and_unknown_commands_are_explained_to_directie() {
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let (ref1, ref2) = two_cases(&stack, &kb, "b@example.test", "g").await;
    let (to, raw) = reply_to(
        &notification(&stack, &ref1).await,
        DIRECTIE,
        "Geen klacht",
        "r-1@example.test",
    );
    send_and_wait(&stack, DIRECTIE, &to, &raw, SERVICE, 3).await;
    let (to, raw) = reply_to(
        &notification(&stack, &ref2).await,
        DIRECTIE,
        "Bel haar even terug aub",
        "r-2@example.test",
    );
    send_and_wait(&stack, DIRECTIE, &to, &raw, SERVICE, 4).await;
    let out = kb.sync();
    assert!(
        out.contains("antwoorden van directie: 1 uitgevoerd, 1 geweigerd"),
        "{out}"
    );
    stack.wait_for_count(DIRECTIE, "INBOX", 3, WAIT).await;
    settle(&stack).await;
    let cases = cases_json(&kb);
    assert_eq!(case_by_ref(&cases, &ref1)["status"], "geen_klacht");
    assert_eq!(case_by_ref(&cases, &ref2)["status"], "kandidaat");
    assert_eq!(
        mailbox(&stack, CUSTOMER).await.len(),
        0,
        "GEEN KLACHT sends the customer nothing"
    );
    assert_eq!(mailbox(&stack, "b@example.test").await.len(), 0);
    let directie = mailbox(&stack, DIRECTIE).await;
    assert_eq!(directie.len(), 3);
    let not_understood = &directie[2].1;
    assert!(not_understood
        .subject
        .as_deref()
        .unwrap()
        .contains("Antwoord niet uitgevoerd"));
    assert!(
        body(not_understood).contains("Bel haar even terug aub"),
        "{}",
        body(not_understood)
    );
    assert!(
        body(not_understood).contains("KLACHT | GEEN KLACHT"),
        "{}",
        body(not_understood)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn letters_survive_postfix_downtime_and_5xx_is_not_retried() {
    let mut stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let (ref1, ref2) = two_cases(&stack, &kb, UNKNOWN_RECIPIENT, "p").await;
    for (n, r) in [(3, &ref1), (4, &ref2)] {
        let (to, raw) = reply_to(
            &notification(&stack, r).await,
            DIRECTIE,
            "KLACHT",
            &format!("pk-{n}@example.test"),
        );
        send_and_wait(&stack, DIRECTIE, &to, &raw, SERVICE, n).await;
    }

    stack.stop_postfix();
    for _ in 0..2 {
        let out = kb.sync();
        assert!(
            out.contains("mail: 0 verstuurd, 0 definitief mislukt, 2 wachtend"),
            "{out}"
        );
    }
    let store = kb.store().await;
    let c1 = store.case(ref1.parse().unwrap()).await.unwrap().unwrap();
    let mail1 = store.case_mail(c1.id).await.unwrap();
    let ack = mail1
        .iter()
        .find(|m| m.kind == "bevestigingsbrief")
        .unwrap();
    assert_eq!(ack.status, klachtenbus::store::MailStatus::Pending);
    assert!(ack.attempts >= 2, "{ack:?}");
    assert!(ack.last_error.is_some());
    stack.start_postfix();
    let out = kb.sync();
    // The acknowledgement and directie's delivery-failure notice go; the letter to the
    // unknown recipient fails once, for good.
    assert!(
        out.contains("mail: 2 verstuurd, 1 definitief mislukt"),
        "{out}"
    );
    kb.sync();
    stack.wait_for_count(CUSTOMER, "INBOX", 1, WAIT).await;
    // Directie hears about the letter that cannot be delivered.
    stack.wait_for_count(DIRECTIE, "INBOX", 3, WAIT).await;
    settle(&stack).await;
    assert_eq!(
        mailbox(&stack, CUSTOMER).await.len(),
        1,
        "each letter arrives exactly once"
    );
    let directie = mailbox(&stack, DIRECTIE).await;
    let failure = directie
        .iter()
        .map(|(_, m)| m)
        .find(|m| {
            m.subject
                .as_deref()
                .is_some_and(|s| s.contains("Niet bezorgd"))
        })
        .expect("directie told of the failure");
    assert!(
        body(failure).contains(UNKNOWN_RECIPIENT),
        "{}",
        body(failure)
    );
    assert!(body(failure).contains(&ref2), "{}", body(failure));
    let c2 = store.case(ref2.parse().unwrap()).await.unwrap().unwrap();
    let ack2 = store
        .case_mail(c2.id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "bevestigingsbrief")
        .unwrap();
    assert_eq!(ack2.status, klachtenbus::store::MailStatus::Failed);
    assert!(
        ack2.last_error.as_deref().unwrap().contains("55"),
        "{ack2:?}"
    );
    // A 5xx answer is not retried: later rounds leave the row alone.
    kb.sync();
    kb.sync();
    let again = store
        .case_mail(c2.id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "bevestigingsbrief")
        .unwrap();
    assert_eq!(
        (again.status.as_str(), again.attempts),
        ("failed", ack2.attempts)
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_mail_opens_nothing_and_floods_are_limited() {
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    send_and_wait(
        &stack,
        CUSTOMER,
        "klachten@example.test",
        &complaint(CUSTOMER, "Eerste", "a-1@example.test"),
        SERVICE,
        1,
    )
    .await;
    kb.sync();
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;
    let reference = cases_json(&kb)[0]["ref"].as_str().unwrap().to_string();
    let note = notification(&stack, &reference).await;
    let (to, raw) = reply_to(&note, DIRECTIE, "KLACHT", "a-r@example.test");
    send_and_wait(&stack, DIRECTIE, &to, &raw, SERVICE, 2).await;
    kb.sync();
    stack.wait_for_count(CUSTOMER, "INBOX", 1, WAIT).await;
    let ack_id = mailbox(&stack, CUSTOMER).await[0]
        .1
        .message_id
        .clone()
        .unwrap();

    let ooo = format!("From: {CUSTOMER}\r\nTo: klachten@example.test\r\nSubject: Automatisch antwoord: Ontvangstbevestiging\r\nAuto-Submitted: auto-replied\r\nIn-Reply-To: <{ack_id}>\r\nMessage-ID: <ooo@example.test>\r\n\r\nIk ben afwezig. Dit is onacceptabel lang, ik klaag erover.\r\n");
    let bounce = "From: MAILER-DAEMON@example.test\r\nTo: klachten@example.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce@example.test>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nKlacht onacceptabel schandalig\r\n--b--\r\n";
    let news = "From: nieuws@verzekeraar.example\r\nTo: klachten@example.test\r\nSubject: Nieuwsbrief: zo dient u een klacht in\r\nList-Id: <nieuws.verzekeraar.example>\r\nList-Unsubscribe: <mailto:uit@verzekeraar.example>\r\nMessage-ID: <news@example.test>\r\n\r\nBent u ontevreden? Onacceptabel? Dien een formele klacht in!\r\n";
    let directie_ooo = format!("From: {DIRECTIE}\r\nTo: klachten@example.test\r\nSubject: Afwezig: [{reference}]\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <dir-ooo@example.test>\r\n\r\nKLACHT\r\n");
    stack
        .append(
            SERVICE,
            "INBOX",
            &[
                ooo.into_bytes(),
                bounce.as_bytes().to_vec(),
                news.as_bytes().to_vec(),
                directie_ooo.into_bytes(),
            ],
        )
        .await;
    let out = kb.sync();
    assert!(out.contains("3 uitgefilterd"), "{out}");
    assert!(
        out.contains(
            "zaken: 0 geopend, 0 vervolgberichten toegevoegd; antwoorden van directie: 0 uitgevoerd, 0 geweigerd"
        ),
        "{out}"
    );
    let mail_before = (
        mailbox(&stack, CUSTOMER).await.len(),
        mailbox(&stack, DIRECTIE).await.len(),
    );
    assert_eq!(mail_before, (1, 1));

    // 20 complaints from one address in a day: every one registered, at most the limit (3)
    // of automatic mails about that address.
    const FLOOD: &str = "boos@example.test";
    // Twenty different complaints (the same text again would join its case).
    const WHAT: [&str; 5] = [
        "Mijn hypotheekofferte is drie weken te laat verstuurd, waardoor ik de woning bijna kwijtraakte.",
        "De premie van de autoverzekering is verhoogd zonder dat iemand mij daarover iets heeft gezegd.",
        "Mijn pensioenoverzicht bevat een verkeerd opbouwpercentage en niemand reageert op mijn vragen.",
        "Bij het afsluiten van de inboedelverzekering werd beloofd dat fietsen gedekt waren, dat klopt niet.",
        "Uw medewerker was onbeleefd aan de telefoon en hing op voordat ik mijn vraag kon afmaken.",
    ];
    const AND: [&str; 4] = [
        "Ik heb hierover al vier keer gebeld zonder resultaat.",
        "Dit is al de derde keer dit jaar dat er iets misgaat.",
        "Ik wil dat u dit zo snel mogelijk rechtzet.",
        "Het is werkelijk ongelooflijk hoe slordig uw kantoor met mijn zaken omgaat.",
    ];
    let flood: Vec<Vec<u8>> = (0..20)
        .map(|i| {
            mail(
                FLOOD,
                "klachten@example.test",
                &format!("Klacht nummer {i}"),
                &format!(
                    "Geachte heer De Vries,\n\n{} {} Ik dien hierbij een klacht in.\n\nMet vriendelijke groet,\nB. Oos",
                    WHAT[i % 5],
                    AND[i / 5]
                ),
                &format!("flood-{i}@example.test"),
            )
        })
        .collect();
    stack.append(SERVICE, "INBOX", &flood).await;
    let out = kb.sync();
    assert!(out.contains("zaken: 20 geopend"), "{out}");
    assert!(out.contains("mail: 3 verstuurd"), "{out}");
    settle(&stack).await;
    let about_flood = mailbox(&stack, DIRECTIE)
        .await
        .into_iter()
        .filter(|(_, m)| body(m).contains(FLOOD))
        .count();
    assert_eq!(
        about_flood, 3,
        "directie notifications about one sender in a day"
    );
    assert_eq!(mailbox(&stack, FLOOD).await.len(), 0);
    assert_eq!(mailbox(&stack, CUSTOMER).await.len(), 1);
    let suppressed = cases_json(&kb)
        .iter()
        .filter(|c| {
            c["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "melding_onderdrukt")
        })
        .count();
    assert_eq!(suppressed, 17);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_text_cannot_inject_headers_or_template_code() {
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    // "Klacht\r\nBcc: x@example.test" as an encoded word.
    let subject = "=?utf-8?b?S2xhY2h0DQpCY2M6IHhAZXhhbXBsZS50ZXN0?=";
    let text = "U heeft mij verkeerd geadviseerd, onacceptabel!\n{{ get_env(name=\"HOME\") }} {% include \"nl/notificatie.txt.tera\" %}\n<script>alert('x')</script>";
    let raw = mail(
        CUSTOMER,
        "klachten@example.test",
        subject,
        text,
        "inject@example.test",
    );
    assert_eq!(
        mail_parser::MessageParser::default()
            .parse(&raw)
            .unwrap()
            .subject(),
        Some("Klacht\r\nBcc: x@example.test"),
        "the subject decodes to a header injection attempt"
    );
    send_and_wait(&stack, CUSTOMER, "klachten@example.test", &raw, SERVICE, 1).await;
    kb.sync();
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;
    let reference = cases_json(&kb)[0]["ref"].as_str().unwrap().to_string();
    let directie = mailbox(&stack, DIRECTIE).await;
    let (note_raw, note) = &directie[0];
    let (to, reply) = reply_to(note, DIRECTIE, "KLACHT", "inj-r@example.test");
    send_and_wait(&stack, DIRECTIE, &to, &reply, SERVICE, 2).await;
    kb.sync();
    stack.wait_for_count(CUSTOMER, "INBOX", 1, WAIT).await;
    settle(&stack).await;
    let (ack_raw, ack) = &mailbox(&stack, CUSTOMER).await[0];
    for (what, raw) in [("notification", note_raw), ("acknowledgement", ack_raw)] {
        let headers = header_block(raw);
        assert!(
            !headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{what} has an injected header:\n{headers}"
        );
        assert_eq!(
            headers.matches("\nTo:").count() + usize::from(headers.starts_with("To:")),
            1,
            "{headers}"
        );
    }
    assert_eq!(
        mailbox(&stack, "x@example.test").await.len(),
        0,
        "nobody got a blind copy"
    );
    // Braces shown literally, the script escaped in HTML.
    for m in [note, ack] {
        assert!(
            body(m).contains("{{ get_env(name=\"HOME\") }}"),
            "{}",
            body(m)
        );
        assert!(body(m).contains("{% include"), "{}", body(m));
    }
    for raw in [note_raw, ack_raw] {
        let parsed = mail_parser::MessageParser::default().parse(raw).unwrap();
        let html = parsed.body_html(0).unwrap();
        assert!(!html.contains("<script>"), "unescaped script in:\n{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
    assert!(note.subject.as_deref().unwrap().contains(&reference));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_and_forward_turn_unflagged_mail_into_candidates() {
    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let question = mail(
        CUSTOMER,
        "klachten@example.test",
        "Vraag over mijn polis",
        "Kunt u mij vertellen wanneer mijn polis verloopt?",
        "vraag-1@example.test",
    );
    send_and_wait(
        &stack,
        CUSTOMER,
        "klachten@example.test",
        &question,
        SERVICE,
        1,
    )
    .await;
    let out = kb.sync();
    assert!(out.contains("zaken: 0 geopend"), "{out}");
    assert!(cases_json(&kb).is_empty());

    let out = kb.run(&["promote", "<vraag-1@example.test>"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let cases = cases_json(&kb);
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["status"], "kandidaat");
    assert_eq!(cases[0]["timeline"][0]["actor"], "cli");
    // The question scored in the doubt band: routed as doubtful, then marked by hand.
    assert_eq!(cases[0]["origin"], "twijfelgeval");
    let again = kb.run(&["promote", "vraag-1@example.test"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already belongs"),
        "{}",
        stderr(&again)
    );
    let unknown = kb.run(&["promote", "nergens@example.test"]);
    assert_eq!(unknown.status.code(), Some(1));
    kb.sync();
    stack.wait_for_count(DIRECTIE, "INBOX", 1, WAIT).await;

    // Directie forwards a phoned-in mail with KLACHT on top. To the plain service address
    // nothing proves who sent it (no token, no trusted server): refused, and the notice
    // names directie's own forwarding address.
    let forward = |to: &str, id: &str| {
        format!(
            "From: {DIRECTIE}\r\nTo: {to}\r\nSubject: Fwd: Gesprek\r\nMessage-ID: <{id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKLACHT\r\n\r\n---------- Doorgestuurd bericht ---------\r\nVan: Karel Klant <karel@example.test>\r\nOnderwerp: Gesprek\r\n\r\nIk vond het gesprek met uw adviseur niet prettig.\r\n"
        )
    };
    let forwarding = body(&notification(&stack, cases[0]["ref"].as_str().unwrap()).await)
        .split_whitespace()
        .find(|w| w.contains("kl-doorsturen-"))
        .expect("the notification names the forwarding address")
        .to_string();
    send_and_wait(
        &stack,
        DIRECTIE,
        "klachten@example.test",
        forward("klachten@example.test", "fwd-0@example.test").as_bytes(),
        SERVICE,
        2,
    )
    .await;
    let out = kb.sync();
    assert!(out.contains("zaken: 0 geopend"), "{out}");
    assert!(out.contains("1 geweigerd"), "{out}");
    stack.wait_for_count(DIRECTIE, "INBOX", 2, WAIT).await;
    let refusal = mailbox(&stack, DIRECTIE)
        .await
        .into_iter()
        .map(|(_, m)| m)
        .find(|m| {
            m.subject
                .as_deref()
                .is_some_and(|s| s.contains("niet uitgevoerd"))
        })
        .expect("a refusal notice");
    assert!(body(&refusal).contains(&forwarding), "{}", body(&refusal));
    // To the forwarding address it is carried out.
    send_and_wait(
        &stack,
        DIRECTIE,
        &forwarding,
        forward(&forwarding, "fwd-1@example.test").as_bytes(),
        SERVICE,
        3,
    )
    .await;
    let out = kb.sync();
    assert!(out.contains("zaken: 1 geopend"), "{out}");
    let cases = cases_json(&kb);
    let fwd = &cases[1];
    assert_eq!(fwd["from"], "karel@example.test");
    assert_eq!(fwd["status"], "kandidaat");
    assert_eq!(fwd["timeline"][0]["actor"], DIRECTIE);
    assert_eq!(fwd["origin"], "doorgestuurd");
    stack.wait_for_count(DIRECTIE, "INBOX", 3, WAIT).await;

    // Outlook's forward (a line of underscores, then its header block) is read the same.
    let outlook = format!(
        "From: {DIRECTIE}\r\nTo: {forwarding}\r\nSubject: FW: Premie\r\nMessage-ID: <fwd-2@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKlacht\r\n\r\n________________________________\r\nVan: Kees Klant [mailto:kees@example.test]\r\nVerzonden: dinsdag 24 november 2026 10:00\r\nAan: directie@example.test\r\nOnderwerp: Premie\r\n\r\nDe premie is hoger dan u mij had gezegd.\r\n"
    );
    send_and_wait(
        &stack,
        DIRECTIE,
        &forwarding,
        outlook.as_bytes(),
        SERVICE,
        4,
    )
    .await;
    let out = kb.sync();
    assert!(out.contains("zaken: 1 geopend"), "{out}");
    let cases = cases_json(&kb);
    let outlook_case = cases.iter().find(|c| c["from"] == "kees@example.test");
    assert!(outlook_case.is_some(), "{cases:?}");
    stack.wait_for_count(DIRECTIE, "INBOX", 4, WAIT).await;
    // A forward whose sender line names no address: refused, saying so.
    let nameless = forward(&forwarding, "fwd-3@example.test")
        .replace("Van: Karel Klant <karel@example.test>", "Van: Karel Klant");
    send_and_wait(
        &stack,
        DIRECTIE,
        &forwarding,
        nameless.as_bytes(),
        SERVICE,
        5,
    )
    .await;
    let out = kb.sync();
    assert!(
        out.contains("zaken: 0 geopend") && out.contains("1 geweigerd"),
        "{out}"
    );
    stack.wait_for_count(DIRECTIE, "INBOX", 5, WAIT).await;
    let refusals: Vec<String> = mailbox(&stack, DIRECTIE)
        .await
        .into_iter()
        .map(|(_, m)| body(&m).to_string())
        .filter(|b| b.contains("geen e-mailadres van de afzender"))
        .collect();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(cases_json(&kb).len(), 3);

    let out = kb.run(&["cases", "--status", "in_behandeling", "--json"]);
    assert_eq!(stdout(&out).trim(), "[]");
    let out = kb.run(&["cases", "--status", "open", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let open: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(open.len(), 3, "{open:?}");
    let out = kb.run(&["cases", "--status", "openstaand"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = kb.run(&["show", "KL-1999-0001"]);
    assert_eq!(out.status.code(), Some(1));
}
