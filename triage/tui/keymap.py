"""keys.toml, checked before the app uses it.

Textual applies a keymap without a word: an id that names no binding is ignored, and a key
given to one action that another binding in force already has leaves one of the two dead
(`star = "j"`: the focused list's `j` wins, and nothing stars any more). Here every id must
name a binding, and a key may not take over one that a binding in force at the same time has;
a mapping that fails keeps the binding's default key, and the app says what was wrong in one
line at start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from textual.app import App
from textual.binding import Binding, BindingType
from textual.keys import _normalize_key_list  # what App.set_keymap does to the keys given
from textual.screen import Screen

from triage.tui.bindings import APP_KEYS, MAIN_KEYS
from triage.tui.config import keys_file, load_keymap
from triage.tui.screens.conflicts import ConflictCopiesOffer
from triage.tui.screens.dialogs import PromptScreen, TagEditor
from triage.tui.screens.help import HelpScreen
from triage.tui.screens.note_editor import NoteEditor
from triage.tui.screens.query_help import QueryHelpScreen
from triage.tui.screens.unsaved import QuitWithUnsaved
from triage.tui.screens.views import ViewsScreen
from triage.tui.screens.welcome import WelcomeScreen
from triage.tui.widgets.paper_list import PaperList

OLD_IDS = {"done": "read"}
"""Ids that were renamed, still accepted: the state is called read everywhere now."""

Context = list[Binding]


def _bindings(bindings: Iterable[BindingType]) -> Context:
    return list(Binding.make_bindings(bindings))


def key_contexts() -> list[Context]:
    """The bindings in force together: the main screen with its list, and each dialog."""
    textual = [*App.BINDINGS, Binding(App.COMMAND_PALETTE_BINDING, "command_palette")]
    main = [*textual, *Screen.BINDINGS, *APP_KEYS, *MAIN_KEYS, *PaperList.BINDINGS]
    dialogs = (
        HelpScreen,
        QueryHelpScreen,
        PromptScreen,
        TagEditor,
        ViewsScreen,
        NoteEditor,
        QuitWithUnsaved,
        ConflictCopiesOffer,
        WelcomeScreen,
    )
    return [_bindings(main)] + [
        _bindings([*textual, *APP_KEYS, *dialog.BINDINGS]) for dialog in dialogs
    ]


def check_keymap(
    keymap: Mapping[str, str], contexts: Sequence[Context]
) -> tuple[dict[str, str], list[str]]:
    """The mappings that work, and what is wrong with the others (one phrase each)."""
    known = {binding.id for context in contexts for binding in context if binding.id}
    checked: dict[str, str] = {}
    written: dict[str, str] = {}
    problems = []
    for name, keys in keymap.items():
        binding_id = OLD_IDS.get(name, name)
        if binding_id not in known:
            problems.append(f"{name}: no such binding id (? lists them)")
        elif binding_id not in checked or name == binding_id:  # the new id wins over the old
            checked[binding_id] = _normalize_key_list(keys)
            written[binding_id] = f'{name} = "{keys}"'
    while clash := _first_clash(checked, contexts):
        binding_id, key, other = clash
        default = _default_keys(binding_id, contexts)
        problems.append(
            f"{written[binding_id]}: {key} is already {other.description or other.action} "
            f"({other.id or 'built in'}), so {binding_id} stays on {default}"
        )
        del checked[binding_id]
    return checked, problems


def _first_clash(
    checked: Mapping[str, str], contexts: Sequence[Context]
) -> tuple[str, str, Binding] | None:
    """(the remapped id to drop, the key, the binding it clashes with), if any clash."""
    order = list(checked)
    for context in contexts:
        holders: dict[str, Binding] = {}
        for binding in context:
            remapped_keys = checked.get(binding.id or "")
            keys = remapped_keys.split(",") if remapped_keys else [binding.key]
            for key in keys:
                other = holders.setdefault(key, binding)
                if other is binding or (other.id and other.id == binding.id):
                    continue
                remapped = [b for b in (binding, other) if b.id in checked]
                if not remapped:
                    continue  # two defaults: the app's own design (a dialog's q closes it)
                dropped = max(remapped, key=lambda b: order.index(b.id or ""))
                kept = other if dropped is binding else binding
                return dropped.id or "", key, kept
    return None


def _default_keys(binding_id: str, contexts: Sequence[Context]) -> str:
    keys = [b.key for context in contexts for b in context if b.id == binding_id]
    return ",".join(dict.fromkeys(keys))


def user_keymap() -> tuple[dict[str, str], str | None]:
    """keys.toml as the app applies it, and one line saying what was wrong with it, if anything."""
    keymap, problems = load_keymap()
    checked, clashes = check_keymap(keymap, key_contexts())
    problems += clashes
    if not problems:
        return checked, None
    return checked, f"{keys_file()}: " + "; ".join(problems)
