"""The shape the code keeps: SQL only in the store package, and modules a newcomer can read.

(The layers themselves are checked by import-linter, see ``[tool.importlinter]`` in
pyproject.toml, which CI runs.)
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "triage"
STORE = PACKAGE / "store"
MAX_LINES = 400
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TABLE|INDEX|VIEW|TRIGGER)|DROP\s+(TABLE|INDEX)|PRAGMA\s+\w+"
    r"|BEGIN(\s+IMMEDIATE)?\b|COMMIT\b|ROLLBACK\b|VACUUM\b|ATTACH\s+DATABASE)",
    re.S,
)
MODULES = sorted(PACKAGE.rglob("*.py"))


def string_literals(path: Path) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)}
    return [(token.start[0], token.string) for token in tokens if token.type in kinds]


def test_the_sql_pattern_finds_sql():
    # the check below would pass vacuously if the pattern found nothing
    found = [SQL.search(text) for _, text in string_literals(STORE / "reads.py")]
    assert sum(match is not None for match in found) >= 10


@pytest.mark.parametrize(
    "module",
    [m for m in MODULES if STORE not in m.parents],
    ids=lambda m: str(m.relative_to(PACKAGE)),
)
def test_no_sql_outside_the_store_package(module):
    offending = [
        f"{module.name}:{line}: {text.strip()[:60]}"
        for line, text in string_literals(module)
        if SQL.search(text)
    ]
    assert offending == []


@pytest.mark.parametrize("module", MODULES, ids=lambda m: str(m.relative_to(PACKAGE)))
def test_no_module_is_longer_than_a_newcomer_can_read(module):
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{lines} lines: split it by responsibility"


def private_names_used(path: Path) -> list[str]:
    """Underscore names taken from anything but the module's own objects (``self``, ``cls``),
    and underscore names imported from Whoosh."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if not node.attr.startswith("__") and owner not in ("self", "cls"):
                used.append(f"{path.name}:{node.lineno}: .{node.attr}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            used += [f"{path.name}:{node.lineno}: {a.name}" for a in node.names if a.name[0] == "_"]
    return used


def test_whoosh_internals_are_touched_in_one_module_only():
    search = PACKAGE / "search"
    assert private_names_used(search / "whoosh_internals.py")  # the check sees them there
    others = [m for m in sorted(search.glob("*.py")) if m.name != "whoosh_internals.py"]
    assert [name for module in others for name in private_names_used(module)] == []
