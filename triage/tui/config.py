"""The UI's own settings, kept as small TOML files in the config dir (never in the synced DB).

- ``keys.toml``: ``[keys]`` table, binding id -> key string (fed to ``App.set_keymap``).
- ``views.toml``: the user's saved filters, ``[[view]]`` tables with ``name`` and ``query``.
- ``ui.toml``: things the UI remembers between runs (the Markdown export path).

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


def _read_toml(path: Path) -> tuple[dict, str | None]:
    """The parsed file ({} when absent) and a one-line problem, if any."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle), None
    except FileNotFoundError:
        return {}, None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return {}, f"{path}: {error}"


def _toml_string(value: str) -> str:
    # A JSON string literal is a valid TOML basic string (same escapes).
    return json.dumps(value, ensure_ascii=False)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)


def keys_file() -> Path:
    return config_dir() / "keys.toml"


def load_keymap() -> tuple[dict[str, str], str | None]:
    """Binding id -> key(s), and a problem to show the user (bad file or value)."""
    path = keys_file()
    data, problem = _read_toml(path)
    if problem:
        return {}, problem
    table = data.get("keys", {})
    if not isinstance(table, dict):
        return {}, f'{path}: [keys] must be a table of binding id = "key"'
    keymap = {name: key for name, key in table.items() if isinstance(key, str) and key.strip()}
    bad = sorted(set(table) - set(keymap))
    if bad:
        return keymap, f"{path}: ignored {', '.join(bad)} (the key must be a non-empty string)"
    return keymap, None


def views_file() -> Path:
    return config_dir() / "views.toml"


def load_views() -> tuple[list[View], str | None]:
    """The built-in views followed by the user's saved ones."""
    path = views_file()
    data, problem = _read_toml(path)
    saved = []
    for entry in data.get("view", []) if isinstance(data.get("view"), list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            saved.append(View(entry["name"], str(entry.get("query", ""))))
    return [*BUILTIN_VIEWS, *saved], problem


def save_view(view: View) -> None:
    """Add (or replace, by name) a saved view."""
    path = views_file()
    data, _ = _read_toml(path)
    entries = [
        e for e in data.get("view", []) if isinstance(e, dict) and e.get("name") != view.name
    ]
    entries.append({"name": view.name, "query": view.query})
    _write(
        path,
        "".join(
            f"[[view]]\nname = {_toml_string(str(e['name']))}\n"
            f"query = {_toml_string(str(e.get('query', '')))}\n\n"
            for e in entries
        ),
    )


def ui_state_file() -> Path:
    return config_dir() / "ui.toml"


def remembered_export_path() -> Path | None:
    data, _ = _read_toml(ui_state_file())
    value = data.get("export_path")
    return Path(value) if isinstance(value, str) and value else None


def remember_export_path(path: Path) -> None:
    _write(ui_state_file(), f"export_path = {_toml_string(str(path))}\n")
