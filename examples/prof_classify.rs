use klachtenbus::detect::{Detector, ScreenContext};
use klachtenbus::parse::parse;
fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    paths.sort();
    let mails: Vec<_> = paths
        .iter()
        .map(|p| parse(&std::fs::read(p).unwrap()))
        .collect();
    let detector = Detector::new(3.0, None).unwrap();
    let ctx = ScreenContext::default();
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(100);
    let mut n = 0usize;
    for _ in 0..rounds {
        for m in &mails {
            n += std::hint::black_box(detector.classify(m, &ctx))
                .signals
                .len();
        }
    }
    println!("{} mails, {}", mails.len(), n);
}
