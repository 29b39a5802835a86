"""The main screen: filter bar, paper list, detail, and every key. The list, header and detail
are in `ListScreen`, the keys that change papers in `TriageKeys`, those that open, copy, export
and import in `PaperKeys`; here are the keys that choose what the list shows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from textual import on
from textual.widgets import Input

from triage.tui.bindings import MAIN_KEYS
from triage.tui.config import (
    BUILTIN_VIEWS,
    View,
    ViewsFull,
    delete_view,
    load_views,
    rename_view,
    save_view,
)
from triage.tui.list_controller import Like, next_sort, typing_start
from triage.tui.screens.dialogs import PromptScreen
from triage.tui.screens.paper_keys import PaperKeys
from triage.tui.screens.query_help import QueryHelpScreen
from triage.tui.screens.triage_keys import TriageKeys
from triage.tui.screens.views import ViewsScreen


class MainScreen(TriageKeys, PaperKeys):
    BINDINGS = MAIN_KEYS

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        if self.listing.already_asked(event.value):
            return  # the Input announcing its first value, already asked for on mount
        self.listing.like = None
        self.refill(new_filter=True)

    @on(Input.Submitted, "#filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        self.papers.focus()

    def action_focus_filter(self) -> None:
        self.set_focus(self.filter_input)  # at once: `Widget.focus` waits for the queue
        self.filter_input.cursor_position = len(self.filter_input.value)

    def take_key_at_once(self, key: str) -> bool | Awaitable[object]:
        """For the app, as a key arrives, before it goes anywhere. The app hands each key of a
        burst (a paste, a slow SSH link) to the focused widget before the first is handled, so
        `/diffusion` or `n` then a note would otherwise send the rest to the list as commands.
        The keys that move the typing elsewhere act now instead: the filter key (`/`) focuses
        the filter, and Enter or the back key (Esc) in it the list, so `/diffusion`, Enter, `s`
        stars a paper instead of filtering `diffusions`; the note key opens the editor, and
        returns what the app awaits before the next key (the editor, ready for it). False if
        the key is not one of these."""
        active = self.active_bindings.get(key)
        action = active.binding.action if active is not None else None
        if action == "focus_filter" and not self.filter_input.has_focus:
            self.action_focus_filter()
            return True
        if (key == "enter" or action == "back") and self.filter_input.has_focus:
            self.set_focus(self.papers)  # at once, as for the filter key
            return True
        if action == "note" and self.papers.has_focus:
            return self.open_note() or True
        return False

    def action_query_help(self) -> None:
        self.app.push_screen(QueryHelpScreen())

    def action_back(self) -> None:
        """Esc: from the filter to the list; then clear the selection; then leave "more like
        this" for the paper it was asked on; then back to the view the filter started from."""
        if self.filter_input.has_focus:
            self.papers.focus()
        elif self.papers.selected:
            self.papers.clear_selection()
            self.update_header()
        elif self.listing.like is not None:
            paper_id = self.listing.like.paper_id
            self.listing.like = None
            self.refill(highlight=paper_id, new_filter=True)
        elif self.filter_input.value.strip() != self.listing.origin().strip():
            self.set_filter(self.listing.origin())  # Changed refills

    def action_scroll_detail(self, direction: int) -> None:
        detail = self.detail
        step = max(1, detail.scrollable_content_region.height // 2)
        detail.scroll_to(y=detail.scroll_y + direction * step, animate=False)

    # -- views -------------------------------------------------------------------------

    def action_view(self, number: int) -> None:
        if number >= len(self.listing.views):
            return
        self.listing.like = None
        self.listing.view = number
        query = typing_start(self.listing.views[number].query)
        if self.filter_input.value == query:
            self.refill(new_filter=True)
        else:
            self.set_filter(query)
        self.papers.focus()

    def action_sort(self) -> None:
        query, described = next_sort(self.filter_input.value)
        self.set_filter(query)
        self.notify(f"Sorted: {described}", markup=False)

    def action_save_view(self) -> None:
        query = self.filter_input.value.strip()
        if not query:
            self.notify("Type a filter first, then save it as a view.")
            return

        def save(name: str | None) -> None:
            if not name:
                return
            try:
                save_view(View(name, query))
            except ViewsFull:
                self.notify(
                    "Keys 6-9 all have a view: V renames or deletes one.", severity="warning"
                )
                return
            except OSError as error:
                self.notify(f"Could not save the view: {error}", severity="error", markup=False)
                return
            self.views_changed()
            number = next(n for n, view in enumerate(self.listing.views) if view.name == name)
            self.listing.view = number  # Esc comes back to it
            self.notify(f"Saved view {name}: key {number + 1}", markup=False)

        self.app.push_screen(PromptScreen(f"Name for the view {query}", ""), save)

    def action_manage_views(self) -> None:
        saved = self.listing.views[len(BUILTIN_VIEWS) :]
        if not saved:
            self.notify("No saved views yet: v saves the filter as one.")
            return
        self.app.push_screen(
            ViewsScreen(saved, first_key=len(BUILTIN_VIEWS) + 1), self._view_chosen
        )

    def _view_chosen(self, choice: tuple[str, str] | None) -> None:
        """(what, view name) from the views dialog: show, rename or delete it."""
        if choice is None:
            return
        what, name = choice
        names = [view.name for view in self.listing.views]
        if what == "show" and name in names:
            self.action_view(names.index(name))
        elif what == "rename":
            self.app.push_screen(
                PromptScreen(f"New name for the view {name}", name),
                partial(self._rename_view, name),
            )
        elif what == "delete":
            self._change_views(partial(delete_view, name), f"Deleted view {name}")

    def _rename_view(self, name: str, new_name: str | None) -> None:
        if new_name and new_name != name:
            change = partial(rename_view, name, new_name)
            self._change_views(change, f"Renamed view {name} to {new_name}")

    def _change_views(self, change: Callable[[], None], done: str) -> None:
        try:
            change()
        except OSError as error:
            self.notify(f"Could not change the views: {error}", severity="error", markup=False)
            return
        self.views_changed()
        self.notify(done, markup=False)

    def views_changed(self) -> None:
        views, problem = load_views()
        if problem:
            self.notify(problem, severity="warning", markup=False)
        self.listing.set_views(views)
        self.update_header()

    def action_more_like(self) -> None:
        paper = self.highlighted_paper()
        if paper is None:
            return
        self.listing.like = Like(paper.id, paper.title)
        self.refill(to_top=True)  # the best match first
