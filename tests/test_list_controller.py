"""What the list shows for a filter, decided without the UI: `find` on a real store and index,
`ListController` deciding which answer is shown, where the cursor goes and what the header says."""

from __future__ import annotations

import pytest
from test_app_fixtures import NEWEST_FIRST, TITLES, make_db

from triage.store import Store
from triage.tui.config import BUILTIN_VIEWS, View
from triage.tui.index_access import IndexAccess
from triage.tui.list_controller import FIRST_ROWS, Like, ListController, find, next_sort

D, E, F, A, B, C = NEWEST_FIRST


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "papers.db")


@pytest.fixture
def access(db):
    index = IndexAccess(db)
    yield index
    index.close()


def answers(request, db, access, cancelled=lambda: False):
    return list(find(request, db, access, cancelled=cancelled))


def asked(controller, query, *, cursor_id=None, cursor_row=0, **options):
    return controller.request(query, cursor_id=cursor_id, cursor_row=cursor_row, **options)


# -- find: where the ids come from ------------------------------------------------------------


def test_a_built_in_view_is_read_from_the_store_before_the_index_opens(db, access):
    request = asked(ListController(BUILTIN_VIEWS), "state:inbox ")
    [answer] = answers(request, db, access)
    assert list(answer.ids) == NEWEST_FIRST
    assert answer.result is None  # nothing to highlight
    assert answer.total == 6  # the first request counts the papers
    assert not access.is_open


def test_a_long_view_shows_its_first_rows_then_all_of_them(tmp_path):
    path = tmp_path / "long.db"
    with Store(path) as store:
        store.add_papers(
            [(f"Paper number {n}", f"Abstract {n}.") for n in range(FIRST_ROWS + 50)],
            source="long.txt",
            listed_on="2026-03-14",
        )
        everything = store.ids_newest_first()
    first, whole = answers(asked(ListController(BUILTIN_VIEWS), ""), path, IndexAccess(path))
    assert first.partial and list(first.ids) == everything[:FIRST_ROWS]
    assert not whole.partial and list(whole.ids) == everything


def test_words_are_answered_by_the_index_with_what_to_highlight(db, access):
    [answer] = answers(asked(ListController(BUILTIN_VIEWS), "diffusion"), db, access)
    assert set(answer.ids) == {D, A}
    assert answer.result is not None and "diffusion" in answer.result.terms
    assert access.is_open


def test_once_the_index_is_open_it_answers_the_built_in_views_too(db, access):
    controller = ListController(BUILTIN_VIEWS)
    answers(asked(controller, "diffusion"), db, access)
    [answer] = answers(asked(controller, "state:inbox "), db, access)
    assert list(answer.ids) == NEWEST_FIRST
    assert answer.result is not None


def test_more_like_a_paper_asks_the_index_for_similar_papers(db, access):
    controller = ListController(BUILTIN_VIEWS)
    controller.like = Like(D, TITLES[D])
    [answer] = answers(asked(controller, "state:inbox "), db, access)
    assert answer.ids and D not in answer.ids
    assert A in answer.ids  # the other diffusion paper


def test_the_paper_to_keep_is_found_in_the_answer(db, access):
    request = asked(ListController(BUILTIN_VIEWS), "", cursor_id=A, cursor_row=0)
    [answer] = answers(request, db, access)
    assert answer.row == NEWEST_FIRST.index(A)


def test_a_cancelled_request_answers_nothing(db, access):
    request = asked(ListController(BUILTIN_VIEWS), "diffusion")
    assert answers(request, db, access, cancelled=lambda: True) == []


class BrokenIndex(IndexAccess):
    def ready(self, progress=None):
        raise RuntimeError("the index file is damaged")


def test_a_broken_index_is_an_answer_with_its_error(db):
    controller = ListController(BUILTIN_VIEWS)
    [answer] = answers(asked(controller, "diffusion"), db, BrokenIndex(db))
    assert answer.error is not None
    assert controller.failed(answer) == "Search is unavailable: the index file is damaged"
    assert controller.settled  # nothing more is coming


# -- accept: which answer is shown, and how ---------------------------------------------------


def test_only_the_answer_to_the_newest_request_is_shown(db, access):
    controller = ListController(BUILTIN_VIEWS)
    older = answers(asked(controller, "diffusion"), db, access)[-1]
    newer = answers(asked(controller, "diffusion models"), db, access)[-1]
    assert controller.accept(older, None, 0) is None
    assert not controller.settled
    assert controller.accept(newer, None, 0) is not None
    assert controller.settled


def test_a_cursor_moved_while_searching_stays_on_its_new_paper(db, access):
    controller = ListController(BUILTIN_VIEWS)
    [answer] = answers(asked(controller, "", cursor_id=D, cursor_row=0), db, access)
    shown = controller.accept(answer, cursor_id=F, cursor_row=2)
    assert shown is not None and shown.row == NEWEST_FIRST.index(F)


def test_the_first_complete_list_asks_for_the_index_once(db, access):
    controller = ListController(BUILTIN_VIEWS)
    shown = controller.accept(answers(asked(controller, ""), db, access)[-1], None, 0)
    again = controller.accept(answers(asked(controller, ""), db, access)[-1], None, 0)
    assert shown is not None and shown.open_index
    assert again is not None and not again.open_index


def test_the_count_is_unknown_while_the_rest_of_a_long_view_is_on_its_way(tmp_path):
    path = tmp_path / "long.db"
    with Store(path) as store:
        store.add_papers(
            [(f"Paper number {n}", f"Abstract {n}.") for n in range(FIRST_ROWS + 1)],
            source="long.txt",
            listed_on="2026-03-14",
        )
    controller = ListController(BUILTIN_VIEWS)
    first, whole = answers(asked(controller, ""), path, IndexAccess(path))
    controller.accept(first, None, 0)
    assert controller.shown_count(len(first.ids)) is None
    assert not controller.settled
    controller.accept(whole, None, 0)
    assert controller.shown_count(len(whole.ids)) == FIRST_ROWS + 1
    assert controller.total == FIRST_ROWS + 1


def test_a_misspelt_word_suggests_the_word_meant(db, access):
    controller = ListController(BUILTIN_VIEWS)
    shown = controller.accept(answers(asked(controller, "difusion"), db, access)[-1], None, 0)
    assert shown is not None and shown.hint == "No papers match. Did you mean: diffusion"


def test_papers_written_leave_the_list_unsettled_until_asked_again(db, access):
    controller = ListController(BUILTIN_VIEWS)
    controller.accept(answers(asked(controller, ""), db, access)[-1], None, 0)
    controller.outdated()
    assert not controller.settled
    controller.accept(answers(asked(controller, ""), db, access)[-1], None, 0)
    assert controller.settled


def test_the_filters_first_value_is_not_asked_twice():
    controller = ListController(BUILTIN_VIEWS)
    asked(controller, "state:inbox ")
    assert controller.already_asked("state:inbox ")
    assert not controller.already_asked("state:inbox d")


# -- the header and exports ---------------------------------------------------------------------


def test_the_header_names_the_view_a_filter_is():
    views = [*BUILTIN_VIEWS, View("Stars again", "is:starred")]
    controller = ListController(views)
    assert controller.active_view("state:reading ") == 1
    assert controller.label("state:reading ") is None
    assert controller.active_view("diffusion") is None
    assert controller.label("diffusion") == "Filter"
    assert controller.export_heading("state:reading ") == ("Reading", "state:reading")
    assert controller.export_heading("diffusion") == ("Papers", "diffusion")


def test_similar_papers_are_named_after_their_paper_cut_to_fit():
    controller = ListController(BUILTIN_VIEWS)
    controller.like = Like(D, TITLES[D])
    assert controller.active_view("state:inbox ") is None
    assert controller.label("state:inbox ") == "Like: Denoising Diffusion Pro…"
    assert controller.export_heading("state:inbox ") == (f"Papers like {TITLES[D]}", None)


# -- sorting and views ----------------------------------------------------------------------


def test_the_sort_key_replaces_the_sort_term_with_the_next_order():
    assert next_sort("state:inbox ") == ("state:inbox sort:title ", "title, A to Z")
    assert next_sort("diffusion sort:title")[0] == "diffusion sort:added "
    assert next_sort("SORT:-listed diffusion")[0] == "diffusion "  # back to the default
    assert next_sort("")[0] == "sort:title "
    assert next_sort("x sort:nonsense")[0] == "x sort:title "


def test_esc_goes_back_to_the_view_chosen_last_even_after_the_views_change():
    saved = View("Mine", "tag:mine")
    controller = ListController([*BUILTIN_VIEWS, saved])
    controller.view = 5
    assert controller.origin() == "tag:mine "
    controller.set_views([*BUILTIN_VIEWS, View("Renamed", "tag:mine")])
    assert controller.origin() == "tag:mine "
    controller.set_views(list(BUILTIN_VIEWS))  # deleted: the first view
    assert controller.origin() == "state:inbox "
