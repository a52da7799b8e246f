//! The Klachtenformulier (section 3.2 of the procedure): a complaint received by phone, in
//! person or by letter, recorded by an employee. It arrives as `Veld: waarde` lines, in a
//! mail from a staff address or built by `intake`; both go through [`Form::parse`], so the
//! same fields are required either way.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::calendar::amsterdam;

/// How the complaint reached the firm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Telefoon,
    Mondeling,
    Brief,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Telefoon, Channel::Mondeling, Channel::Brief];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Telefoon => "telefoon",
            Channel::Mondeling => "mondeling",
            Channel::Brief => "brief",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim().to_lowercase().as_str() {
            "telefoon" | "telefonisch" | "phone" | "telephone" => Some(Channel::Telefoon),
            "mondeling" | "persoonlijk" | "balie" | "oral" | "in person" => {
                Some(Channel::Mondeling)
            }
            "brief" | "post" | "letter" => Some(Channel::Brief),
            _ => None,
        }
    }
}

/// The fields of the form, with their labels as the form and error messages write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Address,
    Email,
    Phone,
    Date,
    Channel,
    TakenBy,
    Employee,
    Complaint,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Name,
        Field::Address,
        Field::Email,
        Field::Phone,
        Field::Date,
        Field::Channel,
        Field::TakenBy,
        Field::Employee,
        Field::Complaint,
    ];

    /// The label on the form.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Naam",
            Field::Address => "Adres",
            Field::Email => "E-mail",
            Field::Phone => "Telefoon",
            Field::Date => "Datum",
            Field::Channel => "Kanaal",
            Field::TakenBy => "Opgenomen door",
            Field::Employee => "Medewerker",
            Field::Complaint => "Klacht",
        }
    }

    /// A label as written, in Dutch or English, with or without hyphen.
    fn from_label(s: &str) -> Option<Field> {
        let s = s.trim().to_lowercase().replace('-', " ");
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        Some(match s.as_str() {
            "naam" | "name" | "naam klager" => Field::Name,
            "adres" | "postadres" | "address" => Field::Address,
            "e mail" | "email" | "e mailadres" | "emailadres" => Field::Email,
            "telefoon" | "telefoonnummer" | "tel" | "phone" => Field::Phone,
            "datum" | "datum ontvangen" | "ontvangen" | "date" | "received" => Field::Date,
            "kanaal" | "channel" => Field::Channel,
            "opgenomen door" | "genoteerd door" | "taken by" => Field::TakenBy,
            "medewerker" | "betrokken medewerker" | "employee" => Field::Employee,
            "klacht" | "omschrijving" | "complaint" => Field::Complaint,
            _ => return None,
        })
    }
}

/// What is wrong with a form; every problem is named, so it can be fixed in one go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct FormError(pub Vec<String>);

/// A filled-in Klachtenformulier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub name: String,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// When the complaint was received (Amsterdam local time; 09:00 when only a date).
    pub received: NaiveDateTime,
    pub channel: Channel,
    pub taken_by: String,
    pub employee: Option<String>,
    pub complaint: String,
}

/// Longest value of a one-line field, and of the complaint.
const MAX_FIELD: usize = 300;
const MAX_COMPLAINT: usize = 20_000;

impl Form {
    /// Reads `Veld: waarde` lines. Text before the first field is ignored (instructions);
    /// the complaint runs on until the next field or a signature line (`-- `). `now` is
    /// the present, in Amsterdam local time: a receipt date after it is refused.
    pub fn parse(text: &str, now: NaiveDateTime) -> Result<Form, FormError> {
        let mut values: Vec<(Field, String)> = Vec::new();
        let mut problems = Vec::new();
        let mut current: Option<Field> = None;
        for line in text.lines() {
            let trimmed = line.trim_end();
            if trimmed == "--" || trimmed == "-- " || line == "-- " {
                break;
            }
            let label = trimmed
                .split_once(':')
                .and_then(|(l, v)| Field::from_label(l).map(|f| (f, v.trim())));
            match label {
                Some((field, value)) => {
                    if values.iter().any(|(f, _)| *f == field) {
                        problems.push(format!("veld {} staat er twee keer in", field.label()));
                    }
                    values.push((field, value.to_string()));
                    current = Some(field);
                }
                None => {
                    if current == Some(Field::Complaint) {
                        if let Some((_, v)) = values.last_mut() {
                            v.push('\n');
                            v.push_str(trimmed);
                        }
                    }
                }
            }
        }
        let get = |f: Field| -> Option<String> {
            values
                .iter()
                .find(|(g, _)| *g == f)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let one_line = |f: Field| get(f).map(|v| crate::parse::clean(&v, MAX_FIELD));
        let mut missing = Vec::new();
        let name = one_line(Field::Name);
        if name.is_none() {
            missing.push(Field::Name.label().to_string());
        }
        let address = one_line(Field::Address);
        let email = one_line(Field::Email);
        if address.is_none() && email.is_none() {
            missing.push("Adres of E-mail".to_string());
        }
        if let Some(e) = &email {
            if !plausible_address(e) {
                problems.push(format!("E-mail {e:?} is geen e-mailadres"));
            }
        }
        let received = match one_line(Field::Date) {
            None => {
                missing.push(Field::Date.label().to_string());
                None
            }
            // A date alone means 09:00; today's date before nine is now.
            Some(d) => match parse_moment(&d).map(|m| {
                let date_only = !d.trim().contains(|c: char| c.is_whitespace() || c == 'T');
                if date_only && m > now && m.date() == now.date() {
                    now
                } else {
                    m
                }
            }) {
                Some(m) if m > now => {
                    problems.push(format!("Datum {d} ligt in de toekomst"));
                    None
                }
                Some(m) => Some(m),
                None => {
                    problems.push(format!(
                        "Datum {d:?} is geen datum (2026-11-20 of 20-11-2026, eventueel met tijd 14:30)"
                    ));
                    None
                }
            },
        };
        let channel = match one_line(Field::Channel) {
            None => {
                missing.push(Field::Channel.label().to_string());
                None
            }
            Some(c) => {
                let parsed = Channel::parse(&c);
                if parsed.is_none() {
                    problems.push(format!(
                        "Kanaal {c:?} is geen kanaal (telefoon, mondeling of brief)"
                    ));
                }
                parsed
            }
        };
        let taken_by = one_line(Field::TakenBy);
        if taken_by.is_none() {
            missing.push(Field::TakenBy.label().to_string());
        }
        let complaint = get(Field::Complaint).map(|c| {
            c.chars()
                .filter(|ch| !ch.is_control() || *ch == '\n' || *ch == '\t')
                .take(MAX_COMPLAINT)
                .collect::<String>()
        });
        if complaint.is_none() {
            missing.push(Field::Complaint.label().to_string());
        }
        if !missing.is_empty() {
            problems.insert(
                0,
                format!(
                    "{}: {}",
                    if missing.len() > 1 {
                        "ontbrekende velden"
                    } else {
                        "ontbrekend veld"
                    },
                    missing.join(", ")
                ),
            );
        }
        if !problems.is_empty() {
            return Err(FormError(problems));
        }
        Ok(Form {
            name: name.unwrap_or_default(),
            address,
            email: email.map(|e| e.to_ascii_lowercase()),
            phone: one_line(Field::Phone),
            received: received.unwrap_or(now),
            channel: channel.unwrap_or(Channel::Telefoon),
            taken_by: taken_by.unwrap_or_default(),
            employee: one_line(Field::Employee),
            complaint: complaint.unwrap_or_default(),
        })
    }

    /// The form as `Veld: waarde` lines (what `intake` stores as the original).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |f: Field, v: &str| {
            out.push_str(f.label());
            out.push_str(": ");
            out.push_str(v);
            out.push('\n');
        };
        line(Field::Name, &self.name);
        line(Field::Address, self.address.as_deref().unwrap_or(""));
        line(Field::Email, self.email.as_deref().unwrap_or(""));
        line(Field::Phone, self.phone.as_deref().unwrap_or(""));
        line(
            Field::Date,
            &self.received.format("%Y-%m-%d %H:%M").to_string(),
        );
        line(Field::Channel, self.channel.as_str());
        line(Field::TakenBy, &self.taken_by);
        line(Field::Employee, self.employee.as_deref().unwrap_or(""));
        line(Field::Complaint, &self.complaint);
        out
    }

    /// The receipt moment in UTC.
    pub fn received_utc(&self) -> DateTime<Utc> {
        // A time in the spring-forward gap is read as the hour after it.
        amsterdam(self.received)
            .or_else(|| amsterdam(self.received + chrono::Duration::hours(1)))
            .unwrap_or_else(|| self.received.and_utc())
    }
}

/// `2026-11-20`, `20-11-2026`, `20/11/2026`, each optionally followed by `14:30`.
pub fn parse_moment(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let (date, time) = match s.split_once(|c: char| c.is_whitespace() || c == 'T') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let date = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(date, f).ok())?;
    let time = match time {
        None => NaiveTime::from_hms_opt(9, 0, 0)?,
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
            .ok()?,
    };
    Some(date.and_time(time))
}

fn plausible_address(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !s.contains(char::is_whitespace)
        && !s.contains(['<', '>', ',', ';', '"'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        parse_moment("2026-11-25 12:00").unwrap()
    }

    const FILLED: &str = "Klachtenformulier — ingevuld\n\
        Invultekst met \"Veld: waarde\" wordt overgeslagen.\n\
        Naam: Mevrouw A. de Boer\n\
        Adres: Dorpsstraat 4, 1234 AB Ergens\n\
        e-mail: A.deBoer@Example.test\n\
        Telefoon: 06 12345678\n\
        Datum: 20-11-2026 14:30\n\
        Kanaal: Telefonisch\n\
        Opgenomen door: Piet\n\
        Klacht: Zij is boos dat haar hypotheekadvies\n\
        niet klopte.\n\
        \n\
        Zij wil een gesprek.\n\
        -- \n\
        Piet, Firma B.V.\n";

    #[test]
    fn a_filled_form() {
        let f = Form::parse(FILLED, now()).unwrap();
        assert_eq!(f.name, "Mevrouw A. de Boer");
        assert_eq!(f.email.as_deref(), Some("a.deboer@example.test"));
        assert_eq!(f.channel, Channel::Telefoon);
        assert_eq!(f.received, parse_moment("2026-11-20 14:30").unwrap());
        assert_eq!(f.taken_by, "Piet");
        assert_eq!(f.employee, None);
        assert_eq!(
            f.complaint,
            "Zij is boos dat haar hypotheekadvies\nniet klopte.\n\nZij wil een gesprek."
        );
        // to_text reads back to the same form.
        assert_eq!(Form::parse(&f.to_text(), now()).unwrap(), f);
    }

    #[test]
    fn todays_date_alone_before_nine_is_now_not_the_future() {
        let early = parse_moment("2026-11-25 07:15").unwrap();
        let today = FILLED.replace("20-11-2026 14:30", "25-11-2026");
        assert_eq!(Form::parse(&today, early).unwrap().received, early);
        // Later today with a time given, or tomorrow, is still the future.
        let later = FILLED.replace("20-11-2026 14:30", "25-11-2026 08:00");
        assert!(Form::parse(&later, early).is_err());
        let tomorrow = FILLED.replace("20-11-2026 14:30", "26-11-2026");
        assert!(Form::parse(&tomorrow, early).is_err());
    }

    #[test]
    fn every_missing_field_is_named() {
        let e = Form::parse("Naam: X\nKanaal: brief\n", now()).unwrap_err();
        assert_eq!(
            e.0,
            vec!["ontbrekende velden: Adres of E-mail, Datum, Opgenomen door, Klacht"]
        );
        let e = Form::parse(
            &FILLED.replace("Opgenomen door: Piet", "Opgenomen door:"),
            now(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "ontbrekend veld: Opgenomen door");
    }

    #[test]
    fn bad_values_are_named() {
        let bad = FILLED
            .replace("20-11-2026 14:30", "2026-12-01")
            .replace("Telefonisch", "fax")
            .replace("A.deBoer@Example.test", "geen adres");
        let e = Form::parse(&bad, now()).unwrap_err();
        assert_eq!(e.0.len(), 3, "{e}");
        assert!(e.0[0].contains("geen e-mailadres"), "{e}");
        assert!(e.0[1].contains("toekomst"), "{e}");
        assert!(e.0[2].contains("fax"), "{e}");
        let twice = FILLED.replace("Kanaal: Telefonisch", "Kanaal: brief\nKanaal: brief");
        assert!(Form::parse(&twice, now())
            .unwrap_err()
            .to_string()
            .contains("twee keer"));
    }

    #[test]
    fn dates_and_channels() {
        assert_eq!(
            parse_moment("2026-11-20"),
            NaiveDate::from_ymd_opt(2026, 11, 20)
                .unwrap()
                .and_hms_opt(9, 0, 0)
        );
        assert!(parse_moment("20/11/2026 08:05").is_some());
        assert!(parse_moment("gisteren").is_none());
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
    }
}
