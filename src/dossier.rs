//! The dossier of one case, written to a folder for the archive:
//!
//! ```text
//! berichten/01-klacht.eml       every stored message of the case, byte for byte
//! verzonden/01-bevestigingsbrief.eml   every mail sent for it, as it was sent
//! bijlagen/01-1-polis.pdf       the attachments of those messages
//! timeline.md                   the case and its timeline, readable
//! case.json                     the case, timeline and mail as `show --json` prints them
//! SHA256SUMS                    a manifest `sha256sum -c` accepts
//! ```
//!
//! Everything is derived from the register, so writing the dossier twice gives identical
//! files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::case::CaseRef;
use crate::outbox::Mailer;
use crate::store::{CaseRow, Event, OutboxRow, Store};

const MANIFEST: &str = "SHA256SUMS";

/// The case, timeline and mail as `show --json` prints them.
#[derive(Debug, serde::Serialize)]
pub struct CaseJson {
    #[serde(flatten)]
    pub case: CaseRow,
    pub timeline: Vec<Event>,
    /// Every mail queued for the case (only in `show --json` and the dossier).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<Vec<OutboxRow>>,
}

/// Writes the dossier of `reference` into `out`; returns the files written (relative).
pub async fn write(
    store: &Store,
    mailer: &Mailer,
    reference: CaseRef,
    out: &Path,
) -> anyhow::Result<Vec<String>> {
    let case = store
        .case(reference)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no case {reference}"))?;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();

    for (n, (pk, role)) in store.case_messages(case.id).await?.iter().enumerate() {
        let raw = store
            .raw(*pk)
            .await?
            .ok_or_else(|| anyhow::anyhow!("message {pk} of {reference} has no stored bytes"))?;
        let role = match role.as_str() {
            "complaint" => "klacht",
            "follow_up" => "vervolg",
            "directie" => "directie",
            _ => "bericht",
        };
        for (a, (name, bytes)) in crate::parse::attachment_contents(&raw)
            .into_iter()
            .enumerate()
        {
            let name = safe_name(name.as_deref()).unwrap_or_else(|| "bijlage".into());
            files.insert(format!("bijlagen/{:02}-{}-{name}", n + 1, a + 1), bytes);
        }
        files.insert(format!("berichten/{:02}-{role}.eml", n + 1), raw);
    }

    let mail = store.case_mail(case.id).await?;
    for (n, row) in mail.iter().filter(|m| m.status == "sent").enumerate() {
        let message = mailer
            .build(row)
            .map_err(|e| anyhow::anyhow!("rebuilding mail {}: {e}", row.id))?;
        files.insert(
            format!("verzonden/{:02}-{}.eml", n + 1, row.kind),
            message.formatted(),
        );
    }

    let timeline = store.events(case.id).await?;
    files.insert(
        "timeline.md".into(),
        timeline_md(&case, &timeline, &mail).into_bytes(),
    );
    let json = CaseJson {
        case,
        timeline,
        mail: Some(mail),
    };
    let mut text = serde_json::to_string_pretty(&json)?;
    text.push('\n');
    files.insert("case.json".into(), text.into_bytes());

    prepare(out)?;
    let mut manifest = String::new();
    for (rel, bytes) in &files {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        manifest.push_str(&format!("{}  {rel}\n", hex::encode(Sha256::digest(bytes))));
    }
    std::fs::write(out.join(MANIFEST), manifest)
        .with_context(|| format!("writing {}", out.join(MANIFEST).display()))?;
    let mut written: Vec<String> = files.into_keys().collect();
    written.push(MANIFEST.into());
    Ok(written)
}

/// `out` must be missing, empty, or an earlier dossier (whose files are then removed, so
/// nothing stale remains). Anything else is refused rather than mixed with a dossier.
fn prepare(out: &Path) -> anyhow::Result<()> {
    if !out.exists() {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        return Ok(());
    }
    let empty = std::fs::read_dir(out)
        .with_context(|| format!("reading {}", out.display()))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    let manifest = out.join(MANIFEST);
    let Ok(old) = std::fs::read_to_string(&manifest) else {
        anyhow::bail!(
            "{} is not empty and holds no earlier dossier ({MANIFEST}); choose another --out",
            out.display()
        );
    };
    for line in old.lines() {
        if let Some((_, rel)) = line.split_once("  ") {
            // Only plain relative paths of our own making.
            let rel = PathBuf::from(rel);
            if rel
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
            {
                let _ = std::fs::remove_file(out.join(rel));
            }
        }
    }
    let _ = std::fs::remove_file(manifest);
    Ok(())
}

/// A file name from a sender-given attachment name: letters, digits, `.`, `-`, `_` only,
/// no leading dot, at most 80 characters.
fn safe_name(name: Option<&str>) -> Option<String> {
    let cleaned: String = name?
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned
        .trim_start_matches('.')
        .chars()
        .take(80)
        .collect::<String>();
    (!cleaned.is_empty()).then_some(cleaned)
}

fn timeline_md(case: &CaseRow, events: &[Event], mail: &[OutboxRow]) -> String {
    let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut md = format!("# Dossier {}\n\n", case.case_ref);
    for (k, v) in [
        ("Status", case.status.as_str().to_string()),
        ("Kanaal", case.channel.clone()),
        ("Klager", or(&case.complainant_name)),
        ("E-mail", or(&case.complainant_addr)),
        ("Onderwerp", or(&case.subject)),
        ("Ontvangen", case.received_at.clone()),
        ("Ontvangstbevestiging uiterlijk", case.confirm_by.clone()),
        ("Standpunt uiterlijk", case.position_by.clone()),
        ("Kifid vanaf (8 weken)", or(&case.kifid_from)),
        ("Categorie", or(&case.category)),
        ("Medewerker", or(&case.employee)),
        ("Bevestigd", or(&case.confirmed_at)),
        ("Standpunt gegeven", or(&case.position_at)),
        ("Gesloten", or(&case.closed_at)),
    ] {
        md.push_str(&format!("- **{k}:** {}\n", one_line(&v)));
    }
    md.push_str("\n## De klacht\n\n");
    for line in case.summary.lines() {
        md.push_str(&format!("> {line}\n"));
    }
    md.push_str("\n## Tijdlijn\n\n| tijd | wie | wat | toelichting |\n| --- | --- | --- | --- |\n");
    for e in events {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            e.at,
            cell(&e.actor),
            cell(&e.kind),
            cell(&e.detail)
        ));
    }
    md.push_str("\n## Verstuurde en klaargezette mail\n\n| id | soort | aan | status | verstuurd |\n| --- | --- | --- | --- | --- |\n");
    for m in mail {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            m.id,
            cell(&m.kind),
            cell(&m.recipient),
            cell(&m.status),
            m.sent_at.as_deref().unwrap_or("-")
        ));
    }
    md
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    one_line(s).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_cannot_leave_the_folder() {
        assert_eq!(
            safe_name(Some("../../etc/passwd")).as_deref(),
            Some("_.._etc_passwd")
        );
        assert_eq!(
            safe_name(Some("polis 2026.pdf")).as_deref(),
            Some("polis_2026.pdf")
        );
        assert_eq!(safe_name(Some("...")), None);
        assert_eq!(safe_name(None), None);
    }

    #[test]
    fn table_cells_stay_in_their_column() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
