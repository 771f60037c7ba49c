"""Where the math spans are in Markdown text, and which ``$…$`` pairs are money instead.

What counts as inline ``$…$`` math
----------------------------------
A single ``$`` (not escaped, not in code, not part of ``$$``) is closed by the
next unescaped ``$`` in the same paragraph; math cannot hold a bare ``$``, so if
that one does not close the span the opening ``$`` is a plain dollar sign and
the search goes on from the next one. Whether the pair is math:

1. a digit follows the closing ``$`` (``$5 and $10``, ``$x$5``), a
   backtick lies between them (the closing one is in code), or a bracket
   closes between them before one opens (``($M) and ($M)``): never;
2. the inside is *tight*, no space after the opening ``$`` nor before the
   closing one (``$x$``, ``$a + b$``, ``$1$``): always, as TeX itself reads it;
3. otherwise the inside is *spaced* (``$ m $``, ``$ \\theta$``). It is never
   math when it is blank (``$ $``), runs over two lines, or when spaces and
   a number follow the closing ``$`` (``$ x $ 10``). Else it is math only by
   what it holds, spaces around it ignored:

   - a TeX command (``\\theta``, ``\\frac{a}{b}``) or a script (``P_E``,
     ``x^2``, ``e^{-x}``): math, even after a number (``$ 2^n $``);
   - starting with a number (``5``, ``1.5``, ``-3``, ``.5``) and neither of
     those: money (``$ 5 to $ 10``, ``between $ 20 and $ 30``);
   - a single letter, Latin or Greek, with digits or primes after it
     (``m``, ``θ``, ``x1``, ``f'``): math;
   - a formula: letters, digits, brackets and operators only,
     with an operator or a comma between two operands (``a + b``,
     ``x, y``), a function applied (``f(x)``), an absolute value (``|x|``)
     or a factorial (``n!``), and no run of letters longer than one (three
     when there is a relation, ``F = ma``, ``PV = nRT``) except function
     names (``sin``, ``log``…): math. Words (``$ and $``) make it text.

So "costs $5 and $10", "$ 5 to $ 10", "$5,000", "$ 1.5 million" stay text,
while "• $ m $ is the gradient" and "$ P_E $" are math.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .blocks import code_blocks
from .symbols import _FUNCTION_NAMES

Span = tuple[int, int, str, bool]  # start, end, its LaTeX, whether display math

# Environments that make a display when they stand alone in the Markdown.
_DISPLAY_ENVIRONMENTS = frozenset(
    {"equation", "equation*", "align", "align*", "alignat", "alignat*", "gather", "gather*"}
    | {"multline", "multline*", "eqnarray", "eqnarray*", "flalign", "flalign*"}
    | {"pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "matrix"}
)

_TOKEN = re.compile(r"`+|\\begin\{([A-Za-z]+\*?)\}|\\[\\`$()\[\]]|\$\$?")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_DOUBLE_DOLLAR_CLOSE = re.compile(r"\\.|\$\$", re.DOTALL)
_PAREN_CLOSE = re.compile(r"\\[\\)]")
_BRACKET_CLOSE = re.compile(r"\\[\\\]]")


def maybe_math(markdown: str) -> bool:
    return "$" in markdown or "\\(" in markdown or "\\[" in markdown or "\\begin" in markdown


class _Paragraphs:
    """Where the paragraph around a position ends (math never crosses a blank line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.start = 0
        self.end = -1

    def end_after(self, pos: int) -> int:
        if not (self.start <= pos <= self.end):
            blank = _BLANK_LINE.search(self.text, pos)
            self.start = pos
            self.end = blank.start() if blank else len(self.text)
        return self.end


def math_spans(text: str) -> list[Span]:
    """Math spans in a block without fenced code: ``(start, end, latex, display)``."""
    spans: list[Span] = []
    paragraphs = _Paragraphs(text)
    # Closers looked for in vain: kind -> (searched from, paragraph end). A
    # later opener of that kind in the same paragraph cannot close either, so
    # a run of unclosed openers costs linear time, not quadratic.
    missing: dict[str, tuple[int, int]] = {}

    def hopeless(kind: str, end: int, limit: int) -> bool:
        seen = missing.get(kind)
        return seen is not None and seen[0] <= end and seen[1] == limit

    pos = 0
    while True:
        match = _TOKEN.search(text, pos)
        if match is None:
            return spans
        token = match.group()
        start, end = match.span()
        pos = end
        if token[0] == "\\" and token not in ("\\(", "\\[") and match.group(1) is None:
            continue  # an escaped character: "\$" stays a dollar sign
        if token.startswith("\\begin") and match.group(1) not in _DISPLAY_ENVIRONMENTS:
            continue
        limit = paragraphs.end_after(end)
        if hopeless(token, end, limit):
            continue
        found: re.Match[str] | None = None
        if token[0] == "`":
            found = re.compile(r"(?<!`)" + token + r"(?!`)").search(text, end, limit)
            if found:
                pos = found.end()  # a code span: skipped whole
        elif token in ("\\(", "\\["):
            closer = _PAREN_CLOSE if token == "\\(" else _BRACKET_CLOSE
            found = next(
                (m for m in closer.finditer(text, end, limit) if m.group() != "\\\\"), None
            )
            if found and _could_be_math(text[end : found.start()]):
                spans.append((start, found.end(), text[end : found.start()], token == "\\["))
                pos = found.end()
        elif token[0] == "\\":  # \begin{…} of a display environment
            finish = f"\\end{{{match.group(1)}}}"
            found_at = text.find(finish, end, limit)
            if found_at >= 0:
                pos = found_at + len(finish)
                spans.append((start, pos, text[start:pos], True))
            else:
                missing[token] = (end, limit)
            continue
        elif token == "$$":
            found = next(
                (m for m in _DOUBLE_DOLLAR_CLOSE.finditer(text, end, limit) if m.group() == "$$"),
                None,
            )
            if found and _could_be_math(text[end : found.start()]):
                spans.append((start, found.end(), text[end : found.start()], True))
                pos = found.end()
        else:
            at = _single_dollar(text, end, limit)
            if at >= 0:
                spans.append((start, at + 1, text[end:at], False))
                pos = at + 1
            continue
        if found is None:
            missing[token] = (end, limit)


def _could_be_math(inner: str) -> bool:
    """Whether the text between two delimiters may be math: not blank, and no
    backtick, which would put the closing delimiter in a code span."""
    return bool(inner.strip()) and "`" not in inner


# From an opening "$" to the next unescaped "$", when no backtick comes before
# it (that "$" would be in code) and no bracket closes before one opens
# ("($M) and ($M)"); one pass, no Python loop over LaTeX's backslashes.
_DOLLAR_CLOSE_IN_MATH = re.compile(r"(?:\\.|[^\\$`()\[\]])*(?:[(\[](?:\\.|[^\\$`])*)?\$", re.DOTALL)


def _single_dollar(text: str, end: int, limit: int) -> int:
    """Where the "$" that closes inline math opened just before ``end`` is, or -1.

    The rule is the module's "What counts as inline math".
    """
    found = _DOLLAR_CLOSE_IN_MATH.match(text, end, limit)
    if found is None:
        return -1
    at = found.end() - 1
    if at == end or text[at + 1 : at + 2].isdigit():
        return -1  # "$5 and $10"
    if not text[end].isspace() and not text[at - 1].isspace():
        return at  # tight: "$x$"
    return at if _spaced_math(text[end:at], text, at + 1) else -1


_TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_SCRIPTED = re.compile(r"[\w)\]}'′][_^][\w{(\\+\-−]")
_MONEY_START = re.compile(r"[-−+]?[.,]?\d")
_NUMBER_AHEAD = re.compile(r"[ \t]+\d")
_GREEK = "\u0391-\u03a9\u03b1-\u03c9\u03d1\u03d5\u03f0\u03f1\u03f5"
_SYMBOL = re.compile(rf"[A-Za-z{_GREEK}]\d*['′″]*")
_FORMULA_CHARS = re.compile(rf"[A-Za-z{_GREEK}0-9 \t+\-−*/=<>≤≥≠≈±×·÷()\[\]|,.!'′]+")
_LATIN_RUN = re.compile(r"[A-Za-z]+")
_RELATION = re.compile(r"[=<>≤≥≠≈]")
_OPERATOR_BETWEEN = re.compile(
    rf"[\w{_GREEK})\]|!'′][ \t]*[+\-−*/=<>≤≥≠≈±×·÷,][ \t]*[\w{_GREEK}(\[|\-−]"
)
_APPLIED = re.compile(rf"[A-Za-z{_GREEK}]\(|[\w{_GREEK})]!|\|[ \t]*[\w{_GREEK}]")


def _spaced_math(inner: str, text: str, after: int) -> bool:
    """Whether ``$inner$``, with a space at one end at least, is math."""
    if _NUMBER_AHEAD.match(text, after):
        return False  # "$ x $ 10"
    content = inner.strip()
    if not content or "\n" in inner:
        return False  # "$ $", or dollars on two lines
    if _TEX_COMMAND.search(content) or _SCRIPTED.search(content):
        return True
    if _MONEY_START.match(content):
        return False
    if _SYMBOL.fullmatch(content):
        return True
    if not _FORMULA_CHARS.fullmatch(content):
        return False
    longest = 3 if _RELATION.search(content) else 1
    for run in _LATIN_RUN.findall(content):
        if len(run) > longest and run not in _FUNCTION_NAMES:
            return False
    return bool(_OPERATOR_BETWEEN.search(content) or _APPLIED.search(content))


def rewrite_math(markdown: str, rewrite: Callable[[str, list[Span]], str]) -> str:
    """``markdown`` with each block outside code that holds math spans given by
    ``rewrite(block, spans)``; ``markdown`` itself when none does, and when anything
    fails (a bug here must never cost the reader the answer)."""
    if not isinstance(markdown, str) or not maybe_math(markdown):
        return markdown
    try:
        parts = []
        changed = False
        for code, text in code_blocks(markdown):
            spans = [] if code else math_spans(text)
            if spans:
                changed = True
                parts.append(rewrite(text, spans))
            else:
                parts.append(text)
        return "".join(parts) if changed else markdown
    except Exception:
        return markdown
