"""The `triage` group: global options, and the app when no command is given."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from triage.cli.common import open_store
from triage.core import paths
from triage.core.text import strip_control

DISTRIBUTION = "triage-papers"
"""The name triage is installed under (`pipx install triage-papers`); the command is `triage`."""


@click.group(invoke_without_command=True)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The triage DB file (default: $TRIAGE_DB, else triage.db in your user data dir).",
)
@click.version_option(package_name=DISTRIBUTION)
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """Triage your daily reading list of papers, from the keyboard.

    With no command, opens the app.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db or paths.default_db_path()
    if ctx.resilient_parsing or ctx.invoked_subcommand == "merge":
        return  # shell completion; git's merge driver, on its own temporary file
    warning = synced_folder_warning(ctx.obj["db"])
    if warning:
        click.echo(warning, err=True)
    if ctx.invoked_subcommand is None:
        with open_store(ctx, expect_new=True):
            pass  # reports a corrupt, locked or too-new DB before the UI starts
        from triage.tui.app import run

        ctx.exit(run(ctx.obj["db"]))


def synced_folder_warning(db: Path) -> str | None:
    """One line for a DB that lies in a folder a sync client or git carries: it should be a
    local working copy that syncs through a shared file there."""
    from triage.sync.folders import synced_by

    client = synced_by(db)
    if client is None:
        return None
    local = paths.data_dir() / "triage.db"
    move = shlex.join(["triage", "--db", str(local), "sync", str(db)])
    return strip_control(
        f"warning: {db} is in a {client} folder, which can copy it in the middle of a write; "
        f"keep the DB local and sync through that file instead: {move}",
        keep_newlines=False,
    )
