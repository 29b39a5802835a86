"""Sync between machines and living with sync clients (no Textual here).

- :mod:`.merge`: merge another copy of the DB into this one, losing nothing;
- :mod:`.watch`: notice outside changes to the DB file;
- :mod:`.copies`: sync clients' conflict copies beside the DB;
- :mod:`.backup`: consistent copies through SQLite's backup API.
"""
