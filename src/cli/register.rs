//! The register commands: `intake` (the Klachtenformulier), `maatregel`, `report`,
//! `purge` and `erase`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use super::labels::{self, t};
use super::{clock, complain, lang, open_store, services};
use crate::case::{CaseRef, Category};
use crate::config::Settings;
use crate::detect::Language;
use crate::form::{Field, Form};
use crate::report::{Format, Period, Renderer};
use crate::store::{NewMeasure, NewMessage, Origin};

/// Every field of the Klachtenformulier as a flag (Dutch names, English aliases).
#[derive(Debug, Default, clap::Args)]
pub struct IntakeArgs {
    /// The complainant's name.
    #[arg(long, alias = "name")]
    pub naam: Option<String>,
    /// Postal address.
    #[arg(long, alias = "address")]
    pub adres: Option<String>,
    /// E-mail address (the acknowledgement goes there).
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long, alias = "phone")]
    pub telefoon: Option<String>,
    /// When the complaint was received: 2026-11-20, or "20-11-2026 14:30".
    #[arg(long, alias = "date")]
    pub datum: Option<String>,
    /// telefoon, mondeling or brief.
    #[arg(long, alias = "channel")]
    pub kanaal: Option<String>,
    /// The employee who took the complaint.
    #[arg(long = "opgenomen-door", alias = "taken-by")]
    pub opgenomen_door: Option<String>,
    /// The complaint in the complainant's words; "-" reads it from standard input.
    #[arg(long, alias = "complaint")]
    pub klacht: Option<String>,
    /// The employee the complaint is about (optional).
    #[arg(long, alias = "employee")]
    pub medewerker: Option<String>,
    /// A file to keep with the case, e.g. a scanned letter (repeatable).
    #[arg(long = "bijlage", alias = "attachment", value_name = "FILE")]
    pub bijlagen: Vec<PathBuf>,
    /// Never ask; report a missing field instead (always so without a terminal).
    #[arg(long)]
    pub no_prompt: bool,
}

impl IntakeArgs {
    fn value(&self, f: Field) -> Option<&String> {
        match f {
            Field::Name => self.naam.as_ref(),
            Field::Address => self.adres.as_ref(),
            Field::Email => self.email.as_ref(),
            Field::Phone => self.telefoon.as_ref(),
            Field::Date => self.datum.as_ref(),
            Field::Channel => self.kanaal.as_ref(),
            Field::TakenBy => self.opgenomen_door.as_ref(),
            Field::Employee => self.medewerker.as_ref(),
            Field::Complaint => self.klacht.as_ref(),
        }
    }

    fn set(&mut self, f: Field, v: String) {
        let slot = match f {
            Field::Name => &mut self.naam,
            Field::Address => &mut self.adres,
            Field::Email => &mut self.email,
            Field::Phone => &mut self.telefoon,
            Field::Date => &mut self.datum,
            Field::Channel => &mut self.kanaal,
            Field::TakenBy => &mut self.opgenomen_door,
            Field::Employee => &mut self.medewerker,
            Field::Complaint => &mut self.klacht,
        };
        *slot = Some(v);
    }
}

fn flag(f: Field) -> &'static str {
    match f {
        Field::Name => "--naam",
        Field::Address => "--adres",
        Field::Email => "--email",
        Field::Phone => "--telefoon",
        Field::Date => "--datum",
        Field::Channel => "--kanaal",
        Field::TakenBy => "--opgenomen-door",
        Field::Employee => "--medewerker",
        Field::Complaint => "--klacht",
    }
}

/// Asks for each field not given, in Dutch; the complaint ends at an empty line.
fn prompt(args: &mut IntakeArgs) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stderr();
    writeln!(
        out,
        "Klachtenformulier — laat een veld leeg als het niet van toepassing is."
    )?;
    for f in Field::ALL {
        if args.value(f).is_some() {
            continue;
        }
        let hint = match f {
            Field::Date => " (bijv. 20-11-2026 14:30)",
            Field::Channel => " (telefoon, mondeling of brief)",
            Field::Employee => " (optioneel)",
            Field::Complaint => " (in de woorden van de klager; sluit af met een lege regel)",
            _ => "",
        };
        write!(out, "{}{hint}: ", f.label())?;
        out.flush()?;
        let mut value = String::new();
        if f == Field::Complaint {
            writeln!(out)?;
            for line in stdin.lock().lines() {
                let line = line?;
                if line.trim().is_empty() {
                    break;
                }
                value.push_str(&line);
                value.push('\n');
            }
        } else {
            stdin.lock().read_line(&mut value)?;
        }
        let value = value.trim().to_string();
        if !value.is_empty() {
            args.set(f, value);
        }
    }
    Ok(())
}

fn content_type(path: &std::path::Path) -> ContentType {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let t = match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "tif" | "tiff" => "image/tiff",
        "txt" => "text/plain; charset=utf-8",
        "eml" => "message/rfc822",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    };
    ContentType::parse(t).unwrap_or(ContentType::TEXT_PLAIN)
}

pub(super) async fn intake(settings: &Settings, mut args: IntakeArgs) -> anyhow::Result<ExitCode> {
    let services = services(settings)?;
    let limits = settings.limits()?;
    if args.klacht.as_deref() == Some("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("reading the complaint from standard input")?;
        args.klacht = Some(text);
    } else if !args.no_prompt && std::io::stdin().is_terminal() {
        prompt(&mut args)?;
    }
    // The form is checked before the register is opened: a refused form leaves no trace
    // (not even a new database file).
    let now_local = clock()
        .now()
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .naive_local();
    // The same reading as a mailed form: the complaint goes last, so its lines run on.
    let mut text = String::new();
    for f in Field::ALL {
        if let Some(v) = args.value(f) {
            text.push_str(&format!("{}: {}\n", f.label(), v.trim()));
        }
    }
    let form = match Form::parse(&text, now_local) {
        Ok(f) => f,
        Err(e) => {
            let flags: Vec<&str> = [
                Field::Name,
                Field::Address,
                Field::Email,
                Field::Date,
                Field::Channel,
                Field::TakenBy,
                Field::Complaint,
            ]
            .iter()
            .filter(|f| args.value(**f).is_none_or(|v| v.trim().is_empty()))
            .map(|f| flag(*f))
            .collect();
            eprintln!("klachtenbus: Klachtenformulier niet verwerkt: {e}");
            if !flags.is_empty() {
                eprintln!("  (niet gegeven: {})", flags.join(" "));
            }
            return Ok(ExitCode::from(2));
        }
    };
    let mut files = Vec::new();
    let mut total = 0u64;
    for path in &args.bijlagen {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read attachment {}", path.display()))?;
        total += bytes.len() as u64;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("bijlage")
            .to_string();
        files.push((name, content_type(path), bytes));
    }
    if total > limits.max_message_bytes {
        anyhow::bail!(
            "the attachments together are {total} bytes, more than limits.max_message_bytes ({})",
            limits.max_message_bytes
        );
    }
    let app = services.open(settings).await?;
    let store = &app.store;
    let pipeline = &app.pipeline;
    let own: Mailbox = format!("Klachtenformulier <{}>", pipeline.from)
        .parse()
        .context("smtp.from as a mailbox")?;
    let stamp = clock().now();
    let message_id = format!(
        "<intake.{}.{}@{}>",
        stamp.timestamp_micros(),
        &crate::store::sha256_hex(text.as_bytes())[..12],
        pipeline.id_domain()
    );
    let subject = format!(
        "Klachtenformulier ({}) {}",
        form.channel.as_str(),
        crate::letters::header_safe(&form.name, 80)
    );
    let body = SinglePart::plain(form.to_text());
    let builder = Message::builder()
        .from(own.clone())
        .to(own)
        .subject(subject)
        .date(stamp.into())
        .message_id(Some(message_id));
    let message = if files.is_empty() {
        builder.singlepart(body)
    } else {
        let mut multi = MultiPart::mixed().singlepart(body);
        for (name, ct, bytes) in &files {
            multi = multi.singlepart(Attachment::new(name.clone()).body(bytes.clone(), ct.clone()));
        }
        builder.multipart(multi)
    }
    .context("building the form message")?;
    let raw = message.formatted();
    let parsed = crate::parse::parse(&raw);
    let verdict = pipeline.detector.classify(&parsed, &pipeline.screen);
    let stored = store
        .store_one(
            &NewMessage {
                size: raw.len() as u64,
                raw,
                origin: Origin::Intake,
                received_at: form.received_utc(),
                parsed,
            },
            clock().now(),
        )
        .await?;
    let id = stored.id();
    let mut tx = store.begin(pipeline.id_domain(), clock().now()).await?;
    if !tx
        .claim_route(id, "formulier", None, Some("intake"))
        .await?
    {
        anyhow::bail!("the form (message {id}) was already registered");
    }
    tx.save_verdict(id, &verdict).await?;
    let names: Vec<String> = files.iter().map(|(n, _, _)| n.clone()).collect();
    let case = pipeline
        .open_form(
            &mut tx,
            id,
            &form,
            &names,
            &format!("intake ({})", form.taken_by),
        )
        .await?;
    tx.commit().await?;
    tracing::info!(case = %case, channel = form.channel.as_str(), "case opened by intake");
    let delivered = app.deliver().await?;
    store.close().await;
    outln!(
        "{case}: Klachtenformulier ({}) geregistreerd, ontvangen {}; directie is {}",
        form.channel.as_str(),
        form.received.format("%-d-%-m-%Y %H:%M"),
        if delivered.sent > 0 {
            "op de hoogte gebracht"
        } else {
            "bericht klaargezet (wordt verstuurd zodra de mailserver bereikbaar is)"
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Subcommand)]
pub enum MeasureAction {
    /// Record a measure.
    Add {
        /// What is done so the complaint does not recur.
        text: String,
        /// The case that led to it.
        #[arg(long = "case", value_name = "REF", value_parser = super::parse_ref)]
        case: Option<CaseRef>,
        /// The category it addresses (default: the case's).
        #[arg(long, value_name = "C")]
        category: Option<String>,
        /// Who owns it (default: the login name).
        #[arg(long)]
        owner: Option<String>,
        /// The day it was taken (default: today).
        #[arg(long, value_name = "DATE")]
        date: Option<chrono::NaiveDate>,
    },
    /// List the measures.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub(super) async fn measure(
    settings: &Settings,
    action: MeasureAction,
) -> anyhow::Result<ExitCode> {
    match action {
        MeasureAction::Add {
            text,
            case,
            category,
            owner,
            date,
        } => {
            let lang = lang();
            let text = crate::parse::clean(text.trim(), 2000);
            if text.is_empty() {
                complain(
                    "een maatregel heeft een tekst nodig",
                    "a measure needs a text",
                );
                return Ok(ExitCode::from(2));
            }
            let category = match category {
                Some(c) => match Category::parse(&c) {
                    Some(c) => Some(c.as_str().to_string()),
                    None => {
                        complain(
                            &format!("{c:?} is geen categorie (advies, informatie, termijn, bejegening, overig)"),
                            &format!("{c:?} is not a category (advies, informatie, termijn, bejegening, overig)"),
                        );
                        return Ok(ExitCode::from(2));
                    }
                },
                None => None,
            };
            let owner = owner
                .or_else(|| std::env::var("USER").ok())
                .or_else(|| std::env::var("LOGNAME").ok())
                .filter(|o| !o.trim().is_empty());
            let Some(owner) = owner else {
                complain(
                    "zeg met --owner wie eigenaar is van de maatregel",
                    "say who owns the measure with --owner",
                );
                return Ok(ExitCode::from(2));
            };
            let store = open_store(settings).await?;
            let (case_id, category) = match case {
                Some(r) => {
                    let Some(c) = store.case(r).await? else {
                        store.close().await;
                        super::cases::no_case(r);
                        return Ok(ExitCode::from(1));
                    };
                    (Some(c.id), category.or(c.category))
                }
                None => (None, category),
            };
            let taken_on = date.unwrap_or_else(|| crate::calendar::local_date(clock().now()));
            let id = store
                .add_measure(
                    &NewMeasure {
                        taken_on,
                        owner,
                        text,
                        case_id,
                        category: category.clone(),
                    },
                    clock().now(),
                )
                .await?;
            store.close().await;
            let category = category
                .map(|c| {
                    format!(
                        " ({} {})",
                        t(lang, "categorie", "category"),
                        labels::category_str(lang, &c)
                    )
                })
                .unwrap_or_default();
            let on = labels::date(lang, taken_on);
            match lang {
                Language::Nl => outln!("maatregel {id} vastgelegd op {on}{category}"),
                Language::En => outln!("measure {id} recorded on {on}{category}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        MeasureAction::List { json } => {
            let store = open_store(settings).await?;
            let list = store.measures().await?;
            store.close().await;
            let lang = lang();
            if json {
                outln!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                outln!("{}", t(lang, "geen maatregelen", "no measures"));
            } else {
                let mut table = vec![vec![
                    t(lang, "NR", "ID").to_string(),
                    t(lang, "DATUM", "DATE").into(),
                    t(lang, "CATEGORIE", "CATEGORY").into(),
                    t(lang, "ZAAK", "CASE").into(),
                    t(lang, "EIGENAAR", "OWNER").into(),
                    t(lang, "MAATREGEL", "TEXT").into(),
                ]];
                for m in list {
                    table.push(vec![
                        m.id.to_string(),
                        labels::date_str(lang, &m.taken_on),
                        m.category
                            .as_deref()
                            .map(|c| labels::category_str(lang, c))
                            .unwrap_or_else(|| "-".into()),
                        m.case.clone().unwrap_or_else(|| "-".into()),
                        super::truncate(&m.owner, 20),
                        m.text,
                    ]);
                }
                for line in crate::report::columns(&table, &[true]) {
                    outln!("{line}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(super) async fn report(
    settings: &Settings,
    period: Option<Period>,
    format: Format,
    out: Option<PathBuf>,
    mail: bool,
) -> anyhow::Result<ExitCode> {
    let lang = lang();
    // Without --period: the half year of today (Amsterdam).
    let period =
        period.unwrap_or_else(|| Period::half_of(crate::calendar::local_date(clock().now())));
    if mail {
        let app = services(settings)?.open(settings).await?;
        let queued = app.pipeline.mail_report(&app.store, &period).await?;
        let delivered = app.deliver().await?;
        app.store.close().await;
        let queued = labels::count(lang, queued, ("mail", "mails"), ("mail", "mails"));
        let sent = delivered.sent;
        match lang {
            Language::Nl => outln!(
                "inventarisatie {period}: {queued} klaargezet voor directie, {sent} verstuurd"
            ),
            Language::En => {
                outln!("report {period}: {queued} queued to directie, {sent} sent")
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let org = settings.organisation().map(|o| o.name).unwrap_or_default();
    let store = open_store(settings).await?;
    let cases = store.cases(None).await?;
    let measures = store.measures().await?;
    let now = clock().now();
    store.close().await;
    // The text is for the person at the terminal; Markdown and HTML are the firm's Dutch
    // documents (their templates are Dutch), and CSV holds machine values either way.
    let report_lang = match format {
        Format::Text => lang,
        _ => Language::Nl,
    };
    let report = crate::report::build_in(&period, &cases, &measures, now, &org, report_lang);
    let text = Renderer::new()
        .context("loading the report templates")?
        .render(&report, format)
        .context("rendering the report")?;
    match out {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            match lang {
                Language::Nl => {
                    outln!("inventarisatie {period} geschreven naar {}", path.display())
                }
                Language::En => outln!("report {period} written to {}", path.display()),
            }
        }
        None => out!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
