"""The status line: the library, its size, problems, and short messages."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...library.text import counted
from ..reading import LibraryCounts


class StatusBar(Static):
    """The library's line; while a link in an answer is marked, where that link leads."""

    _line = Text()
    _pointing = ""
    _shown: tuple[str, int | None, int, int] = ("", None, 0, 0)
    _review = 0  # questions up for review today

    def show_counts(self, library: str, counts: LibraryCounts) -> None:
        self.show(library, counts.total, counts.skipped, counts.unreadable)

    def show(
        self, library: str, articles: int | None = None, skipped: int = 0, unreadable: int = 0
    ) -> None:
        self._shown = (library, articles, skipped, unreadable)
        text = Text(library, style="bold")
        if articles is not None:
            text.append(f"  ·  {counted(articles, 'article')}")
        if self._review:
            text.append(f"  ·  {self._review:,} to review (R)")
        trouble = [f"{counted(skipped, 'file')} skipped"] if skipped else []
        if unreadable:
            trouble.append(f"{counted(unreadable, 'folder')} cannot be read")
        if trouble:
            text.append(f"  ·  {', '.join(trouble)} (press ! to see why)", style="bold")
        self._line = text
        if not self._pointing:
            self.update(text)

    def set_review(self, count: int) -> None:
        if count != self._review:
            self._review = count
            self.show(*self._shown)

    def point(self, where: str) -> None:
        """Where the marked link leads, in place of the library's line ("" puts it back)."""
        if where != self._pointing:
            self._pointing = where
            self.update(Text(where) if where else self._line)
