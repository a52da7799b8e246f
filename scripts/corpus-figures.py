#!/usr/bin/env python3
"""What the detector as built scores on the labelled corpora, by kind of mail.

Runs `klachtenbus eval` on the development corpus (tests/fixtures/corpus/) and on every
split corpus (tests/fixtures/corpusN/), two at a time, and adds up, per group of halves,
the mails, the complaints, the complaints missed (and how many of them directie's digest
lists as doubtful) and the other mails flagged, with the precision, recall and F1 of the
sums:

    cargo build --release
    scripts/corpus-figures.py                 # plain text
    scripts/corpus-figures.py --markdown      # the table in the README
    scripts/corpus-figures.py --bin path/to/klachtenbus

Only the three figure lines `eval` prints per half are read ("klacht <caught> <missed>",
"geen klacht <flagged> <not flagged>", "twijfelband (…): <n> van de <missed> …"); everything else it prints (a tuning half's misses
among it) is discarded, and nothing but sums is printed: no file name, no text of a mail.
Held-out misses are never asked for (no --show-test-misses).

The kind of each split corpus (KIND below) is the one its frozen.json's note and the
README ("The split corpora for generalisation") give it. corpus2 to corpus{LAST_FITTED} have
had their tuning halves read by the shipped fit of the learned phrases; the corpora after
them were read by no fit, on either half.
"""

import argparse
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# The last corpus whose tuning half the shipped learned file was fitted on.
LAST_FITTED = 151

KINDS = {
    "usual": "mail in the corpora's usual mix",
    "mailbox": "mail in a shared mailbox's mix",
    "systems": "mail through the programs, devices and systems of an office mailbox",
    "outside": "mail to firms outside finance",
    "public_mail": "texts written for public places, each arriving as a mail",
    "published": "texts published for public places: reviews, posts, forums, news",
    "short_published": "short published texts",
    "short_mail": "short mails",
    "parties": "mail in which other parties play a part",
    "found": "texts as found on public pages",
}


def _numbers(*spans):
    out = []
    for span in spans:
        if isinstance(span, int):
            out.append(span)
        else:
            first, last, *step = span
            out.extend(range(first, last + 1, step[0] if step else 1))
    return out


_GROUPS = {
    "usual": _numbers(
        (2, 17), (19, 27), (29, 31), (33, 38), 43, 45, 49, 61, 66, 68, 70, 72, 198, 199, 200, 201,
    ),
    "mailbox": _numbers((39, 42), 44, (46, 48), 50, 53, (188, 197)),
    "systems": _numbers(
        (74, 79), 81, 83, 84, 86, 88, 89, 92, 94, 96, 98, (100, 134, 2),
        140, 142, 144, 146, 148, 152, 154, 156, 158, 161, 164, 165, 168, 169,
        172, 173, 176, 177, 186, 187,
    ),
    "outside": _numbers((54, 57)),
    "public_mail": _numbers(18, 28, 32, 51),
    "published": _numbers(
        (58, 60), (62, 65), 67, 69, 71, 73, 80, 82, 85, 87, 90, 91, 93, 95, 97, 99,
        (101, 135, 2), 147, 150, 155, 159, 163, 167, 171, 175, 179, (204, 207),
    ),
    "short_published": _numbers(
        (136, 139), 141, 143, 145, 149, 151, 153, 157, 160, 162, 166, 170, 174, 178, 202, 203,
    ),
    "short_mail": _numbers(52, 180, 181),
    "parties": _numbers(182, 183),
    "found": _numbers(184, 185),
}

# corpus number -> kind (a key of KINDS)
KIND = {n: kind for kind, ns in _GROUPS.items() for n in ns}

HEADER = re.compile(r"^== .*[/\\](tune|test)\s*$")
COMPLAINT = re.compile(r"^(?:klacht|complaint)\s+(\d+)\s+(\d+)\s*$")
OTHER = re.compile(r"^(?:geen klacht|not a complaint)\s+(\d+)\s+(\d+)\s*$")
DOUBT = re.compile(r"^(?:twijfelband|doubt band) \(.*\): (\d+) (?:van de|of the) \d+ ")


def figures(output):
    """Per half ("tune", "test", or "all" for a corpus without halves): the counts
    (caught, missed, flagged, not flagged, missed but in the doubt band) from the first
    three figure lines after its header. Every other line is dropped unread."""
    out, half, part = {}, "all", {}
    for line in output.splitlines():
        m = HEADER.match(line)
        if m:
            half, part = m.group(1), {}
            continue
        if half in out:
            continue
        m = COMPLAINT.match(line)
        if m and "complaint" not in part:
            part["complaint"] = (int(m.group(1)), int(m.group(2)))
            continue
        m = OTHER.match(line)
        if m and "complaint" in part and "other" not in part:
            part["other"] = (int(m.group(1)), int(m.group(2)))
            continue
        m = DOUBT.match(line)
        if m and "other" in part:
            out[half] = part["complaint"] + part["other"] + (int(m.group(1)),)
    return out


def run(binary, corpus):
    proc = subprocess.run(
        [str(binary), "--config", str(corpus / "klachtenbus.toml"), "eval", str(corpus)],
        capture_output=True, text=True, cwd=ROOT,
    )
    return corpus, figures(proc.stdout)


class Sum:
    def __init__(self):
        self.caught = self.missed = self.flagged = self.clean = self.doubt = 0
        self.corpora = set()

    def add(self, corpus, counts):
        caught, missed, flagged, clean, doubt = counts
        self.caught += caught
        self.missed += missed
        self.flagged += flagged
        self.clean += clean
        self.doubt += doubt
        self.corpora.add(corpus)

    @property
    def mails(self):
        return self.caught + self.missed + self.flagged + self.clean

    @property
    def complaints(self):
        return self.caught + self.missed

    def prf(self):
        p = self.caught / (self.caught + self.flagged) if self.caught + self.flagged else 0.0
        r = self.caught / self.complaints if self.complaints else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return f"{p:.3f} / {r:.3f} / {f:.3f}"


def number(corpus):
    name = corpus.name[len("corpus"):]
    return int(name) if name else 0


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bin", type=Path, default=ROOT / "target" / "release" / "klachtenbus",
                    help="the klachtenbus binary (default: target/release/klachtenbus)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    binary = args.bin if args.bin.is_absolute() else Path.cwd() / args.bin
    if not binary.is_file():
        print(f"corpus-figures: {args.bin} not found; build it first (cargo build --release) "
              f"or name it with --bin", file=sys.stderr)
        sys.exit(1)

    corpora = sorted(
        [FIXTURES / "corpus"] + [p.parent for p in FIXTURES.glob("corpus*/frozen.json")],
        key=number,
    )
    unknown = [c.name for c in corpora if number(c) and number(c) not in KIND]
    if unknown:
        sys.exit(f"corpus-figures: no kind in KIND for {', '.join(unknown)}; add it")

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: run(binary, c), corpora))

    rows = []  # (label, half, Sum)
    dev, tune_all, test_all = Sum(), Sum(), Sum()
    test_fitted, test_unread, both_unread = Sum(), Sum(), Sum()
    by_kind = {k: Sum() for k in KINDS}
    for corpus, got in results:
        n = number(corpus)
        halves = ("all",) if n == 0 else ("tune", "test")
        for half in halves:
            if half not in got:
                sys.exit(f"corpus-figures: no figures for {corpus.name}/{half if n else ''} "
                         f"(run `eval` on it by hand to see why)")
        if n == 0:
            dev.add(n, got["all"])
            continue
        tune_all.add(n, got["tune"])
        test_all.add(n, got["test"])
        by_kind[KIND[n]].add(n, got["test"])
        if n <= LAST_FITTED:
            test_fitted.add(n, got["test"])
        else:
            test_unread.add(n, got["test"])
            both_unread.add(n, got["test"])
            both_unread.add(n, got["tune"])

    first_unread = LAST_FITTED + 1
    last = max(number(c) for c in corpora)
    rows.append(("the development corpus", "whole", dev))
    rows.append((f"every split corpus, corpus2 to corpus{last}", "tuning", tune_all))
    rows.append((f"every split corpus, corpus2 to corpus{last}", "held out", test_all))
    rows.append((f"corpus2 to corpus{LAST_FITTED} (their tuning halves fitted on)", "held out",
                 test_fitted))
    rows.append((f"corpus{first_unread} to corpus{last} (read by no fit)", "held out", test_unread))
    rows.append((f"corpus{first_unread} to corpus{last} (read by no fit)", "both", both_unread))
    for kind, label in KINDS.items():
        s = by_kind[kind]
        rows.append((f"{label} ({len(s.corpora)} corpora)", "held out", s))

    head = ("mail", "halves", "mails", "complaints", "missed", "of them doubtful",
            "false flags", "precision / recall / F1")
    cells = [(label, half, f"{s.mails:,}", f"{s.complaints:,}", f"{s.missed:,}", f"{s.doubt:,}",
              f"{s.flagged:,}", s.prf())
             for label, half, s in rows]
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("| " + " | ".join(["---", "---"] + ["---:"] * 5 + ["---"]) + " |")
        for row in cells:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[i]) for r in cells + [head]) for i in range(len(head))]
        for row in [head] + cells:
            print("  ".join(c.ljust(w) if i < 2 or i == 7 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(row, widths))).rstrip())


if __name__ == "__main__":
    main()
