"""Every use of whoosh-reloaded's private names, and the decision whether to use them.

Three fast paths rely on internals of whoosh-reloaded 2.7 (its W3 codec and its files):

- :class:`BlockSegmentWriter` hands the codec's postings writer whole blocks by filling its
  private buffer (the bulk writer, :mod:`.bulk`, is one);
- :class:`TermTable` scans a segment's term table a large piece at a time and decodes a
  word's posting blocks whole, from one read (:mod:`.postings`);
- :class:`SegmentStorage` hands Whoosh windows of an open segment file, read with positioned
  reads, instead of a mapping copied part by part (:mod:`.storage` says why).

They are used only if the installed version was verified (``VERIFIED``), the private names
exist, and a small index written by :class:`BlockSegmentWriter` and by Whoosh's own writer
reads back the same through Whoosh's API and :class:`TermTable` (a format change that kept
the names would return wrong results silently). If not, or with ``TRIAGE_WHOOSH_FAST=0``,
the index uses Whoosh's own writer, postings and ``FileStorage`` and a warning says why: the
same papers match, builds are ~10x slower, searches slower, and "more like this" may order
near ties differently (Whoosh's writer counts a field's distinct words as its length).
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import re
import struct
import tempfile
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from io import BytesIO
from itertools import accumulate, chain
from operator import sub
from typing import Any

import whoosh
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as BLOCKS_MAGIC
from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter, W3TermInfo, W3TermsReader
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Existence
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from triage.search.storage import SEGMENT_SUFFIX, SegmentReader
from triage.search.verdicts import kept_verdict

log = logging.getLogger(__name__)

SWITCH = "TRIAGE_WHOOSH_FAST"  # "0": Whoosh's own paths, whatever the checks say
DISTRIBUTION = "whoosh-reloaded"
VERIFIED = ((2, 7, 5), (2, 8, 0))  # versions from (included) to (excluded)
INLINE_POSTINGS = 8  # a word in at most this many documents keeps its postings in the term table

_warned: set[str] = set()


def fast_paths() -> bool:
    """Whether the fast paths are in force (for indexes opened and writers made from now)."""
    return fallback_reason() is None


def fallback_reason() -> str | None:
    """Why the fast paths are off, None if they are on; each reason is logged once."""
    if os.environ.get(SWITCH, "").strip() == "0":
        reason: str | None = f"{SWITCH}=0"
    else:
        reason = _verify()
    if reason is not None and reason not in _warned:
        _warned.add(reason)
        log.warning(
            "search index: Whoosh fast paths off (%s); using Whoosh's own writer, postings and "
            "storage (the same matches, slower builds and searches)",
            reason,
        )
    return reason


@kept_verdict("whoosh-fast-paths", "whoosh")  # ~20 ms, mostly the self-check's two commits
def _verify() -> str | None:
    from importlib import metadata  # (email, zipfile…: only to check)

    try:
        installed = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return f"{DISTRIBUTION} is not installed as a distribution"
    if (problem := version_problem(installed)) is not None:
        return problem
    imported = tuple(whoosh.__version__[:3])
    if imported != _numbers(installed):
        shown = ".".join(map(str, imported))
        return f"the imported whoosh is {shown}, the installed {DISTRIBUTION} {installed}"
    return _missing_names() or _self_check()


def version_problem(version: str) -> str | None:
    """Why ``version`` of whoosh-reloaded is not one the fast paths were verified with."""
    found = _numbers(version)
    low, high = VERIFIED
    if found is None or not low <= found < high:
        verified = f"{'.'.join(map(str, low))} up to {'.'.join(map(str, high))} excluded"
        return f"{DISTRIBUTION} {version} is not a verified version ({verified})"
    return None


def _numbers(version: str) -> tuple[int, ...] | None:
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    return tuple(map(int, match.groups())) if match else None


_NEEDED = {
    SegmentWriter: ("_check_state", "_flush_segment"),
    W3TermInfo: ("_struct", "is_inlined", "inlined_postings", "extent"),
    OrderedHashReader: ("closest_key_pos",),
    FileStorage: ("open_file",),
}


def _missing_names() -> str | None:
    """The private names that classes must have (those of instances: see the self-check)."""
    for owner, names in _NEEDED.items():
        missing = [name for name in names if not hasattr(owner, name)]
        if missing:
            return f"{owner.__name__} has no {', '.join(missing)}"
    return None


def _self_check() -> str | None:
    """Write a small index with both writers, read it back both ways: any difference is a
    format the fast paths do not know."""
    schema = Schema(id=ID(stored=True), text=TEXT(phrase=False))
    for name in schema.names():
        schema[name].format = Existence()
    count = 300  # postings of "every": three blocks of Whoosh's 128
    bulk = {
        "every": array("I", range(count)),
        "third": array("I", range(0, count, 3)),
        "rare": array("I", [2, 5, 200]),  # inlined in the term table
    }
    try:
        with tempfile.TemporaryDirectory(prefix="triage-whoosh-check-") as directory:
            ix = FileStorage(directory).create_index(schema)
            writer = BlockSegmentWriter(ix)
            for number in range(count):
                writer.start_document()
                writer.perdocwriter.add_field("id", schema["id"], str(number), 0)
                writer.perdocwriter.add_field("text", schema["text"], None, 1)
                writer.finish_document()
            writer.postings["text"].update(bulk)
            writer.single["text"]["lone"] = 7
            writer.longest["text"] = 1
            writer.commit()
            writer = ix.writer()
            for number in range(count, count + 3):  # a second segment, Whoosh's own
                writer.add_document(id=str(number), text="every fresh")
            writer.commit(merge=False)
            expected = {word: list(docnums) for word, docnums in bulk.items()} | {"lone": [7]}
            expected["every"] += [count, count + 1, count + 2]
            expected["fresh"] = [count, count + 1, count + 2]
            with SegmentStorage(directory).open_index().reader() as reader:
                public = {
                    word: list(reader.postings("text", word).all_ids())
                    for word in reader.field_terms("text")
                }
                counted = {word: reader.doc_frequency("text", word) for word in public}
                in_place: dict[str, list[int]] = {}
                tables = [(term_table(leaf), base) for leaf, base in reader.leaf_readers()]
                for table, base in tables:
                    if table is not None:
                        for word, info in table.words("text", ""):
                            table.decode(info(), base, in_place.setdefault(word, []))
                stored = [reader.stored_fields(number)["id"] for number in (0, count + 2)]
    except Exception as error:  # a renamed field, a changed signature
        return f"self-check failed: {type(error).__name__}: {error}"
    if any(table is None for table, _ in tables):
        return "self-check: a segment file is not read through SegmentStorage"
    if public != expected:
        return "self-check: Whoosh reads the bulk-written postings differently"
    if counted != {word: len(docnums) for word, docnums in expected.items()}:
        return "self-check: Whoosh counts the bulk-written postings differently"
    if in_place != expected:
        return "self-check: postings read directly differ from Whoosh's"
    if stored != ["0", str(count + 2)]:
        return "self-check: stored fields differ"
    return None


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

    def start_document(self) -> int:
        self._check_state()
        self.perdocwriter.start_doc(self.docnum)
        return self.docnum

    def finish_document(self) -> None:
        self.perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

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
        words = {}
        for name in sorted(self.postings.keys() | self.single.keys()):
            writer.start_field(name, self.schema[name])
            longest = max(self.longest.get(name, 0), 1)
            # each term's postings dropped once written: the term table grows meanwhile
            postings: dict[str, array] = self.postings.pop(name, {})
            single = self.single.pop(name, {})
            words[name] = sorted([*postings, *single])
            for term in words[name]:
                docnums = postings.pop(term, None) or (single.pop(term),)
                _write_term(writer, term.encode("utf-8"), docnums, longest)
            writer.finish_field()
        writer.close()
        self.postings_written(words)


def _write_term(writer: W3FieldWriter, term: bytes, docnums: Sequence[int], longest: int) -> None:
    """A term's postings (weights 1, no values) as the codec's own writer writes them, without
    its per-posting Python work (delta coding, statistics), and uncompressed (as its writer
    with compression 0: ~20 µs of zlib a block, ~3 s at 100,000 papers, for 20% more bytes).
    Rare words (most of a vocabulary) are inlined in the term table."""
    count, least, most = len(docnums), length_to_byte(1), length_to_byte(longest)
    inlined = count <= INLINE_POSTINGS
    if inlined:
        tail = pickle.dumps((tuple(docnums), (1.0,) * count, (b"",) * count), 2)
    else:
        postwriter: W3PostingsWriter = writer._postwriter
        postfile, limit = postwriter._postfile, postwriter._blocklimit
        start = postfile.tell()
        postfile.write(BLOCKS_MAGIC)
        for first in range(0, count, limit):
            block = docnums[first : first + limit]
            data = pickle.dumps((tuple(map(sub, block, chain((0,), block))), None, None), 2)
            header = pickle.dumps((len(block), block[-1], 1.0, 0, least, most), 2)
            length = len(header) + len(data)
            postfile.write(_BLOCK_LENGTH.pack(-length if first + limit >= count else length))
            postfile.write(header + data)
        tail = pack_long(start) + pack_int(postfile.tell() - start)
    info = W3TermInfo._struct.pack(inlined, count, count, least, most, 1.0, docnums[0], docnums[-1])
    writer._tindex.add(pack_ushort(writer._fieldid) + term, info + tail)


# -- reading term tables and postings directly ------------------------------------------------

_KEY_LENGTHS = struct.Struct("!ii")  # before each key in a hash table: key and value lengths
_FIELD_NUMBER = struct.Struct("!H")  # a term's key: field number, then the term's bytes
_BLOCK_LENGTH = struct.Struct("!i")  # before each posting block (negative: the last one)
_HEADER = 4  # the magic bytes before a term's first posting block
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
            length = _BLOCK_LENGTH.unpack_from(data, position)[0]
            block_end = position + _BLOCK_LENGTH.size + abs(length)
            block = BytesIO(data[position + _BLOCK_LENGTH.size : block_end])
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
