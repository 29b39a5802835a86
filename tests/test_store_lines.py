"""The lines `triage list` shows: the same whichever way their papers' rows are found."""

import pytest

from triage.store import PaperLine, Store, lines, paper_id

ABSTRACT = "We propose a method. It works well on three benchmarks and two languages."
TITLES = [f"Paper Number {number}" for number in range(12)]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "triage.db") as store:
        entries = [(title, ABSTRACT) for title in TITLES]
        store.add_papers(entries[:8], source="a.txt", listed_on="2026-11-20")
        store.add_papers(entries[4:10], source="b.txt", listed_on="2026-11-21")  # 4 twice
        store.add_papers(entries[10:], source="compact.txt", listed_on=None)
        ids = [paper_id(title) for title in TITLES]
        store.mark(ids[:3], star=True, add_tags=["b-tag", "a-tag"])
        store.mark(ids[5:7], state="reading", note="a note")
        yield store


def from_full_records(store, ids):
    return [
        PaperLine(p.id, p.starred, p.state, p.title, p.added_at, p.first_listed, p.tags)
        for p in store.papers(ids)
    ]


@pytest.mark.parametrize("chunk", [2, 3, 500])  # fewer annotations and tags than papers, or more
def test_lines_by_rowid_by_a_stale_rowid_or_by_id_are_the_full_records(store, monkeypatch, chunk):
    monkeypatch.setattr(lines, "FIRST_CHUNK", chunk)
    monkeypatch.setattr(lines, "CHUNK", chunk)
    ids = [*store.ids_newest_first()[::-1], "0000000000"]  # any order; an unknown id left out
    rowid = dict(store.conn.execute("SELECT id, rowid FROM papers"))
    rowids = [rowid.get(paper, 10**6) for paper in ids]
    expected = from_full_records(store, ids)
    assert len(expected) == len(TITLES)
    assert sum(line.first_listed is None for line in expected) == 2  # the compact dump's
    stale = rowids[1:] + rowids[:1]  # each names another paper (a VACUUM renumbered them)
    # as the search's table gives them: the papers with any mark
    given = {
        line.id: (line.starred, line.state, line.tags)
        for line in expected
        if line.starred or line.state != "inbox" or line.tags
    }
    assert 0 < len(given) < len(expected)
    for known in (rowids, stale, None):
        read = [line for chunk in store.paper_lines(ids, known) for line in chunk]
        assert read == expected
        read = [line for chunk in store.paper_lines(ids, known, given) for line in chunk]
        assert read == expected
