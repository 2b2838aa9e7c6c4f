"""Rate page tabs: your ratings vs the model, more like this, browse as a dataset user, import/export/clear."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from movierec.data import Dataset
from movierec.data.links import MovieLinks
from movierec.errors import MovieRecError
from movierec.evaluate.accuracy import rmse
from movierec.model.artifacts import TrainedModel
from movierec.profiles.store import ProfileStore
from movierec.suggest.dataset_users import held_out, held_out_counts, user_suggestions, user_test_ratings
from movierec.suggest.recommend import FoldIn, similar_movies
from movierec.ui import cache
from movierec.ui.choices import offered
from movierec.ui.keys import remember, remembered
from movierec.ui.movie_links import PAGE, page_column, page_urls
from movierec.ui.rate_widgets import rating_slider

NEIGHBOUR_MIN_RATINGS = 5  # neighbours of fewer ratings are mostly noise in embedding space
# A choice box sends every option to the browser on every rerun, which takes seconds at the large
# releases' sizes: the most-rated movies (and the person's own) and the users with the most held-out
# ratings are offered instead.
MOVIE_CHOICES = 2000
USER_CHOICES = 1000
# Streamlit wraps a cell's text only in rows taller than 4rem: three lines, so long titles are read in full.
WRAPPED_ROW_HEIGHT = 70
WHY = "Why it is here"


def link_column(frame: pd.DataFrame, movie_ids: list[int], links: MovieLinks) -> dict[str, Any]:
    """Add a "Page" column of links to each movie's IMDb or TMDB page (when the release has any) beside a
    wrapped, pinned title; returns the column settings to draw ``frame`` with."""
    config: dict[str, Any] = {"Title": st.column_config.TextColumn(width="medium", pinned=True)}
    if len(links):
        frame.insert(frame.columns.get_loc("Title") + 1, PAGE, page_urls(movie_ids, links))
        config[PAGE] = page_column()
    return config


def titles(model: TrainedModel, dataset: Dataset, movie_ids: list[int]) -> pd.Series:
    """Titles for movie ids from the model, then the dataset's catalogue, then ``Movie <id>``."""
    found = pd.Series([f"Movie {i}" for i in movie_ids], index=pd.Index(movie_ids), dtype=object)
    for movies in (dataset.movies, model.movies):  # the model's titles win
        hits = movies.loc[movies["movie_id"].isin(found.index), ["movie_id", "title"]]
        found.update(hits.set_index("movie_id")["title"])
    return found


def _pick(label: str, options: list[int], key: str, default: int = 0, **kwargs: Any) -> int | None:
    """A choice box that comes back to the person's last choice when its tab is opened again.

    A closed tab's widgets are not drawn, so Streamlit drops their state; the last choice is kept under
    its own key and, while it is still offered, chosen again.
    """
    kept = remembered(key)
    index = options.index(kept) if kept in options else default
    chosen = st.selectbox(label, options, index=index, key=key, on_change=remember, args=(key,), **kwargs)
    return offered(chosen, options, options[index] if options else None)


def your_ratings(model: TrainedModel, dataset: Dataset, ratings: dict[int, float], fold: FoldIn) -> None:
    """Each rated movie with the person's rating and the model's prediction after fold-in.

    Before the first rating the table is drawn empty, so the browser builds it with the page rather than
    in answer to that rating.
    """
    if not ratings:
        st.caption("Nothing rated yet: each movie you rate is listed here with what the model predicts for you.")
    ids = sorted(ratings, key=lambda i: (-ratings[i], i))
    rows = model.movie_index.rows(ids)
    scale = model.rating_scale
    notes = [
        "outside this model's rating scale"
        if scale.problem(ratings[i], on_step=False)
        else "not scored by this model"
        if row < 0
        else ""
        for i, row in zip(ids, rows, strict=True)
    ]
    predicted = [
        float(fold.predictions[row]) if row >= 0 and not note else None for row, note in zip(rows, notes, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "Title": titles(model, dataset, ids).to_numpy(),
            "Your rating": [ratings[i] for i in ids],
            "Model predicts": predicted,
            "Note": notes,
        }
    )
    config = link_column(frame, ids, dataset.links)
    st.dataframe(
        frame,
        hide_index=True,
        row_height=WRAPPED_ROW_HEIGHT,
        column_config={
            **config,
            "Your rating": st.column_config.NumberColumn(format="%.1f ★"),
            "Model predicts": st.column_config.NumberColumn(format="%.2f ★"),
        },
        key="rate_yours",
    )


def change_rating(
    model: TrainedModel, dataset: Dataset, store: ProfileStore, profile: str, ratings: dict[int, float]
) -> None:
    """Pick one rated movie and change or remove its rating (slide to – to remove)."""
    if not ratings:
        return
    ids = sorted(ratings)
    names = dict(zip(ids, titles(model, dataset, ids), strict=True))
    chosen = _pick("Change or remove a rating", ids, "rate_edit_pick", format_func=lambda i: names[i])
    if chosen is None:  # the list is not empty, so the box always holds a choice
        return
    movie = pd.Series({"movie_id": chosen, "title": names[chosen], "genres": [], "n_ratings": 0})
    in_model = model.movies[model.movies["movie_id"] == chosen]
    rating_slider(store, profile, model.rating_scale, in_model.iloc[0] if len(in_model) else movie, ratings, "edit")


def more_like_this(model: TrainedModel, ratings: dict[int, float], order: str, links: MovieLinks) -> None:
    """A movie's neighbours: watched by the same people (``order="ranking"``) or closest in embedding space."""
    movies = model.movies.sort_values(["n_ratings", "movie_id"], ascending=[False, True])
    yours = movies["movie_id"].isin(ratings.keys())
    movies = movies[yours | (np.arange(len(movies)) < MOVIE_CHOICES)]
    ids = movies["movie_id"].tolist()
    favourite = max((i for i in ratings if i in model.movie_index), key=lambda i: (ratings[i], -i), default=ids[0])
    names = dict(zip(movies["movie_id"], movies["title"], strict=True))
    chosen = _pick(
        "Movies like",
        ids,
        "rate_like_pick",
        ids.index(favourite),
        format_func=lambda i: names[i],
        help=f"The {MOVIE_CHOICES:,} most-rated movies and the ones you rated." if len(yours) > MOVIE_CHOICES else None,
    )
    if chosen is None:  # the catalogue is not empty, so the box always holds a choice
        return
    table = similar_movies(model, chosen, k=10, min_ratings=NEIGHBOUR_MIN_RATINGS, order=order)
    st.caption(
        "Movies most often watched by the same people (1 = the strongest link)."
        if order == "ranking" and model.ranker is not None
        else "Movies whose embeddings point the same way (cosine similarity)."
    )
    frame = pd.DataFrame(
        {
            "Title": table["title"],
            "Similarity": table["similarity"],
            "Genres": table["genres"].map(", ".join),
            "Ratings": table["n_ratings"],
        }
    )
    config = link_column(frame, table["movie_id"].tolist(), links)
    st.dataframe(
        frame,
        hide_index=True,
        row_height=WRAPPED_ROW_HEIGHT,
        column_config={
            **config,
            "Similarity": st.column_config.ProgressColumn(format="%.2f", min_value=-1.0, max_value=1.0),
        },
        key="rate_like_table",
    )


@st.cache_resource(show_spinner="Finding the held-out ratings…", max_entries=2)
def _held_out(
    key: cache.ModelKey, fingerprint: str, _model: TrainedModel, _dataset: Dataset
) -> tuple[pd.DataFrame, pd.Series]:
    """The test part and its counts per user, shared and never copied: at ml-32m's size it has millions of rows."""
    test = held_out(_model, _dataset)
    return test, held_out_counts(test)


def dataset_user(model: TrainedModel, dataset: Dataset, order: str) -> None:
    """Pick a user from the data: their held-out ratings against the model, and what they would be suggested."""
    try:
        test, counts = _held_out(cache.model_key(model), dataset.fingerprint, model, dataset)
    except MovieRecError as exc:
        st.info(str(exc))
        return
    shown = counts.iloc[:USER_CHOICES]
    user = _pick(
        "Dataset user",
        shown.index.tolist(),
        "rate_dataset_user",
        format_func=lambda u: f"user {u} · {shown[u]} test ratings",
        help="Ratings held out of training: the model never saw them."
        + (f" The {USER_CHOICES:,} users with the most of them are listed." if len(counts) > USER_CHOICES else ""),
    )
    if user is None:  # no user has held-out ratings
        return
    table = user_test_ratings(model, dataset, test, user)
    st.metric(
        "RMSE on this user's test ratings", f"{rmse(table['predicted'].to_numpy(), table['rating'].to_numpy()):.3f}"
    )
    frame = table.rename(
        columns={"title": "Title", "rating": "Their rating", "predicted": "Model predicted", "error": "Error"}
    ).drop(columns="movie_id")
    config = link_column(frame, table["movie_id"].tolist(), dataset.links)
    st.dataframe(
        frame,
        hide_index=True,
        row_height=WRAPPED_ROW_HEIGHT,
        column_config={
            **config,
            **{c: st.column_config.NumberColumn(format="%.2f") for c in ("Their rating", "Model predicted", "Error")},
        },
        key="rate_dataset_table",
    )
    _dataset_user_suggestions(model, dataset, test, user, order)


@st.cache_data(show_spinner=False, max_entries=32)
def _suggestions_for(
    key: cache.ModelKey,
    fingerprint: str,
    user: int,
    order: str,
    _model: TrainedModel,
    _dataset: Dataset,
    _test: pd.DataFrame,
) -> pd.DataFrame:
    """A dataset user's list, kept: otherwise every rerun folds in all their ratings, slow for a large release."""
    return user_suggestions(_model, _dataset, _test, user, order)


def _dataset_user_suggestions(model: TrainedModel, dataset: Dataset, test: pd.DataFrame, user: int, order: str) -> None:
    table = _suggestions_for(cache.model_key(model), dataset.fingerprint, user, order, model, dataset, test)
    hits = int(table["held_out"].sum())
    st.markdown(
        f"**Suggestions from their training ratings** · {hits} of {len(table)} are movies they rated in the held-out part"
    )
    frame = pd.DataFrame(
        {
            "Title": table["title"],
            "Predicted": table["predicted"],
            "Watched (held out)": table["held_out"],
            WHY: table["because"],
        }
    )
    config = link_column(frame, table["movie_id"].tolist(), dataset.links)
    st.dataframe(
        frame,
        hide_index=True,
        row_height=WRAPPED_ROW_HEIGHT,
        key="rate_dataset_suggestions",
        column_config={
            **config,
            "Predicted": st.column_config.NumberColumn(format="%.2f ★"),
            WHY: st.column_config.TextColumn(width="large", help="What put the movie in the list (see the order)"),
        },
    )
