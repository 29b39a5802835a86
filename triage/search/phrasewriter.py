"""``phrases.bin`` written while the index is built (:mod:`.phrases` reads it): each
paper's title and abstract word ids, the vocabulary, and the filed places of frequent words
(:mod:`.followers`)."""

from __future__ import annotations

import json
import os
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import count
from pathlib import Path

from triage.search import followers
from triage.search.phraseplaces import ID
from triage.search.phrases import BLOCK, FIELDS, FORMAT, NO_WORD


class PhraseWriter:
    """Collects the words of each document's title and abstract while the index is built;
    ``filing``: also files the places of frequent words (:mod:`.followers`)."""

    def __init__(self, path: Path, *, filing: followers.Filing | None = None) -> None:
        self.path = path
        self.filing = filing
        self.sampled: Counter[int] = Counter()
        self.temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        self.out = self.temporary.open("wb")
        self.ids: defaultdict[str, int] = defaultdict(count(1).__next__)  # 0 separates fields
        self.offsets = array("Q", [0])
        self.middles = array("Q")  # where each title ends
        self.documents = 0
        self.fields: dict[str, list[str]] = {}

    def record(self, field: str, words: list[str]) -> None:
        """The words of a field of the document being added (others are ignored)."""
        if field in FIELDS:
            self.fields[field] = words

    def end_document(self) -> array:
        """Write the document's word ids (returned: the title's, 0, the abstract's, 0)."""
        title, abstract = (self.fields.get(field, ()) for field in FIELDS)
        ids = array("I", map(self.ids.__getitem__, title))
        ids.append(0)
        ids.extend(map(self.ids.__getitem__, abstract))
        ids.append(0)
        self.fields = {}
        self.add_documents(ids, [(len(title), len(abstract))])
        return ids

    def add_documents(self, ids: array, counts: Iterable[tuple[int, int]]) -> None:
        """Write documents' word ids (numbered in ``ids``), each's title's, 0, abstract's, 0;
        ``counts``: each's title and abstract words."""
        base = at = self.offsets[-1]
        every = self.filing.sample_every if self.filing else 0
        for title, abstract in counts:
            start, at = at, at + title + abstract + 2
            self.middles.append(start + title)
            self.offsets.append(at)
            if every and self.documents % every == 0:
                self.sampled.update(ids[start - base : at - base])
            self.documents += 1
        ids.tofile(self.out)

    def commit(self, order: str) -> None:
        """Write the vocabulary and the header; ``order`` names the documents' order (as
        :func:`~.prefixes.order_key`)."""
        out = self.out
        vocabulary = sorted(self.ids)
        ids_by_rank = array("I", map(self.ids.__getitem__, vocabulary))
        rank_of_id = array("I", bytes(ID * (len(vocabulary) + 1)))
        rank_of_id[0] = NO_WORD
        for rank, word_id in enumerate(ids_by_rank):
            rank_of_id[word_id] = rank
        extents = {}
        for name, data in (
            ("offsets", self.offsets),
            ("middles", self.middles),
            ("ids_by_rank", ids_by_rank),
            ("rank_of_id", rank_of_id),
        ):
            extents[name] = [out.tell(), len(data)]
            data.tofile(out)
        blocks = []
        for start in range(0, len(vocabulary), BLOCK):
            text = "\n".join(vocabulary[start : start + BLOCK]).encode("utf-8")
            blocks.append([vocabulary[start], out.tell(), len(text)])
            out.write(text)
        del vocabulary
        self.ids.clear()  # ~70 MB at 1M papers
        if self.filing:
            extents.update(self._file_places(rank_of_id, self.filing))
        header = json.dumps(
            {
                "format": FORMAT,
                "order": order,
                "size": self.documents,
                "byteorder": sys.byteorder,
                "extents": extents,
                "blocks": blocks,
            }
        ).encode("utf-8")
        out.write(header)
        out.write(len(header).to_bytes(8, "little"))
        out.close()
        os.replace(self.temporary, self.path)

    def _file_places(self, rank_of_id: array, filing: followers.Filing) -> dict[str, list[int]]:
        self.out.flush()
        fd = os.open(self.temporary, os.O_RDONLY)
        try:
            return followers.write(
                self.out,
                lambda offset, length: os.pread(fd, length, offset),
                self.offsets,
                self.middles,
                rank_of_id,
                filing.chosen(self.sampled),
                filing.long,
                filing.frequent(self.sampled),
            )
        finally:
            os.close(fd)

    def cancel(self) -> None:
        self.out.close()
        self.temporary.unlink(missing_ok=True)
