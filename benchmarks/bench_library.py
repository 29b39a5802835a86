"""The libraries the scale benchmarks share: generated dumps, an imported and annotated DB and
its index, cached under a work dir keyed by N and the generator's version, and fresh child
processes that report their own figures (time, peak RSS).

Layout: ``WORK/GENERATOR_VERSION/n<N>/`` holds ``dumps/``, ``corpus.json``, ``triage.db``,
``cache/`` and ``data/`` (the TRIAGE_* dirs every child uses) and ``fts5.db``. Nothing here
is held whole in memory: dumps are written day by day by a child, the store is filled by the
importer, file by file.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

VOCABULARY = "heaps"  # generate.py's realistic vocabulary growth (see its docstring)
GENERATOR_VERSION = f"gen1-{VOCABULARY}"  # bump when generate.py's output changes
DEFAULT_WORK = Path("/tmp/triage-bench-bench")
_WORD = re.compile(r"\w+")

# A child process runs this before the code it measures, and writes its own peak RSS (VmHWM:
# unlike ru_maxrss of a child, it does not count the parent's pages at fork) when it exits.
_PEAK_ON_EXIT = (
    "import atexit, os, sys\n"
    "def _peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            open(os.environ['BENCH_PEAK_FILE'], 'w').write(line.split()[1])\n"
    "atexit.register(_peak)\n"
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def spread(values: list[float]) -> tuple[float, float, float]:
    """median, p95, max"""
    return statistics.median(values), percentile(values, 0.95), max(values)


def resident_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


@dataclass
class Run:
    """A finished child process: wall time, its own peak RSS, the peak of its RSS and its own
    children's together (sampled every 20 ms: an import parses, and a build splits words, in a
    second process), its last stdout line as JSON."""

    seconds: float
    peak_mb: float
    tree_peak_mb: float
    stdout: str
    stderr: str

    @property
    def figures(self) -> dict:
        lines = self.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else {}


def tree_rss_mb(pid: int) -> float:
    """The RSS of a process and all its descendants now, in MB (0 for those already gone)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(parent, []).append(int(entry))
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        pending.extend(parents.get(current, []))
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, IndexError, ValueError):
            continue
    return total


class Library:
    """One N: where its files are, and the environment its children run in."""

    def __init__(self, n: int, work: Path):
        self.n = n
        self.dir = work / GENERATOR_VERSION / f"n{n}"
        self.dumps = self.dir / "dumps"
        self.db = self.dir / "triage.db"
        self.fts5 = self.dir / "fts5.db"
        self.dir.mkdir(parents=True, exist_ok=True)

    def env(self, root: Path | None = None) -> dict[str, str]:
        """The environment of a triage process on this library (``root``: a scratch copy's)."""
        root = root or self.dir
        env = os.environ.copy()
        for name, sub in [("CACHE", "cache"), ("DATA", "data"), ("STATE", "state")]:
            env[f"TRIAGE_{name}_DIR"] = str(root / sub)
        env["TRIAGE_CONFIG_DIR"] = str(root / "config")
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        return env

    def use_here(self) -> None:
        """This process works on this library too (the FTS5 build, the outside marks)."""
        os.environ.update({k: v for k, v in self.env().items() if k.startswith("TRIAGE_")})

    # -- children -----------------------------------------------------------------------------

    def run(self, argv: list[str], *, root: Path | None = None, check: bool = True) -> Run:
        """A fresh process: ``argv`` after ``python``, timed from start to exit."""
        peak_file = (root or self.dir) / f".peak-{os.getpid()}"
        env = self.env(root)
        env["BENCH_PEAK_FILE"] = str(peak_file)
        command = [sys.executable, "-c", _PEAK_ON_EXIT + _RUN_ARGV, *argv]
        started = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
        )
        tree_peak = 0.0
        with ThreadPoolExecutor(2) as readers:  # pipes drained meanwhile: a full one would block
            stdout, stderr = readers.submit(child.stdout.read), readers.submit(child.stderr.read)
            while child.poll() is None:
                tree_peak = max(tree_peak, tree_rss_mb(child.pid))
                time.sleep(0.02)
            out, err = stdout.result(), stderr.result()
        seconds = time.perf_counter() - started
        if check and child.returncode:
            raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n{err[-3000:]}")
        try:
            peak = int(peak_file.read_text()) / 1024
            peak_file.unlink()
        except (OSError, ValueError):
            peak = float("nan")
        return Run(seconds, peak, max(tree_peak, peak), out, err)

    def bench(self, part: str, *args: str) -> Run:
        """A child of typing_bench.py measuring ``part`` on this library."""
        return self.run(
            [str(HERE / "typing_bench.py"), "--child", part, "--db", str(self.db), *args]
        )

    # -- the corpus -----------------------------------------------------------------------------

    def ensure_dumps(self) -> dict:
        """Generate the dumps (in a child: day by day) once; returns the corpus figures."""
        stats_file = self.dir / "corpus.json"  # not among the dumps: `triage import` reads *.json
        if not stats_file.exists():
            shutil.rmtree(self.dumps, ignore_errors=True)
            generate = [str(HERE / "generate.py"), "--n", str(self.n), "--out", str(self.dumps)]
            run = self.run([*generate, "--vocabulary", VOCABULARY])
            started = time.perf_counter()
            figures = corpus_figures(self.dumps)
            figures["generate s"] = run.seconds
            figures["generate peak MB"] = run.peak_mb
            figures["count s"] = time.perf_counter() - started
            stats_file.write_text(json.dumps(figures))
        return json.loads(stats_file.read_text())

    def vocabulary_sample(self, files: int = 40) -> tuple[Counter[str], Counter[str]]:
        """Word counts over a spread of dump files, in all text and in titles (for the long
        session's queries)."""
        paths = sorted(self.dumps.glob("*.txt"))
        words: Counter[str] = Counter()
        title_words: Counter[str] = Counter()
        for path in paths[:: max(1, len(paths) // files)]:
            paragraphs = path.read_text(encoding="utf-8").casefold().split("\n\n")[6:]
            for number, paragraph in enumerate(paragraphs):
                found = [word for word in _WORD.findall(paragraph) if len(word) > 2]
                words.update(found)
                if number % 2 == 0:
                    title_words.update(found)
        return words, title_words

    # -- the DB -----------------------------------------------------------------------------------

    @property
    def ready(self) -> Path:
        return self.dir / ".db-ready"

    def ensure_db(self) -> None:
        """Import and annotate the library once, and bring its index up to date."""
        if not self.ready.exists():
            self.db.unlink(missing_ok=True)
            shutil.rmtree(self.dir / "cache", ignore_errors=True)
            print(f"  importing {self.n:,} papers (once) ...", flush=True)
            self.run(["-m", "triage", "--db", str(self.db), "import", str(self.dumps)])
            self.annotate()
        run = self.run(
            [
                "-c",
                f"from triage.search import SearchIndex; SearchIndex.open({str(self.db)!r}).close()",
            ]
        )
        if run.seconds > 2:
            print(f"  search index built or caught up: {run.seconds:.1f} s (not a figure)")

    def annotate(self) -> None:
        """A plausible user's marks: some stars, tags, notes and states (as search_bench)."""
        self.run([str(HERE / "typing_bench.py"), "--child", "annotate", "--db", str(self.db)])
        self.ready.write_text("")


def annotate_store(db: Path) -> None:
    from benchmarks.search_bench import annotate
    from triage.store import Store

    with Store(db) as store:
        annotate(store, random.Random(7))


def corpus_figures(dumps: Path) -> dict:
    """Papers, the mean abstract length in words and the distinct words (case folded \\w+ over
    titles and abstracts), read from the generated files (their layout: header, date, then
    title and abstract paragraphs)."""
    papers, abstract_words = 0, 0
    distinct: set[str] = set()
    for path in sorted(dumps.glob("*.txt")):
        paragraphs = path.read_text(encoding="utf-8").split("\n\n")[6:]
        for title, abstract in zip(paragraphs[0::2], paragraphs[1::2]):
            papers += 1
            abstract_words += len(abstract.split())
            distinct.update(_WORD.findall(title.casefold()))
            distinct.update(_WORD.findall(abstract.casefold()))
    return {
        "papers": papers,
        "abstract words": abstract_words / max(1, papers),
        "distinct words": len(distinct),
    }


_RUN_ARGV = (
    "import runpy\n"
    "sys.argv = sys.argv[1:]\n"
    "if sys.argv[0] == '-m':\n"
    "    sys.argv = sys.argv[1:]\n"
    "    runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
    "elif sys.argv[0] == '-c':\n"
    "    code = sys.argv[1]\n"
    "    sys.argv = ['-c', *sys.argv[2:]]\n"
    "    exec(compile(code, '<bench>', 'exec'), {'__name__': '__main__'})\n"
    "else:\n"
    "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
)
