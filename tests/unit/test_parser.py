"""qtreader.library.parser: one file's bytes -> an Article, or problems. Nothing raises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest
from libhelpers import (
    CONTROL_IN_LINE,
    CONTROL_IN_TEXT,
    FIXTURE_ARTICLES,
    front_matter,
    link,
    write,
)

import qtreader.library.parser as parser_module
import qtreader.library.scan as scan_module
from qtreader.library.models import LinkStatus, Severity
from qtreader.library.parser import parse_bytes, parse_text, read_article

REPO = Path(__file__).resolve().parents[2]


def parse(text: str, path: str = "topic/article.md"):
    return parse_bytes(text.encode("utf-8"), path)


def only_problem(result):
    assert result.article is None
    assert len(result.problems) == 1, result.problems
    problem = result.problems[0]
    assert problem.severity is Severity.ERROR
    return problem


def warnings_of(result) -> list[str]:
    return [p.reason for p in result.problems if p.severity is Severity.WARNING]


# -- encodings -----------------------------------------------------------------


def test_utf8_with_bom_and_crlf():
    result = read_article(str(FIXTURE_ARTICLES), "bom_crlf.md")
    assert result.problems == []
    article = result.article
    assert article.title == "Saved on Windows"
    assert article.subject == "Testing"
    assert article.answer == "first line\nsecond line"
    assert "\r" not in article.answer


def test_utf8_without_bom():
    result = parse(front_matter(title="Crème brûlée", answer="Sugar — burnt.\\nYes."))
    assert result.problems == []
    assert result.article.title == "Crème brûlée"
    assert result.article.answer == "Sugar — burnt.\nYes."


def test_invalid_utf8_is_read_as_cp1252_with_a_warning():
    result = read_article(str(FIXTURE_ARTICLES), "cp1252.md")
    assert result.article is not None
    assert result.article.title == "Café menu"
    assert result.article.answer == "The \u201cbest\u201d dish costs €5."
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.severity is Severity.WARNING
    assert "UTF-8" in problem.reason and "Windows-1252" in problem.reason
    assert problem.path == "cp1252.md"


# -- QuickTakes front matter ---------------------------------------------------


def test_quicktakes_fixture_is_read_in_full():
    result = read_article(str(FIXTURE_ARTICLES), "quicktakes.md")
    assert result.problems == []
    a = result.article
    assert a.key == a.url == "/learn/botany/questions/why-do-leaves-change-colour"
    assert a.path == "quicktakes.md"
    assert a.kind == "quicktakes"
    assert a.title == "Why do leaves change colour in autumn?"
    assert a.question == "Why do leaves change colour in autumn?"
    assert a.id == "501"
    assert a.subject == "Botany"
    assert a.author == "QuickTakes"
    assert a.date == "Dec 04, 2024"
    assert a.date_sort == "2024-12-04"
    assert a.keywords == "leaves, chlorophyll, autumn colour"
    assert not a.is_stub
    assert a.answer.startswith("As the days get shorter, trees stop making chlorophyll.\n\n1. ")
    assert "\n2. **Anthocyanins**" in a.answer
    assert "&nbsp;" not in a.answer
    # LaTeX survives, and nothing but \n is unescaped.
    assert "$\\nabla T$" in a.answer
    assert "$a \\neq b$" in a.answer
    assert a.answer.endswith("still holds.\\tTabs\\\\and \\*stars\\* stay.")
    assert [(lk.position, lk.id, lk.title) for lk in a.links] == [
        (1, "502", "How does photosynthesis store energy?"),
        (2, "999", "Do evergreen trees ever shed needles?"),
    ]
    assert all(lk.target_key is None and lk.status is LinkStatus.MISSING for lk in a.links)


def test_answer_literal_backslash_n_and_latex_in_math():
    answer = (
        r"Intro\nGradient $\nabla f$, $a \neq b$, $\nu$, $\neg p$, $x \not\in A$,"
        r" \(\nabla\), \[\neq\], $$\nabla$$ and $$\nx$$.\nEnd"
    )
    result = parse(front_matter(title="Math", answer=answer))
    assert result.article.answer == (
        "Intro\nGradient $\\nabla f$, $a \\neq b$, $\\nu$, $\\neg p$, $x \\not\\in A$,"
        " \\(\\nabla\\), \\[\\neq\\], $$\\nabla$$ and $$\nx$$.\nEnd"
    )


def test_answer_keeps_other_backslash_sequences():
    result = parse(front_matter(title="Esc", answer=r"tab\t slash\\ star\* quote\" end"))
    assert result.article.answer == r"tab\t slash\\ star\* quote\" end"


def test_code_span_with_dollar_does_not_open_math():
    result = parse(front_matter(title="Code", answer=r"Run `echo $HOME` \nabla `$PATH`"))
    assert result.article.answer == "Run `echo $HOME` \nabla `$PATH`"


def test_body_nbsp_is_ignored_when_there_is_an_answer():
    text = "---\ntitle: T\nanswer: The answer.\n---\n\n&nbsp;\n\u00a0\n"
    result = parse(text)
    assert result.article.answer == "The answer."
    assert result.article.kind == "quicktakes"


def test_front_matter_without_answer_uses_the_markdown_body():
    result = read_article(str(FIXTURE_ARTICLES), "post.md")
    assert result.problems == []
    a = result.article
    assert a.kind == "post"
    assert a.title == "Field notes on moss"
    assert (
        a.answer
        == "Moss grows on the **north** side more often than not.\n\nIt keeps the soil damp."
    )
    assert a.date == "2023-05-01"


def test_front_matter_with_neither_answer_nor_body_is_a_problem():
    problem = only_problem(parse("---\ntitle: Empty\n---\n\n&nbsp;\n"))
    assert "no answer and no body" in problem.reason


def test_title_falls_back_to_article_title_question_then_file_name():
    assert parse(front_matter(article_title="AT", answer="a")).article.title == "AT"
    assert parse(front_matter(question="Q?", answer="a")).article.title == "Q?"
    assert parse(front_matter(answer="a"), "x/my-file_name.md").article.title == "My File Name"


def test_numbers_and_booleans_are_text():
    result = parse(front_matter(title=2024, id=84965, answer=True))
    assert result.article.title == "2024"
    assert result.article.id == "84965"
    assert result.article.answer == "true"


# -- plain articles ------------------------------------------------------------


def test_plain_article_title_repeated_title_and_chrome():
    result = read_article(str(FIXTURE_ARTICLES), "plain.txt")
    assert result.problems == []
    a = result.article
    assert a.kind == "plain"
    assert a.key == a.path == "plain.txt"
    assert a.title == "Tidal Pools and the Creatures in Them"
    assert a.answer == (
        "Tidal pools fill and drain twice a day.\n\n"
        "Crabs, anemones and small fish wait there for the sea to return.\n\n"
        "Starfish cling to the rocks."
    )
    for chrome in ("Post a Comment", "Previous Post", "Contact Form"):
        assert chrome not in a.answer


def test_plain_article_title_from_heading_after_blank_lines():
    result = parse("\n\n   \n# A Heading Title\n\nBody text.\n", "notes/a.md")
    assert result.article.title == "A Heading Title"
    assert result.article.answer == "Body text."


def test_plain_article_keeps_chrome_words_inside_the_text():
    text = "Title\n\nPlease Post a Comment below if you like.\n\nPost a Comment\n"
    result = parse(text, "a.txt")
    assert result.article.answer == "Please Post a Comment below if you like."


def test_plain_article_of_only_chrome_has_no_text():
    problem = only_problem(parse("Post a Comment\n\nContact Form\n", "a.txt"))
    assert "no text" in problem.reason


# -- subjects ------------------------------------------------------------------


def test_subject_field_wins_over_folder():
    result = parse(front_matter(title="T", answer="a", subject="Education studies"), "x/y.md")
    assert result.article.subject == "Education studies"


def test_subject_from_parent_folder_humanised():
    assert parse(front_matter(title="T", answer="a"), "digital-media/x.md").article.subject == (
        "Digital Media"
    )
    assert parse("Plain title\nbody", "a/computer_science/x.txt").article.subject == (
        "Computer Science"
    )


def test_root_files_are_unsorted():
    assert parse(front_matter(title="T", answer="a"), "x.md").article.subject == "Unsorted"
    assert parse("Plain title\nbody", "x.txt").article.subject == "Unsorted"


# -- dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_yaml", "fmt", "shown", "sort"),
    [
        ("2024-12-04", "MMM DD, YYYY", "Dec 04, 2024", "2024-12-04"),
        ("2024-12-04 10:30:00", "YYYY-MM-DD", "2024-12-04", "2024-12-04"),
        ('"2024-12-04"', "DD/MM/YYYY", "04/12/2024", "2024-12-04"),
        ("2024-12-04", "Do MMMM YYYY", "4th December 2024", "2024-12-04"),
        ("2024-12-04", None, "2024-12-04", "2024-12-04"),
        ("sometime in 2020", "MMM DD, YYYY", "sometime in 2020", ""),
        ("2024-13-45", "MMM DD, YYYY", "2024-13-45", ""),  # looks like a date, is not one
        ("2024-02-30 10:00:00", "YYYY", "2024-02-30 10:00:00", ""),
    ],
)
def test_front_matter_dates(date_yaml, fmt, shown, sort):
    fmt_line = f"date_format: {fmt}\n" if fmt else ""
    result = parse(f"---\ntitle: T\nanswer: a\ndate: {date_yaml}\n{fmt_line}---\n")
    assert result.problems == []
    assert (result.article.date, result.article.date_sort) == (shown, sort)


# -- keys ----------------------------------------------------------------------


def test_key_is_url_when_present_else_path():
    with_url = parse(front_matter(title="T", answer="a", url="/learn/x"), "s/a.md").article
    without = parse(front_matter(title="T", answer="a"), "s/b.md").article
    assert with_url.key == "/learn/x"
    assert without.key == "s/b.md"


# -- related links -------------------------------------------------------------


def test_related_links_sorted_numerically_with_gaps():
    fields = {
        "title": "T",
        "answer": "a",
        "related_article10": link("10", "Ten", "S", "/ten"),
        "related_article2": link("2", "Two", "S", "/two"),
        "related_article4": link("4", "Four", "S", "/four"),
        "related_article1": link("1", "One", "S", "/one"),
    }
    result = parse(front_matter(**fields))
    assert result.problems == []
    assert [(lk.position, lk.title) for lk in result.article.links] == [
        (1, "One"),
        (2, "Two"),
        (4, "Four"),
        (10, "Ten"),
    ]


def test_malformed_related_links_are_warnings_not_crashes():
    text = textwrap.dedent(
        """\
        ---
        title: T
        answer: a
        related_article1: just a string
        related_article2: [a, list]
        related_article3: {}
        related_article4:
            id: 4
            title: [not, text, {x: 1}]
        related_article5:
            title: Good one
            url: /good
        related_article6:
        ---
        """
    )
    result = parse(text)
    assert result.article is not None
    assert [lk.title for lk in result.article.links] == ["Good one"]
    warnings = warnings_of(result)
    assert len(warnings) == 5, warnings
    assert all(p.severity is Severity.WARNING for p in result.problems)
    for n in (1, 2, 3, 4, 6):
        assert any(f"related_article{n} " in w for w in warnings)


@pytest.mark.parametrize("field", ["id", "title", "subject", "url"])
def test_a_related_link_with_any_field_not_text_is_a_warning(field):
    fields = {"id": "4", "title": "Four", "subject": "S", "url": "/four"}
    fields[field] = [1, {"x": 2}]
    text = front_matter(title="T", answer="a", related_article1=fields)
    result = parse(text)
    assert result.article.links == []
    (warning,) = warnings_of(result)
    assert warning.startswith("related_article1 has a field that is not text")


def test_duplicate_and_self_links_are_dropped():
    fields = {
        "title": "Self",
        "id": "7",
        "url": "/self",
        "answer": "a",
        "related_article1": link("8", "Other", "S", "/other"),
        "related_article2": link("8", "Other", "S", "/other"),
        "related_article3": link("7", "Self", "S", "/self"),
        "related_article4": link("9", "Third", "S", "/third"),
        "related_article5": link("8", "Other", "S", "/other"),
    }
    result = parse(front_matter(**fields))
    assert [(lk.position, lk.url) for lk in result.article.links] == [
        (1, "/other"),
        (4, "/third"),
    ]


def test_self_link_without_url_is_matched_by_id_and_title():
    fields = {
        "title": "Self",
        "id": "7",
        "answer": "a",
        "related_article1": link("7", "Self", "S"),
        "related_article2": link("7", "Another with the same id", "S"),
    }
    result = parse(front_matter(**fields))
    assert [lk.title for lk in result.article.links] == ["Another with the same id"]


# -- stubs ---------------------------------------------------------------------


@pytest.mark.parametrize(("value", "stub"), [("true", True), ('"true"', True), ("false", False)])
def test_no_index_marks_a_stub(value, stub):
    result = parse(f"---\ntitle: T\nanswer: I cannot answer.\nno_index: {value}\n---\n")
    assert result.article.is_stub is stub


def test_no_no_index_is_not_a_stub():
    assert parse(front_matter(title="T", answer="a")).article.is_stub is False


# -- control characters --------------------------------------------------------


def test_control_characters_are_removed_from_every_field():
    text = textwrap.dedent(
        """\
        ---
        title: "\\e]0;evil\\a Title \\x9b2J"
        question: "Q\\e[31m?"
        subject: "Sub\\x07ject\\x85"
        author: "Au\\x1bthor"
        id: "1\\x9d2"
        url: "/u\\x1b[0m"
        keywords: ["k\\e1", "k\\x9b2"]
        date: "\\e[2J not a date"
        answer: "Line one\\x1b[31m red\\x07\\nline\\ttwo \\x9b3J\\x00 end"
        related_article1:
            id: "9\\x1b"
            title: "Link \\e]8;;http://x\\a title"
            subject: "S\\x9c"
            url: "/l\\x1b"
        ---
        """
    )
    result = parse(text)
    a = result.article
    assert a is not None, result.problems
    for name in ("title", "question", "subject", "author", "id", "url", "keywords", "date", "key"):
        value = getattr(a, name)
        assert not CONTROL_IN_LINE.search(value), (name, value)
    assert not CONTROL_IN_TEXT.search(a.answer)
    assert "\n" in a.answer and "\t" in a.answer
    assert a.title == "]0;evil Title 2J"
    assert a.answer.startswith("Line one[31m red\nline\ttwo")
    (lk,) = a.links
    for value in (lk.id, lk.title, lk.subject, lk.url):
        assert not CONTROL_IN_LINE.search(value), value


def test_yaml_escape_in_title_yields_no_escape():
    result = parse('---\ntitle: "\\e]0;evil\\a"\nanswer: a\n---\n')
    assert "\x1b" not in result.article.title
    assert "\x07" not in result.article.title


def test_control_characters_in_plain_articles_and_file_names(tmp_path):
    result = parse("Ti\x1btle\x9b\n\nBody \x1b[31mred\x07 text\n", "a.txt")
    assert result.article.title == "Ti tle"
    assert not CONTROL_IN_TEXT.search(result.article.answer)


def test_control_characters_in_folder_and_file_names_do_not_reach_title_or_subject():
    result = parse(front_matter(answer="a"), "evil\x1b[31m\x9bfolder/na\x1bme\x07.md")
    a = result.article
    assert not CONTROL_IN_LINE.search(a.subject), a.subject
    assert not CONTROL_IN_LINE.search(a.title), a.title
    plain = parse("Title\nbody", "bad\x1b]0;x\x07/file.txt").article
    assert not CONTROL_IN_LINE.search(plain.subject), plain.subject


# -- problems ------------------------------------------------------------------


def test_invalid_yaml_is_a_problem_with_its_line_number():
    text = "---\ntitle: fine\nanswer: a: b\nurl: /x\n---\n"
    problem = only_problem(parse(text))
    assert problem.line == 3
    assert "not valid YAML" in problem.reason
    assert str(problem).startswith("topic/article.md:3: ")


def test_broken_yaml_fixture_is_a_problem():
    result = read_article(str(FIXTURE_ARTICLES), "broken_yaml.md")
    problem = only_problem(result)
    assert "not valid YAML" in problem.reason
    assert problem.line is not None and 2 <= problem.line <= 6


def test_unclosed_front_matter():
    problem = only_problem(read_article(str(FIXTURE_ARTICLES), "unclosed.md"))
    assert "never closed" in problem.reason
    assert problem.line == 1


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n", b"\xef\xbb\xbf\r\n"])
def test_empty_file(content):
    problem = only_problem(parse_bytes(content, "e.md"))
    assert "empty" in problem.reason


def test_binary_file():
    problem = only_problem(parse_bytes(b"PK\x03\x04\x00\x00\x08\x00 zip", "b.md"))
    assert "binary" in problem.reason
    # Not valid UTF-8 either: still one problem, not a decoding warning as well.
    problem = only_problem(parse_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "p.md"))
    assert "binary" in problem.reason


@pytest.mark.parametrize(
    ("front", "what"),
    [("- a\n- b\n", "a list"), ("just a sentence\n", "a single str"), ("42\n", "a single int")],
)
def test_front_matter_that_is_not_a_mapping(front, what):
    problem = only_problem(parse(f"---\n{front}---\nbody\n"))
    assert what in problem.reason
    assert "not a mapping" in problem.reason


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object:os.system {}",
        "!!python/object/apply:os.system ['echo pwned']",
        "!!python/name:os.system",
    ],
)
def test_python_tags_are_refused(tag):
    problem = only_problem(parse(f"---\ntitle: T\nanswer: a\nx: {tag}\n---\n"))
    assert "not valid YAML" in problem.reason
    assert problem.line == 4


def test_deep_flow_nesting_is_a_problem():
    problem = only_problem(parse("---\nanswer: a\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n"))
    assert "nested" in problem.reason


def test_shallow_nesting_is_fine():
    result = parse("---\ntitle: T\nanswer: a\nx: " + "[" * 20 + "]" * 20 + "\n---\n")
    assert result.article is not None
    assert result.problems == []


def _parse_in_subprocess(data: bytes, timeout: float = 30) -> dict:
    """Parse in a child process, so a crash or a hang fails the test instead of the run."""
    code = textwrap.dedent(
        """\
        import json, sys
        from qtreader.library.parser import parse_bytes
        result = parse_bytes(sys.stdin.buffer.read(), "x.md")
        print(json.dumps({
            "article": None if result.article is None else {
                "title": result.article.title, "date": result.article.date,
                "is_stub": result.article.is_stub,
            },
            "problems": [[p.reason, p.severity.value, p.line] for p in result.problems],
        }))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        input=data,
        capture_output=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr.decode(errors="replace")[-2000:])
    return json.loads(proc.stdout)


def test_deep_block_nesting_is_a_problem_not_a_crash():
    # "- - - - x" nests a sequence per dash without any brackets.
    data = b"---\ntitle: T\nanswer: a\nx:\n  " + b"- " * 200_000 + b"leaf\n---\n"
    out = _parse_in_subprocess(data)
    assert out["article"] is None
    ((reason, severity, _line),) = out["problems"]
    assert "nested" in reason
    assert severity == "error"


def test_moderate_block_nesting_is_read():
    data = b"---\ntitle: T\nanswer: a\nx:\n  " + b"- " * 30 + b"leaf\n---\n"
    result = parse_bytes(data, "x.md")
    assert result.article is not None
    assert result.problems == []


def _billion_laughs(field: str, levels: int = 8, width: int = 10) -> bytes:
    lines = ["---", "answer: a", "a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    if field != "title":
        lines.append("title: Laughs")
    lines.append(f"{field}: *a{levels - 1}")
    lines.append("---")
    return "\n".join(lines).encode()


def test_billion_laughs_with_many_aliases_is_refused():
    result = parse_bytes(_billion_laughs("bomb", levels=12, width=12), "x.md")
    problem = only_problem(result)
    assert "aliases" in problem.reason


@pytest.mark.parametrize(
    ("field", "title"),
    [("title", "X"), ("date", "Laughs"), ("no_index", "Laughs"), ("keywords", "Laughs"),
     ("subject", "Laughs"), ("author", "Laughs"), ("url", "Laughs")],
)  # fmt: skip
def test_small_alias_bomb_in_a_field_is_not_expanded(field, title):
    # Under the alias limit, but 10**8 strings if anything expanded it.
    out = _parse_in_subprocess(_billion_laughs(field, width=11), timeout=8)
    assert out["article"] is not None, out["problems"]
    assert out["article"]["title"] == title
    assert out["article"]["date"] == ""
    assert out["article"]["is_stub"] is False
    assert all(severity == "warning" for _reason, severity, _line in out["problems"])


def test_small_alias_bomb_as_the_answer_is_a_problem():
    out = _parse_in_subprocess(_billion_laughs("answer"), timeout=20)
    assert out["article"] is None
    assert any("no answer" in reason for reason, _s, _l in out["problems"])


def test_many_bold_words_are_not_mistaken_for_aliases():
    # "**bold**" after a space looks like a YAML alias to a naive count.
    answer = " ".join(f"**point{n}**" for n in range(150))
    result = parse(front_matter(title="Bold", answer=answer))
    assert result.problems == []
    assert result.article is not None
    assert result.article.answer == answer


def test_a_few_real_aliases_are_allowed():
    text = "---\ntitle: &t Shared\nquestion: *t\nanswer: a\n---\n"
    result = parse(text)
    assert result.article.question == "Shared"


def test_list_title_is_joined():
    result = parse(front_matter(title=["Part one", "part two"], answer="a"))
    assert result.article.title == "Part one, part two"
    assert result.problems == []


def test_dict_title_is_a_warning():
    result = parse(front_matter(title={"nested": "x"}, answer="a"), "t/odd-title.md")
    assert result.article is not None
    assert result.article.title == "Odd Title"
    (warning,) = warnings_of(result)
    assert "'title'" in warning and "dict" in warning


def test_dict_answer_is_a_warning_and_the_body_is_used():
    text = "---\ntitle: T\nanswer: {a: 1}\n---\nThe body.\n"
    result = parse(text)
    assert result.article.answer == "The body."
    assert result.article.kind == "post"
    assert any("'answer'" in w for w in warnings_of(result))


def test_odd_date_types_do_not_break_the_article():
    result = parse("---\ntitle: T\nanswer: a\ndate: [2024, 12]\n---\n")
    assert result.article is not None
    assert len(result.article.date) < 40


def test_huge_file_over_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(parser_module, "MAX_FILE_BYTES", 1000)
    write(tmp_path, "big.md", front_matter(title="Big", answer="x" * 2000))
    write(tmp_path, "small.md", front_matter(title="Small", answer="x" * 100))
    problem = only_problem(read_article(str(tmp_path), "big.md"))
    assert "larger than" in problem.reason
    assert read_article(str(tmp_path), "small.md").article.title == "Small"


def test_file_removed_between_scan_and_read(tmp_path):
    problem = only_problem(read_article(str(tmp_path), "gone.md"))
    assert "disappeared" in problem.reason
    assert problem.path == "gone.md"


def test_folder_where_a_file_was_expected(tmp_path):
    (tmp_path / "x.md").mkdir()
    problem = only_problem(read_article(str(tmp_path), "x.md"))
    assert "folder" in problem.reason


def test_unreadable_path(tmp_path):
    write(tmp_path, "file", "x")  # a file where a folder is expected: NotADirectoryError
    problem = only_problem(read_article(str(tmp_path), "file/a.md"))
    assert "cannot be read" in problem.reason


def test_parse_text_directly():
    result = parse_text("Just a title\nand a line", "a.md")
    assert result.article.title == "Just a title"
    assert result.article.answer == "and a line"


def test_file_of_only_control_characters_has_no_text():
    problem = only_problem(parse_bytes(b"\x1b\x07\n\x01\n", "c.txt"))
    assert "no text" in problem.reason


def test_plain_title_line_of_only_controls_is_skipped():
    result = parse_bytes(b"\x1b\x07\nReal title\nBody\n", "c.txt")
    assert result.article.title == "Real title"
    assert result.article.answer == "Body"


def test_reading_a_small_file_does_not_allocate_for_the_largest_one(tmp_path):
    # Reading with read(MAX_FILE_BYTES + 1) made a 16 MB buffer for every file of a
    # few KB: ~40-100 us a file of a cold index went to the allocator.
    write(tmp_path, "a.md", front_matter(title="A", answer="word " * 1000))
    read_article(str(tmp_path), "a.md")  # imports and caches warmed up
    tracemalloc.start()
    try:
        result = read_article(str(tmp_path), "a.md")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.article.title == "A"
    assert peak < 1024 * 1024


def test_a_file_exactly_at_the_limit_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(parser_module, "MAX_FILE_BYTES", 1000)
    text = front_matter(title="Edge", answer="x")
    write(tmp_path, "edge.md", text + "b" * (1000 - len(text.encode())))
    assert (tmp_path / "edge.md").stat().st_size == 1000
    assert read_article(str(tmp_path), "edge.md").article.title == "Edge"
    write(tmp_path, "over.md", text + "b" * (1001 - len(text.encode())))
    assert "larger than" in only_problem(read_article(str(tmp_path), "over.md")).reason


def test_a_file_that_grows_after_its_size_is_read_is_read_whole(tmp_path, monkeypatch):
    write(tmp_path, "g.md", front_matter(title="Grown", answer="all of it " * 300))
    real_fstat = os.fstat

    def stale_fstat(fd):  # the size seen before the file grew
        result = real_fstat(fd)
        return os.stat_result((*result[:6], 10, *result[7:]))

    monkeypatch.setattr(parser_module.os, "fstat", stale_fstat)
    result = read_article(str(tmp_path), "g.md")
    assert result.article.answer == ("all of it " * 300).strip()


def test_a_file_that_grows_past_the_limit_after_its_size_is_read_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(parser_module, "MAX_FILE_BYTES", 1000)
    write(tmp_path, "g.md", front_matter(title="Grown", answer="x" * 3000))
    real_fstat = os.fstat

    def stale_fstat(fd):
        result = real_fstat(fd)
        return os.stat_result((*result[:6], 10, *result[7:]))

    monkeypatch.setattr(parser_module.os, "fstat", stale_fstat)
    assert "larger than" in only_problem(read_article(str(tmp_path), "g.md")).reason
