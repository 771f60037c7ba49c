"""Code blocks (fenced, and indented as markdown-it reads them) split off Markdown."""

from __future__ import annotations

import re

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})([^\n]*)")
_FENCE_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*\r?\n?")

# A line indented by four columns after a blank line (or first): maybe code.
_INDENTED = re.compile(r"(?: {4}| {0,3}\t)[ \t]*\S")
_INDENTED_AFTER_BLANK = re.compile(r"\n[ \t]*\r?\n(?: {4}| {0,3}\t)[ \t]*\S")
_MARKDOWN_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n|$)")


def code_blocks(markdown: str) -> list[tuple[bool, str]]:
    """Split off code blocks: ``(is_code, text)`` in order."""
    if _INDENTED.match(markdown) or _INDENTED_AFTER_BLANK.search(markdown):
        try:
            return _parsed_blocks(markdown)
        except Exception:  # a surprise in the parser: fenced code is still found below
            pass
    if "```" not in markdown and "~~~" not in markdown:
        return [(False, markdown)]
    parts: list[tuple[bool, str]] = []
    text: list[str] = []
    code: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        if fence is None:
            opening = _FENCE_OPEN.match(line)
            if opening and not (opening[1][0] == "`" and "`" in opening[2]):
                if text:
                    parts.append((False, "".join(text)))
                    text = []
                fence = opening[1]
                code = [line]
            else:
                text.append(line)
        else:
            code.append(line)
            closing = _FENCE_CLOSE.fullmatch(line)
            if closing and closing[1][0] == fence[0] and len(closing[1]) >= len(fence):
                parts.append((True, "".join(code)))
                fence = None
    if fence is not None:
        parts.append((True, "".join(code)))  # an unclosed fence runs to the end
    elif text:
        parts.append((False, "".join(text)))
    return parts


def _parsed_blocks(markdown: str) -> list[tuple[bool, str]]:
    """:func:`code_blocks` by markdown-it, as the reader parses it: indented code
    (only a parser knows whether four spaces make code or a list's text)."""
    from markdown_it import MarkdownIt

    code_lines: set[int] = set()
    for token in MarkdownIt("gfm-like").parse(markdown):
        if token.type in ("code_block", "fence") and token.map:
            code_lines.update(range(*token.map))
    parts: list[tuple[bool, str]] = []
    lines = _MARKDOWN_LINE.findall(markdown)  # line ends as markdown-it counts them
    for number, line in enumerate(lines):
        code = number in code_lines
        if parts and parts[-1][0] == code:
            parts[-1] = (code, parts[-1][1] + line)
        elif line or not parts:
            parts.append((code, line))
    return parts
