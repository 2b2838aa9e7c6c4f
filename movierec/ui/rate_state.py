"""Rate page state: the profile store, the chosen profile, cached search indexes and errors from callbacks."""
from __future__ import annotations

import re

import streamlit as st

from movierec.artifacts import TrainedModel
from movierec.data import RatingScale
from movierec.errors import MovieRecError
from movierec.profiles import ProfileStore
from movierec.search import TitleSearch

PROFILE_KEY = "profile_name"  # read by the Embeddings page too: the active profile's name
PICKER_KEY = "rate_profile_pick"
ERROR_KEY = "rate_error"
NOTICE_KEY = "rate_notice"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: object) -> str:
    """``text`` escaped so that Markdown (and Streamlit's :colour[] / :emoji: syntax) shows it literally."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def profile_store() -> ProfileStore | None:
    """The profile database, or None after showing why it cannot be used."""
    try:
        return ProfileStore()
    except MovieRecError as exc:
        st.error(str(exc))
        return None


def report(action, *args) -> None:  # noqa: ANN001 - any store call
    """Run ``action(*args)`` from a widget callback; a :class:`MovieRecError` is shown on the next run."""
    try:
        action(*args)
    except MovieRecError as exc:
        st.session_state[ERROR_KEY] = str(exc)


def show_messages() -> None:
    """Show (once) the error or notice left by a callback."""
    error, notice = st.session_state.pop(ERROR_KEY, None), st.session_state.pop(NOTICE_KEY, None)
    if error:
        st.error(error)
    if notice:
        st.success(notice)


def _picked() -> None:
    st.session_state[PROFILE_KEY] = st.session_state[PICKER_KEY]


def _create(store: ProfileStore) -> None:
    try:
        st.session_state[PROFILE_KEY] = store.create(st.session_state.get("rate_new_profile", ""))
        st.session_state["rate_new_profile"] = ""
    except MovieRecError as exc:
        st.session_state[ERROR_KEY] = str(exc)


def pick_profile(store: ProfileStore) -> str | None:
    """Draw the profile picker and creator; the chosen name lives in ``st.session_state["profile_name"]``."""
    names = store.list_profiles()
    if st.session_state.get(PROFILE_KEY) not in names:
        st.session_state[PROFILE_KEY] = names[0] if names else None
    pick, new, create = st.columns([3, 3, 1], vertical_alignment="bottom")
    new.text_input("New profile", key="rate_new_profile", placeholder="a name, e.g. Alex", max_chars=80)
    create.button("Create", key="rate_create", on_click=_create, args=(store,), width="stretch")
    if names:
        # The widget state is re-synced from PROFILE_KEY every run: widget keys vanish on other pages.
        st.session_state[PICKER_KEY] = st.session_state[PROFILE_KEY]
        pick.selectbox("Profile", names, key=PICKER_KEY, on_change=_picked, help="Whose ratings to use. Stored on this machine.")
    else:
        pick.info("Create a profile to start rating: your ratings are kept under its name.")
    show_messages()
    return st.session_state[PROFILE_KEY]


@st.cache_resource(show_spinner=False, max_entries=4)
def _title_search(name: str | None, created: str, fingerprint: str, _model: TrainedModel) -> TitleSearch:
    return TitleSearch(_model.movies)


def title_search(model: TrainedModel) -> TitleSearch:
    """The title index of ``model``'s movies, built once per model."""
    return _title_search(model.name, model.created, model.fingerprint, model)


def scale_of(model: TrainedModel) -> RatingScale:
    """The rating scale of the model (the one its dataset uses)."""
    return RatingScale(*model.scale)
