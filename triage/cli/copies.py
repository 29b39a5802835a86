"""Commands on copies of the DB: sync, status, merge, backup."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from triage.cli.common import fail, open_store, share_changes
from triage.cli.main import main
from triage.core import paths
from triage.core.text import strip_control


@main.command()
@click.argument("destination", required=False, type=click.Path(path_type=Path))
@click.pass_context
def backup(ctx: click.Context, destination: Path | None) -> None:
    """Write a consistent copy of the DB (safe while the app is running).

    DESTINATION is a new file or a directory; by default a time-stamped file in
    $TRIAGE_BACKUP_DIR, else the backups folder of your user data dir (not synced).
    """
    from triage.sync.backup import backup as backup_db

    target = destination.expanduser() if destination is not None else None
    if target is not None and not target.is_dir() and not target.parent.is_dir():
        fail(f"{target.parent}: no such folder; nothing written")  # a typo: make no folders
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
        if not dry_run and is_conflict_copy(ctx.obj["db"], other):
            click.echo(f"moved {other} aside to {move_aside(other)}")
        if not dry_run and report.changed:
            share_changes(store)


@main.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--off", is_flag=True, help="Stop syncing this DB through its shared file.")
@click.pass_context
def sync(ctx: click.Context, path: Path | None, off: bool) -> None:
    """Sync through a shared file in a Dropbox, Syncthing, iCloud or git folder.

    With PATH: make it this DB's shared file (per machine); an existing one is merged in
    first, then this DB is published to it. Without: merge in what changed, then publish.
    triage only ever replaces the shared file whole, so a sync client can copy it at any
    moment; every command that changes the DB publishes by itself once a shared file is set.
    """
    from triage.sync.errors import SyncError
    from triage.sync.shared import SharedFile

    with open_store(ctx, expect_new=True) as store:
        shared = SharedFile(store)
        if off:
            if path is not None:
                fail("give either PATH or --off")
            shared.detach()
            click.echo("sync is off: this DB no longer publishes to a shared file")
            return
        try:
            report = shared.attach(path) if path is not None else shared.sync()
        except SyncError as error:
            fail(str(error))
        for line in report.lines():
            click.echo(line)
        if report.failed:
            sys.exit(1)
        if not report.lines():
            click.echo(f"up to date with {report.shared}")


@main.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Where the DB, its shared file and its caches are, and what waits to be merged or published."""
    from triage.sync.copies import find_conflict_copies
    from triage.sync.shared import SharedFile

    db = Path(ctx.obj["db"])
    with open_store(ctx, create=False) as store:
        count = store.count()
        shared = SharedFile(store)
        settings, path, waiting, changed = (
            shared.settings,
            shared.path,
            shared.waiting(),
            shared.changed(),
        )
    click.echo(f"db        {db} ({count} papers, {db.stat().st_size / 1e6:.1f} MB)")
    click.echo(f"index     {paths.cache_dir_for(db, 'index')}")
    again = command(ctx, "sync")
    if path is None:
        click.echo(f"shared    none (to sync between machines: {command(ctx, 'sync', 'PATH')})")
    else:
        click.echo(strip_control(f"shared    {path}", keep_newlines=False))
        click.echo(f"merged    {_when(settings.get('merged_at'))}")
        click.echo(f"published {_when(settings.get('published_at'))}")
        if waiting or changed:
            what = "local changes wait to be published" if waiting else "the shared file changed"
            click.echo(f"waiting   {what} (run: {again})")
        else:
            click.echo("waiting   nothing")
    copies = [*find_conflict_copies(db), *(find_conflict_copies(path) if path else [])]
    if not copies:
        click.echo("conflicts none")
    for copy in copies:
        merge_it = (
            again if path and copy.parent == path.parent else command(ctx, "merge", str(copy))
        )
        click.echo(
            strip_control(f"conflict  {copy}  (merge with: {merge_it})", keep_newlines=False)
        )


def _when(stamp: str | None) -> str:
    return f"{stamp[:10]} {stamp[11:19]} UTC" if stamp else "never"


def command(ctx: click.Context, *words: str) -> str:
    """A triage command line that pastes into a shell for any file name, with --db when the
    DB is not the default one."""
    db = Path(ctx.obj["db"])
    prefix = ["triage"] if db == paths.default_db_path() else ["triage", "--db", str(db)]
    return shlex.join([*prefix, *words])
