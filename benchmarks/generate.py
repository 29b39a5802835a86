"""Deterministic synthetic Daily Papers dumps for the benchmarks.

A word-level bigram model is trained on real dumps (``/work/shared/dumps`` or
``$TRIAGE_DUMPS``, else ``sample_dumps/``), so titles and abstracts have the
vocabulary, word frequencies and lengths of the real thing. Real libraries keep
meeting new words (model names, acronyms); a small rate of coined words makes
the vocabulary grow with N the way it does in practice, instead of saturating
at the training set's few thousand words.

Usage: python benchmarks/generate.py --n 100000 --out /tmp/dumps
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

    def generate(self, rng: random.Random) -> str:
        length = rng.choice(self.lengths)
        word = rng.choice(self.starts)
        words = [word]
        while len(words) < length:
            choices = self.next.get(word)
            word = rng.choice(choices) if choices else rng.choice(self.starts)
            words.append(
                coin_word(rng, self.vocabulary) if rng.random() < COINED_WORD_RATE else word
            )
        return " ".join(words)


def coin_word(rng: random.Random, vocabulary: list[str]) -> str:
    """A new word spliced from two real ones (like `SpeedUpNet`, `DyVTE`)."""
    first, second = rng.choice(vocabulary), rng.choice(vocabulary)
    first = re.sub(r"\W", "", first)[: rng.randint(2, 6)]
    second = re.sub(r"\W", "", second)[-rng.randint(2, 5) :]
    word = (first + second) or "Net"
    return word.upper() if rng.random() < 0.3 else word[:1].upper() + word[1:]


class Generator:
    def __init__(self, seed: int = 42, paths: list[Path] | None = None):
        if paths is None:
            paths = [p for d in training_dirs() for p in sorted(d.glob("*.txt"))]
        pairs = read_pairs(paths)
        if not pairs:
            raise SystemExit("no training dumps found (set TRIAGE_DUMPS)")
        self.titles = BigramText([title for title, _ in pairs])
        self.abstracts = BigramText([abstract for _, abstract in pairs])
        self.seed = seed

    def papers(self, n: int) -> Iterator[tuple[str, str]]:
        rng = random.Random(self.seed)
        seen: set[str] = set()
        while len(seen) < n:
            title = self.titles.generate(rng)
            if title.casefold() in seen:
                continue
            seen.add(title.casefold())
            yield title, self.abstracts.generate(rng)

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


def write_dumps(n: int, out: Path, seed: int = 42) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for day, papers in Generator(seed).days(n):
        path = out / f"daily-{day.isoformat()}.txt"
        path.write_text(render_dump(day, papers), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    paths = write_dumps(args.n, args.out, args.seed)
    print(f"{len(paths)} dumps with {args.n} papers in {args.out}")


if __name__ == "__main__":
    main()
