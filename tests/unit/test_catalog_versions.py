"""Versions of a question (issue 21): articles sharing a title are one question.

The catalog gives each article a title group at index time (the title case-folded,
its spaces collapsed, trailing "?", "." and the like ignored); rows and hits say how
many articles share their question, ``versions`` lists them, and lists and searches
can show each question once (``group=True``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from libhelpers import built_with_schema, catalog_fixtures, rowid_of, write_article

import qtreader.library.catalog as catalog_module
from qtreader.library.catalog import Catalog, SearchResult
from qtreader.library.catalog.records import normalised_title
from qtreader.library.models import ArticleRow

T0 = 1_700_000_000

ACID_ANSWER = "An acid donates protons to a base; a strong acid gives them all away."


def build_versions_library(root: Path) -> Path:
    """Three versions of "What is an acid?" (two in Chemistry, one in Biology, written
    differently), a stub of it, and questions asked once."""
    write_article(
        root, "chemistry/acid.md", T0, id="1", title="What is an acid?", subject="Chemistry",
        url="/c/acid", date="2024-01-10", answer=ACID_ANSWER,
    )  # fmt: skip
    write_article(
        root, "chemistry/acid-2025.md", T0, id="2", title="What is an acid?",
        subject="Chemistry", url="/c/acid-2025", date="2025-02-02",
        answer="Acids taste sour and turn litmus red.",
    )  # fmt: skip
    write_article(
        root, "biology/acid.md", T0, id="3", title="  what is an   ACID  ", subject="Biology",
        url="/b/acid", date="2023-05-01", answer="In the stomach, an acid digests food.",
    )  # fmt: skip
    write_article(
        root, "stubs/acid.md", T0, id="4", title="What is an acid?", subject="Chemistry",
        url="/s/acid", date="2025-06-01", answer="I cannot answer that.", no_index=True,
    )  # fmt: skip
    write_article(
        root, "chemistry/base.md", T0, id="5", title="What is a base?", subject="Chemistry",
        url="/c/base", date="2024-03-03", answer="A base accepts protons from an acid.",
    )  # fmt: skip
    write_article(
        root, "chemistry/acid-rain.md", T0, id="6", title="What is an acid rain?",
        subject="Chemistry", url="/c/acid-rain", date="2024-04-04",
        answer="Rain made acid by sulphur and nitrogen oxides.",
    )  # fmt: skip
    write_article(
        root, "physics/wave.md", T0, id="7", title="What is a wave?", subject="Physics",
        url="/p/wave", date="2022-02-02", answer="A wave carries energy, not matter.",
    )  # fmt: skip
    return root


library, catalog = catalog_fixtures(build_versions_library)


def row_of(cat: Catalog, key: str) -> ArticleRow:
    (row,) = cat.rows([rowid_of(cat, key)])
    return row


def keys(cat: Catalog, rowids) -> list[str]:
    return [row.key for row in cat.rows(list(rowids))]


def versions_by_key(cat: Catalog) -> dict[str, tuple[int, list[str]]]:
    """Every article's count and versions (by key): what a reader sees of the groups."""
    rows = cat.rows(list(cat.list_rowids(include_stubs=True)))
    return {row.key: (row.versions, [v.key for v in cat.versions(row.rowid)]) for row in rows}


ACIDS = ["/c/acid-2025", "/c/acid", "/b/acid"]  # newest first


# -- groups and counts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("What is an acid?", "what is an acid", True),
        ("What is an acid?", "  What  is an\tACID ? ", True),
        ("What is an acid?", "What is an acid...", True),
        ("What is an acid?", "What is an acid!?", True),
        ("Ｗhat is an acid？", "What is an acid?", True),  # full-width forms (NFKC)
        ("What is an acid?", "What is an acid rain?", False),
        ("What is an acid?", "What is a acid?", False),
        ("C++ or C#?", "C or C?", False),  # only trailing punctuation is ignored
    ],
)
def test_normalised_title(a, b, same):
    assert (normalised_title(a) == normalised_title(b)) is same


def test_rows_count_the_versions_of_their_question(catalog):
    assert {key: row_of(catalog, key).versions for key in ACIDS} == dict.fromkeys(ACIDS, 3)
    assert row_of(catalog, "/c/base").versions == 1
    assert row_of(catalog, "/c/acid-rain").versions == 1  # another question
    # A stub ("cannot answer") is never a version of the question it failed to answer.
    assert row_of(catalog, "/s/acid").versions == 1


def test_article_row_versions_default_to_one():
    assert ArticleRow(1, "k", "t", "s", "d").versions == 1


def test_versions_lists_every_article_of_the_question_newest_first(catalog):
    for key in ACIDS:
        versions = catalog.versions(row_of(catalog, key).rowid)
        assert [v.key for v in versions] == ACIDS
        assert [v.versions for v in versions] == [3, 3, 3]
        assert [v.subject for v in versions] == ["Chemistry", "Chemistry", "Biology"]
    assert [v.key for v in catalog.versions(row_of(catalog, "/c/base").rowid)] == ["/c/base"]
    assert [v.key for v in catalog.versions(row_of(catalog, "/s/acid").rowid)] == ["/s/acid"]
    assert catalog.versions(10_000) == []


def test_versions_of_one_date_are_in_subject_order(tmp_path):
    root = tmp_path / "lib"
    for n, subject in enumerate(["Zoology", "Art", "Music"]):
        write_article(
            root, f"{subject}/q.md", T0, title="Why sing?", subject=subject, url=f"/{n}",
            date="2024-01-01", answer="x",
        )  # fmt: skip
    with Catalog(root) as cat:
        cat.refresh()
        versions = cat.versions(cat.rowid_for_key("/0"))
        assert [v.subject for v in versions] == ["Art", "Music", "Zoology"]


def test_hits_carry_the_versions_count(catalog):
    result = catalog.search("acid", typing=False)
    counts = {hit.row.key: hit.row.versions for hit in catalog.hits(result, 0, 20)}
    assert counts == {**dict.fromkeys(ACIDS, 3), "/c/base": 1, "/c/acid-rain": 1}


# -- incremental refresh ---------------------------------------------------------


def _fresh(root: Path, db: Path) -> dict[str, tuple[int, list[str]]]:
    with Catalog(root, db_path=db) as fresh:
        fresh.refresh()
        return versions_by_key(fresh)


def test_a_version_added_removed_or_edited_changes_its_group(catalog, library, tmp_path):
    write_article(
        library, "physics/acid.md", T0 + 10, title="What is an acid?", subject="Physics",
        url="/p/acid", date="2021-01-01", answer="Acid etches metal.",
    )  # fmt: skip
    catalog.refresh()
    assert row_of(catalog, "/c/acid").versions == 4
    assert [v.key for v in catalog.versions(row_of(catalog, "/p/acid").rowid)] == [
        *ACIDS,
        "/p/acid",
    ]
    assert versions_by_key(catalog) == _fresh(library, tmp_path / "fresh1.sqlite3")

    (library / "chemistry/acid-2025.md").unlink()  # removed
    catalog.refresh()
    assert row_of(catalog, "/c/acid").versions == 3
    assert versions_by_key(catalog) == _fresh(library, tmp_path / "fresh2.sqlite3")

    # Retitled: it leaves its question and joins another one.
    write_article(
        library, "biology/acid.md", T0 + 20, id="3", title="What is a base", subject="Biology",
        url="/b/acid", date="2023-05-01", answer="In the stomach, an acid digests food.",
    )  # fmt: skip
    catalog.refresh()
    assert row_of(catalog, "/c/acid").versions == 2
    assert row_of(catalog, "/b/acid").versions == 2
    assert [v.key for v in catalog.versions(row_of(catalog, "/c/base").rowid)] == [
        "/c/base",
        "/b/acid",
    ]
    assert versions_by_key(catalog) == _fresh(library, tmp_path / "fresh3.sqlite3")

    # Made a stub: no longer a version; and back.
    write_article(
        library, "physics/acid.md", T0 + 30, title="What is an acid?", subject="Physics",
        url="/p/acid", date="2021-01-01", answer="I cannot answer that.", no_index=True,
    )  # fmt: skip
    catalog.refresh()
    assert row_of(catalog, "/c/acid").versions == 1
    assert versions_by_key(catalog) == _fresh(library, tmp_path / "fresh4.sqlite3")
    write_article(
        library, "physics/acid.md", T0 + 40, title="what is an acid", subject="Physics",
        url="/p/acid", date="2021-01-01", answer="Acid etches metal.",
    )  # fmt: skip
    catalog.refresh()
    assert row_of(catalog, "/c/acid").versions == 2
    assert versions_by_key(catalog) == _fresh(library, tmp_path / "fresh5.sqlite3")


def test_an_edit_that_keeps_the_title_keeps_the_group(catalog, library):
    write_article(
        library, "biology/acid.md", T0 + 10, id="3", title="What is an acid?",
        subject="Zoology", url="/b/acid", date="2020-05-01", answer="Changed answer.",
    )  # fmt: skip
    report = catalog.refresh()
    assert report.changed == 1
    assert row_of(catalog, "/b/acid").versions == 3
    versions = catalog.versions(row_of(catalog, "/c/acid").rowid)
    assert [(v.key, v.subject) for v in versions][-1] == ("/b/acid", "Zoology")


def test_groups_seen_by_a_searching_catalog_follow_a_refresh_by_another(library):
    """The grouped lists of a catalog open in one process (the reader) follow the
    refresh of another (``qtreader index``)."""
    with Catalog(library) as reader:
        reader.refresh()
        assert len(reader.search("acid", typing=False, group=True).rowids) == 3
        with Catalog(library) as other:
            write_article(
                library, "chemistry/base-2.md", T0 + 10, title="What is a base?",
                subject="Chemistry", url="/c/base-2", answer="Soap is a base; an acid is not.",
            )  # fmt: skip
            (library / "chemistry/acid-rain.md").unlink()
            other.refresh()
        result = reader.search("acid", typing=False, group=True)
        shown = keys(reader, result.rowids)
        assert len(shown) == 2 and len(set(shown) & set(ACIDS)) == 1
        assert len(set(shown) & {"/c/base", "/c/base-2"}) == 1
        assert result.articles == 5


@pytest.mark.parametrize("version", ["9", "10"])
def test_an_older_catalog_is_rebuilt_with_groups(library, version):
    # 9: before title groups; 10: groups without the versioned table.
    assert catalog_module.SCHEMA_VERSION >= 11
    built_with_schema(library, version)
    with Catalog(library) as cat:
        cat.refresh()
        assert row_of(cat, "/c/acid").versions == 3


# -- collapsing lists and searches -----------------------------------------------


def test_a_search_grouped_shows_each_question_once_and_counts_both(catalog):
    plain = catalog.search("acid", typing=False)
    assert sorted(keys(catalog, plain.rowids)) == sorted([*ACIDS, "/c/base", "/c/acid-rain"])
    assert plain.articles == plain.total == 5  # not grouped: the same number
    grouped = catalog.search("acid", typing=False, group=True)
    shown = keys(catalog, grouped.rowids)
    assert len(shown) == grouped.total == 3
    assert grouped.articles == 5
    assert {"/c/base", "/c/acid-rain"} < set(shown)
    # The representative is the best-ranked version: the first of them ungrouped.
    first = next(k for k in keys(catalog, plain.rowids) if k in ACIDS)
    assert first in shown and not (set(ACIDS) - {first}) & set(shown)


def test_the_representative_of_a_search_is_its_best_ranked_version(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "a/one.md", T0, title="Why sleep?", url="/1", date="2025-01-01",
                  answer="Rest helps. " * 30 + "Dreams too.")  # fmt: skip
    write_article(root, "b/two.md", T0, title="Why sleep?", url="/2", date="2020-01-01",
                  answer="Dreams, dreams and dreams.")  # fmt: skip
    write_article(root, "c/other.md", T0, title="Dreams", url="/3", answer="Dreams at night.")
    with Catalog(root) as cat:
        cat.refresh()
        plain = keys(cat, cat.search("dreams", typing=False).rowids)
        assert plain.index("/2") < plain.index("/1")  # the later file ranks better
        grouped = cat.search("dreams", typing=False, group=True)
        assert set(keys(cat, grouped.rowids)) == {"/2", "/3"}
        assert (grouped.total, grouped.articles) == (2, 3)
        # In date order the newest version stands for the question.
        newest = cat.search("dreams", typing=False, group=True, sort="newest")
        assert keys(cat, newest.rowids)[:1] == ["/1"] and "/2" not in keys(cat, newest.rowids)


def test_a_grouped_list_shows_each_question_once_first_in_its_order(catalog):
    for sort in ("title", "newest"):
        plain = keys(catalog, catalog.list_rowids(sort=sort))
        grouped = keys(catalog, catalog.list_rowids(sort=sort, group=True))
        # Each question once, where its first version was, the others left out.
        first = next(k for k in plain if k in ACIDS)
        assert grouped == [k for k in plain if k not in ACIDS or k == first]
    assert keys(catalog, catalog.list_rowids(sort="newest", group=True))[0] == "/c/acid-2025"


def test_a_subject_collapses_within_that_subject(catalog):
    chemistry = keys(catalog, catalog.list_rowids("chemistry", group=True))
    assert len(chemistry) == 3 and {"/c/base", "/c/acid-rain"} < set(chemistry)
    assert len(set(chemistry) & {"/c/acid", "/c/acid-2025"}) == 1
    assert keys(catalog, catalog.list_rowids("biology", group=True)) == ["/b/acid"]
    found = catalog.search("acid", subject="biology", typing=False, group=True)
    assert keys(catalog, found.rowids) == ["/b/acid"]
    assert (found.total, found.articles) == (1, 1)
    found = catalog.search("subject:chem acid", typing=False, group=True)
    assert found.total == 3 and found.articles == 4
    assert not {"/b/acid"} & set(keys(catalog, found.rowids))


def test_stubs_are_their_own_question(catalog):
    with_stubs = keys(catalog, catalog.list_rowids(include_stubs=True, group=True))
    assert "/s/acid" in with_stubs
    assert len(set(ACIDS) & set(with_stubs)) == 1
    found = catalog.search("acid", include_stubs=True, typing=False, group=True)
    assert "/s/acid" in keys(catalog, found.rowids)
    assert (found.total, found.articles) == (4, 6)


@pytest.mark.parametrize("quick", [True, False])
def test_a_limited_grouped_search_fills_its_limit_with_questions(tmp_path, quick):
    root = tmp_path / "lib"
    for n in range(12):
        for copy in range(3):
            write_article(
                root, f"s{copy}/q{n:02d}.md", T0, title=f"Kettle question {n}?",
                subject=f"Subject {copy}", url=f"/{copy}/{n}", answer="Kettles boil water.",
            )  # fmt: skip
    with Catalog(root) as cat:
        cat.refresh()
        result = cat.search("kettle", quick=quick, limit=5, group=True)
        titles = [row.title for row in cat.rows(list(result.rowids))]
        assert len(titles) == 5 == len(set(titles))
        assert result.truncated
        assert 5 <= result.articles <= 15
        whole = cat.search("kettle", quick=quick, group=True)
        assert (whole.total, whole.articles) == (12, 36)
        assert not whole.truncated


def test_grouping_is_off_by_default(catalog):
    # The CLI, and every caller that does not ask, sees every article.
    assert len(catalog.list_rowids()) == 6
    assert catalog.search("acid", typing=False).total == 5


def test_a_search_result_made_by_hand_counts_its_rows_as_articles():
    from array import array

    result = SearchResult(array("q", [3, 1, 2]))
    assert result.total == result.articles == 3


def _grouped_state(cat: Catalog) -> tuple:
    """What a reader sees of the groups, by keys: counts, versions, grouped lists (in
    date order, where every article has a date of its own) and a grouped search."""
    newest = cat.rows(list(cat.list_rowids(sort="newest", group=True)))
    titled = cat.rows(list(cat.list_rowids(group=True)))
    found = cat.search("body", typing=False, group=True)
    by_subject = {
        s.key: [r.key for r in cat.rows(list(cat.list_rowids(s.key, sort="newest", group=True)))]
        for s in cat.subjects()
    }
    return (
        versions_by_key(cat),
        [row.key for row in newest],
        sorted((normalised_title(row.title), row.versions) for row in titled),
        (found.total, found.articles),
        by_subject,
    )


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_keep_the_groups_of_a_fresh_build(tmp_path, seed):
    import random

    rng = random.Random(seed)
    titles = ["What is X?", "what is  x", "What is Y?", "What is Z", "What is X rain?"]
    root = tmp_path / "lib"
    with Catalog(root, db_path=tmp_path / "incremental.sqlite3") as cat:
        for step in range(10):
            for _ in range(rng.randint(1, 4)):
                n = rng.randrange(12)
                rel = f"s{n % 3}/f{n:02d}.md"
                if (root / rel).exists() and rng.random() < 0.25:
                    (root / rel).unlink()
                    continue
                write_article(
                    root, rel, T0 + step, title=rng.choice(titles), url=f"/u/{n}",
                    subject=f"S{n % 3}", date=f"2024-01-{n + 1:02d}", answer=f"body{n} body",
                    no_index=rng.random() < 0.15,
                )  # fmt: skip
            cat.refresh()
            with Catalog(root, db_path=tmp_path / f"fresh{step}.sqlite3") as fresh:
                fresh.refresh()
                assert _grouped_state(cat) == _grouped_state(fresh), f"step {step}"
