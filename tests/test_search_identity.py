"""Searching by what the Daily Papers API tells of a paper: authors, arXiv id, upvotes."""

from __future__ import annotations

import pytest
from search_fixtures import index_in_own_cache

from triage.store import Entry, Identity, Store, paper_id

pytestmark = pytest.mark.usefixtures("whoosh_mode")

LECUN = Entry(
    "Diffusion Models for Video Generation",
    "We study diffusion in video synthesis.",
    Identity("2510.01234", ("Yann LeCun", "Zoë Müller-Lüdenscheidt"), upvotes=12),
)
BENGIO = Entry(
    "Graph Neural Networks at Scale",
    "Message passing on large graphs, after 2510.01234.",
    Identity("2510.04321", ("Yoshua Bengio",), upvotes=40),
)
TIED = Entry(
    "Sparse Retrieval Revisited", "Okapi again.", Identity("2509.11111", ("Ada Lovelace",), 12)
)
DUMPED = ("Naïve Bayes Revisited", "From a dump: no identity.")
A, B, T = (paper_id(paper.title) for paper in (LECUN, BENGIO, TIED))
D = paper_id(DUMPED[0])


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    home = tmp_path_factory.mktemp("identity")
    path = home / "library.db"
    with Store(path) as store:
        store.add_papers([LECUN, DUMPED], source="nov-01", listed_on="2026-11-01")
        store.add_papers([BENGIO, TIED], source="nov-02", listed_on="2026-11-02")
    return home, path


@pytest.fixture(scope="module")
def index(library, whoosh_mode):
    yield from index_in_own_cache(*library, whoosh_mode)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("author:lecun", [A]),
        ("author:LeCun ", [A]),
        ("author:lec", [A]),  # being typed: a prefix
        ("author:y", [B, A]),
        ("author:zoe", [A]),  # accents folded
        ("author:müller", [A]),
        ("author:ludenscheidt", [A]),
        ('author:"yann lecun"', [A]),
        ('author:"lecun yann"', []),
        ("author:bengio OR author:lecun", [B, A]),
        ("diffusion author:bengio", []),
        ("arxiv:2510.01234", [A]),
        ("arxiv:2510.01234v3", [A]),
        ("arxiv:2510.01234v", [A]),  # the version being typed
        ("arXiv:arXiv:2510.01234", [A]),
        ("arxiv:https://arxiv.org/abs/2510.01234", [A]),
        ("arxiv:2510.0", [B, A]),  # being typed: the ids that start so
        ("arxiv:2509", [T]),
        ("-arxiv:2510", [T, D]),
        ("2510.01234", [A, B]),  # a bare id: its paper first, then papers that cite it
        ("2510.04321", [B]),
        ("sort:upvotes", [B, T, A, D]),  # ties newest first, no upvotes last
        ("sort:-upvotes", [T, A, B, D]),
        ("sort:upvotes author:y", [B, A]),
    ],
)
def test_search_by_author_arxiv_id_and_upvotes(index, query, expected):
    result = index.search(query)
    assert list(result.ids) == expected
    assert result.hint is None


def test_an_arxiv_value_that_is_no_id_finds_nothing_and_says_why(index):
    result = index.search("arxiv:diffusion")
    assert result.total == 0
    assert "arxiv:diffusion is not an arXiv id" in result.hint


def test_a_paper_just_marked_is_still_found_by_its_author(library, index):
    _, path = library
    with Store(path) as store:
        store.mark([A], note="read with Bengio's paper")
    index.papers_changed([A])  # pending: matched on its current text until the next commit
    assert list(index.search("author:lecun").ids) == [A]
    assert list(index.search("author:lec").ids) == [A]
    assert list(index.search("author:bengio").ids) == [B]  # a note is not an author
    index.flush()
    assert list(index.search("author:lecun").ids) == [A]
