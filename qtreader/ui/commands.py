"""Command palette providers: "Go to article…" and "Go to subject…"."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..library.text import clean_line, counted

GO_TO_ARTICLE = "Go to article…"
HINT = "Type words of a title to find an article"


class GoToArticle(Provider):
    """Title search through the catalog."""

    def _screen(self):
        from .screens.reader import ReaderScreen

        screen = self.app.screen_stack[0] if self.app.screen_stack else None
        for candidate in self.app.screen_stack:
            if isinstance(candidate, ReaderScreen):
                return candidate
        return screen if isinstance(screen, ReaderScreen) else None

    async def search(self, query: str) -> Hits:
        screen = self._screen()
        if screen is None or screen.catalog is None or not query.strip():
            return
        # The command itself, as discover shows it: typing "go to" finds it too.
        matcher = self.matcher(query)
        score = matcher.match(GO_TO_ARTICLE)
        if score > 0:
            yield Hit(score, matcher.highlight(GO_TO_ARTICLE), self._hint, help=HINT)
        catalog = screen.catalog
        rows = await self.app.run_worker(
            lambda: catalog.titles_matching(query, 20), thread=True, group="palette"
        ).wait()
        matcher = self.matcher(query)
        for row in rows or []:
            title = clean_line(row.title)
            score = matcher.match(title) or 0.1
            yield Hit(
                score,
                matcher.highlight(title),
                partial(screen.open_rowid, row.rowid, key=row.key),
                help=f"Go to article · {row.subject}",
            )

    async def discover(self) -> Hits:
        yield DiscoveryHit(GO_TO_ARTICLE, self._hint, help=HINT)

    def _hint(self) -> None:
        self.app.notify("Type part of a title in the command palette to go to an article.")


class GoToSubject(Provider):
    async def search(self, query: str) -> Hits:
        from .state import Scope

        screen = GoToArticle._screen(self)  # type: ignore[arg-type]
        if screen is None or screen.catalog is None:
            return
        matcher = self.matcher(query)
        for subject in screen.catalog.subjects(screen.show_stubs):
            score = matcher.match(subject.name)
            if score > 0:
                scope = Scope("subject", subject.key, subject.name)
                yield Hit(
                    score,
                    matcher.highlight(subject.name),
                    partial(screen.goto_subject, scope),
                    help=f"Go to subject · {counted(subject.count, 'article')}",
                )
