"""A fast reader for the one YAML shape nearly every QuickTakes front matter has.

:func:`load_simple` reads a small subset of YAML line by line with string
methods, several times faster than PyYAML. It returns exactly what
``yaml.load(text, Loader=parser._Loader)`` returns (same keys in the same order,
same values of the same types), or None whenever the text steps outside the
subset; the caller then falls back to PyYAML, which also reports the errors.

The subset:

* top-level ``key: value`` lines at column 0, keys being plain identifiers;
* values that are one-line plain scalars: text, simple decimal ints, simple
  floats (``-1.0``), ``YYYY-MM-DD`` dates (an impossible date stays text, as
  ``_Loader`` does), the YAML 1.1 booleans and nulls, or nothing (None);
* folded block scalars (``>`` and ``>-``) without indentation indicator, whose
  lines are all indented alike (no "more indented" lines);
* one level of nested mappings of the same kind, all keys at one indentation.

Anything else (quotes, flow collections, sequences, anchors, aliases, tags,
comments, literal blocks, tabs, ``\\r``, non-printable characters, multi-line
plain scalars, other number or date forms...) returns None. When in doubt, None.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

__all__ = ["load_simple"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}\Z")
# Characters PyYAML accepts as printable, less those this reader refuses anyway:
# TAB, CR, the other YAML line breaks (NEL, LS, PS) and the BOM (libyaml skips a
# BOM at the start of a line, which this reader does not mirror).
_NOT_SIMPLE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A plain scalar may not start with these (PyYAML allows "-", "?" and ":" when a
# non-space follows; only "-" is kept here, for negative numbers).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,40})\Z")
_SIMPLE_FLOAT = re.compile(r"[-+]?[0-9]{1,40}\.[0-9]{0,40}\Z")
_SIMPLE_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_BOOL_VALUES = SafeConstructor.bool_values
_BAIL = object()
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n"
_simple_keys: set[str] = set()  # keys known to pass _simple_key


def _tag(value: str) -> str:
    """The tag PyYAML's implicit resolvers give the plain scalar ``value``."""
    resolvers = Resolver.yaml_implicit_resolvers
    for tag, regexp in resolvers.get(value[0] if value else "", ()):
        if regexp.match(value):
            return tag
    return _STR


def _simple_key(key: str) -> bool:
    """Whether ``key`` is an identifier that PyYAML reads as a string."""
    if not _IDENTIFIER.match(key) or _tag(key) != _STR:
        return False
    if len(_simple_keys) < 4096:
        _simple_keys.add(key)
    return True


# First characters of the plain scalars that need a closer look than "it is text".
# Computed once: load_simple gives up if the resolvers' first characters change,
# and always if there are resolvers for any first character (key None).
_RESOLVER_STARTS = (
    -1 if None in Resolver.yaml_implicit_resolvers else len(Resolver.yaml_implicit_resolvers)
)
_CAREFUL = _INDICATORS | {c for c in Resolver.yaml_implicit_resolvers if c}


def _plain(value: str) -> Any:
    """The value of a one-line plain scalar (spaces stripped), or _BAIL."""
    if not value:
        return None
    first = value[0]
    if first in _INDICATORS and (first != "-" or len(value) == 1 or value[1] == " "):
        return _BAIL
    if ": " in value or " #" in value or value[-1] == ":":
        return _BAIL
    if first not in Resolver.yaml_implicit_resolvers:
        return value
    tag = _tag(value)
    if tag == _STR:
        return value
    if tag == _INT:
        return int(value) if _SIMPLE_INT.match(value) else _BAIL
    if tag == _FLOAT:
        return float(value) if _SIMPLE_FLOAT.match(value) else _BAIL
    if tag == _TIMESTAMP:
        match = _SIMPLE_DATE.match(value)
        if match is None:
            return _BAIL
        try:
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return value  # _Loader keeps an impossible date as text
    if tag == _BOOL:
        return _BOOL_VALUES[value.lower()]
    if tag == _NULL:
        return None
    return _BAIL  # merge ("<<"), value ("="), or a resolver added by someone else


def _folded(
    lines: list[str], i: int, min_indent: int, keep_last_break: bool, final_break: bool
) -> tuple[str, int] | None:
    """A folded block scalar whose content starts at ``lines[i]``.

    Returns (value, index of the first line after it), or None. ``keep_last_break``
    is True for ``>`` (clip) and False for ``>-`` (strip); ``final_break`` tells
    whether the last line of ``lines`` ends with a line break.
    """
    n = len(lines)
    j = i
    widest_blank = 0
    while j < n:
        line = lines[j]
        first = line.lstrip(" ")
        if first:
            break
        widest_blank = max(widest_blank, len(line))
        j += 1
    else:
        return "", j
    indent = len(line) - len(first)
    if indent < min_indent:
        return "", j  # empty: the line belongs to the mapping
    if widest_blank > indent:
        return None  # PyYAML would take the indentation from the blank line
    parts = ["\n" * (j - i), first] if j > i else [first]
    pad = " " * indent
    last = j
    blanks = 0
    j += 1
    while j < n:
        line = lines[j]
        if line.startswith(pad):
            rest = line[indent : indent + 1]
            if not rest:
                blanks += 1
            elif rest == " ":
                return None  # more indented, or spaces beyond the indentation
            else:
                parts.append("\n" * blanks if blanks else " ")
                parts.append(line[indent:])
                blanks = 0
                last = j
        elif line.strip(" "):
            break
        else:
            blanks += 1
        j += 1
    if keep_last_break and (last < n - 1 or final_break):
        parts.append("\n")
    return "".join(parts), j


def _printable(text: str) -> bool:
    """Whether ``text`` holds only characters this reader accepts (see _NOT_SIMPLE)."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return text.replace("\n", " ").isprintable() or not _NOT_SIMPLE.search(text)


def load_simple(text: str) -> dict[str, Any] | None:
    """``text`` read as the simple YAML subset, or None when it is not in it."""
    if len(Resolver.yaml_implicit_resolvers) != _RESOLVER_STARTS or not _printable(text):
        return None
    lines = text.split("\n")
    final_break = lines[-1] == ""
    if final_break:
        lines.pop()
    n = len(lines)
    data: dict[str, Any] = {}
    into = data  # the mapping being read: data, or one nested in it
    indent = 0  # its indentation
    opened = None  # a top-level key without value: a nested mapping may follow
    i = 0
    while i < n:
        line = lines[i]
        if not line or line[0] == " ":
            text = line.lstrip(" ")
            if not text:
                i += 1
                continue
            column = len(line) - len(text)
            if opened is not None:
                into = data[opened] = {}
                indent = column
                opened = None
            elif column != indent or not indent:
                return None  # more or less indented than a key can be here
        else:
            text = line
            into = data
            indent = 0
            opened = None
        key, colon, value = text.partition(":")
        if not colon or (key not in _simple_keys and not _simple_key(key)):
            return None
        if value:
            if value[0] != " ":
                return None  # "key:value" is one plain scalar, not a key and a value
            value = value.strip(" ")
        i += 1
        if not value:
            into[key] = None
            if not indent:
                opened = key
        elif value[0] == ">":
            if value == ">-" or value == ">":
                folded = _folded(lines, i, indent + 1, value == ">", final_break)
                if folded is None:
                    return None
                into[key], i = folded
            else:
                return None
        elif value[0] in _CAREFUL or ": " in value or " #" in value or value[-1] == ":":
            result = _plain(value)
            if result is _BAIL:
                return None
            into[key] = result
        else:
            into[key] = value
    return data or None
