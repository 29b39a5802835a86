"""The importer: both dump formats, the sample dumps' counts, bad input, one transaction a file."""

import codecs
import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest
from hostile_text import SEQUENCES

from triage.importers.dump import DumpError, import_paths, parse_dump, read_dump
from triage.store import Store, paper_id

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
NOV_20, NOV_21, COMPACT = (
    SAMPLES / name for name in ("daily-nov-20.txt", "daily-nov-21.txt", "compact-nov-22.txt")
)
SPARSE = "SparseLoRA-Q: Quantization-Aware Low-Rank Adaptation for Edge Devices"
NOV_23 = dt.date(2026, 11, 23)
ABSTRACT = (
    "We study how small models learn to plan. Our experiments cover three tasks and four "
    "model sizes. Results show consistent gains over strong baselines across every setting."
)


def page(*pairs, date="Nov 21"):
    """A page-form dump text with the usual header."""
    lines = ["new", "Get trending papers in your email inbox!", "Subscribe", date]
    for pair in pairs:
        lines.extend(pair)
    return "\n\n".join(lines) + "\n"


# -- the sample dumps ----------------------------------------------------------------


def test_sample_nov_20_pairs_literal_markup_titles_and_reports_the_trailing_title():
    parsed = read_dump(NOV_20)
    titles = [title for title, _ in parsed.entries]
    assert len(titles) == 10
    assert titles[:7] == [
        "[bold red]Warning[/]: Markup-Aware Tokenizers Leak Formatting into Language Model Outputs",
        "Attention Sinks [/] Revisited: Why the First Token Soaks Up Probability Mass",
        "[@click=app.quit]Clickable Agents: Evaluating GUI Automation under Adversarial Interfaces",
        "[$accent]Palette: Theme-Consistent Image Recoloring with Diffusion Priors",
        "# Heading Matters: Structural Cues in Long-Document Summarization",
        "Beyond *Next-Token* Prediction: Multi-Horizon Objectives for Small Language Models",
        "<b>Bold</b> Claims: Measuring Overconfidence in Retrieval-Augmented Generation",
    ]
    assert parsed.listed_on is not None and parsed.listed_on.endswith("-11-20")
    assert parsed.problems == [
        "line 53: skipped a title with no abstract: "
        "'Scaling Laws for Data Pruning in Multilingual Pretraining'"
    ]
    assert parsed.warnings == []
    assert all(600 <= len(abstract) <= 1500 for _, abstract in parsed.entries)


def test_sample_nov_21_bom_crlf_escape_sequences_stripped_and_stray_footer_reported():
    raw = (NOV_21).read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and b"\r\n" in raw and b"\x1b[31m" in raw
    parsed = read_dump(NOV_21)
    assert len(parsed.entries) == 8
    title, abstract = parsed.entries[0]
    assert title == "Red-Teaming Spoken Assistants with Audio Jailbreaks"
    assert "hide instructions in fast speech beneath music" in abstract
    assert not any("\x1b" in t or "\x07" in a or "\r" in a for t, a in parsed.entries)
    delta = "ΔPrune: Gradient-Free Structured Pruning via Output Sensitivity"
    assert delta in dict(parsed.entries)
    assert parsed.listed_on is not None and parsed.listed_on.endswith("-11-21")
    assert parsed.problems == [
        "line 43: skipped page text 'Get trending papers in your email inbox once a day!'"
    ]
    assert parsed.warnings == []


def test_sample_compact_cp1252_is_decoded_with_a_warning():
    raw = (COMPACT).read_bytes()
    assert not raw.endswith(b"\n") and b"\n\n" not in raw
    parsed = read_dump(COMPACT)
    titles = [title for title, _ in parsed.entries]
    assert len(titles) == 8
    assert titles[0] == (
        "Naïve Bayes Is Not Dead: Revisiting Generative Classifiers for Tabular Data"
    )
    assert titles[1] == "Schrödinger Bridges for Unpaired Image-to-Image Translation at Scale"
    assert titles[-1] == (
        "Thermodynamic Limits of Analog In-Memory Training — A Device-Level Study"
    )
    assert parsed.listed_on is None
    assert parsed.problems == []
    assert parsed.warnings == [f"{COMPACT}: not UTF-8 (line 3), decoded as Windows-1252"]


def test_importing_the_samples_counts_new_known_and_skipped(tmp_path):
    with Store(tmp_path / "t.db") as store:
        reports = import_paths(store, [NOV_20, NOV_21, COMPACT])
        counts = [(r.found, r.new, r.known, r.skipped, r.error) for r in reports]
        assert counts == [(10, 10, 0, 1, None), (8, 5, 3, 1, None), (8, 7, 1, 0, None)]
        assert store.count() == 22
        assert store.stats()["listings"] == 26
        sparse = store.get(paper_id(SPARSE))
        # listed twice (case and spacing differ on Nov 21), keeps the first title seen
        assert sparse.title == SPARSE
        assert [(item.source, item.listed_on[5:]) for item in sparse.listed] == [
            ("daily-nov-20.txt", "11-20"),
            ("daily-nov-21.txt", "11-21"),
        ]


def test_a_directory_imports_every_txt_and_json_inside_in_name_order(tmp_path):
    with Store(tmp_path / "t.db") as store:
        reports = import_paths(store, [SAMPLES])
        assert [report.path.name for report in reports] == [
            "compact-nov-22.txt",
            "daily-nov-20.txt",
            "daily-nov-21.txt",
            "daily-papers-2026-11-20.json",  # the Nov 20 papers again, from the API
        ]
        assert store.count() == 22


# -- parsing rules -------------------------------------------------------------------


def test_compact_form_splits_the_title_glued_to_subscribe():
    text = "Get trending papers in your email inbox!\nSubscribeDynamicCity: LiDAR Scenes\n"
    text += ABSTRACT
    parsed = parse_dump(text, name="c.txt", reference=NOV_23)
    assert parsed.entries == [("DynamicCity: LiDAR Scenes", ABSTRACT)]


def test_a_title_that_starts_with_subscribe_is_kept_whole_on_a_page_dump():
    text = page(("Subscriber Churn Prediction with Language Models", ABSTRACT))
    parsed = parse_dump(text, name="p.txt", reference=NOV_23)
    assert parsed.entries == [("Subscriber Churn Prediction with Language Models", ABSTRACT)]


def test_the_date_line_is_found_after_a_stray_first_line():
    text = "Daily Papers - Hugging Face\n\n" + page(("A Title", ABSTRACT), date="Nov 21")
    parsed = parse_dump(text, name="p.txt", reference=NOV_23)
    assert parsed.listed_on == "2026-11-21"
    assert parsed.entries == [("A Title", ABSTRACT)]
    assert parsed.problems == [
        "line 1: skipped a title with no abstract: 'Daily Papers - Hugging Face'"
    ]


def test_a_date_without_year_is_the_most_recent_such_day():
    text = page(("A Title", ABSTRACT), date="Dec 30")
    assert parse_dump(text, name="p.txt", reference=dt.date(2027, 1, 5)).listed_on == "2026-12-30"
    assert parse_dump(text, name="p.txt", reference=NOV_23).listed_on == "2025-12-30"
    leap_day = page(("A Title", ABSTRACT), date="Feb 29")
    parsed = parse_dump(leap_day, name="p.txt", reference=NOV_23)
    assert (parsed.listed_on, parsed.problems) == ("2024-02-29", [])


def test_a_title_with_no_abstract_in_the_middle_is_reported_not_mispaired():
    text = page(("First Paper", ABSTRACT), ("Orphan Title",), ("Second Paper", ABSTRACT + " More."))
    parsed = parse_dump(text, name="p.txt", reference=NOV_23)
    assert parsed.entries == [("First Paper", ABSTRACT), ("Second Paper", ABSTRACT + " More.")]
    assert parsed.problems == ["line 13: skipped a title with no abstract: 'Orphan Title'"]


def test_titles_with_several_questions_still_head_their_abstracts():
    long_abstract = ABSTRACT + " " + ABSTRACT
    asking = "Do Models Plan Ahead? Can We Tell? Probing Look-Ahead in Transformers"
    shouting = "Heavy Labels Out! Small Data In! Dataset Distillation with Label Lightening"
    text = page((asking, long_abstract), ("Orphan Title",), (shouting, long_abstract + " Also."))
    parsed = parse_dump(text, name="p.txt", reference=NOV_23)
    assert parsed.entries == [(asking, long_abstract), (shouting, long_abstract + " Also.")]
    assert parsed.problems == ["line 13: skipped a title with no abstract: 'Orphan Title'"]


def test_a_paragraph_with_no_title_is_reported_not_mispaired():
    text = page(("First Paper", ABSTRACT), (ABSTRACT + " Stray.",), ("Second Paper", ABSTRACT))
    parsed = parse_dump(text, name="p.txt", reference=NOV_23)
    assert parsed.entries == [("First Paper", ABSTRACT), ("Second Paper", ABSTRACT)]
    assert parsed.problems == [
        f"line 13: skipped a paragraph with no title: {(ABSTRACT + ' Stray.')[:60]!r}"
    ]


def test_problems_are_listed_in_line_order():
    text = page(("A Title", ABSTRACT), ("Last Title",)) + "\nSubscribe\n\nNov 20\n"
    parsed = parse_dump(text, name="p.txt", reference=NOV_23)
    assert parsed.problems == [
        "line 13: skipped a title with no abstract: 'Last Title'",
        "line 17: skipped date line 'Nov 20': no papers after it",
    ]
    footer = page(("A Title", ABSTRACT), ("B Title", ABSTRACT)) + "\nSubscribe\n\nLast Title\n"
    parsed = parse_dump(footer, name="p.txt", reference=NOV_23)
    assert parsed.problems == [
        "line 17: skipped page text 'Subscribe'",
        "line 19: skipped a title with no abstract: 'Last Title'",
    ]


def test_control_characters_and_escape_sequences_are_stripped_from_titles_and_abstracts():
    hostile_title = "\x1b[2J\x1b]0;pwned\x07Clean\x00 \u202eTitle\x9b31m\x7f"
    hostile_abstract = "\x1b[1;31m" + ABSTRACT + "\x08\x1b[0m\x07"
    parsed = parse_dump(page((hostile_title, hostile_abstract)), name="p.txt", reference=NOV_23)
    assert parsed.entries == [("Clean Title", ABSTRACT)]


@pytest.mark.parametrize(("hostile", "shown"), SEQUENCES)
def test_each_kind_of_terminal_sequence_is_stripped_from_the_imported_title(hostile, shown):
    parsed = parse_dump(page((hostile, ABSTRACT)), name="p.txt", reference=NOV_23)
    assert parsed.entries == [(shown, ABSTRACT)]


def test_an_unterminated_terminal_string_loses_only_the_rest_of_its_line():
    text = page(("First\x1b]0;never ended", ABSTRACT), ("Second\x1bPnor this", ABSTRACT))
    parsed = parse_dump(text, name="p.txt", reference=NOV_23)
    assert parsed.entries == [("First", ABSTRACT), ("Second", ABSTRACT)]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_unicode_line_and_paragraph_separators_inside_a_title_keep_it_whole(separator):
    text = page((f"Line{separator}Break Title", ABSTRACT), ("Two", ABSTRACT))
    parsed = parse_dump(text, name="p.txt", reference=NOV_23)
    assert parsed.entries == [("Line Break Title", ABSTRACT), ("Two", ABSTRACT)]
    assert parsed.problems == []


# -- bad input -----------------------------------------------------------------------


def test_binary_file_is_refused_with_one_line_naming_it(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(DumpError) as caught:
        read_dump(path)
    assert str(caught.value) == f"{path}: binary file, not a Daily Papers text dump"


def test_binary_content_behind_a_utf8_bom_is_still_refused(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + bytes(range(1, 32)) * 50)
    with pytest.raises(DumpError, match="binary file"):
        read_dump(path)


def test_a_dump_saved_with_terminal_colours_is_text_not_binary(tmp_path):
    path = tmp_path / "coloured.txt"
    pairs = [(f"\x1b[1;33mPaper {n}\x1b[0m", f"\x1b[2m{ABSTRACT}\x1b[0m") for n in range(20)]
    path.write_text(page(*pairs))
    parsed = read_dump(path)
    assert parsed.entries == [(f"Paper {n}", ABSTRACT) for n in range(20)]


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"\n \r\n")
    with pytest.raises(DumpError) as caught:
        read_dump(path)
    assert str(caught.value) == f"{path}: empty file, nothing to import"


def test_text_that_is_not_a_dump_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("shopping\neggs\nmilk\nbread\n")
    with pytest.raises(DumpError, match="notes.txt: does not look like a Daily Papers dump"):
        read_dump(path)


def test_a_dump_of_one_unpaired_title_has_nothing_to_import(tmp_path):
    path = tmp_path / "lonely.txt"
    path.write_text(page(("Only A Title",)))
    with pytest.raises(DumpError, match="lonely.txt: no title/abstract pairs found"):
        read_dump(path)


def test_missing_path_and_directory_are_reported(tmp_path):
    with pytest.raises(DumpError) as caught:
        read_dump(tmp_path / "nope.txt")
    assert str(caught.value) == f"{tmp_path / 'nope.txt'}: cannot read: No such file or directory"
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(DumpError, match="folder.txt: is a directory"):
        read_dump(tmp_path / "folder.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_reported(tmp_path):
    path = tmp_path / "locked.txt"
    path.write_text(page(("A Title", ABSTRACT)))
    path.chmod(0)
    with pytest.raises(DumpError, match="locked.txt: cannot read: Permission denied"):
        read_dump(path)


# -- importing -----------------------------------------------------------------------


def test_a_bad_file_among_good_ones_is_reported_and_the_others_import(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    with Store(tmp_path / "t.db") as store:
        reports = import_paths(store, [NOV_20, bad, NOV_21])
        assert [report.error for report in reports] == [
            None,
            f"{bad}: binary file, not a Daily Papers text dump",
            None,
        ]
        assert reports[1].summary() == f"error: {bad}: binary file, not a Daily Papers text dump"
        assert store.count() == 15
        assert [row["name"] for row in store.import_history()] == [
            "daily-nov-20.txt",
            "daily-nov-21.txt",
        ]


def test_a_file_that_fails_midway_imports_nothing_and_can_be_retried(tmp_path):
    """Paper 10 of 10 is refused by the DB: the 9 before it must not stay behind."""
    with Store(tmp_path / "t.db") as store:
        store.conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON papers WHEN NEW.title LIKE 'Tidal:%' "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
        [report] = import_paths(store, [NOV_20])
        assert report.error is not None
        assert str(NOV_20) in report.error
        assert "database or disk is full" in report.error
        assert "\n" not in report.summary()
        assert (report.new, store.count(), store.import_history()) == (0, 0, [])
        assert store.stats()["listings"] == 0
        store.conn.execute("DROP TRIGGER refuse")
        [again] = import_paths(store, [NOV_20])
        assert (again.error, again.new, again.already_imported) == (None, 10, None)


def test_a_file_refused_amid_others_imports_nothing_and_the_others_whole(tmp_path):
    """The files of an import share transactions: the one the DB refuses midway (its paper 10
    of 10) leaves nothing behind, and the files before and after it are kept, as if imported
    alone."""
    with Store(tmp_path / "alone.db") as alone:
        [expected] = import_paths(alone, [COMPACT])
        expected_papers = {paper.id: paper.title for paper in alone.papers()}
    with Store(tmp_path / "t.db") as store:
        store.conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON papers WHEN NEW.title LIKE 'Tidal:%' "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
        first, refused, last = import_paths(store, [COMPACT, NOV_20, COMPACT])
        assert (first.error, first.new, first.known) == (None, expected.new, expected.known)
        assert refused.error is not None and "database or disk is full" in refused.error
        assert refused.new == 0
        assert last.already_imported is not None  # the first one was kept
        assert {paper.id: paper.title for paper in store.papers()} == expected_papers
        assert [row["name"] for row in store.import_history()] == ["compact-nov-22.txt"]
        store.conn.execute("DROP TRIGGER refuse")
        [again] = import_paths(store, [NOV_20])
        assert (again.error, again.already_imported) == (None, None)


def test_a_db_locked_through_an_import_is_reported_for_each_file_and_left_intact(
    tmp_path, monkeypatch
):
    monkeypatch.setattr("triage.store.connection.BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "t.db"
    with Store(path) as store:
        blocker = sqlite3.connect(path)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            reports = import_paths(store, [NOV_20, NOV_21, COMPACT])
        finally:
            blocker.rollback()
            blocker.close()
        assert [report.new for report in reports] == [0, 0, 0]
        assert all("locked" in (report.error or "") for report in reports)
        assert all("\n" not in report.summary() for report in reports)
        assert (store.count(), store.import_history()) == (0, [])
        assert [report.new for report in import_paths(store, [NOV_20, NOV_21])] == [10, 5]


def rows(store, sql):
    return store.conn.execute(sql).fetchall()


def test_reimporting_never_duplicates_papers_nor_touches_annotations(tmp_path):
    warning = paper_id(
        "[bold red]Warning[/]: Markup-Aware Tokenizers Leak Formatting into Language Model Outputs"
    )
    sparse = paper_id(SPARSE)
    counting = paper_id(
        "When Do Vision-Language Models Count? A Diagnostic Benchmark for Numerosity"
    )
    with Store(tmp_path / "t.db") as store:
        import_paths(store, [NOV_20])
        store.mark([warning], star=True, add_tags=["security", "llm"], note="read §3\nthen §5")
        store.mark([sparse], state="reading", add_tags=["edge"])
        store.mark([counting], state="archived", note="meh")
        store.mark([sparse], remove_tags=["edge"])
        before = {paper.id: paper for paper in store.papers()}
        stamps = rows(store, "SELECT * FROM annotations ORDER BY paper_id")
        tag_rows = rows(store, "SELECT * FROM tags ORDER BY paper_id, tag")

        [same] = import_paths(store, [NOV_20])
        assert same.already_imported is not None and same.new == 0
        assert "already imported" in same.summary()
        # the same day saved again with other line ends under the same name: new bytes, same papers
        resaved = tmp_path / "daily-nov-20.txt"
        resaved.write_bytes(NOV_20.read_bytes().replace(b"\n", b"\r\n"))
        reports = import_paths(store, [resaved, NOV_21, COMPACT])
        assert [(r.new, r.known) for r in reports] == [(0, 10), (5, 3), (7, 1)]
        assert store.count() == 22

        after = {paper.id: paper for paper in store.papers()}
        for paper in before.values():
            now = after[paper.id]
            assert (now.title, now.abstract, now.starred, now.state, now.note, now.tags) == (
                paper.title,
                paper.abstract,
                paper.starred,
                paper.state,
                paper.note,
                paper.tags,
            )
        assert after[warning].starred and after[warning].tags == ["llm", "security"]
        assert after[warning].note == "read §3\nthen §5"
        assert (after[sparse].state, after[sparse].tags) == ("reading", [])
        assert after[counting].state == "archived"
        assert sorted(item.source for item in after[counting].listed) == [
            "compact-nov-22.txt",
            "daily-nov-20.txt",
        ]
        assert rows(store, "SELECT * FROM annotations ORDER BY paper_id") == stamps
        assert rows(store, "SELECT * FROM tags ORDER BY paper_id, tag") == tag_rows
        duplicates = store.conn.execute(
            "SELECT paper_id, source, count(*) FROM listings GROUP BY 1, 2 HAVING count(*) > 1"
        ).fetchall()
        assert duplicates == []


def test_import_keeps_the_db_a_single_file(tmp_path):
    with Store(tmp_path / "t.db") as store:
        import_paths(store, [SAMPLES])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["t.db"]
    mode = sqlite3.connect(tmp_path / "t.db").execute("PRAGMA journal_mode").fetchone()
    assert mode == ("delete",)


def corrupt_tables(path):
    """Overwrite the first page of every table and index, the schema left intact, as a failing
    disk or bad sync would."""
    conn = sqlite3.connect(path)
    roots = [
        row[0] for row in conn.execute("SELECT rootpage FROM sqlite_master WHERE rootpage > 1")
    ]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    for page in roots:
        data[(page - 1) * size : page * size] = b"A" * size
    path.write_bytes(bytes(data))


def test_a_db_corrupted_after_opening_gets_a_one_line_error_per_file(tmp_path):
    path = tmp_path / "t.db"
    with Store(path) as store:
        import_paths(store, [NOV_20])
    corrupt_tables(path)
    with Store(path) as store:
        reports = import_paths(store, [NOV_21])
    assert [report.summary() for report in reports] == [
        f"error: {NOV_21}: not imported, {path} refused it: database disk image is malformed"
    ]
