"""Did you mean: a query's unknown words replaced by the library's closest known ones.

The words come from the exact index's vocabulary (``exact_terms``, an fts5vocab table,
kept as the plain table ``words``): the words of titles, questions and keywords as
written, with the number of articles holding each. The stemmed indexes' terms are stems ("photosynthesi"), not words to
offer. A word is unknown when neither index holds it (the full one, stemmed, holds
the answers' words too). Candidates are ranked by edit distance (rapidfuzz's optimal
string alignment: a swap of two letters is one edit), then by how many articles hold
them.

The words that can be offered (letters only, MIN_LENGTH or more) are also kept by
length, one row of the ``spellings`` table for each: the words of one length, sorted,
joined by spaces. A suggestion reads only the lengths within its edit distance of its
word's (a few ms), where reading the words table whole took 140-360 ms for a vocabulary
of 150,000 words, and looks up the counts of its closest candidates only. Each write of
the catalog keeps the rows in step with the words table (write_spellings,
respell).
"""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..query import ParsedQuery, fts_expression, parse_query
from .storage import Store

_WORD = re.compile(r"[^\W_]+")
MIN_LENGTH = 3  # shorter words are not corrected: too many words are one edit away


def spelled(term: str) -> bool:
    """Whether ``term`` is a word suggestions may offer (and correct)."""
    return len(term) >= MIN_LENGTH and term.isalpha()


class Vocabulary:
    """The library's words by length, read from the spellings table as suggestions need
    them (and kept: see facade.Catalog._words)."""

    def __init__(self, store: Store):
        self._store = store
        self._by_length: dict[int, list[str]] = {}

    def _of_lengths(self, lengths: range) -> list[list[str]]:
        missing = [n for n in lengths if n not in self._by_length]
        if missing:
            found = dict.fromkeys(missing, "")
            found.update(
                self._store.query(
                    "SELECT length, terms FROM spellings WHERE length BETWEEN ? AND ?",
                    [missing[0], missing[-1]],
                )
            )
            for length, terms in found.items():
                if length in missing:
                    self._by_length[length] = terms.split(" ") if terms else []
        return [self._by_length[n] for n in lengths]

    def closest(self, word: str) -> str | None:
        """The known word nearest to ``word`` (one edit for words of up to 5 letters, two
        for longer ones), the most common among equally near ones; None if none is."""
        most = 1 if len(word) <= 5 else 2
        size = len(word)
        # The lengths one letter off or the same first: a word two letters longer or
        # shorter is two edits away, never nearer than one found there at one edit.
        found = self._within(word, range(size - 1, size + 2), most)
        if most > 1 and (not found or min(found.values()) > 1):
            found.update(self._within(word, range(size - most, size - 1), most))
            found.update(self._within(word, range(size + 2, size + most + 1), most))
        if not found:
            return None
        nearest = min(found.values())
        terms = [term for term, distance in found.items() if distance == nearest]
        counts: dict[str, int] = {}
        for start in range(0, len(terms), 500):  # within SQLite's least limit of variables
            some = terms[start : start + 500]
            sql = f"SELECT term, doc FROM words WHERE term IN ({','.join('?' * len(some))})"
            counts.update(self._store.query(sql, some))
        return min(terms, key=lambda term: (-counts.get(term, 0), term))

    def _within(self, word: str, lengths: range, most: int) -> dict[str, int]:
        found: dict[str, int] = {}
        for choices in self._of_lengths(lengths):
            for term, distance, _ in process.extract(
                word, choices, scorer=OSA.distance, score_cutoff=most, limit=None
            ):
                found[term] = int(distance)
        return found


def write_spellings(conn: sqlite3.Connection) -> None:
    """Write the spellings table anew from the words table."""
    by_length: dict[int, list[str]] = {}
    for (term,) in conn.execute("SELECT term FROM words"):  # in order: its primary key
        if spelled(term):
            by_length.setdefault(len(term), []).append(term)
    conn.execute("DELETE FROM spellings")
    conn.executemany(
        "INSERT INTO spellings VALUES (?, ?)",
        ((length, " ".join(terms)) for length, terms in sorted(by_length.items())),
    )


def respell(conn: sqlite3.Connection, added: Iterable[str], removed: Iterable[str]) -> None:
    """Bring the spellings table in step with words ``added`` to the words table and
    ``removed`` from it (words that cannot be offered are passed over)."""
    changes: dict[int, tuple[list[str], list[str]]] = {}
    for terms, at in ((added, 0), (removed, 1)):
        for term in terms:
            if spelled(term):
                changes.setdefault(len(term), ([], []))[at].append(term)
    for length, (plus, minus) in sorted(changes.items()):
        row = conn.execute("SELECT terms FROM spellings WHERE length = ?", (length,)).fetchone()
        terms = row[0].split(" ") if row and row[0] else []
        for term in plus:
            at = bisect.bisect_left(terms, term)
            if at == len(terms) or terms[at] != term:
                terms.insert(at, term)
        for term in minus:
            at = bisect.bisect_left(terms, term)
            if at < len(terms) and terms[at] == term:
                del terms[at]
        if terms:
            conn.execute(
                "INSERT OR REPLACE INTO spellings VALUES (?, ?)", (length, " ".join(terms))
            )
        else:
            conn.execute("DELETE FROM spellings WHERE length = ?", (length,))


def suggest(
    store: Store, text: str, vocabulary: Vocabulary, finds: Callable[[str], bool]
) -> str | None:
    """``text`` with each unknown word replaced by its closest known one, if any was
    and the result ``finds`` something; else None."""
    parsed = parse_query(text, typing=False)
    replacements: dict[str, str] = {}
    for word in dict.fromkeys(w for phrase in parsed.include for w in phrase):
        if len(word) < MIN_LENGTH or not word.isalpha() or _known(store, word):
            continue
        closest = vocabulary.closest(word)
        if closest:
            replacements[word] = closest
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
