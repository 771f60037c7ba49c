"""Code blocks keep their lines and are read by keyboard (issue 22): a scrollbar says a
line goes on past the edge; Tab reaches the block and the arrow keys scroll it."""

from __future__ import annotations

from libhelpers import write_article
from ui_support import article_view, settle, wait_for

from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.answer_markdown import CodeBlock

LONG_LINE = "result = compute(" + ", ".join(f"argument_{n}" for n in range(30)) + ")"


async def test_a_long_code_line_is_read_with_the_arrow_keys(tmp_path):
    root = tmp_path / "lib"
    answer = "Call it like this:\\n\\n```python\\n" + LONG_LINE + "\\nshort = 1\\n```\\n\\nDone."
    write_article(root, "cs/code.md", id="code", title="How is it called?", answer=answer)
    app = ReaderApp(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        block = article_view(app).query_one(CodeBlock)
        assert block.max_scroll_x > 0 and block.show_horizontal_scrollbar
        await pilot.press("tab")  # from the article to its first focusable part
        await wait_for(pilot, lambda: app.focused is block)
        await pilot.press("right", "right")
        await wait_for(pilot, lambda: block.scroll_x > 0)
        await pilot.press("end")
        await wait_for(pilot, lambda: block.scroll_x == block.max_scroll_x)
        await pilot.press("home")
        await wait_for(pilot, lambda: block.scroll_x == 0)
