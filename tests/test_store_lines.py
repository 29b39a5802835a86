"""The lines `triage list` shows: the same whichever way their papers' rows are found."""

import pytest

from triage.store import Store, lines, paper_id

ABSTRACT = "We propose a method. It works well on three benchmarks and two languages."
TITLES = [f"Paper Number {number}" for number in range(12)]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "triage.db") as store:
        entries = [(title, ABSTRACT) for title in TITLES]
        store.add_papers(entries[:8], source="a.txt", listed_on="2026-11-20")
        store.add_papers(entries[4:10], source="b.txt", listed_on="2026-11-21")  # 4 twice
        store.add_papers(entries[8:10], source="old.txt", listed_on="2026-11-19")  # earlier, later
        store.add_papers(entries[10:], source="compact.txt", listed_on=None)
        ids = [paper_id(title) for title in TITLES]
        store.mark(ids[:3], star=True, add_tags=["b-tag", "a-tag"])
        store.mark(ids[5:7], state="reading", note="a note")
        yield store


def from_full_records(store, ids):
    return [(p.id, p.starred, p.state, p.title, p.listed_on, p.tags) for p in store.papers(ids)]


def read_lines(store, ids, rowids, marks=None):
    """What line_texts gives of each known paper, as from_full_records has it."""
    read = []
    for texts, marked in store.line_texts(ids, rowids, marks):
        for paper in texts.ids:
            if (row := texts.papers.get(paper)) is not None:
                starred, state, tags = marked.get(paper, (False, "inbox", []))
                read.append((paper, starred, state, row[1], row[2], tags))
    return read


@pytest.mark.parametrize("chunk", [2, 3, 500])  # fewer annotations and tags than papers, or more
def test_lines_by_rowid_by_a_stale_rowid_or_by_id_are_the_full_records(store, monkeypatch, chunk):
    monkeypatch.setattr(lines, "FIRST_CHUNK", chunk)
    monkeypatch.setattr(lines, "CHUNK", chunk)
    ids = [*store.ids_newest_first()[::-1], "0000000000"]  # any order; an unknown id left out
    rowid = dict(store.conn.execute("SELECT id, rowid FROM papers"))
    rowids = [rowid.get(paper, 10**6) for paper in ids]
    expected = from_full_records(store, ids)
    assert len(expected) == len(TITLES)
    dates = [line[4] for line in expected]
    assert dates.count("2026-11-20") == 4
    assert dates.count("2026-11-21") == 6  # the latest: 2 listed earlier by a dump imported later
    imported_on = {
        p.added_at[:10] for p in store.papers([paper_id(t) for t in TITLES[10:]])
    }  # compact
    assert len(imported_on) == 1 and dates.count(imported_on.pop()) == 2
    stale = rowids[1:] + rowids[:1]  # each names another paper (a VACUUM renumbered them)
    # as the search's table gives them: the papers with any mark
    given = {
        line[0]: line[1:3] + line[5:]
        for line in expected
        if line[1] or line[2] != "inbox" or line[5]
    }
    assert 0 < len(given) < len(expected)
    for known in (rowids, stale, None):
        assert read_lines(store, ids, known) == expected
        assert read_lines(store, ids, known, given) == expected
