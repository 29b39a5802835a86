"""Whether the fast paths of :mod:`.whoosh_internals` are in force.

They are used only if the installed whoosh-reloaded was verified (``VERIFIED``), the private
names exist, and a small index written by :class:`~.whoosh_internals.BlockSegmentWriter` and
by Whoosh's own writer reads back the same through Whoosh's API and
:class:`~.whoosh_internals.TermTable` (a format change that kept the names would return wrong
results silently). If not, or with ``TRIAGE_WHOOSH_FAST=0``, the index uses Whoosh's own
writer, postings and ``FileStorage`` and a warning says why: the same papers match, builds are
~10x slower, searches slower, and "more like this" may order near ties differently (Whoosh's
writer counts a field's distinct words as its length).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from array import array

import whoosh
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.formats import Existence
from whoosh.writing import SegmentWriter

from triage.search.verdicts import kept_verdict
from triage.search.whoosh_internals import BlockSegmentWriter, SegmentStorage, term_table

log = logging.getLogger(__name__)

SWITCH = "TRIAGE_WHOOSH_FAST"  # "0": Whoosh's own paths, whatever the checks say
DISTRIBUTION = "whoosh-reloaded"
VERIFIED = ((2, 7, 5), (2, 8, 0))  # versions from (included) to (excluded)

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


# ~20 ms, mostly the self-check's two commits; checked again when the writer or readers change
@kept_verdict("whoosh-fast-paths", "whoosh", "triage.search.whoosh_internals")
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
