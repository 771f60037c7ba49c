"""Reading the catalog back: list rows, whole articles with their links, subjects,
problems, and the article a reference names."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from ..links import library_links
from ..models import Article, ArticleRow, Problem, RelatedLink, Severity
from ..text import clean_line, is_utf8
from .codec import unpack
from .records import title_sort_key
from .results import UNREADABLE, SubjectCount
from .schema import ARTICLE_COLUMNS
from .storage import Store


class _StoredArticle(NamedTuple):
    """A row of ``_ARTICLE_SQL``: the articles table's columns, then two more."""

    rowid: int
    path: str
    key: str
    id: str
    title: str
    question: str
    keywords: str
    subject: str
    subject_key: str
    date: str
    date_sort: str
    author: str
    url: str
    kind: str
    is_stub: int
    title_sort: str
    grp: int | None
    subject_name: str  # the subject's most common spelling
    answer: bytes  # packed


assert _StoredArticle._fields[: len(ARTICLE_COLUMNS)] == ARTICLE_COLUMNS
_ARTICLE_SQL = (
    f"SELECT {', '.join('a.' + c for c in ARTICLE_COLUMNS)}, coalesce(s.name, a.subject), "
    "t.answer FROM articles a JOIN answers t ON t.rowid = a.rowid "
    "LEFT JOIN subjects s ON s.key = a.subject_key WHERE a.rowid = ?"
)


def count(store: Store, include_stubs: bool) -> int:
    # From the per-subject totals each refresh keeps: counting 150,000 rows takes
    # ~7 ms, and the reader asks after every search.
    total = "sum(count)" if include_stubs else "sum(count - stubs)"
    ((n,),) = store.query(f"SELECT coalesce({total}, 0) FROM subjects")
    return n


def subjects(store: Store, include_stubs: bool) -> list[SubjectCount]:
    shown = "count" if include_stubs else "count - stubs"
    found = store.query(
        f"SELECT key, name, {shown} FROM subjects WHERE {shown} > 0 ORDER BY name COLLATE NOCASE"
    )
    return [SubjectCount(key, name, n) for key, name, n in found]


def problems(store: Store) -> list[Problem]:
    rows = store.query("SELECT path, line, reason, severity FROM problems ORDER BY path, rowid")
    return [Problem(path, reason, line, Severity(sev)) for path, line, reason, sev in rows]


def unreadable_folders(store: Store) -> int:
    """How many folders the last refresh could not list (their articles are kept)."""
    (count,) = store.query(
        "SELECT count(*) FROM problems WHERE path LIKE '%/' AND severity = ? "
        "AND instr(reason, ?) > 0",
        (Severity.ERROR.value, UNREADABLE),
    )[0]
    return int(count)


def problem_count(store: Store) -> tuple[int, int]:
    """(files skipped, files with warnings)."""
    rows = store.query("SELECT severity, count(DISTINCT path) FROM problems GROUP BY severity")
    counts = dict(rows)
    return counts.get("error", 0), counts.get("warning", 0)


# How many articles ask the question of article ``a``: its title group's count if it
# has versions, else one.
_VERSIONS_SQL = "coalesce((SELECT v.count FROM versioned v WHERE v.grp = a.grp), 1)"


def rows(store: Store, rowids: Sequence[int]) -> list[ArticleRow]:
    """List rows for these ids, in the order given."""
    if not rowids:
        return []
    found: dict[int, ArticleRow] = {}
    ids = list(rowids)
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        for rowid, key, title, subject, date, stub, date_sort, versions in store.query(
            "SELECT a.rowid, a.key, a.title, coalesce(s.name, a.subject), a.date, a.is_stub, "
            f"a.date_sort, {_VERSIONS_SQL} "
            f"FROM articles a LEFT JOIN subjects s ON s.key = a.subject_key "
            f"WHERE a.rowid IN ({marks})",
            part,
        ):
            found[rowid] = ArticleRow(
                rowid, key, title, subject, date, bool(stub), date_sort, versions
            )
    return [found[r] for r in ids if r in found]


def versions(store: Store, rowid: int) -> list[ArticleRow]:
    """Every article asking the question of article ``rowid`` (its title group), itself
    included: newest first, then by subject; [] when there is no such article."""
    found = store.query("SELECT grp FROM articles WHERE rowid = ?", (rowid,))
    if not found:
        return []
    ((group,),) = found
    if group is None:
        return rows(store, [rowid])
    ids = store.query(
        "SELECT v.rowid FROM articles v LEFT JOIN subjects s ON s.key = v.subject_key "
        "WHERE v.grp = ? ORDER BY v.date_sort DESC, coalesce(s.name, v.subject) COLLATE NOCASE, "
        "v.rowid",
        (group,),
    )
    return rows(store, [r for (r,) in ids])


def article(store: Store, rowid: int) -> Article | None:
    """The whole article, with its related links and backlinks."""
    found = store.query(_ARTICLE_SQL, (rowid,))
    if not found:
        return None
    a = _StoredArticle._make(found[0])
    result = Article(
        rowid=a.rowid, path=a.path, key=a.key, id=a.id, title=a.title, question=a.question,
        answer=unpack(a.answer), keywords=a.keywords, subject=a.subject_name, date=a.date,
        date_sort=a.date_sort, author=a.author, url=a.url, kind=a.kind, is_stub=bool(a.is_stub),
    )  # fmt: skip
    result.links.extend(_related_links(store, rowid))
    result.backlinks.extend(_backlinks(store, rowid))
    result.unreachable = unreachable(store, a.path)
    return result


def unreachable(store: Store, path: str) -> str:
    """Why the file at ``path`` cannot be read now: the problem of a folder on its way
    that the last refresh could not list (indexing.Indexer._trouble_problems), if any;
    else "". The folders are looked up by path: a few indexed reads."""
    parts = path.split("/")[:-1]
    folders = ["./", *("/".join(parts[: n + 1]) + "/" for n in range(len(parts)))]
    found = store.query(
        f"SELECT path, reason FROM problems WHERE path IN ({','.join('?' * len(folders))}) "
        f"AND severity = ? AND instr(reason, ?) > 0 ORDER BY length(path) LIMIT 1",
        (*folders, Severity.ERROR.value, UNREADABLE),
    )
    if not found:
        return ""
    folder, reason = found[0]
    said = reason.split(";", 1)[0]  # "the folder cannot be read (why)"
    if folder != "./":  # a folder's name can hold control characters
        said = said.replace("the folder", f"the folder {clean_line(folder)}", 1)
    return said


def _related_links(store: Store, rowid: int) -> list[RelatedLink]:
    """An article's related links in order, without self links and repeats."""
    links = []
    seen: set[object] = set()
    for position, lid, title, subject, url, target, t_key, t_title, t_subject in store.query(
        "SELECT l.position, l.id, l.title, l.subject, l.url, l.target, t.key, t.title, "
        "coalesce(s.name, t.subject) FROM links l LEFT JOIN articles t ON t.rowid = l.target "
        "LEFT JOIN subjects s ON s.key = t.subject_key WHERE l.src = ? ORDER BY l.position",
        (rowid,),
    ):
        if target == rowid:
            continue  # a self link
        ident = target if target is not None else (url, lid, title)
        if ident in seen:
            continue
        seen.add(ident)
        links.append(
            RelatedLink(position, lid, title or t_title or "", t_subject or subject, url, t_key)
        )
    return links


def _backlinks(store: Store, rowid: int) -> list[RelatedLink]:
    """The articles that link to this one, in title order."""
    return [
        RelatedLink(n, bid, title, subject, url, key)
        for n, (key, bid, title, subject, url) in enumerate(
            store.query(
                "SELECT DISTINCT a.key, a.id, a.title, coalesce(s.name, a.subject), a.url "
                "FROM links l JOIN articles a ON a.rowid = l.src "
                "LEFT JOIN subjects s ON s.key = a.subject_key "
                "WHERE l.target = ? AND l.src != ? ORDER BY a.title_sort",
                (rowid, rowid),
            ),
            start=1,
        )
    ]


def _rowid(store: Store, sql: str, params: Sequence[object]) -> int | None:
    """The rowid that ``sql`` selects first, if any."""
    rowid: int | None = store.value(sql, params)
    return rowid


def rowid_for_key(store: Store, key: str) -> int | None:
    return _rowid(store, "SELECT rowid FROM articles WHERE key = ? LIMIT 1", (key,))


def find(store: Store, ref: str) -> int | None:
    """Resolve a reference typed by a user: a key or url, an id, a file path or a title."""
    for kind in _lookups(store.root, ref):
        for sql, params in kind:
            rowid = _rowid(store, f"{sql} LIMIT 1", params)
            if rowid is not None:
                return rowid
    return None


def find_all(store: Store, ref: str) -> list[int]:
    """Every article a reference names, ``find``'s pick first: the first kind of
    look-up that finds anything (key or url, id, file path, title, as ``find`` tries
    them) gives all it finds, each article once. Copies under two subjects share an id,
    a page kept under its full url and its site-relative one is two articles, and
    articles share titles; a path names one file."""
    for kind in _lookups(store.root, ref):
        found: dict[int, None] = {}
        for sql, params in kind:
            found.update((rowid, None) for (rowid,) in store.query(sql, params))
        if found:
            return list(found)
    return []


def _storable(text: str) -> bool:
    """Whether ``text`` can be looked up: the catalog holds UTF-8, and bytes that were
    not UTF-8 (kept by Python as lone surrogates, from argv say) cannot be bound."""
    return is_utf8(text)


_Lookup = tuple[str, tuple[str, ...]]  # a query selecting rowids, best first; its values

# A title in any case of its ASCII letters (SQLite's NOCASE), found through the index
# of the titles' sort keys: titles equal but for the case of ASCII letters have one
# sort key (records.title_sort_key folds case after stripping leading punctuation),
# and is_stub is 0 or 1. The index of titles cannot serve a NOCASE comparison (it
# orders them as written): that was a scan of 150,000 titles, 10-16 ms.
_TITLE_SQL = (
    "SELECT rowid FROM articles WHERE is_stub IN (0, 1) AND title_sort = ? "
    "AND title = ? COLLATE NOCASE ORDER BY title, rowid"
)


def _lookups(root: Path, ref: str) -> Iterator[list[_Lookup]]:
    """The queries that may find ``ref``, by kind in the order tried: key or url, id,
    file path and title. Each is one search of an index of the articles table."""
    ref = ref.strip()
    if not ref or not _storable(ref):
        return
    candidates = [ref]
    if ref.startswith(("http://", "https://")):
        # A full link to the site: the library keeps site-relative urls.
        after = ref.split("://", 1)[1]
        candidates.append("/" + after.split("/", 1)[1] if "/" in after else "/")
    yield [
        (f"SELECT rowid FROM articles WHERE {column} = ?", (candidate,))
        for candidate in candidates
        for column in ("key", "url")
    ]
    yield [("SELECT rowid FROM articles WHERE id = ? ORDER BY is_stub, rowid", (ref,))]
    rel = _library_path(root, ref)  # only looked at when the above found nothing
    if rel:
        yield [("SELECT rowid FROM articles WHERE path = ?", (rel,))]
    yield [(_TITLE_SQL, (title_sort_key(ref), ref))]


def _library_path(root: Path, ref: str) -> str | None:
    """``ref`` as a file path relative to the library ``root``, if it can be one (a
    name too long for the system, say, cannot)."""
    path = Path(ref)
    try:
        if path.is_absolute():
            return path.resolve().relative_to(root).as_posix()
        rel = path.as_posix()
        if not (root / rel).exists() and path.exists():
            return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return None
    return rel


def answer_links(store: Store, article: Article) -> list[RelatedLink]:
    """The links of an article's answer that point into the library, resolved."""

    def resolve(href: str) -> tuple[str, str, str] | None:
        rowid = find(store, href)
        if rowid is None:
            return None
        row = rows(store, [rowid])[0]
        return row.key, row.title, row.subject

    return library_links(article.answer, resolve)


def find_by_id_title(store: Store, id_: str, title: str) -> int | None:
    """A bookmark's article after its url changed: same id and title, else same title."""
    if id_ and title:
        rowid = _rowid(
            store, "SELECT rowid FROM articles WHERE id = ? AND title = ? LIMIT 1", (id_, title)
        )
        if rowid is not None:
            return rowid
    if title:
        return _rowid(store, "SELECT rowid FROM articles WHERE title = ? LIMIT 1", (title,))
    return None


def subject_name(store: Store, key: str) -> str | None:
    name: str | None = store.value("SELECT name FROM subjects WHERE key = ?", (key,))
    return name
