"""Did you mean: a query's unknown words replaced by the library's closest known ones.

The words come from the exact index's vocabulary (``exact_terms``, an fts5vocab table,
kept as the plain table ``words``): the words of titles, questions and keywords as
written, with the number of articles holding each. The stemmed indexes' terms are stems ("photosynthesi"), not words to
offer. A word is unknown when neither index holds it (the full one, stemmed, holds
the answers' words too). Candidates are ranked by edit distance (rapidfuzz's optimal
string alignment: a swap of two letters is one edit), then by how many articles hold
them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from ..query import ParsedQuery, fts_expression, parse_query
from .storage import Store

_WORD = re.compile(r"[^\W_]+")
MIN_LENGTH = 3  # shorter words are not corrected: too many words are one edit away


@dataclass
class Vocabulary:
    """The library's words by length, with the number of articles holding each."""

    by_length: dict[int, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, store: Store) -> Vocabulary:
        vocabulary = cls()
        rows = store.query("SELECT term, doc FROM words")
        for term, doc in rows:
            if len(term) >= MIN_LENGTH and term.isalpha():
                vocabulary.counts[term] = doc
                vocabulary.by_length.setdefault(len(term), []).append(term)
        return vocabulary

    def closest(self, word: str) -> str | None:
        """The known word nearest to ``word`` (one edit for words of up to 5 letters, two
        for longer ones), the most common among equally near ones; None if none is."""
        most = 1 if len(word) <= 5 else 2
        best: tuple[int, int, str] | None = None
        for length in range(len(word) - most, len(word) + most + 1):
            choices = self.by_length.get(length)
            if not choices:
                continue
            for term, distance, _ in process.extract(
                word, choices, scorer=OSA.distance, score_cutoff=most, limit=None
            ):
                key = (int(distance), -self.counts[term], term)
                if best is None or key < best:
                    best = key
        return best[2] if best else None


def suggest(
    store: Store, text: str, vocabulary: Vocabulary, finds: Callable[[str], bool]
) -> str | None:
    """``text`` with each unknown word replaced by its closest known one, if any was
    and the result ``finds`` something; else None."""
    parsed = parse_query(text, typing=False)
    replacements: dict[str, str] = {}
    for word in dict.fromkeys(w for phrase in parsed.include for w in phrase):
        if len(word) < MIN_LENGTH or not word.isalpha() or _known(store, word, vocabulary):
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


def _known(store: Store, word: str, vocabulary: Vocabulary) -> bool:
    if word in vocabulary.counts:
        return True
    expr = fts_expression(ParsedQuery(include=[[word]]))
    return bool(store.query("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", [expr]))
