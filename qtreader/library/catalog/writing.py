"""A refresh's writes, in one transaction: new articles in bulk, changed ones updated
where they are, removed ones dropped, the FTS indexes kept in step."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence

from ..models import Severity
from ..scan import FileEntry, scan_order_key
from ..text import clean_line
from .derived import Relink, count_subjects, count_versions, resolve_links
from .records import (
    ArticleValues,
    LinkValues,
    ProblemValues,
    Record,
    article_row,
    fts_row,
    quick_row,
)
from .results import BuildPaused
from .schema import (
    AFTER_BULK_FTS,
    ARTICLE_COLUMNS,
    ARTICLE_COLUMNS_SQL,
    BULK_FTS,
    DELETE_EXACT,
    DELETE_FTS,
    DELETE_QUICK,
    FTS_COLUMNS_SQL,
    FTS_SOURCE_COLUMNS,
    GROUPS_FINGERPRINT,
    GROUPS_WRITTEN,
    GRP,
    INDEXES,
    INSERT_ANSWER,
    INSERT_ARTICLE,
    INSERT_EXACT,
    INSERT_FILE,
    INSERT_FTS,
    INSERT_LINK,
    INSERT_PROBLEM,
    INSERT_QUICK,
    LINK_NAME_COLUMNS,
    QUICK_COLUMNS,
    QUICK_COLUMNS_SQL,
    SUBJECT_COLUMNS,
)
from .suggest import respell, spelled, write_spellings

# An article read again, as it is now: its values, links and answer (UTF-8).
_Rewritten = tuple[ArticleValues, list[LinkValues], bytes]
_WORD = re.compile(r"[^\W_]+")
# A refresh that writes more articles than this reads the whole vocabulary again (150 ms
# at 150,000 articles) rather than looking up each of their words.
_WORDS_REREAD = 2_000


class _Pending:
    """The rows of a chunk of files, written together (see Writer._write_pending)."""

    __slots__ = ("answers", "articles", "files", "fts", "in_place", "links", "problems")

    def __init__(self) -> None:
        self.in_place: dict[int, _Rewritten | None] = {}  # rowid: the article now, or None
        self.articles: list[tuple] = []  # new articles' rows, and their other rows:
        self.answers: list[tuple[int, bytes]] = []
        self.links: list[tuple] = []
        self.fts: list[tuple] = []
        self.problems: list[ProblemValues] = []  # and of every file:
        self.files: list[tuple[str, int, int, int | None]] = []


class Writer:
    """Writes one refresh into the catalog: see write."""

    def __init__(self, conn: sqlite3.Connection, cold: bool):
        self.conn = conn
        self.cold = cold  # a first build: the tables start empty
        self._rowid = 0  # the highest rowid in use (new articles are numbered above it)
        self._rewriting: dict[str, int] = {}  # files read again that had an article: its rowid
        self._keys: dict[str, str] = {}  # the key (url) of each article written: its file
        self._relink = Relink()  # what the links need looked at again
        self._subjects_changed = cold  # the subjects table is counted again
        # The title groups an article joined or left (see derived.count_versions);
        # None: all of them.
        self._groups_touched: set[int] | None = None if cold else set()
        # The words of short fields indexed or unindexed (see _words); None: all of them.
        self._words_touched: set[str] | None = None if cold else set()
        self._short_fields_written = 0
        self._pending = _Pending()

    def write(
        self,
        to_read: Sequence[FileEntry],
        removed: Sequence[str],
        known: dict[str, int | None],
        chunks: Iterable[Sequence[tuple[FileEntry, Record]]],
    ) -> None:
        """Write the files ``to_read`` (their records come in ``chunks``, in the same
        order) and remove the ``removed`` ones, in one transaction. ``known``: the
        catalog's files among them, with the rowid of each one's article."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if self.cold:
                self._start_bulk()
                # A first build going on from one stopped on purpose: the urls taken.
                self._keys = dict(conn.execute("SELECT key, path FROM articles"))
            self._clear_old(to_read, removed, known)
            # Each chunk is written as it is parsed: memory stays bounded by a chunk,
            # and the writing overlaps the parsing in the worker processes.
            for chunk in chunks:
                for entry, record in chunk:
                    self._take(entry, record)
                self._write_pending()
            self._finish()
            conn.execute("COMMIT")
        except BuildPaused:
            if not self.cold:
                _roll_back(conn)
                raise
            # The chunks written are kept, whole, for the next first build (storage):
            # progress stops a build between chunks, when nothing is pending.
            assert not self._pending.articles and not self._pending.files
            conn.execute("COMMIT")
            raise
        except BaseException:
            _roll_back(conn)
            raise

    # -- the steps of a write ----------------------------------------------------

    def _start_bulk(self) -> None:
        """Before a cold build: no secondary indexes (made once at the end), big FTS buffers."""
        for name in INDEXES:
            self.conn.execute(f"DROP INDEX IF EXISTS {name}")
        self._fts_config("fts", BULK_FTS)
        self._fts_config("quick", BULK_FTS)
        self._fts_config("exact", BULK_FTS)

    def _clear_old(
        self, to_read: Sequence[FileEntry], removed: Sequence[str], known: dict[str, int | None]
    ) -> None:
        """Take out what the files read again and the removed ones left: their problems
        and file rows, and the articles of removed files. The article of a file read
        again keeps its rowid: it is rewritten where it is."""
        conn = self.conn
        # New articles are numbered above every rowid in use: a rewritten article
        # keeps its rowid, and no new one may take it.
        (self._rowid,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()
        self._rewriting = {
            e.path: rowid for e in to_read if (rowid := known.get(e.path)) is not None
        }
        for path in [*removed, *(e.path for e in to_read if e.path in known)]:
            conn.execute("DELETE FROM problems WHERE path = ?", (path,))
            conn.execute("DELETE FROM files WHERE path = ?", (path,))
        # In rowid order: FTS5 writes its pending terms out as a new segment whenever
        # a rowid is not above the last one, and a hundred tiny segments set off
        # merges of the big ones (seconds, and a bloated file).
        for rowid in sorted(r for p in removed if (r := known[p]) is not None):
            self._drop(rowid)

    def _take(self, entry: FileEntry, record: Record) -> None:
        """Queue one file's rows: its article new, rewritten in place, or gone; its
        problems; its file row. Runs once per file read (150,000 in a cold build)."""
        row, links, problems, answer = record
        path = entry.path
        pending = self._pending
        rowid = None
        if row is not None and not self._skipped(path, row.key, problems):
            self._keys[row.key] = path
            rowid = self._rewriting.get(path)
            if rowid is not None:
                pending.in_place[rowid] = (row, links, answer)
            else:
                rowid = self._queue_new(row, links, answer)
        elif path in self._rewriting:  # no longer an article: it goes
            pending.in_place[self._rewriting[path]] = None
        pending.problems.extend(problems)
        pending.files.append((path, entry.size, entry.mtime_ns, rowid))

    def _skipped(self, path: str, key: str, problems: list[ProblemValues]) -> bool:
        """Whether the article of ``path`` is skipped (a problem says why): another
        file's article has its url. As in a fresh build, the earlier file in scan order
        wins; when that is this one, the other article is skipped instead."""
        holder = self._keys.get(key)
        if holder is None and not self.cold:  # a cold build starts empty
            holder = self._path_for_key(key)
            if holder in self._rewriting:
                # Read again in this batch: what it holds now is decided when it is
                # read (in _keys), not by its old row.
                holder = None
        if not holder or holder == path:
            return False
        if scan_order_key(path) < scan_order_key(holder):
            self._demote(holder, path, key)
            return False
        problems.append(_same_url(path, key, holder))
        return True

    def _queue_new(self, row: ArticleValues, links: list[LinkValues], answer: bytes) -> int:
        """Queue the rows of a new article; its rowid."""
        self._rowid += 1
        rowid = self._rowid
        self._subjects_changed = True
        self._touch_group(row.grp)
        self._relink.written.append(rowid)
        self._relink.claims.append(rowid)
        pending = self._pending
        pending.articles.append(article_row(rowid, row))
        pending.answers.append((rowid, row.answer))
        pending.fts.append(fts_row(rowid, row, answer))
        pending.links.extend((rowid, *link) for link in links)
        return rowid

    def _write_pending(self) -> None:
        self._rewrite()
        self._flush()

    def _flush(self) -> None:
        """Insert the queued rows."""
        conn = self.conn
        pending = self._pending
        conn.executemany(INSERT_ARTICLE, pending.articles)
        conn.executemany(INSERT_ANSWER, pending.answers)
        conn.executemany(INSERT_LINK, pending.links)
        conn.executemany(INSERT_PROBLEM, pending.problems)
        conn.executemany(INSERT_FILE, pending.files)
        pending.fts.sort()  # in rowid order: see _clear_old
        conn.executemany(INSERT_FTS, pending.fts)
        quick_rows = list(map(quick_row, pending.fts))
        if self._words_touched is not None:
            for _, title, question, keywords in quick_rows:
                self._note_words(title, question, keywords)
        conn.executemany(INSERT_QUICK, quick_rows)
        conn.executemany(INSERT_EXACT, quick_rows)
        for rows in (
            pending.articles,
            pending.answers,
            pending.links,
            pending.problems,
            pending.files,
            pending.fts,
        ):
            rows.clear()

    def _finish(self) -> None:
        """After the rows: the indexes a cold build left out, links resolved, subjects
        counted."""
        if self.cold:
            # Links are resolved through the article indexes; their own indexes
            # come after, so that setting 400,000 targets updates no index.
            self._create_indexes(of_links=False)
            for table in ("fts", "quick", "exact"):
                self._fts_config(table, AFTER_BULK_FTS)
            resolve_links(self.conn, None)
            self._create_indexes(of_links=True)
        else:
            resolve_links(self.conn, self._relink)
        if self._subjects_changed:
            count_subjects(self.conn)
        touched = self._groups_touched
        if touched is None or touched:
            count_versions(self.conn, touched)
            (mark,) = self.conn.execute(GROUPS_FINGERPRINT).fetchone()
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (GROUPS_WRITTEN, mark))
        self._words()

    def _words(self) -> None:
        """Bring the words table (the exact index's vocabulary) up to date: after a cold
        build or a large refresh, read whole; else only the words of the short fields
        written (their counts looked up in exact_terms, one seek each)."""
        conn = self.conn
        touched = self._words_touched
        if touched is None or self._short_fields_written > _WORDS_REREAD:
            conn.execute("DELETE FROM words")
            conn.execute("INSERT INTO words SELECT term, doc FROM exact_terms")
            write_spellings(conn)
            return
        added: list[str] = []
        removed: list[str] = []
        for term in sorted(touched):
            found = conn.execute("SELECT doc FROM exact_terms WHERE term = ?", (term,)).fetchone()
            if found:
                if spelled(term) and not _has_word(conn, term):
                    added.append(term)
                conn.execute("INSERT OR REPLACE INTO words VALUES (?, ?)", (term, found[0]))
            else:
                if spelled(term) and _has_word(conn, term):
                    removed.append(term)
                conn.execute("DELETE FROM words WHERE term = ?", (term,))
        respell(conn, added, removed)

    def _note_words(self, *texts: str) -> None:
        """Note the words of short fields indexed or unindexed, as the exact index's
        tokenizer makes them (unicode61, diacritics removed): their counts change."""
        touched = self._words_touched
        self._short_fields_written += 1
        if touched is None or self._short_fields_written > _WORDS_REREAD:
            return
        text = " ".join(texts)
        if not text.isascii():
            text = "".join(
                c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
            )
        touched.update(_WORD.findall(text.lower()))

    # -- articles read again -----------------------------------------------------

    def _rewrite(self) -> None:
        """Write the new state of the articles read again, in rowid order (see
        _clear_old), and forget them.

        An article that is still one is updated where it is, in the columns that
        changed: deleting and inserting its row dirtied a page in each of the eight
        indexes on articles, in the links and their two indexes and in both FTS
        tables, ~1,900 pages (31 MB of log) for 100 edited answers, measured.
        """
        in_place = self._pending.in_place
        for rowid in sorted(in_place):
            now = in_place[rowid]
            if now is None:
                self._drop(rowid)
            else:
                self._update(rowid, *now)
        in_place.clear()

    def _update(
        self, rowid: int, row: ArticleValues, links: list[LinkValues], answer: bytes
    ) -> None:
        """Update an article where it is: the columns, indexes and links that changed."""
        conn = self.conn
        old = conn.execute(
            f"SELECT {ARTICLE_COLUMNS_SQL} FROM articles WHERE rowid = ?", (rowid,)
        ).fetchone()
        stored = conn.execute("SELECT answer FROM answers WHERE rowid = ?", (rowid,)).fetchone()
        if old is None or stored is None:  # a damaged catalog: written anew
            self._drop(rowid)
            self._insert(rowid, row, links, answer)
            return
        (old_answer,) = stored
        changed = {
            column: value
            for column, was, value in zip(
                ARTICLE_COLUMNS, old, article_row(rowid, row), strict=True
            )
            if was != value
        }
        answer_changed = old_answer != row.answer
        in_quick = not changed.keys().isdisjoint(QUICK_COLUMNS)
        in_fts = answer_changed or not changed.keys().isdisjoint(FTS_SOURCE_COLUMNS)
        self._unindex(rowid, fts=in_fts, quick=in_quick)  # before the row changes
        if changed:
            # Only the columns named are written, and only indexes on them updated.
            columns = ", ".join(f"{column} = ?" for column in changed)
            conn.execute(
                f"UPDATE articles SET {columns} WHERE rowid = ?", (*changed.values(), rowid)
            )
        if answer_changed:
            conn.execute("UPDATE answers SET answer = ? WHERE rowid = ?", (row.answer, rowid))
        self._reindex(rowid, row, answer, fts=in_fts, quick=in_quick)
        self._update_links(rowid, links)
        if not changed.keys().isdisjoint(LINK_NAME_COLUMNS):
            # Links into it, and links naming it, are looked at again.
            self._relink.touched.append(rowid)
            self._relink.claims.append(rowid)
        if not changed.keys().isdisjoint(SUBJECT_COLUMNS):
            self._subjects_changed = True
        if "grp" in changed:
            self._touch_group(old[GRP])
            self._touch_group(changed["grp"])

    def _reindex(
        self, rowid: int, row: ArticleValues, answer: bytes, fts: bool, quick: bool
    ) -> None:
        """Put an article back into the FTS indexes it was taken out of (_unindex)."""
        fts_values = fts_row(rowid, row, answer)
        if fts:
            self.conn.execute(INSERT_FTS, fts_values)
        if quick:
            self.conn.execute(INSERT_QUICK, quick_row(fts_values))
            self.conn.execute(INSERT_EXACT, quick_row(fts_values))
            self._note_words(*quick_row(fts_values)[1:])

    def _update_links(self, rowid: int, links: list[LinkValues]) -> None:
        """Replace an article's links, if they changed."""
        conn = self.conn
        old_links = conn.execute(
            "SELECT position, id, title, subject, subject_key, url FROM links "
            "WHERE src = ? ORDER BY rowid",
            (rowid,),
        ).fetchall()
        if old_links != links:
            conn.execute("DELETE FROM links WHERE src = ?", (rowid,))
            conn.executemany(INSERT_LINK, [(rowid, *link) for link in links])
            self._relink.written.append(rowid)

    def _insert(
        self, rowid: int, row: ArticleValues, links: list[LinkValues], answer: bytes
    ) -> None:
        """Insert one article, with its links, as ``rowid``."""
        conn = self.conn
        fts_values = fts_row(rowid, row, answer)
        conn.execute(INSERT_ARTICLE, article_row(rowid, row))
        conn.execute(INSERT_ANSWER, (rowid, row.answer))
        conn.executemany(INSERT_LINK, [(rowid, *link) for link in links])
        conn.execute(INSERT_FTS, fts_values)
        conn.execute(INSERT_QUICK, quick_row(fts_values))
        conn.execute(INSERT_EXACT, quick_row(fts_values))
        self._note_words(*quick_row(fts_values)[1:])
        self._relink.written.append(rowid)
        self._relink.claims.append(rowid)
        self._subjects_changed = True
        self._touch_group(row.grp)

    # -- articles that go ----------------------------------------------------------

    def _drop(self, rowid: int) -> None:
        """Remove an article; the links into it are looked at again."""
        self._unindex(rowid)
        conn = self.conn
        if self._groups_touched is not None:
            for (group,) in conn.execute("SELECT grp FROM articles WHERE rowid = ?", (rowid,)):
                self._touch_group(group)
        conn.execute("DELETE FROM articles WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM answers WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM links WHERE src = ?", (rowid,))
        self._relink.touched.append(rowid)
        self._subjects_changed = True

    def _demote(self, path: str, winner: str, key: str) -> None:
        """Skip the article of an unchanged file that another file's url now claims."""
        (rowid,) = self.conn.execute(
            "SELECT rowid FROM articles WHERE path = ?", (path,)
        ).fetchone()
        self._drop(rowid)
        self.conn.execute("UPDATE files SET article = NULL WHERE path = ?", (path,))
        self._pending.problems.append(_same_url(path, key, winner))

    def _unindex(self, rowid: int, fts: bool = True, quick: bool = True) -> None:
        """Take an article out of the FTS indexes. They hold no text of their own: an
        entry is deleted with the values it was indexed with, read from its rows.

        The values are read first and given to a plain INSERT ... VALUES: an INSERT ...
        SELECT opens a savepoint, at which SQLite 3.40's FTS5 writes its pending terms
        out as a new segment. One segment per article set off merges of the big ones.
        """
        conn = self.conn
        if fts:
            row = conn.execute(
                f"SELECT {FTS_COLUMNS_SQL} FROM articles_text WHERE rowid = ?", (rowid,)
            ).fetchone()
            if row is not None:
                conn.execute(DELETE_FTS, (rowid, *row))
        if quick:
            row = conn.execute(
                f"SELECT {QUICK_COLUMNS_SQL} FROM articles WHERE rowid = ?", (rowid,)
            ).fetchone()
            if row is not None:
                conn.execute(DELETE_QUICK, (rowid, *row))
                conn.execute(DELETE_EXACT, (rowid, *row))
                self._note_words(*row)

    # -- helpers -------------------------------------------------------------------

    def _touch_group(self, group: int | None) -> None:
        """An article joined or left title group ``group`` (None: none, a stub)."""
        if self._groups_touched is not None and group is not None:
            self._groups_touched.add(group)

    def _path_for_key(self, key: str) -> str | None:
        found = self.conn.execute(
            "SELECT path FROM articles WHERE key = ? LIMIT 1", (key,)
        ).fetchone()
        return found[0] if found else None

    def _create_indexes(self, of_links: bool) -> None:
        for name, on in INDEXES.items():
            if name.startswith("links_") == of_links:
                self.conn.execute(f"CREATE INDEX {name} ON {on}")

    def _fts_config(self, table: str, values: dict[str, int]) -> None:
        for name, value in values.items():
            try:
                self.conn.execute(
                    f"INSERT INTO {table}({table}, rank) VALUES (?, ?)", (name, value)
                )
            except sqlite3.OperationalError:
                pass  # an older SQLite without this option: slower, still correct


def _has_word(conn: sqlite3.Connection, term: str) -> bool:
    return conn.execute("SELECT 1 FROM words WHERE term = ?", (term,)).fetchone() is not None


def _roll_back(conn: sqlite3.Connection) -> None:
    """Undo a write that failed, keeping its error the one raised. On a full disk
    (SQLITE_FULL) or an I/O error SQLite has rolled the transaction back itself, and a
    ROLLBACK raised "cannot rollback - no transaction is active" in its place."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # the first error says what went wrong; the connection is closed after


_SAME_URL = "another file has the same url ("


def _same_url(path: str, key: str, winner: str) -> ProblemValues:
    """The problem of a file skipped because ``winner``'s article has its url."""
    reason = f"{_SAME_URL}{clean_line(key)}): {winner}; this one is skipped"
    return (path, None, reason, Severity.ERROR.value)


def url_losers(conn: sqlite3.Connection) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of the files skipped because another file's article has
    their url: read again, one of them may have it now. Found by their problem: the
    problems table holds the few files that have one (CROSS JOIN: read first, not the
    150,000 files, 12 ms)."""
    return conn.execute(
        "SELECT DISTINCT f.path, f.size, f.mtime_ns FROM problems p CROSS JOIN files f "
        "ON f.path = p.path WHERE f.article IS NULL AND substr(p.reason, 1, ?) = ?",
        (len(_SAME_URL), _SAME_URL),
    ).fetchall()
