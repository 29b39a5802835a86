"""The `triage` command: a thin layer over the library (store, importer, search, export)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from . import paths
from .importer import expand_paths, import_paths
from .store import STATES, Paper, Store, StoreError, dump_json
from .text import strip_control

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


@contextmanager
def stderr_progress(description: str, *, show: bool = True) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        yield progress


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
        from .app import run

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


@main.command("list")
@click.argument("query", required=False, default="")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most N papers.")
@click.pass_context
def list_command(ctx: click.Context, query: str, as_json: bool, limit: int | None) -> None:
    """List papers, newest first; QUERY filters them (case-insensitive words)."""
    with open_store(ctx) as store:
        words = query.casefold().split()
        papers = [
            paper
            for paper in store.papers()
            if all(
                word in f"{paper.title} {paper.abstract} {paper.note} {' '.join(paper.tags)}".casefold()
                for word in words
            )
        ]
    papers = papers[:limit] if limit is not None else papers
    if as_json:
        click.echo(dump_json(papers))
    else:
        for paper in papers:
            click.echo(_row(paper))


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
        note = sys.stdin.read()
    with open_store(ctx) as store:
        try:
            changed = store.mark(
                list(ids), star=star, state=state, note=note, add_tags=tags, remove_tags=untags
            )
        except ValueError as error:
            _fail(str(error))
    click.echo(f"{len(changed)} of {len(set(ids))} papers changed")


@main.command()
@click.option("--starred", is_flag=True, help="Only starred papers.")
@click.option("--tag", "tags", multiple=True, metavar="T", help="Only papers tagged T.")
@click.option("--state", type=click.Choice(STATES), help="Only papers in this state.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.pass_context
def export(
    ctx: click.Context,
    starred: bool,
    tags: tuple[str, ...],
    state: str | None,
    output: Path | None,
) -> None:
    """Export papers to Markdown (stdout, or FILE written atomically)."""
    from .export import export_markdown, write_atomically
    from .store import normalise_tag

    wanted_tags = {normalise_tag(tag) for tag in tags}
    with open_store(ctx) as store:
        papers = [
            paper
            for paper in store.papers()
            if (not starred or paper.starred)
            and (state is None or paper.state == state)
            and wanted_tags <= set(paper.tags)
        ]
    title = "Starred papers" if starred else "Papers"
    text = export_markdown(papers, title=title)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(output, text)
    except OSError as error:
        _fail(f"{output}: cannot write: {error.strerror or error}")
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


if __name__ == "__main__":
    main()
