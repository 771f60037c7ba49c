"""The help screen, generated from the bindings so it never drifts from the keys."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP_INTRO = (
    'Search: words (all must match), "a phrase", subject:name, -word to leave out.\n'
    "Tab and Shift+Tab move between the panes and the links of an article."
)


def binding_rows(app, sources: list[tuple[str, list[Binding]]]) -> list[tuple[str, str, str]]:
    """(section, keys, description) for every binding with a description."""
    keymap = getattr(app, "_keymap", {}) or {}
    rows = []
    for section, bindings in sources:
        for binding in bindings:
            if not binding.description:
                continue
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            shown = ", ".join(app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))
            rows.append((section, shown, binding.description))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, sources: list[tuple[str, list[Binding]]]):
        super().__init__()
        self.sources = sources

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=False, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold")
        table.add_column()
        section = None
        for name, keys, description in binding_rows(self.app, self.sources):
            if name != section:
                if section is not None:
                    table.add_row("", "")
                table.add_row(Text(name, style="bold underline"), "")
                section = name
            table.add_row(keys, description)
        with VerticalScroll(id="dialog"):
            yield Static("Keys", id="question")
            yield Static(Text(HELP_INTRO), classes="hint")
            yield Static(table, id="keys")

    def action_close(self) -> None:
        self.dismiss(None)
