"""The query language on a small library, with the exact papers each query must return."""

from __future__ import annotations

import pytest
import time_machine
from clock import NOON

from triage.search import SearchIndex
from triage.store import Store, paper_id

pytestmark = pytest.mark.usefixtures("whoosh_mode")

DAY_ONE = [
    ("Diffusion Models for Video Generation", "We study diffusion in video synthesis."),
    ("Naïve Bayes Revisited", "A naive approach to classification studies."),
    ("Transformers Are Diffusions", "Attention over diffuse signals for language."),
]
DAY_TWO = [
    ("Graph Neural Networks at Scale", "Message passing on large graphs with the transformer."),
    ("Video Transformers for Robotics", "Robots learn from video with diffusion policies."),
]
A, B, C = (paper_id(title) for title, _ in DAY_ONE)
D, E = (paper_id(title) for title, _ in DAY_TWO)


@pytest.fixture(scope="module")
def index(tmp_path_factory, whoosh_mode):
    """Five papers over two days: A star+to-read+note, B archived, C star, E reading+to-read.

    Built once for the module in each mode (the queries only read), with its own cache dir.
    """
    home = tmp_path_factory.mktemp("search")
    with pytest.MonkeyPatch.context() as patch, time_machine.travel(NOON):
        patch.setenv("TRIAGE_CACHE_DIR", str(home / "cache"))
        path = home / "library.db"
        with Store(path) as store:
            store.add_papers(DAY_ONE, source="2026-11-01.txt", listed_on="2026-11-01")
            store.add_papers(DAY_TWO, source="2026-11-02.txt", listed_on="2026-11-02")
            store.mark(
                [A], star=True, add_tags=["to-read"], note="Great baseline for zebra detection"
            )
            store.mark([B], state="archived")
            store.mark([C], star=True)
            store.mark([E], state="reading", add_tags=["to-read"])
        opened = SearchIndex.open(path)
        assert opened.fast_paths is (whoosh_mode == "fast")
        yield opened
        opened.close()


def ids(index, query):
    return list(index.search(query).ids)


def test_newest_first_without_words(index):
    assert ids(index, "") == [D, E, A, B, C]


@pytest.mark.parametrize(
    "query, expected",
    [
        # the word being typed is a prefix; title matches rank first, then newest first
        ("diff", [A, C, E]),
        ("diffusion", [A, C, E]),
        ("diffusion ", [A, C, E]),  # a finished word matches its stem family: diffuse, diffusions
        ("naive", [B]),
        ("naïve", [B]),
        ("NAIVE bayes", [B]),
        ("video", [E, A]),
        ('"video generation"', [A]),
        ('"generation video"', []),
        ("video -robots", [A]),
        ("video -rob", [A]),
        ("graph OR naive", [D, B]),
        ("(graph OR naive) scale", [D]),
        ("-(graph OR naive) -video", [C]),
        ("title:video", [E, A]),
        ("abstract:synthesis", [A]),
        ("title:synthesis", []),
        ("note:zebra", [A]),
        ("zebra", [A]),
        ('note:"zebra detection"', [A]),
        ("tag:to-read", [E, A]),
        ("tag:TO-READ", [E, A]),
        ("tag:nonexistent", []),
        ("is:starred", [A, C]),
        ("is:unstarred", [D, E, B]),
        ("has:note", [A]),
        ("state:reading", [E]),
        ("state:archived", [B]),
        ("state:inbox", [D, A, C]),
        ("listed:2026-11-02", [D, E]),
        ("listed:<2026-11-02", [A, B, C]),
        ("listed:>=2026-11-02", [D, E]),
        ("listed:2026-11-01..2026-11-01", [A, B, C]),
        ("listed:2026-11", [D, E, A, B, C]),
        ("added:today", [D, E, A, B, C]),
        ("added:7d", [D, E, A, B, C]),
        ("added:2020", []),
        ("is:starred -tag:to-read", [C]),
        ("transformer tag:to-read", [E]),
        ("sort:title", [A, D, B, C, E]),
        ("sort:-title", [E, C, B, D, A]),
        ("diffusion sort:title", [A, C, E]),
        ("sort:listed", [D, E, A, B, C]),
        ("sort:-listed", [C, B, A, E, D]),
    ],
)
def test_query_forms(index, query, expected):
    result = index.search(query)
    assert list(result.ids) == expected
    assert result.total == len(expected)
    assert result.hint is None


def test_more_words_in_the_title_rank_higher(index):
    # newest first would put E first; A has both words in its title, E only "video"
    assert ids(index, "video diffusion") == [A, E]
    assert ids(index, "video diffusion is:starred") == [A]


def test_malformed_parts_give_a_hint_and_the_rest_still_filters(index):
    result = index.search("tag: is:starred")
    assert list(result.ids) == [A, C]
    assert "tag:" in result.hint
    assert index.search('"video gen').hint.startswith("unbalanced quote")
    # still typing the phrase's last word: a prefix; closed, or followed by a space: exact
    assert list(index.search('"video gen').ids) == [A]
    assert list(index.search('"video gen"').ids) == []
    assert list(index.search('"video gen ').ids) == []
    unknown_state = index.search("state:bogus")
    assert unknown_state.total == 0
    assert "inbox|reading|read|archived" in unknown_state.hint
    assert list(index.search("state:rea").ids) == [E]  # still typing: reading or read


def test_suggestion_for_a_misspelt_word(index):
    result = index.search("difusion video")
    assert result.total == 0
    assert result.suggestion == "diffusion video"
    assert index.search("video").suggestion is None


def test_terms_and_highlight_spans(index):
    result = index.search("video diff")
    assert {"video", "diff"} <= result.terms
    assert result.highlight_spans("Diffusion Models for Video, differently") == [
        (0, 9),
        (21, 26),
        (28, 39),
    ]
    finished = index.search("diffusion ")
    assert {"diffusion", "diffusions", "diffuse"} <= finished.terms
    assert finished.highlight_spans("Diffuse diffusions differ") == [(0, 7), (8, 18)]


def test_ids_are_sliceable_and_sized(index):
    result = index.search("")
    assert len(result.ids) == 5
    assert result.ids[:2] == [D, E]
    assert result.ids[4] == C
    assert result.ids[-1] == C
    assert list(result.ids[1:3]) == [E, A]


def test_more_like_a_paper(index):
    similar = index.more_like(A)
    assert A not in list(similar.ids)
    assert E in list(similar.ids)
    assert index.more_like("no-such-id").total == 0


@pytest.mark.parametrize(
    "query",
    ["", "diff", "video", "transformer", "sort:title", "sort:-title", "is:starred", "tag:to-read"],
)
def test_a_result_finds_a_papers_row_as_the_list_would(index, query):
    """The list keeps its cursor on a paper by asking the result where that paper is."""
    result = index.search(query).ids
    listed = list(result)
    for paper in [A, B, C, D, E]:
        if paper in listed:
            assert index.search(query).ids.index(paper) == listed.index(paper)
        else:
            with pytest.raises(ValueError):
                index.search(query).ids.index(paper)
