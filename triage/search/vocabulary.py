"""The indexed words of each field by first character: what did-you-mean compares a misspelt
word with, and a cheap "does any word begin with this".

Whoosh's corrector runs a Levenshtein automaton over a field's whole term list (1.8 s for one
word at 100,000 papers, 4.5 s at 300,000). A correction keeps the first character, so only the
words beginning with it count: one field's words of one character are a sorted list (~17,000
for ``d`` in 100,000 synthetic abstracts) that rapidfuzz compares in C in about a millisecond
(pure Python takes ~100 times longer). The lists are per segment, as segments never change:
the bulk writer stores its segment's in ``words-<segment id>.bin`` beside it, as it holds every
word then (listing a large segment's term table would take ~0.4 s per field); a segment
Whoosh's own writer made (a few papers at a time, a merge, the fallback) has its term table
listed for the character on first use. Lists are kept in memory up to ``CACHE_BYTES``.

A segment's words include those of its deleted documents: the caller checks that a
suggestion finds something.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from triage.core.cache import LRUCache
from triage.search import postings
from triage.search.analysis import WORD_FIELDS

FIELDS = tuple(field for field in WORD_FIELDS if field != "tagwords")
"""Where corrections come from (a tag is picked from a list, not typed as prose)."""
FILE_PREFIX = "words-"
CACHE_BYTES = 6_000_000
HEADERS = 64  # segments whose file's table of contents is kept


def path_for(directory: Path, segment_id: str) -> Path:
    return directory / f"{FILE_PREFIX}{segment_id}.bin"


def write(words_of: Mapping[str, Iterable[str]], path: Path) -> None:
    """Store one segment's words of :data:`FIELDS` (``words_of``: field -> its words), a
    compressed block per field and first character, and a table of contents at the end."""
    entries: dict[str, tuple[int, int]] = {}
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as out:
        for field in FIELDS:
            for first, group in groupby(sorted(words_of.get(field, ())), key=itemgetter(0)):
                data = zlib.compress("\n".join(group).encode("utf-8"), 1)
                entries[f"{field}:{first}"] = (out.tell(), len(data))
                out.write(data)
        header = json.dumps(entries).encode("utf-8")
        out.write(header)
        out.write(len(header).to_bytes(8, "little"))
    os.replace(temporary, path)


def remove_unused(directory: Path, segment_ids: Iterable[str]) -> None:
    """Delete the word files of segments other than ``segment_ids`` (merged away). Only while
    holding the index's write lock: another writer may be storing its new segment's file."""
    kept = {path_for(directory, segment).name for segment in segment_ids}
    for path in directory.glob(f"{FILE_PREFIX}*.bin"):
        if path.name not in kept:
            path.unlink(missing_ok=True)


class Vocabulary:
    """The words of the segments of an index's readers, read as needed and kept up to a byte
    budget."""

    def __init__(self, directory: Path) -> None:
        """``directory``: the index's (where the word files are)."""
        self.directory = directory
        self._lists: LRUCache[tuple[str, str, str], list[str]] = LRUCache(
            100_000, maxbytes=CACHE_BYTES, size_of=words_bytes
        )
        self._headers: LRUCache[str, dict[str, list[int]] | None] = LRUCache(HEADERS)

    def begins(self, reader: Any, fields: Iterable[str], prefix: str) -> bool:
        """Whether an indexed word of ``fields`` begins with ``prefix`` (not empty)."""
        for words in self._lists_of(reader, fields, prefix[0]):
            at = bisect_left(words, prefix)
            if at < len(words) and words[at].startswith(prefix):
                return True
        return False

    def closest(
        self, reader: Any, fields: tuple[str, ...], word: str, distance: int, extra: list[str]
    ) -> Iterator[str]:
        """The other indexed words of ``fields`` (and ``extra`` words: those not committed yet)
        that begin with ``word``'s first character and are at most ``distance`` edits from
        it: the closest first, then those in more papers, then alphabetically. Papers are
        counted one distance at a time, as the caller mostly takes a word of the first (at 1M
        papers, ~360 words are within two edits of ``difusi``: ~20 ms to count them all)."""
        from rapidfuzz import process  # only for a query that finds nothing: ~7 ms to import
        from rapidfuzz.distance import Levenshtein

        by_edits: defaultdict[int, set[str]] = defaultdict(set)
        for words in [*self._lists_of(reader, fields, word[0]), extra]:
            for found, edits, _ in process.extract(
                word, words, scorer=Levenshtein.distance, score_cutoff=distance, limit=None
            ):
                if found != word:
                    by_edits[edits].add(found)
        for edits in sorted(by_edits):
            papers = {
                found: sum(reader.doc_frequency(field, found) for field in fields)
                for found in by_edits[edits]
            }
            yield from sorted(papers, key=lambda found: (-papers[found], found))

    def _lists_of(self, reader: Any, fields: Iterable[str], first: str) -> Iterable[list[str]]:
        for leaf, _ in reader.leaf_readers():
            segment = leaf.segment()
            if segment is None:  # the reader of an index without documents
                continue
            segment_id = segment.segment_id()
            for field in fields:
                key = (segment_id, field, first)
                words = self._lists.get(key)
                if words is None:
                    words = self._lists[key] = self._read(leaf, segment_id, field, first)
                yield words

    def _read(self, leaf: Any, segment_id: str, field: str, first: str) -> list[str]:
        """The segment's words of ``field`` beginning with ``first``, sorted: from its word
        file if it has one, else from its term table."""
        if field in FIELDS:
            path = path_for(self.directory, segment_id)
            try:
                header = self._headers.get_or_compute(segment_id, lambda: _header(path))
                if header is not None:
                    extent = header.get(f"{field}:{first}")
                    if extent is None:
                        return []
                    with path.open("rb") as handle:
                        handle.seek(extent[0])
                        text = zlib.decompress(handle.read(extent[1])).decode("utf-8")
                    return text.split("\n")
            except (OSError, ValueError, zlib.error):  # removed or damaged: only a shortcut
                self._headers[segment_id] = None
        return postings.segment_vocabulary(leaf, field, first)


def _header(path: Path) -> dict[str, list[int]] | None:
    """A word file's table of contents; None if the segment has no word file."""
    try:
        with path.open("rb") as handle:
            handle.seek(-8, os.SEEK_END)
            length = int.from_bytes(handle.read(8), "little")
            handle.seek(-8 - length, os.SEEK_END)
            header = json.loads(handle.read(length))
    except FileNotFoundError:
        return None
    if not isinstance(header, dict):
        raise ValueError(f"{path}: not a word file")
    return header


def words_bytes(words: list[str]) -> int:
    """The memory a list of words takes (an ASCII string is 49 bytes and its characters)."""
    return sys.getsizeof(words) + 49 * len(words) + sum(map(len, words))
