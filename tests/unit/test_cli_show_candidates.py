"""``qtreader show`` with a REF naming several articles (issue 22), and a bookmarked
article's star and note in what ``show`` prints.

``Catalog.find_all`` gives every article a REF names, by ``find``'s rules and order:
the first kind of look-up that finds anything (key or url, id, file path, title) gives
them all, ``find``'s pick first; each look-up is one index search, never a scan.
``show`` shows the one article, or lists the candidates and exits 2; a stub is left out
when a real article is among them. Run in-process (``main``) with the test's own XDG
folders."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from libhelpers import FIXTURE_LIBRARY, write, write_article

from qtreader.cli import main
from qtreader.library.bookmarks import BookmarkStore
from qtreader.library.catalog import Catalog

SITE = "https://www.example.org"
ROOTS_BIO = "/learn/biology/questions/how-do-roots-drink-water"
ROOTS_ECO = "/learn/ecology/questions/how-do-plant-roots-take-up-water"
LEAVES = "/learn/botany/questions/why-do-leaves-fall"
GRADIENT_MATH = "/learn/mathematics/questions/what-is-a-gradient"
GRADIENT_PHYS = "/learn/physics/questions/what-is-a-gradient"
SGR = re.compile(r"\x1b\[[0-9;]*m")


def build(root: Path) -> Path:
    """Copies sharing an id under other titles, a page kept under a full url and under
    its site-relative url, a shared title, a stub sharing an id with its article."""
    write_article(
        root, "biology/roots.md", id="400", title="How do roots drink water?",
        subject="Biology", date="2020-01-01", url=ROOTS_BIO, answer="Through root hairs.",
    )  # fmt: skip
    write_article(
        root, "ecology/roots.md", id="400", title="How do plant roots take up water?",
        subject="Ecology", date="2020-01-02", url=ROOTS_ECO, answer="By osmosis.",
    )  # fmt: skip
    write_article(
        root, "botany/leaves.md", id="500", title="Why do leaves fall?", subject="Botany",
        date="2021-10-01", url=SITE + LEAVES, answer="Abscission.",
    )  # fmt: skip
    write_article(
        root, "trees/leaves.md", id="501", title="Why do trees drop their leaves?",
        subject="Trees", date="2021-10-02", url=LEAVES, answer="To save water in winter.",
    )  # fmt: skip
    write_article(
        root, "mathematics/gradient.md", id="100", title="What is a gradient?",
        subject="Mathematics", date="2024-03-01", url=GRADIENT_MATH, answer="Rise over run.",
    )  # fmt: skip
    write_article(
        root, "physics/gradient.md", id="300", title="WHAT IS A GRADIENT?", subject="Physics",
        date="2022-02-02", url=GRADIENT_PHYS, answer="The steepest slope of a field.",
    )  # fmt: skip
    write_article(
        root, "moss/moss.md", id="600", title="Does moss grow north?", subject="Moss",
        date="2019-01-01", url="/learn/moss/questions/does-moss-grow-north", answer="Not only.",
    )  # fmt: skip
    write_article(
        root, "moss/moss-stub.md", id="600", title="Does moss grow north?", subject="Moss",
        url="/learn/moss/questions/does-moss-grow-north-stub", no_index=True,
        answer="I cannot answer that.",
    )  # fmt: skip
    write_article(
        root, "a/cold.md", id="700", title="Is ice cold?", subject="Ice", no_index=True,
        url="/learn/ice/cold-stub", answer="I cannot answer that.",
    )  # fmt: skip
    write_article(
        root, "b/cold.md", id="701", title="Is ice cold?", subject="Ice", date="2018-01-01",
        url="/learn/ice/cold", answer="Colder than water, mostly.",
    )  # fmt: skip
    write_article(
        root, "c/lonely.md", id="800", title="Ölfarbe trocknet langsam", subject="Art",
        url="/learn/art/oil", answer="Oil paint dries by oxidation.",
    )  # fmt: skip
    return root


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return build(tmp_path / "lib")


@pytest.fixture
def catalog(library: Path, isolated_user_dirs):
    cat = Catalog(library)
    cat.refresh()
    yield cat
    cat.close()


def paths(catalog: Catalog, rowids: list[int]) -> list[str]:
    return [catalog.article(r).path for r in rowids]  # type: ignore[union-attr]


# -- Catalog.find_all ----------------------------------------------------------------------


def test_find_all_finds_copies_sharing_an_id_under_other_titles(catalog):
    found = catalog.find_all("400")
    assert sorted(paths(catalog, found)) == ["biology/roots.md", "ecology/roots.md"]
    assert found[0] == catalog.find("400")


def test_find_all_finds_a_page_under_its_full_and_its_site_relative_url(catalog):
    found = catalog.find_all(SITE + LEAVES)
    assert sorted(paths(catalog, found)) == ["botany/leaves.md", "trees/leaves.md"]
    assert found[0] == catalog.find(SITE + LEAVES)
    # the site-relative url names only the article that has it
    assert paths(catalog, catalog.find_all(LEAVES)) == ["trees/leaves.md"]


def test_find_all_finds_a_shared_title_in_any_ascii_case(catalog):
    for ref in ("What is a gradient?", "what is a gradient?", "WHAT IS A GRADIENT?"):
        found = catalog.find_all(ref)
        assert sorted(paths(catalog, found)) == [
            "mathematics/gradient.md",
            "physics/gradient.md",
        ], ref
        assert found[0] == catalog.find(ref), ref


def test_find_all_folds_the_case_of_ascii_letters_only_as_find_does(catalog):
    assert paths(catalog, catalog.find_all("ölfarbe trocknet LANGSAM")) == []
    assert catalog.find("ölfarbe trocknet LANGSAM") is None
    assert paths(catalog, catalog.find_all("Ölfarbe trocknet LANGSAM")) == ["c/lonely.md"]


def test_find_all_of_a_path_names_one_file(catalog, library):
    for ref in ("physics/gradient.md", str(library / "physics" / "gradient.md")):
        assert paths(catalog, catalog.find_all(ref)) == ["physics/gradient.md"], ref


def test_find_all_keeps_finds_order_of_kinds(catalog, library):
    # an id found is not looked for as a title too, a url found not as an id
    write_article(library, "odd/title.md", id="900", title="400", url="/learn/odd/400")
    write_article(library, "odd/url.md", id=GRADIENT_PHYS, title="Odd", url="/learn/odd/url")
    catalog.refresh()
    assert sorted(paths(catalog, catalog.find_all("400"))) == [
        "biology/roots.md",
        "ecology/roots.md",
    ]
    assert paths(catalog, catalog.find_all(GRADIENT_PHYS)) == ["physics/gradient.md"]


def test_find_all_keeps_stubs_and_puts_finds_pick_first(catalog):
    found = catalog.find_all("600")
    assert paths(catalog, found) == ["moss/moss.md", "moss/moss-stub.md"]  # real first
    assert found[0] == catalog.find("600")


def test_find_all_of_nothing(catalog):
    for ref in ("", "   ", "no such thing", "bad\udcff", "999"):
        assert catalog.find_all(ref) == [], ref


def test_find_all_agrees_with_find_on_the_fixture_library(isolated_user_dirs):
    with Catalog(FIXTURE_LIBRARY) as cat:
        cat.refresh()
        refs = ["601", "chemistry/acids.md", "What makes a liquid an acid?", "nothing"]
        for rowid in cat.list_rowids(include_stubs=True):
            a = cat.article(rowid)
            assert a is not None
            refs += [a.key, a.url, a.id, a.path, a.title, a.title.upper()]
        for ref in refs:
            found = cat.find_all(ref)
            assert (found[0] if found else None) == cat.find(ref), ref
            assert len(found) == len(set(found)), ref


def test_find_all_searches_indexes_and_never_scans_the_articles(catalog, library):
    traced: list[str] = []
    catalog._reader.set_trace_callback(traced.append)
    try:
        refs = ["400", SITE + LEAVES, "What is a gradient?", "physics/gradient.md", "none"]
        refs.append(str(library / "moss" / "moss.md"))
        for ref in refs:
            catalog.find_all(ref)
            catalog.find(ref)
    finally:
        catalog._reader.set_trace_callback(None)
    looked = [sql for sql in traced if "FROM articles" in sql]
    assert len(looked) >= 8
    conn = sqlite3.connect(catalog.db_path)
    try:
        for sql in looked:
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
            assert any("USING" in step and "INDEX" in step for step in plan), (sql, plan)
            assert not any(step.startswith("SCAN") for step in plan), (sql, plan)
    finally:
        conn.close()


# -- show ------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def show(monkeypatch, isolated_user_dirs, library, capsys):
    """``qtreader show REF --library LIB ARGS``: (exit code, stdout, stderr)."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "200")
    monkeypatch.setenv("PAGER", "cat")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)

    def run(ref: str, *args: str, out: io.StringIO | None = None) -> tuple[int, str, str]:
        out = io.StringIO() if out is None else out
        capsys.readouterr()
        code = main(["show", ref, "--library", str(library), *args], out=out)
        return code, out.getvalue(), capsys.readouterr().err

    return run


def test_show_lists_copies_sharing_an_id_under_other_titles(show):
    code, out, err = show("400")
    assert code == 2, err
    assert out == ""
    assert err.splitlines() == [
        "qtreader: '400' matches 2 articles; show one by its url or path:",
        f"  How do roots drink water? · Biology · 2020-01-01 · {ROOTS_BIO}",
        f"  How do plant roots take up water? · Ecology · 2020-01-02 · {ROOTS_ECO}",
    ]
    code, out, err = show("400", "--json")
    assert code == 2
    data = json.loads(out)
    assert data["ref"] == "400"
    assert [(c["title"], c["path"], c["id"]) for c in data["candidates"]] == [
        ("How do roots drink water?", "biology/roots.md", "400"),
        ("How do plant roots take up water?", "ecology/roots.md", "400"),
    ]


def test_show_lists_a_page_kept_under_its_full_and_its_site_relative_url(show):
    code, out, err = show(SITE + LEAVES)
    assert code == 2, err
    assert out == ""
    assert err.splitlines()[1:] == [
        f"  Why do leaves fall? · Botany · 2021-10-01 · {SITE + LEAVES}",
        f"  Why do trees drop their leaves? · Trees · 2021-10-02 · {LEAVES}",
    ]
    code, out, _ = show(LEAVES)
    assert code == 0
    assert out.startswith("# Why do trees drop their leaves?\n")


def test_show_lists_a_shared_title_in_any_case(show):
    for ref in ("What is a gradient?", "what is a GRADIENT?"):
        code, out, err = show(ref)
        assert code == 2, (ref, err)
        assert out == ""
        assert err.splitlines()[1:] == [
            f"  What is a gradient? · Mathematics · 2024-03-01 · {GRADIENT_MATH}",
            f"  WHAT IS A GRADIENT? · Physics · 2022-02-02 · {GRADIENT_PHYS}",
        ], ref


def test_show_of_a_path_shows_its_one_file(show, library):
    for ref in ("physics/gradient.md", str(library / "physics" / "gradient.md")):
        code, out, err = show(ref)
        assert (code, err) == (0, ""), ref
        assert out.startswith("# WHAT IS A GRADIENT?\n\n*Physics · "), ref


def test_show_leaves_a_stub_out_when_a_real_article_is_named(show):
    for ref in ("600", "Does moss grow north?", "Is ice cold?", "is ice cold?"):
        code, out, err = show(ref)
        assert (code, err) == (0, ""), ref
        assert "(a stub" not in out and "cannot answer" not in out, ref


def test_show_of_a_stub_by_its_path_shows_it(show):
    code, out, _ = show("moss/moss-stub.md", "--json")
    assert code == 0
    assert json.loads(out)["is_stub"] is True


# -- a bookmark's star and note ----------------------------------------------------------


def bookmark(library: Path, catalog_ref: str, note: str = "") -> None:
    with Catalog(library) as cat:
        cat.refresh()
        rowid = cat.find(catalog_ref)
        assert rowid is not None
        article = cat.article(rowid)
    assert article is not None
    BookmarkStore().add_article(str(library.resolve()), article, note=note)


def test_show_json_says_whether_the_article_is_bookmarked_and_its_note(show, library):
    code, out, _ = show(ROOTS_BIO, "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["bookmarked"], data["note"]) == (False, None)
    bookmark(library, ROOTS_BIO, note="Ask about root pressure")
    data = json.loads(show(ROOTS_BIO, "--json")[1])
    assert (data["bookmarked"], data["note"]) == (True, "Ask about root pressure")
    bookmark(library, GRADIENT_MATH)
    data = json.loads(show(GRADIENT_MATH, "--json")[1])
    assert (data["bookmarked"], data["note"]) == (True, None)


def test_show_markdown_has_the_star_and_the_note(show, library):
    _, before, _ = show(ROOTS_BIO)
    assert before.startswith("# How do roots drink water?\n\n*Biology · 2020-01-01*\n")
    bookmark(library, ROOTS_BIO, note="Ask about root pressure")
    code, out, err = show(ROOTS_BIO)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "# ★ How do roots drink water?"
    assert lines[2] == before.splitlines()[2]  # the metadata line
    assert lines[4] == "**Note:** Ask about root pressure"
    assert out.replace("★ ", "").replace("**Note:** Ask about root pressure\n\n", "") == before
    bookmark(library, GRADIENT_MATH)  # no note: the star alone
    _, plain_md, _ = show(GRADIENT_MATH, "--markdown", out=Terminal())
    assert plain_md.startswith("# ★ What is a gradient?\n\n*Mathematics")
    assert "Note" not in plain_md


def test_show_rendered_has_the_star_and_the_note_under_the_metadata(show, library):
    _, before, _ = show(ROOTS_BIO, out=Terminal())
    assert SGR.sub("", before).splitlines()[0] == "How do roots drink water?"
    bookmark(library, ROOTS_BIO, note="Ask about root pressure")
    code, out, _ = show(ROOTS_BIO, out=Terminal())
    assert code == 0
    lines = [line.rstrip() for line in SGR.sub("", out).splitlines()]
    assert lines[0] == "★ How do roots drink water?"
    assert lines[1] == "Biology · 2020-01-01"
    assert lines[2] == "Note  Ask about root pressure"
    assert "Through root hairs." in out


def test_a_note_cannot_bring_control_characters_to_the_terminal(show, library):
    bookmark(library, ROOTS_BIO, note="evil \x1b]0;owned\x07 note")
    for args in ((), ("--markdown",)):
        _, out, _ = show(ROOTS_BIO, *args, out=Terminal())
        assert "\x07" not in out and "\x1b]" not in out, args


def test_a_bookmark_of_another_library_is_not_this_ones(show, library, tmp_path):
    other = write(tmp_path / "other", "x.md", "---\ntitle: X\n---\n\nx\n").parent
    with Catalog(library) as cat:
        cat.refresh()
        article = cat.article(cat.find(ROOTS_BIO))  # type: ignore[arg-type]
    assert article is not None
    BookmarkStore().add_article(str(other.resolve()), article, note="elsewhere")
    data = json.loads(show(ROOTS_BIO, "--json")[1])
    assert (data["bookmarked"], data["note"]) == (False, None)


def test_a_damaged_bookmarks_file_is_said_and_the_article_shown(show, isolated_user_dirs):
    folder = isolated_user_dirs["XDG_DATA_HOME"] / "qtreader"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bookmarks.json").write_text("{not json", encoding="utf-8")
    code, out, err = show(ROOTS_BIO)
    assert code == 0
    assert out.startswith("# How do roots drink water?")
    assert "damaged" in err
