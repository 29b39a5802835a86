"""`triage list QUERY` as a process, as a user runs it: wall time from start to exit (the
interpreter's start and every import included) and CPU time, on the scale benchmarks'
libraries (made and cached by typing_bench.py; see bench_library.py).

    flock /tmp/triage-bench.lock python benchmarks/list_bench.py --n 100000 --n 1000000

Each query runs once first (it catches the index up with anything changed since; not
counted), then ``--runs`` times. The wall time is taken by waiting for the child's exit: the
scale benchmarks' children are polled every 20 ms for their peak RSS, which rounded a
~150 ms listing up by up to a poll and a look at every process's memory (~25 ms here).
Compile the .pyc first when PYTHONDONTWRITEBYTECODE is set.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_library import DEFAULT_WORK, ROOT, Library

QUERIES = ["reinforcement learning", "is:starred", "diffusion sort:title"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def spread_ms(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:.0f} ms "
        f"({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"
    )


def run(library: Library, argv: list[str]) -> tuple[float, float, str]:
    """``python -m triage ARGV`` on the library: wall and CPU seconds, and its output."""
    command, env = [sys.executable, "-m", "triage", *argv], library.env()
    before = children_cpu()
    started = time.perf_counter()
    try:
        child = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
    except subprocess.CalledProcessError as error:
        raise SystemExit(
            f"{' '.join(argv)} failed ({error.returncode}):\n{error.stderr[-3000:]}"
        ) from None
    seconds = time.perf_counter() - started
    return seconds, children_cpu() - before, child.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, action="append", required=True)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--query", action="append", help=f"default: {QUERIES}")
    args = parser.parse_args()
    for n in args.n:
        library = Library(n, args.work)
        if not library.ready.exists():
            raise SystemExit(f"no library of {n:,} papers in {args.work}: run typing_bench.py")
        for query in args.query or QUERIES:
            listing = ["--db", str(library.db), "list", *query.split()]
            lines = run(library, listing)[2].count("\n")
            walls, cpus = [], []
            for _ in range(args.runs):
                wall, cpu, _ = run(library, listing)
                walls.append(wall)
                cpus.append(cpu)
            print(
                f"{n:>9,}  `triage list {query}` ({lines:,} lines), {args.runs} runs, "
                f"median (min-max): wall {spread_ms(walls)}, CPU {spread_ms(cpus)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
