use super::*;

fn context(summary: &str) -> Context {
    sample_base(summary)
}

#[test]
fn acknowledgement_says_what_the_procedure_asks() {
    let l = Letters::new().unwrap();
    let b = l
        .render(
            Template::Bevestigingsbrief,
            Language::Nl,
            &context("te laat"),
        )
        .unwrap();
    for part in [
        "KL-2026-0007",
        "dinsdag 24 november 2026",
        "te laat",
        "directie",
        "dinsdag 8 december 2026",
        "020 123 45 67",
    ] {
        assert!(b.text.contains(part), "text lacks {part:?}:\n{}", b.text);
        assert!(b.html.contains(part), "html lacks {part:?}:\n{}", b.html);
    }
    let en = l
        .render(Template::Bevestigingsbrief, Language::En, &context("late"))
        .unwrap();
    assert!(en.text.starts_with("Dear heer Jansen"), "{}", en.text);
}

#[test]
fn position_letter_carries_kifid_facts() {
    let l = Letters::new().unwrap();
    let b = l
        .render(Template::Standpuntbrief, Language::Nl, &context("x"))
        .unwrap();
    for part in [
        "Wij betalen de kosten terug.",
        "eindstandpunt",
        "Kifid",
        "300.012345",
        "bindend",
        "drie maanden",
        "rechter",
    ] {
        assert!(b.text.contains(part), "lacks {part:?}:\n{}", b.text);
    }
    let mut c = context("x");
    c.insert(
        "org",
        &serde_json::json!({"name": "X", "kifid_number": null, "kifid_binding": false}),
    );
    let b = l
        .render(Template::Standpuntbrief, Language::Nl, &c)
        .unwrap();
    assert!(!b.text.contains("Kifid"), "{}", b.text);
    assert!(b.text.contains("rechter"));
}

#[test]
fn customer_text_is_a_value_escaped_in_html() {
    let l = Letters::new().unwrap();
    let evil = "{{ get_env(name=\"HOME\") }} {% raw %} <script>alert(1)</script> & \"x\"";
    let b = l
        .render(Template::Bevestigingsbrief, Language::Nl, &context(evil))
        .unwrap();
    assert!(b.text.contains(evil), "{}", b.text);
    assert!(b.html.contains("{{ get_env(name="), "{}", b.html);
    assert!(!b.html.contains("<script>"), "{}", b.html);
    assert!(b.html.contains("&lt;script&gt;"), "{}", b.html);
}

#[test]
fn header_values_lose_line_breaks() {
    assert_eq!(
        header_safe("Klacht\r\nBcc: x@example.test", 100),
        "Klacht Bcc: x@example.test"
    );
    assert_eq!(header_safe("a\u{0}b\tc", 100), "a b c");
    assert_eq!(header_safe("abcdef", 3), "abc");
    // Bidirectional overrides and isolates go; ordinary letters of any script stay.
    assert_eq!(
        header_safe(
            "Klacht \u{202E}gnidlow\u{202C} \u{2066}x\u{2069} مرحبا",
            100
        ),
        "Klacht gnidlow x مرحبا"
    );
}

#[test]
fn every_template_renders() {
    let l = Letters::new().unwrap();
    let c = sample_context();
    for t in Template::ALL {
        for lang in [Language::Nl, Language::En] {
            let b = l.render(t, lang, &c).unwrap();
            assert!(!b.text.trim().is_empty() && b.html.contains("</html>"));
        }
    }
}

/// What every letter and notice says, per template and language, with fixed values:
/// a change in wording shows up as a snapshot diff (`INSTA_UPDATE=always cargo test
/// --lib letters` to accept it after reading it).
#[test]
fn letter_snapshots() {
    let l = Letters::new().unwrap();
    let c = sample_context();
    let mut variants = vec![];
    for t in Template::ALL {
        variants.push((t, Language::Nl, "", c.clone()));
        if t.language(Language::En) == "en" {
            variants.push((t, Language::En, "", c.clone()));
        }
    }
    for lang in [Language::Nl, Language::En] {
        // Confirmed after the position date, with Kifid open.
        let mut late = c.clone();
        late.insert("late", &true);
        late.insert("kifid_open", &true);
        variants.push((Template::Bevestigingsbrief, lang, "_laat", late));
        // Extended after the old date passed: that date is not repeated.
        let mut passed = c.clone();
        passed.insert("previous", &Option::<String>::None);
        passed.insert("kifid_open", &true);
        variants.push((
            Template::Verlengingsbrief,
            lang,
            "_termijn_verstreken",
            passed,
        ));
    }
    for (t, lang, variant, ctx) in variants {
        let b = l.render(t, lang, &ctx).unwrap();
        insta::assert_snapshot!(
            format!("{}_{}{variant}", t.name(), lang.as_str()),
            format!("{}\n===== html =====\n{}", b.text, b.html)
        );
    }
}

#[test]
fn overrides_replace_a_template_and_broken_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nl")).unwrap();
    let ack = dir.path().join("nl/bevestigingsbrief.txt.tera");
    std::fs::write(
        &ack,
        "Geachte {{ case.salutation }},\n\nEigen tekst van de firma over {{ case.ref }}.\n",
    )
    .unwrap();
    let l = Letters::with_overrides(Some(dir.path())).unwrap();
    let b = l
        .render(Template::Bevestigingsbrief, Language::Nl, &sample_context())
        .unwrap();
    assert!(
        b.text
            .contains("Eigen tekst van de firma over KL-2026-0007."),
        "{}",
        b.text
    );
    // The HTML part and the English letter are still the built-in ones.
    assert!(b.html.contains("Uw klacht gaat over"));
    let en = l
        .render(Template::Bevestigingsbrief, Language::En, &sample_context())
        .unwrap();
    assert!(en.text.contains("Your complaint concerns"));

    // Broken: a syntax error, a value that does not exist, a misspelt file name.
    for (file, source, why) in [
        ("nl/bevestigingsbrief.txt.tera", "{{ case.ref ", "parse"),
        (
            "nl/standpuntbrief.html.tera",
            "<p>{{ case.nummer }}</p>",
            "render",
        ),
        ("nl/bevestigingbrief.txt.tera", "x", "name"),
        ("fr/bevestigingsbrief.txt.tera", "x", "name"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, source).unwrap();
        let err = Letters::with_overrides(Some(dir.path()))
            .err()
            .unwrap_or_else(|| panic!("{file} accepted"));
        let text = format!("{err}");
        assert!(text.contains(&path.display().to_string()), "{why}: {text}");
    }
}
