"""Turning one file's bytes into an :class:`Article`, or into problems.

Nothing here raises for bad content: every failure becomes a :class:`Problem`.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from .dates import display_date
from .fastyaml import load_simple
from .html import html_to_markdown, may_hold_html
from .models import Article, Problem, RelatedLink, Severity
from .scan import MAX_FILE_BYTES, decode_bytes, fs_path
from .text import clean_line, clean_text, decode_newlines, humanise

try:  # libyaml is several times faster; fall back when it is not built
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _Loader(_SafeLoader):
    """The safe loader, but an impossible date (``2024-13-45``) stays text."""


def _timestamp(loader: _SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

UNSORTED = "Unsorted"
BINARY = "the file is binary (it holds NUL bytes)"
MAX_ALIASES = 100
MAX_NESTING = 64
_RELATED = re.compile(r"related_article(\d+)$")
MAX_POSITION = 2**63 - 1  # the largest SQLite integer
# A closing fence line. Starting with a literal "\n" lets the regex engine skip to
# line starts at C speed; it is matched from the "\n" that ends the opening fence.
_FENCE_LINE = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
# Starts with the literal "*" so the regex engine skips to candidates at C speed;
# the character before each one is checked in Python (see _alias_count).
_ALIAS = re.compile(r"\*[^\s\[\]{},]+")


def _alias_count(text: str) -> int:
    """How many YAML aliases (``*name`` after a space, bracket, comma or colon) there are."""
    return sum(
        1 for m in _ALIAS.finditer(text) if m.start() == 0 or text[m.start() - 1] in " \t\n[{,:"
    )


_NBSP_BODY = re.compile(r"^(?:\s|&nbsp;|\u00a0)*$")
_HEADING = re.compile(r"^#{1,6}\s+")
# Page chrome that scrapers leave at the end of plain articles.
_CHROME = frozenset(
    {"post a comment", "previous post next post", "previous post", "next post", "contact form"}
)


@dataclass(slots=True)
class ParseResult:
    article: Article | None
    problems: list[Problem] = field(default_factory=list)


def _subject_from_path(path: str) -> str:
    parent = PurePosixPath(path).parent
    if str(parent) in ("", "."):
        return UNSORTED
    return humanise(clean_line(parent.name)) or UNSORTED


def _split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter or None, body, line where the body starts)."""
    if not text.startswith("---"):
        return None, text, 1
    first_end = text.find("\n")
    if first_end == -1 or text[:first_end].rstrip() != "---":
        return None, text, 1
    fence = _FENCE_LINE.search(text, first_end)
    if fence is None:
        raise _Unclosed()
    start = fence.start() + 1  # the closing fence's line starts after its "\n"
    line = text.count("\n", 0, start) + 1
    return text[first_end + 1 : start], text[fence.end() :], line + 1


class _Unclosed(Exception):
    pass


_BLOCK_START = re.compile(r"^([ \t]*)((?:[-?:](?:[ \t]+|$))*)", re.MULTILINE)


def _nesting_depth(text: str) -> int:
    """A cheap upper bound of how deep the YAML in ``text`` can nest.

    Flow collections need brackets; each level of block collections needs more
    indentation or an indicator (``-``, ``?``, ``:``) at the start of a line.
    Counting is done by C code (str.count, one regex) because this runs on
    every file; only a text that looks deep is walked exactly.
    """
    flow = text.count("[") + text.count("{")
    if flow > MAX_NESTING:
        depth = flow = 0
        for ch in text:
            if ch in "[{":
                depth += 1
                flow = max(flow, depth)
            elif ch in "]}":
                depth = max(0, depth - 1)
    block = 0
    for match in _BLOCK_START.finditer(text):
        indent, indicators = match.group(1), match.group(2)
        if indent or indicators:
            block = max(block, len(indent) + 1 + indicators.count("-") + indicators.count("?")
                        + indicators.count(":"))  # fmt: skip
    return flow + block


def _structure(text: str) -> tuple[int, int]:
    """(deepest nesting, number of aliases) of the YAML in ``text``, exactly.

    Read from the parser's events, which build nothing: composing a document
    nested thousands deep overflows the C stack of libyaml's loader.
    """
    depth = deepest = aliases = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_NESTING:
                    break
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    break
    except yaml.YAMLError as exc:
        # libyaml 0.2.5 (PyYAML 6.0.4 wheels) stops at its own depth limit, before
        # the events reach that depth; any other error is reported by loading it.
        if "nesting depth" in str(getattr(exc, "problem", "") or ""):
            deepest = max(deepest, MAX_NESTING + 1)
    return deepest, aliases


def _scalar(value: Any) -> str | None:
    """A front matter value as one line of text, or None if it is not a scalar."""
    if type(value) is str:  # nearly every value: one test before the general ones
        return clean_line(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)) or hasattr(value, "isoformat"):
        return clean_line(str(value))
    return None


class _Fields:
    """Reads typed fields out of front matter, recording odd types as warnings."""

    def __init__(self, data: dict[Any, Any], path: str, problems: list[Problem]):
        self.data = data
        self.path = path
        self.problems = problems

    def text(self, name: str) -> str:
        value = self.data.get(name)
        result = _scalar(value)
        if result is None:
            if isinstance(value, list) and all(_scalar(v) is not None for v in value):
                return ", ".join(_scalar(v) or "" for v in value)
            self.problems.append(
                Problem(
                    self.path,
                    f"field '{name}' is a {type(value).__name__}, not text; ignored",
                    severity=Severity.WARNING,
                )
            )
            return ""
        return result


def _keywords(data: dict[Any, Any]) -> str:
    seo = data.get("seo")
    raw = seo.get("page_keywords") if isinstance(seo, dict) else None
    if raw is None:
        raw = data.get("keywords")
    if isinstance(raw, list):
        parts = [_scalar(v) or "" for v in raw]
        return ", ".join(p for p in parts if p)
    return _scalar(raw) or ""


def _related(data: dict[Any, Any], path: str, problems: list[Problem]) -> list[RelatedLink]:
    numbered: list[tuple[int, Any]] = []
    for name, value in data.items():
        # startswith first: a C-level test, where most keys would cost a regex match
        match = str(name).startswith("related_article") and _RELATED.match(str(name))
        if match:
            digits = match.group(1)
            # The number is the link's position, an SQLite integer: a larger one would
            # stop the whole catalog's write (and int() refuses 4,300 digits and more).
            if len(digits) > 19 or int(digits) > MAX_POSITION:
                problems.append(
                    Problem(
                        path,
                        f"related_article{digits[:40]}{'…' if len(digits) > 40 else ''}: "
                        "the number is too large; ignored",
                        severity=Severity.WARNING,
                    )
                )
                continue
            numbered.append((int(digits), value))
    numbered.sort(key=lambda item: item[0])
    links: list[RelatedLink] = []
    seen: set[tuple[str, str, str]] = set()
    for number, value in numbered:
        if not isinstance(value, dict):
            problems.append(
                Problem(
                    path,
                    f"related_article{number} is not a mapping of id, title, subject and url; "
                    "ignored",
                    severity=Severity.WARNING,
                )
            )
            continue
        get = value.get
        link_id, title, subject, url = (
            _scalar(get("id")), _scalar(get("title")), _scalar(get("subject")), _scalar(get("url"))
        )  # fmt: skip
        if link_id is None or title is None or subject is None or url is None:
            problems.append(
                Problem(
                    path,
                    f"related_article{number} has a field that is not text; ignored",
                    severity=Severity.WARNING,
                )
            )
            continue
        if not (link_id or title or url):
            problems.append(
                Problem(
                    path,
                    f"related_article{number} has no id, title or url; ignored",
                    severity=Severity.WARNING,
                )
            )
            continue
        ident = (url, link_id, title)
        if ident in seen:
            continue  # repeated links are common in real content
        seen.add(ident)
        links.append(RelatedLink(number, link_id, title, subject, url))
    return links


def _plain_article(text: str, path: str) -> Article | None:
    lines = [line.rstrip(" \t\u00a0") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    # Drop the trailing block of scraped page chrome.
    while lines and (not lines[-1].strip() or lines[-1].strip().casefold() in _CHROME):
        lines.pop()
    start = next((i for i, line in enumerate(lines) if clean_line(line)), None)
    if start is None:
        return None
    title = clean_line(_HEADING.sub("", lines[start].strip()))
    body_lines = [line for line in lines[start + 1 :] if clean_line(line) != title]
    body = clean_text("\n".join(body_lines)).strip("\n")
    # Scraped text breaks paragraphs with blank lines; collapse long runs.
    body = re.sub(r"\n{3,}", "\n\n", body)
    return Article(
        key=path,
        path=path,
        title=title,
        answer=body,
        subject=_subject_from_path(path),
        kind="plain",
    )


def _load_yaml(front: str, path: str) -> tuple[Any, ParseResult | None]:
    """(front matter loaded by PyYAML, None), or (None, the result saying why it cannot be)."""
    # Aliases need an anchor ("&name") to refer to, so most files skip the count.
    many_aliases = "&" in front and _alias_count(front) > MAX_ALIASES
    if many_aliases or _nesting_depth(front) > MAX_NESTING:
        # The cheap counts can only overestimate: look closer before refusing.
        depth, aliases = _structure(front)
        reason = None
        if aliases > MAX_ALIASES:
            reason = f"the front matter uses more than {MAX_ALIASES} YAML aliases"
        elif depth > MAX_NESTING:
            reason = f"the front matter is nested deeper than {MAX_NESTING} levels"
        if reason:
            return None, ParseResult(None, [Problem(path, reason, line=1)])
    try:
        return yaml.load(front, Loader=_Loader), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 2 if mark is not None else None  # +1 for 1-based, +1 for '---'
        what = (exc.problem or "invalid YAML").strip()
        return None, ParseResult(
            None, [Problem(path, f"the front matter is not valid YAML: {what}", line)]
        )
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, ParseResult(
            None,
            [Problem(path, f"the front matter is not valid YAML: {clean_line(reason)[:120]}", 1)],
        )


def parse_text(text: str, path: str) -> ParseResult:
    """Parse decoded text of the file at ``path`` (relative to the library)."""
    problems: list[Problem] = []
    if not text.strip():
        return ParseResult(None, [Problem(path, "the file is empty")])
    if "\x00" in text[:8192]:
        return ParseResult(None, [Problem(path, BINARY)])
    try:
        front, body, _body_line = _split_front_matter(text)
    except _Unclosed:
        return ParseResult(
            None, [Problem(path, "the front matter opened by '---' is never closed", line=1)]
        )
    if front is None:
        article = _plain_article(text, path)
        if article is None:
            return ParseResult(None, [Problem(path, "the file has no text")])
        return ParseResult(article, problems)

    # Nearly every file has the same simple front matter: read it without PyYAML.
    data = load_simple(front)
    if data is None:
        data, failed = _load_yaml(front, path)
        if failed is not None:
            return failed
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        return ParseResult(
            None, [Problem(path, f"the front matter is {kind}, not a mapping of fields", line=1)]
        )

    fields = _Fields(data, path, problems)
    answer_raw = data.get("answer")
    if answer_raw is not None and not isinstance(answer_raw, str):
        answer_raw = _scalar(answer_raw)
        if answer_raw is None:
            problems.append(
                Problem(path, "field 'answer' is not text; ignored", severity=Severity.WARNING)
            )
    answer = clean_text(decode_newlines(answer_raw)).strip() if answer_raw else ""
    if may_hold_html(answer):  # a few answers, most posts: their HTML becomes Markdown
        answer = html_to_markdown(answer).strip()
    kind = "quicktakes"
    if not answer:
        body_text = "" if _NBSP_BODY.match(body) else clean_text(body).strip()
        if may_hold_html(body_text):
            body_text = html_to_markdown(body_text).strip()
        if not body_text:
            return ParseResult(
                None, [*problems, Problem(path, "the article has no answer and no body")]
            )
        answer = body_text
        kind = "post"

    question = fields.text("question")
    title = fields.text("title") or fields.text("article_title") or question
    if not title:
        title = humanise(clean_line(PurePosixPath(path).stem)) or clean_line(path)
    url = fields.text("url")
    subject = fields.text("subject") or _subject_from_path(path)
    date_value = data.get("date")
    if isinstance(date_value, (list, dict)):  # never str() it: an alias bomb would not end
        problems.append(
            Problem(path, "field 'date' is not a date; ignored", severity=Severity.WARNING)
        )
        date_value = None
    date_shown, date_sort = display_date(date_value, fields.text("date_format") or None)
    date_shown = clean_line(date_shown)
    no_index = data.get("no_index")
    article = Article(
        key=url or path,
        path=path,
        title=title,
        answer=answer,
        subject=subject,
        id=fields.text("id"),
        question=question,
        date=date_shown,
        date_sort=date_sort,
        author=fields.text("author"),
        url=url,
        keywords=_keywords(data),
        kind=kind,
        is_stub=no_index is True or (isinstance(no_index, str) and no_index.lower() == "true"),
        links=_related(data, path, problems),
    )
    article.links = [link for link in article.links if not _is_self_link(link, article)]
    return ParseResult(article, problems)


def _is_self_link(link: RelatedLink, article: Article) -> bool:
    if link.url:
        return bool(article.url) and link.url == article.url
    return bool(link.id) and link.id == article.id and link.title == article.title


def parse_bytes(data: bytes, path: str) -> ParseResult:
    """Parse raw file bytes. Never raises for bad content."""
    text, warning = decode_bytes(data)
    if "\x00" in text[:8192]:  # binary: how it failed to decode does not matter
        return ParseResult(None, [Problem(path, BINARY)])
    try:
        result = parse_text(text, path)
    except RecursionError:
        return ParseResult(None, [Problem(path, "the front matter is nested too deeply")])
    if warning:
        result.problems.insert(0, Problem(path, warning, severity=Severity.WARNING))
    return result


class _NotRegular(Exception):
    """The name opened was not a regular file at that moment (a FIFO, a device...)."""

    def __init__(self, mode: int):
        super().__init__(mode)
        self.mode = mode


# O_NONBLOCK: opening a FIFO for reading waits for a writer, forever if none comes;
# this way the open returns at once and fstat tells what was opened. It changes
# nothing for a regular file. O_NOCTTY: a terminal never becomes ours.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY


def _read_bytes(full: str | bytes) -> bytes:
    """The file's bytes, or its first ``MAX_FILE_BYTES + 1`` when it is larger.

    Raises _NotRegular for anything but a regular file: only what was opened counts,
    since the name may have been swapped for a FIFO since the scan listed it."""
    # Sized by fstat: read(MAX_FILE_BYTES + 1) allocates 16 MB for every file of a
    # few KB, which cost a cold index 40-100 us a file.
    fd = os.open(full, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular(info.st_mode)
        want = min(info.st_size, MAX_FILE_BYTES) + 1
        parts = []
        total = 0
        while total <= MAX_FILE_BYTES:  # to the end: the file may have grown since
            part = os.read(fd, want - total if total < want else MAX_FILE_BYTES + 1 - total)
            if not part:
                break
            parts.append(part)
            total += len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(fd)


def read_article(root: str, path: str) -> ParseResult:
    """Read and parse ``root/path``; a file that vanished or cannot be read is a problem.

    ``path`` is as the scan lists it: a name that is not UTF-8 is escaped there
    (scan.escape_name), and read here by its own bytes."""
    try:
        data = _read_bytes(fs_path(root, path))
    except FileNotFoundError:
        return ParseResult(None, [Problem(path, "the file disappeared while the library was read")])
    except IsADirectoryError:
        return ParseResult(None, [Problem(path, "this is a folder, not a file")])
    except _NotRegular as exc:
        if stat.S_ISDIR(exc.mode):
            return ParseResult(None, [Problem(path, "this is a folder, not a file")])
        return ParseResult(None, [Problem(path, "not a regular file; skipped")])
    except OSError as exc:
        return ParseResult(None, [Problem(path, f"the file cannot be read: {exc.strerror or exc}")])
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        return ParseResult(None, [Problem(path, f"the file is larger than {limit} MB")])
    return parse_bytes(data, path)
