"""More like this (issue 23): ``Catalog.similar``, the articles most like a given one."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from libhelpers import catalog_fixtures, rowid_of, write_article

from qtreader.library.catalog import Catalog

T0 = 1_700_000_000

UNRELATED = [
    ("Why do volcanoes erupt?", "Geology", "Magma rises through the crust; gas pressure "
     "builds until the volcano erupts lava and ash."),
    ("How is income tax calculated?", "Economics", "Income tax applies rates to brackets of "
     "taxable income after allowances and deductions."),
    ("What is a sonnet?", "Literature", "A sonnet is a poem of fourteen lines with a fixed "
     "rhyme scheme, Petrarchan or Shakespearean."),
    ("How do stock markets set prices?", "Finance", "Buyers and sellers place orders; the "
     "price moves until bids meet asks on the exchange."),
    ("Why is the sky blue?", "Physics", "Sunlight scatters off air molecules, and blue light "
     "scatters more than red (Rayleigh scattering)."),
    ("What caused the fall of Rome?", "History", "Invasions, debt, plague and a divided "
     "empire wore the western provinces down."),
    ("How do glaciers carve valleys?", "Geography", "Ice grinds rock as it flows downhill, "
     "leaving U-shaped valleys and moraines."),
    ("What is a sorting algorithm?", "Computer Science", "An algorithm that orders a list: "
     "quicksort, mergesort and heapsort compare elements."),
]  # fmt: skip


def build_similar_library(root: Path) -> Path:
    write_article(
        root, "bio/enzymes.md", T0, title="How do enzymes speed up reactions?",
        subject="Biology", url="/enzymes", date="2024-01-01", keywords="enzyme, catalyst",
        answer="Enzymes are protein catalysts: the substrate binds the active site, and the "
        "enzyme lowers the activation energy of the reaction.",
    )  # fmt: skip
    # Another version of the same question: never "similar", however alike.
    write_article(
        root, "chem/enzymes.md", T0, title="How do enzymes speed up reactions?",
        subject="Chemistry", url="/enzymes-chem", date="2023-01-01", keywords="enzyme",
        answer="Enzymes lower the activation energy; the substrate fits the active site.",
    )  # fmt: skip
    write_article(
        root, "bio/inhibition.md", T0, title="What is enzyme inhibition?", subject="Biology",
        url="/inhibition", date="2024-02-01", keywords="enzyme, inhibitor",
        answer="An inhibitor binds an enzyme, at the active site or elsewhere, and slows the "
        "reaction its substrate would undergo.",
    )  # fmt: skip
    for n, (title, subject, answer) in enumerate(UNRELATED):
        write_article(
            root, f"other/{n}.md", T0, title=title, subject=subject, url=f"/other/{n}",
            date="2022-01-01", answer=answer,
        )  # fmt: skip
    return root


library, catalog = catalog_fixtures(build_similar_library)


def similar_keys(cat: Catalog, key: str, **kwargs) -> list[str]:
    return [row.key for row in cat.similar(rowid_of(cat, key), **kwargs)]


def test_the_related_article_comes_first(catalog):
    assert similar_keys(catalog, "/enzymes")[:1] == ["/inhibition"]
    assert similar_keys(catalog, "/inhibition")[:1] in (["/enzymes"], ["/enzymes-chem"])


def test_never_itself_nor_another_version_of_its_question(catalog):
    found = similar_keys(catalog, "/enzymes")
    assert "/enzymes" not in found and "/enzymes-chem" not in found
    found = similar_keys(catalog, "/enzymes-chem")
    assert "/enzymes" not in found and "/enzymes-chem" not in found
    # Nor, for any article, itself or one of its versions.
    for row in catalog.rows(list(catalog.list_rowids())):
        versions = {v.rowid for v in catalog.versions(row.rowid)}
        assert not versions & {r.rowid for r in catalog.similar(row.rowid)}


def test_a_question_with_versions_is_suggested_once(catalog):
    found = similar_keys(catalog, "/inhibition")
    assert len({"/enzymes", "/enzymes-chem"} & set(found)) == 1
    (row,) = [r for r in catalog.similar(rowid_of(catalog, "/inhibition")) if "enzymes" in r.key]
    assert row.versions == 2


def test_the_limit_is_kept(catalog):
    for limit in (1, 2, 5):
        assert len(similar_keys(catalog, "/enzymes", limit=limit)) <= limit
    assert similar_keys(catalog, "/enzymes", limit=0) == []


def test_related_through_the_answer_alone(library):
    write_article(
        library, "food/bread.md", T0, title="Why does dough rise overnight?", subject="Food",
        url="/bread", answer="Yeast enzymes break starch into sugar; each enzyme works as a "
        "catalyst, and the yeast turns the sugar into gas.",
    )  # fmt: skip
    with Catalog(library) as cat:
        cat.refresh()
        found = similar_keys(cat, "/bread")
        assert found and found[0] in ("/enzymes", "/enzymes-chem", "/inhibition")
        # Both enzyme questions among the first three (the volcano shares "rise" and
        # "gas" with the dough: it may come between them).
        assert "/inhibition" in found[:3]
        assert {"/enzymes", "/enzymes-chem"} & set(found[:3])


def test_no_distinctive_words_gives_nothing(library):
    write_article(library, "x/only.md", T0, title="Zyxwv", url="/only", answer="Qwerty plorx.")
    write_article(library, "x/empty.md", T0, title="The", url="/the", answer="It is what it is.")
    with Catalog(library) as cat:
        cat.refresh()
        assert similar_keys(cat, "/only") == []
        assert similar_keys(cat, "/the") == []


def test_stubs_and_unknown_articles(library):
    write_article(
        library, "bio/stub.md", T0, title="Enzyme kinetics?", url="/stub", no_index=True,
        answer="I cannot answer questions about enzyme kinetics.",
    )  # fmt: skip
    with Catalog(library) as cat:
        cat.refresh()
        assert cat.similar(10_000) == []
        # A stub is never suggested.
        assert "/stub" not in similar_keys(cat, "/enzymes", limit=20)


def test_similar_follows_a_refresh(catalog, library):
    write_article(
        library, "bio/inhibition.md", T0 + 10, title="What is a haiku?", subject="Literature",
        url="/inhibition", answer="A haiku is a short poem of three lines.",
    )  # fmt: skip
    catalog.refresh()
    assert "/inhibition" not in similar_keys(catalog, "/enzymes")[:1]
    assert similar_keys(catalog, "/inhibition")[:1] == ["/other/2"]  # the sonnet


def test_similar_in_threads_beside_interrupted_searches(catalog):
    """The reader asks for similar articles in a worker while searches run and are
    interrupted at each key: similar is not a search, and is never interrupted."""
    expected = {key: similar_keys(catalog, key) for key in ("/enzymes", "/inhibition")}
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask(key: str) -> None:
        try:
            while not stop.is_set():
                assert similar_keys(catalog, key) == expected[key]
        except BaseException as exc:  # reported below
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=ask, args=(key,)) for key in expected]
    for thread in threads:
        thread.start()
    try:
        for _ in range(300):
            catalog.interrupt_searches()
            try:
                catalog.search("enzyme", typing=False, group=True)
            except sqlite3.OperationalError:
                pass
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
