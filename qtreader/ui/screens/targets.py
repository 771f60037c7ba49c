"""What a key acts on, from where the focus is: the article "b" bookmarks, the bookmark
"e" edits the note of; and the pane a session remembers, put back at launch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Input

from ...library.models import Article

if TYPE_CHECKING:
    from ..widgets.article_list import ListEntry
    from .reader import ReaderScreen


def _within(focused: Widget | None, pane: Widget) -> bool:
    return focused is not None and (focused is pane or pane in focused.ancestors)


def bookmark_target(screen: ReaderScreen) -> tuple[str, Article | None] | None:
    """The article "b" acts on: the open one when the article has the focus, else the
    selected row (its article read later if it is not the open one)."""
    article, article_list = screen.article, screen.search_pane.article_list
    if _within(screen.focused, screen.view) and article is not None:
        return article.key, article
    entry = article_list.entry
    if article_list.has_focus and entry is not None and entry.rowid is not None:
        if article is not None and article.key == entry.key:
            return entry.key, article
        return entry.key, None
    if article is not None:
        return article.key, article
    return None


def note_target(screen: ReaderScreen) -> tuple[str, str, str] | None:
    """(key, title, note) of the bookmark "e" edits: the open article's, when it is
    bookmarked and the article has the focus; else the selected bookmark's."""
    article = screen.article
    bookmarked = article is not None and screen.is_bookmarked(article.key)
    if article is not None and bookmarked and _within(screen.focused, screen.view):
        return article.key, article.title, screen.note_of(article.key)
    entry = screen.search_pane.article_list.entry
    if screen.scope.kind == "bookmarks" and entry is not None:
        return entry.key, entry.title, entry.note
    return None


def focused_pane(screen: ReaderScreen) -> str:
    """Which part of the reader has the focus, as a session keeps it."""
    focused = screen.focused
    if focused is screen.search_pane.search_box:
        return "search"
    for name, pane in (("view", screen.view), ("subjects", screen.subjects)):
        if _within(focused, pane):
            return name
    return "list"


def restore_focus(screen: ReaderScreen, focus: str | None, article: bool) -> None:
    """Give the focus back to the pane a session had (``None``: words were typed while
    the library loaded, and the search box keeps it). The article view takes it at
    once, before its article (``article``) is read: a key pressed meanwhile (q) must
    not be typed into the search box, which has the focus while the library loads."""
    if focus == "search":
        screen.set_focus(screen.search_pane.search_box)
    elif focus == "subjects":
        screen.set_focus(screen.subjects)
    elif focus == "view" and article:
        screen.set_focus(screen.view)
    elif focus is not None:
        screen.search_pane.article_list.focus()


def read_target(screen: ReaderScreen) -> Article | ListEntry | None:
    """What "m" marks read or unread: the open article from the article, else the
    list's row (an article of the library)."""
    if focused_pane(screen) == "view" and screen.article is not None:
        return screen.article
    entry = screen.search_pane.article_list.entry
    return entry if entry is not None and entry.rowid is not None else None


# Actions that need an open article, and those of the Bookmarks list.
ARTICLE_ACTIONS = ("find", "copy", "open_original", "toggle_math")
BOOKMARK_LIST_ACTIONS = ("remove_bookmark", "edit_note", "undo_remove")


def action_allowed(screen: ReaderScreen, action: str) -> bool:
    """Whether a key of the screen acts now (the footer shows only those that do)."""
    if action == "search" and isinstance(screen.app.focused, Input):
        return False  # "/" is typed into a text field
    if action in ARTICLE_ACTIONS:
        return screen.article is not None
    if action == "edit_note" and note_target(screen) is not None:
        return True
    if action in BOOKMARK_LIST_ACTIONS:
        if screen.scope.kind != "bookmarks":
            return False
        if action == "undo_remove":
            return bool(screen.bookmarking.removals)
    return True
