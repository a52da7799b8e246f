//! The learned file: parsing, and the signal it gives a text.

use super::*;
use crate::detect::normalize::normalize;

const FILE: &str =
    "# test\n@basis\t-0.5\nbasis\t0.25\nniet teruggebeld\t1.25\nbedankt\t-0.75\nnooit\t0.5\n";

fn signal(text: &str) -> Signal {
    let learned = Learned::parse("test", FILE).unwrap();
    learned.signal(text, &normalize(text)).unwrap()
}

#[test]
fn sums_the_basis_and_each_phrase_found_once() {
    let s = signal("Ik ben NIET  teruggebeld, nooit. Nooit! Niet teruggebeld.");
    assert_eq!(s.weight, 1.25);
    assert_eq!(s.criterion, CRITERION);
    // Strongest first, as written (the first occurrence).
    assert_eq!(s.phrase, "NIET teruggebeld, nooit");
}

#[test]
fn words_of_addresses_and_links_are_no_phrases() {
    // "nooit" and "bedankt" as words of a text count; in an address or a link they do not,
    // and a pair does not run from a link into the text.
    assert_eq!(signal("Nooit bedankt.").weight, -0.75);
    let s = signal("Mail nooit@bedankt.nl of zie https://niet.example/teruggebeld gewoon");
    assert_eq!((s.weight, s.phrase.as_str()), (-0.5, ""));
    let s = signal("Zie www.firma.nl/niet teruggebeld");
    assert_eq!(s.weight, -0.5);
}

#[test]
fn a_negative_sum_names_the_phrases_against() {
    let s = signal("Bedankt voor alles, nooit gedacht.");
    assert_eq!(s.weight, -0.75);
    assert_eq!(s.phrase, "Bedankt");
}

#[test]
fn nothing_found_is_the_basis_alone() {
    let s = signal("Graag een offerte.");
    assert_eq!(s.weight, -0.5);
    assert_eq!(s.phrase, "");
}

#[test]
fn the_word_basis_is_a_phrase_like_any_other() {
    let s = signal("Op basis van uw advies? Nooit.");
    assert_eq!(s.weight, 0.25);
    assert_eq!(s.phrase, "Nooit, basis");
}

#[test]
fn a_colleague_weight_is_its_own_signal_naming_the_domain() {
    let learned = Learned::parse("test", "@afzender_collega\t-1.25\n").unwrap();
    let s = learned.colleague_signal("@firma.example").unwrap();
    assert_eq!(
        (s.criterion.as_str(), s.phrase.as_str(), s.weight),
        (SENDER_CRITERION, "@firma.example", -1.25)
    );
    // Without the line, or at weight 0: no signal.
    assert!(Learned::parse("test", FILE)
        .unwrap()
        .colleague_signal("@firma.example")
        .is_none());
    assert!(Learned::parse("test", "@afzender_collega\t0\n")
        .unwrap()
        .colleague_signal("@firma.example")
        .is_none());
}

#[test]
fn an_empty_file_gives_no_signal() {
    let learned = Learned::parse("test", "# nothing\n").unwrap();
    assert!(learned.signal("klacht", &normalize("klacht")).is_none());
}

#[test]
fn norm_weights_divide_the_phrases_found_by_their_norm() {
    let file = "@basis\t-0.5\nniet teruggebeld\t3\t3\nnooit\t4\t4\nde\t0\t12\n";
    let learned = Learned::parse("test", file).unwrap();
    let score = |text: &str| learned.signal(text, &normalize(text)).unwrap();
    // One phrase found: its weight over its own norm weight.
    assert_eq!(score("Niet teruggebeld.").weight, 0.5);
    // Two: (3 + 4) / sqrt(9 + 16) = 1.4, named strongest first.
    let both = score("Nooit teruggebeld? Niet teruggebeld, nooit.");
    assert_eq!(
        (both.weight, both.phrase.as_str()),
        (0.9, "Nooit, Niet teruggebeld")
    );
    // A phrase of weight 0 adds nothing but still counts in the norm:
    // 7 / sqrt(25 + 144) = 0.538...
    assert_eq!(score("De man: niet teruggebeld, nooit.").weight, 0.04);
    // Nothing found: the basis alone.
    assert_eq!(score("Graag een offerte.").weight, -0.5);
}

#[test]
fn a_short_text_is_divided_by_at_least_the_norm_minimum() {
    let file = "@norm_min\t10\nniet teruggebeld\t3\t3\nnooit\t4\t4\nde\t0\t12\n";
    let learned = Learned::parse("test", file).unwrap();
    let score = |text: &str| learned.signal(text, &normalize(text)).unwrap().weight;
    // Norm 5 held at 10: (3 + 4) / 10.
    assert_eq!(score("Nooit teruggebeld? Niet teruggebeld, nooit."), 0.7);
    // Norm 13 is above it: 7 / 13.
    assert_eq!(score("De man: niet teruggebeld, nooit."), 0.54);
}

#[test]
fn three_words_count_as_one_phrase_where_they_stand_together() {
    let file = "@basis\t0\nnog niet gedaan\t2\nniet gedaan\t-0.5\n";
    let learned = Learned::parse("test", file).unwrap();
    let s = |text: &str| learned.signal(text, &normalize(text)).unwrap();
    // The three together, and the pair inside them, each once.
    let v = s("Het is NOG niet gedaan. Nog niet gedaan!");
    assert_eq!(v.weight, 1.5);
    assert_eq!(v.phrase, "NOG niet gedaan");
    // Apart, or with another word between, the three are no phrase.
    assert_eq!(s("nog is het niet gedaan").weight, -0.5);
    assert_eq!(s("nog niet echt gedaan").weight, 0.0);
}

#[test]
fn pairs_and_runs_of_three_are_told_apart_by_their_words_and_order() {
    // One word table numbers every word; a pair's key and a run's key are built from the
    // same numbers, so neither may stand for the other, nor the same words in another order.
    let file = "@basis\t0\nniet op tijd\t1.0625\nop tijd\t-0.25\ntijd op niet\t0.5\nop\t0.125\n";
    let learned = Learned::parse("test", file).unwrap();
    let weight = |text: &str| learned.signal(text, &normalize(text)).unwrap().weight;
    assert_eq!(weight("Niet op tijd."), 0.94);
    assert_eq!(weight("Tijd op niet."), 0.63);
    assert_eq!(weight("Op tijd, niet op."), -0.13);
    assert_eq!(weight("Tijd niet."), 0.0);
}

#[test]
fn bad_lines_are_named() {
    for (file, says) in [
        ("@basis 1\n", "line 1: expected phrase<TAB>weight"),
        ("@basis\t1\n@basis\t2\n", "line 2: @basis is given twice"),
        ("klacht\tzwaar\n", "not a weight"),
        ("Klacht\t1\n", "not one to three normalised words"),
        ("een  twee\t1\n", "not one to three normalised words"),
        (
            "een twee drie vier\t1\n",
            "not one to three normalised words",
        ),
        (
            "nog niet gedaan\t1\nnog niet gedaan\t2\n",
            "line 2: \"nog niet gedaan\" is listed twice",
        ),
        (
            "klacht\t1\nklacht\t2\n",
            "line 2: \"klacht\" is listed twice",
        ),
        ("klacht\tNaN\n", "not a weight"),
        (
            "@afzender_collega\t-1\n@afzender_collega\t-2\n",
            "line 2: @afzender_collega is given twice",
        ),
        ("@afzender\t-1\n", "line 1: unknown key \"@afzender\""),
        (
            "klacht\t1\t2\nnooit\t1\n",
            "line 2: either every phrase line gives a norm weight",
        ),
        (
            "klacht\t1\nnooit\t1\t2\n",
            "line 2: either every phrase line gives a norm weight",
        ),
        ("klacht\t1\t-2\n", "line 1: not a norm weight"),
        ("klacht\t1\tzwaar\n", "line 1: not a norm weight"),
        ("@basis\t1\t2\n", "line 1: @basis takes one weight"),
        (
            "@norm_min\t-1\nklacht\t1\t1\n",
            "line 1: @norm_min must be 0 or more",
        ),
        (
            "@norm_min\t1\n@norm_min\t2\nklacht\t1\t1\n",
            "line 2: @norm_min is given twice",
        ),
        (
            "@norm_min\t1\nklacht\t1\n",
            "@norm_min needs phrase lines with a norm weight",
        ),
    ] {
        let e = Learned::parse("learned.tsv", file).unwrap_err().to_string();
        assert!(e.contains(says), "{file:?}: {e}");
    }
}

#[test]
fn the_part_outside_leaves_out_the_phrases_on_the_given_words_only() {
    let learned = Learned::parse("test", FILE).unwrap();
    let text = "nooit niet teruggebeld bedankt";
    let norm = normalize(text);
    // All: 0.5 + 1.25 - 0.75; without "niet teruggebeld" (offsets 6..22): 0.5 - 0.75.
    assert_eq!(learned.part_outside(&norm, &[]), Some(1.0));
    assert_eq!(
        learned.part_outside(&norm, std::slice::from_ref(&(6..22))),
        Some(-0.25)
    );
    // A range touching one word of a phrase leaves the phrase out; ranges may overlap
    // and come in any order.
    assert_eq!(
        learned.part_outside(&norm, std::slice::from_ref(&(11..12))),
        Some(-0.25)
    );
    assert_eq!(
        learned.part_outside(&norm, &[23..30, 0..5, 2..4]),
        Some(1.25)
    );
    assert_eq!(Learned::default().part_outside(&norm, &[]), None);
    // With norm weights, the phrases left out still count for the norm.
    let normed = Learned::parse(
        "test",
        "@basis\t0\n@norm_min\t0\nnooit\t3\t3\nbedankt\t-1\t4\n",
    )
    .unwrap();
    let norm = normalize("nooit bedankt");
    assert_eq!(
        normed.part_outside(&norm, std::slice::from_ref(&(0..5))),
        Some(-1.0 / 5.0)
    );
}

#[test]
fn each_text_starts_with_no_phrase_seen_whatever_came_before() {
    // The bits of the phrases seen are kept per thread between texts: a phrase found in
    // one text is found again in the next, also after a text that stopped half way.
    let learned = Learned::parse("test", FILE).unwrap();
    let first = "Niet teruggebeld, nooit.";
    let alone = learned.signal(first, &normalize(first)).unwrap();
    let again = learned.signal(first, &normalize(first)).unwrap();
    assert_eq!(again, alone);
    assert_eq!(again.weight, 1.25);
    let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        learned.each_phrase(&normalize(first), |_, _, _| panic!("stop"))
    }));
    assert!(stopped.is_err());
    assert_eq!(learned.signal(first, &normalize(first)).unwrap(), alone);
    let other = "Bedankt, nooit gedacht.";
    assert_eq!(
        learned.signal(other, &normalize(other)).unwrap().weight,
        -0.75
    );
}

#[test]
fn words_of_every_length_are_found_and_only_as_written() {
    // Up to 15 bytes a word is kept as a number, longer ones as strings: both are found,
    // alone and in a phrase, and a word is not found as its own prefix or extension.
    let fifteen = "klachtafhandel1"; // 15 bytes
    let sixteen = "klachtafhandeli1"; // 16 bytes
    let long = "schadeverzekeringsmaatschappij";
    let file = format!(
        "@basis\t0\n{fifteen}\t1\n{sixteen}\t2\n{long}\t4\nde {long}\t8\n{long} {fifteen} kwijt\t16\n"
    );
    let learned = Learned::parse("test", &file).unwrap();
    let weight = |text: &str| learned.signal(text, &normalize(text)).unwrap().weight;
    assert_eq!(weight(fifteen), 1.0);
    assert_eq!(weight(sixteen), 2.0);
    assert_eq!(weight(long), 4.0);
    assert_eq!(weight(&format!("de {long}")), 12.0);
    assert_eq!(weight(&format!("{long} {fifteen} kwijt")), 21.0);
    // Neither shorter nor longer nor a word between the two lengths.
    for other in [
        "klachtafhandel",
        "klachtafhandel1x",
        "klachtafhandeli",
        "klachtafhandeli1x",
        "schadeverzekeringsmaatschappi",
        "schadeverzekeringsmaatschappijen",
    ] {
        assert_eq!(weight(other), 0.0, "{other}");
    }
}

#[test]
fn the_words_the_file_knows_are_counted_without_numbers_and_links() {
    let learned = Learned::parse("test", FILE).unwrap();
    let coverage = |text: &str| learned.read(text, &normalize(text)).1;
    // "nooit" and "bedankt" are words of listed phrases, "maar" and "toch" are not; "12"
    // and "2026" count neither way, nor do the words of the link and the address.
    let c = coverage(
        "Nooit bedankt maar toch 12 keer in 2026, zie www.nooit.example of niet@bedankt.nl",
    );
    assert_eq!((c.known, c.counted), (2, 8), "{c:?}");
    assert!(!c.enough());
    // Half of them is enough; fewer is not, nor is a text of numbers and links only.
    assert!(coverage("Nooit bedankt, maar toch.").enough());
    assert!(!coverage("Nooit, maar toch dus.").enough());
    assert!(!coverage("12 34 www.nooit.example").enough());
    // A word of a pair or a run of three only is known too ("teruggebeld").
    let c = coverage("Teruggebeld? Nee.");
    assert_eq!((c.known, c.counted), (1, 2), "{c:?}");
    // With no phrases listed the file judges nothing and counts nothing.
    let empty = Learned::parse("empty", "# none\n").unwrap();
    let text = "Nooit bedankt";
    assert_eq!(empty.read(text, &normalize(text)).1, Coverage::default());
}

#[test]
fn a_text_just_long_enough_needs_more_than_the_threshold() {
    let learned = Learned::parse("test", "@basis\t1\n@min_woorden\t20\nnooit\t0.5\n").unwrap();
    // Under `@min_woorden` the file does not judge (the lexicons do): the threshold.
    assert_eq!(learned.needs(19, 1.5), 1.5);
    // Twice the threshold at 20 words, falling in a straight line to the threshold at 40.
    assert_eq!(learned.needs(20, 1.5), 3.0);
    assert_eq!(learned.needs(30, 1.5), 2.25);
    assert!((learned.needs(39, 1.5) - 1.575).abs() < 1e-9);
    assert_eq!(learned.needs(40, 1.5), 1.5);
    assert_eq!(learned.needs(400, 1.5), 1.5);
    // Without a file nothing changes.
    assert_eq!(Learned::default().needs(25, 1.5), 1.5);
}
