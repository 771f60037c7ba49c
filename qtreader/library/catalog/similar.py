"""More like this: the articles of the library most like one of them (issue 23).

Computed from the catalog when asked (no table of neighbours to build or keep), as a
search for the article's most distinctive words, bounded in cost whatever the library
holds:

- A word of the article weighs where the article holds it: 2 in its title, 1.5 in its
  keywords, 1 in its question, 1 + ln(times) in its answer.
- Its words that other articles hold in their titles, questions or keywords (the
  ``words`` table counts those articles) are searched for there (the ``quick`` index):
  the TERMS of them with the most weight x ln(1 + articles / holders), leaving out
  words too common to tell articles apart (COMMON) and keeping their lists within
  POSTINGS articles. Ranking costs about 1 us per article found (bm25, measured).
- Its rare words, in no other article's short fields but in a few articles' text
  ("Rayleigh", "haiku"), are searched for in the whole text (``fts``): the RARE_PROBES
  weightiest are counted there, up to RARE_CAP articles each (more is not rare), and
  the RARE_TERMS best kept.

Each word is searched for alone and its bm25 score (negative: lower is better) is
multiplied by its weight, then summed per article (one bm25 query of many words would
weigh them alike). Never the article itself, another version of its question (its
title group) or a stub; a question with versions comes once, as its best version. A
word is taken as the exact index writes it (lower case, diacritics removed): the
stemmed indexes stem it again when it is searched for.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict

from ..models import ArticleRow
from .codec import unpack
from .queries import count as count_articles
from .queries import rows
from .storage import Store

TERMS = 8  # words searched for in the short fields, at most
POSTINGS = 3_000  # their lists together, in articles (as the words table counts them)
COMMON = 0.02  # a word in more of the articles' short fields than this is too common
RARE_PROBES = 12  # the answer's rarest words counted in the whole text, at most
RARE_CAP = 500  # counted up to this many articles (or 1% of them): more is not rare
RARE_TERMS = 6  # of those, searched for
CANDIDATES = 100  # the best scored, before versions and stubs are left out

# bm25 weights, as searches use them: title, question, keywords (and answer, subject).
_QUICK_WEIGHTS = "10.0, 6.0, 4.0"
_FULL_WEIGHTS = "10.0, 6.0, 1.0, 4.0, 2.0"

_WORD = re.compile(r"[^\W_]+")
# Words that say nothing of a subject, and the words questions are asked with.
_STOP = """
    a about above after again against all also although am among an and another any are
    as at be because been before being below between both but by can could did do does
    doing done down during each either else even ever every few for from further get gets
    had has have having he her here hers herself him himself his how however i if in into
    is it its itself just let may me might more most much must my myself no nor not now
    of off often on once one only or other others our ours ourselves out over own per
    rather same several shall she should since so some such than that the their theirs
    them themselves then there these they this those though through thus to too toward
    towards under until up upon us use used uses using very via was we were what when
    where whether which while who whom whose why will with within without would yet you
    your yours yourself
    affect affects describe difference differences example examples explain explained
    important main mean means role work works
"""
STOP_WORDS = frozenset(_STOP.split())


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the exact index has them (unicode61, diacritics removed,
    lower case)."""
    text = text.lower()
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return _WORD.findall(text)


def _wanted(word: str) -> bool:
    return len(word) > 2 and word not in STOP_WORDS and not word.isdigit()


def similar(store: Store, rowid: int, limit: int) -> list[ArticleRow]:
    """The ``limit`` articles most like article ``rowid``, most alike first."""
    found = store.query(
        "SELECT a.title, a.question, a.keywords, a.grp, t.answer FROM articles a "
        "JOIN answers t ON t.rowid = a.rowid WHERE a.rowid = ?",
        (rowid,),
    )
    if not found or limit <= 0:
        return []
    ((title, question, keywords, group, packed),) = found
    weight: defaultdict[str, float] = defaultdict(float)
    own: set[str] = set()  # the words of its short fields: the words table counts it there
    # Where it holds a word says what it is about: its title most, then its keywords,
    # its question, and each word of its answer as much as the answer says it once.
    for text, field_weight in ((title, 2.0), (keywords, 1.5), (question, 1.0)):
        field = {w for w in words_of(text) if _wanted(w)}
        own |= field
        for word in field:
            weight[word] += field_weight
    for word, times in Counter(w for w in words_of(unpack(packed)) if _wanted(w)).items():
        weight[word] += 1.0 + math.log(times)
    if not weight:
        return []
    articles = max(count_articles(store, include_stubs=True), 1)
    held = _short_field_counts(store, list(weight))
    scores: dict[int, float] = {}
    chosen = _short_field_words(weight, held, own, articles)
    _add_scores(scores, store, "quick", _QUICK_WEIGHTS, chosen, weight)
    rare = _rare_words(store, weight, held, own, set(chosen), articles)
    _add_scores(scores, store, "fts", _FULL_WEIGHTS, rare, weight)
    return _best(store, scores, rowid, group, limit)


def _short_field_counts(store: Store, words: list[str]) -> dict[str, int]:
    """How many articles hold each word in their title, question or keywords."""
    held: dict[str, int] = {}
    for start in range(0, len(words), 500):
        part = words[start : start + 500]
        marks = ",".join("?" * len(part))
        held.update(store.query(f"SELECT term, doc FROM words WHERE term IN ({marks})", part))
    return held


def _short_field_words(
    weight: dict[str, float], held: dict[str, int], own: set[str], articles: int
) -> list[str]:
    """The most distinctive words that other articles hold in their short fields,
    within the POSTINGS budget."""
    common = max(articles * COMMON, 10)
    ranked = []
    for word, w in weight.items():
        n = held.get(word, 0)
        others = n - (word in own)
        if others >= 1 and n <= common:
            ranked.append((w * math.log(1 + articles / n), word))
    ranked.sort(reverse=True)
    chosen: list[str] = []
    budget = 0
    for _, word in ranked:
        if budget + held[word] > POSTINGS:
            continue
        chosen.append(word)
        budget += held[word]
        if len(chosen) == TERMS:
            break
    return chosen


def _rare_words(
    store: Store,
    weight: dict[str, float],
    held: dict[str, int],
    own: set[str],
    chosen: set[str],
    articles: int,
) -> list[str]:
    """The rare words of the article that no other article holds in its short fields
    but a few hold in their text: the best RARE_TERMS of them."""
    cap = min(RARE_CAP, max(articles // 100, 20))
    candidates = sorted(
        (
            (-w, word)
            for word, w in weight.items()
            if word not in chosen and held.get(word, 0) - (word in own) <= 0
        ),
    )[:RARE_PROBES]
    rare = []
    for _, word in candidates:
        ((n,),) = store.query(
            f"SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? LIMIT {cap})",
            (f'"{word}"',),
        )
        if 2 <= n < cap:  # in another article, and rare
            rare.append((weight[word] * math.log(1 + articles / n), word))
    rare.sort(reverse=True)
    return [word for _, word in rare[:RARE_TERMS]]


def _add_scores(
    scores: dict[int, float],
    store: Store,
    table: str,
    weights: str,
    words: list[str],
    weight: dict[str, float],
) -> None:
    """Add to each article holding one of ``words`` in ``table`` its bm25 score for the
    word (negative: lower is better), times the word's weight in the article compared:
    a word of its title counts more than one its answer says once. A query per word,
    as bm25 weighs the words of one query alike."""
    for word in words:
        boost = weight[word]
        for rowid, score in store.query(
            f"SELECT rowid, bm25({table}, {weights}) FROM {table} WHERE {table} MATCH ?",
            (f'"{word}"',),
        ):
            scores[rowid] = scores.get(rowid, 0.0) + boost * score


def _best(
    store: Store, scores: dict[int, float], rowid: int, group: int | None, limit: int
) -> list[ArticleRow]:
    """The best-scored candidates but the article, its versions and stubs; one version
    of a question at most."""
    scores.pop(rowid, None)
    if not scores:
        return []
    ids = sorted(scores, key=scores.__getitem__)[:CANDIDATES]
    marks = ",".join("?" * len(ids))
    # is_stub is looked at here: in the WHERE clause, SQLite walked the stub index.
    found = store.query(f"SELECT rowid, grp, is_stub FROM articles WHERE rowid IN ({marks})", ids)
    best: dict[object, tuple[float, int]] = {}
    for candidate, candidate_group, stub in found:
        if stub or (group is not None and candidate_group == group):
            continue
        key = candidate if candidate_group is None else ("group", candidate_group)
        entry = (scores[candidate], candidate)
        if key not in best or entry < best[key]:
            best[key] = entry
    picked = [candidate for _, candidate in sorted(best.values())[:limit]]
    return rows(store, picked)
