"""Translating what a user types into a safe SQLite FTS5 query.

Syntax: words (all must match, in any of their forms: the index stems them; the last
one is a prefix while typing, or when it ends in ``*``), ``"a phrase"``,
``subject:name`` or ``subject:"two words"``, and ``-word`` or ``-"a phrase"`` to
exclude. Anything else is treated as text: no input can produce an FTS5 syntax
error, because every term is re-quoted here.

Symbols: the tokenizer keeps letters and digits only, so a word with symbols is
searched as the phrase of its parts (``x^2`` as "x 2", ``O(n log n)`` as "o n log n":
a word with a parenthesised group is one phrase). A word ending in ``+`` or ``#``, or
starting with a dot (``C++``, ``C#``, ``.NET``), must also appear as written, in any
case (``literals``): "c" alone would find every °C and vitamin C.

What a query may hold is bounded (see the limits below): each word to find is a list
of matches FTS5 walks, and ``'water* ' * 1000`` took 30 s; 1,000 exclusions nest past
FTS5's parser stack, 999 subject filters past SQLite's expression depth. A word
repeated is searched once; what goes past a limit is left out, and the parsed query's
``warning`` says so (the CLI prints it, the reader shows it in its count line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import subject_key

# unicode61 tokenises on anything that is not a letter, digit or private-use char.
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(
    r"(?P<neg>-)?(?:(?P<field>subject):)?"
    r'(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"(]+\([^)"]*\)[^\s"]*|[^\s"]+))'
)
# A word that means its symbols: C++, C#, F#, H+, Ca2+, .NET (see the module's doc).
_SYMBOLIC = re.compile(r"\.?[^\W_]+[+#]+|\.[^\W_]+")
_WRAPPING = "\"'()[]{}<>,;:!?"


# The limits. A question pasted whole (a paragraph, ~80 words) is cut to its first
# words, which find it; nobody types more. Within them, the slowest query measured
# on 150,000 articles takes well under a second (see tests/unit/test_search_limits.py).
MAX_CHARS = 512  # read of the text; the rest is not looked at
MAX_WORDS = 32  # words to find, each word of a phrase counted
MAX_LEFT_OUT = 16  # words to leave out (-word; each word of -"a phrase" counted)
MAX_SUBJECTS = 4  # subject: filters


@dataclass
class ParsedQuery:
    include: list[list[str]] = field(default_factory=list)  # each: words of a phrase
    exclude: list[list[str]] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)  # subject keys
    prefix_last: bool = False
    warning: str = ""  # what was left out of a query past the limits, for a user
    # Words with symbols (lowercase, as typed: "c++", ".net"): an article must hold
    # each of ``literals`` as written, and none of ``unwanted`` (each with the words
    # the index finds it by, for the search to narrow first).
    literals: list[str] = field(default_factory=list)
    unwanted: list[tuple[list[str], str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.include or self.exclude or self.subjects or self.unwanted)

    @property
    def shortened(self) -> bool:
        """Whether part of the query was left out (``warning`` says what)."""
        return bool(self.warning)

    def terms(self) -> list[str]:
        """The words to highlight in results."""
        return [word for phrase in self.include for word in phrase]


def parse_query(text: str, *, typing: bool = True) -> ParsedQuery:
    """Parse user input. With ``typing``, the last bare word is a prefix.

    Bounded by the limits above: a word or phrase given twice counts once, and what
    goes past a limit is left out, as ``warning`` says."""
    parsed = ParsedQuery()
    cut: list[str] = []
    if len(text) > MAX_CHARS:
        if not text[MAX_CHARS].isspace():  # not half a word: up to the last space
            text = text[: text.rfind(" ", 0, MAX_CHARS) + 1] or text
        text = text[:MAX_CHARS]
        cut.append(f"only its first {MAX_CHARS} characters are read")
    if not text.isascii():
        # Bytes that were not UTF-8 (lone surrogates, from argv): separators.
        text = text.encode("utf-8", "replace").decode("utf-8")
    last_kind = None
    last_literal: str | None = None
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
        literal = _literal(raw) if phrase is None else None
        if negative and literal:
            parsed.unwanted.append((words, literal))
            last_kind = None
        elif negative:
            parsed.exclude.append(words)
            last_kind = None
        else:
            parsed.include.append(words)
            if literal:
                parsed.literals.append(literal)
            last_kind = "phrase" if phrase is not None else "word"
            last_literal = literal
    # While typing, a last word still being typed (ending in a letter or digit: "C++"
    # is finished) is a prefix; a last word ending in "*" always is.
    starred = last_kind == "word" and text.endswith("*")
    ends_open = bool(text) and (text[-1].isalnum() or starred)
    parsed.prefix_last = (typing or starred) and last_kind == "word" and ends_open
    if parsed.prefix_last and last_literal:
        # ".ne" of ".net" being typed: the word as written is a prefix too.
        parsed.literals[-1] = last_literal + "*"
    _bound(parsed, cut)
    if cut:
        parsed.warning = "the query was shortened: " + "; ".join(cut)
    return parsed


def _bound(parsed: ParsedQuery, cut: list[str]) -> None:
    """Each phrase once (the last time it is given, so the word being typed stays
    last), and no more words, exclusions and subjects than the limits allow."""
    include = _once(parsed.include)
    kept = _first_words(include, MAX_WORDS)
    if kept != include:
        cut.append(f"only {MAX_WORDS} words are searched for")
        parsed.prefix_last = False  # the word being typed is not among them
    parsed.include = kept
    exclude = _once(parsed.exclude)
    parsed.exclude = _first_words(exclude, MAX_LEFT_OUT)
    if parsed.exclude != exclude:
        cut.append(f"only {MAX_LEFT_OUT} words are left out")
    parsed.literals = list(dict.fromkeys(parsed.literals))
    unwanted = list({literal: (words, literal) for words, literal in parsed.unwanted}.values())
    parsed.unwanted = unwanted[:MAX_LEFT_OUT]
    if len(unwanted) > MAX_LEFT_OUT:
        cut.append(f"only {MAX_LEFT_OUT} words are left out")
    subjects = list(dict.fromkeys(parsed.subjects))
    parsed.subjects = subjects[:MAX_SUBJECTS]
    if len(subjects) > MAX_SUBJECTS:
        cut.append(f"only {MAX_SUBJECTS} subject: filters are used")


def _literal(raw: str) -> str | None:
    """The word with symbols that ``raw`` (a bare word) means as written, if any."""
    word = raw.strip(_WRAPPING)
    if word.endswith(".") and not word.startswith("."):
        word = word.rstrip(".")  # "C++." at the end of a sentence
    if not _SYMBOLIC.fullmatch(word):
        return None
    return word.lower()


def literal_pattern(literal: str) -> re.Pattern[str]:
    """What matches a word of ``literals`` or ``unwanted`` in an article's text: as
    written, in any case, and not inside a longer word ("abc++" is not C++, ".network"
    not .NET; "ASP.NET" is .NET). A literal ending in ``*`` is a prefix."""
    prefix = literal.endswith("*")
    literal = literal.rstrip("*")
    left = r"(?<![^\W_])" if literal[:1].isalnum() else ""
    right = r"(?![^\W_])" if literal[-1:].isalnum() and not prefix else ""
    return re.compile(left + re.escape(literal) + right, re.IGNORECASE)


def _once(phrases: list[list[str]]) -> list[list[str]]:
    """Each phrase once, where it was last given, in order."""
    if len(phrases) < 2:
        return phrases
    last = {tuple(words): n for n, words in enumerate(phrases)}
    return [words for n, words in enumerate(phrases) if last[tuple(words)] == n]


def _first_words(phrases: list[list[str]], limit: int) -> list[list[str]]:
    """The first phrases holding ``limit`` words in all (the last one cut short)."""
    kept: list[list[str]] = []
    room = limit
    for words in phrases:
        if room <= 0:
            break
        kept.append(words[:room])
        room -= len(words)
    return kept


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
