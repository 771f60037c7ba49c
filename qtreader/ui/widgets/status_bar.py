"""The status line: the library, its size, problems, and short messages."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...library.text import counted


class StatusBar(Static):
    """The library's line; while a link in an answer is marked, where that link leads."""

    _line = Text()
    _pointing = ""
    _shown: tuple[str, int | None, int] = ("", None, 0)
    _review = 0  # questions up for review today

    def show(self, library: str, articles: int | None = None, skipped: int = 0) -> None:
        self._shown = (library, articles, skipped)
        text = Text(library, style="bold")
        if articles is not None:
            text.append(f"  ·  {counted(articles, 'article')}")
        if self._review:
            text.append(f"  ·  {self._review:,} to review (R)")
        if skipped:
            text.append(
                f"  ·  {counted(skipped, 'file')} skipped (press ! to see why)", style="bold"
            )
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
