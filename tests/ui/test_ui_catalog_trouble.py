"""The reader when the catalog is in trouble (issue 19): a damaged catalog is said and
built again, a query past the limits is said in the count line, and quitting during a
first build is immediate."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time

from libhelpers import damage, lock, locked_library, write_article
from textual.widgets import Label, ProgressBar, Static
from ui_support import SAMPLE, article_list, sample_catalog, settle, wait_for

from qtreader.library import paths
from qtreader.library.catalog import Catalog
from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.search_pane import SearchPane


async def wait_for_file(path, timeout=10.0):
    """The reader's worker thread ends a moment after the app: its file is kept then."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} was never written"
        await asyncio.sleep(0.02)


def _count(app) -> str:
    return str(app.reader.query_one("#count", Label).render())


def _damaged_sample(tmp_path):
    library = tmp_path / "library"
    shutil.copytree(SAMPLE, library, symlinks=True)
    with Catalog(library) as catalog:
        catalog.refresh()
        total = len(catalog.list_rowids(group=True))  # a row per question
    damage(paths.catalog_path(library.resolve()), "articles", pages=2)
    return library, total


async def test_a_catalog_damaged_at_launch_is_built_again_and_listed(tmp_path):
    library, total = _damaged_sample(tmp_path)
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, timeout=30)
        await wait_for(pilot, lambda: len(article_list(app).source) == total, timeout=30)
        assert app.is_running


async def test_a_search_that_meets_damage_says_so_and_rebuilds(tmp_path, monkeypatch):
    library, total = _damaged_sample(tmp_path)
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, timeout=30)
        await wait_for(pilot, lambda: len(article_list(app).source) == total, timeout=30)
        # Damaged again while the reader runs: the next search meets it.
        app.reader.catalog.close()
        damage(paths.catalog_path(library.resolve()), "fts_data", pages=3)
        await pilot.press("slash", *"photosynthesis light energy")
        await wait_for(
            pilot, lambda: any("damaged" in n.message for n in app._notifications), timeout=30
        )
        await wait_for(
            pilot, lambda: any("built again" in n.message for n in app._notifications), timeout=60
        )
        await pilot.press("ctrl+u", *"enzymes")
        await wait_for(pilot, lambda: "match" in _count(app), timeout=10)
        assert app.is_running


async def test_a_query_past_the_limits_is_said_in_the_count_line():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot, app)
        words = " ".join(f"word{n}" for n in range(40))
        await pilot.press("slash", *words)
        await wait_for(pilot, lambda: "shortened" in _count(app), timeout=10)


async def test_quitting_during_a_first_build_does_not_wait_for_it(tmp_path, monkeypatch):
    library = tmp_path / "big"
    for n in range(3000):
        write_article(library, f"s{n % 5}/a{n:05}.md", title=f"Article {n}", answer=f"A {n}.")
    sample_catalog()  # imports warmed up
    ended = threading.Event()
    real_refresh = Catalog.refresh

    def watched_refresh(catalog, *args, **kwargs):
        try:
            return real_refresh(catalog, *args, **kwargs)
        finally:
            ended.set()

    monkeypatch.setattr(Catalog, "refresh", watched_refresh)
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        label = app.reader.query_one("#loading-label", Label)
        await wait_for(pilot, lambda: "Reading the library" in str(label.render()), timeout=30)
        quit_at = time.monotonic()
        await pilot.press("ctrl+q")
    assert ended.wait(5), "the build went on after the quit"
    assert time.monotonic() - quit_at < 5
    assert not list(paths.catalog_path(library.resolve()).parent.glob("*.building-*"))


def _big_library(tmp_path, count=3000):
    library = tmp_path / "big"
    for n in range(count):
        write_article(library, f"s{n % 5}/a{n:05}.md", title=f"Article {n}", answer=f"A {n}.")
    return library


async def test_q_quits_during_a_first_build_and_slash_still_types_ahead(tmp_path):
    """The search box does not keep the focus while a first build runs: `q` quits (it
    was typed into the box), and `/` still lets a search be typed ahead."""
    library = _big_library(tmp_path)
    sample_catalog()  # imports warmed up
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        label = app.reader.query_one("#loading-label", Label)
        await wait_for(pilot, lambda: "Reading the library" in str(label.render()), timeout=30)
        search = app.reader.search_pane.search_box
        await wait_for(pilot, lambda: not search.has_focus, timeout=5)
        hint = app.reader.query_one("#loading-hint", Label)
        assert hint.display and "q quits" in str(hint.render())
        await pilot.press("slash", *"article")
        assert search.value == "article"
        await pilot.press("escape")
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, timeout=5)


async def test_the_launch_after_quitting_a_first_build_goes_on_from_where_it_stopped(
    tmp_path, monkeypatch
):
    library = _big_library(tmp_path)
    sample_catalog()  # imports warmed up
    label_texts: list[str] = []
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        progress = app.reader.query_one("#progress", ProgressBar)
        # A few chunks written (the one read when the quit comes is not).
        await wait_for(pilot, lambda: (progress.progress or 0) >= 768, timeout=30)
        assert not app.reader.search_pane.search_box.has_focus
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, timeout=5)
    db = paths.catalog_path(library.resolve())
    await wait_for_file(db.with_name(db.name + ".partial"))

    real_show = SearchPane.show_progress

    def shown(pane, done, total):
        label_texts.append(f"{done}/{total}")
        return real_show(pane, done, total)

    monkeypatch.setattr(SearchPane, "show_progress", shown)
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(article_list(app).source) == 3000, timeout=60)
    # The first count of files read (0 of 0: the files are being listed).
    first_done = next(int(done) for done, total in map(lambda t: t.split("/"), label_texts)
                      if total != "0")  # fmt: skip
    assert first_done > 0, label_texts[:3]  # not read again from the first file
    assert not db.with_name(db.name + ".partial").exists()


async def test_an_article_of_a_folder_that_cannot_be_read_says_so(tmp_path, monkeypatch):
    """Its articles are kept, and the one opened says why its file cannot be read."""
    library = tmp_path / "lib"
    locked_library(library)
    with Catalog(library) as catalog:
        catalog.refresh()
    lock(monkeypatch, library / "locked")
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.reader.catalog.problem_count()[0] > 0, timeout=10)
        # Found by the refresh at launch (nothing else changed): the status line says it.
        status = app.reader.query_one("#status", Static)
        await wait_for(pilot, lambda: "cannot be read" in str(status.render()), timeout=10)
        assert "1 folder cannot be read" in str(status.render())
        await pilot.press("slash", *"basalt", "enter")
        meta = app.reader.view.query_one("#meta", Static)
        await wait_for(pilot, lambda: "cannot be read" in str(meta.render()), timeout=10)
        assert "the folder locked/ cannot be read (Permission denied)" in str(meta.render())


async def test_slash_during_a_first_build_keeps_the_search_box_when_the_build_ends(tmp_path):
    """/ pressed during a first build, nothing typed yet when it ends: the box keeps the
    focus (it went to the list, and the words typed next with it)."""
    library = _big_library(tmp_path, count=2500)
    sample_catalog()  # imports warmed up
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        search = app.reader.search_pane.search_box
        await wait_for(pilot, lambda: app.reader.search_pane.building, timeout=30)
        await wait_for(pilot, lambda: not search.has_focus, timeout=5)
        await pilot.press("slash")
        await wait_for(pilot, lambda: len(article_list(app).source) == 2500, timeout=60)
        await pilot.pause()
        assert search.has_focus
        await pilot.press(*"article 12")
        assert search.value == "article 12"


async def test_the_search_box_lets_go_as_a_first_build_starts_not_at_its_first_file(
    tmp_path, monkeypatch
):
    """Listing a large library's files takes seconds before the first is read: the box
    lets go as the build starts, so a / pressed meanwhile is not undone by it."""
    library = _big_library(tmp_path, count=600)
    go = threading.Event()
    real_refresh = Catalog.refresh

    def listing_slowly(catalog, *args, **kwargs):
        go.wait(20)
        return real_refresh(catalog, *args, **kwargs)

    monkeypatch.setattr(Catalog, "refresh", listing_slowly)
    app = ReaderApp(library)
    async with app.run_test(size=(120, 40)) as pilot:
        search = app.reader.search_pane.search_box
        label = app.reader.query_one("#loading-label", Label)
        await wait_for(pilot, lambda: not search.has_focus, timeout=10)
        assert "Listing the library" in str(label.render())
        await pilot.press("slash")
        go.set()
        await wait_for(pilot, lambda: len(article_list(app).source) == 600, timeout=60)
        await pilot.pause()
        assert search.has_focus
