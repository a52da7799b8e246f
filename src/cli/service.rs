//! `calendar` and `status`: the working-day calendar, and how the service is doing.

use super::labels::t;
use super::*;
use crate::report::columns;

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
            outln!(
                "{}",
                serde_json::json!({"year": year, "profile": profile.as_str(), "holidays": list})
            );
        } else {
            outln!("{year} ({profile}):");
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
                outln!("  {line}");
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
        outln!("{v}");
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
        labels::fields(&lines, "");
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
    let unrouted = store.unrouted(100_000, clock().now()).await?.len();
    store.close().await;
    if json {
        outln!(
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
        outln!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
