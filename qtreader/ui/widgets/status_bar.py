"""The status line: the library, its size, problems, and short messages."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...library.text import counted


class StatusBar(Static):
    def show(self, library: str, articles: int | None = None, skipped: int = 0) -> None:
        text = Text(library, style="bold")
        if articles is not None:
            text.append(f"  ·  {counted(articles, 'article')}")
        if skipped:
            text.append(
                f"  ·  {counted(skipped, 'file')} skipped (press ! to see why)", style="bold"
            )
        self.update(text)
