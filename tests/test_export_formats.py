"""`triage export --format markdown|bibtex|json`: each read back as its readers would read it
(bibtexparser, and biber where it is installed; markdown-it-py; json)."""

import json
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import (
    SeparateCoAuthors,
)
from click.testing import CliRunner
from markdown_it import MarkdownIt
from pylatexenc import latex2text

from triage.cli import main
from triage.export.bibtex import citation_key, export_bibtex
from triage.export.markdown import export_markdown
from triage.store import Identity, Paper

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
HOSTILE_TITLES = [
    "Braces {Balanced} and {Nested {Deeply}} Kept",
    "Unbalanced {{{ Opening Braces",
    "}}} Closing Braces First, then { One More",
    "100% of $x^2$ & More: Costs #1",
    r"A \backslash, \textbf{Not Bold} and C:\new\path",
    "Under_score, Tilde ~ and Caret ^ Survive",
    "Ünïcödé: Schrödinger 量子 Café — naïve",
    "@misc{injected, title = {Fake}}",
    'Quotes " and Commas, and = Signs',
]
HOSTILE_AUTHORS = (
    "José Álvarez",
    "Zoë Müller",
    "李明",
    "Nguyễn Thị Lan",
    "Org, Inc.",
    "Tom and Jerry Lab",
)


def paper(number, title, *, arxiv_id=None, authors=(), tags=(), **fields):
    return Paper(
        id=f"{number:010x}",
        title=title,
        abstract=fields.pop("abstract", "An abstract. Another sentence."),
        added_at="2026-11-20T08:00:00.000000Z",
        tags=list(tags),
        identity=Identity(arxiv_id=arxiv_id, authors=tuple(authors)),
        **fields,
    )


def hostile_papers():
    return [
        paper(
            number,
            title,
            arxiv_id=f"2611.{number:05d}" if number % 2 else None,
            authors=HOSTILE_AUTHORS[number % 3 :],
            tags=["must-read", "c++", "50%-done"][: number % 4],
        )
        for number, title in enumerate(HOSTILE_TITLES, start=1)
    ]


def latex_reader():
    """pylatexenc, knowing the LaTeX kernel's text symbols for a brace and a caret."""
    context = latex2text.get_default_latex_context_db()  # a fresh copy
    context.add_context_category(
        "kernel text symbols",
        macros=[
            latex2text.MacroTextSpec("textbraceleft", "{"),
            latex2text.MacroTextSpec("textbraceright", "}"),
            latex2text.MacroTextSpec("textasciicircum", "^"),
        ],
        prepend=True,
    )
    return latex2text.LatexNodes2Text(latex_context=context)


def read_bibtex(text):
    """Entries as (type, key, fields); names split as biber splits them, then decoded."""
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert library.failed_blocks == []
    decode = latex_reader().latex_to_text
    return [
        (
            entry.entry_type,
            entry.key,
            {
                field.key: [decode(name) for name in field.value]
                if isinstance(field.value, list)
                else decode(field.value)
                for field in entry.fields
            },
        )
        for entry in library.entries
    ]


def test_bibtex_round_trips_hostile_titles_and_authors_through_bibtexparser():
    papers = hostile_papers()
    entries = read_bibtex(export_bibtex(papers))
    assert [key for _, key, _ in entries] == [citation_key(p) for p in papers]
    for (kind, _, fields), original in zip(entries, papers):
        assert kind == "misc"
        assert fields["title"] == original.title
        assert fields["author"] == list(original.identity.authors)  # one name each, whole
        assert fields["year"] == "2026"
        if original.identity.arxiv_id:
            assert fields["eprint"] == original.identity.arxiv_id
            assert fields["archivePrefix"] == "arXiv"
            assert fields["url"] == f"https://arxiv.org/abs/{original.identity.arxiv_id}"
        else:
            assert "eprint" not in fields and "url" not in fields
        assert fields.get("keywords", "") == ", ".join(original.tags)


@pytest.mark.skipif(shutil.which("biber") is None, reason="biber is not installed")
def test_biber_reads_every_entry_without_an_error(tmp_path):
    bib = tmp_path / "papers.bib"
    bib.write_text(export_bibtex(hostile_papers()), encoding="utf-8")
    result = subprocess.run(
        ["biber", "--tool", bib.name],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout and "WARN" not in result.stdout
    written = (tmp_path / "papers_bibertool.bib").read_text(encoding="utf-8")
    assert written.count("@misc{") + written.count("@MISC{") == len(HOSTILE_TITLES)


def test_control_sequences_never_reach_the_bibtex():
    text = export_bibtex(
        [paper(1, "Red\x1b[31m Team\x1b]0;pwned\x07", authors=["Ana\x9b2J Souza"])]
    )
    assert "\x1b" not in text and "\x9b" not in text
    [(_, _, fields)] = read_bibtex(text)
    assert (fields["title"], fields["author"]) == ("Red Team", ["Ana Souza"])


def test_the_citation_key_stays_when_the_paper_gains_its_identity():
    dumped = paper(7, "Tidal: Streaming Speech Recognition")
    fetched = paper(
        7, "Tidal: Streaming Speech Recognition", arxiv_id="2611.14534", authors=["Mei Lin"]
    )
    assert citation_key(dumped) == citation_key(fetched) == "tidal-0000000007"
    assert citation_key(paper(8, "量子 Café")) == "cafe-0000000008"
    assert citation_key(paper(9, "量子")) == "paper-0000000009"


def test_the_year_is_the_arxiv_ids_else_the_first_listing():
    from triage.store import Listing

    listed = paper(1, "Old Paper", listed=[Listing("a.txt", "2025-03-11", 0)])
    assert "year = {2025}" in export_bibtex([listed])
    assert "year = {2024}" in export_bibtex([paper(2, "Id Wins", arxiv_id="2412.00001")])


def test_markdown_links_titles_to_arxiv_as_markdown_it_renders_them():
    papers = [
        paper(1, "Plain Title", arxiv_id="2611.14534"),
        paper(2, "Tricky [Brackets](and parens) *Stars*", arxiv_id="2611.00002"),
        paper(3, "No Id Yet"),
        paper(4, "Hostile Id", arxiv_id="x) [click](javascript:alert(1)"),
    ]
    html = MarkdownIt("commonmark").render(export_markdown(papers, title="Papers"))
    assert '<a href="https://arxiv.org/abs/2611.14534">Plain Title</a>' in html
    assert (
        '<a href="https://arxiv.org/abs/2611.00002">Tricky [Brackets](and parens) *Stars*</a>'
    ) in html
    assert html.count("<a ") == 2  # no id, or one no link can carry: the title alone
    assert "<strong>No Id Yet</strong>" in html and "<strong>Hostile Id</strong>" in html


# -- the command --------------------------------------------------------------------


def run(db, *args):
    result = CliRunner().invoke(main, ["--db", str(db), *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "t.db"
    assert run(path, "import", SAMPLES).exit_code == 0
    return path


def test_json_export_is_list_json(db):
    exported = run(db, "export", "--format", "json", "tidal OR speech")
    assert exported.exit_code == 0
    assert exported.stdout == run(db, "list", "--json", "tidal OR speech").stdout
    assert {paper["arxiv_id"] for paper in json.loads(exported.stdout)} >= {"2611.14534"}


def test_the_format_follows_the_files_extension_unless_given(db, tmp_path):
    bib, js, md = tmp_path / "refs.bib", tmp_path / "papers.json", tmp_path / "list.txt"
    result = run(db, "export", "--starred", "-o", bib)
    assert (result.exit_code, result.stderr) == (0, f"wrote 0 papers to {bib}\n")
    run(
        db,
        "mark",
        json.loads(run(db, "list", "--json", "tidal").stdout)[0]["id"],
        "--star",
        "--tag",
        "asr",
    )
    assert run(db, "export", "--starred", "-o", bib).stderr == f"wrote 1 paper to {bib}\n"
    [(_, _, fields)] = read_bibtex(bib.read_text(encoding="utf-8"))
    assert fields["keywords"] == "asr"
    run(db, "export", "--starred", "-o", js)
    assert [paper["title"] for paper in json.loads(js.read_text(encoding="utf-8"))] == [
        "Tidal: Streaming Speech Recognition with Bounded Look-Ahead"
    ]
    run(db, "export", "--starred", "--format", "bibtex", "-o", md)
    assert md.read_text(encoding="utf-8").startswith("@misc{tidal-")
    run(db, "export", "--starred", "-o", md)
    assert md.read_text(encoding="utf-8").startswith("# Starred papers\n")


def test_every_sample_paper_exports_to_bibtex_that_reads_back(db):
    result = run(db, "export", "--format", "bibtex")
    entries = read_bibtex(result.stdout)
    assert len(entries) == 22
    assert sum("eprint" in fields for _, _, fields in entries) == 10
