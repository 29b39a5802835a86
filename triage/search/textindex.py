"""The Whoosh index: a disposable cache of the store's text, in the user cache dir.

Words are indexed unstemmed (lower-cased, accent-folded) so that the word being typed can be
matched as a prefix of what the user sees; stemming happens at query time by expanding a word
to every indexed word with the same Porter stem (``diffusion`` -> diffusion, diffusions, diffuse).

``state.json`` beside it records the store's ``change_token`` and each paper's ``version`` as
indexed, so opening the index after another process or machine changed the DB re-indexes only
the papers whose version differs. It is only written while holding Whoosh's write lock. Its
first line is a JSON header (schema, change token), its second the versions as JSON: opening
an up-to-date index reads the header only (parsing 100,000 versions takes ~60 ms).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import BOOLEAN, ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Existence
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

from triage.core.files import atomic_write
from triage.search import bulk, prefixes
from triage.search.storage import MappedStorage
from triage.store import Reader

SCHEMA_VERSION = (
    6  # 2: Existence format; 3: one word splitter; 4, 5: prefix sets; 6: longer prefixes, words
)
BULK_AT = 200  # documents per write from which the bulk writer is used
TEXT_FIELDS = ("title", "abstract", "note", "tagwords")
LOCK_RETRIES = 5
LOCK_DELAY = 0.05
OPEN_ATTEMPTS = 3
SWAP_WAIT = 5.0  # seconds a rebuild waits for another process's writer before swapping anyway

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)

MAX_WORD = 40  # longer runs of word characters (hashes, URLs) are not words
_WORD = re.compile(rf"(?<!\w)\w{{1,{MAX_WORD}}}(?!\w)")
_ASCII_WORD = re.compile(
    rf"(?<![a-z0-9_])[a-z0-9_]{{1,{MAX_WORD}}}(?![a-z0-9_])"
)  # same, 2x faster


def words(text: str) -> list[str]:
    r"""The indexed form of a text: lower case, accents folded, then ``\w+`` runs of 1-40 chars.

    One function for indexing (both writers), queries and highlighting, so they always agree.
    """
    text = text.lower()
    if text.isascii():
        return _ASCII_WORD.findall(text)
    return _WORD.findall(text.translate(accent_map))


class _WordTokenizer(Tokenizer):
    """:func:`words` as a Whoosh tokenizer."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, word in enumerate(words(value)):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = token.endchar = start_char
            yield token


ANALYZER = _WordTokenizer()


def make_schema() -> Schema:
    """Text fields for words; the rest so the index alone describes a paper.

    Every field only records which papers contain a term (Whoosh's Existence format): the
    search needs no more, and it keeps building 100,000 papers fast (see :mod:`.bulk`).
    Phrases are checked against the store's text.
    """
    schema = Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=ANALYZER, phrase=False),
        abstract=TEXT(analyzer=ANALYZER, phrase=False),
        note=TEXT(analyzer=ANALYZER, phrase=False),
        tagwords=TEXT(analyzer=ANALYZER, phrase=False),
        tag=KEYWORD(lowercase=True),
        starred=BOOLEAN(),
        state=ID(),
        added=ID(),
        listed=KEYWORD(),
    )
    for name in schema.names():
        schema[name].format = Existence()
    return schema


def analyse(text: str) -> list[str]:
    return words(text)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return porter_stem(word)


def read_documents(reader: Reader, ids: list[str] | None) -> Iterator[tuple[str, dict]]:
    """(version, Whoosh document) for the given papers (None: all, newest first), from the store."""
    for (
        paper,
        version,
        title,
        abstract,
        added,
        starred,
        state,
        note,
        tags,
        listed,
    ) in reader.documents(ids):
        yield (
            version,
            {
                "id": paper,
                "title": title,
                "abstract": abstract,
                "note": note,
                "tagwords": tags or "",
                "tag": tags or "",
                "starred": bool(starred),
                "state": state,
                "added": added[:10],
                "listed": listed or "",
            },
        )


class IndexLocked(Exception):
    """Another process is writing the index; try again later."""


class TextIndex:
    """The Whoosh index directory plus its state file."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.state_path = directory / "state.json"
        self.ix = None
        self._versions: dict[str, str] | None = {}
        self._versions_text = ""  # the versions as read at open, parsed on first use
        self.change_token: str | None = None
        self._searcher = None  # the one opened to check the index, until someone takes it

    # -- opening ---------------------------------------------------------------------------

    def open(self) -> bool:
        """Open the index; False if it is missing, corrupt or of an older schema."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                state = self.state_path.read_text(encoding="utf-8")
            except FileNotFoundError:
                # never built, or lost: a rebuild swaps in whole directories, under the lock
                # that ``rebuilding`` takes before opening again, so waiting would not help
                return False
            try:
                header, versions = _split_state(state)
                if header.get("schema") != SCHEMA_VERSION:
                    return False
                self.ix = MappedStorage(str(self.directory)).open_index()
                self._versions, self._versions_text = header.get("versions"), versions
                self.change_token = header.get("change_token")
                self._close_searcher()
                self._searcher = self.ix.searcher()
                return True
            except Exception:  # another process may be committing or swapping in a rebuild
                self.ix = None
                self._close_searcher()
                time.sleep(LOCK_DELAY * (attempt + 1))
        return False  # damaged: rebuild from the store

    @contextmanager
    def rebuilding(self) -> Iterator[None]:
        """One process at a time builds this index; the others wait, then open its result.
        Two building at once swapped their directories in turn, from under each other's
        writes (an app and a CLI started together on a new machine)."""
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(self.directory.parent)).lock(f"{self.directory.name}_REBUILD")
        lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()

    def rebuild(self, reader: Reader, progress: Progress | None = None) -> None:
        """Index every paper into a fresh directory, then swap it in."""
        building = self.directory.with_name(f"{self.directory.name}.building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        token = reader.change_token()
        total = reader.count()
        ix = whoosh_index.create_in(str(building), make_schema())
        writer = (
            bulk.BulkWriter(ix, words=words, prefix_path=building / prefixes.FILE)
            if bulk.supported(ix.schema)
            else ix.writer(limitmb=256)
        )
        versions = {}
        try:
            for done, (version, document) in enumerate(read_documents(reader, None), 1):
                writer.add_document(**document)
                versions[document["id"]] = version
                if progress and (done % 500 == 0 or done == total):
                    progress(done, total)
            writer.commit()
        except BaseException:
            writer.cancel()
            shutil.rmtree(building, ignore_errors=True)
            raise
        _write_state(building / "state.json", token, versions)
        self._swap_in(building)
        if progress and total == 0:
            progress(0, 0)
        if not self.open():
            raise RuntimeError(f"{self.directory}: the rebuilt search index does not open")

    def _swap_in(self, building: Path) -> None:
        """Replace the index directory while holding its write lock, so no writer is cut off."""
        old = self.directory.with_name(f"{self.directory.name}.old-{os.getpid()}")
        lock = None
        if self.directory.is_dir():
            lock = FileStorage(str(self.directory)).lock(
                f"{whoosh_index._DEF_INDEX_NAME}_WRITELOCK"
            )
            deadline = time.monotonic() + SWAP_WAIT
            while not lock.acquire() and time.monotonic() < deadline:
                time.sleep(LOCK_DELAY)
        try:
            if self.directory.exists():
                os.replace(self.directory, old)
            os.replace(building, self.directory)
        except OSError:
            # another process swapped in its own fresh build meanwhile: use that one
            # (opening catches up with anything it missed)
            shutil.rmtree(building, ignore_errors=True)
        finally:
            if lock is not None and lock.locked:
                lock.release()
            shutil.rmtree(old, ignore_errors=True)

    @property
    def versions(self) -> dict[str, str]:
        if self._versions is None:
            try:
                self._versions = dict(json.loads(self._versions_text))
            except (ValueError, TypeError):  # damaged: every paper counts as changed
                self._versions = {}
            self._versions_text = ""
        return self._versions

    @versions.setter
    def versions(self, versions: dict[str, str]) -> None:
        self._versions, self._versions_text = versions, ""

    def take_searcher(self):
        """The searcher opened by :meth:`open` (None if taken): opening one costs ~90 ms."""
        searcher, self._searcher = self._searcher, None
        return searcher

    def _close_searcher(self) -> None:
        searcher = self.take_searcher()
        if searcher is not None:
            searcher.close()

    # -- writing ---------------------------------------------------------------------------

    def stale(self, reader: Reader) -> tuple[set[str], set[str]]:
        """(papers whose indexed version differs from the store's, papers no longer in the store)."""
        current = reader.paper_versions()
        changed = {
            paper for paper, version in current.items() if self.versions.get(paper) != version
        }
        gone = set(self.versions) - set(current)
        return changed, gone

    def write(self, reader: Reader, ids: Iterable[str]) -> None:
        """Re-index these papers from the store (absent ones are deleted); raises IndexLocked."""
        ids = list(dict.fromkeys(ids))
        many = len(ids) >= BULK_AT
        writer = self._writer(many=many)
        try:
            latest = self._read_state()  # another process may have written since we loaded it
            if latest is not None:
                self.versions = latest
            for paper in ids:
                writer.delete_by_term("id", paper)
                self.versions.pop(paper, None)
            for version, document in read_documents(reader, ids):
                writer.add_document(**document)
                self.versions[document["id"]] = version
            writer.commit(merge=not many)
            self._save_state(reader)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise

    def record_token(self, token: str | None) -> None:
        """Record that the index is up to date with the store at ``token`` (the caller found
        every version equal). Skipped while another process writes the index."""
        lock = self.ix.lock("WRITELOCK")
        if not lock.acquire():
            return
        try:
            if self._read_state() == self.versions:  # nobody indexed anything since
                _write_state(self.state_path, token, self.versions)
                self.change_token = token
        except OSError as error:
            log.info("search index state not updated: %s", error)
        finally:
            lock.release()

    def _writer(self, *, many: bool):
        for attempt in range(LOCK_RETRIES):
            try:
                return self._new_writer(self.ix, many=many)
            except whoosh_index.LockError:
                time.sleep(LOCK_DELAY * (attempt + 1))
        raise IndexLocked()

    @staticmethod
    def _new_writer(ix, *, many: bool):
        if many and bulk.supported(ix.schema):
            return bulk.BulkWriter(ix, words=words, limitmb=64)
        return ix.writer(limitmb=64)

    def _read_state(self) -> dict[str, str] | None:
        """The versions in the state file now, None if it is missing, damaged or of another schema."""
        try:
            header, versions = _split_state(self.state_path.read_text(encoding="utf-8"))
            if header.get("schema") != SCHEMA_VERSION:
                return None
            return dict(header["versions"] if "versions" in header else json.loads(versions))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _save_state(self, reader: Reader) -> None:
        """Record the versions as indexed; the change token only if every paper is up to date."""
        token, current = reader.token_and_versions()
        self.change_token = token if current == self.versions else None
        _write_state(self.state_path, self.change_token, self.versions)

    def document_ids(self, reader) -> list[str]:
        """Paper id of every Whoosh document number; read once per segment, then from a file
        (a segment never changes: iterating its id column costs ~0.3 s per 100,000)."""
        ids: list[str] = []
        names = set()
        for leaf, _ in reader.leaf_readers():
            if leaf.segment() is None:  # the reader of an index without documents
                continue
            path = self.directory / f"docids-{leaf.segment().segment_id()}.txt"
            names.add(path.name)
            try:
                segment_ids = path.read_text(encoding="utf-8").split("\n")
                if len(segment_ids) != leaf.doc_count_all():
                    raise ValueError(path)
            except (OSError, ValueError):
                segment_ids = list(leaf.column_reader("id"))
                try:
                    atomic_write(path, "\n".join(segment_ids))
                except OSError:  # only a cache: another process swapped in its own rebuild
                    pass
            ids.extend(segment_ids)
        for old in self.directory.glob("docids-*.txt"):
            if old.name not in names:
                old.unlink(missing_ok=True)
        return ids

    def close(self) -> None:
        self._close_searcher()
        self.ix = None


def _split_state(text: str) -> tuple[dict, str]:
    """(header, versions still as JSON). A one-line file (the earlier format) has the versions
    in its header."""
    first, _, rest = text.partition("\n")
    header = json.loads(first)
    if not isinstance(header, dict):
        raise ValueError("state header is not an object")
    return header, rest


def _write_state(path: Path, change_token: str | None, versions: dict[str, str]) -> None:
    header = json.dumps({"schema": SCHEMA_VERSION, "change_token": change_token})
    atomic_write(path, f"{header}\n{json.dumps(versions, separators=(',', ':'))}")
