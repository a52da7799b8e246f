//! The commands that read and change the register by hand: `import`, `messages`,
//! `classify`, `eval`, `cases`, `show`, `promote`, `dossier`, `calendar`, and `status`.
//! What people read goes through [`labels`] (Dutch or English, Amsterdam time); `--json`
//! prints the stored values as they are.

use super::labels::t;
use super::*;
use crate::report::columns;

pub(super) async fn import_files(
    settings: &Settings,
    files: &[PathBuf],
) -> anyhow::Result<ExitCode> {
    let lang = lang();
    let services = services(settings)?;
    let store = open_store(settings).await?;
    let mut failed = 0;
    for path in files {
        match import::import_file(&store, path).await {
            Ok(done) => {
                let what = match (done.stored, lang) {
                    (Stored::New(id), Language::Nl) => format!("opgeslagen als bericht {id}"),
                    (Stored::New(id), Language::En) => format!("stored as message {id}"),
                    (Stored::Duplicate(id), Language::Nl) => {
                        format!("al opgeslagen als bericht {id}")
                    }
                    (Stored::Duplicate(id), Language::En) => {
                        format!("already stored as message {id}")
                    }
                };
                let dated = match (done.dated_by_header, lang) {
                    (true, Language::Nl) => "Date-kopregel",
                    (true, Language::En) => "Date header",
                    (false, Language::Nl) => "tijd van het bestand (geen bruikbare Date-kopregel)",
                    (false, Language::En) => "file time (no usable Date header)",
                };
                println!(
                    "{}: {what}, {} {} ({dated}), {}",
                    path.display(),
                    t(lang, "ontvangen", "received"),
                    labels::time(lang, done.received_at),
                    labels::parse_status(lang, done.status.as_str())
                );
            }
            Err(e) => {
                failed += 1;
                let said = match (&e, lang) {
                    (import::ImportError::Read { path, source }, Language::Nl) => {
                        format!("kan {path} niet lezen: {source}")
                    }
                    (import::ImportError::Empty { path }, Language::Nl) => {
                        format!("{path} is leeg")
                    }
                    _ => e.to_string(),
                };
                eprintln!("klachtenbus: import: {said}");
            }
        }
    }
    let routed = route(&store, &services, &CancellationToken::new()).await?;
    if routed.classified > 0 || routed.failed > 0 {
        print_route(&routed);
        println!(
            "{}",
            t(
                lang,
                "mail aan directie gaat uit bij de volgende `sync` of door `run`",
                "mail to directie is sent by the next `sync` or by `run`",
            )
        );
    }
    store.close().await;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One row of `messages --json`.
#[derive(Debug, Serialize)]
pub struct MessageJson {
    pub id: i64,
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub received_at: String,
    /// Detection verdict; null until the message has been classified.
    pub complaint: Option<bool>,
    pub score: Option<f64>,
    /// Case reference; null while the message belongs to no case.
    pub case: Option<String>,
    /// Screening reason (auto_reply, bounce, …) or null.
    pub screened: Option<String>,
    /// parsed | unparsed | headers_only
    pub parse_status: String,
    pub size: i64,
    pub sha256: String,
    /// `complaint` (flagged), `doubt` (scored in the doubt band: listed for directie in
    /// the digest), `none`; null until classified.
    pub band: Option<&'static str>,
    /// Present while routing this message fails: attempts, last error, next attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_failed: Option<crate::store::RoutingFailed>,
}

pub(super) async fn messages(settings: &Settings, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let rows = store.list_messages().await?;
    store.close().await;
    let rows: Vec<MessageJson> = rows
        .into_iter()
        .map(|m| MessageJson {
            id: m.id,
            message_id: m.message_id,
            from: m.from,
            subject: m.subject,
            received_at: m.received_at,
            complaint: m.complaint,
            score: m.score,
            case: m.case_ref,
            screened: m.screened,
            parse_status: m.parse_status.as_str().to_string(),
            size: m.size,
            sha256: m.sha256,
            band: match (m.complaint, m.route.as_deref()) {
                (None, _) => None,
                (Some(true), _) => Some("complaint"),
                (Some(false), Some("doubt")) => Some("doubt"),
                (Some(false), _) => Some("none"),
            },
            routing_failed: m.routing_failed,
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    let lang = lang();
    let mut table = vec![vec![
        "ID".to_string(),
        t(lang, "ONTVANGEN", "RECEIVED").into(),
        t(lang, "VAN", "FROM").into(),
        t(lang, "OORDEEL", "VERDICT").into(),
        t(lang, "ONDERWERP", "SUBJECT").into(),
    ]];
    for m in &rows {
        let verdict = match (&m.screened, m.complaint, m.score) {
            (Some(reason), _, _) => labels::screened(lang, reason),
            (None, Some(true), Some(score)) => {
                format!(
                    "{}? {}",
                    t(lang, "KLACHT", "COMPLAINT"),
                    labels::score(lang, score)
                )
            }
            (None, Some(false), Some(score)) if m.band == Some("doubt") => {
                format!(
                    "{} {}",
                    t(lang, "twijfel", "doubt"),
                    labels::score(lang, score)
                )
            }
            (None, Some(false), Some(score)) => format!("-  {}", labels::score(lang, score)),
            _ => t(lang, "(niet beoordeeld)", "(not classified)").into(),
        };
        let verdict = if m.parse_status == "parsed" {
            verdict
        } else {
            format!(
                "{verdict} [{}]",
                labels::parse_status(lang, &m.parse_status)
            )
        };
        let verdict = match &m.routing_failed {
            Some(f) => format!(
                "{} x{}",
                t(lang, "VERWERKING MISLUKT", "ROUTING FAILED"),
                f.attempts
            ),
            None => verdict,
        };
        table.push(vec![
            m.id.to_string(),
            labels::time_str(lang, &m.received_at),
            truncate(m.from.as_deref().unwrap_or("-"), 32),
            verdict,
            truncate(
                m.subject
                    .as_deref()
                    .unwrap_or(t(lang, "(geen onderwerp)", "(no subject)")),
                60,
            ),
        ]);
    }
    for line in columns(&table, &[true]) {
        println!("{line}");
    }
    println!(
        "{}",
        labels::count(
            lang,
            rows.len(),
            ("bericht", "berichten"),
            ("message", "messages")
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn classify(
    settings: &Settings,
    file: &Path,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let lang = lang();
    let (detector, ctx) = detector(settings)?;
    let raw = if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).context(t(
            lang,
            "bij het lezen van standaardinvoer",
            "reading standard input",
        ))?;
        buf
    } else {
        std::fs::read(file).with_context(|| match lang {
            Language::Nl => format!("bij het lezen van {}", file.display()),
            Language::En => format!("reading {}", file.display()),
        })?
    };
    let mail = crate::parse::parse(&raw);
    let verdict = detector.classify(&mail, &ctx);
    if json {
        println!("{}", serde_json::to_string_pretty(&verdict)?);
        return Ok(ExitCode::SUCCESS);
    }
    let judged = match (verdict.screened, verdict.complaint) {
        (Some(r), _) => format!(
            "{} ({})",
            t(lang, "uitgefilterd", "screened out"),
            match lang {
                Language::Nl => labels::screened(lang, r.as_str()),
                Language::En => r.as_str().to_string(),
            }
        ),
        (None, true) => t(lang, "lijkt op een klacht", "looks like a complaint").into(),
        (None, false) => t(lang, "geen klacht", "not a complaint").into(),
    };
    println!(
        "{judged}: score {} ({} {}), {} {}",
        crate::detect::eval::number(lang, verdict.score),
        t(lang, "drempel", "threshold"),
        crate::detect::eval::number(lang, verdict.threshold),
        t(lang, "taal", "language"),
        verdict.language.as_str()
    );
    for s in &verdict.signals {
        println!(
            "  {:<18} {:>5}  {:?}",
            s.criterion,
            crate::detect::eval::number(lang, s.weight),
            s.phrase
        );
    }
    for i in &verdict.ignored {
        println!(
            "  ({}: {}) {:?}",
            t(lang, "niet meegeteld", "not counted"),
            i.reason,
            i.phrase
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) struct EvalOptions {
    pub(super) show_test_misses: bool,
    pub(super) min_recall: Option<f64>,
    pub(super) min_precision: Option<f64>,
    pub(super) features: Option<PathBuf>,
}

pub(super) fn eval(
    settings: &Settings,
    dir: &Path,
    options: EvalOptions,
) -> anyhow::Result<ExitCode> {
    let EvalOptions {
        show_test_misses,
        min_recall,
        min_precision,
        features,
    } = options;
    let lang = lang();
    let (detector, ctx) = detector(settings)?;
    // One labelled folder, or the halves of a split corpus.
    let halves: Vec<PathBuf> = if dir.join("labels.jsonl").exists() {
        vec![dir.to_path_buf()]
    } else {
        let entries = std::fs::read_dir(dir).map_err(|e| match lang {
            Language::Nl => {
                anyhow::anyhow!("{}: geen labels.jsonl om te lezen ({e})", dir.display())
            }
            Language::En => anyhow::anyhow!("{}: no labels.jsonl to read ({e})", dir.display()),
        })?;
        let mut subs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("labels.jsonl").exists())
            .collect();
        subs.sort();
        subs
    };
    if halves.is_empty() {
        match lang {
            Language::Nl => {
                anyhow::bail!(
                    "{}: geen labels.jsonl, hier of in een submap",
                    dir.display()
                )
            }
            Language::En => {
                anyhow::bail!("{}: no labels.jsonl, here or in a subfolder", dir.display())
            }
        }
    }
    if let Some(out) = &features {
        let mut lines = String::new();
        for half in halves
            .iter()
            .filter(|h| h.file_name().is_none_or(|n| n != "test"))
        {
            for row in crate::detect::eval::feature_rows(half, &detector, &ctx)? {
                lines.push_str(&serde_json::to_string(&row)?);
                lines.push('\n');
            }
        }
        std::fs::write(out, lines).with_context(|| match lang {
            Language::Nl => format!("bij het schrijven van {}", out.display()),
            Language::En => format!("writing {}", out.display()),
        })?;
    }
    let mut ok = true;
    for half in &halves {
        let report = crate::detect::eval::evaluate(half, &detector, &ctx)?;
        let held_out = half.file_name().is_some_and(|n| n == "test") && !show_test_misses;
        if halves.len() > 1 {
            println!("== {}", half.display());
        }
        if held_out {
            print!("{}", report.render_figures(lang));
            println!(
                "{}",
                t(
                    lang,
                    "(missers van de achtergehouden helft niet getoond; --show-test-misses toont ze)",
                    "(misses of the held-out half not shown; --show-test-misses lists them)",
                )
            );
        } else {
            print!("{}", report.render(lang));
        }
        if halves.len() > 1 {
            println!();
        }
        let figure = |x: f64| crate::detect::eval::figure(lang, x);
        let number = |x: f64| crate::detect::eval::number(lang, x);
        if let Some(r) = min_recall.filter(|r| report.recall() < *r) {
            match lang {
                Language::Nl => eprintln!(
                    "klachtenbus: {}: recall {} is lager dan {}",
                    half.display(),
                    figure(report.recall()),
                    number(r)
                ),
                Language::En => eprintln!(
                    "klachtenbus: {}: recall {:.3} is below {r}",
                    half.display(),
                    report.recall()
                ),
            }
            ok = false;
        }
        if let Some(p) = min_precision.filter(|p| report.precision() < *p) {
            match lang {
                Language::Nl => eprintln!(
                    "klachtenbus: {}: precisie {} is lager dan {}",
                    half.display(),
                    figure(report.precision()),
                    number(p)
                ),
                Language::En => eprintln!(
                    "klachtenbus: {}: precision {:.3} is below {p}",
                    half.display(),
                    report.precision()
                ),
            }
            ok = false;
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(super) async fn cases(
    settings: &Settings,
    filter: Option<StatusFilter>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    // `open` and `overdue` are decided on today's Amsterdam date, as the escalations are.
    let today = crate::calendar::local_date(store.now());
    let rows: Vec<crate::store::CaseRow> = match filter {
        Some(StatusFilter::Is(status)) => store.cases(Some(status)).await?,
        Some(f) => store
            .cases(None)
            .await?
            .into_iter()
            .filter(|c| f.admits(c, today))
            .collect(),
        None => store.cases(None).await?,
    };
    if json {
        let mut out = Vec::with_capacity(rows.len());
        for case in rows {
            let timeline = store.events(case.id).await?;
            out.push(CaseJson {
                case,
                timeline,
                mail: None,
            });
        }
        store.close().await;
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    store.close().await;
    let lang = lang();
    let mut table = vec![vec![
        t(lang, "KENMERK", "REF").to_string(),
        "STATUS".into(),
        t(lang, "BEVESTIGEN", "CONFIRM BY").into(),
        t(lang, "STANDPUNT", "POSITION BY").into(),
        t(lang, "KIFID", "KIFID FROM").into(),
        t(lang, "VAN", "FROM").into(),
        t(lang, "ONDERWERP", "SUBJECT").into(),
    ]];
    for c in &rows {
        let status = labels::status(lang, c.status);
        // Open and past a deadline that still runs: as `--status overdue` lists them.
        let status = if crate::report::is_overdue(c, today) {
            format!("{status} ({})", t(lang, "te laat", "overdue"))
        } else {
            status.to_string()
        };
        table.push(vec![
            c.case_ref.to_string(),
            status,
            labels::date_str(lang, &c.confirm_by),
            labels::date_str(lang, &c.position_by),
            c.kifid_from
                .as_deref()
                .map(|d| labels::date_str(lang, d))
                .unwrap_or_else(|| "-".into()),
            truncate(c.complainant_addr.as_deref().unwrap_or("-"), 28),
            truncate(
                c.subject
                    .as_deref()
                    .unwrap_or(t(lang, "(geen onderwerp)", "(no subject)")),
                50,
            ),
        ]);
    }
    for line in columns(&table, &[]) {
        println!("{line}");
    }
    println!(
        "{}",
        labels::count(lang, rows.len(), ("zaak", "zaken"), ("case", "cases"))
    );
    Ok(ExitCode::SUCCESS)
}

/// `label: value` lines with the values under one another, indented by two spaces.
fn fields(lines: &[(String, String)]) {
    let width = lines
        .iter()
        .map(|(k, _)| k.chars().count() + 1)
        .max()
        .unwrap_or(0);
    for (k, v) in lines {
        let key = format!("{k}:");
        println!("  {key:<width$} {v}");
    }
}

pub(super) async fn show(
    settings: &Settings,
    reference: CaseRef,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let Some(case) = store.case(reference).await? else {
        store.close().await;
        no_case(reference);
        return Ok(ExitCode::from(1));
    };
    let timeline = store.events(case.id).await?;
    let mail = store.case_mail(case.id).await?;
    store.close().await;
    if json {
        let out = CaseJson {
            case,
            timeline,
            mail: Some(mail),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let lang = lang();
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let when = |v: &Option<String>| v.as_deref().map(|at| labels::time_str(lang, at));
    println!("{}  {}", case.case_ref, labels::status(lang, case.status));
    let addr = case.complainant_addr.as_deref().unwrap_or("-");
    let from = match case.complainant_name.as_deref() {
        Some(n) => format!("{n} <{addr}>"),
        None => addr.to_string(),
    };
    let mut lines: Vec<(String, String)> = vec![
        (t(lang, "van", "from").into(), from),
        (
            t(lang, "onderwerp", "subject").into(),
            or_dash(&case.subject),
        ),
        (
            t(lang, "ontvangen", "received").into(),
            labels::time_str(lang, &case.received_at),
        ),
        (
            t(lang, "bevestigen uiterlijk", "confirm by").into(),
            labels::date_str(lang, &case.confirm_by),
        ),
        (
            t(lang, "standpunt uiterlijk", "position by").into(),
            labels::date_str(lang, &case.position_by),
        ),
        (
            t(lang, "kifid vanaf", "kifid from").into(),
            format!(
                "{} {}",
                case.kifid_from
                    .as_deref()
                    .map(|d| labels::date_str(lang, d))
                    .unwrap_or_else(|| "-".into()),
                t(
                    lang,
                    "(8 weken zonder standpunt)",
                    "(8 weeks without a position)"
                )
            ),
        ),
    ];
    for (nl, en, at) in [
        ("bevestigd", "confirmed", &case.confirmed_at),
        ("standpunt gegeven", "position given", &case.position_at),
        ("gesloten", "closed", &case.closed_at),
    ] {
        if let Some(at) = when(at) {
            lines.push((t(lang, nl, en).into(), at));
        }
    }
    lines.push((
        t(lang, "categorie", "category").into(),
        case.category
            .as_deref()
            .map(|c| labels::category_str(lang, c))
            .unwrap_or_else(|| "-".into()),
    ));
    lines.push((
        t(lang, "medewerker", "employee").into(),
        or_dash(&case.employee),
    ));
    lines.push((
        t(lang, "kanaal", "channel").into(),
        labels::channel(lang, &case.channel),
    ));
    for (nl, en, v) in [
        ("opgenomen door", "taken by", &case.taken_by),
        ("adres", "address", &case.postal),
        ("telefoon", "phone", &case.phone),
    ] {
        if let Some(v) = v {
            lines.push((t(lang, nl, en).into(), v.clone()));
        }
    }
    lines.push((
        t(lang, "uitkomst", "outcome").into(),
        case.outcome
            .as_deref()
            .map(|o| labels::outcome_str(lang, o))
            .unwrap_or_else(|| "-".into()),
    ));
    fields(&lines);
    if let Some(p) = when(&case.purged_at) {
        println!(
            "  {} {p}",
            t(
                lang,
                "persoonsgegevens verwijderd op",
                "personal data removed at"
            )
        );
    }
    println!("{}:", t(lang, "tijdlijn", "timeline"));
    let events: Vec<Vec<String>> = timeline
        .iter()
        .map(|e| {
            vec![
                labels::time_str(lang, &e.at),
                labels::event(lang, &e.kind),
                truncate(&e.actor, 24),
                // One line per entry: a position's text keeps its line breaks.
                truncate(&one_line(&e.detail), 100),
            ]
        })
        .collect();
    for line in columns(&events, &[]) {
        println!("  {line}");
    }
    println!("{}:", t(lang, "mail", "mail"));
    let sent: Vec<Vec<String>> = mail
        .iter()
        .map(|m| {
            vec![
                labels::time_str(lang, &m.created_at),
                labels::mail_kind(lang, &m.kind),
                labels::mail_status(lang, &m.status),
                m.recipient.clone(),
                one_line(m.last_error.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    for line in columns(&sent, &[]) {
        println!("  {line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// "geen zaak KL-2026-0009" on standard error.
pub(super) fn no_case(reference: CaseRef) {
    complain(
        &format!("geen zaak {reference}"),
        &format!("no case {reference}"),
    );
}

pub(super) async fn promote(settings: &Settings, message: &str) -> anyhow::Result<ExitCode> {
    let services = services(settings)?;
    let store = open_store(settings).await?;
    let Some(id) = store.find_message(message).await? else {
        store.close().await;
        complain(
            &format!("geen opgeslagen bericht {message:?} (geef het id uit `messages` of een Message-ID)"),
            &format!("no stored message {message:?} (give the id from `messages` or a Message-ID)"),
        );
        return Ok(ExitCode::from(1));
    };
    let result = services.pipeline.promote(&store, id).await;
    store.close().await;
    match result {
        Ok(r) => {
            println!(
                "{}",
                match lang() {
                    Language::Nl => format!("{r}: geopend als kandidaat uit bericht {id}; directie krijgt bericht bij de volgende `sync` of van `run`"),
                    Language::En => format!("{r}: opened as kandidaat from message {id}; directie is notified by the next `sync` or by `run`"),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("klachtenbus: {e:#}");
            Ok(ExitCode::from(1))
        }
    }
}

pub(super) async fn dossier(
    settings: &Settings,
    reference: CaseRef,
    out: &Path,
) -> anyhow::Result<ExitCode> {
    let services = services(settings)?;
    let store = open_store(settings).await?;
    if store.case(reference).await?.is_none() {
        store.close().await;
        no_case(reference);
        return Ok(ExitCode::from(1));
    }
    let written = crate::dossier::write(&store, &services.mailer, reference, out).await;
    store.close().await;
    let written = written?;
    println!(
        "{}",
        match lang() {
            Language::Nl => format!(
                "dossier {reference}: {} bestanden in {} (controleer met: cd {} && sha256sum -c SHA256SUMS)",
                written.len(),
                out.display(),
                out.display()
            ),
            Language::En => format!(
                "dossier {reference}: {} files in {} (check with: cd {} && sha256sum -c SHA256SUMS)",
                written.len(),
                out.display(),
                out.display()
            ),
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn calendar(
    settings: &Settings,
    from: Option<chrono::NaiveDate>,
    werkdagen: Option<u32>,
    dagen: Option<u32>,
    year: Option<i32>,
    profile: Option<Profile>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let lang = lang();
    let long_date = |d: chrono::NaiveDate| match lang {
        Language::Nl => dutch_date(d),
        Language::En => crate::calendar::english_date(d),
    };
    let out_of_range = |what: String| {
        complain(
            &format!(
                "{what} valt buiten het bereik van de kalender ({} tot en met {})",
                crate::calendar::FIRST_YEAR,
                crate::calendar::LAST_YEAR
            ),
            &format!(
                "{what} is outside the calendar's range ({} to {})",
                crate::calendar::FIRST_YEAR,
                crate::calendar::LAST_YEAR
            ),
        )
    };
    let deadlines = settings.deadlines()?;
    let profile = profile.unwrap_or(deadlines.calendar);
    let cal = Calendar::new(profile, deadlines.extra_closed_days.iter().copied());
    if let Some(year) = year {
        if !(crate::calendar::FIRST_YEAR..=crate::calendar::LAST_YEAR).contains(&year) {
            out_of_range(year.to_string());
            return Ok(ExitCode::from(2));
        }
        // One line per day; two holidays on one day (Hemelvaart on 5 May) share it.
        let mut days: std::collections::BTreeMap<chrono::NaiveDate, Vec<&str>> = Default::default();
        for h in crate::calendar::holidays(year, profile) {
            days.entry(h.date).or_default().push(h.name);
        }
        for d in &deadlines.extra_closed_days {
            if chrono::Datelike::year(d) == year {
                days.entry(*d).or_default().push("gesloten");
            }
        }
        let days: Vec<(chrono::NaiveDate, String)> = days
            .into_iter()
            .map(|(d, mut names)| {
                names.dedup();
                (d, names.join(" / "))
            })
            .collect();
        if json {
            let list: Vec<_> = days
                .iter()
                .map(|(d, n)| serde_json::json!({"date": d.to_string(), "name": n}))
                .collect();
            println!(
                "{}",
                serde_json::json!({"year": year, "profile": profile.as_str(), "holidays": list})
            );
        } else {
            println!("{year} ({profile}):");
            let table: Vec<Vec<String>> = days
                .into_iter()
                .map(|(d, n)| {
                    let n = if n == "gesloten" {
                        t(lang, "gesloten", "closed").to_string()
                    } else {
                        n
                    };
                    vec![labels::date(lang, d), long_date(d), n]
                })
                .collect();
            for line in columns(&table, &[true]) {
                println!("  {line}");
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(from) = from else {
        complain("geef --from", "give --from");
        return Ok(ExitCode::from(2));
    };
    let (deadline, n, key) = match (werkdagen, dagen) {
        (Some(n), _) => (cal.add_working_days(from, n), n, "werkdagen"),
        (None, Some(n)) => (cal.add_days_to_working_day(from, n), n, "dagen"),
        (None, None) => {
            complain("geef --werkdagen of --dagen", "give --werkdagen or --dagen");
            return Ok(ExitCode::from(2));
        }
    };
    let deadline = match deadline {
        Ok(d) => d,
        Err(crate::calendar::CalendarError::OutOfRange(d)) => {
            out_of_range(labels::date(lang, d));
            return Ok(ExitCode::from(2));
        }
    };
    if json {
        let mut v = serde_json::json!({
            "from": from.to_string(),
            "deadline": deadline.to_string(),
            "profile": profile.as_str(),
        });
        v[key] = serde_json::json!(n);
        println!("{v}");
    } else {
        let skipped: Vec<String> = from
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= deadline)
            .filter_map(|d| {
                let r = cal.closed_reason(d)?;
                (!matches!(r, "zaterdag" | "zondag")).then(|| {
                    let r = if r == "gesloten" {
                        t(lang, "gesloten", "closed")
                    } else {
                        r
                    };
                    format!("{} {r}", labels::date(lang, d))
                })
            })
            .collect();
        let count = match (key, lang) {
            ("werkdagen", Language::Nl) => "werkdagen",
            ("werkdagen", Language::En) => "working days",
            (_, Language::Nl) => "dagen",
            (_, Language::En) => "days",
        };
        let mut lines = vec![
            (
                t(lang, "vanaf", "from").to_string(),
                format!("{} ({})", long_date(from), labels::date(lang, from)),
            ),
            (count.to_string(), format!("{n} ({profile})")),
            (
                t(lang, "termijn", "deadline").to_string(),
                format!("{} ({})", long_date(deadline), labels::date(lang, deadline)),
            ),
        ];
        if !skipped.is_empty() {
            lines.push((
                t(lang, "gesloten", "closed").to_string(),
                skipped.join(", "),
            ));
        }
        let width = lines
            .iter()
            .map(|(k, _)| k.chars().count() + 1)
            .max()
            .unwrap_or(0);
        for (k, v) in lines {
            let k = format!("{k}:");
            println!("{k:<width$} {v}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `status`: the health of intake and sending, the outbox and the routing backlog.
pub(super) async fn service_status(settings: &Settings, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let recorded = store.health().await?;
    let health: Vec<crate::store::Health> = crate::store::HEALTH_KINDS
        .iter()
        .map(|k| {
            recorded
                .iter()
                .find(|h| h.kind == *k)
                .cloned()
                .unwrap_or(crate::store::Health {
                    kind: k.to_string(),
                    last_ok: None,
                    failing_since: None,
                    last_error: None,
                    alerted_at: None,
                })
        })
        .collect();
    let (pending, sent, failed) = store.outbox_counts().await?;
    let unrouted = store.unrouted(100_000).await?.len();
    store.close().await;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "health": health,
                "outbox": { "pending": pending, "sent": sent, "failed": failed },
                "unrouted": unrouted,
            }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let lang = lang();
    let local = |at: &Option<String>| {
        at.as_deref()
            .map(|at| labels::time_str(lang, at))
            .unwrap_or_else(|| t(lang, "nooit", "never").into())
    };
    let mut table: Vec<Vec<String>> = Vec::new();
    for h in &health {
        let name = match h.kind.as_str() {
            "intake" => t(lang, "mailbox", "mailbox"),
            _ => t(lang, "versturen", "sending"),
        };
        let state = match &h.failing_since {
            None => match lang {
                Language::Nl => format!("in orde; laatst gelukt {}", local(&h.last_ok)),
                Language::En => format!("ok; last success {}", local(&h.last_ok)),
            },
            Some(_) => {
                let alerted = h.alerted_at.is_some();
                let error = h.last_error.as_deref().unwrap_or("");
                match lang {
                    Language::Nl => format!(
                        "STORING sinds {} (laatst gelukt {}){}: {error}",
                        local(&h.failing_since),
                        local(&h.last_ok),
                        if alerted { "; melding verstuurd" } else { "" },
                    ),
                    Language::En => format!(
                        "FAILING since {} (last success {}){}: {error}",
                        local(&h.failing_since),
                        local(&h.last_ok),
                        if alerted { "; alert sent" } else { "" },
                    ),
                }
            }
        };
        table.push(vec![name.to_string(), state]);
    }
    table.push(vec![
        "outbox".into(),
        match lang {
            Language::Nl => {
                format!("{pending} wachtend, {sent} verstuurd, {failed} definitief mislukt")
            }
            Language::En => format!("{pending} waiting, {sent} sent, {failed} failed permanently"),
        },
    ]);
    table.push(vec![
        t(lang, "verwerking", "routing").into(),
        format!(
            "{} {}",
            labels::count(
                lang,
                unrouted,
                ("opgeslagen bericht", "opgeslagen berichten"),
                ("stored message", "stored messages"),
            ),
            t(lang, "nog niet verwerkt", "not routed yet")
        ),
    ]);
    for line in columns(&table, &[]) {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `s` with every run of white space (line breaks too) as one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
