"""Sync through a shared file: how long a publish and a merge take, at N papers.

Two machines share one library. The laptop publishes its working copy (first to an empty
folder, then after a handful of marks); the desktop, holding yesterday's copy, merges the
laptop's file in. Each figure is the median of a few runs, with the worst in brackets.

Usage: python benchmarks/sync_bench.py --n 10000 --n 100000   (run on demand, not in CI)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.search_bench import annotate, dumps_for
from triage.importers.dump import import_paths
from triage.store import Store
from triage.sync.shared import SharedFile

RUNS = 3


def library(n: int, work: Path) -> Path:
    """An annotated library of ``n`` papers, built once and kept in ``work``."""
    db = work / f"sync-{n}.db"
    if not db.exists():
        building = db.with_suffix(".building")
        building.unlink(missing_ok=True)
        with Store(building) as store:
            import_paths(store, dumps_for(n, work))
            annotate(store, random.Random(7))
        os.replace(building, db)
    return db


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def summary(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f} ms (worst {max(seconds) * 1000:.0f})"


def run(n: int, work: Path) -> None:
    print(f"\n=== N = {n:,} ===")
    base = work / f"sync-run-{n}"
    shutil.rmtree(base, ignore_errors=True)
    (base / "Sync").mkdir(parents=True)
    shared = base / "Sync" / "triage.db"
    laptop_db, desktop_db = base / "laptop.db", base / "desktop.db"
    shutil.copy(library(n, work), laptop_db)
    print(f"working copy: {laptop_db.stat().st_size / 1e6:.0f} MB")
    os.environ["TRIAGE_DATA_DIR"] = str(base / "data")

    first, again, merges = [], [], []
    rng = random.Random(3)
    with Store(laptop_db) as laptop:
        sync = SharedFile(laptop, machine="laptop")
        first.append(timed(lambda: sync.attach(shared)))
        shutil.copy(shared, desktop_db)  # the desktop joined yesterday
        with Store(desktop_db) as desktop:
            desktop_sync = SharedFile(desktop, machine="desktop")
            desktop_sync.attach(shared)
            ids = laptop.ids_newest_first()
            for _ in range(RUNS):
                laptop.mark(rng.sample(ids, 10), star=True, add_tags=["bench"])
                again.append(timed(sync.sync))
                merges.append(timed(desktop_sync.sync))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"publish to an empty folder: {summary(first)}")
    print(f"publish after 10 marks (merge check + snapshot + fsync + rename): {summary(again)}")
    print(f"merge the other machine's publish (copy + check + merge): {summary(merges)}")
    print(f"peak RSS of this process: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="papers (repeatable)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/triage-bench"))
    args = parser.parse_args()
    for n in args.n or [10_000]:
        run(n, args.work)


if __name__ == "__main__":
    main()
