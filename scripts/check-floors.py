#!/usr/bin/env python3
"""Scores every corpus with the detector and sets its figures beside the floors the
integration tests hold it to: for each split corpus (tests/fixtures/corpus*/ with a
frozen.json) each half's floors in that file, for the development corpus (tests/fixtures/
corpus/) the goal, precision 0.90 and recall 0.95. For a candidate learned file before it is
tried in the tests.

    cargo build --release
    python3 scripts/check-floors.py                          # the detector as built
    python3 scripts/check-floors.py --lexicon-dir /tmp/cand  # a candidate lexicon folder

Only the figures `eval` prints are read, never a held-out half's misses (eval does not
print them). Exits 1 when a half is below a floor, 0 when none is.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"^(precisie|recall|F1):\s+([0-9]+,[0-9]+)\s*$")


def halves(output):
    """Per half named in `eval`'s output ("== <corpus>/test"), its precision, recall, F1."""
    out, half = {"all": {}}, "all"
    for line in output.splitlines():
        if line.startswith("== "):
            half = line.rstrip().rsplit("/", 1)[-1]
            out[half] = {}
            continue
        m = FIGURE.match(line)
        if half and m:
            key = {"precisie": "precision", "recall": "recall", "F1": "f1"}[m.group(1)]
            out[half][key] = float(m.group(2).replace(",", "."))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lexicon-dir", type=Path, help="detection.lexicon_dir for the run (a candidate's folder)")
    ap.add_argument("--bin", type=Path, default=ROOT / "target" / "release" / "klachtenbus")
    args = ap.parse_args()
    if not args.bin.exists():
        sys.exit(f"{args.bin} not found: cargo build --release first")
    env = dict(os.environ)
    if args.lexicon_dir:
        env["KLACHTENBUS__DETECTION__LEXICON_DIR"] = str(args.lexicon_dir.resolve())
    corpora = sorted(
        [ROOT / "tests" / "fixtures" / "corpus"]
        + [p.parent for p in (ROOT / "tests" / "fixtures").glob("corpus*/frozen.json")],
        key=lambda p: int(p.name[len("corpus"):] or 0),
    )
    goal = {"all": {"precision": 0.90, "recall": 0.95, "f1": 0.0}}
    below = 0
    print(f"{'corpus':<10} {'half':<5} {'precision':>17} {'recall':>17} {'F1':>17}")
    for corpus in corpora:
        run = subprocess.run(
            [str(args.bin), "--config", str(corpus / "klachtenbus.toml"), "eval", str(corpus)],
            env=env, capture_output=True, text=True,
        )
        figures = halves(run.stdout)
        split = (corpus / "frozen.json").exists()
        frozen = json.loads((corpus / "frozen.json").read_text(encoding="utf-8")) if split else goal
        for half in ("test", "tune") if split else ("all",):
            got = figures.get(half)
            if not got or len(got) != 3:
                sys.exit(f"{corpus.name}: no figures for {half} (eval exit {run.returncode}):\n{run.stderr}")
            cells, short = [], False
            for key in ("precision", "recall", "f1"):
                ok = got[key] >= frozen[half][key]
                short |= not ok
                cells.append(f"{got[key]:.3f} {'>=' if ok else '< '} {frozen[half][key]:.3f}")
            below += short
            print(f"{corpus.name:<10} {half:<5} {cells[0]:>17} {cells[1]:>17} {cells[2]:>17}{'  BELOW' if short else ''}")
    print(f"{below} below a floor" if below else "every corpus at or above its floors")
    sys.exit(1 if below else 0)


if __name__ == "__main__":
    main()
