import os
import random
import re
import stat

import pytest
from hostile_text import SEQUENCES
from markdown_it import MarkdownIt

from triage.export.markdown import (
    _SENTENCE_END as SENTENCE_END,
)
from triage.export.markdown import (
    ABSTRACT_LIMIT,
    OPENING,
    ExportError,
    export_markdown,
    first_sentence,
    one_line,
    write_atomically,
)
from triage.store import Paper


def paper(paper_id, title, **fields):
    fields.setdefault("abstract", "An abstract.")
    return Paper(id=paper_id, title=title, added_at="2026-01-01T00:00:00.000000Z", **fields)


def test_small_list_exact_markdown():
    papers = [
        paper("p1", "Plain Inbox Paper", abstract="We study things. Then more things."),
        paper(
            "p2",
            "Reading With Notes",
            state="reading",
            tags=["llm", "must-read"],
            note="first line\nsecond line",
            abstract="Short.",
        ),
        paper("p3", "Starred Later In Input", starred=True, abstract="e.g. this stays. Next."),
        paper("p4", "Done Deal", state="archived", abstract=""),
    ]
    assert export_markdown(papers, title="Week 12", query="tag:llm") == (
        "# Week 12\n"
        "\n"
        "Query: tag:llm\n"
        "\n"
        "4 papers, 1 starred.\n"
        "\n"
        "## Inbox (2)\n"
        "\n"
        "- ★ **Starred Later In Input**\n"
        "  - e.g. this stays.\n"
        "- **Plain Inbox Paper**\n"
        "  - We study things.\n"
        "\n"
        "## Reading (1)\n"
        "\n"
        "- **Reading With Notes**\n"
        "  - Tags: llm, must-read\n"
        "  - Note: first line\\\n"
        "    second line\n"
        "  - Short.\n"
        "\n"
        "## Archived (1)\n"
        "\n"
        "- **Done Deal**\n"
    )


def test_empty_list_still_a_document():
    assert export_markdown([], title="Nothing") == "# Nothing\n\n0 papers.\n"


HOSTILE_TITLES = [
    "# Heading",
    "[link](http://x)",
    "<script>alert(1)</script>",
    "*bold* and __strong__",
    "`code` and ```fence```",
    "a | b | c",
    "![img](http://x/i.png)",
    "1. numbered",
    "- dash",
    "> quote",
    "&lt;entity&gt; &#60;",
    "ends with backslash \\",
]
HOSTILE_NOTE = (
    "first\n- item\n# h\n  ## indented heading\n1) one\n> quoted\n```\nfenced\n```\n"
    "| a | b |\n|---|---|\n===\n---\n\n\n    four spaces\n<div>html</div>\n[ref]: http://x\n"
    "trailing \\"
)


def parse(markdown):
    return MarkdownIt("gfm-like").parse(markdown)


def test_hostile_titles_tags_and_notes_cannot_change_the_structure():
    papers = [
        paper(f"p{index}", title, note=HOSTILE_NOTE, tags=["<b>", "x_y", "[t](u)"])
        for index, title in enumerate(HOSTILE_TITLES)
    ]
    markdown = export_markdown(papers, title="# <b>Evil</b> [x](y)", query="<script>")
    tokens = parse(markdown)

    kinds = {token.type for token in tokens}
    children = {child.type for token in tokens for child in (token.children or [])}
    assert not kinds & {
        "html_block",
        "fence",
        "code_block",
        "table_open",
        "blockquote_open",
        "ordered_list_open",
        "hr",
    }
    assert not children & {"html_inline", "link_open", "image", "code_inline", "s_open"}
    # Exactly our headings: the document title and the one state section.
    headings = [
        "".join(child.content for child in tokens[i + 1].children)
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    assert headings == ["# <b>Evil</b> [x](y)", f"Inbox ({len(HOSTILE_TITLES)})"]
    # One top-level item per paper, each with exactly three sub-items (tags, note, abstract).
    items = [t for t in tokens if t.type == "list_item_open"]
    top_level = [t for t in items if t.level == 1]
    assert len(top_level) == len(HOSTILE_TITLES)
    assert len(items) == len(HOSTILE_TITLES) * 4


def test_hostile_text_reads_back_literally():
    note = "- item\n# h\n`tick` *star* | pipe <b> www.x.org a@b.c"
    markdown = export_markdown([paper("p", "[link](http://x) <script>", note=note)], title="T")
    html = MarkdownIt("gfm-like").render(markdown)
    assert "<strong>[link](http://x) &lt;script&gt;</strong>" in html
    assert (
        "Note: - item<br />\n# h<br />\n`tick` *star* | pipe &lt;b&gt; www.x.org a@b.c</li>" in html
    )


def test_multiline_note_stays_inside_its_item():
    markdown = export_markdown(
        [paper("a", "A", note="one\n\n\ntwo\n- three"), paper("b", "B")], title="T"
    )
    assert "  - Note: one\\\n    \\\n    two\\\n    \\- three\n" in markdown
    tokens = parse(markdown)
    inline = [t.content for t in tokens if t.type == "inline" and t.level == 5]
    assert any(text.startswith("Note: one") and text.endswith("- three") for text in inline)


# Anything a terminal acts on, a viewer reorders, or that ends a Markdown line.
TERMINAL_CONTROL = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


@pytest.mark.parametrize(("hostile", "shown"), SEQUENCES)
def test_terminal_sequences_are_stripped_from_titles_tags_and_abstracts(hostile, shown):
    markdown = export_markdown(
        [paper("p", hostile, tags=[hostile], abstract=f"First {hostile}")], title=hostile
    )
    assert markdown == (
        f"# {shown}\n\n1 paper.\n\n## Inbox (1)\n\n"
        f"- **{shown}**\n  - Tags: {shown}\n  - First {shown}\n"
    )


def test_terminal_sequences_are_stripped_from_notes_and_every_line_break_keeps_its_line():
    note = (
        "ok\x1b[2J\r\nnext\x00\rthird\u2028\tfourth\x1b]0;unterminated title\n"
        "fifth\u2029tab\there \x9b1;31mred\x1b"
    )
    markdown = export_markdown([paper("p", "P", note=note)], title="T")
    lines = ["ok", "next", "third", "fourth", "fifth", "tab here red"]
    assert "  - Note: " + "\\\n    ".join(lines) + "\n" in markdown


def test_no_control_character_or_escape_reaches_the_export_nor_changes_its_structure():
    controls = [chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)]]
    controls += ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]
    escapes = [f"\x1b{chr(code)}" for code in range(0x20, 0x7F)]
    papers = [
        paper(f"p{index}", f"A{text}B", tags=[f"t{text}"], note=f"n{text}", abstract=f"x{text}y.")
        for index, text in enumerate(controls + escapes + ["\x1b", "\x9b", "\x1b]", "\x1b["])
    ]
    markdown = export_markdown(papers, title="T")
    assert TERMINAL_CONTROL.findall(markdown) == []
    tokens = parse(markdown)
    items = [t for t in tokens if t.type == "list_item_open"]
    assert len([t for t in items if t.level == 1]) == len(papers)
    assert len(items) == len(papers) * 4


def test_long_abstract_sentence_is_shortened_on_a_word():
    abstract = "word " * 100 + "end. Second."
    markdown = export_markdown([paper("p", "P", abstract=abstract)], title="T")
    line = next(line for line in markdown.splitlines() if line.startswith("  - word"))
    assert line.endswith("word …") and len(line) < 320


@pytest.mark.parametrize(
    ("abstract", "first"),
    [
        (
            "We extend prior detectors (e.g. YOLO and DETR) to video. Results follow.",
            "We extend prior detectors (e.g. YOLO and DETR) to video.",
        ),
        (
            "As Smith et al. (2024) showed, scale helps. We ask why.",
            "As Smith et al. (2024) showed, scale helps.",
        ),
        (
            "Our method, i.e. Tidal, beats the baseline (cf. Fig. 3 and Eq. 2). More.",
            "Our method, i.e. Tidal, beats the baseline (cf. Fig. 3 and Eq. 2).",
        ),
        ("It works. E.g. This is the second sentence.", "It works."),
    ],
)
def test_the_first_sentence_runs_past_abbreviations(abstract, first):
    markdown = export_markdown([paper("p", "P", abstract=abstract)], title="T")
    assert f"  - {first}\n" in markdown


def test_write_atomically_replaces_target_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "export.md"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomically(target, "new ★\n")
    assert target.read_bytes() == "new ★\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.md"]


def test_write_atomically_creates_a_new_file(tmp_path):
    write_atomically(tmp_path / "fresh.md", "text")
    assert (tmp_path / "fresh.md").read_text() == "text"
    assert [p.name for p in tmp_path.iterdir()] == ["fresh.md"]


def test_write_atomically_failure_names_the_path_and_cleans_up(tmp_path):
    target = tmp_path / "is-a-dir"
    target.mkdir()
    (target / "keep").write_text("kept")
    with pytest.raises(ExportError) as error:
        write_atomically(target, "text")
    message = str(error.value)
    assert str(target) in message and "\n" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["is-a-dir"]
    assert (target / "keep").read_text() == "kept"


def test_write_atomically_into_missing_folder_fails_cleanly(tmp_path):
    target = tmp_path / "missing" / "out.md"
    with pytest.raises(ExportError, match="missing/out.md: cannot write"):
        write_atomically(target, "text")


def test_the_first_sentence_of_a_long_abstract_is_read_from_the_whole_of_it():
    """However long the abstract, and whatever sequence, line break or sentence end falls where
    an export stops reading it, the sentence is the one the whole abstract begins with."""
    pieces = [
        ". A", ". a", "! 7", " e.g. B", "\r\n", "\r", "\t", "\u2028", "\x1b]0;title\x07",
        "\x1b]8;;http://x\x1b\\", "\x1b[1;31m", "\x1b(B", "\x9b2J", "\x9d0;t\x9c", "\x1b",
    ]  # fmt: skip
    tails = [" More. Text" * 9, "more text " * 40, ". Next one" * 40, ""]
    rng = random.Random(14)
    for _ in range(20_000):
        # about ABSTRACT_LIMIT characters of words, spread over OPENING characters by spaces
        # that collapse, then a piece that the end of the reading cuts in two
        words = ("xy " * 200)[: ABSTRACT_LIMIT + rng.randrange(-8, 4)].split()
        piece = rng.choice(pieces)
        before_cut = rng.randrange(len(piece) + 1)
        spaces = [1] * (len(words) - 1)
        for _ in range(OPENING - before_cut - len(" ".join(words))):
            spaces[rng.randrange(len(spaces))] += 1
        head = "".join(word + " " * gap for word, gap in zip(words, [*spaces, 0]))
        abstract = head + piece + rng.choice(tails)
        whole = one_line(abstract)
        expected = SENTENCE_END.split(whole, maxsplit=1)[0]  # the sentence as the whole has it
        if len(expected) > ABSTRACT_LIMIT:
            expected = expected[:ABSTRACT_LIMIT].rsplit(" ", 1)[0] + " …"
        assert first_sentence(abstract) == expected, repr(abstract)
