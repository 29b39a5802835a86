"""The main screen's keys that take papers out of the app or bring them in: open in the
browser, copy, export, import. What takes time (a browser starting, writing thousands of
papers, importing dumps) runs in a worker: typing never waits for it.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from textual import work

from triage.core.wording import plural
from triage.export.bibtex import citation_key
from triage.importers.dump import ImportReport, import_paths
from triage.importers.files import expand_paths
from triage.store import StoreError
from triage.tui.config import remember, remembered
from triage.tui.exporting import export_papers, last_path
from triage.tui.links import page_url, pdf_url, start_browser
from triage.tui.screens.dialogs import PathSuggester, PromptScreen
from triage.tui.screens.list_screen import ListScreen

IMPORT_FROM = "~/Downloads"


class PaperKeys(ListScreen):
    # -- the browser and the clipboard ---------------------------------------------------

    def action_open(self) -> None:
        if paper := self.highlighted_paper():
            self._open_url(page_url(paper))

    def action_open_pdf(self) -> None:
        paper = self.highlighted_paper()
        if paper is None:
            return
        if url := pdf_url(paper):
            self._open_url(url)
        else:
            self.notify("No arXiv id is known for this paper: o opens its page.")

    def _open_url(self, url: str) -> None:
        if self.app.is_web:  # served to a browser: that browser opens it
            self.app.open_url(url)
            self.notify(f"Opened {url}", markup=False)
        else:
            self._start_browser(url)

    @work(thread=True, group="browser")
    def _start_browser(self, url: str) -> None:
        """A browser can take a moment to start: not on the UI thread."""
        started = start_browser(url)
        self.app.call_from_thread(self._browser_started, url, started)

    def _browser_started(self, url: str, started: bool) -> None:
        if started:
            self.notify(f"Opened {url}", markup=False)
            return
        self.app.copy_to_clipboard(url)
        self.notify(
            f"No browser could be started; the link is copied: {url}",
            severity="warning",
            markup=False,
        )

    def action_copy_title(self) -> None:
        if paper := self.highlighted_paper():
            self.app.copy_to_clipboard(paper.title)
            self.notify("Copied the title.")

    def action_copy_key(self) -> None:
        if paper := self.highlighted_paper():
            key = citation_key(paper)
            self.app.copy_to_clipboard(key)
            self.notify(f"Copied the citation key {key}", markup=False)

    # -- export --------------------------------------------------------------------------

    def action_export(self, kind: str) -> None:
        """`kind`: the view's papers, or the starred ones; each kind has its own file."""
        if kind == "starred":
            try:
                ids = self.session.read(lambda store: store.view_ids("is:starred")) or []
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            title, query = "Starred papers", None
        else:
            if self.listing.partial:
                self.notify("The list is still being read: export in a moment.")
                return
            ids = list(self.papers.ids)
            title, query = self.listing.export_heading(self.filter_input.value)
        if not ids:
            self.notify(
                f"Nothing to export: no papers in {title}. No file was written.", markup=False
            )
            return
        question = (
            f"Export {plural(len(ids), 'paper')} of {title} to this file (.md Markdown, .bib "
            "BibTeX, .json JSON); a file already there is replaced"
        )

        def chosen(typed: str | None) -> None:
            if typed:
                path = Path(typed).expanduser()
                self._export(ids, path, kind=kind, title=title, query=query)

        prompt = PromptScreen(question, last_path(kind), suggester=PathSuggester())
        self.app.push_screen(prompt, chosen)

    @work(thread=True, group="export")
    def _export(
        self, ids: list[str], path: Path, *, kind: str, title: str, query: str | None
    ) -> None:
        """Thousands of papers take a moment to read and write: not on the UI thread."""
        try:
            with self.session.open_store() as store:
                told, failed = export_papers(store, ids, path, kind=kind, title=title, query=query)
        except StoreError as error:
            told, failed = f"Export failed: {error}", True
        self.app.call_from_thread(
            partial(self.notify, told, severity="error" if failed else "information", markup=False)
        )

    # -- import --------------------------------------------------------------------------

    def action_import(self) -> None:
        def chosen(typed: str | None) -> None:
            if not typed:
                return
            path = Path(typed).expanduser()
            if not path.exists():
                self.notify(f"Nothing to import: {path} does not exist.", markup=False)
            elif not expand_paths([path]):
                self.notify(f"No *.txt dumps or *.json responses in {path}.", markup=False)
            else:
                self.show_status("import", "importing…")
                self._import(path)

        prompt = PromptScreen(
            "Import Daily Papers dumps (.txt) and saved API responses (.json): a file or a folder",
            remembered("import_path") or IMPORT_FROM,
            suggester=PathSuggester(),
        )
        self.app.push_screen(prompt, chosen)

    @work(thread=True, exclusive=True, group="import")
    def _import(self, path: Path) -> None:
        def progress(done: int, total: int, file: Path) -> None:
            status = f"importing {done + 1}/{total} {file.name}" if done < total else ""
            self.app.call_from_thread(self.show_status, "import", status)

        try:
            with self.session.open_store() as store:
                reports = import_paths(store, [path], progress=progress)
        except (StoreError, OSError) as error:
            self.app.call_from_thread(self._imported, path, [], str(error))
            return
        self.app.call_from_thread(self._imported, path, reports, None)

    def _imported(self, path: Path, reports: list[ImportReport], error: str | None) -> None:
        self.show_status("import", "")
        if error is not None:
            self.notify(f"Import failed: {error}", severity="error", markup=False)
            return
        for report in reports:
            if report.error:
                self.notify(report.summary(), severity="error", markup=False)
        imported = [report for report in reports if not report.error]
        new = sum(report.new for report in imported)
        known = sum(report.known for report in imported)
        skipped = sum(report.skipped for report in imported)
        self.notify(
            f"Imported {plural(len(imported), 'file')}: {plural(new, 'new paper')}, "
            f"{known} already known" + (f", {skipped} skipped" if skipped else ""),
            markup=False,
        )
        try:
            remember("import_path", str(path))
        except OSError:
            pass  # asked again next time: nothing lost
        if new or known:
            self.session.after_import()
            self.store_changed()
