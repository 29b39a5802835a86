"""Reading papers into the store: Daily Papers text dumps (:mod:`.dump`).

An import is all or nothing per file and never touches what the user wrote.
"""
