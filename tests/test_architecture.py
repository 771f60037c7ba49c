"""The library layer and the CLI module do not import Textual."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHECK = (
    "import sys; "
    "import qtreader.library, qtreader.library.catalog, qtreader.library.bookmarks, "
    "qtreader.library.state, qtreader.library.settings, qtreader.cli; "
    "assert not any(m == 'textual' or m.startswith('textual.') for m in sys.modules), "
    "sorted(m for m in sys.modules if m.startswith('textual'))[:5]"
)


def test_library_and_cli_import_without_textual():
    proc = subprocess.run(
        [sys.executable, "-c", CHECK],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr


def test_the_check_itself_notices_textual():
    # The same check fails once Textual is imported, so it can catch a regression.
    proc = subprocess.run(
        [sys.executable, "-c", "import textual.app; " + CHECK],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "AssertionError" in proc.stderr
