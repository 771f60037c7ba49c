"""The Markdown written so far, and the text, block breaks and line breaks added to it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .elements import _ONE_LINE, _TEXT_BLOCKS
from .markdown import _DECODED_ENTITY, _DECODED_TAG, _LINE_START, _SPACE_RUN, _escape_line_start

_NONE, _BLOCK, _LINE = 0, 1, 2  # what was written last: text, a block break, a line break


@dataclass(slots=True)
class _List:
    ordered: bool
    number: int
    indent: str  # before each marker
    content: str  # before the item's further lines
    implicit: bool = False  # made for an item outside any list


@dataclass(slots=True)
class _Capture:
    tag: str
    start: int  # where its text begins in the output
    href: str = ""


@dataclass(slots=True)
class _Table:
    rows: list[list[str]] = field(default_factory=list)


class _Writer:
    """The output and what decides how text joins it: the blocks, lists and captured
    elements open (kept up to date by the tag walk)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.pending: list[str] = []
        self.open: list[str] = []  # block elements open, outermost first
        self.captures: list[_Capture] = []
        self.lists: list[_List] = []
        self.tables: list[_Table] = []
        self.last = _BLOCK
        self.item_floor = 0  # just after the last list marker: never stripped

    # -- output ------------------------------------------------------------------

    def _emit(self, text: str) -> None:
        if text:
            self.out.append(text)
            if not text.isspace():
                self.last = _NONE

    def _floor(self) -> int:
        return max(self.captures[-1].start if self.captures else 0, self.item_floor)

    def _rstrip(self) -> None:
        """Drop the spaces and newlines written last (not before the open capture)."""
        floor = self._floor()
        while len(self.out) > floor:
            stripped = self.out[-1].rstrip(" \t\n")
            if stripped:
                self.out[-1] = stripped
                return
            self.out.pop()

    def _collapsing(self) -> bool:
        return any(tag in _TEXT_BLOCKS for tag in self.open)

    def _one_line(self) -> bool:
        return any(c.tag in _ONE_LINE for c in self.captures)

    def _in_pre(self) -> bool:
        return any(c.tag == "pre" for c in self.captures)

    def _in_code(self) -> bool:
        return any(c.tag in ("code", "pre") for c in self.captures)

    def _indent(self) -> str:
        return self.lists[-1].content if self.lists else ""

    def _block_break(self) -> None:
        self._flush()
        if self._one_line():
            self._emit(" ")
            return
        self._rstrip()
        if len(self.out) > self._floor():
            self.out.append("\n\n" + self._indent())
        self.last = _BLOCK

    def _line_break(self) -> None:
        self._flush()
        if self._in_pre():
            self.out.append("\n")
            return
        if self._one_line() or self._current_line().lstrip().startswith("|"):
            self._emit(" ")  # a heading, a link's text, a table's cell stay one line
            return
        self._rstrip()
        if len(self.out) > self._floor() and self.last == _NONE:
            self.out.append("  \n" + self._indent())
            self.last = _LINE

    def _current_line(self) -> str:
        parts = []
        for part in reversed(self.out):
            newline = part.rfind("\n")
            if newline >= 0:
                parts.append(part[newline + 1 :])
                break
            parts.append(part)
        return "".join(reversed(parts))

    def _after_space(self) -> bool:
        """Whether what was written last ends in whitespace."""
        return bool(self.out) and self.out[-1][-1:].isspace()

    # -- text ----------------------------------------------------------------------

    def _flush(self) -> None:
        if not self.pending:
            return
        text = "".join(self.pending)
        self.pending.clear()
        if self._in_pre():
            self.out.append(text)
            return
        if self._in_code():
            self._emit(_SPACE_RUN.sub(" ", text))
            return
        if "<" in text:
            text = _DECODED_TAG.sub(r"\\<", text)
        if "&" in text:
            text = _DECODED_ENTITY.sub("&amp;", text)
        if self._collapsing() or self._one_line():
            text = _SPACE_RUN.sub(" ", text)
            if self.last != _NONE:
                text = text.lstrip(" ")
                if not text:
                    return
                text = _LINE_START.sub(_escape_line_start, text, count=1)
            if "\ue002" in text:  # a code block inside HTML text: on lines of its own
                for n, piece in enumerate(re.split("(\ue002\\d+\ue001)", text)):
                    if n % 2:
                        self._block_break()
                        self._emit(piece)
                        self._block_break()
                    elif piece.strip():
                        self._emit(piece.lstrip(" ") if self.last != _NONE else piece)
                return
        elif self.last == _BLOCK:
            text = text.lstrip(" \t\n")
        elif self.last == _LINE:
            text = text.lstrip(" \t")
            text = text[1:].lstrip(" \t") if text.startswith("\n") else text
        self._emit(text)
