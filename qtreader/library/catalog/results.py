"""What the catalog hands back: search results and hits, subject counts, refresh reports."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import ArticleRow
from ..query import ParsedQuery

MARK_START = "\x02"  # brackets a matched word in snippets; content never holds these
MARK_END = "\x03"

Progress = Callable[[int, int], None]  # (files read, files to read)

# In the reason of a folder's problem when the scan could not list it: how the articles
# it held are found to be unreachable (queries.unreachable).
UNREADABLE = "cannot be read"


class CatalogError(Exception):
    """The catalog cannot be opened or written (e.g. the cache dir is unwritable).

    Its message is one line, fit to show a user as it is."""


class CatalogDamaged(CatalogError):
    """The catalog file is damaged inside (SQLite: "database disk image is malformed").

    It is a cache: ``Catalog.rebuild`` makes it anew from the library (the next
    ``Catalog.refresh`` does too). User data lives in other files and is untouched."""


class CatalogUnwritable(CatalogError, OSError):
    """The catalog cannot be written: the disk is full, or the file or its folder is
    read-only. It still answers queries as it was before the refresh that failed.

    An OSError too, as a write that failed for want of room was before it had a name
    of its own (callers that catch OSError still do)."""


class BuildPaused(Exception):
    """Raised by a refresh's progress callback to stop a first build at once (the
    reader quits). The files written so far are kept apart (``<catalog>.partial``),
    never shown as the catalog; the next first build goes on from them, and ends
    with the catalog a build from nothing makes. A refresh of a finished catalog
    stopped this way writes nothing."""


PARTIAL = "partial"  # the meta row of a first build stopped on purpose, kept to go on from


class ResumeRefused(Exception):
    """Raised by a first build that cannot go on from the one kept apart (its files
    changed since): storage starts it again from nothing."""


class QueryError(CatalogError):
    """SQLite refused a search. ``parse_query`` bounds what a query holds, so this is
    not expected; the message is one line, for the count line or stderr."""


@dataclass(frozen=True, slots=True)
class SubjectCount:
    key: str
    name: str
    count: int


@dataclass(slots=True)
class RefreshReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    total: int = 0
    problems: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    repaired: bool = False  # the catalog was found damaged and was built anew
    # Only the paths given were looked at (refresh(paths=...)); False: the whole
    # library was, as asked, or because those paths alone could not say it all.
    scoped: bool = False
    # The folders and links the scan could not or would not enter are not the last
    # refresh's (a folder became unreadable, or readable again): the problems changed.
    trouble_changed: bool = False

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed or self.trouble_changed)


@dataclass(slots=True)
class SearchResult:
    """Matching row ids in display order, and the query as parsed.

    A search grouped by question (``group=True``) has a row per question: ``total``
    counts those rows, ``articles`` the articles they stand for (every version that
    matched). Not grouped, or made by hand, both are the number of rows."""

    rowids: array
    query: ParsedQuery = field(default_factory=ParsedQuery)
    ranked: bool = False
    truncated: bool = False  # stopped at the limit: there may be more matches
    articles: int = -1  # the matching articles the rows stand for (-1: one per row)

    def __post_init__(self) -> None:
        if self.articles < 0:
            self.articles = len(self.rowids)

    @property
    def total(self) -> int:
        """The rows: questions when grouped, else articles."""
        return len(self.rowids)


@dataclass(frozen=True, slots=True)
class SearchHit:
    row: ArticleRow
    snippet: str  # matched words between MARK_START and MARK_END

    def snippet_parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_match) pieces."""
        parts: list[tuple[str, bool]] = []
        rest = self.snippet
        while rest:
            start = rest.find(MARK_START)
            if start == -1:
                parts.append((rest, False))
                break
            end = rest.find(MARK_END, start)
            if end == -1:
                end = len(rest)
            if start:
                parts.append((rest[:start], False))
            parts.append((rest[start + 1 : end], True))
            rest = rest[end + 1 :]
        return parts
