"""Whoosh document number -> table row, kept per segment.

A segment never changes once written, so after a commit only the documents of its new segments
are mapped (O(papers committed), not O(papers)); the rows are saved with the table's copy, so
the next open maps none but the segments committed since. When new papers go first in the table,
the rows kept are moved down instead of mapped again. Rows are arrays: a million of them are
joined and saved as bytes, never as a million int objects (~25 ms).
"""

from __future__ import annotations

from array import array
from typing import Any

from triage.search.table import Table
from triage.search.textindex import TextIndex


class DocRows:
    def __init__(self, text: TextIndex, table: Table) -> None:
        self.text = text
        self.table = table
        self._segments: dict[Any, array] = {}  # segment id -> row of each of its documents
        self._generation = 0  # the table's order generation the rows are for

    def build(self, reader: Any, deleted: set[int]) -> array:
        """Row of every document ``reader`` reads (``table.size`` for a deleted document or
        one of a paper not in the table)."""
        table = self.table
        before, after, shift = table.moved_down
        if (before, after) == (self._generation, table.order_generation):
            # new papers went first: every row moved down (``table.size`` for none as well)
            self._generation = after
            self._segments = {
                segment: array("I", [row + shift for row in rows])
                for segment, rows in self._segments.items()
            }
        elif self._generation != table.order_generation:  # the rows moved, or first use
            self._generation = table.order_generation
            saved = table.take_saved_docrows()
            self._segments = (
                {segment: array("I", rows) for segment, rows in saved.items()}
                if isinstance(saved, dict)
                else {}
            )
        rows = array("I")
        kept: dict[Any, array] = {}
        for leaf, _ in reader.leaf_readers():
            if leaf.segment() is None:  # the reader of an index without documents
                continue
            segment = leaf.segment().segment_id()
            mapped = self._segments.get(segment)
            if mapped is None or len(mapped) != leaf.doc_count_all():
                ids = self.text.segment_ids(leaf)
                mapped = array("I", table.paper_rows.rows_of_segment(ids, table.size))
            kept[segment] = mapped
            rows += mapped
        if kept.keys() != self._segments.keys():
            self.text.forget_segment_ids(kept)
        self._segments = kept
        for docnum in deleted:
            rows[docnum] = table.size
        return rows

    def saved(self) -> dict[Any, array]:
        """The rows per segment, to save with the table's copy."""
        return dict(self._segments)
