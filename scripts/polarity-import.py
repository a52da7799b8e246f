#!/usr/bin/env python3
"""Convert two general polarity lexicons to lexicon/polarity/{en,nl}.tsv.

Sources (fetch them from the upstream repositories, see lexicon/polarity/README.md):
  --vader    VADER lexicon, github.com/cjhutto/vaderSentiment,
             vaderSentiment/vader_lexicon.txt (MIT)
             TSV: token, mean valence (-4..4), std dev, raw ratings
  --pattern  Pattern Dutch adjective lexicon, github.com/clips/pattern,
             pattern/text/nl/nl-sentiment.xml (BSD-3-Clause)
             XML: <word form=".." polarity="-1..1" .../>, one element per sense

Output (in --out DIR): en.tsv and nl.tsv, `word<TAB>polarity`, polarity in
-1.0..1.0 rounded to 3 decimals, sorted by word, preceded by `#` comment lines.

Conversion rules:
  * word: lower-cased, accents stripped (Unicode NFD, combining marks dropped);
    kept only if it is one word of letters a-z, with internal '-' or "'"
    allowed (so no emoticons, no multi-word entries, no digits)
  * VADER: polarity = mean valence / 4; VADER's letter-only emoticons
    (xd, x-d, xp, x-p) and single-letter tokens are skipped as well
  * Pattern: polarity of a form = mean over its senses (<word> elements)
  * a word that occurs more than once after normalising gets the mean of
    its (per-form) polarities
  * entries whose rounded |polarity| < 0.1 are dropped
Arithmetic is done in decimal (exact), rounding half away from zero, so the
output is deterministic.

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

WORD_RE = re.compile(r"[a-z]+(?:[-'][a-z]+)*")
THRESHOLD = Decimal("0.1")
QUANT = Decimal("0.001")

# Emoticons in VADER's lexicon that consist of letters only (XD, X-D, XP, X-P)
# and would otherwise pass WORD_RE. All other emoticons contain punctuation.
VADER_LETTER_EMOTICONS = {"xd", "x-d", "xp", "x-p"}

VADER_REPO = "https://github.com/cjhutto/vaderSentiment"
VADER_PATH = "vaderSentiment/vader_lexicon.txt"
PATTERN_REPO = "https://github.com/clips/pattern"
PATTERN_PATH = "pattern/text/nl/nl-sentiment.xml"


def normalise(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def git_blob_sha1(data: bytes) -> str:
    """Hash as `git hash-object` does, so the input can be traced to a blob."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def read_vader(data: bytes) -> tuple[dict[str, list[Decimal]], dict[str, int]]:
    words: dict[str, list[Decimal]] = {}
    stats = {"lines": 0, "not_a_word": 0, "emoticon": 0}
    for lineno, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        stats["lines"] += 1
        fields = line.split("\t")
        if len(fields) < 2:
            raise ValueError(f"vader line {lineno}: expected TAB-separated fields")
        token, valence = fields[0], Decimal(fields[1])
        word = normalise(token)
        if word in VADER_LETTER_EMOTICONS or len(word) < 2:
            stats["emoticon"] += 1
            continue
        if not WORD_RE.fullmatch(word):
            stats["not_a_word"] += 1
            continue
        words.setdefault(word, []).append(valence / 4)
    return words, stats


def read_pattern(data: bytes) -> tuple[dict[str, list[Decimal]], dict[str, int]]:
    root = ET.fromstring(data)
    senses: dict[str, list[Decimal]] = {}
    for el in root.iter("word"):
        form = el.get("form")
        polarity = el.get("polarity")
        if form is None or polarity is None or not polarity.strip():
            continue
        senses.setdefault(form, []).append(Decimal(polarity))
    stats = {"senses": sum(len(v) for v in senses.values()), "forms": len(senses),
             "not_a_word": 0}
    words: dict[str, list[Decimal]] = {}
    for form, values in senses.items():
        word = normalise(form)
        if not WORD_RE.fullmatch(word):
            stats["not_a_word"] += 1
            continue
        words.setdefault(word, []).append(mean(values))
    return words, stats


def finalise(words: dict[str, list[Decimal]]) -> tuple[list[tuple[str, Decimal]], int]:
    out: list[tuple[str, Decimal]] = []
    dropped = 0
    for word in sorted(words):
        value = mean(words[word]).quantize(QUANT, rounding=ROUND_HALF_UP)
        if abs(value) < THRESHOLD:
            dropped += 1
            continue
        out.append((word, value))
    return out, dropped


def write_tsv(path: Path, header: list[str], entries: list[tuple[str, Decimal]]) -> None:
    lines = [f"# {h}".rstrip() for h in header]
    lines += [f"{word}\t{value:f}" for word, value in entries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def common_rules() -> list[str]:
    return [
        "word = lower-cased, accents stripped (NFD, combining marks dropped);",
        "  only single words of letters a-z with internal '-' or \"'\" are kept",
        "duplicates after normalising are averaged; entries with |polarity| < 0.1 are dropped",
        "polarity rounded to 3 decimals (half away from zero); sorted by word",
        "generated by scripts/polarity-import.py; do not edit by hand",
        "format: word<TAB>polarity (-1.0 .. 1.0)",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vader", required=True, type=Path, help="vader_lexicon.txt")
    ap.add_argument("--pattern", required=True, type=Path, help="nl-sentiment.xml")
    ap.add_argument("--out", required=True, type=Path, help="output directory")
    ap.add_argument("--vader-commit", default="unrecorded",
                    help="commit of cjhutto/vaderSentiment the file was taken from")
    ap.add_argument("--pattern-commit", default="unrecorded",
                    help="commit of clips/pattern the file was taken from")
    args = ap.parse_args(argv)

    vader_bytes = args.vader.read_bytes()
    pattern_bytes = args.pattern.read_bytes()
    args.out.mkdir(parents=True, exist_ok=True)

    en_words, en_stats = read_vader(vader_bytes)
    en, en_dropped = finalise(en_words)
    write_tsv(args.out / "en.tsv", [
        "English general polarity lexicon, from VADER (C.J. Hutto)",
        f"source: {VADER_REPO} {VADER_PATH}",
        f"commit: {args.vader_commit}",
        f"source blob: {git_blob_sha1(vader_bytes)}",
        "licence: MIT, Copyright (c) 2016 C.J. Hutto (see LICENSE-VADER)",
        "polarity = VADER mean valence / 4",
        "VADER emoticons (incl. xd, x-d, xp, x-p), single letters and multi-word entries are skipped",
        *common_rules(),
    ], en)

    nl_words, nl_stats = read_pattern(pattern_bytes)
    nl, nl_dropped = finalise(nl_words)
    write_tsv(args.out / "nl.tsv", [
        "Dutch general polarity lexicon (adjectives), from Pattern (CLiPS, University of Antwerp)",
        f"source: {PATTERN_REPO} {PATTERN_PATH}",
        f"commit: {args.pattern_commit}",
        f"source blob: {git_blob_sha1(pattern_bytes)}",
        "licence: BSD-3-Clause, Copyright (c) 2011-2013 University of Antwerp, Belgium (see LICENSE-PATTERN)",
        "polarity = mean of Pattern's polarity over the senses (<word> elements) of one form",
        *common_rules(),
    ], nl)

    print(f"en: {en_stats['lines']} source lines, {en_stats['emoticon']} letter emoticons/"
          f"single letters and {en_stats['not_a_word']} non-words skipped, "
          f"{en_dropped} below threshold, {len(en)} written", file=sys.stderr)
    print(f"nl: {nl_stats['senses']} senses in {nl_stats['forms']} forms, "
          f"{nl_stats['not_a_word']} non-words skipped, {nl_dropped} below threshold, "
          f"{len(nl)} written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
