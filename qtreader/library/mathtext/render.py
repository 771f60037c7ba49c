"""Markdown with its math spans replaced by their Unicode text (render_math, has_math)."""

from __future__ import annotations

import re

from .blocks import code_blocks
from .convert import convert_expression
from .spans import Span, math_spans, maybe_math, rewrite_math

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<|])")
# What would turn a line into a list item, heading, quote or setext underline.
_LINE_START_MARKER = re.compile(r"(?:[-+=]|\d{1,9}[.)]|#{1,6})(?=[ \t]|$)|>")
_BLANK_LINES_AHEAD = re.compile(r"(?:[ \t]*\n)+")
_LEAD = re.compile(
    r"(?P<quote>(?:[ \t]{0,3}>)*)(?P<indent>[ \t]*)(?P<marker>(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$))?"
)
_TRAILING_PUNCTUATION = re.compile(r"[.,;:!?]+")


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _escape_line_start(text: str) -> str:
    marker = _LINE_START_MARKER.match(text)
    if marker is None:
        return text
    cut = marker.end() - 1
    return text[:cut] + "\\" + text[cut:]


def _layout(lead: str) -> tuple[str, str, bool]:
    """For the text before a display on its line: (blank-line text, prefix, marker only)."""
    parts = _LEAD.match(lead)
    assert parts is not None  # every group is optional
    quote = parts["quote"]
    marker = parts["marker"] or ""
    prefix = quote + parts["indent"] + " " * len(marker)
    only_marker = bool(marker) and parts.end() == len(lead)
    return quote.strip(" \t"), prefix, only_marker


def _render_block(text: str, spans: list[Span]) -> str:
    out: list[str] = []
    pos = 0
    pending: tuple[str, str] | None = None  # after a display: (blank-line text, prefix)

    def trim_end() -> None:
        while out:
            out[-1] = out[-1].rstrip()
            if out[-1]:
                return
            out.pop()

    def after_display(rest: str, final: bool) -> str:
        """Text that follows a display: punctuation joins it, the rest is a new paragraph."""
        nonlocal pending
        assert pending is not None
        blank, prefix = pending
        punctuation = _TRAILING_PUNCTUATION.match(rest)
        if punctuation:
            out.append(punctuation.group())
            rest = rest[punctuation.end() :]
        if not rest.strip():
            if final:
                pending = None
                return rest
            return ""  # the next span decides
        pending = None
        blank_lines = _BLANK_LINES_AHEAD.match(rest)
        if blank_lines:  # the text goes on on a line of its own: keep its indentation
            return "\n" + blank + "\n" + rest[blank_lines.end() :]
        return "\n" + blank + "\n" + prefix + rest.lstrip(" \t\n")

    def at_line_start() -> bool:
        for chunk in reversed(out):
            newline = chunk.rfind("\n")
            if chunk[newline + 1 :].strip(" \t>"):
                return False
            if newline >= 0:
                return True
        return True

    for start, end, latex, display in spans:
        converted = convert_expression(latex)
        lines: list[str] = []
        if converted is not None and display:
            lines = [_escape_line_start(_escape(line)) for line in converted.split("\n")]
            lines = [line for line in lines if line.strip()]
        before = text[pos:start]
        if pending is not None:
            before = after_display(before, final=False)
            if pending is not None and not lines:  # inline text goes on after a display
                blank, prefix = pending
                trim_end()
                before = "\n" + blank + "\n" + prefix
                pending = None
        out.append(before)
        pos = end
        if converted is None:
            out.append(text[start:end])
            continue
        if not display:
            piece = _escape(converted.replace("\n", "; "))
            out.append(_escape_line_start(piece) if at_line_start() else piece)
            continue
        if not lines:
            continue  # nothing to show, such as "$$\,$$"
        blank, prefix, only_marker = _layout(text[text.rfind("\n", 0, start) + 1 : start])
        if not only_marker:
            trim_end()
            if out:
                out.append("\n" + blank + "\n" + prefix)
        out.append(("\\\n" + prefix).join(lines))
        pending = (blank, prefix)
    rest = text[pos:]
    if pending is not None:
        rest = after_display(rest, final=True)
    out.append(rest)
    return "".join(out)


def has_math(markdown: str) -> bool:
    """True if ``markdown`` holds at least one math span outside code."""
    if not isinstance(markdown, str) or not maybe_math(markdown):
        return False
    return any(not code and math_spans(text) for code, text in code_blocks(markdown))


def render_math(markdown: str) -> str:
    """Markdown with every math span replaced by its Unicode form; code untouched.

    Inline math stays inline; display math (``$$…$$``, ``\\[…\\]``, a lone
    environment) becomes a paragraph of its own. Text without math comes back
    unchanged, and so does any span that cannot be converted.
    """
    return rewrite_math(markdown, _render_block)
