"""The fast front matter reader gives PyYAML's result exactly, or gives up (None)."""

from __future__ import annotations

import datetime
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from libhelpers import FIXTURES, HYPOTHESIS_EXAMPLES

from qtreader.library import parser
from qtreader.library.fastyaml import load_simple
from qtreader.library.scan import decode_bytes

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_content"
SEEDS = REPO.parent / "shared" / "seeds"

PROPERTY_SETTINGS = settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def reference(text: str) -> Any:
    return yaml.load(text, Loader=parser._Loader)


def resolves_to_str(text: str) -> bool:
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
    return tag == "tag:yaml.org,2002:str"


def assert_identical(fast: Any, slow: Any, where: str = "") -> None:
    """Equal, with the same type at every level, keys in the same order, -0.0 kept."""
    assert type(fast) is type(slow), (where, fast, slow)
    if isinstance(fast, dict):
        assert list(fast) == list(slow), where
        for key in fast:
            assert_identical(fast[key], slow[key], f"{where}/{key}")
    elif isinstance(fast, float):
        assert repr(fast) == repr(slow), (where, fast, slow)
    else:
        assert fast == slow, (where, fast, slow)


def check(text: str) -> dict[str, Any] | None:
    """load_simple(text), after checking it is None or exactly what PyYAML reads."""
    fast = load_simple(text)
    if fast is not None:
        assert isinstance(fast, dict)
        assert_identical(fast, reference(text))
    return fast


def files_below(root: Path) -> list[Path]:
    found = []
    for folder, dirs, names in os.walk(root):  # does not follow the fixtures' symlink loop
        dirs.sort()
        found.extend(Path(folder) / name for name in sorted(names))
    return found


def front_of(text: str) -> str | None:
    try:
        return parser._split_front_matter(text)[0]
    except parser._Unclosed:
        return None


def fronts_below(root: Path) -> list[tuple[str, str]]:
    out = []
    for path in files_below(root):
        text, _warning = decode_bytes(path.read_bytes())
        front = front_of(text)
        if front is not None:
            out.append((str(path.relative_to(root)), front))
    return out


def quicktakes(front: str) -> bool:
    return "\nanswer: >-\n" in f"\n{front}"


@pytest.fixture(scope="module")
def bench_articles() -> list[tuple[str, str]]:
    from bench.library import Vocabulary, plan_library, render_article

    vocab = Vocabulary()
    return [render_article(vocab, plan)[:2] for plan in plan_library(300, vocab)]


# -- differential: real and generated files ------------------------------------------------


def test_sample_content_is_read_identically_and_mostly_fast():
    fronts = fronts_below(SAMPLES)
    assert len(fronts) > 50
    fast = [name for name, front in fronts if check(front) is not None]
    typical = [name for name, front in fronts if quicktakes(front)]
    assert len(typical) > 50
    missed = sorted(set(typical) - set(fast))
    assert len(missed) <= len(typical) * 0.05, missed


def test_fixtures_are_read_identically_or_left_to_pyyaml():
    fronts = fronts_below(FIXTURES)
    assert len(fronts) > 15
    results = {name: check(front) for name, front in fronts}
    assert results["articles/quicktakes.md"] is not None
    for hostile in ("alias-bomb", "bad-yaml", "deep-nesting", "escape-sequences", "python-tag",
                    "odd-types", "list-front-matter", "scalar-front-matter"):  # fmt: skip
        assert results[f"hostile/{hostile}.md"] is None, hostile


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no ../shared/seeds next to the repository")
def test_seed_files_are_read_identically_and_fast():
    fronts = fronts_below(SEEDS)
    assert fronts
    for name, front in fronts:
        assert check(front) is not None, name


def test_generated_bench_articles_are_read_identically_and_fast(bench_articles):
    assert len(bench_articles) == 300
    for rel, text in bench_articles:
        front = front_of(text)
        assert front is not None
        assert check(front) is not None, rel


def test_parse_text_gives_the_same_result_with_and_without_the_fast_path(
    bench_articles, monkeypatch
):
    texts = [(rel, text) for rel, text in bench_articles[:100]]
    for path in files_below(SAMPLES) + files_below(FIXTURES):
        if path.is_file() and not path.is_symlink():
            texts.append((path.name, decode_bytes(path.read_bytes())[0]))
    fast = [parser.parse_text(text, rel) for rel, text in texts]
    monkeypatch.setattr(parser, "load_simple", lambda text: None)
    slow = [parser.parse_text(text, rel) for rel, text in texts]
    assert fast == slow


def test_parse_text_takes_the_fast_path(bench_articles, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("PyYAML was used")

    monkeypatch.setattr(parser.yaml, "load", refuse)
    rel, text = bench_articles[0]
    result = parser.parse_text(text, rel)
    assert result.article is not None and result.article.links


def test_the_loader_resolves_like_the_resolver_the_reader_mirrors():
    assert parser._Loader.yaml_implicit_resolvers is yaml.resolver.Resolver.yaml_implicit_resolvers


# -- specific cases ------------------------------------------------------------------------

QT = (
    "_schema: default\nid: 84965\ndate: 2024-12-04\ntitle: >-\n    What is it?\n"
    "seo:\n  title: QuickTakes | Sociology\n  page_keywords: >-\n    a, b, c\n"
    "answer: >-\n    One line\\n\\n2. **Bold**: x\nscore: -1.0\n"
    "related_article1:\n    id: 84952\n    title: >-\n        Other?\n    subject: Digital Media\n"
    "    url: /learn/x\n"
)


def test_the_quicktakes_shape():
    data = check(QT)
    assert data == {
        "_schema": "default",
        "id": 84965,
        "date": datetime.date(2024, 12, 4),
        "title": "What is it?",
        "seo": {"title": "QuickTakes | Sociology", "page_keywords": "a, b, c"},
        "answer": "One line\\n\\n2. **Bold**: x",
        "score": -1.0,
        "related_article1": {
            "id": 84952,
            "title": "Other?",
            "subject": "Digital Media",
            "url": "/learn/x",
        },
    }


HANDLED = [
    # one-line folded scalars (read without _folded's loop): the next line less
    # indented, blank, as indented, or none (with and without a final line break)
    "a: >\n  one\nb: x\n",
    "a: >-\n  one\nb: x\n",
    "a: >\n  one\n",
    "a: >\n  one",
    "a: >-\n  one\n",
    "a: >-\n  one",
    "a: >\n  one \nb: >-\n   two  \nc: >\n    three\n",
    "a: >\n  one\n\nb: x\n",
    "a: >\n  one\n \nb: x\n",
    "a: >\n  one\n  two\nb: x\n",
    "a:\n  b: >-\n    one\n  c: >\n    two\nd: >\n  three\n",
    "a:\n  b: >\n     one\n  c: x\n",
    # folded scalars: clip and strip, several lines, blank lines, trailing spaces
    "a: >-\n  one\n  two\n",
    "a: >\n  one\n  two\n",
    "a: >\n  one\n  two",  # clip at the end without a line break
    "a: >-\n  one\n  two",
    "a: >\n  one\n\n  two\n\n\nb: x\n",
    "a: >-\n  one\n\n\n  two\n\n",
    "a: >\n  one\n  two\n\n\n",
    "a: >\n\n\n  one\n",  # leading blank lines
    "a: >-\n \n  \n  one\n \n  \n  two\n",  # whitespace-only lines no wider than the text
    "a: >-\n    trailing   \n    spaces  \nb: c\n",
    "a: >-  \n  header with trailing spaces\n",
    "a: >\nb: c\n",  # empty
    "a: >-\n\nb: c\n",
    "a: >\n",
    "a: >\n\n",
    "a: >\n  \n\nb: c\n",
    "a: >-\n      \nb: c\n",  # empty, whatever the width of its blank lines
    "a: >-\n  # not a comment\n  #neither\n",
    "a: >-\n  x: y\n  - z\n  [1] {2} &a *a !t 'q' \"q\" | > % @ `\n",
    "s:\n  a: >\n    one\n\n    two\n  b: >-\n    three\n",
    "s:\n  a: >-\n  b: c\n",  # empty at the nested level
    # plain scalars and their types
    "a: 0\nb: -0\nc: +0\nd: 12\ne: -12\nf: +12\ng: 123456789012345678901234567890\n",
    "a: 1.0\nb: -1.0\nc: +1.5\nd: 1.\ne: 00.5\nf: -0.0\ng: 0.000\n",
    "a: 2024-12-04\nb: 2024-13-45\nc: 0000-01-01\nd: 2024-02-30\ne: 2024-02-29\n",
    "a: 2024-1-4\nb: 0o12\n",  # not a date, not a number in YAML 1.1
    "a: yes\nb: No\nc: ON\nd: off\ne: True\nf: FALSE\ng: y\nh: n\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne: nul\nf:\ng:   \n",
    "a: -x\nb: --\nc: ---\nd: a:b\ne: a#b\nf: http://x.y/z?q=1#f\ng: a :b\n",
    "a: x, y\nb: x[\nc: x]\nd: x{y}\ne: x'y\"\nf: a - b\ng: 1e5\nh: 12abc\n",
    "a: \u00e9t\u00e9 \u00a0\nb: x\u3000\nc: \U0001f600\nd: \ue000\n",
    "a: spaced value   \nb:    leading\n",
    # structure
    "a: 1\n\n\nb: 2\n   \nc: 3\n",
    "s:\n\n  a: 1\n\n  b: 2\n\nt: 3\n",
    "s:\n a: 1\n b: 2\n",  # one space of indentation
    "s:\nt: 1\n",  # empty value before another key
    "s:\n",
    "a: 1\na: 2\n",  # duplicates: first position, last value
    "a: 1\nb:\n  x: 1\na:\n  y: 2\n",
    "_: 1\nA_b9: 2\nyes_no: 3\nnulls: 4\n",
    "a: b",
]


@pytest.mark.parametrize("text", HANDLED)
def test_handled_texts_are_read_exactly_like_pyyaml(text):
    assert check(text) is not None


def test_folded_semantics_spelt_out():
    assert load_simple("a: >-\n  one\n  two\n\n  three\n\n\n  four\n\n") == {
        "a": "one two\nthree\n\nfour"
    }
    assert load_simple("a: >\n  one\n\n") == {"a": "one\n"}
    assert load_simple("a: >\n  one") == {"a": "one"}
    assert load_simple("a: >\n\n  one\n") == {"a": "\none\n"}
    assert load_simple("a: >-\n  x  \n  y\n") == {"a": "x   y"}


BAILS = {
    "empty": "",
    "a key deeper than its mapping after a one-line folded scalar": "a:\n  b: >\n     x\n    c: y\n",
    "only blank lines": "\n  \n",
    "comment line": "# c\na: 1\n",
    "comment after value": "a: 1 # c\n",
    "comment after block header": "a: > # c\n  x\n",
    "indented comment": "a: 1\n  # c\n",
    "tab in indentation": "s:\n\ta: 1\n",
    "tab in a value": "a: x\ty\n",
    "tab in folded text": "a: >\n  x\ty\n",
    "carriage return": "a: 1\r\nb: 2\r\n",
    "NEL": "a: x\x85y\n",
    "line separator": "a: x\u2028y\n",
    "BOM": "\ufeffa: 1\n",
    "BOM inside": "a: 1\n\ufeffb: 2\n",
    "escape": "a: \x1b[2J\n",
    "DEL": "a: x\x7f\n",
    "C1 control": "a: x\x9b\n",
    "NUL": "a: \x00\n",
    "noncharacter": "a: \uffff\n",
    "lone surrogate": "a: \ud800\n",
    "flow sequence": "a: [1, 2]\n",
    "flow mapping": "a: {b: 1}\n",
    "single quotes": "a: 'x'\n",
    "double quotes": 'a: "x"\n',
    "anchor": "a: &x 1\n",
    "alias": "a: *x\n",
    "tag": "a: !!str 1\n",
    "local tag": "a: !x 1\n",
    "literal block": "a: |\n  x\n",
    "keep chomping": "a: >+\n  x\n",
    "indentation indicator": "a: >2\n  x\n",
    "indicator and chomping": "a: >-2\n  x\n",
    "question mark key": "? a\n: 1\n",
    "sequence": "- a\n- b\n",
    "indentless sequence": "a:\n- b\n",
    "nested sequence": "a:\n  - b\n",
    "document start": "---\na: 1\n",
    "document start after": "a: 1\n--- \n",
    "document end": "a: 1\n...\n",
    "directive": "%YAML 1.1\na: 1\n",
    "reserved @": "a: @x\n",
    "reserved backtick": "a: `x`\n",
    "percent": "a: %x\n",
    "lone dash": "a: -\n",
    "dash space": "a: - b\n",
    "question value": "a: ?x\n",
    "colon value": "a: :x\n",
    "colon space inside": "a: b: c\n",
    "ends with colon": "a: b:\n",
    "space hash": "a: b #c\n",
    "merge key": "<<: 1\n",
    "merge value": "a: <<\n",
    "value tag": "a: =\n",
    "multi-line plain": "a: one\n  two\n",
    "multi-line plain after blank": "a: one\n\n  two\n",
    "value on the next line": "a:\n  text\n",
    "nested too deep": "a:\n  b:\n    c: 1\n",
    "nested uneven": "a:\n  b: 1\n c: 2\n",
    "nested more indented": "a:\n  b: 1\n    c: 2\n",
    "indented first key": "  a: 1\n",
    "indented after plain": "a: 1\n  b: 2\n",
    "key without space": "a:1\n",
    "space before colon": "a : 1\n",
    "no colon": "a\n",
    "known key without colon": "title: x\ntitle\n",
    "quoted key": "'a': 1\n",
    "key with dash": "a-b: 1\n",
    "key with dot": "a.b: 1\n",
    "digit key": "1: x\n",
    "bool key": "yes: 1\n",
    "null key": "null: 1\n",
    "tilde key": "~: 1\n",
    "non-ascii key": "\u00e9: 1\n",
    "long key": "a" * 200 + ": 1\n",
    "octal": "a: 012\n",
    "hex": "a: 0x1F\n",
    "binary": "a: 0b101\n",
    "underscores": "a: 1_000\n",
    "sexagesimal int": "a: 1:30\n",
    "sexagesimal float": "a: 1:30.5\n",
    "exponent": "a: 1.0e+5\n",
    "float underscores": "a: 1_0.5\n",
    "leading dot float": "a: .5\n",
    "inf": "a: .inf\n",
    "negative inf": "a: -.Inf\n",
    "nan": "a: .NaN\n",
    "huge int": "a: " + "9" * 60 + "\n",
    "huge float": "a: " + "9" * 60 + ".5\n",
    "timestamp": "a: 2024-12-04T10:00:00Z\n",
    "spaced timestamp": "a: 2024-12-04 10:00:00\n",
    "more indented folded line": "a: >\n  one\n    two\n  three\n",
    "wide blank line in folded": "a: >\n  one\n     \n  two\n",
    "wide trailing blank": "a: >\n  one\n     ",
    "wide leading blank": "a: >\n     \n  one\n",
    "folded then odd indentation": "a: >\n    x\n  b: 1\n",
    "nested folded then odd": "s:\n  a: >\n      x\n   b: 1\n",
}


@pytest.mark.parametrize("text", list(BAILS.values()), ids=list(BAILS))
def test_texts_outside_the_subset_are_left_to_pyyaml(text):
    assert load_simple(text) is None


def test_non_printable_characters_still_reach_pyyaml_and_its_error():
    result = parser.parse_text("---\nid: 1\nanswer: >-\n    x\x07y\n---\n", "s/a.md")
    assert result.article is None
    assert "not valid YAML" in result.problems[0].reason
    assert "control characters are not allowed" in result.problems[0].reason


def test_a_resolver_added_later_makes_the_reader_give_up(monkeypatch):
    resolvers = dict(yaml.resolver.Resolver.yaml_implicit_resolvers)
    resolvers["Q"] = [("tag:example,2024:q", re.compile("^Q$"))]
    monkeypatch.setattr(yaml.resolver.Resolver, "yaml_implicit_resolvers", resolvers)
    assert load_simple("a: Q\n") is None


# -- properties ----------------------------------------------------------------------------

KEYS = ["a", "id", "title", "_schema", "related_article1", "seo", "answer", "B_2"]
ODD_KEYS = ["yes", "No", "on", "null", "~", "<<", "=", "1", "-", "a b", "a-b", "é", "?", "", "'a'"]
PLAIN = [
    "x", "QuickTakes | Sociology", "MMM DD, YYYY", "/learn/a/questions/b", "Posted on",
    "0", "-0", "+0", "12", "-12", "+12", "012", "0o12", "0x1F", "0b101", "1_000", "1:30",
    "-1:30", "190:20:30", "1.0", "-1.0", "+1.5", "1.", "00.5", ".5", "-.5", "1e5", "1.0e+5",
    "1.0E-5", "1_0.5", "1:30.5", ".inf", "-.Inf", ".NaN", "2024-12-04", "2024-13-45",
    "0000-01-01", "2024-1-4", "2024-12-04T10:00:00Z", "2024-12-04 10:00:00", "yes", "No",
    "ON", "off", "y", "n", "True", "FALSE", "~", "null", "Null", "NULL", "nul", "<<", "=",
    "-", "--", "---", "- x", "-x", "?", "? x", "?x", ":", ":x", "a:b", "a: b", "a #b",
    "a#b", "#x", "&a", "*a", "!x", "!!str x", "|", ">", ">-", ">+", ">2", "> #c", "'q'",
    '"q"', "[1]", "{a: 1}", "%x", "@x", "`x", "a,b", "a]", "x:", "é", "\u00a0x\u00a0",
    "x\u3000", "\u2028", "\x85", "\ufeff", "\x1b[2J", "\x7f", "\t", "a\tb", "\r", "\x00",
    "\\n\\n1. **x**: y", "9" * 45, "9" * 45 + ".0",
]  # fmt: skip
plain_values = st.one_of(st.sampled_from(PLAIN), st.text(max_size=12))
TAME_PLAIN = [
    "x", "QuickTakes | Sociology", "MMM DD, YYYY", "/learn/a/questions/b", "Posted on", "0",
    "-0", "+12", "12", "1.0", "-1.0", "1.", "2024-12-04", "2024-13-45", "yes", "No", "~",
    "null", "-x", "a:b", "a#b", "1e5", "0o12", "2024-1-4", "é", "\u00a0x", "x\u3000",
    "\\n\\n1. **x**: y", "",
]  # fmt: skip
TAME_WORDS = ["word", "two words", "a: b", "#h", "trail ", "- item", "x\\ny", "é", "[1] {a}"]
ODD_WORDS = [" lead", "\t", "a\tb", "\x1b", "\ufeff", "\x85"]


def choose(draw, wild: bool, tame, odd):
    """A tame piece, or in a wild document, one time in four, an odd one."""
    if wild and draw(st.integers(0, 3)) == 0:
        return draw(odd)
    return draw(tame)


@st.composite
def folded(draw, indent: int, wild: bool) -> list[str]:
    """A folded block scalar's header value and lines."""
    header = choose(
        draw, wild, st.sampled_from([">-", ">", ">- "]), st.sampled_from(["|", ">+", ">2", "> #c"])
    )
    lines = []
    content = indent + draw(st.integers(1, 4))
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 3)):
            words = st.one_of(st.sampled_from(TAME_WORDS), st.text("ab: #-", max_size=6))
            lines.append(" " * content + choose(draw, wild, words, st.text(max_size=10)))
        else:
            width = choose(draw, wild, st.integers(0, content), st.integers(0, content + 2))
            lines.append(" " * width)
        if wild and draw(st.integers(0, 5)) == 0:  # more or less indented text
            width = draw(st.integers(0, content + 2))
            lines.append(" " * width + draw(st.sampled_from(TAME_WORDS + ODD_WORDS)))
    return [header, *lines]


@st.composite
def entries(draw, indent: int, depth: int, wild: bool) -> list[str]:
    key = choose(draw, wild, st.sampled_from(KEYS), st.sampled_from(ODD_KEYS))
    colon = choose(draw, wild, st.sampled_from([": ", ":  "]), st.sampled_from([":", " :", ":\t"]))
    kind = draw(st.integers(0, 9))
    pad = " " * indent
    if kind < 4:
        tame = st.one_of(st.sampled_from(TAME_PLAIN), st.text("ab: #-1.", max_size=6))
        return [f"{pad}{key}{colon}{choose(draw, wild, tame, plain_values)}"]
    if kind < 7:
        header, *lines = draw(folded(indent, wild))
        return [f"{pad}{key}{colon}{header}", *lines]
    if kind < 9 and depth == 0:
        inner = indent + draw(st.integers(1, 4))
        lines = [f"{pad}{key}:"]
        for _ in range(draw(st.integers(0, 4))):
            shift = choose(draw, wild, st.just(0), st.sampled_from([1, -1, 2]))
            lines.extend(draw(entries(inner + shift, 1, wild)))
        return lines
    blanks = draw(st.lists(st.sampled_from(["", "  "]), max_size=2))
    return [f"{pad}{key}{colon.rstrip()}", *blanks]


@st.composite
def documents(draw) -> str:
    wild = draw(st.booleans())
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        lines.extend(draw(entries(0, 0, wild)))
        if draw(st.integers(0, 4)) == 0:
            tame = st.sampled_from(["", " "])
            lines.append(choose(draw, wild, tame, st.sampled_from(["# c", "  - x", "\t", " x"])))
    end = choose(draw, wild, st.sampled_from(["\n", "", "\n\n"]), st.just("\n  \n"))
    return "\n".join(lines) + end


@PROPERTY_SETTINGS
@given(documents())
@example("a: >\n  x\n\n")
@example("a:\n  b: >\n    x\nc: 1")
def test_generated_documents_are_read_exactly_like_pyyaml(text):
    check(text)


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.one_of(
            st.text(max_size=6), st.sampled_from([*PLAIN, *TAME_WORDS, *ODD_WORDS, "\n", "  "])
        ),
        max_size=30,
    ).map("".join)
)
def test_arbitrary_text_is_read_exactly_like_pyyaml_or_left_alone(text):
    check(text)


@st.composite
def well_formed(draw) -> tuple[str, dict[str, Any]]:
    """A document inside the subset, and the value it must read as."""
    safe_text = (
        st.from_regex(r"[A-Za-z/][A-Za-z0-9 ,.|()/?!'*&\\-]{0,20}", fullmatch=True)
        .map(str.rstrip)
        .filter(lambda text: resolves_to_str(text) or not text)
    )
    lines: list[str] = []
    expected: dict[str, Any] = {}

    def value(pad: str, into: dict[str, Any], key: str) -> None:
        kind = draw(st.integers(0, 5))
        if kind == 0:
            number = draw(st.integers(-(10**12), 10**12))
            lines.append(f"{pad}{key}: {number}")
            into[key] = number
        elif kind == 1:
            number = draw(st.floats(allow_nan=False, allow_infinity=False, width=32))
            text = f"{number:.3f}"
            lines.append(f"{pad}{key}: {text}")
            into[key] = float(text)
        elif kind == 2:
            day = draw(st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)))
            lines.append(f"{pad}{key}: {day.isoformat()}")
            into[key] = day
        elif kind == 3:
            text = draw(safe_text)
            lines.append(f"{pad}{key}: {text}")
            into[key] = text or None
        else:
            strip = draw(st.booleans())
            lines.append(f"{pad}{key}: {'>-' if strip else '>'}")
            content = " " * (len(pad) + draw(st.integers(1, 4)))
            words = draw(st.lists(safe_text.filter(bool), min_size=1, max_size=4))
            gaps = [draw(st.integers(0, 2)) for _ in words[1:]]
            out = words[0]
            lines.append(content + words[0])
            for word, gap in zip(words[1:], gaps, strict=True):
                lines.extend([""] * gap)
                lines.append(content + word)
                out += ("\n" * gap if gap else " ") + word
            into[key] = out if strip else out + "\n"

    for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=8)):
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"{key}:")
            pad = " " * draw(st.integers(1, 4))
            nested: dict[str, Any] = {}
            for inner in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4)):
                value(pad, nested, inner)
            expected[key] = nested
        else:
            value("", expected, key)
    return "\n".join(lines) + "\n", expected


@PROPERTY_SETTINGS
@given(well_formed())
def test_documents_inside_the_subset_take_the_fast_path(case):
    text, expected = case
    fast = check(text)
    assert fast is not None, text
    assert fast == expected
    assert all(not isinstance(v, float) or math.isfinite(v) for v in fast.values())
