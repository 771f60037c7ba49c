"""A blog post that holds HTML, opened in the reader: its links are Markdown links
again (web links ask first, javascript: is refused), its tags are never shown
(issue 22, "Blog posts hold HTML")."""

from __future__ import annotations

import pytest
from libhelpers import write
from ui_support import article_view, settle, similar_shown, wait_for

from qtreader.library.links import answer_links
from qtreader.ui.app import ReaderApp
from qtreader.ui.screens.confirm import ConfirmScreen
from qtreader.ui.textual_internals import MarkdownBlock, block_content

DEEP_FOCUS = "https://open.spotify.com/playlist/37i9dQZF1DWZeKCadgRdKQ"
LOFI = "https://open.spotify.com/playlist/37i9dQZF1DWWQRwui0ExPn"

POST = f"""---
title: The Best Spotify Playlists for Studying
date: 2024-11-12
author: QuickTakes Editorial Team
subject: Blog
---

Music can help you focus&nbsp;&mdash; or pull you away. Here are our
<strong>favourite playlists</strong> for long sessions.<br>
Pick one that suits the task.

<h2>Our picks</h2>
<ul>
    <li><a href="{DEEP_FOCUS}" target="_blank">Deep Focus</a> &ndash; ambient</li>
    <li><a href="{LOFI}"><b>Lofi Beats</b></a>: <em>no lyrics</em></li>
</ul>

<p>If your focus score a &lt; b, switch. <a href="javascript:alert(1)">Run me</a></p>
<script>window.spotifyEmbed({{id: "x"}});</script>

More on habits: [spaced repetition](/learn/education-studies/questions/spaced-repetition).
"""


@pytest.fixture
def post_library(tmp_path):
    root = tmp_path / "postlib"
    write(root, "blog/study-music.md", POST)
    return root


def _shown_text(app) -> str:
    blocks = article_view(app).query_one("#answer").query(MarkdownBlock)
    return "\n".join(block_content(b).plain for b in blocks if not b.children)


def _screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def _open(pilot, app) -> None:
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)


async def _click_text(pilot, app, text: str) -> None:
    lines = _screen_lines(app)
    (y,) = [n for n, line in enumerate(lines) if text in line]
    await pilot.click(offset=(lines[y].index(text) + 2, y))
    await pilot.pause()


async def test_the_posts_links_are_links_and_no_tag_is_shown(post_library):
    app = ReaderApp(post_library)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, app)
        view = article_view(app)
        assert view.article is not None and view.article.kind == "post"
        text = _shown_text(app)
        assert "Deep Focus – ambient" in text and "Lofi Beats: no lyrics" in text
        assert "favourite playlists" in text and "a < b" in text
        for raw in ("<a", "href", "<strong", "<br", "<li", "<h2", "&nbsp;", "spotifyEmbed"):
            assert raw not in text, raw
        hrefs = [href for _, href in answer_links(view.article.answer)]
        assert hrefs[:2] == [DEEP_FOCUS, LOFI]
        assert not any("javascript" in href for href in hrefs)  # its text alone
        # The post's links are reached by Tab where they stand, as Markdown links are.
        marked = []
        for stop in view.stops.stops():
            if hasattr(stop, "href"):
                marked.append((stop.block._content.plain[stop.start : stop.end], stop.href))
        assert [href for _, href in marked][:2] == [DEEP_FOCUS, LOFI]
        assert any("spaced repetition" in text for text, _ in marked)


async def test_a_web_link_of_the_post_asks_first_and_javascript_is_not_a_link(post_library):
    app = ReaderApp(post_library)
    opened: list[str] = []
    app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, app)
        await _click_text(pilot, app, "Deep Focus")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await pilot.pause()
        assert opened == [DEEP_FOCUS]
        # A javascript: link is its text alone, as Markdown shows one: nothing to follow.
        await _click_text(pilot, app, "Run me")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert opened == [DEEP_FOCUS]
        # And one the reader is asked to follow anyway is refused.
        app.reader.follow_href("javascript:alert(1)")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("not opened" in n.message for n in app._notifications)


def test_a_blog_post_with_links(snap_compare, post_library):
    app = ReaderApp(post_library)
    app.theme = "textual-dark"

    async def open_it(pilot):
        await _open(pilot, pilot.app)
        await similar_shown(pilot, pilot.app)

    assert snap_compare(app, terminal_size=(100, 30), run_before=open_it)
