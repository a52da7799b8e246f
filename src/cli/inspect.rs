//! The commands that read and change the register by hand: `import`, `messages`,
//! `classify`, `eval`, `cases`, `show`, `promote`, `dossier`, `calendar`.

use super::*;

pub(super) async fn import_files(
    settings: &Settings,
    files: &[PathBuf],
) -> anyhow::Result<ExitCode> {
    let services = services(settings)?;
    let store = open_store(settings).await?;
    let mut failed = 0;
    for path in files {
        match import::import_file(&store, path).await {
            Ok(done) => {
                let what = match done.stored {
                    Stored::New(id) => format!("stored as message {id}"),
                    Stored::Duplicate(id) => format!("already stored as message {id}"),
                };
                let dated = if done.dated_by_header {
                    "Date header"
                } else {
                    "file time (no usable Date header)"
                };
                println!(
                    "{}: {what}, received {} ({dated}), {}",
                    path.display(),
                    crate::store::timestamp(done.received_at),
                    done.status.as_str()
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("klachtenbus: import: {e}");
            }
        }
    }
    let routed = route(&store, &services, &CancellationToken::new()).await?;
    if routed.classified > 0 || routed.failed > 0 {
        print_route(&routed);
        println!("mail to directie is sent by the next `sync` or by `run`");
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
    println!(
        "{:>5}  {:<20}  {:<32}  {:<16}  SUBJECT",
        "ID", "RECEIVED", "FROM", "VERDICT"
    );
    for m in &rows {
        let verdict = match (&m.screened, m.complaint, m.score) {
            (Some(reason), _, _) => reason.clone(),
            (None, Some(true), Some(score)) => format!("KLACHT? {score:.1}"),
            (None, Some(false), Some(score)) if m.band == Some("doubt") => {
                format!("twijfel {score:.1}")
            }
            (None, Some(false), Some(score)) => format!("-  {score:.1}"),
            _ => "(not classified)".into(),
        };
        let verdict = if m.parse_status == "parsed" {
            verdict
        } else {
            format!("{verdict} [{}]", m.parse_status)
        };
        let verdict = match &m.routing_failed {
            Some(f) => format!("ROUTING FAILED x{}", f.attempts),
            None => verdict,
        };
        println!(
            "{:>5}  {:<20}  {:<32}  {:<16}  {}",
            m.id,
            m.received_at,
            truncate(m.from.as_deref().unwrap_or("-"), 32),
            verdict,
            truncate(m.subject.as_deref().unwrap_or("(no subject)"), 60)
        );
    }
    println!("{} message(s)", rows.len());
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn classify(
    settings: &Settings,
    file: &Path,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let (detector, ctx) = detector(settings)?;
    let raw = if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .context("reading standard input")?;
        buf
    } else {
        std::fs::read(file).with_context(|| format!("reading {}", file.display()))?
    };
    let mail = crate::parse::parse(&raw);
    let verdict = detector.classify(&mail, &ctx);
    if json {
        println!("{}", serde_json::to_string_pretty(&verdict)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: score {} (threshold {}), language {}",
        match (verdict.screened, verdict.complaint) {
            (Some(r), _) => format!("screened out ({})", r.as_str()),
            (None, true) => "looks like a complaint".into(),
            (None, false) => "not a complaint".into(),
        },
        verdict.score,
        verdict.threshold,
        verdict.language.as_str()
    );
    for s in &verdict.signals {
        println!("  {:<18} {:>5}  {:?}", s.criterion, s.weight, s.phrase);
    }
    for i in &verdict.ignored {
        println!("  (not counted: {}) {:?}", i.reason, i.phrase);
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
    let (detector, ctx) = detector(settings)?;
    // One labelled folder, or the halves of a split corpus.
    let halves: Vec<PathBuf> = if dir.join("labels.jsonl").exists() {
        vec![dir.to_path_buf()]
    } else {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| anyhow::anyhow!("{}: no labels.jsonl to read ({e})", dir.display()))?;
        let mut subs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("labels.jsonl").exists())
            .collect();
        subs.sort();
        subs
    };
    if halves.is_empty() {
        anyhow::bail!("{}: no labels.jsonl, here or in a subfolder", dir.display());
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
        std::fs::write(out, lines).with_context(|| format!("writing {}", out.display()))?;
    }
    let mut ok = true;
    for half in &halves {
        let report = crate::detect::eval::evaluate(half, &detector, &ctx)?;
        let held_out = half.file_name().is_some_and(|n| n == "test") && !show_test_misses;
        if halves.len() > 1 {
            println!("== {}", half.display());
        }
        if held_out {
            print!("{}", report.render_figures());
            println!("(misses of the held-out half not shown; --show-test-misses lists them)");
        } else {
            print!("{}", report.render());
        }
        if halves.len() > 1 {
            println!();
        }
        if let Some(r) = min_recall.filter(|r| report.recall() < *r) {
            eprintln!(
                "klachtenbus: {}: recall {:.3} is below {r}",
                half.display(),
                report.recall()
            );
            ok = false;
        }
        if let Some(p) = min_precision.filter(|p| report.precision() < *p) {
            eprintln!(
                "klachtenbus: {}: precision {:.3} is below {p}",
                half.display(),
                report.precision()
            );
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
    status: Option<Status>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let rows = store.cases(status).await?;
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
    println!(
        "{:<13}  {:<17}  {:<10}  {:<10}  {:<10}  {:<28}  SUBJECT",
        "REF", "STATUS", "BEVESTIG", "STANDPUNT", "KIFID", "FROM"
    );
    for c in &rows {
        println!(
            "{:<13}  {:<17}  {:<10}  {:<10}  {:<10}  {:<28}  {}",
            c.case_ref.to_string(),
            c.status.as_str(),
            c.confirm_by,
            c.position_by,
            c.kifid_from.as_deref().unwrap_or("-"),
            truncate(c.complainant_addr.as_deref().unwrap_or("-"), 28),
            truncate(c.subject.as_deref().unwrap_or("(geen onderwerp)"), 50)
        );
    }
    println!("{} case(s)", rows.len());
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn show(
    settings: &Settings,
    reference: CaseRef,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let Some(case) = store.case(reference).await? else {
        store.close().await;
        eprintln!("klachtenbus: no case {reference}");
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
    println!("{}  {}", case.case_ref, case.status);
    let addr = case.complainant_addr.as_deref().unwrap_or("-");
    match case.complainant_name.as_deref() {
        Some(n) => println!("  from:        {n} <{addr}>"),
        None => println!("  from:        {addr}"),
    }
    println!("  subject:     {}", case.subject.as_deref().unwrap_or("-"));
    println!("  received:    {}", case.received_at);
    println!("  confirm by:  {}", case.confirm_by);
    println!("  position by: {}", case.position_by);
    println!(
        "  kifid from:  {} (8 weeks without a position)",
        case.kifid_from.as_deref().unwrap_or("-")
    );
    println!("  category:    {}", case.category.as_deref().unwrap_or("-"));
    println!("  employee:    {}", case.employee.as_deref().unwrap_or("-"));
    println!("  channel:     {}", case.channel);
    if let Some(t) = &case.taken_by {
        println!("  taken by:    {t}");
    }
    if let Some(a) = &case.postal {
        println!("  address:     {a}");
    }
    if let Some(p) = &case.phone {
        println!("  phone:       {p}");
    }
    println!("  outcome:     {}", case.outcome.as_deref().unwrap_or("-"));
    if let Some(p) = &case.purged_at {
        println!("  personal data removed at {p}");
    }
    println!("timeline:");
    for e in &timeline {
        println!(
            "  {}  {:<20}  {:<24}  {}",
            e.at,
            e.kind,
            truncate(&e.actor, 24),
            truncate(&e.detail, 100)
        );
    }
    println!("mail:");
    for m in &mail {
        println!(
            "  {}  {:<18}  {:<8}  {}  {}",
            m.created_at,
            m.kind,
            m.status,
            m.recipient,
            m.last_error.as_deref().unwrap_or("")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn promote(settings: &Settings, message: &str) -> anyhow::Result<ExitCode> {
    let services = services(settings)?;
    let store = open_store(settings).await?;
    let Some(id) = store.find_message(message).await? else {
        store.close().await;
        eprintln!("klachtenbus: no stored message {message:?} (give the id from `messages` or a Message-ID)");
        return Ok(ExitCode::from(1));
    };
    let result = services.pipeline.promote(&store, id).await;
    store.close().await;
    match result {
        Ok(r) => {
            println!("{r}: opened as kandidaat from message {id}; directie is notified by the next `sync` or by `run`");
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
    let written = crate::dossier::write(&store, &services.mailer, reference, out).await;
    store.close().await;
    let written = written?;
    println!(
        "dossier {reference}: {} files in {} (check with: cd {} && sha256sum -c SHA256SUMS)",
        written.len(),
        out.display(),
        out.display()
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
    let deadlines = settings.deadlines()?;
    let profile = profile.unwrap_or(deadlines.calendar);
    let cal = Calendar::new(profile, deadlines.extra_closed_days.iter().copied());
    if let Some(year) = year {
        if !(crate::calendar::FIRST_YEAR..=crate::calendar::LAST_YEAR).contains(&year) {
            eprintln!(
                "klachtenbus: {year} is outside the calendar's range ({} to {})",
                crate::calendar::FIRST_YEAR,
                crate::calendar::LAST_YEAR
            );
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
            for (d, n) in days {
                println!("  {d}  {:<28} {n}", dutch_date(d));
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let from = from.context("--from is required")?;
    let (deadline, n, key) = match (werkdagen, dagen) {
        (Some(n), _) => (cal.add_working_days(from, n), n, "werkdagen"),
        (None, Some(n)) => (cal.add_days_to_working_day(from, n), n, "dagen"),
        (None, None) => anyhow::bail!("give --werkdagen or --dagen"),
    };
    let deadline = match deadline {
        Ok(d) => d,
        Err(e) => {
            eprintln!("klachtenbus: {e}");
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
                (!matches!(r, "zaterdag" | "zondag")).then(|| format!("{d} {r}"))
            })
            .collect();
        println!("from:      {} ({from})", dutch_date(from));
        println!("{:<10} {n} ({profile})", format!("{key}:"));
        println!("deadline:  {} ({deadline})", dutch_date(deadline));
        if !skipped.is_empty() {
            println!("closed:    {}", skipped.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
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
