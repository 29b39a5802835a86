"""Every use of whoosh-reloaded's private names (:mod:`.fastpaths` decides whether to use them).

Three fast paths rely on internals of whoosh-reloaded 2.7 (its W3 codec and its files):

- :class:`BlockSegmentWriter` (the bulk writer's, :mod:`.bulk`) writes whole posting blocks,
  many term table entries and a field's column values at a time into the codec's files;
- :class:`TermTable` scans a segment's term table a large piece at a time and decodes a
  word's posting blocks whole, from one read (:mod:`.postings`);
- :class:`SegmentStorage` hands Whoosh windows of an open segment file, read with positioned
  reads, instead of a mapping copied part by part (:mod:`.storage` says why).
"""

from __future__ import annotations

import functools
import os
import pickle
import struct
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator
from io import BytesIO
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    STORED_COLUMN,
    W3FieldWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
    _lenfield,
)
from whoosh.columns import VarBytesColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter, md5_hash
from whoosh.filedb.structfile import StructFile
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from triage.search import termbytes
from triage.search.storage import SEGMENT_SUFFIX, SegmentReader
from triage.search.termbytes import BLOCK_LENGTH, INLINE_POSTINGS, Bucket, write_hashes

TERMS_AT_ONCE = 4_096  # term table entries written in one piece
STORED_WINDOW_BITS = 9  # zlib's smallest window; any window decompresses with the default


# -- writing whole posting lists -----------------------------------------------------------


class BlockSegmentWriter(SegmentWriter):
    """A segment writer given each term's document numbers whole: fill ``postings[field][term]``
    (ascending) or ``single[field][term]`` (a term in one document: ~100 bytes less), and
    ``longest[field]`` (a document's most words in it), and add each document's stored values
    and lengths between :meth:`start_document` and :meth:`finish_document`. Only for fields in
    the ``Existence`` format."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.postings: defaultdict[str, defaultdict[str, array]] = defaultdict(
            lambda: defaultdict(lambda: array("I"))
        )
        self.single: defaultdict[str, dict[str, int]] = defaultdict(dict)
        self.longest: defaultdict[str, int] = defaultdict(int)
        # each document's stored fields are compressed alone: zlib's default 32 KB window
        # costs ~14 µs to set up for ~40 bytes (1.4 s at 100,000 papers), a 512-byte one ~3 µs
        stored = self.perdocwriter._colwriters["_stored"]._child
        stored._compress = functools.partial(zlib.compress, wbits=STORED_WINDOW_BITS)

    def start_document(self) -> int:
        self._check_state()
        self.perdocwriter.start_doc(self.docnum)
        return self.docnum

    def finish_document(self) -> None:
        self.perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def add_columns(
        self,
        stored: list[dict[str, Any]],
        lengths: dict[str, list[int]],
        columns: dict[str, tuple[Any, list[Any]]],
    ) -> None:
        """Add documents' stored fields, text fields' word counts (0: none) and columns' types
        and values (None: none) a field at a time, the bytes the codec's per-document calls
        write written at once (~5 µs a paper less)."""
        self._check_state()
        perdoc, first = self.perdocwriter, self.docnum
        for name, counts in lengths.items():
            if any(counts):  # a byte a document, 0 (the column's default) for none
                writer = self._column(_lenfield(name), LENGTHS_COLUMN)
                writer.fill(first)
                writer._dbfile.write(bytes(length_to_byte(n) if n else 0 for n in counts))
                writer._count = first + len(counts)
                perdoc._fieldlengths[name] += sum(counts)
        for name, (column_type, values) in columns.items():
            writer = self._column(name, column_type)
            if type(writer) is VarBytesColumn.Writer:
                _add_values(writer, first, [b"" if v is None else v for v in values])
            else:
                for docnum, value in enumerate(values, first):
                    if value is not None:
                        writer.add(docnum, value)
        column = self._column("_stored", STORED_COLUMN)._child  # (pickled, then compressed)
        compress, level = column._compress, column._level
        _add_values(
            column, first, [compress(pickle.dumps(f, 2), level) if f else b"" for f in stored]
        )
        perdoc._doccount += len(stored)
        self.docnum += len(stored)
        self._added = True

    def _column(self, name: str, column_type: Any) -> Any:
        perdoc = self.perdocwriter
        if not perdoc._has_column(name):
            perdoc._create_column(name, column_type)
        return perdoc._get_column(name)

    def postings_complete(self) -> None:
        """Called once every document is added, before the postings are written."""

    def postings_written(self, words: dict[str, list[str]]) -> None:
        """Called once the segment's postings are written (``words``: each field's, sorted)."""

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        if not isinstance(writer, W3FieldWriter):
            raise TypeError(f"BlockSegmentWriter needs the W3 codec, not {type(writer)}")
        self.postings_complete()
        table = writer._tindex
        if not any(table.buckets):
            table.buckets = [Bucket() for _ in table.buckets]
            table._write_hashes = functools.partial(write_hashes, table)
        words = {}
        for name in sorted(self.postings.keys() | self.single.keys()):
            writer.start_field(name, self.schema[name])
            postings: dict[str, array] = self.postings.pop(name, {})
            words[name] = sorted([*postings, *self.single.get(name, ())])
            longest = max(self.longest.get(name, 0), 1)
            _write_field(writer, words[name], postings, self.single.pop(name, {}), longest)
            writer.finish_field()
        writer.close()
        self.postings_written(words)


def _add_values(writer: Any, first: int, values: list[bytes]) -> None:
    """Documents' values from ``first`` on (b"": none) as a VarBytesColumn's ``add`` writes."""
    writer.fill(first)
    writer._dbfile.write(b"".join(values))
    sizes = list(map(len, values))
    writer._lengths.extend(sizes)
    writer._offsets.extend(accumulate(sizes[:-1], initial=writer._offset_base))
    writer._offset_base += sum(sizes)
    writer._count = first + len(values)


def _write_field(
    writer: W3FieldWriter,
    terms: list[str],
    postings: dict[str, array],
    single: dict[str, int],
    longest: int,
) -> None:
    """A field's terms (sorted) and postings (weights 1, no values) as the codec's own writer
    writes them, without its per-posting Python work (delta coding, statistics), and
    uncompressed (as its writer with compression 0: ~20 µs of zlib a block, ~3 s at 100,000
    papers, for 20% more bytes). Rare words (most of a vocabulary) are inlined in the term
    table, whose entries are written ``TERMS_AT_ONCE`` at a time as its ``add`` writes them
    one by one (~10 µs each through Whoosh's file layers). Each term's postings are dropped
    once written: the term table grows meanwhile."""
    table: OrderedHashWriter = writer._tindex
    postwriter: W3PostingsWriter = writer._postwriter
    postfile, limit = postwriter._postfile, postwriter._blocklimit
    field, least, most = pack_ushort(writer._fieldid), length_to_byte(1), length_to_byte(longest)
    hash_of = termbytes.md5_hash if table.hashfn is md5_hash else table.hashfn
    buckets, key = table.buckets, table.lastkey
    block_end = termbytes.header_end(least, most)
    for first in range(0, len(terms), TERMS_AT_ONCE):
        position = table.dbfile.tell()
        positions: list[int] = []
        pieces: list[bytes] = []
        for term in terms[first : first + TERMS_AT_ONCE]:
            docnums = postings.pop(term, None) or (single.pop(term),)
            count = len(docnums)
            inlined = count <= INLINE_POSTINGS
            if inlined:
                tail = termbytes.inlined_postings(docnums)
            else:
                tail = termbytes.write_blocks(postfile, limit, docnums, block_end)
            key = field + term.encode("utf-8")
            value = _TERM_INFO.pack(
                inlined, count, count, least, most, 1.0, docnums[0], docnums[-1]
            )
            value += tail
            pieces += (_KEY_LENGTHS.pack(len(key), len(value)), key, value)
            hashed = hash_of(key)
            bucket = buckets[hashed & 255]
            bucket.hashes.append(hashed)
            bucket.positions.append(position)
            positions.append(position)
            position += _KEY_LENGTHS.size + len(key) + len(value)
        table.dbfile.write(b"".join(pieces))
        table.index.extend(positions)
    table.lastkey = key


# -- reading term tables and postings directly ------------------------------------------------

_KEY_LENGTHS = struct.Struct("!ii")  # before each key in a hash table: key and value lengths
_FIELD_NUMBER = struct.Struct("!H")  # a term's key: field number, then the term's bytes
_HEADER = 4  # the magic bytes before a term's first posting block
_TERM_INFO = W3TermInfo._struct  # a term info's fixed part (inlined postings or extent follow)
SCAN_BYTES = 64 * 1024  # of a term table read at a time while listing a prefix's words


def term_table(leaf: Any) -> TermTable | None:
    """The segment's term table if it can be read directly (its files are segment files)."""
    terms = getattr(leaf, "_terms", None)
    if (
        isinstance(terms, W3TermsReader)
        and isinstance(getattr(terms, "_tindex", None), OrderedHashReader)
        and isinstance(terms._tindex.dbfile, SegmentFile)
        and isinstance(terms._postfile, SegmentFile)
    ):
        return TermTable(terms)
    return None


class TermTable:
    """A segment's term table and postings, read in large pieces rather than a value at a time."""

    __slots__ = ("_end", "_fields", "_postings", "_table", "_terms")

    def __init__(self, terms: W3TermsReader) -> None:
        self._fields: dict[str, int] = terms._fieldmap
        self._table = terms._tindex
        self._terms: SegmentReader = self._table.dbfile.file
        self._end: int = self._table.endofdata
        self._postings: SegmentReader = terms._postfile.file

    def words(self, field: str, prefix: str) -> Iterator[tuple[str, Callable[[], Any]]]:
        """(word, a function returning its term info) of ``field``'s words from ``prefix``."""
        number = self._fields.get(field)
        if number is None:
            return
        start = _FIELD_NUMBER.pack(number) + prefix.encode("utf-8")
        position = self._table.closest_key_pos(start)
        if position is None:
            return
        end, header = self._end, _KEY_LENGTHS.size
        piece, piece_at = b"", position  # the bytes of the table from ``piece_at``
        while position < end:
            at = position - piece_at
            if at + header > len(piece):
                piece, piece_at, at = self._terms.get(position, SCAN_BYTES), position, 0
            key_length, value_length = _KEY_LENGTHS.unpack_from(piece, at)
            entry = header + key_length + value_length
            if at + entry > len(piece):  # the entry runs past the piece read
                piece = self._terms.get(position, max(SCAN_BYTES, entry))
                piece_at, at = position, 0
            key = piece[at + header : at + header + key_length]
            if not key.startswith(start):
                return
            value_at = at + header + key_length
            yield (
                key[2:].decode("utf-8"),
                functools.partial(_term_info, piece, value_at, value_length),
            )
            position += entry

    def decode(self, info: Any, base: int, into: list[int]) -> None:
        """Append ``base`` + each document number of the term (``info``: its term info)."""
        if info.is_inlined():  # a rare word: its postings are in the term table
            into.extend(docnum + base for docnum in info.inlined_postings()[0])
            return
        offset, length = info.extent()
        if isinstance(length, tuple):  # as whoosh-reloaded 2.7 reads it back from the table
            (length,) = length
        data = memoryview(self._postings.get(offset, length))  # every block, in one read
        position = _HEADER
        while True:
            length = BLOCK_LENGTH.unpack_from(data, position)[0]
            block_end = position + BLOCK_LENGTH.size + abs(length)
            block = BytesIO(data[position + BLOCK_LENGTH.size : block_end])
            compressed = pickle.load(block)[3]  # the block's header, then its data
            payload = block.read()
            ids = pickle.loads(zlib.decompress(payload) if compressed else payload)[0]
            numbers = accumulate(ids, initial=base)  # delta-coded
            next(numbers)
            into.extend(numbers)
            if length < 0:
                return
            position = block_end


def _term_info(piece: bytes, at: int, length: int) -> Any:
    return W3TermInfo.from_bytes(piece[at : at + length])


# -- segment files read with positioned reads --------------------------------------------------


class SegmentStorage(FileStorage):
    """A ``FileStorage`` whose segment files are :class:`SegmentFile` objects; without
    ``supports_mmap``, Whoosh's compound reader asks them for parts (windows of the file)."""

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)

    def open_file(self, name: str, **kwargs: Any) -> Any:
        if name.endswith(SEGMENT_SUFFIX):
            handle = open(os.path.join(self.folder, name), "rb", buffering=0)  # noqa: SIM115
            size = os.fstat(handle.fileno()).st_size
            if size:
                return SegmentFile(SegmentReader(handle, 0, size, name), name=name)
            handle.close()
        return super().open_file(name, **kwargs)


class SegmentFile(StructFile):
    """A ``StructFile`` over a :class:`SegmentReader`: a value is one read, a part a window."""

    def __init__(self, reader: SegmentReader, name: str | None = None, onclose: Any = None):
        super().__init__(reader, name=name, onclose=onclose)
        self.file: SegmentReader = reader

    def subset(self, position: int, length: int, name: str | None = None) -> SegmentFile:
        return SegmentFile(self.file.window(position, length), name=name or self._name)

    def get(self, position: int, length: int) -> bytes:
        return self.file.get(position, length)
