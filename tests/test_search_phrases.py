"""Phrases and hyphenated words typed a character at a time find exactly the papers whose text
has the words in a row (the last one begun while it is being typed), also after changes."""

from __future__ import annotations

import ctypes
import mmap
import os
import random
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from triage.core.cpu import usable_cores
from triage.core.paths import cache_dir_for
from triage.search import (
    SearchIndex,
    evaluation,
    fastpaths,
    followers,
    phraseplaces,
    phrases,
    prefixes,
)
from triage.search.analysis import words
from triage.search.phrasewriter import PhraseWriter
from triage.store import Store

pytestmark = pytest.mark.usefixtures("whoosh_mode", "filing")

FILED_BELOW = 70  # places of a word in the filed runs' libraries up to which they are filed


@pytest.fixture(params=["text", "filed"], autouse=True)
def filing(request, monkeypatch):
    """Runs each test twice: with the defaults (a small library files no word's places: its
    phrases are found in the text), then with the places of the words in up to
    ``FILED_BELOW`` places filed at build (the others' found in the text) and the papers of
    more than 24 words too long to be filed (found in their text beside the filed places)."""
    if request.param == "filed":
        monkeypatch.setattr(followers, "FOLLOWED_PLACES", 1)
        monkeypatch.setattr(followers, "MOST_PLACES", FILED_BELOW)
        monkeypatch.setattr(followers, "SAMPLE_EVERY", 1)
        monkeypatch.setattr(followers, "LONG", 25)
    return request.param


VOCABULARY = [
    "large",
    "language",
    "languages",
    "latent",
    "model",
    "models",
    "modern",
    "zero",
    "shot",
    "shots",
    "short",
    "text",
    "to",
    "image",
    "images",
    "imagine",
    "the",
    "of",
]
TYPED = [
    '"large language model"',
    '"text to image"',
    "zero-shot",
    "text-to-image",
    "title:text-to-im",
    'abstract:"zero shot',
    '-"large lang',
]


def make_papers(rng: random.Random, count: int, start: int) -> list[tuple[str, str]]:
    def text(length: int) -> str:
        chosen = [rng.choice(VOCABULARY) for _ in range(length)]
        # some hyphenated forms in the text, as papers write them
        return " ".join(
            f"{word}-{rng.choice(VOCABULARY)}" if rng.random() < 0.1 else word for word in chosen
        )

    return [(f"Paper {number} {text(4)}", text(14) + ".") for number in range(start, start + count)]


def keystrokes(text: str) -> list[str]:
    return [text[:end] for end in range(1, len(text) + 1)]


def phrase_of(query: str) -> tuple[tuple[str, ...], bool, list[str], bool] | None:
    """(fields, negated, words, last word begun) of one of the typed queries, or None when it
    is not a phrase yet (one word: see the prefix tests)."""
    negated = query.startswith("-")
    body = query.removeprefix("-")
    fields: tuple[str, ...] = ("title", "abstract", "note", "tags")
    for name in ("title", "abstract"):
        if body.startswith(f"{name}:"):
            fields, body = (name,), body.removeprefix(f"{name}:")
    quoted = body.startswith('"')
    closed = quoted and len(body) > 1 and body.endswith('"')
    found = words(body)
    if len(found) < 2:
        return None
    return fields, negated, found, not closed and not body[-1].isspace()


def in_a_row(text_words: list[str], phrase: list[str], begun: bool) -> bool:
    *exact, last = phrase
    for start in range(len(text_words) - len(phrase) + 1):
        following = text_words[start + len(exact)]
        if text_words[start : start + len(exact)] == exact and (
            following.startswith(last) if begun else following == last
        ):
            return True
    return False


def expected(store: Store, query: str) -> list[str] | None:
    """Newest first, papers with the phrase in a field, those with it in their title first."""
    parsed = phrase_of(query)
    if parsed is None:
        return None
    fields, negated, phrase, begun = parsed
    papers = store.papers()

    def has(paper, field: str) -> bool:
        text = {
            "title": paper.title,
            "abstract": paper.abstract,
            "note": paper.note,
            "tags": " ".join(paper.tags),
        }[field]
        return in_a_row(words(text), phrase, begun)

    hits = [paper for paper in papers if any(has(paper, field) for field in fields) != negated]
    if negated:
        return [paper.id for paper in hits]
    in_title = [paper.id for paper in hits if "title" in fields and has(paper, "title")]
    return in_title + [paper.id for paper in hits if paper.id not in in_title]


def check_queries(index: SearchIndex, store: Store, queries: list[str]) -> None:
    """Each query (a phrase or a hyphenated word) finds what the text has, in order."""
    for query in queries:
        wanted = expected(store, query)
        if wanted is not None:
            result = index.search(query)
            assert list(result.ids) == wanted, query
            assert result.total == len(wanted), query


def check_typing(index: SearchIndex, store: Store) -> None:
    check_queries(index, store, [query for text in TYPED for query in keystrokes(text)])


@contextmanager
def opened_on(path: Path) -> Iterator[tuple[SearchIndex, Store]]:
    """The library's index, and a store on it to compute what it must find."""
    index = SearchIndex.open(path)
    try:
        with Store(path) as store:
            yield index, store
    finally:
        index.close()


@pytest.fixture
def library(tmp_path, monkeypatch):
    monkeypatch.setattr(prefixes, "DENSE", 1)  # store every prefix, even in a small library
    path = tmp_path / "library.db"
    with Store(path) as store:
        store.add_papers(
            make_papers(random.Random(3), 60, 0), source="one.txt", listed_on="2026-10-01"
        )
    return path


@pytest.fixture
def opened(library):
    with opened_on(library) as both:
        yield both


def test_typing_phrases_and_hyphenated_words(opened, caplog):
    index, store = opened
    check_typing(index, store)
    assert "unreadable" not in caplog.text  # found in the phrase file, not the store
    assert index.search('"large lang').total  # the library has such papers


def test_the_places_of_some_words_are_filed_and_of_others_not(opened, filing):
    """In the filed runs, both kinds of first words are typed (where the build filed places:
    the whole build splitting words in a second process)."""
    index, _ = opened
    assert index.search('"zero s').total
    file = phrases.PhraseFile(cache_dir_for(index.db_path, "index") / phrases.FILE)
    try:
        first_words = {words(text.split(":")[-1])[0] for text in TYPED}
        filed = {word for word in first_words if file.followed(word) is not None}
    finally:
        file.close()
    if filing == "text" or not fastpaths.fast_paths() or usable_cores() < 2:
        assert not filed
    else:
        assert filed and first_words - filed, filed
        assert file.filed.long_documents


def test_a_word_after_a_space_finds_the_same_papers_read_from_the_text(opened, monkeypatch):
    """Past ``CHAINED_PLACES`` the word after a space takes the filed places of the word
    before it that follow the kept places (in the filed runs), or reads the papers' text
    again, instead of the word after each kept place: the same papers either way."""
    monkeypatch.setattr(phrases, "CHAINED_PLACES", 0)
    monkeypatch.setattr(phraseplaces, "PRECEDED_SHARE", 10**9)
    check_typing(*opened)


def evict(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def resident_pages(path: Path, end: int) -> int:
    """How many of the file's pages before ``end`` are in the page cache (``mincore``, which
    reads nothing: a read that would not wait still starts reading ahead)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, *[ctypes.c_int] * 3, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    pages = ctypes.create_string_buffer((end + mmap.PAGESIZE - 1) // mmap.PAGESIZE)
    fd = os.open(path, os.O_RDONLY)
    try:
        address = libc.mmap(None, end, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        assert libc.mincore(address, end, pages) == 0, ctypes.get_errno()
        libc.munmap(address, end)
    finally:
        os.close(fd)
    return sum(page & 1 for page in pages.raw)


@pytest.mark.skipif(sys.platform != "linux", reason="mincore and posix_fadvise as on Linux")
@pytest.mark.parametrize("too_large", [False, True])
def test_warming_up_brings_the_papers_words_into_the_page_cache(tmp_path, too_large, monkeypatch):
    """Unless there are so many that they would push out what searches read."""
    path = tmp_path / phrases.FILE
    writer = PhraseWriter(path)
    for number in range(20_000):  # 8 MB of words: more than the system reads ahead
        writer.record("title", ["paper", str(number)])
        writer.record("abstract", ["word"] * 100)
        writer.end_document()
    writer.commit("order")
    words_end = phrases.PhraseFile(path).extents["offsets"][0]
    evict(path)
    if resident_pages(path, words_end):
        pytest.skip("this file system keeps the file in the page cache")
    if too_large:
        monkeypatch.setattr(phrases, "WARM_MOST", words_end - 1)
        phrases.warm_up(path, stop=lambda: False, turns=threading.Lock())
        assert resident_pages(path, words_end) == 0
        return
    phrases.warm_up(path, stop=lambda: True, turns=threading.Lock())  # the app quit at once
    assert resident_pages(path, words_end) == 0
    turns = threading.Lock()
    with turns:  # a search under way: the warm-up waits for its turn
        warming = threading.Thread(target=phrases.warm_up, args=(path, lambda: False, turns))
        warming.start()
        warming.join(0.2)
        assert resident_pages(path, words_end) == 0
    warming.join()
    assert resident_pages(path, words_end) == words_end // mmap.PAGESIZE + 1


def test_a_phrase_pasted_at_once_then_typed_on(opened):
    """Nothing kept from earlier keystrokes: the text is read, then the next words follow."""
    index, store = opened
    for pasted, typed in [
        ('"large language mo', 'del"'),
        ("text-to-ima", "ge"),
        ('"the of ', "the"),
        ('"text to image ', 'the of"'),
    ]:
        for query in [pasted, *(pasted + rest for rest in keystrokes(typed))]:
            wanted = expected(store, query)
            assert wanted is not None
            assert list(index.search(query).ids) == wanted, query


def test_typing_back_and_forth_in_a_phrase(opened):
    """Letters typed, taken back and typed anew after a space: each form finds the same papers
    as read from the text, whichever earlier form's places it narrows (or they come from)."""
    index, store = opened
    for query in [
        '"large l',
        '"large la',
        '"large l',
        '"large lo',
        '"large l',
        '"large la',
        '"large language m',
        '"large language',
        '"large language i',
        "text-t",
        "text-to",
        "text-t",
        "text-th",
        "text-t",
    ]:
        wanted = expected(store, query)
        assert wanted is not None
        result = index.search(query)
        assert list(result.ids) == wanted, query
        assert result.total == len(wanted), query


def test_letters_typed_and_taken_back_with_few_row_sets_kept(library, monkeypatch):
    """A letter's papers are the last letter's, less those that lost their last place in the
    phrase and with those that gained their first (a paper can have places that stay and
    places that go, in its title or its abstract); with few row sets kept, a letter taken back
    counts its papers again: the papers read from the text either way."""
    monkeypatch.setattr(evaluation, "CACHE_ENTRIES", 1)
    monkeypatch.setattr(phrases, "KEPT_PHRASES", 2)
    with Store(library) as store:
        store.add_papers(
            [
                ("Large latent large language", "Zero shots of large languages, zero short."),
                ("Large language text", "The large latent text to images, text to imagine."),
                ("Zero shot large latent", "Large images of the text to image models."),
            ],
            source="both.txt",
            listed_on="2026-10-03",
        )
    typed = [
        *keystrokes('"large languages'),
        '"large language',
        '"large lang',
        '"large la',
        '"large lat',
        '"large la',
        '"large l',
        '"large',  # one word: not a phrase (left out below)
        '"large l',
        '"large la',
        *keystrokes('title:"large latent'),
        'title:"large la',
        'title:"large lan',
        *keystrokes('abstract:"zero shots"'),
        'abstract:"zero sho',
        'abstract:"zero s',
        *keystrokes('"text to image"'),
        '"text to ima',
        '"text to im',
        '"text to imagi',
        "text-to-i",
        "text-to-im",
        "text-to-i",
    ]
    with opened_on(library) as (index, store):
        check_queries(index, store, typed)


def test_typing_among_hundreds_of_words_that_follow(tmp_path, monkeypatch):
    """Hundreds of words begin with the letter typed (their ranks past a byte): each letter
    narrows to those that begin with what is typed, no more, no fewer."""
    monkeypatch.setattr(prefixes, "DENSE", 1)
    rng = random.Random(7)
    names = [f"l{number}" for number in range(700)]

    def text(length: int) -> str:
        return " ".join(f"large {rng.choice(names)}" for _ in range(length))

    path = tmp_path / "library.db"
    with Store(path) as store:
        store.add_papers(
            [(f"Paper {number} {text(1)}", text(3)) for number in range(150)],
            source="one.txt",
            listed_on="2026-10-01",
        )
    typed = [
        *keystrokes('"large l123"'),
        '"large l12',
        '"large l1',
        '"large l2',
        '"large l25',
        '"large l256',
        '"large l2',
        *keystrokes('title:"large l69'),
    ]
    with opened_on(path) as (index, store):
        check_queries(index, store, typed)


def test_typing_follows_notes_marks_and_new_papers(library):
    index = SearchIndex.open(library)
    try:
        with Store(library) as store:
            ids = store.ids_newest_first()
            store.mark(ids[:3], note="a zero-shot text to imagine")
            store.mark(ids[3:5], add_tags=["large-language"])
            index.papers_changed(ids[:5])  # pending: matched on their current text
            check_typing(index, store)
            index.flush()  # committed: changed since the build
            check_typing(index, store)
            store.add_papers(
                make_papers(random.Random(5), 12, 100), source="two.txt", listed_on="2026-10-02"
            )
            index.papers_changed(store.ids_newest_first()[:12])
            check_typing(index, store)
            index.flush()  # added since the build
            check_typing(index, store)
            with_phrase = set(index.search('"text to').ids)
            gone = [paper for paper in ids[5:40] if paper in with_phrase][:3]
            assert gone
            store.delete_papers(gone)  # papers the build knew, gone from the store
            index.papers_changed(gone)
            check_typing(index, store)
            index.flush()
            check_typing(index, store)
    finally:
        index.close()
    reopened = SearchIndex.open(library)
    try:
        with Store(library) as store:
            check_typing(reopened, store)
    finally:
        reopened.close()


def test_the_last_word_typed_in_a_phrase_is_highlighted_as_a_prefix(library):
    index = SearchIndex.open(library)
    try:
        result = index.search('"large lang')
        assert result.highlight_spans("Large languages, large") == [(0, 5), (6, 15), (17, 22)]
        finished = index.search('"large lang"')
        assert finished.highlight_spans("Large languages") == [(0, 5)]
    finally:
        index.close()


def test_a_phrase_file_cut_short_under_the_open_index_falls_back_to_the_text(opened):
    index, store = opened
    assert index.search('"large lang').total
    phrase_file = next(index.text.directory.glob(phrases.FILE))
    with phrase_file.open("r+b") as handle:
        handle.truncate(phrase_file.stat().st_size // 3)
    check_typing(index, store)


def test_words_after_a_word_too_frequent_to_be_filed(opened, filing, monkeypatch, caplog):
    """In the filed runs, the places of the words too frequent to be filed are filed after
    each word before them that is: a third word (``text-to-i``, *to* not filed) is found
    there, where they follow the places of the first two, as the text has it."""
    monkeypatch.setattr(phrases, "CHAINED_PLACES", 0)
    monkeypatch.setattr(phraseplaces, "PRECEDED_SHARE", 10**9)
    index, store = opened
    file = phrases.PhraseFile(cache_dir_for(index.db_path, "index") / phrases.FILE)
    try:
        frequent = [word for word in VOCABULARY if file.word_id(word) in file.filed.frequent]
        before = [word for word in VOCABULARY if file.followed(word, through=True) is not None]
    finally:
        file.close()
    if filing == "text" or not fastpaths.fast_paths() or usable_cores() < 2:
        assert not before
    else:
        assert frequent and before
    queries = [
        query
        for first in before or ["text"]
        for second in frequent[:3] or ["to"]
        for text in (f'"{first} {second} im', f"{first}-{second}-l")
        for query in keystrokes(text)
    ]
    check_queries(index, store, queries)
    assert "unreadable" not in caplog.text
