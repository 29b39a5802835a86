"""Real Daily Papers dumps kept beside the clone (../shared/dumps): counts from their README."""

from pathlib import Path

import pytest

from triage.importers.dump import import_paths, read_dump
from triage.store import Store

SHARED_DUMPS = Path(__file__).parents[1].parent / "shared" / "dumps"
EXPECTED = {
    "daily-oct-03.txt": (19, "10-03"),
    "daily-mar-11.txt": (80, "03-11"),
    "daily-jun-06.txt": (80, "06-06"),
    "compact-excerpt.txt": (19, None),
}

pytestmark = pytest.mark.skipif(
    not SHARED_DUMPS.is_dir(), reason=f"{SHARED_DUMPS} is absent (real dumps live beside the clone)"
)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shared_dump_parses_to_its_paper_count_with_nothing_skipped(name):
    count, month_day = EXPECTED[name]
    parsed = read_dump(SHARED_DUMPS / name)
    assert len(parsed.entries) == count
    assert (parsed.problems, parsed.warnings) == ([], [])
    assert (parsed.listed_on[5:] if parsed.listed_on else None) == month_day
    for title, abstract in parsed.entries:
        assert 0 < len(title) < 300 and len(abstract) > len(title)


def test_compact_dump_first_title_is_split_from_subscribe():
    parsed = read_dump(SHARED_DUMPS / "compact-excerpt.txt")
    assert parsed.entries[0][0] == "DynamicCity: Large-Scale LiDAR Generation from Dynamic Scenes"


def test_importing_all_four_gives_198_listings_of_192_papers(tmp_path):
    # 193 distinct titles, but two are one paper: "HyperZ$\cdot$Z$\cdot$W …" was also
    # copied as "HyperZcdotZcdotW …"
    with Store(tmp_path / "t.db") as store:
        reports = import_paths(store, [SHARED_DUMPS / name for name in EXPECTED])
        assert [report.error for report in reports] == [None] * 4
        assert sum(report.found for report in reports) == 198
        assert sum(report.new for report in reports) == 192
        assert store.count() == 192
        assert store.stats()["listings"] == 198
