"""Settings the reader cannot use are said, and the defaults kept (issue 19): an unknown
theme, a key name Textual does not know, a key taken from another binding."""

from __future__ import annotations

from textual.widgets import Input
from ui_support import SAMPLE, settle, wait_for

from qtreader.library.settings import Settings
from qtreader.ui.app import ReaderApp
from qtreader.ui.keymap import check_keymap, key_is_valid
from qtreader.ui.screens.reader import ReaderScreen


def _said(app, words: str) -> bool:
    return any(words in n.message for n in app._notifications)


def test_key_names_as_textual_knows_them():
    for key in ("ctrl+k", "question_mark", "slash", "f5", "pageup", "x,y", "alt+left", "B"):
        assert key_is_valid(key), key
    for key in ("ctrl+alt+shift+nonsense", "ctrl+", "hyperdrive+k", "ctrl+ctrl+k", ""):
        assert not key_is_valid(key), key


def test_an_override_taking_another_bindings_key_is_said():
    usable, warnings = check_keymap(
        {"reader.bookmark": "q"}, [*ReaderScreen.BINDINGS, *ReaderApp.BINDINGS]
    )
    assert usable == {"reader.bookmark": "q"}
    assert any("Quit" in w and "app.quit" in w for w in warnings)
    # Moving quit elsewhere too is fine: nothing is taken.
    _, warnings = check_keymap(
        {"reader.bookmark": "q", "app.quit": "ctrl+q"},
        [*ReaderScreen.BINDINGS, *ReaderApp.BINDINGS],
    )
    assert warnings == []


async def test_a_key_name_textual_does_not_know_keeps_the_default_and_is_said():
    app = ReaderApp(SAMPLE, Settings(keys={"reader.search": "ctrl+alt+shift+nonsense"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: _said(app, "is not a key name"))
        app.reader.action_focus_list()
        await pilot.press("slash", *"enzymes")
        assert app.reader.query_one("#search", Input).value == "enzymes"


async def test_an_unknown_theme_or_binding_id_is_said():
    app = ReaderApp(SAMPLE, Settings(theme="no-such-theme", keys={"reader.nothing": "x"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: _said(app, "'no-such-theme' is not a theme"))
        await wait_for(pilot, lambda: _said(app, "no binding 'reader.nothing'"))
