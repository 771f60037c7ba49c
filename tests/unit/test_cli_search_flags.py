"""Issue 22 on the command line: searches that land.

``--subject`` takes a prefix as ``subject:`` does; the library searched is said when
none was given; ``show`` lists the candidates of a REF that matches several articles
and has ``--json``; ``search --sort``; "did you mean"; counts in the right number.
Run as a user would: ``python -m qtreader`` in a subprocess with its own XDG folders.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from libhelpers import link, write, write_article

from qtreader.library.state import StateStore

REPO = Path(__file__).resolve().parents[2]

GRADIENT_MATH = "/learn/mathematics/questions/what-is-a-gradient"
GRADIENT_PHYSICS = "/learn/physics/questions/what-is-a-gradient"
ROOTS_BIOLOGY = "/learn/biology/questions/how-do-roots-drink-water"
ROOTS_ECOLOGY = "/learn/ecology/questions/how-do-roots-drink-water"


def article(root: Path, rel: str, **fields: str | dict[str, str]) -> None:
    write_article(root, rel, **{"question": fields.get("title", ""), **fields})


@pytest.fixture
def library(tmp_path) -> Path:
    """Two subjects starting "math", a title shared by two articles and an id shared by
    two copies under two subjects (as 2,402 ids of the real library are)."""
    root = tmp_path / "lib"
    article(
        root, "mathematics/gradient.md", id="100", title="What is a gradient?",
        subject="Mathematics", date="2024-03-01", url=GRADIENT_MATH,
        answer="A gradient is the slope of a line: rise over run.",
        keywords="slope, lines",
        related_article1=link("300", "What is a gradient?", "Physics", GRADIENT_PHYSICS),
        related_article2=link("999", "Where do gradients come from?", "Mathematics"),
    )  # fmt: skip
    article(
        root, "mathematics/primes.md", id="101", title="Are there infinitely many primes?",
        subject="Mathematics", date="2021-05-10",
        url="/learn/mathematics/questions/are-there-infinitely-many-primes",
        answer="Euclid showed the primes never end; no slope is involved.",
    )  # fmt: skip
    article(
        root, "math-puzzles/monty.md", id="200",
        title="Why does switching win in the Monty Hall puzzle?", subject="Math Puzzles",
        date="2023-07-15", url="/learn/math-puzzles/questions/monty-hall",
        answer="Switching wins two thirds of the time, a steady slope of chance.",
    )  # fmt: skip
    article(
        root, "physics/gradient.md", id="300", title="What is a gradient?", subject="Physics",
        date="2022-02-02", url=GRADIENT_PHYSICS,
        answer="In physics a gradient points up the steepest slope of a field.",
    )  # fmt: skip
    article(
        root, "physics/slope.md", id="301", title="Why is a slope steep?", subject="Physics",
        date="2019-09-09", url="/learn/physics/questions/why-is-a-slope-steep",
        answer="A slope is steep when it rises fast.",
    )  # fmt: skip
    article(
        root, "biology/roots.md", id="400", title="How do roots drink water?",
        subject="Biology", date="2020-01-01", url=ROOTS_BIOLOGY,
        answer="Roots take water in through their hairs.",
    )  # fmt: skip
    article(
        root, "ecology/roots.md", id="400", title="How do roots drink water?",
        subject="Ecology", date="2020-01-02", url=ROOTS_ECOLOGY,
        answer="Roots take water in through their hairs.",
    )  # fmt: skip
    return root


def search_json(qtreader, library: Path, *args: str) -> dict:
    result = qtreader("search", "--library", str(library), "--json", *args)
    assert result.code == 0, result.err
    return result.json()


def titles(data: dict) -> list[str]:
    return [hit["title"] for hit in data["hits"]]


# -- --subject takes a prefix, as subject: does ------------------------------------------


def test_subject_option_takes_a_prefix_as_the_query_filter_does(qtreader, library):
    by_filter = search_json(qtreader, library, "slope", "subject:math")
    assert sorted(titles(by_filter)) == [
        "Are there infinitely many primes?",
        "What is a gradient?",
        "Why does switching win in the Monty Hall puzzle?",
    ]
    for given in ("math", "MATH", "Math"):
        by_option = search_json(qtreader, library, "slope", "--subject", given)
        assert by_option["total"] == by_filter["total"] == 3, given
        assert titles(by_option) == titles(by_filter), given


def test_subject_option_narrows_to_one_subject_when_the_prefix_names_one(qtreader, library):
    puzzles = search_json(qtreader, library, "slope", "--subject", "math p")
    assert titles(puzzles) == ["Why does switching win in the Monty Hall puzzle?"]
    full = search_json(qtreader, library, "slope", "--subject", "Mathematics")
    assert sorted(titles(full)) == ["Are there infinitely many primes?", "What is a gradient?"]
    listed = search_json(qtreader, library, "--subject", "phys", "--", "-zzzz")
    assert titles(listed) == ["What is a gradient?", "Why is a slope steep?"]


def test_subject_option_and_query_filter_both_apply(qtreader, library):
    both = search_json(qtreader, library, "slope", "subject:mathematics", "--subject", "math")
    assert sorted(titles(both)) == ["Are there infinitely many primes?", "What is a gradient?"]
    neither = search_json(qtreader, library, "slope", "subject:physics", "--subject", "math")
    assert neither["total"] == 0


def test_subject_option_naming_no_subject_says_so(qtreader, library):
    result = qtreader("search", "slope", "--library", str(library), "--subject", "chem")
    assert result.code == 0, result.err
    assert result.out.startswith("No articles match")
    assert result.err == "qtreader: no subject's name starts with 'chem'\n"


# -- which library was searched ----------------------------------------------------------


def test_the_last_library_opened_is_said_on_stderr(qtreader, library, tmp_path):
    StateStore().set_last_library(library)
    home = {"HOME": str(tmp_path)}
    result = qtreader("search", "slope", extra_env=home)
    assert result.code == 0, result.err
    assert "Why is a slope steep?" in result.out
    assert result.err == (
        "qtreader: searching ~/lib (the last library opened; give --library to choose)\n"
    )
    as_json = qtreader("search", "slope", "--json", extra_env=home)
    assert as_json.json()["total"] == 5  # stdout is JSON only
    assert as_json.err == result.err
    show = qtreader("show", GRADIENT_PHYSICS, extra_env=home)
    assert show.code == 0, show.err
    assert show.err == (
        "qtreader: reading ~/lib (the last library opened; give --library to choose)\n"
    )
    check = qtreader("check", extra_env=home)
    assert check.code == 0, check.err
    assert check.err == (
        "qtreader: checking ~/lib (the last library opened; give its folder to choose)\n"
    )
    listed = qtreader("bookmarks", "list", extra_env=home)
    assert listed.code == 0, listed.err
    assert listed.err.startswith("qtreader: reading ~/lib (the last library opened;")


def test_a_library_given_is_not_said(qtreader, library, tmp_path):
    StateStore().set_last_library(tmp_path)  # not this one
    for args, env in (
        (["search", "slope", "--library", str(library)], None),
        (["search", "slope"], {"QTREADER_LIBRARY": str(library)}),
        (["check", str(library)], None),
        (["show", GRADIENT_PHYSICS, "--library", str(library)], None),
    ):
        result = qtreader(*args, extra_env=env)
        assert result.code == 0, (args, result.err)
        assert result.err == "", args
    assert qtreader("config", "path").err == ""


def test_the_settings_library_and_the_sample_are_said(qtreader, library, isolated_user_dirs):
    result = qtreader("search", "water")
    assert result.code == 0, result.err
    assert result.err.startswith("qtreader: searching ")
    assert result.err.endswith(" (the sample library; give --library to choose)\n")
    config = isolated_user_dirs["XDG_CONFIG_HOME"] / "qtreader" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"library = {json.dumps(str(library))}\n")
    result = qtreader("search", "slope")
    assert result.code == 0, result.err
    assert result.err == (
        f"qtreader: searching {library.resolve()} "
        "(the library in the settings; give --library to choose)\n"
    )


# -- show: one article, or the candidates ------------------------------------------------


def test_show_a_shared_title_lists_the_candidates_and_exits_2(qtreader, library):
    result = qtreader("show", "What is a gradient?", "--library", str(library))
    assert result.code == 2, result.err
    assert result.out == ""
    lines = result.err.splitlines()
    assert lines[0] == (
        "qtreader: 'What is a gradient?' matches 2 articles; show one by its url or path:"
    )
    assert sorted(lines[1:]) == [
        f"  What is a gradient? · Mathematics · 2024-03-01 · {GRADIENT_MATH}",
        f"  What is a gradient? · Physics · 2022-02-02 · {GRADIENT_PHYSICS}",
    ]
    for lowered in ("what is a gradient?", "WHAT IS A GRADIENT?"):
        assert qtreader("show", lowered, "--library", str(library)).code == 2


def test_show_a_shared_id_lists_the_copies_and_exits_2(qtreader, library):
    result = qtreader("show", "400", "--library", str(library))
    assert result.code == 2, result.err
    assert result.out == ""
    lines = result.err.splitlines()
    assert lines[0] == "qtreader: '400' matches 2 articles; show one by its url or path:"
    assert sorted(lines[1:]) == [
        f"  How do roots drink water? · Biology · 2020-01-01 · {ROOTS_BIOLOGY}",
        f"  How do roots drink water? · Ecology · 2020-01-02 · {ROOTS_ECOLOGY}",
    ]
    as_json = qtreader("show", "400", "--library", str(library), "--json")
    assert as_json.code == 2
    data = as_json.json()
    assert data["ref"] == "400"
    assert sorted((c["subject"], c["url"], c["path"]) for c in data["candidates"]) == [
        ("Biology", ROOTS_BIOLOGY, "biology/roots.md"),
        ("Ecology", ROOTS_ECOLOGY, "ecology/roots.md"),
    ]


def test_show_a_ref_that_names_one_article_shows_it(qtreader, library):
    for ref in (GRADIENT_PHYSICS, "physics/gradient.md", "300", "Why is a slope steep?", "101"):
        result = qtreader("show", ref, "--library", str(library))
        assert result.code == 0, (ref, result.err)
        assert result.err == ""
        assert result.out.startswith("# "), ref
    copy = qtreader("show", "ecology/roots.md", "--library", str(library))
    assert copy.code == 0 and "*Ecology · " in copy.out


def test_show_json_prints_the_whole_article(qtreader, library):
    result = qtreader("show", GRADIENT_MATH, "--library", str(library), "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert {
        k: data[k]
        for k in ("key", "path", "id", "title", "question", "subject", "date", "url", "kind")
    } == {
        "key": GRADIENT_MATH,
        "path": "mathematics/gradient.md",
        "id": "100",
        "title": "What is a gradient?",
        "question": "What is a gradient?",
        "subject": "Mathematics",
        "date": "2024-03-01",
        "url": GRADIENT_MATH,
        "kind": "quicktakes",
    }
    assert data["answer"] == "A gradient is the slope of a line: rise over run."
    assert data["keywords"] == "slope, lines"
    assert data["is_stub"] is False
    assert {"author", "date_sort"} <= set(data)
    assert data["links"] == [
        {
            "position": 1, "id": "300", "title": "What is a gradient?", "subject": "Physics",
            "url": GRADIENT_PHYSICS, "key": GRADIENT_PHYSICS, "status": "resolved",
        },
        {
            "position": 2, "id": "999", "title": "Where do gradients come from?",
            "subject": "Mathematics", "url": "", "key": None, "status": "not in this library",
        },
    ]  # fmt: skip
    back = qtreader("show", GRADIENT_PHYSICS, "--library", str(library), "--json").json()
    assert [(b["title"], b["key"], b["status"]) for b in back["backlinks"]] == [
        ("What is a gradient?", GRADIENT_MATH, "resolved")
    ]


def test_show_json_of_an_unknown_ref_is_a_one_line_error(qtreader, library):
    result = qtreader("show", "no such thing", "--library", str(library), "--json")
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.splitlines()) == 1


# -- --sort ---------------------------------------------------------------------------------


def test_sort_relevance_is_the_default_for_a_query(qtreader, library):
    default = search_json(qtreader, library, "slope")
    assert default["total"] == 5
    assert titles(default)[0] == "Why is a slope steep?"  # the word in its title
    assert titles(search_json(qtreader, library, "slope", "--sort", "relevance")) == titles(default)


def test_sort_newest_and_title(qtreader, library):
    newest = search_json(qtreader, library, "slope", "--sort", "newest")
    assert [hit["date"] for hit in newest["hits"]] == [
        "2024-03-01", "2023-07-15", "2022-02-02", "2021-05-10", "2019-09-09",
    ]  # fmt: skip
    by_title = search_json(qtreader, library, "slope", "--sort", "title")
    assert titles(by_title) == [
        "Are there infinitely many primes?",
        "What is a gradient?",
        "What is a gradient?",
        "Why does switching win in the Monty Hall puzzle?",
        "Why is a slope steep?",
    ]
    text = qtreader("search", "slope", "--library", str(library), "--sort", "newest")
    assert text.out.splitlines()[0] == "  1. What is a gradient?"


def test_sort_takes_only_its_three_orders(qtreader, library):
    result = qtreader("search", "slope", "--library", str(library), "--sort", "oldest")
    assert result.code == 2
    assert "--sort" in result.err and "Traceback" not in result.err


# -- did you mean ---------------------------------------------------------------------------


def test_a_typo_gets_a_suggestion(qtreader, library):
    result = qtreader("search", "gradiant", "--library", str(library))
    assert result.code == 0, result.err
    assert result.out == "No articles match 'gradiant'.\ndid you mean: gradient?\n"
    data = search_json(qtreader, library, "gradiant")
    assert data["total"] == 0
    assert data["suggestion"] == "gradient"


def test_no_suggestion_when_results_or_nothing_close(qtreader, library):
    found = search_json(qtreader, library, "gradient")
    assert found["total"] == 2
    assert found["suggestion"] is None
    far = qtreader("search", "qqqqqqqqqqqq", "--library", str(library))
    assert far.out == "No articles match 'qqqqqqqqqqqq'.\n"
    assert search_json(qtreader, library, "qqqqqqqqqqqq")["suggestion"] is None


# -- counts in the right number --------------------------------------------------------------


def test_counts_of_one_are_singular(qtreader, tmp_path):
    root = tmp_path / "one"
    article(root, "a.md", title="Only one", answer="Alone.", subject="Solo")
    write(root, "broken/empty.md", "")
    write(root, "broken/latin.md", "---\ntitle: Caf\xe9\nanswer: ok\n---\n".encode("latin-1"))
    check = qtreader("check", str(root))
    assert check.out.splitlines()[-1] == (
        f"{root.resolve()}: 2 articles, 1 file skipped, 1 file with warnings."
    )
    (root / "broken" / "latin.md").unlink()
    index = qtreader("index", str(root))
    assert index.out.startswith(
        "Catalog refreshed: 1 article (0 added, 0 changed, 1 removed), 1 file with problems, "
    )
    assert qtreader("bookmarks", "add", "a.md", "--library", str(root)).code == 0
    export = write(tmp_path, "export.json", qtreader("bookmarks", "export", "--format", "json").out)
    other = {"XDG_DATA_HOME": str(tmp_path / "other-data")}
    first = qtreader("bookmarks", "import", str(export), extra_env=other)
    assert first.out == "Imported 1 new bookmark (0 were already there).\n"
    again = qtreader("bookmarks", "import", str(export), extra_env=other)
    assert again.out == "Imported 0 new bookmarks (1 was already there).\n"
