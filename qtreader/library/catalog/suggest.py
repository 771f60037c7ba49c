"""Did you mean: a query's unknown words replaced by the library's closest known ones.

The words come from the exact index's vocabulary (``exact_terms``, an fts5vocab table,
kept as the plain table ``words``): the words of titles, questions and keywords as
written, with the number of articles holding each. The stemmed indexes' terms are stems
("photosynthesi"), not words to offer. A word is unknown when neither index holds it (the
full one, stemmed, holds the answers' words too). Candidates are ranked by edit distance
(rapidfuzz's optimal string alignment: a swap of two letters is one edit), then by how
many articles hold them.

The words that can be offered (``spelled``: letters only, MIN_LENGTH or more) are also
kept by the letters they hold (``spellings``: one row per set of letters, its words
sorted and joined by spaces). An edit brings at most one letter in (an insertion, a
substitution) and takes at most one out (a deletion, a substitution; a swap of two
letters does neither), so the words within two edits of a word hold sets of letters that
differ from its own by two letters in and two out at most: a few thousand sets, looked up
by key, whatever the size of the vocabulary. Reading every word instead took 150-400 ms
for 150,000 words, the first time after each write of the catalog. Each write keeps the
rows in step with the words table (write_spellings, respell).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from itertools import combinations

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..query import ParsedQuery, fts_expression, parse_query
from .storage import Store

_WORD = re.compile(r"[^\W_]+")
MIN_LENGTH = 3  # shorter words are not corrected: too many words are one edit away
# The bit of each letter in a set of letters: a to z their own; any other letter that of
# its code point modulo 26, shared (two letters on one bit make sets look nearer, never
# farther: no word is missed).
_BITS = {chr(ord("a") + i): 1 << i for i in range(26)}
_ONE = tuple(_BITS.values())
_SOME = 500  # keys in one IN list: within SQLite's least limit of variables (999)


def spelled(term: str) -> bool:
    """Whether ``term`` is a word suggestions may offer (and correct)."""
    return len(term) >= MIN_LENGTH and term.isalpha()


def letters(term: str) -> int:
    """The set of letters ``term`` holds, as bits (see _BITS)."""
    if term.isascii() and term.isalpha() and term.islower():
        return sum(map(_BITS.__getitem__, set(term)))
    bits = 0
    for char in set(term):
        bits |= _BITS.get(char) or 1 << (ord(char) % 26)
    return bits


def _near(bits: int, edits: int) -> list[int]:
    """Every set of letters a word within ``edits`` edits of one holding ``bits`` can
    hold: up to ``edits`` letters out, and up to ``edits`` in."""
    held = [bit for bit in _ONE if bits & bit]
    other = [bit for bit in _ONE if not bits & bit]
    outs = [sum(some) for n in range(edits + 1) for some in combinations(held, n)]
    ins = [sum(some) for n in range(edits + 1) for some in combinations(other, n)]
    return sorted({bits - out + in_ for out in outs for in_ in ins})


def closest(store: Store, word: str) -> str | None:
    """The known word nearest to ``word`` (one edit for words of up to 5 letters, two
    for longer ones), the most common among equally near ones; None if none is."""
    most = 1 if len(word) <= 5 else 2
    bits = letters(word)
    # One edit first: the words one edit away are all found there, and are nearer than
    # any other. Two edits only if none is (some forty times the sets to look up).
    for edits in range(1, most + 1):
        choices = _spelt(store, _near(bits, edits))
        found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=edits, limit=None)
        if found:
            nearest = min(distance for _, distance, _ in found)
            terms = [term for term, distance, _ in found if distance == nearest]
            counts = dict(_some(store, "SELECT term, doc FROM words WHERE term IN", terms))
            return min(terms, key=lambda term: (-counts.get(term, 0), term))
    return None


def _spelt(store: Store, keys: list[int]) -> list[str]:
    """The words holding these sets of letters."""
    sql = "SELECT terms FROM spellings WHERE letters IN"
    return [term for (terms,) in _some(store, sql, keys) for term in terms.split(" ")]


def _some(store: Store, sql: str, values: list) -> list[tuple]:
    """The rows of ``sql`` ending in IN, for a list of any length."""
    rows: list[tuple] = []
    for start in range(0, len(values), _SOME):
        some = values[start : start + _SOME]
        rows.extend(store.query(f"{sql} ({','.join('?' * len(some))})", some))
    return rows


def write_spellings(conn: sqlite3.Connection) -> None:
    """Write the spellings table anew from the words table: 0.85 s for 153,000 words
    (tests/bench/suggest.py, 2 cores at load 5), ~1% of a cold index."""
    by_letters: dict[int, list[str]] = {}
    sql = f"SELECT term FROM words WHERE length(term) >= {MIN_LENGTH}"  # in order of term
    for (term,) in conn.execute(sql):
        if term.isalpha():  # spelled
            by_letters.setdefault(letters(term), []).append(term)
    conn.execute("DELETE FROM spellings")
    conn.executemany(
        "INSERT INTO spellings VALUES (?, ?)",
        ((bits, " ".join(terms)) for bits, terms in sorted(by_letters.items())),
    )


def respell(conn: sqlite3.Connection, added: Iterable[str], removed: Iterable[str]) -> None:
    """Bring the spellings table in step with words ``added`` to the words table and
    ``removed`` from it (words that cannot be offered are passed over)."""
    changed: dict[int, tuple[set[str], set[str]]] = {}
    for terms, at in ((added, 0), (removed, 1)):
        for term in terms:
            if spelled(term):
                changed.setdefault(letters(term), (set(), set()))[at].add(term)
    for bits, (plus, minus) in sorted(changed.items()):
        row = conn.execute("SELECT terms FROM spellings WHERE letters = ?", (bits,)).fetchone()
        terms = sorted((set(row[0].split(" ")) if row else set()) - minus | plus)
        if terms:
            conn.execute("INSERT OR REPLACE INTO spellings VALUES (?, ?)", (bits, " ".join(terms)))
        else:
            conn.execute("DELETE FROM spellings WHERE letters = ?", (bits,))


def suggest(store: Store, text: str, finds: Callable[[str], bool]) -> str | None:
    """``text`` with each unknown word replaced by its closest known one, if any was
    and the result ``finds`` something; else None."""
    parsed = parse_query(text, typing=False)
    replacements: dict[str, str] = {}
    for word in dict.fromkeys(w for phrase in parsed.include for w in phrase):
        if len(word) < MIN_LENGTH or not word.isalpha() or _known(store, word):
            continue
        nearest = closest(store, word)
        if nearest:
            replacements[word] = nearest
    if not replacements:
        return None

    def replaced(match: re.Match[str]) -> str:
        found = match.group()
        new = replacements.get(found.lower())
        if new is None:
            return found
        if found.isupper() and len(found) > 1:
            return new.upper()
        return new.capitalize() if found[0].isupper() else new

    suggestion = _WORD.sub(replaced, text)
    return suggestion if suggestion != text and finds(suggestion) else None


def _known(store: Store, word: str) -> bool:
    if store.query("SELECT 1 FROM words WHERE term = ?", [word]):
        return True
    expr = fts_expression(ParsedQuery(include=[[word]]))
    return bool(store.query("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", [expr]))
