"""The lines under an article's title that list the versions of its question."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ...library.models import ArticleRow
from ...library.text import clean_line


def versions_line(versions: list[ArticleRow], current: int | None) -> Table:
    """A version a line ("○ Biology · 2023-02-01"), the open one filled in, and the key
    that goes to the next: a line each, so that no version is cut where lines wrap."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for n, row in enumerate(versions):
        here = row.rowid == current
        where = " · ".join(clean_line(p) for p in (row.subject, row.date_sort or row.date) if p)
        entry = Text.assemble(
            ("● " if here else "○ ", "bold" if here else "dim"),
            (where or clean_line(row.title), "bold" if here else ""),
        )
        if n == 0:
            entry.append("   v next", style="dim")
        grid.add_row("Versions" if n == 0 else "", entry)
    return grid
