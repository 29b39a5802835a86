"""The prefix sets of an index whose postings were not at hand when it was written: read back
from its segment (an index built by Whoosh's own writer: see :mod:`.textindex`). A whole build
in bulk writes them from its postings (:mod:`.bulk`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from triage.search import postings, prefixes

_FIELDS = tuple(dict.fromkeys(field for group in prefixes.GROUPS.values() for field in group))


def sets_from_index(storage: Any, indexname: str, path: Path) -> None:
    """The prefix sets of a committed index, its postings read back."""
    ix = storage.open_index(indexname)
    with ix.reader() as reader:
        if not reader.doc_count_all():
            return  # as the bulk writer, which writes no segment then
        ids = [
            paper
            for leaf, _ in reader.leaf_readers()
            if leaf.segment() is not None
            for paper in leaf.column_reader("id")
        ]
        prefixes.build(
            {field: postings.field_postings(reader, field) for field in _FIELDS}, ids, path
        )
