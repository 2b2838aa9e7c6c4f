"""The Rate page in Debian's Chromium: create a profile, search and rate five movies, suggestions, reload."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from movierec.data import load_movielens
from movierec.profiles.store import ProfileStore
from tests.conftest import SCREENSHOTS
from tests.factories import TINY, tiny_model

pytestmark = pytest.mark.browser

PROFILE = "Browser <i>tester</i>"
# (query, title as listed, movie id, key presses left from 5 stars): 5, 4.5, 4, 1.5 and 3 stars.
MOVIES = (
    ("toy story 1995", "Toy Story (1995)", 1, 0),
    ("amelie", "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", 4973, 1),
    ("matrix 1999", "Matrix, The (1999)", 2571, 2),
    ("godfather 1972", "Godfather, The (1972)", 858, 7),
    ("FORREST gump", "Forrest Gump (1994)", 356, 4),
)


@pytest.fixture(scope="module")
def rate_model(app_home):
    """A quickly trained model of the bundled data, saved where the live app looks for models."""
    model = tiny_model(load_movielens("ml-latest-small"), TINY.with_changes(batch_size=8192, epochs=2, patience=2))
    model.save("rate-browser", directory=app_home / "models")
    return model


def _no_traceback(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def _stored(app_home) -> dict[int, float]:
    return ProfileStore(app_home / "profiles" / "profiles.sqlite3").ratings(PROFILE)


def _wait_stored(page, app_home, movie_id: int, wanted: float, title: str) -> None:
    deadline = time.monotonic() + 15
    while _stored(app_home).get(movie_id) != wanted and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    if _stored(app_home).get(movie_id) != wanted:
        page.screenshot(path=SCREENSHOTS / f"rate-failed-{movie_id}.png", full_page=True)
        raise AssertionError(f"{title}: stored {_stored(app_home).get(movie_id)}, wanted {wanted}")


def _rate(page, app_home, query: str, title: str, movie_id: int, lefts: int) -> None:
    search = page.get_by_role("textbox", name="Search a title")
    search.fill(query)
    search.press("Enter")
    results = page.locator(".st-key-rate_search_grid")
    slider = results.get_by_test_id("stSlider").filter(has_text=title).get_by_role("slider")
    slider.wait_for()
    page.wait_for_timeout(500)  # let the search's rerun finish so the key presses land on the final slider
    slider.press("End")
    _wait_stored(page, app_home, movie_id, 5.0, title)
    # One step at a time, as a person would: each change saves and reruns the page.
    for step in range(1, lefts + 1):
        slider.press("ArrowLeft")
        _wait_stored(page, app_home, movie_id, 5.0 - step / 2, title)
    expect(page.get_by_text(f"{len(_stored(app_home))} rated ·")).to_be_visible()
    page.wait_for_timeout(500)  # the rerun after the last change redraws the page before the next search


def _open_rate(page, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Rate").click()
    page.get_by_role("heading", name="Rate movies").wait_for(timeout=60_000)


def test_rate_five_movies_see_reasons_and_find_them_after_reload(page, app_url, app_home, rate_model, screenshots):
    _open_rate(page, app_url)
    name = page.get_by_role("textbox", name="New profile")
    name.fill(PROFILE)
    page.get_by_role("button", name="Create").click()
    page.get_by_role("heading", name=f"Suggestions for {PROFILE}").wait_for()
    expect(page.get_by_text("these are popular, well-rated movies")).to_be_visible()
    page.screenshot(path=screenshots / "rate-new-profile.png", full_page=True)

    for query, title, movie_id, lefts in MOVIES:
        _rate(page, app_home, query, title, movie_id, lefts)
    _no_traceback(page)
    assert _stored(app_home) == {movie_id: 5.0 - lefts / 2 for _, _, movie_id, lefts in MOVIES}
    page.get_by_text("5 rated ·").wait_for()
    cards = page.locator(".st-key-rate_suggest_grid")
    expect(cards.get_by_text(re.compile("^Why:")).first).to_be_visible()
    expect(cards.get_by_text(re.compile("^Why:"))).to_have_count(10)
    expect(page.get_by_text("these are popular, well-rated movies")).to_have_count(0)
    page.screenshot(path=screenshots / "rate-five-rated.png", full_page=True)

    page.reload()
    page.get_by_role("heading", name="Rate movies").wait_for(timeout=60_000)
    expect(page.get_by_role("combobox", name="Profile")).to_have_value(PROFILE)
    page.get_by_text("5 rated ·").wait_for()
    page.get_by_role("tab", name="Your ratings vs the model").click()
    yours = page.get_by_test_id("stDataFrame").first
    for _, title, _, _ in MOVIES:
        expect(yours.locator("td", has_text=title).first).to_be_attached()
    _no_traceback(page)
    page.screenshot(path=screenshots / "rate-after-reload.png", full_page=True)


def _suggested_titles(page) -> list[str]:
    return page.locator(".st-key-rate_suggest_grid strong").all_inner_texts()


def test_the_order_switch_redraws_the_suggestions(page, app_url, app_home, rate_model, screenshots):
    (app_home / "profiles").mkdir(exist_ok=True)
    store = ProfileStore(app_home / "profiles" / "profiles.sqlite3")
    scale = load_movielens("ml-latest-small").scale
    store.create("Order switch")
    for movie_id, rating in ((1, 5.0), (2571, 4.5), (858, 4.0), (356, 1.5), (4973, 5.0)):
        store.set_rating("Order switch", movie_id, rating, scale)
    _open_rate(page, app_url)
    page.get_by_role("combobox", name="Profile").click()
    page.get_by_role("option", name="Order switch").click()
    page.get_by_role("heading", name="Suggestions for Order switch").wait_for()
    expect(page.get_by_role("radio", name="Likely to watch and enjoy")).to_be_checked()
    page.wait_for_timeout(1000)
    page.locator(".st-key-rate_suggest_grid").scroll_into_view_if_needed()
    by_ranking = _suggested_titles(page)
    page.screenshot(path=screenshots / "rate-order-ranking.png", full_page=True)

    page.get_by_text("Highest predicted rating", exact=True).click()
    expect(page.get_by_role("radio", name="Highest predicted rating")).to_be_checked()
    page.wait_for_timeout(1500)
    by_rating = _suggested_titles(page)
    page.screenshot(path=screenshots / "rate-order-rating.png", full_page=True)
    _no_traceback(page)
    assert len(by_ranking) >= 5 and len(by_rating) >= 5
    assert by_ranking != by_rating


LONG_TITLE_FANS = ((1, 5.0), (260, 5.0), (1196, 4.5), (858, 4.0), (356, 1.5))  # Star Wars IV and V among them


@pytest.mark.parametrize(("width", "scheme"), [(1024, "light"), (1024, "dark"), (390, "light"), (390, "dark")])
def test_full_titles_links_and_reasons_hold_at_laptop_and_phone_width(
    browser, app_url, app_home, rate_model, screenshots, width, scheme
):
    (app_home / "profiles").mkdir(exist_ok=True)
    store = ProfileStore(app_home / "profiles" / "profiles.sqlite3")
    name = f"Narrow {width} {scheme}"
    store.create(name)
    for movie_id, rating in LONG_TITLE_FANS:
        store.set_rating(name, movie_id, rating)
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{app_url}/rate?profile={quote(name)}")
        # A first visit loads the model and fits the person in: slow on a busy machine.
        page.get_by_role("heading", name=f"Suggestions for {name}").wait_for(timeout=300_000)
        cards = page.locator(".st-key-rate_suggest_grid")
        expect(cards.get_by_text(re.compile("^Why:"))).to_have_count(10)
        titles = cards.locator("strong a")
        expect(titles).to_have_count(10)  # every bundled movie has an IMDb id
        for index in range(10):
            link = titles.nth(index)
            assert re.fullmatch(r"https://www\.imdb\.com/title/tt\d{7,}/", link.get_attribute("href") or "")
            # The whole title is on screen: it wraps rather than being cut or running out of its card.
            assert re.search(r"\(\d{4}\)$", link.inner_text().strip())
            overflow = link.evaluate(
                "e => { const card = e.closest('[class*=st-key-rate_card_]'); return card.scrollWidth - card.clientWidth }"
            )
            assert overflow <= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing runs off the page
        _no_traceback(page)
        page.screenshot(path=screenshots / f"rate-{width}-{scheme}.png", full_page=True)
    finally:
        context.close()
