"""pylatexenc, loaded on first use: LaTeX parsed into nodes, and its text for symbols.

The no-math path never imports it.
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from typing import Any

from .symbols import _ACCENT_ALIASES, _BINOMIALS, _FRACTIONS


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
