"""Rate page suggestions: the order switch and what it means, the filters (active ones shown when folded) and
the suggestions as cards that can be rated or dismissed where they are shown."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
import streamlit as st

from movierec.data import RatingScale
from movierec.data.links import MovieLinks
from movierec.model.artifacts import TrainedModel
from movierec.profiles.store import ProfileStore
from movierec.suggest.recommend import DEFAULT_MIN_RATINGS, Filters, FoldIn, recommend
from movierec.ui.choices import offered
from movierec.ui.keys import forget, kept, remember, remembered
from movierec.ui.rate_state import plain, report
from movierec.ui.rate_widgets import link_suffix, rating_slider

ORDER_LABELS = {"ranking": "Likely to watch and enjoy", "rating": "Highest predicted rating"}
ORDER_NOTES = {
    "ranking": "Ordered by what people who rated like you went on to watch, weighed with how well the genres "
    "match yours and with your predicted rating, so the stars are not in order: a movie you are likely to "
    "watch can come before one the network expects you to rate higher.",
    "rating": "Ordered by your predicted rating, highest first; each reason names the movie you rated highly "
    "that lies nearest to it in the network's embedding space.",
}
FILTER_KEYS = ("rate_include", "rate_exclude", "rate_years", "rate_min_ratings")
TOP_N_KEY = "rate_top_n"
FILTERS_BOX_KEY = "rate_filters_box"  # the folded Filters box: its widgets are drawn only while it is open
FILTERS_OWNER = "rate_filters_model"  # the model the filter values were chosen for
DEFAULT_TOP_N = 10


def suggestion_order(model: TrainedModel) -> str:
    """The order switch: the ranker (default) or the predicted rating alone; models without a ranker have only the latter."""
    if model.ranker is None:
        st.caption(
            "Ordered by predicted rating: this model was saved without a suggestion ranker (train a new one to get it)."
        )
        return "rating"
    order = st.radio(
        "Order by",
        list(ORDER_LABELS),
        format_func=ORDER_LABELS.get,
        horizontal=True,
        key="rate_order",
        help="Likely to watch and enjoy: what people with your ratings went on to watch, weighed with your predicted "
        "rating. Highest predicted rating: the stars the network expects, which favours little-seen films.",
    )
    return offered(order, ORDER_LABELS, "ranking")


def _bounds(model: TrainedModel) -> tuple[list[str], int, int, int]:
    """The model's genres, its year range and the most ratings a movie has."""
    movies = model.movies
    genres = sorted({g for listed in movies["genres"] for g in listed})
    years = movies["year"].dropna()
    low, high = (int(years.min()), int(years.max())) if len(years) else (1900, 2030)
    return genres, low, high, int(movies["n_ratings"].max())


def fit_filters_to(model: TrainedModel, bounds: tuple[list[str], int, int, int]) -> None:
    """On a switch to another model (or dataset), drop the filter values that do not fit its ``bounds``.

    Genres it lacks are removed, a year range or rating count outside its own goes back to the default.
    """
    owner = (model.name, model.created)
    if st.session_state.get(FILTERS_OWNER) == owner:
        return
    st.session_state[FILTERS_OWNER] = owner
    genres, low, high, most = bounds
    for key in ("rate_include", "rate_exclude"):
        chosen = remembered(key)
        if isinstance(chosen, list):
            st.session_state[kept(key)] = [g for g in chosen if g in genres]
    years = remembered("rate_years")
    if isinstance(years, tuple) and not (low <= years[0] and years[1] <= high):
        forget("rate_years")
    minimum = remembered("rate_min_ratings")
    if isinstance(minimum, int) and minimum > most:
        forget("rate_min_ratings")


def filter_values(bounds: tuple[list[str], int, int, int]) -> dict[str, Any]:
    """The filters as the person last set them, else their defaults: any genre, any year, at least 10 ratings
    and 10 suggestions.

    The values are kept under the widgets' shadow keys (see :mod:`movierec.ui.keys`), since Streamlit forgets
    a widget's own while its box is folded.
    """
    _, low, high, most = bounds
    defaults = {
        "rate_include": [],
        "rate_exclude": [],
        "rate_years": (low, high),
        "rate_min_ratings": min(DEFAULT_MIN_RATINGS, most),
        TOP_N_KEY: DEFAULT_TOP_N,
    }
    values = {key: remembered(key) for key in defaults}
    return {key: default if values[key] is None else values[key] for key, default in defaults.items()}


def active_filters(bounds: tuple[list[str], int, int, int], values: dict[str, Any]) -> int:
    """How many filters narrow the list now."""
    _, low, high, most = bounds
    years = values["rate_years"]
    return (
        bool(values["rate_include"])
        + bool(values["rate_exclude"])
        + bool(years[0] > low or years[1] < high)
        + (values["rate_min_ratings"] != min(DEFAULT_MIN_RATINGS, most))
    )


def _reset_filters() -> None:
    forget(*FILTER_KEYS)


def _kept(key: str) -> dict[str, Any]:
    """A filter widget's key, with the callback that keeps each change under its shadow key."""
    return {"key": key, "on_change": remember, "args": (key,)}


def _filter_widgets(bounds: tuple[list[str], int, int, int], values: dict[str, Any]) -> None:
    """The filters' widgets, showing ``values``; each change is kept under the widget's shadow key."""
    for key, value in values.items():
        st.session_state[key] = value
    genres, low, high, most = bounds
    left, right = st.columns(2)
    left.multiselect("Only these genres", genres, **_kept("rate_include"))
    right.multiselect("Never these genres", genres, **_kept("rate_exclude"))
    if low < high:
        st.slider("Release years", low, high, **_kept("rate_years"))
    left, right = st.columns(2)
    left.number_input(
        "At least this many ratings",
        0,
        most,
        help="Movies rated by only a few people have unreliable embeddings; this keeps them out.",
        **_kept("rate_min_ratings"),
    )
    right.slider("How many", 5, 50, step=5, **_kept(TOP_N_KEY))


def suggestion_filters(model: TrainedModel) -> tuple[Filters, int]:
    """The filters, folded, with a reset that names how many are on; returns the filters and how many
    suggestions to show.

    The widgets are drawn only while the box is open: a rating's rerun would redraw them all for nothing.
    """
    bounds = _bounds(model)  # once per run: it walks every movie's genres
    fit_filters_to(model, bounds)
    values = filter_values(bounds)
    # The header stays the same (a new header would be a new box, folded under the person's pointer); the
    # reset beside it names how many filters are on.
    box = st.expander("Filters", key=FILTERS_BOX_KEY, on_change="rerun")
    if box.open:
        with box:
            _filter_widgets(bounds, values)
    active = active_filters(bounds, values)
    if active:  # beside the folded header, so a filter left on is seen and undone in one click
        st.button(
            f"Reset {'the filter' if active == 1 else f'all {active} filters'}",
            key="rate_filters_reset",
            on_click=_reset_filters,
            type="tertiary",
            icon=":material/filter_alt_off:",
            help="Back to every genre, every year and movies with at least 10 ratings.",
        )
    _, low, high, _ = bounds
    chosen = values["rate_years"]
    # A full range means "any year", so movies without a year are not dropped.
    year_min = chosen[0] if chosen[0] > low else None
    year_max = chosen[1] if chosen[1] < high else None
    filters = Filters(
        frozenset(values["rate_include"]),
        frozenset(values["rate_exclude"]),
        year_min,
        year_max,
        int(values["rate_min_ratings"]),
    )
    return filters, int(values[TOP_N_KEY])


def _card(
    row: pd.Series, rank: int, links: MovieLinks, store: ProfileStore, profile: str, scale: RatingScale, ratings: dict
) -> None:
    """One suggestion: the full title (a link where the release has one), why it is here, a slider and a dismiss."""
    movie_id = int(row["movie_id"])
    url = links.url(movie_id)
    title = f"[{plain(row['title'])}]({url})" if url else plain(row["title"])
    genres = ", ".join(row["genres"]) or "no genres listed"
    with st.container(border=True, key=f"rate_card_{movie_id}"):
        st.markdown(f"**{rank}. {title}**")
        st.caption(
            f"{row['predicted']:.1f}★ predicted for you · {plain(genres)} · {int(row['n_ratings']):,} ratings"
            + link_suffix(url)
        )
        st.markdown(f"**Why:** {plain(row['because'] or 'popular and well rated')}")
        rating_slider(store, profile, scale, row, ratings, "suggest", label="Your rating", details=False)
        st.button(
            "Not interested",
            key=f"rate_dismiss_{movie_id}",
            on_click=report,
            args=(store.skip, profile, movie_id, "not_interested"),
            type="tertiary",
            help="Dismiss this suggestion: it is not suggested again (Import, export, clear brings it back).",
        )


def suggestions(
    model: TrainedModel,
    store: ProfileStore,
    profile: str,
    ratings: dict[int, float],
    fold: FoldIn,
    order: str,
    exclude: Collection[int],
    links: MovieLinks,
) -> None:
    """The suggestions panel: filters, what the order means, then a card per suggestion (rated or ``exclude``d
    movies never appear)."""
    filters, top_n = suggestion_filters(model)
    result = recommend(model, ratings, top_n=top_n, filters=filters, fold=fold, order=order, exclude=exclude)
    if result.popular:
        st.info(
            "You have not rated any movie this model knows yet, so these are popular, well-rated movies. Rate a few to make them yours."
        )
    else:
        st.caption(ORDER_NOTES[order if model.ranker is not None else "rating"])
    if result.table.empty:
        st.warning("No movie passes these filters; widen them.")
        return
    table = result.table
    with st.container(key="rate_suggest_grid"):
        for start in range(0, len(table), 2):
            for offset, cell in enumerate(st.columns(2)):
                if start + offset < len(table):
                    with cell:
                        row = table.iloc[start + offset]
                        _card(row, start + offset + 1, links, store, profile, model.rating_scale, ratings)
