"""The list shows whole questions: a row is two lines, the title wrapped onto the
second, subject and date after it where they fit."""

from __future__ import annotations

import pytest
from libhelpers import write_article
from ui_support import article_list, settle

from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.article_list import ListEntry, row_height, row_meta, wrap_title

# Near-identical questions, as a real library holds them (median title 73 characters,
# p90 96): they differ only at their end.
STEM = "Define concentration gradient and explain how it drives diffusion across"
ENDINGS = ("a cell membrane?", "the alveolar walls?", "a root hair cell?", "the placenta?")


def test_a_title_wraps_at_a_space_onto_the_second_line():
    assert wrap_title("short title", 40) == ["short title"]
    first, rest = wrap_title("How does a hash table resolve collisions in practice?", 30)
    assert (first, rest) == ("How does a hash table resolve", "collisions in practice?")
    assert len(first) <= 30
    assert wrap_title("one two three four five six", 10, lines=3) == [
        "one two",
        "three four",
        "five six",
    ]


def test_a_title_too_long_for_two_lines_ends_with_an_ellipsis():
    for lines in (2, 3):
        wrapped = wrap_title("word " * 40, 30, lines)
        assert len(wrapped) == lines
        assert all(len(line) <= 30 for line in wrapped) and wrapped[-1].endswith("…")


def test_a_word_longer_than_the_line_is_cut_inside():
    assert wrap_title("x" * 50, 30) == ["x" * 30, "x" * 20]


def test_a_narrow_list_gives_a_row_three_lines():
    assert row_height(120) == 2 and row_height(59) == 2
    assert row_height(58) == 3 and row_height(40) == 3


def test_the_meta_line_holds_subject_and_date():
    entry = ListEntry("k", "T", "Biology", "2025-01-21")
    assert row_meta(entry) == "Biology · 2025-01-21"
    assert row_meta(ListEntry("k", "T", "", "")) == ""


@pytest.fixture
def long_titles(tmp_path):
    root = tmp_path / "lib"
    for n, ending in enumerate(ENDINGS):
        write_article(
            root,
            f"bio/{n}.md",
            id=str(n),
            title=f"{STEM} {ending}",
            answer="An answer.",
            subject="Biology",
            date="2025-01-2" + str(n),
        )
    return root


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 48)])
async def test_every_row_shows_its_whole_question(long_titles, size):
    app = ReaderApp(long_titles)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        lst = article_list(app)
        assert len(lst.source) == len(ENDINGS)
        height = lst.row_height
        shown = []
        for row in range(len(ENDINGS)):
            lines = [lst.render_line(row * height + n).text.strip() for n in range(height)]
            shown.append(" ".join(line for line in lines if line))
        for ending in ENDINGS:
            assert any(f"{STEM} {ending}" in text for text in shown), (size, shown)


@pytest.fixture
def mixed_dates(tmp_path):
    """Three articles whose own date formats differ, as a real library's do."""
    root = tmp_path / "lib"
    formats = {"a": "YYYY-MM-DD", "b": "MMM DD, YYYY", "c": "MM/DD/YYYY"}
    for name, fmt in formats.items():
        write_article(
            root, f"s/{name}.md", id=name, title=f"Question {name}?", answer="An answer.",
            subject="Biology", date="2025-01-21", date_format=fmt,
        )  # fmt: skip
    return root


def _row_dates(app) -> set[str]:
    lst = article_list(app)
    return {lst.source.get(i).date for i in range(len(lst.source))}


async def test_the_list_shows_every_date_in_one_format(mixed_dates):
    app = ReaderApp(mixed_dates)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert _row_dates(app) == {"2025-01-21"}


async def test_a_setting_chooses_the_lists_date_format(mixed_dates):
    from qtreader.library.settings import Settings

    app = ReaderApp(mixed_dates, Settings(date_format="MMM D, YYYY"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert _row_dates(app) == {"Jan 21, 2025"}
