"""UI benchmark: the real app, headless, driven by Textual's Pilot, on N synthetic papers.

Measures (targets at 100,000 papers): launch to first rows painted (<= 1 s), keystroke in the
filter to list updated (p95 <= 50 ms), also while the app's writer is busy and while the working
copy is being published to a shared file, triage key to the next paper shown (p95 <= 50 ms),
peak RSS (<= 300 MB).

    python benchmarks/ui_bench.py --n 100000 [--work /tmp/triage-ui-bench]
    # an existing library instead (e.g. typing_bench's 1M, on a copy: a run marks papers read)
    TRIAGE_CACHE_DIR=... TRIAGE_CONFIG_DIR=... python benchmarks/ui_bench.py --db COPY/triage.db

The DB (dumps from benchmarks/generate.py, imported with the importer) and its search index
are built once under --work and reused. The measuring runs in a fresh child process, so its
peak RSS is the app's, not the preparation's.

Keys go in through Pilot; each is timed from the moment it is sent to the first frame Textual
hands to the (headless) terminal that shows its effect (see FrameLog).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


# The importer may take a generated title for an abstract and set the pair aside (4 % of the
# pairs of one earlier generation; none of the current one): generate 5 % more, so that the DB
# surely holds at least N papers (the figures say how many it holds).
SPARE_LISTINGS = 0.05


def prepare(n: int, work: Path) -> Path:
    db = work / f"ui-{n}-papers.db"
    if db.exists():
        return db
    from triage.importers.dump import import_paths
    from triage.search import SearchIndex
    from triage.store import Store

    listings = n + round(n * SPARE_LISTINGS)
    dumps = work / f"dumps-{listings}"
    if not any(dumps.glob("*.txt")):
        started = time.perf_counter()
        write_dumps(listings, dumps)
        print(
            f"generated {listings:,} listings in {time.perf_counter() - started:.1f} s", flush=True
        )
    partial = db.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    with Store(partial) as store:
        import_paths(store, [dumps])
        if store.count() < n:
            raise SystemExit(f"only {store.count():,} papers imported, {n:,} wanted")
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


def peak_resident_mb() -> float:
    """VmHWM: this process's peak (``ru_maxrss`` would also count the parent's size at fork)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


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


class FrameLog:
    """What each frame Textual hands to the terminal showed, and when.

    Pilot's own press waits for the app to go idle (two 20 ms sleeps at least), so the time a
    press call takes says little about the app. Instead each key is timed from the moment it is
    sent to the first frame that shows its effect: the app's real latency, whatever Pilot does
    afterwards.
    """

    def __init__(self, app) -> None:
        self.frames: list[tuple[float, int, str | None, str | None, int]] = []
        self._app = app
        self._detail = None
        display = app._display  # where a frame goes to the driver (headless: nowhere)

        def logged(screen, renderable) -> None:
            display(screen, renderable)
            if renderable is not None and screen is app.main:
                self.frames.append(self.state(time.perf_counter()))

        app._display = logged

    def state(self, when: float) -> tuple[float, int, str | None, str | None, int]:
        main = self._app.main
        if self._detail is None:
            self._detail = main.query_one("#detail")
        detail = self._detail.paper
        return (
            when,
            main.listing.shown_generation,
            main.papers.highlighted_id,
            detail.id if detail else None,
            len(main.papers.ids),
        )

    @staticmethod
    async def settle(main) -> None:
        """Until the newest list request is on screen."""
        while not main.listing.settled:
            await asyncio.sleep(0.001)

    async def first(self, since: float, shows) -> float:
        """Seconds from `since` to the first frame after it for which `shows(frame)` holds."""
        while True:
            for frame in self.frames:
                if frame[0] > since and shows(frame):
                    return frame[0] - since
            await asyncio.sleep(0.001)  # not pilot.pause: it would force a frame early


async def typing(pilot, main, frames: FrameLog) -> list[float]:
    """Type every session into the focused filter; the latency of each keystroke."""
    keystrokes = []
    for session in SESSIONS:
        main.filter_input.value = ""
        await frames.settle(main)
        await asyncio.sleep(0.05)  # the next session starts from a quiet app
        for character in session:
            request = main.listing.generation + 1  # the list request this keystroke makes
            began = time.perf_counter()
            await pilot.press("space" if character == " " else character)
            keystrokes.append(await frames.first(began, lambda f, request=request: f[1] >= request))
    return keystrokes


@contextmanager
def busy_writer(app) -> Iterator[None]:
    """The app's writer kept busy all along: a mark of 200 papers after another."""
    from triage.tui.writer import Job

    ids = app.session.store.ids_newest_first()[:200]
    stop = threading.Event()

    def feed() -> None:
        flag = False
        while not stop.is_set():
            flag = not flag
            app.session.writer.submit(Job("bench", lambda store, f=flag: store.mark(ids, star=f)))
            app.session.writer.wait_idle()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        yield
    finally:
        stop.set()
        feeder.join()


@contextmanager
def publishing_meanwhile(db: Path) -> Iterator[list[int]]:
    """The working copy published to a shared file again and again, as the app does it: in a
    child process (see triage.tui.shared_sync). Yields [publishes done] (filled in at the end)."""
    shared = db.parent / "Sync" / "triage.db"
    shared.parent.mkdir(exist_ok=True)
    script = (
        "import sys, pathlib\n"
        "from triage.store import Store\n"
        "from triage.sync.publish import publish, publishing\n"
        "db, shared, stop = map(pathlib.Path, sys.argv[1:])\n"
        "n = 0\n"
        "with Store(db) as store:\n"
        "    while not stop.exists():\n"
        "        with publishing(shared):\n"
        "            publish(store, shared)\n"
        "        n += 1\n"
        "print(n)\n"
    )
    stop = db.parent / "stop-publishing"
    stop.unlink(missing_ok=True)
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(db), str(shared), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    done = [0]
    try:
        yield done
    finally:
        stop.touch()
        out, _ = child.communicate()
        done[0] = int(out.strip() or 0)


async def measure(db: Path, process_started: float) -> dict:
    from triage.tui.app import TriageApp

    figures: dict = {}
    started = time.perf_counter()
    app = TriageApp(db)
    frames = FrameLog(app)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        launch = await frames.first(started, lambda frame: frame[4] > 0)
        figures["launch_to_first_rows_s"] = round(launch, 3)
        figures["process_start_to_first_rows_s"] = round(started + launch - process_started, 3)
        figures["papers"] = app.session.store.count()
        # The index opens after the first rows (catching up on the last session's marks, which
        # quitting left to it): typing starts once it is open, as the search figures assume.
        opened = time.perf_counter()
        while not (app.session.index.is_open and main.listing.settled):
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()
        figures["index_ready_after_first_rows_s"] = round(time.perf_counter() - opened, 3)

        await pilot.press("slash")
        figures["keystroke_to_list_updated"] = summary(await typing(pilot, main, frames))
        with busy_writer(app):
            busy = await typing(pilot, main, frames)
        figures["keystroke_while_the_writer_is_busy"] = summary(busy)
        with publishing_meanwhile(db) as published:
            during = await typing(pilot, main, frames)
        figures["keystroke_while_publishing"] = {**summary(during), "publishes": published[0]}

        await pilot.press("escape")
        main.filter_input.value = "state:inbox "
        await frames.settle(main)
        main.papers.focus()
        await pilot.press("g")
        next_shown, list_refilled = [], []
        for _ in range(TRIAGE_PRESSES):
            await asyncio.sleep(0.05)  # a reader glances at the next paper before the next key
            leaving = main.papers.highlighted_id
            expected = main.papers.ids[main.papers.cursor + 1]
            request = main.listing.generation + 1  # the refill this key asks for
            began = time.perf_counter()
            await pilot.press("d")
            next_shown.append(
                await frames.first(began, lambda f, paper=expected: f[2] == paper and f[3] == paper)
            )
            list_refilled.append(
                await frames.first(began, lambda f, request=request: f[1] >= request)
            )
            if leaving in main.papers.ids[: main.papers.cursor + 2]:
                raise SystemExit(f"{leaving} is still in the Inbox list after d")
        figures["triage_key_to_next_paper_shown"] = summary(next_shown)
        figures["triage_key_to_list_refilled"] = summary(list_refilled)
    figures["peak_rss_mb"] = round(peak_resident_mb(), 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/triage-ui-bench"))
    parser.add_argument("--db", type=Path, help="measure this library (its index in the cache)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        process_started = time.perf_counter() - (time.time() - args.started)
        print(json.dumps(asyncio.run(measure(args.measure, process_started))))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TRIAGE_CACHE_DIR", str(args.work / "cache"))
    os.environ.setdefault("TRIAGE_CONFIG_DIR", str(args.work / "config"))
    # each run marks 60 inbox papers read: fine for timing
    db = args.db.resolve() if args.db else prepare(args.n, args.work)
    child = subprocess.run(
        [sys.executable, __file__, "--measure", str(db), "--started", str(time.time())],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
        check=False,
    )
    if child.returncode:
        raise SystemExit(f"the measuring run failed (exit {child.returncode}), see above")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
