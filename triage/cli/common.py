"""What every command shares: the store named by --db, one-line errors, progress on stderr,
the search index, and the query words."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from triage.core.text import strip_control
from triage.store import Paper, Store, StoreError

if TYPE_CHECKING:
    from triage.search import SearchIndex


def fail(message: str) -> NoReturn:
    raise click.ClickException(strip_control(message, keep_newlines=False))


@contextmanager
def open_store(ctx: click.Context, *, create: bool = True) -> Iterator[Store]:
    """The store named by --db / $TRIAGE_DB / the default; errors become one line."""
    try:
        with Store(ctx.obj["db"], create=create) as store:
            yield store
    except StoreError as error:
        fail(str(error))
    except sqlite3.DatabaseError as error:  # damage found after opening, disk errors
        fail(f"{ctx.obj['db']}: corrupt or unreadable database ({error}); left untouched")


@contextmanager
def stderr_progress(description: str, *, show: bool = True) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    with stderr_bar() as progress:
        yield progress


def stderr_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def paper_row(paper: Paper) -> str:
    star = "*" if paper.starred else " "
    tags = f"  [{', '.join(paper.tags)}]" if paper.tags else ""
    listed = paper.first_listed or paper.added_at[:10]
    return strip_control(
        f"{paper.id}  {star} {paper.state:<8} {listed}  {paper.title}{tags}", keep_newlines=False
    )


@contextmanager
def lazy_progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback whose bar appears on stderr only if work is reported (a rebuild)."""
    bars: list[tuple[Progress, TaskID]] = []

    def advance(done: int, total: int) -> None:
        if not bars:
            progress = stderr_bar()
            progress.start()
            bars.append((progress, progress.add_task(description, total=total)))
        progress, task = bars[0]
        progress.update(task, completed=done, total=total)

    try:
        yield advance
    finally:
        if bars:
            bars[0][0].stop()


@contextmanager
def open_index(ctx: click.Context, *, rebuild: bool = False) -> Iterator[SearchIndex]:
    """The DB's search index, caught up with the store (rebuilt with a progress bar if needed)."""
    from triage.search import SearchIndex

    with lazy_progress("building the search index") as progress:
        index = SearchIndex.open(ctx.obj["db"], progress=progress, rebuild=rebuild)
    try:
        yield index
    finally:
        index.close()


def search_ids(ctx: click.Context, query: str) -> Sequence[str]:
    """Ids matching QUERY in display order; hints and suggestions go to stderr."""
    with open_index(ctx) as index:
        result = index.search(query)
    if result.hint:
        click.echo(f"hint: {strip_control(result.hint, keep_newlines=False)}", err=True)
    if not result.total and result.suggestion:
        suggestion = strip_control(result.suggestion, keep_newlines=False)
        click.echo(f"no papers match; did you mean: {suggestion}", err=True)
    return result.ids


# A query may start with "-" (`-video`) and span several arguments: `triage list diffusion -video`.
QUERY_COMMAND = {"ignore_unknown_options": True}


def query_text(words: tuple[str, ...]) -> str:
    return " ".join(words)


def share_changes(store: Store) -> None:
    """After a command changed the DB: merge and publish, when a shared file is set. A failure
    is a warning: the change is safe in the working copy and waits for the next sync."""
    from triage.sync.errors import SyncError
    from triage.sync.shared import SharedFile

    shared = SharedFile(store)
    if shared.path is None:
        return
    try:
        report = shared.sync()
    except (SyncError, StoreError, OSError) as error:
        click.echo(strip_control(f"warning: not published: {error}", keep_newlines=False), err=True)
        return
    for line in report.lines():
        click.echo(line, err=True)
