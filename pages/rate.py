"""Rate page: a person rates movies, the model folds them in and suggests what to watch next."""

from __future__ import annotations

import streamlit as st

from movierec.errors import MovieRecError
from movierec.model.artifacts import TrainedModel
from movierec.profiles.store import ProfileStore
from movierec.suggest.recommend import fold_in
from movierec.ui import rate_profile_tools, rate_suggest, rate_tabs, rate_widgets
from movierec.ui.rate_state import pick_profile, plain, profile_store, show_messages
from movierec.ui.shell import require_shell
from movierec.ui.state import active_dataset, active_model


@st.fragment(key=rate_widgets.RATING_AREA)
def rating_area(model: TrainedModel, store: ProfileStore, profile: str) -> None:
    """Everything a rating changes: a rating, a filter or a tab reruns only this part of the page, so neither
    the server nor the browser redraws the sidebar, the title and the profile picker for it (a search reruns
    only its own hits)."""
    show_messages()  # a callback's error or notice, shown by the rerun that follows it
    dataset = active_dataset()
    scale = model.rating_scale
    try:
        ratings = store.ratings(profile)
        skipped = store.skipped(profile)
    except MovieRecError as exc:
        st.error(str(exc))
        return
    # Ratings made under another dataset's scale stay in the profile but cannot be folded into this model.
    usable = {movie_id: r for movie_id, r in ratings.items() if scale.problem(r, on_step=False) is None}
    fold = fold_in(model, usable)

    links = dataset.links  # each movie's IMDb or TMDB page, where the release lists one
    in_strip = rate_widgets.onboarding(model, store, profile, scale, ratings, skipped, links)
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.subheader("Find and rate")
        rate_widgets.find_and_rate(model, store, profile, scale, ratings, links)
    with right:
        st.subheader(f"Suggestions for {plain(profile)}")
        order = rate_suggest.suggestion_order(model)
        # A movie waiting in the (unfolded) strip above is not suggested too; skipped and dismissed ones never are.
        rate_suggest.suggestions(model, store, profile, ratings, fold, order, {*skipped, *in_strip}, links)
        unscored = len(ratings) - len(fold.used)
        if unscored:
            st.caption(
                f"{unscored} of your ratings are not scored by this model (movies it does not know, or another rating scale)."
            )

    # Only the open tab runs: the others would cost every rerun a rating makes (at a large release's size,
    # finding the held-out part for "Browse as a dataset user" alone takes over a second).
    yours, similar, demo, tools = st.tabs(
        ["Your ratings vs the model", "More like this", "Browse as a dataset user", "Import, export, clear"],
        key="rate_tab",
        on_change="rerun",
    )
    if yours.open:
        with yours:
            rate_tabs.your_ratings(model, dataset, ratings, fold)
            rate_tabs.change_rating(model, dataset, store, profile, ratings)
    if similar.open:
        with similar:
            rate_tabs.more_like_this(model, ratings, order, links)
    if demo.open:
        with demo:
            rate_tabs.dataset_user(model, dataset, order)
    if tools.open:
        with tools:
            rate_profile_tools.profile_tools(model, dataset, store, profile, ratings, skipped)


require_shell("pages/rate.py")
st.title("Rate movies")
st.write(
    "Rate movies you know and the model places you among its users (without retraining) to predict what "
    "you would think of everything else. Ratings are saved under your profile on this machine."
)
model = active_model()
if model is None:
    st.info(
        "There is no trained model for this dataset yet. Train one first (well under a minute with the default settings), then come back."
    )
    st.page_link("pages/train.py", label="Go to the Train page", icon="🏋️")
    st.stop()

store = profile_store()
if store is None:
    st.stop()
profile = pick_profile(store)
if profile is None:
    st.stop()


rating_area(model, store, profile)
