"""Commands on papers: import, list, mark, export, stats, reindex."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from triage.cli.common import (
    QueryCommand,
    fail,
    listed_rows,
    open_index,
    open_store,
    query_text,
    resolve_ids,
    search_ids,
    search_papers,
    share_changes,
    stderr_progress,
    without_cycle_collection,
    write_lines,
    writing_stdout,
)
from triage.cli.main import main
from triage.core.text import strip_control
from triage.core.wording import plural
from triage.store import MAX_TAG_CHARS, STATES, cut_tag, json_pieces

LARGE_FILE_BYTES = 2_000_000


@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, sources: tuple[Path, ...]) -> None:
    """Import Daily Papers dumps and saved API responses (*.json, as `triage fetch` gets
    them): files, or directories of *.txt and *.json.

    Each file is imported whole or not at all; importing the same file again adds
    nothing, and never touches your stars, tags, notes or states.
    """
    from triage.importers.dump import import_paths
    from triage.importers.files import expand_paths
    from triage.search.engine import REBUILD_AFTER, REBUILD_SHARE

    files = expand_paths(sources)
    if not files:
        fail(f"no *.txt dumps or *.json responses in {', '.join(map(str, sources))}")
    many = len(files) > 3 or any(
        path.is_file() and path.stat().st_size > LARGE_FILE_BYTES for path in files
    )
    with open_store(ctx, expect_new=True) as store:
        with stderr_progress("importing", show=many) as progress:
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
        if any(report.found and not report.error for report in reports):
            share_changes(store)
        new = sum(report.new for report in reports)
        total = store.count() if new else 0
    if new:
        # built or caught up now, with its progress: not by the next search; so many new
        # papers that opening would rebuild after catching up with them: rebuilt at once
        with open_index(ctx, rebuild=new > max(REBUILD_AFTER, total // REBUILD_SHARE)):
            pass
    if failed:
        sys.exit(1)


@main.command("list", cls=QueryCommand)
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
    with without_cycle_collection(), open_store(ctx) as store:
        marks = None
        if query.strip():
            ids, rowids, marks = search_papers(ctx, query, limit)
        else:
            ids, rowids = store.located_newest_first(-1 if limit is None else limit)
        # read and printed a chunk at a time (the first few hundred at once): any number of
        # papers in little memory
        with writing_stdout():
            if as_json:
                papers = (paper for chunk in store.papers_in_chunks(ids) for paper in chunk)
                for piece in json_pieces(papers):
                    click.echo(piece, nl=False)
                click.echo()
            else:
                for texts, marked in store.line_texts(ids, rowids, marks):
                    if rows := listed_rows(texts, marked):
                        write_lines(rows)


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
    """Star, tag, annotate or move papers (by id, or its first characters, as `triage list`
    shows them)."""
    if star is None and not tags and not untags and state is None and note is None:
        fail("nothing to change: give --star/--unstar, --tag, --untag, --state or --note")
    if note == "-":
        note = note_from_stdin()
    with open_store(ctx) as store:
        papers = resolve_ids(store, ids)
        try:
            changed = store.mark(
                papers, star=star, state=state, note=note, add_tags=tags, remove_tags=untags
            )
        except ValueError as error:
            fail(str(error))
        click.echo(f"{len(changed)} of {plural(len(papers), 'paper')} changed")
        for tag in tags:
            if (cut := cut_tag(tag)) is not None:
                click.echo(
                    strip_control(f"warning: tag cut to {MAX_TAG_CHARS} characters: {cut}"),
                    err=True,
                )
        if changed:
            share_changes(store)


def note_from_stdin() -> str:
    """The note piped in: UTF-8 text, else one line saying so (the note is left as it was)."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig").removesuffix("\n").removesuffix("\r")
    except UnicodeDecodeError as error:
        fail(
            f"standard input is not UTF-8 text (byte {error.start + 1}: "
            f"{data[error.start]:#04x}); the note was not changed"
        )


EXPORT_FORMATS = {".md": "markdown", ".markdown": "markdown", ".bib": "bibtex", ".json": "json"}


@main.command(cls=QueryCommand)
@click.argument("words", metavar="[QUERY]...", nargs=-1)
@click.option("--starred", is_flag=True, help="Only starred papers.")
@click.option("--tag", "tags", multiple=True, metavar="T", help="Only papers tagged T.")
@click.option("--state", type=click.Choice(STATES), help="Only papers in this state.")
@click.option(
    "--format",
    "form",
    type=click.Choice(["markdown", "bibtex", "json"]),
    help="Default: from FILE's extension (.bib, .json), else markdown.",
)
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
    form: str | None,
    output: Path | None,
) -> None:
    """Export papers as Markdown, BibTeX or JSON (stdout, or FILE written atomically).

    Markdown groups them by state, titles linked to arXiv when the id is known; BibTeX has
    one entry per paper, your tags as keywords; JSON is `triage list --json`'s shape.
    QUERY (the `list` query language) and the options narrow the list; without them every
    paper is exported.
    """
    from triage.export.markdown import ExportError, write_atomically
    from triage.export.stream import Selection, export_pieces
    from triage.store import normalise_tag

    query = query_text(words)
    form = form or EXPORT_FORMATS.get(output.suffix.lower() if output else "", "markdown")
    wanted_tags = tuple(sorted({normalise_tag(tag) for tag in tags}))
    with open_store(ctx) as store:
        ids = search_ids(ctx, query) if query.strip() else None
        selection = Selection(ids, starred=starred, state=state, tags=wanted_tags)
        title = "Starred papers" if starred else "Papers"
        count, pieces = export_pieces(store, selection, form, title=title, query=query or None)
        if output is None:
            with writing_stdout():
                for piece in pieces:
                    click.echo(piece, nl=False)
            return
        try:
            write_atomically(output, pieces)
        except ExportError as error:
            fail(str(error))
    click.echo(f"wrote {plural(count, 'paper')} to {output}", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts: papers, starred, per state, per tag, imports (dump files and fetched days)."""
    with open_store(ctx, expect_new=True) as store:
        figures = store.stats()
    if as_json:
        text = json.dumps(figures, indent=2, ensure_ascii=False)
    else:
        lines = [
            f"papers          {figures['papers']}",
            f"starred         {figures['starred']}",
            *(f"  {state:<13} {count}" for state, count in figures["states"].items()),
            f"imports         {figures['dumps_imported']}",
            f"tags            {len(figures['tags'])}",
            *(
                strip_control(f"  {tag:<13} {count}", keep_newlines=False)
                for tag, count in figures["tags"].items()
            ),
        ]
        text = "\n".join(lines)
    with writing_stdout():
        click.echo(text)
