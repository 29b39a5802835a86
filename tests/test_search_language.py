"""How typed text is read: `or`, ligatures and other Unicode forms, tags, suggestions, hints."""

from __future__ import annotations

import sqlite3

import pytest
from search_fixtures import index_in_own_cache

from triage.search import SearchIndex
from triage.store import Store, paper_id

pytestmark = pytest.mark.usefixtures("whoosh_mode")

PAPERS = [
    ("Eﬃcient ﬁne-tuning of Language Models", "Adapters for ﬁne-tuning."),  # ligatures
    ("Graph Neural Networks at Scale", "Message passing on large graphs."),
    ("Naïve Bayes Revisited", "A naive approach to classification, or not."),
    ("Video Diffusion Models", "Ｆｕｌｌ-width letters and diffusion for video generation."),
]
F, G, N, V = (paper_id(title) for title, _ in PAPERS)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    home = tmp_path_factory.mktemp("language")
    path = home / "library.db"
    with Store(path) as store:
        store.add_papers(PAPERS, source="nov-01", listed_on="2026-11-01")
        store.mark([F], add_tags=["é"])
        store.mark([G], add_tags=["#hash"])
        store.mark([N], add_tags=["e"])
    with sqlite3.connect(path) as conn:  # a tag stored by an older version, `#` and all
        conn.execute(
            "INSERT INTO tags (paper_id, tag, present, changed_at) VALUES (?, ?, 1, ?)",
            [V, "#legacy", "2026-11-01T00:00:00.000000Z"],
        )
    return home, path


@pytest.fixture(scope="module")
def index(library, whoosh_mode):
    yield from index_in_own_cache(*library, whoosh_mode)


def found(index, query):
    return sorted(index.search(query).ids)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("graph or naive", [G, N]),  # a lower-case `or` between words is OR
        ("graph OR naive", [G, N]),
        ("(graph or bayes) scale", [G]),
        ('"classification, or not"', [N]),  # in quotes, a word
        ("graph or", []),  # typed last, `or` may be the start of a word: `or…`
        ("-or naive", []),
        ("fine-tuning", [F]),  # ligatures in the text
        ("efficient", [F]),
        ("ﬁne", [F]),  # and in the query
        ("full", [V]),  # full-width letters
        ("ｆｕｌｌ", [V]),
        ("tag:e", [F, N]),  # accents folded: the tags `é` and `e`
        ("tag:é", [F, N]),
        ("tag:hash", [G]),
        ("tag:#hash", [G]),
        ("tag:legacy", [V]),
    ],
)
def test_how_typed_text_is_read(index, query, expected):
    assert found(index, query) == sorted(expected)


def test_a_ligature_is_highlighted_where_its_letters_are_searched(index):
    result = index.search("fine-tuning")
    assert result.highlight_spans("Eﬃcient ﬁne-tuning") == [(8, 11), (12, 18)]


def test_a_tag_typed_with_its_hash_is_stored_once_without_it(library):
    _, path = library
    with Store(path) as store:
        assert store.get(G).tags == ["hash"]


@pytest.mark.parametrize(
    "query, suggestion",
    [
        ('"video generaton"', '"video generation"'),  # the quotes stay
        ("(difusion OR grph) -xyzzy", "(diffusion OR graph) -xyzzy"),
        ("title:difusion", "title:diffusion"),
        ("中文", None),  # no Latin word for a word of another script
        ("zq", None),  # too short to tell what was meant
    ],
)
def test_a_suggestion_keeps_the_query_as_typed_and_only_offers_close_spellings(
    index, query, suggestion
):
    result = index.search(query)
    assert result.total == 0
    assert result.suggestion == suggestion


@pytest.mark.parametrize("query", ["*", '"?!"', "title:%"])
def test_a_term_without_letters_or_digits_is_ignored_with_a_hint(index, query):
    result = index.search(query)
    assert result.total == 4
    assert "no letters or digits" in result.hint


def test_a_tag_being_typed_finds_the_tags_it_begins_until_one_has_its_name(tmp_path):
    path = tmp_path / "tags.db"
    with Store(path) as store:
        store.add_papers(
            [("Paper one", "Text."), ("Paper two", "Text."), ("Paper three", "Text.")],
            source="day.txt",
            listed_on="2026-10-01",
        )
        one, two, three = (paper_id(f"Paper {n}") for n in ("one", "two", "three"))
        store.mark([one], add_tags=["to-read"])
        store.mark([two], add_tags=["ml"])
        store.mark([three], add_tags=["mlops"])
    index = SearchIndex.open(path)
    try:
        assert set(index.search("tag:to-r").ids) == {one}
        assert set(index.search("tag:to-r ").ids) == set()  # typed whole: no tag of that name
        assert set(index.search("tag:ml").ids) == {two}  # a tag of that name: that tag only
        assert set(index.search("tag:mlo").ids) == {three}
        assert set(index.search("-tag:m").ids) == {one}
    finally:
        index.close()
