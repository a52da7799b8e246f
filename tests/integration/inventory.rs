//! The half-yearly inventory over a fixture of 61 cases in three half years, built through
//! the real pipeline (customer mail and staff forms stored and routed, directie's replies
//! authenticated by their tokens) on a manual clock; then `report` in every format, and
//! `purge`/`erase` (issue: Klachtenformulier, dossiers, inventory).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use klachtenbus::clock::Clock;
use klachtenbus::config::Settings;
use klachtenbus::pipeline::Pipeline;
use klachtenbus::store::Store;
use sqlx::Row;

const DIRECTIE: &str = "directie@firma.example";
const STAFF: &str = "balie@firma.example";
const REPEAT: &str = "vaste.klant@example.test";

/// A planned case and what directie does with it, in whole hours after arrival.
#[derive(Debug, Clone)]
struct Plan {
    n: usize,
    arrival: DateTime<Utc>,
    channel: &'static str,
    email: String,
    category: Option<&'static str>,
    employee: Option<&'static str>,
    /// None: never confirmed. Some: hours to `KLACHT`.
    ack: Option<i64>,
    rejected: bool,
    position: Option<i64>,
    oral: bool,
    outcome: Option<&'static str>,
    measure: bool,
}

fn local(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Amsterdam
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

const CATEGORIES: [&str; 5] = ["advies", "informatie", "termijn", "bejegening", "overig"];
/// Confirmed complaints per category in 2025-H1, 2025-H2, 2026-H1: `termijn` rises.
const PER_PERIOD: [[usize; 5]; 3] = [[5, 4, 1, 3, 2], [5, 3, 2, 3, 1], [5, 4, 8, 2, 2]];
const STARTS: [(i32, u32); 3] = [(2025, 1), (2025, 7), (2026, 1)];

fn plan() -> Vec<Plan> {
    let mut out = Vec::new();
    let channels = ["email", "telefoon", "email", "mondeling", "email", "brief"];
    let employees = [Some("Jansen"), Some("De Boer"), None, Some("Pietersen")];
    let outcomes = [
        Some("gegrond"),
        Some("deels_gegrond"),
        Some("ongegrond"),
        None,
    ];
    // Hours to the acknowledgement: within 7 working days, or clearly after.
    let ack_ok = [3, 20, 53, 96, 146];
    let ack_late = [17 * 24, 19 * 24 + 3, 22 * 24];
    // Hours to the position when the acknowledgement was in time: within 14 days or
    // clearly after (one past the Kifid mark).
    let pos_ok = [7 * 24, 9 * 24 + 4, 12 * 24, 13 * 24 + 20];
    let pos_late = [19 * 24 + 5, 25 * 24, 60 * 24];
    for (p, &(year, month)) in STARTS.iter().enumerate() {
        let mut kinds: Vec<Option<&'static str>> = Vec::new();
        for (c, &count) in PER_PERIOD[p].iter().enumerate() {
            kinds.extend(std::iter::repeat_n(Some(CATEGORIES[c]), count));
        }
        // Three judged not a complaint per period; two left waiting in the last.
        kinds.extend([None, None, None]);
        let waiting = if p == 2 { 2 } else { 0 };
        let total = kinds.len() + waiting;
        let mut open_positions = 0;
        for k in 0..total {
            let n = out.len();
            let day = (k * 170 / total) as i64;
            let start = NaiveDate::from_ymd_opt(year, month, 1).unwrap() + Duration::days(day);
            let arrival = local(start.year(), start.month(), start.day(), 10);
            let category = kinds.get(k).copied().flatten();
            let is_waiting = k >= kinds.len();
            let rejected = !is_waiting && category.is_none();
            let ack = category.map(|_| {
                if n % 7 == 3 {
                    ack_late[n % 3]
                } else {
                    ack_ok[n % 5]
                }
            });
            // In the last period two `termijn` complaints still await a position.
            let no_position = p == 2 && category == Some("termijn") && open_positions < 2;
            if no_position {
                open_positions += 1;
            }
            let position = match (ack, no_position) {
                (Some(a), false) => Some(if a > 7 * 24 {
                    a + 4 * 24
                } else if n % 5 == 2 {
                    pos_late[n % 3]
                } else {
                    pos_ok[n % 4]
                }),
                _ => None,
            };
            let email = if (p == 0 && k == 1) || (p == 2 && k == 4) {
                REPEAT.to_string()
            } else {
                format!("klant{n}@example.test")
            };
            let channel = if email == REPEAT {
                "email"
            } else {
                channels[n % channels.len()]
            };
            out.push(Plan {
                n,
                arrival,
                channel,
                email,
                category,
                employee: employees[n % employees.len()],
                ack,
                rejected,
                position,
                oral: n % 3 == 0,
                outcome: position.and(outcomes[n % outcomes.len()]),
                measure: p == 1
                    && category == Some("termijn")
                    && position.is_some()
                    && !out.iter().any(|q: &Plan| q.measure),
            });
        }
    }
    out
}

fn name(n: usize) -> String {
    format!("Klant Achternaam{n}x")
}

fn complaint_text(n: usize) -> String {
    format!(
        "U heeft mij verkeerd geadviseerd over mijn hypotheek en ik ben nog steeds niet \
         teruggebeld. Dit is echt onacceptabel. Kenmerk-klant-{n}-geheim."
    )
}

fn customer_mail(p: &Plan) -> Vec<u8> {
    format!(
        "From: {} <{}>\r\nTo: klachten@firma.example\r\nSubject: Mijn hypotheek {}\r\nDate: {}\r\nMessage-ID: <klacht-{}@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        name(p.n),
        p.email,
        p.n,
        p.arrival.to_rfc2822(),
        p.n,
        complaint_text(p.n)
    )
    .into_bytes()
}

fn form_mail(p: &Plan, sent: DateTime<Utc>) -> Vec<u8> {
    let received = p.arrival.with_timezone(&Amsterdam).format("%d-%m-%Y %H:%M");
    format!(
        "From: Balie <{STAFF}>\r\nTo: klachten@firma.example\r\nSubject: Klachtenformulier {}\r\nDate: {}\r\nMessage-ID: <form-{}@firma.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nNaam: {}\r\nAdres: Straatweg {}, 1234 AB Dorp\r\nE-mail: {}\r\nTelefoon: 06-5555{:04}\r\nDatum: {received}\r\nKanaal: {}\r\nOpgenomen door: Balie\r\nKlacht: {}\r\n",
        p.n,
        sent.to_rfc2822(),
        p.n,
        name(p.n),
        p.n,
        p.email,
        p.n,
        p.channel,
        complaint_text(p.n)
    )
    .into_bytes()
}

struct Fixture {
    store: Store,
    clock: Clock,
    pipeline: Pipeline,
    seq: usize,
}

impl Fixture {
    async fn deliver(
        &mut self,
        raw: Vec<u8>,
        at: DateTime<Utc>,
    ) -> (i64, klachtenbus::pipeline::RouteReport) {
        self.clock.set(at);
        self.seq += 1;
        let stored = crate::support::store_unrouted(&self.store, &raw, at).await;
        let report = self.pipeline.route_new(&self.store).await.unwrap();
        (stored.id(), report)
    }

    /// Directie answers the notification of `case_id` with `text` at `at`.
    async fn reply(&mut self, case_id: i64, reference: &str, text: &str, at: DateTime<Utc>) {
        let mail = self.store.case_mail(case_id).await.unwrap();
        let notification = mail
            .iter()
            .find(|m| m.kind == "notificatie")
            .unwrap_or_else(|| panic!("no notification for {reference}"));
        let to = notification.reply_to.clone().expect("Reply-To with token");
        let raw = format!(
            "From: {DIRECTIE}\r\nTo: {to}\r\nSubject: Re: {}\r\nDate: {}\r\nMessage-ID: <reply-{}@firma.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n",
            notification.subject,
            at.to_rfc2822(),
            self.seq,
        );
        let (_, report) = self.deliver(raw.into_bytes(), at).await;
        assert_eq!(
            report.replies_applied, 1,
            "reply {text:?} to {reference} not applied: {report:?}"
        );
    }
}

/// What happens when: arrivals and replies, in time order.
enum Step {
    Arrive(usize),
    Reply(usize, String),
}

async fn build(
    dir: &std::path::Path,
) -> (
    Vec<Plan>,
    BTreeMap<usize, (i64, String)>,
    std::path::PathBuf,
) {
    let db = format!("sqlite://{}", dir.join("register.sqlite").display());
    let config = dir.join("klachtenbus.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"{db}\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"none\"\nfrom = \"klachten@firma.example\"\n\n[directie]\naddresses = [\"{DIRECTIE}\"]\nreply_secret = \"inventory-secret-0123456789\"\nreview_position = false\n\n[staff]\naddresses = [\"{STAFF}\"]\n\n[organisation]\nname = \"Firma B.V.\"\n\n[limits]\nmax_auto_mails_per_address_per_day = 10\n\n[logging]\nlevel = \"warn\"\n"
        ),
    )
    .unwrap();
    let settings = Settings::load(Some(&config)).unwrap();
    let clock = Clock::manual(local(2025, 1, 1, 9));
    let store = Store::connect(&db).await.unwrap();
    store.migrate().await.unwrap();
    let pipeline = klachtenbus::startup::pipeline(&settings)
        .unwrap()
        .with_clock(clock.clone());
    let mut fx = Fixture {
        store,
        clock,
        pipeline,
        seq: 0,
    };
    let plans = plan();
    let mut steps: Vec<(DateTime<Utc>, Step)> = Vec::new();
    for p in &plans {
        steps.push((p.arrival, Step::Arrive(p.n)));
        if p.rejected {
            steps.push((
                p.arrival + Duration::hours(26),
                Step::Reply(p.n, "GEEN KLACHT".into()),
            ));
        }
        if let Some(a) = p.ack {
            let mut text = format!("KLACHT\nCATEGORIE {}", p.category.unwrap());
            if let Some(e) = p.employee {
                text.push_str(&format!("\nMEDEWERKER {e}"));
            }
            steps.push((p.arrival + Duration::hours(a), Step::Reply(p.n, text)));
        }
        if let Some(h) = p.position {
            let text = if p.oral {
                "AFGEHANDELD telefonisch besproken; klant is tevreden".to_string()
            } else {
                "STANDPUNT\nWij hebben uw klacht onderzocht en geven u gedeeltelijk gelijk."
                    .to_string()
            };
            let at = p.arrival + Duration::hours(h);
            steps.push((at, Step::Reply(p.n, text)));
            if let Some(o) = p.outcome {
                steps.push((
                    at + Duration::minutes(30),
                    Step::Reply(p.n, format!("UITKOMST {o}")),
                ));
            }
            if p.measure {
                steps.push((
                    at + Duration::hours(1),
                    Step::Reply(p.n, "MAATREGEL Termijnbewaking met wekelijkse lijst".into()),
                ));
            }
        }
    }
    steps.sort_by_key(|(t, _)| *t);
    let mut refs: BTreeMap<usize, (i64, String)> = BTreeMap::new();
    for (at, step) in steps {
        match step {
            Step::Arrive(n) => {
                let p = &plans[n];
                let (id, report) = if p.channel == "email" {
                    fx.deliver(customer_mail(p), at).await
                } else {
                    // Staff send the form two hours after taking the call.
                    let sent = at + Duration::hours(2);
                    fx.deliver(form_mail(p, sent), sent).await
                };
                assert_eq!(report.cases_opened, 1, "case {n} not opened: {report:?}");
                let case = fx.store.case_of_message(id).await.unwrap().unwrap();
                let row = fx.store.case(case).await.unwrap().unwrap();
                assert_eq!(row.channel.as_str(), p.channel);
                assert_eq!(
                    DateTime::parse_from_rfc3339(&row.received_at).unwrap(),
                    p.arrival,
                    "case {n} dated at its receipt"
                );
                refs.insert(n, (row.id, case.to_string()));
            }
            Step::Reply(n, text) => {
                let (id, r) = refs[&n].clone();
                fx.reply(id, &r, &text, at).await;
            }
        }
    }
    fx.store.close().await;
    (plans, refs, config)
}

fn median_p90_max(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    let median = if n.is_multiple_of(2) {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    } else {
        v[n / 2]
    };
    let rank = (n * 9).div_ceil(10);
    (median, v[rank - 1], v[n - 1])
}

fn dec(x: f64) -> String {
    format!("{x:.1}")
}

/// The rows of one section as (label or key, cells) in the given format.
fn section_rows(format: &str, out: &str, key: &str, title: &str) -> Vec<(String, Vec<String>)> {
    match format {
        "csv" => {
            let mut rows: Vec<(String, Vec<String>)> = Vec::new();
            let mut r = csv::Reader::from_reader(out.as_bytes());
            for rec in r.records() {
                let rec = rec.unwrap();
                if &rec[1] != key {
                    continue;
                }
                match rows.last_mut() {
                    Some((k, cells)) if k == &rec[2] => cells.push(rec[4].to_string()),
                    _ => rows.push((rec[2].to_string(), vec![rec[4].to_string()])),
                }
            }
            rows
        }
        "text" => {
            let lines: Vec<&str> = out.lines().collect();
            let start = lines
                .iter()
                .position(|l| l.starts_with(title))
                .unwrap_or_else(|| panic!("no section {title} in text"));
            lines[start + 2..]
                .iter()
                .take_while(|l| !l.trim().is_empty())
                .map(|l| {
                    // Columns are separated by at least two spaces.
                    let mut parts = l
                        .split("  ")
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string);
                    let label = parts.next().unwrap_or_default();
                    (label, parts.collect())
                })
                .collect()
        }
        "md" => {
            let lines: Vec<&str> = out.lines().collect();
            let start = lines
                .iter()
                .position(|l| l.starts_with(&format!("## {title}")))
                .unwrap_or_else(|| panic!("no section {title} in md"));
            lines[start + 4..]
                .iter()
                .take_while(|l| l.starts_with("| "))
                .map(|l| {
                    let parts: Vec<String> = l
                        .trim_matches('|')
                        .split(" | ")
                        .map(|s| s.trim().to_string())
                        .collect();
                    (parts[0].clone(), parts[1..].to_vec())
                })
                .collect()
        }
        "html" => {
            let start = out
                .find(&format!("<table id=\"{key}\">"))
                .unwrap_or_else(|| panic!("no table {key} in html"));
            let table = &out[start..start + out[start..].find("</table>").unwrap()];
            table
                .split("<tr><th scope=\"row\">")
                .skip(1)
                .map(|row| {
                    let (label, rest) = row.split_once("</th>").unwrap();
                    let cells = rest
                        .split("<td>")
                        .skip(1)
                        .map(|c| c.split("</td>").next().unwrap().to_string())
                        .collect();
                    (label.to_string(), cells)
                })
                .collect()
        }
        _ => unreachable!(),
    }
}

/// One expected row: key (CSV), label (others), cells as (raw, text); only the listed
/// leading cells are compared.
struct Expect {
    section: (&'static str, &'static str),
    key: String,
    label: String,
    cells: Vec<(String, String)>,
}

fn count(key: &str, label: &str, section: (&'static str, &'static str), n: usize) -> Expect {
    Expect {
        section,
        key: key.into(),
        label: label.into(),
        cells: vec![(n.to_string(), n.to_string())],
    }
}

fn check(format: &str, out: &str, e: &Expect) {
    let rows = section_rows(format, out, e.section.0, e.section.1);
    let want_label = if format == "csv" { &e.key } else { &e.label };
    let (_, cells) = rows
        .iter()
        .find(|(l, _)| l == want_label)
        .unwrap_or_else(|| panic!("{format}: no row {want_label} in {}: {rows:?}", e.section.0));
    for (i, (raw, text)) in e.cells.iter().enumerate() {
        let want = if format == "csv" { raw } else { text };
        assert_eq!(
            cells.get(i).map(String::as_str).unwrap_or(""),
            want.as_str(),
            "{format}: {} / {want_label} cell {i}",
            e.section.0
        );
    }
}

/// The binary with this installation's config.
use crate::support::run_with_config as kb;

fn report(config: &std::path::Path, now: &str, args: &[&str]) -> String {
    let out = kb(config, &[&["--now", now, "report"], args].concat());
    assert!(
        out.status.success(),
        "report {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pct(part: usize, whole: usize) -> (String, String) {
    let raw = format!("{:.1}", 100.0 * part as f64 / whole as f64);
    (raw.clone(), format!("{}%", raw.replace('.', ",")))
}

fn num(x: f64) -> (String, String) {
    (dec(x), dec(x).replace('.', ","))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inventory_of_three_half_years_in_every_format_and_purge_keeps_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (plans, refs, config) = build(dir.path()).await;
    assert!(plans.len() >= 60, "{} cases", plans.len());

    // Independent figures for 2026-H1, as of 15 July 2026.
    let today = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap();
    let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let local_day = |t: DateTime<Utc>| t.with_timezone(&Amsterdam).date_naive();
    let in_h1: Vec<&Plan> = plans
        .iter()
        .filter(|p| (from..=to).contains(&local_day(p.arrival)))
        .collect();
    let complaints: Vec<&Plan> = in_h1.iter().copied().filter(|p| p.ack.is_some()).collect();
    let mut expect = vec![
        count(
            "klachten",
            "klachten",
            ("totaal", "Aantallen"),
            complaints.len(),
        ),
        count(
            "geen_klacht",
            "gemarkeerd, geen klacht",
            ("totaal", "Aantallen"),
            in_h1.iter().filter(|p| p.rejected).count(),
        ),
        count(
            "te_beoordelen",
            "nog te beoordelen",
            ("totaal", "Aantallen"),
            in_h1
                .iter()
                .filter(|p| p.ack.is_none() && !p.rejected)
                .count(),
        ),
    ];
    assert_eq!(complaints.len(), 21);
    for c in CATEGORIES {
        let n = complaints.iter().filter(|p| p.category == Some(c)).count();
        let mut e = count(c, c, ("categorie", "Per categorie"), n);
        e.cells.push(pct(n, complaints.len()));
        expect.push(e);
    }
    for (ch, label) in [
        ("email", "e-mail"),
        ("telefoon", "telefoon"),
        ("mondeling", "mondeling"),
        ("brief", "brief"),
    ] {
        let n = complaints.iter().filter(|p| p.channel == ch).count();
        expect.push(count(label, label, ("kanaal", "Per kanaal"), n));
    }
    for o in ["gegrond", "deels_gegrond", "ongegrond"] {
        let n = complaints.iter().filter(|p| p.outcome == Some(o)).count();
        expect.push(count(
            o,
            &o.replace('_', " "),
            ("uitkomst", "Per uitkomst"),
            n,
        ));
    }
    let acks: Vec<i64> = complaints.iter().map(|p| p.ack.unwrap()).collect();
    let positions: Vec<i64> = complaints.iter().filter_map(|p| p.position).collect();
    for (key, hours, limit) in [
        ("ontvangstbevestiging", &acks, 7 * 24),
        ("standpunt", &positions, 14 * 24),
    ] {
        let days: Vec<f64> = hours.iter().map(|h| *h as f64 / 24.0).collect();
        let (median, p90, max) = median_p90_max(days);
        let within = hours.iter().filter(|h| **h <= limit).count();
        expect.push(Expect {
            section: ("doorlooptijd", "Doorlooptijd in kalenderdagen"),
            key: key.into(),
            label: key.into(),
            cells: vec![
                (hours.len().to_string(), hours.len().to_string()),
                num(median),
                num(p90),
                num(max),
                (within.to_string(), within.to_string()),
                pct(within, hours.len()),
            ],
        });
    }
    let kifid = complaints
        .iter()
        .filter(|p| {
            let mark = local_day(p.arrival) + Duration::weeks(8);
            match p.position {
                Some(h) => local_day(p.arrival + Duration::hours(h)) >= mark,
                None => today >= mark,
            }
        })
        .count();
    assert!(kifid >= 1);
    let open: Vec<&&Plan> = in_h1
        .iter()
        .filter(|p| !p.rejected && p.position.is_none())
        .collect();
    assert_eq!(open.len(), 4);
    let stand = ("stand", "Stand op woensdag 15 juli 2026");
    expect.push(count(
        "kifid_8_weken",
        "voorbij Kifid-grens (8 weken)",
        stand,
        kifid,
    ));
    expect.push(count("open", "open", stand, open.len()));
    // All four arrived more than 20 days before today: every deadline has passed.
    assert!(open
        .iter()
        .all(|p| local_day(p.arrival) + Duration::days(20) < today));
    expect.push(count(
        "te_laat",
        "open en over de termijn",
        stand,
        open.len(),
    ));
    let per = |period: usize, cat: &str| {
        PER_PERIOD[period][CATEGORIES.iter().position(|c| *c == cat).unwrap()]
    };
    expect.push(Expect {
        section: ("trend", "Trend per categorie"),
        key: "termijn".into(),
        label: "termijn".into(),
        cells: vec![
            (per(0, "termijn").to_string(), per(0, "termijn").to_string()),
            (per(1, "termijn").to_string(), per(1, "termijn").to_string()),
            (per(2, "termijn").to_string(), per(2, "termijn").to_string()),
            ("gestegen".into(), "gestegen".into()),
        ],
    });
    expect.push(Expect {
        section: ("trend", "Trend per categorie"),
        key: "advies".into(),
        label: "advies".into(),
        cells: vec![
            ("5".into(), "5".into()),
            ("5".into(), "5".into()),
            ("5".into(), "5".into()),
            ("".into(), "".into()),
        ],
    });
    expect.push(count(
        REPEAT,
        REPEAT,
        ("herhaalde_klagers", "Klagers met meer dan één klacht"),
        2,
    ));
    // The measure on a `termijn` case in 2025-H2: complaints of that category in equal
    // windows before and after it.
    let m = plans.iter().find(|p| p.measure).expect("a measure");
    let taken = local_day(m.arrival + Duration::hours(m.position.unwrap() + 1));
    let span = 182.min((to - taken).num_days() + 1);
    let termijn_between = |a: NaiveDate, b: NaiveDate| {
        plans
            .iter()
            .filter(|p| p.category == Some("termijn") && p.ack.is_some())
            .filter(|p| local_day(p.arrival) >= a && local_day(p.arrival) < b)
            .count()
    };
    let before = termijn_between(taken - Duration::days(span), taken);
    let after = termijn_between(taken, taken + Duration::days(span));

    for format in ["csv", "text", "md", "html"] {
        let out = report(
            &config,
            "2026-07-15T12:00",
            &["--period", "2026-H1", "--format", format],
        );
        for e in &expect {
            check(format, &out, e);
        }
        assert!(
            out.contains("termijn is opvallend gestegen") || format == "csv",
            "{format}"
        );
        let effect = if after < before {
            "gedaald"
        } else {
            "niet gedaald"
        };
        if format == "text" {
            // The measure's text is wider than a column: compare the words of its line.
            let line = out
                .lines()
                .find(|l| l.contains("Termijnbewaking"))
                .expect("the measure in the text report");
            let words = line.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(words.contains(" termijn "), "{words}");
            assert!(
                words.ends_with(&format!("{span} {before} {after} {effect}")),
                "{words}"
            );
        } else {
            let rows = section_rows(
                format,
                &out,
                "maatregelen",
                "Maatregelen en hun effect op de categorie",
            );
            let measures: Vec<_> = rows.iter().filter(|(_, c)| c.len() >= 8).collect();
            assert_eq!(measures.len(), 1, "{format}: {rows:?}");
            let cells = &measures[0].1;
            assert_eq!(cells[2], "termijn", "{format}");
            assert_eq!(cells[4], span.to_string(), "{format}");
            assert_eq!(
                (cells[5].as_str(), cells[6].as_str(), cells[7].as_str()),
                (
                    before.to_string().as_str(),
                    after.to_string().as_str(),
                    effect
                ),
                "{format}"
            );
        }
        if format == "html" {
            assert!(
                out.contains("<svg") && out.contains("<title>termijn 2026-"),
                "inline chart"
            );
        }
    }

    // purge, as of the end of 2032: seven years after the 2025 cases were handled.
    let before_h1 = report(
        &config,
        "2026-07-15T12:00",
        &["--period", "2025-H1", "--format", "csv"],
    );
    let out = kb(&config, &["--now", "2032-12-31T12:00", "purge"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = format!("sqlite://{}", dir.path().join("register.sqlite").display());
    let store = Store::connect(&db).await.unwrap();
    let purged: Vec<&Plan> = plans
        .iter()
        .filter(|p| {
            let ended = p
                .position
                .map(|h| p.arrival + Duration::hours(h))
                .or(p.rejected.then(|| p.arrival + Duration::hours(26)));
            ended.is_some_and(|e| e < local(2025, 12, 31, 12))
        })
        .collect();
    assert!(purged.len() >= 20, "{} purged", purged.len());
    let rows = store.cases(None).await.unwrap();
    for p in &purged {
        let row = rows.iter().find(|c| c.id == refs[&p.n].0).unwrap();
        assert!(row.purged_at.is_some(), "{} not purged", row.case_ref);
    }
    let mut needles: Vec<String> = Vec::new();
    for p in &purged {
        needles.push(format!("Achternaam{}x", p.n));
        needles.push(format!("Kenmerk-klant-{}-geheim", p.n));
        needles.push(format!("06-5555{:04}", p.n));
        needles.push(format!("Straatweg {}, ", p.n));
        if p.email != REPEAT {
            needles.push(p.email.clone());
        }
    }
    let left = text_hits(&store, &needles).await;
    assert!(left.is_empty(), "personal data left after purge: {left:?}");
    // The repeat complainant's later case is not purged, so the address stays there.
    let after_h1 = report(
        &config,
        "2032-12-31T12:00",
        &["--period", "2025-H1", "--format", "csv"],
    );
    let counts = |csv: &str| -> Vec<String> {
        csv.lines()
            .filter(|l| !l.contains(",geanonimiseerd,") && !l.contains(",herhaalde_klagers,"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        counts(&before_h1),
        counts(&after_h1),
        "the 2025-H1 figures changed after purge"
    );
    assert!(after_h1.contains(&format!(
        "totaal,geanonimiseerd,aantal,{}",
        plans
            .iter()
            .filter(|p| local_day(p.arrival) < NaiveDate::from_ymd_opt(2025, 7, 1).unwrap())
            .count()
    )));

    // erase: refused while the person has an open case, done when not.
    let open_plan = open[0];
    let out = kb(&config, &["erase", "--email", &open_plan.email]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("open") && err.contains(&refs[&open_plan.n].1),
        "{err}"
    );
    let closed = complaints
        .iter()
        .find(|p| p.position.is_some() && p.email != REPEAT)
        .unwrap();
    let out = kb(&config, &["erase", "--email", &closed.email]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text_hits(
        &store,
        &[
            closed.email.clone(),
            format!("Kenmerk-klant-{}-geheim", closed.n)
        ]
    )
    .await
    .is_empty());
    assert!(
        !text_hits(&store, std::slice::from_ref(&open_plan.email))
            .await
            .is_empty(),
        "the open case keeps its data"
    );
    // Not in any column, and not in the file's bytes either: no free page, no old page
    // version in the write-ahead log holds the erased person's data.
    let file = dir.path().join("register.sqlite");
    let mut bytes = std::fs::read(&file).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("register.sqlite-wal")) {
        bytes.extend(wal);
    }
    let erased = [
        closed.email.clone(),
        format!("Kenmerk-klant-{}-geheim", closed.n),
        format!("Achternaam{}x", closed.n),
        format!("06-5555{:04}", closed.n),
        format!("Straatweg {}, ", closed.n),
    ];
    for needle in &erased {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle:?} still in the database file after erase"
        );
    }
    // The open case's data is there, so the search itself finds what is present.
    let kept = open_plan.email.as_bytes();
    assert!(bytes.windows(kept.len()).any(|w| w == kept));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the database file is private");
    }
    let log = sqlx::query("SELECT action, cases FROM privacy_log ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let log: Vec<(String, i64)> = log
        .iter()
        .map(|r| (r.get("action"), r.get("cases")))
        .collect();
    assert_eq!(
        log,
        vec![
            ("purge".to_string(), purged.len() as i64),
            ("erase".to_string(), 1)
        ]
    );
    store.close().await;
}

/// Every (table.column, needle) where a text or blob column of any table holds a needle.
async fn text_hits(store: &Store, needles: &[String]) -> Vec<String> {
    // The `name` column of every row a query returns.
    let names = |sql: String| async move {
        sqlx::query(&sql)
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect::<Vec<_>>()
    };
    let tables = names("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'".into()).await;
    let mut hits = Vec::new();
    for t in tables {
        for c in names(format!("SELECT name FROM pragma_table_info('{t}')")).await {
            for n in needles {
                let row = sqlx::query(&format!(
                    "SELECT COUNT(*) AS n FROM {t} WHERE instr(CAST({c} AS TEXT), $1) > 0"
                ))
                .bind(n.clone())
                .fetch_one(store.pool())
                .await
                .unwrap();
                if row.get::<i64, _>("n") > 0 {
                    hits.push(format!("{t}.{c}: {n}"));
                }
            }
        }
    }
    hits
}
