"""Shared pytest fixtures.

The library-layer block comes first; UI fixtures belong in their own block below it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# ---------------------------------------------------------------------------
# Library layer: isolation from the real user folders
# ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point every per-user folder at tmp_path, so no test touches the real ones."""
    dirs = {
        "XDG_CACHE_HOME": tmp_path / "xdg-cache",
        "XDG_DATA_HOME": tmp_path / "xdg-data",
        "XDG_CONFIG_HOME": tmp_path / "xdg-config",
    }
    for name, folder in dirs.items():
        folder.mkdir()
        monkeypatch.setenv(name, str(folder))
    monkeypatch.delenv("QTREADER_LIBRARY", raising=False)
    return dirs


# ---------------------------------------------------------------------------
# UI fixtures (added by the UI tests' owner) go below this line.
# ---------------------------------------------------------------------------
