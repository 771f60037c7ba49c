"""Where Tab and Shift+Tab go in an article (qtreader.ui.state.next_stop): its stops
are the links in the answer's text, wide code blocks and the links under it, in
reading order; each is known by the line it starts on."""

from __future__ import annotations

from qtreader.ui.state import LEAVE, VIEW, next_stop

# Stops on lines 3, 10, 40, 41 and 90 of an article; the view shows 20 lines.
TOPS = [3, 10, 40, 41, 90]


def test_from_the_article_itself_tab_goes_to_the_first_stop_in_sight_or_below():
    assert next_stop(TOPS, None, view_top=0, height=20, forward=True) == 0
    assert next_stop(TOPS, None, view_top=5, height=20, forward=True) == 1
    # Scrolled past every link in sight: the next one below, however far.
    assert next_stop(TOPS, None, view_top=45, height=20, forward=True) == 4
    assert next_stop(TOPS, None, view_top=95, height=20, forward=True) == LEAVE
    assert next_stop([], None, view_top=0, height=20, forward=True) == LEAVE


def test_from_the_article_itself_shift_tab_leaves_it():
    assert next_stop(TOPS, None, view_top=30, height=20, forward=False) == LEAVE


def test_from_a_stop_in_sight_tab_and_shift_tab_go_to_its_neighbours():
    assert next_stop(TOPS, 0, view_top=0, height=20, forward=True) == 1
    assert next_stop(TOPS, 2, view_top=30, height=20, forward=True) == 3
    assert next_stop(TOPS, 3, view_top=30, height=20, forward=False) == 2
    # Past the last stop, Tab leaves the article; before the first, Shift+Tab comes
    # back to the article itself.
    assert next_stop(TOPS, 4, view_top=80, height=20, forward=True) == LEAVE
    assert next_stop(TOPS, 0, view_top=0, height=20, forward=False) == VIEW


def test_from_a_stop_scrolled_out_of_sight_tab_starts_again_from_what_is_shown():
    # The reader scrolled on with j/k after the link at line 3 had the focus.
    assert next_stop(TOPS, 0, view_top=35, height=20, forward=True) == 2
    assert next_stop(TOPS, 4, view_top=35, height=20, forward=False) == 3
    # Nothing shown or above it: back to the article itself.
    assert next_stop(TOPS, 4, view_top=0, height=2, forward=False) == VIEW


def test_a_stop_index_out_of_range_counts_as_none():
    assert next_stop(TOPS, 9, view_top=0, height=20, forward=True) == 0
