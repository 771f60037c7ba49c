"""The qtreader command, run as a user would: a subprocess with its own XDG folders."""

from __future__ import annotations

import json
from pathlib import Path

from libhelpers import FIXTURE_LIBRARY, Result, copy_fixture_library, listing, write, write_article

from qtreader import __version__

REPO = Path(__file__).resolve().parents[2]
LEAVES_URL = "/learn/botany/questions/why-do-leaves-change-colour"
PHOTO_URL = "/learn/botany/questions/how-does-photosynthesis-store-energy"


def assert_user_error(result: Result) -> None:
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("qtreader: ")
    assert "Traceback" not in result.err


LIB = str(FIXTURE_LIBRARY)


def test_version(qtreader):
    result = qtreader("--version")
    assert result.code == 0
    assert result.out.strip() == f"qtreader {__version__}"


# -- search --------------------------------------------------------------------


def test_search_text(qtreader):
    result = qtreader("search", "pigments", "--library", LIB)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "  1. Why do leaves change colour in autumn?"
    assert lines[1] == f"     Botany · Dec 04, 2024 · {LEAVES_URL}"
    assert "*pigments*" in lines[2]
    assert "\x1b" not in result.out  # stdout is not a terminal: no bold codes
    assert lines[-1] == "1 of 1 shown."


def test_search_json(qtreader):
    result = qtreader("search", "energy", "--library", LIB, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["query"] == "energy"
    assert data["total"] == 1
    (hit,) = data["hits"]
    assert hit["key"] == PHOTO_URL
    assert hit["title"] == "How does photosynthesis store energy?"
    assert hit["subject"] == "Botany"
    assert hit["date"] == "2024-11-20"
    assert "**energy**" in hit["snippet"]


def test_search_subject_and_limit(qtreader):
    everything = qtreader("search", "--library", LIB, "--json", "--", "-zzzz").json()
    assert everything["total"] == 4  # the stub is hidden
    chem = qtreader(
        "search", "--library", LIB, "--json", "--subject", "chemistry", "--", "-zzzz"
    ).json()
    assert [h["title"] for h in chem["hits"]] == ["What makes a liquid an acid?"]
    limited = qtreader("search", "--library", LIB, "--json", "--limit", "2", "--", "-zzzz").json()
    assert limited["total"] == 4
    assert len(limited["hits"]) == 2
    text = qtreader("search", "--library", LIB, "--limit", "1", "--", "-zzzz")
    assert text.out.splitlines()[-1] == "1 of 4 shown."


def test_search_without_matches(qtreader):
    result = qtreader("search", "xylophone", "--library", LIB)
    assert result.code == 0
    assert result.out == "No articles match 'xylophone'.\n"


def test_search_uses_qtreader_library_env(qtreader):
    result = qtreader("search", "vinegar", "--json", extra_env={"QTREADER_LIBRARY": LIB})
    assert result.code == 0, result.err
    assert [h["title"] for h in result.json()["hits"]] == ["What makes a liquid an acid?"]


# -- show ----------------------------------------------------------------------


def test_show_by_url(qtreader):
    result = qtreader("show", LEAVES_URL, "--library", LIB)
    assert result.code == 0, result.err
    out = result.out
    lines = out.splitlines()
    assert lines[0] == "# Why do leaves change colour in autumn?"
    assert lines[2] == "*Botany · Dec 04, 2024 · QuickTakes*"
    # the answer, with its literal \n decoded
    assert "As the days get shorter, trees stop making chlorophyll.\n\n1. **Carotenoids**" in out
    assert "\\n" not in out.split("## Related")[0].replace("\\nabla", "").replace("\\neq", "")
    assert "$\\nabla T$" in out
    assert "Keywords: leaves, chlorophyll, autumn colour" in out
    related = out.split("## Related\n\n")[1].split("\n\n")[0].splitlines()
    assert related == [
        f"- How does photosynthesis store energy? ({PHOTO_URL})",
        "- Do evergreen trees ever shed needles? (not in this library)",
    ]
    assert "## Referenced by" in out
    assert (
        f"- How does photosynthesis store energy? ({PHOTO_URL})" in out.split("## Referenced by")[1]
    )


def test_show_by_id_path_and_title(qtreader):
    by_id = qtreader("show", "601", "--library", LIB)
    assert by_id.code == 0, by_id.err
    assert by_id.out.startswith("# What makes a liquid an acid?\n")
    assert "*Chemistry · 02/10/2024*" in by_id.out
    assert "An acid gives away hydrogen ions in water.\n\nLemon juice" in by_id.out
    by_path = qtreader("show", "chemistry/acids.md", "--library", LIB)
    assert by_path.out == by_id.out
    by_abs_path = qtreader(
        "show", str(FIXTURE_LIBRARY / "chemistry" / "acids.md"), "--library", LIB
    )
    assert by_abs_path.out == by_id.out
    by_title = qtreader("show", "What makes a liquid an acid?", "--library", LIB)
    assert by_title.out == by_id.out


def test_show_plain_article(qtreader):
    result = qtreader("show", "notes/tidal-pools.txt", "--library", LIB)
    assert result.code == 0
    assert result.out.startswith("# Tidal Pools and the Creatures in Them\n\n*Notes*\n")
    assert "Post a Comment" not in result.out


def test_show_unknown_reference(qtreader):
    assert_user_error(qtreader("show", "no such thing", "--library", LIB))


# -- check and index -----------------------------------------------------------


def test_check_clean_library(qtreader):
    result = qtreader("check", LIB)
    assert result.code == 0, result.out
    assert result.out == (
        f"{FIXTURE_LIBRARY.resolve()}: 5 articles, 0 files skipped, 0 files with warnings.\n"
    )


def broken_library(root: Path) -> Path:
    copy_fixture_library(root)
    write(root, "broken/bad-yaml.md", "---\ntitle: x\nanswer: a: b\n---\n")
    write(root, "broken/empty.md", "")
    write(root, "broken/latin.md", "---\ntitle: Caf\xe9\nanswer: ok\n---\n".encode("latin-1"))
    return root


def test_check_lists_problems_and_exits_1(qtreader, tmp_path):
    root = broken_library(tmp_path / "lib")
    result = qtreader("check", str(root))
    assert result.code == 1
    lines = result.out.splitlines()
    assert "error: broken/bad-yaml.md:3: the front matter is not valid YAML" in lines[0]
    assert lines[1] == "error: broken/empty.md: the file is empty"
    assert lines[2].startswith("warning: broken/latin.md: not valid UTF-8")
    assert lines[3] == f"{root.resolve()}: 6 articles, 2 files skipped, 1 file with warnings."


def test_check_json(qtreader, tmp_path):
    root = broken_library(tmp_path / "lib")
    result = qtreader("check", str(root), "--json")
    assert result.code == 1
    data = result.json()
    assert data["library"] == str(root.resolve())
    assert data["articles"] == 6
    assert [(p["path"], p["severity"], p["line"]) for p in data["problems"]] == [
        ("broken/bad-yaml.md", "error", 3),
        ("broken/empty.md", "error", None),
        ("broken/latin.md", "warning", None),
    ]
    clean = qtreader("check", LIB, "--json")
    assert clean.code == 0
    assert clean.json()["problems"] == []


def test_index_prints_counts(qtreader, tmp_path, isolated_user_dirs):
    root = copy_fixture_library(tmp_path / "lib")
    first = qtreader("index", str(root))
    assert first.code == 0, first.err
    lines = first.out.splitlines()
    assert lines[0].startswith(
        "Catalog built: 5 articles (5 added, 0 changed, 0 removed), 0 files with problems, "
    )
    catalog_file = Path(lines[1].removeprefix("Catalog file: "))
    assert catalog_file.is_relative_to(isolated_user_dirs["XDG_CACHE_HOME"])
    assert catalog_file.exists()
    write_article(root, "chemistry/bases.md", title="What is a base?", answer="Soap.")
    (root / "notes" / "tidal-pools.txt").unlink()
    second = qtreader("index", str(root))
    assert second.out.splitlines()[0].startswith(
        "Catalog refreshed: 5 articles (1 added, 0 changed, 1 removed), "
    )


def test_cli_never_writes_into_the_library(qtreader, tmp_path):
    root = copy_fixture_library(tmp_path / "lib")
    before = listing(root)
    qtreader("index", str(root))
    qtreader("search", "acid", "--library", str(root))
    qtreader("bookmarks", "add", "601", "--library", str(root))
    qtreader("check", str(root))
    assert listing(root) == before


# -- errors --------------------------------------------------------------------


def test_missing_folder_is_a_one_line_error(qtreader, tmp_path):
    missing = tmp_path / "nowhere"
    for args in (
        ["check", str(missing)],
        ["search", "x", "--library", str(missing)],
        [str(missing)],
    ):
        result = qtreader(*args)
        assert_user_error(result)
        assert "does not exist" in result.err


def test_file_given_as_library_is_a_one_line_error(qtreader, tmp_path):
    article = write(tmp_path, "article.md", "Title\nbody")
    for args in (["index", str(article)], ["show", "x", "--library", str(article)]):
        result = qtreader(*args)
        assert_user_error(result)
        assert "not a folder" in result.err


def test_missing_folder_in_qtreader_library_env(qtreader, tmp_path):
    result = qtreader("check", extra_env={"QTREADER_LIBRARY": str(tmp_path / "gone")})
    assert_user_error(result)


def test_unwritable_cache_is_a_one_line_error(qtreader, tmp_path):
    blocker = write(tmp_path, "cache-file", "x")
    result = qtreader("check", LIB, extra_env={"XDG_CACHE_HOME": str(blocker)})
    assert_user_error(result)
    assert "cache" in result.err


def test_control_characters_in_file_names_do_not_reach_the_terminal(qtreader, tmp_path):
    root = tmp_path / "lib"
    write(root, "evil\x1b]0;owned\x07/name\x1b[31m.txt", "Harmless title\n\nzebra text\n")
    write(root, "evil\x1b]0;owned\x07/broken\x1b[2J.md", "")
    search = qtreader("search", "zebra", "--library", str(root))
    assert search.code == 0
    assert "Harmless title" in search.out
    check = qtreader("check", str(root))
    assert check.code == 1
    assert "the file is empty" in check.out
    show = qtreader("show", "Harmless title", "--library", str(root))
    assert show.code == 0
    for out in (search.out, check.out, show.out):
        assert "\x1b" not in out and "\x07" not in out, out


# -- bookmarks -----------------------------------------------------------------


def test_bookmarks_add_list_remove(qtreader, tmp_path):
    root = copy_fixture_library(tmp_path / "lib")
    lib = str(root)
    empty = qtreader("bookmarks", "list", "--library", lib)
    assert empty.out == f"No bookmarks in {root.resolve()}.\n"
    added = qtreader("bookmarks", "add", LEAVES_URL, "--library", lib, "--note", "for class")
    assert added.code == 0, added.err
    assert added.out == "Bookmarked: Why do leaves change colour in autumn?\n"
    assert qtreader("bookmarks", "add", "601", "--library", lib).code == 0
    listed = qtreader("bookmarks", "list", "--library", lib)
    assert listed.code == 0
    assert "- Why do leaves change colour in autumn?  (Botany, added " in listed.out
    assert "      note: for class" in listed.out
    assert "- What makes a liquid an acid?  (Chemistry, added " in listed.out
    assert "[missing" not in listed.out
    as_json = qtreader("bookmarks", "list", "--library", lib, "--json").json()
    assert {b["key"] for b in as_json} == {
        LEAVES_URL,
        "/learn/chemistry/questions/what-makes-a-liquid-an-acid",
    }
    assert all(b["missing"] is False for b in as_json)
    assert all(b["library"] == str(root.resolve()) for b in as_json)
    removed = qtreader("bookmarks", "remove", "chemistry/acids.md", "--library", lib)
    assert removed.out == "Removed bookmark: What makes a liquid an acid?\n"
    again = qtreader("bookmarks", "remove", "chemistry/acids.md", "--library", lib)
    assert_user_error(again)
    as_json = qtreader("bookmarks", "list", "--library", lib, "--json").json()
    assert [b["key"] for b in as_json] == [LEAVES_URL]


def test_bookmark_of_a_deleted_article_is_listed_as_missing(qtreader, tmp_path):
    root = copy_fixture_library(tmp_path / "lib")
    assert qtreader("bookmarks", "add", "601", "--library", str(root)).code == 0
    (root / "chemistry" / "acids.md").unlink()
    listed = qtreader("bookmarks", "list", "--library", str(root))
    assert "What makes a liquid an acid?" in listed.out
    assert "[missing from the library]" in listed.out
    as_json = qtreader("bookmarks", "list", "--library", str(root), "--json").json()
    assert [b["missing"] for b in as_json] == [True]
    # a bookmark whose article is gone can still be removed by its key
    removed = qtreader(
        "bookmarks", "remove", "/learn/chemistry/questions/what-makes-a-liquid-an-acid",
        "--library", str(root),
    )  # fmt: skip
    assert removed.code == 0, removed.err


def test_bookmark_unknown_article(qtreader):
    assert_user_error(qtreader("bookmarks", "add", "nothing like this", "--library", LIB))


def test_bookmarks_export_and_import(qtreader, tmp_path, isolated_user_dirs):
    lib = str(FIXTURE_LIBRARY)
    qtreader("bookmarks", "add", LEAVES_URL, "--library", lib, "--note", "n1")
    qtreader("bookmarks", "add", "601", "--library", lib)
    md = qtreader("bookmarks", "export", "--format", "md")
    assert md.code == 0
    assert md.out.startswith("# Bookmarks\n")
    assert f"Library: `{FIXTURE_LIBRARY.resolve()}`" in md.out
    assert "## Botany" in md.out and "## Chemistry" in md.out
    assert f"- Why do leaves change colour in autumn? — {LEAVES_URL} (n1)" in md.out
    exported = qtreader("bookmarks", "export", "--format", "json")
    data = json.loads(exported.out)
    assert len(data["bookmarks"]) == 2
    export_file = write(tmp_path, "export.json", exported.out)

    # a second user imports it, twice
    other = {"XDG_DATA_HOME": str(tmp_path / "other-data")}
    first = qtreader("bookmarks", "import", str(export_file), extra_env=other)
    assert first.code == 0, first.err
    assert first.out == "Imported 2 new bookmarks (0 were already there).\n"
    second = qtreader("bookmarks", "import", str(export_file), extra_env=other)
    assert second.out == "Imported 0 new bookmarks (2 were already there).\n"
    listed = json.loads(qtreader("bookmarks", "export", "--format", "json", extra_env=other).out)
    assert sorted(b["key"] for b in listed["bookmarks"]) == sorted(
        b["key"] for b in data["bookmarks"]
    )


def test_bookmarks_import_of_a_bad_file(qtreader, tmp_path):
    bad = write(tmp_path, "bad.json", "{not json")
    assert_user_error(qtreader("bookmarks", "import", str(bad)))
    assert_user_error(qtreader("bookmarks", "import", str(tmp_path / "missing.json")))


def test_bookmarks_read_only_file_is_a_user_error(qtreader, isolated_user_dirs):
    path = isolated_user_dirs["XDG_DATA_HOME"] / "qtreader" / "bookmarks.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 99, "bookmarks": []}')
    result = qtreader("bookmarks", "add", "601", "--library", LIB)
    assert result.code == 2
    assert "newer qtreader" in result.err
    assert "Traceback" not in result.err
    assert path.read_text() == '{"version": 99, "bookmarks": []}'


def test_damaged_bookmarks_file_is_reported_and_set_aside(qtreader, isolated_user_dirs):
    path = isolated_user_dirs["XDG_DATA_HOME"] / "qtreader" / "bookmarks.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage")
    result = qtreader("bookmarks", "add", "601", "--library", LIB)
    assert result.code == 0
    assert "qtreader: " in result.err and ".corrupt-" in result.err
    (aside,) = path.parent.glob("bookmarks.json.corrupt-*")
    assert aside.read_bytes() == b"\x00garbage"


# -- config --------------------------------------------------------------------


def test_config_path(qtreader, isolated_user_dirs):
    result = qtreader("config", "path")
    assert result.code == 0
    assert result.out == f"{isolated_user_dirs['XDG_CONFIG_HOME'] / 'qtreader' / 'config.toml'}\n"


def test_config_show_template(qtreader):
    result = qtreader("config", "show")
    assert result.code == 0
    assert "does not exist yet" in result.out


def test_article_markdown_keeps_control_characters_of_file_keys_out():
    from qtreader.library.export import article_markdown
    from qtreader.library.models import Article, RelatedLink

    article = Article(
        key="k.md", path="k.md", title="T", answer="A",
        links=[RelatedLink(1, "", "Linked", "", "", "evil\x1b[31m.md")],
        backlinks=[RelatedLink(1, "", "Back", "", "", "bell\x07.md")],
    )  # fmt: skip
    md = article_markdown(article)
    assert "\x1b" not in md and "\x07" not in md
    assert "- Linked (evil [31m.md)" in md
    assert "- Back (bell .md)" in md


# Where the library ends (issue 19): a system folder is refused in one line, and links
# out of the library are followed only when the settings say so.


def test_a_system_folder_as_the_library_is_one_line_and_exit_2(qtreader):
    for folder in ("/", "/proc", "/sys"):
        assert_user_error(qtreader("search", "x", "--library", folder))


def _library_with_a_link_out(tmp_path):
    outside = tmp_path / "elsewhere"
    write_article(outside, "far.md", title="A far away article", answer="Far words.")
    library = tmp_path / "lib"
    write_article(library, "near.md", title="A near article", answer="Near words.")
    (library / "linked").symlink_to(outside, target_is_directory=True)
    return library


def test_links_out_of_the_library_are_followed_only_when_set(
    qtreader, tmp_path, isolated_user_dirs
):
    library = _library_with_a_link_out(tmp_path)
    found = qtreader("search", "far", "--library", str(library), "--json")
    assert found.code == 0, found.err
    assert json.loads(found.out)["total"] == 0
    config = isolated_user_dirs["XDG_CONFIG_HOME"] / "qtreader" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("follow_external_links = true\n", encoding="utf-8")
    found = qtreader("search", "far", "--library", str(library), "--json")
    assert found.code == 0, found.err
    assert json.loads(found.out)["total"] == 1
