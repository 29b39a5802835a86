"""The `triage` command: a thin layer over the library (store, importer, search, export)."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from triage.core import paths
from triage.core.text import strip_control
from triage.importers.dump import expand_paths, import_paths
from triage.store import STATES, Paper, Store, StoreError, dump_json

if TYPE_CHECKING:
    from triage.search import SearchIndex

LARGE_FILE_BYTES = 2_000_000


def _fail(message: str) -> None:
    raise click.ClickException(strip_control(message, keep_newlines=False))


@contextmanager
def open_store(ctx: click.Context, *, create: bool = True) -> Iterator[Store]:
    """The store named by --db / $TRIAGE_DB / the default; errors become one line."""
    try:
        with Store(ctx.obj["db"], create=create) as store:
            yield store
    except StoreError as error:
        _fail(str(error))
    except sqlite3.DatabaseError as error:  # damage found after opening, disk errors
        _fail(f"{ctx.obj['db']}: corrupt or unreadable database ({error}); left untouched")


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


@click.group(invoke_without_command=True)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The triage DB file (default: $TRIAGE_DB, else triage.db in your user data dir).",
)
@click.version_option(package_name="triage")
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """Triage your daily reading list of papers, from the keyboard.

    With no command, opens the app.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db or paths.default_db_path()
    if ctx.invoked_subcommand is None:
        with open_store(ctx):
            pass  # reports a corrupt, locked or too-new DB before the UI starts
        from triage.tui.app import run

        run(ctx.obj["db"])


@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, sources: tuple[Path, ...]) -> None:
    """Import Daily Papers dumps (files, or directories of *.txt).

    Each file is imported whole or not at all; importing the same file again adds
    nothing, and never touches your stars, tags, notes or states.
    """
    files = expand_paths(sources)
    if not files:
        _fail(f"no *.txt dumps in {', '.join(map(str, sources))}")
    many = len(files) > 3 or any(
        path.is_file() and path.stat().st_size > LARGE_FILE_BYTES for path in files
    )
    with open_store(ctx) as store, stderr_progress("importing", show=many) as progress:
        task = progress.add_task("importing", total=len(files)) if progress else None

        def advance(done: int, total: int, path: Path) -> None:
            if progress is not None and task is not None:
                progress.update(task, completed=done, description=f"importing {path.name}")

        reports = import_paths(store, files, progress=advance)
    failed = 0
    for report in reports:
        for warning in report.warnings:
            click.echo(f"warning: {strip_control(warning)}", err=True)
        for problem in report.problems:
            click.echo(f"{report.path}: {strip_control(problem)}", err=True)
        click.echo(strip_control(report.summary()), err=bool(report.error))
        failed += bool(report.error)
    if failed:
        sys.exit(1)


def _row(paper: Paper) -> str:
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


@main.command("list", context_settings=QUERY_COMMAND)
@click.argument("words", metavar="[QUERY]...", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most N papers.")
@click.pass_context
def list_command(
    ctx: click.Context, words: tuple[str, ...], as_json: bool, limit: int | None
) -> None:
    """List papers, newest first, or those matching QUERY (the app's query language,
    e.g. diffusion -video tag:to-read is:starred added:7d sort:title)."""
    query = query_text(words)
    with open_store(ctx) as store:
        ids = search_ids(ctx, query) if query.strip() else store.ids_newest_first()
        papers = store.papers(list(ids[:limit]))
    if as_json:
        click.echo(dump_json(papers))
    else:
        for paper in papers:
            click.echo(_row(paper))


main.add_command(list_command, name="search")


@main.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from the DB (it is a cache: safe at any time)."""
    with open_store(ctx) as store:
        count = store.count()
    started = time.perf_counter()
    with open_index(ctx, rebuild=True):
        pass
    click.echo(f"indexed {count} papers in {time.perf_counter() - started:.1f} s", err=True)


@main.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--star/--unstar", default=None, help="Star or unstar.")
@click.option("--tag", "tags", multiple=True, metavar="T", help="Add tag T (repeatable).")
@click.option("--untag", "untags", multiple=True, metavar="T", help="Remove tag T (repeatable).")
@click.option("--state", type=click.Choice(STATES), help="Move to this reading state.")
@click.option("--note", help="Replace the note ('-' reads it from standard input).")
@click.pass_context
def mark(
    ctx: click.Context,
    ids: tuple[str, ...],
    star: bool | None,
    tags: tuple[str, ...],
    untags: tuple[str, ...],
    state: str | None,
    note: str | None,
) -> None:
    """Star, tag, annotate or move papers (by id, as `triage list` shows)."""
    if star is None and not tags and not untags and state is None and note is None:
        _fail("nothing to change: give --star/--unstar, --tag, --untag, --state or --note")
    if note == "-":
        note = sys.stdin.read().removesuffix("\n")
    with open_store(ctx) as store:
        try:
            changed = store.mark(
                list(ids), star=star, state=state, note=note, add_tags=tags, remove_tags=untags
            )
        except ValueError as error:
            _fail(str(error))
    click.echo(f"{len(changed)} of {len(set(ids))} papers changed")


@main.command(context_settings=QUERY_COMMAND)
@click.argument("words", metavar="[QUERY]...", nargs=-1)
@click.option("--starred", is_flag=True, help="Only starred papers.")
@click.option("--tag", "tags", multiple=True, metavar="T", help="Only papers tagged T.")
@click.option("--state", type=click.Choice(STATES), help="Only papers in this state.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.pass_context
def export(
    ctx: click.Context,
    words: tuple[str, ...],
    starred: bool,
    tags: tuple[str, ...],
    state: str | None,
    output: Path | None,
) -> None:
    """Export papers to Markdown (stdout, or FILE written atomically).

    QUERY (the `list` query language) and the options narrow the list; without
    them every paper is exported.
    """
    from triage.export.markdown import ExportError, export_markdown, write_atomically
    from triage.store import normalise_tag

    query = query_text(words)
    wanted_tags = {normalise_tag(tag) for tag in tags}
    with open_store(ctx) as store:
        ids = search_ids(ctx, query) if query.strip() else None
        papers = [
            paper
            for paper in store.papers(list(ids) if ids is not None else None)
            if (not starred or paper.starred)
            and (state is None or paper.state == state)
            and wanted_tags <= set(paper.tags)
        ]
    title = "Starred papers" if starred else "Papers"
    text = export_markdown(papers, title=title, query=query or None)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(output, text)
    except ExportError as error:
        _fail(str(error))
    click.echo(f"wrote {len(papers)} papers to {output}", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts: papers, starred, per state, per tag, dumps imported."""
    with open_store(ctx) as store:
        figures = store.stats()
    if as_json:
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    click.echo(f"papers          {figures['papers']}")
    click.echo(f"starred         {figures['starred']}")
    for state, count in figures["states"].items():
        click.echo(f"  {state:<13} {count}")
    click.echo(f"dumps imported  {figures['dumps_imported']}")
    click.echo(f"tags            {len(figures['tags'])}")
    for tag, count in figures["tags"].items():
        click.echo(strip_control(f"  {tag:<13} {count}", keep_newlines=False))


@main.command()
@click.argument("destination", required=False, type=click.Path(path_type=Path))
@click.pass_context
def backup(ctx: click.Context, destination: Path | None) -> None:
    """Write a consistent copy of the DB (safe while the app is running).

    DESTINATION is a new file or a directory; by default a time-stamped file in
    $TRIAGE_BACKUP_DIR, else the backups folder of your user data dir (not synced).
    """
    from triage.sync.backup import backup as backup_db

    with open_store(ctx, create=False):
        written = backup_db(ctx.obj["db"], destination)
    click.echo(f"backed up {ctx.obj['db']} to {written}")


@main.command()
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only print what would change.")
@click.pass_context
def merge(ctx: click.Context, other: Path, dry_run: bool) -> None:
    """Merge another copy of the DB (e.g. a sync conflict copy) into this one.

    Nothing is lost: newest star/state/tag change wins, notes changed on both
    sides are kept together and the paper is tagged merge-conflict. A sync
    client's conflict copy is moved aside afterwards, never deleted.
    """
    from triage.sync.copies import is_conflict_copy, move_aside
    from triage.sync.merge import merge as merge_copy

    with open_store(ctx, create=False) as store:
        report = merge_copy(store, other, dry_run=dry_run)
        for line in report.lines():
            click.echo(strip_control(line, keep_newlines=False))
        if dry_run:
            click.echo("dry run: nothing changed")
        elif is_conflict_copy(ctx.obj["db"], other):
            click.echo(f"moved {other} aside to {move_aside(other)}")


@main.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Where the DB and its caches are, and any sync conflict copies waiting to be merged."""
    from triage.sync.copies import find_conflict_copies

    db = Path(ctx.obj["db"])
    with open_store(ctx, create=False) as store:
        count = store.count()
    click.echo(f"db        {db} ({count} papers, {db.stat().st_size / 1e6:.1f} MB)")
    click.echo(f"index     {paths.cache_dir_for(db, 'index')}")
    copies = find_conflict_copies(db)
    if not copies:
        click.echo("conflicts none")
    for copy in copies:
        click.echo(strip_control(f"conflict  {copy}  (merge with: triage merge '{copy}')"))


if __name__ == "__main__":
    main()
