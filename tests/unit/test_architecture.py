"""The library layer and the CLI module do not import Textual."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHECK = (
    "import sys; "
    "import qtreader.library, qtreader.library.catalog, qtreader.library.bookmarks, "
    "qtreader.library.state, qtreader.library.settings, qtreader.cli; "
    "assert not any(m == 'textual' or m.startswith('textual.') for m in sys.modules), "
    "sorted(m for m in sys.modules if m.startswith('textual'))[:5]"
)


def run_python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter (nothing imported yet), the repository on its path."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        timeout=60,
    )


def test_library_and_cli_import_without_textual():
    proc = run_python(CHECK)
    assert proc.returncode == 0, proc.stderr


def test_the_check_itself_notices_textual():
    # The same check fails once Textual is imported, so it can catch a regression.
    proc = run_python("import textual.app; " + CHECK)
    assert proc.returncode != 0
    assert "AssertionError" in proc.stderr


LAUNCH = (
    "import sys; from pathlib import Path; "
    "import qtreader.ui.app; from qtreader.library.catalog import Catalog; "
    "cat = Catalog(Path(sys.argv[1]), Path(sys.argv[2])); "
    "rowids = cat.list_rowids(); cat.subjects(); "
    "late = ('yaml', 'backports.zstd', 'compression.zstd', 'qtreader.library.parser'); "
    "loaded = sorted(m for m in late if m in sys.modules); "
    "assert not loaded, loaded; "
    "assert cat.article(rowids[0]).answer; "
    "assert {'backports.zstd', 'compression.zstd'} & set(sys.modules); print('ok')"
)


def test_what_the_launch_does_not_need_is_imported_when_first_used(tmp_path):
    # Launch opens the catalog and lists it; the parser, PyYAML and zstd load only
    # when a file is read or an answer unpacked (milliseconds of a 1 s launch).
    from libhelpers import write_article

    from qtreader.library.catalog import Catalog

    root = tmp_path / "lib"
    write_article(root, "a/one.md", title="One", answer="The first answer.")
    db = tmp_path / "catalog.sqlite3"
    with Catalog(root, db) as cat:
        cat.refresh()
    proc = run_python(LAUNCH, str(root), str(db))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
