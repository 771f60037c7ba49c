"""Markdown that shows the math spans exactly as written, for the source view."""

from __future__ import annotations

import re

from .render import _LEAD
from .spans import Span, rewrite_math

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_EDGE_SPACES = re.compile(r"^[ \t]+|[ \t]+$")
_SPACE_ENTITIES = {" ": "&#32;", "\t": "&#9;"}


def _literal(line: str) -> str:
    """Markdown that shows ``line`` (no newline in it) character for character.

    Every ASCII punctuation character is backslash-escaped, which CommonMark
    allows for all of them, so none starts markup, an entity or a line
    break; spaces at either end, which Markdown would strip or read as a
    hard break, are written as character references.
    """
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", line)
    return _EDGE_SPACES.sub(lambda m: "".join(_SPACE_ENTITIES[c] for c in m.group()), escaped)


def _source_markdown(span: str, lead: str) -> str:
    """Markdown showing the math ``span`` as written; ``lead`` is its line before it.

    A span running over several lines keeps its line breaks (as hard breaks:
    a renderer shows a soft one as a space) and, on each further line, what
    belongs to the container it sits in (the quote markers and the list
    item's indentation, as measured on its first line) as it was.
    """
    if "\n" not in span:
        return _literal(span)
    parts = _LEAD.match(lead)
    assert parts is not None  # every group is optional
    quotes = parts["quote"].count(">")
    width = len(parts["indent"]) + len(parts["marker"] or "")
    container = re.compile(rf"(?:[ \t]{{0,3}}>){{0,{quotes}}}[ \t]{{0,{width}}}")
    lines = span.split("\n")
    out: list[str] = []
    for number, line in enumerate(lines):
        cr = "\r" if line.endswith("\r") else ""
        line = line.removesuffix("\r")
        kept = container.match(line) if number else None
        cut = kept.end() if kept else 0
        hard_break = "\\" if number < len(lines) - 1 else ""
        out.append(line[:cut] + _literal(line[cut:]) + hard_break + cr)
    return "\n".join(out)


def show_math_source(markdown: str) -> str:
    """Markdown that shows every math span of ``markdown`` exactly as it is written.

    For the reader's source view (math not rendered): a Markdown renderer
    would read ``\\\\`` in a matrix as an escaped ``\\``, ``\\(`` as ``(``,
    ``a_1 … b_2`` as emphasis. The math spans are the ones
    :func:`render_math` converts; in them every ASCII punctuation character
    is backslash-escaped (spaces at the ends of their lines are written as
    ``&#32;``, line breaks made hard), so that ``MarkdownIt("gfm-like")``
    shows them character for character; Textual's Markdown widget then
    shows a run of spaces as one, as it does everywhere. The text around
    them and code are returned as they are.
    """
    return rewrite_math(markdown, _source_block)


def _source_block(text: str, spans: list[Span]) -> str:
    """A block with each of its math spans as its source, escaped (see above)."""
    parts = []
    pos = 0
    for start, end, _latex, _display in spans:
        parts.append(text[pos:start])
        lead = text[text.rfind("\n", 0, start) + 1 : start]
        parts.append(_source_markdown(text[start:end], lead))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
