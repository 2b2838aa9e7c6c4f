"""Rate page state: the profile store, the chosen profile, cached search indexes and errors from callbacks.

Without sign-in, everyone using the server shares one profile database (the page says so). With Streamlit's
sign-in configured (an ``[auth]`` section in ``.streamlit/secrets.toml``), each signed-in person gets a
database of their own, so they see and change only their own profiles.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from movierec import paths
from movierec.data.search import TitleSearch
from movierec.errors import MovieRecError
from movierec.model.artifacts import TrainedModel
from movierec.profiles.store import ProfileStore
from movierec.ui import cache
from movierec.ui.keys import NEW_PROFILE_KEY, PROFILE_KEY, PROFILE_PICKER_KEY, RATE_ERROR_KEY, RATE_NOTICE_KEY
from movierec.ui.text import plain

QUERY_KEY = "profile"  # the address names the chosen profile, so a reload of this tab finds it again


def sign_in_configured() -> bool:
    """Whether ``secrets.toml`` sets up Streamlit's sign-in (an ``[auth]`` section)."""
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def person_key() -> str | None:
    """A stable key for the signed-in person (from the identity provider's subject or e-mail), else None."""
    if not sign_in_configured() or not st.user.is_logged_in:
        return None
    identity = str(st.user.get("sub") or st.user.get("email") or "")
    return hashlib.sha256(identity.encode()).hexdigest()[:24] if identity else None


def own_store() -> ProfileStore | None:
    """This person's profile database, drawing nothing: the shared one without sign-in, their own when signed
    in, None when sign-in is set up but they have not signed in."""
    if not sign_in_configured():
        return ProfileStore()
    key = person_key()
    return None if key is None else ProfileStore(paths.subdir("profiles") / f"person-{key}.sqlite3")


def profile_store() -> ProfileStore | None:
    """This person's profile database, or None after showing why there is none (not signed in, unusable file)."""
    try:
        if not sign_in_configured():
            st.caption(
                "Sign-in is not set up on this server, so everyone using it shares these profiles: "
                "pick only your own. The README says how to give each person their own."
            )
            return ProfileStore()
        key = person_key()
        if key is None:
            st.info("Sign in to see and change your own profiles; other people's stay private to them.")
            st.button("Sign in", key="rate_sign_in", on_click=st.login)
            return None
        st.caption(
            f"Signed in as {plain(st.user.get('email') or st.user.get('name') or 'you')}: only you see these profiles."
        )
        return own_store()
    except MovieRecError as exc:
        st.error(str(exc))
        return None


def report(action, *args) -> None:
    """Run ``action(*args)`` from a widget callback; a :class:`MovieRecError` is shown on the next run."""
    try:
        action(*args)
    except MovieRecError as exc:
        st.session_state[RATE_ERROR_KEY] = str(exc)


def show_messages() -> None:
    """Show (once) the error or notice left by a callback."""
    error, notice = st.session_state.pop(RATE_ERROR_KEY, None), st.session_state.pop(RATE_NOTICE_KEY, None)
    if error:
        st.error(error)
    if notice:
        st.success(notice)


def _choose(name: str | None) -> None:
    st.session_state[PROFILE_KEY] = name
    if name is None:
        st.query_params.pop(QUERY_KEY, None)
    else:
        st.query_params[QUERY_KEY] = name


def _picked() -> None:
    _choose(st.session_state[PROFILE_PICKER_KEY])


def _create(store: ProfileStore) -> None:
    try:
        _choose(store.create(st.session_state.get(NEW_PROFILE_KEY, "")))
        st.session_state[NEW_PROFILE_KEY] = ""
    except MovieRecError as exc:
        st.session_state[RATE_ERROR_KEY] = str(exc)


def pick_profile(store: ProfileStore) -> str | None:
    """Draw the profile picker and creator; the chosen name lives in ``st.session_state[PROFILE_KEY]``.

    A new browser session starts with no profile (only this tab's own address may name one): the person
    picks or creates theirs, so nobody lands in someone else's ratings.
    """
    names = store.list_profiles()
    if PROFILE_KEY not in st.session_state:
        st.session_state[PROFILE_KEY] = st.query_params.get(QUERY_KEY)
    if st.session_state[PROFILE_KEY] not in names:
        st.session_state[PROFILE_KEY] = None
    if st.session_state[PROFILE_KEY] is not None and st.query_params.get(QUERY_KEY) != st.session_state[PROFILE_KEY]:
        st.query_params[QUERY_KEY] = st.session_state[PROFILE_KEY]  # page switches clear the address
    pick, new, create = st.columns([3, 3, 1], vertical_alignment="bottom")
    new.text_input("New profile", key=NEW_PROFILE_KEY, placeholder="a name, e.g. Alex", max_chars=80)
    create.button("Create", key="rate_create", on_click=_create, args=(store,), width="stretch")
    if names:
        # The widget state is re-synced from PROFILE_KEY every run: widget keys vanish on other pages.
        st.session_state[PROFILE_PICKER_KEY] = st.session_state[PROFILE_KEY]
        pick.selectbox(
            "Profile",
            names,
            key=PROFILE_PICKER_KEY,
            on_change=_picked,
            index=None,
            placeholder="Choose your profile",
            help="Whose ratings to use. Stored on this machine.",
        )
    else:
        pick.info("Create a profile to start rating: your ratings are kept under its name.")
    show_messages()
    if names and st.session_state[PROFILE_KEY] is None:
        st.info("Choose your profile, or create one. A new visit never opens anyone's profile by itself.")
    return st.session_state[PROFILE_KEY]


def _restore(store: ProfileStore, profile: str) -> None:
    try:
        st.session_state[RATE_NOTICE_KEY] = f"Restored {store.restore(profile)} cleared ratings."
    except MovieRecError as exc:
        st.session_state[RATE_ERROR_KEY] = str(exc)


def undo_clear(store: ProfileStore, profile: str) -> None:
    """A button that brings back the ratings the last Clear set aside (shown only when there are some)."""
    count = store.cleared_count(profile)
    if count:
        st.button(
            f"Undo clear: restore {count} ratings", key="rate_undo_clear", on_click=_restore, args=(store, profile)
        )


@st.cache_resource(show_spinner=False, max_entries=4)
def _title_search(key: cache.ModelKey, _model: TrainedModel) -> TitleSearch:
    return TitleSearch(_model.movies)


def title_search(model: TrainedModel) -> TitleSearch:
    """The title index of ``model``'s movies, built once per model."""
    return _title_search(cache.model_key(model), model)
