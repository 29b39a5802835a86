"""The UI's own settings, kept as small TOML files in the config dir (never in the synced DB).

- ``keys.toml``: ``[keys]`` table, binding id -> key string (checked by :mod:`.keymap`, then fed
  to ``App.set_keymap``).
- ``views.toml``: the user's saved filters, ``[[view]]`` tables with ``name`` and ``query``.
- ``ui.toml``: what the UI remembers between runs (the theme, export and import paths).

A broken file never stops the app: readers return what they can plus a one-line problem.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from triage.core.files import atomic_write
from triage.core.paths import config_dir


@dataclass(frozen=True)
class View:
    name: str
    query: str


BUILTIN_VIEWS = (
    View("Inbox", "state:inbox"),
    View("Reading", "state:reading"),
    View("Starred", "is:starred"),
    View("All", ""),
    View("Archived", "state:archived"),
)
MAX_SAVED_VIEWS = 4
"""Saved views get the number keys 6-9: no more, so that every view has its key."""


class ViewsFull(Exception):
    """Every number key for a saved view is taken."""


def _read_toml(path: Path) -> tuple[dict, str | None]:
    """The parsed file ({} when absent) and what is wrong with it, if anything."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle), None
    except FileNotFoundError:
        return {}, None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return {}, str(error)


def _toml_string(value: str) -> str:
    # A JSON string literal is a valid TOML basic string (same escapes).
    return json.dumps(value, ensure_ascii=False)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)


# -- keys.toml ---------------------------------------------------------------------------


def keys_file() -> Path:
    return config_dir() / "keys.toml"


def load_keymap() -> tuple[dict[str, str], list[str]]:
    """Binding id -> key(s) as written, and what was wrong with the file (bad file or value)."""
    path = keys_file()
    data, problem = _read_toml(path)
    if problem:
        return {}, [problem]
    table = data.get("keys", {})
    if not isinstance(table, dict):
        return {}, ['[keys] must be a table of binding id = "key"']
    keymap = {name: key for name, key in table.items() if isinstance(key, str) and key.strip()}
    bad = sorted(set(table) - set(keymap))
    return keymap, [f"{name}: the key must be a non-empty string" for name in bad]


# -- views.toml --------------------------------------------------------------------------


def views_file() -> Path:
    return config_dir() / "views.toml"


def load_views() -> tuple[list[View], str | None]:
    """The built-in views followed by the user's saved ones."""
    saved, problem = _saved_views()
    return [*BUILTIN_VIEWS, *saved], problem


def _saved_views() -> tuple[list[View], str | None]:
    data, problem = _read_toml(views_file())
    problem = f"{views_file()}: {problem}" if problem else None
    saved = []
    for entry in data.get("view", []) if isinstance(data.get("view"), list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            saved.append(View(entry["name"], str(entry.get("query", ""))))
    return saved, problem


def _write_views(views: list[View]) -> None:
    _write(
        views_file(),
        "".join(
            f"[[view]]\nname = {_toml_string(view.name)}\nquery = {_toml_string(view.query)}\n\n"
            for view in views
        ),
    )


def save_view(view: View) -> None:
    """Add a saved view, or replace the one of that name (keeping its place and key).
    Raises ViewsFull when it would be a fifth saved view."""
    saved, _ = _saved_views()
    names = [old.name for old in saved]
    if view.name in names:
        saved[names.index(view.name)] = view
    elif len(saved) >= MAX_SAVED_VIEWS:
        raise ViewsFull
    else:
        saved.append(view)
    _write_views(saved)


def rename_view(old: str, new: str) -> None:
    """Give a saved view another name (a view of that name already is replaced by it)."""
    saved, _ = _saved_views()
    _write_views(
        [View(new, view.query) if view.name == old else view for view in saved if view.name != new]
    )


def delete_view(name: str) -> None:
    saved, _ = _saved_views()
    _write_views([view for view in saved if view.name != name])


# -- ui.toml -----------------------------------------------------------------------------


def ui_state_file() -> Path:
    return config_dir() / "ui.toml"


def remembered(key: str) -> str | None:
    """A string the UI remembered under `key` (see `remember`), if any."""
    data, _ = _read_toml(ui_state_file())
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def remember(key: str, value: str) -> None:
    """Keep `value` for the next run, with everything else remembered. Raises OSError."""
    data, _ = _read_toml(ui_state_file())
    data[key] = value
    _write(
        ui_state_file(),
        "".join(
            f"{name} = {_toml_string(text)}\n"
            for name, text in data.items()
            if isinstance(text, str)
        ),
    )


def remembered_theme() -> str | None:
    return remembered("theme")


def remember_theme(name: str) -> None:
    """The theme chosen (in the command palette) is the next start's."""
    try:
        remember("theme", name)
    except OSError:
        pass  # the next start uses the default theme: nothing else is lost
