"""What every measurement needs: medians, timing, the machine, child processes."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import qtreader

TESTS = Path(__file__).resolve().parents[1]  # tests/: the bench package is on its path
REPO = TESTS.parent  # the checkout whose qtreader is measured


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def machine_info() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        from importlib.metadata import version

        textual = version("textual")
        pyyaml = version("PyYAML")
    except Exception:
        textual = pyyaml = "?"
    try:
        import yaml

        libyaml = "yes" if hasattr(yaml, "CSafeLoader") else "no"
    except ImportError:
        libyaml = "?"
    return [
        f"- CPU: {cpu}; {os.cpu_count()} logical cores ({usable} usable)",
        f"- Code: {code_fingerprint()}",
        f"- RAM: {ram}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()} ({sys.executable})",
        f"- SQLite {sqlite3.sqlite_version}; Textual {textual}; PyYAML {pyyaml} (libyaml: {libyaml})",
    ]


def code_fingerprint() -> str:
    """A hash of qtreader's sources, and the newest of them: which code was measured."""
    import hashlib

    package = Path(qtreader.__file__).resolve().parent
    digest = hashlib.sha1()
    newest = (0.0, "")
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
        mtime = path.stat().st_mtime
        newest = max(newest, (mtime, str(path.relative_to(package))))
    when = dt.datetime.fromtimestamp(newest[0]).strftime("%Y-%m-%d %H:%M:%S")
    return f"qtreader sources sha1 {digest.hexdigest()[:12]} (newest: {newest[1]}, {when})"


def rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    rss = hwm = float("nan")
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    except OSError:
        hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return rss, hwm


def child_env() -> dict[str, str]:
    """This environment, with the checkout measured (and the bench) first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), str(TESTS), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env
