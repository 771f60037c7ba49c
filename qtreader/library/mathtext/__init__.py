"""LaTeX math in Markdown answers, turned into readable Unicode text.

Answers are Markdown that sometimes holds LaTeX math: inline ``$…$`` and
``\\(…\\)``, display ``$$…$$`` and ``\\[…\\]``, and a few environments standing
alone (``\\begin{equation}…\\end{equation}``, ``pmatrix``…). A terminal cannot
typeset it, so :func:`render_math` replaces every math span with its Unicode
form (``\\frac{a+b}{c}`` → ``(a+b)/c``, ``x^2`` → ``x²``, ``\\alpha`` → ``α``)
and returns Markdown again, with the characters that Markdown would interpret
escaped. Code (fenced and indented blocks, inline spans) is never touched.

The LaTeX is parsed and its symbols named by pylatexenc; this package only adds
the layout a plain text line needs (fractions, roots, scripts, matrices and the
spacing around operators) and fills the few symbols pylatexenc leaves out.

Nothing here raises: a span that cannot be converted is left as it was written.

:func:`show_math_source` is the other way to show an answer: its math spans
exactly as written (the same spans :func:`render_math` converts), for a
Markdown renderer that would otherwise eat their backslashes.

The modules, in the order the work is done:

- :mod:`.blocks` splits code blocks off the Markdown (never touched);
- :mod:`.spans` finds the math spans in the rest, telling math from money;
- :mod:`.convert` lays one expression out as text, by pylatexenc's nodes
  (:mod:`.engine`), with the tables of :mod:`.symbols` and the atoms and
  spacing of :mod:`.layout`;
- :mod:`.render` writes the converted spans back as Markdown
  (:func:`render_math`), :mod:`.source` the spans as written
  (:func:`show_math_source`).
"""

from __future__ import annotations

from .convert import convert_expression, latex_to_unicode
from .render import has_math, render_math
from .source import show_math_source
from .spans import math_spans

__all__ = [
    "convert_expression",
    "has_math",
    "latex_to_unicode",
    "math_spans",
    "render_math",
    "show_math_source",
]
