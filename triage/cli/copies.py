"""Commands on copies of the DB: backup, merge, status."""

from __future__ import annotations

from pathlib import Path

import click

from triage.cli.common import open_store
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
