"""A focusable link to another article: Tab reaches it, Enter (or a click) follows it."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from ...library.models import LinkStatus, RelatedLink


class LinkItem(Static, can_focus=True):
    BINDINGS = [Binding("enter", "follow", "Follow link", id="link.follow")]

    class Followed(Message):
        def __init__(self, item: LinkItem, link: RelatedLink):
            self.item = item
            self.link = link
            super().__init__()

    def __init__(self, link: RelatedLink, *, classes: str = ""):
        missing = link.status is LinkStatus.MISSING
        label = Text()
        label.append("✗ " if missing else "→ ", style="dim" if missing else "bold")
        label.append(link.label)
        if missing:
            label.append(f"  {link.status.value}", style="italic")
        elif link.subject:
            label.append(f"  · {link.subject}", style="dim")
        super().__init__(label, classes=("link missing " if missing else "link ") + classes)
        self.link = link

    def action_follow(self) -> None:
        self.post_message(self.Followed(self, self.link))

    def on_click(self) -> None:
        self.focus()
        self.action_follow()
