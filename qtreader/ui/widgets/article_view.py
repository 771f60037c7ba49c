"""The article view: title, metadata, the answer as Markdown, keywords and links."""

from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Markdown, Static

from ...library.export import article_link, article_markdown
from ...library.models import Article, ArticleRow, RelatedLink
from ...library.text import first_part
from ..textual_internals import MarkdownBlock
from .answer_markdown import AnswerMarkdown
from .article_find import ArticleFind
from .article_stops import ArticleStops, describe_link
from .find_bar import FindBar
from .link_item import LinkItem
from .versions import versions_line

# Past this many characters an answer is shown in parts, so opening a
# multi-megabyte article never freezes the reader.
PART_CHARS = 60_000
# Hidden link items kept in each list of links for the next article.
SPARE_LINK_ITEMS = 12


class MoreButton(Static, can_focus=True):
    """'Show more of this answer', reachable by Tab, Enter or a click."""

    BINDINGS = [Binding("enter", "press", "Show more", id="view.more")]

    class Pressed(Message):
        pass

    def action_press(self) -> None:
        self.post_message(self.Pressed())

    def on_click(self) -> None:
        self.action_press()


class ArticleView(VerticalScroll, can_focus=True):
    """The right-hand pane. It shows what the screen gives it and posts what the user asks."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="view.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="view.up"),
        Binding("space", "page_down", "Page down", show=False, id="view.page_down"),
        Binding("g", "scroll_home", "Top", show=False, id="view.top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="view.bottom"),
        Binding("plus", "more", "Show more", show=False, id="view.more_key"),
        Binding("n", "step(1)", "Next match", show=False, id="view.next_match"),
        Binding("N", "step(-1)", "Previous match", show=False, id="view.previous_match"),
        Binding("tab", "stop(1)", "Next link", show=False, id="view.next_link"),
        Binding("shift+tab", "stop(-1)", "Previous link", show=False, id="view.previous_link"),
        Binding("enter", "follow_link", "Follow link", id="view.follow_link"),
        Binding("t", "outline", "Outline", show=False, id="view.outline"),
        Binding("v", "next_version", "Next version", show=False, id="view.next_version"),
    ]

    class ShowMore(Message):
        pass

    class ReachedEnd(Message):
        """The reader scrolled to the end of the article (once an article)."""

    class VersionChosen(Message):
        """Another version of the open question (same title, another subject or date)."""

        def __init__(self, rowid: int):
            self.rowid = rowid
            super().__init__()

    class LinkPointed(Message):
        """The link marked in the answer's text changed: where it goes, or "" for none."""

        def __init__(self, where: str):
            self.where = where
            super().__init__()

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.article: Article | None = None
        self.shown_chars = 0
        self.answer_text = ""  # the Markdown given to the renderer (math may be converted)
        self._marks_shown: tuple[bool, str] = (False, "")  # the star and note drawn
        self.finder = ArticleFind(self)
        self.stops = ArticleStops(self)
        # The answer's links into the library, by href: what a marked link leads to.
        self._answer_links: dict[str, RelatedLink] = {}
        self.versions: list[ArticleRow] = []  # of the open question, itself included
        self._end_said = False
        self.similar_of: int | None = None  # the article whose "Similar" is shown

    def compose(self):
        with Vertical(id="column"):
            yield Static(id="title")
            yield Static(id="meta")
            yield Static(id="versions")
            yield Static(id="note")
            yield Static(id="question")
            yield AnswerMarkdown(id="answer", open_links=False)
            yield Static(id="partial")
            yield MoreButton("Show more of this answer  (+)", id="more")
            yield Static(id="keywords")
            with Vertical(id="links"):
                for name, heading in self.LINK_SECTIONS:
                    with Vertical(id=f"links-{name}", classes="links-section"):
                        yield Static(heading, classes="links-heading")
        bar = FindBar(id="find")
        bar.display = False
        yield bar

    def on_mount(self) -> None:
        self.show_welcome()

    # The lists of links under an answer, in the order they are shown (the answer's
    # own links are reached where they stand, in its text).
    LINK_SECTIONS = (
        ("related", "Related"),
        ("similar", "Similar"),  # filled after the open, by a worker (show_similar)
        ("backlinks", "Referenced by"),
    )

    WELCOME = (
        ("/", 'search every article: words, "a phrase", subject:name, -word'),
        ("Tab", "move between the panes and the links of an article"),
        ("[  ]", "go back and forward through what you opened"),
        ("b  B", "bookmark an article, list your bookmarks"),
        ("Ctrl+P", "go to an article or a subject by name"),
        ("?", "every key"),
    )

    def show_welcome(self) -> None:
        self.article = None
        self.query_one("#title", Static).update("Welcome to qtreader")
        intro = Text("Choose an article in the list and press ")
        intro.append("Enter", style="bold")
        intro.append(".\n")
        # Two columns, so that a line that wraps stays under its own column.
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column()
        for key, what in self.WELCOME:
            keys.add_row(key, what)
        self.query_one("#meta", Static).update(Group(intro, Padding(keys, (0, 0, 0, 2))))
        for name in (
            "#note",
            "#versions",
            "#question",
            "#answer",
            "#partial",
            "#more",
            "#keywords",
        ):
            self.query_one(name).display = False
        for section in self.query(".links-section"):
            section.display = False

    async def show(
        self,
        article: Article,
        *,
        bookmarked: bool = False,
        note: str = "",
        answer_links: list[RelatedLink] | None = None,
        versions: list[ArticleRow] | None = None,
        chars: int = PART_CHARS,
        transform=None,
    ) -> None:
        """Show ``article`` from the top (with its bookmark's note, if it has one)."""
        self.finder.clear()
        self.stops.drop()
        self._end_said = False
        self.article = article
        self._answer_links = {link.url: link for link in answer_links or []}
        self._transform = transform
        title = Text(("★ " if bookmarked else "") + article.title)
        self.query_one("#title", Static).update(title)
        self._marks_shown = (bookmarked, note if bookmarked else "")
        self.show_note(self._marks_shown[1])
        self.query_one("#meta", Static).update(Text(article.meta_line))
        self.versions = versions or []
        shown = self.query_one("#versions", Static)
        shown.display = len(self.versions) > 1
        if shown.display:
            shown.update(versions_line(self.versions, article.rowid))
        question = self.query_one("#question", Static)
        show_question = bool(article.question) and article.question.strip() != article.title.strip()
        question.display = show_question
        if show_question:
            question.update(Text(article.question))
        await self._show_answer(chars)
        keywords = self.query_one("#keywords", Static)
        keywords.display = bool(article.keywords)
        keywords.update(Text.assemble(("Keywords  ", "bold"), article.keywords))
        await self._show_links(article)
        self.scroll_home(animate=False)

    async def _show_answer(self, chars: int) -> None:
        article = self.article
        assert article is not None
        text = first_part(article.answer, chars)
        self.shown_chars = len(text)
        transform = getattr(self, "_transform", None)
        self.answer_text = transform(text) if transform else text
        answer = self.query_one("#answer", Markdown)
        answer.display = True
        self.finder.forget()
        await answer.update(self.answer_text)
        if self.finder.matches:  # marked while the update ran: blocks may have new text
            self.finder.clear()
        partial = self.query_one("#partial", Static)
        more = self.query_one("#more", MoreButton)
        rest = len(article.answer) - len(text)
        partial.display = more.display = rest > 0
        if rest > 0:
            partial.update(
                f"This answer is long ({len(article.answer) // 1024:,} KB): "
                f"the first {len(text) // 1024:,} KB are shown."
            )

    async def show_more(self) -> None:
        if self.article is not None and self.shown_chars < len(self.article.answer):
            y = self.scroll_y
            await self._show_answer(self.shown_chars + PART_CHARS)
            self.scroll_to(y=y, animate=False)

    def action_more(self) -> None:
        self.post_message(self.ShowMore())

    def on_more_button_pressed(self, event: MoreButton.Pressed) -> None:
        event.stop()
        self.post_message(self.ShowMore())

    async def _show_links(self, article: Article) -> None:
        # Link items are reused from one article to the next: mounting a widget costs
        # milliseconds, and an article can have dozens of links (most of an open's
        # time, measured). Items left over are hidden, so Tab never reaches them.
        lists = {"related": article.links, "similar": [], "backlinks": article.backlinks}
        focused = self.app.focused
        if isinstance(focused, LinkItem) and self in focused.ancestors:
            self.focus()  # its link is about to change or go
        for name, _ in self.LINK_SECTIONS:
            await self._fill_section(name, lists[name])

    async def show_similar(self, rowid: int, rows: list[ArticleRow]) -> None:
        """The articles most like article ``rowid``, if it is still the one shown."""
        if self.article is not None and self.article.rowid == rowid:
            related = {link.target_key for link in self.article.links}  # listed just above
            fresh = [r for r in rows if r.key not in related]
            links = [
                RelatedLink(n, "", r.title, r.subject, r.key, r.key) for n, r in enumerate(fresh)
            ]
            await self._fill_section("similar", links)
            self.similar_of = rowid

    async def _fill_section(self, name: str, links: list[RelatedLink]) -> None:
        section = self.query_one(f"#links-{name}", Vertical)
        section.display = bool(links)
        items = list(section.query_children(LinkItem))
        for item, link in zip(items, links, strict=False):
            item.show_link(link)
            item.display = True
        spare = items[len(links) :]
        for item in spare[:SPARE_LINK_ITEMS]:
            item.display = False
        if spare[SPARE_LINK_ITEMS:]:  # after an article with hundreds of links
            await section.remove_children(spare[SPARE_LINK_ITEMS:])
        if len(links) > len(items):
            await section.mount_all(LinkItem(link) for link in links[len(items) :])

    def set_bookmarked(self, bookmarked: bool, note: str = "") -> None:
        """The star and the note, drawn again only where they change (each change lays
        the pane out again)."""
        if self.article is None:
            return
        shown = (bookmarked, note if bookmarked else "")
        if shown != self._marks_shown:
            self.query_one("#title", Static).update(
                Text(("★ " if bookmarked else "") + self.article.title)
            )
            self.show_note(shown[1])

    def show_note(self, note: str) -> None:
        """The bookmark's note under the title ("e" edits it)."""
        widget = self.query_one("#note", Static)
        if widget.display != bool(note):
            widget.display = bool(note)
        if note:
            widget.update(Text.assemble(("Note  ", "bold"), note, ("   e to edit", "dim")))

    def copy_link(self, base_url: str | None) -> None:
        if self.article is not None:
            self.app.copy_to_clipboard(article_link(self.article, base_url))
            self.notify("Link copied.", timeout=2)

    def copy_answer(self) -> None:
        if self.article is not None:
            self.app.copy_to_clipboard(article_markdown(self.article))
            self.notify("Article copied as Markdown.", timeout=2)

    def link_items(self) -> list[LinkItem]:
        """The links shown now, in order (hidden spare items left out)."""
        return [item for item in self.query(LinkItem) if item.display]

    def focused_link(self) -> int | None:
        """Which of the article's stops (its links, wide code blocks) has the focus."""
        return self.stops.current(self.stops.stops())

    def return_to(self, scroll_y: float, link: int | None) -> None:
        """Back where the reader was in this article: scrolled to ``scroll_y``, with
        the focus on the ``link``-th stop (as it was, without scrolling to it)."""
        if link is not None:
            self.stops.go_to_index(link)
        # Once laid out: the answer's height is not known before.
        self.call_after_refresh(self.scroll_to, y=scroll_y, animate=False, immediate=True)

    def action_next_version(self) -> None:
        """The next version of the question (round to the first after the last)."""
        rowids = [row.rowid for row in self.versions]
        if len(rowids) > 1 and self.article is not None and self.article.rowid in rowids:
            after = (rowids.index(self.article.rowid) + 1) % len(rowids)
            self.post_message(self.VersionChosen(rowids[after]))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        at_end = self.max_scroll_y > 0 and new >= self.max_scroll_y
        if at_end and self.article is not None and not self._end_said:
            self._end_said = True
            self.post_message(self.ReachedEnd())

    def action_outline(self) -> None:
        from ..screens.outline import show_outline  # the outline screen knows this view

        show_outline(self)

    # -- Tab through the article -----------------------------------------------------

    def action_stop(self, delta: int) -> None:
        focused = self.app.focused
        if focused is not None and self.find_bar in focused.ancestors_with_self:
            raise SkipAction()  # Tab in the find bar is the find bar's
        if not self.stops.move(delta > 0) and not self.stops.leave(delta > 0):
            raise SkipAction()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow_link":
            return self.stops.cursor is not None and self.app.focused is self
        return True

    def action_follow_link(self) -> None:
        if self.stops.cursor is not None:
            answer = self.query_one("#answer", Markdown)
            answer.post_message(Markdown.LinkClicked(answer, self.stops.cursor.href))

    def pointed(self, href: str | None) -> None:
        """Say where the marked link leads (the screen shows it in the status line)."""
        where = "" if href is None else describe_link(href, self._answer_links)
        self.post_message(self.LinkPointed(where))

    def on_focus(self) -> None:
        if self.stops.cursor is not None:
            self.stops.mark()
            self.pointed(self.stops.cursor.href)

    def on_blur(self) -> None:
        self.stops.unmark()
        self.pointed(None)

    # -- find ------------------------------------------------------------------

    def leaf_blocks(self) -> list[MarkdownBlock]:
        """The answer's blocks that hold text (or code), in reading order."""
        answer = self.query_one("#answer", Markdown)
        blocks = []
        for block in answer.query(MarkdownBlock):
            if any(isinstance(child, MarkdownBlock) for child in block.children):
                continue
            # List rows kept hidden for reuse still hold an older answer's text.
            node: DOMNode | None = block
            while node is not None and node is not answer and node.display:
                node = node.parent
            if node is answer:
                blocks.append(block)
        return blocks

    def action_step(self, delta: int) -> None:
        self.finder.find_step(delta)

    # -- the find bar ------------------------------------------------------------

    @property
    def find_bar(self) -> FindBar:
        return self.query_one("#find", FindBar)

    def open_find(self) -> None:
        self.find_bar.open()

    @on(FindBar.Changed)
    def _find_changed(self, event: FindBar.Changed) -> None:
        event.stop()
        self.finder.find(event.text)

    @on(FindBar.Step)
    def _find_bar_step(self, event: FindBar.Step) -> None:
        event.stop()
        self.finder.find_step(event.delta)

    @on(FindBar.Closed)
    def _find_closed(self, event: FindBar.Closed) -> None:
        event.stop()
        self.screen.set_focus(self)
