"""Search speed at N papers: import, index size, per-keystroke latency, mark -> visible, open,
and the index's memory.

For every keystroke of a few as-you-type sessions it times the full answer the UI needs
(the total and the first 200 ids in display order), then runs the same queries on SQLite FTS5
over the same data as the reference for what this machine can do. Memory is measured in a
fresh process (this one has built the library): resident set size after the imports, after
opening the index, and its peak while typing the sessions for the first time.

Usage: python benchmarks/search_bench.py --n 10000 [--n 100000] [--work /tmp/triage-bench]
(``TRIAGE_WHOOSH_FAST=0`` in the environment: the fallback without Whoosh's internals.)
Never run by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import fts5_reference
from benchmarks.generate import write_dumps
from triage.core.paths import cache_dir_for
from triage.importers.dump import import_paths
from triage.store import STATES, Store

FIRST_PAGE = 200
TYPED = [
    "diffusion tag:to-read",
    "is:starred -video",
    "language model",
    '"large language"',
    "state:reading transformer",
    "robust -adversarial sort:title",
]
TARGETS = {"keystroke p95": 30, "import": 60, "mark visible": 100, "open": 200, "open RSS": 120}


def sessions() -> list[list[str]]:
    """Each session: the query after every keystroke."""
    return [[text[:end] for end in range(1, len(text) + 1)] for text in TYPED]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return seconds * 1000


def dumps_for(n: int, work: Path) -> list[Path]:
    folder = work / f"dumps-{n}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        write_dumps(n, folder)
        (folder / ".complete").write_text("")
    return sorted(folder.glob("*.txt"))


def annotate(store: Store, rng: random.Random) -> None:
    """A plausible user's marks: some stars, tags, notes and states."""
    ids = store.ids_newest_first()
    sample = lambda share: rng.sample(ids, max(1, int(len(ids) * share)))  # noqa: E731
    store.mark(sample(0.03), star=True)
    store.mark(sample(0.02), add_tags=["to-read"])
    store.mark(sample(0.01), add_tags=["survey"])
    for state in STATES[1:]:
        store.mark(sample(0.05), state=state)
    with store.write():
        for paper in sample(0.01):
            store.mark([paper], note=f"worth a look {rng.choice(['soon', 'later', 'again'])}")


def time_sessions(search) -> list[float]:
    """Latency (ms) of every keystroke: search, count, first page of ids in order."""
    latencies = []
    for session in sessions():
        for query in session:
            started = time.perf_counter()
            search(query)
            latencies.append(ms(time.perf_counter() - started))
    return latencies


def summary(latencies: list[float]) -> str:
    return (
        f"median {statistics.median(latencies):6.1f} ms   p95 {percentile(latencies, 0.95):6.1f} ms"
        f"   max {max(latencies):6.1f} ms"
    )


# -- memory ---------------------------------------------------------------------------------------


def resident_mb(field: str = "VmRSS") -> float:
    """This process's resident set (``VmHWM``: its peak; unlike ``ru_maxrss``, it does not
    count the parent's size at fork)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory_child(db_path: Path) -> None:
    """In a fresh process: RSS after the imports, after opening, and the peak after typing."""
    from triage.search import SearchIndex

    figures = {"imports MB": resident_mb()}
    index = SearchIndex.open(db_path)
    figures["open MB"] = resident_mb()
    for session in sessions():
        for query in session:
            result = index.search(query)
            result.total, list(result.ids[:FIRST_PAGE])
    figures["typed MB"] = resident_mb()
    figures["peak MB"] = resident_mb("VmHWM")
    print(json.dumps(figures))


def measure_memory(db_path: Path) -> dict[str, float]:
    child = subprocess.run(
        [sys.executable, __file__, "--memory-of", str(db_path)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


# -- the run ----------------------------------------------------------------------------------------


def run(n: int, work: Path) -> dict:
    from triage.search import SearchIndex

    print(f"\n=== N = {n:,} ===")
    dumps = dumps_for(n, work)
    base = work / f"run-{n}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    os.environ["TRIAGE_CACHE_DIR"] = str(base / "cache")
    db_path = base / "triage.db"
    figures: dict[str, float] = {}

    started = time.perf_counter()
    with Store(db_path) as store:
        import_paths(store, dumps)
    figures["import store s"] = time.perf_counter() - started
    started = time.perf_counter()
    index = SearchIndex.open(db_path)
    figures["import index s"] = time.perf_counter() - started
    print(
        "Whoosh fast paths: on"
        if index.fast_paths
        else "Whoosh fast paths: OFF (Whoosh's own writer, postings and storage)"
    )
    index.close()
    figures["import s"] = figures["import store s"] + figures["import index s"]
    with Store(db_path) as store:
        annotate(store, random.Random(7))
    SearchIndex.open(db_path).close()  # catch up with the marks
    index_dir = cache_dir_for(db_path, "index")
    figures["index MB"] = sum(f.stat().st_size for f in index_dir.iterdir()) / 1e6
    figures["db MB"] = db_path.stat().st_size / 1e6
    print(
        f"import: store {figures['import store s']:.1f} s + index {figures['import index s']:.1f} s"
        f" = {figures['import s']:.1f} s; index {figures['index MB']:.0f} MB, DB {figures['db MB']:.0f} MB"
    )

    opens = []
    for _ in range(5):
        started = time.perf_counter()
        index = SearchIndex.open(db_path)
        opens.append(ms(time.perf_counter() - started))
        index.close()
    figures["open ms"] = statistics.median(opens)
    print(
        f"open an up-to-date index: median {figures['open ms']:.0f} ms (runs: "
        f"{', '.join(f'{value:.0f}' for value in opens)})"
    )

    memory = measure_memory(db_path)
    figures["open RSS MB"] = memory["open MB"] - memory["imports MB"]
    print(
        f"memory (fresh process): {memory['imports MB']:.0f} MB after the imports, "
        f"{memory['open MB']:.0f} MB after opening the index (+{figures['open RSS MB']:.0f} MB), "
        f"{memory['typed MB']:.0f} MB after typing the sessions once, peak {memory['peak MB']:.0f} MB"
    )

    index = SearchIndex.open(db_path)

    def ours(query: str) -> None:
        result = index.search(query)
        result.total, list(result.ids[:FIRST_PAGE])

    latencies = time_sessions(ours)
    again = time_sessions(ours)
    figures["keystroke median ms"] = statistics.median(latencies)
    figures["keystroke p95 ms"] = percentile(latencies, 0.95)
    print(f"keystrokes ({len(latencies)}, first time):  {summary(latencies)}")
    print(f"keystrokes (same sessions again): {summary(again)}")
    worst = sorted(zip(latencies, [q for s in sessions() for q in s]), reverse=True)[:5]
    print("slowest:", ", ".join(f"{query!r} {value:.0f} ms" for value, query in worst))

    with Store(db_path) as store:
        rng = random.Random(11)
        ids = store.ids_newest_first()
        marks = []
        for round_ in range(10):
            paper = rng.choice(ids)
            word = f"zqx{round_}marker"
            started = time.perf_counter()
            store.mark([paper], star=True, note=word, add_tags=["bench-mark"])
            index.papers_changed([paper])
            star_visible = paper in index.search("is:starred tag:bench-mark").ids[: FIRST_PAGE * 50]
            word_visible = list(index.search(word).ids) == [paper]
            marks.append(ms(time.perf_counter() - started))
            assert star_visible and word_visible, "a mark was not visible"
        figures["mark visible ms"] = statistics.median(marks)
        print(
            f"mark -> visible in the next query (store write included): median "
            f"{statistics.median(marks):.0f} ms, max {max(marks):.0f} ms"
        )
    started = time.perf_counter()
    index.close()
    print(f"close (commits the deferred index updates): {ms(time.perf_counter() - started):.0f} ms")

    fts_path = base / "fts5.db"
    fts_seconds = fts5_reference.build(db_path, fts_path)
    print(f"FTS5 (prefix index): build {fts_seconds:.1f} s, {fts_path.stat().st_size / 1e6:.0f} MB")
    reference = time_sessions(fts5_reference.Fts5(fts_path).search)
    print(f"FTS5 keystrokes: {summary(reference)}")
    ratio_median = figures["keystroke median ms"] / statistics.median(reference)
    ratio_p95 = figures["keystroke p95 ms"] / percentile(reference, 0.95)
    figures["fts5 median ms"] = statistics.median(reference)
    figures["fts5 p95 ms"] = percentile(reference, 0.95)
    print(f"triage / FTS5: median x{ratio_median:.2f}, p95 x{ratio_p95:.2f} (below 1: faster)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="papers (repeatable)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/triage-bench"))
    parser.add_argument("--memory-of", type=Path, help=argparse.SUPPRESS)  # the memory child
    args = parser.parse_args()
    if args.memory_of:
        memory_child(args.memory_of)
        return
    for n in args.n or [10_000]:
        figures = run(n, args.work)
        if n >= 100_000:
            print("targets at 100k:")
            for name, limit in TARGETS.items():
                value = {
                    "keystroke p95": figures["keystroke p95 ms"],
                    "import": figures["import s"],
                    "mark visible": figures["mark visible ms"],
                    "open": figures["open ms"],
                    "open RSS": figures["open RSS MB"],
                }[name]
                print(
                    f"  {name}: {value:.1f} (target {limit}) {'ok' if value <= limit else 'MISSED'}"
                )


if __name__ == "__main__":
    main()
