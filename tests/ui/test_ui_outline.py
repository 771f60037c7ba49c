"""A long answer's outline (issue 21): its headings and numbered items, as Frogmouth's
contents pane lists a document's; choosing one scrolls the article to it."""

from __future__ import annotations

from libhelpers import write_article
from textual.widgets import OptionList
from ui_support import open_and_focus, settle, wait_for

from qtreader.ui.app import ReaderApp
from qtreader.ui.screens.outline import OutlineScreen

FILLER = "\\n\\n".join(f"Paragraph {n}, words to scroll past on the way down." for n in range(30))
ANSWER = (
    "An opening paragraph.\\n\\n## Basics\\n\\n1. **Alpha**: the first thing, at length."
    "\\n2. **Beta**: the second thing.\\n\\n## Details\\n\\n"
    f"{FILLER}\\n\\n3. **Gamma**: the last numbered item, far down.\\n\\nThe end."
)


def _library(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "a/long.md", id="long", title="The long one", answer=ANSWER, subject="A")
    write_article(
        root, "a/flat.md", id="flat", title="The flat one", answer="Just text.", subject="A"
    )
    return root


def _entries(app) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]


async def test_t_lists_headings_and_numbered_items_and_jumps_to_one(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_and_focus(pilot, app, "long")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, OutlineScreen))
        entries = _entries(app)
        assert [e.strip() for e in entries] == [
            "Basics",
            "1. Alpha",
            "2. Beta",
            "Details",
            "3. Gamma",
        ]
        # Items sit under their heading.
        assert entries[1].startswith("  ") and not entries[0].startswith(" ")
        await pilot.press("home", "down", "down", "down", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, OutlineScreen))
        await settle(pilot, app)
        # "Details" is on the view's first line.
        (details,) = [b for b in view.leaf_blocks() if b._content.plain.strip() == "Details"]
        assert view.scroll_y > 0
        assert details.content_region.y == view.content_region.y
        # The last item, near the end of the article, is brought into sight.
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, OutlineScreen))
        await pilot.press("end", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, OutlineScreen))
        await settle(pilot, app)
        (gamma,) = [b for b in view.leaf_blocks() if "Gamma" in b._content.plain]
        region = view.content_region
        assert region.y <= gamma.content_region.y < region.bottom
        assert app.focused is view


async def test_escape_closes_the_outline_where_the_reader_was(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_and_focus(pilot, app, "long")
        view.scroll_to(y=20, animate=False, immediate=True)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, OutlineScreen))
        # The entry the reader is in (or after) is the one highlighted.
        options = app.screen.query_one(OptionList)
        assert str(options.get_option_at_index(options.highlighted).prompt).strip() == "Details"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, OutlineScreen))
        assert view.scroll_y == 20


async def test_an_answer_without_headings_or_numbered_items_says_so(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_and_focus(pilot, app, "flat")
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(app.screen, OutlineScreen)
        assert any("no headings" in n.message for n in app._notifications)
