//! Progress through a long pass (a first run on years of mail).
//!
//! On a terminal (standard error) a pass of at least [`BAR_FROM`] new messages draws a
//! progress bar: messages read of how many, megabytes, rate and the time still to go,
//! updated after every batch and left at 100 % when the pass ends. Elsewhere (a service
//! manager's journal, a pipe, a file) the pass logs a line every 5 seconds with the same
//! figures, `reading the mailbox: N of M messages` (scripts read it; keep it as it is), and
//! a pass that ends sooner says nothing. Standard output is never touched.
//!
//! While the bar is shown, log lines are written around it rather than into it
//! ([`crate::logging::log_around`]).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::PassReport;

/// A pass with fewer new messages than this is over too soon for a bar to tell anything.
const BAR_FROM: usize = 200;

/// Whether a pass over `new_messages` shows a bar (else: the log line).
fn shows_bar(new_messages: usize, stderr_is_terminal: bool) -> bool {
    stderr_is_terminal && new_messages >= BAR_FROM
}

pub(super) struct Progress {
    started: Instant,
    total: usize,
    total_bytes: u64,
    shown: Shown,
}

enum Shown {
    /// The bar, and log lines routed around it until it is dropped.
    Bar(ProgressBar, crate::logging::AroundBar),
    /// A log line every `every`.
    Log { last: Instant, every: Duration },
}

impl Progress {
    const EVERY: Duration = Duration::from_secs(5);

    /// `new`: the pass's messages, (UID, size).
    pub(super) fn start(new: &[(u32, u64)]) -> Progress {
        if shows_bar(new.len(), std::io::stderr().is_terminal()) {
            let bar =
                ProgressBar::with_draw_target(Some(new.len() as u64), ProgressDrawTarget::stderr())
                    .with_style(
                        ProgressStyle::with_template("{wide_bar} {pos} of {len} messages, {msg}")
                            .expect("a valid template")
                            .progress_chars("=> "),
                    );
            let around = crate::logging::log_around(&bar);
            Self::new(new, Shown::Bar(bar, around))
        } else {
            Self::logging_every(new, Self::EVERY)
        }
    }

    fn logging_every(new: &[(u32, u64)], every: Duration) -> Progress {
        Self::new(
            new,
            Shown::Log {
                last: Instant::now(),
                every,
            },
        )
    }

    fn new(new: &[(u32, u64)], shown: Shown) -> Progress {
        Progress {
            started: Instant::now(),
            total: new.len(),
            total_bytes: new.iter().map(|(_, size)| size).sum(),
            shown,
        }
    }

    fn figures(&self, so_far: &PassReport, bytes_read: u64) -> Figures {
        Figures {
            done: so_far.fetched,
            total: self.total,
            bytes_read,
            total_bytes: self.total_bytes,
            elapsed: self.started.elapsed(),
        }
    }

    /// Where the pass stands: `bytes_read` is the size of the messages read so far.
    pub(super) fn tell(&mut self, so_far: &PassReport, bytes_read: u64) {
        let figures = self.figures(so_far, bytes_read);
        match &mut self.shown {
            Shown::Bar(bar, _) => figures.draw(bar, false),
            Shown::Log { last, every } => {
                if last.elapsed() < *every {
                    return;
                }
                *last = Instant::now();
                figures.log();
            }
        }
    }

    /// The pass is over: the bar shows where it ended and stays on the screen (log lines
    /// come below it); the log says nothing more.
    pub(super) fn end(self, so_far: &PassReport, bytes_read: u64) {
        if let Shown::Bar(bar, _) = &self.shown {
            self.figures(so_far, bytes_read).draw(bar, true);
            if so_far.interrupted {
                bar.abandon();
            } else {
                bar.finish();
            }
        }
    }
}

/// Where a pass stands: the figures that both the bar and the log line show.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    done: usize,
    total: usize,
    bytes_read: u64,
    total_bytes: u64,
    elapsed: Duration,
}

impl Figures {
    /// Messages per second since the pass began.
    fn per_second(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64().max(0.001)
    }

    /// Seconds still to go at the rate so far; `None` before anything was read.
    fn eta_secs(&self) -> Option<u64> {
        let rate = self.per_second();
        let left = self.total.saturating_sub(self.done);
        (rate > 0.0).then(|| (left as f64 / rate).round() as u64)
    }

    /// The bar's text after `120 of 250 messages, ` (which the bar writes itself, so that
    /// it always matches the bar): `0.6 of 1.3 MB, 240 msg/s, ETA 0:01`; at the end
    /// (`ended`) `…, took 0:02`.
    fn status(&self, ended: bool) -> String {
        let time = if ended {
            format!("took {}", clock_time(self.elapsed.as_secs()))
        } else {
            match self.eta_secs() {
                Some(secs) => format!("ETA {}", clock_time(secs)),
                None => "ETA -".to_string(),
            }
        };
        format!(
            "{:.1} of {:.1} MB, {} msg/s, {time}",
            self.bytes_read as f64 / 1e6,
            self.total_bytes as f64 / 1e6,
            self.per_second().round() as u64,
        )
    }

    fn draw(&self, bar: &ProgressBar, ended: bool) {
        bar.set_position(self.done as u64);
        bar.set_message(self.status(ended));
    }

    /// The log line (`megabytes` is the whole pass's size, as it always was).
    fn log(&self) {
        tracing::info!(
            done = self.done,
            total = self.total,
            megabytes = format!("{:.1}", self.total_bytes as f64 / 1e6),
            per_second = self.per_second().round() as u64,
            eta_secs = self.eta_secs().unwrap_or(0),
            "reading the mailbox: {} of {} messages",
            self.done,
            self.total
        );
    }
}

/// `0:42`, `12:05`, `1:02:03`.
fn clock_time(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    fn figures(done: usize, bytes_read: u64, elapsed_ms: u64) -> Figures {
        Figures {
            done,
            total: 250,
            bytes_read,
            total_bytes: 1_300_000,
            elapsed: Duration::from_millis(elapsed_ms),
        }
    }

    #[test]
    fn the_bar_text_has_messages_megabytes_rate_and_time_to_go() {
        assert_eq!(
            figures(120, 600_000, 500).status(false),
            "0.6 of 1.3 MB, 240 msg/s, ETA 0:01"
        );
        assert_eq!(
            figures(0, 0, 0).status(false),
            "0.0 of 1.3 MB, 0 msg/s, ETA -"
        );
        assert_eq!(
            figures(250, 1_300_000, 2000).status(true),
            "1.3 of 1.3 MB, 125 msg/s, took 0:02"
        );
    }

    #[test]
    fn time_to_go_reads_like_a_clock() {
        assert_eq!(clock_time(0), "0:00");
        assert_eq!(clock_time(42), "0:42");
        assert_eq!(clock_time(725), "12:05");
        assert_eq!(clock_time(3723), "1:02:03");
    }

    #[test]
    fn a_bar_only_on_a_terminal_and_for_a_long_pass() {
        assert!(shows_bar(200, true));
        assert!(shows_bar(50_000, true));
        assert!(!shows_bar(199, true));
        assert!(!shows_bar(50_000, false));
    }

    /// Where the log line goes in the test below.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn off_a_terminal_the_log_line_keeps_its_words_and_fields() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time()
            .finish();
        let new: Vec<(u32, u64)> = (1..=300).map(|uid| (uid, 5_000)).collect();
        tracing::subscriber::with_default(subscriber, || {
            let mut progress = Progress::logging_every(&new, Duration::ZERO);
            let so_far = PassReport {
                fetched: 100,
                ..PassReport::default()
            };
            progress.tell(&so_far, 500_000);
            progress.end(&so_far, 500_000);
        });
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = log.lines().collect();
        // `end` says nothing more in a log: one line, from `tell`.
        assert_eq!(lines.len(), 1, "{log}");
        for part in [
            "reading the mailbox: 100 of 300 messages",
            "done=100",
            "total=300",
            "megabytes=\"1.5\"",
            "per_second=",
            "eta_secs=",
        ] {
            assert!(lines[0].contains(part), "{part} missing: {log}");
        }
    }
}
