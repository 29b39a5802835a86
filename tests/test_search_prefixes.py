"""Short prefixes served from the precomputed sets agree with the papers' text, also after changes."""

from __future__ import annotations

import json
import random

import pytest

from triage.search import SearchIndex, prefixes
from triage.search.analysis import stem, words
from triage.search.setsheader import LOOKUPS, read_header
from triage.store import Store

pytestmark = pytest.mark.usefixtures("whoosh_mode")

VOCABULARY = [
    "diffusion",
    "different",
    "digital",
    "dense",
    "data",
    "dataset",
    "decoder",
    "video",
    "vision",
    "visual",
    "language",
    "latent",
    "large",
    "learning",
    "robust",
    "robot",
    "retrieval",
    "sparse",
    "scale",
    "state",
    "transformer",
    "token",
    "generation",
    "generated",
    "generative",
    "general",
    "transformers",
    "transforms",
]


def make_papers(rng: random.Random, count: int, start: int) -> list[tuple[str, str]]:
    return [
        (
            f"Paper {number} " + " ".join(rng.sample(VOCABULARY, 3)),
            " ".join(rng.choice(VOCABULARY) for _ in range(12)) + ".",
        )
        for number in range(start, start + count)
    ]


def expected(store: Store, prefix: str, fields=("title", "abstract", "note", "tags")) -> list[str]:
    """Newest first, papers with a word starting with ``prefix`` (title matches ranked first)."""
    papers = store.papers()

    def texts(paper):
        return {
            "title": paper.title,
            "abstract": paper.abstract,
            "note": paper.note,
            "tags": " ".join(paper.tags),
        }

    hits = [
        p for p in papers if any(w.startswith(prefix) for f in fields for w in words(texts(p)[f]))
    ]
    in_title = [p.id for p in hits if any(w.startswith(prefix) for w in words(p.title))]
    return in_title + [p.id for p in hits if p.id not in in_title]


def expected_word(store: Store, word: str, prefix: bool = False) -> set[str]:
    """Papers with ``word``'s stem family (every word with its stem) in any field, or with a
    word that begins with it if it is being typed."""
    root = stem(word)

    def matches(other):
        return other == word or stem(other) == root or (prefix and other.startswith(word))

    return {
        paper.id
        for paper in store.papers()
        if any(
            matches(w)
            for text in (paper.title, paper.abstract, paper.note, " ".join(paper.tags))
            for w in words(text)
        )
    }


@pytest.fixture
def library(tmp_path, monkeypatch):
    monkeypatch.setattr(prefixes, "DENSE", 1)  # store every prefix, even in a small library
    path = tmp_path / "library.db"
    rng = random.Random(3)
    with Store(path) as store:
        store.add_papers(make_papers(rng, 40, 0), source="one.txt", listed_on="2026-10-01")
    return path


PREFIXES = [
    "d",
    "di",
    "dif",
    "v",
    "vi",
    "la",
    "lat",
    "r",
    "ro",
    "s",
    "st",
    "t",
    "to",
    "z",
    "zy",
    "q",
]


def test_prefix_sets_match_the_text(library):
    index = SearchIndex.open(library)
    try:
        assert index.stored_sets  # the sets were built (by either writer)
        with Store(library) as store:
            for prefix in PREFIXES:
                assert list(index.search(prefix).ids) == expected(store, prefix), prefix
                assert list(index.search(f"title:{prefix}").ids) == list(
                    expected(store, prefix, ("title",))
                ), prefix
    finally:
        index.close()


def test_prefix_sets_follow_marks_and_imports(library):
    rng = random.Random(5)
    index = SearchIndex.open(library)
    try:
        with Store(library) as store:
            ids = store.ids_newest_first()
            store.mark(ids[:3], note="zygote quartz")
            store.mark(ids[3:5], add_tags=["vital"])
            index.papers_changed(ids[:5])
            for prefix in PREFIXES:
                assert list(index.search(prefix).ids) == expected(store, prefix), prefix
            index.flush()  # committed: now "changed since the sets were built"
            store.add_papers(make_papers(rng, 10, 100), source="two.txt", listed_on="2026-10-02")
            index.papers_changed(store.ids_newest_first()[:10])  # new papers: rows move
            for prefix in PREFIXES:
                assert list(index.search(prefix).ids) == expected(store, prefix), prefix
    finally:
        index.close()
    reopened = SearchIndex.open(library)
    try:
        with Store(library) as store:
            for prefix in PREFIXES:
                assert list(reopened.search(prefix).ids) == expected(store, prefix), prefix
    finally:
        reopened.close()


def test_prefix_sets_follow_papers_listed_again(library):
    """A new day's list with new papers and a few earlier ones (which move to the top): short
    prefixes still find exactly the papers with such a word, newest first, after reopening."""
    rng = random.Random(7)
    SearchIndex.open(library).close()  # the sets are built in the first order
    with Store(library) as store:
        earlier = [(paper.title, paper.abstract) for paper in store.papers()]
        again = [earlier[i] for i in (3, 17, 18, 30)]
        store.add_papers(
            make_papers(rng, 6, 200) + again, source="three.txt", listed_on="2026-10-03"
        )
    index = SearchIndex.open(library)
    try:
        with Store(library) as store:
            for prefix in PREFIXES:
                assert list(index.search(prefix).ids) == expected(store, prefix), prefix
                assert list(index.search(f"title:{prefix}").ids) == expected(
                    store, prefix, ("title",)
                ), prefix
    finally:
        index.close()


WORDS = [
    "generation",
    "generated",
    "general",
    "transformer",
    "transforms",
    "diffusion",
]  # + " ": whole
LONG_PREFIXES = ["generat", "genera", "transfor", "transformer"]


def test_stored_words_and_long_prefixes_follow_imports_and_notes(library):
    """Whole words (their stem families) and longer prefixes, whose sets are stored at build,
    still find new papers, and a note added after the build, with the same results after
    reopening."""
    rng = random.Random(11)
    index = SearchIndex.open(library)
    try:
        with Store(library) as store:
            for word in WORDS:
                assert {*index.search(f"{word} ").ids} == expected_word(store, word), word
            store.add_papers(make_papers(rng, 12, 300), source="four.txt", listed_on="2026-10-04")
            ids = store.ids_newest_first()
            store.mark(ids[20:22], note="generated transforms")
            index.papers_changed(ids[:12] + ids[20:22])
            index.flush()  # committed: the new papers are "added since the sets were built"
            for word in WORDS:
                assert {*index.search(f"{word} ").ids} == expected_word(store, word), word
            for prefix in LONG_PREFIXES:
                assert {*index.search(prefix).ids} == expected_word(store, prefix, prefix=True), (
                    prefix
                )
    finally:
        index.close()
    reopened = SearchIndex.open(library)
    try:
        with Store(library) as store:
            for word in WORDS:
                assert {*reopened.search(f"{word} ").ids} == expected_word(store, word), word
    finally:
        reopened.close()


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_the_stored_sets_named_in_the_header_are_found_without_parsing_it_whole(ensure_ascii):
    sets = {f"fixed:{word}": [number * 10, 7] for number, word in enumerate(WORDS)}
    fields = {"size": 5, "order": "abc", "ids": [1, 2]}
    raw = json.dumps({**fields, "sets": sets}, ensure_ascii=ensure_ascii).encode("utf-8")
    header, found = read_header(raw)
    assert header == fields and found
    for _ in range(2):  # looked up in the text (answers kept), then, past its look-ups
        # (names it was never asked), parsed whole
        for name, extent in sets.items():
            assert name in found and found[name] == extent
        assert "fixed:dεp" not in found and "fixed:" not in found and 5 not in found
        for number in range(LOOKUPS):
            assert f"fixed:never{number}" not in found
    assert len(found) == len(sets)
    reordered = json.dumps({"sets": sets, **fields}).encode("utf-8")  # another layout
    assert read_header(reordered) == (fields | {"sets": sets}, sets)


WORDS = ["dεps", 'quo"te', "back\\slash", "a", "ab", "b", "日本", 'x, "y": [1']
