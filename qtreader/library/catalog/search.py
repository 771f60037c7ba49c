"""Which articles, in which order: lists by subject, searches planned over the two FTS
indexes, ranking, and hits with snippets."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import replace
from operator import attrgetter
from typing import NamedTuple

from ..query import ParsedQuery, exclusion_expression, fts_expression, parse_query
from .groups import Groups
from .queries import count as count_articles
from .queries import rows
from .results import MARK_END, MARK_START, SearchHit, SearchResult
from .storage import Store

# bm25 weights per FTS column: title, question, answer, keywords, subject.
_WEIGHTS = "10.0, 6.0, 1.0, 4.0, 2.0"
_QUICK_WEIGHTS = "10.0, 6.0, 4.0"  # title, question, keywords
# A search while typing that matches more articles than this lists a screenful in
# title order instead of ranking them all: bm25 over 100,000 rows takes ~40 ms, and
# the ranked full search follows as soon as typing pauses.
RANK_CAP = 20_000
# A full search ranks its matches unless matches x phrases passes this: bm25 costs
# 1-3 us per match and phrase (150,000 articles: one common word 0.44 s, 32 common
# words 4.4 s, measured), and a search of many common words, matching most of the
# library, is listed in title order instead (0.3-0.5 s, the count included). One or
# two phrases never pass it below 200,000 articles: no count is made for them.
RANK_BUDGET = 400_000


# The orders a list or a search can be in: "relevance" is a search's rank (a list of
# every article has none: it is in title order), "newest" by the article's date.
SORTS = ("relevance", "newest", "title")
_ORDER_SQL = {"newest": "a.date_sort DESC, a.title_sort", "title": "a.title_sort"}


class _Match(NamedTuple):
    rowid: int
    title_sort: str
    date_sort: str


def _order_sql(sort: str) -> str:
    """The ORDER BY of a list in ``sort`` order (title order for "relevance")."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: one of {', '.join(SORTS)}")
    return _ORDER_SQL.get(sort, _ORDER_SQL["title"])


def filters(
    subject: str | None, include_stubs: bool, subject_prefixes: list[str]
) -> tuple[str, list[object]]:
    """The WHERE clause (on ``articles a``) and its parameters for these filters."""
    clauses: list[str] = []
    params: list[object] = []
    if subject is not None:
        clauses.append("a.subject_key = ?")
        params.append(subject)
    if not include_stubs:
        clauses.append("a.is_stub = 0")
    if subject_prefixes:
        ors = []
        for key in subject_prefixes:
            # A prefix as a range, so the subject index serves it (LIKE cannot).
            ors.append("(a.subject_key >= ? AND a.subject_key < ?)")
            params.extend([key, key + "\U0010ffff"])
        clauses.append("(" + " OR ".join(ors) + ")")
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def list_rowids(
    store: Store,
    subject: str | None,
    include_stubs: bool,
    sort: str = "title",
    groups: Groups | None = None,
) -> array:
    """Every article (of a subject) in ``sort`` order (title order for "relevance"), as
    row ids; with ``groups``, each question once (the first of its versions listed)."""
    where, params = filters(subject, include_stubs, [])
    order = _order_sql(sort)
    # A subject's articles are read from the subject index and sorted: left to itself,
    # SQLite walked every article by date to list a subject newest first (373 ms
    # against 11 for the largest subject of 150,000 articles, measured).
    source = "articles a" if subject is None else "articles a INDEXED BY articles_subject"
    rowids = store.rowids(f"SELECT a.rowid AS id FROM {source} {where} ORDER BY {order}", params)
    return groups.collapse(rowids).rowids if groups else rowids


def _text_of(table: str) -> str:
    """The text of article ``a`` that ``table`` indexes, for holds() (query.literals)."""
    short = "a.title || ' ' || a.question || ' ' || a.keywords"
    if table == "quick":
        return short
    answer = "unzip((SELECT answer FROM answers WHERE rowid = a.rowid))"
    return f"{short} || ' ' || a.subject || ' ' || {answer}"


def _literal_clauses(parsed: ParsedQuery, table: str) -> tuple[list[str], list[object]]:
    """Clauses on article ``a`` for the words with symbols (see query.literals): each
    of ``literals`` held, none of ``unwanted``. The text is read only for the articles
    the index found (those with a "c", for "C++")."""
    text = _text_of(table)
    clauses = [f"holds({text}, ?)" for _ in parsed.literals]
    params: list[object] = [*parsed.literals]
    for words, literal in parsed.unwanted:
        clauses.append(
            f"a.rowid NOT IN (SELECT a.rowid FROM {table} CROSS JOIN articles a "
            f"ON a.rowid = {table}.rowid WHERE {table} MATCH ? AND holds({text}, ?))"
        )
        params.extend([fts_expression(ParsedQuery(include=[words])), literal])
    return clauses, params


def search(
    store: Store,
    text: str,
    subject: str | None,
    include_stubs: bool,
    quick: bool,
    typing: bool,
    limit: int | None,
    sort: str = "relevance",
    groups: Groups | None = None,
) -> SearchResult:
    """Articles matching ``text``, best first (see Catalog.search); with ``groups``,
    each question once: its best-ranked version (the first in ``sort`` order)."""
    if not groups:
        return _search(store, text, subject, include_stubs, quick, typing, limit, sort)
    if not limit:
        result = _search(store, text, subject, include_stubs, quick, typing, None, sort)
        rowids, articles, _ = groups.collapse(result.rowids)
        return replace(result, rowids=rowids, articles=articles)
    # A few more rows than asked for, as versions are left out (11% of a real library's
    # articles have some); more again while versions still leave the limit unfilled.
    fetch = limit + limit // 4 + 8
    while True:
        result = _search(store, text, subject, include_stubs, quick, typing, fetch, sort)
        rowids, articles, more = groups.collapse(result.rowids, limit)
        if len(rowids) >= limit or not result.truncated:
            truncated = more or result.truncated
            return replace(result, rowids=rowids, articles=articles, truncated=truncated)
        fetch *= 4


def _search(
    store: Store,
    text: str,
    subject: str | None,
    include_stubs: bool,
    quick: bool,
    typing: bool,
    limit: int | None,
    sort: str = "relevance",
) -> SearchResult:
    """Articles matching ``text``, best first, every version of a question."""
    order = _order_sql(sort)
    parsed = parse_query(text, typing=typing)
    where, params = filters(subject, include_stubs, parsed.subjects)
    table = "quick" if quick else "fts"
    literal_clauses, literal_params = _literal_clauses(parsed, table)
    if literal_clauses:
        where = (where + " AND " if where else "WHERE ") + " AND ".join(literal_clauses)
        params.extend(literal_params)
    if not parsed.include:
        return _exclusions_only(store, parsed, table, where, params, limit, order)
    extra = where.replace("WHERE", "AND", 1) if where else ""
    # A last word of one or two letters, while typing, is the prefix of thousands of
    # words: only the quick index has prefix indexes to look it up at once.
    short_prefix = parsed.prefix_last and len(parsed.include[-1][-1]) < 3
    lone_short_prefix = short_prefix and len(parsed.include) == 1
    expr = fts_expression(parsed)
    if short_prefix and not quick:
        # The full index has no prefix index: the last word matches as a prefix in
        # the short fields, or as a whole word anywhere ("vitamin d" still finds a
        # "d" in an answer). Exclusions still look at the whole text.
        either = (
            "(a.rowid IN (SELECT rowid FROM quick WHERE quick MATCH ?) "
            "OR a.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?))"
        )
        either_params = [
            fts_expression(ParsedQuery(include=parsed.include[-1:], prefix_last=True)),
            fts_expression(ParsedQuery(include=parsed.include[-1:])),
        ]
        if lone_short_prefix:
            return _short_prefix_alone(
                store, parsed, where, params, either, either_params, limit, order
            )
        extra += f" AND {either}"
        params.extend(either_params)
        expr = fts_expression(ParsedQuery(include=parsed.include[:-1], exclude=parsed.exclude))
    # A lone one- or two-letter prefix matches most of a large library; ranking all
    # of it costs more than it is worth, so those list in title order. So does any
    # search while typing (``limit``) that matches more than RANK_CAP articles.
    ranked = not lone_short_prefix and sort == "relevance"
    if ranked and limit and table == "quick":
        ((matches,),) = store.query("SELECT count(*) FROM quick WHERE quick MATCH ?", [expr])
        ranked = matches <= RANK_CAP
    elif ranked:
        ranked = _within_budget(store, table, expr, len(parsed.include) + len(parsed.exclude))
    exact = _exact_expression(parsed) if ranked else None
    rowids = _matching(store, table, expr, extra, params, ranked, limit, sort, exact)
    return SearchResult(rowids, parsed, ranked=ranked, truncated=_truncated(rowids, limit))


def _exact_expression(parsed: ParsedQuery) -> str | None:
    """The words asked for as written, to find in the exact index: the articles whose
    title, question or keywords hold them (not only their stems) rank first. Whole
    words, the last one too while it is typed: "plant" ranks "plant" above "plants"
    in the reader as in the CLI."""
    return fts_expression(ParsedQuery(include=parsed.include))


def _within_budget(store: Store, table: str, expr: str | None, phrases: int) -> bool:
    """Whether ranking the matches of ``expr`` stays within RANK_BUDGET (see there)."""
    if count_articles(store, include_stubs=True) * phrases <= RANK_BUDGET:
        return True  # whatever it matches: no count needed
    ((matches,),) = store.query(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", [expr])
    return bool(matches * phrases <= RANK_BUDGET)


def _matching(
    store: Store,
    table: str,
    expr: str | None,
    extra: str,
    params: list[object],
    ranked: bool,
    limit: int | None,
    sort: str = "relevance",
    exact: str | None = None,
) -> array:
    """The rowids that match ``expr`` in ``table`` and the ``extra`` clauses, by rank
    (the articles that match ``exact`` in the exact index first), or in ``sort``
    order (title order when a search is not ranked)."""
    limit_sql = f" LIMIT {int(limit)}" if limit else ""
    # CROSS JOIN keeps the FTS query as the outer loop: left to itself, SQLite may walk
    # the title index and run the MATCH once per article (seconds for "s").
    join = (
        f"SELECT a.rowid AS id, a.title_sort, a.date_sort FROM {table} CROSS JOIN articles a "
        f"ON a.rowid = {table}.rowid WHERE {table} MATCH ? {extra}"
    )
    if not ranked and limit:
        # A first screenful while typing: any `limit` matches, in title (or date)
        # order. Sorting every match of "s" would cost more than the whole keystroke may.
        found = sorted(
            map(_Match._make, store.query(f"{join}{limit_sql}", [expr, *params])),
            key=attrgetter("title_sort"),
        )
        if sort == "newest":
            found.sort(key=attrgetter("date_sort"), reverse=True)  # stable: titles stay
        return array("q", (m.rowid for m in found))
    order_params: list[object] = []
    if ranked:
        weights = _QUICK_WEIGHTS if table == "quick" else _WEIGHTS
        order = f"bm25({table}, {weights})"
        if exact:
            # One lookup in the small exact index, read once into a list.
            order = f"a.rowid IN (SELECT rowid FROM exact WHERE exact MATCH ?) DESC, {order}"
            order_params.append(exact)
    else:
        order = _order_sql(sort)
    return store.rowids(f"{join} ORDER BY {order}{limit_sql}", [expr, *params, *order_params])


def _exclusions_only(
    store: Store,
    parsed: ParsedQuery,
    table: str,
    where: str,
    params: list[object],
    limit: int | None,
    order: str,
) -> SearchResult:
    """A search with no word to find ("-word", "subject:x"): in title (or date) order."""
    exclusion = exclusion_expression(parsed)
    if exclusion:
        where = (where + " AND " if where else "WHERE ") + (
            f"a.rowid NOT IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"
        )
        params.append(exclusion)
    rowids = _in_order(store, parsed, where, params, limit, order)
    return SearchResult(rowids, parsed, truncated=_truncated(rowids, limit))


def _short_prefix_alone(
    store: Store,
    parsed: ParsedQuery,
    where: str,
    params: list[object],
    either: str,
    either_params: Sequence[object],
    limit: int | None,
    order: str,
) -> SearchResult:
    """A full search for one word of one or two letters: in title order (see search)."""
    clauses = [either]
    params = [*params, *either_params]
    exclusion = exclusion_expression(parsed)
    if exclusion:
        clauses.append("a.rowid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
        params.append(exclusion)
    where = (where + " AND " if where else "WHERE ") + " AND ".join(clauses)
    rowids = _in_order(store, parsed, where, params, limit, order)
    return SearchResult(rowids, parsed, ranked=False, truncated=_truncated(rowids, limit))


def _in_order(
    store: Store,
    parsed: ParsedQuery,
    where: str,
    params: list[object],
    limit: int | None,
    order: str,
) -> array:
    # With a subject: prefix, read the subject's range from its index and sort
    # only those; unguided, SQLite walks every article in title order.
    source = "articles a INDEXED BY articles_subject" if parsed.subjects else "articles a"
    limit_sql = f" LIMIT {int(limit)}" if limit else ""
    return store.rowids(
        f"SELECT a.rowid AS id FROM {source} {where} ORDER BY {order}{limit_sql}", params
    )


def _truncated(rowids: array, limit: int | None) -> bool:
    """Whether a search stopped at its limit: there may be more matches."""
    return bool(limit) and len(rowids) >= (limit or 0)


def hits(store: Store, result: SearchResult, start: int, count: int) -> list[SearchHit]:
    """Rows with snippets for a slice of a search result."""
    rowids = list(result.rowids[start : start + count])
    found = {row.rowid: row for row in rows(store, rowids)}
    snippets: dict[int, str] = {}
    query = result.query
    if query.prefix_last and len(query.include[-1][-1]) < 3:
        # A prefix of one or two letters, in the full index that has no prefix index,
        # reads every word it starts (0.4 s at 5,000 articles): marked as a word.
        query = replace(query, prefix_last=False)
    expr = fts_expression(query)
    if expr and rowids:
        marks = ",".join("?" * len(rowids))
        snippets = dict(
            store.query(
                f"SELECT rowid, snippet(fts, 2, ?, ?, '…', 14) FROM fts "
                f"WHERE fts MATCH ? AND rowid IN ({marks})",
                [MARK_START, MARK_END, expr, *rowids],
            )
        )
    return [
        SearchHit(found[rowid], " ".join((snippets.get(rowid) or "").split()))
        for rowid in rowids
        if rowid in found
    ]
