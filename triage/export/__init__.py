"""Writing reading lists out: Markdown (:mod:`.markdown`)."""
