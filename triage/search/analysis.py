"""The indexed form of papers: one word splitter for indexing, queries and highlighting, the
Whoosh schema, and the documents read from the store.

Words are indexed unstemmed (folded: see :func:`fold`) so that the word being typed can be
matched as a prefix of what the user sees; stemming happens at query time by expanding a word
to every indexed word with the same Porter stem (``diffusion`` -> diffusion, diffusions, diffuse).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Generator
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import BOOLEAN, ID, KEYWORD, TEXT, Schema
from whoosh.formats import Existence
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

from triage.store import Reader

TEXT_FIELDS = ("title", "abstract", "note", "tagwords")
"""Where a word without a field is looked for."""
WORD_FIELDS = (*TEXT_FIELDS, "authors")
"""Every field indexed as words (``author:`` searches the authors')."""
STEMS_KEPT = 30_000  # ~7 MB (200,000 held ~45 MB); the search keeps whole stem families too
MAX_WORD = 40  # longer runs of word characters (hashes, URLs) are not words
_WORD = re.compile(rf"(?<!\w)\w{{1,{MAX_WORD}}}(?!\w)")
_WORD_CHARS = string.ascii_lowercase + string.digits + "_"
_ASCII_WORD_BYTES = bytes(
    byte + 32 if chr(byte) in string.ascii_uppercase else byte if chr(byte) in _WORD_CHARS else 32
    for byte in range(256)
)  # an ASCII text's bytes lower-cased, those that end a word as spaces (one C pass)
_ASCII_WORD_MARKS = bytes(
    120 if chr(byte) in _WORD_CHARS + string.ascii_uppercase else 32 for byte in range(256)
)  # an ASCII text's word characters as "x", the others as spaces
_LONG_WORD = b"x" * (MAX_WORD + 1)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> str:
    """The form words are indexed and compared in: Unicode NFKC (a ligature ``ﬁ`` is ``fi``,
    full-width letters are letters), lower case, accents removed."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKC", text).lower()
    # only the non-ASCII runs translated (the map leaves lower-case ASCII as it is): 3x faster
    return _NON_ASCII.sub(_without_accents, folded)


def _without_accents(run: re.Match[str]) -> str:
    return run.group().translate(accent_map)


def words(text: str) -> list[str]:
    r"""The indexed form of a text: :func:`fold`, then ``\w+`` runs of 1-40 chars.

    One function for indexing (both writers), queries and highlighting, so they always agree.
    """
    if text.isascii():  # as _WORD, ~2x faster than lower() and str.translate (most texts)
        encoded = text.encode()
        found = encoded.translate(_ASCII_WORD_BYTES).decode().split()
        if len(encoded) > MAX_WORD and _LONG_WORD in encoded.translate(_ASCII_WORD_MARKS):
            return [word for word in found if len(word) <= MAX_WORD]  # (one C search above)
        return found
    return _WORD.findall(fold(text))


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
        authors=TEXT(analyzer=ANALYZER, phrase=False),
        tag=KEYWORD(lowercase=True),
        starred=BOOLEAN(),
        state=ID(),
        added=ID(),
        listed=ID(),
    )
    for name in schema.names():
        schema[name].format = Existence()
    return schema


def analyse(text: str) -> list[str]:
    return words(text)


@lru_cache(maxsize=STEMS_KEPT)
def stem(word: str) -> str:
    return porter_stem(word)


def read_documents(
    reader: Reader, ids: list[str] | None
) -> Generator[tuple[str, dict], None, None]:
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
        authors,
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
                "listed": listed,
                "authors": authors or "",
            },
        )
