"""The SQLite store: papers (imported data) and annotations (user data), kept apart.

The only package that speaks SQL. Its modules, by responsibility:

- :mod:`.connection`: opening files safely, one-line errors, the log of a program's own writes;
- :mod:`.schema`: the tables and their migrations;
- :mod:`.models`: :class:`Paper`, :class:`Listing`, the reading states and their labels;
- :mod:`.identity`: a paper's id from its title, a tag's normal form;
- :mod:`.notes`: note history hashes and the conflict block format;
- :mod:`.reads`: every read query (:class:`Reader`), used by the app, the CLI and the index;
- :mod:`.writes`: marks, notes and imports;
- :mod:`.batches`: many imported files in few transactions;
- :mod:`.snapshot`: a whole copy read at once, and the rows a merge writes;
- :mod:`.store`: :class:`Store`, one open DB and its write transactions.
"""

from triage.store.connection import (
    BUSY_TIMEOUT_MS,
    StoreError,
    WriteLog,
    check_sqlite_file,
    connect_read_only,
    copy_consistent,
    read_change_token,
)
from triage.store.identity import (
    MAX_TAG_CHARS,
    cut_tag,
    match_key,
    normalise_tag,
    paper_id,
    title_key,
)
from triage.store.models import (
    DEFAULT_STATE,
    STATE_LABELS,
    STATES,
    Entry,
    Identity,
    Listing,
    Paper,
    dump_json,
    json_pieces,
    now,
)
from triage.store.notes import (
    CONFLICT_END,
    CONFLICT_TAG,
    conflict_label,
    conflict_versions,
    join_conflicting_notes,
    note_hash,
)
from triage.store.reads import Reader
from triage.store.schema import READ_INDEXES, SCHEMA_VERSION
from triage.store.store import Store

__all__ = [
    "BUSY_TIMEOUT_MS",
    "CONFLICT_END",
    "CONFLICT_TAG",
    "DEFAULT_STATE",
    "MAX_TAG_CHARS",
    "READ_INDEXES",
    "SCHEMA_VERSION",
    "STATES",
    "STATE_LABELS",
    "Entry",
    "Identity",
    "Listing",
    "Paper",
    "Reader",
    "Store",
    "StoreError",
    "WriteLog",
    "check_sqlite_file",
    "conflict_label",
    "conflict_versions",
    "connect_read_only",
    "copy_consistent",
    "cut_tag",
    "dump_json",
    "join_conflicting_notes",
    "json_pieces",
    "match_key",
    "normalise_tag",
    "note_hash",
    "now",
    "paper_id",
    "read_change_token",
    "title_key",
]
