"""What every command shares: the store named by --db, one-line errors, progress on stderr,
the search index, and the query words."""

from __future__ import annotations

import atexit
import codecs
import errno
import functools
import gc
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from triage.core.text import plain_utf8_lines, strip_control
from triage.store import DEFAULT_STATE, Store, StoreError
from triage.store.lines import LineMarks, LineTexts

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from triage.search import SearchIndex, SearchResult


def fail(message: str) -> NoReturn:
    raise click.ClickException(strip_control(message, keep_newlines=False))


@contextmanager
def open_store(
    ctx: click.Context, *, create: bool = True, expect_new: bool = False
) -> Iterator[Store]:
    """The store named by --db / $TRIAGE_DB / the default; errors become one line.

    A DB this creates is announced on stderr, so a mistyped --db shows at once, but for the
    commands that are expected to make one (``expect_new``: import, fetch, the app, sync)
    or whose output already tells (stats: ``papers 0``).
    """
    path = Path(ctx.obj["db"]).expanduser()
    is_new = not path.exists()
    try:
        with Store(path, create=create) as store:
            if is_new and not expect_new:
                click.echo(f"note: {path} did not exist: created it, an empty triage DB", err=True)
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
    """A progress bar on stderr (Rich is imported only when a bar is shown: a search or a
    listing starts without it)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def listed_rows(texts: LineTexts, marks: Mapping[str, LineMarks]) -> list[str]:
    """A line for each known paper of ``texts``, each ending in a line break: id, star, state,
    date (:attr:`Paper.listed_on`, its latest listing: the one "newest first" orders by, as
    in the app's list), title, tags; made in one pass over them (see :func:`write_lines`)."""
    papers = texts.papers
    unmarked = f"    {DEFAULT_STATE:<8} "
    return [
        f"{paper}{unmarked}{row[2]}  {row[1]}\n"
        if (marked := marks.get(paper)) is None
        else f"{paper}  {'*' if marked[0] else ' '} {marked[1]:<8} {row[2]}  {row[1]}"
        + (f"  [{', '.join(marked[2])}]\n" if marked[2] else "\n")
        for paper in texts.ids
        if (row := papers.get(paper)) is not None
    ]


def write_lines(rows: list[str]) -> None:
    """Write lines of untrusted text (each ending in a line break) to stdout, anything in them
    that could drive the terminal stripped. They are looked at once, as a whole (33,806 lines:
    ~10 ms less than line by line), and as the UTF-8 bytes written when stdout takes those as
    they are (~10 ms less than the text's own check and encoding by the stream). Each line is
    encoded on its own: one title with a character past U+00FF (a dash) made the text joined
    whole twice as wide, and its encoding ~2 ms slower at 33,806 lines."""
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "ascii"
    if codecs.lookup(encoding).name == "utf-8" and os.linesep == "\n":
        errors = getattr(stream, "errors", None) or "strict"
        data = b"".join([row.encode("utf-8", errors) for row in rows])
        if plain_utf8_lines(data, len(rows)):
            click.echo(data, nl=False)
            return
    else:
        text = "".join(rows)
        if text.count("\n") == len(rows) and strip_control(text) == text:
            click.echo(text, nl=False)  # (a line break added would copy it all)
            return
    click.echo(
        "".join(f"{strip_control(row[:-1], keep_newlines=False)}\n" for row in rows), nl=False
    )


@contextmanager
def lazy_progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback whose bar appears on stderr only if work is reported (a rebuild)."""
    bars: list[tuple[Progress, TaskID]] = []

    def advance(done: int, total: int) -> None:
        if not bars and not sys.stderr.isatty():
            return  # a bar drawn into a file or a pipe is noise
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
def open_index(
    ctx: click.Context, *, rebuild: bool = False, reading: bool = False
) -> Iterator[SearchIndex]:
    """The DB's search index, caught up with the store (rebuilt with a progress bar if needed).
    ``reading``: only searched, so closing commits only if worth it (see ``worth_saving``)."""
    from triage.search import SearchIndex

    with lazy_progress("building the search index") as progress:
        index = SearchIndex.open(ctx.obj["db"], progress=progress, rebuild=rebuild)
    try:
        yield index
    finally:
        index.close(save=not reading or index.worth_saving)


def search_ids(ctx: click.Context, query: str) -> Sequence[str]:
    """Ids matching QUERY in display order; hints and suggestions go to stderr."""
    with open_index(ctx, reading=True) as index:
        result = index.search(query)
    tell_about(result)
    return result.ids


def search_papers(
    ctx: click.Context, query: str, limit: int | None
) -> tuple[list[str], list[int] | None, dict[str, LineMarks] | None]:
    """The first ``limit`` ids matching QUERY in display order, their rowids and marks (see
    :meth:`SearchIndex.located`); hints and suggestions go to stderr."""
    with open_index(ctx, reading=True) as index:
        result = index.search(query)
        located = index.located(result, limit)
    tell_about(result)
    return located


def tell_about(result: SearchResult) -> None:
    """A search's hint and suggestion, on stderr."""
    if result.hint:
        click.echo(f"hint: {strip_control(result.hint, keep_newlines=False)}", err=True)
    if not result.total and result.suggestion:
        suggestion = strip_control(result.suggestion, keep_newlines=False)
        click.echo(f"no papers match; did you mean: {suggestion}", err=True)


class QueryCommand(click.Command):
    """A command whose QUERY may span arguments and start with "-": `list diffusion -video`.

    A word is an option only when it is one of the command's own (``-o``, ``--limit 3``,
    ``--json``); any other word is part of the query, but a ``--word`` that is no option is
    click's usage error (``--db`` goes before the command), and every word after ``--`` is
    part of the query (``list -- --verbose``).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = [param for param in self.get_params(ctx) if isinstance(param, click.Option)]
        known = {name for option in options for name in (*option.opts, *option.secondary_opts)}
        takes_value = {
            name
            for option in options
            if not option.is_flag and not option.count
            for name in option.opts
        }
        before_command = {"--db", "--version"}
        flags: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            name = arg.split("=", 1)[0]
            if arg == "--":
                words.extend(rest)
            elif name in before_command and not ctx.resilient_parsing:
                raise click.NoSuchOption(
                    name,
                    message=f"No such option: {name} (it goes before the command: "
                    f"triage {name} … {ctx.info_name} …)",
                    ctx=ctx,
                )
            elif arg.startswith("--") or name in known:
                flags.append(arg)
                if name in takes_value and "=" not in arg:
                    value = next(rest, None)
                    if value is None and ctx.resilient_parsing:  # completing the value
                        return super().parse_args(ctx, args)
                    if value is None:  # else click would take the "--" below for it
                        raise click.BadOptionUsage(
                            name, f"Option '{name}' requires an argument.", ctx=ctx
                        )
                    flags.append(value)
            else:
                words.append(arg)
        return super().parse_args(ctx, [*flags, "--", *words])


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


ID_PREFIX_MIN = 4
"""The fewest characters of an id a command takes (as git's short hashes): fewer would pick a
paper by chance."""


def resolve_ids(store: Store, given: Sequence[str]) -> list[str]:
    """Paper ids from what the user typed: whole ids or unique prefixes, in any case.
    One unknown, too short or ambiguous id fails the command, naming it, before anything
    changes."""
    resolved = []
    for typed in given:
        wanted = typed.strip().lower()
        found = store.ids_starting_with(wanted, 3) if len(wanted) >= ID_PREFIX_MIN else []
        if wanted in found:
            found = [wanted]
        if len(found) == 1:
            resolved.append(found[0])
        elif len(wanted) < ID_PREFIX_MIN and store.ids_starting_with(wanted, 1):
            fail(f"id {typed} is too short: give at least {ID_PREFIX_MIN} characters of it")
        elif not found:
            fail(f"no paper with id {typed}")
        else:
            more = " and more" if len(found) > 2 else ""
            fail(f"id {typed} is ambiguous: {found[0]}, {found[1]}{more}; give more of it")
    return list(dict.fromkeys(resolved))


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """For a one-off command that makes many objects and no reference cycles worth collecting
    before its process exits (`triage list`): the cycle collector is off meanwhile (its passes
    over what the imports made, Whoosh and the search, and over the lines being made took ~45
    ms of a listing of 33,806 papers). At its end what exists moves to the oldest generation
    (frozen, then thawed there), so the young pass that turning the collector back on starts
    walks none of it (3-8 ms), yet a process that goes on (a test session) can still collect
    it; at exit all is frozen, so the last collection walks none of it either (~10 ms)."""
    collecting = gc.isenabled()
    gc.disable()
    _freeze_at_exit()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if collecting:
            gc.enable()


@functools.cache
def _freeze_at_exit() -> None:
    atexit.register(gc.freeze)


@contextmanager
def writing_stdout() -> Iterator[None]:
    """Output to a full disk or a failing device ends the command with one line, not a
    traceback. (A pipe closed by its reader, as `| head` does, click ends quietly.)"""
    try:
        yield
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT):
            raise
        try:  # what is left in the buffer would fail again, and loudly, when Python exits
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        fail(f"cannot write to standard output: {error.strerror}")
