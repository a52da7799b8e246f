//! The whole application built in process (`startup::App`) with a manual clock and a
//! memory transport: the triage and deadline flows without a mail server, in milliseconds.
//! The Dovecot/Postfix tests stay the end-to-end proof; these cover the rules between.

use chrono::{DateTime, TimeZone, Utc};
use klachtenbus::clock::Clock;
use klachtenbus::config::Settings;
use klachtenbus::outbox::Transport;
use klachtenbus::parse::{parse, ParsedMail};
use klachtenbus::startup::App;

use crate::cases::COMPLAINT;
use crate::harness::reply_to;
use crate::support::{mail, DIRECTIE, REPLY_SECRET};

const CUSTOMER: &str = "klant@example.test";

/// An application with its register in a temporary folder, its clock in the test's hand
/// and its outgoing mail kept in memory.
pub struct TestApp {
    pub app: App,
    pub clock: Clock,
    transport: Transport,
    _dir: tempfile::TempDir,
}

/// A moment in Amsterdam (winter time, UTC+1).
fn amsterdam(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Amsterdam
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

impl TestApp {
    pub async fn start(at: DateTime<Utc>) -> TestApp {
        Self::start_with(at, "", |_| {}).await
    }

    /// As [`TestApp::start`], with `extra` appended to the configuration (right after the
    /// `[organisation]` keys, so it can add to them or start a section), after `prepare`
    /// has had the chance to write files into the application's folder.
    pub async fn start_with(
        at: DateTime<Utc>,
        extra: &str,
        prepare: impl FnOnce(&std::path::Path),
    ) -> TestApp {
        Self::start_with_env(at, extra, &[], prepare).await
    }

    /// As [`TestApp::start_with`], with settings given as `KLACHTENBUS__…` variables too.
    pub async fn start_with_env(
        at: DateTime<Utc>,
        extra: &str,
        env: &[(&str, &str)],
        prepare: impl FnOnce(&std::path::Path),
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        prepare(dir.path());
        let config = dir.path().join("klachtenbus.toml");
        std::fs::write(
            &config,
            format!(
                "[database]\nurl = \"sqlite://{db}\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"none\"\nfrom = \"klachten@example.test\"\n\n[directie]\naddresses = [\"{DIRECTIE}\"]\nreply_secret = \"{REPLY_SECRET}\"\n\n[logging]\nlevel = \"warn\"\n\n[organisation]\nname = \"De Vries Advies B.V.\"\nsignatory = \"J. de Vries, directeur\"\nkifid_number = \"300.012345\"\n{extra}\n",
                db = dir.path().join("register.sqlite").display(),
                extra = extra.replace("{dir}", &dir.path().display().to_string())
            ),
        )
        .unwrap();
        let settings = Settings::load_with_env(
            Some(&config),
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .unwrap();
        let clock = Clock::manual(at);
        let transport = Transport::memory();
        let app = App::build(&settings, clock.clone())
            .await
            .unwrap()
            .with_transport(transport.clone());
        TestApp {
            app,
            clock,
            transport,
            _dir: dir,
        }
    }

    /// A mail arriving now, as intake stores it.
    pub async fn arrive(&self, raw: Vec<u8>) {
        crate::support::store_unrouted(&self.app.store, &raw, self.clock.now()).await;
    }

    /// A round of the daemon after reading the mailbox ([`App::round`]), failing the test
    /// on an error instead of logging it: route, remind, alert, send.
    pub async fn step(&self) {
        self.app.route().await.unwrap();
        self.app.remind().await.unwrap();
        self.app.pipeline.alerts_due(&self.app.store).await.unwrap();
        self.app.deliver().await.unwrap();
    }

    /// Every mail sent so far, with its envelope recipients.
    pub async fn sent(&self) -> Vec<(Vec<String>, ParsedMail)> {
        self.transport
            .sent()
            .await
            .into_iter()
            .map(|(envelope, raw)| {
                let to = envelope.to().iter().map(|a| a.to_string()).collect();
                let mail = parse(raw.as_bytes());
                crate::harness::assert_no_past_promise(&mail);
                (to, mail)
            })
            .collect()
    }

    /// Every mail sent so far, as sent (bytes).
    pub async fn sent_raw(&self) -> Vec<String> {
        self.transport
            .sent()
            .await
            .into_iter()
            .map(|(_, raw)| raw)
            .collect()
    }

    /// The sent mails to `to` whose subject contains `needle`.
    pub async fn sent_to(&self, to: &str, needle: &str) -> Vec<ParsedMail> {
        self.sent()
            .await
            .into_iter()
            .filter(|(rcpt, m)| {
                rcpt.iter().any(|r| r == to)
                    && m.subject.as_deref().is_some_and(|s| s.contains(needle))
            })
            .map(|(_, m)| m)
            .collect()
    }

    pub async fn case_status(&self, reference: &str) -> String {
        let r = reference.parse().unwrap();
        self.app
            .store
            .case(r)
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str()
            .to_string()
    }
}

fn body(m: &ParsedMail) -> &str {
    m.body_text.as_deref().unwrap_or("")
}

/// A complaint on Monday 30 November 2026: directie is notified, answers KLACHT, the
/// customer gets the acknowledgement with both deadlines; a second KLACHT changes nothing
/// and sends nothing; a GEEN KLACHT afterwards is refused and directie is told why.
#[tokio::test]
async fn triage_in_process_from_complaint_to_acknowledgement() {
    let t = TestApp::start(amsterdam(2026, 11, 30, 10)).await;
    t.arrive(mail(
        CUSTOMER,
        "klachten@example.test",
        "Hypotheekadvies",
        COMPLAINT,
        "app-1@example.test",
    ))
    .await;
    t.step().await;
    let notices = t.sent_to(DIRECTIE, "Mogelijke klacht").await;
    assert_eq!(notices.len(), 1);
    let notice = &notices[0];
    let reference = klachtenbus::case::CaseRef::find_in(notice.subject.as_deref().unwrap())
        .unwrap()
        .to_string();
    assert_eq!(t.case_status(&reference).await, "kandidaat");
    for part in ["woensdag 9 december 2026", "maandag 14 december 2026"] {
        assert!(body(notice).contains(part), "{part}:\n{}", body(notice));
    }

    // Tuesday: directie confirms.
    t.clock.set(amsterdam(2026, 12, 1, 9));
    t.arrive(
        reply_to(
            notice,
            DIRECTIE,
            "KLACHT\nCATEGORIE advies",
            "app-r1@example.test",
        )
        .1,
    )
    .await;
    t.step().await;
    assert_eq!(t.case_status(&reference).await, "in_behandeling");
    let acks = t.sent_to(CUSTOMER, "Ontvangstbevestiging").await;
    assert_eq!(acks.len(), 1);
    assert!(
        body(&acks[0]).contains("maandag 14 december 2026"),
        "{}",
        body(&acks[0])
    );

    // The same answer again: noted, nothing sent. Then a conflicting one: refused.
    t.arrive(reply_to(notice, DIRECTIE, "KLACHT", "app-r2@example.test").1)
        .await;
    t.arrive(reply_to(notice, DIRECTIE, "GEEN KLACHT", "app-r3@example.test").1)
        .await;
    t.step().await;
    assert_eq!(t.sent_to(CUSTOMER, "Ontvangstbevestiging").await.len(), 1);
    assert_eq!(t.case_status(&reference).await, "in_behandeling");
    let refused = t.sent_to(DIRECTIE, "Antwoord niet uitgevoerd").await;
    assert_eq!(refused.len(), 1);
    assert!(
        body(&refused[0]).contains("GEEN KLACHT kan niet: de zaak is in behandeling"),
        "{}",
        body(&refused[0])
    );
}

/// Deadlines on the working-day calendar with the clock in hand: a complaint left alone is
/// reminded two working days before its confirmation deadline and on it, and escalated
/// after it; a confirmed one is reminded before its position deadline.
#[tokio::test]
async fn reminders_and_escalation_in_process() {
    let t = TestApp::start(amsterdam(2026, 11, 30, 10)).await;
    for (i, customer) in ["a@example.test", "b@example.test"].iter().enumerate() {
        t.arrive(mail(
            customer,
            "klachten@example.test",
            &format!("Klacht {i}"),
            COMPLAINT,
            &format!("app-d{i}@example.test"),
        ))
        .await;
    }
    t.step().await;
    let notices = t.sent_to(DIRECTIE, "Mogelijke klacht").await;
    assert_eq!(notices.len(), 2);
    // B is confirmed at once.
    let b = notices
        .iter()
        .find(|n| n.subject.as_deref().unwrap().contains("Klacht 1"))
        .unwrap();
    t.arrive(reply_to(b, DIRECTIE, "KLACHT", "app-d-r@example.test").1)
        .await;
    t.step().await;

    // Friday 4 December, 08:00: nothing due yet.
    t.clock.set(amsterdam(2026, 12, 4, 8));
    t.step().await;
    assert_eq!(t.sent_to(DIRECTIE, "Herinnering").await.len(), 0);
    // Monday 7 December, 08:00: two working days before Wednesday 9 December.
    t.clock.set(amsterdam(2026, 12, 7, 8));
    t.step().await;
    let first = t.sent_to(DIRECTIE, "Herinnering").await;
    assert_eq!(first.len(), 1, "A only: B is confirmed");
    assert!(
        first[0]
            .subject
            .as_deref()
            .unwrap()
            .contains("ontvangstbevestiging uiterlijk woensdag 9 december 2026"),
        "{:?}",
        first[0].subject
    );
    // The same moment again: nothing twice.
    t.step().await;
    assert_eq!(t.sent_to(DIRECTIE, "Herinnering").await.len(), 1);
    // Wednesday 9 December: A's deadline itself, and three working days before B's
    // position deadline of Monday 14 December.
    t.clock.set(amsterdam(2026, 12, 9, 8));
    t.step().await;
    assert_eq!(
        t.sent_to(
            DIRECTIE,
            "Herinnering: ontvangstbevestiging uiterlijk woensdag 9 december"
        )
        .await
        .len(),
        2
    );
    assert_eq!(
        t.sent_to(
            DIRECTIE,
            "Herinnering: gemotiveerd standpunt uiterlijk maandag 14 december"
        )
        .await
        .len(),
        1
    );
    // Thursday 10 December: A is overdue.
    t.clock.set(amsterdam(2026, 12, 10, 8));
    t.step().await;
    let overdue = t.sent_to(DIRECTIE, "Termijn verstreken").await;
    assert_eq!(overdue.len(), 1);
    assert!(
        overdue[0]
            .subject
            .as_deref()
            .unwrap()
            .contains("ontvangstbevestiging"),
        "{:?}",
        overdue[0].subject
    );
    // Monday 14 December: B's position deadline itself.
    t.clock.set(amsterdam(2026, 12, 14, 8));
    t.step().await;
    assert_eq!(
        t.sent_to(
            DIRECTIE,
            "Herinnering: gemotiveerd standpunt uiterlijk maandag 14 december"
        )
        .await
        .len(),
        2
    );
}

/// The firm's own acknowledgement from `letters.template_dir` is the one the complainant
/// gets; the built-in HTML part and the other letters stay.
#[tokio::test]
async fn an_override_template_changes_the_acknowledgement() {
    let t = TestApp::start_with(
        amsterdam(2026, 11, 30, 10),
        "[letters]\ntemplate_dir = \"{dir}/brieven\"\n",
        |dir| {
            std::fs::create_dir_all(dir.join("brieven/nl")).unwrap();
            std::fs::write(
                dir.join("brieven/nl/bevestigingsbrief.txt.tera"),
                "Geachte {{ case.salutation }},\n\nWij van {{ org.name }} hebben uw klacht {{ case.ref }} goed ontvangen.\nUiterlijk op {{ case.position_by }} hoort u van ons.\n",
            )
            .unwrap();
        },
    )
    .await;
    t.arrive(mail(
        CUSTOMER,
        "klachten@example.test",
        "Hypotheekadvies",
        COMPLAINT,
        "tpl-1@example.test",
    ))
    .await;
    t.step().await;
    let notice = &t.sent_to(DIRECTIE, "Mogelijke klacht").await[0];
    t.arrive(reply_to(notice, DIRECTIE, "KLACHT", "tpl-r1@example.test").1)
        .await;
    t.step().await;
    let acks = t.sent_to(CUSTOMER, "Ontvangstbevestiging").await;
    assert_eq!(acks.len(), 1);
    let text = body(&acks[0]);
    assert!(
        text.contains("Wij van De Vries Advies B.V. hebben uw klacht KL-2026-0001 goed ontvangen."),
        "{text}"
    );
    assert!(
        text.contains("Uiterlijk op maandag 14 december 2026"),
        "{text}"
    );
    assert!(!text.contains("Uw klacht gaat over"), "{text}");
}

/// `organisation.logo_file`: the acknowledgement's HTML shows the logo, sent inline with it
/// (multipart/related, Content-ID logo@klachtenbus); the text part is unchanged.
#[tokio::test]
async fn the_logo_is_sent_inline_with_html_letters() {
    let logo = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/logo.png");
    let t = TestApp::start_with(
        amsterdam(2026, 11, 30, 10),
        &format!("logo_file = \"{logo}\"\n"),
        |_| {},
    )
    .await;
    t.arrive(mail(
        CUSTOMER,
        "klachten@example.test",
        "Hypotheekadvies",
        COMPLAINT,
        "logo-1@example.test",
    ))
    .await;
    t.step().await;
    let notice = &t.sent_to(DIRECTIE, "Mogelijke klacht").await[0];
    t.arrive(reply_to(notice, DIRECTIE, "KLACHT", "logo-r1@example.test").1)
        .await;
    t.step().await;
    let raw = t.sent_raw().await;
    let ack = raw
        .iter()
        .find(|r| r.contains("Subject: Ontvangstbevestiging van uw klacht"))
        .expect("an acknowledgement");
    assert!(ack.contains("multipart/related"), "{ack}");
    assert!(ack.contains("Content-ID: <logo@klachtenbus>"), "{ack}");
    assert!(ack.contains("cid:logo@klachtenbus"));
    // The notice to directie has no logo and stays multipart/alternative only.
    let note = raw
        .iter()
        .find(|r| r.contains("Subject: [KL-2026-0001] Mogelijke klacht"))
        .unwrap();
    assert!(!note.contains("multipart/related"));
}

/// The Klachtenformulier by staff mail, in process: a staff member's form opens a case
/// with its channel and fields, an outsider's is ordinary mail, an incomplete one is sent
/// back naming the missing field; directie confirms the phone complaint and the caller's
/// acknowledgement repeats what was noted and asks to correct it. Then the half-yearly
/// report goes to directie on its first working day at `report.time`, once.
#[tokio::test]
async fn forms_by_staff_mail_and_the_scheduled_report_in_process() {
    use crate::forms::{form, staff_mail};
    const STAFF: &str = "balie@example.test";
    let t = TestApp::start_with(
        amsterdam(2026, 11, 25, 12),
        &format!("\n[staff]\naddresses = [\"{STAFF}\"]\n"),
        |_| {},
    )
    .await;
    let phone = form(
        "Naam: Mevrouw A. de Boer\r\nAdres: Dorpsstraat 4, 1234 AB Ergens\r\nE-mail: deboer@example.test\r\nTelefoon: 06 12345678\r\nDatum: 20-11-2026 14:30\r\nKanaal: telefoon\r\nOpgenomen door: Piet\r\nKlacht: Zij is het niet eens met het advies over haar pensioen en wil dat het wordt hersteld.",
    );
    let outsider = phone.replace("deboer@example.test", "outsider-form@example.test");
    let incomplete = phone.replace("Opgenomen door: Piet\r\n", "");
    for (from, body, id) in [
        (STAFF, &phone, "form-1@example.test"),
        ("buiten@example.test", &outsider, "form-2@example.test"),
        (STAFF, &incomplete, "form-3@example.test"),
    ] {
        t.arrive(staff_mail(from, "Klachtenformulier", body, id))
            .await;
    }
    t.step().await;

    let cases = t.app.store.cases(None).await.unwrap();
    let forms: Vec<_> = cases
        .iter()
        .filter(|c| c.channel != klachtenbus::case::Channel::Email)
        .collect();
    assert_eq!(forms.len(), 1, "only the staff member's complete form");
    let case = forms[0];
    assert_eq!(case.channel, klachtenbus::case::Channel::Telefoon);
    assert_eq!(case.received_at, "2026-11-20T13:30:00Z");
    assert_eq!(case.taken_by.as_deref(), Some("Piet"));
    assert_eq!(case.phone.as_deref(), Some("06 12345678"));
    assert_eq!(case.confirm_by, "2026-12-01");
    assert!(cases
        .iter()
        .all(|c| c.complainant_addr.as_deref() != Some("outsider-form@example.test")));
    let back = t.sent_to(STAFF, "Klachtenformulier niet verwerkt").await;
    assert_eq!(back.len(), 1);
    assert!(
        body(&back[0]).contains("ontbrekend veld: Opgenomen door"),
        "{}",
        body(&back[0])
    );

    let reference = case.case_ref.to_string();
    let notices = t.sent_to(DIRECTIE, &reference).await;
    let notice = notices
        .iter()
        .find(|m| body(m).contains("Klachtenformulier (telefoon), opgenomen door Piet"))
        .expect("directie's notification names the form");
    t.arrive(reply_to(notice, DIRECTIE, "KLACHT", "form-klacht@example.test").1)
        .await;
    t.step().await;
    let acks = t.sent_to("deboer@example.test", &reference).await;
    assert_eq!(acks.len(), 1);
    let text = body(&acks[0]).replace("\r\n", "\n");
    assert!(text.starts_with("Geachte mevrouw De Boer,"), "{text}");
    assert!(text.contains("advies over haar pensioen"), "{text}");
    assert!(
        text.replace('\n', " ")
            .contains("Klopt de samenvatting niet"),
        "{text}"
    );

    // The 2026-H2 report: not before 08:00 on Monday 4 January 2027 (1 January is a
    // holiday), then once however often the service looks.
    t.clock.set(amsterdam(2027, 1, 4, 7));
    t.step().await;
    assert!(t
        .sent_to(DIRECTIE, "Klachteninventarisatie")
        .await
        .is_empty());
    for day in [4, 5, 6] {
        t.clock.set(amsterdam(2027, 1, day, 9));
        t.step().await;
    }
    let sent = t.sent_to(DIRECTIE, "Klachteninventarisatie 2026-H2").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(t.sent_to(DIRECTIE, "Klachteninventarisatie").await.len(), 1);
}

/// The mailbox failing for longer than `alerts.after_minutes`: one alert, however many
/// rounds pass, and one notice when it works again (the end-to-end version, with Dovecot
/// stopped under `run`, is `hardening::an_unreachable_mailbox_is_alerted_once_and_its_recovery_once`).
#[tokio::test]
async fn an_outage_is_alerted_once_and_its_recovery_once_in_process() {
    let start = amsterdam(2026, 12, 1, 9);
    let t = TestApp::start_with(start, "\n[alerts]\nafter_minutes = 30\n", |_| {}).await;
    let store = &t.app.store;
    store
        .health_failed("intake", "connection refused", start)
        .await
        .unwrap();
    t.clock.set(start + chrono::Duration::minutes(29));
    t.step().await;
    assert!(
        t.sent_to(DIRECTIE, "storing").await.is_empty(),
        "not before 30 minutes"
    );
    for minutes in [31, 45, 90] {
        t.clock.set(start + chrono::Duration::minutes(minutes));
        store
            .health_failed("intake", "connection refused", t.clock.now())
            .await
            .unwrap();
        t.step().await;
    }
    let alerts = t
        .sent_to(DIRECTIE, "storing — kan de mailbox niet lezen")
        .await;
    assert_eq!(alerts.len(), 1);
    assert!(
        body(&alerts[0]).contains("connection refused"),
        "{}",
        body(&alerts[0])
    );
    assert!(t.sent_to(DIRECTIE, "hersteld").await.is_empty());

    t.clock.set(start + chrono::Duration::minutes(95));
    store.health_ok("intake", t.clock.now()).await.unwrap();
    t.step().await;
    t.step().await;
    assert_eq!(
        t.sent_to(DIRECTIE, "hersteld — kan weer de mailbox lezen")
            .await
            .len(),
        1
    );
    assert_eq!(t.sent_to(DIRECTIE, "storing").await.len(), 1);
}

/// With `smtp.parallel = 4` the mailer keeps four mails in flight: every notification of
/// twelve new cases is sent exactly once, and nothing is left in the outbox.
#[tokio::test]
async fn parallel_sending_sends_every_mail_once() {
    let t = TestApp::start_with_env(
        amsterdam(2026, 11, 30, 10),
        "",
        &[("KLACHTENBUS__SMTP__PARALLEL", "4")],
        |_| {},
    )
    .await;
    for i in 0..12 {
        t.arrive(mail(
            &format!("klant{i}@example.test"),
            "klachten@example.test",
            &format!("Klacht {i}"),
            COMPLAINT,
            &format!("par-{i}@example.test"),
        ))
        .await;
    }
    t.app.route().await.unwrap();
    let report = t.app.deliver().await.unwrap();
    assert_eq!(report.sent, 12, "{report:?}");
    let notices = t.sent_to(DIRECTIE, "Mogelijke klacht").await;
    let mut subjects: Vec<_> = notices.iter().filter_map(|m| m.subject.clone()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 12, "one notification per case, none twice");
    assert_eq!(notices.len(), 12);
    assert_eq!(
        t.app.store.outbox_counts().await.unwrap().0,
        0,
        "nothing pending"
    );
    assert_eq!(t.app.deliver().await.unwrap().sent, 0);
}

/// Plain mail (no complaint, no reply) is recorded a batch at a time: after one routing
/// round every message is routed, the one complaint has its case, and a second round finds
/// nothing left to do.
#[tokio::test]
async fn plain_mail_is_routed_a_batch_at_a_time() {
    let t = TestApp::start(amsterdam(2026, 11, 30, 10)).await;
    for i in 0..25 {
        t.arrive(mail(
            &format!("vraag{i}@example.test"),
            "klachten@example.test",
            &format!("Vraag over polis {i}"),
            "Goedemiddag, kunt u mij de jaaropgave van mijn lijfrente sturen? Dank u wel.",
            &format!("plain-{i}@example.test"),
        ))
        .await;
    }
    t.arrive(mail(
        CUSTOMER,
        "klachten@example.test",
        "Hypotheekadvies",
        COMPLAINT,
        "plain-complaint@example.test",
    ))
    .await;
    let report = t.app.route().await.unwrap();
    assert_eq!(report.classified, 26, "{report:?}");
    assert_eq!(report.cases_opened, 1, "{report:?}");
    assert!(t
        .app
        .store
        .unrouted(1000, t.clock.now())
        .await
        .unwrap()
        .is_empty());
    let again = t.app.route().await.unwrap();
    assert_eq!(again.classified, 0, "{again:?}");
    assert_eq!(t.app.store.cases(None).await.unwrap().len(), 1);
}
