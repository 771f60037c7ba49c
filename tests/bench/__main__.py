"""``python -m bench`` (from tests/): see the package's docstring, or ``--help``."""

from __future__ import annotations

import sys
from pathlib import Path

# The checkout's qtreader, not an installed copy: the bench measures the working tree.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.run import main

if __name__ == "__main__":
    raise SystemExit(main())
