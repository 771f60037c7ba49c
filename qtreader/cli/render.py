"""``qtreader show`` in a terminal: the article rendered as the reader renders it, and
paged when it is longer than the screen.

The article is drawn by Rich's Markdown with its math as Unicode (the reader's
``render_math``), under its title, metadata and question, and over its keywords and
its three lists of links, each with its subject or marked "not in this library", as
the reader lists them; a bookmarked article has the reader's star before its title and
its bookmark's note under the metadata. (HTML posts are Markdown already: the parser turned their HTML
into Markdown, as the reader shows them.) The column is as wide as the terminal, at
most ``column_width``.

Nothing from the content reaches the terminal as a control character: every piece of
text is escaped before Rich sees it (``\\x1b``, as every command shows controls), and
what Rich renders is filtered again, so that only its own colour and style sequences
(SGR) pass; a Markdown entity (``&#13;``) cannot bring a control back.

Paging is git's: ``$PAGER``, else ``less -R``; ``LESS=FRX`` when ``LESS`` is not set;
no pager when ``PAGER`` is empty or ``cat``. A pager that cannot start is said in one
line on stderr and the article is printed instead.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.text import Text

from ..library.mathtext import has_math, render_math
from ..library.models import Article, LinkStatus, RelatedLink
from ..library.text import first_part
from .common import escaped, say

__all__ = ["page", "render_article", "screen_size", "show_article"]

DEFAULT_PAGER = "less -R"
# C0 controls but TAB and LF, DEL, C1, and lone surrogates (bytes of a name that was
# not UTF-8): escaped in the content before rendering.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# In what Rich rendered: its style sequences (kept) or any other control (escaped).
_RENDERED = re.compile(r"(\x1b\[[0-9;]*m)|([\x00-\x09\x0b-\x1f\x7f-\x9f])")
_PADDING = re.compile(r" +\n")
# A pager asking for the shell: run through ``sh -c`` rather than split into words.
_SHELL = re.compile(r"[|&;<>()$`*?\[\]#~=\n]")
_NOT_STARTED = (126, 127)  # the shell's "cannot execute" and "not found"
# Rich renders about a megabyte of Markdown in 2 s: a longer answer is rendered in part
# (the reader shows 60,000 characters, and more on a key).
RENDER_CHARS = 1_000_000
_SECTIONS = (("answer", "Links in this answer"), ("related", "Related"), ("backlinks", "Referenced by"))  # fmt: skip


def show_article(
    article: Article,
    answer_links: Sequence[RelatedLink],
    out: TextIO,
    column_width: int,
    *,
    bookmarked: bool = False,
    note: str = "",
) -> None:
    """``article`` rendered for the terminal ``out`` is, paged if it is longer than
    the screen."""
    columns, lines = screen_size(out)
    width = min(columns, column_width)
    text = render_article(article, answer_links, width=width, bookmarked=bookmarked, note=note)
    page(text, out, lines)


def screen_size(out: TextIO) -> tuple[int, int]:
    """The terminal's columns and lines: ``COLUMNS`` and ``LINES`` when set (as a shell
    exports them, and as tests give them), else the size of ``out``'s terminal, else
    80 x 24."""
    try:
        size = os.get_terminal_size(out.fileno())
        columns, lines = size.columns, size.lines
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        columns, lines = 80, 24
    return _env_int("COLUMNS", columns), _env_int("LINES", lines)


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def render_article(
    article: Article,
    answer_links: Sequence[RelatedLink],
    *,
    width: int,
    color: bool = True,
    bookmarked: bool = False,
    note: str = "",
) -> str:
    """``article`` as the terminal shows it, ``width`` columns wide: text with SGR
    sequences (colours, bold; none without ``color``), and no other control. A
    bookmarked article has the reader's star before its title and its bookmark's
    ``note`` under the metadata."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(width, 20),
        force_terminal=True,
        color_system="auto" if color else None,
        legacy_windows=False,
        emoji=False,
        markup=False,
        highlight=False,
    )
    console.print(_article(article, answer_links, bookmarked, note))
    rendered = _RENDERED.sub(_kept_or_escaped, buffer.getvalue())
    return _PADDING.sub("\n", rendered)  # Rich pads lines to the width


def _article(
    article: Article, answer_links: Sequence[RelatedLink], bookmarked: bool, note: str
) -> RenderableType:
    title = ("★ " if bookmarked else "") + _safe(article.title)
    parts: list[RenderableType] = [Text(title, style="bold")]
    meta = _safe(article.meta_line)
    if meta:
        parts.append(Text(meta, style="dim"))
    if bookmarked and note:
        parts.append(Text.assemble(("Note  ", "bold"), _safe(note)))
    if article.question and article.question.strip() != article.title.strip():
        parts.append(Text(_safe(article.question), style="italic"))
    parts.append(Text())
    answer = first_part(article.answer, RENDER_CHARS)
    shown = len(answer)
    answer = _safe(answer)
    if has_math(answer):
        answer = render_math(answer)
    parts.append(Markdown(answer, code_theme="ansi_dark", hyperlinks=False))
    if shown < len(article.answer):
        parts += [
            Text(),
            Text(
                f"This answer is long ({len(article.answer) // 1024:,} KB): the first "
                f"{shown // 1024:,} KB are shown; --markdown prints all of it.",
                style="italic",
            ),
        ]
    if article.keywords:
        parts += [Text(), Text.assemble(("Keywords  ", "bold"), _safe(article.keywords))]
    lists = {"answer": answer_links, "related": article.links, "backlinks": article.backlinks}
    for name, heading in _SECTIONS:
        if lists[name]:
            parts += [Text(), Text(heading, style="bold")]
            parts += [Padding(_link(link), (0, 0, 0, 2)) for link in lists[name]]
    return Group(*parts)


def _link(link: RelatedLink) -> Text:
    """A link as the reader lists it: its title, then its subject or "not in this
    library"."""
    label = Text()
    if link.status is LinkStatus.MISSING:
        label.append("✗ ", style="dim")
        label.append(_safe(link.label))
        label.append(f"  {link.status.value}", style="italic")
    else:
        label.append("→ ", style="bold")
        label.append(_safe(link.label))
        if link.subject:
            label.append(f"  · {_safe(link.subject)}", style="dim")
    return label


def _safe(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\x1b``): seen, and
    harmless."""
    return _CONTROL.sub(lambda m: escaped(m.group()), text)


def _kept_or_escaped(match: re.Match[str]) -> str:
    return match.group(1) or escaped(match.group(2))


# -- paging ------------------------------------------------------------------------------


def page(text: str, out: TextIO, lines: int) -> None:
    """``text`` on ``out``, through the pager when it has more lines than fit above the
    prompt."""
    pager = _pager()
    if pager is None or text.count("\n") < lines:
        out.write(text)
        return
    out.flush()
    if not _run_pager(pager, text, out):
        out.write(text)


def _pager() -> str | None:
    """The pager to run, as git chooses it; None for none."""
    pager = os.environ.get("PAGER")
    if pager is None:
        return DEFAULT_PAGER
    pager = pager.strip()
    return None if pager in ("", "cat") else pager


def _run_pager(pager: str, text: str, out: TextIO) -> bool:
    """Whether ``pager`` ran and was given ``text``; said on stderr when it could not
    start."""
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # quit if one screen, colours, keep the screen
    env.setdefault("LV", "-c")
    try:
        argv = ["/bin/sh", "-c", pager] if _SHELL.search(pager) else shlex.split(pager)
    except ValueError:  # unbalanced quotes: let the shell say what it makes of them
        argv = ["/bin/sh", "-c", pager]
    encoding = getattr(out, "encoding", None) or "utf-8"
    data = text.encode(encoding, "backslashreplace")
    try:
        stdout = out.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        stdout = None  # the pager writes to this process's own stdout
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=stdout, env=env)
    except OSError as exc:
        say(f"the pager {shlex.quote(pager)} could not start ({exc.strerror}); printing")
        return False
    with _sigint_ignored():  # Ctrl+C is the pager's; this process waits for it
        process.communicate(data)  # a pager quit early (``q``): the rest is dropped
    if process.returncode in _NOT_STARTED:
        say(f"the pager {shlex.quote(pager)} could not start (exit {process.returncode}); printing")
        return False
    return True


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
