"""Cleaning untrusted text and decoding the answers' literal ``\\n`` sequences.

Everything read from content passes through :func:`clean_text` or
:func:`clean_line` before anything can show it, so no control sequence that an
article carries can reach a terminal.
"""

from __future__ import annotations

import re
from functools import lru_cache

# C0 controls except TAB and LF, DEL, and the C1 range (U+0080..U+009F, which
# includes the 8-bit CSI U+009B and OSC U+009D).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_SPACES = re.compile(r"[ \t\u00a0]+")
# The ASCII characters clean_text keeps: deleting them from an ASCII text's bytes
# leaves nothing when it has no control characters (10x faster than the regex scan).
_ASCII_KEPT = bytes(range(0x20, 0x7F)) + b"\t\n"


def is_utf8(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8: names read from the system may hold
    bytes that are not, kept by Python as lone surrogates (os.fsdecode)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(value: str) -> str:
    """Remove control characters from multi-line text, keeping newlines and tabs."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.isascii():  # most answers: str.isascii() is a flag, not a scan
        if not value.encode("ascii").translate(None, _ASCII_KEPT):
            return value
    elif _CONTROL.search(value) is None:
        return value
    return _CONTROL.sub("", value)


def clean_line(value: str) -> str:
    """Clean a one-line field: controls become spaces, runs of spaces fold to one."""
    if value.isprintable() and "  " not in value:  # no controls, tabs or odd spaces
        return value.strip()
    value = _LINE_CONTROL.sub(" ", value)
    return _SPACES.sub(" ", value).strip()


# LaTeX commands that start with "n": inside math, "\n" followed by one of
# these is the command, not a newline ("\nabla", "\neq", "\nu", ...).
LATEX_N_COMMANDS = frozenset(
    [
        "n",
        "nabla",
        "natural",
        "nearrow",
        "nexists",
        "neg",
        "neq",
        "ne",
        "ni",
        "not",
        "notin",
        "nu",
        "nwarrow",
        "newline",
        "nleq",
        "ngeq",
        "nless",
        "ngtr",
        "nmid",
        "nparallel",
        "nsubseteq",
        "nsupseteq",
        "nsubset",
        "nsupset",
        "nsim",
        "ncong",
        "nleftarrow",
        "nrightarrow",
        "nLeftarrow",
        "nRightarrow",
        "nleftrightarrow",
        "nLeftrightarrow",
        "nvdash",
        "nVdash",
        "nvDash",
        "nVDash",
        "nprec",
        "nsucc",
        "npreceq",
        "nsucceq",
        "nolimits",
        "nonumber",
        "normalsize",
        "negthinspace",
        "negmedspace",
        "negthickspace",
        "noindent",
        "nolinebreak",
        "nopagebreak",
        "nleqslant",
        "ngeqslant",
        "nshortmid",
        "nshortparallel",
        "ntriangleleft",
        "ntriangleright",
        "ntrianglelefteq",
        "ntrianglerighteq",
        "nequiv",
        "napprox",
        "newcommand",
        "norm",
    ]
) - {"n"}

# Regions in which "\n" is not blindly a newline. Code spans come first so a
# "$" inside code never opens math.
_REGIONS = re.compile(
    r"(?P<code>```.*?```|`[^`]*`)"
    r"|(?P<math>"
    r"\$\$.+?\$\$"
    r"|\\\[.+?\\\]"
    r"|\\\(.+?\\\)"
    r"|\\begin\{(?P<env>[A-Za-z]+\*?)\}.*?\\end\{(?P=env)\}"
    r"|(?<![\\$])\$(?![\s$])(?:[^$\\]|\\.){1,2000}?(?<![\s\\])\$(?!\d)"
    r")",
    re.DOTALL,
)
_OUTSIDE = re.compile(r"\\\\|\\n")
_INSIDE = re.compile(r"\\\\|\\n([A-Za-z]*)")


def _outside(match: re.Match[str]) -> str:
    token = match.group(0)
    return "\n" if token == "\\n" else token


def _inside(match: re.Match[str]) -> str:
    token = match.group(0)
    if token == "\\\\":
        return token
    letters = match.group(1)
    if letters and ("n" + letters) in LATEX_N_COMMANDS:
        return token
    return "\n" + letters


def decode_newlines(answer: str) -> str:
    """Turn literal backslash-n sequences into newlines, and unescape nothing else.

    Inside math (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``, environments) a
    backslash-n that begins a LaTeX command such as ``\\nabla`` or ``\\neq``
    stays as it is. A doubled backslash is kept as a unit, so ``\\\\`` followed
    by ``n`` is not a newline.
    """
    if "\\" not in answer:
        return answer
    # Most answers: every backslash begins a "\n" and there is no "$". Then nothing
    # can open math or double a backslash, and the plain replacement is the answer.
    replaced = answer.replace("\\n", "\n")
    if "\\" not in replaced and "$" not in replaced:
        return replaced
    # Substring tests: C-speed, where one regex with alternatives is 3x slower.
    if not ("$" in answer or "\\(" in answer or "\\[" in answer or "\\begin{" in answer):
        # No math anywhere: the plain replacement, unless a doubled backslash needs
        # the careful pass.
        return replaced if "\\\\" not in answer else _OUTSIDE.sub(_outside, answer)
    out: list[str] = []
    pos = 0
    for region in _REGIONS.finditer(answer):
        start, end = region.span()
        if start > pos:
            out.append(_OUTSIDE.sub(_outside, answer[pos:start]))
        chunk = region.group(0)
        if region.group("math") is not None:
            out.append(_INSIDE.sub(_inside, chunk))
        else:
            out.append(_OUTSIDE.sub(_outside, chunk))
        pos = end
    out.append(_OUTSIDE.sub(_outside, answer[pos:]))
    return "".join(out)


_HUMANISE_SPLIT = re.compile(r"[-_\s]+")


def humanise(name: str) -> str:
    """``digital-media`` -> ``Digital Media``."""
    words = [w for w in _HUMANISE_SPLIT.split(name) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words)


@lru_cache(maxsize=4096)  # a library has a few dozen subjects, named on every link
def subject_key(subject: str) -> str:
    """Spellings that differ only in case or spacing share one key."""
    return " ".join(subject.replace("-", " ").replace("_", " ").split()).casefold()


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` things, in the right number: "1 article", "2,400 articles"."""
    word = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {word}"


def lead_of(text: str, most: int = 60) -> str:
    """What an outline shows of a numbered item: its lead ("Load factor: ..." gives
    "Load factor"), else its first sentence, cut at a word to ``most`` characters."""
    text = " ".join(text.split())
    colon = text.find(": ")
    if 0 < colon <= most // 2 + 10:
        return text[:colon]
    period = text.find(". ")
    if 0 < period < most:
        text = text[: period + 1]
    if len(text) <= most:
        return text.rstrip(":")
    cut = text.rfind(" ", 0, most - 1)
    return text[: cut if cut > most // 2 else most - 1].rstrip(" ,;:") + "…"


def first_part(text: str, limit: int) -> str:
    """Up to ``limit`` characters of ``text``, cut at a paragraph or line break (how a
    long answer is shown in part, in the reader and by ``qtreader show``)."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n\n", 0, limit)
    if cut < limit // 2:
        cut = text.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = limit
    return text[:cut]
