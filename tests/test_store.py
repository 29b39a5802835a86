"""The store: identity of papers, user data kept apart, refusing files it must not touch."""

import sqlite3

import pytest

from triage.store import SCHEMA_VERSION, Store, StoreError, normalise_tag, paper_id

ABSTRACT = "We propose a method. It works well on three benchmarks and two languages."


def add(store, *titles, source="day.txt", listed_on="2026-11-20"):
    entries = [(title, ABSTRACT) for title in titles]
    return store.add_papers(entries, source=source, listed_on=listed_on)


def test_paper_id_is_stable_over_case_width_and_whitespace():
    same = [
        "Attention Is All You Need",
        "attention  is all\tyou NEED ",
        "Ａｔｔｅｎｔｉｏｎ Is All You Need",  # full-width letters (NFKC)
    ]
    assert {paper_id(title) for title in same} == {paper_id(same[0])}
    assert paper_id("Attention Is Not All You Need") != paper_id(same[0])
    assert len(paper_id(same[0])) == 10 and int(paper_id(same[0]), 16) >= 0


def test_tags_are_normalised_to_single_lowercase_words():
    assert normalise_tag("  Must Read ") == "must-read"
    assert normalise_tag("LLM,agents") == "llm-agents"
    assert normalise_tag(" , ") == ""


def test_a_tag_is_stored_without_the_hash_it_is_shown_with_and_at_most_40_characters():
    assert normalise_tag("#hash") == "hash"  # shown as `#hash`, never `##hash`
    assert normalise_tag("##hash") == "hash"
    assert normalise_tag("#") == ""
    assert normalise_tag("c#") == "c#"
    assert normalise_tag("x" * 60) == "x" * 40
    assert normalise_tag("x" * 39 + " long") == "x" * 39  # no dash left hanging
    for tag in ("#hash", "x" * 60, "x" * 39 + " long", "Must Read"):
        assert normalise_tag(normalise_tag(tag)) == normalise_tag(tag)  # a stored tag is stable


def test_a_new_db_is_one_file_in_rollback_journal_mode_at_the_current_schema(tmp_path):
    path = tmp_path / "new.db"
    with Store(path) as store:
        add(store, "A Paper")
        store.mark([paper_id("A Paper")], star=True)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [p.name for p in tmp_path.iterdir()] == ["new.db"]


def test_a_wal_mode_db_is_switched_back_to_a_single_file(tmp_path):
    path = tmp_path / "wal.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    with Store(path) as store:
        add(store, "A Paper")
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    content = b"my precious notes\n" * 100
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(caught.value) == f"{path}: not an SQLite database (left untouched)"
    assert path.read_bytes() == content


def test_a_corrupt_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "corrupt.db"
    content = b"SQLite format 3\x00" + b"\xff" * 4080
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert "not a triage database" in message or "corrupt" in message
    assert path.read_bytes() == content


def test_a_db_from_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "future.db"
    with Store(path) as store:
        add(store, "A Paper")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    content = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(caught.value) == (
        f"{path}: made by a newer triage (schema {SCHEMA_VERSION + 1}, this one knows "
        f"{SCHEMA_VERSION}); upgrade triage to open it"
    )
    assert path.read_bytes() == content


def test_a_missing_db_is_not_created_when_creation_is_off(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_same_paper_on_two_days_is_one_paper_with_two_listings(tmp_path):
    with Store(tmp_path / "t.db") as store:
        first = add(store, "Tidal: Streaming ASR", "Other", source="a.txt", listed_on="2026-11-20")
        assert first == (2, 0)
        assert add(store, "TIDAL:  streaming asr", source="b.txt", listed_on="2026-11-21") == (0, 1)
        paper = store.get(paper_id("Tidal: Streaming ASR"))
        assert paper.title == "Tidal: Streaming ASR"
        assert [(item.source, item.listed_on) for item in paper.listed] == [
            ("a.txt", "2026-11-20"),
            ("b.txt", "2026-11-21"),
        ]
        assert paper.first_listed == "2026-11-20"
        # the paper listed again most recently comes first
        assert store.ids_newest_first()[0] == paper.id


def test_mark_changes_only_the_given_fields_and_stamps_them(tmp_path):
    with Store(tmp_path / "t.db") as store:
        add(store, "One", "Two")
        one, two = paper_id("One"), paper_id("Two")
        assert store.mark(
            [one], star=True, state="reading", note="line 1\nline 2", add_tags=["Must Read", "llm"]
        ) == [one]
        first = store.conn.execute(
            "SELECT starred_at, state_at, note_at FROM annotations WHERE paper_id = ?", [one]
        ).fetchone()
        assert None not in first
        assert store.mark([one, two], state="reading") == [two]  # one was already reading
        assert store.mark([one], note="line 1\nline 2") == []
        assert store.mark([one], remove_tags=["llm"], star=False) == [one]
        paper = store.get(one)
        assert (paper.starred, paper.state, paper.note, paper.tags) == (
            False,
            "reading",
            "line 1\nline 2",
            ["must-read"],
        )
        later = store.conn.execute(
            "SELECT starred_at, state_at, note_at FROM annotations WHERE paper_id = ?", [one]
        ).fetchone()
        assert later[0] > first[0] and later[1:] == first[1:]
        removed = store.conn.execute(
            "SELECT present FROM tags WHERE paper_id = ? AND tag = 'llm'", [one]
        ).fetchone()
        assert removed == (0,)  # kept as a removal, so a merge cannot resurrect it
        assert store.all_tags() == {"must-read": 1}


def test_mark_refuses_unknown_ids_and_states_and_changes_nothing(tmp_path):
    with Store(tmp_path / "t.db") as store:
        add(store, "One")
        one = paper_id("One")
        token = store.change_token()
        with pytest.raises(ValueError, match="no paper with id 0000000000"):
            store.mark([one, "0000000000"], star=True)
        with pytest.raises(ValueError, match="unknown state 'done'"):
            store.mark([one], state="done")
        assert store.get(one).starred is False
        assert store.change_token() == token


def test_every_write_changes_the_token_and_the_changed_papers_version(tmp_path):
    with Store(tmp_path / "t.db") as store:
        add(store, "One", "Two")
        token, versions = store.change_token(), store.paper_versions()
        store.mark([paper_id("One")], add_tags=["x"])
        assert store.change_token() != token
        after = store.paper_versions()
        assert after[paper_id("One")] != versions[paper_id("One")]
        assert after[paper_id("Two")] == versions[paper_id("Two")]
        with Store(tmp_path / "t.db") as other:  # another process sees the change too
            assert other.change_token() == store.change_token()


def test_stats_count_papers_stars_states_tags_and_dumps(tmp_path):
    with Store(tmp_path / "t.db") as store:
        store.add_papers(
            [("One", ABSTRACT), ("Two", ABSTRACT), ("Three", ABSTRACT)],
            source="a.txt",
            listed_on=None,
            record={
                "sha256": "ab" * 32,
                "name": "a.txt",
                "path": "/a.txt",
                "size": 10,
                "found": 3,
                "skipped": 0,
            },
        )
        store.mark([paper_id("One"), paper_id("Two")], star=True, add_tags=["llm"])
        store.mark([paper_id("Two")], state="archived")
        assert store.stats() == {
            "papers": 3,
            "starred": 2,
            "states": {"inbox": 2, "reading": 0, "read": 0, "archived": 1},
            "tags": {"llm": 2},
            "dumps_imported": 1,
            "listings": 3,
        }


def test_tags_stored_before_they_were_normalised_can_be_removed_after_the_upgrade(tmp_path):
    db = tmp_path / "old.db"
    with Store(db) as store:
        store.add_papers([("A Paper", "Abstract.")], source="d.txt", listed_on=None)
    paper = paper_id("A Paper")
    with sqlite3.connect(db) as conn:  # as a triage of schema 2 could leave it
        conn.execute("INSERT INTO tags VALUES (?, '##hash', 1, '2026-01-01T00:00:00.0Z')", [paper])
        conn.execute("PRAGMA user_version = 2")
    with Store(db) as store:
        assert store.get(paper).tags == ["hash"]
        store.mark([paper], remove_tags=["#hash"])
        assert store.get(paper).tags == []
