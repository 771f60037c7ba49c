"""Pane widths follow what they hold: the article its reading column where there is
room, the list the rest, the subject tree the width of its labels."""

from __future__ import annotations

import pytest
from ui_support import SAMPLE, article_list, article_view, settle

from qtreader.ui.app import ReaderApp
from qtreader.ui.screens.layout import LIST_MIN, VIEW_CHROME, pane_widths
from qtreader.ui.widgets.subject_tree import SubjectTree


def test_the_article_gets_its_column_and_the_list_the_rest():
    assert pane_widths(200, 30, 88) == {"subjects": 30, "middle": None, "view": 88 + VIEW_CHROME}
    # Too narrow for both: the list keeps its minimum, the article shrinks.
    assert pane_widths(130, 30, 88)["view"] == 130 - 30 - LIST_MIN
    # Medium: the tree shows instead of the article, so it takes no room from it.
    assert pane_widths(120, 30, 88)["view"] == 120 - LIST_MIN
    # Narrow: one pane at a time, each as wide as the screen.
    assert pane_widths(80, 30, 88) == {"subjects": None, "middle": None, "view": None}


@pytest.mark.parametrize("size", [(200, 60), (220, 60)])
async def test_wide_screens_give_the_article_its_reading_column(size):
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        view = article_view(app)
        assert view.size.width + 2 >= 88  # the column, inside its padding
        assert view.outer_size.width == 88 + VIEW_CHROME
        assert article_list(app).outer_size.width >= LIST_MIN


@pytest.mark.parametrize("size", [(80, 24), (200, 60), (220, 60)])
async def test_subject_names_are_not_cut(size):
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        tree = app.reader.query_one("#subjects", SubjectTree)
        app.reader.set_focus(tree)
        await pilot.pause()
        await settle(pilot, app)
        labels = [str(node.label) for node in tree.root.children]
        assert any(label.startswith("Education Studies ") for label in labels)
        assert not any("…" in label for label in labels)
        assert tree.outer_size.width >= tree.wanted_width or size[0] < 100
