"""Words and postings read from the Whoosh segments a block at a time.

Whoosh hands out document numbers one at a time, through a generator per wrapper (segments,
deletions): ~1 µs per posting, ~30 ms for a word in 20,000 papers. Its term iteration costs
~5 µs per word through five generators, and asking every segment for every word of an
expanded prefix cost more than the postings (~400 words x 11 segments for ``genera``). Here a
segment's term table is scanned in place (the segment file is mapped, see :mod:`.storage`),
each segment is asked only for the words it has, and posting blocks are decoded whole (one
unpickle and a running sum in C per block of 128 postings).

It relies on the layout of whoosh-reloaded 2.7's W3 codec and hash tables (as :mod:`.bulk`
relies on its writer); segments read otherwise go through Whoosh's own API. Deleted documents
are included: the caller maps them to no row.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from collections.abc import Container, Iterator
from io import BytesIO
from itertools import accumulate

from whoosh.codec.whoosh3 import W3TermInfo, W3TermsReader
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from triage.search.storage import MappedFile

_KEY_LENGTHS = struct.Struct("!ii")  # before each key in a hash table: key and value lengths
_FIELD_NUMBER = struct.Struct("!H")  # a term's key: field number, then the term's bytes
_BLOCK_LENGTH = struct.Struct("!i")  # before each posting block (negative: the last one)
_HEADER = 4  # the magic bytes before a term's first posting block


def vocabulary(reader, field: str, prefix: str) -> list[str]:
    """Every word of ``field`` that begins with ``prefix``, sorted."""
    words: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        words.update(word for word, _ in _leaf_words(leaf, field, prefix))
    return sorted(words)


def docnums(reader, field: str, word: str) -> list[int]:
    """Document numbers (in ``reader``'s numbering) of every document with ``word`` in ``field``."""
    found: list[int] = []
    for leaf, base in reader.leaf_readers():
        try:
            info = leaf.term_info(field, word)
        except TermNotFound:
            continue
        _decode(leaf, field, word, info, base, found)
    return found


def prefix_docnums(
    reader, field: str, prefix: str, known: Container[str]
) -> tuple[list[str], dict[str, list[int]]]:
    """(every word of ``field`` that begins with ``prefix``, sorted; document numbers of
    those not ``known``)."""
    words: set[str] = set()
    found: dict[str, list[int]] = {}
    for leaf, base in reader.leaf_readers():
        for word, info in _leaf_words(leaf, field, prefix):
            words.add(word)
            if word not in known:
                _decode(leaf, field, word, info(), base, found.setdefault(word, []))
    return sorted(words), found


def _terms(leaf) -> W3TermsReader | None:
    """The segment's term reader if it can be read in place."""
    terms = getattr(leaf, "_terms", None)
    if (
        isinstance(terms, W3TermsReader)
        and isinstance(getattr(terms, "_tindex", None), OrderedHashReader)
        and isinstance(terms._tindex.dbfile, MappedFile)
        and isinstance(terms._postfile, MappedFile)
    ):
        return terms
    return None


def _leaf_words(leaf, field: str, prefix: str) -> Iterator[tuple[str, object]]:
    """(word, a function returning its term info) for the segment's words from ``prefix``."""
    terms = _terms(leaf)
    if terms is None:
        for text, info in leaf.iter_prefix(field, prefix):
            yield text.decode("utf-8"), lambda info=info: info
        return
    number = terms._fieldmap.get(field)
    if number is None:
        return
    start = _FIELD_NUMBER.pack(number) + prefix.encode("utf-8")
    table = terms._tindex
    position = table.closest_key_pos(start)
    if position is None:
        return
    view, end = table.dbfile._buf, table.endofdata
    while position < end:
        key_length, value_length = _KEY_LENGTHS.unpack_from(view, position)
        key_at = position + _KEY_LENGTHS.size
        key = view[key_at : key_at + key_length].tobytes()
        if not key.startswith(start):
            return
        value_at = key_at + key_length
        yield (
            key[2:].decode("utf-8"),
            lambda at=value_at, length=value_length: W3TermInfo.from_bytes(
                view[at : at + length].tobytes()
            ),
        )
        position = value_at + value_length


def _decode(leaf, field: str, word: str, info, base: int, into: list[int]) -> None:
    """Append ``base`` + each document number of the term to ``into``."""
    if info.is_inlined():  # a rare word: its postings are in the term table
        into.extend(docnum + base for docnum in info.inlined_postings()[0])
        return
    terms = _terms(leaf)
    if terms is None:
        matcher = leaf.postings(field, word)
        if isinstance(matcher, FilterMatcher):  # the segment's deletions
            matcher = matcher.child
        into.extend(docnum + base for docnum in matcher.all_ids())
        return
    view = terms._postfile._buf
    position = info.extent()[0] + _HEADER
    while True:
        length = _BLOCK_LENGTH.unpack_from(view, position)[0]
        block_end = position + _BLOCK_LENGTH.size + abs(length)
        block = BytesIO(view[position + _BLOCK_LENGTH.size : block_end])
        compressed = pickle.load(block)[3]  # the block's header, then its data
        data = block.read()
        ids = pickle.loads(zlib.decompress(data) if compressed else data)[0]
        numbers = accumulate(ids, initial=base)  # delta-coded
        next(numbers)
        into.extend(numbers)
        if length < 0:
            return
        position = block_end
