"""The benchmark's synthetic QuickTakes library: vocabulary, plan, files.

Everything is drawn from fixed seeds, so the same ``n`` always gives the same library:
Zipf-distributed words, titles from templates, answers of 1-8 KB (median ~4.6 KB) made
of numbered lists of bold-led items, 40 subjects, 0-5 related links each (some dangling,
some repeated), ~1% duplicate ids, ~11% of articles versions of a question (sharing
its title with others, as in a real library) and some LaTeX. :func:`prepare_library` writes one (or
reuses one written before for the same ``n``); :func:`plan_library` and
:func:`render_article` are also used by tests/unit/test_fastyaml.py.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 2  # 2: versions of a question at the real rate (2026-12-05)
MARKER = ".qtbench.json"  # hidden: the library scan skips dot files
SEED = 20240815

# -- vocabulary ----------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _words(
    "the of and to a in is that for it as was with be by on not he this are or his from at which "
    "but have an they you were their one all we can her has there been if more when will would "
    "who so no what its only into them than then some could these two may first other any new "
    "over also after most such many where those between both each through about while because "
    "very how even much under however during without within among often since against toward "
    "whether although another several every itself upon "
)

REAL_WORDS = _words(
    "energy social capital theory market light wave particle cell gene protein evolution species "
    "climate water carbon oxygen atom molecule force motion velocity speed mass gravity field "
    "charge current voltage circuit memory learning behaviour cognition emotion identity culture "
    "society community power state government policy law right freedom economy trade price "
    "demand supply money bank inflation interest tax labour capitalism industry technology "
    "computer algorithm data network internet software program function variable number equation "
    "matrix vector limit integral derivative probability statistics sample model system "
    "structure process method analysis history war empire revolution religion philosophy ethics "
    "language grammar meaning sign symbol media news film music art design architecture city "
    "urban rural health disease medicine nutrition sleep stress brain neuron hormone immune "
    "enzyme reaction temperature pressure volume heat entropy quantum relativity space time star "
    "planet galaxy orbit telescope rock mineral soil ocean river forest ecosystem population "
    "growth development education student teacher school curriculum assessment reading writing "
    "research evidence experiment hypothesis observation measurement error bias decision choice "
    "risk game strategy competition cooperation trust norm value role status class gender race "
    "ethnicity migration globalization colonialism democracy election vote party campaign "
    "platform audience advertising brand consumer firm cost profit revenue investment finance "
    "accounting debt credit contract property justice crime punishment court judge evidence "
    "memory attention perception motivation personality development childhood adolescence ageing "
    "family marriage kinship ritual myth narrative poetry novel author character plot theme "
    "genre style rhythm harmony melody instrument painting sculpture photography camera digital "
    "image pixel signal noise frequency spectrum resonance friction momentum acceleration "
    "inertia pendulum lens mirror refraction reflection diffraction interference polarization "
    "photon electron proton neutron nucleus isotope radiation decay fusion fission reactor "
    "catalyst acid base salt solution solvent bond compound polymer crystal metal alloy sequence "
    "recursion stack queue tree graph hash table sorting search compiler thread kernel database "
    "query index cache encryption security privacy protocol bandwidth "
)

_ONSETS = _words("b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr st tr th sh ch sp sk")
_VOWELS = _words("a e i o u ai ea io ou ia")
_CODAS = ["", "", "", "n", "r", "s", "l", "m", "t", "x", "nd", "st"]
_SUFFIXES = ["", "", "", "ion", "ism", "ity", "ology", "al", "ic", "ment", "ance", "ive", "ous"]

SUBJECTS = (
    "Physics", "Chemistry", "Biology", "Mathematics", "Computer Science", "Economics",
    "Sociology", "Psychology", "History", "Philosophy", "Political Science", "Digital Media",
    "Education Studies", "Linguistics", "Anthropology", "Geography", "Geology", "Astronomy",
    "Statistics", "Engineering", "Electrical Engineering", "Mechanical Engineering",
    "Civil Engineering", "Environmental Science", "Nursing", "Medicine", "Public Health", "Law",
    "Business Management", "Accounting", "Finance", "Marketing", "Music", "Art History",
    "Literature", "Film Studies", "Religious Studies", "Nutrition", "Architecture", "Data Science",
)  # fmt: skip

TITLE_TEMPLATES = (
    "What is {a} {b}?",
    "How does {a} affect {b} {c}?",
    "Why is {a} {b} important in {c}?",
    "What is the difference between {a} and {b} {c}?",
    "How do {a} and {b} work together?",
    "What role does {a} play in {b} {c}?",
    "What are the main causes of {a} {b}?",
    "How can {a} improve {b} {c}?",
    "What is the relationship between {a} {b} and {c}?",
    "How has {a} changed {b} {c}?",
    "What are the benefits of {a} {b}?",
    "Why do {a} {b} matter for {c}?",
)

MATH_SNIPPETS = (
    r"The scattered intensity follows $I \propto 1/\lambda^4$ for small particles.",
    r"In the simplest case we can write $$E = mc^2$$ and read off the energy.",
    r"The gradient $\nabla f$ points in the direction of steepest ascent.",
    r"In general $a \neq b$, so the two orderings give different results.",
    r"The photon energy is $E = h\nu$, where $\nu$ is the frequency.",
    r"Taking $\frac{n}{2}$ as the midpoint halves the search space each step.",
    r"The sum is $\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$ for every $n \ge 1$.",
    r"Near equilibrium $\Delta G = \Delta H - T\Delta S$ decides the direction.",
)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _make_vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    """Content words in frequency-rank order: real words spread among synthetic ones."""
    words: list[str] = []
    seen = set(FUNCTION_WORDS) | set(REAL_WORDS)
    while len(words) < size - len(REAL_WORDS):
        n = rng.choice((1, 2, 2, 2, 3, 3))
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(n)
        ) + rng.choice(_SUFFIXES)
        if 3 <= len(word) <= 14 and word not in seen:
            seen.add(word)
            words.append(word)
    real = list(dict.fromkeys(REAL_WORDS))
    rng.shuffle(real)
    # Real words take ranks spread from frequent to rare, so queries hit every band.
    for i, word in enumerate(real):
        words.insert(min(len(words), 3 + i * 7), word)
    return words


class Vocabulary:
    """Zipf-distributed words, a pool of sentences built from them, and topic picks."""

    def __init__(self, seed: int = SEED):
        rng = random.Random(seed)
        self.content = _make_vocabulary(rng)
        n = len(self.content)
        self.content_cum = list(_cumulative([1.0 / (r + 2) for r in range(n)]))
        self.topic_cum = list(_cumulative([1.0 / math.sqrt(r + 30) for r in range(n)]))
        self.function_cum = list(
            _cumulative([1.0 / (r + 1) ** 0.8 for r in range(len(FUNCTION_WORDS))])
        )
        self.sentences = [self._sentence(rng) for _ in range(40_000)]

    def _sentence(self, rng: random.Random) -> str:
        length = rng.randint(7, 26)
        content = rng.choices(self.content, cum_weights=self.content_cum, k=length)
        function = rng.choices(FUNCTION_WORDS, cum_weights=self.function_cum, k=length)
        words = [f if rng.random() < 0.42 else c for c, f in zip(content, function, strict=True)]
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words)), str(rng.choice((3, 12, 40, 400, 1870, 2020))))
        if length > 12 and rng.random() < 0.4:
            cut = rng.randrange(4, length - 3)
            words[cut] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def topic(self, rng: random.Random, k: int = 3) -> list[str]:
        out: list[str] = []
        while len(out) < k:
            word = rng.choices(self.content, cum_weights=self.topic_cum)[0]
            if word not in out:
                out.append(word)
        return out


def _cumulative(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


# -- the synthetic library -------------------------------------------------------

# One article's plan: index, subject index, subject as spelt in the file, slug, title,
# question, id, date, date format, topic words, answer size, answer seed, flags, links.
Plan = tuple
BASE_DATE = dt.date(2022, 1, 1)  # articles are dated within 1,300 days of it


def plan_library(n: int, vocab: Vocabulary, seed: int = SEED) -> list[Plan]:
    """Every article's plan, drawn from one random stream in four steps: the articles,
    ~1% of them made copies of others, versions of questions up to VERSIONED of the
    articles, then each one's related links."""
    rng = random.Random(seed + 1)
    slugs: list[set[str]] = [set() for _ in SUBJECTS]  # per subject, as planned
    plans = [_plan_article(rng, vocab, i, subject, slugs) for i, subject in _subjects(rng, n)]
    _copy_some(rng, plans, slugs)
    _version_some(rng, plans, slugs)
    by_subject: list[list[int]] = [[] for _ in SUBJECTS]
    for p in plans:
        by_subject[p[1]].append(p[0])
    return [(*p, _plan_links(rng, vocab, p, plans, by_subject)) for p in plans]


def _subjects(rng: random.Random, n: int) -> Iterator[tuple[int, int]]:
    """(article, subject index) for ``n`` articles, the first subjects the largest."""
    subject_weights = [1.0 / (i + 3) ** 0.8 for i in range(len(SUBJECTS))]
    yield from enumerate(rng.choices(range(len(SUBJECTS)), weights=subject_weights, k=n))


def _plan_article(
    rng: random.Random, vocab: Vocabulary, i: int, s: int, slugs: list[set[str]]
) -> list[Any]:
    """One article's plan, less its links; its slug is unique within its subject."""
    while True:
        topic = vocab.topic(rng)
        title = rng.choice(TITLE_TEMPLATES).format(a=topic[0], b=topic[1], c=topic[2])
        title = title[0].upper() + title[1:]
        slug = slugify(title)
        if slug not in slugs[s]:
            slugs[s].add(slug)
            break
    question = title if rng.random() < 0.9 else f"Can you explain {title[0].lower()}{title[1:]}"
    spelling = SUBJECTS[s]
    if rng.random() < 0.04:  # some files spell their subject differently
        spelling = rng.choice((spelling.lower(), spelling.upper(), spelling.capitalize()))
    date = (BASE_DATE + dt.timedelta(days=rng.randrange(1300))).isoformat()
    fmt = "YYYY-MM-DD" if rng.random() < 0.55 else "MMM DD, YYYY"
    size = int(min(8000, max(1100, rng.lognormvariate(math.log(4400), 0.36))))
    flags = ""
    if rng.random() < 0.03:
        flags += "m"  # LaTeX
    if rng.random() < 0.05:
        flags += "w"  # a web link
    if rng.random() < 0.02:
        flags += "l"  # a link to another article of the library
    return [i, s, spelling, slug, title, question, 100_000 + i, date, fmt, topic, size, i, flags]


def _copy_some(rng: random.Random, plans: list[list[Any]], slugs: list[set[str]]) -> None:
    """~1% copies of an article under another subject: same id, title and answer."""
    n = len(plans)
    for i in rng.sample(range(n), n // 100):
        original = plans[rng.randrange(n)]
        if original[1] == plans[i][1] or original[3] in slugs[plans[i][1]]:
            continue
        copy = plans[i]
        slugs[copy[1]].discard(copy[3])
        slugs[copy[1]].add(original[3])
        copy[3:7] = original[3:7]
        copy[9:12] = original[9:12]


# A real library (35,915 articles): 4,073 share their exact title with another, in
# 2,032 groups, nearly all pairs (the same question under several subjects or dates).
VERSIONED = 0.113  # of the articles, in a group sharing a title
GROUP_SIZES = ((2, 96), (3, 3), (4, 0.7), (5, 0.3))  # articles in a group: weight


def _version_some(rng: random.Random, plans: list[list[Any]], slugs: list[set[str]]) -> None:
    """Make groups of articles ask one question until VERSIONED of them share a title
    (templates and copies already make ~2% do): each version keeps its subject (a
    third move to the first one's), id and date, takes the question's title and topic,
    and has an answer of its own; its url is the question's with "-2", "-3"… after it."""
    n = len(plans)
    counts: dict[str, int] = {}
    for p in plans:
        counts[p[4]] = counts.get(p[4], 0) + 1
    grouped = sum(c for c in counts.values() if c > 1)
    free = [i for i, p in enumerate(plans) if counts[p[4]] == 1]
    rng.shuffle(free)
    sizes, weights = zip(*GROUP_SIZES, strict=True)
    while grouped < VERSIONED * n and len(free) > 5:
        size = rng.choices(sizes, weights=weights)[0]
        first, *others = (free.pop() for _ in range(size))
        question = plans[first]
        for k, i in enumerate(others, start=2):
            version = plans[i]
            if rng.random() < 0.33:
                version[1], version[2] = question[1], question[2]  # same subject, other date
            slug = question[3]
            while slug in slugs[version[1]]:
                slug = f"{question[3]}-{k}"
                k += 1
            slugs[version[1]].add(slug)
            version[3] = slug
            version[4], version[5], version[9] = question[4], question[5], question[9]
        grouped += size


def _plan_links(
    rng: random.Random,
    vocab: Vocabulary,
    p: list[Any],
    plans: list[list[Any]],
    by_subject: list[list[int]],
) -> tuple[tuple[str, str, str, str], ...]:
    """0-5 related links of article ``p``: most to its own subject, some dangling, some
    repeated, written in each of the ways front matter gives them."""
    n = len(plans)
    links: list[tuple[str, str, str, str]] = []
    for _ in range(rng.choices(range(6), weights=(10, 10, 20, 25, 20, 15))[0]):
        r = rng.random()
        if r < 0.10 or n < 2:  # dangling: not in this library
            t = vocab.topic(rng)
            s = rng.randrange(len(SUBJECTS))
            ttl = f"What is {t[0]} {t[1]} {t[2]}?"
            url = f"/learn/{slugify(SUBJECTS[s])}/questions/{slugify(ttl)}"
            links.append((str(9_000_000 + rng.randrange(10**6)), ttl, SUBJECTS[s], url))
            continue
        if r > 0.95 and links:  # repeated, as real content does
            links.append(rng.choice(links))
            continue
        pool = by_subject[p[1]] if rng.random() < 0.7 else None
        j = rng.choice(pool) if pool else rng.randrange(n)
        t = plans[j]
        url = f"/learn/{slugify(SUBJECTS[t[1]])}/questions/{t[3]}"
        if r < 0.75:
            links.append((str(t[6]), t[4], t[2], url))  # full link, resolves by url
        elif r < 0.85:
            links.append((str(t[6]), t[4], t[2], ""))  # by id
        elif r < 0.90:
            links.append(("", t[4], t[2], ""))  # by exact title
        else:
            links.append(("", t[4], "", url))  # url and title only
    return tuple(links)


_VOCAB: Vocabulary | None = None
_PLANS: list[Plan] = []


def _answer(rng: random.Random, vocab: Vocabulary, plan: Plan) -> str:
    topic: list[str] = plan[9]
    target: int = plan[10]
    flags: str = plan[12]
    sentences = vocab.sentences

    def para(k: int) -> str:
        out = []
        for _ in range(k):
            s = rng.choice(sentences)
            if rng.random() < 0.35:
                s = f"{s[:-1]} for {rng.choice(topic)}."
            out.append(s)
        return " ".join(out)

    a, b, c = topic
    parts = [f"{a.capitalize()} {b} is best understood through {c}. {para(rng.randint(2, 4))}"]
    length = len(parts[0])
    listed = rng.random() < 0.8
    number = 1
    while length < target - 260:
        body = para(rng.randint(2, 4))
        if listed:
            bold = f"{rng.choice(topic).capitalize()} {rng.choice(vocab.content[:1500])}"
            piece = f"\\n\\n{number}. **{bold}**: {body}"
            number += 1
        else:
            piece = f"\\n\\n{body}"
        parts.append(piece)
        length += len(piece)
    if "m" in flags:
        parts.insert(min(2, len(parts)), " " + rng.choice(MATH_SNIPPETS))
    if "w" in flags:
        parts.append(
            f"\\n\\nThe [encyclopedia article on {a}](https://en.wikipedia.org/wiki/{a}) is a "
            "good next step."
        )
    if "l" in flags and _PLANS:
        other = _PLANS[rng.randrange(len(_PLANS))]
        url = f"/learn/{slugify(SUBJECTS[other[1]])}/questions/{other[3]}"
        parts.append(f"\\n\\nSee also [{other[4]}]({url}).")
    parts.append(f"\\n\\nIn summary, {a} and {b} shape {c}. {para(1)}")
    text = "".join(parts)
    while len(text) > 8150 and len(parts) > 2:
        parts.pop(-2)
        text = "".join(parts)
    return text


def render_article(vocab: Vocabulary, plan: Plan) -> tuple[str, str, int]:
    """(relative path, file text, answer bytes) for one planned article."""
    (_i, s, spelling, slug, title, question, ident, date, fmt, topic, _size, seed, _flags,
     links) = plan  # fmt: skip
    rng = random.Random(seed)
    answer = _answer(rng, vocab, plan)
    folder = slugify(SUBJECTS[s])
    keywords = ", ".join([*topic, *rng.sample(vocab.content[:2000], rng.randint(3, 6))])
    description = f"{question} An overview of {topic[0]}, {topic[1]} and {topic[2]}."
    related = "".join(
        f"related_article{n}:\n    id: {lid}\n    title: >-\n        {ltitle}\n"
        f"    subject: {lsubject}\n    url: {lurl}\n"
        for n, (lid, ltitle, lsubject, lurl) in enumerate(links, start=1)
    )
    text = (
        "---\n_schema: default\n"
        f"id: {ident}\ndate: {date}\ntitle: >-\n    {title}\narticle_title: >-\n    {title}\n"
        f"date_format: {fmt}\npost_on_text: Posted on\nseo:\n  title: QuickTakes | {SUBJECTS[s]}\n"
        f"  page_description: >-\n    {description}\n  page_keywords: >-\n    {keywords}\n"
        f"author: QuickTakes\nquestion: >-\n    {question}\nanswer: >-\n    {answer}\n"
        f"subject: {spelling}\nfile_name: {slug}.md\nurl: /learn/{folder}/questions/{slug}\n"
        f"score: -1.0\n{related}---\n\n&nbsp;"
    )
    return f"{folder}/{slug}.md", text, len(answer)


def _write_range(args: tuple[str, int, int]) -> list[int]:
    root, start, end = args
    assert _VOCAB is not None
    sizes = []
    for plan in _PLANS[start:end]:
        rel, text, answer_bytes = render_article(_VOCAB, plan)
        with open(f"{root}/{rel}", "w", encoding="utf-8") as handle:
            handle.write(text)
        sizes.append(answer_bytes)
    return sizes


def generate_library(root: Path, n: int) -> dict[str, Any]:
    """Write ``n`` articles below ``root``; returns statistics. Uses every core."""
    global _VOCAB, _PLANS
    import multiprocessing

    started = time.perf_counter()
    vocab = Vocabulary()
    plans = plan_library(n, vocab)
    planned = time.perf_counter() - started
    for name in SUBJECTS:
        (root / slugify(name)).mkdir(parents=True, exist_ok=True)
    _VOCAB, _PLANS = vocab, plans
    step = 2000
    ranges = [(str(root), i, min(n, i + step)) for i in range(0, n, step)]
    sizes: list[int] = []
    workers = os.cpu_count() or 1
    if workers > 1 and n > step:
        # "fork" shares the plans with the workers for free; nothing here runs threads.
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap_unordered(_write_range, ranges):
                sizes.extend(part)
    else:
        for r in ranges:
            sizes.extend(_write_range(r))
    _VOCAB, _PLANS = None, []
    sizes.sort()
    files = sum(1 for _ in root.rglob("*.md"))
    stats = {
        "version": GENERATOR_VERSION,
        "articles": n,
        "files": files,
        "seconds": time.perf_counter() - started,
        "plan_seconds": planned,
        "answer_bytes": {
            "min": sizes[0] if sizes else 0,
            "median": sizes[len(sizes) // 2] if sizes else 0,
            "p95": sizes[int(len(sizes) * 0.95)] if sizes else 0,
            "max": sizes[-1] if sizes else 0,
        },
        "vocabulary": len(vocab.content) + len(FUNCTION_WORDS),
        "duplicate_ids": n - len({p[6] for p in plans}),
        "versioned": _versioned(plans),
        "links": sum(len(p[13]) for p in plans),
        "latex": sum("m" in p[12] for p in plans),
    }
    (root / MARKER).write_text(json.dumps(stats, indent=1))
    return stats


def _versioned(plans: Sequence[Plan]) -> dict[str, int]:
    """How many articles share their title with another, in how many groups."""
    counts: dict[str, int] = {}
    for p in plans:
        counts[p[4]] = counts.get(p[4], 0) + 1
    sizes = [c for c in counts.values() if c > 1]
    return {"articles": sum(sizes), "groups": len(sizes), "largest": max(sizes, default=0)}


def prepare_library(keep: Path | None, n: int, scratch: Path) -> tuple[Path, dict[str, Any], bool]:
    """The library to measure: reused from ``keep`` when it was generated for ``n``."""
    root = keep if keep is not None else scratch / "library"
    marker = root / MARKER
    if marker.exists():
        try:
            stats = json.loads(marker.read_text())
        except (OSError, ValueError):
            stats = {}
        if stats.get("version") == GENERATOR_VERSION and stats.get("articles") == n:
            return root.resolve(), stats, True
        for name in SUBJECTS:  # ours: regenerate
            shutil.rmtree(root / slugify(name), ignore_errors=True)
    elif root.exists() and any(root.iterdir()):
        sys.exit(f"{root} is not empty and was not made by this benchmark; choose another folder")
    root.mkdir(parents=True, exist_ok=True)
    return root.resolve(), generate_library(root, n), False
