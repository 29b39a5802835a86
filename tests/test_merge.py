"""Merging diverged copies of the DB: nothing lost, same result either way, idempotent."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3

import pytest

from triage.store import CONFLICT_END, Store, conflict_label, paper_id
from triage.sync.merge import MergeError, merge

TITLES = [f"Paper number {n}" for n in range(1, 9)]
P = {n: paper_id(title) for n, title in enumerate(TITLES, start=1)}


def user_data(store: Store) -> dict:
    return {
        paper.id: (
            paper.starred,
            paper.state,
            paper.note,
            tuple(paper.tags),
            tuple(sorted(listing.source for listing in paper.listed)),
        )
        for paper in store.papers()
    }


def rows(path) -> dict:
    """Every user-data row including times and removed tags: both merge orders must agree."""
    with sqlite3.connect(path) as conn:
        return {
            "annotations": sorted(  # a row of defaults is the same as no row
                conn.execute(
                    "SELECT p.id, coalesce(starred, 0), starred_at, coalesce(state, 'inbox'), "
                    "state_at, coalesce(note, ''), note_at FROM papers p "
                    "LEFT JOIN annotations a ON a.paper_id = p.id"
                )
            ),
            "tags": sorted(conn.execute("SELECT * FROM tags")),
            "listings": sorted(conn.execute("SELECT * FROM listings")),
            "imports": sorted(conn.execute("SELECT * FROM imports")),
            "papers": sorted(
                conn.execute("SELECT id, title, abstract, added_at, last_listed FROM papers")
            ),
        }


def file_digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def note_at(path, paper) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT note_at FROM annotations WHERE paper_id = ?", [paper]
        ).fetchone()[0]


def add_dump(store: Store, name: str, titles, day: str) -> None:
    store.add_papers(
        [(title, f"Abstract of {title}.") for title in titles],
        source=name,
        listed_on=day,
        record={
            "sha256": hashlib.sha256(name.encode()).hexdigest(),
            "name": name,
            "path": name,
            "size": 1,
            "found": len(titles),
            "skipped": 0,
        },
    )


@pytest.fixture
def diverged(tmp_path):
    """A laptop copy and a desktop copy of one DB, each edited differently after they split."""
    base = tmp_path / "base.db"
    with Store(base) as store:
        add_dump(store, "2026-11-01.txt", TITLES[:6], "2026-11-01")
        store.mark([P[1]], note="base note")
        store.mark([P[2]], add_tags=["ml"])
        store.mark([P[3]], state="reading")
    laptop, desktop = tmp_path / "laptop.db", tmp_path / "desktop.db"
    shutil.copy(base, laptop)
    shutil.copy(base, desktop)
    with Store(laptop) as a, Store(desktop) as b:  # edits in this order, so in time order
        a.mark([P[1]], star=True)
        b.mark([P[2]], star=True)
        a.mark([P[3]], state="read")
        b.mark([P[3]], state="archived")
        a.mark([P[2]], remove_tags=["ml"])
        b.mark([P[4]], add_tags=["ml"])
        a.mark([P[5]], add_tags=["todo"])
        b.mark([P[5]], add_tags=["todo"])
        a.mark([P[6]], add_tags=["x"])
        b.mark([P[6]], add_tags=["x"])
        b.mark([P[6]], remove_tags=["x"])
        a.mark([P[1]], note="laptop rewrote the note")
        b.mark([P[2]], note="desktop note on 2")
        a.mark([P[3]], note="laptop thoughts on 3")
        b.mark([P[3]], note="desktop thoughts on 3")
        a.mark([P[6]], note="same words")
        b.mark([P[6]], note="same words")
        add_dump(a, "2026-11-02.txt", [TITLES[6], TITLES[0]], "2026-11-02")
        add_dump(b, "2026-11-03.txt", [TITLES[7]], "2026-11-03")
    return laptop, desktop


def conflict_block(*versions: tuple[str, str]) -> str:
    """The block a conflict must produce: versions by save time (to the second), then text."""
    (first_label, first), *rest = sorted((conflict_label(at), text) for at, text in versions)
    lines = [f"<<<<<<< note saved {first_label}", first]
    for label, text in rest:
        lines += [f"======= note saved {label}", text]
    return "\n".join([*lines, CONFLICT_END])


def expected_conflict(laptop, desktop) -> str:
    return conflict_block(
        (note_at(laptop, P[3]), "laptop thoughts on 3"),
        (note_at(desktop, P[3]), "desktop thoughts on 3"),
    )


def expected_user_data(conflict_note: str) -> dict:
    return {
        P[1]: (True, "inbox", "laptop rewrote the note", (), ("2026-11-01.txt", "2026-11-02.txt")),
        P[2]: (True, "inbox", "desktop note on 2", (), ("2026-11-01.txt",)),
        P[3]: (False, "archived", conflict_note, ("merge-conflict",), ("2026-11-01.txt",)),
        P[4]: (False, "inbox", "", ("ml",), ("2026-11-01.txt",)),
        P[5]: (False, "inbox", "", ("todo",), ("2026-11-01.txt",)),
        P[6]: (False, "inbox", "same words", (), ("2026-11-01.txt",)),
        P[7]: (False, "inbox", "", (), ("2026-11-02.txt",)),
        P[8]: (False, "inbox", "", (), ("2026-11-03.txt",)),
    }


def test_merge_both_ways_gives_the_expected_identical_data(diverged, tmp_path):
    laptop, desktop = diverged
    conflict = expected_conflict(laptop, desktop)
    laptop2, desktop2 = tmp_path / "laptop2.db", tmp_path / "desktop2.db"
    shutil.copy(laptop, laptop2)
    shutil.copy(desktop, desktop2)

    with Store(laptop) as a:
        report = merge(a, desktop)
        into_laptop = user_data(a)
    with Store(desktop2) as b:
        merge(b, laptop2)
        into_desktop = user_data(b)

    assert into_laptop == expected_user_data(conflict)
    assert into_desktop == into_laptop
    assert rows(laptop) == rows(desktop2)
    with Store(laptop) as a:
        assert {imp["name"] for imp in a.import_history()} == {
            "2026-11-01.txt",
            "2026-11-02.txt",
            "2026-11-03.txt",
        }
    assert report.papers_added == [P[8]]
    assert report.conflicts == [P[3]]
    assert report.imports_added == 1


def test_report_lines_say_what_came_from_the_other_copy(diverged):
    laptop, desktop = diverged
    with Store(laptop) as a:
        lines = merge(a, desktop).lines()
    assert f"paper {P[2]} “Paper number 2”: star from other copy" in lines
    assert f"paper {P[3]} “Paper number 3”: state archived from other copy" in lines
    assert f"paper {P[4]} “Paper number 4”: tag +ml from other copy" in lines
    assert f"paper {P[2]} “Paper number 2”: note from other copy" in lines
    assert (
        f"paper {P[3]} “Paper number 3”: note changed in both copies: both texts kept, "
        "tagged merge-conflict"
    ) in lines
    assert "1 paper added from desktop.db" in lines
    assert "1 note changed in both copies: both texts kept, tagged merge-conflict" in lines
    # The laptop's own changes are not reported as coming from the desktop.
    assert not any(f"paper {P[1]}" in line for line in lines)
    assert not any("tag -ml" in line or "+x" in line for line in lines)


def test_merging_the_same_copy_again_changes_nothing(diverged):
    laptop, desktop = diverged
    with Store(laptop) as a:
        merge(a, desktop)
        token, before = a.change_token(), rows(laptop)
        report = merge(a, desktop)
        assert not report.changed
        assert report.lines() == [
            "nothing to merge: this copy already has everything in desktop.db"
        ]
        assert a.change_token() == token
    assert rows(laptop) == before


def test_copies_merged_each_way_then_merged_together_change_nothing(diverged, tmp_path):
    laptop, desktop = diverged
    desktop2 = tmp_path / "desktop2.db"
    shutil.copy(desktop, desktop2)
    with Store(laptop) as a:
        merge(a, desktop)
    with Store(desktop2) as b:
        merge(b, laptop)
        assert not merge(b, laptop).changed
    with Store(laptop) as a:
        assert not merge(a, desktop2).changed
        assert a.get(P[3]).note.count("<<<<<<<") == 1


def test_one_side_editing_after_a_conflict_replaces_its_own_old_text(diverged, tmp_path):
    laptop, desktop = diverged
    laptop_saved = note_at(laptop, P[3])
    with Store(laptop) as a:
        merge(a, desktop)
    with Store(desktop) as b:
        b.mark([P[3]], note="desktop thoughts on 3, revised")
    revised_at = note_at(desktop, P[3])
    laptop_merged = tmp_path / "laptop_merged.db"
    shutil.copy(laptop, laptop_merged)
    with Store(laptop) as a:
        merge(a, desktop)
        note = a.get(P[3]).note
    with Store(desktop) as b:
        merge(b, laptop_merged)
        assert b.get(P[3]).note == note
    # The desktop moved on from its first text, so only its revision stays beside the laptop's.
    assert note == conflict_block(
        (laptop_saved, "laptop thoughts on 3"),
        (revised_at, "desktop thoughts on 3, revised"),
    )


def test_only_one_side_changed_a_note_since_they_agreed(tmp_path):
    base = tmp_path / "base.db"
    with Store(base) as store:
        add_dump(store, "d.txt", TITLES[:2], "2026-11-01")
        store.mark([P[1]], note="agreed")
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copy(base, old)
    shutil.copy(base, new)
    with Store(new) as store:
        store.mark([P[1]], note="edited later")
        store.mark([P[2]], note="")  # no-op: stays empty
    with Store(old) as store:  # the stale copy touched something else afterwards
        store.mark([P[2]], star=True)
    with Store(new) as store:
        merge(store, old)
        assert store.get(P[1]).note == "edited later"
        assert store.get(P[1]).tags == []
    with Store(old) as store:
        merge(store, new)
        assert store.get(P[1]).note == "edited later"
        assert store.get(P[2]).starred


def test_a_cleared_note_stays_cleared_but_an_edit_beats_a_clear(tmp_path):
    base = tmp_path / "base.db"
    with Store(base) as store:
        add_dump(store, "d.txt", TITLES[:2], "2026-11-01")
        store.mark([P[1], P[2]], note="old text")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    shutil.copy(base, a)
    shutil.copy(base, b)
    with Store(a) as store:
        store.mark([P[1]], note="")
        store.mark([P[2]], note="")
    with Store(b) as store:
        store.mark([P[2]], note="old text, extended")
    a_before, b_before = tmp_path / "a_before.db", tmp_path / "b_before.db"
    shutil.copy(a, a_before)
    shutil.copy(b, b_before)
    for mine, theirs in ((b, a_before), (a, b_before)):
        with Store(mine) as store:
            merge(store, theirs)
            assert store.get(P[1]).note == ""
            assert store.get(P[2]).note == "old text, extended"
            assert store.get(P[2]).tags == []


def test_same_instant_edits_are_resolved_the_same_way_both_ways(tmp_path):
    base = tmp_path / "base.db"
    with Store(base) as store:
        add_dump(store, "d.txt", TITLES[:1], "2026-11-01")
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    shutil.copy(base, a)
    shutil.copy(base, b)
    stamp = "2026-11-20T10:00:00.000000Z"
    for path, starred, state in ((a, 1, "read"), (b, 0, "reading")):
        with sqlite3.connect(path) as conn:
            conn.execute(
                "INSERT INTO annotations (paper_id, starred, starred_at, state, state_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [P[1], starred, stamp, state, stamp],
            )
    a2 = tmp_path / "a2.db"
    shutil.copy(a, a2)
    with Store(a) as store:
        merge(store, b)
    with Store(b) as store:
        merge(store, a2)
    assert rows(a) == rows(b)


def test_dry_run_changes_nothing_and_prints_the_same(diverged, tmp_path):
    laptop, desktop = diverged
    copy = tmp_path / "copy.db"
    shutil.copy(laptop, copy)
    before = file_digest(laptop)
    with Store(laptop) as a:
        dry = merge(a, desktop, dry_run=True)
    assert file_digest(laptop) == before
    with Store(copy) as c:
        real = merge(c, desktop)
    assert dry.lines() == [*real.lines(), "dry run: nothing was changed"]


def test_the_other_copy_is_never_modified(diverged):
    laptop, desktop = diverged
    before = file_digest(desktop), desktop.stat().st_mtime_ns
    with Store(laptop) as a:
        merge(a, desktop)
    assert (file_digest(desktop), desktop.stat().st_mtime_ns) == before
    assert sorted(p.name for p in desktop.parent.iterdir() if "desktop" in p.name) == ["desktop.db"]


def test_a_schema_1_copy_merges(diverged):
    laptop, desktop = diverged
    with sqlite3.connect(desktop) as conn:
        conn.execute("DROP TABLE note_history")
        conn.execute("PRAGMA user_version = 1")
    with Store(laptop) as a:
        merge(a, desktop)
        assert a.get(P[2]).note == "desktop note on 2"
        assert a.get(P[1]).note == "laptop rewrote the note"
        assert "desktop thoughts on 3" in a.get(P[3]).note


def test_unusable_other_files_are_refused_with_one_line_naming_them(tmp_path):
    mine = tmp_path / "triage.db"
    text = tmp_path / "notes.db"
    text.write_text("not a database\n")
    newer = tmp_path / "newer.db"
    Store(newer).close()
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    unrelated = tmp_path / "unrelated.db"
    with sqlite3.connect(unrelated) as conn:
        conn.execute("CREATE TABLE t (x)")
    with Store(mine) as store:
        for path, words in (
            (text, "not an SQLite database"),
            (newer, "newer triage"),
            (unrelated, "not a triage database"),
            (tmp_path / "missing.db", "no such file"),
            (mine, "this database itself"),
        ):
            with pytest.raises(MergeError) as caught:
                merge(store, path)
            message = str(caught.value)
            assert str(path) in message and words in message and "\n" not in message


# -- save_note: the note editor's save, safe against changes made elsewhere ------------------


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "triage.db") as opened:
        add_dump(opened, "d.txt", TITLES[:2], "2026-11-01")
        yield opened


def test_save_note_over_an_unchanged_note_just_saves(store):
    assert store.save_note(P[1], "first", base="") == "first"
    assert store.save_note(P[1], "first draft", base="first") == "first draft"
    assert store.get(P[1]).note == "first draft"
    assert store.get(P[1]).tags == []


def test_save_note_keeps_both_texts_when_the_note_changed_elsewhere(store, tmp_path):
    store.save_note(P[1], "started", base="")
    with Store(store.path) as other_terminal:
        other_terminal.mark([P[1]], note="written in another terminal")
    stored = store.save_note(P[1], "started, and continued here", base="started")
    assert "written in another terminal\n" in stored
    assert "started, and continued here\n" in stored
    assert stored.startswith("<<<<<<< note saved ") and stored.endswith(CONFLICT_END)
    assert store.get(P[1]).note == stored
    assert store.get(P[1]).tags == ["merge-conflict"]
    # Typing on inside the conflict block saves normally, without nesting markers.
    edited = stored.replace("continued here", "continued here, more")
    assert store.save_note(P[1], edited, base=stored) == edited
    assert edited.count("<<<<<<<") == 1


def test_a_save_note_conflict_is_understood_by_merge(store, tmp_path):
    store.save_note(P[1], "mine", base="")
    with Store(store.path) as other_terminal:
        other_terminal.mark([P[1]], note="theirs")
    before_conflict = tmp_path / "before.db"
    shutil.copy(store.path, before_conflict)
    stored = store.save_note(P[1], "mine, more", base="mine")
    # That copy's text is already kept in the block: nothing to merge, no nested markers.
    assert merge(store, before_conflict).lines() == [
        "nothing to merge: this copy already has everything in before.db"
    ]
    assert store.get(P[1]).note == stored
    assert not merge(store, before_conflict).changed
    with Store(before_conflict) as copy:
        merge(copy, store.path)
        assert copy.get(P[1]).note == stored
        assert copy.get(P[1]).tags == ["merge-conflict"]


def test_save_note_after_the_note_was_cleared_elsewhere_keeps_the_typed_text(store):
    store.save_note(P[1], "draft", base="")
    store.mark([P[1]], note="")
    assert store.save_note(P[1], "draft plus", base="draft") == "draft plus"
    assert store.get(P[1]).tags == []


def test_a_merged_text_is_not_forgotten_when_typing_on(store, tmp_path):
    store.save_note(P[1], "shared", base="")
    copy = tmp_path / "copy.db"
    shutil.copy(store.path, copy)
    merge(store, copy)
    # Typing on right away: the copy still has "shared", which this side has had.
    store.save_note(P[1], "shared, and more", base="shared")
    report = merge(store, copy)
    assert store.get(P[1]).note == "shared, and more"
    assert report.conflicts == []


def test_rows_of_missing_papers_in_a_damaged_copy_are_skipped(diverged):
    laptop, desktop = diverged
    with sqlite3.connect(desktop) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM papers WHERE id = ?", [P[8]])
        conn.execute("INSERT INTO tags VALUES ('0000000000', 'ghost', 1, '2026-11-23T00:00:00Z')")
    with Store(laptop) as a:
        merge(a, desktop)
        assert a.get(P[8]) is None
        assert "ghost" not in a.all_tags()
        assert a.get(P[2]).note == "desktop note on 2"
