//! Classification throughput on one core over the labelled corpus: MB/s of message text
//! (subject + body as parsed) and messages/s. Parsing is done beforehand and not timed.
//!
//!     cargo bench --bench classify

use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use klachtenbus::detect::{Detector, ScreenContext};
use klachtenbus::parse::{parse, ParsedMail};

fn corpus() -> Vec<ParsedMail> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut mails: Vec<ParsedMail> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| parse(&std::fs::read(p).unwrap()))
        .collect();
    assert!(!mails.is_empty(), "the corpus folder is empty");
    mails.sort_by(|a, b| a.subject.cmp(&b.subject));
    mails
}

fn text_bytes(mails: &[ParsedMail]) -> u64 {
    mails
        .iter()
        .map(|m| {
            (m.subject.as_deref().unwrap_or("").len() + m.body_text.as_deref().unwrap_or("").len())
                as u64
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let detector = Detector::new(3.0, None).unwrap();
    let ctx = ScreenContext::default();
    let mails = corpus();
    let bytes = text_bytes(&mails);

    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("corpus_bytes", |b| {
        b.iter(|| {
            for m in &mails {
                std::hint::black_box(detector.classify(m, &ctx));
            }
        })
    });
    group.throughput(Throughput::Elements(mails.len() as u64));
    group.bench_function("corpus_messages", |b| {
        b.iter(|| {
            for m in &mails {
                std::hint::black_box(detector.classify(m, &ctx));
            }
        })
    });
    group.finish();

    // A plain summary line in decimal MB/s, the unit the goal is stated in.
    let rounds = 20;
    let start = Instant::now();
    for _ in 0..rounds {
        for m in &mails {
            std::hint::black_box(detector.classify(m, &ctx));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "classify summary: {} messages, {} bytes of text; {:.1} MB/s, {:.0} messages/s (one core)",
        mails.len(),
        bytes,
        (bytes * rounds) as f64 / secs / 1e6,
        (mails.len() as u64 * rounds) as f64 / secs
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
