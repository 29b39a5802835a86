"""Words and papers like the ones asked for: did-you-mean offers indexed words close to a misspelt
one, those of papers added or notes written since the index was built included; more like this
finds the papers a paper shares words with, even when rare words dominate it."""

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


def _library(path, papers):
    with Store(path) as store:
        store.add_papers(papers, source="d.txt", listed_on="2026-11-01")


@pytest.mark.parametrize(
    ("papers", "typed", "meant"),
    [
        # generaon and generation are both one letter from it: generation is in three papers
        (
            [
                *((f"Paper {n}", f"Image generation with model {n}.") for n in range(3)),
                ("A coined word", "The generaon of quux."),
            ],
            "generaton",
            "generation",
        ),
        # plasmon is one letter from it, plasma two (and in three papers)
        (
            [
                *((f"Paper {n}", f"Cold plasma etching, run {n}.") for n in range(3)),
                ("Surface waves", "A plasmon on gold."),
            ],
            "plasmin",
            "plasmon",
        ),
    ],
    ids=["in more papers among equally close", "closest before in more papers"],
)
def test_a_misspelling_is_corrected_to_the_closest_word_then_the_one_in_more_papers(
    tmp_path, papers, typed, meant
):
    path = tmp_path / "library.db"
    _library(path, papers)
    index = SearchIndex.open(path)
    try:
        assert index.search(typed).suggestion == meant
    finally:
        index.close()


@pytest.mark.parametrize("added", [1, 250])  # 250: written as a segment of its own, in bulk
def test_a_word_of_papers_added_after_the_index_was_built_is_suggested(tmp_path, added):
    path = tmp_path / "library.db"
    _library(path, [("Diffusion models", "Denoising images."), ("Graphs", "Message passing.")])
    SearchIndex.open(path).close()  # built
    new = [(f"Later paper {n}", f"Topic number {n}.") for n in range(added - 1)]
    _library(path, [*new, ("Quasicrystal growth", "Aperiodic tilings.")])
    index = SearchIndex.open(path)  # catches up with the papers added
    try:
        assert index.search("quasicrystl").suggestion == "quasicrystal"
        assert index.search("title:aperodic").suggestion is None  # not a title word
        assert index.search("aperodic").suggestion == "aperiodic"
    finally:
        index.close()


def test_a_note_word_is_suggested_until_the_note_no_longer_has_it(tmp_path):
    path = tmp_path / "library.db"
    _library(path, [NAMED, RELATED])
    named = paper_id(NAMED[0])
    with Store(path) as store:
        store.mark([named], note="zeppelin hangar")
    index = SearchIndex.open(path)
    try:
        assert index.search("zepelin").suggestion == "zeppelin"
        with Store(path) as store:
            store.mark([named], note="balloon hangar")
        index.papers_changed([named])  # pending: the index still has the old note
        assert index.search("zepelin").suggestion is None
        index.flush()  # committed: the old note is a deleted document's
        assert index.search("zepelin").suggestion is None
        assert index.search("baloon").suggestion == "balloon"
    finally:
        index.close()
