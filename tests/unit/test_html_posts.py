"""Blog posts (and answers) that hold HTML: the tags become Markdown when the file is
parsed, so the catalog stores and indexes text without tags and the reader follows
the links with its usual rules (issue 22, "Blog posts hold HTML")."""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libhelpers import HYPOTHESIS_EXAMPLES, write, write_article

from qtreader.library.catalog import Catalog
from qtreader.library.html import html_to_markdown
from qtreader.library.links import LinkKind, answer_links, classify_url
from qtreader.library.parser import parse_bytes

SPOTIFY = "https://open.spotify.com/playlist/"
DEEP_FOCUS = SPOTIFY + "37i9dQZF1DWZeKCadgRdKQ"
LOFI = SPOTIFY + "37i9dQZF1DWWQRwui0ExPn"
PIANO = SPOTIFY + "37i9dQZF1DX4sWSpwq3LiO?si=a1b2&amp;nd=1"

# The shape of the real study-music post: a CMS's Markdown body with HTML pasted in.
STUDY_MUSIC_POST = f"""---
title: The Best Spotify Playlists for Studying
date: 2024-11-12
author: QuickTakes Editorial Team
subject: Blog
---

# The Best Spotify Playlists for Studying

Music can help you focus&nbsp;&mdash; or pull you away. Here are our <strong>favourite
playlists</strong> for long sessions.<br>
Pick one that suits the task.

<h2>Our picks</h2>
<ul>
    <li><a href="{DEEP_FOCUS}" target="_blank" rel="noopener">Deep Focus</a> &ndash; ambient and post-rock</li>
    <li><a href="{LOFI}"><b>Lofi Beats</b></a>: <em>no lyrics</em></li>
    <li><a href='{PIANO}'>Peaceful Piano</a></li>
</ul>

<p>A rule of thumb: if your focus score a &lt; b, switch playlists.</p>
If a < b and b > c, keep going.

<script type="text/javascript">window.spotifyEmbed({{id: "x", autoplay: true}});</script>
<style>.post a {{ color: green; }}</style>
<iframe src="https://open.spotify.com/embed/playlist/37i9dQZF1DWZeKCadgRdKQ">Your browser cannot show the player.</iframe>

Markdown stays: a **bold** word, a [library link](/learn/education-studies/questions/how-does-spaced-repetition-improve-learning) and an <i>inline</i> tag.

`<b>not bold</b>` is code, and so is this:

```html
<em class="x">kept as code</em>
```

<!-- tracking pixel: <img src="https://example.org/p.gif"> -->
<p>Happy studying!<br/>The QuickTakes team</p>
"""


def parse(text: str, path: str = "blog/study-music.md"):
    result = parse_bytes(text.encode("utf-8"), path)
    assert result.article is not None, result.problems
    return result.article


@pytest.fixture(scope="module")
def post():
    return parse(STUDY_MUSIC_POST)


def test_the_post_is_a_post_without_any_tag_left(post):
    assert post.kind == "post"
    text = post.answer
    outside_code = text.replace("`<b>not bold</b>`", "").replace(
        '<em class="x">kept as code</em>', ""
    )
    assert not re.search(r"<[A-Za-z/!]", outside_code), outside_code
    assert "href" not in outside_code
    for raw in ("&nbsp;", "&mdash;", "&ndash;", "&lt;", "&amp;"):
        assert raw not in text, raw


def test_links_become_markdown_links(post):
    text = post.answer
    assert f"[Deep Focus]({DEEP_FOCUS})" in text
    assert f"[**Lofi Beats**]({LOFI})" in text
    assert (
        "[Peaceful Piano](https://open.spotify.com/playlist/37i9dQZF1DX4sWSpwq3LiO?si=a1b2&nd=1)"
        in text
    )
    hrefs = [href for _, href in answer_links(text)]
    spotify = [h for h in hrefs if h.startswith(SPOTIFY)]
    assert len(spotify) == 3
    assert all(classify_url(h) is LinkKind.WEB for h in spotify)
    labels = [label for label, href in answer_links(text) if href.startswith(SPOTIFY)]
    assert labels == ["Deep Focus", "Lofi Beats", "Peaceful Piano"]


def test_inline_tags_headings_and_lists(post):
    lines = post.answer.splitlines()
    assert "## Our picks" in lines
    assert f"- [Deep Focus]({DEEP_FOCUS}) – ambient and post-rock" in lines
    assert f"- [**Lofi Beats**]({LOFI}): *no lyrics*" in lines
    assert "Music can help you focus\u00a0— or pull you away. Here are our **favourite" in lines
    assert "playlists** for long sessions.  " in lines  # <br>: a hard line break
    assert "Pick one that suits the task." in lines


def test_br_in_a_paragraph_is_a_line_break(post):
    assert "Happy studying!  \nThe QuickTakes team" in post.answer


def test_script_and_style_are_dropped_with_their_code_iframe_keeps_its_text(post):
    text = post.answer
    assert "spotifyEmbed" not in text and "autoplay" not in text
    assert "color: green" not in text
    assert "Your browser cannot show the player." in text
    assert "tracking pixel" not in text and "p.gif" not in text


def test_less_than_in_prose_stays(post):
    assert "if your focus score a < b, switch playlists." in post.answer
    assert "If a < b and b > c, keep going." in post.answer


def test_markdown_next_to_a_tag_is_left_as_it_is(post):
    assert (
        "Markdown stays: a **bold** word, a [library link]"
        "(/learn/education-studies/questions/how-does-spaced-repetition-improve-learning)"
        " and an *inline* tag." in post.answer
    )
    assert post.answer.startswith("# The Best Spotify Playlists for Studying\n\n")


def test_code_is_never_touched(post):
    assert "`<b>not bold</b>` is code, and so is this:" in post.answer
    assert '```html\n<em class="x">kept as code</em>\n```' in post.answer


def test_a_post_of_html_only_that_says_nothing_has_no_body():
    text = "---\ntitle: Empty\n---\n\n<p>&nbsp;</p>\n<script>x()</script>\n"
    result = parse_bytes(text.encode(), "blog/empty.md")
    assert result.article is None
    assert "no answer and no body" in result.problems[0].reason


def test_an_answer_with_html_is_converted_the_same_way():
    fm = (
        "---\ntitle: Water\nanswer: >-\n"
        "    Water is H<sub>2</sub>O.<br>It is <b>polar</b>; see "
        '<a href="https://en.wikipedia.org/wiki/Water">Water</a>.\\n\\n'
        "- $a<b + c > d$ stays math\\n- `<i>code</i>` stays code\n---\n"
    )
    article = parse(fm, "chemistry/water.md")
    assert article.kind == "quicktakes"
    assert article.answer == (
        "Water is H2O.  \nIt is **polar**; see [Water](https://en.wikipedia.org/wiki/Water).\n\n"
        "- $a<b + c > d$ stays math\n- `<i>code</i>` stays code"
    )


def test_an_answer_without_tags_is_the_same_object():
    # The HTML path only runs when a "<" is followed by a letter, "/" or "!".
    text = "No tags here: a < b, 3<4, x <= y and <3 hearts."
    assert html_to_markdown(text) is text


# -- the catalog stores and indexes text, not tags --------------------------------


@pytest.fixture
def catalog(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "lib"
    write(root, "blog/study-music.md", STUDY_MUSIC_POST)
    write_article(root, "biology/cells.md", title="Cells", answer="Cells are small.")
    cat = Catalog(root)
    cat.refresh()
    yield cat
    cat.close()


def titles(cat: Catalog, query: str) -> list[str]:
    return [row.title for row in cat.rows(list(cat.search(query, typing=False).rowids))]


def test_search_finds_the_link_text_and_not_the_markup(catalog):
    assert titles(catalog, "Deep Focus") == ["The Best Spotify Playlists for Studying"]
    assert titles(catalog, "Peaceful Piano") == ["The Best Spotify Playlists for Studying"]
    assert titles(catalog, "href") == []
    assert titles(catalog, "strong") == []
    assert titles(catalog, "nbsp") == []
    assert titles(catalog, "spotifyEmbed") == []
    stored = catalog.article(catalog.search("Deep Focus", typing=False).rowids[0])
    assert stored is not None and f"[Deep Focus]({DEEP_FOCUS})" in stored.answer


# -- the converter, case by case --------------------------------------------------

CASES = [
    # (html or Markdown in, Markdown out)
    ("plain text", "plain text"),
    ("a <b>bold</b> word", "a **bold** word"),
    ("a <strong>strong</strong> word", "a **strong** word"),
    ("an <i>italic</i> and <em>emphasis</em>", "an *italic* and *emphasis*"),
    ("x<b> spaced </b>end", "x **spaced** end"),
    ("<b></b>nothing", "nothing"),
    ("one<br>two", "one  \ntwo"),
    ("one<br/>two<BR />three", "one  \ntwo  \nthree"),
    ("<p>one</p><p>two</p>", "one\n\ntwo"),
    ("<P>Upper case</P>", "Upper case"),
    ("<h1>Title</h1><h3>Sub <em>title</em></h3>text", "# Title\n\n### Sub *title*\n\ntext"),
    ('<a href="https://x.org/a">x</a>', "[x](https://x.org/a)"),
    ("<a href=https://x.org/b>unquoted</a>", "[unquoted](https://x.org/b)"),
    ('<a href="https://x.org/a b">space</a>', "[space](https://x.org/a%20b)"),
    ('<a href="https://x.org/w_(x)">paren</a>', "[paren](https://x.org/w_\\(x\\))"),
    ('<a href="https://x.org/">[1]</a>', "[\\[1\\]](https://x.org/)"),
    ("<a name=top>anchor</a>", "anchor"),
    ('<a href="">empty</a>', "empty"),
    ('<a href="https://x.org/"></a>gone', "gone"),
    ('<a href="javascript:alert(1)">js</a>', "js"),
    ('<a href=" JavaScript:alert(1)">js</a>', "js"),
    ('<a href="file:///etc/passwd">f</a>', "f"),
    ('<a href="#top">top</a>', "top"),
    ('<a href="mailto:me@x.org">mail</a>', "[mail](mailto:me@x.org)"),
    ('<a href="/learn/x">in the library</a>', "[in the library](/learn/x)"),
    ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
    ("<ol><li>one</li><li>two</li></ol>", "1. one\n2. two"),
    ('<ol start="3"><li>three</li><li>four</li></ol>', "3. three\n4. four"),
    ("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "- a\n  - b\n- c"),
    ("<ol><li>a<ol><li>b</li></ol></li></ol>", "1. a\n   1. b"),
    ("<ul><li><p>para</p></li></ul>", "- para"),
    ("<ul><li>1. step</li><li># tag</li></ul>", "- 1\\. step\n- \\# tag"),
    ("<ul>\n  <li>\n    spaced\n    out\n  </li>\n</ul>", "- spaced out"),
    ("text<ul><li>x</li></ul>more", "text\n\n- x\n\nmore"),
    ("&amp; &lt; &gt; &quot; &#39; &eacute; &#x263A; a&nbsp;b", "& < > \" ' é ☺ a\u00a0b"),
    ("&lt;b&gt;shown&lt;/b&gt; <i>x</i>", "\\<b>shown\\</b> *x*"),
    ("AT&T <i>x</i>", "AT&T *x*"),
    ("a &amp;lt; b <i>x</i>", "a &amp;lt; b *x*"),
    ("<script>alert('<b>')</script>after", "after"),
    ("<style>p { color: red }</style>after", "after"),
    ("<SCRIPT>x</SCRIPT>after", "after"),
    ("<iframe src='https://e.x/'>fallback</iframe>", "fallback"),
    ("<!-- hidden --><i>x</i>", "*x*"),
    ("<!DOCTYPE html><html><body><p>hi</p></body></html>", "hi"),
    ("<?php echo 1; ?><i>x</i>", "*x*"),
    ("<o:p></o:p><span style='x'>span</span>", "span"),
    ("<div>one</div><div>two</div>", "one\n\ntwo"),
    ("<blockquote>quoted <b>text</b></blockquote>", "> quoted **text**"),
    ("<pre><code>if a &lt; b:\n    go()</code></pre>", "```\nif a < b:\n    go()\n```"),
    ("use <code>x &lt; y</code> here", "use `x < y` here"),
    ("use <code>a`b</code> here", "use ``a`b`` here"),
    ("<hr>after", "---\n\nafter"),
    ("x<sup>2</sup> and H<sub>2</sub>O", "x^2 and H2O"),
    ("<img src='a.png' alt='A diagram'> <i>x</i>", "A diagram *x*"),
    ("<u>under</u> <s>gone</s> <del>old</del>", "under ~~gone~~ ~~old~~"),
    (
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>",
        "| A | B |\n| --- | --- |\n| 1 | 2 |",
    ),
    ("unclosed <b>bold", "unclosed **bold**"),
    ("stray </b>end", "stray end"),
    # Not tags: left exactly as written.
    ("a < b and c > d", "a < b and c > d"),
    ("x<y and y>z <i>i</i>", "x<y and y>z *i*"),
    ("<https://example.org/a?b=1> <i>x</i>", "<https://example.org/a?b=1> *x*"),
    ("<me@example.org> <i>x</i>", "<me@example.org> *x*"),
    ("tail <b", "tail <b"),
    ("0<x<1 <i>x</i>", "0<x<1 *x*"),
    ("\\<b>escaped\\</b> <i>x</i>", "\\<b>escaped\\</b> *x*"),
    ("$a<b$ and $c>d$ <i>x</i>", "$a<b$ and $c>d$ *x*"),
    ("$a<b + c > d$ <i>x</i>", "$a<b + c > d$ *x*"),
    ("\\(a<b and c>d\\) <i>x</i>", "\\(a<b and c>d\\) *x*"),
    # Markdown with a tag or two: only the tags change.
    ("# Head\n\n* one <b>b</b>\n* two _x_\n", "# Head\n\n* one **b**\n* two _x_"),
    ("| a | b<br>c |\n|---|---|\n| 1 | 2 |", "| a | b c |\n|---|---|\n| 1 | 2 |"),
    ("`<b>x</b>` <b>y</b>", "`<b>x</b>` **y**"),
    ("``a `<b>` b`` <b>y</b>", "``a `<b>` b`` **y**"),
    (
        "para\n\n    <b>indented code</b>\n\nafter <i>x</i>",
        "para\n\n    <b>indented code</b>\n\nafter *x*",
    ),
    ("~~~\n<p>fenced</p>\n~~~\n<i>x</i>", "~~~\n<p>fenced</p>\n~~~\n*x*"),
    ("- item <br> next\n- two", "- item  \nnext\n- two"),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_html_to_markdown(source: str, expected: str):
    assert html_to_markdown(source) == expected


def test_the_converter_never_raises_and_never_leaves_a_known_tag():
    nasty = [
        "<" * 50 + "b" * 50,
        "<a href='" + "x" * 10_000,
        "<ul>" * 300 + "deep" + "</ul>" * 300,
        "<b>" * 500 + "x",
        "<table><td>" * 50,
        "<pre>" + "`" * 40 + "</pre>",
        "<a href='x'><a href='y'>nested</a></a>",
        "<script>never closed",
        "<!-- never closed",
        "<li>no list</li>",
        "</p></li></ul></a>",
    ]
    for source in nasty:
        out = html_to_markdown(source)
        assert "<ul" not in out and "<script" not in out and "<li" not in out, source[:40]


PIECES = [
    "<a href='https://x.org/(a'>", "</a>", "<b>", "</b>", "<ul>", "<li>", "</li>", "</ul>",
    "<ol start=2>", "</ol>", "<p>", "</p>", "<br>", "<table>", "<tr>", "<td>", "</td>",
    "</table>", "<pre>", "</pre>", "<code>", "</code>", "`", "``", "$", "$$", "\\(", "\\)",
    "<h2>", "</h2>", "<blockquote>", "</blockquote>", "<script>", "</script>", "<!--", "-->",
    "&lt;", "&amp;", "&nbsp;", "<", "> ", "x", "1. ", "- ", "\n", "\n\n", "    ", "```\n",
    "<![if x]>", "<!x>", "<?x ?>", "</ b>", "<i", "<o:p>", "<https://a.b>", "\\<", "*", "[",
    "]", "(", ")", "|", "<div>", "</div>", "<sup>", "</sup>", "<img alt='q'>", "<hr>",
    "<iframe>", "<svg>", "</svg>", "\u00a0", "é",
]  # fmt: skip


@settings(max_examples=HYPOTHESIS_EXAMPLES, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_any_mix_of_tags_and_markdown_converts_without_a_failure(pieces):
    failures: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = failures.append  # type: ignore[method-assign]
    logger = logging.getLogger("qtreader.library.html")
    logger.addHandler(handler)
    try:
        out = html_to_markdown("".join(pieces))
    finally:
        logger.removeHandler(handler)
    assert isinstance(out, str)
    assert failures == []  # the conversion never fell back to the text as it was
