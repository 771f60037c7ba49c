"""Every private Textual name qtreader uses, and the patches it makes to Textual.

Textual's private names change without notice between releases. qtreader names them
here and nowhere else (besides the patch modules listed below, which are about
them): widgets import the private classes from this module and read private
attributes through its functions. A Textual upgrade is checked by reading this file.

Private names used (Textual 8.2): the name; where it is used; why.

- ``textual.widgets._markdown``, the module, for ``MarkdownBlock``,
  ``MarkdownBullet``, ``MarkdownBulletList``, ``MarkdownFence`` (code blocks that
  scroll sideways by keyboard, answer_markdown), ``MarkdownHeader``,
  ``MarkdownHorizontalRule``, ``MarkdownList``, ``MarkdownListItem``,
  ``MarkdownOrderedList``, ``MarkdownParagraph`` (re-exported here); answer_markdown,
  compact_list, article_view; the blocks Textual's Markdown widget is made of, reused
  from one article to the next, and lists drawn by one widget. No public module
  exports them.
- ``MarkdownBlock._content``; :func:`block_content` (compact_list, article_view); the
  text a paragraph, heading or compact list shows: find marks it, lists join it.
- ``MarkdownBlock._blocks``; :func:`child_blocks` (answer_markdown, compact_list); a
  list's items and an item's paragraphs, before they are composed.
- ``MarkdownBlock._token``, ``MarkdownBlock._markdown``; :func:`block_token`,
  :func:`block_document` (compact_list); to make the compact list standing for a list.
- ``MarkdownBlock._copy_context``, ``MarkdownBlock._inline_token``;
  :func:`reuse_block` (answer_markdown); a block kept on screen takes the new block's
  token, as in Textual's own update.
- ``Markdown._parser_factory``, ``._parse_markdown``, ``._markdown``, ``._theme``,
  ``._table_of_contents``, ``._last_parsed_line``; :func:`markdown_parser`,
  :func:`begin_update`, :func:`parse_blocks`, :func:`end_update` (answer_markdown);
  ``AnswerMarkdown.update`` does what ``Markdown.update`` does but keeps blocks.
- ``Content._wrap_and_format`` and its ``textual.content._FormattedLine``;
  :func:`wrap_and_format` (compact_list); a compact list wraps its items as a
  paragraph is wrapped, and find needs the line of a match.
- ``Widget._on_click``, overridden; compact_list, article_list; a double click selects
  one item of a compact list, not the whole list; a click in the list opens its row
  (Textual's would select text).
- ``Widget._size_updated``, replaced; layout_once; see :data:`PATCHES`.

The patches (:data:`PATCHES`) change Textual for the whole process, so they are
installed by the app when it starts (:func:`install_patches`, from
``ReaderApp.__init__``), never on import, and only on the Textual they were tested
with (:data:`TESTED_TEXTUAL`, major and minor). ``QTREADER_PLAIN_TEXTUAL=1`` runs the
reader on plain Textual, and ``QTREADER_PLAIN_TEXTUAL=name,name`` leaves out the
patches named (the benchmark measures each that way: ``python -m bench --patches``).
A patch is kept only while the benchmark shows it saving at least 10% of an open or a
key on the 150,000-article library; figures in tests/bench/RESULTS.md. Measured on
2026-12-05 and removed for saving less: ``arrange_once`` (a container's arrangement
reused at another height), ``strip_caches`` (a strip's caches made on first use) and
the garbage collector's tuning (``memory``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version

from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.content import Content
from textual.content import _FormattedLine as FormattedLine
from textual.css.types import TextAlign, TextOverflow
from textual.selection import Selection
from textual.style import Style
from textual.widgets import Markdown
from textual.widgets._markdown import (
    MarkdownBlock,
    MarkdownBullet,
    MarkdownBulletList,
    MarkdownFence,
    MarkdownHeader,
    MarkdownHorizontalRule,
    MarkdownList,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownParagraph,
)

__all__ = [
    "PATCHES",
    "PLAIN_TEXTUAL",
    "TESTED_TEXTUAL",
    "FormattedLine",
    "MarkdownBlock",
    "MarkdownBullet",
    "MarkdownBulletList",
    "MarkdownFence",
    "MarkdownHeader",
    "MarkdownHorizontalRule",
    "MarkdownList",
    "MarkdownListItem",
    "MarkdownOrderedList",
    "MarkdownParagraph",
    "begin_update",
    "block_content",
    "block_document",
    "block_token",
    "child_blocks",
    "end_update",
    "install_patches",
    "markdown_parser",
    "parse_blocks",
    "patches_left_out",
    "reuse_block",
    "tested_textual",
    "wrap_and_format",
]

TESTED_TEXTUAL = "8.2"
"""The Textual release (major.minor) whose private names this module was checked against."""

PLAIN_TEXTUAL = "QTREADER_PLAIN_TEXTUAL"
"""``1``: no patch; ``name,name``: these patches left out."""

PATCHES = ("layout_once",)
"""The patches, by module (qtreader/ui/<name>.py); see each module's docstring.

- ``layout_once``: ``Widget._size_updated`` sets the virtual size without asking for
  a second layout of the screen (Textual 8 lays the screen out twice per change).
"""


# -- the patches -------------------------------------------------------------------


def textual_version() -> str:
    try:
        return version("textual")
    except PackageNotFoundError:
        return ""


def tested_textual(installed: str | None = None) -> bool:
    """Whether the installed Textual (or ``installed``) is the tested major.minor."""
    release = (installed if installed is not None else textual_version()).split(".")
    return ".".join(release[:2]) == TESTED_TEXTUAL


def patches_left_out(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The patches ``QTREADER_PLAIN_TEXTUAL`` leaves out: all for ``1``, none unset."""
    value = (os.environ if environ is None else environ).get(PLAIN_TEXTUAL, "").strip()
    if value in ("", "0"):
        return frozenset()
    if value.lower() in ("1", "all", "yes", "true"):
        return frozenset(PATCHES)
    return frozenset(name.strip() for name in value.split(",")) & frozenset(PATCHES)


def install_patches(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Install the patches not left out, on the tested Textual only (each patch also
    stands aside from a method of another shape); the names of those in place.
    Called at every app start; a patch is installed once per process."""
    if not tested_textual():
        return ()
    from . import layout_once

    installers: dict[str, tuple[Callable[[], object], Callable[[], bool]]] = {
        "layout_once": (layout_once.install, layout_once.installed),
    }
    left_out = patches_left_out(environ)
    for name in PATCHES:
        if name not in left_out:
            installers[name][0]()
    return tuple(name for name in PATCHES if name not in left_out and installers[name][1]())


# -- Markdown blocks -----------------------------------------------------------------


def block_content(block: MarkdownBlock) -> Content:
    """The text a block shows (a paragraph's, a heading's, a compact list's items)."""
    return block._content


def child_blocks(block: MarkdownBlock) -> list[MarkdownBlock]:
    """The blocks inside ``block`` before it is composed (a list's items, an item's
    paragraphs): the list itself, which callers may change."""
    return block._blocks


def block_token(block: MarkdownBlock) -> Token:
    return block._token


def block_document(block: MarkdownBlock) -> Markdown:
    """The Markdown widget ``block`` was made for."""
    return block._markdown


def reuse_block(old: MarkdownBlock, new: MarkdownBlock) -> None:
    """Give ``old`` (kept on screen) the context of ``new`` (parsed, never mounted), as
    Textual's own update does; for a paragraph, its inline token too."""
    old._copy_context(new)
    if isinstance(new, MarkdownParagraph):
        old._inline_token = new._inline_token


# -- the Markdown widget's update ----------------------------------------------------


def markdown_parser(document: Markdown) -> MarkdownIt:
    """The parser ``Markdown.update`` uses."""
    factory = document._parser_factory
    return MarkdownIt("gfm-like") if factory is None else factory()


def begin_update(document: Markdown, markdown: str) -> None:
    """What ``Markdown.update`` sets before it parses ``markdown``."""
    document._theme = document.app.theme
    document._markdown = markdown
    document._table_of_contents = None


def parse_blocks(document: Markdown, tokens: Iterable[Token]) -> list[MarkdownBlock]:
    """The blocks ``Markdown.update`` would mount for ``tokens``."""
    return list(document._parse_markdown(tokens))


def end_update(document: Markdown, markdown: str) -> None:
    """What ``Markdown.update`` sets once the blocks are shown (where ``append`` starts)."""
    lines = markdown.splitlines()
    document._last_parsed_line = len(lines) - (1 if lines and lines[-1] else 0)


# -- Content -------------------------------------------------------------------------


def wrap_and_format(
    content: Content,
    width: int,
    *,
    align: TextAlign = "left",
    overflow: TextOverflow = "fold",
    no_wrap: bool = False,
    line_pad: int = 0,
    tab_size: int = 8,
    selection: Selection | None = None,
    selection_style: Style | None = None,
    post_style: Style | None = None,
    get_style: Callable[[str | Style], Style] | None = None,
) -> list[FormattedLine]:
    """``content`` wrapped at ``width`` and formatted, a line each, as Textual draws it."""
    # Textual's own default for get_style when none is given.
    styled = {} if get_style is None else {"get_style": get_style}
    return content._wrap_and_format(
        width,
        align=align,
        overflow=overflow,
        no_wrap=no_wrap,
        line_pad=line_pad,
        tab_size=tab_size,
        selection=selection,
        selection_style=selection_style,
        post_style=post_style,
        **styled,
    )
