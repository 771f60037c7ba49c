"""Pieces of laid-out math (atoms) and the spacing between them, after TeX's classes."""

from __future__ import annotations

import re
import unicodedata

from .symbols import (
    _BIN_CHARS,
    _CLOSE_CHARS,
    _OPEN_CHARS,
    _PUNCT_CHARS,
    _REL_CHARS,
    _SCRIPT_CHARS,
    _SUBSCRIPTS,
    _SUPERSCRIPTS,
    BIN,
    CLOSE,
    INNER,
    OP,
    OPEN,
    ORD,
    PUNCT,
    REL,
    SPACE,
)


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
