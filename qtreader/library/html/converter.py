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
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..mathtext import _blocks, _maybe_math, _spans

__all__ = ["html_to_markdown", "may_hold_html"]

_log = logging.getLogger(__name__)

# A "<" that may open a tag, an end tag, a comment or a declaration; an entity.
_MAYBE_HTML = re.compile(
    r"<[A-Za-z/!?]|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"
)
# A "<" that starts no tag as CommonMark reads one ("x<1", "<https://…>", "</ b",
# "<? x"): kept from the HTML parser, whose tolerance would read a tag in it.
_NOT_A_TAG = re.compile(
    r"<(?=[A-Za-z])(?![A-Za-z][A-Za-z0-9-]*(?::[A-Za-z][A-Za-z0-9._-]*)?(?:[\s/>]|$))"
    r"|</(?![A-Za-z])|<\?(?![A-Za-z])|<!(?![-A-Za-z\[])"
)

# Elements dropped with everything inside them (code, or not meant to be read).
_SKIPPED = frozenset({"script", "style", "template", "title", "svg", "noscript"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr", "keygen", "basefont", "frame", "isindex"}
)  # fmt: skip
# Blocks that hold HTML text: inside them whitespace folds to one space.
_TEXT_BLOCKS = frozenset(
    {"p", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table",
     "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "blockquote", "figcaption",
     "address", "summary", "center", "menu", "legend"}
)  # fmt: skip
# Blocks that only group others: a paragraph break, whitespace left as written.
_CONTAINERS = frozenset(
    {"div", "section", "article", "main", "header", "footer", "nav", "aside", "figure",
     "html", "body", "head", "form", "fieldset", "details", "iframe", "hgroup", "object",
     "video", "audio", "picture", "frameset", "noframes", "dialog", "search"}
)  # fmt: skip
# Every other HTML element the converter knows: its tags go, its text stays.
_INLINE = frozenset(
    {"a", "abbr", "acronym", "b", "bdi", "bdo", "big", "blink", "button", "canvas", "cite",
     "code", "colgroup", "data", "datalist", "del", "dfn", "em", "font", "i", "ins", "kbd",
     "label", "map", "mark", "marquee", "math", "meter", "nobr", "optgroup", "option",
     "output", "pre", "progress", "q", "rp", "rt", "ruby", "s", "samp", "select", "slot",
     "small", "span", "strike", "strong", "sub", "sup", "textarea", "time", "tt", "u",
     "var", "xmp", "listing", "plaintext", "spacer", "center"}
)  # fmt: skip
_KNOWN = _SKIPPED | _VOID | _TEXT_BLOCKS | _CONTAINERS | _INLINE
_LISTS = frozenset({"ul", "ol", "menu"})
_TABLE_PARTS = frozenset({"thead", "tbody", "tfoot", "colgroup", "col"})
_BLOCK_CAPTURES = frozenset({"blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
# Custom elements (<my-widget>) and namespaced ones (Word's <o:p>): tags that go.
_CUSTOM_ELEMENT = re.compile(r"[a-z][a-z0-9._]*-[a-z0-9._-]*|[a-z][a-z0-9]*:[a-z][a-z0-9._-]*")
_EMPHASIS = {"b": "**", "strong": "**", "i": "*", "em": "*", "s": "~~", "strike": "~~", "del": "~~"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Captured elements: their text is rewritten when they close.
_CAPTURED = frozenset({"a", "code", "sup", "td", "th", "blockquote", "pre", *_EMPHASIS, *_HEADINGS})
_ONE_LINE = frozenset({"a", "td", "th", "code", *_HEADINGS})

# A Markdown autolink as a tag-looking start tag: <https://…>, <mailto:…>.
_AUTOLINK = re.compile(
    r"<[A-Za-z][A-Za-z0-9+.\-]{1,31}:(?://|(?<=mailto:)|(?<=tel:))[^\s<>]*>", re.I
)
_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")
_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# In text from HTML, what a decoded entity may have made that Markdown would read again.
_DECODED_TAG = re.compile(r"<(?=[A-Za-z/!?][^<>]*>)")
_DECODED_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What would start a block if it began a line: a heading, list item, quote or fence.
_LINE_START = re.compile(r"(#{1,6}(?=\s|$)|[-+*](?=\s|$)|>|`{3,}|~{3,})|(\d{1,9})([.)])(?=\s|$)")
_PLACEHOLDER = re.compile("[\ue000\ue002](\\d+)\ue001")
_SENTINELS = re.compile("[\ue000\ue001\ue002]")
_SUPERSCRIPT = re.compile(r"[-+−]?[0-9]+")


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


# -- what is never touched ---------------------------------------------------------


def _protect(text: str) -> tuple[str, list[str]]:
    """``text`` with code, math and escaped ``<`` replaced by placeholders, and what
    each placeholder stands for."""
    if _SENTINELS.search(text):
        text = _SENTINELS.sub("\ufffd", text)
    kept: list[str] = []
    out: list[str] = []
    for is_code, part in _blocks(text):
        if is_code:
            body = part[:-1] if part.endswith("\n") else part
            out.append(f"\ue002{len(kept)}\ue001" + part[len(body) :])
            kept.append(body)
            continue
        spans = _inline_code(part)
        if _maybe_math(part):
            spans += [(start, end) for start, end, _, _ in _spans(part)]
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


# -- the converter -------------------------------------------------------------------

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


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pending: list[str] = []
        self.open: list[str] = []  # block elements open, outermost first
        self.captures: list[_Capture] = []
        self.lists: list[_List] = []
        self.tables: list[_Table] = []
        self.skipping: list[str] = []
        self.last = _BLOCK
        self.item_floor = 0  # just after the last list marker: never stripped

    # -- output ------------------------------------------------------------------

    def result(self) -> str:
        self._flush()
        while self.captures:
            self._close_capture()
        for table in reversed(self.tables):
            self._emit_table(table)
        return "".join(self.out).lstrip("\n").rstrip(" \t\n")

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

    def _written_since(self, start: int) -> str:
        return "".join(self.out[start:])

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

    # -- text ----------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.pending.append(data)

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
        rows = [row for row in table.rows if row]
        if not rows:
            return
        width = max(len(row) for row in rows)
        lines = []
        for n, row in enumerate(rows):
            cells = row + [""] * (width - len(row))
            lines.append("| " + " | ".join(cells) + " |")
            if n == 0:
                lines.append("|" + " --- |" * width)
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
        start = min(capture.start, len(self.out))
        text = "".join(self.out[start:])
        del self.out[start:]
        self.item_floor = min(self.item_floor, start)
        tag = capture.tag
        if tag in _EMPHASIS:
            self._emit_wrapped(text, _EMPHASIS[tag])
        elif tag == "a":
            self._emit_link(text, capture.href)
        elif tag == "code":
            self._emit_code_span(text)
        elif tag == "sup":
            core = text.strip()
            self._emit(("^" + core) if _SUPERSCRIPT.fullmatch(core) else text)
        elif tag in ("td", "th"):
            cell = _SPACE_RUN.sub(" ", text).strip().replace("|", "\\|")
            if self.tables and self.tables[-1].rows:
                self.tables[-1].rows[-1].append(cell)
        elif tag in _HEADINGS:
            title = _SPACE_RUN.sub(" ", text).strip()
            if title:
                self._emit("#" * _HEADINGS[tag] + " " + title)
        elif tag == "blockquote":
            lines = text.strip("\n").split("\n")
            quoted = "\n".join(("> " + line).rstrip() for line in lines)
            if text.strip():
                self._emit(quoted)
        elif tag == "pre":
            self._emit_fenced(text)
        return tag

    def _emit_wrapped(self, text: str, mark: str) -> None:
        core = text.strip()
        if not core or "\n\n" in core:
            self._emit(text)
            return
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        if lead and self.out and self.out[-1][-1:].isspace():
            lead = ""
        self._emit(lead + mark + core + mark + trail)

    def _emit_link(self, text: str, href: str) -> None:
        label = _SPACE_RUN.sub(" ", text).strip()
        target = _SPACE_RUN.sub(" ", href).strip()
        if not label:
            return
        if not target or target.startswith("#") or not _followable(target):
            self._emit(text)  # an anchor in the page, or a link Markdown would refuse
            return
        lead = " " if text[:1].isspace() and not (self.out and self.out[-1][-1:].isspace()) else ""
        trail = " " if text[-1:].isspace() else ""
        label = label.replace("[", "\\[").replace("]", "\\]")
        self._emit(f"{lead}[{label}]({_destination(target)}){trail}")

    def _emit_code_span(self, text: str) -> None:
        code = _SPACE_RUN.sub(" ", text)
        if not code.strip():
            self._emit(text)
            return
        longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
        fence = "`" * (longest + 1)
        pad = " " if code.startswith("`") or code.endswith("`") else ""
        self._emit(f"{fence}{pad}{code}{pad}{fence}")

    def _emit_fenced(self, text: str) -> None:
        if text.startswith("\n"):
            text = text[1:]  # as in HTML: the newline after <pre> is not shown
        code = text.rstrip("\n")
        if not code.strip():
            return
        longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
        fence = "`" * max(3, longest + 1)
        self.out.append(f"{fence}\n{code}\n{fence}")
        self.last = _NONE


def _is_element(tag: str) -> bool:
    """Whether ``tag`` names an HTML element (else "<y and y>" was never a tag)."""
    return tag in _KNOWN or _CUSTOM_ELEMENT.fullmatch(tag) is not None


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str:
    for key, value in attrs:
        if key == name:
            return value or ""
    return ""


def _followable(url: str) -> bool:
    """Whether Markdown keeps this link: markdown-it refuses javascript:, vbscript:,
    file: and data: (but images), and shows the link's text alone; so do we."""
    from markdown_it.common.normalize_url import validateLink

    return validateLink(url)


def _destination(url: str) -> str:
    """A link's address as a Markdown link destination."""
    for plain, escaped in (("\\", "%5C"), (" ", "%20"), ("<", "%3C"), (">", "%3E"),
                           ("(", "\\("), (")", "\\)")):  # fmt: skip
        url = url.replace(plain, escaped)
    return url


def _escape_line_start(match: re.Match[str]) -> str:
    """Text from HTML that would start a Markdown block at a line's start: escaped."""
    if match.group(2):
        return match.group(2) + "\\" + match.group(3)
    return "\\" + match.group(1)
