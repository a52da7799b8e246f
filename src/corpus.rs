//! The firm's own mail as a labelled corpus for `eval` (`klachtenbus corpus`): every mail
//! the detector judged as customer mail, byte for byte, with a `labels.jsonl` that says
//! what directie made of it. `eval` on the folder then shows how the detector — this
//! version, another threshold, another lexicon folder — does on the mail the firm really
//! receives, which no corpus written for the project can stand in for.
//!
//! A mail is labelled a complaint when directie confirmed the case opened from it, its
//! class saying how that case was opened ([`Origin`]: flagged, from the doubt band, by
//! hand). It is labelled no complaint when directie judged its case not to be one, and also
//! when no case was ever opened from it: that is what the register knows, not proof (a
//! complaint nobody noticed is labelled no complaint too), and the classes keep the two
//! apart. Left out: cases directie has not decided, the forwards directie sent with
//! `KLACHT` (the customer's own mail never reached the mailbox; the forward is directie's
//! mail) and mail whose bytes were removed with its personal data.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use crate::case::{Channel, Origin, Status};
use crate::report::Period;
use crate::store::{JudgedMail, Store};

/// The class of a mail directie judged not to be a complaint (its case set aside).
pub const REJECTED: &str = "geen_klacht";
/// The class of a mail in the doubt band that no case was opened from.
pub const DOUBT_LEFT: &str = "twijfel_geen_zaak";
/// The class of a mail the detector did not flag and no case was opened from.
pub const NOT_FLAGGED: &str = "niet_gesignaleerd";

/// The file that lists the labels, as `eval` reads it.
pub const LABELS: &str = "labels.jsonl";

/// What the register says of one judged mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// Written to the corpus with this label and class.
    Mail {
        complaint: bool,
        class: &'static str,
    },
    /// A case directie has not decided yet.
    Undecided,
    /// A forward directie sent with `KLACHT`: not the customer's own mail.
    Forwarded,
}

/// The label of `mail` by its case (confirmed, set aside, undecided) or, without one, by
/// how it was routed.
pub fn label(mail: &JudgedMail) -> Label {
    match &mail.case {
        Some((_, status, confirmed)) => {
            let origin = Origin::of(Channel::Email, Some(&mail.route), mail.detail.as_deref());
            if origin == Origin::Doorgestuurd {
                Label::Forwarded
            } else if *confirmed {
                Label::Mail {
                    complaint: true,
                    class: origin.as_str(),
                }
            } else if matches!(status, Status::GeenKlacht | Status::Gesloten) {
                // Set aside, or closed without ever being confirmed (as the inventory
                // counts it).
                Label::Mail {
                    complaint: false,
                    class: REJECTED,
                }
            } else {
                Label::Undecided
            }
        }
        None => match mail.route.as_str() {
            "doubt" => Label::Mail {
                complaint: false,
                class: DOUBT_LEFT,
            },
            "message" => Label::Mail {
                complaint: false,
                class: NOT_FLAGGED,
            },
            // Routed as a case's source with no case: nothing to go by.
            _ => Label::Undecided,
        },
    }
}

/// What [`write()`] wrote and left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Mails written, per class, and whether the class holds complaints.
    pub classes: BTreeMap<&'static str, (bool, usize)>,
    pub undecided: usize,
    pub forwarded: usize,
    /// Mails whose stored bytes were removed (personal data removed).
    pub without_bytes: usize,
}

impl Summary {
    pub fn written(&self) -> usize {
        self.classes.values().map(|(_, n)| n).sum()
    }

    pub fn complaints(&self) -> usize {
        self.classes
            .values()
            .filter(|(complaint, _)| *complaint)
            .map(|(_, n)| n)
            .sum()
    }
}

#[derive(serde::Serialize)]
struct LabelLine<'a> {
    file: String,
    complaint: bool,
    language: &'a str,
    class: &'static str,
    received_at: &'a str,
    case: Option<&'a str>,
}

/// Writes every judged mail received in `period` (all when `None`) into `out` as
/// `bericht-<register id>.eml`, with `labels.jsonl`. `out` must be missing or an empty
/// folder: the corpus holds personal data and is never mixed with other files. On Unix it
/// is created readable by its owner only.
pub async fn write(store: &Store, period: Option<&Period>, out: &Path) -> anyhow::Result<Summary> {
    prepare(out)?;
    let mut summary = Summary::default();
    let mut lines = String::new();
    for mail in store.judged_mail().await? {
        if let Some(period) = period {
            let received = chrono::DateTime::parse_from_rfc3339(&mail.received_at)
                .map(|t| crate::calendar::local_date(t.to_utc()));
            if !received.is_ok_and(|d| period.contains(d)) {
                continue;
            }
        }
        let (complaint, class) = match label(&mail) {
            Label::Mail { complaint, class } => (complaint, class),
            Label::Undecided => {
                summary.undecided += 1;
                continue;
            }
            Label::Forwarded => {
                summary.forwarded += 1;
                continue;
            }
        };
        let Some(raw) = store.raw(mail.id).await? else {
            summary.without_bytes += 1;
            continue;
        };
        let file = format!("bericht-{}.eml", mail.id);
        let path = out.join(&file);
        std::fs::write(&path, raw).with_context(|| format!("writing {}", path.display()))?;
        let line = LabelLine {
            file,
            complaint,
            language: mail.language.as_deref().unwrap_or("nl"),
            class,
            received_at: &mail.received_at,
            case: mail.case.as_ref().map(|(r, _, _)| r.as_str()),
        };
        lines.push_str(&serde_json::to_string(&line)?);
        lines.push('\n');
        summary.classes.entry(class).or_insert((complaint, 0)).1 += 1;
    }
    let path = out.join(LABELS);
    std::fs::write(&path, lines).with_context(|| format!("writing {}", path.display()))?;
    Ok(summary)
}

/// `out` must be missing (it is then created) or an empty folder.
fn prepare(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .with_context(|| format!("reading {}", out.display()))?
            .next()
            .is_none();
        anyhow::ensure!(
            empty,
            "{} is not empty; choose a new folder for the corpus",
            out.display()
        );
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(out)
        .with_context(|| format!("creating {}", out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::ROUTED_FORWARDED;

    fn mail(route: &str, detail: Option<&str>, case: Option<(Status, bool)>) -> JudgedMail {
        JudgedMail {
            id: 7,
            received_at: "2026-11-24T12:00:00Z".into(),
            route: route.into(),
            detail: detail.map(str::to_string),
            language: Some("nl".into()),
            case: case.map(|(s, c)| ("KL-2026-0001".to_string(), s, c)),
        }
    }

    fn is(complaint: bool, class: &'static str) -> Label {
        Label::Mail { complaint, class }
    }

    #[test]
    fn a_judged_mail_is_labelled_by_what_directie_made_of_it() {
        use Status::*;
        // Confirmed: a complaint, its class how the case was opened.
        assert_eq!(
            label(&mail("case", None, Some((InBehandeling, true)))),
            is(true, "herkend")
        );
        assert_eq!(
            label(&mail("doubt", None, Some((StandpuntGegeven, true)))),
            is(true, "twijfelgeval")
        );
        assert_eq!(
            label(&mail("message", None, Some((Gesloten, true)))),
            is(true, "met_de_hand")
        );
        // Set aside, or closed without being confirmed: no complaint.
        assert_eq!(
            label(&mail("case", None, Some((GeenKlacht, false)))),
            is(false, REJECTED)
        );
        assert_eq!(
            label(&mail("doubt", None, Some((Gesloten, false)))),
            is(false, REJECTED)
        );
        // No case: no complaint as far as the register knows, kept apart by class.
        assert_eq!(label(&mail("doubt", None, None)), is(false, DOUBT_LEFT));
        assert_eq!(label(&mail("message", None, None)), is(false, NOT_FLAGGED));
        // Traps: a case still waiting for directie is no label either way; a forward
        // confirmed as a complaint is directie's mail, not the customer's; a case's source
        // with its case gone says nothing.
        assert_eq!(
            label(&mail("case", None, Some((Kandidaat, false)))),
            Label::Undecided
        );
        assert_eq!(
            label(&mail(
                "case",
                Some(ROUTED_FORWARDED),
                Some((InBehandeling, true))
            )),
            Label::Forwarded
        );
        assert_eq!(label(&mail("case", None, None)), Label::Undecided);
    }

    #[test]
    fn the_corpus_goes_only_into_a_new_or_empty_folder() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("nieuw/corpus");
        prepare(&new).unwrap();
        assert!(new.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&new).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        }
        // An empty folder is taken as it is.
        prepare(&new).unwrap();
        std::fs::write(new.join("iets.txt"), "x").unwrap();
        let err = prepare(&new).unwrap_err().to_string();
        assert!(err.contains("is not empty"), "{err}");
        assert_eq!(
            std::fs::read_to_string(new.join("iets.txt")).unwrap(),
            "x",
            "nothing of the folder is touched"
        );
    }
}
