//! The commands that run the service: `run` (the daemon: lease, watch, routing sweep,
//! outbox), `sync`, `status` and `login`, and the checks they make before they start.

use super::*;

/// The OAuth2 token files `run` and `sync` will need, checked before the database is
/// opened or created.
pub(super) fn check_token_files(
    imap: &ImapSettings,
    smtp: &crate::config::SmtpSettings,
) -> anyhow::Result<()> {
    let sources = imap
        .oauth2
        .iter()
        .chain(smtp.oauth2.as_ref().map(|(_, s)| s));
    for source in sources {
        source.check_files().map_err(|e| ConfigError::Invalid {
            key: "oauth2.token_file".into(),
            reason: format!("{e}; store one with `klachtenbus login`"),
        })?;
    }
    Ok(())
}

/// Before `run` starts: a folder that does not exist or a processed folder spelled with
/// another separator can never work, so the daemon refuses to start (exit 2) instead of
/// retrying for ever. A server that cannot be reached now is no reason: it is retried.
pub(super) async fn refuse_never_working(imap: &ImapSettings) -> anyhow::Result<()> {
    let fatal: Vec<String> = crate::mailbox::check::check(imap, lang())
        .await
        .into_iter()
        .filter(|f| f.fatal)
        .map(|f| f.what)
        .collect();
    if fatal.is_empty() {
        return Ok(());
    }
    let key = if fatal.iter().any(|w| w.contains("processed_folder")) {
        "imap.processed_folder"
    } else {
        "imap.folder"
    };
    Err(ConfigError::Invalid {
        key: key.into(),
        reason: fatal.join("; "),
    }
    .into())
}

/// `login`: the device-code flow of `[oauth2]`.
pub(super) async fn login(settings: &Settings) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let lang = lang();
    let tokens = crate::oauth::TokenSource::new(settings.oauth2()?);
    let saved = tokens
        .login_device(|uri, code, secs| {
            let minutes = secs / 60;
            match lang {
                Language::Nl => outln!(
                    "Open {uri} en voer de code {code} in (geldig gedurende {minutes} minuten); wachten op goedkeuring…"
                ),
                Language::En => outln!(
                    "Open {uri} and enter the code {code} (valid for {minutes} minutes); waiting for the approval…"
                ),
            }
            let _ = std::io::stdout().flush();
        })
        .await?;
    match lang {
        Language::Nl => outln!("refresh token opgeslagen in {}", saved.display()),
        Language::En => outln!("refresh token saved in {}", saved.display()),
    }
    Ok(ExitCode::SUCCESS)
}

/// `run`, with every log line of the daemon carrying the instance's name (host/pid/start):
/// with several instances on one database, the logs say which did what.
pub(super) async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    use tracing::Instrument;
    let instance = crate::store::instance();
    run_instance(settings)
        .instrument(tracing::info_span!("run", instance = %instance))
        .await
}

pub(super) async fn run_instance(settings: &Settings) -> anyhow::Result<ExitCode> {
    let imap = settings.imap()?;
    let limits = settings.limits()?;
    settings.database()?;
    let services = services(settings)?;
    let smtp = settings.smtp()?;
    check_token_files(&imap, &smtp)?;
    refuse_never_working(&imap).await?;
    let app = services.open(settings).await?;
    let store = &app.store;
    // One line that says what this daemon is and where it reads and sends (no secrets).
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        database = ?store.backend(),
        mailbox = %format!("{}:{}/{}", imap.host, imap.port, imap.folder),
        imap_auth = if imap.oauth2.is_some() { "oauth2" } else { "password" },
        smtp = %format!("{}:{}", smtp.host, smtp.port),
        smtp_auth = if smtp.oauth2.is_some() { "oauth2" } else if smtp.credentials.is_some() { "password" } else { "none" },
        mark = ?imap.mark,
        "klachtenbus starting"
    );
    let mailbox_id = mailbox_identity(&imap);
    // On SQLite one daemon per database: a second `run` is refused at once.
    let mut first_lease = match store.backend() {
        Backend::Sqlite => Some(
            store
                .try_mailbox_lease(&mailbox_id)
                .await?
                .ok_or_else(|| busy(store))?,
        ),
        Backend::Postgres => None,
    };
    let cancel = shutdown_token();
    let wake = tokio::sync::Notify::new();
    // What earlier runs stored but did not route.
    app.route_until(&cancel).await?;
    let watch = async {
        // On PostgreSQL every instance routes, sends and reminds, but only the holder of
        // the mailbox lease watches the mailbox; the others stand by and take over when
        // its connection ends.
        while !cancel.is_cancelled() {
            let mut lease = match first_lease.take() {
                Some(lease) => lease,
                None => match stand_by(store, &mailbox_id, &cancel).await {
                    Some(lease) => lease,
                    None => break,
                },
            };
            let watching = cancel.child_token();
            let clock = clock();
            let watch = mailbox::watch(&imap, &limits, store, &clock, &watching, |report| {
                let (app, wake, cancel) = (&app, &wake, &cancel);
                async move {
                    if report.stored > 0 {
                        if let Err(e) = app.route_until(cancel).await {
                            tracing::error!(error = %format!("{e:#}"), "routing failed; retried after the next pass");
                        }
                        wake.notify_one();
                    }
                }
            });
            let guard = async {
                loop {
                    tokio::time::sleep(LEASE_CHECK).await;
                    if !lease.alive().await {
                        tracing::error!(
                            "lost the mailbox lease (database connection); standing by"
                        );
                        watching.cancel();
                        return;
                    }
                }
            };
            tokio::select! {
                _ = watch => {}
                _ = guard => {}
            }
            drop(lease);
        }
    };
    tokio::join!(watch, outbox_worker(&app, &cancel, &wake));
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// How often a standing-by instance tries to take the mailbox lease, and how often the
/// holder checks that it still has it.
const LEASE_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// The identity of the mailbox for its lease: server, user and folder.
pub(super) fn mailbox_identity(imap: &ImapSettings) -> String {
    format!(
        "{}:{}/{}/{}",
        imap.host, imap.port, imap.username, imap.folder
    )
}

/// The error for a second `run` or `sync` on one SQLite database.
pub(super) fn busy(store: &Store) -> anyhow::Error {
    let lock = store
        .lock_file()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    match lang() {
        Language::Nl => anyhow::anyhow!(
            "een andere klachtenbus `run` of `sync` gebruikt deze database (slot {lock}); stop die eerst — een draaiende daemon doet al wat `sync` doet"
        ),
        Language::En => anyhow::anyhow!(
            "another klachtenbus `run` or `sync` is using this database (lock {lock}); stop it first — a running daemon already does what `sync` does"
        ),
    }
}

/// Waits until this instance holds the mailbox lease, or shutdown. Says once that it
/// stands by.
pub(super) async fn stand_by(
    store: &Store,
    mailbox: &str,
    cancel: &CancellationToken,
) -> Option<crate::store::MailboxLease> {
    let mut said = false;
    loop {
        match store.try_mailbox_lease(mailbox).await {
            Ok(Some(lease)) => {
                tracing::info!("holding the mailbox lease: this instance watches the mailbox");
                return Some(lease);
            }
            Ok(None) if !said => {
                tracing::info!("another instance watches the mailbox; standing by (routing, sending and reminders go on here)");
                said = true;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot ask for the mailbox lease; trying again"),
        }
        tokio::select! {
            _ = cancel.cancelled() => return None,
            _ = tokio::time::sleep(LEASE_CHECK) => {}
        }
    }
}

/// Routes what is stored but unrouted, queues reminders and sends queued mail whenever some
/// is due, until shutdown ([`App::round`]). It sleeps until the next reminder moment or
/// outbox retry (at most 15 seconds), and is woken early when intake changed something (a
/// new case, a decision).
pub(super) async fn outbox_worker(
    app: &App,
    cancel: &CancellationToken,
    wake: &tokio::sync::Notify,
) {
    while !cancel.is_cancelled() {
        app.round(cancel).await;
        let next = app.next_round_in().await;
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = wake.notified() => {}
            _ = tokio::time::sleep(next) => {}
        }
    }
}

pub(super) async fn sync(
    settings: &Settings,
    since: Option<chrono::NaiveDate>,
) -> anyhow::Result<ExitCode> {
    let imap = settings.imap()?;
    let limits = settings.limits()?;
    settings.database()?;
    let mut services = services(settings)?;
    if since.is_some() {
        services.pipeline = services.pipeline.with_since(since);
    }
    check_token_files(&imap, &settings.smtp()?)?;
    let app = services.open(settings).await?;
    let store = &app.store;
    let cancel = shutdown_token();
    // The mailbox is read only by the holder of its lease: on SQLite a running daemon
    // refuses `sync`; on PostgreSQL a `sync` beside a watching instance skips the mailbox
    // and does the rest (routing, reminders, sending).
    let lease = store.try_mailbox_lease(&mailbox_identity(&imap)).await?;
    if lease.is_none() && store.backend() == Backend::Sqlite {
        return Err(busy(store));
    }
    let report = match &lease {
        Some(_) => {
            let (mut session, caps) =
                mailbox::connect(&imap)
                    .await
                    .with_context(|| match lang() {
                        Language::Nl => {
                            format!("bij het verbinden met {}:{}", imap.host, imap.port)
                        }
                        Language::En => format!("connecting to {}:{}", imap.host, imap.port),
                    })?;
            let report =
                mailbox::sync_pass(&mut session, caps, &imap, &limits, store, &clock(), &cancel)
                    .await
                    .with_context(|| match lang() {
                        Language::Nl => format!("bij het lezen van map {:?}", imap.folder),
                        Language::En => format!("reading folder {:?}", imap.folder),
                    })?;
            let _ = session.logout().await;
            report
        }
        None => {
            match lang() {
                Language::Nl => outln!(
                    "{}: wordt bewaakt door een andere instantie; deze sync leest de map niet",
                    imap.folder
                ),
                Language::En => outln!(
                    "{}: watched by another instance; not read by this sync",
                    imap.folder
                ),
            }
            Default::default()
        }
    };
    let routed = app.route_until(&cancel).await?;
    let reminded = app.remind().await?;
    let delivered = app.deliver().await?;
    let (pending, _, _) = store.outbox_counts().await?;
    store.close().await;
    let lang = lang();
    let stopped = if report.interrupted {
        labels::t(
            lang,
            "; op verzoek eerder gestopt",
            "; stopped early on request",
        )
    } else {
        ""
    };
    match lang {
        Language::Nl => outln!(
            "{}: {} opgehaald, {} opgeslagen, {} al opgeslagen ({} met alleen kopregels, {} onleesbaar){stopped}",
            imap.folder,
            report.fetched,
            report.stored,
            report.duplicates,
            report.headers_only,
            report.unparsed,
        ),
        Language::En => outln!(
            "{}: {} fetched, {} stored, {} already stored ({} headers only, {} unparsed){stopped}",
            imap.folder,
            report.fetched,
            report.stored,
            report.duplicates,
            report.headers_only,
            report.unparsed,
        ),
    }
    print_route(&routed);
    outln!(
        "{}: {}, {}, {}",
        labels::t(lang, "termijnen", "deadlines"),
        labels::count(
            lang,
            reminded.reminders,
            ("herinnering", "herinneringen"),
            ("reminder", "reminders"),
        ),
        labels::count(
            lang,
            reminded.escalations,
            ("escalatie", "escalaties"),
            ("escalation", "escalations"),
        ),
        labels::count(
            lang,
            reminded.digests,
            ("ochtendoverzicht", "ochtendoverzichten"),
            ("digest", "digests"),
        ),
    );
    if reminded.reports > 0 {
        outln!(
            "{}: {} {}",
            labels::t(lang, "inventarisatie", "inventory"),
            labels::count(
                lang,
                reminded.reports,
                ("halfjaarrapport", "halfjaarrapporten"),
                ("half-yearly report", "half-yearly reports"),
            ),
            labels::t(lang, "klaargezet", "queued"),
        );
    }
    match lang {
        Language::Nl => outln!(
            "mail: {} verstuurd, {} definitief mislukt, {pending} wachtend in de outbox",
            delivered.sent,
            delivered.failed
        ),
        Language::En => outln!(
            "mail: {} sent, {} failed permanently, {pending} waiting in the outbox",
            delivered.sent,
            delivered.failed
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// What routing did, as `sync` and `import` print it.
pub(super) fn print_route(r: &RouteReport) {
    let lang = lang();
    let msgs = |n: usize| labels::count(lang, n, ("bericht", "berichten"), ("message", "messages"));
    match lang {
        Language::Nl => outln!(
            "{} beoordeeld: {} op een klacht, {} uitgefilterd",
            msgs(r.classified),
            if r.flagged == 1 {
                "1 lijkt".to_string()
            } else {
                format!("{} lijken", r.flagged)
            },
            r.screened
        ),
        Language::En => outln!(
            "classified {}: {} like a complaint, {} screened out",
            r.classified,
            if r.flagged == 1 {
                "1 looks".to_string()
            } else {
                format!("{} look", r.flagged)
            },
            r.screened
        ),
    }
    let follow_ups = labels::count(
        lang,
        r.follow_ups,
        ("vervolgbericht", "vervolgberichten"),
        ("follow-up", "follow-ups"),
    );
    match lang {
        Language::Nl => outln!(
            "zaken: {} geopend, {follow_ups} toegevoegd; antwoorden van directie: {} uitgevoerd, {} geweigerd",
            r.cases_opened, r.replies_applied, r.replies_refused
        ),
        Language::En => outln!(
            "cases: {} opened, {follow_ups} joined; directie replies: {} applied, {} refused",
            r.cases_opened, r.replies_applied, r.replies_refused
        ),
    }
    if r.held > 0 {
        match lang {
            Language::Nl => outln!(
                "{} ouder dan een week {}: het register draait voor het eerst en er wachten meer dan limits.first_run_max_cases, dus er is geen zaak voor geopend. Zet imap.since op vandaag om oude mail als archief te bewaren, en open een zaak voor elk bericht dat er nog toe doet met `klachtenbus promote <id>` (id's: `klachtenbus messages`)",
                msgs(r.held),
                if r.held == 1 {
                    "dat op een klacht lijkt, is aangehouden"
                } else {
                    "die op een klacht lijken, zijn aangehouden"
                }
            ),
            Language::En => outln!(
                "{} complaint-like mails older than a week held: this is the register's first run and they are more than limits.first_run_max_cases, so no case was opened for them. Set imap.since to today to keep old mail as archive, and open a case for any that still matters with `klachtenbus promote <id>` (ids: `klachtenbus messages`)",
                r.held
            ),
        }
    }
    if r.archived > 0 {
        match lang {
            Language::Nl => outln!(
                "{} ontvangen vóór imap.since: als archief bewaard, niet behandeld",
                msgs(r.archived)
            ),
            Language::En => outln!(
                "{} received before imap.since: kept as archive, not acted on",
                r.archived
            ),
        }
    }
    if r.failed > 0 {
        match lang {
            Language::Nl => outln!(
                "verwerking mislukt voor {}: wordt later opnieuw geprobeerd, directie is ingelicht (zie `messages`)",
                msgs(r.failed)
            ),
            Language::En => outln!(
                "routing failed for {}: retried later, directie told (see `messages`)",
                msgs(r.failed)
            ),
        }
    }
    if r.interrupted {
        outln!(
            "{}",
            labels::t(
                lang,
                "verwerking op verzoek eerder gestopt; de rest wordt de volgende keer verwerkt",
                "routing stopped early on request; the rest is routed next time",
            )
        );
    }
}
