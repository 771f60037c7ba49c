"""What the HTML converter must never touch (code, math, escapes, a ``<`` that starts
no tag), swapped for placeholders before it runs."""

from __future__ import annotations

import re

from ..mathtext.blocks import code_blocks
from ..mathtext.spans import math_spans, maybe_math

# A "<" that starts no tag as CommonMark reads one ("x<1", "<https://…>", "</ b",
# "<? x"): kept from the HTML parser, whose tolerance would read a tag in it.
_NOT_A_TAG = re.compile(
    r"<(?=[A-Za-z])(?![A-Za-z][A-Za-z0-9-]*(?::[A-Za-z][A-Za-z0-9._-]*)?(?:[\s/>]|$))"
    r"|</(?![A-Za-z])|<\?(?![A-Za-z])|<!(?![-A-Za-z\[])"
)
_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# Placeholders: "\ue000N\ue001" for a span kept, "\ue002N\ue001" for a code block.
_PLACEHOLDER = re.compile("[\ue000\ue002](\\d+)\ue001")
_SENTINELS = re.compile("[\ue000\ue001\ue002]")


def _protect(text: str) -> tuple[str, list[str]]:
    """``text`` with code, math and escaped ``<`` replaced by placeholders, and what
    each placeholder stands for."""
    if _SENTINELS.search(text):
        text = _SENTINELS.sub("\ufffd", text)
    kept: list[str] = []
    out: list[str] = []
    for is_code, part in code_blocks(text):
        if is_code:
            body = part[:-1] if part.endswith("\n") else part
            out.append(f"\ue002{len(kept)}\ue001" + part[len(body) :])
            kept.append(body)
            continue
        spans = _inline_code(part)
        if maybe_math(part):
            spans += [(start, end) for start, end, _, _ in math_spans(part)]
        if "\\<" in part or "\\&" in part:
            spans += [(m.start(), m.end()) for m in re.finditer(r"\\[<&]", part)]
        if "<" in part:
            spans += [(m.start(), m.end()) for m in _NOT_A_TAG.finditer(part)]
        pos = 0
        for start, end in sorted(spans):
            if start < pos:
                continue  # inside a span already kept
            out.append(part[pos:start])
            out.append(f"\ue000{len(kept)}\ue001")
            kept.append(part[start:end])
            pos = end
        out.append(part[pos:])
    return "".join(out), kept


def _inline_code(text: str) -> list[tuple[int, int]]:
    """Code spans: a run of backticks to the next run of the same length, in the
    same paragraph (CommonMark's rule)."""
    if "`" not in text:
        return []
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        opening = _BACKTICKS.search(text, pos)
        if opening is None:
            return spans
        start, end = opening.span()
        if start and text[start - 1] == "\\":
            pos = end  # an escaped backtick
            continue
        blank = _BLANK_LINE.search(text, end)
        limit = blank.start() if blank else len(text)
        closing = re.compile(rf"(?<!`){opening.group()}(?!`)").search(text, end, limit)
        if closing is None:
            pos = end
        else:
            spans.append((start, closing.end()))
            pos = closing.end()
