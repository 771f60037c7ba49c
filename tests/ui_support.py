"""Helpers for the Pilot and snapshot tests of the reader."""

from __future__ import annotations

import time
from pathlib import Path

from libhelpers import link, write_article
from textual.widget import Widget

from qtreader.library import paths
from qtreader.library.catalog import Catalog
from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.article_list import ArticleList
from qtreader.ui.widgets.article_view import ArticleView
from qtreader.ui.widgets.subject_tree import SubjectTree

SAMPLE = paths.sample_library()


async def settle(pilot, app: ReaderApp, timeout: float = 10.0) -> None:
    """Wait until the library is loaded and no worker is running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause()
        if app.reader.ready:
            await app.workers.wait_for_complete()
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                await pilot.pause()
                return
        else:
            await pilot.pause(0.02)
    raise AssertionError("the reader did not become ready in time")


async def wait_for(pilot, predicate, timeout: float = 5.0) -> None:
    """Poll ``predicate`` between frames until it holds, or fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached in time")


def article_list(app: ReaderApp) -> ArticleList:
    return app.reader.query_one("#list", ArticleList)


def article_view(app: ReaderApp) -> ArticleView:
    return app.reader.query_one("#view", ArticleView)


def visible_titles(app: ReaderApp) -> list[str]:
    lst = article_list(app)
    return [lst.source.get(i).title for i in range(len(lst.source))]  # type: ignore[union-attr]


def sample_catalog(root: Path = SAMPLE) -> Catalog:
    catalog = Catalog(root)
    catalog.refresh()
    return catalog


def find_article_with_links(catalog: Catalog) -> tuple[int, int]:
    """(rowid of an article with a resolved and a dangling link, the position of the first)."""
    for rowid in catalog.list_rowids():
        article = catalog.article(rowid)
        assert article is not None
        resolved = [link for link in article.links if link.target_key]
        dangling = [link for link in article.links if not link.target_key]
        if resolved and dangling:
            return rowid, 0
    raise AssertionError("the sample library has no article with both kinds of link")


def terminal_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a reader started in a real terminal by a test: its own user
    folders under ``tmp_path``, a known terminal type."""
    return {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }


def write_topic_library(root: Path, answers: dict[str, str], related: tuple[str, str]) -> Path:
    """One article per answer (id ``name``, title "The name one") in subject Topic,
    each linking to the two ``related`` ids."""
    for name, answer in answers.items():
        write_article(
            root,
            f"topic/{name}.md",
            id=name,
            title=f"The {name} one",
            question=f"What is the {name} one?",
            answer=answer,
            subject="Topic",
            related_article1=link(related[0], f"The {related[0]} one", "Topic"),
            related_article2=link(related[1], f"The {related[1]} one", "Topic"),
        )
    return root


def rowid_of(app: ReaderApp, id_: str) -> int:
    catalog = app.reader.catalog
    assert catalog is not None
    rowids = [r for r in catalog.list_rowids() if catalog.article(r).id == id_]  # type: ignore[union-attr]
    assert len(rowids) == 1, id_
    return rowids[0]


def shows(app: ReaderApp, id_: str):
    """A predicate: the article pane shows the article ``id_``."""
    view = article_view(app)
    return lambda: view.article is not None and view.article.id == id_


async def open_article(pilot, app: ReaderApp, id_: str) -> None:
    """Open the article ``id_`` and wait until it is shown and laid out."""
    app.reader.open_rowid(rowid_of(app, id_))
    await wait_for(pilot, shows(app, id_))
    await settle(pilot, app)
    for _ in range(5):  # let any layout asked for by the last one run too
        await pilot.pause()


async def open_when_ready(pilot, app: ReaderApp, id_: str) -> ArticleView:
    """From launch: wait until the library is loaded, open the article ``id_`` (as
    :func:`open_article`) and return the article view."""
    await settle(pilot, app)
    await open_article(pilot, app, id_)
    return article_view(app)


async def open_and_focus(pilot, app: ReaderApp, id_: str) -> ArticleView:
    """From launch: open the article ``id_`` (as :func:`open_when_ready`) and give the
    article view the focus; return the view."""
    view = await open_when_ready(pilot, app, id_)
    view.focus()
    return view


async def open_rowid_when_ready(pilot, app: ReaderApp, rowid: int) -> None:
    """From launch: wait until the library is loaded, open the article ``rowid`` through
    the reader and settle again."""
    await settle(pilot, app)
    app.reader.open_rowid(rowid)
    await settle(pilot, app)


async def open_key_when_ready(pilot, app: ReaderApp, key: str) -> None:
    """From launch: wait until the library is loaded, open the article ``key`` through
    the reader and settle again."""
    await settle(pilot, app)
    app.reader.open_key(key)
    await settle(pilot, app)


async def enter_on_list(pilot, app: ReaderApp) -> None:
    """Focus the article list and press Enter on its selected row (which opens it);
    settle."""
    article_list(app).focus()
    await pilot.press("enter")
    await settle(pilot, app)


async def search_and_enter(pilot, app: ReaderApp, words: str) -> None:
    """Press / and type ``words`` into the search box, then Enter; settle."""
    await pilot.press("slash", *words, "enter")
    await settle(pilot, app)


async def choose_subject(pilot, app: ReaderApp, subject: str) -> None:
    """Focus the subject tree, put its cursor on the subject ``subject`` (a key) and
    press Enter; settle."""
    tree = app.reader.query_one("#subjects", SubjectTree)
    tree.focus()
    tree.move_cursor(next(n for n in tree.root.children if n.data.subject == subject))
    await pilot.press("enter")
    await settle(pilot, app)


async def open_or_resize(pilot, app: ReaderApp, step: str | tuple[int, int]) -> None:
    """One step of a walk: open the article with id ``step``, or resize the terminal to
    ``step`` (columns, rows), and wait until the screen is laid out."""
    if isinstance(step, tuple):
        await pilot.resize_terminal(*step)
        await settle(pilot, app)
        for _ in range(5):  # let any layout asked for by the last one run too
            await pilot.pause()
    else:
        await open_article(pilot, app, step)


def screen_layout(app: ReaderApp) -> tuple[dict[Widget, object], list[list[tuple[str, object]]]]:
    """Where every widget is (the compositor's map) and what the screen shows: the
    text of each line with its styles, cell for cell."""
    compositor = app.screen._compositor
    cells = [
        [(character, segment.style) for segment in strip for character in segment.text]
        for strip in compositor.render_strips()
    ]
    return dict(compositor.full_map), cells


async def similar_shown(pilot, app: ReaderApp) -> None:
    """Until the open article's "Similar" section is filled (a worker fills it after
    the open): the article's length, and so its scrollbar, depends on it."""
    view = article_view(app)
    await wait_for(
        pilot, lambda: view.article is not None and view.similar_of == view.article.rowid
    )
    await settle(pilot, app)
