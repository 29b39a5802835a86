"""The parts of typing_bench.py around the keystrokes: import, a long session's memory,
changes made by another process, export. Each measures in fresh processes (the CLI as a user
runs it, or a child of typing_bench.py); see typing_bench.py for how to run them."""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.bench_library import Library, annotate_store, resident_mb, spread

FIRST_PAGE = 200
LIST_QUERY = ["reinforcement", "learning"]  # `triage list reinforcement learning`
OUTSIDE_TAG = "bench-outside"
CHECKPOINTS = (1_000, 10_000, 30_000, 60_000)
FREQUENT_WORDS = 200
REPEATED = 5  # times in the sample


def child(name: str, db: Path, queries: int) -> dict:
    if name == "annotate":
        annotate_store(db)
        return {}
    if name == "memory":
        return memory_child(db, queries)
    if name == "outside":
        return outside_child(db)
    raise SystemExit(f"unknown child {name}")


# -- import ---------------------------------------------------------------------------------------


def import_part(library: Library) -> dict:
    """`triage import` of every dump into a new DB, the first `triage list` after it, and the
    index built alone (a rebuild in its own process). Into the library's own DB the first
    time (so 1M papers are imported once), else into a scratch copy."""
    first_time = not library.ready.exists()
    root = library.dir if first_time else library.dir / "scratch-import"
    if first_time:
        library.db.unlink(missing_ok=True)
        shutil.rmtree(root / "cache", ignore_errors=True)
    else:
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
    db = root / library.db.name
    store = library.run(["-m", "triage", "--db", str(db), "import", str(library.dumps)], root=root)
    index_ready = any((root / "cache" / "index").glob("*/*"))
    listing = ["-m", "triage", "--db", str(db), "list", *LIST_QUERY]
    first_list, next_list = library.run(listing, root=root), library.run(listing, root=root)
    rebuild = library.run(
        [
            "-c",
            f"from triage.search import SearchIndex\nSearchIndex.open({str(db)!r}, rebuild=True).close()",
        ],
        root=root,
    )
    waited = first_list.seconds > next_list.seconds + 1.0
    figures = {
        "import s": store.seconds,
        "import peak MB": store.peak_mb,
        "import peak MB, with its children": store.tree_peak_mb,
        "index s": rebuild.seconds,
        "index peak MB": rebuild.peak_mb,
        "index peak MB, with its children": rebuild.tree_peak_mb,
        "first list s": first_list.seconds,
        "first list peak MB": first_list.peak_mb,
        "next list s": next_list.seconds,
    }
    print(
        f"  `triage import` (the store, then its index): {store.seconds:.1f} s, peak "
        f"{store.peak_mb:.0f} MB ({store.tree_peak_mb:.0f} MB with its children); index built "
        f"alone (rebuild): {rebuild.seconds:.1f} s, peak {rebuild.peak_mb:.0f} MB "
        f"({rebuild.tree_peak_mb:.0f} MB with its children) (so the store "
        f"~{store.seconds - rebuild.seconds:.1f} s)\n"
        f"  index ready when the import returned: {'yes' if index_ready else 'no'}; the first "
        f"`triage list {' '.join(LIST_QUERY)}` after it: {first_list.seconds:.1f} s, peak "
        f"{first_list.peak_mb:.0f} MB (the next: {next_list.seconds:.2f} s): "
        f"{'it WAITED for an index build' if waited else 'no wait for a build'}",
        flush=True,
    )
    if first_time:
        library.annotate()
    else:
        shutil.rmtree(root)
    return figures


# -- a long session's memory ------------------------------------------------------------------------


def memory_part(library: Library, queries: int) -> dict:
    words, title_words = library.vocabulary_sample()
    vocabulary = {"all": words.most_common(), "titles": title_words.most_common()}
    (library.dir / "vocabulary.json").write_text(json.dumps(vocabulary))
    figures = library.bench("memory", "--queries", str(queries)).figures
    base = figures["RSS MB"][0]
    print(
        f"  {queries:,} varied queries (words typed a letter at a time, alone, after a frequent "
        f"word, negated; frequent words in title:, after is:starred or state:), "
        f"{len(words):,} sample words; "
        f"RSS after opening {figures['open RSS MB']:.0f} MB"
    )
    for count, rss, seconds in zip(figures["after"], figures["RSS MB"], figures["seconds"]):
        print(
            f"  after {count:>6,}: {rss:6.0f} MB (x{rss / base:.2f} of the first), {seconds:.0f} s"
        )
    print(f"  queries that found nothing: {figures['empty']:,}")
    return {"RSS MB": figures["RSS MB"][-1], "ratio": figures["RSS MB"][-1] / base}


def memory_child(db: Path, count: int) -> dict:
    from triage.search import SearchIndex

    vocabulary = json.loads((db.parent / "vocabulary.json").read_text())
    words = Words(vocabulary["all"], vocabulary["titles"])
    index = SearchIndex.open(db)
    figures: dict = {"open RSS MB": resident_mb(), "after": [], "RSS MB": [], "seconds": []}
    checkpoints = [c for c in CHECKPOINTS if c < count] + [count]
    empty, started = 0, time.perf_counter()
    for done, query in enumerate(session_queries(words, random.Random(5)), start=1):
        result = index.search(query)
        empty += not result.total
        list(result.ids[:FIRST_PAGE])
        if done in checkpoints:
            figures["after"].append(done)
            figures["RSS MB"].append(resident_mb())
            figures["seconds"].append(time.perf_counter() - started)
        if done == count:
            break
    figures["empty"] = empty
    index.close()
    return figures


class Words:
    """The sample's words by use: any (rare ones and coined names too), seen a few times,
    frequent, mid-frequency (to negate), and seen a few times in titles."""

    def __init__(self, ranked: list[tuple[str, int]], titles: list[tuple[str, int]]):
        self.any = [word for word, _ in ranked]
        self.repeated = [word for word, count in ranked if count >= REPEATED]
        self.frequent = [word for word, _ in ranked[:FREQUENT_WORDS] if len(word) > 3]
        self.negatable = [word for word, _ in ranked[FREQUENT_WORDS : 3 * FREQUENT_WORDS]]
        self.in_titles = [word for word, count in titles if count >= REPEATED]


def session_queries(words: Words, rng: random.Random) -> Iterator[str]:
    """Endless keystrokes: a word typed a letter at a time, alone (any word) or beside a very
    frequent word, negating another, in title: or after a filter. Almost never nothing found:
    no typos or phrases (the typing part's); here the caches should meet many words, not wait
    for suggestions."""
    while True:
        shape = rng.random()
        word, before, after = rng.choice(words.any), "", ""
        if shape < 0.55:
            pass
        elif shape < 0.7:
            word, before = rng.choice(words.repeated), f"{rng.choice(words.frequent[:20])} "
        elif shape < 0.8:
            word, after = rng.choice(words.repeated), f" -{rng.choice(words.negatable)}"
        elif shape < 0.9:
            word, before = rng.choice(words.in_titles), "title:"
        else:
            field = rng.choice(["is:starred", "state:reading", "-state:read"])
            word, before = rng.choice(words.frequent), f"{field} "
        for end in range(1, len(word) + 1):
            yield before + word[:end]
        if after:
            yield before + word + after


# -- changes made by another process ----------------------------------------------------------------


def outside_part(library: Library) -> dict:
    figures = library.bench("outside").figures
    for k in (1, 20, 1000):
        catch, following = figures[f"k={k}"]
        print(
            f"  another connection marks {k:>4} paper(s): catch_up() {catch[0]:7.1f} ms median, "
            f"{catch[2]:7.1f} max; the next search {following[0]:6.1f} / {following[2]:6.1f} ms"
        )
    print(
        f"  catch_up() with nothing changed: {figures['idle catch_up ms']:.2f} ms; close(): "
        f"{figures['close ms']:.0f} ms with nothing changed, {figures['close after 20 ms']:.0f} ms "
        f"after 20 outside marks (each caught up), {figures['close after 20 own ms']:.0f} ms "
        f"after 20 marks of its own (store.mark + papers_changed, as the app)"
    )
    listing = ["-m", "triage", "--db", str(library.db), "list", *LIST_QUERY]
    library.run(listing)  # anything left to catch up
    quiet = [library.run(listing).seconds for _ in range(3)]
    marked = []
    from triage.store import Store

    with Store(library.db) as store:
        papers = store.ids_newest_first()[:3]
        for paper in papers:
            store.mark([paper], add_tags=[OUTSIDE_TAG])
            marked.append(library.run(listing).seconds)
        store.mark(papers, remove_tags=[OUTSIDE_TAG])
    library.run(listing)
    print(
        f"  `triage list {' '.join(LIST_QUERY)}` as a process: {fmt_s(quiet)} s; after one "
        f"outside mark: {fmt_s(marked)} s"
    )
    return {
        **{f"catch_up k={k} ms": figures[f"k={k}"][0][0] for k in (1, 20, 1000)},
        "close after 20 outside ms": figures["close after 20 ms"],
        "close after 20 own ms": figures["close after 20 own ms"],
        "list s": min(quiet),
        "list after a mark s": min(marked),
    }


def fmt_s(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def outside_child(db: Path) -> dict:
    from triage.search import SearchIndex
    from triage.store import Store

    rng = random.Random(3)
    figures: dict = {}
    index = SearchIndex.open(db)
    figures["close ms"] = timed_ms(index.close)
    index = SearchIndex.open(db)
    figures["idle catch_up ms"] = timed_ms(index.catch_up)
    with Store(db) as other:  # a second connection: what another terminal's `triage mark` does
        ids = other.ids_newest_first()

        def outside_mark(papers: list[str], add: bool) -> tuple[float, float]:
            if add:
                other.mark(papers, add_tags=[OUTSIDE_TAG])
            else:
                other.mark(papers, remove_tags=[OUTSIDE_TAG])
            caught = timed_ms(index.catch_up)
            following = timed_ms(lambda: first_page(index, "diffusion"))
            return caught, following

        for k in (1, 20, 1000):
            timings = []
            for _ in range(3):
                papers = rng.sample(ids, k)
                timings += [outside_mark(papers, True), outside_mark(papers, False)]
            figures[f"k={k}"] = [spread([t[0] for t in timings]), spread([t[1] for t in timings])]
        index.close()
        index = SearchIndex.open(db)
        papers = rng.sample(ids, 20)
        for paper in papers:
            outside_mark([paper], True)
        figures["close after 20 ms"] = timed_ms(index.close)
        other.mark(papers, remove_tags=[OUTSIDE_TAG])
    with Store(db) as own:  # the app's own marks: the store, then papers_changed
        index = SearchIndex.open(db)
        for paper in papers:
            own.mark([paper], add_tags=[OUTSIDE_TAG])
            index.papers_changed([paper])
            first_page(index, "diffusion")
        figures["close after 20 own ms"] = timed_ms(index.close)
        own.mark(papers, remove_tags=[OUTSIDE_TAG])
    SearchIndex.open(db).close()
    return figures


def first_page(index, query: str) -> None:
    result = index.search(query)
    result.total, list(result.ids[:FIRST_PAGE])


def timed_ms(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


# -- export -------------------------------------------------------------------------------------------


def export_part(library: Library) -> dict:
    output = library.dir / "export.md"
    run = library.run(["-m", "triage", "--db", str(library.db), "export", "-o", str(output)])
    size = output.stat().st_size / 1e6
    output.unlink()
    print(
        f"  `triage export -o export.md` (every paper): {run.seconds:.1f} s, peak "
        f"{run.peak_mb:.0f} MB, {size:.1f} MB written"
    )
    return {"s": run.seconds, "peak MB": run.peak_mb}
