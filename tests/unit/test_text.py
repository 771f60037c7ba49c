"""qtreader.library.text: decoding literal \\n in answers, cleaning controls, subject names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qtreader.library.text import (
    clean_line,
    clean_text,
    decode_newlines,
    humanise,
    subject_key,
)

BS = "\\"


def test_literal_backslash_n_becomes_a_newline():
    assert decode_newlines(r"one\ntwo\n\nthree") == "one\ntwo\n\nthree"


@pytest.mark.parametrize("kept", [r"a\tb", r"a\\b", r"\*not bold\*", r"C:\\new", r"\r", r"\"q\""])
def test_nothing_but_backslash_n_is_unescaped(kept):
    assert decode_newlines(kept) == kept


def test_doubled_backslash_before_n_is_not_a_newline():
    # "\\n" is an escaped backslash followed by the letter n.
    assert decode_newlines(BS + BS + "n") == BS + BS + "n"


@pytest.mark.parametrize(
    "math",
    [
        r"$\nabla f$",
        r"$a \neq b$",
        r"$\nu$",
        r"$\neg p$",
        r"$x \not\in A$",
        r"\(\nabla\)",
        r"\[\neq\]",
        r"$$\nabla$$",
        r"$$\sum_i \nu_i \neq 0$$",
        r"\begin{align}a \neq b\end{align}",
    ],
)
def test_latex_commands_starting_with_n_survive_inside_math(math):
    text = f"Before\\n{math}\\nafter"
    assert decode_newlines(text) == f"Before\n{math}\nafter"


def test_backslash_n_before_other_letters_inside_math_is_a_newline():
    assert decode_newlines(r"$$\nx$$") == "$$\nx$$"
    assert decode_newlines(r"$$a\nb$$") == "$$a\nb$$"


def test_latex_command_names_outside_math_are_newlines():
    # Outside math there is no LaTeX: "\nabla" is a newline and "abla".
    assert decode_newlines(r"see \nabla") == "see \nabla"


def test_dollar_in_code_span_does_not_open_math():
    # Were `$x` ... `$y` read as math, "\nabla" would be kept as a command.
    assert decode_newlines(r"`$x` \nabla `$y`") == "`$x` \nabla `$y`"
    assert decode_newlines(r"```$HOME``` \neq ```$PATH```") == "```$HOME``` \neq ```$PATH```"


def test_money_amounts_are_not_math():
    assert decode_newlines(r"It costs $5\nand $6 later") == "It costs $5\nand $6 later"


def test_text_without_backslashes_is_returned_as_is():
    text = "no escapes $x$ here"
    assert decode_newlines(text) is text


def test_clean_text_removes_c0_and_c1_controls_but_keeps_newline_and_tab():
    dirty = "a\x1b[31mred\x07\x9b2J\x85b\tc\nd\x7f\x00e"
    assert clean_text(dirty) == "a[31mred2Jb\tc\nde"


def test_clean_text_normalises_carriage_returns():
    assert clean_text("a\r\nb\rc") == "a\nb\nc"


def test_clean_line_folds_controls_and_spaces():
    assert clean_line("  a\x1b]0;x\x07 \t b\nc\u00a0 d ") == "a ]0;x b c d"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("digital-media", "Digital Media"),
        ("computer_science", "Computer Science"),
        ("  history  ", "History"),
        ("eCommerce", "ECommerce"),
        ("", ""),
    ],
)
def test_humanise(name, shown):
    assert humanise(name) == shown


def test_subject_key_ignores_case_spacing_and_separators():
    assert (
        subject_key("Education Studies")
        == subject_key("education  studies")
        == subject_key("education-studies")
        == subject_key(" EDUCATION_studies ")
        == "education studies"
    )
    assert subject_key("Education") != subject_key("Education Studies")


# The fast paths of clean_text and decode_newlines (byte translation, substring
# tests) must agree with the plain regex definitions on any text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PIECES = [
    *["a", " ", "\n", "\t", "\r", "\x1b", "\x07", "\x7f", "\x9b", "\x85", "é", "\u00a0", BS],
    *["$", "(", ")", "[", "]", "{", "}", "n", "begin", "`", "nabla", "5"],
]
_SOME_TEXT = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


@given(_SOME_TEXT)
def test_clean_text_matches_the_control_regex(text):
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assert clean_text(text) == _CONTROL.sub("", normalised)


@given(_SOME_TEXT)
def test_decode_newlines_without_a_math_mark_is_the_careful_pass(text):
    # Without any mark that can open math, the answer is the outside-math rule alone.
    if re.search(r"\$|\\[(\[]|\\begin\{", text):
        return
    expected = re.sub(r"\\\\|\\n", lambda m: "\n" if m.group(0) == BS + "n" else m.group(0), text)
    assert decode_newlines(text) == expected


def test_math_marks_each_take_the_careful_path():
    for opener, closer in [("$", "$"), (r"\(", r"\)"), (r"\[", r"\]")]:
        text = f"a{BS}nb {opener}x {BS}neq y{closer}"
        assert decode_newlines(text) == f"a\nb {opener}x {BS}neq y{closer}"
    env = rf"{BS}begin{{align}}x {BS}neq y{BS}end{{align}}"
    assert decode_newlines(f"a{BS}nb {env}") == f"a\nb {env}"


def test_lead_of_an_item_is_its_bold_lead_or_first_words():
    from qtreader.library.text import lead_of

    assert lead_of("What it expresses: Saying an algorithm is O(f(n))") == "What it expresses"
    assert lead_of("Load factor and resizing — the number of entries") == (
        "Load factor and resizing — the number of entries"
    )
    long = "A sentence that goes on and on well past the width of an outline entry, and more."
    shown = lead_of(long, most=40)
    assert shown.endswith("…") and len(shown) <= 40 and long.startswith(shown[:-1].rstrip())
    assert lead_of("First sentence. Second sentence.") == "First sentence."
    assert lead_of("  spaced\n out  ") == "spaced out"
    assert lead_of("") == ""
    assert (
        lead_of("Common classes, from fastest to slowest:")
        == "Common classes, from fastest to slowest"
    )
    # A colon late in the text is not a lead.
    late = "An item that explains at length what happens before the colon: here"
    assert lead_of(late, most=40) == lead_of(late.replace(":", ","), most=40)
