"""The catalog's tables: DDL, schema version, column lists and the SQL that writes rows."""

from __future__ import annotations

# 8: answers packed with zstd. A build that reads only zlib must rebuild such a
# catalog, not open it.
# 9: the FTS indexes stem words (porter), and the exact index of short fields and its
# vocabulary are new (issue 22). An older catalog is built again at opening.
# 10: each article's title group (articles.grp), for the versions of a question (issue
# 21), and their mark in meta (GROUPS_WRITTEN).
# 11: the groups of more than one article, counted (versioned): reading the articles
# that have versions took 52 ms at 150,000 articles without it, 7 with it.
# 12: the words suggestions offer, by the letters they hold (spellings): a first
# suggestion read every word, 150-400 ms for a vocabulary of 150,000 words.
SCHEMA_VERSION = 12

SCHEMA = f"""
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, article INTEGER
) WITHOUT ROWID;
CREATE TABLE articles(
    rowid INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    question TEXT NOT NULL,
    keywords TEXT NOT NULL,
    subject TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    date TEXT NOT NULL,
    date_sort TEXT NOT NULL,
    author TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    is_stub INTEGER NOT NULL,
    title_sort TEXT NOT NULL,
    -- The title group (records.title_group): articles sharing one are versions of a
    -- question. NULL for stubs, which are no version of anything.
    grp INTEGER
);
-- Answers are most of the bytes: kept apart, the articles table is small, so its
-- scans and index builds (7 of them after a cold build) read a tenth of the pages.
CREATE TABLE answers(
    rowid INTEGER PRIMARY KEY,
    answer BLOB NOT NULL  -- UTF-8 in a zstd frame (a zlib stream where zstd is missing)
);
CREATE TABLE links(
    src INTEGER NOT NULL, position INTEGER NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL,
    subject TEXT NOT NULL, subject_key TEXT NOT NULL, url TEXT NOT NULL, target INTEGER
);
CREATE TABLE problems(path TEXT NOT NULL, line INTEGER, reason TEXT NOT NULL, severity TEXT);
CREATE TABLE subjects(key TEXT PRIMARY KEY, name TEXT NOT NULL, count INTEGER, stubs INTEGER);
-- The title groups of more than one article (the questions that have versions), with
-- their articles counted: kept by each write (derived.count_versions).
CREATE TABLE versioned(grp INTEGER PRIMARY KEY, count INTEGER NOT NULL);
-- The FTS index reads its text through this view, which unpacks the answers.
CREATE VIEW articles_text AS
    SELECT a.rowid AS rowid, a.title, a.question, unzip(t.answer) AS answer, a.keywords, a.subject
    FROM articles a JOIN answers t ON t.rowid = a.rowid;
-- Words are indexed by their stems (porter): "plant" finds "plants", "distinguish"
-- finds "distinguishes". Both FTS indexes stem; the exact index below does not.
CREATE VIRTUAL TABLE fts USING fts5(
    title, question, answer, keywords, subject,
    content='articles_text', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
);
-- Searches while typing: the short fields only, with prefix indexes so that the first
-- letters of a word are one lookup. Small, so cheap to build; the big index above has
-- no prefix index (it would cost a third more to build and store).
CREATE VIRTUAL TABLE quick USING fts5(
    title, question, keywords,
    content='articles', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2', prefix='1 2 3'
);
-- The short fields' words as written, not stemmed: searches rank the articles that
-- hold the very words asked for first, and its vocabulary (real words, where the
-- stemmed ones are "photosynthesi") is what typos are corrected to.
CREATE VIRTUAL TABLE exact USING fts5(
    title, question, keywords,
    content='articles', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE exact_terms USING fts5vocab(exact, 'row');
-- exact_terms as a plain table, kept by each write (see writing.Writer._words): reading
-- exact_terms walks the whole index (150 ms at 150,000 articles), this takes a few ms.
CREATE TABLE words(term TEXT PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID;
-- Its words that suggestions offer, by the set of letters they hold (suggest.letters),
-- sorted and joined by spaces. Kept by each write with the words table (see suggest).
CREATE TABLE spellings(letters INTEGER PRIMARY KEY, terms TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');
"""
# Secondary indexes. A cold build drops them and creates them after the bulk
# insert (inside the same transaction): sorting once beats 150,000 B-tree inserts.
INDEXES = {
    "articles_key": "articles(key)",
    "articles_id": "articles(id)",
    "articles_url": "articles(url)",
    "articles_title": "articles(title)",
    "articles_order": "articles(is_stub, title_sort)",
    "articles_newest": "articles(is_stub, date_sort DESC, title_sort)",  # sort="newest"
    "articles_subject": "articles(subject_key, is_stub, title_sort)",
    "articles_spelling": "articles(subject_key, subject, is_stub)",  # subject names
    "articles_group": "articles(grp)",  # versions of a question, and their counts
    "links_src": "links(src)",
    "links_target": "links(target)",
    "problems_path": "problems(path)",
}
CREATE_INDEXES = "".join(f"CREATE INDEX {name} ON {on};\n" for name, on in INDEXES.items())
# FTS5 flushes its in-memory term hash to a new segment every 1 MB by default and
# merges every 4 segments: a bulk build spends more time merging than tokenizing.
BULK_FTS = {"hashsize": 32 * 1024 * 1024, "automerge": 4}
# After a bulk build automatic merging is turned off: left on, the next small
# refreshes would merge their segments with the big ones (seconds each, measured, and
# a file growing by a quarter). Small segments still get merged among themselves by
# FTS5's "crisis merge" (16 on one level). The build is not merged into one segment
# at the end ('optimize'): with a 32 MB term buffer it leaves a handful of segments,
# searches measured the same, and the merge cost 3-5 s after the last file was read.
AFTER_BULK_FTS = {"automerge": 0, "hashsize": 1024 * 1024}

# The articles table's columns, in its order.
ARTICLE_COLUMNS = (
    "rowid", "path", "key", "id", "title", "question", "keywords", "subject", "subject_key",
    "date", "date_sort", "author", "url", "kind", "is_stub", "title_sort", "grp",
)  # fmt: skip
ARTICLE_COLUMNS_SQL = ", ".join(ARTICLE_COLUMNS)
GRP = ARTICLE_COLUMNS.index("grp")
FTS_COLUMNS_SQL = "title, question, answer, keywords, subject"
QUICK_COLUMNS = ("title", "question", "keywords")
QUICK_COLUMNS_SQL = ", ".join(QUICK_COLUMNS)
# What a rewritten article's changed columns touch:
LINK_NAME_COLUMNS = frozenset({"url", "id", "title", "subject_key"})  # links resolve by these
FTS_SOURCE_COLUMNS = frozenset({"title", "question", "keywords", "subject"})  # and the answer
SUBJECT_COLUMNS = frozenset({"subject", "subject_key", "is_stub"})

INSERT_ARTICLE = (
    f"INSERT INTO articles({ARTICLE_COLUMNS_SQL}) VALUES ({','.join('?' * len(ARTICLE_COLUMNS))})"
)
INSERT_ANSWER = "INSERT INTO answers VALUES (?,?)"
INSERT_LINK = (
    "INSERT INTO links(src, position, id, title, subject, subject_key, url) VALUES (?,?,?,?,?,?,?)"
)
INSERT_PROBLEM = "INSERT INTO problems VALUES (?,?,?,?)"
INSERT_FILE = "INSERT INTO files VALUES (?,?,?,?)"
# The answer comes as UTF-8 bytes (see records.Record): CAST makes it the same text
# that the articles_text view gives for it later.
INSERT_FTS = f"INSERT INTO fts(rowid, {FTS_COLUMNS_SQL}) VALUES (?,?,?,CAST(? AS TEXT),?,?)"
INSERT_QUICK = f"INSERT INTO quick(rowid, {QUICK_COLUMNS_SQL}) VALUES (?,?,?,?)"
INSERT_EXACT = f"INSERT INTO exact(rowid, {QUICK_COLUMNS_SQL}) VALUES (?,?,?,?)"
DELETE_FTS = f"INSERT INTO fts(fts, rowid, {FTS_COLUMNS_SQL}) VALUES ('delete',?,?,?,?,?,?)"
DELETE_QUICK = f"INSERT INTO quick(quick, rowid, {QUICK_COLUMNS_SQL}) VALUES ('delete',?,?,?,?)"
DELETE_EXACT = f"INSERT INTO exact(exact, rowid, {QUICK_COLUMNS_SQL}) VALUES ('delete',?,?,?,?)"
# The meta row that tells the title groups apart: after a write that changed them (an
# article added, removed, retitled, made a stub or no longer one), a fingerprint of
# every (rowid, group) of the articles that have versions, so that a catalog's copy of
# those in memory (see facade.Catalog._groups) is read again when it differs. Of the
# content only: a fresh build and a rebuild of one library are the same file.
GROUPS_WRITTEN = "groups"
GROUPS_FINGERPRINT = (
    "SELECT count(*) || '.' || coalesce(sum(a.rowid * (a.grp % 2147483647) % 4294967311), 0) "
    "FROM versioned v CROSS JOIN articles a INDEXED BY articles_group ON a.grp = v.grp"
)
# The articles that have versions, and their title groups: 17 ms at 150,000 articles
# (8,300 groups looked up in the group index; CROSS JOIN keeps that order: left to
# itself SQLite walked the whole index, 45 ms).
VERSIONED_ARTICLES = (
    "SELECT a.rowid, a.grp FROM versioned v CROSS JOIN articles a INDEXED BY articles_group "
    "ON a.grp = v.grp"
)
