"""Which HTML elements are which: dropped, void, blocks, inline, captured for rewriting."""

from __future__ import annotations

import re

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


def _is_element(tag: str) -> bool:
    """Whether ``tag`` names an HTML element (else "<y and y>" was never a tag)."""
    return tag in _KNOWN or _CUSTOM_ELEMENT.fullmatch(tag) is not None


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str:
    for key, value in attrs:
        if key == name:
            return value or ""
    return ""
