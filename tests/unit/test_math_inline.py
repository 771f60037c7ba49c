"""Inline math with spaces inside the dollars, money that is not math, and the
source view of math (qtreader.library.mathtext, issue 22)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from qtreader.library import mathtext
from qtreader.library.mathtext import has_math, render_math, show_math_source

SAMPLES = Path(__file__).resolve().parents[2] / "sample_content"

# (answer, what render_math makes of it): the answer itself when it is not math.
# Shapes from the real library: "• $ m $ is the gradient" in bullet lists, a
# lone Greek letter or a subscripted name, "**$ x $**", prices in answers about
# economics and budgets ("$5,000", "$ 20 and $ 30", "$ 1.5 million").
MATH = [
    # a single letter, Latin or Greek, in the shapes bullet lists use
    ("• $ m $ is the gradient", "• m is the gradient"),
    (
        "- $ m $ is the gradient\n- $ b $ is the intercept",
        "- m is the gradient\n- b is the intercept",
    ),
    ("* $ x $ is the input", "* x is the input"),
    ("1. $ v_0 $ is the initial speed", "1. v₀ is the initial speed"),
    ("> $ m $ in a quote", "> m in a quote"),
    ("where $ a $ is a constant", "where a is a constant"),
    ("$ θ $ is the angle", "θ is the angle"),
    ("the point $ x1 $", "the point x1"),
    ("its derivative $ f' $", "its derivative f′"),
    ("$ m $.", "m."),
    # TeX commands
    (r"$ \theta $ is the angle", "θ is the angle"),
    (r"$ \Delta t $ is the time step", "Δt is the time step"),
    (r"$ \frac{a}{b} $", "a/b"),
    (r"half is $ \frac{1}{2} $", "half is 1/2"),
    (r"$ x \in A $", "x ∈ A"),
    (r"$ \sin(x) $", "sin(x)"),
    (r"$ 2 \times 3 $ is six", "2 × 3 is six"),
    (r"$ \alpha$ and $\beta $", "α and β"),
    # sub- and superscripts
    ("the error $ P_E $ falls", "the error P\\_E falls"),
    ("$ x^2 $", "x²"),
    ("$ e^{-x} $ decays", "e⁻ˣ decays"),
    ("$ 2^n $ subsets", "2ⁿ subsets"),
    ("$ a_1 $, $ a_2 $ and $ a_3 $", "a₁, a₂ and a₃"),
    # operators between letters
    ("$ a + b $", "a + b"),
    ("$ a - b $ is the gap", "a - b is the gap"),
    ("where $ F = ma $", "where F = ma"),
    ("$ PV = nRT $", "PV = nRT"),
    ("$ a < b $", "a \\< b"),
    ("$ f(x) $", "f(x)"),
    ("$ sin(x) $", "sin(x)"),
    ("$ |x| $", "\\|x\\|"),
    ("$ n! $ ways", "n! ways"),
    ("the pair $ x, y $", "the pair x, y"),
    # in bold, two on a line, in a table, beside money
    ("**$ m $** is the slope", "**m** is the slope"),
    ("**Slope** ($ m $): rise over run", "**Slope** (m): rise over run"),
    ("$ m $ and $ b $", "m and b"),
    ("| $ m $ | slope |\n|---|---|\n| 2 | 3 |", "| m | slope |\n|---|---|\n| 2 | 3 |"),
    ("It costs $5, and the slope is $ m $.", "It costs $5, and the slope is m."),
    ("It costs $ 5 and $ m $ is the slope", "It costs $ 5 and m is the slope"),
    ("between $ 20 and $ 30, $ x $ grows", "between $ 20 and $ 30, x grows"),
    (r"costs $5 and $ \theta $ is", r"costs $5 and θ is"),
    ("$5,000 and $ x $", "$5,000 and x"),
    (r"The \$ sign and $ x $", r"The \$ sign and x"),
    # tight math and display math as before
    ("$x$ and $a + b$", "x and a + b"),
    ("determinant $1$", "determinant 1"),
    ("on $[0, 1)$ and $(a, b]$", "on \\[0, 1) and (a, b\\]"),
    ("$$ a + b $$", "a + b"),
    ("Then $$ x = 1 $$ holds", "Then\n\nx = 1\n\nholds"),
]

TEXT = [
    # money
    "costs $5 and $10",
    "It costs $5 and $10.",
    "$ 5 to $ 10",
    "$5,000",
    "between $ 20 and $ 30",
    "$ 1.5 million",
    "Pay $ 20 or $ 30 per month",
    "Prices: $ 3, $ 4 and $ 5",
    "$ 5 + $ 10 = $ 15",
    "$ .5 and $ .75",
    "$ 5k to $ 10k",
    "from $ -5 to $ 5",
    "US$ 5 and A$ 10",
    r"$ 5 \text{ to } $ 10",
    "$x $5",
    "a $ m$5",
    "Revenue ($M) and cost ($M)",
    "($) and ($)",
    "$ x $ 10 apples",
    # dollars around words
    "$ $",
    "a $ $ b",
    "Both $ and £ are currency signs; $ is older.",
    "$ the slope $",
    "$ slope m $",
    "$ and $",
    "- $ x\n- $ y",
    "$ m\n\n$ b",
    "$ \\theta\n$ on two lines",
    "a $ x\n+ y $ b",
    # escaped dollars
    r"\$ m \$",
    r"\$x\$",
    # code spans and code blocks
    "`$ m $` and ``$ \\theta $``",
    "```\n$ m $ and $x$\n```",
    "~~~\n$ P_E $\n~~~",
    "Code:\n\n    x = $ m $ + $a$\n",
]

CASES = MATH + [(text, text) for text in TEXT]


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60
    assert len({answer for answer, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("answer", "shown"), CASES, ids=[repr(a)[:40] for a, _ in CASES])
def test_inline_math_and_money(answer, shown):
    assert render_math(answer) == shown
    assert has_math(answer) == (shown != answer)


def test_indented_code_block_is_untouched_but_the_text_around_is_not():
    answer = "Run:\n\n    cost = $a$ + $ b $\n\nwhere $ b $ is the base."
    assert render_math(answer) == "Run:\n\n    cost = $a$ + $ b $\n\nwhere b is the base."
    # four spaces inside a list are the list's text, not code
    nested = "- a\n\n    - then $ m $"
    assert render_math(nested) == "- a\n\n    - then m"


def test_spaced_math_in_a_real_shaped_answer():
    answer = (
        "The slope-intercept form is $ y = mx + b $, where:\n\n"
        "• $ m $ is the gradient (rise over run)\n"
        "• $ b $ is the $ y $-intercept\n\n"
        "A phone plan costing $ 20 a month plus $ 0.10 per text is a line with "
        "$ m = 0.10 $ and $ b = 20 $. Two plans at $5 and $10 never cross."
    )
    assert render_math(answer) == (
        "The slope-intercept form is y = mx + b, where:\n\n"
        "• m is the gradient (rise over run)\n"
        "• b is the y-intercept\n\n"
        "A phone plan costing $ 20 a month plus $ 0.10 per text is a line with "
        "m = 0.10 and b = 20. Two plans at $5 and $10 never cross."
    )


# ---------------------------------------------------------------------------
# show_math_source: the source view
# ---------------------------------------------------------------------------


def shown_text(markdown: str) -> str:
    """The text a Markdown renderer shows, line breaks as "\\n", as the reader parses it."""
    parts: list[str] = []
    for token in MarkdownIt("gfm-like").parse(markdown):
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                parts.append("\n")
            elif child.type in ("text", "code_inline"):
                parts.append(child.content)
        if token.type in ("fence", "code_block"):
            parts.append(token.content)
        if token.type.endswith("_close") and token.block:
            parts.append("\n")
    return "".join(parts)


MATRIX = r"Let $A = \begin{pmatrix} 2 & 1 \\ 1 & 2 \end{pmatrix}$. Then $\det(A) = 3$."

SOURCES = [
    (MATRIX, [r"$A = \begin{pmatrix} 2 & 1 \\ 1 & 2 \end{pmatrix}$", r"$\det(A) = 3$"]),
    (
        "Rotation:\n\n\\begin{pmatrix} 0 & -1 \\\\ 1 & 0 \\end{pmatrix}\n\nend",
        [r"\begin{pmatrix} 0 & -1 \\ 1 & 0 \end{pmatrix}"],
    ),
    (
        "Solve\n$$\n\\begin{aligned}\n  2x &= 4 \\\\\n  x &= 2\n\\end{aligned}\n$$\ndone",
        ["$$\n\\begin{aligned}\n  2x &= 4 \\\\\n  x &= 2\n\\end{aligned}\n$$"],
    ),
    (r"We know \(a \neq b\) and \[\sum_{i=1}^{n} i\]", [r"\(a \neq b\)", r"\[\sum_{i=1}^{n} i\]"]),
    (
        r"Emphasis: $a_1 * b_2 * c_3$ and $x_{i}$, $y_{j}$",
        [r"$a_1 * b_2 * c_3$", "$x_{i}$", "$y_{j}$"],
    ),
    (
        r"HTML and entities: $a<b>c$ and $x &amp; y$ and $[a](b)$",
        ["$a<b>c$", "$x &amp; y$", "$[a](b)$"],
    ),
    ("Spaced: • $ m $ is the gradient, $ \\theta $ the angle", ["$ m $", "$ \\theta $"]),
    ("Line start:\n$- x$ and\n$# y$", ["$- x$", "$# y$"]),
    ("Trailing backslash: $a \\\\$ end", ["$a \\\\$"]),
    ("$$x = 1  \ny = 2$$", ["$$x = 1  \ny = 2$$"]),
    ("| norm | $|x|$ |\n|---|---|\n| a | b |", ["$|x|$"]),
    ("~strike~ $~x~$ and $x~~y$", ["$~x~$", "$x~~y$"]),
    ("Links: $www.example.com$ and $http://a.b$", ["$www.example.com$", "$http://a.b$"]),
]


@pytest.mark.parametrize(("answer", "spans"), SOURCES, ids=[a[:30] for a, _ in SOURCES])
def test_source_view_shows_every_math_span_as_written(answer, spans):
    markdown = show_math_source(answer)
    shown = shown_text(markdown)
    for span in spans:
        assert span in shown, (span, shown)


def test_matrix_row_separators_survive():
    shown = shown_text(show_math_source(MATRIX))
    assert r"2 & 1 \\ 1 & 2" in shown
    # what the reader showed before: Markdown had eaten one backslash
    assert r"2 & 1 \ 1 & 2" in shown_text(MATRIX)


def test_source_view_text_outside_math_and_code_is_untouched():
    answer = "Costs $5 and $10, `$x$` in code, **bold** and $y$.\n\n```\n$z$ \\\\\n```\n"
    out = show_math_source(answer)
    assert out == "Costs $5 and $10, `$x$` in code, **bold** and \\$y\\$.\n\n```\n$z$ \\\\\n```\n"
    assert show_math_source("no math, $5 only") == "no math, $5 only"


def test_source_view_in_lists_and_quotes_keeps_the_structure():
    listed = "- item\n  $$\n  a \\\\ b\n  $$\n- next"
    tokens = [t.type for t in MarkdownIt("gfm-like").parse(show_math_source(listed))]
    assert tokens.count("list_item_open") == 2
    assert "$$\na \\\\ b\n$$" in shown_text(show_math_source(listed))
    quoted = "> $$\n> a \\\\ b\n> $$"
    out = show_math_source(quoted)
    assert "blockquote_open" in [t.type for t in MarkdownIt("gfm-like").parse(out)]
    assert "$$\na \\\\ b\n$$" in shown_text(out)
    indented = "$$\n\\begin{pmatrix}\n  1 & 0 \\\\\n  0 & 1\n\\end{pmatrix}\n$$"
    assert indented in shown_text(show_math_source(indented))


SAMPLE_FILES = sorted(
    [*(SAMPLES / "mathematics").rglob("*.md"), *(SAMPLES / "physics").rglob("*.md")]
)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_source_view_of_sample_answers(path):
    from qtreader.library.parser import parse_bytes

    result = parse_bytes(path.read_bytes(), path.relative_to(SAMPLES).as_posix())
    assert result.article is not None
    answer = result.article.answer
    shown = shown_text(show_math_source(answer))
    # every math span, as the author wrote it, lines joined as the renderer joins them
    spans = re.findall(r"\$\$.+?\$\$|\$[^$\n]+\$|\\\(.+?\\\)|\\\[.+?\\\]", answer, re.DOTALL)
    assert spans
    flat = " ".join(shown.split())
    for span in spans:
        assert " ".join(span.split()) in flat, span


def test_a_dollar_before_a_code_span_does_not_reach_into_it():
    answer = "Costs $10, `$x$` in code; `$$a$$` and \\(b `\\)` too."
    assert render_math(answer) == answer
    assert not has_math(answer)
    assert render_math("Costs $10, `$x$` and $y$.") == "Costs $10, `$x$` and y."


INLINE_BITS = [
    *"xy1 \\&*_^{}[]()<>#-+=|!~'\":;%.,/@?",
    "\\\\",
    "\\alpha",
    "\\frac{a}{b}",
    "&amp;",
    "&#32;",
    "http://x.io",
    "www.a.io",
    "  ",
    "\n",
    "\n- ",
    "\n# ",
    "\n> ",
    "\n1. ",
    "\n    ",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(INLINE_BITS), min_size=1, max_size=20).map("".join))
def test_source_view_shows_any_span_as_written(inner):
    for answer in (f"See ${inner}$ here.", f"See $${inner}$$ here.", f"See \\({inner}\\) here."):
        spans = mathtext.math_spans(answer)
        shown = shown_text(show_math_source(answer))
        for start, end, _latex, _display in spans:
            assert answer[start:end] in shown, (answer, shown)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_source_view_never_raises_and_leaves_text_without_math(text):
    out = show_math_source(text)
    assert isinstance(out, str)
    if not has_math(text):
        assert out == text


def test_source_view_keeps_a_spans_line_breaks_as_hard_breaks():
    # Textual's Markdown widget shows a soft break as a space: a matrix written
    # over several lines would come out on one.
    answer = "Solve\n$$\n\\begin{pmatrix}\n2 & 1 \\\\\n1 & 2\n\\end{pmatrix}\n$$\ndone"
    children = [
        child
        for token in MarkdownIt("gfm-like").parse(show_math_source(answer))
        for child in token.children or []
    ]
    kinds = [child.type for child in children]
    assert kinds.count("hardbreak") == 5
    assert kinds.count("softbreak") == 2  # the paragraph's own, around the span
    assert [c.content for c in children if c.type == "text"][1:-1] == [
        "$$",
        "\\begin{pmatrix}",
        "2 & 1 \\\\",
        "1 & 2",
        "\\end{pmatrix}",
        "$$",
    ]
