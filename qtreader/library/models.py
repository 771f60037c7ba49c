"""The domain objects: what an article is, its links, and what went wrong reading one."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class LinkStatus(StrEnum):
    RESOLVED = "resolved"
    MISSING = "not in this library"


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """A ``related_articleN`` entry, or a backlink, as the reader shows it."""

    position: int
    id: str
    title: str
    subject: str
    url: str
    target_key: str | None = None  # key of the article it resolves to, if any

    @property
    def status(self) -> LinkStatus:
        return LinkStatus.RESOLVED if self.target_key else LinkStatus.MISSING

    @property
    def label(self) -> str:
        return self.title or self.url or self.id or "(untitled link)"


@dataclass(slots=True)
class Article:
    """One article. ``key`` is its url when present, else its path in the library."""

    key: str
    path: str  # relative to the library root, POSIX separators
    title: str
    answer: str
    subject: str = "Unsorted"
    id: str = ""
    question: str = ""
    date: str = ""  # as shown, per date_format
    date_sort: str = ""  # ISO yyyy-mm-dd, or "" when unknown
    author: str = ""
    url: str = ""
    keywords: str = ""
    kind: str = "quicktakes"  # quicktakes | post | plain
    is_stub: bool = False
    # Why its file cannot be read now (a folder on its way cannot be: it is shown as
    # last read, until the folder is readable again or gone); "" when it can.
    unreachable: str = ""
    links: list[RelatedLink] = field(default_factory=list)
    backlinks: list[RelatedLink] = field(default_factory=list)
    rowid: int | None = None

    @property
    def meta_line(self) -> str:
        """Subject · date · author, and what is special about it (a stub, unreachable)."""
        meta = " · ".join(x for x in (self.subject, self.date, self.author) if x)
        if self.is_stub:
            meta += "  (a stub: the generator could not answer)"
        if self.unreachable:
            meta += f"  — {self.unreachable}: shown as last read"
        return meta


class Severity(StrEnum):
    ERROR = "error"  # the file was skipped
    WARNING = "warning"  # the file was read, something in it was doubtful


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    reason: str
    line: int | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """What a list row needs: a small, cheap summary of an article."""

    rowid: int
    key: str
    title: str
    subject: str
    date: str
    is_stub: bool = False
    date_sort: str = ""  # the date as ISO (YYYY-MM-DD), "" when it could not be read
    versions: int = 1  # articles of the library asking this question, itself included
