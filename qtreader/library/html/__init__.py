"""HTML inside Markdown (blog posts, a few answers), turned into Markdown.

The reader shows answers with a Markdown renderer that drops raw HTML: a post's
``<a href>`` links became plain words. :func:`html_to_markdown` runs when a file is
parsed, so the catalog stores and indexes text without tags:

- ``<a href="u">text</a>`` → ``[text](u)`` (the reader then follows it by its usual
  rules: web links ask first); a link Markdown refuses (``javascript:``, ``file:``,
  ``data:``) or an anchor in the page (``#top``) keeps its text alone; ``b`` and
  ``strong`` → ``**``, ``i`` and ``em`` → ``*``, ``s``/``del`` → ``~~``, ``code`` →
  a code span, ``pre`` → a fenced block, ``br`` → a hard line break, ``p`` and
  ``div`` → paragraphs, ``ul``/``ol``/``li`` → lists, ``h1``–``h6`` → ``#``,
  ``blockquote`` → ``>``, ``table`` → a GFM table, ``img`` → its alt text;
- entities are decoded (one that would read as Markdown or HTML again is escaped);
- ``script``, ``style``, ``template``, ``title``, ``svg`` and ``noscript`` are
  dropped with their content, comments and declarations too; any other element
  (``iframe``, ``span``, Word's ``o:p``…) loses its tags and keeps its text.

Only tags change: the Markdown around them is left exactly as written. Code
(fenced and indented blocks, code spans), math spans, Markdown autolinks
(``<https://…>``), backslash-escaped ``\\<`` and a ``<`` that starts no HTML element
(``a < b``, ``x<y and y>z``, ``$a<b$``) are never touched. Inside HTML block elements
(``p``, ``li``, headings, tables) whitespace is HTML's: runs fold to one space.

The parser is the standard library's :class:`html.parser.HTMLParser`. Nothing here
raises: a text the conversion fails on comes back as it was.

The work is done in :mod:`.protect` (what is never touched swapped for
placeholders), :mod:`.converter` (the tag walk, with :mod:`.elements` telling
which element is which) and :mod:`.markdown` (each element's Markdown).
"""

from __future__ import annotations

import logging
import re

from .converter import _Converter
from .protect import _PLACEHOLDER, _protect

__all__ = ["html_to_markdown", "may_hold_html"]

_log = logging.getLogger(__name__)

# A "<" that may open a tag, an end tag, a comment or a declaration; an entity.
_MAYBE_HTML = re.compile(
    r"<[A-Za-z/!?]|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"
)


def may_hold_html(text: str) -> bool:
    """Whether ``text`` has a ``<`` followed by a letter, ``/``, ``!`` or ``?``, or an
    entity (``&amp;``, ``&#8212;``).

    Cheap (C speed): the converter only runs on texts for which this is true."""
    return ("<" in text or "&" in text) and _MAYBE_HTML.search(text) is not None


def html_to_markdown(text: str) -> str:
    """``text`` (Markdown that may hold HTML) with its HTML turned into Markdown.

    A text without anything that may be a tag is returned as it is (the same
    object). Never raises."""
    if not may_hold_html(text):
        return text
    try:
        protected, kept = _protect(text)
        if not may_hold_html(protected):
            return text
        converter = _Converter()
        converter.feed(protected)
        converter.close()
        converted = converter.result()
        return _PLACEHOLDER.sub(lambda m: kept[int(m.group(1))], converted)
    except Exception:  # a surprise in the HTML parser: the text as it was
        _log.warning("HTML left unconverted", exc_info=True)
        return text
