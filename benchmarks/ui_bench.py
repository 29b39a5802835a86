"""UI benchmark: the real app, headless, driven by Textual's Pilot, on N synthetic papers.

Measures (issue 4 targets at 100,000 papers): launch to first rows painted (<= 1 s), keystroke in
the filter to list updated (p95 <= 50 ms), triage key to the next paper shown (p95 <= 50 ms),
peak RSS (<= 300 MB).

    python benchmarks/ui_bench.py --n 100000 [--work /tmp/triage-ui-bench]

The DB (dumps from benchmarks/generate.py, imported with the importer) and its search index
are built once under --work and reused. The measuring runs in a fresh child process, so its
peak RSS is the app's, not the preparation's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SESSIONS = [
    "diffusion",
    "language model",
    "video generation",
    "tag:to-read",
    "is:starred -video",
    "transformer attention",
]
TRIAGE_PRESSES = 60


def prepare(n: int, work: Path) -> Path:
    db = work / f"ui-{n}.db"
    if db.exists():
        return db
    from triage.importer import import_paths
    from triage.search import SearchIndex
    from triage.store import Store

    dumps = work / f"dumps-{n}"
    if not any(dumps.glob("*.txt")):
        started = time.perf_counter()
        write_dumps(n, dumps)
        print(f"generated {n:,} papers in {time.perf_counter() - started:.1f} s", flush=True)
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    with Store(partial) as store:
        import_paths(store, [dumps])
        ids = store.ids_newest_first()
        # Some user data, so is:starred and tag: have something to find.
        store.mark(ids[::50], star=True)
        store.mark(ids[::37], add_tags=["to-read"])
    print(f"imported in {time.perf_counter() - started:.1f} s", flush=True)
    partial.replace(db)
    started = time.perf_counter()
    SearchIndex.open(db).close()
    print(f"search index built in {time.perf_counter() - started:.1f} s", flush=True)
    return db


def write_dumps(n: int, out: Path) -> None:
    """generate.py's dumps, trained only on dumps that are UTF-8 (the samples include others)."""
    sys.path.insert(0, str(HERE))
    import generate

    def utf8(path: Path) -> bool:
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return False
        return True

    training = [p for d in generate.training_dirs() for p in sorted(d.glob("*.txt")) if utf8(p)]
    out.mkdir(parents=True, exist_ok=True)
    for day, papers in generate.Generator(42, training).days(n):
        (out / f"daily-{day.isoformat()}.txt").write_text(
            generate.render_dump(day, papers), encoding="utf-8"
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def painted_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def measure(db: Path) -> dict:
    from triage.app import TriageApp

    figures: dict = {}
    started = time.perf_counter()
    app = TriageApp(db)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        while not main.papers.ids:
            await pilot.pause(0.005)
        first = main.papers.paper(main.papers.ids[0])
        while first.title[:40] not in painted_text(app):
            await pilot.pause(0.005)
        figures["launch_to_first_rows_s"] = round(time.perf_counter() - started, 3)
        figures["papers"] = app.store.count()

        async def list_updated() -> None:
            while main.shown_generation != main.generation:
                await pilot.pause(0.001)

        await app.workers.wait_for_complete()  # the index is open before typing starts
        # Pilot's own cost of a key press (a key nothing is bound to), to read the rest against.
        idle = []
        for _ in range(30):
            began = time.perf_counter()
            await pilot.press("f12")
            idle.append(time.perf_counter() - began)
        figures["pilot_press_baseline"] = summary(idle)
        keystrokes = []
        await pilot.press("slash")
        for session in SESSIONS:
            main.filter_input.value = ""
            await list_updated()
            for character in session:
                began = time.perf_counter()
                await pilot.press("space" if character == " " else character)
                await list_updated()
                keystrokes.append(time.perf_counter() - began)
        figures["keystroke_to_list_updated"] = summary(keystrokes)

        await pilot.press("escape")
        main.filter_input.value = "state:inbox "
        await list_updated()
        main.papers.focus()
        await pilot.press("g")
        next_shown = []
        for _ in range(TRIAGE_PRESSES):
            expected = main.papers.ids[main.papers.cursor + 1]
            began = time.perf_counter()
            await pilot.press("d")
            if main.papers.highlighted_id != expected:
                print(f"press {len(next_shown)}: cursor on {main.papers.highlighted_id}, "
                      f"expected {expected}; focus {app.focused}", file=sys.stderr)
            await list_updated()  # the paper has left the Inbox list too
            next_shown.append(time.perf_counter() - began)
        figures["triage_key_to_next_paper_shown"] = summary(next_shown)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/triage-ui-bench"))
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure))))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TRIAGE_CACHE_DIR", str(args.work / "cache"))
    os.environ.setdefault("TRIAGE_CONFIG_DIR", str(args.work / "config"))
    db = prepare(args.n, args.work)  # each run marks 60 inbox papers read: fine for timing
    child = subprocess.run(
        [sys.executable, __file__, "--measure", str(db)],
        stdout=subprocess.PIPE, text=True, env=os.environ,
    )
    if child.returncode:
        raise SystemExit(f"the measuring run failed (exit {child.returncode}), see above")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
