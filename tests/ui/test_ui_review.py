"""Review by question (issue 23, study mode): the review screen shows one card at a
time, the question alone; Space shows the answer; 1-4 grade it (written by the review
store in a thread worker); then the next card. When nothing is due it says when the
next card is and how to choose what to study."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from libhelpers import write_article
from ui_support import screen_layout, settle, wait_for

from qtreader.library import paths
from qtreader.library.bookmarks import BookmarkStore
from qtreader.library.review import ReviewStore, Study
from qtreader.ui.app import ReaderApp
from qtreader.ui.screens.review import ReviewScreen
from qtreader.ui.widgets.answer_markdown import AnswerMarkdown

ZONE = dt.timezone(dt.timedelta(hours=1))
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)

ALPHA = "What is alpha decay?"
BETA = "What is beta decay?"


def _library(tmp_path):
    root = tmp_path / "lib"
    write_article(
        root,
        "physics/alpha.md",
        id="1",
        url="/q/alpha",
        title=ALPHA,
        question="Why do some heavy nuclei throw out alpha particles?",
        answer="An alpha particle is two protons and two neutrons.\\n\\n"
        "Its energy: $\\alpha + \\beta$.",
        subject="Physics",
    )
    write_article(
        root,
        "physics/beta.md",
        id="2",
        url="/q/beta",
        title=BETA,
        question=BETA,
        answer="A neutron turns into a proton, giving off an electron.",
        subject="Physics",
    )
    write_article(
        root,
        "physics/gamma.md",
        id="3",
        url="/q/gamma",
        title="What is gamma radiation?",
        answer="Light of very high energy.",
        subject="Physics",
    )
    return root


def _bookmark(root, *keys: str) -> None:
    """Bookmark the articles ``keys``, the last one given the newest."""
    store = BookmarkStore()
    titles = {"/q/alpha": ALPHA, "/q/beta": BETA}
    for key in keys:
        store.add_article(
            str(root),
            SimpleNamespace(key=key, id="", title=titles[key], subject="Physics", url=key),
        )


def _studying_bookmarks(tmp_path):
    """A library whose user studies their bookmarks: beta, then alpha (newest first)."""
    root = _library(tmp_path)
    _bookmark(root, "/q/beta", "/q/alpha")
    ReviewStore(str(root)).set_study(Study(bookmarks=True))
    return root


def screen_text(app) -> str:
    return "\n".join("".join(c for c, _ in line) for line in screen_layout(app)[1])


def said(app, words: str) -> bool:
    return any(words in n.message for n in app._notifications)


class Clock:
    """The screen's clock: a time the test sets."""

    def __init__(self, now: dt.datetime = NOW):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def _review(pilot, app: ReaderApp, clock=None) -> ReviewScreen:
    await settle(pilot, app)
    reader = app.reader
    assert reader.catalog is not None
    screen = ReviewScreen(
        reader.catalog,
        reader.library,
        reader.user.bookmarks,
        reader.opener.math_transform(),
        clock=clock or Clock(),
    )
    app.push_screen(screen)
    await wait_for(pilot, lambda: app.screen is screen and screen.ready)
    return screen


def _answer(screen: ReviewScreen) -> AnswerMarkdown:
    return screen.query_one("#review-answer", AnswerMarkdown)


async def test_a_card_is_the_question_space_shows_the_answer_and_good_schedules_it(tmp_path):
    root = _studying_bookmarks(tmp_path)
    app = ReaderApp(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _review(pilot, app)
        await wait_for(pilot, lambda: ALPHA in screen_text(app))
        text = screen_text(app)
        assert "Why do some heavy nuclei throw out alpha particles?" in text
        assert "Physics" in text
        assert "1 of 2 new" in text
        # The question alone: not a word of the answer.
        assert not _answer(screen).display
        assert "two protons" not in text
        # A grade before the answer is seen grades nothing.
        await pilot.press("3")
        await wait_for(pilot, lambda: said(app, "Space"))
        assert ReviewStore(str(root)).card("/q/alpha") is None

        await pilot.press("space")
        await wait_for(pilot, lambda: "two protons" in screen_text(app))
        assert _answer(screen).display
        assert "α + β" in screen_text(app)  # math as Unicode, by the transform given
        assert "Good" in screen_text(app)  # the grades are offered

        await pilot.press("3")
        await wait_for(pilot, lambda: BETA in screen_text(app))
        await wait_for(pilot, lambda: ReviewStore(str(root)).card("/q/alpha") is not None)
        card = ReviewStore(str(root)).card("/q/alpha")
        assert card is not None
        assert card.title == ALPHA and card.subject == "Physics"
        assert card.due == NOW + dt.timedelta(minutes=10)  # FSRS's first learning step
        text = screen_text(app)
        assert "2 of 2 new" in text
        assert "two protons" not in text and "giving off" not in text
        # The question that is its title is not said twice.
        assert text.count(BETA) == 1

        await pilot.press("enter")  # Enter shows the answer too
        await wait_for(pilot, lambda: "giving off an electron" in screen_text(app))
        await pilot.press("4")
        await wait_for(pilot, lambda: "Nothing is due" in screen_text(app))
        easy = ReviewStore(str(root)).card("/q/beta")
        assert easy is not None and easy.due > NOW + dt.timedelta(days=1)
        text = screen_text(app)
        assert "09:10" in text and "in 10 minutes" in text  # the next card: alpha's
        assert "Reviewed 2" in text

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.reader)


async def test_due_cards_come_first_and_a_card_whose_article_went_can_be_skipped(tmp_path):
    root = _studying_bookmarks(tmp_path)
    store = ReviewStore(str(root))
    earlier = NOW - dt.timedelta(hours=1)
    gone = SimpleNamespace(key="/q/gone", title="What was the gone one?", url="/q/gone")
    store.grade(gone, "good", earlier - dt.timedelta(minutes=1))
    beta = SimpleNamespace(key="/q/beta", title=BETA, url="/q/beta", subject="Physics")
    store.grade(beta, "good", earlier)  # due 10 minutes later: 50 minutes ago
    app = ReaderApp(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await _review(pilot, app)
        await wait_for(pilot, lambda: "no longer in this library" in screen_text(app))
        text = screen_text(app)
        assert "What was the gone one?" in text
        assert "1 of 2 due · 1 new" in text
        assert "no longer in this library" in text
        await pilot.press("space")  # nothing to show: it says so
        await wait_for(pilot, lambda: said(app, "no longer in this library"))
        await pilot.press("n")  # skipped, not graded
        await wait_for(pilot, lambda: BETA in screen_text(app))
        assert "2 of 2 due · 1 new" in screen_text(app)
        assert ReviewStore(str(root)).card("/q/gone").due == store.card("/q/gone").due
        await pilot.press("space", "2")
        await wait_for(pilot, lambda: ALPHA in screen_text(app))
        assert "1 of 1 new" in screen_text(app)
        await wait_for(
            pilot, lambda: len(ReviewStore(str(root)).load().reviews) == 3
        )  # beta's grade is written
        assert ReviewStore(str(root)).load().reviews[-1]["rating"] == 2


async def test_nothing_to_study_says_how_and_s_cycles_bookmarks_and_none(tmp_path):
    root = _library(tmp_path)
    _bookmark(root, "/q/alpha")
    app = ReaderApp(root)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _review(pilot, app)
        await wait_for(pilot, lambda: "Nothing is due" in screen_text(app))
        text = screen_text(app)
        assert "qtreader review --study" in text
        assert "No card is scheduled" in text
        await pilot.press("s")
        await wait_for(pilot, lambda: ALPHA in screen_text(app))
        assert ReviewStore(str(root)).study() == Study(bookmarks=True)
        assert "1 of 1 new" in screen_text(app)
        await pilot.press("s")
        await wait_for(pilot, lambda: "Nothing is due" in screen_text(app))
        assert ReviewStore(str(root)).study() == Study()
        assert screen.is_attached


async def test_a_damaged_review_file_is_said_kept_aside_and_the_screen_still_works(tmp_path):
    root = _library(tmp_path)
    _bookmark(root, "/q/alpha")
    review_file = paths.review_file(root)
    review_file.parent.mkdir(parents=True, exist_ok=True)
    review_file.write_bytes(b'{"version": 1, "cards": [')
    app = ReaderApp(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await _review(pilot, app)
        await wait_for(pilot, lambda: said(app, "damaged"))
        assert list(review_file.parent.glob(f"{review_file.name}.corrupt-*"))
        await wait_for(pilot, lambda: "Nothing is due" in screen_text(app))
        await pilot.press("s")
        await wait_for(pilot, lambda: ALPHA in screen_text(app))
        await pilot.press("space", "3")
        await wait_for(pilot, lambda: "Nothing is due" in screen_text(app))
        assert ReviewStore(str(root)).card("/q/alpha") is not None


async def test_a_newer_review_file_is_read_only_grades_are_said_unsaved(tmp_path):
    root = _library(tmp_path)
    _bookmark(root, "/q/beta", "/q/alpha")
    review_file = paths.review_file(root)
    review_file.parent.mkdir(parents=True, exist_ok=True)
    newer = {"version": 99, "library": str(root), "study": {"bookmarks": True}, "cards": []}
    review_file.write_text(json.dumps(newer), encoding="utf-8")
    before = review_file.read_bytes()
    app = ReaderApp(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await _review(pilot, app)
        await wait_for(pilot, lambda: said(app, "newer qtreader"))
        await wait_for(pilot, lambda: ALPHA in screen_text(app))
        await pilot.press("space", "3")
        await wait_for(pilot, lambda: BETA in screen_text(app))  # the review goes on
        await wait_for(pilot, lambda: said(app, "not saved"))
        told = len(app._notifications)
        await pilot.press("s")  # the choice of what to study cannot be saved either
        await wait_for(pilot, lambda: len(app._notifications) > told)
        assert "not saved" in list(app._notifications)[-1].message
        assert review_file.read_bytes() == before
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.reader)


async def test_the_screen_is_laid_out_in_a_small_terminal_and_its_keys_have_ids(tmp_path):
    root = _studying_bookmarks(tmp_path)
    app = ReaderApp(root)
    async with app.run_test(size=(60, 16)) as pilot:
        screen = await _review(pilot, app)
        await wait_for(pilot, lambda: ALPHA in screen_text(app))
        await pilot.press("space")
        await wait_for(pilot, lambda: "two protons" in screen_text(app))
        text = screen_text(app)
        assert "again" in text.lower() and "easy" in text.lower()
    ids = {b.id for b in ReviewScreen.BINDINGS}
    assert {"review.reveal", "review.again", "review.hard", "review.good", "review.easy"} <= ids
    assert {"review.study", "review.skip", "review.close"} <= ids
    assert all(b.id and b.id.startswith("review.") and b.description for b in ReviewScreen.BINDINGS)
    assert screen.ready


async def test_r_in_the_reader_opens_the_review_and_esc_comes_back():
    from ui_support import SAMPLE

    app = ReaderApp(SAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.reader.search_pane.article_list.focus()
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.reader


async def test_the_tree_and_status_line_count_what_is_up_for_review(tmp_path):
    from qtreader.ui.state import REVIEW
    from qtreader.ui.widgets.status_bar import StatusBar

    app = ReaderApp(_studying_bookmarks(tmp_path))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, app)
        tree = app.reader.subjects

        def review_label() -> str:
            return str(tree.node_for(REVIEW).label)

        def status() -> str:
            return str(app.reader.query_one("#status", StatusBar).render())

        await wait_for(pilot, lambda: review_label().split()[-1] == "2", timeout=5)
        assert "2 to review" in status()
        # Choosing "Review" in the tree opens the review.
        tree.focus()
        tree.move_cursor(tree.node_for(REVIEW))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.ready)
        await pilot.press("space", "4")  # easy: not due again today
        await pilot.pause(0.3)
        await pilot.press("escape")
        await wait_for(pilot, lambda: review_label().split()[-1] == "1", timeout=5)
        assert "1 to review" in status()
