//! `purge` and `erase`: personal data removed after the retention term, or on request.

use std::process::ExitCode;

use super::labels;
use super::{clock, complain, lang, open_store};
use crate::config::Settings;
use crate::detect::Language;
use crate::logging::mask_address;
use crate::store::Store;

fn print_forgotten(what: &str, f: &crate::store::Forgotten) {
    let lang = lang();
    let cases = labels::count(lang, f.cases.len(), ("zaak", "zaken"), ("case", "cases"));
    let messages = labels::count(
        lang,
        f.messages as usize,
        ("bericht", "berichten"),
        ("message", "messages"),
    );
    let mails = labels::count(lang, f.mails as usize, ("mail", "mails"), ("mail", "mails"));
    let refs = if f.cases.is_empty() {
        String::new()
    } else {
        format!(": {}", f.cases.join(" "))
    };
    match lang {
        Language::Nl => {
            outln!("{what}: persoonsgegevens verwijderd uit {cases}, {messages}, {mails}{refs}")
        }
        Language::En => {
            outln!("{what}: personal data removed from {cases}, {messages}, {mails}{refs}")
        }
    }
}

fn actor() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .map(|u| format!("cli ({u})"))
        .unwrap_or_else(|| "cli".into())
}

pub(super) async fn purge(settings: &Settings, dry_run: bool) -> anyhow::Result<ExitCode> {
    let retention = settings.retention()?;
    let store = open_store(settings).await?;
    let now = clock().now();
    let before = now
        .checked_sub_months(chrono::Months::new(12 * retention.keep_years))
        .unwrap_or(now);
    let cases = store.cases_ended_before(before).await?;
    let loose = store.loose_messages_before(before).await?;
    if dry_run {
        let refs = refs_of(&store, &cases).await?;
        store.close().await;
        let lang = lang();
        let day = labels::date(lang, crate::calendar::local_date(before));
        let n = labels::count(lang, cases.len(), ("zaak", "zaken"), ("case", "cases"));
        let m = labels::count(
            lang,
            loose.len(),
            ("bericht", "berichten"),
            ("message", "messages"),
        );
        let refs = if refs.is_empty() {
            String::new()
        } else {
            format!(": {}", refs.join(" "))
        };
        match lang {
            Language::Nl => outln!(
                "purge (proef): {n} afgehandeld vóór {day} en {m} buiten zaken zouden worden geleegd{refs}"
            ),
            Language::En => outln!(
                "purge (dry run): {n} ended before {day} and {m} outside cases would be emptied{refs}"
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let reason = format!(
        "bewaartermijn {} jaar verstreken (afgehandeld vóór {})",
        retention.keep_years,
        crate::calendar::local_date(before)
    );
    let done = store
        .forget(&cases, &loose, "purge", &actor(), &reason, clock().now())
        .await?;
    store.close().await;
    tracing::info!(
        cases = done.cases.len(),
        messages = done.messages,
        "purge done"
    );
    print_forgotten("purge", &done);
    Ok(ExitCode::SUCCESS)
}

async fn refs_of(store: &Store, ids: &[i64]) -> anyhow::Result<Vec<String>> {
    let all = store.cases(None).await?;
    Ok(all
        .iter()
        .filter(|c| ids.contains(&c.id))
        .map(|c| c.case_ref.to_string())
        .collect())
}

pub(super) async fn erase(
    settings: &Settings,
    email: &str,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let email = email.trim().to_ascii_lowercase();
    if !email.contains('@') || email.contains(char::is_whitespace) {
        complain(
            &format!("{email:?} is geen e-mailadres"),
            &format!("{email:?} is not an e-mail address"),
        );
        return Ok(ExitCode::from(2));
    }
    let lang = lang();
    let store = open_store(settings).await?;
    let (cases, loose) = store.holding_address(&email).await?;
    let open: Vec<String> = cases
        .iter()
        .filter(|(_, _, s)| crate::report::is_open(*s))
        .map(|(_, r, s)| format!("{r} ({})", labels::status(lang, *s)))
        .collect();
    if !open.is_empty() {
        store.close().await;
        let who = mask_address(&email);
        let list = open.join(", ");
        complain(
            &format!("erase geweigerd: {who} heeft nog een open zaak: {list}. Een klacht moet zijn afgehandeld (binnen de termijnen) voordat de gegevens weg mogen; sluit eerst de zaak (SLUIT) en probeer dan opnieuw."),
            &format!("erase refused: {who} still has open case(s): {list}. A complaint must be handled (and its deadlines kept) before its data can go; close the case(s) first (SLUIT), then erase again."),
        );
        return Ok(ExitCode::from(1));
    }
    let ids: Vec<i64> = cases.iter().map(|(id, _, _)| *id).collect();
    if dry_run {
        store.close().await;
        let n = labels::count(lang, ids.len(), ("zaak", "zaken"), ("case", "cases"));
        let m = labels::count(
            lang,
            loose.len(),
            ("bericht", "berichten"),
            ("message", "messages"),
        );
        let refs = if cases.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                cases
                    .iter()
                    .map(|(_, r, _)| r.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        };
        match lang {
            Language::Nl => {
                outln!("erase (proef): {n} en {m} buiten zaken zouden worden geleegd{refs}")
            }
            Language::En => {
                outln!("erase (dry run): {n} and {m} outside cases would be emptied{refs}")
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let done = store
        .forget(
            &ids,
            &loose,
            "erase",
            &actor(),
            "verzoek van de betrokkene (AVG art. 17)",
            clock().now(),
        )
        .await?;
    store.close().await;
    tracing::info!(
        cases = done.cases.len(),
        messages = done.messages,
        "erase done"
    );
    print_forgotten("erase", &done);
    Ok(ExitCode::SUCCESS)
}
