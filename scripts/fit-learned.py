#!/usr/bin/env python3
"""Fits the learned weights (`learned.tsv`) into a new lexicon folder: the shipped fit, or the
shipped fit with a firm's own judged mail added.

    cargo build --release
    python3 scripts/fit-learned.py --out /tmp/lex
    python3 scripts/fit-learned.py --out /srv/klachtenbus/lexicon \\
        --own /srv/klachtenbus/corpus --config /etc/klachtenbus/klachtenbus.toml

Without --own it runs the fit the shipped `lexicon/learned.tsv` was made with: it exports every
tuning half the shipped fit read (tests/fixtures/corpus and corpus2 to corpus151) with an empty
learned file, and runs scripts/fit-phrases.py on them with the shipped settings.

With --own DIR (a folder written by `klachtenbus corpus --out DIR`: the mail directie has
judged, with its labels.jsonl) the firm's mail is split by time: the oldest mails (by register
id; 1 - --test-share of them) join the fit, weighed --weight times, and the newest are kept
out of it. Then both the detector as the configuration has it and the new folder are judged
on those newest mails, the way the refit would have done on the mail that came after it, and
the script says whether to use it (`detection.lexicon_dir`). The split is copied into a private
work folder (removed at the end unless --keep-work): nothing is written into DIR.

The folder written holds the lexicon files of --lexicon-dir with the new learned.tsv. With
--own, its phrases come from the firm's mail as well as the project's corpora (a phrase needs
five mails that hold it): keep it as private as the register.

Needs numpy, scipy and scikit-learn (as scripts/fit-phrases.py); the fit takes some minutes.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# The settings of the shipped fit (README, "Fitting the learned weights").
SHIPPED_CORPORA = ["corpus"] + [f"corpus{n}" for n in range(2, 152)]
GOAL_EXEMPT = [f"corpus{n}" for n in (136, 137, 138, 139, 141, 143, 145, 149, 151)]
FIT_SETTINGS = [
    "--normalise", "--norm-min", "0.95", "--function-pairs", "--max-words", "3",
    "--family-scale", "0.03", "--min-df", "5", "--recall", "0.974", "--min-words", "20",
    "--c", "30", "--cap", "3", "--tune-recall", "0.93",
]
# Fewer than this many complaints, or other mails, in either part of the firm's mail: too
# little to learn from or to judge the refit by.
MIN_PER_CLASS = 5
COUNTS = re.compile(r"^(klacht|geen klacht)\s+(\d+)\s+(\d+)\s*$")


def fail(message):
    sys.exit(f"fit-learned: {message}")


def register_order(name):
    """`bericht-<id>.eml` by its register id (the order mail arrived in); other names after, by name."""
    m = re.fullmatch(r"bericht-(\d+)\.eml", name)
    return (0, int(m.group(1)), name) if m else (1, 0, name)


def read_labels(folder):
    labels_file = folder / "labels.jsonl"
    if not labels_file.is_file():
        fail(f"{folder}: no labels.jsonl (write the folder with `klachtenbus corpus --out {folder}`)")
    labels = []
    for n, line in enumerate(labels_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            label = json.loads(line)
            name, complaint = label["file"], label["complaint"]
        except (ValueError, KeyError, TypeError):
            fail(f"{labels_file}, line {n}: expected {{\"file\": ..., \"complaint\": true|false, ...}}")
        if not isinstance(complaint, bool) or "/" in name or not (folder / name).is_file():
            fail(f"{labels_file}, line {n}: no such mail in the folder, or complaint not true/false")
        labels.append(label)
    return labels


def split_by_time(own, work, test_share):
    """Copies the firm's mail into work/own/tune (the oldest) and work/own/test (the newest),
    each with its labels; returns the counts per part."""
    labels = sorted(read_labels(own), key=lambda l: register_order(l["file"]))
    cut = len(labels) - round(len(labels) * test_share)
    parts = {"tune": labels[:cut], "test": labels[cut:]}
    counts = {}
    for part, items in parts.items():
        complaints = sum(1 for l in items if l["complaint"])
        counts[part] = (complaints, len(items) - complaints)
        if complaints < MIN_PER_CLASS or len(items) - complaints < MIN_PER_CLASS:
            fail(
                f"{own}: the {'oldest' if part == 'tune' else 'newest'} {len(items)} mails hold {complaints} "
                f"complaints and {len(items) - complaints} others; at least {MIN_PER_CLASS} of each are needed "
                f"in both parts (now {len(labels)} mails in all): wait for more judged mail"
            )
        folder = work / "own" / part
        folder.mkdir(parents=True)
        with open(folder / "labels.jsonl", "w", encoding="utf-8") as out:
            for label in items:
                shutil.copyfile(own / label["file"], folder / label["file"])
                out.write(json.dumps(label, ensure_ascii=False) + "\n")
    return counts


def configured_lexicon(config):
    """The folder `detection.lexicon_dir` names in the configuration file, if any (relative
    to the working directory, as the service reads it)."""
    if config is None:
        return None
    try:
        import tomllib
    except ImportError:  # Python before 3.11: the shipped lexicon unless --lexicon-dir
        return None
    try:
        settings = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        fail(f"{config}: {e}")
    folder = settings.get("detection", {}).get("lexicon_dir")
    return Path(folder) if isinstance(folder, str) and folder else None


def lexicon_copy(source, target, learned=None):
    """`source`'s lexicon files in `target`, with `learned` (text) as learned.tsv, or none."""
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.name == "learned.tsv":
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name)
        else:
            shutil.copyfile(item, target / item.name)
    (target / "learned.tsv").write_text(learned if learned is not None else "# none\n", encoding="utf-8")


def export(binary, config, corpus, features, empty):
    """`eval --features` over `corpus` with the empty learned file in effect."""
    env = dict(os.environ, KLACHTENBUS__DETECTION__LEXICON_DIR=str(empty))
    cmd = [str(binary)] + (["--config", str(config)] if config else []) + ["eval", str(corpus), "--features", str(features)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if not features.is_file():
        fail(f"exporting {corpus} failed:\n{done.stderr.strip()}")


def judged(binary, config, folder, lexicon_dir=None):
    """(true positives, missed, false flags) of `eval` on `folder`."""
    env = dict(os.environ)
    env.pop("KLACHTENBUS__DETECTION__LEXICON_DIR", None)
    if lexicon_dir:
        env["KLACHTENBUS__DETECTION__LEXICON_DIR"] = str(lexicon_dir)
    done = subprocess.run([str(binary), "--config", str(config), "--lang", "nl", "eval", str(folder)],
                          env=env, capture_output=True, text=True)
    counts = {}
    for line in done.stdout.splitlines():
        m = COUNTS.match(line)
        if m:
            counts[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    if set(counts) != {"klacht", "geen klacht"}:
        fail(f"eval {folder} gave no figures:\n{done.stderr.strip()}")
    return counts["klacht"][0], counts["klacht"][1], counts["geen klacht"][0]


def figures(tp, fn, fp):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="the lexicon folder to write (new or empty)")
    ap.add_argument("--own", type=Path, help="a folder written by `klachtenbus corpus`: the firm's judged mail")
    ap.add_argument("--config", type=Path, help="the firm's configuration (needed with --own)")
    ap.add_argument("--weight", type=float, default=3.0, help="how many times each of the firm's mails counts in the fit (default 3)")
    ap.add_argument("--test-share", type=float, default=0.4, help="the newest share of the firm's mail kept out of the fit to judge it (default 0.4)")
    ap.add_argument("--lexicon-dir", type=Path,
                    help="the lexicon files to fit for (default: the folder --config names in detection.lexicon_dir, "
                         "else the shipped ones)")
    ap.add_argument("--bin", type=Path, default=ROOT / "target" / "release" / "klachtenbus")
    ap.add_argument("--corpora", nargs="*", help="the project's corpora to fit on (default those of the shipped fit)")
    ap.add_argument("--repeats", type=int, default=3, help="draws of the cross-validation folds (as scripts/fit-phrases.py)")
    ap.add_argument("--keep-work", action="store_true", help="keep the work folder (it holds a copy of the firm's mail)")
    args = ap.parse_args()

    if args.own and not args.config:
        fail("--own needs --config: the firm's mail is judged with the firm's own settings")
    if args.config and not args.config.is_file():
        fail(f"{args.config}: no such file")
    if not 0.1 <= args.test_share <= 0.9:
        fail("--test-share: between 0.1 and 0.9")
    if args.weight <= 0:
        fail("--weight: above 0")
    if args.lexicon_dir is None:
        args.lexicon_dir = configured_lexicon(args.config) or ROOT / "lexicon"
    if not args.bin.is_file():
        fail(f"{args.bin}: not built (cargo build --release)")
    if not (args.lexicon_dir / "nl.toml").is_file():
        fail(f"{args.lexicon_dir}: no nl.toml: not a lexicon folder")
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        fail(f"{args.out}: exists and is not an empty folder")
    try:
        import numpy, scipy, sklearn  # noqa: F401  (scripts/fit-phrases.py needs them)
    except ImportError as e:
        fail(f"{e.name} is missing: pip install numpy scipy scikit-learn")
    corpora = args.corpora if args.corpora is not None else SHIPPED_CORPORA
    for name in corpora:
        if not (FIXTURES / name).is_dir():
            fail(f"{FIXTURES / name}: no such corpus")

    work = Path(tempfile.mkdtemp(prefix="klachtenbus-fit-"))
    os.chmod(work, 0o700)
    try:
        own_counts = split_by_time(args.own, work, args.test_share) if args.own else None
        empty = work / "lexicon-empty"
        lexicon_copy(args.lexicon_dir, empty)
        features = [work / f"{name}.jsonl" for name in corpora]
        # Named as the shipped file names them (in its header), from the project's folder.
        names = [Path("tests/fixtures") / n / "tune" if (FIXTURES / n / "tune").is_dir() else Path("tests/fixtures") / n
                 for n in corpora]

        def export_corpus(item):
            name, out = item
            config = FIXTURES / name / "klachtenbus.toml"
            export(args.bin, config if config.is_file() else None, FIXTURES / name, out, empty)

        print(f"exporting {len(corpora)} corpora with an empty learned file", flush=True)
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            list(pool.map(export_corpus, zip(corpora, features)))
        exempt = [work / f"{n}.jsonl" for n in GOAL_EXEMPT if n in corpora]
        extra = []
        if args.own:
            own_features = work / "own.jsonl"
            export(args.bin, args.config, work / "own", own_features, empty)
            features.append(own_features)
            names.append(work / "own" / "tune")
            exempt.append(own_features)
            # The firm's mail is the judge here, not the corpora's goal: the gate of the fit
            # holds the corpora to a precision of 0.85 instead of 0.90.
            extra = ["--weight", f"{own_features}={args.weight}", "--tune-precision", "0.85"]
            c, o = own_counts["tune"]
            print(f"the firm's mail: {c} complaints and {o} others fitted on (weight {args.weight:g}); "
                  f"{own_counts['test'][0]} complaints and {own_counts['test'][1]} others kept to judge", flush=True)
        learned = work / "learned.tsv"
        cmd = [sys.executable, str(ROOT / "scripts" / "fit-phrases.py"), *map(str, features),
               "--names-from", *map(str, names), *FIT_SETTINGS, "--repeats", str(args.repeats),
               "--lexicon-dir", str(args.lexicon_dir), "--out", str(learned), "--write", *extra]
        if exempt:
            cmd += ["--goal-exempt", *map(str, exempt)]
        if subprocess.run(cmd, cwd=ROOT).returncode != 0 or not learned.is_file():
            fail("the fit wrote no learned.tsv (its messages above say why)")
        if not args.out.exists():
            # With the firm's mail in it, the learned file is as private as the register.
            args.out.mkdir(parents=True, mode=0o700 if args.own else 0o777)
        lexicon_copy(args.lexicon_dir, args.out, learned.read_text(encoding="utf-8"))
        print(f"wrote {args.out}")
        if args.own:
            test = work / "own" / "test"
            before = judged(args.bin, args.config, test)
            after = judged(args.bin, args.config, test, args.out)
            for label, counts in (("as configured", before), ("refit", after)):
                p, r, f1 = figures(*counts)
                print(f"the newest {own_counts['test'][0] + own_counts['test'][1]} mails, {label}: "
                      f"precision {p:.3f}, recall {r:.3f}, F1 {f1:.3f} ({counts[1]} complaints missed, {counts[2]} flagged wrongly)")
            (_, r0, f0), (_, r1, f1) = figures(*before), figures(*after)
            if r1 >= r0 and f1 > f0:
                print(f"the refit does better on them: set detection.lexicon_dir = \"{args.out.resolve()}\" to use it")
            else:
                print("the refit does no better on them: keep the detector as configured")
    finally:
        if args.keep_work:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
