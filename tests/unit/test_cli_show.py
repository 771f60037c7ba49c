"""``qtreader show`` in a terminal (issue 24): rendered as the reader renders it (Rich's
Markdown, math as Unicode, the links listed), as wide as the terminal up to
``column_width``, paged as git pages (``$PAGER``, else ``less -R`` with ``LESS=FRX``);
piped, or with ``--markdown`` / ``--json``, the forms it printed before.

The terminal is faked: ``main`` writes to a stream whose ``isatty()`` is True, its size
is given by ``COLUMNS`` and ``LINES``, and the pager is a script that records what it
was given."""

from __future__ import annotations

import io
import json
import re
import stat
from pathlib import Path

import pytest
from libhelpers import FIXTURE_LIBRARY, link, write, write_article

from qtreader.cli import main
from qtreader.cli.render import render_article
from qtreader.library.models import Article, RelatedLink

LIB = str(FIXTURE_LIBRARY)
LEAVES_URL = "/learn/botany/questions/why-do-leaves-change-colour"
PHOTO_URL = "/learn/botany/questions/how-does-photosynthesis-store-energy"
SGR = re.compile(r"\x1b\[[0-9;]*m")  # colours and bold: the only escapes rendering may send
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Piped(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture
def term(monkeypatch, isolated_user_dirs):
    """A 100 x 200 terminal, no pager asked for; returns a function running ``main``."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "200")
    monkeypatch.setenv("PAGER", "cat")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("LESS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)

    def run(*args: str, out: io.StringIO | None = None) -> tuple[int, str]:
        out = Terminal() if out is None else out
        code = main(["show", *args], out=out)
        return code, out.getvalue()

    return run


def plain(rendered: str) -> str:
    """What the terminal shows: the rendered text without its colours, lines stripped
    of the trailing spaces Rich pads with."""
    text = SGR.sub("", rendered)
    assert not CONTROLS.search(text.replace("\n", "")), repr(text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def widest(text: str) -> int:
    return max(len(line) for line in plain(text).splitlines())


def config(isolated_user_dirs, body: str) -> None:
    path = isolated_user_dirs["XDG_CONFIG_HOME"] / "qtreader" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")


def fake_pager(folder: Path, name: str = "pager") -> Path:
    """A pager that records its arguments, $LESS and what it read."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{folder}/args"\n'
        f'printf "%s" "${{LESS-unset}}" > "{folder}/less"\n'
        f'cat > "{folder}/received"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


# -- piped, and the forms a flag forces ---------------------------------------------------


def test_piped_show_prints_the_markdown_as_before(term):
    code, out = term(LEAVES_URL, "--library", LIB, out=Piped())
    assert code == 0
    assert out.startswith("# Why do leaves change colour in autumn?\n\n*Botany · Dec 04, 2024")
    assert "$\\nabla T$" in out  # the LaTeX as written
    assert "\x1b" not in out


def test_markdown_flag_forces_markdown_in_a_terminal(term):
    _, piped = term(LEAVES_URL, "--library", LIB, out=Piped())
    code, out = term(LEAVES_URL, "--library", LIB, "--markdown")
    assert code == 0
    assert out == piped


def test_json_flag_forces_json_in_a_terminal(term):
    _, piped = term(LEAVES_URL, "--library", LIB, "--json", out=Piped())
    code, out = term(LEAVES_URL, "--library", LIB, "--json")
    assert code == 0
    assert out == piped
    data = json.loads(out)
    assert data["title"] == "Why do leaves change colour in autumn?"
    assert [link["status"] for link in data["links"]] == ["resolved", "not in this library"]


def test_markdown_and_json_cannot_both_be_asked_for(term, capsys):
    with pytest.raises(SystemExit) as exit:
        term(LEAVES_URL, "--library", LIB, "--json", "--markdown")
    assert exit.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


# -- rendered ------------------------------------------------------------------------------


def test_a_terminal_gets_the_article_rendered(term):
    code, out = term(LEAVES_URL, "--library", LIB)
    assert code == 0
    assert SGR.search(out), "no styles: not rendered"
    text = plain(out)
    lines = text.splitlines()
    assert lines[0] == "Why do leaves change colour in autumn?"
    assert lines[1] == "Botany · Dec 04, 2024 · QuickTakes"
    assert "As the days get shorter, trees stop making chlorophyll." in text
    # Markdown rendered: a numbered list, bold without its stars, no heading marks
    assert " 1 Carotenoids: yellow pigments show through." in text
    assert "**" not in text and "# " not in text
    # math as Unicode, as the reader shows it
    assert "A gradient ∇T plays no part, and a ≠ b still holds." in text
    assert "\\nabla" not in text and "$" not in text
    assert "Keywords  leaves, chlorophyll, autumn colour" in text


def test_the_related_links_are_listed_with_subject_and_missing_ones_marked(term):
    _, out = term(LEAVES_URL, "--library", LIB)
    text = plain(out)
    related = text.split("\nRelated\n")[1].split("\n\n")[0].splitlines()
    assert related == [
        "  → How does photosynthesis store energy?  · Botany",
        "  ✗ Do evergreen trees ever shed needles?  not in this library",
    ]
    backlinks = text.split("\nReferenced by\n")[1].rstrip().splitlines()
    assert backlinks == ["  → How does photosynthesis store energy?  · Botany"]


def test_links_in_the_answer_are_listed(term, tmp_path):
    root = tmp_path / "lib"
    write_article(
        root,
        "a.md",
        title="Where to go next",
        answer="Read [the photosynthesis note](/learn/b/photo) and [elsewhere](https://example.org).",
        subject="Botany",
        url="/learn/a",
    )
    write_article(root, "b.md", title="Photosynthesis", answer="Light.", url="/learn/b/photo")
    _, out = term("/learn/a", "--library", str(root))
    text = plain(out)
    assert "Links in this answer\n  → Photosynthesis  · Unsorted" in text


def test_a_stub_says_so(term):
    _, out = term("/learn/unsorted/questions/cannot-answer", "--library", LIB)
    assert "(a stub: the generator could not answer)" in plain(out).splitlines()[1]


def test_the_question_is_shown_when_it_is_not_the_title(term, tmp_path):
    root = tmp_path / "lib"
    write_article(
        root, "q.md", title="Tides", question="Why are there two tides a day?", answer="The Moon."
    )
    _, out = term("Tides", "--library", str(root))
    assert plain(out).splitlines()[2] == "Why are there two tides a day?"


def test_an_html_post_is_rendered_without_its_tags(term, tmp_path):
    root = tmp_path / "lib"
    write(
        root,
        "post.md",
        "---\ntitle: A post\nsubject: Notes\n---\n\n"
        '<p>Moss is <b>green</b>, see <a href="https://example.org/moss">the moss page</a>.</p>'
        "<ul><li>first</li><li>second</li></ul>\n",
    )
    _, out = term("A post", "--library", str(root))
    text = plain(out)
    assert "Moss is green, see the moss page (https://example.org/moss)." in text
    assert "• first" in text and "• second" in text
    assert "<" not in text


def test_display_math_is_rendered(term, tmp_path):
    root = tmp_path / "lib"
    write_article(
        root,
        "m.md",
        title="Fractions",
        answer="Half of it:\\n\\n$$\\frac{a+b}{2}$$\\n\\nand $x^2$.",
    )
    _, out = term("Fractions", "--library", str(root))
    text = plain(out)
    assert "(a+b)/2" in text and "x²" in text
    assert "\\frac" not in text


# -- width -------------------------------------------------------------------------------

LONG_ANSWER = " ".join(["Words that fill a line and wrap onto the next one."] * 12)


@pytest.fixture
def long_article(tmp_path) -> str:
    root = tmp_path / "lib"
    write_article(root, "long.md", title="Long", answer=LONG_ANSWER, subject="Width")
    return str(root)


def test_the_width_is_capped_at_column_width(term, monkeypatch, long_article, isolated_user_dirs):
    monkeypatch.setenv("COLUMNS", "200")
    config(isolated_user_dirs, "column_width = 60\n")
    _, out = term("Long", "--library", long_article)
    assert 50 < widest(out) <= 60


def test_the_default_column_width_is_88(term, monkeypatch, long_article):
    monkeypatch.setenv("COLUMNS", "200")
    _, out = term("Long", "--library", long_article)
    assert 78 < widest(out) <= 88


def test_a_narrow_terminal_narrows_the_text(term, monkeypatch, long_article):
    monkeypatch.setenv("COLUMNS", "45")
    _, out = term("Long", "--library", long_article)
    assert 35 < widest(out) <= 45


# -- the pager ---------------------------------------------------------------------------


def test_an_article_longer_than_the_screen_goes_through_pager(term, monkeypatch, tmp_path):
    pager = fake_pager(tmp_path / "pager")
    monkeypatch.setenv("PAGER", str(pager))
    monkeypatch.setenv("LINES", "10")
    code, out = term(LEAVES_URL, "--library", LIB)
    assert code == 0
    assert out == ""  # all of it went to the pager
    received = (tmp_path / "pager" / "received").read_text(encoding="utf-8")
    assert SGR.search(received)  # rendered, colours and all (less -R shows them)
    assert "Why do leaves change colour in autumn?" in plain(received)
    assert "→ How does photosynthesis store energy?" in plain(received)
    assert (tmp_path / "pager" / "less").read_text() == "FRX"  # as git sets it


def test_the_users_less_options_are_kept(term, monkeypatch, tmp_path):
    pager = fake_pager(tmp_path / "pager")
    monkeypatch.setenv("PAGER", f"{pager} --one 'two words'")
    monkeypatch.setenv("LINES", "10")
    monkeypatch.setenv("LESS", "-i")
    term(LEAVES_URL, "--library", LIB)
    assert (tmp_path / "pager" / "less").read_text() == "-i"
    assert (tmp_path / "pager" / "args").read_text().splitlines() == ["--one", "two words"]


def test_without_PAGER_less_R_is_used(term, monkeypatch, tmp_path):
    bin_dir = tmp_path / "bin"
    fake_pager(bin_dir, "less")
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.delenv("PAGER")
    monkeypatch.setenv("LINES", "10")
    code, out = term(LEAVES_URL, "--library", LIB)
    assert code == 0 and out == ""
    assert (bin_dir / "args").read_text().splitlines() == ["-R"]
    assert (bin_dir / "less").read_text() == "FRX"
    assert "Why do leaves change colour" in (bin_dir / "received").read_text(encoding="utf-8")


def test_an_article_that_fits_is_printed_not_paged(term, monkeypatch, tmp_path):
    pager = fake_pager(tmp_path / "pager")
    monkeypatch.setenv("PAGER", str(pager))
    monkeypatch.setenv("LINES", "60")
    code, out = term(LEAVES_URL, "--library", LIB)
    assert code == 0
    assert "Why do leaves change colour in autumn?" in plain(out)
    assert not (tmp_path / "pager" / "received").exists()


@pytest.mark.parametrize("pager", ["", "cat", " cat "])
def test_no_pager_when_PAGER_is_empty_or_cat(term, monkeypatch, pager):
    monkeypatch.setenv("PAGER", pager)
    monkeypatch.setenv("LINES", "10")
    code, out = term(LEAVES_URL, "--library", LIB)
    assert code == 0
    assert "Why do leaves change colour in autumn?" in plain(out)


@pytest.mark.parametrize(
    "pager", ["/no/such/pager", "no-such-pager-qtreader -R", 'no-such-pager-qtreader "$HOME"']
)
def test_a_pager_that_cannot_start_falls_back_to_printing(term, monkeypatch, capsys, pager):
    monkeypatch.setenv("PAGER", pager)
    monkeypatch.setenv("LINES", "10")
    code, out = term(LEAVES_URL, "--library", LIB)
    assert code == 0
    text = plain(out)
    assert text.startswith("Why do leaves change colour in autumn?")
    assert "→ How does photosynthesis store energy?" in text
    err = capsys.readouterr().err
    assert "could not start" in err and len(err.splitlines()) == 1, err


def test_a_pager_quit_early_is_no_error(term, monkeypatch, tmp_path):
    """``q`` in less before it read everything: the rest is not written, no traceback."""
    monkeypatch.setenv("PAGER", "head -c 10 >/dev/null")
    monkeypatch.setenv("LINES", "5")
    root = tmp_path / "lib"
    write_article(root, "big.md", title="Big", answer="\\n\\n".join(["A paragraph."] * 20_000))
    code, out = term("Big", "--library", str(root))
    assert code == 0 and out == ""


# -- nothing from the content reaches the terminal raw ------------------------------------

OSC = "\x1b]0;PWN\x07"


def test_controls_in_a_file_never_reach_the_terminal(term, tmp_path):
    root = tmp_path / "lib"
    write_article(
        root,
        "evil.md",
        title=f"Evil {OSC}title",
        question=f"Really{OSC}?",
        answer="Text \x1b[2J cleared? \x9b31m red?\x9d0;x\x07 `code\x1b[31m` &#27;]0;ent&#7; &#13;over&#12; done",
        subject=f"Sub{OSC}ject",
        url="/learn/evil",
        related_article1=link("9", f"Link{OSC}", f"S{OSC}", "/gone"),
    )
    code, out = term("/learn/evil", "--library", str(root))
    assert code == 0
    text = plain(out)  # asserts no control outside the styles
    assert "Evil" in text and "done" in text and "not in this library" in text


def test_rendered_text_holding_controls_shows_them_escaped():
    """An article as the catalog gives it back (a catalog written by another program, a
    damaged one): whatever it holds, the rendering shows controls as ``\\x1b``."""
    article = Article(
        key="/k",
        path="k.md",
        title=f"Title {OSC}",
        answer="Answer \x1b[2J and \x9b31m and `code \x1b[31m`\n\n```\nblock\x07\n```",
        subject="Subject\x9d",
        question="Question \x1b[5m",
        keywords="key\x1bword",
        links=[RelatedLink(1, "9", f"Link {OSC}", "S\x1b", "/gone", None)],
        backlinks=[RelatedLink(1, "8", "Back \x1b[1m", "Sub", "/b", "/b")],
    )
    answer_links = [RelatedLink(1, "", "In \x07 answer", "X", "/c", "/c")]
    rendered = render_article(article, answer_links, width=80, color=True)
    text = plain(rendered)
    for shown in (
        "Title \\x1b]0;PWN\\x07",
        "Subject\\x9d",
        "Question \\x1b[5m",
        "Answer \\x1b[2J and \\x9b31m and code \\x1b[31m",
        "block\\x07",
        "key\\x1bword",
        "Link \\x1b]0;PWN\\x07",
        "Back \\x1b[1m",
        "In \\x07 answer",
    ):
        assert shown in text, shown


def test_without_colour_nothing_but_text(tmp_path):
    article = Article(key="/k", path="k.md", title="T", answer="Some **bold** text.")
    rendered = render_article(article, [], width=40, color=False)
    assert "\x1b" not in rendered
    assert "Some bold text." in rendered


def test_a_very_long_answer_is_rendered_in_part_and_says_so():
    """Rich takes about 2 s a megabyte: a 16 MB answer would keep the terminal waiting
    half a minute. The first part is rendered, cut at a paragraph, and the rest is
    one flag away."""
    paragraph = "A line of text that says nothing much. " * 5
    answer = "\n\n".join(f"{n} {paragraph}" for n in range(20_000))  # 4 MB
    article = Article(key="/k", path="k.md", title="T", answer=answer)
    text = plain(render_article(article, [], width=88, color=False))
    assert "0 A line of text" in text
    assert "19999 A line" not in text
    kb = len(answer) // 1024
    assert f"This answer is long ({kb:,} KB): the first 976 KB are shown" in text
    assert "--markdown prints all of it" in text
    assert render_article(article, [], width=88).count("\n") < 20_000 * 4
