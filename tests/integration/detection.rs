//! Detection through the binary and in the intake (issue: detection).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::MailStack;
use crate::support::{stderr, stdout, Kb, BIN};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus");

#[test]
fn corpus_meets_recall_and_precision() {
    let labels = std::fs::read_to_string(format!("{CORPUS}/labels.jsonl")).unwrap();
    let rows: Vec<serde_json::Value> = labels
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() >= 150, "corpus has {} messages", rows.len());
    let hard = rows.iter().filter(|r| r["hard"] == true).count();
    assert!(hard >= 40, "corpus has {hard} hard cases");
    for lang in ["nl", "en"] {
        for label in [true, false] {
            assert!(
                rows.iter()
                    .any(|r| r["language"] == lang && r["complaint"] == label),
                "no {lang} message labelled {label}"
            );
        }
    }
    let out = Command::new(BIN)
        .args([
            "--config",
            &format!("{CORPUS}/klachtenbus.toml"),
            "eval",
            CORPUS,
        ])
        .args(["--min-recall", "0.95", "--min-precision", "0.90"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    for line in [
        "precisie:",
        "recall:",
        "F1:",
        "gesignaleerd   niet gesignaleerd",
    ] {
        assert!(text.contains(line), "eval output lacks {line:?}:\n{text}");
    }
}

const CORPUS2: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus2");
const CORPUS3: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus3");
const CORPUS4: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus4");
const CORPUS5: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus5");
const CORPUS6: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus6");
const CORPUS7: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus7");
const CORPUS8: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus8");
const CORPUS9: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus9");
const CORPUS10: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus10");
const CORPUS11: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus11");
const CORPUS12: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus12");
const CORPUS13: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus13");
const CORPUS14: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus14");
const CORPUS15: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus15");
const CORPUS16: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus16");
const CORPUS17: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus17");
const CORPUS18: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus18");
const CORPUS19: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus19");
const CORPUS20: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus20");
const CORPUS21: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus21");
const CORPUS22: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus22");
const CORPUS23: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus23");
const CORPUS24: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus24");
const CORPUS25: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus25");
const CORPUS26: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus26");
const CORPUS27: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus27");
const CORPUS28: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus28");
const CORPUS29: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus29");
const CORPUS30: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus30");
const CORPUS31: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus31");
const CORPUS32: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus32");
const CORPUS33: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus33");
const CORPUS34: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus34");
const CORPUS35: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus35");
const CORPUS36: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus36");
const CORPUS37: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus37");
const CORPUS38: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus38");
const CORPUS39: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus39");
const CORPUS40: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus40");
const CORPUS41: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus41");
const CORPUS42: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus42");
const CORPUS43: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus43");
const CORPUS44: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus44");
const CORPUS45: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus45");
const CORPUS46: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus46");
const CORPUS47: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus47");
const CORPUS48: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus48");
const CORPUS49: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus49");
const CORPUS50: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus50");
const CORPUS51: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus51");
const CORPUS52: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus52");
const CORPUS53: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus53");
const CORPUS54: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus54");
const CORPUS55: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus55");
const CORPUS56: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus56");
const CORPUS57: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus57");
const CORPUS58: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus58");
const CORPUS59: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus59");
const CORPUS60: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus60");
const CORPUS61: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus61");
const CORPUS62: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus62");
const CORPUS63: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus63");
const CORPUS64: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus64");
const CORPUS65: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus65");
const CORPUS66: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus66");
const CORPUS67: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus67");
const CORPUS68: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus68");
const CORPUS69: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus69");
const CORPUS70: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus70");
const CORPUS71: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus71");
const CORPUS72: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus72");
const CORPUS73: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus73");
const CORPUS74: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus74");
const CORPUS75: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus75");
const CORPUS76: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus76");
const CORPUS77: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus77");
const CORPUS78: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus78");
const CORPUS79: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus79");
const CORPUS80: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus80");
const CORPUS81: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus81");
const CORPUS82: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus82");
const CORPUS83: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus83");
const CORPUS84: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus84");
const CORPUS85: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus85");
const CORPUS86: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus86");
const CORPUS87: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus87");
const CORPUS88: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus88");
const CORPUS89: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus89");
const CORPUS90: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus90");
const CORPUS91: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus91");
const CORPUS92: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus92");
const CORPUS93: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus93");
const CORPUS94: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus94");
const CORPUS95: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus95");
const CORPUS96: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus96");
const CORPUS97: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus97");
const CORPUS98: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus98");
const CORPUS99: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus99");
const CORPUS100: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus100");
const CORPUS101: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus101");
const CORPUS102: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus102");
const CORPUS103: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus103");
const CORPUS104: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus104");
const CORPUS105: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus105");
const CORPUS106: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus106");
const CORPUS107: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus107");
const CORPUS108: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus108");
const CORPUS109: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus109");
const CORPUS110: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus110");
const CORPUS111: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus111");
const CORPUS112: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus112");
const CORPUS113: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus113");
const CORPUS114: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus114");
const CORPUS115: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus115");
const CORPUS116: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus116");
const CORPUS117: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus117");
const CORPUS118: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus118");
const CORPUS119: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus119");
const CORPUS120: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus120");
const CORPUS121: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus121");
const CORPUS122: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus122");
const CORPUS123: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus123");
const CORPUS124: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus124");
const CORPUS125: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus125");
const CORPUS126: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus126");
const CORPUS127: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus127");
const CORPUS128: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus128");
const CORPUS129: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus129");
const CORPUS130: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus130");
const CORPUS131: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus131");
const CORPUS132: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus132");
const CORPUS133: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus133");
const CORPUS134: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus134");
const CORPUS135: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus135");
const CORPUS136: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus136");
const CORPUS137: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus137");
const CORPUS138: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus138");
const CORPUS139: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus139");
const CORPUS140: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus140");
const CORPUS141: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus141");
const CORPUS142: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus142");
const CORPUS143: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus143");
const CORPUS144: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus144");
const CORPUS145: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus145");
const CORPUS146: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus146");
const CORPUS147: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus147");
const CORPUS148: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus148");
const CORPUS149: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus149");
const CORPUS150: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus150");
const CORPUS151: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus151");
const CORPUS152: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus152");
const CORPUS153: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus153");
const CORPUS154: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus154");
const CORPUS155: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus155");
const CORPUS156: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus156");
const CORPUS157: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus157");
const CORPUS158: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus158");
const CORPUS159: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus159");
const CORPUS160: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus160");
const CORPUS161: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus161");
const CORPUS162: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus162");
const CORPUS163: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus163");
const CORPUS164: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus164");
const CORPUS165: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus165");
const CORPUS166: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus166");
const CORPUS167: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus167");
const CORPUS168: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus168");
const CORPUS169: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus169");
const CORPUS170: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus170");
const CORPUS171: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus171");
const CORPUS172: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus172");
const CORPUS173: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus173");
const CORPUS174: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus174");
const CORPUS175: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus175");
const CORPUS176: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus176");
const CORPUS177: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus177");
const CORPUS178: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus178");
const CORPUS179: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus179");
const CORPUS180: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus180");
const CORPUS181: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus181");
const CORPUS182: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus182");
const CORPUS183: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus183");
const CORPUS184: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus184");
const CORPUS185: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus185");
const CORPUS186: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus186");
const CORPUS187: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus187");
const CORPUS188: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus188");
const CORPUS189: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus189");
const CORPUS190: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus190");
const CORPUS191: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus191");
const CORPUS192: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus192");
const CORPUS193: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus193");
const CORPUS194: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus194");
const CORPUS195: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus195");
const CORPUS196: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus196");
const CORPUS197: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus197");
const CORPUS198: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus198");
const CORPUS199: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus199");
const CORPUS200: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus200");
const CORPUS201: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus201");
const CORPUS202: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus202");
const CORPUS203: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus203");
const CORPUS204: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus204");
const CORPUS205: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus205");
const CORPUS206: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus206");
const CORPUS207: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus207");

/// The figures `eval` printed for one half of a split corpus.
fn half_figures(text: &str, half: &str) -> (f64, f64, f64) {
    let start = text
        .find(&format!("/{half}\n"))
        .unwrap_or_else(|| panic!("no {half} half in:\n{text}"));
    let section = &text[start..];
    let figure = |name: &str| -> f64 {
        section
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} for {half}"))
            .trim()
            .replace(',', ".")
            .parse()
            .unwrap()
    };
    (figure("precisie:"), figure("recall:"), figure("F1:"))
}

#[test]
fn split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS2, 600);
}

#[test]
fn second_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS3, 200);
}

#[test]
fn third_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS4, 200);
}

#[test]
fn fourth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS5, 200);
}

#[test]
fn fifth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS6, 300);
}

#[test]
fn sixth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS7, 300);
}

#[test]
fn seventh_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS8, 300);
}

#[test]
fn eighth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS9, 300);
}

#[test]
fn ninth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS10, 300);
}

#[test]
fn tenth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS11, 300);
}

#[test]
fn eleventh_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS12, 300);
}

#[test]
fn twelfth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS13, 300);
}

#[test]
fn thirteenth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS14, 300);
}

#[test]
fn fourteenth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS15, 300);
}

#[test]
fn fifteenth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS16, 300);
}

#[test]
fn sixteenth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS17, 300);
}

#[test]
fn seventeenth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS18, 300);
}

#[test]
fn eighteenth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS19, 300);
}

#[test]
fn nineteenth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS20, 300);
}

#[test]
fn twentieth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS21, 300);
}

#[test]
fn twenty_first_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS22, 300);
}

#[test]
fn twenty_second_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS23, 300);
}

#[test]
fn twenty_third_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS24, 300);
}

#[test]
fn twenty_fourth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS25, 300);
}

#[test]
fn twenty_fifth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS26, 300);
}

#[test]
fn twenty_sixth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS27, 300);
}

#[test]
fn twenty_seventh_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS28, 300);
}

#[test]
fn twenty_eighth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS29, 300);
}

#[test]
fn twenty_ninth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS30, 300);
}

#[test]
fn thirtieth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS31, 300);
}

#[test]
fn thirty_first_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS32, 300);
}

#[test]
fn thirty_second_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS33, 300);
}

#[test]
fn thirty_third_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS34, 300);
}

#[test]
fn thirty_fourth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS35, 300);
}

#[test]
fn thirty_fifth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS36, 300);
}

#[test]
fn thirty_sixth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS37, 240);
}

#[test]
fn thirty_seventh_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS38, 240);
}

/// Written in the mix of a real shared mailbox: one mail in five a complaint, most of the
/// rest routine.
#[test]
fn thirty_eighth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS39, 240);
}

#[test]
fn thirty_ninth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS40, 240);
}

#[test]
fn fortieth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS41, 240);
}

#[test]
fn forty_first_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS42, 240);
}

#[test]
fn forty_second_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS43, 240);
}

#[test]
fn forty_third_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS44, 240);
}

#[test]
fn forty_fourth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS45, 240);
}

#[test]
fn forty_fifth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS46, 240);
}

#[test]
fn forty_sixth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS47, 240);
}

#[test]
fn forty_seventh_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS48, 240);
}

#[test]
fn forty_eighth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS49, 240);
}

#[test]
fn forty_ninth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS50, 240);
}

#[test]
fn fiftieth_split_corpus_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS51, 240);
}

#[test]
fn fifty_first_split_corpus_of_short_mails_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS52, 240);
}

#[test]
fn fifty_second_split_corpus_in_a_mailboxs_mix_holds_its_recorded_figures_on_both_halves() {
    holds_recorded_figures(CORPUS53, 240);
}

#[test]
fn split_corpora_of_mail_to_firms_outside_finance_hold_their_recorded_figures_on_both_halves() {
    // A telecom provider, a web shop, a seaside hotel and an energy supplier.
    for corpus in [CORPUS54, CORPUS55, CORPUS56, CORPUS57] {
        holds_recorded_figures(corpus, 100);
    }
}

#[test]
fn split_corpora_of_texts_written_for_public_places_hold_their_recorded_figures_on_both_halves() {
    // Reviews, social-media and forum posts, letters, news, consumer pages, rulings and a
    // firm's own public replies about a parcel service, an insurer, a bank, a financial
    // adviser, an insurance broker, another adviser, a telecom provider, a third broker, a
    // pension adviser, a regional bank, two mortgage advisers, a third adviser, a fourth
    // broker, a third mortgage adviser, a fourth adviser, a fifth broker, a sixth broker, a
    // pension adviser, a planner for medical professionals, a broker for boats and
    // caravans, a seventh broker, a mortgage adviser with three offices, a broker for
    // households and boat owners, a fourth mortgage adviser, an office for households,
    // fishermen and shops, a second planner, an adviser for people over 60, an adviser
    // for expats, an adviser for buy-to-let landlords, a broker for boats, caravans and
    // holiday homes, an adviser on consumer credit, a broker for cars, a broker for the
    // self-employed, a broker for travel insurance, a broker for pet insurance, an
    // investment adviser, a broker for home insurance, an intermediary for car
    // financing, a broker for households and shops, a mortgage adviser in the east, a
    // broker for households and farmers, a broker for small businesses and tradespeople, an
    // adviser for people near retirement, an adviser for households, fruit growers and
    // small firms, an adviser for households in a town, a financial planner for couples
    // near or in retirement and a wealth manager for private clients and foundations, as
    // published: no mail around them; and longer texts of 40 to 250 words (first-person
    // stories, readers' letters, forum posts, news, rulings, columns, advice) about a
    // financial adviser, a mortgage adviser, an insurance intermediary and a pension adviser
    // (corpus204 to corpus207), written after every rule the detector ships.
    for corpus in [
        CORPUS58, CORPUS59, CORPUS60, CORPUS62, CORPUS63, CORPUS64, CORPUS65, CORPUS67, CORPUS69,
        CORPUS71, CORPUS73, CORPUS80, CORPUS82, CORPUS85, CORPUS87, CORPUS90, CORPUS91, CORPUS93,
        CORPUS95, CORPUS97, CORPUS99, CORPUS101, CORPUS103, CORPUS105, CORPUS107, CORPUS109,
        CORPUS111, CORPUS113, CORPUS115, CORPUS117, CORPUS119, CORPUS121, CORPUS123, CORPUS125,
        CORPUS127, CORPUS129, CORPUS131, CORPUS133, CORPUS135, CORPUS147, CORPUS150, CORPUS155,
        CORPUS159, CORPUS163, CORPUS167, CORPUS171, CORPUS175, CORPUS179, CORPUS204, CORPUS205,
        CORPUS206, CORPUS207,
    ] {
        holds_recorded_figures(corpus, 80);
    }
}

#[test]
fn sixty_first_split_corpus_holds_its_recorded_figures_on_both_halves() {
    // Mail to a financial adviser by two writers nothing was fitted or tuned on.
    holds_recorded_figures(CORPUS61, 100);
}

#[test]
fn split_corpora_of_short_published_texts_hold_their_recorded_figures_on_both_halves() {
    // Short reviews, posts, replies and one-line entries (most of them 3 to 25 words) about
    // a mortgage adviser, a broker for households, a financial planner, an insurance and
    // mortgage office, an insurance broker, another mortgage adviser, a pension adviser, a
    // broker for fishermen and households, an investment adviser, a broker for cyclists
    // and shops, a broker for students and delivery riders, a mortgage adviser for
    // first-time buyers, a broker for students and small shops, a mortgage adviser for
    // new-build buyers, a broker for households and shop owners, a broker for households
    // and car owners and an adviser for starters, as published, each by two writers; the
    // shipped fit read the tuning halves of corpus136 to corpus151, none of corpus153,
    // corpus157, corpus160, corpus162, corpus166, corpus170, corpus174 and corpus178; and
    // an insurance intermediary in Arnhem and a mortgage adviser in Almere (corpus202,
    // corpus203), written after every rule the detector ships.
    for corpus in [
        CORPUS136, CORPUS137, CORPUS138, CORPUS139, CORPUS141, CORPUS143, CORPUS145, CORPUS149,
        CORPUS151, CORPUS153, CORPUS157, CORPUS160, CORPUS162, CORPUS166, CORPUS170, CORPUS174,
        CORPUS178, CORPUS202, CORPUS203,
    ] {
        holds_recorded_figures(corpus, 100);
    }
}

#[test]
fn later_split_corpora_of_mail_hold_their_recorded_figures_on_both_halves() {
    // Mail to forty-four more advisers and twelve brokers in the usual mix, each by two
    // writers; the shipped fit read the tuning halves of corpus66 to corpus151, none of
    // corpus152, corpus154, corpus156, corpus158, corpus161, corpus164, corpus165,
    // corpus168, corpus169, corpus172, corpus173, corpus176 and corpus177. corpus74 to
    // corpus77 are written the
    // way an office mailbox's systems and people deliver it (form mailers, transcripts,
    // callback notes, tickets, colleagues' forwards, Kifid, scanned letters); corpus78,
    // corpus79, corpus81, corpus83, corpus84, corpus86, corpus88, corpus89, corpus92,
    // corpus94, corpus96, corpus98, corpus100, corpus102, corpus104, corpus106, corpus108,
    // corpus110, corpus112, corpus114, corpus116, corpus118, corpus120, corpus122,
    // corpus124, corpus126, corpus128, corpus130, corpus132, corpus134, corpus140,
    // corpus142, corpus144, corpus146, corpus148, corpus152, corpus154, corpus156,
    // corpus158, corpus161, corpus164, corpus165, corpus168, corpus169, corpus172,
    // corpus173, corpus176 and corpus177 through the programs and devices mail comes from
    // (legacy
    // charsets, Outlook, Gmail and Apple Mail HTML, phones, bounces and receipts,
    // letterheads, long threads).
    for corpus in [
        CORPUS66, CORPUS68, CORPUS70, CORPUS72, CORPUS74, CORPUS75, CORPUS76, CORPUS77, CORPUS78,
        CORPUS79, CORPUS81, CORPUS83, CORPUS84, CORPUS86, CORPUS88, CORPUS89, CORPUS92, CORPUS94,
        CORPUS96, CORPUS98, CORPUS100, CORPUS102, CORPUS104, CORPUS106, CORPUS108, CORPUS110,
        CORPUS112, CORPUS114, CORPUS116, CORPUS118, CORPUS120, CORPUS122, CORPUS124, CORPUS126,
        CORPUS128, CORPUS130, CORPUS132, CORPUS134, CORPUS140, CORPUS142, CORPUS144, CORPUS146,
        CORPUS148, CORPUS152, CORPUS154, CORPUS156, CORPUS158, CORPUS161, CORPUS164, CORPUS165,
        CORPUS168, CORPUS169, CORPUS172, CORPUS173, CORPUS176, CORPUS177,
    ] {
        holds_recorded_figures(corpus, 100);
    }
}

#[test]
fn split_corpora_of_short_mail_hold_their_recorded_figures_on_both_halves() {
    // The quick notes customers type (most of them 3 to 30 words of their own) with what
    // mail programs add around them: chasers and terse complaints beside first questions,
    // confirmations, documents and thanks; to a pension adviser and a rural broker, each
    // by two writers no fit has read.
    for corpus in [CORPUS180, CORPUS181] {
        holds_recorded_figures(corpus, 100);
    }
}

#[test]
fn split_corpora_of_mail_about_other_parties_hold_their_recorded_figures_on_both_halves() {
    // Mail in which an insurer, a bank, a notary, a previous adviser or a company with a
    // similar name plays a part: complaints about the firm itself beside anger at others,
    // mail meant for another firm and new clients' stories of their previous adviser; to
    // an insurance broker and a mortgage and pension adviser, each by two writers no fit
    // has read.
    for corpus in [CORPUS182, CORPUS183] {
        holds_recorded_figures(corpus, 100);
    }
}

#[test]
fn split_corpora_of_texts_as_found_on_public_pages_hold_their_recorded_figures_on_both_halves() {
    // Texts in the mix a person collecting them from the web finds, from one line to a
    // page: reviews (mixed, long, opening with praise), posts, forum threads, irony, open
    // letters and retold grievances beside praise, the firm's own pages and replies, news,
    // rulings, anger at others and health posts; about an insurance broker and a mortgage
    // and pension adviser, each by two writers no fit has read.
    for corpus in [CORPUS184, CORPUS185] {
        holds_recorded_figures(corpus, 100);
    }
}

#[test]
fn split_corpora_of_an_office_mailboxs_usual_mix_hold_their_recorded_figures_on_both_halves() {
    // The usual mix of an office mailbox through the programs and devices mail comes from:
    // complaints of every class beside routine mail, forms, anger at others, mail for
    // another firm, thanks, withdrawals, staff mail and bad news; to a financial adviser
    // and an insurance broker, each by two writers no fit has read.
    for corpus in [CORPUS186, CORPUS187] {
        holds_recorded_figures(corpus, 100);
    }
}

#[test]
fn split_corpora_of_customer_mail_in_the_usual_mix_hold_their_recorded_figures_on_both_halves() {
    // Customer mail to two financial advisers, an insurance and mortgage broker and a
    // pension and income adviser for the self-employed in the corpora's usual mix (20
    // complaints of every class and 30 other mails per writer, the traps among them), each
    // corpus by two writers no fit has read, written after every rule the detector ships.
    for corpus in [CORPUS198, CORPUS199, CORPUS200, CORPUS201] {
        holds_recorded_figures(corpus, 100);
    }
}

#[test]
fn split_corpora_of_a_shared_mailboxs_mix_hold_their_recorded_figures_on_both_halves() {
    // A shared mailbox on ordinary weeks: one mail in five a complaint (facts, waiting,
    // expectations, treatment, indirect, hidden, a contact form), the rest routine mail full
    // of figures and policy numbers, forms, anger at insurers and garages, mail for another
    // firm, thanks, a withdrawal, staff mail, bad news and automatic mail; to an insurance
    // and mortgage office and a financial planner, each by two writers no fit has read.
    for corpus in [CORPUS188, CORPUS189] {
        holds_recorded_figures(corpus, 100);
    }
}

#[test]
fn split_corpora_in_a_mix_their_writers_chose_hold_their_recorded_figures_on_both_halves() {
    // A shared mailbox whose mix each writer chose as a real one brings it, with no quota
    // per class: about one mail in three a complaint, the rest routine mail, forms,
    // automatic mail, questions and mail for others; to financial advisers and planners,
    // insurance brokers, a mortgage and budget adviser and a pension adviser for employers,
    // each corpus by two writers no fit has read.
    for corpus in [
        CORPUS190, CORPUS191, CORPUS192, CORPUS193, CORPUS194, CORPUS195, CORPUS196, CORPUS197,
    ] {
        holds_recorded_figures(corpus, 100);
    }
}

/// A split corpus of at least `min_total` mails, both languages and both labels in each
/// half, 40 % or more held out: `eval` shows the held-out half's figures but never its
/// misses, and neither half scores below the floors in its `frozen.json`.
fn holds_recorded_figures(corpus: &str, min_total: usize) {
    let mut total = 0;
    let mut per_half = Vec::new();
    for half in ["tune", "test"] {
        let labels = std::fs::read_to_string(format!("{corpus}/{half}/labels.jsonl")).unwrap();
        let rows: Vec<serde_json::Value> = labels
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for lang in ["nl", "en"] {
            for label in [true, false] {
                assert!(
                    rows.iter()
                        .any(|r| r["language"] == lang && r["complaint"] == label),
                    "{half}: no {lang} message labelled {label}"
                );
            }
        }
        assert!(
            rows.iter().all(|r| r["class"].is_string()),
            "{half}: a label without class"
        );
        total += rows.len();
        per_half.push(rows.len());
    }
    assert!(total >= min_total, "{corpus} has {total} mails");
    assert!(per_half[1] * 10 >= total * 4, "test half below 40 %");

    let out = Command::new(BIN)
        .args([
            "--config",
            &format!("{corpus}/klachtenbus.toml"),
            "eval",
            corpus,
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    // The held-out half shows figures and classes, never its misses.
    let test_section = &text[text.find("/test\n").unwrap()..text.find("/tune\n").unwrap()];
    assert!(test_section.contains("klasse "), "{test_section}");
    assert!(!test_section.contains("GEMIST") && !test_section.contains("TEN ONRECHTE"));

    let frozen: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{corpus}/frozen.json")).unwrap())
            .unwrap();
    for half in ["test", "tune"] {
        let (p, r, f) = half_figures(&text, half);
        let floor = |k: &str| frozen[half][k].as_f64().unwrap();
        assert!(
            p >= floor("precision") && r >= floor("recall") && f >= floor("f1"),
            "{half}: precision {p}, recall {r}, F1 {f} below the recorded {}",
            frozen[half]
        );
    }
}

#[test]
fn eval_fails_below_the_bar_and_reports_misses() {
    // With an impossible threshold nothing is flagged: recall 0, and the misses listed.
    let out = Command::new(BIN)
        .args([
            "--config",
            &format!("{CORPUS}/klachtenbus.toml"),
            "eval",
            CORPUS,
        ])
        .args(["--min-recall", "0.95"])
        .env("KLACHTENBUS__DETECTION__THRESHOLD", "999")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("GEMIST 001.eml"), "{}", stdout(&out));
    assert!(stderr(&out).contains("recall 0,000 is lager dan 0,95"));

    let out = Command::new(BIN)
        .args(["eval", "/nonexistent-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("labels.jsonl"));
}

#[test]
fn eval_counts_the_mails_in_the_doubt_band_that_directie_still_sees() {
    // With a threshold nothing reaches, a complaint that scores is in the doubt band: not
    // flagged, but listed in directie's digest. eval counts the missed complaints there
    // apart from those nobody sees, and the other mails there too.
    let complaint = "Drie keer gebeld, nooit teruggebeld. Ik dien hierbij een klacht in.\n";
    let routine = "Mijn nieuwe adres is Kerkstraat 1.\n";
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("a.txt", complaint),
        ("b.txt", complaint),
        ("c.txt", routine),
        ("d.txt", routine),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    // b is labelled as no complaint, d as one: a mislabelled pair, so that each count has
    // something to count.
    std::fs::write(
        dir.path().join("labels.jsonl"),
        "{\"file\": \"a.txt\", \"complaint\": true}\n{\"file\": \"b.txt\", \"complaint\": false}\n\
         {\"file\": \"c.txt\", \"complaint\": false}\n{\"file\": \"d.txt\", \"complaint\": true}\n",
    )
    .unwrap();
    let eval = |lang: &str| {
        let out = Command::new(BIN)
            .args(["eval", dir.path().to_str().unwrap(), "--lang", lang])
            .env("KLACHTENBUS__DETECTION__THRESHOLD", "999")
            .env("KLACHTENBUS__DETECTION__DOUBT_THRESHOLD", "0.5")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let text = eval("nl");
    assert!(text.contains("recall:    0,000"), "{text}");
    assert!(
        text.contains("wel in het overzicht voor de directie): 1 van de 2 gemiste klachten, 1 andere berichten"),
        "{text}"
    );
    assert!(text.contains("recall met de twijfelband: 0,500"), "{text}");
    let text = eval("en");
    assert!(
        text.contains("listed for directie): 1 of the 2 missed complaints, 1 other messages"),
        "{text}"
    );
    assert!(text.contains("recall with the doubt band: 0.500"), "{text}");
}

/// `classify - --json` with `input` on standard input.
fn classify_stdin(input: &[u8]) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(["classify", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn classify_and_eval_read_a_text_without_a_header_as_the_text_of_a_message() {
    // A review copied from a web page, saved or piped with no header: judged on its words,
    // not as an empty message, and the user is told.
    let review =
        "Score: 1/5\nDrie keer gebeld, nooit teruggebeld. Ik dien hierbij een klacht in.\n";
    let out = classify_stdin(review.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["complaint"], true, "{v}");
    assert!(
        v["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["phrase"] == "Score: 1/5"),
        "{v}"
    );
    assert!(stderr(&out).contains("geen kopregels"), "{}", stderr(&out));

    // A folder of such texts: eval judges them and says how many it read as text; a
    // message beside them is read as a message.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), review).unwrap();
    std::fs::write(
        dir.path().join("b.txt"),
        "Heel fijn geholpen door Anouk, dank jullie wel! 5/5\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("c.eml"),
        "From: a@example.test\r\nSubject: Adreswijziging\r\n\r\nMijn nieuwe adres is Kerkstraat 1.\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("labels.jsonl"),
        "{\"file\": \"a.txt\", \"complaint\": true}\n{\"file\": \"b.txt\", \"complaint\": false}\n\
         {\"file\": \"c.eml\", \"complaint\": false}\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["eval", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(
        report.contains("waarvan zonder kopregels, als tekst gelezen: 2"),
        "{report}"
    );
    assert!(report.contains("F1:        1,000"), "{report}");
}

#[test]
fn classify_json_matches_the_contract() {
    let file = format!("{CORPUS}/../demo/03-klacht-cp1252-qp.eml");
    let out = Command::new(BIN)
        .args(["classify", &file, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["complaint"], true);
    assert!(v["score"].as_f64().unwrap() >= v["threshold"].as_f64().unwrap());
    assert!(v["threshold"].is_number());
    assert_eq!(v["language"], "nl");
    assert!(v["screened"].is_null());
    let signals = v["signals"].as_array().unwrap();
    assert!(!signals.is_empty());
    for s in signals {
        let criterion = s["criterion"].as_str().unwrap();
        assert!(
            [
                "klachtwoord",
                "sterke_bewoording",
                "verwijt_handelen",
                "verwijt_gedrag",
                "polariteit",
                "woordgebruik",
                "compliment",
                "context",
            ]
            .contains(&criterion),
            "{criterion}"
        );
        assert!(s["weight"].is_number());
        // The phrase is quoted from the mail as written (charset decoded).
        let phrase = s["phrase"].as_str().unwrap();
        assert!(!phrase.is_empty());
    }
    assert!(
        signals.iter().any(|s| s["phrase"] == "zeer ontevreden"),
        "{v}"
    );
    // The learned phrases: one signal, its family named, its phrases from the mail.
    let learned: Vec<_> = signals
        .iter()
        .filter(|s| s["criterion"] == "woordgebruik")
        .collect();
    assert_eq!(learned.len(), 1, "{v}");
    assert_eq!(learned[0]["family"], "geleerd");

    // From standard input, and a screened message.
    let out = classify_stdin(
        b"From: a@example.test\r\nAuto-Submitted: auto-replied\r\nSubject: Afwezig\r\n\r\nIk ben woedend.\r\n",
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["screened"], "auto_reply");
    assert_eq!(v["complaint"], false);

    // Human output, and a missing file.
    let out = Command::new(BIN)
        .args(["classify", &file])
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("lijkt op een klacht"),
        "{}",
        stdout(&out)
    );
    let out = Command::new(BIN)
        .args(["classify", "/nonexistent.eml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    // A reader that has gone (`classify … | head -0`): the command ends quietly, with no
    // panic about a broken pipe.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(BIN)
        .args(["classify", &file])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_classifies_and_screened_mail_is_never_a_complaint() {
    let stack = MailStack::start();
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/demo");
    let mut files: Vec<_> = std::fs::read_dir(demo)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files {
        stack
            .send(
                "afzender@example.test",
                &["klachten@example.test"],
                &std::fs::read(f).unwrap(),
            )
            .await;
    }
    stack
        .wait_for_count(
            "klachten",
            "INBOX",
            files.len() as u32,
            Duration::from_secs(60),
        )
        .await;
    let kb = Kb::new(&stack, "klachten", "", "");
    let out = kb.sync();
    assert!(
        out.contains("6 berichten beoordeeld: 3 lijken op een klacht, 2 uitgefilterd"),
        "{out}"
    );

    let out = kb.run(&["messages", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let by_subject = |s: &str| {
        rows.iter()
            .find(|r| r["subject"].as_str().unwrap().starts_with(s))
            .unwrap()
    };
    assert_eq!(by_subject("Nog steeds geen reactie")["complaint"], true);
    assert_eq!(by_subject("Vraag over mijn polis")["complaint"], false);
    let ooo = by_subject("Automatisch antwoord");
    assert_eq!(ooo["screened"], "auto_reply");
    assert_eq!(ooo["complaint"], false);
    let news = by_subject("Nieuwsbrief");
    assert_eq!(news["screened"], "mailing_list");
    assert_eq!(
        news["complaint"], false,
        "screened mail is never flagged, whatever its words"
    );
    for r in &rows {
        assert!(
            r["score"].is_number(),
            "every stored message has a verdict: {r}"
        );
    }
    // The verdict with its signals is stored with the message.
    let store = kb.store().await;
    let id = by_subject("Nog steeds geen reactie")["id"]
        .as_i64()
        .unwrap();
    let verdict = store.verdict(id).await.unwrap().unwrap();
    assert!(
        verdict.signals.iter().any(|s| s.phrase == "onacceptabel"),
        "{verdict:?}"
    );
    store.close().await;
}

/// A review site's notification passes on a customer's one-star review from a no-reply
/// address: it is judged on the review's words, opens a case for directie, and when
/// directie confirms it no letter goes to the address that takes no answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_review_opens_a_case_and_no_letter_goes_to_the_no_reply_sender() {
    use crate::cases::{confirm_by_directie, open_first_case, SERVICE};
    use crate::support::cases_json;

    let stack = MailStack::start();
    let kb = Kb::new(&stack, SERVICE, "", "");
    let review = "From: Reviews NL <noreply@reviews-nl.example>\r\nTo: klachten@example.test\r\nSubject: Nieuwe review (1/5) voor Firma\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <review-1@reviews-nl.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nJ. Bakker gaf 1 van 5 sterren:\r\n\r\n\"Twee keer een afspraak gemaakt voor het adviesgesprek over onze hypotheek, twee keer is de adviseur niet gekomen en niemand heeft ons gebeld. Onze mails van 6 en 20 oktober zijn nooit beantwoord. Zo raak je klanten kwijt.\"\r\n\r\nReageer op deze review via uw bedrijfsaccount.\r\n";
    let reference = open_first_case(
        &stack,
        &kb,
        "noreply@reviews-nl.example",
        review.as_bytes(),
        "noreply@reviews-nl.example",
    )
    .await;
    confirm_by_directie(&stack, &kb, &reference, "review-reply@example.test", 2).await;
    assert_eq!(cases_json(&kb)[0]["status"], "in_behandeling");
    let show = kb.run(&["show", &reference, "--json"]);
    assert!(show.status.success(), "{}", stderr(&show));
    let case: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let queued = case["mail"].as_array().cloned().unwrap_or_default();
    assert!(
        queued
            .iter()
            .all(|m| !m["recipient"].as_str().unwrap_or("").contains("noreply")),
        "a letter was queued for the no-reply sender: {case}"
    );
}
