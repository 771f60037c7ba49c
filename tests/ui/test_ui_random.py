"""r opens a random article of the list shown (issue 23)."""

from __future__ import annotations

from ui_support import SAMPLE, article_list, article_view, search_and_enter, settle, wait_for

from qtreader.ui.app import ReaderApp


async def test_r_opens_articles_of_the_current_list_only(tmp_path):
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await search_and_enter(pilot, app, "hash")
        listed = article_list(app)
        keys = {listed.source.get(n).key for n in range(len(listed.source))}
        assert 1 < len(keys) < 74
        listed.focus()
        opened = set()
        for _ in range(12):
            await pilot.press("r")
            await settle(pilot, app)
            article = article_view(app).article
            assert article is not None and article.key in keys
            assert listed.entry.key == article.key  # the list's selection follows
            opened.add(article.key)
        assert len(opened) > 1  # random, not the first one each time


async def test_r_on_an_empty_list_says_so(tmp_path):
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await search_and_enter(pilot, app, "zzqqxx")
        article_list(app).focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: any("Nothing" in n.message for n in app._notifications))
        assert article_view(app).article is None
