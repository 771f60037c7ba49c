"""Search syntax, ranking and snippets (qtreader.library.query and Catalog.search)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from libhelpers import HYPOTHESIS_EXAMPLES, write, write_article

from qtreader.library.catalog import MARK_END, MARK_START, Catalog, SearchHit
from qtreader.library.models import ArticleRow
from qtreader.library.query import exclusion_expression, fts_expression, parse_query


def build_search_library(root: Path) -> Path:
    write_article(
        root, "geo/volcano.md", title="Volcano eruptions explained", subject="Geology",
        url="/g/volcano", answer="Magma rises through the crust and escapes.",
        keywords="magma, lava",
    )  # fmt: skip
    write_article(
        root, "geo/islands.md", title="How islands form", subject="Geology", url="/g/islands",
        answer="A volcano under the sea builds up rock; the volcano grows; volcano by volcano.",
    )  # fmt: skip
    write_article(
        root, "bio/photo.md", title="Photosynthesis in leaves", subject="Plant Biology",
        url="/b/photo", answer="Sugar in the leaves is made from light. Leaves turn green.",
    )  # fmt: skip
    write_article(
        root, "bio/autumn.md", title="Autumn colours", subject="Plant Biology", url="/b/autumn",
        answer="In autumn the leaves in the sugar maple turn red.",
    )  # fmt: skip
    write_article(
        root, "edu/learning.md", title="How children learn", subject="Education Studies",
        url="/e/learn", answer="Play is how children learn about the world.",
    )  # fmt: skip
    write_article(
        root, "edu/tests.md", title="Do exams measure learning?", subject="Education studies",
        url="/e/exams", answer="Exams measure recall more than understanding.",
    )  # fmt: skip
    write_article(
        root, "edu/stub.md", title="Learning stub", subject="Education Studies", url="/e/stub",
        answer="I cannot answer questions about learning.", no_index=True,
    )  # fmt: skip
    write(root, "notes/cafe.txt", "Café culture\n\nCoffee houses were places of debate.\n")
    return root


@pytest.fixture(scope="module")
def search_catalog(tmp_path_factory):
    base = tmp_path_factory.mktemp("search")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(base / "cache"))
        root = build_search_library(base / "lib")
        cat = Catalog(root)
        cat.refresh()
    yield cat
    cat.close()


def found(cat: Catalog, text: str, **kwargs) -> list[str]:
    return [row.title for row in cat.rows(list(cat.search(text, **kwargs).rowids))]


def test_words_must_all_match(search_catalog):
    assert sorted(found(search_catalog, "leaves sugar", typing=False)) == [
        "Autumn colours",
        "Photosynthesis in leaves",
    ]
    assert found(search_catalog, "leaves magma", typing=False) == []


def test_last_word_is_a_prefix_while_typing(search_catalog):
    assert found(search_catalog, "photosynth", typing=True) == ["Photosynthesis in leaves"]
    assert found(search_catalog, "photosynth", typing=False) == []
    # a trailing space means the word is finished
    assert found(search_catalog, "photosynth ", typing=True) == []
    # only the last word is a prefix
    assert found(search_catalog, "photosynth leaves", typing=True) == []


def test_short_prefix_lists_in_title_order(search_catalog):
    result = search_catalog.search("le", typing=True)
    titles = [r.title for r in search_catalog.rows(list(result.rowids))]
    assert "Photosynthesis in leaves" in titles
    assert titles == sorted(titles, key=str.casefold)
    assert not result.ranked


def test_short_last_prefix_in_a_full_search_matches_the_short_fields(search_catalog):
    # "leaves su": "leaves" anywhere, and a word starting "su" in a title, question or
    # keywords (only the quick index has prefix indexes for one or two letters).
    assert found(search_catalog, "leaves su", typing=True) == []
    assert sorted(found(search_catalog, "sugar le", typing=True)) == [
        "Photosynthesis in leaves"  # "leaves" in its title; Autumn has it in the answer only
    ]
    # ... or as a whole word anywhere: a search that ends in "in" or "d" still finds it
    # in an answer (bug: "maple in" found nothing).
    assert found(search_catalog, "maple in", typing=True) == ["Autumn colours"]
    # Exclusions look at the whole text (bug: "-sugar le" kept an answer with "sugar").
    assert "Photosynthesis in leaves" not in found(search_catalog, "-sugar le", typing=True)
    assert "How children learn" in found(search_catalog, "-sugar le", typing=True)
    assert "Photosynthesis in leaves" not in found(search_catalog, "leaves -sugar l", typing=True)
    # Three letters or more: a prefix anywhere, as before.
    assert sorted(found(search_catalog, "sugar lea", typing=True)) == [
        "Autumn colours",
        "Photosynthesis in leaves",
    ]


def test_a_search_while_typing_that_matches_too_many_is_not_ranked(search_catalog, monkeypatch):
    from qtreader.library.catalog import search as search_module

    ranked = search_catalog.search("lea", quick=True, typing=True, limit=50)
    assert ranked.ranked
    monkeypatch.setattr(search_module, "RANK_CAP", 1)
    broad = search_catalog.search("lea", quick=True, typing=True, limit=50)
    assert not broad.ranked
    assert len(broad.rowids) == 3
    assert sorted(broad.rowids) == sorted(ranked.rowids)
    titles = [r.title for r in search_catalog.rows(list(broad.rowids))]
    assert titles == sorted(titles, key=str.casefold)
    # Without a limit (not while typing) every match is ranked, however many.
    assert search_catalog.search("lea", quick=True, typing=True).ranked


def test_phrases(search_catalog):
    assert found(search_catalog, '"sugar in the leaves"', typing=False) == [
        "Photosynthesis in leaves"
    ]
    assert found(search_catalog, '"leaves in the sugar"', typing=False) == ["Autumn colours"]
    assert found(search_catalog, '"sugar leaves"', typing=False) == []


def test_unclosed_phrase_is_still_a_phrase(search_catalog):
    assert found(search_catalog, '"children learn', typing=True) == ["How children learn"]


def test_subject_filter_by_name_quoted_name_and_slug(search_catalog):
    expected = ["Do exams measure learning?", "How children learn"]
    # "learn" finds "learning" too: words are stemmed (issue 22)
    assert sorted(found(search_catalog, "subject:education learn", typing=False)) == expected
    assert found(search_catalog, "subject:education children", typing=False) == [
        "How children learn"
    ]
    assert sorted(found(search_catalog, 'subject:"Education Studies"', typing=False)) == expected
    assert sorted(found(search_catalog, "subject:education-studies", typing=False)) == expected
    assert sorted(found(search_catalog, "subject:EDUCATION_studies", typing=False)) == expected
    assert found(search_catalog, "subject:geology magma", typing=False) == [
        "Volcano eruptions explained"
    ]
    assert found(search_catalog, "subject:geology photosynthesis", typing=False) == []


def test_subject_argument_restricts_to_a_subject_key(search_catalog):
    assert found(search_catalog, "volcano", subject="geology", typing=False) != []
    assert found(search_catalog, "volcano", subject="plant biology", typing=False) == []


def test_exclusion(search_catalog):
    assert found(search_catalog, "leaves -maple", typing=False) == ["Photosynthesis in leaves"]
    assert found(search_catalog, 'leaves -"sugar maple"', typing=False) == [
        "Photosynthesis in leaves"
    ]


def test_exclusion_only_query_lists_everything_else_in_title_order(search_catalog):
    titles = found(search_catalog, "-volcano", typing=False)
    assert titles == [
        "Autumn colours",
        "Café culture",
        "Do exams measure learning?",
        "How children learn",
        "Photosynthesis in leaves",
    ]


def test_subject_only_query(search_catalog):
    assert found(search_catalog, "subject:geology", typing=False) == [
        "How islands form",
        "Volcano eruptions explained",
    ]


def test_title_match_ranks_above_answer_only_match(search_catalog):
    titles = found(search_catalog, "volcano", typing=False)
    assert titles == ["Volcano eruptions explained", "How islands form"]
    assert search_catalog.search("volcano", typing=False).ranked


def test_diacritics_are_ignored(search_catalog):
    assert found(search_catalog, "cafe", typing=False) == ["Café culture"]
    assert found(search_catalog, "café", typing=False) == ["Café culture"]


def test_stubs_are_searched_only_when_asked(search_catalog):
    assert "Learning stub" not in found(search_catalog, "learning", typing=False)
    assert "Learning stub" in found(search_catalog, "learning", typing=False, include_stubs=True)


def test_quick_search_looks_at_titles_questions_and_keywords_only(search_catalog):
    assert found(search_catalog, "magma", quick=True, typing=False) == [
        "Volcano eruptions explained"  # from its keywords
    ]
    assert found(search_catalog, "crust", quick=True, typing=False) == []
    assert found(search_catalog, "crust", typing=False) == ["Volcano eruptions explained"]


def test_limit(search_catalog):
    assert len(search_catalog.search("-nothingatall", limit=2).rowids) == 2
    assert search_catalog.search("-nothingatall", limit=2).truncated  # shown as "2+"
    assert not search_catalog.search("-nothingatall").truncated
    assert len(search_catalog.search("leaves", typing=False, limit=1).rowids) == 1


def test_empty_query_lists_every_article(search_catalog):
    assert len(search_catalog.search("").rowids) == search_catalog.count(include_stubs=False)


def test_snippets_mark_matched_words(search_catalog):
    result = search_catalog.search("escapes", typing=False)
    (hit,) = search_catalog.hits(result)
    assert hit.row.title == "Volcano eruptions explained"
    parts = hit.snippet_parts()
    assert ("escapes", True) in parts
    assert "".join(text for text, _ in parts) == "Magma rises through the crust and escapes."
    assert MARK_START not in "".join(t for t, _ in parts)


def test_snippets_mark_prefix_matches_and_page(search_catalog):
    result = search_catalog.search("volc", typing=True)
    hits = search_catalog.hits(result, start=1, count=5)
    assert [h.row.title for h in hits] == ["How islands form"]
    matched = [text for text, is_match in hits[0].snippet_parts() if is_match]
    assert matched and all(text.lower() == "volcano" for text in matched)


def test_snippet_parts_without_marks_and_with_an_unclosed_mark():
    row = ArticleRow(1, "k", "t", "s", "")
    assert SearchHit(row, "plain text").snippet_parts() == [("plain text", False)]
    assert SearchHit(row, "").snippet_parts() == []
    hit = SearchHit(row, f"a {MARK_START}b{MARK_END} c {MARK_START}d")
    assert hit.snippet_parts() == [("a ", False), ("b", True), (" c ", False), ("d", True)]


def test_titles_matching(search_catalog):
    rows = search_catalog.titles_matching("autu")
    assert [r.title for r in rows] == ["Autumn colours"]


# -- parse_query ---------------------------------------------------------------


def test_parse_query_parts():
    parsed = parse_query('leaves "sugar maple" -red -"dark green" subject:"Plant  Biology" ph')
    assert parsed.include == [["leaves"], ["sugar", "maple"], ["ph"]]
    assert parsed.exclude == [["red"], ["dark", "green"]]
    assert parsed.subjects == ["plant biology"]
    assert parsed.prefix_last
    assert parsed.terms() == ["leaves", "sugar", "maple", "ph"]
    assert fts_expression(parsed) == (
        '(("leaves" AND "sugar maple" AND "ph"*) NOT "red") NOT "dark green"'
    )
    assert not parse_query("ph", typing=False).prefix_last


def test_fts_syntax_is_quoted_away():
    parsed = parse_query('NEAR(a b) OR title:x AND "un"closed * ^ -', typing=False)
    expr = fts_expression(parsed)
    # Punctuation splits words; every word ends up inside double quotes. A word with a
    # parenthesised group is one phrase, as O(n log n) is (issue 22).
    assert expr == '"near a b" AND "or" AND "title x" AND "and" AND "un" AND "closed"'


def test_exclusion_expression():
    assert exclusion_expression(parse_query("-a -b")) == '"a" OR "b"'
    assert exclusion_expression(parse_query("a")) is None
    assert fts_expression(parse_query("-a")) is None


@settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=60), typing=st.booleans(), quick=st.booleans())
@example(text='"', typing=True, quick=False)
@example(text="-", typing=True, quick=False)
@example(text="subject:", typing=True, quick=False)
@example(text='subject:"', typing=True, quick=False)
@example(text="NEAR(", typing=True, quick=False)
@example(text="a OR b NOT c", typing=False, quick=True)
@example(text="*", typing=True, quick=False)
@example(text="\x00", typing=True, quick=False)
@example(text="subject:%_\\", typing=False, quick=False)
@example(text="-\"a b\" -'c' {title}:x ^y", typing=True, quick=True)
def test_any_query_searches_without_raising(search_catalog, text, typing, quick):
    result = search_catalog.search(text, typing=typing, quick=quick)
    assert len(result.rowids) <= search_catalog.count()
    hits = search_catalog.hits(result, 0, 5)
    assert len(hits) == min(5, len(result.rowids))


@pytest.fixture(scope="module")
def big_catalog(tmp_path_factory):
    """2,000 articles whose file order (and so row id order) is the reverse of title order."""
    base = tmp_path_factory.mktemp("big")
    root = base / "lib"
    count = 2000
    for i in range(count):
        words = " ".join(["kettle"] * (i % 7 + 1))
        write_article(
            root, f"s{i % 3}/a{i:05d}.md", title=f"Title {count - i:05d}",
            subject=f"Subject {i % 3}", url=f"/x/{i}", answer=f"Water and {words} here.",
            keywords="steam" if i % 2 else "boil",
        )  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(base / "cache"))
        cat = Catalog(root)
        cat.refresh()
    yield cat
    cat.close()


def _titles(catalog: Catalog, rowids) -> list[str]:
    return [row.title for row in catalog.rows(list(rowids))]


def test_long_results_keep_their_order(big_catalog):
    # Long lists of row ids come back from SQLite as one value (see storage.Store.rowids):
    # the order of the query must survive that, for every kind of long list.
    everything = big_catalog.list_rowids()
    assert len(everything) == 2000
    assert sorted(everything) != list(everything)  # title order is not row id order
    assert _titles(big_catalog, everything) == sorted(_titles(big_catalog, everything))
    one = big_catalog.list_rowids("subject 1")
    assert len(one) == 667
    assert _titles(big_catalog, one) == sorted(_titles(big_catalog, one))
    for query in ("-steam", "k"):  # exclusion only; a lone short prefix
        found = big_catalog.search(query, typing=True).rowids
        assert len(found) == 1000 if query == "-steam" else 2000
        assert _titles(big_catalog, found) == sorted(_titles(big_catalog, found))


def test_a_long_ranked_result_is_in_rank_order(big_catalog):
    result = big_catalog.search("kettle")
    assert result.ranked and len(result.rowids) == 2000
    score = dict(
        big_catalog._query(
            "SELECT rowid, bm25(fts, 10.0, 6.0, 1.0, 4.0, 2.0) FROM fts WHERE fts MATCH 'kettle'"
        )
    )
    ranks = [score[rowid] for rowid in result.rowids]
    assert ranks == sorted(ranks)
    assert ranks[0] < ranks[-1]
