"""Answers as their authors meant them: inline math with spaces inside the dollars is
rendered, money is not, and "$" shows the LaTeX source character for character."""

from __future__ import annotations

import pytest
from libhelpers import write_article
from ui_support import article_view, settle, similar_shown

from qtreader.ui.app import ReaderApp
from qtreader.ui.textual_internals import MarkdownBlock, block_content

# As a real file holds it: literal "\n" for line breaks, one backslash before TeX.
ANSWER = (
    r"The slope of a line tells how steep it is.\n\n"
    r"- $ m $ is the gradient of the line\n"
    r"- $ \theta $ is the angle it makes with the x-axis\n"
    r"- $ P_E $ is a point on it\n\n"
    r"A ruler costs $5 and a set square $ 7 to $ 9.\n\n"
    r"The matrix $\begin{pmatrix} 2 & 1 \\ 1 & 2 \end{pmatrix}$ is symmetric."
)


@pytest.fixture
def math_library(tmp_path):
    root = tmp_path / "mathlib"
    write_article(
        root,
        "mathematics/slope.md",
        id="slope",
        title="What does the slope of a line tell you?",
        answer=ANSWER,
        subject="Mathematics",
        date="2025-02-01",
    )
    return root


def _shown_text(app) -> str:
    view = article_view(app)
    blocks = view.query_one("#answer").query(MarkdownBlock)
    return "\n".join(block_content(b).plain for b in blocks if not b.children)


async def _open(pilot, app) -> None:
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)


async def test_spaced_inline_math_is_rendered_and_money_is_not(math_library):
    app = ReaderApp(math_library)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, app)
        text = _shown_text(app)
        assert "$ m $" not in text and "m is the gradient" in text
        assert "θ is the angle" in text
        assert "$5 and a set square $ 7 to $ 9" in text


async def test_dollar_shows_the_source_exactly_with_the_matrix_row_separator(math_library):
    app = ReaderApp(math_library)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, app)
        await pilot.press("dollar_sign")
        await settle(pilot, app)
        text = _shown_text(app)
        assert "\\begin{pmatrix} 2 & 1 \\\\ 1 & 2 \\end{pmatrix}" in text
        assert "$ \\theta $" in text and "$ P_E $" in text


def test_an_answer_with_inline_math(snap_compare, math_library):
    app = ReaderApp(math_library)
    app.theme = "textual-dark"

    async def open_it(pilot):
        await _open(pilot, pilot.app)
        await similar_shown(pilot, pilot.app)

    assert snap_compare(app, terminal_size=(100, 30), run_before=open_it)
