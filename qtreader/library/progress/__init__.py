"""Reading progress: which articles of a library were read, kept in one file per library.

- :mod:`.format`: the compact file (:class:`ReadMark`, :class:`ReadMarks`, and the
  change that writes a new file);
- :mod:`.store`: :class:`ProgressStore`, which reads and changes one library's file
  safely (lock, atomic write, damaged files kept aside);
- :mod:`.resolve`: :func:`resolve_marks`, the marks found in a catalog
  (:class:`ResolvedMarks`, :class:`LibraryProgress` per subject).
"""

from __future__ import annotations

from ..store import StoreReadOnly
from .format import PROGRESS_VERSION, Markable, ReadMark, ReadMarks
from .resolve import LibraryProgress, ResolvedMarks, SubjectProgress, resolve_marks
from .store import ProgressStore

__all__ = [
    "PROGRESS_VERSION",
    "LibraryProgress",
    "Markable",
    "ProgressStore",
    "ReadMark",
    "ReadMarks",
    "ResolvedMarks",
    "StoreReadOnly",
    "SubjectProgress",
    "resolve_marks",
]
