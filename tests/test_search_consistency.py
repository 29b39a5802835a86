"""The index always agrees with the store: marks, other processes, lost or damaged index files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from search_fixtures import open_watching_writes
from whoosh import index as whoosh_index

from triage.core.paths import cache_dir_for
from triage.search import IndexLocked, SearchIndex
from triage.store import Store, paper_id

pytestmark = pytest.mark.usefixtures("whoosh_mode")

PAPERS = [
    ("Diffusion Models for Video Generation", "We study diffusion in video synthesis."),
    ("Naïve Bayes Revisited", "A naive approach to classification studies."),
    ("Graph Neural Networks at Scale", "Message passing on large graphs."),
]
A, B, G = (paper_id(title) for title, _ in PAPERS)

HOSTILE = [
    "",
    " ",
    "-",
    "--",
    "- -",
    '"',
    '""',
    '"""',
    '"unbalanced',
    'unbalanced"',
    "(",
    ")",
    "((",
    "))",
    "(()",
    ")(",
    "()",
    "OR",
    "OR OR",
    "a OR",
    "OR a",
    "-(",
    "-()",
    "tag:",
    "tag:-",
    "title:",
    "is:",
    "is:nothing",
    "has:",
    "has:everything",
    "state:",
    "state:???",
    "added:",
    "added:>",
    "added:2026-13-45",
    "added:99999d",
    "listed:..",
    "listed:x..y",
    "listed:<",
    "sort:",
    "sort:-",
    "sort:nonsense",
    ":",
    "::",
    "a:b:c",
    "*",
    "?",
    "\\",
    "%",
    "'",
    "`",
    "\x00",
    "\x1b[31mred",
    "[bold]markup[/bold]",
    "ünïcödé",
    "日本語",
    "🙂",
    "a" * 10_000,
    "(" * 500,
    '"' * 501,
    " ".join(["word"] * 3000),
    "-" * 1000,
    "x OR " * 400,
    "AND",
    "NOT",
    'title:"',
    "note:(",
    "diffusion)",
    "(diffusion",
    "-diffusion -",
    "tag:to-read)",
    "is:starred OR",
    "\t\n\r",
    "or",
    "or or",
    "a or",
    "(or)",
    "author:",
    'author:"',
    "arxiv:",
    "arxiv:(",
    "arxiv:2510.01234v",
    "2510.01234)",
    "-2510.01234",
    "tag:#",
    "#",
    "added:>>7d",
    "listed:7d..",
    "added:<0d",
    "sort:-upvotes",
]


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "library.db"
    with Store(path) as store:
        store.add_papers(PAPERS, source="2026-11-01.txt", listed_on="2026-11-01")
    return path


def found(index, query):
    return sorted(index.search(query).ids)


@pytest.fixture
def index(library):
    opened = SearchIndex.open(library)
    yield opened
    opened.close()


@pytest.mark.parametrize("query", HOSTILE)
def test_a_hostile_query_is_answered_never_raised(index, query):
    result = index.search(query)
    assert result.total == len(list(result.ids))
    assert "search failed" not in (result.hint or ""), result.hint
    assert "\n" not in (result.hint or "")
    result.highlight_spans("Diffusion Models for Video Generation")


def test_a_huge_query_is_cut_and_says_so(index):
    assert index.search("a" * 10_000).hint


def test_a_mark_made_through_another_connection_is_visible_to_the_next_query(library, index):
    with Store(library) as store:
        store.mark([B], star=True, note="quokka sightings", add_tags=["Must Read"])
    index.papers_changed([B])
    assert found(index, "is:starred") == [B]
    assert found(index, "quokka") == [B]
    assert found(index, "tag:must-read") == [B]
    assert found(index, "must") == [B]  # tag words are searchable text
    with Store(library) as store:
        store.mark([B], star=False, note="", remove_tags=["must-read"])
    index.papers_changed([B])
    assert found(index, "is:starred") == []
    assert found(index, "quokka") == []
    assert found(index, "must") == []


def test_catch_up_sees_a_change_nobody_announced(library, index):
    assert index.catch_up() == 0
    with Store(library) as store:
        store.mark([G], note="wombat")
    assert found(index, "wombat") == []  # not told yet
    assert index.catch_up() == 1
    assert found(index, "wombat") == [G]


def test_a_tag_given_by_another_process_to_a_paper_the_app_marked_is_found(library, index):
    with Store(library) as app:
        app.mark([A], star=True)
    index.papers_changed([A])  # the app's mark: A waits for the next index commit
    assert found(index, "is:starred") == [A]
    subprocess.run(
        [sys.executable, "-m", "triage", "--db", str(library), "mark", A, "--tag", "t"],
        check=True,
        capture_output=True,
        env={**os.environ},
    )
    index.catch_up()
    assert found(index, "tag:t") == [A]
    assert found(index, "t is:starred") == [A]  # tag words too


def test_a_note_changed_after_each_index_commit_is_found_by_its_current_words_only(library, index):
    with Store(library) as store:
        for word in ("capybara", "walrus", "narwhal"):
            store.mark([A], note=word)
            index.papers_changed([A])
            index.flush()  # committed: A is no longer matched on its current text
    assert found(index, "narwhal") == [A]
    assert found(index, "capybara") == []
    assert found(index, "walrus") == []


def test_changes_behind_a_closed_index_are_caught_up_paper_by_paper(library, monkeypatch):
    SearchIndex.open(library).close()
    with Store(library) as store:
        store.mark([A], note="capybara")
        store.add_papers(
            [("Okapi Retrieval", "Sparse retrieval with okapi.")],
            source="x.txt",
            listed_on="2026-11-03",
        )
    index, written, rebuilt = open_watching_writes(library, monkeypatch)
    try:
        assert rebuilt == []
        assert found(index, "capybara") == [A]
        assert list(index.search("okapi").ids) == [paper_id("Okapi Retrieval")]
        assert next(iter(index.search("").ids)) == paper_id("Okapi Retrieval")
    finally:
        index.close()
    assert sorted(written) == sorted([A, paper_id("Okapi Retrieval")])
    written.clear()
    SearchIndex.open(library).close()
    assert written == []  # up to date: nothing re-indexed


def test_a_synced_copy_replacing_the_db_is_caught_up(library, tmp_path):
    SearchIndex.open(library).close()
    copy = tmp_path / "copy.db"
    with Store(library) as store:
        store.conn.execute(f"VACUUM INTO '{copy}'")
    with Store(copy) as store:
        store.mark([G], note="from the laptop: narwhal")
    os.replace(copy, library)
    with _opened(library) as index:
        assert found(index, "narwhal") == [G]


@pytest.mark.parametrize("damage", ["delete", "corrupt", "old-schema", "empty-dir"])
def test_a_lost_or_damaged_index_is_rebuilt(library, damage):
    SearchIndex.open(library).close()
    directory = cache_dir_for(library, "index")
    if damage == "delete":
        for item in directory.iterdir():
            item.unlink()
        directory.rmdir()
    elif damage == "corrupt":
        for item in directory.iterdir():
            item.write_bytes(b"\x00garbage" * 10)
    elif damage == "old-schema":
        (directory / "state.json").write_text('{"schema": 0, "versions": {}}')
    else:
        for item in directory.iterdir():
            item.unlink()
    progress = []
    with _opened(library, progress=lambda done, total: progress.append((done, total))) as index:
        assert progress[-1] == (3, 3)
        assert found(index, "diffusion") == [A]
        assert found(index, "") == sorted([A, B, G])


def test_the_index_lives_in_the_cache_dir_not_beside_the_db(library, isolated_user_dirs):
    SearchIndex.open(library).close()
    assert sorted(path.name for path in library.parent.iterdir()) == ["library.db"]
    assert cache_dir_for(library, "index").is_relative_to(isolated_user_dirs / "cache")


def test_a_locked_index_defers_writes_and_results_stay_right(library):
    with _opened(library) as index:
        # another writer (as in another process) holds the index's write lock
        other = whoosh_index.open_dir(str(cache_dir_for(library, "index"))).writer()
        try:
            with Store(library) as store:
                store.mark([A], note="pangolin")
            index.papers_changed([A])
            assert found(index, "pangolin") == [A]
            with pytest.raises(IndexLocked):
                index.flush()
            assert found(index, "pangolin") == [A]
            assert index.catch_up() == 0
            index.close()  # cannot write now: leaves it to the next open
        finally:
            other.cancel()
    with _opened(library) as index:  # the deferred update is caught up on the next open
        assert found(index, "pangolin") == [A]


TWO_PROCESSES = textwrap.dedent(
    """
    import sys
    from triage.search import IndexLocked, SearchIndex
    from triage.store import Store
    db, paper, word = sys.argv[1:]
    index = SearchIndex.open(db)
    with Store(db) as store:
        for round in range(8):
            store.mark([paper], note=f"{word} {round}")
            index.papers_changed([paper])
            index.flush() if round % 2 else index.catch_up()
            assert sorted(index.search(word).ids) == [paper], round
    index.close()
    print("ok")
    """
)


def test_two_processes_on_one_db(library):
    env = {**os.environ}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", TWO_PROCESSES, str(library), paper, word],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for paper, word in ((A, "aardvark"), (G, "gecko"))
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err
        assert out.strip() == "ok"
    with _opened(library) as index:
        assert found(index, "aardvark") == [A]
        assert found(index, "gecko") == [G]
        assert found(index, "aardvark 7") == [A]


class _opened:
    def __init__(self, path, **options):
        self.index = SearchIndex.open(path, **options)

    def __enter__(self):
        return self.index

    def __exit__(self, *exc_info):
        self.index.close()


def test_a_large_import_behind_a_closed_index_is_bulk_indexed(library):
    SearchIndex.open(library).close()
    many = [
        (f"Bulk paper {number} about okapi", f"Abstract {number} with wombats.")
        for number in range(250)
    ]
    with Store(library) as store:
        store.add_papers(many, source="big.txt", listed_on="2026-11-05")
        store.mark([A], note="okapi too")
    with _opened(library) as index:
        assert index.search("okapi").total == 251
        assert index.search("wombat").total == 250
        assert index.search('"bulk paper 7"').total == 1
        assert found(index, "diffusion") == [A]  # the papers indexed before are still found
        assert list(index.search("").ids)[-3:] == [paper_id(title) for title, _ in PAPERS]
    with _opened(library) as index:  # and the mixed segments reopen cleanly
        assert index.search("okapi").total == 251
