"""The command palette finds its own commands by their words, and its screenshot goes
to a folder that exists."""

from __future__ import annotations

from textual.command import CommandList
from ui_support import SAMPLE, settle, wait_for

from qtreader.library import paths
from qtreader.ui.app import ReaderApp


async def test_typing_go_to_finds_go_to_article():
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to")

        def offers_go_to_article() -> bool:
            results = app.screen.query_one(CommandList)
            return any(
                "Go to article" in str(results.get_option_at_index(i).prompt)
                for i in range(results.option_count)
            )

        await wait_for(pilot, offers_go_to_article)


async def test_a_screenshot_is_saved_in_qtreaders_own_folder():
    folder = paths.screenshots_dir()
    assert not folder.exists()
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.deliver_screenshot()
        await wait_for(pilot, lambda: folder.is_dir() and any(folder.glob("*.svg")))
        await wait_for(
            pilot, lambda: any("Saved screenshot" in n.message for n in app._notifications)
        )


async def test_a_screenshot_folder_that_cannot_be_made_is_said(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.deliver_screenshot(path=str(blocker / "shots")) is None
        await wait_for(
            pilot,
            lambda: any("Cannot save a screenshot in" in n.message for n in app._notifications),
        )
