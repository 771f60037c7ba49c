"""Under Related, "Similar" lists the articles of the library most like the open one
(issue 23), found after the open by a worker; Tab and Enter follow them."""

from __future__ import annotations

from libhelpers import write_article
from ui_support import article_view, open_when_ready, settle, shows, wait_for

from qtreader.ui.app import ReaderApp
from qtreader.ui.widgets.link_item import LinkItem

TOPICS = {
    "leaf": (
        "Photosynthesis in leaves",
        "Chlorophyll in leaves captures light energy for photosynthesis.",
    ),
    "algae": (
        "Photosynthesis in algae",
        "Algae use chlorophyll and light energy: photosynthesis in water.",
    ),
    "rome": ("The fall of Rome", "Emperors, legions and the sack of the city by the Visigoths."),
    "tax": ("How taxes work", "Governments levy income and sales taxes to fund spending."),
}


def _library(tmp_path):
    root = tmp_path / "lib"
    for key, (title, answer) in TOPICS.items():
        write_article(root, f"a/{key}.md", id=key, url=f"/{key}", title=title,
                      answer=answer, subject="A")  # fmt: skip
    return root


def _similar(view) -> list[LinkItem]:
    section = view.query_one("#links-similar")
    if not section.display:
        return []
    return [item for item in section.query(LinkItem) if item.display]


async def test_similar_lists_the_closest_articles_and_follows_them(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_when_ready(pilot, app, "leaf")
        await wait_for(pilot, lambda: bool(_similar(view)), timeout=5)
        titles = [item.link.title for item in _similar(view)]
        assert titles[0] == "Photosynthesis in algae"
        assert "Photosynthesis in leaves" not in titles  # never itself
        _similar(view)[0].focus()
        await pilot.press("enter")
        await wait_for(pilot, shows(app, "algae"))
        await settle(pilot, app)
        # The next article's own similar ones replace them.
        await wait_for(
            pilot,
            lambda: [i.link.title for i in _similar(view)][:1] == ["Photosynthesis in leaves"],
        )


async def test_an_article_like_no_other_shows_no_similar_section(tmp_path):
    app = ReaderApp(_library(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_when_ready(pilot, app, "rome")
        await pilot.pause(0.5)
        await settle(pilot, app)
        assert _similar(article_view(app)) == []


async def test_similar_leaves_out_what_related_already_lists(tmp_path):
    root = _library(tmp_path)
    write_article(root, "a/leaf.md", id="leaf", url="/leaf", title=TOPICS["leaf"][0],
                  answer=TOPICS["leaf"][1], subject="A",
                  related_article1={"id": "algae", "title": TOPICS["algae"][0],
                                    "subject": "A", "url": "/algae"})  # fmt: skip
    app = ReaderApp(root)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_when_ready(pilot, app, "leaf")
        await pilot.pause(0.5)
        await settle(pilot, app)
        related = [i.link.title for i in view.query_one("#links-related").query(LinkItem)]
        assert "Photosynthesis in algae" in related
        assert "Photosynthesis in algae" not in [i.link.title for i in _similar(view)]
