"""Search at scale, as a user meets it: every keystroke of realistic queries (with SQLite FTS5
and a prefix index in the same run), the import, a long session's memory, changes made by
another process, and the export, at N papers.

    flock /tmp/triage-bench.lock python benchmarks/typing_bench.py --n 10000 --n 100000 \\
        [--only typing,import,memory,outside,export] [--runs 3] [--work /tmp/triage-bench-bench]

Each figure comes from a fresh process (see ``bench_library``). The typing part times, for
every keystroke (every prefix of each query), what the UI needs: ``search(q)``, then the total
and the first 200 ids; first in a freshly opened index, then the same keystrokes again. The
index is warmed up beside the typing, as the app does once it has opened it. The cold part
drops the library (the index and the DB; FTS5's DB) from the page cache before each process,
as after a reboot (Linux), and types its first pass at a fast typist's pace
(``TYPIST_GAP``), as the warm-up works between keystrokes. Never run by pytest.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import fts5_reference, session_bench
from benchmarks.bench_library import DEFAULT_WORK, Library, resident_mb, spread

FIRST_PAGE = 200
# (kind, query): each typed a character at a time. The corpus's days start on 2023-01-02
# (100 papers a day), so these dates find papers at every N.
QUERIES = [
    ("word", "diffusion"),
    ("word", "reinforcement learning"),
    ("word", "video generation"),
    ("prefix", "e"),
    ("prefix", "la"),
    ("prefix", "gen"),
    ("prefix", "tran"),
    ("phrase", '"neural network"'),
    ("phrase", '"large language model"'),
    ("hyphen", "zero-shot"),
    ("hyphen", "text-to-image"),
    ("field", "title:diffusion"),
    ("field", "tag:to-read"),
    ("field", "state:reading transformer"),
    ("field", "is:starred video"),
    ("date", "listed:2023-02 diffusion"),
    ("date", "listed:>2023-03-01"),
    ("negation", "diffusion -video"),
    ("negation", "learning -reinforcement"),
    ("typo", "difusion"),
    ("typo", "transfromer"),
    ("typo", "langauge model"),
]
KINDS = list(dict.fromkeys(kind for kind, _ in QUERIES))
PARTS = ["import", "typing", "cold", "memory", "outside", "export"]
TYPIST_GAP = 0.1  # seconds from one keystroke to the next in the cold part (10 keys a second)


def keystrokes() -> list[tuple[str, str]]:
    """(kind, the query after the keystroke) for every keystroke of every query."""
    return [(kind, text[:end]) for kind, text in QUERIES for end in range(1, len(text) + 1)]


# -- children: each measures in its own fresh process ----------------------------------------------


def typing_child(db: Path, cold: bool) -> dict:
    if cold:  # (imported only then: the import of triage.search below is timed)
        from triage.core.paths import cache_dir_for

        drop_from_page_cache(db, cache_dir_for(db, "index"))
    started = time.perf_counter()
    from triage.search import SearchIndex

    imported = time.perf_counter() - started
    started = time.perf_counter()
    index = SearchIndex.open(db)
    opened = time.perf_counter() - started
    turns = threading.Lock()  # as the app: warmed up once open, taking turns with searches
    threading.Thread(target=index.warm_up, args=(lambda: False, turns), daemon=True).start()
    figures: dict = {"import ms": imported * 1000, "open ms": opened * 1000}
    figures["open RSS MB"] = resident_mb()

    def answer(query: str) -> int:
        with turns:
            result = index.search(query)
            total = result.total
            list(result.ids[:FIRST_PAGE])
        return total

    figures["first"], figures["totals"] = timed_keystrokes(answer, TYPIST_GAP if cold else 0)
    figures["again"], _ = timed_keystrokes(answer)
    figures["RSS MB"] = resident_mb()
    index.close()
    return figures


def fts5_child(path: Path, cold: bool) -> dict:
    if cold:
        drop_from_page_cache(path)
    fts = fts5_reference.Fts5(path)
    figures: dict = {}
    gap = TYPIST_GAP if cold else 0
    figures["first"], figures["totals"] = timed_keystrokes(lambda q: fts.search(q)[0], gap)
    figures["again"], _ = timed_keystrokes(lambda q: fts.search(q)[0])
    return figures


def drop_from_page_cache(*roots: Path) -> None:
    """As after a reboot: the files' pages leave the page cache (Linux; not the .pyc)."""
    for root in roots:
        for path in root.rglob("*") if root.is_dir() else root.parent.glob(f"{root.name}*"):
            if path.is_file():
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)


def timed_keystrokes(answer, gap: float = 0) -> tuple[list[float], list[int]]:
    """Each keystroke's answer timed, ``gap`` seconds after the one before."""
    latencies, totals = [], []
    for _, query in keystrokes():
        started = time.perf_counter()
        total = answer(query)
        latencies.append((time.perf_counter() - started) * 1000)
        totals.append(total)
        time.sleep(gap)
    return latencies, totals


# -- the typing part ------------------------------------------------------------------------------


def typing_part(library: Library, runs: int, cold: bool = False) -> dict:
    if not library.fts5.exists():
        seconds = fts5_reference.build(library.db, library.fts5)
        print(
            f"  FTS5 (prefix='1 2 3') built in {seconds:.1f} s, "
            f"{library.fts5.stat().st_size / 1e6:.0f} MB (once)"
        )
    flags = ["--cold"] if cold else []
    ours = [library.bench("typing", *flags).figures for _ in range(runs)]
    theirs = [
        library.bench("fts5", "--fts5", str(library.fts5), *flags).figures for _ in range(runs)
    ]
    if cold:
        print(
            "  each process's library dropped from the page cache first, as after a reboot; "
            f"the first pass typed a key every {TYPIST_GAP * 1000:.0f} ms"
        )
    strokes = keystrokes()
    print(
        f"  {len(QUERIES)} queries, {len(strokes)} keystrokes, {runs} fresh process(es) each; "
        f"import triage.search {fmt(r['import ms'] for r in ours)} ms, "
        f"open {fmt(r['open ms'] for r in ours)} ms, RSS after open "
        f"{fmt(r['open RSS MB'] for r in ours)} MB, after typing {fmt(r['RSS MB'] for r in ours)} MB"
    )
    print(
        f"  {'ms: median / p95 / max':<24} {'keys':>5}  {'triage':>22}  {'FTS5 + prefix index':>22}"
        f"  {'triage / FTS5':>20}"
    )
    figures = {}
    for kind in [*KINDS, "all"]:
        positions = [i for i, (k, _) in enumerate(strokes) if kind in (k, "all")]
        mine = [run["first"][i] for run in ours for i in positions]
        reference = [run["first"][i] for run in theirs for i in positions]
        figures[kind] = {"triage": spread(mine), "fts5": spread(reference)}
        print(f"  {kind + ', first time':<24} {len(positions):>5}  {row(mine, reference)}")
    again = [value for run in ours for value in run["again"]]
    again_reference = [value for run in theirs for value in run["again"]]
    figures["again"] = {"triage": spread(again), "fts5": spread(again_reference)}
    print(f"  {'all, again':<24} {len(strokes):>5}  {row(again, again_reference)}")
    if runs > 1:
        print(
            f"  max per run: triage {fmt(max(r['first']) for r in ours)}, "
            f"FTS5 {fmt(max(r['first']) for r in theirs)} ms"
        )
    worst = sorted(range(len(strokes)), key=lambda i: -max(r["first"][i] for r in ours))[:8]
    print(
        "  slowest:",
        ", ".join(
            f"{strokes[i][1]!r} {max(r['first'][i] for r in ours):.0f} ms"
            f" (FTS5 {max(r['first'][i] for r in theirs):.0f})"
            for i in worst
        ),
    )
    empty = [
        (strokes[i][1], theirs[0]["totals"][i])
        for i in range(len(strokes))
        if ours[0]["totals"][i] == 0 and theirs[0]["totals"][i] > 0
    ]
    print(
        f"  keystrokes where triage finds nothing and FTS5 finds papers: {len(empty)}"
        + (": " + ", ".join(f"{q!r} ({n})" for q, n in empty[:12]) if empty else "")
    )
    return figures


def row(mine: list[float], reference: list[float]) -> str:
    a, b = spread(mine), spread(reference)
    ratios = " / ".join(f"{x / y:.2f}" if y else "-" for x, y in zip(a, b))
    return (
        f"{a[0]:6.1f} / {a[1]:6.1f} / {a[2]:6.0f}  {b[0]:6.1f} / {b[1]:6.1f} / {b[2]:6.0f}"
        f"  {ratios:>20}"
    )


def fmt(values) -> str:
    values = list(values)
    return "-".join(f"{v:.0f}" for v in sorted({min(values), max(values)}))


# -- the run ----------------------------------------------------------------------------------------


def run(n: int, work: Path, parts: list[str], runs: int, queries: int) -> dict:
    print(f"\n=== N = {n:,} === ({time.strftime('%Y-%m-%d %H:%M:%S')})", flush=True)
    library = Library(n, work)
    corpus = library.ensure_dumps()
    print(
        f"  corpus: {corpus['papers']:,} papers, {corpus['abstract words']:.0f} words an abstract,"
        f" {corpus['distinct words']:,} distinct words (generated in {corpus['generate s']:.0f} s,"
        f" peak {corpus['generate peak MB']:.0f} MB)",
        flush=True,
    )
    figures: dict = {"corpus": corpus}
    if "import" in parts:
        print("-- import", flush=True)
        figures["import"] = session_bench.import_part(library)
    if not parts:  # --only corpus: the dumps and their figures alone
        return figures
    library.ensure_db()
    library.use_here()
    for part in (part for part in parts if part != "import"):
        started = time.perf_counter()
        print(f"-- {part}", flush=True)
        if part in ("typing", "cold"):
            figures[part] = typing_part(library, runs, cold=part == "cold")
        elif part == "memory":
            figures[part] = session_bench.memory_part(library, queries)
        elif part == "outside":
            figures[part] = session_bench.outside_part(library)
        elif part == "export":
            figures[part] = session_bench.export_part(library)
        print(f"  ({part}: {time.perf_counter() - started:.0f} s)", flush=True)
    return figures


def growth(results: dict[int, dict]) -> None:
    """How each cost grows: log(t_big / t_small) / log(big / small) between the sizes run."""
    sizes = sorted(results)
    if len(sizes) < 2:
        return
    print("\n=== growth exponents (1: linear) ===")
    for small, big in itertools.pairwise(sizes):
        a, b = flatten(results[small]), flatten(results[big])
        scale = math.log(big / small)
        print(f"  {small:,} -> {big:,}:")
        for name in a:
            if name in b and a[name] > 0 and b[name] > 0:
                print(
                    f"    {name:<44} {a[name]:10.1f} -> {b[name]:10.1f}  "
                    f"exponent {math.log(b[name] / a[name]) / scale:5.2f}"
                )


def flatten(figures: dict, prefix: str = "") -> dict[str, float]:
    flat: dict[str, float] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + " "))
        elif isinstance(value, tuple | list) and len(value) == 3:
            for label, number in zip(("median", "p95", "max"), value):
                flat[f"{name} {label}"] = number
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[name] = value
    return flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="papers (repeatable)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"parts: {','.join(PARTS)} (corpus: none of them)"
    )
    parser.add_argument("--runs", type=int, default=1, help="fresh processes per typing run")
    parser.add_argument("--queries", type=int, default=60_000, help="long session's queries")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--fts5", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    parts = [part for part in PARTS if part in args.only.split(",")]
    results = {n: run(n, args.work, parts, args.runs, args.queries) for n in args.n or [10_000]}
    growth(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


def child(args: argparse.Namespace) -> dict:
    if args.child == "typing":
        return typing_child(args.db, args.cold)
    if args.child == "fts5":
        return fts5_child(args.fts5, args.cold)
    return session_bench.child(args.child, args.db, args.queries)


if __name__ == "__main__":
    main()
