"""The catalog: an SQLite database (with an FTS5 index) describing one library folder.

A package, a module per job:

- ``facade``: the Catalog class, which the reader and the CLI use;
- ``results``: what it hands back (SearchResult, SearchHit, SubjectCount, RefreshReport)
  and CatalogError with its kinds: CatalogDamaged, CatalogUnwritable, QueryError;
- ``errors``: SQLite's and the file system's errors as those, with one-line messages;
- ``refresh_lock``: one refresh of a catalog at a time, across processes;
- ``storage``: the file, its connections per thread, locking, a first build put in place;
- ``schema``: DDL, schema version, column lists and the SQL that writes rows;
- ``queries``: rows, whole articles, subjects, problems, finding by reference;
- ``search``: lists and searches over the FTS indexes, ranking, snippets;
- ``groups``: versions of a question (a title group), each question once in a list;
- ``similar``: the articles most like one (more like this);
- ``indexing``: a refresh (scan, compare, have what changed parsed and written);
- ``scoped``: a refresh of some paths only (what a watcher saw change);
- ``pool``: parsing in worker processes, a few chunks ahead of the writer;
- ``records``: the rows one parsed file becomes;
- ``writing``: the write transaction; ``derived``: links resolved, subjects counted;
- ``codec``: answers packed with zstd (zlib where zstd is missing).

Tunables are read where they are used: patch them there (e.g. ``pool.CHUNK``,
``search.RANK_CAP``), not here.
"""

from .codec import pack, unpack
from .facade import Catalog
from .pool import PARALLEL_THRESHOLD
from .records import title_sort_key
from .results import (
    MARK_END,
    MARK_START,
    BuildPaused,
    CatalogDamaged,
    CatalogError,
    CatalogUnwritable,
    QueryError,
    RefreshReport,
    SearchHit,
    SearchResult,
    SubjectCount,
)
from .schema import SCHEMA_VERSION

__all__ = [
    "MARK_END",
    "MARK_START",
    "PARALLEL_THRESHOLD",
    "SCHEMA_VERSION",
    "BuildPaused",
    "Catalog",
    "CatalogDamaged",
    "CatalogError",
    "CatalogUnwritable",
    "QueryError",
    "RefreshReport",
    "SearchHit",
    "SearchResult",
    "SubjectCount",
    "pack",
    "title_sort_key",
    "unpack",
]
