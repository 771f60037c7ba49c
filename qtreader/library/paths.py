"""The one place that decides where qtreader keeps its files.

platformdirs honours ``XDG_CACHE_HOME``, ``XDG_DATA_HOME`` and
``XDG_CONFIG_HOME``, so tests and users can redirect everything. Nothing is
ever written into a library folder.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import platformdirs

from .scan import escape_name
from .text import clean_line, is_utf8

APP_NAME = "qtreader"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    return platformdirs.user_cache_path(APP_NAME)


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def config_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME)


def config_file() -> Path:
    return config_dir() / "config.toml"


def bookmarks_file() -> Path:
    return data_dir() / "bookmarks.json"


def history_file() -> Path:
    return data_dir() / "history.json"


def state_file() -> Path:
    """Per-library sessions, the last library used and the chosen theme."""
    return data_dir() / "state.json"


def screenshots_dir() -> Path:
    """Where the reader saves its screenshots (the command palette's "Screenshot")."""
    return data_dir() / "screenshots"


def library_slug(root: Path) -> str:
    resolved = str(Path(root).resolve())
    digest = hashlib.sha1(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(resolved).name).strip("-")[:40] or "library"
    return f"{name}-{digest}"


def library_label(root: Path) -> str:
    """The name the status line gives the library at ``root``: its folder's, escaped."""
    return clean_line(shown_name(root.name)) or shown_name(str(root))


def shown_name(name: str) -> str:
    """A library folder's name (or path) as the reader shows it: itself; or, when it
    holds bytes that are not UTF-8 (kept by Python as surrogates, which no terminal or
    page can be sent), spelled as file names are shown: ``lib\\xff\\xfe``."""
    return name if is_utf8(name) else escape_name(name)


def catalog_path(root: Path) -> Path:
    return cache_dir() / "catalogs" / f"{library_slug(root)}.sqlite3"


def progress_file(root: Path) -> Path:
    """One library's read marks (a compact file: see library/progress/format.py)."""
    return data_dir() / "progress" / f"{library_slug(root)}.marks"


def review_file(root: Path) -> Path:
    """One library's review cards and what its user chose to study."""
    return data_dir() / "review" / f"{library_slug(root)}.json"


def _resource(name: str) -> Path:
    """A folder shipped in the wheel (``qtreader/<name>``) or beside a source checkout."""
    installed = _PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def sample_library() -> Path:
    return _resource("sample_content")


def styles_dir() -> Path:
    return _resource("styles")
