use super::*;

fn nl(raw: &str) -> String {
    PersonName::parse(raw).salutation(false)
}

fn en(raw: &str) -> String {
    PersonName::parse(raw).salutation(true)
}

/// Runs a table and reports every mismatch at once.
fn check_table(cases: &[(&str, &str)], f: impl Fn(&str) -> String, what: &str) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(raw, want)| {
            let got = f(raw);
            (got != want).then(|| format!("{what}({raw:?}) = {got:?}, want {want:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn dutch_salutations() {
    let cases: &[(&str, &str)] = &[
        // titles and tussenvoegsels
        ("mevrouw K. van der Berg", "mevrouw Van der Berg"),
        ("Dhr. J. Bos", "heer Bos"),
        ("De heer J.P. de Vries", "heer De Vries"),
        ("Familie Jansen", "familie Jansen"),
        ("Fam. de Jong", "familie De Jong"),
        ("Familie Van Dijk", "familie Van Dijk"),
        ("Mw. T. Yilmaz", "mevrouw Yilmaz"),
        ("Mevr. Wong", "mevrouw Wong"),
        ("Juffrouw Bakker", "mevrouw Bakker"),
        ("Mrs. Emily Brown", "mevrouw Brown"),
        ("Ms Smith", "mevrouw Smith"),
        ("Miss Jones", "mevrouw Jones"),
        ("hr. P. Mulder", "heer Mulder"),
        ("Mevrouw van Dam", "mevrouw Van Dam"),
        ("Mevrouw A. in 't Veld", "mevrouw In 't Veld"),
        ("Dhr. P. 't Hart", "heer 't Hart"),
        ("dhr J vd Berg", "heer Van de Berg"),
        ("Dhr. J. v.d. Berg", "heer Van der Berg"),
        ("Dhr. J. de Heer", "heer De Heer"),
        ("Dhr. KP Jansen", "heer Jansen"),
        ("Mw. Ç. Öztürk", "mevrouw Öztürk"),
        // never a first name after heer/mevrouw
        ("Mevrouw Karin Smit", "mevrouw Smit"),
        // unknown gender: never guessed from first names
        ("Karin Smit", "heer/mevrouw Smit"),
        ("Jan-Willem van den Heuvel", "heer/mevrouw Van den Heuvel"),
        ("\"Jan de Vries\"", "heer/mevrouw De Vries"),
        ("Dhr./Mevr. Smit", "heer/mevrouw Smit"),
        // mr: English Mr before an English-looking name, else the Dutch law title
        ("Mr John Smith", "heer Smith"),
        ("Mr. John Smith", "heer Smith"),
        ("mr. J. Bos", "heer/mevrouw Bos"),
        ("Mr. K. van der Berg", "heer/mevrouw Van der Berg"),
        ("mr. Jan de Vries", "heer/mevrouw De Vries"),
        // academic titles dropped, gender stays unknown
        ("Dr. A. Jansen", "heer/mevrouw Jansen"),
        ("Prof. dr. ir. H. Visser", "heer/mevrouw Visser"),
        ("prof.dr.ir. H. Visser", "heer/mevrouw Visser"),
        ("Ing. B. Kok", "heer/mevrouw Kok"),
        ("Ds. M. Post", "heer/mevrouw Post"),
        ("Mevr. drs. E. de Wit", "mevrouw De Wit"),
        ("De heer mr. J. Bos", "heer Bos"),
        // couples
        ("De heer en mevrouw Jansen", "familie Jansen"),
        ("Mr and Mrs Smith", "familie Smith"),
        // surname first
        ("Smit, Karin", "heer/mevrouw Smit"),
        ("Smit, K.", "heer/mevrouw Smit"),
        ("Smit, K. (Karin)", "heer/mevrouw Smit"),
        ("Berg, K. van der", "heer/mevrouw Van der Berg"),
        ("Vries, J.P. de", "heer/mevrouw De Vries"),
        ("van der Berg, K.", "heer/mevrouw Van der Berg"),
        ("Karin Smit, Amsterdam", "heer/mevrouw Smit"),
        // case normalisation
        ("PIETER DE BOER", "heer/mevrouw De Boer"),
        ("karin van der berg", "heer/mevrouw Van der Berg"),
        ("MEVROUW K. VAN DER BERG", "mevrouw Van der Berg"),
        ("J. SMIT", "heer/mevrouw Smit"),
        ("Dhr. O'BRIEN", "heer O'Brien"),
        ("dhr. ijsselmuiden", "heer IJsselmuiden"),
        ("KARIN JANSEN-DE VRIES", "heer/mevrouw Jansen-de Vries"),
        // hyphenated surnames keep their parts
        ("Mevrouw Jansen-de Vries", "mevrouw Jansen-de Vries"),
        ("Mevrouw K. Jansen - de Vries", "mevrouw Jansen-de Vries"),
        // display-name clutter
        ("'Karin Smit' via Gmail", "heer/mevrouw Smit"),
        ("Karin Smit (via LinkedIn)", "heer/mevrouw Smit"),
        ("Karin Smit <k.smit@example.nl>", "heer/mevrouw Smit"),
        ("Dhr. J. Bos MSc", "heer Bos"),
        // no surname known
        ("Karin", "heer, mevrouw"),
        ("Jansen-de Vries", "heer, mevrouw"),
        ("info", "heer, mevrouw"),
        ("Info Bakker", "heer, mevrouw"),
        ("admin", "heer, mevrouw"),
        ("noreply", "heer, mevrouw"),
        ("Sales Team", "heer, mevrouw"),
        ("Support", "heer, mevrouw"),
        ("Administratie", "heer, mevrouw"),
        ("Klantenservice Bakker BV", "heer, mevrouw"),
        ("Bakker B.V.", "heer, mevrouw"),
        ("Jansen Holding", "heer, mevrouw"),
        ("Groep Noord", "heer, mevrouw"),
        ("Acme Ltd", "heer, mevrouw"),
        ("Müller GmbH", "heer, mevrouw"),
        ("Bakker & Zonen VOF", "heer, mevrouw"),
        ("k.smit@example.nl", "heer, mevrouw"),
        ("", "heer, mevrouw"),
        ("   ", "heer, mevrouw"),
        // a title alone
        ("Mevrouw", "mevrouw"),
        ("De heer", "heer"),
    ];
    assert!(cases.len() >= 30);
    check_table(cases, nl, "nl");
}

#[test]
fn english_salutations() {
    let cases: &[(&str, &str)] = &[
        ("mevrouw K. van der Berg", "Ms Van der Berg"),
        ("Dhr. J. Bos", "Mr Bos"),
        ("Mr John Smith", "Mr Smith"),
        ("Mrs. Emily Brown", "Ms Brown"),
        ("Miss Jones", "Ms Jones"),
        ("Karin Smit", "Karin Smit"),
        ("Berg, K. van der", "K. van der Berg"),
        ("karin van der berg", "Karin van der Berg"),
        ("PIETER DE BOER", "Pieter de Boer"),
        ("mr. J. Bos", "J. Bos"),
        ("Familie Jansen", "Jansen family"),
        ("Mevrouw", "Madam"),
        ("De heer", "Sir"),
        ("info", "Sir or Madam"),
        ("Karin", "Sir or Madam"),
        ("k.smit@example.nl", "Sir or Madam"),
        ("", "Sir or Madam"),
    ];
    check_table(cases, en, "en");
}

#[test]
fn address_lines() {
    let cases: &[(&str, bool, Option<&str>)] = &[
        (
            "mevrouw K. van der Berg",
            false,
            Some("Mevrouw K. van der Berg"),
        ),
        ("mevrouw K. van der Berg", true, Some("Ms K. van der Berg")),
        ("Dhr. J. Bos", false, Some("De heer J. Bos")),
        ("Dhr. J. Bos", true, Some("Mr J. Bos")),
        ("Berg, K. van der", false, Some("K. van der Berg")),
        ("Familie Jansen", false, Some("Familie Jansen")),
        ("Familie Jansen", true, Some("The Jansen family")),
        ("Fam. de Jong", false, Some("Familie De Jong")),
        ("Mevrouw van Dam", false, Some("Mevrouw Van Dam")),
        ("Karin Smit", false, Some("Karin Smit")),
        ("PIETER DE BOER", false, Some("Pieter de Boer")),
        ("Dhr. KP Jansen", false, Some("De heer K.P. Jansen")),
        ("De heer J.-P. Dubois", false, Some("De heer J.-P. Dubois")),
        (
            "Mevrouw A. in 't Veld",
            false,
            Some("Mevrouw A. in 't Veld"),
        ),
        ("Karin", false, None),
        ("info", false, None),
        ("", true, None),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(raw, english, want)| {
            let got = PersonName::parse(raw).address_line(english);
            (got.as_deref() != want).then(|| {
                format!("address_line({raw:?}, english={english}) = {got:?}, want {want:?}")
            })
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn parsed_parts() {
    let p = PersonName::parse("PIETER DE BOER");
    assert_eq!(
        p,
        PersonName {
            gender: Gender::Unknown,
            initials: None,
            given: Some("Pieter".into()),
            tussenvoegsel: Some("de".into()),
            surname: Some("Boer".into()),
        }
    );

    let p = PersonName::parse("Berg, K. van der");
    assert_eq!(p.surname.as_deref(), Some("Berg"));
    assert_eq!(p.tussenvoegsel.as_deref(), Some("van der"));
    assert_eq!(p.initials.as_deref(), Some("K."));
    assert_eq!(p.given, None);
    assert_eq!(p.gender, Gender::Unknown);

    let p = PersonName::parse("De heer J.P. de Vries");
    assert_eq!(p.gender, Gender::Male);
    assert_eq!(p.initials.as_deref(), Some("J.P."));
    assert_eq!(p.tussenvoegsel.as_deref(), Some("de"));
    assert_eq!(p.surname.as_deref(), Some("Vries"));

    let p = PersonName::parse("Jan-Willem van den Heuvel");
    assert_eq!(p.given.as_deref(), Some("Jan-Willem"));
    assert_eq!(p.tussenvoegsel.as_deref(), Some("van den"));
    assert_eq!(p.surname.as_deref(), Some("Heuvel"));

    let p = PersonName::parse("Mevrouw K. Jansen-de Vries");
    assert_eq!(p.gender, Gender::Female);
    assert_eq!(p.tussenvoegsel, None);
    assert_eq!(p.surname.as_deref(), Some("Jansen-de Vries"));

    let p = PersonName::parse("Smit, Karin");
    assert_eq!(p.given.as_deref(), Some("Karin"));
    assert_eq!(p.surname.as_deref(), Some("Smit"));

    let p = PersonName::parse("Dhr. J vd Berg");
    assert_eq!(p.initials.as_deref(), Some("J."));
    assert_eq!(p.tussenvoegsel.as_deref(), Some("van de"));

    let p = PersonName::parse("Karin");
    assert_eq!(p.given.as_deref(), Some("Karin"));
    assert_eq!(p.surname, None);

    assert_eq!(PersonName::parse("info"), PersonName::default());
    assert_eq!(
        PersonName::parse("k.smit@example.nl"),
        PersonName::default()
    );
}

#[test]
fn defaults() {
    assert_eq!(Gender::default(), Gender::Unknown);
    let p = PersonName::default();
    assert_eq!(p.gender, Gender::Unknown);
    assert_eq!(p.salutation(false), "heer, mevrouw");
    assert_eq!(p.salutation(true), "Sir or Madam");
    assert_eq!(p.address_line(false), None);
}

/// Only letters, spaces, periods, hyphens, apostrophes, and the fixed "/" and ",".
fn assert_safe(out: &str, raw: &str) {
    assert!(
        out.chars().count() <= MAX_OUTPUT_CHARS,
        "too long for {raw:?}: {} chars",
        out.chars().count()
    );
    assert!(
        out.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '-' | '\'' | '/' | ',')),
        "unsafe character in {out:?} for {raw:?}"
    );
    for bad in ["<", ">", "@", "\r", "\n", "script", "Bcc", "bcc"] {
        assert!(
            !out.contains(bad),
            "{bad:?} leaked into {out:?} for {raw:?}"
        );
    }
    if out.contains('/') {
        assert!(out.starts_with("heer/mevrouw "), "stray '/' in {out:?}");
    }
    if out.contains(',') {
        assert_eq!(out, "heer, mevrouw", "stray ',' for {raw:?}");
    }
}

#[test]
fn hostile_input_never_leaks() {
    let long_word = "A".repeat(500);
    let long_words = "Jan ".repeat(125);
    let long_title = format!("Mevrouw {}", "x".repeat(500));
    let long_token = format!("Dhr. J. {}", "Bos".repeat(20));
    let inputs: Vec<&str> = vec![
        "<script>alert(1)</script>",
        "Karin Smit <script>alert(1)</script>",
        "Jan\r\nBcc: x@y",
        "Karin Smit\r\nBcc: evil@example.com",
        "Karin Smit\nBcc: evil@example.com",
        "Mevrouw K. Smit\u{0}\u{7}\u{1b}[31m",
        "Dhr. B\u{0}os",
        "Smit\u{202E}evil\u{200B}",
        "Robert'); DROP TABLE students;--",
        "&lt;script&gt;",
        "=?UTF-8?B?S2FyaW4gU21pdA==?=",
        "Jan 1234 Smit #$%^*",
        "Mevrouw {Smit} [x] (y)",
        "Dhr. J. Bos\u{2028}Bcc: x@y",
        "\"><img src=x onerror=alert(1)>",
        "Smit, K., Bcc: x@y",
        "🙂 Karin 🙂 Smit 🙂",
        long_word.as_str(),
        long_words.as_str(),
        long_title.as_str(),
        long_token.as_str(),
    ];
    for raw in inputs {
        let p = PersonName::parse(raw);
        for english in [false, true] {
            assert_safe(&p.salutation(english), raw);
            if let Some(line) = p.address_line(english) {
                assert_safe(&line, raw);
                assert!(!line.contains('/') && !line.contains(','), "{line:?}");
            }
        }
    }
}

#[test]
fn hostile_input_exact_results() {
    assert_eq!(nl("<script>alert(1)</script>"), "heer, mevrouw");
    assert_eq!(
        PersonName::parse("<script>alert(1)</script>").address_line(false),
        None
    );
    assert_eq!(nl("Jan\r\nBcc: x@y"), "heer, mevrouw");
    assert_eq!(en("Jan\r\nBcc: x@y"), "Sir or Madam");
    assert_eq!(
        nl("Karin Smit\r\nBcc: evil@example.com"),
        "heer/mevrouw Smit"
    );
    assert_eq!(nl("Dhr. J. Bos<script>alert(1)</script>"), "heer Bos");
    assert_eq!(nl("Dhr. B\u{0}os"), "heer Bos");
    assert_eq!(nl("Jan 1234 Smit"), "heer/mevrouw Smit");
    assert_eq!(nl(&"A".repeat(500)), "heer, mevrouw");
    assert_eq!(nl(&"Jan ".repeat(125)), "heer, mevrouw");
    assert_eq!(nl(&format!("Mevrouw {}", "x".repeat(500))), "heer, mevrouw");
    assert_eq!(nl("=?UTF-8?B?S2FyaW4gU21pdA==?="), "heer, mevrouw");
}

#[test]
fn fields_set_directly_are_cleaned_on_output() {
    let p = PersonName {
        gender: Gender::Female,
        surname: Some("Smit\r\nBcc: x@y".into()),
        ..PersonName::default()
    };
    assert_eq!(p.salutation(false), "mevrouw Smit");
    assert_eq!(p.address_line(true).as_deref(), Some("Ms Smit"));

    let p = PersonName {
        gender: Gender::Male,
        initials: Some("J.<b>".into()),
        tussenvoegsel: Some("<i>".into()),
        surname: Some("<script>alert(1)</script>".into()),
        ..PersonName::default()
    };
    assert_eq!(p.salutation(false), "heer");
    assert_eq!(p.salutation(true), "Sir");
    assert_eq!(p.address_line(false), None);

    let p = PersonName {
        gender: Gender::Female,
        surname: Some("B".repeat(200)),
        ..PersonName::default()
    };
    let s = p.salutation(false);
    assert_eq!(s.chars().count(), MAX_OUTPUT_CHARS);
    assert!(s.starts_with("mevrouw BBB"));
    let line = p.address_line(false).unwrap();
    assert_eq!(line.chars().count(), MAX_OUTPUT_CHARS);

    let p = PersonName {
        gender: Gender::Unknown,
        given: Some("Karin1\u{0}".into()),
        tussenvoegsel: Some("Van Der".into()),
        surname: Some("Berg".into()),
        ..PersonName::default()
    };
    assert_eq!(p.salutation(false), "heer/mevrouw Van der Berg");
    assert_eq!(p.salutation(true), "Karin van der Berg");
    assert_eq!(p.address_line(false).as_deref(), Some("Karin van der Berg"));
}
