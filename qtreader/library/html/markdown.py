"""The Markdown for one element's text: emphasis, link, code, heading, quote, table."""

from __future__ import annotations

import re

from .protect import _BACKTICKS

_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")
_SUPERSCRIPT = re.compile(r"[-+−]?[0-9]+")
# In text from HTML, what a decoded entity may have made that Markdown would read again.
_DECODED_TAG = re.compile(r"<(?=[A-Za-z/!?][^<>]*>)")
_DECODED_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What would start a block if it began a line: a heading, list item, quote or fence.
_LINE_START = re.compile(r"(#{1,6}(?=\s|$)|[-+*](?=\s|$)|>|`{3,}|~{3,})|(\d{1,9})([.)])(?=\s|$)")


def _emphasis(text: str, mark: str, after_space: bool) -> str:
    """``text`` between ``mark``s (``**``, ``*``, ``~~``), its spaces outside them."""
    core = text.strip()
    if not core or "\n\n" in core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    if lead and after_space:
        lead = ""
    return lead + mark + core + mark + trail


def _link(text: str, href: str, after_space: bool) -> str:
    """``[text](href)``; the text alone for an anchor in the page or a link Markdown
    would refuse; nothing for a link without text."""
    label = _SPACE_RUN.sub(" ", text).strip()
    target = _SPACE_RUN.sub(" ", href).strip()
    if not label:
        return ""
    if not target or target.startswith("#") or not _followable(target):
        return text  # an anchor in the page, or a link Markdown would refuse
    lead = " " if text[:1].isspace() and not after_space else ""
    trail = " " if text[-1:].isspace() else ""
    label = label.replace("[", "\\[").replace("]", "\\]")
    return f"{lead}[{label}]({_destination(target)}){trail}"


def _code_span(text: str) -> str:
    code = _SPACE_RUN.sub(" ", text)
    if not code.strip():
        return text
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _fenced(text: str) -> str:
    """A ``pre``'s text as a fenced code block, or "" when it holds nothing."""
    if text.startswith("\n"):
        text = text[1:]  # as in HTML: the newline after <pre> is not shown
    code = text.rstrip("\n")
    if not code.strip():
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code}\n{fence}"


def _superscript(text: str) -> str:
    core = text.strip()
    return ("^" + core) if _SUPERSCRIPT.fullmatch(core) else text


def _cell(text: str) -> str:
    return _SPACE_RUN.sub(" ", text).strip().replace("|", "\\|")


def _heading(text: str, level: int) -> str:
    title = _SPACE_RUN.sub(" ", text).strip()
    return "#" * level + " " + title if title else ""


def _quote(text: str) -> str:
    if not text.strip():
        return ""
    lines = text.strip("\n").split("\n")
    return "\n".join(("> " + line).rstrip() for line in lines)


def _table_lines(rows: list[list[str]]) -> list[str]:
    """A GFM table's lines, the first row its header; none for a table without cells."""
    rows = [row for row in rows if row]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    lines = []
    for n, row in enumerate(rows):
        cells = row + [""] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
        if n == 0:
            lines.append("|" + " --- |" * width)
    return lines


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
