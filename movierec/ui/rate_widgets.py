"""Rate page widgets: rating sliders, search, the onboarding strip and the suggestions with their filters."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from movierec.artifacts import TrainedModel
from movierec.data import RatingScale
from movierec.profiles import ProfileStore
from movierec.recommend import DEFAULT_MIN_RATINGS, Filters, FoldIn, most_rated, recommend
from movierec.ui.rate_state import plain, report, title_search

ONBOARDING_TARGET = 10  # ratings after which suggestions are personal enough to stop nudging
STRIP_SIZE = 8
SEARCH_LIMIT = 8
NOT_RATED = "–"  # the slider's leftmost stop; sliding back to it removes the rating
GENERATIONS = "rate_slider_generations"  # "<section>_<movie id>" -> times that slider was drawn afresh


def _stars(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:g} ★"


def _slider_key(section: str, movie_id: int) -> str:
    """The key of the slider that ``section`` draws for ``movie_id`` now (see :func:`rating_slider`)."""
    generation = st.session_state.get(GENERATIONS, {}).get(f"{section}_{movie_id}", 0)
    return f"rate_{section}_{movie_id}" + (f"_{generation}" if generation else "")


def _renew_slider_key(section: str, movie_id: int) -> str:
    name = f"{section}_{movie_id}"
    generations = st.session_state.setdefault(GENERATIONS, {})
    generations[name] = generations.get(name, 0) + 1
    return _slider_key(section, movie_id)


def _save(
    store: ProfileStore, profile: str, movie_id: int, section: str, key: str, scale: RatingScale, drawn: float | str
) -> None:
    value = st.session_state.get(key, drawn)
    # A browser can report a slider once more after the page replaced it: the strip drops a movie once it is
    # rated elsewhere, and a slider whose rating changed elsewhere is redrawn under a new key. Only a value
    # that differs from what the current slider showed is a person's change.
    if key != _slider_key(section, movie_id) or value == drawn:
        return
    if value == NOT_RATED:
        report(store.remove_rating, profile, movie_id)
    else:
        report(store.set_rating, profile, movie_id, value, scale)


def rating_slider(
    store: ProfileStore, profile: str, scale: RatingScale, movie: pd.Series, ratings: dict[int, float], section: str
) -> None:
    """A slider over the scale (leftmost: not rated) that saves each change to the profile at once."""
    movie_id = int(movie["movie_id"])
    options = [NOT_RATED, *scale.values()]
    current = ratings.get(movie_id)
    stored = current if current in options else NOT_RATED
    key = _slider_key(section, movie_id)
    # The store is the truth: another slider, tab or browser may have changed this rating since the last run.
    # Such a slider is drawn afresh under a new key rather than set in place: until the browser draws it, it
    # still sends its old value with the person's next move elsewhere, and that value must not be saved.
    if key in st.session_state and st.session_state[key] != stored:
        key = _renew_slider_key(section, movie_id)
    if key not in st.session_state:
        st.session_state[key] = stored
    st.select_slider(
        plain(movie["title"]),
        options,
        key=key,
        format_func=_stars,
        on_change=_save,
        args=(store, profile, movie_id, section, key, scale, stored),
    )
    genres = ", ".join(movie["genres"]) or "no genres listed"
    st.caption(f"{plain(genres)} · {int(movie['n_ratings']):,} ratings")


def movie_grid(movies: pd.DataFrame, columns: int, section: str, **slider: object) -> None:
    """Movies in bordered cards, ``columns`` per row, each with a :func:`rating_slider`.

    The grid's container has the key ``rate_<section>_grid`` (a CSS class ``st-key-...`` in the browser).
    """
    with st.container(key=f"rate_{section}_grid"):
        for start in range(0, len(movies), columns):
            # The last row may hold fewer movies than there are columns.
            for cell, (_, movie) in zip(
                st.columns(columns), movies.iloc[start : start + columns].iterrows(), strict=False
            ):
                with cell.container(border=True):
                    rating_slider(movie=movie, section=section, **slider)  # type: ignore[arg-type]


def find_and_rate(
    model: TrainedModel, store: ProfileStore, profile: str, scale: RatingScale, ratings: dict[int, float]
) -> None:
    """Title search with a slider per hit."""
    query = st.text_input("Search a title", key="rate_search", placeholder="e.g. amelie 2001, toy story, matrix")
    if not query.strip():
        return
    hits = title_search(model).find(query, SEARCH_LIMIT)
    if hits.empty:
        st.caption("No title matches; try fewer or shorter words.")
        return
    movie_grid(hits, 1, "search", store=store, profile=profile, scale=scale, ratings=ratings)


def onboarding(
    model: TrainedModel, store: ProfileStore, profile: str, scale: RatingScale, ratings: dict[int, float]
) -> None:
    """The most-rated movies not rated yet, to reach a useful number of ratings quickly."""
    done = min(len(ratings), ONBOARDING_TARGET)
    with st.expander("Rate popular movies", expanded=len(ratings) < ONBOARDING_TARGET):
        st.progress(done / ONBOARDING_TARGET, text=f"{len(ratings)} rated · {ONBOARDING_TARGET} make good suggestions")
        strip = most_rated(model, STRIP_SIZE, exclude=ratings.keys())
        movie_grid(strip, 4, "strip", store=store, profile=profile, scale=scale, ratings=ratings)


def suggestion_filters(model: TrainedModel) -> tuple[Filters, int]:
    """The filter widgets; returns the filters and how many suggestions to show."""
    movies = model.movies
    genres = sorted({g for listed in movies["genres"] for g in listed})
    years = movies["year"].dropna()
    most = int(movies["n_ratings"].max())
    with st.expander("Filters"):
        left, right = st.columns(2)
        include = left.multiselect("Only these genres", genres, key="rate_include")
        exclude = right.multiselect("Never these genres", genres, key="rate_exclude")
        low, high = (int(years.min()), int(years.max())) if len(years) else (1900, 2030)
        chosen = st.slider("Release years", low, high, (low, high), key="rate_years") if low < high else (low, high)
        left, right = st.columns(2)
        min_ratings = left.number_input(
            "At least this many ratings",
            0,
            most,
            min(DEFAULT_MIN_RATINGS, most),
            key="rate_min_ratings",
            help="Movies rated by only a few people have unreliable embeddings; this keeps them out.",
        )
        top_n = right.slider("How many", 5, 50, 10, step=5, key="rate_top_n")
    # A full range means "any year", so movies without a year are not dropped.
    year_min = chosen[0] if chosen[0] > low else None
    year_max = chosen[1] if chosen[1] < high else None
    return Filters(frozenset(include), frozenset(exclude), year_min, year_max, int(min_ratings)), top_n


BECAUSE = "Because you rated highly"
ORDER_LABELS = {"ranking": "Likely to watch and enjoy", "rating": "Highest predicted rating"}


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
    return str(order)


def suggestions(model: TrainedModel, used: dict[int, float], fold: FoldIn, order: str) -> None:
    """The suggestions panel: filters, the popular-fallback notice and the list in ``order`` with reasons."""
    filters, top_n = suggestion_filters(model)
    result = recommend(model, used, top_n=top_n, filters=filters, fold=fold, order=order)
    if result.popular:
        st.info(
            "You have not rated any movie this model knows yet, so these are popular, well-rated movies. Rate a few to make them yours."
        )
    if result.table.empty:
        st.warning("No movie passes these filters; widen them.")
        return
    table = result.table
    frame = pd.DataFrame(
        {
            "Title": table["title"],
            "Predicted": table["predicted"],
            BECAUSE: table["because"].fillna("(popular and well rated)"),
            "Year": table["year"],
            "Genres": table["genres"].map(", ".join),
            "Ratings": table["n_ratings"],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "Title": st.column_config.TextColumn(width="medium"),
            "Predicted": st.column_config.NumberColumn(
                format="%.2f ★", width="small", help="The model's predicted rating for you"
            ),
            BECAUSE: st.column_config.TextColumn(
                width="medium", help="The movie you rated highly whose embedding is closest to this one"
            ),
            "Year": st.column_config.NumberColumn(format="%d", width="small"),
            "Ratings": st.column_config.NumberColumn(width="small", help="Ratings this movie got in the training data"),
        },
        key="rate_suggestions",
    )
