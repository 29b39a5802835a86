"""The `triage` command: a thin layer over the domain packages (store, importers, search,
export, sync). :mod:`.main` holds the group; each module adds its commands to it."""

from triage.cli import copies, fetch, paper, papers
from triage.cli.main import main

__all__ = ["copies", "fetch", "main", "paper", "papers"]
