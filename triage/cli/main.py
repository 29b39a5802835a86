"""The `triage` group: global options, and the app when no command is given."""

from __future__ import annotations

from pathlib import Path

import click

from triage.cli.common import open_store
from triage.core import paths
from triage.sync.folders import synced_folder_warning

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
