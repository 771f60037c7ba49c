"""Fixtures of the CLI tests: the installed command run in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from libhelpers import Result

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def qtreader(isolated_user_dirs, tmp_path):
    """Run ``python -m qtreader ARGS`` with the test's XDG folders; returns a Result."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    env.pop("QTREADER_LIBRARY", None)

    def run(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "qtreader", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**env, **(extra_env or {})},
            cwd=tmp_path,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        return Result(proc)

    return run
