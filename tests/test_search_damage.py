"""Index files damaged under an open index: searches go on, on the index rebuilt from the store.

Each case runs in a child process: a crash there (SIGBUS from a mapped file truncated under
it) is a failed exit code here, not the end of the test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from triage.store import Store, paper_id

pytestmark = pytest.mark.usefixtures("whoosh_mode")

PAPERS = [
    ("Diffusion Models for Video Generation", "We study diffusion in video synthesis."),
    ("Graph Neural Networks at Scale", "Message passing on large graphs."),
]
A, G = (paper_id(title) for title, _ in PAPERS)

DAMAGE_WHILE_OPEN = textwrap.dedent(
    """
    import json, os, sys
    from triage.search import SearchIndex
    index = SearchIndex.open(sys.argv[1])
    before = sorted(index.search("diffusion").ids)
    for path in index.text.directory.glob("*.seg"):
        os.truncate(path, 0)
    result = index.search("graphs")  # a word not read before: read from the damaged files
    print(json.dumps({"before": before, "graphs": sorted(result.ids), "hint": result.hint,
                      "video": sorted(index.search("video").ids)}))
    index.close()
    """
)


def test_segment_files_truncated_while_open_are_rebuilt_and_the_search_answers(tmp_path):
    library = tmp_path / "library.db"
    with Store(library) as store:
        store.add_papers(PAPERS, source="2026-11-01.txt", listed_on="2026-11-01")
    child = subprocess.run(
        [sys.executable, "-c", DAMAGE_WHILE_OPEN, str(library)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert child.returncode == 0, child.stderr[-2000:]
    answer = json.loads(child.stdout.strip().splitlines()[-1])
    assert answer == {"before": [A], "graphs": [G], "hint": None, "video": [A]}
