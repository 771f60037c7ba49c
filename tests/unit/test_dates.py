"""qtreader.library.dates: front matter dates shown per their Moment-style date_format."""

from __future__ import annotations

import datetime as dt

import pytest

from qtreader.library.dates import display_date, format_moment, to_datetime

DEC_4 = dt.date(2024, 12, 4)


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        ("MMM DD, YYYY", "Dec 04, 2024"),
        ("YYYY-MM-DD", "2024-12-04"),
        ("DD/MM/YYYY", "04/12/2024"),
        ("Do MMMM YYYY", "4th December 2024"),
        ("D MMM YY", "4 Dec 24"),
        ("dddd, [the] Do", "Wednesday, the 4th"),
    ],
)
def test_formats(fmt, shown):
    assert display_date(DEC_4, fmt) == (shown, "2024-12-04")


@pytest.mark.parametrize(
    "value",
    [
        DEC_4,
        dt.datetime(2024, 12, 4, 15, 30),
        "2024-12-04",
        "2024-12-04T15:30:00Z",
        "2024/12/04",
        "December 4, 2024",
        "4 December 2024",
    ],
)
def test_date_datetime_and_strings_are_understood(value):
    assert display_date(value, "MMM DD, YYYY") == ("Dec 04, 2024", "2024-12-04")


def test_time_tokens():
    value = dt.datetime(2024, 1, 2, 15, 4, 5)
    assert format_moment(value, "HH:mm:ss h A a") == "15:04:05 3 PM pm"


@pytest.mark.parametrize("n", [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31])
def test_ordinals(n):
    expected = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th",
                21: "21st", 22: "22nd", 23: "23rd", 31: "31st"}[n]  # fmt: skip
    assert format_moment(dt.datetime(2024, 1, n), "Do") == expected


def test_unparseable_date_is_shown_raw_and_sorts_as_unknown():
    assert display_date("sometime in spring", "MMM DD, YYYY") == ("sometime in spring", "")


def test_missing_date_is_empty():
    assert display_date(None, "YYYY") == ("", "")
    assert display_date("", "YYYY") == ("", "")


def test_no_format_gives_iso():
    assert display_date(DEC_4, None) == ("2024-12-04", "2024-12-04")


def test_to_datetime_rejects_other_types():
    assert to_datetime(["2024-12-04"]) is None
    assert to_datetime(20241204) is None


def test_values_equal_in_python_but_of_other_types_are_shown_apart():
    # display_date caches by value: 1, 1.0 and True are equal keys unless typed.
    assert display_date(1, None) == ("1", "")
    assert display_date(True, None) == ("True", "")
    assert display_date(1.0, None) == ("1.0", "")


def test_unhashable_values_are_shown_raw():
    assert display_date({2024, 12}, "YYYY") == (str({2024, 12}), "")
