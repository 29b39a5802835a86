"""The `triage` command: a thin layer over the domain packages (store, importers, search,
export, sync). :mod:`.main` holds the group; each module adds its commands to it.

Python's cycle collector is off while they are imported, and what they made is then frozen
out of its reach: it lives as long as the process, and the collector's passes over it were
~5 ms of every command's start, and its first pass after them ~3 ms more."""

import gc

_collecting = gc.isenabled()
gc.disable()
try:
    from triage.cli import copies, fetch, paper, papers
    from triage.cli.main import main
finally:
    gc.freeze()
    if _collecting:
        gc.enable()

__all__ = ["copies", "fetch", "main", "paper", "papers"]
