"""One LaTeX math expression (no delimiters) laid out as Unicode text."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from .engine import _Engine, _engine
from .layout import _Atom, _char_class, _is_atomic, _is_single_term, _render, _script
from .symbols import (
    _ACCENTS,
    _BIG_OPERATORS,
    _BINOMIALS,
    _CASES,
    _DELIMITER_SIZES,
    _FRACTIONS,
    _FUNCTION_NAMES,
    _IGNORED,
    _LETTERLIKE_FONTS,
    _MATRIX_DELIMITERS,
    _MISSING_SYMBOLS,
    _PLAIN_FONTS,
    _ROW_BREAKS,
    _SPACES,
    _TEXT_MACROS,
    _TWO_WORD_OPERATORS,
    BIN,
    INNER,
    OP,
    ORD,
    REL,
    SPACE,
)

_MAX_EXPRESSION = 20_000
_MAX_BRACES = 400
_MAX_DEPTH = 60


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
            cells = [_render(self._atoms(cell)) for cell in row]
            line = " ".join(cell for cell in cells if cell)
            if line:
                lines.append(line)
        return "\n".join(lines)

    def tokens(self, tokens: list[Any]) -> str:
        return _render(self._atoms(tokens))

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
        """Lay out a macro by its handler (see ``_MACROS``); returns where to go on."""
        if node.macroname in _DELIMITER_SIZES:
            while i < len(tokens) and isinstance(tokens[i], str) and tokens[i].isspace():
                i += 1
            if i < len(tokens) and isinstance(tokens[i], str) and tokens[i] == ".":
                # "\left." is an invisible delimiter
                i += 1
            return i
        _MACROS.get(node.macroname, _Converter._other)(self, node, atoms)
        return i

    def _engine(self) -> _Engine:
        if self.engine is None:
            self.engine = _engine()
        return self.engine

    # -- macros: one handler each, named in _MACROS ------------------------------

    def _fraction(self, node: Any, atoms: list[_Atom]) -> None:
        args = self._args(node, 2)
        num, den = self._arg(args[-2]), self._arg(args[-1])
        if not _is_single_term(num, denominator=False):
            num = f"({num})"
        if not _is_single_term(den, denominator=True):
            den = f"({den})"
        atoms.append(_Atom(f"{num}/{den}", ORD, frac=True))

    def _binomial(self, node: Any, atoms: list[_Atom]) -> None:
        args = self._args(node, 2)
        atoms.append(_Atom(f"C({self._arg(args[-2])}, {self._arg(args[-1])})", INNER))

    def _sqrt(self, node: Any, atoms: list[_Atom]) -> None:
        args = self._args(node, 1)
        index = self._arg(args[0]) if len(args) > 1 else ""
        radicand = self._arg(args[-1])
        if not _is_atomic(radicand):
            radicand = f"({radicand})"
        root = _ROOTS.get(index)
        if root is None:
            root = _script("^", index) + "√"
        atoms.append(_Atom(root + radicand))

    def _text(self, node: Any, atoms: list[_Atom]) -> None:
        args = self._args(node, 1)
        group = args[-1]
        inner = group.nodelist if type(group).__name__ == "LatexGroupNode" else [group]
        text = self._engine().text(inner)
        if text is None:
            text = self.expr(inner)
        if text:
            atoms.append(_Atom(text))

    def _plain_font(self, node: Any, atoms: list[_Atom]) -> None:
        atoms.append(_Atom(self._arg(self._args(node, 1)[-1])))

    def _letterlike_font(self, node: Any, atoms: list[_Atom]) -> None:
        # ℝ, ℚ, ℒ read well; 𝒪 or 𝔼 (outside the BMP) most terminal fonts lack.
        text = self._engine().text([node])
        if not text or any(ord(c) > 0xFFFF for c in text):
            text = self._arg(self._args(node, 1)[-1])
        atoms.append(_Atom(text))

    def _operatorname(self, node: Any, atoms: list[_Atom]) -> None:
        atoms.append(_Atom(self._arg(self._args(node, 1)[-1]), OP))

    def _function_name(self, node: Any, atoms: list[_Atom]) -> None:
        atoms.append(_Atom(node.macroname, OP))

    def _two_word_operator(self, node: Any, atoms: list[_Atom]) -> None:
        atoms.append(_Atom(_TWO_WORD_OPERATORS[node.macroname], OP))

    def _big_operator(self, node: Any, atoms: list[_Atom]) -> None:
        atoms.append(_Atom(self._engine().text([node]) or "", OP))

    def _space(self, node: Any, atoms: list[_Atom]) -> None:
        atoms.append(_Atom(" ", SPACE))

    def _ignored(self, node: Any, atoms: list[_Atom]) -> None:
        pass

    def _accent(self, node: Any, atoms: list[_Atom]) -> None:
        base = self._arg(self._args(node, 1)[-1])
        mark = self._engine().accent_mark(node.macroname)
        atoms.append(_Atom("".join(c + mark if c.isalnum() else c for c in base)))

    def _not(self, node: Any, atoms: list[_Atom]) -> None:
        # The slashed symbol: "∈" + U+0338 composes to "∉", "=" to "≠".
        negated = self._arg(self._args(node, 1)[-1])
        atoms.append(_Atom(unicodedata.normalize("NFC", negated + "\u0338"), REL))

    def _over_under(self, node: Any, atoms: list[_Atom]) -> None:
        args = self._args(node, 2)
        below = self._atoms([args[-1]])
        script = _script("_" if node.macroname == "underset" else "^", self._arg(args[-2]))
        cls = below[0].cls if len(below) == 1 else ORD
        atoms.append(_Atom(_render(below) + script, cls))

    def _long_arrow(self, node: Any, atoms: list[_Atom]) -> None:
        args = self._args(node, 1)
        arrow = "→" if node.macroname == "xrightarrow" else "←"
        atoms.append(_Atom(arrow + _script("^", self._arg(args[-1])), REL))

    def _pmod(self, node: Any, atoms: list[_Atom]) -> None:
        atoms.append(_Atom(f"(mod {self._arg(self._args(node, 1)[-1])})", INNER))

    def _bmod(self, node: Any, atoms: list[_Atom]) -> None:
        atoms.append(_Atom("mod", BIN))

    def _tag(self, node: Any, atoms: list[_Atom]) -> None:
        atoms.append(_Atom(" ", SPACE))
        atoms.append(_Atom(f"({self._arg(self._args(node, 1)[-1])})"))

    def _prime(self, node: Any, atoms: list[_Atom]) -> None:
        self._attach(atoms, "′")

    def _missing_symbol(self, node: Any, atoms: list[_Atom]) -> None:
        text = _MISSING_SYMBOLS[node.macroname]
        atoms.append(_Atom(text, REL if node.macroname == "mid" else _char_class(text)))

    def _other(self, node: Any, atoms: list[_Atom]) -> None:
        """Any other macro: pylatexenc's text for it (a symbol, most often)."""
        text = self._engine().text([node])
        if text is None:  # pylatexenc tripped over it: keep what it holds
            argd = node.nodeargd
            args = argd.argnlist if argd is not None and argd.argnlist else []
            text = " ".join(self._arg(arg) for arg in args if arg is not None)
        if text.strip():
            atoms.append(_Atom(text.strip(), _char_class(text.strip())))
        elif text:
            atoms.append(_Atom(" ", SPACE))


_ROOTS = {"": "√", "2": "√", "3": "∛", "4": "∜"}

_Handler = Callable[[_Converter, Any, list[_Atom]], None]


def _handlers(*entries: tuple[Iterable[str], _Handler]) -> dict[str, _Handler]:
    """Macro name → handler; a name in two entries goes to the first."""
    table: dict[str, _Handler] = {}
    for names, handler in entries:
        for name in names:
            table.setdefault(name, handler)
    return table


_MACROS = _handlers(
    (_FRACTIONS, _Converter._fraction),
    (_BINOMIALS, _Converter._binomial),
    (["sqrt"], _Converter._sqrt),
    (_TEXT_MACROS, _Converter._text),
    (_PLAIN_FONTS, _Converter._plain_font),
    (_LETTERLIKE_FONTS, _Converter._letterlike_font),
    (["operatorname"], _Converter._operatorname),
    (_FUNCTION_NAMES, _Converter._function_name),
    (_TWO_WORD_OPERATORS, _Converter._two_word_operator),
    (_BIG_OPERATORS, _Converter._big_operator),
    (_SPACES, _Converter._space),
    (_IGNORED, _Converter._ignored),
    (_ACCENTS, _Converter._accent),
    (["not"], _Converter._not),
    (["overset", "stackrel", "underset"], _Converter._over_under),
    (["xrightarrow", "xleftarrow"], _Converter._long_arrow),
    (["pmod"], _Converter._pmod),
    (["bmod"], _Converter._bmod),
    (["tag"], _Converter._tag),
    (["prime"], _Converter._prime),
    (_MISSING_SYMBOLS, _Converter._missing_symbol),
)


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
def convert_expression(expr: str) -> str | None:
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
    converted = convert_expression(expr)
    return expr if converted is None else converted
