"""File operations with the guarantees a synced folder needs."""

from __future__ import annotations

import os
from pathlib import Path


def rename_no_replace(source: Path, target: Path) -> None:
    """A rename that fails with FileExistsError instead of replacing ``target``."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some synced or FAT folders)
        if target.exists():
            raise FileExistsError(target) from None
        os.rename(source, target)
        return
    os.unlink(source)
