"""The status line: the library, its size, problems, and short messages."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...library.text import counted


class StatusBar(Static):
    """The library's line; while a link in an answer is marked, where that link leads."""

    _line = Text()
    _pointing = ""

    def show(self, library: str, articles: int | None = None, skipped: int = 0) -> None:
        text = Text(library, style="bold")
        if articles is not None:
            text.append(f"  ·  {counted(articles, 'article')}")
        if skipped:
            text.append(
                f"  ·  {counted(skipped, 'file')} skipped (press ! to see why)", style="bold"
            )
        self._line = text
        if not self._pointing:
            self.update(text)

    def point(self, where: str) -> None:
        """Where the marked link leads, in place of the library's line ("" puts it back)."""
        if where != self._pointing:
            self._pointing = where
            self.update(Text(where) if where else self._line)
