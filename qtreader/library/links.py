"""Links inside answers: which stay in the reader, which may open a browser, which are refused."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from .models import RelatedLink
from .text import clean_line


class LinkKind(StrEnum):
    LIBRARY = "library"  # a site-relative url: opened in the reader when it is in the library
    WEB = "web"  # http(s): opened in the browser after a confirmation
    REFUSED = "refused"  # javascript:, file:, data: and any other scheme


def classify_url(href: str) -> LinkKind:
    href = href.strip()
    scheme = urlsplit(href).scheme.lower() if ":" in href else ""
    if scheme in ("http", "https"):
        return LinkKind.WEB
    if scheme:
        return LinkKind.REFUSED
    return LinkKind.LIBRARY


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark")


def answer_links(answer: str) -> list[tuple[str, str]]:
    """(label, href) of every Markdown link in an answer, in order, without repeats."""
    if "](" not in answer and "<" not in answer:
        return []
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for token in _md().parse(answer):
        for child in token.children or []:
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if href and href not in seen:
                    seen.add(href)
                    found.append(("", href))
            elif child.type == "text" and found and not found[-1][0]:
                found[-1] = (clean_line(child.content), found[-1][1])
    return found


def library_links(answer: str, resolve) -> list[RelatedLink]:
    """Links of an answer that point into the library, as RelatedLinks: titled with
    the article each leads to (or the link's text, for one not in the library).

    ``resolve(href)`` returns (key, title, subject) for an article, or None.
    """
    out: list[RelatedLink] = []
    for n, (label, href) in enumerate(answer_links(answer), start=1):
        if classify_url(href) is not LinkKind.LIBRARY:
            continue
        target = resolve(href)
        if target is None:
            out.append(RelatedLink(n, "", label or href, "", href, None))
        else:
            key, title, subject = target  # the article's own title: what it leads to
            out.append(RelatedLink(n, "", title or label, subject, href, key))
    return out
