"""Small helpers every layer uses: where things live (:mod:`.paths`), untrusted text
(:mod:`.text`), files written safely (:mod:`.files`). Imports nothing else from triage."""
