"""Did you mean, over a large vocabulary (issue 22): the words looked up by the letters
they hold (catalog/suggest.py) give what a scan of every word gives, and the spellings
table follows the words table through refreshes. Speed lives in the bench
(tests/bench: "suggest")."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from libhelpers import write_article
from rapidfuzz.distance import OSA

from qtreader.library.catalog import Catalog
from qtreader.library.catalog.suggest import _near, closest, letters, write_spellings

_ONSETS = [*"bcdfghklmnprstvw", "br", "cr", "dr", "fl", "gr", "pl", "pr", "st", "tr", "th", "sh"]
_VOWELS = [*"aeiou", "ai", "ea", "io", "ou"]
_CODAS = ["", "", "n", "r", "s", "l", "m", "t", "x", "nd", "st"]
_LETTERS = "abcdefghijklmnopqrstuvwxyzéü"


def _made_words(rng: random.Random, n: int) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if len(word) >= 3:
            words.add(word)
    return sorted(words)


def _typo(rng: random.Random, word: str) -> str:
    for _ in range(rng.choice((1, 1, 2, 3))):
        if not word:
            break
        at = rng.randrange(len(word))
        edit = rng.randrange(4)
        if edit == 0:
            word = word[:at] + word[at + 1 :]
        elif edit == 1:
            word = word[:at] + rng.choice(_LETTERS[:26]) + word[at:]
        elif edit == 2:
            word = word[:at] + rng.choice(_LETTERS[:26]) + word[at + 1 :]
        elif at + 1 < len(word):
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word


def _scanned(words: list[tuple[str, int]], word: str) -> str | None:
    """The nearest word as a scan of every word finds it: by edit distance (one for
    words of up to 5 letters, two for longer ones), then articles, then the word."""
    most = 1 if len(word) <= 5 else 2
    near = [
        (distance, -count, term)
        for term, count in words
        if len(term) >= 3
        and term.isalpha()
        and (distance := OSA.distance(word, term, score_cutoff=most)) <= most
    ]
    return min(near)[2] if near else None


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Catalog:
    """A library of 150 articles whose keywords hold ~12,000 words, each in 1-40
    articles (common words in many, rare ones in one)."""
    rng = random.Random(22)
    root = tmp_path_factory.mktemp("large") / "lib"
    words = _made_words(rng, 12_000)
    weights = [1 / (rank + 5) for rank in range(len(words))]
    for n in range(150):
        keywords = set(words[n::150]) | set(rng.choices(words, weights, k=40))
        write_article(
            root, f"s/a{n}.md", title=f"What is the gradient of field {n}?",
            answer="An answer.", url=f"/a{n}", keywords=", ".join(sorted(keywords)),
        )  # fmt: skip
    catalog = Catalog(root, root.parent / "c.db")
    catalog.refresh()
    yield catalog
    catalog.close()


def test_a_large_vocabulary_suggests_what_a_scan_of_every_word_does(large):
    words = large._query("SELECT term, doc FROM words")
    assert len(words) > 10_000
    rng = random.Random(5)
    typos = [_typo(rng, rng.choice(words)[0]) for _ in range(400)]
    typos = [t for t in dict.fromkeys(typos) if len(t) >= 3 and t.isalpha()]
    found = 0
    for typo in typos:
        expected = _scanned(words, typo)
        assert closest(large._store, typo) == expected, typo
        found += expected is not None
    assert found > len(typos) // 2  # the check is not vacuous


def test_a_large_vocabulary_still_corrects_the_titles_words(large):
    assert large.suggest("gradiant") == "gradient"
    assert large.suggest("Gardient fiedl") == "Gradient field"
    assert large.suggest("qqxzvwkj") is None


def test_the_sets_of_letters_looked_up_hold_every_near_word():
    """An edit brings one letter in and takes one out at most: a word within k edits
    holds one of the sets of letters looked up for k, accented letters too."""
    rng = random.Random(9)
    for _ in range(3_000):
        word = "".join(rng.choice(_LETTERS) for _ in range(rng.randrange(3, 12)))
        edits = rng.choice((1, 2))
        other = word
        for _ in range(edits):
            other = _typo(rng, other) if len(other) > 1 else other + "a"
        if OSA.distance(word, other) <= edits:
            assert letters(other) in _near(letters(word), edits), (word, other)


def test_the_spellings_follow_the_words_through_refreshes(tmp_path: Path):
    """Kept word by word (suggest.respell) they stay what a fresh read of the words
    table writes: words new, gone, still held by another article, and not words."""
    root = tmp_path / "lib"
    write_article(root, "a.md", title="Zeolite crystals", answer="x", url="/a", keywords="ab12")
    write_article(root, "b.md", title="Volcanic zeolite", answer="y", url="/b")
    with Catalog(root, tmp_path / "c.db") as cat:
        cat.refresh()

        def same() -> None:
            kept = cat._query("SELECT letters, terms FROM spellings ORDER BY letters")
            conn = cat._reader
            conn.execute("BEGIN")
            try:
                write_spellings(conn)
                fresh = conn.execute("SELECT letters, terms FROM spellings ORDER BY letters")
                assert kept == fresh.fetchall()
            finally:
                conn.execute("ROLLBACK")

        same()
        assert cat.suggest("zeolte") == "zeolite"
        (root / "a.md").unlink()
        write_article(root, "c.md", title="Crème brûlée tastes", answer="z", url="/c")
        cat.refresh()
        same()
        assert cat.suggest("zeolte") == "zeolite"  # b.md still holds it
        assert cat.suggest("crystls") is None  # gone with a.md
        assert cat.suggest("tastse") == "tastes"
        (root / "b.md").unlink()
        cat.refresh()
        same()
        assert cat.suggest("zeolte") is None
