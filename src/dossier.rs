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
use crate::cli::labels::{self, Language};
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
    for (n, row) in mail
        .iter()
        .filter(|m| m.status == crate::store::MailStatus::Sent)
        .enumerate()
    {
        let mut row = row.clone();
        row.attachment = store.attachment(row.id).await?;
        if let Some(a) = &row.attachment {
            // The printable letter, as a file of its own too.
            let name = safe_name(Some(&a.filename)).unwrap_or_else(|| "brief.pdf".into());
            files.insert(format!("brieven/{:02}-{name}", n + 1), a.data.clone());
        }
        let message = mailer
            .build(&row)
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

/// The case and its timeline for people, in Dutch (the dossier is the firm's archive),
/// times in Amsterdam time; `case.json` keeps the stored values.
fn timeline_md(case: &CaseRow, events: &[Event], mail: &[OutboxRow]) -> String {
    let nl = Language::Nl;
    let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let when = |v: &Option<String>| {
        v.as_deref()
            .map(|at| labels::time_str(nl, at))
            .unwrap_or_else(|| "-".into())
    };
    let mut md = format!("# Dossier {}\n\n", case.case_ref);
    for (k, v) in [
        ("Status", labels::status(nl, case.status).to_string()),
        ("Kanaal", labels::channel(nl, case.channel.as_str())),
        ("Klager", or(&case.complainant_name)),
        ("E-mail", or(&case.complainant_addr)),
        ("Onderwerp", or(&case.subject)),
        ("Ontvangen", labels::time_str(nl, &case.received_at)),
        (
            "Ontvangstbevestiging uiterlijk",
            labels::date_str(nl, &case.confirm_by),
        ),
        (
            "Standpunt uiterlijk",
            labels::date_str(nl, &case.position_by),
        ),
        (
            "Kifid vanaf (8 weken)",
            case.kifid_from
                .as_deref()
                .map(|d| labels::date_str(nl, d))
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "Categorie",
            case.category
                .as_deref()
                .map(|c| labels::category_str(nl, c))
                .unwrap_or_else(|| "-".into()),
        ),
        ("Medewerker", or(&case.employee)),
        (
            "Uitkomst",
            case.outcome
                .map(|o| labels::outcome_str(nl, o.as_str()))
                .unwrap_or_else(|| "-".into()),
        ),
        ("Bevestigd", when(&case.confirmed_at)),
        ("Standpunt gegeven", when(&case.position_at)),
        ("Gesloten", when(&case.closed_at)),
    ] {
        md.push_str(&format!("- **{k}:** {}\n", one_line(&v)));
    }
    md.push_str("\n## De klacht\n\n");
    for line in case.summary.lines() {
        md.push_str(&format!("> {line}\n"));
    }
    md.push_str("\n## Tijdlijn\n\nTijden in Nederlandse tijd (Europe/Amsterdam).\n\n| tijd | wie | wat | toelichting |\n| --- | --- | --- | --- |\n");
    for e in events {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            labels::time_str(nl, &e.at),
            cell(&e.actor),
            cell(&labels::event(nl, &e.kind)),
            cell(&e.detail)
        ));
    }
    md.push_str("\n## Verstuurde en klaargezette mail\n\n| id | soort | aan | status | verstuurd |\n| --- | --- | --- | --- | --- |\n");
    for m in mail {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            m.id,
            cell(&labels::mail_kind(nl, &m.kind)),
            cell(&m.recipient),
            cell(&labels::mail_status(nl, m.status.as_str())),
            when(&m.sent_at)
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

    #[test]
    fn the_timeline_is_dutch_and_in_amsterdam_time() {
        let case = CaseRow {
            id: 1,
            case_ref: CaseRef::new(2026, 9).unwrap(),
            status: crate::case::Status::InBehandeling,
            channel: crate::case::Channel::Email,
            message_pk: None,
            complainant_addr: Some("m.bakker@example.test".into()),
            complainant_name: None,
            subject: Some("Polis".into()),
            language: crate::detect::Language::Nl,
            summary: "Nog steeds geen antwoord.".into(),
            screened: None,
            received_at: "2026-11-25T05:01:57Z".into(),
            confirm_by: "2026-12-04".into(),
            position_by: "2026-12-09".into(),
            kifid_from: Some("2027-01-20".into()),
            reminded_through: None,
            category: None,
            employee: None,
            confirmed_at: Some("2026-07-01T13:48:00Z".into()),
            position_at: None,
            closed_at: None,
            postal: None,
            phone: None,
            taken_by: None,
            outcome: Some(crate::case::Outcome::DeelsGegrond),
            purged_at: None,
            acknowledged_at: None,
            position_sent_at: None,
            origin: crate::case::Origin::Herkend,
        };
        let events = vec![Event {
            at: "2026-11-25T05:01:57Z".into(),
            actor: "klachtenbus".into(),
            kind: "brief_klaargezet".into(),
            detail: "bevestigingsbrief".into(),
            message: None,
            outbox: Some(4),
        }];
        let md = timeline_md(&case, &events, &[]);
        assert!(md.contains("- **Status:** in behandeling\n"), "{md}");
        assert!(md.contains("- **Kanaal:** e-mail\n"), "{md}");
        assert!(md.contains("- **Ontvangen:** 25-11-2026 06:01\n"), "{md}");
        assert!(
            md.contains("- **Ontvangstbevestiging uiterlijk:** 4-12-2026\n"),
            "{md}"
        );
        assert!(md.contains("- **Uitkomst:** deels gegrond\n"), "{md}");
        // Summer time: UTC+2.
        assert!(md.contains("- **Bevestigd:** 1-7-2026 15:48\n"), "{md}");
        assert!(
            md.contains(
                "| 25-11-2026 06:01 | klachtenbus | brief klaargezet | bevestigingsbrief |"
            ),
            "{md}"
        );
    }
}
