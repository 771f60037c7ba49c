"""LaTeX math in Markdown answers, turned into readable Unicode text.

Answers are Markdown that sometimes holds LaTeX math: inline ``$…$`` and
``\\(…\\)``, display ``$$…$$`` and ``\\[…\\]``, and a few environments standing
alone (``\\begin{equation}…\\end{equation}``, ``pmatrix``…). A terminal cannot
typeset it, so :func:`render_math` replaces every math span with its Unicode
form (``\\frac{a+b}{c}`` → ``(a+b)/c``, ``x^2`` → ``x²``, ``\\alpha`` → ``α``)
and returns Markdown again, with the characters that Markdown would interpret
escaped. Code (fenced and indented blocks, inline spans) is never touched.

The LaTeX is parsed and its symbols named by pylatexenc; this module only adds
the layout a plain text line needs (fractions, roots, scripts, matrices and the
spacing around operators) and fills the few symbols pylatexenc leaves out.

Nothing here raises: a span that cannot be converted is left as it was written.

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

:func:`show_math_source` is the other way to show an answer: its math spans
exactly as written (the same spans :func:`render_math` converts), for a
Markdown renderer that would otherwise eat their backslashes.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from typing import Any

__all__ = ["has_math", "latex_to_unicode", "render_math", "show_math_source"]

# ---------------------------------------------------------------------------
# Unicode super- and subscripts (the one table pylatexenc has no use for)
# ---------------------------------------------------------------------------

_SUPERSCRIPTS = {
    **dict(zip("0123456789+-−=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾", strict=True)),
    **dict(zip("abcdefghijklmnoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ", strict=True)),
    **dict(zip("ABDEGHIJKLMNOPRTUVW", "ᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ", strict=True)),
    **dict(zip("βγδθφϕχ", "ᵝᵞᵟᶿᵠᵠᵡ", strict=True)),
    **dict(zip("′″‴∘°", "′″‴°°", strict=True)),  # ^\prime, ^\circ
}
_SUBSCRIPTS = {
    **dict(zip("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎", strict=True)),
    **dict(zip("aehijklmnoprstuvx", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)),
    **dict(zip("βγρφϕχ", "ᵦᵧᵨᵩᵩᵪ", strict=True)),
}
_SCRIPT_CHARS = frozenset(_SUPERSCRIPTS.values()) | frozenset(_SUBSCRIPTS.values())

# ---------------------------------------------------------------------------
# What the layout needs to know about macros and characters
# ---------------------------------------------------------------------------

# Atom classes, after TeX's: they decide the spacing between neighbours.
ORD, OP, BIN, REL, OPEN, CLOSE, PUNCT, INNER, SPACE = (
    "ord",
    "op",
    "bin",
    "rel",
    "open",
    "close",
    "punct",
    "inner",
    "space",
)

_REL_CHARS = frozenset(
    "=<>:≠≤≥⩽⩾≈≡≢∼≃≅≆≇≉≁≮≯≰≱∝→←↔⇒⇐⇔⟶⟵⟷⟹⟸⟺↦⟼↑↓⇑⇓↗↘∈∉∋∌⊂⊃⊆⊇⊄⊅⊈⊉⊊⊋≪≫≺≻⪯⪰⊥∥∦⊢⊨⊩≐≔≍⊏⊐⊑⊒∣∤"
)
_BIN_CHARS = frozenset("+-−*±∓×·÷∗∘∙∧∨∩∪⊕⊖⊗⊘⊙∖⋅⊓⊔△▽⋆⋄≀⨿⊎")
_OPEN_CHARS = frozenset("([{⟨⌊⌈")
_CLOSE_CHARS = frozenset(")]}⟩⌋⌉")
_PUNCT_CHARS = frozenset(",;")

_FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_BINOMIALS = frozenset({"binom", "dbinom", "tbinom"})
# Text inside math: its spaces count.
_TEXT_MACROS = frozenset(
    {"text", "textrm", "textnormal", "textup", "textit", "textbf", "textsf", "texttt"}
    | {"emph", "mbox", "hbox", "textmd", "textsl"}
)
# Fonts whose look a terminal cannot show: the letters stay plain.
_PLAIN_FONTS = frozenset(
    {"mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathnormal", "mathup"}
    | {"boldsymbol", "bm", "pmb", "symbf", "symrm", "symit", "boxed", "ce"}
)
_LETTERLIKE_FONTS = frozenset({"mathbb", "mathcal", "mathscr", "mathfrak"})
_BIG_OPERATORS = frozenset(
    {"sum", "prod", "coprod", "int", "iint", "iiint", "oint", "bigcup", "bigcap"}
    | {"bigoplus", "bigotimes", "bigodot", "biguplus", "bigsqcup", "bigvee", "bigwedge"}
)
# Operator names are printed as their own name.
_FUNCTION_NAMES = frozenset(
    {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "arcsin"}
    | {"arccos", "arctan", "arg", "deg", "det", "dim", "exp", "gcd", "hom", "inf", "ker"}
    | {"lg", "lim", "ln", "log", "max", "min", "Pr", "sup"}
)
_TWO_WORD_OPERATORS = {"limsup": "lim sup", "liminf": "lim inf"}
_DELIMITER_SIZES = frozenset(
    {"left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl"}
    | {"Bigr", "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm", "biggm", "Biggm"}
)
_SPACES = frozenset(
    {",", ":", ";", ">", " ", "\n", "\t", "quad", "qquad", "enspace", "enskip"}
    | {"thinspace", "medspace", "thickspace", "space"}
)
_IGNORED = frozenset(
    {"!", "negthinspace", "negmedspace", "negthickspace", "displaystyle", "textstyle"}
    | {"scriptstyle", "scriptscriptstyle", "limits", "nolimits", "nonumber", "notag"}
    | {"label", "color", "phantom", "hphantom", "vphantom", "strut", "mathstrut"}
    | {"allowbreak", "hspace", "vspace", "kern", "mkern"}
)
_ROW_BREAKS = frozenset({"\\", "cr", "newline"})
_ACCENTS = frozenset(
    {"vec", "hat", "bar", "tilde", "dot", "ddot", "dddot", "check", "breve", "acute"}
    | {"grave", "mathring", "overline", "underline", "widehat", "widetilde"}
    | {"overrightarrow", "overleftarrow"}
)
# Accents that pylatexenc draws the same as another one.
_ACCENT_ALIASES = {
    "overline": "bar",
    "widehat": "hat",
    "widetilde": "tilde",
    "overrightarrow": "vec",
}
# Symbols pylatexenc (2.x) has no text for.
_MISSING_SYMBOLS = {
    "ne": "≠",
    "neg": "¬",
    "gets": "←",
    "implies": "⟹",
    "impliedby": "⟸",
    "iff": "⟺",
    "land": "∧",
    "lor": "∨",
    "Re": "ℜ",
    "Im": "ℑ",
    "degree": "°",
    "bot": "⊥",
    "models": "⊨",
    "triangle": "△",
    "Box": "□",
    "checkmark": "✓",
    "lt": "<",
    "gt": ">",
    "colon": ":",
    "|": "‖",
    "Vert": "‖",
    "cdotp": "·",
    "infin": "∞",
    "prime": "′",
    "mid": "∣",
}
_MATRIX_DELIMITERS = {
    "matrix": ("", ""),
    "smallmatrix": ("", ""),
    "array": ("", ""),
    "pmatrix": ("(", ")"),
    "bmatrix": ("[", "]"),
    "Bmatrix": ("{", "}"),
    "vmatrix": ("|", "|"),
    "Vmatrix": ("‖", "‖"),
}
_CASES = frozenset({"cases", "dcases", "rcases"})

# Environments that make a display when they stand alone in the Markdown.
_DISPLAY_ENVIRONMENTS = frozenset(
    {"equation", "equation*", "align", "align*", "alignat", "alignat*", "gather", "gather*"}
    | {"multline", "multline*", "eqnarray", "eqnarray*", "flalign", "flalign*"}
    | {"pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "matrix"}
)

_MAX_EXPRESSION = 20_000
_MAX_BRACES = 400
_MAX_DEPTH = 60

# ---------------------------------------------------------------------------
# pylatexenc, loaded on first use (the no-math path never imports it)
# ---------------------------------------------------------------------------


class _Engine:
    """pylatexenc's parser settings and its LaTeX-to-text converter."""

    def __init__(self) -> None:
        from pylatexenc import latex2text, latexwalker, macrospec

        # Its warnings (about macros it cannot substitute) must never reach
        # the terminal; an application that configures logging still gets them.
        logging.getLogger("pylatexenc").addHandler(logging.NullHandler())

        db = latexwalker.get_default_latex_context_db()
        # Arguments of macros that pylatexenc's default context does not know.
        specs = [
            ("{{", [*_FRACTIONS, *_BINOMIALS, "overset", "underset", "stackrel"]),
            ("{", ["boldsymbol", "bm", "pmb", "pmod", "label", "phantom", "hphantom", "vphantom"]),
            ("{", ["boxed", "ce", "symbf", "symrm", "symit", "mathup"]),
            ("*{", ["operatorname", "tag"]),
            ("[{", ["xrightarrow", "xleftarrow"]),
        ]
        macros = [macrospec.std_macro(name, argspec) for argspec, names in specs for name in names]
        environments = [macrospec.std_environment("alignat", "{")]
        db.add_context_category(
            "qtreader-math", macros=macros, environments=environments, prepend=True
        )
        self.latexwalker = latexwalker
        self.context = db
        self.l2t = latex2text.LatexNodes2Text(math_mode="text")
        self._accent_marks: dict[str, str] = {}

    def parse(self, source: str) -> list[Any]:
        walker = self.latexwalker.LatexWalker(
            source, latex_context=self.context, tolerant_parsing=False
        )
        nodes, pos, length = walker.get_latex_nodes()
        if pos + length < len(source):
            raise ValueError("unparsed input")  # a stray "}" or a lone "\"
        return nodes

    def text(self, nodes: list[Any]) -> str | None:
        """pylatexenc's text for ``nodes``, or None if it fails on them."""
        try:
            return self.l2t.nodelist_to_text(nodes)
        except Exception:
            return None

    def accent_mark(self, name: str) -> str:
        """The combining mark pylatexenc uses for an accent (``\\vec`` → U+20D7)."""
        name = _ACCENT_ALIASES.get(name, name)
        mark = self._accent_marks.get(name)
        if mark is None:
            drawn = self.l2t.latex_to_text(f"\\{name}{{x}}")
            mark = "".join(c for c in drawn if unicodedata.combining(c))
            self._accent_marks[name] = mark
        return mark


@functools.cache
def _engine() -> _Engine:
    return _Engine()


# ---------------------------------------------------------------------------
# LaTeX → text
# ---------------------------------------------------------------------------


class _Atom:
    """A piece of output and its class.

    ``frac`` marks an unbracketed a/b; ``literal`` an operator typed as a
    character (``+``, ``=``, ``,``), whose spacing follows the source, where
    ``gap`` tells whether whitespace came before it. ``loose`` marks a base
    that ends in a spelled-out script (``k_B``), which the next factor must not
    touch (``k_B T``, not ``k_BT``).
    """

    __slots__ = ("cls", "frac", "gap", "literal", "loose", "text")

    def __init__(self, text: str, cls: str = ORD, frac: bool = False) -> None:
        self.text = text
        self.cls = cls
        self.frac = frac
        self.literal = False
        self.gap = False
        self.loose = False  # ends in a spelled-out script, "k_B": keep it apart

    @property
    def typed_operator(self) -> bool:
        return self.literal and self.cls in (BIN, REL, PUNCT)


def _char_class(text: str) -> str:
    if len(text) != 1:
        return ORD
    if text in _REL_CHARS:
        return REL
    if text in _BIN_CHARS:
        return BIN
    if text in _OPEN_CHARS:
        return OPEN
    if text in _CLOSE_CHARS:
        return CLOSE
    if text in _PUNCT_CHARS:
        return PUNCT
    return ORD


def _script(kind: str, text: str) -> str:
    """``x`` + ``^`` + ``10`` → ``¹⁰``; what has no Unicode form becomes ``^(…)``."""
    compact = text.replace(" ", "").replace("\n", "")
    if not compact:
        return ""
    table = _SUPERSCRIPTS if kind == "^" else _SUBSCRIPTS
    if all(c in table for c in compact):
        return "".join(table[c] for c in compact)
    if len(compact) == 1:
        return kind + compact
    return f"{kind}({' '.join(text.split())})"


def _top_level(text: str) -> str:
    """The characters of ``text`` outside any brackets."""
    depth = 0
    kept: list[str] = []
    for c in text:
        if c in _OPEN_CHARS:
            depth += 1
        elif c in _CLOSE_CHARS:
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(c)
    return "".join(kept)


def _bracketed(text: str) -> bool:
    """True for ``(…)`` whose first bracket closes at the very end."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for at, c in enumerate(text):
        if c in _OPEN_CHARS:
            depth += 1
        elif c in _CLOSE_CHARS:
            depth -= 1
            if depth == 0:
                return at == len(text) - 1
    return False


def _is_single_term(text: str, *, denominator: bool) -> bool:
    """True when ``text`` needs no brackets as part of a fraction."""
    if not text or "\n" in text:
        return False
    outside = _top_level(text)
    if outside.startswith("-"):
        outside = outside[1:]
    if " " in outside:
        return False
    if denominator and "/" in outside:
        return False
    return not any(c in _BIN_CHARS or c in _REL_CHARS or c in _PUNCT_CHARS for c in outside)


def _is_atomic(text: str) -> bool:
    """True for ``2``, ``3.5``, ``x``, ``x₁``, ``a⃗`` or ``(…)``: what a root needs no brackets for."""
    if not text:
        return True
    if _bracketed(text):
        return True
    core = text.rstrip("".join(_SCRIPT_CHARS) + "′″")
    core = "".join(c for c in core if not unicodedata.combining(c))
    if len(core) == 1:
        return True
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", core))


class _Converter:
    """Walks pylatexenc's nodes (or a plain string) and lays the math out as text."""

    def __init__(self, engine: _Engine | None) -> None:
        self.engine = engine

    # -- tables: cells split by "&", rows by "\\" --------------------------

    def _table(self, nodes: list[Any]) -> list[list[list[Any]]]:
        rows: list[list[list[Any]]] = [[[]]]
        for node in nodes:
            kind = type(node).__name__
            if kind == "LatexCharsNode":
                rows[-1][-1].extend(node.chars)
            elif kind == "LatexSpecialsNode":
                if node.specials_chars == "&":
                    rows[-1].append([])
                elif node.specials_chars == "~":
                    rows[-1][-1].append(node)
                else:  # "''", "--" and the like are plain characters in math
                    rows[-1][-1].extend(node.specials_chars)
            elif kind == "LatexMacroNode" and node.macroname in _ROW_BREAKS:
                rows.append([[]])
            else:
                rows[-1][-1].append(node)
        return rows

    def expr(self, nodes: list[Any]) -> str:
        """A node list as text; rows of an alignment become lines."""
        lines = []
        for row in self._table(nodes):
            cells = [self._render(self._atoms(cell)) for cell in row]
            line = " ".join(cell for cell in cells if cell)
            if line:
                lines.append(line)
        return "\n".join(lines)

    def tokens(self, tokens: list[Any]) -> str:
        return self._render(self._atoms(tokens))

    def _arg(self, node: Any) -> str:
        if node is None:
            return ""
        if type(node).__name__ == "LatexGroupNode":
            return self.expr(node.nodelist)
        return self.expr([node])

    def _args(self, node: Any, count: int) -> list[Any]:
        argd = node.nodeargd
        args = list(argd.argnlist) if argd is not None and argd.argnlist else []
        if len(args) < count or any(a is None for a in args[len(args) - count :]):
            raise ValueError(f"\\{node.macroname} lacks its arguments")
        return args

    # -- atoms ---------------------------------------------------------------

    def _atoms(self, tokens: list[Any]) -> list[_Atom]:
        atoms: list[_Atom] = []
        i = 0
        count = len(tokens)
        gap = False
        while i < count:
            token = tokens[i]
            i += 1
            had = len(atoms)
            if isinstance(token, str):
                if token.isspace():
                    gap = True
                    continue
                if token in "^_":
                    i, arg = self._script_arg(tokens, i)
                    if arg is None:
                        atoms.append(_Atom(token))
                    else:
                        self._attach(atoms, _script(token, arg), loose=True)
                elif token == "'":
                    self._attach(atoms, "′")
                else:
                    atoms.append(_Atom(token, _char_class(token)))
                    atoms[-1].literal = True
            else:
                i = self._node(token, tokens, i, atoms)
            if len(atoms) > had:
                atoms[had].gap = gap
            # the space after a bare control word ("\alpha b") is eaten by it
            gap = bool(
                type(token).__name__ == "LatexMacroNode"
                and token.macro_post_space
                and not (token.nodeargd and token.nodeargd.argnlist)
            )
        return atoms

    def _script_arg(self, tokens: list[Any], i: int) -> tuple[int, str | None]:
        while i < len(tokens) and isinstance(tokens[i], str) and tokens[i].isspace():
            i += 1
        if i >= len(tokens):
            return i, None
        token = tokens[i]
        if isinstance(token, str):
            return i + 1, "′" if token == "'" else token
        return i + 1, self._arg(token)

    @staticmethod
    def _attach(atoms: list[_Atom], script: str, loose: bool = False) -> None:
        if not atoms:
            atoms.append(_Atom(""))
        base = atoms[-1]
        base.loose = loose and script[:1] in ("^", "_")
        if base.frac:
            base.text = f"({base.text})"
            base.frac = False
        if script == "′" and base.text.endswith("′"):
            base.text = base.text[:-1] + "″"
        else:
            base.text += script

    def _node(self, node: Any, tokens: list[Any], i: int, atoms: list[_Atom]) -> int:
        kind = type(node).__name__
        if kind in ("LatexGroupNode", "LatexMathNode"):
            atoms.append(_Atom(self.expr(node.nodelist)))
        elif kind == "LatexCommentNode":
            atoms.append(_Atom("%" + node.comment))
        elif kind == "LatexSpecialsNode":
            atoms.append(_Atom(" ", SPACE))
        elif kind == "LatexEnvironmentNode":
            atoms.append(self._environment(node))
        elif kind == "LatexMacroNode":
            return self._macro(node, tokens, i, atoms)
        return i

    def _environment(self, node: Any) -> _Atom:
        name = node.environmentname
        base = name.rstrip("*")
        if base in _MATRIX_DELIMITERS or base in _CASES:
            rows = []
            for row in self._table(node.nodelist):
                cells = [self.tokens(cell) for cell in row]
                if any(cells):
                    rows.append(cells)
            if base in _CASES:
                body = "; ".join(", ".join(c for c in row if c) for row in rows)
                return _Atom("{" + body + "}", INNER)
            sep = ", " if any(" " in cell for row in rows for cell in row) else " "
            opening, closing = _MATRIX_DELIMITERS[base]
            body = "; ".join(sep.join(row) for row in rows)
            return _Atom(opening + body + closing, INNER)
        return _Atom(self.expr(node.nodelist))

    def _macro(self, node: Any, tokens: list[Any], i: int, atoms: list[_Atom]) -> int:
        name = node.macroname
        if name in _FRACTIONS:
            args = self._args(node, 2)
            num, den = self._arg(args[-2]), self._arg(args[-1])
            if not _is_single_term(num, denominator=False):
                num = f"({num})"
            if not _is_single_term(den, denominator=True):
                den = f"({den})"
            atoms.append(_Atom(f"{num}/{den}", ORD, frac=True))
        elif name in _BINOMIALS:
            args = self._args(node, 2)
            atoms.append(_Atom(f"C({self._arg(args[-2])}, {self._arg(args[-1])})", INNER))
        elif name == "sqrt":
            args = self._args(node, 1)
            index = self._arg(args[0]) if len(args) > 1 else ""
            radicand = self._arg(args[-1])
            if not _is_atomic(radicand):
                radicand = f"({radicand})"
            root = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(index)
            if root is None:
                root = _script("^", index) + "√"
            atoms.append(_Atom(root + radicand))
        elif name in _TEXT_MACROS:
            args = self._args(node, 1)
            group = args[-1]
            inner = group.nodelist if type(group).__name__ == "LatexGroupNode" else [group]
            text = self._engine().text(inner)
            if text is None:
                text = self.expr(inner)
            if text:
                atoms.append(_Atom(text))
        elif name in _PLAIN_FONTS:
            atoms.append(_Atom(self._arg(self._args(node, 1)[-1])))
        elif name in _LETTERLIKE_FONTS:
            # ℝ, ℚ, ℒ read well; 𝒪 or 𝔼 (outside the BMP) most terminal fonts lack.
            text = self._engine().text([node])
            if not text or any(ord(c) > 0xFFFF for c in text):
                text = self._arg(self._args(node, 1)[-1])
            atoms.append(_Atom(text))
        elif name == "operatorname":
            atoms.append(_Atom(self._arg(self._args(node, 1)[-1]), OP))
        elif name in _FUNCTION_NAMES:
            atoms.append(_Atom(name, OP))
        elif name in _TWO_WORD_OPERATORS:
            atoms.append(_Atom(_TWO_WORD_OPERATORS[name], OP))
        elif name in _BIG_OPERATORS:
            atoms.append(_Atom(self._engine().text([node]) or "", OP))
        elif name in _DELIMITER_SIZES:
            while i < len(tokens) and isinstance(tokens[i], str) and tokens[i].isspace():
                i += 1
            if i < len(tokens) and isinstance(tokens[i], str) and tokens[i] == ".":
                # "\left." is an invisible delimiter
                i += 1
        elif name in _SPACES:
            atoms.append(_Atom(" ", SPACE))
        elif name in _IGNORED:
            pass
        elif name in _ACCENTS:
            base = self._arg(self._args(node, 1)[-1])
            mark = self._engine().accent_mark(name)
            atoms.append(_Atom("".join(c + mark if c.isalnum() else c for c in base)))
        elif name == "not":
            # The slashed symbol: "∈" + U+0338 composes to "∉", "=" to "≠".
            negated = self._arg(self._args(node, 1)[-1])
            atoms.append(_Atom(unicodedata.normalize("NFC", negated + "\u0338"), REL))
        elif name in ("overset", "stackrel", "underset"):
            args = self._args(node, 2)
            below = self._atoms([args[-1]])
            script = _script("_" if name == "underset" else "^", self._arg(args[-2]))
            cls = below[0].cls if len(below) == 1 else ORD
            atoms.append(_Atom(self._render(below) + script, cls))
        elif name in ("xrightarrow", "xleftarrow"):
            args = self._args(node, 1)
            arrow = "→" if name == "xrightarrow" else "←"
            atoms.append(_Atom(arrow + _script("^", self._arg(args[-1])), REL))
        elif name == "pmod":
            atoms.append(_Atom(f"(mod {self._arg(self._args(node, 1)[-1])})", INNER))
        elif name == "bmod":
            atoms.append(_Atom("mod", BIN))
        elif name == "tag":
            atoms.append(_Atom(" ", SPACE))
            atoms.append(_Atom(f"({self._arg(self._args(node, 1)[-1])})"))
        elif name == "prime":
            self._attach(atoms, "′")
        elif name in _MISSING_SYMBOLS:
            text = _MISSING_SYMBOLS[name]
            atoms.append(_Atom(text, REL if name == "mid" else _char_class(text)))
        else:
            text = self._engine().text([node])
            if text is None:  # pylatexenc tripped over it: keep what it holds
                argd = node.nodeargd
                args = argd.argnlist if argd is not None and argd.argnlist else []
                text = " ".join(self._arg(arg) for arg in args if arg is not None)
            if text.strip():
                atoms.append(_Atom(text.strip(), _char_class(text.strip())))
            elif text:
                atoms.append(_Atom(" ", SPACE))
        return i

    def _engine(self) -> _Engine:
        if self.engine is None:
            self.engine = _engine()
        return self.engine

    # -- spacing ---------------------------------------------------------------

    @staticmethod
    def _render(atoms: list[_Atom]) -> str:
        items = [a for a in atoms if a.text]
        classes: list[str] = []
        previous: str | None = None
        for k, atom in enumerate(items):
            cls = atom.cls
            if cls == BIN:
                following = next((b.cls for b in items[k + 1 :] if b.cls != SPACE), None)
                if previous in (None, BIN, REL, OPEN, PUNCT, OP) or following in (
                    None,
                    REL,
                    CLOSE,
                    PUNCT,
                ):
                    cls = ORD  # a sign, not an operation: "-b", "(-1)"
            classes.append(cls)
            if cls != SPACE:
                previous = cls
        # a/b next to another factor gets brackets: (n/2)(n+1), μ₀(∂E/∂t)
        solid = [k for k, cls in enumerate(classes) if cls != SPACE]
        for place, k in enumerate(solid):
            if not items[k].frac:
                continue
            before = solid[place - 1] if place > 0 else None
            after = solid[place + 1] if place + 1 < len(solid) else None
            if (before is not None and items[before].cls in (ORD, CLOSE, INNER)) or (
                after is not None
                and classes[after] in (ORD, OPEN, OP, INNER)
                and items[after].text != "."
            ):
                items[k].text = f"({items[k].text})"
        out: list[str] = []
        last: tuple[_Atom, str] | None = None
        for atom, cls in zip(items, classes, strict=True):
            if cls == SPACE:
                out.append(" ")
                continue
            if last is not None and out and not out[-1][-1:].isspace():
                left, left_cls = last
                if left.typed_operator or atom.typed_operator:
                    wanted = atom.gap  # as the author spaced it: "n-1", "a = b"
                elif left.loose and cls in (ORD, OPEN, OP, INNER):
                    wanted = True
                else:
                    wanted = _space_between(left_cls, left.text, cls, atom.text)
                if wanted and not atom.text[:1].isspace():
                    out.append(" ")
            out.append(atom.text)
            last = (atom, cls)
        text = "".join(out)
        return re.sub(r"[ \t]{2,}", " ", text).strip(" \t")


def _space_between(left: str, left_text: str, right: str, right_text: str) -> bool:
    if right_text == ".":
        return False
    if left == REL or right == REL:
        return left != OPEN and right != CLOSE
    if left == BIN or right == BIN:
        return True
    if left == PUNCT:
        return right != CLOSE
    if right == OP:
        return left in (ORD, CLOSE, INNER, OP) and not left_text.endswith("/")
    if left == OP:
        return right in (ORD, OP, INNER)
    if right == INNER:
        return left in (ORD, CLOSE) and not left_text.endswith("/")
    if left == INNER:
        return right in (ORD, OPEN, INNER)
    return False


_PLAIN_EXPRESSION = re.compile(r"[^\\{}&%~$#]*")


def _without_trailing_breaks(source: str) -> str:
    """Drop row breaks (``\\\\``) at the very end, which pylatexenc cannot parse there."""
    while True:
        source = source.rstrip()
        slashes = len(source) - len(source.rstrip("\\"))
        if slashes < 2:
            return source
        source = source[: len(source) - slashes + slashes % 2]


def _too_deep(source: str) -> bool:
    if source.count("{") <= _MAX_DEPTH:
        return False
    depth = 0
    for c in source:
        if c == "{":
            depth += 1
            if depth > _MAX_DEPTH:
                return True
        elif c == "}":
            depth -= 1
    return False


@functools.lru_cache(maxsize=4096)
def _convert(expr: str) -> str | None:
    """``expr`` as text, or None when it cannot be converted."""
    source = expr.strip()
    if not source:
        return ""
    if len(source) > _MAX_EXPRESSION or source.count("{") > _MAX_BRACES or _too_deep(source):
        return None
    try:
        if _PLAIN_EXPRESSION.fullmatch(source):
            return _Converter(None).tokens(list(source))
        source = _without_trailing_breaks(source)
        engine = _engine()
        return _Converter(engine).expr(engine.parse(source))
    except Exception:  # malformed LaTeX, or a surprise inside pylatexenc
        return None


def latex_to_unicode(expr: str) -> str:
    """One math expression (without its delimiters) as readable Unicode text.

    Rows of an alignment (``\\\\``) come out as separate lines. Input that
    cannot be converted (``\\frac{a}``, unbalanced braces…) is returned as it is.
    """
    if not isinstance(expr, str):
        return ""
    converted = _convert(expr)
    return expr if converted is None else converted


# ---------------------------------------------------------------------------
# Finding math in Markdown
# ---------------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})([^\n]*)")
_FENCE_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*\r?\n?")
_TOKEN = re.compile(r"`+|\\begin\{([A-Za-z]+\*?)\}|\\[\\`$()\[\]]|\$\$?")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_DOUBLE_DOLLAR_CLOSE = re.compile(r"\\.|\$\$", re.DOTALL)
_PAREN_CLOSE = re.compile(r"\\[\\)]")
_BRACKET_CLOSE = re.compile(r"\\[\\\]]")


def _maybe_math(markdown: str) -> bool:
    return "$" in markdown or "\\(" in markdown or "\\[" in markdown or "\\begin" in markdown


# A line indented by four columns after a blank line (or first): maybe code.
_INDENTED = re.compile(r"(?: {4}| {0,3}\t)[ \t]*\S")
_INDENTED_AFTER_BLANK = re.compile(r"\n[ \t]*\r?\n(?: {4}| {0,3}\t)[ \t]*\S")
_MARKDOWN_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n|$)")


def _blocks(markdown: str) -> list[tuple[bool, str]]:
    """Split off code blocks: ``(is_code, text)`` in order."""
    if _INDENTED.match(markdown) or _INDENTED_AFTER_BLANK.search(markdown):
        try:
            return _parsed_blocks(markdown)
        except Exception:  # a surprise in the parser: fenced code is still found below
            pass
    if "```" not in markdown and "~~~" not in markdown:
        return [(False, markdown)]
    parts: list[tuple[bool, str]] = []
    text: list[str] = []
    code: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        if fence is None:
            opening = _FENCE_OPEN.match(line)
            if opening and not (opening[1][0] == "`" and "`" in opening[2]):
                if text:
                    parts.append((False, "".join(text)))
                    text = []
                fence = opening[1]
                code = [line]
            else:
                text.append(line)
        else:
            code.append(line)
            closing = _FENCE_CLOSE.fullmatch(line)
            if closing and closing[1][0] == fence[0] and len(closing[1]) >= len(fence):
                parts.append((True, "".join(code)))
                fence = None
    if fence is not None:
        parts.append((True, "".join(code)))  # an unclosed fence runs to the end
    elif text:
        parts.append((False, "".join(text)))
    return parts


def _parsed_blocks(markdown: str) -> list[tuple[bool, str]]:
    """:func:`_blocks` by markdown-it, as the reader parses it: indented code
    (only a parser knows whether four spaces make code or a list's text)."""
    from markdown_it import MarkdownIt

    code_lines: set[int] = set()
    for token in MarkdownIt("gfm-like").parse(markdown):
        if token.type in ("code_block", "fence") and token.map:
            code_lines.update(range(*token.map))
    parts: list[tuple[bool, str]] = []
    lines = _MARKDOWN_LINE.findall(markdown)  # line ends as markdown-it counts them
    for number, line in enumerate(lines):
        code = number in code_lines
        if parts and parts[-1][0] == code:
            parts[-1] = (code, parts[-1][1] + line)
        elif line or not parts:
            parts.append((code, line))
    return parts


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


def _spans(text: str) -> list[tuple[int, int, str, bool]]:
    """Math spans in a block without fenced code: ``(start, end, latex, display)``."""
    spans: list[tuple[int, int, str, bool]] = []
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


# ---------------------------------------------------------------------------
# Writing the text back as Markdown
# ---------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<|])")
# What would turn a line into a list item, heading, quote or setext underline.
_LINE_START_MARKER = re.compile(r"(?:[-+=]|\d{1,9}[.)]|#{1,6})(?=[ \t]|$)|>")
_BLANK_LINES_AHEAD = re.compile(r"(?:[ \t]*\n)+")
_LEAD = re.compile(
    r"(?P<quote>(?:[ \t]{0,3}>)*)(?P<indent>[ \t]*)(?P<marker>(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$))?"
)
_TRAILING_PUNCTUATION = re.compile(r"[.,;:!?]+")


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _escape_line_start(text: str) -> str:
    marker = _LINE_START_MARKER.match(text)
    if marker is None:
        return text
    cut = marker.end() - 1
    return text[:cut] + "\\" + text[cut:]


def _layout(lead: str) -> tuple[str, str, bool]:
    """For the text before a display on its line: (blank-line text, prefix, marker only)."""
    parts = _LEAD.match(lead)
    assert parts is not None  # every group is optional
    quote = parts["quote"]
    marker = parts["marker"] or ""
    prefix = quote + parts["indent"] + " " * len(marker)
    only_marker = bool(marker) and parts.end() == len(lead)
    return quote.strip(" \t"), prefix, only_marker


def _render_block(text: str, spans: list[tuple[int, int, str, bool]]) -> str:
    out: list[str] = []
    pos = 0
    pending: tuple[str, str] | None = None  # after a display: (blank-line text, prefix)

    def trim_end() -> None:
        while out:
            out[-1] = out[-1].rstrip()
            if out[-1]:
                return
            out.pop()

    def after_display(rest: str, final: bool) -> str:
        """Text that follows a display: punctuation joins it, the rest is a new paragraph."""
        nonlocal pending
        assert pending is not None
        blank, prefix = pending
        punctuation = _TRAILING_PUNCTUATION.match(rest)
        if punctuation:
            out.append(punctuation.group())
            rest = rest[punctuation.end() :]
        if not rest.strip():
            if final:
                pending = None
                return rest
            return ""  # the next span decides
        pending = None
        blank_lines = _BLANK_LINES_AHEAD.match(rest)
        if blank_lines:  # the text goes on on a line of its own: keep its indentation
            return "\n" + blank + "\n" + rest[blank_lines.end() :]
        return "\n" + blank + "\n" + prefix + rest.lstrip(" \t\n")

    def at_line_start() -> bool:
        for chunk in reversed(out):
            newline = chunk.rfind("\n")
            if chunk[newline + 1 :].strip(" \t>"):
                return False
            if newline >= 0:
                return True
        return True

    for start, end, latex, display in spans:
        converted = _convert(latex)
        lines: list[str] = []
        if converted is not None and display:
            lines = [_escape_line_start(_escape(line)) for line in converted.split("\n")]
            lines = [line for line in lines if line.strip()]
        before = text[pos:start]
        if pending is not None:
            before = after_display(before, final=False)
            if pending is not None and not lines:  # inline text goes on after a display
                blank, prefix = pending
                trim_end()
                before = "\n" + blank + "\n" + prefix
                pending = None
        out.append(before)
        pos = end
        if converted is None:
            out.append(text[start:end])
            continue
        if not display:
            piece = _escape(converted.replace("\n", "; "))
            out.append(_escape_line_start(piece) if at_line_start() else piece)
            continue
        if not lines:
            continue  # nothing to show, such as "$$\,$$"
        blank, prefix, only_marker = _layout(text[text.rfind("\n", 0, start) + 1 : start])
        if not only_marker:
            trim_end()
            if out:
                out.append("\n" + blank + "\n" + prefix)
        out.append(("\\\n" + prefix).join(lines))
        pending = (blank, prefix)
    rest = text[pos:]
    if pending is not None:
        rest = after_display(rest, final=True)
    out.append(rest)
    return "".join(out)


def has_math(markdown: str) -> bool:
    """True if ``markdown`` holds at least one math span outside code."""
    if not isinstance(markdown, str) or not _maybe_math(markdown):
        return False
    return any(not code and _spans(text) for code, text in _blocks(markdown))


def render_math(markdown: str) -> str:
    """Markdown with every math span replaced by its Unicode form; code untouched.

    Inline math stays inline; display math (``$$…$$``, ``\\[…\\]``, a lone
    environment) becomes a paragraph of its own. Text without math comes back
    unchanged, and so does any span that cannot be converted.
    """
    if not isinstance(markdown, str) or not _maybe_math(markdown):
        return markdown
    try:
        parts = []
        changed = False
        for code, text in _blocks(markdown):
            spans = [] if code else _spans(text)
            if spans:
                changed = True
                parts.append(_render_block(text, spans))
            else:
                parts.append(text)
        return "".join(parts) if changed else markdown
    except Exception:  # a bug here must never cost the reader the answer
        return markdown


# ---------------------------------------------------------------------------
# The source view: math spans exactly as written
# ---------------------------------------------------------------------------

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_EDGE_SPACES = re.compile(r"^[ \t]+|[ \t]+$")
_SPACE_ENTITIES = {" ": "&#32;", "\t": "&#9;"}


def _literal(line: str) -> str:
    """Markdown that shows ``line`` (no newline in it) character for character.

    Every ASCII punctuation character is backslash-escaped, which CommonMark
    allows for all of them, so none starts markup, an entity or a line
    break; spaces at either end, which Markdown would strip or read as a
    hard break, are written as character references.
    """
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", line)
    return _EDGE_SPACES.sub(lambda m: "".join(_SPACE_ENTITIES[c] for c in m.group()), escaped)


def _source_markdown(span: str, lead: str) -> str:
    """Markdown showing the math ``span`` as written; ``lead`` is its line before it.

    A span running over several lines keeps its line breaks (as hard breaks:
    a renderer shows a soft one as a space) and, on each further line, what
    belongs to the container it sits in (the quote markers and the list
    item's indentation, as measured on its first line) as it was.
    """
    if "\n" not in span:
        return _literal(span)
    parts = _LEAD.match(lead)
    assert parts is not None  # every group is optional
    quotes = parts["quote"].count(">")
    width = len(parts["indent"]) + len(parts["marker"] or "")
    container = re.compile(rf"(?:[ \t]{{0,3}}>){{0,{quotes}}}[ \t]{{0,{width}}}")
    lines = span.split("\n")
    out: list[str] = []
    for number, line in enumerate(lines):
        cr = "\r" if line.endswith("\r") else ""
        line = line.removesuffix("\r")
        kept = container.match(line) if number else None
        cut = kept.end() if kept else 0
        hard_break = "\\" if number < len(lines) - 1 else ""
        out.append(line[:cut] + _literal(line[cut:]) + hard_break + cr)
    return "\n".join(out)


def show_math_source(markdown: str) -> str:
    """Markdown that shows every math span of ``markdown`` exactly as it is written.

    For the reader's source view (math not rendered): a Markdown renderer
    would read ``\\\\`` in a matrix as an escaped ``\\``, ``\\(`` as ``(``,
    ``a_1 … b_2`` as emphasis. The math spans are the ones
    :func:`render_math` converts; in them every ASCII punctuation character
    is backslash-escaped (spaces at the ends of their lines are written as
    ``&#32;``, line breaks made hard), so that ``MarkdownIt("gfm-like")``
    shows them character for character; Textual's Markdown widget then
    shows a run of spaces as one, as it does everywhere. The text around
    them and code are returned as they are.
    """
    if not isinstance(markdown, str) or not _maybe_math(markdown):
        return markdown
    try:
        parts = []
        changed = False
        for code, text in _blocks(markdown):
            spans = [] if code else _spans(text)
            if not spans:
                parts.append(text)
                continue
            changed = True
            pos = 0
            for start, end, _latex, _display in spans:
                parts.append(text[pos:start])
                lead = text[text.rfind("\n", 0, start) + 1 : start]
                parts.append(_source_markdown(text[start:end], lead))
                pos = end
            parts.append(text[pos:])
        return "".join(parts) if changed else markdown
    except Exception:  # a bug here must never cost the reader the answer
        return markdown
