"""The files the library could not read, or read with doubts, and why."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...library.models import Problem, Severity
from ...library.text import clean_line, counted


class ProblemsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,exclamation_mark", "close", "Close", id="problems.close")]

    def __init__(self, problems: list[Problem]):
        super().__init__()
        self.problems = problems

    def compose(self) -> ComposeResult:
        skipped = len({p.path for p in self.problems if p.severity is Severity.ERROR})
        with Vertical(id="dialog"):
            yield Static(
                f"{counted(skipped, 'file')} skipped, {counted(len(self.problems), 'problem')} in all",
                id="question",
            )
            if self.problems:
                options = []
                for p in self.problems:
                    line = Text()
                    tag = "skipped " if p.severity is Severity.ERROR else "warning "
                    line.append(tag, style="bold red" if p.severity is Severity.ERROR else "yellow")
                    where = clean_line(p.path) + (f":{p.line}" if p.line else "")
                    line.append(where, style="bold")
                    line.append("\n  " + clean_line(p.reason))
                    options.append(Option(line))
                yield OptionList(*options, id="problem-list")
            else:
                yield Static("Every file was read without a problem.")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
