"""Reading progress: which articles of a library were read, kept in one file per library."""

from __future__ import annotations

from .format import (
    PROGRESS_VERSION,
    LibraryProgress,
    Markable,
    ProgressStore,
    ReadMark,
    ReadMarks,
    ResolvedMarks,
    StoreReadOnly,
    SubjectProgress,
    resolve_marks,
)

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
