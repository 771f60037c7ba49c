"""Searches that land (issue 22): word forms, symbols, typo suggestions and sort orders."""

from __future__ import annotations

from pathlib import Path

import pytest
from libhelpers import write_article

from qtreader.library.catalog import Catalog
from qtreader.library.query import parse_query

ARTICLES = [
    # (file, title, answer, date)
    (
        "math/rational.md",
        "What distinguishes rational numbers from irrational numbers?",
        "A rational number is a ratio of two integers; the square root of two is not.",
        "2021-03-01",
    ),
    (
        "bio/plant-cell.md",
        "What is a plant cell?",
        "A plant cell has a wall and chloroplasts.",
        "2020-05-01",
    ),
    ("bio/plant-growth.md", "How does a plant grow?", "By dividing its cells.", "2022-01-01"),
    (
        "bio/plants-water.md",
        "Why do plants need water?",
        "Water carries the minerals.",
        "2023-07-01",
    ),
    ("bio/plants-light.md", "Do plants sleep at night?", "Most of them slow down.", "2019-02-01"),
    (
        "bio/photo.md",
        "How does photosynthesis work?",
        "Light, water and carbon dioxide become sugar in the leaves.",
        "2018-01-01",
    ),
    (
        "math/gradient.md",
        "What is the gradient of a line?",
        "The gradient is the rise over the run. A steep gradient is a big one.",
        "2024-01-01",
    ),
    (
        "cs/cpp.md",
        "What is C++ used for?",
        "C++ is used for games and operating systems; C++ templates are powerful.",
        "2017-01-01",
    ),
    (
        "cs/csharp.md",
        "Is C# like Java?",
        "C# runs on the .NET runtime, much like Java.",
        "2016-01-01",
    ),
    (
        "cs/dotnet.md",
        "What is the .NET framework?",
        "The .NET framework is a platform.",
        "2015-01-01",
    ),
    (
        "phys/net-force.md",
        "What is net force?",
        "The net force is the sum of the forces; at 20 °C nothing changes.",
        "2014-01-01",
    ),
    (
        "bio/vitamin.md",
        "Why do we need vitamin C?",
        "Vitamin C helps wounds heal. Store it below 25 °C.",
        "2013-01-01",
    ),
    (
        "music/keys.md",
        "What is the key of C major?",
        "C major has no sharps; point C.",
        "2012-01-01",
    ),
    (
        "math/derivative.md",
        "What is the derivative of x^2?",
        "The derivative of x^2 is 2x.",
        "2011-01-01",
    ),
    ("math/x2.md", "How to read a coordinate x", "Plot x, then go 2 up.", "2010-01-01"),
    (
        "cs/mergesort.md",
        "How fast is merge sort?",
        "Merge sort runs in O(n log n) time in the worst case.",
        "2009-01-01",
    ),
    (
        "cs/scattered.md",
        "Counting things",
        "Take n items; the log shows o marks, then n more.",
        "2008-01-01",
    ),
]


@pytest.fixture(scope="module")
def forms(tmp_path_factory):
    base = tmp_path_factory.mktemp("forms")
    root = base / "lib"
    for n, (rel, title, answer, date) in enumerate(ARTICLES):
        subject = rel.split("/")[0]
        write_article(
            root, rel, title=title, question=title, answer=answer, subject=subject,
            url=f"/{rel[:-3]}", date=date, id=str(n),
        )  # fmt: skip
    cat = Catalog(root, base / "catalog.db")
    cat.refresh()
    yield cat
    cat.close()


def titles(cat: Catalog, text: str, **kwargs) -> list[str]:
    return [row.title for row in cat.rows(list(cat.search(text, **kwargs).rowids))]


# -- word forms -------------------------------------------------------------------------

RATIONAL = "What distinguishes rational numbers from irrational numbers?"


@pytest.mark.parametrize("typing", [True, False])
@pytest.mark.parametrize("quick", [True, False])
def test_a_word_finds_its_forms(forms, typing, quick):
    found = titles(forms, "rational irrational numbers distinguish", typing=typing, quick=quick)
    assert found == [RATIONAL]


def test_plant_and_plants_find_the_same_articles(forms):
    plant = titles(forms, "plant", typing=False)
    plants = titles(forms, "plants", typing=False)
    assert sorted(plant) == sorted(plants) and len(plant) == 4


def test_ranking_prefers_the_exact_word(forms):
    plant = titles(forms, "plant", typing=False)
    assert set(plant[:2]) == {"What is a plant cell?", "How does a plant grow?"}
    plants = titles(forms, "plants", typing=False)
    assert set(plants[:2]) == {"Why do plants need water?", "Do plants sleep at night?"}
    # the reader's search, whose last word is a prefix, ranks the same words first
    assert set(titles(forms, "plant")[:2]) == set(plant[:2])
    assert set(titles(forms, "plant", quick=True, limit=300)[:2]) == set(plant[:2])


def test_phrases_and_prefixes_still_work(forms):
    assert titles(forms, '"irrational numbers"', typing=False) == [RATIONAL]
    assert titles(forms, '"numbers irrational"', typing=False) == []
    assert titles(forms, "photosynth") == ["How does photosynthesis work?"]
    assert titles(forms, "photosynth", quick=True, limit=300) == ["How does photosynthesis work?"]
    # an explicit * makes the last word a prefix, typing or not
    assert titles(forms, "photosynth*", typing=False) == ["How does photosynthesis work?"]
    assert titles(forms, "photosynth", typing=False) == []


# -- symbols ----------------------------------------------------------------------------


def test_a_word_ending_in_a_symbol_is_not_a_prefix_while_typing():
    assert not parse_query("C++").prefix_last
    assert not parse_query("C#").prefix_last
    assert parse_query("photo").prefix_last
    assert parse_query("photo*", typing=False).prefix_last


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("C++", ["What is C++ used for?"]),
        ("c++ templates", ["What is C++ used for?"]),
        ("C#", ["Is C# like Java?"]),
        (".NET", ["Is C# like Java?", "What is the .NET framework?"]),
        ("x^2", ["What is the derivative of x^2?"]),
        ("O(n log n)", ["How fast is merge sort?"]),
    ],
)
def test_symbols_find_what_a_person_means(forms, query, expected):
    for kwargs in ({}, {"typing": False}):
        assert sorted(titles(forms, query, **kwargs)) == sorted(expected), kwargs


@pytest.mark.parametrize("query", ["C++", "C#", ".NET", "x^2", "O(n log n)", "plant cell"])
def test_the_reader_and_the_cli_agree(forms, query):
    reader = forms.search(query)  # the reader's full search, after typing pauses
    cli = forms.search(query, typing=False)
    assert list(reader.rowids) == list(cli.rowids)
    keystroke = forms.search(query, quick=True, limit=300)
    assert set(keystroke.rowids) <= set(cli.rowids)


def test_excluding_a_symbol_word_leaves_out_only_it(forms):
    assert "Why do we need vitamin C?" in titles(forms, "need -C++", typing=False)


# -- suggestions ------------------------------------------------------------------------


def test_a_typo_gets_the_librarys_closest_word(forms):
    assert forms.suggest("gradiant") == "gradient"
    assert forms.suggest("photosynthsis") == "photosynthesis"
    assert forms.suggest("steep gradiant") == "steep gradient"
    assert forms.suggest("Gradiant") == "Gradient"


def test_no_suggestion_when_known_or_nothing_is_close(forms):
    assert forms.suggest("gradient") is None
    assert forms.suggest("plants") is None
    assert forms.suggest("qqxzvw") is None
    assert forms.suggest("") is None
    # the suggestion would find nothing: vitamin and gradient are never together
    assert forms.suggest("vitamin gradiant") is None


def test_suggestions_follow_a_refresh(tmp_path):
    root = tmp_path / "lib"
    write_article(root, "a.md", title="Volcanoes", answer="Lava flows.", url="/a")
    with Catalog(root, tmp_path / "c.db") as cat:
        cat.refresh()
        assert cat.suggest("zeolte") is None
        write_article(root, "b.md", title="What is zeolite?", answer="A mineral.", url="/b")
        cat.refresh()
        assert cat.suggest("zeolte") == "zeolite"


# -- sort -------------------------------------------------------------------------------


def _dates(cat: Catalog, rowids) -> list[str]:
    return [cat.article(r).date_sort for r in rowids]


def test_sort_newest_and_title(forms):
    newest = forms.search("plant", typing=False, sort="newest")
    dates = _dates(forms, newest.rowids)
    assert len(dates) == 4 and dates == sorted(dates, reverse=True)
    by_title = titles(forms, "plant", typing=False, sort="title")
    assert by_title == sorted(by_title, key=str.casefold)
    relevance = titles(forms, "plant", typing=False, sort="relevance")
    assert relevance == titles(forms, "plant", typing=False)
    # a keystroke's search too
    quick = forms.search("plant", quick=True, limit=300, sort="newest")
    assert _dates(forms, quick.rowids) == dates


def test_the_list_of_all_articles_sorts(forms):
    default = forms.list_rowids()
    rows = forms.rows(list(default))
    assert [r.title for r in rows] == sorted((r.title for r in rows), key=str.casefold)
    assert list(forms.list_rowids(sort="title")) == list(default)
    newest = forms.list_rowids(sort="newest")
    assert len(newest) == len(ARTICLES)
    assert _dates(forms, newest) == sorted(_dates(forms, newest), reverse=True)


def test_an_unknown_sort_is_refused(forms):
    with pytest.raises(ValueError):
        forms.search("plant", sort="oldest")
    with pytest.raises(ValueError):
        forms.list_rowids(sort="random")


def test_schema_change_rebuilds_old_catalogs():
    from qtreader.library.catalog import SCHEMA_VERSION

    assert SCHEMA_VERSION >= 9


def test_fixture_files_exist(forms):
    assert Path(forms.root, "cs/cpp.md").exists()


def test_the_words_table_follows_the_exact_index(tmp_path):
    """The vocabulary of suggestions is kept by each refresh, word by word: it stays
    what the exact index holds (titles, questions and keywords as written)."""
    root = tmp_path / "lib"
    write_article(root, "a.md", title="Café crème", answer="x", url="/a", keywords="lava, rock")
    write_article(root, "b.md", title="Volcanoes erupt", answer="y", url="/b")
    db = tmp_path / "c.db"

    def same(cat: Catalog) -> None:
        conn = cat._reader
        words = conn.execute("SELECT term, doc FROM words ORDER BY term").fetchall()
        terms = conn.execute("SELECT term, doc FROM exact_terms ORDER BY term").fetchall()
        assert words == terms

    with Catalog(root, db) as cat:
        cat.refresh()
        same(cat)
        write_article(root, "a.md", title="Naïve crème brûlée", answer="x", url="/a")
        (root / "b.md").unlink()
        write_article(
            root, "c.md", title="Zeolite and lava", question="Ünïcode?", answer="z", url="/c"
        )
        cat.refresh()
        same(cat)
        assert cat.suggest("zeolte") == "zeolite"
        assert cat.suggest("volcanoes") is None  # not in the library, nothing close
