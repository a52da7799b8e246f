use super::*;
use clap::CommandFactory;

#[test]
fn the_command_line_is_well_formed() {
    Cli::command().debug_assert();
}

#[test]
fn references_as_people_type_them() {
    let r = CaseRef::new(2026, 9).unwrap();
    for s in [
        "KL-2026-9",
        "kl-2026-9",
        "2026-9",
        "KL-2026-0009",
        "Kl-2026-009",
        " KL 2026-9 ",
        "kl2026-9",
    ] {
        assert_eq!(case_ref(s), Some(r), "{s:?}");
        assert_eq!(parse_ref(s), Ok(r), "{s:?}");
    }
    assert_eq!(case_ref("2027-12345").unwrap().to_string(), "KL-2027-12345");
    for bad in [
        "KL-26-9",
        "KL-2026-0",
        "KL-2026-0000",
        "2026",
        "9",
        "KL-2026-",
        "KL-2026-9x",
        "x KL-2026-9",
        "2026-9-1",
        "KL-0999-1",
        "KL-2026-12345678",
        "ÉÉ-2026-9",
        "",
    ] {
        assert_eq!(case_ref(bad), None, "{bad:?}");
        assert!(parse_ref(bad).is_err(), "{bad:?}");
    }
    // Through clap, as `show` gets it.
    let cli = Cli::try_parse_from(["klachtenbus", "show", "2026-9"]).unwrap();
    assert!(matches!(cli.command, Command::Show { reference, .. } if reference == r));
    let cli = Cli::try_parse_from([
        "klachtenbus",
        "maatregel",
        "add",
        "x",
        "--case",
        "kl-2026-9",
    ])
    .unwrap();
    assert!(matches!(
        cli.command,
        Command::Maatregel {
            action: register::MeasureAction::Add { case: Some(c), .. }
        } if c == r
    ));
}

#[test]
fn status_filters() {
    assert_eq!(parse_status("open"), Ok(StatusFilter::Open));
    assert_eq!(parse_status("OVERDUE"), Ok(StatusFilter::Overdue));
    assert_eq!(parse_status("te-laat"), Ok(StatusFilter::Overdue));
    assert_eq!(
        parse_status("in_behandeling"),
        Ok(StatusFilter::Is(Status::InBehandeling))
    );
    assert_eq!(
        parse_status("standpunt gegeven"),
        Ok(StatusFilter::Is(Status::StandpuntGegeven))
    );
    for s in crate::case::STATUSES {
        assert_eq!(parse_status(s.as_str()), Ok(StatusFilter::Is(s)));
    }
    assert!(parse_status("openstaand").is_err());
}

#[test]
fn report_period_is_optional_and_takes_a_year() {
    let cli = Cli::try_parse_from(["klachtenbus", "report"]).unwrap();
    assert!(matches!(cli.command, Command::Report { period: None, .. }));
    let cli = Cli::try_parse_from(["klachtenbus", "report", "--period", "2026"]).unwrap();
    let Command::Report {
        period: Some(p), ..
    } = cli.command
    else {
        panic!("no period");
    };
    assert_eq!(p.label(), "2026");
    assert_eq!(p.from.to_string(), "2026-01-01");
    assert_eq!(p.to.to_string(), "2026-12-31");
    assert!(Cli::try_parse_from(["klachtenbus", "report", "--period", "2026-H3"]).is_err());
}

#[test]
fn lang_is_a_global_flag() {
    let cli = Cli::try_parse_from(["klachtenbus", "cases", "--lang", "en"]).unwrap();
    assert_eq!(cli.lang, Some(Language::En));
    let cli = Cli::try_parse_from(["klachtenbus", "--lang", "nl", "status"]).unwrap();
    assert_eq!(cli.lang, Some(Language::Nl));
    assert!(Cli::try_parse_from(["klachtenbus", "--lang", "de", "status"]).is_err());
}
