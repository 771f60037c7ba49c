"""The outline of the open answer: its headings and numbered items; Enter goes to one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...library.text import clean_line
from ..widgets.outline import OutlineEntry, answer_outline

if TYPE_CHECKING:
    from ..widgets.article_view import ArticleView


class OutlineScreen(ModalScreen[int | None]):
    """Dismissed with the chosen entry's index, or None."""

    BINDINGS = [Binding("escape,t,q", "close", "Close", id="outline.close")]

    def __init__(self, title: str, entries: list[OutlineEntry], current: int):
        super().__init__()
        self.title_text = title
        self.entries = entries
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="outline"):
            yield Static(Text(clean_line(self.title_text)), id="question")
            yield OptionList(
                *(
                    Option(Text("  " * entry.depth + clean_line(entry.label)), id=str(n))
                    for n, entry in enumerate(self.entries)
                ),
                id="outline",
            )
            yield Static("Enter goes there · Esc closes", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.current
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_close(self) -> None:
        self.dismiss(None)


def show_outline(view: ArticleView) -> None:
    """The outline screen for the open answer; the article scrolled to what is chosen."""
    if view.article is None:
        return
    entries = answer_outline(view)
    if not entries:
        view.notify("This answer has no headings or numbered items.", timeout=3)
        return
    here = round(view.scroll_y)
    current = max((n for n, entry in enumerate(entries) if entry.top <= here), default=0)

    def chosen(index: int | None) -> None:
        if index is not None:
            view.scroll_to(y=entries[index].top, animate=False, immediate=True)
        view.focus(scroll_visible=False)

    view.app.push_screen(OutlineScreen(view.article.title, entries, current), chosen)
