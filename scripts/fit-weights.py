#!/usr/bin/env python3
"""Fit the weights of the lexicon families on the tuning half of a labelled corpus.

    klachtenbus --config tests/fixtures/corpus2/klachtenbus.toml \
        eval tests/fixtures/corpus2 --features /tmp/features.jsonl
    python3 scripts/fit-weights.py /tmp/features.jsonl            # show the fit
    python3 scripts/fit-weights.py /tmp/features.jsonl --write    # and write it

`eval --features` never writes the held-out `test/` half, so the fit cannot see it.

The model is the detector's own score: per family, its weight times the family's units
in a mail (1 per plain match; an intensifier or a third-party target scales it), plus the
combination bonus when two of the four criteria fired. A logistic regression (L2, bounded:
the families of the four criteria, polarity, typography and the bonus count for a complaint,
praise and context against) fits those weights; the regularisation is chosen by 5-fold
cross-validation on the tuning half, and the cut is the highest score at which the
cross-validated recall still reaches --recall. The weights are then scaled so that the cut
equals the configured threshold (--threshold, `detection.threshold`), and written to the
`weight =` lines of lexicon/nl.toml and lexicon/en.toml (families of the same name share
one weight, so the little English mail borrows strength from the Dutch), the typography
weights, `[polarity] weight` and `combination_bonus`. Every weight stays a number in the
lexicon file, and every flag is still explained by the phrases that fired.

Needs numpy, scipy (pip install numpy scipy).
"""

import argparse
import json
import math
import random
import re
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

POSITIVE = ("klachtwoord", "sterke_bewoording", "verwijt_handelen", "verwijt_gedrag")
SPECIAL_POSITIVE = ("uitroeptekens", "hoofdletters", "beoordeling_laag", "polariteit")
COMBINATION = "_combinatie"


def lexicon_families(lexicon_dir):
    """Family name -> (sign, hand-set weight, alone) from the lexicon files: sign +1 counts
    for a complaint, -1 against; `alone` when the family may flag a mail on its own
    (`alone = true` in the file: the explicit signals of section 3.1)."""
    fams = {}
    for lang in ("nl", "en"):
        text = (lexicon_dir / f"{lang}.toml").read_text(encoding="utf-8")
        for name, key in (("uitroeptekens", "exclamation_weight"), ("hoofdletters", "capitals_weight")):
            m = re.search(rf"^{key}\s*=\s*([-0-9.]+)", text, re.M)
            fams.setdefault(name, (1, float(m.group(1)) if m else 1.0, False))
        # A review's rating: low stars count for a complaint, high stars against.
        for name, key, sign in (("beoordeling_laag", "rating_low_weight", 1),
                                ("beoordeling_hoog", "rating_high_weight", -1)):
            m = re.search(rf"^{key}\s*=\s*([-0-9.]+)", text, re.M)
            if m:
                fams.setdefault(name, (sign, float(m.group(1)), False))
        m = re.search(r"^\[polarity\]\n(?:.*\n)*?weight\s*=\s*([-0-9.]+)", text, re.M)
        if m:
            fams.setdefault("polariteit", (1, float(m.group(1)), False))
        for block in text.split("[[signal]]")[1:]:
            block = block.split("\n[")[0]
            fam = re.search(r'^family\s*=\s*"([^"]+)"', block, re.M)
            crit = re.search(r'^criterion\s*=\s*"([^"]+)"', block, re.M)
            weight = re.search(r"^weight\s*=\s*([-0-9.]+)", block, re.M)
            alone = re.search(r"^alone\s*=\s*true", block, re.M) is not None
            if fam and crit and weight:
                sign = 1 if crit.group(1) in POSITIVE else -1
                fams.setdefault(fam.group(1), (sign, float(weight.group(1)), alone))
    return fams


def design(rows, families):
    x = np.zeros((len(rows), len(families) + 1))
    for i, r in enumerate(rows):
        for j, f in enumerate(families):
            x[i, j] = r["features"].get(f, 0.0)
        x[i, -1] = 1.0 if r["criteria"] >= 2 else 0.0
    return x


def fit(x, y, prior, bounds, threshold, c, cost):
    """Weights w (score units) and a sharpness a > 0 for P(complaint) = sigmoid(a (x.w - T)):
    weighted logistic loss (a complaint counts `cost` times a non-complaint: missing one is
    the worse failure), L2 pull of w towards the hand-set prior with strength 1/c."""
    n, d = x.shape
    sw = np.where(y, cost, 1.0)
    sw = sw / sw.sum()

    def loss(theta):
        w, a = theta[:-1], theta[-1]
        s = x @ w - threshold
        z = a * s
        l = np.logaddexp(0.0, z) - y * z
        p = 1.0 / (1.0 + np.exp(-z))
        r = sw * (p - y)
        gw = a * (x.T @ r) + (w - prior) / (c * n)
        ga = np.sum(r * s)
        return float(sw @ l + ((w - prior) @ (w - prior)) / (2 * c * n)), np.concatenate([gw, [ga]])

    theta0 = np.concatenate([np.clip(prior, [b[0] if b[0] is not None else -np.inf for b in bounds],
                                     [b[1] if b[1] is not None else np.inf for b in bounds]), [1.0]])
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", bounds=list(bounds) + [(0.05, 20.0)])
    return res.x[:-1]


def figures(pred, y):
    tp = int(np.sum(pred & y))
    fp = int(np.sum(pred & ~y))
    fn = int(np.sum(~pred & y))
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def folds(y, k, seed):
    """Stratified folds: indices of each fold."""
    rng = random.Random(seed)
    out = [[] for _ in range(k)]
    for label in (True, False):
        idx = [i for i in range(len(y)) if bool(y[i]) == label]
        rng.shuffle(idx)
        for n, i in enumerate(idx):
            out[n % k].append(i)
    return out


def cross_scores(x, y, fit_args, k=5, seed=7):
    """Out-of-fold scores (weights fitted without the mail itself)."""
    out = np.zeros(len(y))
    for test in folds(y, k, seed):
        train = np.setdiff1d(np.arange(len(y)), test)
        w = fit(x[train], y[train], *fit_args)
        out[test] = x[test] @ w
    return out


def write(lexicon_dir, weights, threshold_note):
    """Rewrites the weights of the lexicon files in place (comments and order kept)."""
    for lang in ("nl", "en"):
        path = lexicon_dir / f"{lang}.toml"
        text = path.read_text(encoding="utf-8")
        parts = text.split("[[signal]]")
        for i in range(1, len(parts)):
            fam = re.search(r'^family\s*=\s*"([^"]+)"', parts[i], re.M)
            if fam and fam.group(1) in weights:
                parts[i] = re.sub(
                    r"^weight\s*=\s*[-0-9.]+",
                    f"weight = {weights[fam.group(1)]:.2f}",
                    parts[i],
                    count=1,
                    flags=re.M,
                )
        text = "[[signal]]".join(parts)
        subs = {
            r"^combination_bonus\s*=\s*[-0-9.]+": f"combination_bonus = {weights[COMBINATION]:.2f}",
            r"^exclamation_weight\s*=\s*[-0-9.]+": f"exclamation_weight = {weights.get('uitroeptekens', 0.0):.2f}",
            r"^capitals_weight\s*=\s*[-0-9.]+": f"capitals_weight = {weights.get('hoofdletters', 0.0):.2f}",
            r"^rating_low_weight\s*=\s*[-0-9.]+": f"rating_low_weight = {weights.get('beoordeling_laag', 0.0):.2f}",
            r"^rating_high_weight\s*=\s*[-0-9.]+": f"rating_high_weight = {weights.get('beoordeling_hoog', 0.0):.2f}",
        }
        for pattern, repl in subs.items():
            text = re.sub(pattern, repl, text, count=1, flags=re.M)
        # [polarity] weight: the first `weight =` after the [polarity] header.
        m = re.search(r"^\[polarity\]\n(?:.*\n)*?weight\s*=\s*[-0-9.]+", text, re.M)
        if m and "polariteit" in weights:
            block = re.sub(
                r"weight\s*=\s*[-0-9.]+$",
                f"weight = {weights['polariteit']:.2f}",
                m.group(0),
            )
            text = text[: m.start()] + block + text[m.end() :]
        path.write_text(text, encoding="utf-8")
    print(f"wrote {lexicon_dir}/nl.toml and en.toml ({threshold_note})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("features", type=Path)
    ap.add_argument("--lexicon-dir", type=Path, default=Path("lexicon"))
    ap.add_argument("--threshold", type=float, default=1.5, help="detection.threshold")
    ap.add_argument("--cost", type=float, nargs="+", default=[1.0, 2.0, 3.0, 4.0],
                    help="how many false flags one missed complaint is worth (tried in turn)")
    ap.add_argument("--min-weight", type=float, default=0.25,
                    help="lowest weight of a family of the four criteria")
    ap.add_argument("--write", action="store_true", help="write the weights to the lexicons")
    args = ap.parse_args()

    rows = [json.loads(l) for l in args.features.read_text().splitlines() if l.strip()]
    rows = [r for r in rows if not r["screened"]]
    if not rows:
        sys.exit("no unscreened rows to fit on")
    fams = lexicon_families(args.lexicon_dir)
    families = sorted(fams)
    x = design(rows, families)
    y = np.array([bool(r["complaint"]) for r in rows])
    combination = re.search(r"^combination_bonus\s*=\s*([-0-9.]+)",
                            (args.lexicon_dir / "nl.toml").read_text(), re.M)
    prior = np.array([fams[f][1] for f in families] + [float(combination.group(1))])
    bounds = []
    for f in families:
        sign, _, alone = fams[f]
        if sign < 0:
            bounds.append((None, 0.0))
        elif alone:
            bounds.append((args.threshold, None))
        elif f in SPECIAL_POSITIVE:
            bounds.append((0.0, None))
        else:
            bounds.append((args.min_weight, None))
    bounds.append((0.0, None))

    base = figures(x @ prior >= args.threshold, y)
    print(f"{len(rows)} mails ({int(y.sum())} complaints), {len(families)} families")
    print(f"  the lexicons as they are (no caps):     P {base[0]:.3f} R {base[1]:.3f} F1 {base[2]:.3f}")
    best = None
    for cost in args.cost:
        for c in (0.1, 0.3, 1.0, 3.0):
            fit_args = (prior, bounds, args.threshold, c, cost)
            cv = cross_scores(x, y, fit_args)
            p, r, f1 = figures(cv >= args.threshold, y)
            print(f"  cost {cost:<4} C={c:<4} cross-validated: P {p:.3f} R {r:.3f} F1 {f1:.3f}")
            # Recall first (a missed complaint starts no clock), then F1.
            key = (min(r, 0.95), f1)
            if best is None or key > best[0]:
                best = (key, cost, c)
    _, cost, c = best
    w = fit(x, y, prior, bounds, args.threshold, c, cost)
    p, r, f1 = figures(x @ w >= args.threshold, y)
    print(f"chosen cost {cost}, C={c}; the full fit on the tuning half: P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    weights = {f: float(w[j]) for j, f in enumerate(families)}
    weights[COMBINATION] = float(w[-1])
    print(f"family weights (threshold {args.threshold}), hand-set before:")
    for j, f in enumerate(families + [COMBINATION]):
        print(f"  {f:<20} {weights[f]:7.2f}   ({prior[j]:.2f})")
    if args.write:
        write(args.lexicon_dir, weights, f"threshold {args.threshold}")


if __name__ == "__main__":
    main()
