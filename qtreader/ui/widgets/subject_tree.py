"""The subject tree: All articles, Bookmarks, History, then every subject with its count."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...library.catalog import SubjectCount
from ...library.progress import LibraryProgress
from ..state import ALL, BOOKMARKS, HISTORY, REVIEW, UNREAD, Scope

__all__ = ["ALL", "BOOKMARKS", "HISTORY", "Scope", "SubjectTree"]


class SubjectTree(Tree[Scope]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
    ]

    class Chosen(Message):
        def __init__(self, scope: Scope):
            self.scope = scope
            super().__init__()

    def __init__(self, *, id: str | None = None):
        super().__init__("Library", data=ALL, id=id)
        self.show_root = False
        self.guide_depth = 2
        self.name_width = 18  # set by fill() from the names it shows
        self._counts = (-1, -1)  # the bookmarks and history counts shown
        self._totals: dict[Scope, int] = {}  # each subject's (and All's) article count
        self._progress: LibraryProgress | None = None  # read marks shown, if any
        self._review: int | None = None  # questions up for review today, once counted

    NAME_MAX = 32  # a longer subject name is cut with "…"
    CHROME = 12  # the count (6), a space, the guide (2), padding (2) and the border

    READ_WIDTH = 7  # "1,009 /" before a count, when read marks are shown

    @property
    def wanted_width(self) -> int:
        """The width the labels ask for: the longest name (up to NAME_MAX) and its count
        (and how many are read, when the library has read marks)."""
        extra = self.READ_WIDTH if self._progress is not None else 0
        return self.name_width + self.CHROME + extra

    def _label(self, name: str, count: int | None, read: int | None = None) -> Text:
        """The name, then its count right-aligned, so counts line up in a column; with
        read marks, "read / count" ("120 / 1,009"), the read part bold until all are."""
        width = self.name_width
        if len(name) > width:
            name = name[: width - 1] + "…"
        label = Text(name.ljust(width))
        if read is not None and count is not None:
            done = read >= count
            label.append(f"{read:>{self.READ_WIDTH - 2},} /", style="dim" if done else "bold")
        elif self._progress is not None:
            label.append(" " * self.READ_WIDTH)
        if count is not None:
            label.append(f"{count:>6,}", style="dim")
        return label

    def _read_of(self, scope: Scope) -> int | None:
        progress = self._progress
        if progress is None:
            return None
        if scope == ALL:
            return progress.read
        if scope.kind == "subject" and scope.subject is not None:
            found = progress.subject(scope.subject)
            return found.read if found is not None else 0
        return None

    def show_review(self, count: int) -> None:
        if count != self._review:
            self._review = count
            node = self.node_for(REVIEW)
            if node is not None:
                node.set_label(self._label(REVIEW.name, count))

    def _unread(self, total: int) -> int:
        return total - (self._progress.read if self._progress is not None else 0)

    def show_progress(self, progress: LibraryProgress | None) -> None:
        """Read / total for the library and each subject (None: no read marks)."""
        if progress == self._progress:
            return
        self._progress = progress
        bookmarks, history = self._counts
        self._counts = (-1, -1)
        self.update_counts(bookmarks, history)  # their counts move to the count column
        for node in self.root.children:
            scope = node.data
            if scope == UNREAD:
                node.set_label(self._label(UNREAD.name, self._unread(self._totals[ALL])))
            elif scope == REVIEW:  # its count moves to the count column too
                node.set_label(self._label(REVIEW.name, self._review))
            if scope is not None and scope in self._totals:
                name = scope.name
                node.set_label(self._label(name, self._totals[scope], self._read_of(scope)))

    def fill(self, total: int, bookmarks: int, history: int, subjects: list[SubjectCount]) -> None:
        fixed = [ALL, UNREAD, REVIEW, BOOKMARKS, HISTORY]
        names = [*(scope.name for scope in fixed), *(s.name for s in subjects)]
        self.name_width = min(max(len(name) for name in names), self.NAME_MAX)
        self._counts = (bookmarks, history)
        self._totals = {ALL: total}
        self.clear()
        self.root.add_leaf(self._label(ALL.name, total, self._read_of(ALL)), data=ALL)
        self.root.add_leaf(self._label(UNREAD.name, self._unread(total)), data=UNREAD)
        self.root.add_leaf(self._label(REVIEW.name, self._review), data=REVIEW)
        self.root.add_leaf(self._label(BOOKMARKS.name, bookmarks), data=BOOKMARKS)
        self.root.add_leaf(self._label(HISTORY.name, history), data=HISTORY)
        for subject in subjects:
            scope = Scope("subject", subject.key, subject.name)
            self._totals[scope] = subject.count
            label = self._label(subject.name, subject.count, self._read_of(scope))
            self.root.add_leaf(label, data=scope)

    def update_counts(self, bookmarks: int, history: int) -> None:
        if (bookmarks, history) == self._counts:
            return  # a label set again is drawn again
        self._counts = (bookmarks, history)
        for node in self.root.children:
            if node.data == BOOKMARKS:
                node.set_label(self._label(BOOKMARKS.name, bookmarks))
            elif node.data == HISTORY:
                node.set_label(self._label(HISTORY.name, history))

    def node_for(self, scope: Scope) -> TreeNode[Scope] | None:
        return next((n for n in self.root.children if n.data == scope), None)

    def select_scope(self, scope: Scope) -> None:
        node = self.node_for(scope)
        if node is not None:
            self.move_cursor(node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Scope]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Chosen(event.node.data))
