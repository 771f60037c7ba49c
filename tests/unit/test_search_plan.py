"""Regression: searches must run the FTS query once, not once per article.

Left to itself, SQLite walked the title index and ran the MATCH for every article,
which took seconds for a one-letter prefix on a few thousand articles.
"""

from __future__ import annotations

import pytest
from ui_support import SAMPLE

from qtreader.library.catalog import Catalog


@pytest.mark.parametrize(
    "query", ["s", "so", "social media", "social me", '"hash table"', "-the", "the"]
)
@pytest.mark.parametrize("quick", [True, False])
def test_search_plan_drives_from_the_fts_index(query, quick):
    catalog = Catalog(SAMPLE)
    catalog.refresh()
    statements: list[str] = []
    conn = catalog._reader
    conn.set_trace_callback(statements.append)
    catalog.search(query, quick=quick, subject="computer science")
    catalog.search(query, quick=quick, subject="computer science", limit=5)
    conn.set_trace_callback(None)
    searches = [s for s in statements if "MATCH" in s and s.lstrip().startswith("SELECT")]
    assert searches, statements
    for sql in searches:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
        if "CROSS JOIN" not in sql:
            # "-word" alone: the MATCH is run once into a list, then excluded; or the
            # count that decides whether to rank a search while typing.
            assert "LIST SUBQUERY" in " ".join(plan) or sql.startswith("SELECT count(*)"), plan
            continue
        # Long results are aggregated over the search as a subquery (storage.Store.rowids):
        # reading that subquery back is not a scan of a table.
        scans = [
            step
            for step in plan
            if step.startswith(("SCAN", "SEARCH")) and not step.startswith("SCAN (subquery-")
        ]
        # The outer loop is an FTS virtual table (the full index, or the quick one of
        # short fields); articles are then looked up by rowid.
        assert scans[0].startswith(("SCAN fts VIRTUAL TABLE", "SCAN quick VIRTUAL TABLE")), plan
        assert all("PRIMARY KEY" in step or "VIRTUAL TABLE" in step for step in scans[1:]), plan
    catalog.close()


def test_a_limited_short_prefix_search_is_a_title_ordered_subset():
    catalog = Catalog(SAMPLE)
    catalog.refresh()
    full = catalog.search("s")
    part = catalog.search("s", limit=10)
    assert part.truncated and not full.truncated
    assert len(part.rowids) == 10 and set(part.rowids) <= set(full.rowids)
    titles = [row.title for row in catalog.rows(list(part.rowids))]
    assert [t.casefold() for t in titles] == sorted(t.casefold() for t in titles)
    catalog.close()
