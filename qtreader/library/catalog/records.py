"""What one file becomes: the rows of its article, links and problems, as a worker makes them."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from ..text import subject_key
from .codec import pack

if TYPE_CHECKING:
    from ..parser import ParseResult


class ArticleValues(NamedTuple):
    """An article's columns as a worker sends them: the articles table's after the
    rowid, with the packed answer (for the answers table) after the question.

    A NamedTuple, not a dataclass: dataclasses pickle three times slower than plain
    tuples, while a NamedTuple costs about what a plain tuple did (measured: a record
    unpickled in 3.5-4.1 against 3.7 us; the writer took 1.43 against 1.41 s for 20,000
    articles; within the noise).
    """

    path: str
    key: str
    id: str
    title: str
    question: str
    answer: bytes  # packed (see codec.pack)
    keywords: str
    subject: str
    subject_key: str
    date: str
    date_sort: str
    author: str
    url: str
    kind: str
    is_stub: int
    title_sort: str
    grp: int | None  # its question's title group (see title_group)


_SQLITE_MIN, _SQLITE_MAX = -(2**63), 2**63 - 1  # SQLite's integers

# ArticleValues from a tuple of its fields in order, in C (its own __new__ is Python).
_article_values = partial(tuple.__new__, ArticleValues)

LinkValues = tuple[int, str, str, str, str, str]  # position, id, title, subject, subject_key, url
ProblemValues = tuple[str, int | None, str, str]  # path, line, reason, severity
# What a worker sends back for one file: (its article, or None; its links; its problems;
# the answer as UTF-8 bytes for the FTS index). The answer travels twice, compressed for
# the table and as bytes for the index: unpickling bytes is a copy, where unpacking the
# compressed one (or unpickling a str) cost the single writer, the slowest stage of a
# cold build, ~4 s of CPU at 150,000 articles.
Record = tuple[ArticleValues | None, list[LinkValues], list[ProblemValues], bytes]


def title_sort_key(title: str) -> str:
    return title.lstrip("\"'“‘([¿¡ ").casefold()


# What ends a question and is ignored when titles are compared: "What is an acid?" and
# "what is an acid" are one question. Only at the end: "C++" and "C" stay apart.
_TRAILING = "?!.…:;,？！。、 "


def normalised_title(title: str) -> str:
    """``title`` as versions of one question share it: compatibility forms folded
    (NFKC: a full-width "？" is "?"), case-folded, runs of whitespace made one space,
    trailing punctuation (?, !, ., …, :, ;, ,) and spaces left out."""
    if not title.isascii():
        title = unicodedata.normalize("NFKC", title)
    return " ".join(title.casefold().split()).rstrip(_TRAILING)


def title_group(title: str, is_stub: bool) -> int | None:
    """The title group of an article: the articles sharing it are versions of one
    question (the same question filed under several subjects or dates). A 63-bit hash
    of the normalised title (two questions would share one by chance about once in
    10^9 libraries of 150,000 articles). None for a stub (a "cannot answer" page is
    no version of the question it failed) and for a title that normalises to nothing."""
    key = normalised_title(title)
    if is_stub or not key:
        return None
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def record(result: ParseResult) -> Record:
    problems = [(p.path, p.line, p.reason, p.severity.value) for p in result.problems]
    a = result.article
    if a is None:
        return None, [], problems, b""
    answer = a.answer.encode("utf-8")
    values = _article_values((
        a.path, a.key, a.id, a.title, a.question, pack(answer), a.keywords, a.subject,
        subject_key(a.subject), a.date, a.date_sort, a.author, a.url, a.kind, int(a.is_stub),
        title_sort_key(a.title), title_group(a.title, a.is_stub),
    ))  # fmt: skip
    links = [
        (link.position, link.id, link.title, link.subject, subject_key(link.subject), link.url)
        for link in a.links
        # An integer SQLite cannot hold would stop the whole write (the parser warns
        # about such numbers already; this keeps any other way in from doing harm).
        if _SQLITE_MIN <= link.position <= _SQLITE_MAX
    ]
    return values, links, problems, answer


def read_chunk(root: str, chunk: Sequence[str]) -> list[Record]:
    """Parse a chunk of files into records (in a worker process, off the writer's path)."""
    # Imported here, not at the top: the parser and PyYAML are only needed to read
    # files, while the reader's launch opens the catalog and lists it (~40 ms less).
    from ..parser import read_article

    return [record(read_article(root, path)) for path in chunk]


def article_row(rowid: int, values: ArticleValues) -> tuple:
    """An article's values for the articles table (in ARTICLE_COLUMNS order)."""
    return (rowid, *values[:5], *values[6:])  # without the packed answer: it has a table


def fts_row(rowid: int, values: ArticleValues, answer: bytes) -> tuple:
    """An article's values for the fts table: title, question, answer, keywords, subject."""
    return (rowid, values.title, values.question, answer, values.keywords, values.subject)


def quick_row(fts_row: tuple) -> tuple:
    """The values of an fts row that the quick table takes: title, question, keywords."""
    rowid, title, question, _, keywords, _ = fts_row
    return (rowid, title, question, keywords)
