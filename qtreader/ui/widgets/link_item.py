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
        super().__init__(self._label(link), classes=f"link {classes}".strip())
        self.link = link
        self.set_class(link.status is LinkStatus.MISSING, "missing")

    @staticmethod
    def _label(link: RelatedLink) -> Text:
        missing = link.status is LinkStatus.MISSING
        label = Text()
        label.append("✗ " if missing else "→ ", style="dim" if missing else "bold")
        label.append(link.label)
        if missing:
            label.append(f"  {link.status.value}", style="italic")
        elif link.subject:
            label.append(f"  · {link.subject}", style="dim")
        return label

    def show_link(self, link: RelatedLink) -> None:
        """Point this item at another link: cheaper than mounting a new item."""
        self.link = link
        self.update(self._label(link))
        self.set_class(link.status is LinkStatus.MISSING, "missing")

    def action_follow(self) -> None:
        self.post_message(self.Followed(self, self.link))

    def on_click(self) -> None:
        self.focus()
        self.action_follow()
