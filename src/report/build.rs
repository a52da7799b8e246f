//! The inventory built from the register: every section and finding.

use super::*;

/// Builds the inventory of `period` from every case and measure in the register, in Dutch.
pub fn build(
    period: &Period,
    cases: &[CaseRow],
    measures: &[Measure],
    now: DateTime<Utc>,
    organisation: &str,
) -> Report {
    build_in(period, cases, measures, now, organisation, Language::Nl)
}

/// Builds the inventory in `lang`: titles, labels and findings in that language; keys and
/// the CSV values (`raw`) are the same in both.
pub fn build_in(
    period: &Period,
    cases: &[CaseRow],
    measures: &[Measure],
    now: DateTime<Utc>,
    organisation: &str,
    lang: Language,
) -> Report {
    let tr = |nl: &'static str, en: &'static str| labels::t(lang, nl, en);
    let long_date = |d: NaiveDate| match lang {
        Language::Nl => dutch_date(d),
        Language::En => english_date(d),
    };
    let today = local_date(now);
    let facts: Vec<Fact> = cases
        .iter()
        .filter_map(|c| {
            let received_at = ts(&c.received_at);
            let received = received_at.map(local_date)?;
            Some(Fact {
                case: c,
                received,
                received_at,
                complaint: c.confirmed_at.is_some(),
            })
        })
        .collect();
    let in_period: Vec<&Fact> = facts
        .iter()
        .filter(|f| period.contains(f.received))
        .collect();
    let complaints: Vec<&Fact> = in_period.iter().copied().filter(|f| f.complaint).collect();
    let not_complaints = in_period
        .iter()
        .filter(|f| !f.complaint && matches!(f.case.status, Status::GeenKlacht | Status::Gesloten))
        .count();
    let waiting = in_period
        .iter()
        .filter(|f| f.case.status == Status::Kandidaat)
        .count();
    let anonymised = in_period
        .iter()
        .filter(|f| f.case.purged_at.is_some())
        .count();
    let total = complaints.len();

    let mut sections = Vec::new();
    let mut highlights = Vec::new();
    let number = tr("aantal", "number");
    sections.push(section(
        "totaal",
        tr("Aantallen", "Counts"),
        &[("aantal", number)],
        vec![
            (
                "klachten".into(),
                tr("klachten", "complaints").into(),
                vec![Cell::count(total)],
            ),
            (
                "geen_klacht".into(),
                tr("gemarkeerd, geen klacht", "flagged, not a complaint").into(),
                vec![Cell::count(not_complaints)],
            ),
            (
                "te_beoordelen".into(),
                tr("nog te beoordelen", "awaiting a decision").into(),
                vec![Cell::count(waiting)],
            ),
            (
                "geanonimiseerd".into(),
                tr("persoonsgegevens verwijderd", "personal data removed").into(),
                vec![Cell::count(anonymised)],
            ),
        ],
    ));

    let share_cols: &[(&str, &str)] = &[("aantal", number), ("aandeel", tr("aandeel", "share"))];
    // Rows per key (in `order` first, then the others by count), labelled for people.
    let tally = |key: &dyn Fn(&Fact) -> String,
                 label: &dyn Fn(&str) -> String,
                 order: &[String]|
     -> Vec<(String, String, Vec<Cell>)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for f in &complaints {
            *counts.entry(key(f)).or_default() += 1;
        }
        let mut rows = Vec::new();
        for k in order {
            let n = counts.remove(k).unwrap_or(0);
            rows.push((k.clone(), n));
        }
        let mut rest: Vec<(String, usize)> = counts.into_iter().collect();
        rest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        rows.extend(rest);
        rows.into_iter()
            .map(|(k, n)| {
                let l = label(&k);
                (k, l, vec![Cell::count(n), Cell::percent(n, total)])
            })
            .collect()
    };
    let categories: Vec<String> = labels::CATEGORIES
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let category_of = |f: &Fact| f.case.category.clone().unwrap_or_else(|| "onbekend".into());
    let category_label = |k: &str| labels::category_str(lang, k);
    sections.push(section(
        "categorie",
        tr("Per categorie", "By category"),
        share_cols,
        tally(&category_of, &category_label, &categories),
    ));
    let channels: Vec<String> = labels::CHANNELS.iter().map(|c| channel_key(c)).collect();
    sections.push(section(
        "kanaal",
        tr("Per kanaal", "By channel"),
        share_cols,
        tally(
            &|f: &Fact| channel_key(f.case.channel.as_str()),
            &|k: &str| labels::channel(lang, k),
            &channels,
        ),
    ));
    // How the complaints came in: what the detector did with each mail. Directie's
    // decisions make these the detector's figures on the firm's own mail.
    let origin_label = |o: Origin| labels::origin(lang, o);
    let by_origin = |o: Origin| {
        let of = in_period.iter().filter(|f| f.case.origin == o);
        let (mut yes, mut no, mut open) = (0, 0, 0);
        for f in of {
            if f.complaint {
                yes += 1;
            } else if f.case.status == Status::Kandidaat {
                open += 1;
            } else if matches!(f.case.status, Status::GeenKlacht | Status::Gesloten) {
                no += 1;
            }
        }
        (yes, no, open)
    };
    let origin_rows: Vec<(String, String, Vec<Cell>)> = Origin::ALL
        .iter()
        .filter_map(|&o| {
            let (yes, no, open) = by_origin(o);
            // "not known" only when something is.
            (o != Origin::Onbekend || yes + no + open > 0).then(|| {
                (
                    o.as_str().to_string(),
                    origin_label(o).to_string(),
                    vec![Cell::count(yes), Cell::count(no), Cell::count(open)],
                )
            })
        })
        .collect();
    sections.push(section(
        "herkenning",
        tr("Hoe de zaken zijn geopend", "How the cases were opened"),
        &[
            ("klachten", tr("klacht", "complaint")),
            ("geen_klacht", tr("geen klacht", "not a complaint")),
            ("te_beoordelen", tr("te beoordelen", "to decide")),
        ],
        origin_rows,
    ));
    let (found, flagged_not, _) = by_origin(Origin::Herkend);
    let (doubtful, _, _) = by_origin(Origin::Twijfelgeval);
    let (by_hand, _, _) = by_origin(Origin::MetDeHand);
    let by_mail = found + doubtful + by_hand;
    if by_hand + doubtful > 0 {
        let pct = |n: usize| (100.0 * n as f64 / by_mail as f64).round();
        highlights.push(match lang {
            Language::Nl => format!(
                "van de {by_mail} klachten in de gevolgde mailbox herkende klachtenbus er {found} ({}%); \
                 uit de twijfelgevallen: {doubtful}, met de hand aangemerkt: {by_hand}",
                pct(found)
            ),
            Language::En => format!(
                "of the {by_mail} complaints in the watched mailbox the detector flagged {found} ({}%); \
                 from the doubtful mails: {doubtful}, marked by hand: {by_hand}",
                pct(found)
            ),
        });
    }
    if flagged_not > 0 {
        highlights.push(match lang {
            Language::Nl => format!(
                "volgens directie geen klacht: {flagged_not} van de {} door klachtenbus herkende mails",
                found + flagged_not
            ),
            Language::En => format!(
                "no complaint in directie's judgement: {flagged_not} of the {} mails the detector flagged",
                found + flagged_not
            ),
        });
    }
    const NOT_RECORDED: &str = "(niet vastgelegd)";
    sections.push(section(
        "medewerker",
        tr("Per betrokken medewerker", "By employee involved"),
        share_cols,
        tally(
            &|f: &Fact| {
                f.case
                    .employee
                    .clone()
                    .unwrap_or_else(|| NOT_RECORDED.into())
            },
            &|k: &str| {
                if k == NOT_RECORDED {
                    tr(NOT_RECORDED, "(not recorded)").to_string()
                } else {
                    k.to_string()
                }
            },
            &[],
        ),
    ));
    const UNDECIDED: &str = "nog_niet_bepaald";
    let outcomes: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| o.as_str().to_string())
        .chain(std::iter::once(UNDECIDED.to_string()))
        .collect();
    sections.push(section(
        "uitkomst",
        tr("Per uitkomst", "By outcome"),
        share_cols,
        tally(
            &|f: &Fact| {
                f.case
                    .outcome
                    .map(|o| o.as_str().to_string())
                    .unwrap_or_else(|| UNDECIDED.into())
            },
            &|k: &str| {
                if k == UNDECIDED {
                    tr("nog niet bepaald", "not yet decided").to_string()
                } else {
                    labels::outcome_str(lang, k)
                }
            },
            &outcomes,
        ),
    ));

    // Times to acknowledgement and to position.
    let mut timing_rows = Vec::new();
    for (key, label, stamp, deadline) in [
        (
            "ontvangstbevestiging",
            tr("ontvangstbevestiging", "acknowledgement"),
            (|c: &CaseRow| c.acknowledged_at.clone()) as fn(&CaseRow) -> Option<String>,
            (|c: &CaseRow| c.confirm_by.clone()) as fn(&CaseRow) -> String,
        ),
        (
            "standpunt",
            tr("standpunt", "position"),
            |c: &CaseRow| c.position_sent_at.clone(),
            |c: &CaseRow| c.position_by.clone(),
        ),
    ] {
        let mut days = Vec::new();
        let mut within = 0;
        for f in &complaints {
            let (Some(at), Some(from)) = (stamp(f.case).as_deref().and_then(ts), f.received_at)
            else {
                continue;
            };
            days.push(days_between(from, at));
            if date(&deadline(f.case)).is_some_and(|d| local_date(at) <= d) {
                within += 1;
            }
        }
        let (median, p90, max) = spread(&days);
        timing_rows.push((
            key.to_string(),
            label.to_string(),
            vec![
                Cell::count(days.len()),
                Cell::decimal(median),
                Cell::decimal(p90),
                Cell::decimal(max),
                Cell::count(within),
                Cell::percent(within, days.len()),
            ],
        ));
        if days.len() > within {
            let late = days.len() - within;
            highlights.push(match lang {
                Language::Nl => format!("{label}: {late} van {} na de termijn", days.len()),
                Language::En => format!("{label}: {late} of {} after the deadline", days.len()),
            });
        }
    }
    sections.push(section(
        "doorlooptijd",
        tr(
            "Doorlooptijd in kalenderdagen",
            "Handling time in calendar days",
        ),
        &[
            ("aantal", number),
            ("mediaan", tr("mediaan", "median")),
            ("p90", tr("90e perc.", "90th perc.")),
            ("max", tr("maximum", "maximum")),
            ("binnen_termijn", tr("op tijd", "on time")),
            ("binnen_termijn_pct", tr("op tijd %", "on time %")),
        ],
        timing_rows,
    ));

    // Kifid, open and overdue.
    let kifid: Vec<String> = complaints
        .iter()
        .filter(|f| {
            let Some(mark) = f.case.kifid_from.as_deref().and_then(date) else {
                return false;
            };
            match f.case.position_sent_at.as_deref().and_then(ts) {
                Some(p) => local_date(p) >= mark,
                None => today >= mark,
            }
        })
        .map(|f| f.case.case_ref.to_string())
        .collect();
    let open: Vec<&Fact> = in_period
        .iter()
        .copied()
        .filter(|f| is_open(f.case.status))
        .collect();
    let overdue: Vec<&Fact> = open
        .iter()
        .copied()
        .filter(|f| is_overdue(f.case, today))
        .collect();
    let refs = |fs: &[&Fact]| {
        fs.iter()
            .map(|f| f.case.case_ref.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !kifid.is_empty() {
        let n = labels::count(
            lang,
            kifid.len(),
            ("klacht", "klachten"),
            ("complaint", "complaints"),
        );
        highlights.push(match lang {
            Language::Nl => format!("{n} voorbij de Kifid-grens van 8 weken"),
            Language::En => format!("{n} past the Kifid mark of 8 weeks"),
        });
    }
    if !overdue.is_empty() {
        let n = labels::count(
            lang,
            overdue.len(),
            ("open zaak", "open zaken"),
            ("open case", "open cases"),
        );
        highlights.push(match lang {
            Language::Nl => format!("{n} over de termijn"),
            Language::En => format!("{n} past a deadline"),
        });
    }
    let cases_col = tr("zaken", "cases");
    let stand_title = match lang {
        Language::Nl => format!("Stand op {}", long_date(today)),
        Language::En => format!("As of {}", long_date(today)),
    };
    sections.push(section(
        "stand",
        &stand_title,
        &[("aantal", number), ("zaken", cases_col)],
        vec![
            (
                "kifid_8_weken".into(),
                tr(
                    "voorbij Kifid-grens (8 weken)",
                    "past the Kifid mark (8 weeks)",
                )
                .into(),
                vec![Cell::count(kifid.len()), Cell::text(kifid.join(" "))],
            ),
            (
                "open".into(),
                tr("open", "open").into(),
                vec![Cell::count(open.len()), Cell::text(refs(&open))],
            ),
            (
                "te_laat".into(),
                tr("open en over de termijn", "open and past a deadline").into(),
                vec![Cell::count(overdue.len()), Cell::text(refs(&overdue))],
            ),
        ],
    ));

    // Trends against the two periods before.
    let p1 = period.previous();
    let p2 = p1.previous();
    let count_in = |p: &Period, cat: &str| {
        facts
            .iter()
            .filter(|f| f.complaint && p.contains(f.received) && category_of(f) == cat)
            .count()
    };
    let mut trend_rows = Vec::new();
    let mut trend_keys = categories.clone();
    trend_keys.push("onbekend".into());
    for cat in &trend_keys {
        let (a, b, c) = (
            count_in(&p2, cat),
            count_in(&p1, cat),
            count_in(period, cat),
        );
        if a + b + c == 0 {
            continue;
        }
        let mean = (a + b) as f64 / 2.0;
        let rose = c >= 3 && (mean == 0.0 || c as f64 >= 2.0 * mean);
        let label = category_label(cat);
        if rose {
            highlights.push(match lang {
                Language::Nl => format!("categorie {label} is opvallend gestegen: {a} → {b} → {c}"),
                Language::En => format!("category {label} rose markedly: {a} → {b} → {c}"),
            });
        }
        trend_rows.push((
            cat.clone(),
            label,
            vec![
                Cell::count(a),
                Cell::count(b),
                Cell::count(c),
                if rose {
                    effect(lang, "gestegen", "risen")
                } else {
                    Cell::text("")
                },
            ],
        ));
    }
    let (l2, l1, l0) = (p2.label(), p1.label(), period.label());
    sections.push(section(
        "trend",
        tr("Trend per categorie", "Trend by category"),
        &[
            ("twee_perioden_terug", &l2),
            ("vorige_periode", &l1),
            ("deze_periode", &l0),
            ("signaal", tr("signaal", "signal")),
        ],
        trend_rows,
    ));

    // Repeat complainants over the three periods.
    let window = Period {
        from: p2.from,
        to: period.to,
        kind: Kind::Range,
    };
    let mut by_person: BTreeMap<String, Vec<&Fact>> = BTreeMap::new();
    for f in facts
        .iter()
        .filter(|f| f.complaint && window.contains(f.received))
    {
        let who = f
            .case
            .complainant_addr
            .clone()
            .or_else(|| f.case.complainant_name.clone());
        if let Some(who) = who {
            by_person.entry(who.to_lowercase()).or_default().push(f);
        }
    }
    let mut repeat: Vec<(String, Vec<&Fact>)> = by_person
        .into_iter()
        .filter(|(_, fs)| fs.len() >= 2 && fs.iter().any(|f| period.contains(f.received)))
        .collect();
    repeat.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    if !repeat.is_empty() {
        let n = labels::count(
            lang,
            repeat.len(),
            ("klager", "klagers"),
            ("complainant", "complainants"),
        );
        highlights.push(match lang {
            Language::Nl => format!("{n} met meer dan één klacht in drie perioden"),
            Language::En => format!("{n} with more than one complaint in three periods"),
        });
    }
    let mut repeat_section = section(
        "herhaalde_klagers",
        tr(
            "Klagers met meer dan één klacht (deze en de twee vorige perioden)",
            "Complainants with more than one complaint (this and the two previous periods)",
        ),
        &[("aantal", number), ("zaken", cases_col)],
        repeat
            .iter()
            .map(|(who, fs)| {
                (
                    who.clone(),
                    who.clone(),
                    vec![Cell::count(fs.len()), Cell::text(refs(fs))],
                )
            })
            .collect(),
    );
    if repeat_section.rows.is_empty() {
        repeat_section.note = Some(tr("geen", "none").into());
    }
    sections.push(repeat_section);

    // Measures and whether their category fell afterwards. The windows before and after
    // are equal: at most half a year, and never beyond the period's end or today — a
    // measure younger than that cannot be judged yet ("te vroeg").
    let observed_until = period.to.min(today);
    let mut measure_rows = Vec::new();
    for m in measures {
        let Some(on) = date(&m.taken_on) else {
            continue;
        };
        if !window.contains(on) {
            continue;
        }
        let cat = m.category.clone();
        let span = MEASURE_WINDOW_DAYS.min((observed_until - on).num_days() + 1);
        let (before, after, verdict) = match &cat {
            Some(cat) if span >= MEASURE_MIN_DAYS => {
                let n = |from: NaiveDate, to: NaiveDate| {
                    facts
                        .iter()
                        .filter(|f| {
                            f.complaint
                                && f.received >= from
                                && f.received < to
                                && &category_of(f) == cat
                        })
                        .count()
                };
                let before = n(on - Duration::days(span), on);
                let after = n(on, on + Duration::days(span));
                let verdict = if after < before {
                    effect(lang, "gedaald", "decreased")
                } else {
                    effect(lang, "niet gedaald", "not decreased")
                };
                (Cell::count(before), Cell::count(after), verdict)
            }
            Some(_) => (
                Cell::decimal(None),
                Cell::decimal(None),
                effect(lang, "te vroeg", "too early"),
            ),
            None => (
                Cell::decimal(None),
                Cell::decimal(None),
                effect(lang, "geen categorie", "no category"),
            ),
        };
        let category_cell = match &cat {
            Some(c) => Cell {
                text: labels::category_str(lang, c),
                raw: c.clone(),
            },
            None => Cell::text(""),
        };
        measure_rows.push((
            format!("{}#{}", m.taken_on, m.id),
            on_label(lang, &m.taken_on).unwrap_or_else(|| m.taken_on.clone()),
            vec![
                Cell::text(m.text.clone()),
                Cell::text(m.owner.clone()),
                category_cell,
                Cell::text(m.case.clone().unwrap_or_default()),
                Cell::count(span.max(0) as usize),
                before,
                after,
                verdict,
            ],
        ));
    }
    let mut measure_section = section(
        "maatregelen",
        tr(
            "Maatregelen en hun effect op de categorie",
            "Measures and their effect on the category",
        ),
        &[
            ("maatregel", tr("maatregel", "measure")),
            ("eigenaar", tr("eigenaar", "owner")),
            ("categorie", tr("categorie", "category")),
            ("zaak", tr("zaak", "case")),
            ("venster_dagen", tr("venster", "window")),
            ("ervoor", tr("ervoor", "before")),
            ("erna", tr("erna", "after")),
            ("effect", tr("effect", "effect")),
        ],
        measure_rows,
    );
    if measure_section.rows.is_empty() {
        measure_section.note = Some(
            tr(
                "geen maatregelen in deze of de twee vorige perioden",
                "no measures in this or the two previous periods",
            )
            .into(),
        );
    }
    sections.push(measure_section);

    let mut chart_categories = categories.clone();
    chart_categories.push("onbekend".into());
    let chart = chart(period, &complaints, &chart_categories, &category_of);
    Report {
        period: period.label(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        from_text: long_date(period.from),
        to_text: long_date(period.to),
        generated: long_date(today),
        organisation: organisation.to_string(),
        language: lang.as_str(),
        highlights,
        sections,
        chart,
    }
}

/// A measure's day as people write it (`5-3-2026` in Dutch).
fn on_label(lang: Language, taken_on: &str) -> Option<String> {
    date(taken_on).map(|d| labels::date(lang, d))
}
