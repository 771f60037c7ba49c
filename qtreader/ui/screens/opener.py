"""Opening articles in the reader: by row, key or link, and back and forward.

The article and its links are read in thread workers; the view, the list's cursor
and the focus then change in one layout. Every article opened is a visit in
:class:`~qtreader.ui.state.Navigation`, recorded when it is asked for, not when it
is drawn, so "[" pressed while an article is still being drawn goes back from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from textual.worker import WorkerFailed, WorkType

from ...library.catalog import Catalog, CatalogDamaged, CatalogError
from ...library.export import article_link
from ...library.links import LinkKind, classify_url
from ...library.models import Article, ArticleRow, RelatedLink
from ...library.query import parse_query
from ...library.text import clean_line
from ..state import Navigation, Visit
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from ..widgets.article_list import ListEntry
    from .reader import ReaderScreen

T = TypeVar("T")


class ArticleOpener:
    """Opens articles for one reader screen and keeps its back/forward history."""

    def __init__(self, screen: ReaderScreen):
        self.screen = screen
        self.nav = Navigation()
        self.show_math = True  # LaTeX shown as Unicode; "$" shows the raw source
        self._said_gone: str | None = None  # the open article whose file went, once said

    def open_rowid(
        self, rowid: int, *, key: str | None = None, record: bool = True, focus: bool = True
    ) -> None:
        """Open an article at its top; with ``record``, as a new visit (back returns
        to the place the reader leaves now)."""
        self._open_at(rowid, key=key, record=record, focus=focus, place=None)

    def _open_at(
        self, rowid: int, *, key: str | None, record: bool, focus: bool, place: Visit | None
    ) -> None:
        catalog = self.screen.catalog
        if record and catalog is not None:
            if key is None:
                rows = catalog.rows([rowid])
                key = rows[0].key if rows else None
            if key is not None:
                self.remember_place()
                self.nav.visit(key)

        # A coroutine function, not a coroutine: an open replaced by a newer one before
        # it starts then leaves no coroutine unawaited.
        async def open_article() -> None:
            await self._open(rowid, record, focus, place)

        work: WorkType[None] = open_article
        self.screen.run_worker(work, exclusive=True, group="open")

    def open_key(self, key: str, record: bool = True, place: Visit | None = None) -> None:
        catalog = self.screen.catalog
        if catalog is None:
            return
        rowid = catalog.rowid_for_key(key)
        if rowid is None:
            self.screen.notify("That article is not in this library.", severity="warning")
            return
        self._open_at(rowid, key=key, record=record, focus=True, place=place)

    def remember_place(self) -> None:
        """Keep where the reader is in the open article (scroll, focused link), for
        coming back to it."""
        article = self.screen.article
        if article is not None:
            view = self.screen.view
            self.nav.remember(article.key, view.scroll_y, view.focused_link())

    def reopen(self) -> None:
        """The open article drawn again (math shown the other way), where it is."""
        article = self.screen.article
        if article is not None and article.rowid is not None:
            view = self.screen.view
            place = Visit(article.key, view.scroll_y, view.focused_link())
            self._open_at(article.rowid, key=None, record=False, focus=False, place=place)

    def reload_in_place(self) -> None:
        """After the library changed on disk: the open article read again and, if it
        changed, drawn again where the reader is in it (said); if its file is gone,
        that is said once and what is shown stays. The list's selection is left alone."""
        article = self.screen.article
        if article is None or self.screen.catalog is None:
            return

        async def reload() -> None:
            await self._reload(article)

        work: WorkType[None] = reload
        self.screen.run_worker(work, exclusive=True, group="reload")

    async def _reload(self, shown: Article) -> None:
        screen = self.screen
        catalog = screen.catalog
        if catalog is None:
            return

        def read() -> tuple[Article | None, list[RelatedLink], list[ArticleRow]]:
            rowid = catalog.rowid_for_key(shown.key)
            fresh = catalog.article(rowid) if rowid is not None else None
            if rowid is None or fresh is None:
                return None, [], []
            return fresh, catalog.answer_links(fresh), catalog.versions(rowid)

        try:
            fresh, links, versions = await self._in_thread(read)
        except WorkerFailed as failed:
            self._unreadable(catalog, failed.error)
            return
        if screen.article is not shown:
            return  # another article was opened meanwhile
        if fresh is None:
            if self._said_gone != shown.key:
                self._said_gone = shown.key
                screen.notify(
                    "This article's file was deleted or moved out of the library; it "
                    "stays on screen until you open another.",
                    severity="warning",
                    timeout=8,
                )
            return
        self._said_gone = None
        view, pane = screen.view, screen.search_pane
        if fresh == shown and versions == view.versions:
            return
        # Its backlinks may change with other files, and its folder become unreadable:
        # said only when its own file did.
        changed = replace(fresh, backlinks=[], rowid=None, unreachable="") != replace(
            shown, backlinks=[], rowid=None, unreachable=""
        )
        scroll_y, link = view.scroll_y, view.focused_link() if view.has_focus_within else None
        terms = parse_query(pane.query_text).terms() if pane.scope.kind != "bookmarks" else []
        screen.article = fresh
        pane.article_rowid = fresh.rowid  # moved: a new row
        with screen.app.batch_update():
            await self._show(fresh, links, versions)
            view.finder.highlight_terms(terms)
            view.return_to(scroll_y, link)
        if changed:
            screen.notify("This article changed on disk: it is shown as it is now.", timeout=3)

    def toggle_math(self) -> None:
        """Math as Unicode, or as its LaTeX source: the article is drawn again, in place."""
        self.show_math = not self.show_math
        self.screen.notify(
            "Math shown as Unicode." if self.show_math else "Math shown as LaTeX source.",
            timeout=2,
        )
        self.reopen()

    def open_original(self, base_url: str | None) -> None:
        """The open article's page on its site (``base_url`` and the article's url)."""
        article, screen = self.screen.article, self.screen
        if article is None:
            return
        if not base_url:
            screen.notify(
                "Set base_url in the settings file (qtreader config path) to open articles' "
                "original pages.",
                title="No base URL",
                severity="warning",
                timeout=8,
            )
        elif not article.url:
            screen.notify("This article has no url.", severity="warning")
        else:
            self.follow_href(article_link(article, base_url))

    def back(self) -> None:
        self.remember_place()
        visit = self.nav.back()
        if visit is None:
            self.screen.notify("This is the first article you opened.", timeout=2)
            return
        self.open_key(visit.key, record=False, place=visit)

    def forward(self) -> None:
        self.remember_place()
        visit = self.nav.forward()
        if visit is None:
            self.screen.notify("There is nothing to go forward to.", timeout=2)
            return
        self.open_key(visit.key, record=False, place=visit)

    def open_entry(self, entry: ListEntry) -> None:
        """A row of the list: its article, or why not (a bookmark whose article went)."""
        if entry.rowid is None:
            self.screen.notify(
                f"“{entry.title}” is no longer in this library. "
                "Its bookmark is kept; press d to remove it.",
                severity="warning",
            )
            return
        self.open_rowid(entry.rowid, key=entry.key)

    def follow_link(self, link: RelatedLink) -> None:
        """A related link or backlink: its article, or why not."""
        if link.target_key is None:
            self.screen.notify(
                f"“{link.label}” is not in this library.", title="Not followed", severity="warning"
            )
            return
        self.open_key(link.target_key)

    def follow_href(self, href: str) -> None:
        """A link in an answer: an article of this library, a web page (asked first),
        or refused (anything else, such as file: or javascript:)."""
        screen = self.screen
        kind = classify_url(href)
        shown = clean_line(href)
        if kind is LinkKind.REFUSED:
            screen.notify(f"Links like {shown} are not opened.", title="Refused", severity="error")
            return
        if kind is LinkKind.WEB:

            def answered(yes: bool | None) -> None:
                if yes:
                    screen.app.open_url(href)

            screen.app.push_screen(
                ConfirmScreen(f"Open this page in your browser?\n\n{shown}", "Open"), answered
            )
            return
        rowid = screen.catalog.find(href) if screen.catalog else None
        if rowid is None:
            screen.notify(f"{shown} is not in this library.", severity="warning")
            return
        self.open_rowid(rowid)

    async def _open(self, rowid: int, record: bool, focus: bool, place: Visit | None) -> None:
        screen = self.screen
        catalog = screen.catalog
        if catalog is None:
            return
        try:
            article = await self._in_thread(lambda: catalog.article(rowid))
            if article is None:
                screen.notify("That article is no longer in the library.", severity="warning")
                return
            links, versions = await self._in_thread(
                lambda: (catalog.answer_links(article), catalog.versions(rowid))
            )
        except WorkerFailed as failed:
            self._unreadable(catalog, failed.error)
            return
        screen.article = article
        view, pane = screen.view, screen.search_pane
        terms = parse_query(pane.query_text).terms() if pane.scope.kind != "bookmarks" else []
        # One layout of the screen for all of it: the view's parts, the list's
        # selection and the focus would otherwise each lay it out again (about 50 ms
        # a time with a long answer on a slow machine).
        with screen.app.batch_update():
            await self._show(article, links, versions)
            view.finder.highlight_terms(terms)
            pane.follow(article)
            link = place.focused_link if place is not None else None
            if place is not None:
                view.return_to(place.scroll_y, link if focus else None)
            if focus and link is None:
                view.focus()
        screen.progress.opened(article)  # read once open a while
        # The articles most like it: after the open is painted, never slowing it.
        screen.call_after_refresh(self._show_similar, catalog, rowid)
        if record:
            # After the article is painted: the history thread would slow the layout.
            screen.call_after_refresh(screen.bookmarking.record_history, article)

    def _show_similar(self, catalog: Catalog, rowid: int) -> None:
        async def similar() -> None:
            try:
                rows = await self._in_thread(lambda: catalog.similar(rowid))
            except WorkerFailed:
                return  # "Similar" is a help, not the article: a failed read says nothing
            await self.screen.view.show_similar(rowid, rows)

        work: WorkType[None] = similar
        self.screen.run_worker(work, exclusive=True, group="similar")

    async def _show(
        self, article: Article, links: list[RelatedLink], versions: list[ArticleRow]
    ) -> None:
        """The article in the view, with its bookmark, note, links and versions."""
        screen = self.screen
        await screen.view.show(
            article,
            bookmarked=screen.is_bookmarked(article.key),
            note=screen.note_of(article.key),
            answer_links=links,
            versions=versions,
            transform=self.math_transform(),
        )

    async def _in_thread(self, read: Callable[[], T]) -> T:
        """``read`` in a thread worker (the catalog's reads wait on disk)."""
        worker = self.screen.run_worker(read, thread=True, group="fetch", exit_on_error=False)
        return await worker.wait()

    def _unreadable(self, catalog: Catalog, error: BaseException) -> None:
        """A damaged catalog file, or answers packed in a way this Python cannot unpack:
        say so, keep what is shown."""
        if isinstance(error, CatalogDamaged):
            self.screen.catalog_trouble(error)
            return
        if isinstance(error, CatalogError):  # it says what to do
            message = f"This article could not be read: {error} ({catalog.db_path})."
        else:
            message = (
                f"This article could not be read from the catalog: {error}. The "
                f"catalog is {catalog.db_path}; deleting it makes the reader rebuild it."
            )
        self.screen.notify(message, severity="error", timeout=15)

    def math_transform(self) -> Callable[[str], str]:
        """Math as Unicode, or (with "$") its LaTeX source shown character for character."""
        from ...library.mathtext import has_math, render_math, show_math_source

        if not self.show_math:
            return show_math_source
        return lambda text: render_math(text) if has_math(text) else text
