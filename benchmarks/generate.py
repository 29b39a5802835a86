"""Deterministic synthetic Daily Papers dumps for the benchmarks.

A word-level bigram model is trained on real dumps (``/work/shared/dumps`` or
``$TRIAGE_DUMPS``, else ``sample_dumps/``), so titles and abstracts have the
vocabulary, word frequencies and lengths of the real thing. Real libraries keep
meeting new words (model names, acronyms); a small rate of coined words makes
the vocabulary grow with N the way it does in practice, instead of saturating
at the training set's few thousand words.

Two ways to coin them: ``linear`` (the default, what the earlier benchmarks' figures were
measured on) makes almost every coined word new, so the vocabulary grows linearly (~290k
distinct words at 100k papers); ``heaps`` reuses coined words the way names are reused (a
Pitman-Yor process: the vocabulary grows as N^0.9, Heaps' law), ~130k distinct words at 100k
papers, as measured on a larger real-like corpus.

Usage: python benchmarks/generate.py --n 100000 --out /tmp/dumps [--vocabulary heaps]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from triage.importers.dump import DumpError, read_dump

HEADER = [
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
]
PAPERS_PER_DAY = 100
START_DAY = dt.date(2023, 1, 2)
COINED_WORD_RATE = 0.015
VOCABULARIES = ("linear", "heaps")
HEAPS_COINED_RATE = 0.018
HEAPS_DISCOUNT = 0.9  # the Heaps exponent: distinct coined words ~ coined tokens ** 0.9
HEAPS_CONCENTRATION = 1.0


def training_dirs() -> list[Path]:
    here = Path(__file__).resolve().parent.parent
    candidates = [os.environ.get("TRIAGE_DUMPS"), "/work/shared/dumps", here / "sample_dumps"]
    return [Path(c) for c in candidates if c and Path(c).is_dir() and any(Path(c).glob("*.txt"))]


def read_pairs(paths: list[Path]) -> list[tuple[str, str]]:
    """(title, abstract) pairs, parsed by the app's own importer (any dump format it accepts)."""
    pairs = []
    for path in paths:
        try:
            pairs.extend(read_dump(path).entries)
        except DumpError as error:
            print(f"skipped {path}: {error}")
    return pairs


class BigramText:
    """Word bigrams with sentence starts; lengths drawn from the training texts."""

    def __init__(self, texts: list[str]):
        self.next: dict[str, list[str]] = defaultdict(list)
        self.starts: list[str] = []
        self.lengths = sorted(len(text.split()) for text in texts)
        for text in texts:
            words = text.split()
            if not words:
                continue
            self.starts.append(words[0])
            for current, following in itertools.pairwise(words):
                self.next[current].append(following)
        self.vocabulary = sorted(self.next)

    def generate(self, rng: random.Random, coined: ReusedCoinage | None = None) -> str:
        length = rng.choice(self.lengths)
        word = rng.choice(self.starts)
        words = [word]
        rate = COINED_WORD_RATE if coined is None else HEAPS_COINED_RATE
        while len(words) < length:
            choices = self.next.get(word)
            word = rng.choice(choices) if choices else rng.choice(self.starts)
            if rng.random() >= rate:
                words.append(word)
            elif coined is None:
                words.append(coin_word(rng, self.vocabulary))
            else:
                words.append(coined.word(rng))
        return " ".join(words)


class ReusedCoinage:
    """Coined words that come back, as model names do: a new one with probability
    (theta + d K) / (theta + n) after n coined tokens of K distinct words, else a past token
    (a word used often is likelier to be used again). K grows as n ** d."""

    def __init__(self, vocabulary: list[str]):
        self.vocabulary = vocabulary
        self.tokens: list[str] = []
        self.distinct = 0

    def word(self, rng: random.Random) -> str:
        n = len(self.tokens)
        fresh = (HEAPS_CONCENTRATION + HEAPS_DISCOUNT * self.distinct) / (HEAPS_CONCENTRATION + n)
        if rng.random() < fresh:
            word = coin_word(rng, self.vocabulary)
            self.distinct += 1
        else:
            word = rng.choice(self.tokens)
        self.tokens.append(word)
        return word


def coin_word(rng: random.Random, vocabulary: list[str]) -> str:
    """A new word spliced from two real ones (like `SpeedUpNet`, `DyVTE`)."""
    first, second = rng.choice(vocabulary), rng.choice(vocabulary)
    first = re.sub(r"\W", "", first)[: rng.randint(2, 6)]
    second = re.sub(r"\W", "", second)[-rng.randint(2, 5) :]
    word = (first + second) or "Net"
    return word.upper() if rng.random() < 0.3 else word[:1].upper() + word[1:]


class Generator:
    def __init__(self, seed: int = 42, paths: list[Path] | None = None, vocabulary: str = "linear"):
        if paths is None:
            paths = [p for d in training_dirs() for p in sorted(d.glob("*.txt"))]
        pairs = read_pairs(paths)
        if not pairs:
            raise SystemExit("no training dumps found (set TRIAGE_DUMPS)")
        self.titles = BigramText([title for title, _ in pairs])
        self.abstracts = BigramText([abstract for _, abstract in pairs])
        self.seed = seed
        if vocabulary not in VOCABULARIES:
            raise ValueError(f"vocabulary: one of {', '.join(VOCABULARIES)}")
        self.vocabulary = vocabulary

    def papers(self, n: int) -> Iterator[tuple[str, str]]:
        rng = random.Random(self.seed)
        coined = None
        if self.vocabulary == "heaps":  # one pool: titles name the models abstracts describe
            coined = ReusedCoinage(self.titles.vocabulary + self.abstracts.vocabulary)
        seen: set[str] = set()
        while len(seen) < n:
            title = self.titles.generate(rng, coined)
            if title.casefold() in seen:
                continue
            seen.add(title.casefold())
            yield title, self.abstracts.generate(rng, coined)

    def days(self, n: int) -> Iterator[tuple[dt.date, list[tuple[str, str]]]]:
        """Papers grouped into daily lists, oldest day first."""
        day, batch = START_DAY, []
        for paper in self.papers(n):
            batch.append(paper)
            if len(batch) == PAPERS_PER_DAY:
                yield day, batch
                day, batch = day + dt.timedelta(days=1), []
        if batch:
            yield day, batch


def render_dump(day: dt.date, papers: list[tuple[str, str]]) -> str:
    lines = [*HEADER, f"{day:%b} {day.day}, {day.year}"]
    for title, abstract in papers:
        lines += [title, abstract]
    return "\n\n".join(lines) + "\n"


def write_dumps(n: int, out: Path, seed: int = 42, vocabulary: str = "linear") -> list[Path]:
    """One file per day, written as generated (1M papers never sit in memory at once)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for day, papers in Generator(seed, vocabulary=vocabulary).days(n):
        path = out / f"daily-{day.isoformat()}.txt"
        path.write_text(render_dump(day, papers), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--vocabulary",
        choices=VOCABULARIES,
        default="linear",
        help="how coined words grow the vocabulary (see the module docstring)",
    )
    args = parser.parse_args()
    paths = write_dumps(args.n, args.out, args.seed, args.vocabulary)
    print(f"{len(paths)} dumps with {args.n} papers in {args.out}")


if __name__ == "__main__":
    main()
