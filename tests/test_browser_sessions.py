"""Five browser sessions on one server at once: one training, two rating under their own profiles, one on
Embeddings, one on the Overview. No page shows an exception and nobody's ratings reach another profile."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Locator, Page, expect

from movierec.data import load_movielens
from movierec.profiles.store import ProfileStore
from tests.conftest import running_app
from tests.factories import TINY, tiny_model

pytestmark = pytest.mark.browser

RATERS = {"Ann": 0, "Ben": 2}  # profile -> key presses left from 5 stars on Toy Story (5 and 4 stars)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    home = tmp_path_factory.mktemp("five-sessions")
    model = tiny_model(load_movielens("ml-latest-small"), TINY.with_changes(batch_size=8192, epochs=2, patience=2))
    model.save("five-sessions", directory=home / "models")
    with running_app(home) as url:
        yield url, home


def _go(page, url: str, title: str, heading: str) -> None:
    page.goto(url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)


def _stored(home, profile: str) -> dict[int, float]:
    return ProfileStore(home / "profiles" / "profiles.sqlite3").ratings(profile)


def _rate_toy_story(page, home, profile: str, lefts: int) -> None:
    page.get_by_role("textbox", name="New profile").fill(profile)
    page.get_by_role("button", name="Create").click()
    page.get_by_role("heading", name=f"Suggestions for {profile}").wait_for()
    search = page.get_by_role("textbox", name="Search a title")
    search.fill("toy story 1995")
    search.press("Enter")
    slider = (
        page.locator(".st-key-rate_search_grid")
        .get_by_test_id("stSlider")
        .filter(has_text="Toy Story (1995)")
        .get_by_role("slider")
    )
    slider.wait_for()
    page.wait_for_timeout(500)
    slider.press("End")
    for step in range(lefts + 1):
        wanted = 5.0 - step / 2
        deadline = time.monotonic() + 20
        while _stored(home, profile).get(1) != wanted and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert _stored(home, profile).get(1) == wanted, f"{profile}: {_stored(home, profile)}"
        if step < lefts:
            slider.press("ArrowLeft")


def test_five_sessions_at_once_without_exceptions_or_cross_talk(browser, shared_app, screenshots):
    url, home = shared_app
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(5)]
    train, ann, ben, embeddings, overview = pages = [context.new_page() for context in contexts]
    try:
        for page in pages:
            page.set_default_timeout(60_000)
        _go(train, url, "Train", "Train")
        for label, value in (
            ("Embedding factors", "16"),
            ("Batch size", "2048"),
            ("Maximum epochs", "80"),
            ("Patience (epochs)", "80"),
        ):
            field = train.get_by_role("spinbutton", name=label, exact=True)
            field.fill(value)
            field.press("Enter")
        train.wait_for_timeout(500)
        train.get_by_role("button", name="Start training").click()
        _stop_button(train).wait_for()
        # While it trains: the two raters, the map and the overview, each in its own session.
        _go(embeddings, url, "Embeddings", "Embeddings")
        _go(overview, url, "Overview", "Dataset: ml-latest-small")
        for page in (ann, ben):
            _go(page, url, "Rate", "Rate movies")
            expect(page.get_by_role("combobox", name="Profile")).to_have_count(0)  # no profile yet: none chosen
        for page, profile in ((ann, "Ann"), (ben, "Ben")):
            _rate_toy_story(page, home, profile, RATERS[profile])
        embeddings.locator(".js-plotly-plot").first.wait_for()
        overview.reload()
        overview.get_by_role("heading", name="Dataset: ml-latest-small").wait_for()
        ann.reload()
        ann.get_by_role("heading", name="Suggestions for Ann").wait_for()  # the reload keeps this tab's profile
        ann.get_by_text("1 rated ·").wait_for()
        for page, name in zip(pages, ("train", "ann", "ben", "embeddings", "overview"), strict=True):
            page.screenshot(path=screenshots / f"five-sessions-{name}.png", full_page=True)
        assert _stored(home, "Ann") == {1: 5.0} and _stored(home, "Ben") == {1: 4.0}
        expect(ben.get_by_role("heading", name="Suggestions for Ben")).to_be_visible()
        expect(_stop_button(train)).to_be_visible()  # still training, in its own session
        for page in pages:
            assert page.locator('[data-testid="stException"]').count() == 0
        _stop_button(train).click()
    finally:
        for context in contexts:
            context.close()


def _stop_button(page: Page) -> Locator:
    """The page's own Stop button (Streamlit's toolbar shows another while a script runs)."""
    return page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop", exact=True)
