"""The reference for what this machine can do: the same library in SQLite FTS5 with a prefix
index, answering the typing benchmark's queries (count + first 200 by rank, newest first
without words).

The translation is the plain reading of each query, not triage's language in full: words
(the last one a prefix while typing, as in triage), "phrases" (the last word a prefix while
the quote is open), hyphenated words as phrases (unicode61 splits them), title:/abstract:
fields, -negation, tag:, is:starred, state:, listed:/added: with a day, month or year and
> or <. FTS5 has no stemming and no did-you-mean: a typo costs it one lookup.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

FIRST_PAGE = 200
SCHEMA = """
CREATE VIRTUAL TABLE fts USING fts5(title, abstract, note, tags,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
CREATE TABLE facts (rowid INTEGER PRIMARY KEY, id TEXT, starred INT, state TEXT, tags TEXT,
    listed TEXT, added TEXT);
CREATE TEMP TABLE ordered AS
    SELECT p.id, p.title, p.abstract, coalesce(a.note, '') AS note,
           coalesce(a.starred, 0) AS starred, coalesce(a.state, 'inbox') AS state,
           coalesce((SELECT ' ' || group_concat(tag, ' ') || ' ' FROM store.tags t
                     WHERE t.paper_id = p.id AND t.present), '') AS tags,
           substr(p.last_listed, 1, 10) AS listed, substr(p.added_at, 1, 10) AS added
    FROM store.papers p LEFT JOIN store.annotations a ON a.paper_id = p.id
    ORDER BY p.last_listed DESC, p.added_at DESC, p.rowid;
INSERT INTO fts (rowid, title, abstract, note, tags)
    SELECT rowid, title, abstract, note, tags FROM ordered;
INSERT INTO facts SELECT rowid, id, starred, state, tags, listed, added FROM ordered;
CREATE INDEX facts_listed ON facts (listed);
"""
_TOKEN = re.compile(r'-?(?:[A-Za-z]+:)?"[^"]*"?|\S+')
_DAY = re.compile(r"^([<>]=?)?(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def build(db: Path, path: Path) -> float:
    """Build the FTS5 copy of ``db`` at ``path`` (replacing it); returns the seconds taken."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = sqlite3.connect(partial)
    conn.execute("ATTACH DATABASE ? AS store", [str(db)])
    conn.executescript(SCHEMA)
    conn.commit()
    conn.close()
    partial.replace(path)
    return time.perf_counter() - started


class Fts5:
    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path)

    def search(self, text: str) -> tuple[int, list[str]]:
        """(count, the first 200 ids)"""
        match, where = translate(text)
        conditions, arguments = list(where), []
        if match:
            conditions.append("f.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            arguments.append(match)
        sql_where = " AND ".join(conditions) or "1"
        total = self.conn.execute(
            f"SELECT count(*) FROM facts f WHERE {sql_where}", arguments
        ).fetchone()[0]
        if match:
            sql = (
                "SELECT f.id FROM fts JOIN facts f ON f.rowid = fts.rowid WHERE fts MATCH ? "
                f"AND {' AND '.join(where) or '1'} ORDER BY fts.rank LIMIT {FIRST_PAGE}"
            )
        else:
            sql = f"SELECT f.id FROM facts f WHERE {sql_where} ORDER BY f.rowid LIMIT {FIRST_PAGE}"
        return total, [row[0] for row in self.conn.execute(sql, arguments)]


def translate(text: str) -> tuple[str, list[str]]:
    """(an FTS5 MATCH expression or "", SQL conditions on ``facts f``)"""
    tokens = _TOKEN.findall(text)
    typing = not text.endswith((" ", '"'))
    positive: list[str] = []
    negative: list[str] = []
    where: list[str] = []
    for number, token in enumerate(tokens):
        last = typing and number == len(tokens) - 1
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        field, _, value = body.partition(":") if re.match(r"^[A-Za-z]+:", body) else ("", "", body)
        condition = _structured(field, value)
        if condition is not None:
            if condition:
                where.append(f"NOT ({condition})" if negated else condition)
            continue
        words = re.findall(r"\w+", value)
        if not words:
            continue
        open_phrase = value.startswith('"') and not (len(value) > 1 and value.endswith('"'))
        term = '"' + " ".join(words) + '"'
        if last and (open_phrase or not value.startswith('"')):
            term += "*"
        if field in ("title", "abstract", "note"):
            term = f"{field} : {term}"
        (negative if negated else positive).append(term)
    match = " AND ".join(positive)
    for term in negative:
        if match:
            match = f"({match}) NOT {term}"
        else:
            where.append(f"f.rowid NOT IN (SELECT rowid FROM fts WHERE fts MATCH '{term}')")
    return match, where


def _structured(field: str, value: str) -> str | None:
    """The SQL for a structured filter; "" for one without a usable value; None: not one."""
    value = value.strip('"')
    if field == "tag":
        tag = re.sub(r"[^\w-]", "", value)
        return f"f.tags LIKE '% {tag}%'" if tag else ""
    if field == "is":
        return "f.starred = 1" if value == "starred" else ""
    if field == "state":
        return f"f.state = '{value}'" if value.isalpha() else ""
    if field in ("listed", "added"):
        match = _DAY.match(value)
        if not match:
            return ""
        operator, day = match[1] or "", "-".join(part for part in match.groups()[1:] if part)
        column = f"f.{field}"
        if operator.startswith(">"):
            return f"{column} >{'=' if operator == '>=' else ''} '{day}'" + (
                "" if operator == ">=" else f" AND {column} NOT LIKE '{day}%'"
            )
        if operator.startswith("<"):
            return f"{column} {operator} '{day}'"
        return f"{column} LIKE '{day}%'"
    if field in ("title", "abstract", "note", ""):
        return None
    return ""
