"""Writing reading lists out: Markdown (:mod:`.markdown`), BibTeX (:mod:`.bibtex`); JSON is
:func:`triage.store.dump_json`, the shape of `triage list --json`."""
