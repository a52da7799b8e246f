//! The commands that read stored mail and judge it: `import`, `messages`, `classify` and
//! `eval` (`cases`, `show`, `promote`, `dossier` are in `cases.rs`; `calendar` and `status`
//! in `service.rs`).
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
    let app = services(settings)?.open(settings).await?;
    let store = &app.store;
    let mut failed = 0;
    for path in files {
        match import::import_file(store, path, clock().now()).await {
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
                outln!(
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
    let routed = app.route().await?;
    if routed.classified > 0 || routed.failed > 0 {
        print_route(&routed);
        outln!(
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
        outln!("{}", serde_json::to_string_pretty(&rows)?);
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
        outln!("{line}");
    }
    outln!(
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
    let (mut mail, text) = crate::parse::parse_message_or_text(&raw);
    if text {
        // On standard error, so that `--json` stays the verdict alone.
        eprintln!(
            "{}",
            t(
                lang,
                "klachtenbus: geen kopregels gevonden; de invoer is gelezen als de tekst van een bericht",
                "klachtenbus: no header found; the input was read as the text of a message",
            )
        );
    } else {
        crate::documents::read_into(&mut mail, &raw);
    }
    let verdict = detector.classify(&mail, &ctx);
    if json {
        outln!("{}", serde_json::to_string_pretty(&verdict)?);
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
        (None, false) if verdict.doubt => t(
            lang,
            "twijfelgeval (niet gesignaleerd, wel in het overzicht voor de directie)",
            "doubtful (not flagged, but listed for directie)",
        )
        .into(),
        (None, false) => t(lang, "geen klacht", "not a complaint").into(),
    };
    outln!(
        "{judged}: score {} ({} {}), {} {}",
        crate::detect::eval::number(lang, verdict.score),
        t(lang, "drempel", "threshold"),
        crate::detect::eval::number(lang, verdict.threshold),
        t(lang, "taal", "language"),
        verdict.language.as_str()
    );
    if !verdict.documents.is_empty() {
        outln!(
            "  {}: {}",
            t(
                lang,
                "gelezen met de tekst (bijlage)",
                "read with the text (attachment)"
            ),
            verdict.documents.join(", ")
        );
    }
    for s in &verdict.signals {
        outln!(
            "  {:<18} {:>5}  {:?}",
            s.criterion,
            crate::detect::eval::number(lang, s.weight),
            s.phrase
        );
    }
    for i in &verdict.ignored {
        outln!(
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
            outln!("== {}", half.display());
        }
        if held_out {
            out!("{}", report.render_figures(lang));
            outln!(
                "{}",
                t(
                    lang,
                    "(missers van de achtergehouden helft niet getoond; --show-test-misses toont ze)",
                    "(misses of the held-out half not shown; --show-test-misses lists them)",
                )
            );
        } else {
            out!("{}", report.render(lang));
        }
        if halves.len() > 1 {
            outln!();
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

/// `corpus`: the judged mail of the register, labelled, into `out` for `eval`.
pub(super) async fn corpus(
    settings: &Settings,
    out: &Path,
    period: Option<&crate::report::Period>,
) -> anyhow::Result<ExitCode> {
    let lang = lang();
    let store = open_store(settings).await?;
    let written = crate::corpus::write(&store, period, out).await;
    store.close().await;
    let summary = written?;
    let classes: Vec<String> = summary
        .classes
        .iter()
        .map(|(class, (_, n))| format!("{class} {n}"))
        .collect();
    let classes = if classes.is_empty() {
        String::new()
    } else {
        format!(" ({})", classes.join(", "))
    };
    let (n, complaints) = (summary.written(), summary.complaints());
    let others = n - complaints;
    outln!(
        "{}",
        match lang {
            Language::Nl => format!(
                "corpus in {}: {n} berichten, {complaints} klachten en {others} andere{classes}",
                out.display()
            ),
            Language::En => format!(
                "corpus in {}: {n} messages, {complaints} complaints and {others} others{classes}",
                out.display()
            ),
        }
    );
    let left: Vec<String> = [
        (
            summary.undecided,
            "nog niet beoordeeld door directie",
            "not yet decided by directie",
        ),
        (
            summary.forwarded,
            "door directie doorgestuurd (de mail van de klant zelf kwam niet in de mailbox)",
            "forwarded by directie (the customer's own mail never reached the mailbox)",
        ),
        (
            summary.without_bytes,
            "zonder opgeslagen mail (persoonsgegevens verwijderd)",
            "without stored mail (personal data removed)",
        ),
    ]
    .into_iter()
    .filter(|(count, _, _)| *count > 0)
    .map(|(count, nl, en)| format!("{count} {}", t(lang, nl, en)))
    .collect();
    if !left.is_empty() {
        outln!(
            "{}: {}",
            t(lang, "niet opgenomen", "left out"),
            left.join("; ")
        );
    }
    if n == 0 {
        outln!(
            "{}",
            t(
                lang,
                "nog geen door directie beoordeelde mail om mee te meten",
                "no mail judged by directie yet to measure with"
            )
        );
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{}",
        match lang {
            Language::Nl => format!(
                "meten: klachtenbus eval {}. De map bevat persoonsgegevens: bewaar en verwijder haar zoals het register zelf.",
                out.display()
            ),
            Language::En => format!(
                "to measure: klachtenbus eval {}. The folder holds personal data: keep and remove it as the register itself.",
                out.display()
            ),
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// `s` with every run of white space (line breaks too) as one space.
pub(super) fn one_line(s: &str) -> String {
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
