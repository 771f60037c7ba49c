"""What the review screen says (issue 23), as plain functions of what it shows, without
Textual: when a card comes back ("10m", "in 3 hours", "tomorrow at 09:00"), the line
under a card's title, the count, what is studied, the grade buttons with when each
grade would bring the card back, the keys, and the page shown when nothing is due.

The scheduler (``fsrs``) is imported by :func:`previews` when it first runs, not with
this module (the reader starts without it). Unit-tested in tests/unit/test_review_text.py.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text

from ..library.text import clean_line

if TYPE_CHECKING:
    from fsrs import Card, Scheduler

    from ..library.review import Due, Study
    from .review_session import ReviewSession

GRADES = ((1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy"))


def interval(delta: dt.timedelta) -> str:
    """A short interval: "<1m", "10m", "3h", "8d", "2.5mo", "1.2y"."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}".removesuffix(".0") + "mo"
    return f"{days / 365:.1f}".removesuffix(".0") + "y"


def from_now(delta: dt.timedelta) -> str:
    """ "in 10 minutes", "in 3 hours", "in 2 days"."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "in less than a minute"
    for size, unit in ((86400 * 2, "day"), (3600 * 2, "hour")):
        if seconds >= size:
            count = round(seconds / (size // 2))
            return f"in {count} {unit}s"
    if seconds >= 3600:
        return "in an hour"
    minutes = round(seconds / 60)
    return f"in {minutes} minute" + ("s" if minutes != 1 else "")


def when(moment: dt.datetime, now: dt.datetime) -> str:
    """``moment`` as the user reads it at ``now`` (in ``now``'s zone): "at 10:10
    today", "tomorrow at 09:00", "on 2026-03-09 at 09:00"."""
    local = moment.astimezone(now.tzinfo)
    days = (local.date() - now.date()).days
    if days == 0:
        return f"at {local:%H:%M} today"
    if days == 1:
        return f"tomorrow at {local:%H:%M}"
    if days == -1:
        return f"yesterday at {local:%H:%M}"
    return f"on {local:%Y-%m-%d} at {local:%H:%M}"


def card_meta(due: Due, now: dt.datetime) -> str:
    """The line under a card's title: its subject, and when it was due and last seen
    (or that it is a new question)."""
    if due.card is None:
        kind = "new question"
    else:
        kind = f"due {when(due.card.due, now)}" if due.due else "due"
        if due.card.card.last_review is not None:
            kind += f" · last seen {when(due.card.card.last_review, now)}"
    return " · ".join(x for x in (clean_line(due.subject), kind) if x)


def count_line(session: ReviewSession) -> Text:
    """The top line, "Review   2 of 5 due · 3 new": which card this is of the cards due,
    then of the new ones."""
    done, total, due_count = session.index, len(session.cards), session.due_count
    line = Text("Review", style="bold")
    if not session.ready:
        pass
    elif done >= total:
        line.append("   nothing due", style="dim")
    elif done < due_count:
        line.append(f"   {done + 1} of {due_count} due")
        if total > due_count:
            line.append(f" · {total - due_count} new")
    else:
        line.append(f"   {done - due_count + 1} of {total - due_count} new")
    return line


def studied(study: Study | None, names: dict[str, str]) -> str:
    """What is studied, in words: "your bookmarks, Physics" (``names``: subject names
    by key)."""
    if not study:
        return ""
    parts = (["your bookmarks"] if study.bookmarks else []) + [
        clean_line(names.get(k, k)) for k in study.subjects
    ]
    return ", ".join(parts)


def study_line(session: ReviewSession) -> Text:
    """The top line's right end: "studying your bookmarks", or nothing."""
    study = session.queue.study if session.queue is not None else None
    return Text(f"studying {studied(study, session.names)}" if study else "")


def previews(scheduler: Scheduler, card: Card | None, now: dt.datetime) -> list[str]:
    """When each grade would bring ``card`` (None: a new question) back ("10m",
    "3d"): the scheduler's answer for each, worked out here (no disk), without its
    fuzz (a grade itself may move a long interval by a few percent; a preview that
    changed at each look would only confuse). Empty if the scheduler fails."""
    try:
        from fsrs import Card, Rating

        scheduler = copy.copy(scheduler)
        scheduler.enable_fuzzing = False
        now = now.astimezone(dt.UTC)  # as fsrs wants it
        card = card if card is not None else Card(card_id=1, due=now)
        out = []
        for number, _ in GRADES:
            after, _log = scheduler.review_card(card, Rating(number), now)
            out.append(interval(after.due - now))
        return out
    except Exception:  # only a preview: the grade itself is the store's
        return []


def grades_line(after: list[str]) -> Text:
    """The grade buttons, each with when it brings the card back (``after``, as
    :func:`previews` gives it; empty: without)."""
    line = Text()
    for n, (number, label) in enumerate(GRADES):
        if n:
            line.append("   ")
        line.append(f" {number} ", style="reverse bold")
        line.append(f" {label}", style="bold")
        if after:
            line.append(f" {after[n]}", style="dim")
    return line


def keys_line(parts: Iterable[tuple[str, str]]) -> Text:
    """The bottom line: each key (as shown) and what it does."""
    line = Text()
    for n, (key, what) in enumerate(parts):
        if n:
            line.append("  ·  ")
        line.append(key, style="bold")
        line.append(f" {what}")
    return line


def done_page(session: ReviewSession, now: dt.datetime, study_key: str) -> Text:
    """No card (more) to show: what is awaited (the queue, grades being written), or
    that nothing is due: how many cards were reviewed, when the next card is (or why
    what is due could not be read), and how to choose what to study (``study_key``:
    the key that studies the bookmarks)."""
    if not session.ready or session.building:
        return Text("Finding what is due…", style="dim")
    if session.pending:
        return Text("Saving your grades…", style="dim")
    queue, names, reviewed, error = session.queue, session.names, session.reviewed, session.error
    text = Text()
    text.append("Nothing is due now\n", style="bold")
    if reviewed:
        cards = "card" if reviewed == 1 else "cards"
        text.append(f"Reviewed {reviewed} {cards} this session.\n")
    text.append("\n")
    if error:
        text.append(f"{error}\n\n")
    elif queue is not None and queue.next_due is not None:
        text.append(f"The next card is due {when(queue.next_due, now)}")
        text.append(f" ({from_now(queue.next_due - now)}).\n\n")
    else:
        text.append("No card is scheduled yet: grading a question makes its card.\n\n")
    study = queue.study if queue is not None else None
    if study:
        text.append(f"Studying {studied(study, names)}: new questions come from ")
        text.append(f"{'them' if study.bookmarks or len(study.subjects) > 1 else 'it'}")
        text.append(f", up to {session.new_per_day} a day.\n")
        text.append(study_key, style="bold")
        text.append(
            " stops studying your bookmarks." if study.bookmarks else " studies your bookmarks."
        )
    else:
        text.append("You have not chosen what to study.\n")
        text.append(study_key, style="bold")
        text.append(" studies your bookmarks.")
    text.append(" Subjects are chosen on the command line:\n\n    ")
    text.append("qtreader review --study SUBJECT", style="bold")
    return text
