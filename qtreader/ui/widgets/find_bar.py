"""The find bar under the article: type to highlight, Enter / Shift+Enter to move."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label


class FindBar(Horizontal):
    BINDINGS = [
        Binding("enter,down", "next", "Next match", id="find.next"),
        Binding("shift+enter,up", "previous", "Previous match", id="find.previous"),
        Binding("escape", "close", "Close find", id="find.close"),
    ]

    class Changed(Message):
        def __init__(self, text: str):
            self.text = text
            super().__init__()

    class Step(Message):
        def __init__(self, delta: int):
            self.delta = delta
            super().__init__()

    class Closed(Message):
        pass

    def compose(self) -> ComposeResult:
        yield Label("Find", id="find-label")
        yield Input(placeholder="words in this article", id="find-input")
        yield Label("", id="find-count")

    @property
    def input(self) -> Input:
        return self.query_one("#find-input", Input)

    def open(self) -> None:
        self.display = True
        self.screen.set_focus(self.input)

    def show_count(self, current: int, total: int, text: str) -> None:
        label = self.query_one("#find-count", Label)
        if not text:
            label.update("")
        elif total == 0:
            label.update("no matches")
        else:
            label.update(f"{current + 1} of {total}")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Step(1))

    def action_next(self) -> None:
        self.post_message(self.Step(1))

    def action_previous(self) -> None:
        self.post_message(self.Step(-1))

    def action_close(self) -> None:
        self.display = False
        self.post_message(self.Closed())
