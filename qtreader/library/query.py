"""Translating what a user types into a safe SQLite FTS5 query.

Syntax: words (all must match; the last one is a prefix while typing),
``"a phrase"``, ``subject:name`` or ``subject:"two words"``, and ``-word`` or
``-"a phrase"`` to exclude. Anything else is treated as text: no input can
produce an FTS5 syntax error, because every term is re-quoted here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import subject_key

# unicode61 tokenises on anything that is not a letter, digit or private-use char.
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(
    r'(?P<neg>-)?(?:(?P<field>subject):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))'
)


@dataclass
class ParsedQuery:
    include: list[list[str]] = field(default_factory=list)  # each: words of a phrase
    exclude: list[list[str]] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)  # subject keys
    prefix_last: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.include or self.exclude or self.subjects)

    def terms(self) -> list[str]:
        """The words to highlight in results."""
        return [word for phrase in self.include for word in phrase]


def parse_query(text: str, *, typing: bool = True) -> ParsedQuery:
    """Parse user input. With ``typing``, the last bare word is a prefix."""
    parsed = ParsedQuery()
    last_kind = None
    for match in _TOKEN.finditer(text):
        negative = bool(match.group("neg"))
        phrase = match.group("phrase")
        raw = phrase if phrase is not None else match.group("word") or ""
        if match.group("field"):
            key = subject_key(raw)
            if key:
                parsed.subjects.append(key)
            last_kind = None
            continue
        words = [w.lower() for w in _WORD.findall(raw)]
        if not words:
            last_kind = None
            continue
        if negative:
            parsed.exclude.append(words)
            last_kind = None
        else:
            parsed.include.append(words)
            last_kind = "phrase" if phrase is not None else "word"
    ends_open = bool(text) and not text[-1].isspace() and not text.endswith('"')
    parsed.prefix_last = typing and last_kind == "word" and ends_open
    return parsed


def _quote(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


def fts_expression(parsed: ParsedQuery) -> str | None:
    """The FTS5 MATCH expression for the positive and negative terms, or None."""
    if not parsed.include:
        return None
    parts = [_quote(words) for words in parsed.include]
    if parsed.prefix_last:
        parts[-1] += "*"
    expr = " AND ".join(parts)
    for words in parsed.exclude:
        expr = f"({expr}) NOT {_quote(words)}"
    return expr


def exclusion_expression(parsed: ParsedQuery) -> str | None:
    """With only negative terms: the expression of what to leave out."""
    if not parsed.exclude:
        return None
    return " OR ".join(_quote(words) for words in parsed.exclude)
