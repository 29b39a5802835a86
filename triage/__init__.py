"""triage: triage your daily reading list of papers, from the keyboard.

The package is layered; a module imports only from its own layer or those below it (checked by
the import contract in ``pyproject.toml``, run in CI):

- :mod:`triage.cli` (top): the ``triage`` command, a thin layer over the domain; opens the app.
- :mod:`triage.tui`: the Textual app, its screens, dialogs and widgets.
- :mod:`triage.sync`, :mod:`triage.importers`, :mod:`triage.export`: merging copies and living
  with sync clients; reading dumps into the store; writing reading lists out.
- :mod:`triage.search`: the Whoosh index derived from the store, and the query language.
- :mod:`triage.store`: the SQLite store; the only place that speaks SQL.
- :mod:`triage.core`: small helpers every layer uses (paths, untrusted text, files).

Nothing below :mod:`triage.tui` imports Textual.
"""
