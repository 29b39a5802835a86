"""The terminal UI (Textual): the app (:mod:`.app`), its screens and dialogs (:mod:`.screens`),
widgets (:mod:`.widgets`) and the UI's own settings (:mod:`.config`). Styles live in the
top-level ``styles/`` folder (installed as ``triage.styles``).

It calls the domain packages (store, search, sync, importers, export); they never call it.
"""
