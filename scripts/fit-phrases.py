#!/usr/bin/env python3
"""Fit the learned phrase weights (lexicon/learned.tsv) on labelled mail.

    klachtenbus --config tests/fixtures/corpus2/klachtenbus.toml \
        eval tests/fixtures/corpus2 --features /tmp/tune.jsonl
    klachtenbus --config tests/fixtures/corpus/klachtenbus.toml \
        eval tests/fixtures/corpus --features /tmp/corpus.jsonl
    python3 scripts/fit-phrases.py /tmp/tune.jsonl /tmp/corpus.jsonl \
        --names-from tests/fixtures/corpus2/tune tests/fixtures/corpus            # show
    python3 scripts/fit-phrases.py ... --write                                    # and write

`eval --features` never writes the held-out `test/` half, so the fit cannot see it. Run
the export with the learned file you want to replace emptied (or the fit starts from a
score that already holds it: the script refuses rows whose `learned` is not 0).

The model: a logistic regression over the lexicon's own score (the hand-written families,
as `eval` reports it without the learned signal) and the presence (0/1) of every single
word and pair of words in the judged text that occurs in at least --min-df mails. Words
with digits, months and days, and names (words written with a capital inside sentences in the corpus
mails, --names-from), are left out: they say nothing about the next customer's mail.
Phrases made only of function words (FUNCTION_WORDS) are left out too.
The regularisation strength is chosen by 5-fold cross-validation (with --by-writer, folds
that hold out whole writers: the letter a corpus file name starts with), with a fixed seed:
the strongest within 0.01 of the best cross-validated precision. The cut is the
highest cross-validated score at which recall still reaches --recall. The weights
are then expressed in the lexicon's score units, with a basis, so that the configured
threshold (--threshold) stays the cut:

    score = lexicon score + basis + sum of the weights of the phrases found
            (+ @afzender_collega when a colleague wrote it)  >=  threshold

Beside the phrases, one fact about the mail is a feature: whether a colleague wrote it (the
sender at one of the firm's own domains, no contact form: `colleague` in the export).
Contact-form labels (FORM_LABELS) are left out like names: the firm's template, not the
customer's words.

Phrases whose weight is smaller than --min-weight are dropped. Needs numpy and
scikit-learn.
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
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict

SCORE_SCALE = 3.0  # the lexicon score is divided by this before the fit (a similar scale)

# Dates say when, not what: months and days are left out like names and numbers.
CALENDAR = set(
    "januari februari maart april mei juni juli augustus september oktober november december "
    "january february march june july august october "
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


# Words that build every sentence: a phrase made of these only (a single "ik", a pair "op
# de") says how someone writes, not what about; pairs with one other word stay ("geen
# reactie", "your advice").
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
    in at least 80 % of their at least two such occurrences: names of people and places."""
    capital, seen = Counter(), Counter()
    for d in dirs:
        for path in sorted(Path(d).glob("*.eml")):
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            body = msg.get_body(preferencelist=("plain", "html"))
            text = (msg["subject"] or "") + "\n" + (body.get_content() if body else "")
            for m in re.finditer(r"(?<=[a-z,] )([A-Za-z\u00C0-\u017F]+)", text):
                w = m.group(1)
                seen[w.lower()] += 1
                if w[0].isupper():
                    capital[w.lower()] += 1
    return {w for w, n in seen.items() if n >= 2 and capital[w] / n >= 0.8}


def writer(file):
    """The writer of a corpus mail: the letter before the dash of its file name (A-001.eml);
    the first corpus, numbered without a letter (001.eml), is one writer."""
    head, dash, _ = file.partition("-")
    return head if dash and head.isalpha() else "first-corpus"


def cut_for(scores, y, recall):
    """The highest score at which recall still reaches `recall`, and the precision there."""
    best = None
    for t in sorted(set(scores)):
        hit = scores >= t
        tp = int((hit & (y == 1)).sum())
        if tp / y.sum() >= recall:
            best = (t, tp / max(1, hit.sum()), tp / y.sum())
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("features", nargs="+", type=Path)
    ap.add_argument("--names-from", nargs="*", default=[], help="corpus folders to find names in")
    ap.add_argument("--recall", type=float, default=0.95)
    ap.add_argument("--threshold", type=float, default=1.5)
    ap.add_argument("--doubt-recall", type=float, default=0.97)
    ap.add_argument("--min-df", type=int, default=3)
    ap.add_argument("--min-weight", type=float, default=0.05)
    ap.add_argument("--c", type=float, nargs="*", default=[0.03, 0.1, 0.3, 1.0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "lexicon" / "learned.tsv")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--by-writer", action="store_true", help="cross-validate holding out whole writers")
    args = ap.parse_args()

    rows = []
    for f in args.features:
        rows += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    if any(abs(r.get("learned", 0.0)) > 1e-9 for r in rows):
        sys.exit("these features were exported with learned phrases in effect: empty lexicon/learned.tsv, rebuild, export again")
    rows = [r for r in rows if not r["screened"]]
    names = names_in(args.names_from)
    y = np.array([1 if r["complaint"] else 0 for r in rows])
    score = np.array([r["lexicon_score"] for r in rows]) / SCORE_SCALE

    def ngrams(text):
        words = text.split(" ")
        out = []
        for n in (1, 2):
            for i in range(len(words) - n + 1):
                g = words[i : i + n]
                if any(not w or any(c.isdigit() for c in w) or w in names or w in CALENDAR or w in FORM_LABELS for w in g):
                    continue
                if all(w in FUNCTION_WORDS for w in g):
                    continue
                out.append(" ".join(g))
        return out

    vec = CountVectorizer(analyzer=ngrams, min_df=args.min_df, binary=True)
    phrases = vec.fit_transform([r["words"] for r in rows])
    from scipy.sparse import csr_matrix, hstack

    # Who wrote it: a colleague (the sender at one of the firm's own domains).
    colleague = np.array([1.0 if r.get("colleague") else 0.0 for r in rows])
    X = hstack([csr_matrix(score.reshape(-1, 1)), csr_matrix(colleague.reshape(-1, 1)), phrases]).tocsr()
    vocab = vec.get_feature_names_out()
    print(f"{len(rows)} mails ({int(y.sum())} complaints), {len(vocab)} phrases, {len(names)} names left out")

    # With --by-writer a fold holds out whole writers (each corpus mail's file name starts
    # with its writer's letter, A-001.eml), as the next customer's mail is by someone the
    # fit has never read: a more honest estimate than folds that mix a writer's mails, which
    # let the fit learn the writer.
    groups = np.array([writer(r["file"]) for r in rows])
    if args.by_writer:
        folds, split_groups = StratifiedGroupKFold(5, shuffle=True, random_state=20261201), groups
    else:
        folds, split_groups = StratifiedKFold(5, shuffle=True, random_state=20261201), None
    print(f"cross-validation: 5 folds, {f'{len(set(groups))} writers held out whole' if args.by_writer else 'mails mixed'}")
    results = []
    for c in args.c:
        model = LogisticRegression(C=c, max_iter=10000, class_weight="balanced")
        cv = cross_val_predict(model, X, y, groups=split_groups, cv=folds, method="decision_function")
        t, p, r = cut_for(cv, y, args.recall)
        f1 = 2 * p * r / (p + r)
        print(f"  C={c:<5} cross-validated at recall {r:.3f}: precision {p:.3f}, F1 {f1:.3f}")
        results.append((c, p, t, cv))
    # The strongest regularisation within 0.01 of the best precision: a near tie is no
    # reason to fit the tuning mails more closely.
    top = max(p for _, p, _, _ in results)
    c, _, cut, cv = min((r for r in results if r[1] >= top - 0.01), key=lambda r: r[0])
    model = LogisticRegression(C=c, max_iter=10000, class_weight="balanced").fit(X, y)
    a = model.coef_[0][0] / SCORE_SCALE  # logit per unit of lexicon score
    if a <= 0:
        sys.exit(f"the lexicon score got weight {a:.3f}: no fit in the lexicon's units")
    colleague_weight = round(float(model.coef_[0][1] / a), 3)
    weights = model.coef_[0][2:] / a
    basis = args.threshold - (cut - model.intercept_[0]) / a
    kept = [(vocab[i], round(float(w), 3)) for i, w in enumerate(weights) if abs(w) >= args.min_weight]
    kept.sort(key=lambda p: (-p[1], p[0]))

    # What the written file gives on the rows it was fitted on.
    index = {p: i for i, p in enumerate(vocab)}
    total = score * SCORE_SCALE + basis + colleague_weight * colleague
    for p, w in kept:
        total = total + w * phrases[:, index[p]].toarray().ravel()
    hit = total >= args.threshold
    tp = int((hit & (y == 1)).sum())
    print(
        f"chosen C={c}; {len(kept)} phrases of weight >= {args.min_weight}, basis {basis:.2f}, "
        f"colleague {colleague_weight} ({int(colleague.sum())} such mails); "
        f"on the fitted mails: precision {tp / max(1, hit.sum()):.3f}, recall {tp / y.sum():.3f}"
    )
    # The doubt band: from where the cross-validated recall reaches --doubt-recall.
    doubt_cut, doubt_p, doubt_r = cut_for(cv, y, args.doubt_recall)
    doubt = args.threshold - (cut - doubt_cut) / a
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
        "# Learned phrase weights: single words and pairs of words, each with the weight it adds",
        "# to a mail's score (once per mail) beside the families of nl.toml and en.toml; `@basis`",
        "# is added to every mail judged. Fitted by scripts/fit-phrases.py (logistic regression,",
        f"# C={c}, cut at cross-validated recall {args.recall}, threshold {args.threshold}) on",
        f"# {len(rows)} labelled mails exported from: {', '.join(args.names_from) or 'the corpora'}",
        "# (tuning halves only; never a held-out test half). Phrases are normalised text: lower",
        "# case, no accents, single spaces.",
        "# Delete a line to drop a phrase; edit a weight to change it.",
        f"@basis\t{basis:.3f}",
        "# Added when the sender is at one of the firm's own domains (no contact form).",
        f"@afzender_collega\t{colleague_weight}",
    ]
    lines += [f"{p}\t{w}" for p, w in kept]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
