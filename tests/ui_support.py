"""Helpers for the Pilot and snapshot tests of the reader."""

from __future__ import annotations

import time
from pathlib import Path

from qtreader.library import paths
from qtreader.library.catalog import Catalog
from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.article_list import ArticleList
from qtreader.ui.widgets.article_view import ArticleView

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
