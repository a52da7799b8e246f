//! `cases`, `show`, `promote` and `dossier`: the register's cases as people read them
//! (Dutch or English labels, Amsterdam time) or as `--json`.

use super::inspect::{one_line, truncate};
use super::labels::t;
use super::*;
use crate::report::columns;

pub(super) async fn cases(
    settings: &Settings,
    filter: Option<StatusFilter>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    // `open` and `overdue` are decided on today's Amsterdam date, as the escalations are.
    let today = crate::calendar::local_date(clock().now());
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
        outln!("{}", serde_json::to_string_pretty(&out)?);
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
        outln!("{line}");
    }
    outln!(
        "{}",
        labels::count(lang, rows.len(), ("zaak", "zaken"), ("case", "cases"))
    );
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
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let lang = lang();
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let when = |v: &Option<String>| v.as_deref().map(|at| labels::time_str(lang, at));
    outln!("{}  {}", case.case_ref, labels::status(lang, case.status));
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
        labels::channel(lang, case.channel.as_str()),
    ));
    lines.push((
        t(lang, "geopend", "opened").into(),
        labels::origin(lang, case.origin).into(),
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
            .map(|o| labels::outcome_str(lang, o.as_str()))
            .unwrap_or_else(|| "-".into()),
    ));
    labels::fields(&lines, "  ");
    if let Some(p) = when(&case.purged_at) {
        outln!(
            "  {} {p}",
            t(
                lang,
                "persoonsgegevens verwijderd op",
                "personal data removed at"
            )
        );
    }
    outln!("{}:", t(lang, "tijdlijn", "timeline"));
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
        outln!("  {line}");
    }
    outln!("{}:", t(lang, "mail", "mail"));
    let sent: Vec<Vec<String>> = mail
        .iter()
        .map(|m| {
            vec![
                labels::time_str(lang, &m.created_at),
                labels::mail_kind(lang, &m.kind),
                labels::mail_status(lang, m.status.as_str()),
                m.recipient.clone(),
                one_line(m.last_error.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    for line in columns(&sent, &[]) {
        outln!("  {line}");
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
            outln!(
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
    outln!(
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
