"""The Textual application: loads settings and styles, and shows the reader screen."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from ..library import paths
from ..library.settings import Settings, load_settings
from .commands import GoToArticle, GoToSubject
from .keymap import check_keymap
from .screens.help import HelpScreen
from .screens.reader import ReaderScreen
from .screens.review import ReviewScreen
from .textual_internals import install_patches
from .widgets.answer_markdown import CodeBlock
from .widgets.article_list import ArticleList
from .widgets.article_view import ArticleView
from .widgets.find_bar import FindBar
from .widgets.link_item import LinkItem
from .widgets.search_pane import SearchPane

STYLES = paths.styles_dir()
SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005


class ReaderApp(App[None]):
    TITLE = "qtreader"
    CSS_PATH = [STYLES / "reader.tcss", STYLES / "dialogs.tcss", STYLES / "review.tcss"]
    COMMANDS = App.COMMANDS | {GoToArticle, GoToSubject}
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]

    def __init__(self, root: Path, settings: Settings | None = None):
        super().__init__()
        # Catalog work runs in threads that give up the GIL at every SQLite call and
        # system call, then wait for it while the UI thread paints: up to the switch
        # interval (5 ms) each time. At launch, opening the catalog alone took 180 ms
        # instead of 10 that way; with 0.5 ms it takes ~75.
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.patches = install_patches()  # see textual_internals.py
        if settings is None:
            settings, self._settings_warnings = load_settings()
        else:
            self._settings_warnings = []
        self.settings = settings
        self.root = Path(root)
        self.reader = ReaderScreen(
            self.root,
            show_stubs=settings.show_stubs,
            base_url=settings.base_url,
            column_width=settings.column_width,
            follow_external_links=settings.follow_external_links,
            date_format=settings.date_format,
            read_after_seconds=settings.read_after_seconds,
            read_at_end=settings.read_at_end,
        )
        if settings.keys:
            bindings = [b for _, group in self.help_sources() for b in group]
            keys, warnings = check_keymap(settings.keys, bindings)
            self._settings_warnings += warnings
            self.set_keymap(keys)

    def on_mount(self) -> None:
        if self.settings.theme and self.settings.theme not in self.available_themes:
            known = ", ".join(sorted(self.available_themes))
            self._settings_warnings.append(
                f"theme '{self.settings.theme}' is not a theme; one of: {known}"
            )
        theme = self.settings.theme or self.reader.state.theme()
        if theme and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.push_screen(self.reader)
        for warning in self._settings_warnings:
            self.notify(warning, title="Settings", severity="warning", timeout=15)

    def _remember_theme(self, theme) -> None:
        self.reader.state.set_theme(theme.name)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sources()))

    def help_sources(self):
        return [
            ("Reader", list(ReaderScreen.BINDINGS)),
            ("Article list", list(ArticleList.BINDINGS)),
            ("Search", list(SearchPane.BINDINGS)),
            ("Article", [*ArticleView.BINDINGS, *LinkItem.BINDINGS, *CodeBlock.BINDINGS]),
            ("Find in article", list(FindBar.BINDINGS)),
            ("Review", list(ReviewScreen.BINDINGS)),
            ("Everywhere", list(self.BINDINGS)),
        ]

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Screenshots go to qtreader's own folder, made if need be (Textual's default,
        the Downloads folder, may not exist); a folder that cannot be made is said."""
        folder = Path(path) if path else paths.screenshots_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.notify(
                f"Cannot save a screenshot in {folder}: {exc.strerror or exc}.",
                title="Screenshot",
                severity="error",
            )
            return None
        return super().deliver_screenshot(filename, str(folder), time_format)

    async def action_quit(self) -> None:
        self.reader.save_session()
        self.exit()
