//! The firm's settings: `[directie]`, `[organisation]`, `[deadlines]`, `[detection]`,
//! `[letters]`, `[ui]`, `[staff]`, `[report]`, `[alerts]`, `[retention]`, `[limits]`,
//! `[logging]`.

use super::*;

#[derive(Debug, Clone)]
pub struct DetectionSettings {
    pub threshold: f64,
    pub lexicon_dir: Option<PathBuf>,
    /// Only this much of a mail's new text is judged.
    pub max_text_bytes: usize,
    /// From this score up to the threshold a mail is listed as doubtful.
    pub doubt_threshold: f64,
    /// The firm has no technicians, drivers, movers or shop: a mail that speaks of the
    /// reader's ("uw monteur", "your technician") is meant for another firm.
    pub other_trades: bool,
}

#[derive(Debug, Clone)]
pub struct LimitsSettings {
    pub max_message_bytes: u64,
    pub max_auto_mails_per_address_per_day: u32,
    /// On a register without cases, more old complaint-like mails than this are held.
    pub first_run_max_cases: usize,
}

/// `[directie]`: who decides, and how their replies are authenticated.
#[derive(Debug, Clone)]
pub struct DirectieSettings {
    pub addresses: Vec<String>,
    pub reply_secret: SecretString,
    pub trusted_authserv_id: Option<String>,
    /// After each carried-out reply, a short "Verwerkt" mail to the directie member who
    /// sent it, with what changed and any letter as sent.
    pub confirmations: bool,
    /// `STANDPUNT` returns the position letter as a draft first; `VERSTUUR` sends it.
    pub review_position: bool,
}

/// `[organisation]`: the firm facts letters carry.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OrganisationSettings {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub signatory: Option<String>,
    /// Who handles complaints, as the acknowledgement names them ("mw. J. de Wit,
    /// klachtenfunctionaris"); unset: "onze directie".
    pub complaints_officer: Option<String>,
    pub kifid_number: Option<String>,
    pub kifid_binding: bool,
    /// The term for taking a complaint to Kifid after the final position, in months.
    pub kifid_term_months: u32,
    /// `organisation.logo_file`: shown in the letterhead of letters (HTML and PDF).
    pub logo_file: Option<String>,
    #[serde(skip)]
    pub logo: Option<Logo>,
}

/// The firm's logo, read and checked at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub data: std::sync::Arc<Vec<u8>>,
    /// `image/png` or `image/jpeg`.
    pub content_type: &'static str,
}

impl Logo {
    /// The Content-ID the HTML letters refer to (`cid:logo@klachtenbus`).
    pub const CID: &'static str = "logo@klachtenbus";
    /// The largest logo accepted.
    pub const MAX_BYTES: usize = 512 * 1024;

    /// Reads a PNG or JPEG file.
    pub fn read(path: &Path) -> Result<Logo, String> {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if data.len() > Self::MAX_BYTES {
            return Err(format!(
                "{} is {} KB; a logo may be at most {} KB",
                path.display(),
                data.len() / 1024,
                Self::MAX_BYTES / 1024
            ));
        }
        let content_type = if data.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else {
            return Err(format!("{} is not a PNG or JPEG image", path.display()));
        };
        Ok(Logo {
            data: std::sync::Arc::new(data),
            content_type,
        })
    }
}

/// `[deadlines]`.
#[derive(Debug, Clone)]
pub struct DeadlineSettings {
    pub calendar: crate::calendar::Profile,
    /// `extra_closed_days` and the all-day events of `closed_days_ics`.
    pub extra_closed_days: Vec<chrono::NaiveDate>,
    pub confirm_werkdagen: u32,
    pub position_days: u32,
    /// A complaint confirmed after its position date: the new date is this many working
    /// days from the day of confirmation.
    pub late_position_days: u32,
    /// Working days before `confirm_by` on which directie is reminded (0 = on the day).
    pub confirm_reminders: Vec<u32>,
    /// Working days before `position_by` on which directie is reminded.
    pub position_reminders: Vec<u32>,
    /// Local time of day at which reminders and escalations fall due.
    pub reminder_time: chrono::NaiveTime,
    /// Who else gets the escalation mails (besides directie).
    pub escalation_addresses: Vec<String>,
    /// Local time of the morning digest; None = no digest.
    pub digest_time: Option<chrono::NaiveTime>,
}

impl DeadlineSettings {
    pub fn calendar(&self) -> crate::calendar::Calendar {
        crate::calendar::Calendar::new(self.calendar, self.extra_closed_days.iter().copied())
    }
}

/// `[alerts]`: who is told when intake or sending keeps failing.
#[derive(Debug, Clone)]
pub struct AlertSettings {
    pub after_minutes: u64,
    /// Empty: directie.
    pub addresses: Vec<String>,
}

/// `[report]`: the half-yearly inventory mailed to directie.
#[derive(Debug, Clone, Copy)]
pub struct ReportSettings {
    /// Mail the report of the half year just ended on the first working day of January
    /// and July.
    pub schedule: bool,
    /// Local time of day at which the scheduled report falls due.
    pub time: chrono::NaiveTime,
}

/// `[retention]`.
#[derive(Debug, Clone, Copy)]
pub struct RetentionSettings {
    /// Years after closing after which `purge` removes a case's personal data.
    pub keep_years: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct LoggingSettings {
    pub level: String,
    pub format: LogFormat,
}

impl Settings {
    /// The `[detection]` section.
    pub fn detection(&self) -> Result<DetectionSettings, ConfigError> {
        Ok(DetectionSettings {
            threshold: self.number("detection.threshold", 0.0, 1000.0)?,
            lexicon_dir: self.opt_string("detection.lexicon_dir")?.map(PathBuf::from),
            max_text_bytes: self.integer("detection.max_text_bytes", 1024, 64 << 20)? as usize,
            doubt_threshold: self.number("detection.doubt_threshold", 0.0, 1000.0)?,
            other_trades: self.boolean("detection.other_trades")?,
        })
    }

    /// Addresses screening needs: the service's own (`smtp.from`, and `imap.username`
    /// when it is an address) and directie's. All optional here.
    pub fn screen_addresses(&self) -> Result<(Vec<String>, Vec<String>), ConfigError> {
        let mut own = Vec::new();
        if let Some(from) = self.opt_string("smtp.from")? {
            check_address("smtp.from", &from)?;
            own.push(from);
        }
        if let Some(user) = self.opt_string("imap.username")? {
            if user.contains('@') {
                own.push(user);
            }
        }
        Ok((own, self.addresses("directie.addresses")?))
    }

    /// The `[directie]` section.
    pub fn directie(&self) -> Result<DirectieSettings, ConfigError> {
        let addresses = self.addresses("directie.addresses")?;
        if addresses.is_empty() {
            return Err(ConfigError::missing("directie.addresses"));
        }
        let secret = self.string("directie.reply_secret")?;
        if secret.chars().count() < 16 {
            return Err(ConfigError::invalid(
                "directie.reply_secret",
                "must be at least 16 characters (a long random string)",
            ));
        }
        Ok(DirectieSettings {
            addresses: addresses.iter().map(|a| a.to_ascii_lowercase()).collect(),
            reply_secret: SecretString::from(secret),
            trusted_authserv_id: self.opt_string("directie.trusted_authserv_id")?,
            confirmations: self.boolean("directie.confirmations")?,
            review_position: self.boolean("directie.review_position")?,
        })
    }

    /// `letters.template_dir`: a folder whose `nl/…` and `en/…` files replace built-in
    /// templates of the same name.
    pub fn letters_template_dir(&self) -> Result<Option<PathBuf>, ConfigError> {
        Ok(self.opt_string("letters.template_dir")?.map(PathBuf::from))
    }

    /// `ui.language`: the language of the command line's human output.
    pub fn ui_language(&self) -> Result<crate::detect::Language, ConfigError> {
        match self.string("ui.language")?.as_str() {
            "nl" => Ok(crate::detect::Language::Nl),
            "en" => Ok(crate::detect::Language::En),
            other => Err(ConfigError::invalid(
                "ui.language",
                format!("{other:?} is not nl or en"),
            )),
        }
    }

    /// `organisation.name`, when set: the detector tells mail addressed to another
    /// organisation by it.
    pub fn organisation_name(&self) -> Result<Option<String>, ConfigError> {
        self.opt_string("organisation.name")
    }

    /// The `[organisation]` section.
    pub fn organisation(&self) -> Result<OrganisationSettings, ConfigError> {
        let logo_file = self.opt_string("organisation.logo_file")?;
        Ok(OrganisationSettings {
            name: self.string("organisation.name")?,
            address: self.opt_string("organisation.address")?,
            phone: self.opt_string("organisation.phone")?,
            website: self.opt_string("organisation.website")?,
            signatory: self.opt_string("organisation.signatory")?,
            complaints_officer: self.opt_string("organisation.complaints_officer")?,
            kifid_number: self.opt_string("organisation.kifid_number")?,
            kifid_binding: self.boolean("organisation.kifid_binding")?,
            kifid_term_months: self.integer("organisation.kifid_term_months", 1, 24)? as u32,
            logo: logo_file
                .as_deref()
                .map(|f| {
                    Logo::read(Path::new(f))
                        .map_err(|e| ConfigError::invalid("organisation.logo_file", e))
                })
                .transpose()?,
            logo_file,
        })
    }

    /// The `[deadlines]` section.
    pub fn deadlines(&self) -> Result<DeadlineSettings, ConfigError> {
        let calendar = self
            .string("deadlines.calendar")?
            .parse()
            .map_err(|e: String| ConfigError::invalid("deadlines.calendar", e))?;
        let extra_closed_days = self
            .list("deadlines.extra_closed_days")?
            .iter()
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                    ConfigError::invalid(
                        "deadlines.extra_closed_days",
                        format!("{d:?} is not a date (YYYY-MM-DD)"),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        let mut extra_closed_days: Vec<chrono::NaiveDate> = extra_closed_days;
        if let Some(path) = self.opt_string("deadlines.closed_days_ics")? {
            let key = "deadlines.closed_days_ics";
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError::invalid(key, format!("cannot read {path}: {e}")))?;
            let ics = crate::calendar::closed_days_from_ics(&text)
                .map_err(|e| ConfigError::invalid(key, format!("{path}: {e}")))?;
            if ics.timed_events_ignored > 0 {
                tracing::info!(
                    file = %path,
                    ignored = ics.timed_events_ignored,
                    "events with a time of day do not close a day; ignored"
                );
            }
            extra_closed_days.extend(ics.days);
        }
        let confirm_werkdagen = self.integer("deadlines.confirm_werkdagen", 1, 100)? as u32;
        let position_days = self.integer("deadlines.position_days", 1, 365)? as u32;
        let offsets = |key: &str, max: u32| -> Result<Vec<u32>, ConfigError> {
            let mut v = self
                .list(key)?
                .iter()
                .map(|n| match n.parse::<u32>() {
                    Ok(n) if n <= max => Ok(n),
                    _ => Err(ConfigError::invalid(
                        key,
                        format!("{n:?} is not a number of working days from 0 to {max}"),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?;
            v.sort_unstable();
            v.dedup();
            Ok(v)
        };
        let time = |key: &str, text: &str| {
            chrono::NaiveTime::parse_from_str(text, "%H:%M")
                .map_err(|_| ConfigError::invalid(key, format!("{text:?} is not a time (HH:MM)")))
        };
        let reminder_time = time(
            "deadlines.reminder_time",
            &self.string("deadlines.reminder_time")?,
        )?;
        let digest_time = self
            .opt_string("deadlines.digest_time")?
            .map(|t| time("deadlines.digest_time", &t))
            .transpose()?;
        Ok(DeadlineSettings {
            calendar,
            extra_closed_days,
            confirm_werkdagen,
            position_days,
            late_position_days: self.integer("deadlines.late_position_days", 1, 100)? as u32,
            confirm_reminders: offsets("deadlines.confirm_reminders", confirm_werkdagen)?,
            position_reminders: offsets("deadlines.position_reminders", 30)?,
            reminder_time,
            escalation_addresses: self
                .addresses("deadlines.escalation_addresses")?
                .into_iter()
                .map(|a| a.to_ascii_lowercase())
                .collect(),
            digest_time,
        })
    }

    /// `staff.addresses`: who may e-mail a Klachtenformulier (lower-cased).
    pub fn staff(&self) -> Result<Vec<String>, ConfigError> {
        Ok(self
            .addresses("staff.addresses")?
            .into_iter()
            .map(|a| a.to_ascii_lowercase())
            .collect())
    }

    /// The `[report]` section.
    pub fn report(&self) -> Result<ReportSettings, ConfigError> {
        let text = self.string("report.time")?;
        let time = chrono::NaiveTime::parse_from_str(&text, "%H:%M").map_err(|_| {
            ConfigError::invalid("report.time", format!("{text:?} is not a time (HH:MM)"))
        })?;
        Ok(ReportSettings {
            schedule: self.boolean("report.schedule")?,
            time,
        })
    }

    /// The `[alerts]` section.
    pub fn alerts(&self) -> Result<AlertSettings, ConfigError> {
        Ok(AlertSettings {
            after_minutes: self.integer("alerts.after_minutes", 1, 7 * 24 * 60)? as u64,
            addresses: self.addresses("alerts.addresses")?,
        })
    }

    /// The `[retention]` section.
    pub fn retention(&self) -> Result<RetentionSettings, ConfigError> {
        Ok(RetentionSettings {
            keep_years: self.integer("retention.keep_years", 1, 100)? as u32,
        })
    }

    /// The `[limits]` section.
    pub fn limits(&self) -> Result<LimitsSettings, ConfigError> {
        Ok(LimitsSettings {
            max_message_bytes: self.integer("limits.max_message_bytes", 1024, 1 << 40)? as u64,
            max_auto_mails_per_address_per_day: self.integer(
                "limits.max_auto_mails_per_address_per_day",
                0,
                1000,
            )? as u32,
            first_run_max_cases: self.integer("limits.first_run_max_cases", 0, 1_000_000)? as usize,
        })
    }

    /// The `[logging]` section.
    pub fn logging(&self) -> Result<LoggingSettings, ConfigError> {
        let level = self.string("logging.level")?.to_ascii_lowercase();
        if !["trace", "debug", "info", "warn", "error"].contains(&level.as_str()) {
            return Err(ConfigError::invalid(
                "logging.level",
                format!("{level:?}; expected trace, debug, info, warn or error"),
            ));
        }
        let format = match self.string("logging.format")?.to_ascii_lowercase().as_str() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError::invalid(
                    "logging.format",
                    format!("{other:?}; expected pretty or json"),
                ))
            }
        };
        Ok(LoggingSettings { level, format })
    }
}
