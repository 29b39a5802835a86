"""More like this: a paper full of words nobody else uses still finds the papers it shares words with."""

from __future__ import annotations

import pytest

from triage.search import SearchIndex
from triage.store import Store, paper_id

pytestmark = pytest.mark.usefixtures("whoosh_mode")

NAMED = (
    "DynamicCity: Large-Scale LiDAR Generation from Dynamic Scenes",
    "We introduce DynamicCity with HexPlane padded rollout, CarlaSC layout querying, 06x speedups, "
    "56 command planes, 4D volumes, ZorbNet, QuuxFormer, Blorp3D and Snarkle encoders for driving scenes.",
)
RELATED = ("Generating Driving Scenes", "A generative model of driving scenes for autonomous cars.")
UNRELATED = ("Protein Folding Kinetics", "Molecular dynamics of folding proteins in water.")
LONER = ("Xylophone Zither", "Quokka wombat numbat.")


def test_papers_sharing_words_are_found_even_when_rare_words_dominate(tmp_path):
    path = tmp_path / "library.db"
    with Store(path) as store:
        store.add_papers([NAMED, RELATED, UNRELATED, LONER], source="d.txt", listed_on="2026-11-01")
    index = SearchIndex.open(path)
    try:
        similar = index.more_like(paper_id(NAMED[0]))
        assert list(similar.ids)[:1] == [paper_id(RELATED[0])]
        assert paper_id(NAMED[0]) not in list(similar.ids)
        assert paper_id(LONER[0]) not in list(similar.ids)
        assert list(index.more_like(paper_id(RELATED[0])).ids)[:1] == [paper_id(NAMED[0])]
        assert index.more_like(paper_id(LONER[0])).total == 0  # shares no word with anyone
    finally:
        index.close()
