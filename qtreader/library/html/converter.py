"""The walk over HTML's tags (an HTMLParser) that writes Markdown as it goes."""

from __future__ import annotations

from html.parser import HTMLParser

from .elements import (
    _AUTOLINK,
    _BLOCK_CAPTURES,
    _CAPTURED,
    _CONTAINERS,
    _EMPHASIS,
    _HEADINGS,
    _LISTS,
    _SKIPPED,
    _TABLE_PARTS,
    _TEXT_BLOCKS,
    _VOID,
    _attr,
    _is_element,
)
from .markdown import (
    _SPACE_RUN,
    _cell,
    _code_span,
    _emphasis,
    _fenced,
    _heading,
    _link,
    _quote,
    _superscript,
    _table_lines,
)
from .writer import _BLOCK, _LINE, _NONE, _Capture, _List, _Table, _Writer


class _Converter(HTMLParser, _Writer):
    """Reads the HTML's tags and writes the Markdown they mean (see ``html_to_markdown``)."""

    def __init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)
        _Writer.__init__(self)
        self.skipping: list[str] = []

    def result(self) -> str:
        self._flush()
        while self.captures:
            self._close_capture()
        for table in reversed(self.tables):
            self._emit_table(table)
        return "".join(self.out).lstrip("\n").rstrip(" \t\n")

    # -- text ----------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.pending.append(data)

    # -- tags ----------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag in _SKIPPED:
                self.skipping.append(tag)
            return
        raw = self.get_starttag_text() or ""
        if not _is_element(tag) or (":" in tag and _AUTOLINK.fullmatch(raw)):
            self._literal(raw)
            return
        if tag in _SKIPPED:
            self._flush()
            self.skipping.append(tag)
            return
        if self._in_pre() and tag != "br":
            return  # a pre's text is shown as written: tags inside it go
        if tag == "br":
            self._line_break()
        elif tag == "hr":
            self._close_paragraph()
            self._block_break()
            self._emit("---")
            self._block_break()
        elif tag == "img":
            self._flush()
            alt = _attr(attrs, "alt")
            if alt:
                self._emit(_SPACE_RUN.sub(" ", alt).strip())
        elif tag in _LISTS:
            self._start_list(tag, attrs)
        elif tag == "li":
            self._start_item()
        elif tag == "table":
            self._close_paragraph()
            self._block_break()
            self.open.append(tag)
            self.tables.append(_Table())
        elif tag == "tr":
            self._flush()
            while self.captures and self.captures[-1].tag in ("td", "th"):
                self._close_capture()
            if self.tables:
                self.tables[-1].rows.append([])
        elif tag in ("td", "th"):
            self._flush()
            while self.captures and self.captures[-1].tag in ("td", "th"):
                self._close_capture()  # a cell left open ends where the next starts
            if self.tables:
                if not self.tables[-1].rows:
                    self.tables[-1].rows.append([])
                self._capture(tag)
            else:
                self._emit(" ")
        elif tag in _TABLE_PARTS:
            self._flush()
        elif tag in _BLOCK_CAPTURES:
            self._close_paragraph()
            self._block_break()
            self.open.append(tag)
            self._capture(tag)
        elif tag in _TEXT_BLOCKS or tag in _CONTAINERS:
            if tag != "iframe":
                self._close_paragraph()
            self._block_break()
            self.open.append(tag)
        elif tag == "a":
            if any(c.tag == "a" for c in self.captures):
                self._end("a")  # links do not nest: the new one closes the last
            self._capture(tag, _attr(attrs, "href"))
        elif tag in _CAPTURED:
            self._capture(tag)
        else:
            self._flush()  # any other element: its tags go, its text stays

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and _is_element(tag):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if not _is_element(tag):
            self._literal(f"</{tag}>")
            return
        if self._in_pre() and tag != "pre":
            return
        self._flush()
        if tag in _LISTS:
            self._end_list()
        elif tag == "li":
            self._end_item()
        elif tag in ("td", "th"):
            self._end(tag)
        elif tag in _TEXT_BLOCKS or tag in _CONTAINERS or tag in _BLOCK_CAPTURES:
            if tag in self.open:
                self._end_block(tag)
        elif tag in _CAPTURED:
            self._end(tag)

    def handle_comment(self, data: str) -> None:
        self._flush()

    def handle_decl(self, decl: str) -> None:
        self._flush()

    def handle_pi(self, data: str) -> None:
        self._flush()

    def unknown_decl(self, data: str) -> None:
        self._flush()

    def _literal(self, text: str) -> None:
        """Something that looks like a tag and is not one: written as it was."""
        self._flush()
        self._emit(text)

    # -- blocks --------------------------------------------------------------------

    def _close_paragraph(self) -> None:
        """A block starting closes an open paragraph, as in HTML."""
        if self.open and self.open[-1] == "p":
            self._end_block("p")

    def _pop_open(self) -> str:
        """Close the innermost block element open."""
        closing = self.open.pop()
        if closing in _LISTS:
            if self.lists:
                self.lists.pop()
        elif closing == "table":
            while self.captures and self.captures[-1].tag in ("td", "th"):
                self._close_capture()
            if self.tables:
                self._emit_table(self.tables.pop())
        elif closing in _BLOCK_CAPTURES and any(c.tag == closing for c in self.captures):
            self._end(closing)
        return closing

    def _end_block(self, tag: str) -> None:
        """Close ``tag`` and whatever was left open inside it."""
        self._flush()
        while tag in self.open:
            if self._pop_open() == tag:
                break
        self._block_break()

    def _start_list(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_paragraph()
        start = _attr(attrs, "start").strip()
        number = int(start) if start.isdigit() and len(start) < 10 else 1
        if self.lists and "li" in self.open:
            self._flush()
            self._rstrip()  # a list in an item: on the next line, indented
            self.last = _LINE
            indent = self.lists[-1].content
        else:
            self._block_break()
            indent = self._indent()
        self.lists.append(_List(tag == "ol", number, indent, indent))
        self.open.append(tag)

    def _start_item(self) -> None:
        self._flush()
        if not self.lists:
            self._close_paragraph()
            self._block_break()
            self.lists.append(_List(False, 1, self._indent(), self._indent(), implicit=True))
            self.open.append("ul")  # an item outside any list: a list of its own
        while self.open and self.open[-1] not in _LISTS:
            self._pop_open()
        current = self.lists[-1]
        if self.last != _BLOCK:
            self._rstrip()
            if self.out:
                self.out.append("\n")
        marker = f"{current.number}. " if current.ordered else "- "
        current.number += 1
        current.content = current.indent + " " * len(marker)
        self.out.append(current.indent + marker)
        self.item_floor = len(self.out)
        self.open.append("li")
        self.last = _BLOCK

    def _end_item(self) -> None:
        if "li" not in self.open:
            return
        while self.open:
            if self._pop_open() == "li":
                break
        if self.lists and self.lists[-1].implicit:
            while self.open:
                if self._pop_open() in _LISTS:
                    break
            self._block_break()
        else:
            self._rstrip()
            self.last = _LINE

    def _end_list(self) -> None:
        if not any(t in _LISTS for t in self.open):
            return
        while self.open:
            if self._pop_open() in _LISTS:
                break
        if self.lists and "li" in self.open:
            self._rstrip()  # the item that holds this list goes on
            self.out.append("\n" + self.lists[-1].content)
            self.last = _BLOCK
        else:
            self._block_break()

    def _emit_table(self, table: _Table) -> None:
        lines = _table_lines(table.rows)
        if not lines:
            return
        self._rstrip()
        if len(self.out) > self._floor():
            self.out.append("\n\n" + self._indent())
        self.out.append(("\n" + self._indent()).join(lines))
        self.last = _NONE
        self._block_break()

    # -- captured elements ---------------------------------------------------------

    def _capture(self, tag: str, href: str = "") -> None:
        self._flush()
        self.captures.append(_Capture(tag, len(self.out), href))

    def _end(self, tag: str) -> None:
        """Close the capture ``tag`` and any left open inside it; a stray end tag goes."""
        self._flush()
        if not any(c.tag == tag for c in self.captures):
            return
        while self.captures:
            if self._close_capture() == tag:
                return

    def _close_capture(self) -> str:
        self._flush()
        capture = self.captures.pop()
        tag = capture.tag
        start = min(capture.start, len(self.out))
        text = "".join(self.out[start:])
        del self.out[start:]
        self.item_floor = min(self.item_floor, start)
        if tag in _EMPHASIS:
            self._emit(_emphasis(text, _EMPHASIS[tag], self._after_space()))
        elif tag == "a":
            self._emit(_link(text, capture.href, self._after_space()))
        elif tag == "code":
            self._emit(_code_span(text))
        elif tag == "sup":
            self._emit(_superscript(text))
        elif tag in ("td", "th"):
            if self.tables and self.tables[-1].rows:
                self.tables[-1].rows[-1].append(_cell(text))
        elif tag in _HEADINGS:
            self._emit(_heading(text, _HEADINGS[tag]))
        elif tag == "blockquote":
            self._emit(_quote(text))
        elif tag == "pre":
            block = _fenced(text)
            if block:
                self.out.append(block)
                self.last = _NONE
        return tag
