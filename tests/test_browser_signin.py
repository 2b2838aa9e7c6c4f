"""Sign-in with a real OpenID Connect provider, in Debian's Chromium.

The provider (oidc-provider-mock) and the app run on 127.0.0.1; the app reads a temporary ``secrets.toml``
through ``STREAMLIT_SECRETS_FILES`` (Streamlit's ``secrets.files`` option), so nothing is written into the
checkout. Two people sign in from two browser contexts; neither sees nor reaches the other's profiles, a
visitor who has not signed in sees only the prompt on every page, and signing out leaves nothing shown.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from movierec.profiles.store import ProfileStore
from tests.conftest import ROOT, running_app
from tests.factories import filed_as_bundled, planted_dataset, tiny_model
from tests.oidc_support import oidc_provider, sign_in, sign_out, write_secrets

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

# Each person rates a different number of movies, so a ring count or an export shows whose ratings they are.
# The movies are planted_dataset's (a quick model of them stands in for one of the bundled data).
PEOPLE = {
    "ann": ("Ann's list", {"comedy movie 2": ("Comedy Movie 2 (1982)", 2)}),
    "ben": (
        "Ben's list",
        {"drama movie 3": ("Drama Movie 3 (1983)", 3), "comedy movie 4": ("Comedy Movie 4 (1984)", 4)},
    ),
}
PAGE_ADDRESSES = ["", "overview", "train", "rate", "embeddings", "models", f"rate?profile={quote(PEOPLE['ann'][0])}"]
PROMPT = "This dashboard is shared with a team"


@pytest.fixture(scope="module")
def signin_app(tmp_path_factory):
    """The README's app command with sign-in set up against a provider on 127.0.0.1; yields (url, home)."""
    home = tmp_path_factory.mktemp("signin-home")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the provider's request log
    with oidc_provider() as issuer, pytest.MonkeyPatch.context() as env:
        env.setenv("MOVIEREC_HOME", str(home))
        filed_as_bundled(tiny_model(planted_dataset(name="ml-latest-small"))).save("signin-browser")
        secrets = write_secrets(tmp_path_factory.mktemp("signin-secrets"), issuer)
        env.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
        with running_app(home) as url:
            yield url, home
    assert not (ROOT / ".streamlit" / "secrets.toml").exists()


@pytest.fixture
def person_pages(new_context):
    """Two browser contexts (two people, no shared cookies), one tab each."""
    pages = [new_context().new_page() for _ in PEOPLE]
    for page in pages:
        page.set_default_timeout(60_000)
    return dict(zip(PEOPLE, pages, strict=True))


def _no_traceback(page: Page) -> None:
    assert page.get_by_test_id("stException").count() == 0


def _only_the_prompt(page: Page) -> None:
    """The page shows the sign-in prompt and nothing else: no sidebar, no menu, no page content."""
    page.get_by_role("button", name="Sign in").wait_for()
    page.wait_for_timeout(800)  # let the run end, in case anything were drawn after the prompt
    _no_traceback(page)
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    main = " ".join(page.get_by_test_id("stMain").inner_text().split())
    assert main.startswith("movierec " + PROMPT) and main.endswith("Sign in"), main
    assert len(main) < 200, main  # the title, one sentence and the button


def _open(page: Page, link: str, heading: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    page.get_by_role("heading", name=heading).first.wait_for()


def _create_and_rate(page: Page, profile: str, movies: dict[str, tuple[str, int]]) -> None:
    """Create ``profile`` on the Rate page and give each movie 5 stars, as a person would."""
    page.get_by_role("textbox", name="New profile").fill(profile)
    page.get_by_role("button", name="Create").click()
    page.get_by_role("heading", name=f"Suggestions for {profile}").wait_for()
    for count, (query, (title, _)) in enumerate(movies.items(), start=1):
        search = page.get_by_role("textbox", name="Search a title")
        search.fill(query)
        search.press("Enter")
        grid = page.locator(".st-key-rate_search_grid").get_by_test_id("stSlider").filter(has_text=title)
        slider = grid.get_by_role("slider")
        slider.wait_for()
        page.wait_for_timeout(500)  # the search's rerun ends before the key press lands on the final slider
        slider.press("End")
        page.get_by_text(f"{count} rated ·").wait_for()
        _settled(page)


def _settled(page: Page) -> None:
    """Wait until the app's current run has ended (a click during a rerun can land on a widget being replaced)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(state="attached")


def _profile_choices(page: Page) -> list[str]:
    for _ in range(5):  # a rerun that ends just after the click redraws the picker closed: open it again
        _settled(page)
        page.get_by_role("combobox", name="Profile").click()
        with contextlib.suppress(PlaywrightTimeout):
            page.get_by_role("option").first.wait_for(timeout=5_000)
            break
    options = [text.strip() for text in page.get_by_role("option").all_inner_texts()]
    # A click beside the list closes it (Escape would clear the choice; the open list hides the rest from roles).
    page.locator("h1").first.click()
    expect(page.get_by_role("option")).to_have_count(0)
    return options


def _exported(page: Page) -> str:
    _settled(page)
    page.get_by_role("tab", name="Import, export, clear").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export ratings (CSV)").click()
    return Path(download.value.path()).read_text()


def _ring_label(page: Page) -> str:
    _open(page, "Embeddings", "Movie embeddings")
    ring = page.get_by_test_id("stCheckbox").filter(has_text=re.compile("rated by"))
    ring.wait_for()
    return ring.inner_text().strip()


def _person_databases(home: Path) -> dict[str, dict[str, dict[int, float]]]:
    """Every per-person profile database under ``home``: file name -> profile -> ratings."""
    databases = {}
    for path in sorted((home / "profiles").glob("person-*.sqlite3")):
        store = ProfileStore(path)
        databases[path.name] = {name: store.ratings(name) for name in store.list_profiles()}
    return databases


def test_a_visitor_who_has_not_signed_in_sees_only_the_prompt_on_every_page(page, signin_app, screenshots):
    url, _ = signin_app
    for address in PAGE_ADDRESSES:
        page.goto(f"{url}/{address}")
        _only_the_prompt(page)
    page.screenshot(path=screenshots / "signin-prompt.png")


def test_two_people_see_and_reach_only_their_own_profiles_and_sign_out_clean(person_pages, signin_app, screenshots):
    url, home = signin_app
    for subject, page in person_pages.items():
        page.goto(url)
        sign_in(page, subject)
        _no_traceback(page)
        _open(page, "Rate", "Rate movies")
        profile, movies = PEOPLE[subject]
        page.get_by_text("Create a profile to start rating").wait_for()  # no profiles offered, not even the other's
        expect(page.get_by_role("combobox", name="Profile")).to_have_count(0)
        _create_and_rate(page, profile, movies)
        assert _profile_choices(page) == [profile]  # never the other person's
    ann, ben = person_pages["ann"], person_pages["ben"]
    ann.screenshot(path=screenshots / "signin-ann-rate.png", full_page=True)

    # Each database holds one person's profile with exactly their ratings; the shared one was never used.
    databases = _person_databases(home)
    assert sorted(databases.values(), key=str) == sorted(
        ({profile: {movie_id: 5.0 for _, movie_id in movies.values()}} for profile, movies in PEOPLE.values()), key=str
    )
    assert ProfileStore(home / "profiles" / "profiles.sqlite3").list_profiles() == []

    # The export holds the chooser's own ratings only.
    for subject, page in person_pages.items():
        header, *rows = csv.reader(io.StringIO(_exported(page)))
        assert header == ["movie_id", "rating", "title"]
        assert sorted((movie_id, rating) for movie_id, rating, _title in rows) == sorted(
            (str(movie_id), "5") for _, movie_id in PEOPLE[subject][1].values()
        )

    # The Embeddings map rings the signed-in person's own profile.
    assert _ring_label(ann) == "Ring the 1 movies rated by Ann's list"
    assert _ring_label(ben) == "Ring the 2 movies rated by Ben's list"
    expect(ben.get_by_text("Ann's list")).to_have_count(0)
    _no_traceback(ben)

    # Ben types the address of Ann's profile: it opens nothing (no profile chosen, no export, no ratings).
    ben.goto(f"{url}/rate?profile={quote(PEOPLE['ann'][0])}")
    ben.get_by_role("heading", name="Rate movies").wait_for()
    ben.get_by_text("Choose your profile, or create one").wait_for()
    expect(ben.get_by_role("combobox", name="Profile")).to_have_value("")
    expect(ben.get_by_text("Ann's list")).to_have_count(0)
    expect(ben.get_by_role("button", name="Export ratings (CSV)")).to_have_count(0)
    ben.screenshot(path=screenshots / "signin-ben-tries-ann.png", full_page=True)

    # Ann signs out: only the prompt, on every page and on the address of her own profile.
    ann.get_by_test_id("stSidebarNav").get_by_role("link", name="Rate").click()
    ann.get_by_role("heading", name="Suggestions for Ann's list").wait_for()
    sign_out(ann)
    _only_the_prompt(ann)
    assert "profile=" not in ann.url
    for address in PAGE_ADDRESSES:
        ann.goto(f"{url}/{address}")
        _only_the_prompt(ann)
    ann.go_back()
    _only_the_prompt(ann)
    ann.screenshot(path=screenshots / "signin-ann-signed-out.png")

    # Ben is still signed in, with his own profile, and Ann's ratings were not touched.
    ben.reload()
    ben.get_by_role("heading", name="Rate movies").wait_for()
    assert _profile_choices(ben) == ["Ben's list"]
    assert _person_databases(home) == databases
