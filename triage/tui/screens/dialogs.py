"""Small modal dialogs: a one-line prompt (with path completion where it asks for a file) and
the tag editor."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from triage.store import MAX_TAG_CHARS, cut_tag, normalise_tag
from triage.tui.widgets.literal import printable
from triage.tui.widgets.steady_input import SteadyInput


class PromptScreen(ModalScreen[str | None]):
    """Asks for one line of text; Enter answers, Esc cancels (None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog-cancel")]

    def __init__(
        self,
        question: str,
        value: str = "",
        *,
        placeholder: str = "",
        suggester: Suggester | None = None,
    ) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.suggester = suggester

    def compose(self) -> ComposeResult:
        completes = " Right arrow completes." if self.suggester else ""
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-title")
            yield SteadyInput(
                self.value,
                placeholder=self.placeholder,
                suggester=self.suggester,
                id="prompt-input",
            )
            yield Static(
                Content(f"Enter to confirm, Esc to cancel.{completes}"), classes="dialog-help"
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PathSuggester(Suggester):
    """Completes the last part of a path from the names in its folder (folders end in /)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        head, slash, stem = value.rpartition("/")
        folder = Path((head or "/") if slash else ".").expanduser()
        try:
            names = sorted(
                entry.name + ("/" if entry.is_dir() else "")
                for entry in folder.iterdir()
                if entry.name.startswith(stem)
                and (stem.startswith(".") or not entry.name.startswith("."))
            )
        except OSError:
            return None
        completions = [name for name in names if name != stem]
        return f"{head}{slash}{completions[0]}" if completions else None


class LastWordSuggester(Suggester):
    """Completes the word being typed from the tags already in use."""

    def __init__(self, tags: Iterable[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = list(tags)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, word = value.rpartition(" ")
        sign = "-" if word.startswith("-") else ""
        stem = normalise_tag(word)
        if not stem:
            return None
        for tag in self.tags:
            if tag.startswith(stem) and tag != stem:
                return f"{head} {sign}{tag}".lstrip() if head else f"{sign}{tag}"
        return None


def parse_tag_edit(initial: Iterable[str], typed: str) -> tuple[list[str], list[str]]:
    """(add, remove) from the edited line.

    The line starts as the tags the papers share: a tag taken out of it is removed, a new word
    is added, and `-word` removes `word` even when not every paper had it.
    """
    before = set(initial)
    keep: set[str] = set()
    removed: set[str] = set()
    for word in typed.split():
        if word.startswith("-"):
            if tag := normalise_tag(word[1:]):
                removed.add(tag)
        elif tag := normalise_tag(word):
            keep.add(tag)
    add = sorted(keep - before - removed)
    remove = sorted((before - keep) | removed)
    return add, remove


class TagEditor(ModalScreen[tuple[list[str], list[str]] | None]):
    """Edit tags: returns (add, remove), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog-cancel")]

    def __init__(self, shared_tags: list[str], known_tags: list[str], count: int) -> None:
        super().__init__()
        self.shared_tags = shared_tags
        self.known_tags = known_tags
        self.count = count

    def compose(self) -> ComposeResult:
        what = "this paper" if self.count == 1 else f"{self.count} selected papers"
        with Vertical(classes="dialog"):
            yield Static(Content(f"Tags of {what}"), classes="dialog-title")
            yield SteadyInput(
                " ".join(self.shared_tags) + (" " if self.shared_tags else ""),
                placeholder="tag another-tag -removed-tag",
                suggester=LastWordSuggester(self.known_tags),
                id="tag-input",
                select_on_focus=False,
            )
            known = ", ".join(printable(tag) for tag in self.known_tags[:12])
            yield Static(
                Content(
                    "Words are tags; delete one or write -tag to remove it. "
                    "Right arrow accepts a completion. Enter saves, Esc cancels."
                    + (f"\nIn use: {known}" if known else "")
                ),
                classes="dialog-help",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        for word in event.value.split():
            if (cut := cut_tag(word.removeprefix("-"))) is not None:
                self.notify(f"Tag cut to {MAX_TAG_CHARS} characters: #{cut}", markup=False)
        self.dismiss(parse_tag_edit(self.shared_tags, event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
