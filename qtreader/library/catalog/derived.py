"""What a write leaves to do: links pointed at their articles, subjects and the versions
of questions counted again."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class Relink:
    """The articles whose changes a refresh's links must be looked at again for."""

    touched: list[int] = field(default_factory=list)  # articles removed, or renamed
    written: list[int] = field(default_factory=list)  # articles whose links are new
    claims: list[int] = field(default_factory=list)  # articles with a new url, id, title or subject

    def __bool__(self) -> bool:
        return bool(self.touched or self.written or self.claims)


def resolve_links(conn: sqlite3.Connection, relink: Relink | None) -> None:
    """Point links at their articles: by url, else id (same subject first), else title.

    A cold build (``relink`` None) resolves every link. A refresh resolves again only
    the links that can have changed: those written anew, those into articles that went
    away or were renamed, and those naming the url, id or title of an article that is
    new or was renamed or moved to another subject (it may be a better match than the
    one they had, or the first one for a dangling link). Every other link would resolve
    as it did.
    """
    scope = ""
    if relink is not None:
        if not relink:
            return
        _mark_pending(conn, relink)
        conn.execute("UPDATE links SET target = NULL WHERE rowid IN pending")
        scope = " AND rowid IN pending"
    conn.execute(
        "UPDATE links SET target = (SELECT a.rowid FROM articles a WHERE a.url = links.url "
        f"ORDER BY a.rowid LIMIT 1) WHERE target IS NULL AND url != ''{scope}"
    )
    conn.execute(
        # An id can be shared by copies under two subjects: prefer the link's subject.
        "UPDATE links SET target = coalesce("
        "(SELECT a.rowid FROM articles a WHERE a.id = links.id "
        "AND a.subject_key = links.subject_key ORDER BY a.rowid LIMIT 1), "
        "(SELECT a.rowid FROM articles a WHERE a.id = links.id ORDER BY a.rowid LIMIT 1)) "
        f"WHERE target IS NULL AND id != ''{scope}"
    )
    conn.execute(
        "UPDATE links SET target = (SELECT a.rowid FROM articles a WHERE a.title = links.title "
        f"ORDER BY a.rowid LIMIT 1) WHERE target IS NULL AND title != ''{scope}"
    )


def _mark_pending(conn: sqlite3.Connection, relink: Relink) -> None:
    """Fill the temp table ``pending`` with the rowids of the links to resolve again."""
    for table in ("touched", "written", "claims", "pending"):
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}(rowid INTEGER PRIMARY KEY)")
        conn.execute(f"DELETE FROM {table}")
    for table, rowids in (
        ("touched", relink.touched),
        ("written", relink.written),
        ("claims", relink.claims),
    ):
        conn.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?)", [(r,) for r in rowids])
    conn.execute(
        "INSERT OR IGNORE INTO pending SELECT rowid FROM links "
        "WHERE target IN (SELECT rowid FROM touched) "
        "OR src IN (SELECT rowid FROM written)"
    )
    if relink.claims:  # reads every link: only when some article has new names
        conn.execute(
            "INSERT OR IGNORE INTO pending SELECT l.rowid FROM links l "
            "WHERE l.url IN (SELECT url FROM articles WHERE rowid IN claims AND url != '') "
            "OR l.id IN (SELECT id FROM articles WHERE rowid IN claims AND id != '') "
            "OR l.title IN (SELECT title FROM articles WHERE rowid IN claims AND title != '')"
        )


# A refresh that touched more title groups than this counts them all again (45 ms at
# 150,000 articles) rather than each one.
_RECOUNT_GROUPS = 1_000


def count_versions(conn: sqlite3.Connection, touched: set[int] | None) -> None:
    """Keep the versioned table: the title groups of more than one article, counted.
    ``touched``: the groups articles joined or left (None: every group, a first build)."""
    if touched is None or len(touched) > _RECOUNT_GROUPS:
        conn.execute("DELETE FROM versioned")
        conn.execute(
            "INSERT INTO versioned SELECT grp, count(*) FROM articles WHERE grp IS NOT NULL "
            "GROUP BY grp HAVING count(*) > 1"
        )
        return
    for group in sorted(touched):
        ((n,),) = conn.execute("SELECT count(*) FROM articles WHERE grp = ?", (group,))
        if n > 1:
            conn.execute("INSERT OR REPLACE INTO versioned VALUES (?, ?)", (group, n))
        else:
            conn.execute("DELETE FROM versioned WHERE grp = ?", (group,))


def count_subjects(conn: sqlite3.Connection) -> None:
    """Fill the subjects table: each subject's articles and stubs, under the name most
    of its articles spell it with."""
    spellings: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    stubs: Counter[str] = Counter()
    for key, subject, is_stub, n in conn.execute(
        "SELECT subject_key, subject, is_stub, count(*) FROM articles "
        "GROUP BY subject_key, subject, is_stub"
    ):
        spellings.setdefault(key, Counter())[subject] += n
        totals[key] += n
        if is_stub:
            stubs[key] += n
    rows = [
        (key, _most_common(counter), totals[key], stubs[key]) for key, counter in spellings.items()
    ]
    conn.execute("DELETE FROM subjects")
    conn.executemany("INSERT INTO subjects VALUES (?,?,?,?)", rows)


def _most_common(spellings: Counter[str]) -> str:
    """The most common spelling; on a tie, the one with more capitals."""
    return max(spellings, key=lambda name: (spellings[name], sum(c.isupper() for c in name), name))
