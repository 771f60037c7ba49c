"""LaTeX math in Markdown answers, turned into readable Unicode text."""

from __future__ import annotations

# _blocks, _maybe_math and _spans are used by ..html; _convert and _spans by tests.
from .convert import _blocks as _blocks
from .convert import _convert as _convert
from .convert import _maybe_math as _maybe_math
from .convert import _spans as _spans
from .convert import has_math, latex_to_unicode, render_math, show_math_source

__all__ = ["has_math", "latex_to_unicode", "render_math", "show_math_source"]
