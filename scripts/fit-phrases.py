#!/usr/bin/env python3
"""Fit the learned weights (lexicon/learned.tsv): the lexicon families' weights and the
weights of single words and runs of two (or, with --max-words 3, three) words, together, on
labelled mail.

    for c in corpus corpus2 corpus3 corpus4 corpus5 corpus6 corpus7 corpus8 corpus9; do
        klachtenbus --config tests/fixtures/$c/klachtenbus.toml \
            eval tests/fixtures/$c --features /tmp/$c.jsonl
    done
    python3 scripts/fit-phrases.py /tmp/corpus.jsonl /tmp/corpus[2-9].jsonl \
        --names-from tests/fixtures/corpus tests/fixtures/corpus[2-9]/tune       # show
    python3 scripts/fit-phrases.py ... --write                                   # and write

`eval --features` never writes the held-out `test/` half, so the fit cannot see it. Run
the export with the learned file emptied (with `detection.lexicon_dir` pointing at a copy
of lexicon/ whose learned.tsv is empty, or after emptying lexicon/learned.tsv and
rebuilding): the script refuses rows whose `learned` is not 0.

The model is the detector's own score, with every weight fitted at once: per family of
nl.toml and en.toml its weight per unit (the units as the lexicon counts them: a match, an
intensifier, another target; the star ratings' families, HAND_SET_FAMILIES, keep the
lexicon's weights and are not written), the combination bonus, whether a colleague wrote the mail, and
the presence (0/1) of every single word and pair of words (and run of three words, with
--max-words 3) in the judged text that occurs in
at least --min-df mails. Words with digits, months and days, names (words written with a
capital inside sentences in the corpus mails, --names-from, and handles such as
"@BrinkmanFA" that are no word elsewhere), contact-form labels (FORM_LABELS, the firm's
template) and single letters other than "u", "i" and "a" are left out: they say nothing
about the next customer's mail. Phrases made only of function words (FUNCTION_WORDS) are left out too, unless
--function-pairs keeps them ("jullie hebben", "you did": who did what).

With --normalise the phrases are an idf-weighted vector of length 1 instead: a phrase found
counts for its idf, ln((1 + mails) / (1 + mails with it)) + 1, divided by the root of the
sum of the squared idfs of all phrases found, so that a long text does not score by its
length. Every phrase of the vocabulary is then written with two numbers, its weight (the
fitted weight times its idf, in score units) and its norm weight (its idf), both divided by
the median mail's length, so that a weight reads as what the phrase adds to a mail of
typical length (to four decimals; --min-weight does not apply, as every phrase counts in
the norm). --norm-min holds a short text's norm at that many times the typical one at least
(`@norm_min`): a text of few phrases then counts them as a text of that length would,
instead of scaling them up until one word decides.

It is a class-balanced logistic regression with an L2 penalty, whose family weights keep
their side and are held --family-scale times as short as the phrases' (a family counts
per match, a phrase's feature is at most 1: unchecked, the families' counts outweigh what
the words say, and cross-validation says they generalise worse): a family of the four criteria never counts against a complaint (one marked
`alone = true`, an explicit signal of section 3.1, keeps at least ALONE_MIN), a context or
praise family never for one; phrases are free. Its strength (--c) and what one criterion
may add at most (--cap, `@kap_per_criterium`) are chosen by 5-fold cross-validation whose
folds hold out whole writers (the letters a corpus file name starts with: the next
customer's mail is by someone the fit never read; --mixed mixes them): the best
cross-validated precision (to 0.01; then the strongest regularisation and the lowest cap)
among the fits that reach the tuning goal (--tune-precision, --tune-recall) on every exported
file, short texts judged as the detector will (below). The cut is the cross-validated score at which recall still reaches --recall. The weights are
written in score units where the family weights are closest to the hand-set ones, with a
basis so that the configured threshold (--threshold) stays the cut:

    score = basis + sum over the four criteria of min(cap, their families' weights x units)
            + the other families (context, praise, polarity) + combination bonus
            + the weights of the phrases found (+ @afzender_collega)  >=  threshold

(with --normalise: + the sum of the weights of the phrases found divided by the root of the
sum of their norm weights squared).

Below `@min_woorden` words a text is judged by the lexicons alone: the fit tries the word
counts of --min-words and takes the largest that loses no complaint the learned weights
caught in cross-validation and flags the fewest others; a single --min-words value is taken
as it is (`--min-words 20`: a text of a few words holds too few phrases for the learned
weights, and with a basis above the threshold they would flag a one-word mail).

With --short-rules (one --min-words value) the cut, the tuning goal and the figures judge
every text as the detector does, not every text at the cut: a text under @min_woorden words
by the lexicons alone, doubtful unless they score twice the threshold or the learned weights
agree, and flagged on the learned weights alone from 2.5 times the threshold where the rule
is open to it (`short_rule` in the export: not a reply's note, a polite request or a phrase
an `[[exclude]]` set aside); a text from @min_woorden words to twice as many at a threshold
falling from twice the threshold to the threshold; a text of whose words the phrases know
fewer than half as a short one; a text the phrases flag with no signal of the four criteria
(`criteria` 0 in the export) from 1.6 times the threshold only. The cut is then the highest
at which the detector's own recall, short texts and all, reaches --recall, taken on the
scores as the file writes them (after the scaling the doubt band may need).

The hand-set weights in nl.toml and en.toml stay as written (what the families score
without this file); `@familie:<name>` lines replace them while the file is in effect.
Without --normalise, phrases whose weight is smaller than --min-weight are dropped.
--by-file holds out one exported file (one corpus, one firm) per fold instead of writers.
--repeats draws the writer folds that many times (seeds 20261201, 20261202, ...): which
writers share a fold moves the cross-validated precision at the cut by a few hundredths, so
each fit is judged by its mean over the draws, and the cut, the doubt band and @min_woorden
come from each mail's mean out-of-fold score; with 1 (the default) the folds are those of
earlier fits.
Needs numpy, scipy and scikit-learn.
"""

import argparse
import json
import re
import sys
from collections import Counter
from email import policy
from email.parser import BytesParser
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.sparse import csr_matrix, diags, hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, StratifiedKFold, cross_val_predict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
lexicon_families = __import__("fit-weights").lexicon_families  # noqa: E402

BASIS = "@basis"
COLLEAGUE = "@afzender_collega"
FAMILY_PREFIX = "@familie:"
COMBINATION = "_combinatie"
CAP = "@kap_per_criterium"
# The phrase file holds words of a-z only (normalised text keeps letters such as ß).
PLAIN_WORD = re.compile(r"[a-z0-9]+")
MIN_WORDS = "@min_woorden"
# The detector's short-text rules (src/detect/learned/mod.rs), modelled with --short-rules:
# a short text the lexicons alone flag is doubtful unless they score SHORT_ALONE times the
# threshold or the learned weights agree; a text from @min_woorden words to twice as many
# needs SHORT_ALONE times the threshold at first, falling in a line to the threshold; a text
# shorter than @min_woorden is flagged on the learned weights alone from SHORT_LEARNED_ALONE
# times the threshold (when the rule is open to it: `short_rule` in the export); a text of
# whose counted words the file knows fewer than MIN_KNOWN is judged as a short one; a text
# the learned weights judge with no signal of the four criteria needs ALONE_NEEDS times the
# threshold.
SHORT_ALONE = 2.0
SHORT_LEARNED_ALONE = 2.5
ALONE_NEEDS = 1.6
MIN_KNOWN = 0.5
NORM_MIN = "@norm_min"
CRITERIA = ("klachtwoord", "sterke_bewoording", "verwijt_handelen", "verwijt_gedrag")
COLLEAGUE_FEATURE = "_collega"
# The reason the detector gives for a mail addressed to another organisation.
ELSEWHERE = "elders_geadresseerd"
# A family that may flag a mail on its own (`alone = true`: the explicit signals of
# section 3.1) keeps at least this much weight in the fit's units (log-odds per unit): the
# corpora hold more mails that mention a complaint without making one (about, withdrawn,
# internal, another firm) than a firm's inbox does, and a fit left free on them would let
# "ik dien hierbij een klacht in" count for next to nothing. At 1.0 these families come out
# at about the threshold in score units (the README's figures).
ALONE_MIN = 1.0

# Dates say when, not what: months and days are left out like names and numbers.
# Single letters say nothing about a mail: initials, the letters of "P.S." and "'s". Those
# that are words ("u", the formal you; "i"; "a") stay.
LETTER_WORDS = {"u", "i", "a"}

# Families whose weight the lexicon sets by hand and the fit leaves alone: a review's star
# rating (`rating_low_weight`, `rating_high_weight`), chosen on texts written for public
# places, where a five-star story reads to the learned words like a grievance.
HAND_SET_FAMILIES = {"beoordeling_laag", "beoordeling_hoog"}

CALENDAR = set(
    "januari februari maart april mei juni juli augustus september oktober november december "
    "january february march june july august october "
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


# Words that build every sentence: a phrase made of these only (a single "ik", a pair "op
# de") says how someone writes, not what about, and is left out unless --function-pairs;
# pairs with one other word stay ("geen reactie", "your advice").
FUNCTION_WORDS = set(
    "de het een en van ik je u uw te dat die in is op met voor niet zijn er om aan bij naar "
    "als dan wat wel zou kan heb heeft hebben ben bent mij me mijn ons onze wij we dit deze "
    "daar hier ook nog maar of al dus want toch over uit tot door zo na nu wordt worden werd "
    "was waren had the a an and of to i you your my it is was be are for on with this that "
    "have has had not but no at as so if or do did we our me they he she them his her there "
    "what would will can could been from by about jij jou jouw ze zij hij hem haar jullie hun".split()
)


# The labels of a website contact form ("Naam:", "Telefoon:", "Bericht:") are the firm's own
# template, the same in every form mail whatever the customer wrote: left out like names.
FORM_LABELS = set(
    "naam email mail telefoon telefoonnummer onderwerp bericht adres postcode woonplaats "
    "name phone subject message".split()
)


def names_in(dirs):
    """Words written with a capital inside sentences (after a lower-case word or a comma)
    in at least 80 % of their at least two such occurrences: names of people and places.
    And every handle ("@BrinkmanFA") never written as a word of its own elsewhere ("@Van",
    "@page" are words too): it names someone, a firm's account as often as not."""
    capital, seen = Counter(), Counter()
    handles, plain = set(), set()
    for d in dirs:
        for path in sorted(Path(d).glob("*.eml")):
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            body = msg.get_body(preferencelist=("plain", "html"))
            text = (msg["subject"] or "") + "\n" + (body.get_content() if body else "")
            for m in re.finditer(r"(?<![\w.])@(\w+)", text):
                handles.add(re.sub(r"[^a-z0-9]", "", m.group(1).lower()))
            plain.update(w.lower() for w in re.findall(r"(?<![@\w])[A-Za-z\u00C0-\u017F]+(?!\w)", text))
            for m in re.finditer(r"(?<=[a-z,] )([A-Za-z\u00C0-\u017F]+)", text):
                w = m.group(1)
                seen[w.lower()] += 1
                if w[0].isupper():
                    capital[w.lower()] += 1
    return {w for w, n in seen.items() if n >= 2 and capital[w] / n >= 0.8} | (handles - plain)


def writer(file):
    """The writer of a corpus mail: the letter before the dash of its file name (A-001.eml);
    the first corpus, numbered without a letter (001.eml), is one writer."""
    head, dash, _ = file.partition("-")
    return head if dash and head.isalpha() else "first-corpus"


def hold(scores, held):
    """`scores` with those of the `held` mails (addressed to another organisation) put
    below every other: the detector never flags them."""
    return np.where(held, scores.min() - 1.0, scores) if held.any() else scores


def fit_bounded(X, y, nf, bounds, c, scale, extra=None):
    """A class-balanced logistic regression with an L2 penalty (strength 1/c) whose first
    `nf` coefficients stay within `bounds` (the families: a family of the four criteria
    never counts against a complaint, a context or praise family never for one) and are
    penalised as if their columns were `scale` times as large as they are (1/scale**2 times
    as strongly); the phrases after them are free. Returns (coefficients, intercept)."""
    n, d = X.shape
    X = X @ diags(np.concatenate([np.full(nf, scale), np.ones(d - nf)]))
    bounds = [(None if lo is None else lo / scale, None if hi is None else hi / scale) for lo, hi in bounds]
    if extra is None:
        extra = np.ones(n)
    pos = float(extra[y == 1].sum())
    neg = float(extra[y == 0].sum())
    sw = extra * np.where(y == 1, n / (2.0 * pos), n / (2.0 * neg))
    xt = X.T.tocsr()

    def loss(theta):
        b, b0 = theta[:-1], theta[-1]
        z = X @ b + b0
        p = 1.0 / (1.0 + np.exp(-z))
        r = sw * (p - y)
        value = float(sw @ (np.logaddexp(0.0, z) - y * z) + 0.5 * (b @ b) / c)
        return value, np.concatenate([xt @ r + b / c, [r.sum()]])

    full = list(bounds) + [(None, None)] * (d - nf + 1)
    res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=full, options={"maxiter": 10000})
    coef = res.x[:-1].copy()
    coef[:nf] *= scale
    return coef, res.x[-1]


def family_criteria(lexicon_dir):
    """Family name -> the criterion its signals count for (typography counts as strong
    wording, the polarity lexicon as its own criterion)."""
    out = {"uitroeptekens": "sterke_bewoording", "hoofdletters": "sterke_bewoording",
           "beoordeling_laag": "sterke_bewoording", "beoordeling_hoog": "compliment",
           "polariteit": "polariteit"}
    for lang in ("nl", "en"):
        text = (lexicon_dir / f"{lang}.toml").read_text(encoding="utf-8")
        for block in text.split("[[signal]]")[1:]:
            fam = re.search(r'^family\s*=\s*"([^"]+)"', block, re.M)
            crit = re.search(r'^criterion\s*=\s*"([^"]+)"', block, re.M)
            if fam and crit:
                out.setdefault(fam.group(1), crit.group(1))
    return out


class Model:
    """A fit expressed the way the detector scores: per family a weight per unit, the
    combination bonus, the colleague weight and the phrase weights, in score units where the
    family weights are closest (least squares) to the hand-set ones; each of the four
    criteria adds at most `cap`."""

    def __init__(self, coef, intercept, hand, groups_of_criteria, nfam):
        self.a = float(coef[:nfam] @ hand / (hand @ hand))
        self.w = coef / self.a if self.a > 0 else coef
        self.offset = intercept / self.a if self.a > 0 else intercept
        self.nfam = nfam
        self.groups = groups_of_criteria  # family column indices per capped criterion

    def scores(self, X, units, cap, declared=None):
        """Score units of every row, before the basis: capped criteria, the rest, phrases.
        A `declared` row (a complaint declared to the firm in so many words) does not let
        its phrases count against it, as the detector does not."""
        contrib = units[:, : self.nfam] * self.w[: self.nfam]
        capped = np.zeros(len(units))
        grouped = set()
        for cols in self.groups:
            part = contrib[:, cols].sum(axis=1)
            capped += part if cap is None else np.minimum(part, cap)
            grouped.update(cols)
        rest = [j for j in range(self.nfam) if j not in grouped]
        total = capped + contrib[:, rest].sum(axis=1)
        total += units[:, self.nfam :] @ self.w[self.nfam : units.shape[1]]
        words = X[:, units.shape[1] :] @ self.w[units.shape[1] :]
        if declared is not None:
            words = np.where(declared, np.maximum(words, 0.0), words)
        return total + words + self.offset


def cross_scores(X, units, y, nf, bounds, c, scale, folds, groups, hand, criteria_groups, caps, declared, extra):
    """Out-of-fold scores (score units) for every cap: every mail scored by a fit that
    never saw it (with writer folds, never saw its writer)."""
    out = {cap: np.zeros(len(y)) for cap in caps}
    for train, test in folds.split(X, y, groups):
        coef, b0 = fit_bounded(X[train], y[train], nf, bounds, c, scale, extra[train])
        model = Model(coef, b0, hand, criteria_groups, len(hand))
        for cap in caps:
            out[cap][test] = model.scores(X[test], units[test], cap, declared[test])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("features", nargs="+", type=Path)
    ap.add_argument("--names-from", nargs="*", default=[], help="corpus folders to find names in")
    ap.add_argument("--lexicon-dir", type=Path, default=ROOT / "lexicon", help="where nl.toml and en.toml are")
    ap.add_argument("--recall", type=float, default=0.97)
    ap.add_argument("--threshold", type=float, default=1.5)
    ap.add_argument("--doubt-recall", type=float, default=0.985)
    ap.add_argument("--min-doubt", type=float, default=0.5, help="lowest doubt threshold written")
    ap.add_argument("--min-df", type=int, default=3)
    ap.add_argument("--min-weight", type=float, default=0.01)
    ap.add_argument("--c", type=float, nargs="*",
                    help="strengths of the penalty tried (default 0.03 to 3; with --normalise 10 to 300)")
    ap.add_argument("--normalise", action="store_true",
                    help="phrases as an idf-weighted vector of length 1, written with norm weights")
    ap.add_argument("--family-scale", type=float, default=1.0,
                    help="the families are penalised as if their counts were this many times as large")
    ap.add_argument("--norm-min", type=float, default=0.0,
                    help="with --normalise: a text's norm is at least this times the typical one (@norm_min)")
    ap.add_argument("--max-words", type=int, default=2, choices=(1, 2, 3),
                    help="the longest phrase: single words, pairs (default) or runs of three words")
    ap.add_argument("--function-pairs", action="store_true",
                    help="keep phrases made only of function words (FUNCTION_WORDS): 'jullie hebben'")
    ap.add_argument("--cap", type=float, nargs="*", default=[3.0, 4.0, 5.0, 6.0, 8.0, 12.0],
                    help="what one criterion may add at most, tried in turn")
    ap.add_argument("--out", type=Path, default=ROOT / "lexicon" / "learned.tsv")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--min-words", type=int, nargs="*", default=[10, 15, 20, 25, 30, 40, 50],
                    help="word counts below which the lexicons alone may judge, tried in turn; "
                         "one value is taken as it is")
    ap.add_argument("--tune-precision", type=float, default=0.90)
    ap.add_argument("--tune-recall", type=float, default=0.95)
    ap.add_argument("--goal-exempt", nargs="*", default=[], type=Path, metavar="FEATURES",
                    help="exported files fitted on but not held to the tuning goal (short texts, "
                         "which the lexicons and the short-text rule judge more than the fit)")
    ap.add_argument("--mixed", action="store_true", help="cross-validate with folds that mix writers")
    ap.add_argument("--by-file", action="store_true",
                    help="cross-validate holding out one exported file (one corpus, one firm) at a time")
    ap.add_argument("--repeats", type=int, default=1,
                    help="draw the writer folds this many times and judge each fit by its mean (not with --by-file)")
    ap.add_argument("--class-weight", nargs="*", default=[], metavar="CLASS=W",
                    help="weigh the mails of a class W times in the fit (routine=3: a real mailbox "
                         "holds far more routine mail than a labelled corpus)")
    ap.add_argument("--weight", nargs="*", default=[], metavar="FEATURES=W",
                    help="weigh every mail of an exported file W times in the fit (a firm's own judged "
                         "mail, `klachtenbus corpus`, among the project's many corpora); multiplies --class-weight")
    ap.add_argument("--short-rules", action="store_true",
                    help="judge texts as the detector does (its short-text rules, the ramp from @min_woorden "
                         "to twice as many words, the share of known words) when the cut, the goal and the "
                         "figures are found; needs one --min-words and an export with `short_rule`")
    ap.add_argument("--dump", type=Path, help="write each mail's cross-validated score (JSON lines) here")
    args = ap.parse_args()
    if args.short_rules and len(args.min_words) != 1:
        sys.exit("--short-rules needs one --min-words value")
    if args.c is None:
        args.c = [10.0, 30.0, 100.0, 300.0] if args.normalise else [0.03, 0.1, 0.3, 1.0, 3.0]

    rows = []
    for k, f in enumerate(args.features):
        rows += [dict(json.loads(line), _source=k) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    if any(abs(r.get("learned", 0.0)) > 1e-9 for r in rows):
        sys.exit("these features were exported with learned phrases in effect: empty lexicon/learned.tsv, rebuild, export again")
    rows = [r for r in rows if not r["screened"]]
    if args.short_rules and any("short_rule" not in r for r in rows):
        sys.exit("--short-rules needs an export that carries `short_rule`: export again with this build")
    names = names_in(args.names_from)
    y = np.array([1 if r["complaint"] else 0 for r in rows])
    # A mail addressed to another organisation is held below the threshold by the detector
    # whatever it scores (`elders_geadresseerd`): it is fitted on like any other, but never
    # counts as flagged when the cut, the doubt band and the figures are found.
    elsewhere = np.array([ELSEWHERE in r.get("ignored", {}) for r in rows])
    # A complaint declared to the firm in so many words (`declared`): the detector does not
    # let the phrases count against it (their sum, when below 0, is set aside).
    declared = np.array([bool(r.get("declared")) for r in rows])
    # Not modelled here: the lexicons' `target.learned_factor` (in a text whose every
    # grievance is aimed at a third party the learned weights count 0.7 of a positive
    # weight). The figures this script prints are without it; judge a refit with the
    # detector itself (`eval` on every corpus and `scripts/check-floors.py`).
    class_weight = {}
    for item in args.class_weight:
        name, _, w = item.partition("=")
        try:
            class_weight[name] = float(w)
        except ValueError:
            sys.exit(f"--class-weight {item!r}: expected CLASS=W, W a number")
    file_weight = {}
    for item in args.weight:
        name, _, w = item.rpartition("=")
        try:
            weight = float(w)
        except ValueError:
            sys.exit(f"--weight {item!r}: expected FEATURES=W, W a number")
        if weight <= 0:
            sys.exit(f"--weight {item!r}: W must be above 0")
        matches = [k for k, f in enumerate(args.features) if f == Path(name)]
        if not matches:
            sys.exit(f"--weight {item!r}: {name} is not one of the exported files given")
        for k in matches:
            file_weight[k] = weight
    class_w = np.array([class_weight.get(r.get("class", ""), 1.0) * file_weight.get(r["_source"], 1.0) for r in rows])

    def ngrams(text):
        words = text.split(" ")
        out = []
        for n in range(1, args.max_words + 1):
            for i in range(len(words) - n + 1):
                g = words[i : i + n]
                if any(not w or not PLAIN_WORD.fullmatch(w) or any(c.isdigit() for c in w) or w in names or w in CALENDAR or w in FORM_LABELS or (len(w) == 1 and w not in LETTER_WORDS) for w in g):
                    continue
                if not args.function_pairs and all(w in FUNCTION_WORDS for w in g):
                    continue
                out.append(" ".join(g))
        return out

    vec = CountVectorizer(analyzer=ngrams, min_df=args.min_df, binary=True)
    phrases = vec.fit_transform([r["words"] for r in rows])
    vocab = vec.get_feature_names_out()

    # How the detector turns a score into a flag. Without --short-rules: at the threshold.
    # With it, by its rules for short texts (SHORT_ALONE above), each text's word count and
    # the share of its counted words (no link, no digit) that a phrase of the file holds.
    word_counts = np.array([len(r["words"].split()) for r in rows])
    lexicon_scores = np.array([r["lexicon_score"] for r in rows])
    if args.short_rules:
        vocab_words = {w for p in vocab for w in p.split(" ")}
        known = np.zeros(len(rows), dtype=bool)
        for i, r in enumerate(rows):
            counted = [w for w in r["words"].split() if w != "_" and not any(ch.isdigit() for ch in w)]
            known[i] = bool(counted) and sum(w in vocab_words for w in counted) >= MIN_KNOWN * len(counted)
        rule_open = np.array([bool(r["short_rule"]) for r in rows])
        with_criteria = np.array([r["criteria"] >= 1 for r in rows])
        mw = args.min_words[0]
        long_enough = word_counts >= mw
        ramp = (word_counts >= mw) & (word_counts < 2 * mw)
        needs = np.where(ramp, args.threshold * (1.0 + (SHORT_ALONE - 1.0) * (2 * mw - word_counts) / mw), args.threshold)
        needs = np.where(with_criteria, needs, np.maximum(needs, ALONE_NEEDS * args.threshold))
        print(f"short-text rules: {int((~long_enough).sum())} texts under {mw} words, {int(ramp.sum())} from {mw} to {2 * mw}, "
              f"{int((long_enough & ~known).sum())} longer ones with too few known words")

    def detector_flags(score):
        """Which mails the detector flags when the learned weights give them `score` (the
        file's units: the threshold is args.threshold)."""
        if not args.short_rules:
            return (score >= args.threshold) & ~elsewhere
        judged = long_enough & known
        alone = ~long_enough & known & rule_open & (score >= max(SHORT_LEARNED_ALONE, ALONE_NEEDS) * args.threshold)
        lexicons = (lexicon_scores >= args.threshold) & ~((score < args.threshold) & (lexicon_scores < SHORT_ALONE * args.threshold))
        return np.where(judged, score >= needs, alone | lexicons) & ~elsewhere

    def shrink_for(cut, doubt_cut):
        """What every weight is scaled by so that the doubt band's threshold stays at
        --min-doubt or above (scores are never below 0): 1 unless the band is wider than the
        threshold over --min-doubt in the fit's units."""
        return min(1.0, (args.threshold - args.min_doubt) / max(cut - doubt_cut, 1e-9))

    def cut_for(scores, y, recall, rules=True):
        """The highest cut on `scores` (score units before the basis) at which the detector's
        recall still reaches `recall` (with `rules` false: every mail judged at the
        threshold), and its precision there. With --short-rules the scores are judged as the
        file will give them: scaled down as the doubt band needs (`shrink_for`), for the short-
        text rules count in the file's units. The flags only grow as the cut falls, so the
        cut is found by halving."""
        ts = np.unique(scores)
        doubt_cut = cut_for(scores, y, args.doubt_recall, rules=False)[0] if rules and args.short_rules else None

        def at(t):
            scale = 1.0 if doubt_cut is None else shrink_for(t, doubt_cut)
            score = (scores - t) * scale + args.threshold
            hit = detector_flags(score) if rules else (score >= args.threshold) & ~elsewhere
            tp = int((hit & (y == 1)).sum())
            return tp / max(1, int(y.sum())), tp / max(1, int(hit.sum()))

        if at(ts[0])[0] < recall:
            return None
        lo, hi = 0, len(ts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if at(ts[mid])[0] >= recall:
                lo = mid
            else:
                hi = mid - 1
        r, p = at(ts[lo])
        return ts[lo], p, r
    # With --normalise each phrase found counts for its idf, and a mail's phrases together
    # have length 1; without, each counts 1.
    idf = np.log((1 + len(rows)) / (1 + np.asarray(phrases.sum(axis=0)).ravel())) + 1.0
    typical = 1.0
    if args.normalise:
        phrases = phrases.astype(float) @ diags(idf)
        length = np.sqrt(np.asarray(phrases.multiply(phrases).sum(axis=1)).ravel())
        # Written divided by the median mail's length, so that a phrase's weight in the file
        # is what it adds to a mail of typical length (the ratio, and so the score, is the same).
        typical = float(np.median(length[length > 0]))
        # A text shorter than --norm-min times the typical one counts as that long: its few
        # phrases are not scaled up beyond what they add to a text of that length.
        length = np.maximum(length, args.norm_min * typical)
        phrases = (diags(1.0 / np.where(length > 0, length, 1.0)) @ phrases).tocsr()

    # The families of the lexicons, each with its hand-set weight and the side it counts
    # on; their units per mail come from the export (`features`). Beside them: the
    # combination bonus (two of the four criteria fired) and whether a colleague wrote it.
    fams = lexicon_families(args.lexicon_dir)
    families = sorted(f for f in fams if f not in HAND_SET_FAMILIES)
    extra = [COMBINATION, COLLEAGUE_FEATURE]
    units = np.array(
        [[r["features"].get(f, 0.0) for f in families] + [1.0 if r["criteria"] >= 2 else 0.0, 1.0 if r.get("colleague") else 0.0] for r in rows]
    )
    bounds = []
    for f in families:
        sign, _, alone = fams[f]
        bounds.append((None, 0.0) if sign < 0 else (ALONE_MIN if alone else 0.0, None))
    bounds += [(0.0, None), (None, 0.0)]
    nf = len(bounds)
    X = hstack([csr_matrix(units), phrases]).tocsr()
    print(f"{len(rows)} mails ({int(y.sum())} complaints), {len(families)} families, {len(vocab)} phrases, {len(names)} names left out")

    # Folds hold out whole writers (each corpus mail's file name starts with its writer's
    # letter, A-001.eml): the next customer's mail is by someone the fit has never read,
    # and folds that mix a writer's mails let the fit learn the writer.
    groups = np.array([writer(r["file"]) for r in rows])
    # Which writers share a fold moves the cross-validated precision at recall 0.98 by a few
    # hundredths (the cut lies where the curve is steep): --repeats draws the folds that many
    # times, each fit is judged by its mean precision over the draws, and each mail's
    # out-of-fold score is its mean over them.
    repeats = 1 if args.by_file else max(1, args.repeats)
    if args.by_file:
        fold_draws = [(GroupKFold(len(args.features)), np.array([r["_source"] for r in rows]))]
    elif args.mixed:
        fold_draws = [(StratifiedKFold(5, shuffle=True, random_state=20261201 + k), None) for k in range(repeats)]
    else:
        fold_draws = [(StratifiedGroupKFold(5, shuffle=True, random_state=20261201 + k), groups) for k in range(repeats)]
    if args.by_file:
        print(f"cross-validation: {len(args.features)} folds, one exported file held out at a time")
    else:
        held = "mails mixed" if args.mixed else f"{len(set(groups))} writers held out whole"
        print(f"cross-validation: 5 folds, {held}, folds drawn {repeats} time{'s' if repeats > 1 else ''}")
    hand = np.array([fams[f][1] for f in families])
    crit_of = family_criteria(args.lexicon_dir)
    criteria_groups = [[j for j, f in enumerate(families) if crit_of.get(f) == k] for k in CRITERIA]
    caps = list(args.cap)
    results = []
    for c in args.c:
        draws = [cross_scores(X, units, y, nf, bounds, c, args.family_scale, f, g, hand, criteria_groups, caps, declared, class_w) for f, g in fold_draws]
        draws = [{cap: hold(d[cap], elsewhere) for cap in d} for d in draws]
        for cap in caps:
            each = [cut_for(d[cap], y, args.recall) for d in draws]
            cv = np.mean([d[cap] for d in draws], axis=0)
            at_cut = cut_for(cv, y, args.recall)
            # Even the lowest cut can miss --recall: with --short-rules the complaints the
            # detector's rules leave to the lexicons (short texts, texts of few known words)
            # may be too many for the phrases to make up.
            if at_cut is None or any(e is None for e in each):
                print(f"  C={c:<5} cap {cap:<5} no cut reaches recall {args.recall} in cross-validation: not a candidate")
                continue
            p, r = float(np.mean([e[1] for e in each])), float(np.mean([e[2] for e in each]))
            t = at_cut[0]
            spread = f" ({min(e[1] for e in each):.3f} to {max(e[1] for e in each):.3f})" if len(each) > 1 else ""
            print(f"  C={c:<5} cap {cap:<5} cross-validated at recall {r:.3f}: precision {p:.3f}{spread}, F1 {2 * p * r / (p + r):.3f}")
            results.append((c, cap, p, t, cv))
    # Short texts: below how many words the lexicons alone (their own weights) judge a mail
    # better than the learned weights. The largest candidate that loses no complaint the
    # learned weights caught in cross-validation and flags fewest others wins.
    lengths = word_counts
    by_lexicon = (np.array([r["lexicon_score"] for r in rows]) >= args.threshold) & ~elsewhere

    def choose_min_words(cv, cut, verbose=False):
        by_learned = cv >= cut
        caught, without = int((by_learned & (y == 1)).sum()), int((by_learned & (y == 0)).sum())
        chosen, fewest = 0, without
        for n in args.min_words:
            combined = np.where(lengths < n, by_lexicon, by_learned)
            tp, wrong = int((combined & (y == 1)).sum()), int((combined & (y == 0)).sum())
            if verbose:
                print(f"  below {n} words the lexicons alone: {tp} complaints caught ({caught} without), {wrong} others flagged ({without} without)")
            if tp >= caught and wrong <= fewest:
                chosen, fewest = n, wrong
        if len(args.min_words) == 1:
            # One word count given: that one, whatever it costs in cross-validation.
            chosen = args.min_words[0]
        if verbose:
            print(f"chosen {MIN_WORDS} {chosen}")
        return chosen

    # The best cross-validated precision (rounded to 0.01; then the strongest regularisation
    # and the lowest cap) among the fits that reach the tuning goal (--tune-precision,
    # --tune-recall) on every exported file, short texts judged as the detector will.
    source = np.array([r["_source"] for r in rows])
    ranked = sorted(results, key=lambda r: (-round(r[2], 2), r[0], r[1]))
    for c, cap, _, cut, cv in ranked:
        coef, intercept = fit_bounded(X, y, nf, bounds, c, args.family_scale, class_w)
        model = Model(coef, intercept, hand, criteria_groups, len(families))
        if model.a <= 0:
            print(f"  C={c} cap {cap}: the families got scale {model.a:.3f}, no fit in the lexicon's units")
            continue
        if args.short_rules:
            scale = shrink_for(cut, min(cut, cut_for(cv, y, args.doubt_recall, rules=False)[0]))
            hit = detector_flags((model.scores(X, units, cap, declared) - cut) * scale + args.threshold)
        else:
            brief = lengths < choose_min_words(cv, cut)
            hit = np.where(brief, by_lexicon, hold(model.scores(X, units, cap, declared), elsewhere) >= cut)
        short = []
        exempt = {f.name for f in args.goal_exempt}
        for k, f in enumerate(args.features):
            if f.name in exempt:
                continue
            sel = source == k
            tp = int((hit & sel & (y == 1)).sum())
            p, r = tp / max(1, int((hit & sel).sum())), tp / max(1, int((sel & (y == 1)).sum()))
            if p < args.tune_precision or r < args.tune_recall:
                short.append(f"{f.name} {p:.3f}/{r:.3f}")
        if not short:
            break
        print(f"  C={c} cap {cap}: below the tuning goal on {', '.join(short)}")
    else:
        sys.exit("no fit reaches the tuning goal on every file")
    # The doubt band: from where the cross-validated recall reaches --doubt-recall. Its
    # threshold stays at --min-doubt or above (scores are never below 0): where the least-
    # squares scale would put it lower, every weight is scaled down until it does not.
    # A band of the score: found with every mail judged at the threshold.
    doubt_cut, doubt_p, doubt_r = cut_for(cv, y, args.doubt_recall, rules=False)
    doubt_cut = min(doubt_cut, cut)
    shrink = shrink_for(cut, doubt_cut)
    model.w *= shrink
    model.offset *= shrink
    cut, doubt_cut, cap, cv = cut * shrink, doubt_cut * shrink, cap * shrink, cv * shrink
    weights = model.w
    family_weights = {f: round(float(weights[j]), 3) for j, f in enumerate(families)}
    combination = round(float(weights[len(families)]), 3)
    colleague_weight = round(float(weights[len(families) + 1]), 3)
    phrase_weights = weights[nf:]
    # The cut found in cross-validation, in score units, becomes the threshold.
    basis = args.threshold - cut + model.offset
    # With --normalise a phrase's weight in the file is its fitted weight times its idf,
    # its norm weight the idf (both over the typical length), and every phrase is written
    # (all count in the norm); without,
    # a phrase's weight is its fitted weight and those below --min-weight are dropped.
    if args.normalise:
        written = [(vocab[i], round(float(w * idf[i] / typical), 4), round(float(idf[i] / typical), 4)) for i, w in enumerate(phrase_weights)]
    else:
        written = [(vocab[i], round(float(w), 3), None) for i, w in enumerate(phrase_weights) if abs(w) >= args.min_weight]
    written.sort(key=lambda p: (-p[1], p[0]))
    kept = [(p, w) for p, w, _ in written if w != 0.0]

    # What the written file gives on the rows it was fitted on.
    fitted = hold(model.scores(X, units, cap, declared) - model.offset + basis, elsewhere)
    hit = detector_flags(fitted)
    tp = int((hit & (y == 1)).sum())
    print(
        f"chosen C={c}, cap {cap}; {len(written)} phrases, {len(kept)} of weight other than 0, basis {basis:.2f}, "
        f"colleague {colleague_weight}, combination {combination}; "
        f"on the fitted mails: precision {tp / max(1, hit.sum()):.3f}, recall {tp / y.sum():.3f}"
    )
    min_words = choose_min_words(cv, cut, verbose=True)
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for i, r in enumerate(rows):
                out.write(json.dumps({"file": r["file"], "complaint": bool(y[i]), "class": r.get("class"),
                                      "cv": round(float(cv[i] - cut + args.threshold), 3)}) + "\n")
    # Per class, how often cross-validation flagged it at the cut (for complaints: caught;
    # for the rest: flagged wrongly), and by length of the text judged.
    flagged = detector_flags(cv - cut + args.threshold)
    by_class = {}
    for i, r in enumerate(rows):
        by_class.setdefault((bool(r["complaint"]), r.get("class") or "-"), []).append(bool(flagged[i]))
    for label, title in ((True, "caught"), (False, "flagged wrongly")):
        parts = [f"{k[1]} {sum(v)}/{len(v)}" for k, v in sorted(by_class.items()) if k[0] == label]
        print(f"cross-validated, {title}: " + ", ".join(parts))
    for lo, hi in ((0, 40), (40, 120), (120, 100000)):
        sel = (lengths >= lo) & (lengths < hi)
        neg, pos = sel & (y == 0), sel & (y == 1)
        print(
            f"  {lo}-{hi if hi < 100000 else ''} words: {int(pos.sum())} complaints, {int((flagged & pos).sum())} caught; "
            f"{int(neg.sum())} others, {int((flagged & neg).sum())} flagged"
        )
    print("family weights, fitted (hand-set in the lexicon):")
    for f in families:
        print(f"  {f:<20} {family_weights[f]:7.3f}   ({fams[f][1]:.2f})")
    doubt = args.threshold - (cut - doubt_cut)
    in_band = int(((cv >= doubt_cut) & (cv < cut)).sum())
    print(
        f"doubt band (cross-validated recall {doubt_r:.3f} with it): detection.doubt_threshold = "
        f"{doubt:.2f}, {in_band} of the {len(rows)} mails in it"
    )
    print("strongest for a complaint:", ", ".join(f"{p} {w}" for p, w in kept[:15]))
    print("strongest against:", ", ".join(f"{p} {w}" for p, w in kept[::-1][:15]))
    if not args.write:
        return
    lines = [
        "# Learned weights: the lexicon families' weights, refitted, and single words and runs",
    ]
    if args.normalise:
        lines += [
            f"# of up to {args.max_words} words, each with a weight and a norm weight: the phrases found in a mail (each once)",
            "# add the sum of their weights divided by the root of the sum of their norm weights",
            "# squared; `@basis` is added to every mail judged. Fitted together by",
            f"# scripts/fit-phrases.py (logistic regression, C={c}, families kept on their side and",
            f"# penalised as if {args.family_scale} times their counts, cut at cross-validated recall {args.recall}",
        ]
    else:
        lines += [
            f"# of up to {args.max_words} words, each with the weight it adds to a mail's score (once per mail); `@basis` is",
            "# added to every mail judged. Fitted together by scripts/fit-phrases.py (logistic",
            f"# regression, C={c}, families kept on their side, cut at cross-validated recall {args.recall}",
        ]
    lines += [
        f"# with folds that hold out {'one exported file at a time' if args.by_file else 'whole writers'}"
        + (f" drawn {repeats} times" if repeats > 1 else "")
        + f", threshold {args.threshold}) on",
        f"# {len(rows)} labelled mails exported from: {', '.join(args.names_from) or 'the corpora'}",
        "# (tuning halves only; never a held-out test half). Phrases are normalised text: lower",
        "# case, no accents, single spaces.",
    ]
    if args.normalise:
        lines += [
            "# A weight is what the phrase adds to a mail of typical length (norm 1). Edit a weight to",
            "# change what a phrase adds (0: nothing, though it still counts in the norm); deleting",
            "# its line also takes it out of the norm.",
        ]
    else:
        lines += ["# Delete a line to drop a phrase; edit a weight to change it."]
    lines += [
        f"{BASIS}\t{basis:.3f}",
        "# Added when the sender is at one of the firm's own domains (no contact form).",
        f"{COLLEAGUE}\t{colleague_weight}",
        "# What one of the four criteria of section 3.1 may add at most (replaces max_per_criterion).",
        f"{CAP}\t{round(cap, 3)}",
        "# From how many words on this file judges a text; a shorter one, the lexicons alone.",
        f"{MIN_WORDS}\t{min_words}",
    ]
    if args.normalise and args.norm_min > 0:
        lines += [
            "# The least norm the phrases found are divided by: a shorter text counts as this long",
            "# (1: a text of typical length).",
            f"{NORM_MIN}\t{args.norm_min}",
        ]
    lines += [
        "# Per unit of a family of nl.toml and en.toml (one match; an intensifier or another",
        "# target scales it): these replace the weights written there while this file is in",
        "# effect. `@familie:_combinatie` replaces combination_bonus.",
    ]
    lines += [f"{FAMILY_PREFIX}{f}\t{family_weights[f]}" for f in families]
    lines += [f"{FAMILY_PREFIX}{COMBINATION}\t{combination}"]
    if args.normalise:
        lines += ["# Phrases: phrase, weight, norm weight."]
        lines += [f"{p}\t{w}\t{n}" for p, w, n in written]
    else:
        lines += ["# Phrases."]
        lines += [f"{p}\t{w}" for p, w, _ in written]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
