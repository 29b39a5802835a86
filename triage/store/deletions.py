"""Deleting papers (a garbage import, a mistake) and putting them back (undo).

A deleted paper leaves a tombstone in ``deletions``, so that merging an older copy that still
has it does not bring it back; a later import of the same paper does (see
:meth:`.writes.Writer.add_papers`), and so does a merge of a copy whose user worked on the
paper after it was deleted here.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from triage.store.models import now
from triage.store.sync_state import SyncState

if TYPE_CHECKING:
    import sqlite_utils

_CHILDREN = ("listings", "annotations", "tags", "note_history")


@dataclass(frozen=True)
class DeletedPaper:
    """Every row of a deleted paper, as it was: enough to put it back exactly."""

    id: str
    title: str
    rows: dict[str, list[dict[str, Any]]]


class Deleter(SyncState):
    def write(
        self, *, bookkeeping: bool = False
    ) -> contextlib.AbstractContextManager[sqlite_utils.Database]:
        raise NotImplementedError

    def delete_papers(self, ids: Sequence[str]) -> list[DeletedPaper]:
        """Delete these papers and everything about them; returns them for :meth:`restore`.
        Unknown ids are ignored."""
        deleted = []
        stamp = now()
        with self.write():
            for paper in dict.fromkeys(ids):
                rows = {
                    table: self._rows(table, "id" if table == "papers" else "paper_id", paper)
                    for table in ("papers", *_CHILDREN)
                }
                if not rows["papers"]:
                    continue
                title = str(rows["papers"][0]["title"])
                for table in _CHILDREN:
                    self.conn.execute(f"DELETE FROM {table} WHERE paper_id = ?", [paper])
                self.conn.execute("DELETE FROM papers WHERE id = ?", [paper])
                self.conn.execute(
                    "INSERT INTO deletions (paper_id, title, deleted_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (paper_id) DO UPDATE SET deleted_at = excluded.deleted_at",
                    [paper, title, stamp],
                )
                deleted.append(DeletedPaper(paper, title, rows))
        return deleted

    def restore(self, papers: Sequence[DeletedPaper]) -> list[str]:
        """Put deleted papers back as they were (a paper imported again meanwhile is kept as
        it is now); returns the ids restored."""
        restored = []
        with self.write():
            for deleted in papers:
                if self.unknown_ids([deleted.id]) == []:
                    continue
                for table in ("papers", *_CHILDREN):
                    for row in deleted.rows[table]:
                        self._put_back(table, row)
                self.conn.execute("DELETE FROM deletions WHERE paper_id = ?", [deleted.id])
                self.conn.execute(
                    "UPDATE papers SET version = ? WHERE id = ?", [secrets.token_hex(8), deleted.id]
                )
                restored.append(deleted.id)
        return restored

    def _put_back(self, table: str, row: dict[str, Any]) -> None:
        """A row as it was; a paper in its old place among papers of its day (its rowid
        breaks ties in the list's order), unless another paper took that place meanwhile."""
        if "rowid_" in row:
            row = dict(row)
            rowid = row.pop("rowid_")
            taken = self.conn.execute("SELECT 1 FROM papers WHERE rowid = ?", [rowid]).fetchone()
            if not taken:
                row["rowid"] = rowid
        columns = list(row)
        self.conn.execute(
            f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            [row[column] for column in columns],
        )

    def _rows(self, table: str, column: str, paper: str) -> list[dict[str, Any]]:
        keep = "rowid AS rowid_, " if table == "papers" else ""
        cursor = self.conn.execute(f"SELECT {keep}* FROM {table} WHERE {column} = ?", [paper])
        names = [description[0] for description in cursor.description]
        return [dict(zip(names, row)) for row in cursor]
