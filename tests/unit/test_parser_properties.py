"""Property tests: the parser never raises, and what it returns is clean."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from libhelpers import CONTROL_IN_LINE, CONTROL_IN_TEXT, HYPOTHESIS_EXAMPLES

from qtreader.library.models import Article, Problem
from qtreader.library.parser import ParseResult, parse_bytes

PROPERTY_SETTINGS = settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that leans towards the characters that matter to the parser.
_CHARACTERS = list(":-[]{}&*!|>'\"#\\n$`\t\r\n \x1b\x07\x9b\x00\u00a0")
_SNIPPETS = ["answer: ", "title: ", "\\n", "$\\nabla$", "---\n", "&a ", "*a", "!!python/object "]
_interesting = st.sampled_from([*_CHARACTERS, *_SNIPPETS])
FIELD_NAMES = [
    "title", "answer", "subject", "date", "date_format", "url", "id", "no_index",
    "keywords", "question", "related_article1", "related_article2", "seo",
]  # fmt: skip
yamlish = st.lists(st.one_of(st.text(max_size=8), _interesting), max_size=40).map("".join)


def check_result(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    assert result.article is not None or result.problems
    for problem in result.problems:
        assert isinstance(problem, Problem)
        assert problem.reason
    article = result.article
    if article is None:
        return
    assert isinstance(article, Article)
    for f in dataclasses.fields(article):
        value = getattr(article, f.name)
        if f.name == "answer":
            assert not CONTROL_IN_TEXT.search(value), (f.name, value)
        elif isinstance(value, str):
            assert not CONTROL_IN_LINE.search(value), (f.name, value)
    for link in article.links:
        for value in (link.id, link.title, link.subject, link.url):
            assert not CONTROL_IN_LINE.search(value), value
    assert article.title
    assert article.answer or article.kind == "plain"


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
@example(b"---\n\x00\n---\n")
@example(b"\xef\xbb\xbf---\r\nanswer: \x1b[2J\r\n---\r\n")
@example(b"---\nanswer: [\n---\n")
def test_parse_bytes_never_raises_on_any_bytes(data):
    check_result(parse_bytes(data, "subject/file.md"))


@PROPERTY_SETTINGS
@given(st.text(max_size=2000))
def test_parse_bytes_never_raises_on_any_text(text):
    check_result(parse_bytes(text.encode("utf-8", "surrogatepass"), "subject/file.md"))


@PROPERTY_SETTINGS
@given(yamlish)
@example("answer: *x")
@example("answer: &a [*a]")
@example("title: !!binary AAAA\nanswer: x")
@example("answer: x\ndate: 2024-13-45")
@example("answer: x\nno_index: [1]")
@example("answer: x\nrelated_article1: {url: [1]}")
@example('answer: "\\e\\x9b\\a\\0"')
def test_parse_bytes_never_raises_on_any_front_matter(front):
    data = f"---\n{front}\n---\n".encode("utf-8", "surrogatepass")
    check_result(parse_bytes(data, "subject/file.md"))


@PROPERTY_SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(FIELD_NAMES),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
            lambda children: (
                st.lists(children, max_size=3)
                | st.dictionaries(st.text(max_size=5), children, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=8,
    )
)
def test_parse_bytes_never_raises_on_odd_field_types(fields):
    import yaml

    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n"
    check_result(parse_bytes(text.encode("utf-8", "surrogatepass"), "subject/file.md"))


def _front_matter_by_lines(text: str):
    """The front matter split as the rule reads: from a first line '---' to the next
    line that is '---' or '...' (trailing spaces or tabs allowed)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---" or len(lines) == 1:
        return None, text, 1
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip(" \t") in ("---", "...") and line.lstrip(" \t") == line:
            return (
                "".join(x + "\n" for x in lines[1 : number - 1]),
                "\n".join(lines[number:]),
                number + 1,
            )
    return "unclosed"


@PROPERTY_SETTINGS
@given(
    st.lists(st.sampled_from(["---", "...", "\n", " ", "\t", "a", "x: y", "-- -", "...."]))
    .map("".join)
    .flatmap(lambda body: st.sampled_from([body, "---\n" + body, "--- \n" + body]))
)
def test_front_matter_is_split_at_the_first_closing_fence_line(text):
    from qtreader.library.parser import _split_front_matter, _Unclosed

    if not text.startswith("---"):
        assert _split_front_matter(text) == (None, text, 1)
        return
    try:
        got = _split_front_matter(text)
    except _Unclosed:
        got = "unclosed"
    assert got == _front_matter_by_lines(text)
