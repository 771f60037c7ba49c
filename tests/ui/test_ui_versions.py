"""A question filed several times (same title, other subjects or dates) is listed once
with its count of versions; the article view shows them and switches between them; the
count line says what it counts (issue 21)."""

from __future__ import annotations

import io

from libhelpers import write_article
from rich.console import Console
from ui_support import article_list, article_view, search_and_enter, settle, wait_for

from qtreader.ui.app import ReaderApp


def _library(tmp_path):
    root = tmp_path / "lib"
    versions = (
        ("chemistry", "Chemistry", "2024-05-01", "What is an acid?"),
        ("biology", "Biology", "2023-02-01", "What is an acid?"),
        ("general", "General", "2022-01-01", "what is an acid"),
    )
    for folder, subject, date, title in versions:
        write_article(
            root,
            f"{folder}/acid.md",
            id=f"acid-{folder}",
            url=f"/{folder}/acid",
            title=title,
            answer=f"An acid, as {subject} tells it.",
            subject=subject,
            date=date,
        )
    write_article(root, "chemistry/base.md", id="base", title="What is a base?",
                  answer="A base.", subject="Chemistry", date="2024-01-01")  # fmt: skip
    return root


def _text(renderable) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _rows(app) -> list:
    source = article_list(app).source
    return [source.get(n) for n in range(len(source))]


def _count_line(app) -> str:
    return str(app.screen.query_one("#count").render())


async def test_a_question_is_listed_once_with_its_versions(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        rows = _rows(app)
        acids = [row for row in rows if "acid" in row.title.lower()]
        assert len(acids) == 1 and acids[0].versions == 3
        assert len(rows) == 2
        assert "2 questions" in _count_line(app) and "4 articles" in _count_line(app)


async def test_a_search_counts_questions_and_articles(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await search_and_enter(pilot, app, "acid")
        assert [row.versions for row in _rows(app)] == [3]
        line = _count_line(app)
        assert "1 question" in line and "3 articles" in line, line


async def test_the_view_lists_the_versions_and_v_switches_between_them(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await search_and_enter(pilot, app, "acid")
        view = article_view(app)
        first = view.article
        assert first is not None
        versions = _text(view.query_one("#versions").content)
        for subject in ("Chemistry", "Biology", "General"):
            assert subject in versions
        seen = [first.subject]
        view.focus()
        for _ in range(3):
            await pilot.press("v")
            await wait_for(pilot, lambda: view.article.subject != seen[-1])
            await settle(pilot, app)
            seen.append(view.article.subject)
        assert sorted(seen[:3]) == ["Biology", "Chemistry", "General"]
        assert seen[3] == seen[0]  # round again
        # The list keeps its one row for the question.
        assert len(_rows(app)) == 1
        # And back returns to the version read before.
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: view.article.subject == seen[2])


async def test_an_article_without_versions_shows_no_versions_line(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await search_and_enter(pilot, app, "base")
        view = article_view(app)
        assert view.article.title == "What is a base?"
        assert not view.query_one("#versions").display
        await pilot.press("v")
        await pilot.pause()
        assert view.article.title == "What is a base?"
