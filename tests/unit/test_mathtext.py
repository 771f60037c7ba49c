"""qtreader.library.mathtext: LaTeX math in Markdown answers as readable Unicode."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from qtreader.library import mathtext
from qtreader.library.mathtext import has_math, latex_to_unicode, render_math
from qtreader.library.parser import parse_bytes

SAMPLES = Path(__file__).resolve().parents[2] / "sample_content"


def rendered_text(markdown: str) -> str:
    """What a Markdown renderer shows for ``markdown``, as plain text."""
    tokens = MarkdownIt("gfm-like").parse(markdown)
    parts: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                parts.append("\n")
            else:
                parts.append(child.content)
        if token.type in ("paragraph_close", "fence", "code_block"):
            parts.append("\n\n" if token.type == "paragraph_close" else token.content)
    return "".join(parts).strip()


# ---------------------------------------------------------------------------
# latex_to_unicode: one expression
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        # Greek letters
        (r"\alpha, \beta, \Gamma, \Delta, \theta, \lambda", "α, β, Γ, Δ, θ, λ"),
        (r"\mu, \nu, \pi, \sigma, \Sigma, \omega, \Omega", "μ, ν, π, σ, Σ, ω, Ω"),
        # relations and operators
        (r"a \neq b", "a ≠ b"),
        (r"a \leq b \geq c", "a ≤ b ≥ c"),
        (r"\pi \approx 3.14", "π ≈ 3.14"),
        (r"a \times b \cdot c", "a × b · c"),
        (r"x \pm 1", "x ± 1"),
        (r"n \to \infty", "n → ∞"),
        (r"\nabla f", "∇f"),
        (r"\partial x", "∂x"),
        (r"\neg p", "¬p"),
        (r"x \in A", "x ∈ A"),
        (r"x \notin A", "x ∉ A"),
        (r"x \not\in A", "x ∉ A"),
        (r"\forall x \in S", "∀x ∈ S"),
        (r"\exists y", "∃y"),
        (r"a \rightarrow b", "a → b"),
        (r"p \Rightarrow q", "p ⇒ q"),
        (r"I \propto r", "I ∝ r"),
        (r"\sum \prod \int", "∑ ∏ ∫"),
        # scripts
        ("x^2", "x²"),
        ("x^{10}", "x¹⁰"),
        (r"e^{i\pi}", "e^(iπ)"),
        ("e^{-x}", "e⁻ˣ"),
        ("a_1", "a₁"),
        ("a_{ij}", "aᵢⱼ"),
        ("k_B T", "k_B T"),
        ("x_{i,j}", "x_(i,j)"),
        (r"90^\circ", "90°"),
        ("f'(x)", "f′(x)"),
        # fractions and roots
        (r"\frac{a}{b}", "a/b"),
        (r"\frac{a+b}{c}", "(a+b)/c"),
        (r"\frac{1}{x - 1}", "1/(x - 1)"),
        (r"\frac{1}{2} m v^2", "(1/2)mv²"),
        (r"\sqrt{x}", "√x"),
        (r"\sqrt{x+1}", "√(x+1)"),
        (r"\sqrt[3]{8}", "∛8"),
        (r"x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}", "x = (-b ± √(b² - 4ac))/2a"),
        # text, fonts, delimiters, spaces
        (r"v = 3\ \text{m/s}", "v = 3 m/s"),
        (r"\text{speed}", "speed"),
        (r"\mathbf{v}", "v"),
        (r"\left( \frac{a}{b} \right)^2", "(a/b)²"),
        (r"a\,b\;c\quad d", "a b c d"),
        # big operators, functions
        (r"\sum_{i=1}^{n} i", "∑ᵢ₌₁ⁿ i"),
        (r"\int_a^b f(x)\,dx", "∫ₐᵇ f(x) dx"),
        (r"\lim_{x \to 0} \frac{\sin x}{x} = 1", "lim_(x → 0) (sin x)/x = 1"),
        (r"\det(A)\det(B)", "det(A) det(B)"),
        (r"S = k_B \ln \Omega", "S = k_B ln Ω"),
        # matrices and environments
        (r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", "(a b; c d)"),
        (r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}", "[1 0; 0 1]"),
        (r"\begin{pmatrix} x + 1 & 2 \\ 3 & 4 \end{pmatrix}", "(x + 1, 2; 3, 4)"),
        (r"\begin{align} a &= b \\ c &= d \end{align}", "a = b\nc = d"),
        (
            r"|x| = \begin{cases} x & x \geq 0 \\ -x & x < 0 \end{cases}",
            "|x| = {x, x ≥ 0; -x, x < 0}",
        ),
        (r"\binom{n}{k}", "C(n, k)"),
    ],
)
def test_latex_to_unicode(latex, text):
    assert latex_to_unicode(latex) == text


def test_unknown_commands_fall_back_to_pylatexenc():
    # \mathbb is not laid out here: pylatexenc's own text is used...
    assert latex_to_unicode(r"x \in \mathbb{R}^n") == "x ∈ ℝⁿ"
    assert latex_to_unicode(r"\mathcal{L}") == "ℒ"
    # ...unless it lies outside the BMP, where terminal fonts give out.
    assert latex_to_unicode(r"\mathcal{O}(n \log n)") == "O(n log n)"
    # A command nobody knows drops out, its argument stays.
    assert latex_to_unicode(r"\foo{x} + 1") == "x + 1"


@pytest.mark.parametrize(
    "broken",
    [r"\frac{a}", "{x", "x}", r"\sqrt", r"\begin{pmatrix} a", "\\", r"\end{x}", "$", "{" * 500],
)
def test_malformed_latex_comes_back_as_written(broken):
    assert latex_to_unicode(broken) == broken


# ---------------------------------------------------------------------------
# render_math: whole answers
# ---------------------------------------------------------------------------


def test_gradient_descent_answer():
    answer = (
        "Gradient descent walks downhill. At each step it computes the gradient "
        r"$\nabla f(x)$ and moves against it: "
        r"$\theta_{t+1} = \theta_t - \eta \nabla f(\theta_t)$, where $\eta > 0$ is the "
        "learning rate.\n\n"
        "- Too large an $\\eta$ overshoots.\n"
        "- Too small an $\\eta$ crawls."
    )
    assert render_math(answer) == (
        "Gradient descent walks downhill. At each step it computes the gradient "
        "∇f(x) and moves against it: θₜ₊₁ = θₜ - η∇f(θₜ), where η > 0 is the "
        "learning rate.\n\n"
        "- Too large an η overshoots.\n"
        "- Too small an η crawls."
    )


def test_quadratic_formula_becomes_a_paragraph_of_its_own():
    answer = (
        "The roots of $ax^2 + bx + c = 0$ are given by "
        r"$$x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}$$ "
        "which works whenever $a \\neq 0$."
    )
    assert render_math(answer) == (
        "The roots of ax² + bx + c = 0 are given by\n\n"
        "x = (-b ± √(b² - 4ac))/2a\n\n"
        "which works whenever a ≠ 0."
    )


def test_bracket_delimiters_inline_and_display():
    answer = (
        "We know \\(a \\neq b\\). Summing the first integers gives\n\n"
        "\\[\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\\]\n\n"
        "as Gauss noticed."
    )
    assert render_math(answer) == (
        "We know a ≠ b. Summing the first integers gives\n\n∑ᵢ₌₁ⁿ i = n(n+1)/2\n\nas Gauss noticed."
    )


def test_display_punctuation_stays_with_the_formula():
    answer = "Euler's identity reads\n$$e^{i\\pi} + 1 = 0.$$\nIt links five constants."
    assert render_math(answer) == (
        "Euler's identity reads\n\ne^(iπ) + 1 = 0.\n\nIt links five constants."
    )
    assert render_math("so $$E = mc^2$$, which") == "so\n\nE = mc²,\n\nwhich"


def test_matrix_environment_standing_alone():
    answer = (
        "Rotation by a right angle is\n\n"
        "\\begin{pmatrix} 0 & -1 \\\\ 1 & 0 \\end{pmatrix}\n\n"
        "and its determinant is $1$."
    )
    assert render_math(answer) == (
        "Rotation by a right angle is\n\n(0 -1; 1 0)\n\nand its determinant is 1."
    )


def test_text_inside_math_and_physics_symbols():
    answer = (
        r"A photon of frequency $\nu$ carries $E = h\nu$; "
        r"the speed limit is $c \approx 3.0 \times 10^8\ \text{m/s}$ "
        r"and the net force is $\vec{F}_{\text{net}} = m\vec{a}$."
    )
    assert render_math(answer) == (
        "A photon of frequency ν carries E = hν; "
        "the speed limit is c ≈ 3.0 × 10⁸ m/s "
        "and the net force is F⃗ₙₑₜ = ma⃗."
    )


def test_logic_with_negation():
    answer = r"From \(p \Rightarrow q\) and \(\neg q\) we conclude \(\neg p\)."
    assert render_math(answer) == "From p ⇒ q and ¬q we conclude ¬p."


def test_aligned_rows_become_lines_with_hard_breaks():
    answer = "Solve:\n\n$$\\begin{aligned} 2x &= 4 \\\\ x &= 2 \\end{aligned}$$\n\nDone."
    out = render_math(answer)
    assert out == "Solve:\n\n2x = 4\\\nx = 2\n\nDone."
    assert rendered_text(out) == "Solve:\n\n2x = 4\nx = 2\n\nDone."


def test_display_inside_a_list_item_keeps_its_indentation():
    answer = "1. Newton's law:\n\n   $$F = ma$$\n\n   holds in inertial frames."
    assert render_math(answer) == "1. Newton's law:\n\n   F = ma\n\n   holds in inertial frames."
    assert render_math("- $$E = mc^2$$") == "- E = mc²"


def test_display_inside_a_blockquote():
    assert render_math("> Then $$a = b$$ follows.") == "> Then\n>\n> a = b\n>\n> follows."


def test_currency_is_not_math():
    for text in [
        "It costs $5 and $10.",
        "Between $5 and $10, or $ 20.",
        "Pay $5.",
        "A lone $ sign.",
        "Prices: $3, $4 and $5 apiece",
    ]:
        assert render_math(text) == text
        assert not has_math(text)


def test_currency_beside_real_math():
    text = "It costs $5, and the area is $\\pi r^2$."
    assert render_math(text) == "It costs $5, and the area is πr²."


def test_escaped_dollar_stays_a_dollar():
    text = r"The fee is \$5 per $n$ items and \$2 per \$-sign."
    assert render_math(text) == r"The fee is \$5 per n items and \$2 per \$-sign."
    assert rendered_text(render_math(text)) == "The fee is $5 per n items and $2 per $-sign."


def test_code_is_untouched():
    text = "Set `$HOME` or `` $x$ `` first, then $x^2$."
    assert render_math(text) == "Set `$HOME` or `` $x$ `` first, then x²."
    fenced = (
        "Run this:\n\n```bash\necho $HOME $x$ $$y$$ \\(z\\)\n```\n\n"
        "~~~\ncost=$5 $a_1$\n~~~\n\nwhere $a_1$ is the first term."
    )
    assert render_math(fenced) == fenced.replace("where $a_1$", "where a₁")
    unclosed = "```\n$x$ and $y$\n"
    assert render_math(unclosed) == unclosed
    assert not has_math(unclosed)


def test_converted_math_is_escaped_for_markdown():
    text = r"Here $a*b$, $x_{i,j}$, $[a, b]$, $a<b$, $|x|$ and $\text{a\_b}$."
    out = render_math(text)
    assert out == r"Here a\*b, x\_(i,j), \[a, b\], a\<b, \|x\| and a\_b."
    assert rendered_text(out) == "Here a*b, x_(i,j), [a, b], a<b, |x| and a_b."


def test_math_at_the_start_of_a_line_does_not_become_markdown_syntax():
    out = render_math("$+ 1$ then\n$$- x$$")
    assert rendered_text(out) == "+ 1 then\n\n- x"


def test_math_in_a_table_keeps_the_table():
    table = "| value | formula |\n|---|---|\n| norm | $|x|$ |"
    out = render_math(table)
    assert out == "| value | formula |\n|---|---|\n| norm | \\|x\\| |"


def test_malformed_spans_are_left_as_written():
    text = r"Broken $\frac{a}$ and $x}$ but fine $y^2$ and \(\sqrt\)."
    assert render_math(text) == r"Broken $\frac{a}$ and $x}$ but fine y² and \(\sqrt\)."


def test_math_does_not_cross_a_blank_line():
    text = "Not $x\n\ny$ math."
    assert render_math(text) == text


def test_has_math():
    assert has_math("area $\\pi r^2$")
    assert has_math("\\(x\\)")
    assert has_math("$$x$$")
    assert has_math("\\[x\\]")
    assert has_math("\\begin{pmatrix} 1 \\end{pmatrix}")
    assert not has_math("plain text")
    assert not has_math("`$x$` in code only")
    assert not has_math("\\begin{itemize} not math \\end{itemize}")


# ---------------------------------------------------------------------------
# Never raising, never touching text without math
# ---------------------------------------------------------------------------

LATEX_BITS = [
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\begin{pmatrix}",
    "\\end{pmatrix}",
    "\\frac",
    "\\sqrt",
    "\\left(",
    "\\right",
    "\\text{",
    "{",
    "}",
    "^",
    "_",
    "&",
    "\\\\",
    "\\",
    "`",
    "```",
    "\n",
    "\n\n",
    " ",
    "x",
    "1",
    "5",
    "\\alpha",
    "\\not",
    "%",
    "#",
    "~",
    "'",
    "*",
    "- ",
]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_render_math_never_raises(text):
    out = render_math(text)
    assert isinstance(out, str)
    if not has_math(text):
        assert out == text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LATEX_BITS), max_size=30).map("".join))
def test_render_math_never_raises_on_latexish_input(text):
    assert isinstance(render_math(text), str)
    assert isinstance(latex_to_unicode(text), str)
    assert isinstance(has_math(text), bool)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_latex_to_unicode_never_raises(text):
    assert isinstance(latex_to_unicode(text), str)


@settings(max_examples=300, deadline=None)
@given(st.text().filter(lambda t: not any(m in t for m in ("$", "\\(", "\\[", "\\begin"))))
def test_text_without_math_markers_is_returned_unchanged(text):
    assert render_math(text) is text
    assert not has_math(text)


# ---------------------------------------------------------------------------
# The sample library's real answers
# ---------------------------------------------------------------------------

SAMPLE_FILES = sorted(
    [*(SAMPLES / "mathematics").rglob("*.md"), *(SAMPLES / "physics").rglob("*.md")]
)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_COMMAND = re.compile(r"\\[A-Za-z]+")


def sample_answer(path: Path) -> str:
    """The answer as the app reads it (literal \\n decoded by the parser)."""
    result = parse_bytes(path.read_bytes(), path.relative_to(SAMPLES).as_posix())
    assert result.article is not None
    return result.article.answer


def test_there_are_sample_answers_with_math():
    assert len(SAMPLE_FILES) >= 10
    assert all(has_math(sample_answer(path)) for path in SAMPLE_FILES)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_sample_answers_render_without_latex_left(path):
    answer = sample_answer(path)
    out = render_math(answer)
    assert out != answer
    outside_code = _CODE.sub("", out)
    assert _COMMAND.findall(outside_code) == []
    assert "$" not in outside_code
    shown = rendered_text(out)
    assert _COMMAND.findall(_CODE.sub("", shown)) == []
    for delimiter in ("\\(", "\\)", "\\[", "\\]"):
        assert delimiter not in shown


def test_sample_key_conversions():
    outputs = {path.stem: render_math(sample_answer(path)) for path in SAMPLE_FILES}
    expected = {
        "how-do-you-compute-the-determinant-of-a-2x2-matrix": [
            "\n\nA = (a b; c d)\n\n",
            "det(A) = 3 · 2 - 1 · 4 = 2",
            "A⁻¹ = (1/(ad - bc)) (d -b; -c a).",
            "det(AB) = det(A) det(B)",
        ],
        "how-do-you-find-the-sum-of-an-arithmetic-series": [
            "aₙ = a₁ + (n-1)d",
            "\n\n∑ᵢ₌₁ⁿ i = n(n+1)/2.\n\n",
            "S₂₀ = (20/2)(2 · 5 + 19 · 3) = 10 · 67 = 670",
        ],
        "what-is-proof-by-contradiction": [
            "√2 ∉ ℚ",
            "Q ∧ ¬Q",
            "Hence\n\n√2 ∉ ℚ, that is, √2 is irrational.\n\n3.",
            "N = p₁p₂⋯pₙ + 1",
        ],
        "what-is-the-fundamental-theorem-of-calculus": [
            "F(x) = ∫ₐˣ f(t) dt.",
            "∫₁² 3x² dx = 2³ - 1³ = 7.",
            "(F(x+h) - F(x))/h ≈ f(x)",
        ],
        "what-is-a-limit-in-calculus": [
            "f(x) = (x² - 1)/(x - 1)",
            "0 \\< \\|x - a\\| \\< δ ⟹ \\|f(x) - L\\| \\< ε.",
        ],
        "what-do-maxwells-equations-describe": [
            "∇ · E = ρ/ε₀",
            "∇ × E = -∂B/∂t",
            "c = 1/√(μ₀ε₀) ≈ 3.0 × 10⁸",
            "c = λν",
        ],
        "how-does-special-relativity-explain-time-dilation": [
            "Δt = Δt₀/√(1 - v²/c²) = γ Δt₀.",
        ],
        "what-is-the-photoelectric-effect": ["E = hν,", "Kₘₐₓ = hν - ϕ.", "ν₀ = ϕ/h"],
        "what-is-entropy-in-thermodynamics": ["ΔS = Qᵣₑᵥ/T.", "k\\_B ≈ 1.38 × 10⁻²³"],
        "what-is-the-difference-between-permutations-and-combinations": [
            "C(n, k) = n!/(k! (n-k)!).",
            "P(n,k) = k! C(n, k)",
        ],
        "what-does-newtons-second-law-of-motion-state": ["1 N = 1 kg · m/s²", "τₙₑₜ = Iα"],
    }
    for stem, pieces in expected.items():
        for piece in pieces:
            assert piece in outputs[stem], (stem, piece)


# ---------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------


def best_of(runs: int, func) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def test_no_math_answer_is_cheap():
    paragraph = "Gradient descent costs about 5 dollars a run; see `config.yaml`. "
    answer = (paragraph * 100)[:5000]
    assert best_of(20, lambda: render_math(answer)) < 0.001


def test_math_answer_is_fast():
    answer = sample_answer(SAMPLES / "physics" / "what-do-maxwells-equations-describe.md")
    render_math(answer)  # loads pylatexenc once

    def cold() -> None:
        mathtext.convert_expression.cache_clear()
        render_math(answer)

    # 16 spans, each parsed afresh; a few spans take well under 10 ms.
    assert best_of(5, cold) < 0.05
