"""Dates as the content gives them, shown per their Moment-style ``date_format``."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

_TOKENS = re.compile(
    r"\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|Mo|M|Do|DD|D|dddd|ddd|HH|H|hh|h|mm|m|ss|s|A|a"
)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_FORMATS = {
    "YYYY": lambda v: f"{v.year:04d}",
    "YY": lambda v: f"{v.year % 100:02d}",
    "MMMM": lambda v: v.strftime("%B"),
    "MMM": lambda v: v.strftime("%b"),
    "MM": lambda v: f"{v.month:02d}",
    "Mo": lambda v: _ordinal(v.month),
    "M": lambda v: str(v.month),
    "Do": lambda v: _ordinal(v.day),
    "DD": lambda v: f"{v.day:02d}",
    "D": lambda v: str(v.day),
    "dddd": lambda v: v.strftime("%A"),
    "ddd": lambda v: v.strftime("%a"),
    "HH": lambda v: f"{v.hour:02d}",
    "H": lambda v: str(v.hour),
    "hh": lambda v: f"{v.hour % 12 or 12:02d}",
    "h": lambda v: str(v.hour % 12 or 12),
    "mm": lambda v: f"{v.minute:02d}",
    "m": lambda v: str(v.minute),
    "ss": lambda v: f"{v.second:02d}",
    "s": lambda v: str(v.second),
    "A": lambda v: "AM" if v.hour < 12 else "PM",
    "a": lambda v: "am" if v.hour < 12 else "pm",
}


def _token(token: str, value: dt.datetime) -> str:
    if token.startswith("["):
        return token[1:-1]
    return _FORMATS[token](value)


def format_moment(value: dt.datetime, fmt: str) -> str:
    """Format with Moment.js tokens (``MMM DD, YYYY`` -> ``Dec 04, 2024``)."""
    return _TOKENS.sub(lambda m: _token(m.group(0), value), fmt)


@lru_cache(maxsize=4096)
def list_date(iso: str, fmt: str) -> str:
    """An ISO date (YYYY-MM-DD) in the one format the list shows every date in."""
    try:
        return format_moment(dt.datetime.fromisoformat(iso), fmt)
    except (ValueError, KeyError):
        return iso


def to_datetime(value: object) -> dt.datetime | None:
    """A date, datetime or ISO-like string as a datetime, or None."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        for fmt in ("%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%b %d, %Y"):
            try:
                return dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
    return None


def display_date(value: object, fmt: str | None) -> tuple[str, str]:
    """Return (shown text, sortable ISO date) for a front matter date.

    Anything unparseable is shown raw and sorts as "".
    """
    if isinstance(value, (str, int, float, dt.date)):  # hashable: a library has a few
        return _cached_display_date(value, fmt)  # thousand dates, each on many articles
    return _display_date(value, fmt)


@lru_cache(maxsize=4096, typed=True)
def _cached_display_date(value: object, fmt: str | None) -> tuple[str, str]:
    return _display_date(value, fmt)


def _display_date(value: object, fmt: str | None) -> tuple[str, str]:
    if value is None or value == "":
        return "", ""
    parsed = to_datetime(value)
    if parsed is None:
        return str(value), ""
    iso = parsed.date().isoformat()
    if fmt:
        try:
            return format_moment(parsed, fmt), iso
        except (ValueError, KeyError):
            return iso, iso
    return iso, iso
