"""The terminal UI (Textual): the app (:mod:`.app`), its screens and dialogs (:mod:`.screens`),
widgets (:mod:`.widgets`) and the UI's own settings (:mod:`.config`). Styles live in the
top-level ``styles/`` folder (installed as ``triage.styles``).

Plain Python beside them, tested without a terminal: :mod:`.session` (what screens are given:
store, index access, file watch), :mod:`.list_controller` (what the list shows for a filter),
:mod:`.triage_actions` (marks, note edits, deletions and their undo, :mod:`.undo`),
:mod:`.exporting` (the app's exports), :mod:`.links` (a paper's pages, starting a browser),
:mod:`.keymap` (keys.toml checked), :mod:`.index_access` (the one search index, shared by
worker threads), :mod:`.writer` (the thread every change goes through, and waits in while the
DB cannot take it), :mod:`.recovery` (notes not saved yet, kept in files), :mod:`.shared_sync`
and :mod:`.sync_process` (syncing with the shared file, in a child process), :mod:`.crash`
(the log of an unexpected error), :mod:`.idle_gc`.

It calls the domain packages (store, search, sync, importers, export); they never call it.
"""
