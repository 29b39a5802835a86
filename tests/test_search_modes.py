"""The Whoosh fast paths are used only where they were verified; otherwise Whoosh's own paths
give the same results, and a warning says why."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from triage.search import SearchIndex, fastpaths
from triage.store import Store, paper_id

PAPERS = [
    ("Diffusion Models for Video Generation", "We study diffusion in video synthesis."),
    ("Graph Neural Networks at Scale", "Message passing on large graphs."),
    ("Different Views of Video", "Diffuse light in long videos."),
]
A, G, V = (paper_id(title) for title, _ in PAPERS)
# enough papers with "clip" that its postings fill a block rather than the term table
CLIPS = [(f"Clip {number}", "Clips of long videos.") for number in range(20)]
QUERIES = {  # query -> the papers it finds, sorted
    "d": sorted([A, V]),
    "diffusion ": sorted([A, V]),  # diffusion, diffuse
    "graphs": [G],
    "clip ": sorted(paper_id(title) for title, _ in CLIPS),
    "zebra": [],
}


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "library.db"
    with Store(path) as store:
        store.add_papers(PAPERS + CLIPS, source="2026-11-01.txt", listed_on="2026-11-01")
    return path


@pytest.mark.usefixtures("whoosh_mode")
def test_an_index_uses_the_paths_in_force_and_answers_the_same(library, whoosh_mode):
    index = SearchIndex.open(library)
    try:
        assert index.fast_paths is (whoosh_mode == "fast")
        assert {query: sorted(index.search(query).ids) for query in QUERIES} == QUERIES
    finally:
        index.close()


OPEN_TWICE = textwrap.dedent(
    """
    import logging, sys
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    {prepare}
    from triage.search import SearchIndex
    for _ in range(2):
        index = SearchIndex.open(sys.argv[1])
        found = {{query: sorted(index.search(query).ids) for query in sys.argv[2:]}}
        print("fast" if index.fast_paths else "fallback", found)
        index.close()
    """
)

# Whoosh's W3 codec stores posting blocks' document numbers as they are instead of as
# differences: a format change that keeps every name, which Whoosh reads back consistently.
UNDELTA_CODED = """
from whoosh.codec import whoosh3
whoosh3.delta_encode = whoosh3.delta_decode = lambda numbers: list(numbers)
"""


def _open_twice(library, prepare="", **env):
    environment = {key: value for key, value in os.environ.items() if key != "TRIAGE_WHOOSH_FAST"}
    child = subprocess.run(
        [sys.executable, "-c", OPEN_TWICE.format(prepare=prepare), str(library), *QUERIES],
        capture_output=True,
        text=True,
        env={**environment, **env},
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    warnings = [line for line in child.stderr.splitlines() if line.startswith("WARNING")]
    return child.stdout.splitlines(), warnings


def test_switching_the_fast_paths_off_is_warned_about_once_with_the_reason(library):
    opened, warnings = _open_twice(library, TRIAGE_WHOOSH_FAST="0")
    assert opened == [f"fallback {QUERIES}"] * 2
    assert len(warnings) == 1
    assert "TRIAGE_WHOOSH_FAST=0" in warnings[0]


def test_a_format_change_that_keeps_the_names_falls_back_to_right_results(library):
    opened, warnings = _open_twice(library, UNDELTA_CODED)
    assert opened == [f"fallback {QUERIES}"] * 2
    assert len(warnings) == 1
    assert "differ" in warnings[0]


def test_the_fast_paths_are_used_where_verified_without_a_warning(library):
    opened, warnings = _open_twice(library)
    assert opened == [f"fast {QUERIES}"] * 2
    assert warnings == []


@pytest.mark.parametrize(
    "version, verified",
    [("2.7.5", True), ("2.7.9", True), ("2.7.4", False), ("2.8.0", False), ("3.0", False)],
)
def test_only_the_verified_versions_of_whoosh_reloaded_use_the_fast_paths(version, verified):
    problem = fastpaths.version_problem(version)
    assert (problem is None) is verified
    if problem is not None:
        assert version in problem


def test_the_verdict_on_the_fast_paths_is_kept_until_the_checked_code_changes(
    tmp_path, monkeypatch
):
    """The self-check costs ~20 ms of every `triage list`: later processes take its verdict,
    unless a file of the package checked (a Whoosh upgrade) is another since."""
    from triage.search.verdicts import kept_verdict

    package = tmp_path / "checked_package"
    package.mkdir()
    (package / "__init__.py").write_text("FORMAT = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("checked_package")
    checks = []

    def process_checking():  # each process decorates the check anew
        @kept_verdict("test-check", "checked_package")
        def check():
            checks.append(1)
            return None if len(checks) == 1 else "format changed"

        return check()

    assert process_checking() is None
    assert process_checking() is None
    assert len(checks) == 1
    (package / "__init__.py").write_text("FORMAT = 22\n")
    assert process_checking() == "format changed"
    assert process_checking() == "format changed"
    assert len(checks) == 2
