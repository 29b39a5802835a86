"""Exports of thousands of papers, read and written a few hundred at a time: complete, in the
order asked for, as safe as a small one, and written whole or not at all."""

from __future__ import annotations

import json

import bibtexparser
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from triage.cli import main
from triage.export.bibtex import citation_key
from triage.export.markdown import export_markdown
from triage.store import STATES, Reader, Store
from triage.tui.exporting import export_papers

PAPERS = 2_300  # several times what is read at once
HOSTILE = [
    "# Heading [link](http://x) <script>",
    "Unbalanced {{{ Opening Braces",
    "100% of $x^2$ & More: Costs #1 \\textbf{x}",
    "Red\x1b[1;31m Alert\x1b]0;pwned\x07 `code` | pipe",
    "@misc{injected, title = {Fake}}",
]


def run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)])


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """2,300 papers listed over five days, some hostile, starred, in every state, tagged and
    annotated."""
    path = tmp_path_factory.mktemp("many") / "library.db"
    with Store(path) as store:
        for day in range(5):
            entries = [
                (f"{HOSTILE[number % 5] if number % 9 == 0 else 'Paper'} {number}", "A. B.")
                for number in range(day, PAPERS, 5)
            ]
            store.add_papers(entries, source=f"d{day}.txt", listed_on=f"2026-10-0{day + 1}")
        ids = store.ids_newest_first()
        store.mark(ids[::7], star=True)
        for offset, state in enumerate(STATES):
            store.mark(ids[offset::11], state=state)
        store.mark(ids[::13], add_tags=["to-read", "c++"])
        store.mark(ids[::17], note="- item\n# h\x1b[2J\n```\n<b>{")
    return path


def test_an_export_of_every_paper_holds_them_all_in_the_list_order(library):
    with Store(library) as store:
        papers = store.papers()
    listed = json.loads(run(library, "export", "--format", "json").stdout)
    assert [paper["id"] for paper in listed] == [paper.id for paper in papers]
    assert listed == [paper.to_json() for paper in papers]

    bibtex = bibtexparser.parse_string(run(library, "export", "--format", "bibtex").stdout)
    assert bibtex.failed_blocks == []
    assert [entry.key for entry in bibtex.entries] == [citation_key(paper) for paper in papers]

    markdown = run(library, "export").stdout
    assert markdown == export_markdown(papers, title="Papers")  # as if read all at once
    tokens = MarkdownIt("gfm-like").parse(markdown)
    assert len([t for t in tokens if t.type == "list_item_open" and t.level == 1]) == PAPERS
    assert not {t.type for t in tokens} & {"html_block", "fence", "code_block", "table_open"}


def test_an_export_of_a_search_keeps_its_order_and_its_filters(library, tmp_path):
    query = ["paper", "sort:title"]
    order = [paper["id"] for paper in json.loads(run(library, "list", "--json", *query).stdout)]
    assert len(order) > 1_000
    out = tmp_path / "search.json"
    assert run(library, "export", *query, "-o", out).exit_code == 0
    assert [paper["id"] for paper in json.loads(out.read_text())] == order

    narrowed = run(library, "export", "--format", "json", "--starred", "--tag", "C++", *query)
    with Store(library) as store:
        papers = {paper.id: paper for paper in store.papers(order)}
    assert [paper["id"] for paper in json.loads(narrowed.stdout)] == [
        paper for paper in order if papers[paper].starred and "c++" in papers[paper].tags
    ]
    by_state = run(library, "export", "--format", "json", "--state", "read", *query)
    assert [paper["id"] for paper in json.loads(by_state.stdout)] == [
        paper for paper in order if papers[paper].state == "read"
    ]


def test_the_apps_export_keeps_the_views_order(library, tmp_path):
    with Store(library) as store:
        view = sorted(store.ids_newest_first(), reverse=True)  # any order the view shows
        told, failed = export_papers(
            store, view, tmp_path / "view.json", kind="view", title="Inbox", query=None
        )
        assert (failed, told.split(" to ")[0]) == (False, f"Exported {PAPERS} papers")
        assert [paper["id"] for paper in json.loads((tmp_path / "view.json").read_text())] == view
        export_papers(store, view, tmp_path / "view.md", kind="view", title="Inbox", query=None)
        expected = export_markdown(store.papers(view), title="Inbox")
    assert (tmp_path / "view.md").read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, OSError(28, "No space left")])
@pytest.mark.parametrize("form", ["md", "bib", "json"])
def test_an_interrupted_export_leaves_the_file_as_it_was(
    library, tmp_path, monkeypatch, interruption, form
):
    target = tmp_path / f"export.{form}"
    target.write_text("the last export\n")
    read = Reader.papers_in_chunks

    def fails_midway(self, ids, *, listings=True):
        chunks = read(self, ids, listings=listings)
        yield next(chunks)
        raise interruption

    monkeypatch.setattr(Reader, "papers_in_chunks", fails_midway)
    result = run(library, "export", "-o", target)
    assert result.exit_code != 0
    assert target.read_text() == "the last export\n"
    assert [path.name for path in tmp_path.iterdir()] == [target.name]
    fresh = tmp_path / f"fresh.{form}"
    assert run(library, "export", "-o", fresh).exit_code != 0
    assert not fresh.exists()
