"""Versions of a question: the articles that share a title group (records.title_group),
kept in memory to show each question once in a list or a search."""

from __future__ import annotations

from array import array
from itertools import compress
from typing import NamedTuple

from .schema import VERSIONED_ARTICLES
from .storage import Store


class Collapsed(NamedTuple):
    rowids: array  # one row per question, in the order given
    articles: int  # the rows given that these stand for (every version counted)
    more: bool  # a limit left questions out


class Groups:
    """The articles that share their title group with another, and that group: a few
    per cent of a library (11% of the real one), read once after each write of the
    catalog (see facade.Catalog._groups)."""

    __slots__ = ("of",)

    def __init__(self, of: dict[int, int]):
        self.of = of  # rowid: title group, for the articles that have versions

    @classmethod
    def read(cls, store: Store) -> Groups:
        return cls(dict(store.query(VERSIONED_ARTICLES)))

    def __bool__(self) -> bool:
        return bool(self.of)

    def collapse(self, rowids: array, limit: int | None = None) -> Collapsed:
        """``rowids`` with each question once: the first of its versions in that order
        stands for it (the best ranked, or the first in the list's sort order); the
        others are left out. With ``limit``, at most that many rows."""
        of = self.of
        if limit is not None:
            return self._collapse_some(rowids, limit)
        # Every article of the library may be listed: one pass in C finds where the
        # rows that have versions are, Python's own loop goes over those only, and the
        # list is copied a run between two left out at a time (14 ms at 150,000 rows,
        # against 32 for a filter of the whole list).
        where = compress(range(len(rowids)), map(of.__contains__, rowids))
        shown: set[int] = set()
        left_out: list[int] = []
        for at in where:
            group = of[rowids[at]]
            if group in shown:
                left_out.append(at)
            else:
                shown.add(group)
        if not left_out:
            return Collapsed(rowids, len(rowids), False)
        kept = array("q")
        start = 0
        for at in left_out:
            kept += rowids[start:at]
            start = at + 1
        kept += rowids[start:]
        return Collapsed(kept, len(rowids), False)

    def _collapse_some(self, rowids: array, limit: int) -> Collapsed:
        """The first ``limit`` questions of ``rowids`` (a search's first rows)."""
        of = self.of
        kept = array("q")
        shown: set[int] = set()
        articles = 0
        more = False
        for rowid in rowids:
            group = of.get(rowid)
            if group is not None and group in shown:
                articles += 1  # a version of a question shown
            elif len(kept) >= limit:
                more = True
            else:
                kept.append(rowid)
                articles += 1
                if group is not None:
                    shown.add(group)
        return Collapsed(kept, articles, more)
