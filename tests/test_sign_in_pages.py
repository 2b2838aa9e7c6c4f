"""Sign-in in AppTest: with ``[auth]`` set up, every page shows only the prompt until a person signs in.

The real identity-provider path (two people, two browsers, sign-out) is in test_browser_signin.py.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from movierec import paths
from movierec.profiles.store import ProfileStore
from movierec.ui.keys import PROFILE_KEY
from tests.app_support import APP, problems
from tests.factories import TINY, filed_as_bundled, planted_dataset, tiny_model

PAGES = ["pages/overview.py", "pages/train.py", "pages/rate.py", "pages/embeddings.py", "pages/models.py"]
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-long-enough-cookie-secret",
    "client_id": "movierec",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


ANN = {"is_logged_in": True, "sub": "ann", "email": "ann@example.com"}
BOB = {"is_logged_in": True, "sub": "bob"}


def _app(user: dict, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = user
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not problems(at)
    return at


def _everything_shown(at: AppTest) -> list[str]:
    """Labels and texts of what the run drew, the sidebar included."""
    shown = [w.label for kind in ("button", "selectbox", "text_input", "file_uploader") for w in at.get(kind)]
    return shown + [m.value for kind in ("title", "markdown", "caption", "info", "metric") for m in at.get(kind)]


@pytest.mark.parametrize("page", [None, *PAGES])
def test_a_visitor_who_has_not_signed_in_sees_only_the_prompt(page):
    # AppTest opens a page by its script path, which only a signed-in run registers: sign in, open the page,
    # then run it as a visitor who is not signed in (the browser test opens each page's address directly).
    at = _app(ANN, page)
    at.user = {"is_logged_in": False}
    at.run()
    assert not problems(at)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.sidebar.children  # no dataset or model picker, no download, folder or upload panel
    assert not at.get("plotly_chart") and not at.metric and not at.selectbox and not at.slider
    assert [t.value for t in at.title] == ["movierec"]
    assert any("sign in" in i.value.lower() for i in at.info)
    assert not any(text in " ".join(_everything_shown(at)) for text in ("Dataset", "Train", "Rate movies", "PCA"))


def test_a_signed_in_person_gets_the_pages_the_sidebar_and_a_sign_out_button():
    at = _app(ANN, "pages/train.py")
    assert any(box.label == "Dataset" for box in at.sidebar.selectbox)
    assert any("Signed in as ann@example.com" in c.value.replace("\\", "") for c in at.sidebar.caption)
    assert [t.value for t in at.title] == ["Train"]
    at.button(key="sign_out").click().run()
    assert not problems(at)
    assert at.user.get("is_logged_in") is False
    assert [b.label for b in at.button] == ["Sign in"]
    assert not any(box.label == "Dataset" for box in at.selectbox)


def test_without_sign_in_set_up_nothing_asks_to_sign_in():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not problems(at)
    assert not any(b.label in ("Sign in", "Sign out") for b in at.button)
    assert any(box.label == "Dataset" for box in at.sidebar.selectbox)


def _create_profile(user: dict, name: str, movie_id: int) -> None:
    """Create ``name`` on the Rate page as ``user`` and give it one rating (in that person's own database)."""
    before = set(paths.subdir("profiles").glob("person-*.sqlite3"))
    at = _app(user, "pages/rate.py")
    at.text_input(key="rate_new_profile").input(name)
    at.button(key="rate_create").click().run()
    assert not problems(at) and at.session_state[PROFILE_KEY] == name
    (database,) = set(paths.subdir("profiles").glob("person-*.sqlite3")) - before
    ProfileStore(database).set_rating(name, movie_id, 4.0)


def test_the_embeddings_map_rings_only_a_profile_of_the_signed_in_person():
    model = filed_as_bundled(tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=1)))
    model.save("tiny-signin")
    movie_id = int(model.movies["movie_id"].iloc[0])
    _create_profile(ANN, "Ann", movie_id)
    _create_profile(BOB, "Bob", movie_id)

    at = _app(BOB, "pages/embeddings.py")
    at.session_state[PROFILE_KEY] = "Ann"  # Ann's profile name, left in or typed into Bob's session
    at.run()
    assert not problems(at)
    assert not any("rated by" in box.label for box in at.checkbox)
    at.session_state[PROFILE_KEY] = "Bob"
    at.run()
    assert [box.label for box in at.checkbox if "rated by" in box.label] == ["Ring the 1 movies rated by Bob"]
