"""The settings file (TOML) in the user config dir. A bad file warns and gives defaults."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any, TextIO

from . import paths

TEMPLATE = """\
# qtreader settings. Every key is optional.
# library = "~/articles"          # the library opened by default
# theme = "textual-dark"          # any Textual theme name
# base_url = "https://example.org" # where the content's site-relative urls live
# show_stubs = false              # list generator "cannot answer" stubs
# column_width = 88               # width of the reading column
# date_format = "YYYY-MM-DD"      # how the list shows dates (Moment tokens: "MMM D, YYYY")
# follow_external_links = false   # follow links that lead out of the library folder
# read_after_seconds = 10         # an article open this long counts as read (0: never)
# read_at_end = true              # an article scrolled to its end counts as read
# [keys]                          # key overrides by binding id
# "reader.search" = "ctrl+k"
"""


@dataclass
class Settings:
    library: str | None = None
    theme: str | None = None
    base_url: str | None = None
    show_stubs: bool = False
    column_width: int = 88
    date_format: str = "YYYY-MM-DD"  # the list's dates, whatever each article's own format
    # Symlinks whose target lies outside the library folder: listed as problems and not
    # followed, unless true. Links into /, /proc, /sys and /dev are never followed.
    follow_external_links: bool = False
    # When an open article counts as read (reading progress): after this many seconds
    # open (0: never by time), and when it is scrolled to its end.
    read_after_seconds: int = 10
    read_at_end: bool = True
    keys: dict[str, str] = field(default_factory=dict)


READ_AFTER_MAX = 3600  # read_after_seconds: an hour at most

_KIND_NAMES = {str: "text", int: "a whole number", bool: "true or false"}


def _typed(data: dict[str, Any], name: str, kind: type, warnings: list[str]) -> Any:
    if name not in data:
        return None
    value = data[name]
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    warnings.append(
        f"'{name}' should be {_KIND_NAMES.get(kind, kind.__name__)}; the default is used"
    )
    return None


def load_settings() -> tuple[Settings, list[str]]:
    """Read the settings file; returns the settings and warnings for the user."""
    path = paths.config_file()
    warnings: list[str] = []
    settings = Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return settings, warnings
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return settings, [f"{path} cannot be read ({exc}); default settings are used"]
    except Exception as exc:  # any other failure of the TOML reader
        # tomllib recurses once per nesting level: 5,000 nested arrays raise
        # RecursionError. A settings file never stops the reader.
        why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return settings, [f"{path} cannot be read ({why[:200]}); default settings are used"]
    for name in ("library", "theme", "base_url", "date_format"):
        value = _typed(data, name, str, warnings)
        if value:
            setattr(settings, name, value)
    show = _typed(data, "show_stubs", bool, warnings)
    if show is not None:
        settings.show_stubs = show
    follow = _typed(data, "follow_external_links", bool, warnings)
    if follow is not None:
        settings.follow_external_links = follow
    at_end = _typed(data, "read_at_end", bool, warnings)
    if at_end is not None:
        settings.read_at_end = at_end
    seconds = _typed(data, "read_after_seconds", int, warnings)
    if seconds is not None:
        if 0 <= seconds <= READ_AFTER_MAX:
            settings.read_after_seconds = seconds
        else:
            warnings.append(
                f"'read_after_seconds' should be between 0 (never) and {READ_AFTER_MAX}; "
                "the default is used"
            )
    width = _typed(data, "column_width", int, warnings)
    if width is not None:
        if 40 <= width <= 400:
            settings.column_width = width
        else:
            warnings.append("'column_width' should be between 40 and 400; the default is used")
    keys = data.get("keys", {})
    if isinstance(keys, dict):
        for binding_id, value in keys.items():
            if isinstance(value, str) and value.strip():
                settings.keys[str(binding_id)] = value
            else:
                warnings.append(f"keys.{binding_id} should be a key name; ignored")
    else:
        warnings.append("'keys' should be a table of binding ids to keys; ignored")
    return settings, [f"{path}: {w}" for w in warnings]


def describe_config(action: str, out: TextIO) -> int:
    path = paths.config_file()
    if action == "path":
        out.write(f"{path}\n")
        return 0
    if path.exists():
        out.write(path.read_text(encoding="utf-8", errors="replace"))
    else:
        out.write(f"# {path} does not exist yet; this is what it can hold:\n{TEMPLATE}")
    return 0
