"""The Embeddings page's cached projection and neighbours, its reset on a model switch, the profile lookup
and the movie lists (the ends of an axis, the nearest movies)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from movierec.errors import MovieRecError
from movierec.explore.neighbours import nearest_movies
from movierec.explore.pca import Projection, project_pca
from movierec.model.artifacts import ModelInfo, TrainedModel
from movierec.ui import cache
from movierec.ui.keys import PROFILE_KEY
from movierec.ui.movie_links import PAGE, page_column, page_urls
from movierec.ui.rate_state import own_store
from movierec.ui.state import active_dataset
from movierec.ui.text import plain

N_CHOICES = (100, 200, 300, 500, 1000, 2000, 5000, 10000)
ARTICLE_N = 1000  # the article and the fastai lecture project the 1,000 most rated movies
RATINGS_ONLY_N = 200  # without genre vectors, rarely rated movies blur the picture; the 200 most rated show it best
METHOD_HELP = (
    "PCA (the article's) keeps the directions along which the vectors spread most, so its axes can be read; "
    "t-SNE keeps each movie near the movies the network treats alike, so clusters show better."
)
TSNE_NOTE = (
    "t-SNE places each movie near the movies whose vectors point the same way; its axes and the distances "
    "between clusters mean nothing (each axis is turned so that dramas lie toward its high end)."
)
TSNE_TITLES = {"tsne1": "t-SNE 1", "tsne2": "t-SNE 2"}
MODEL_SEEN_KEY = "_emb_model"  # the model the page's choices were made for
# Widgets whose values belong to one model (its movie count, components, titles, genres, biases).
MODEL_BOUND_KEYS = ("emb_top_n", "emb_x", "emb_y", "emb_search", "emb_colour", "emb_bias_min")
MODEL_BOUND_PREFIX = "emb_axis_"  # the custom axis's ends


def reset_on_model_switch(info: ModelInfo) -> bool:
    """Forget the choices made for another model (True when some were), so each model starts from its defaults.

    A movie count, a component, a picked title or an axis end chosen for one model may not exist in the
    next, and one that does would silently carry a choice the person made for something else.
    """
    current = f"{info.path}:{info.created}"
    previous = st.session_state.get(MODEL_SEEN_KEY)
    st.session_state[MODEL_SEEN_KEY] = current
    if previous is None or previous == current:
        return False
    stale = [k for k in st.session_state if k in MODEL_BOUND_KEYS or str(k).startswith(MODEL_BOUND_PREFIX)]
    for key in stale:
        del st.session_state[key]
    return bool(stale)


@st.cache_data(show_spinner="Projecting the movie embeddings…", max_entries=32)
def _projection(key: cache.ModelKey, top_n: int, _model: TrainedModel) -> Projection:
    return project_pca(_model, top_n=top_n)


def projection(model: TrainedModel, top_n: int) -> Projection:
    """The PCA of ``model``'s ``top_n`` most rated movies, computed once per model and N."""
    return _projection(cache.model_key(model), top_n, model)


@st.cache_data(show_spinner=False, max_entries=64)
def _neighbours(key: cache.ModelKey, top_n: int, movie_id: int, _model: TrainedModel, _table: pd.DataFrame):
    return nearest_movies(_model, _table, movie_id)


def neighbours(model: TrainedModel, projection: Projection, movie_id: int) -> pd.DataFrame:
    """The 10 movies of the map nearest to ``movie_id`` (cosine of the network's vectors), cached per model and N."""
    return _neighbours(cache.model_key(model), projection.requested, movie_id, model, projection.table)


def default_top_n(model: TrainedModel) -> int:
    """How many movies the page projects at first: the article's 1,000, or fewer for a ratings-only model.

    Without genre vectors, rarely rated movies blur the drama-versus-light split, which shows best among
    the most rated (README, "How it is measured").
    """
    return ARTICLE_N if model.config.use_genres else RATINGS_ONLY_N


def profile_ratings() -> tuple[str | None, dict[int, float]]:
    """The active Rate-page profile and its ratings; ``(None, {})`` when there is none or no profile store."""
    name = st.session_state.get(PROFILE_KEY)
    if not name:
        return None, {}
    try:
        store = own_store()  # the same (per-person, when signed in) store as the Rate page
        return (name, store.ratings(name)) if store is not None else (None, {})
    except (MovieRecError, OSError):
        return None, {}


def movie_list(rows: pd.DataFrame, **extra: pd.Series) -> pd.DataFrame:
    """The columns a person reads in a list of movies: title, the ``extra`` columns, year and genres.

    The extra numbers come right after the title so a narrow screen shows them without scrolling;
    ``movie_id`` stays in the frame (hidden by :func:`show_movies`) so a column can be derived from it.
    """
    table = pd.DataFrame({"movie_id": rows["movie_id"].to_numpy(), "title": rows["title"].to_numpy()})
    table = table.assign(**{name: column.to_numpy() for name, column in extra.items()})
    return table.assign(year=rows["year"].to_numpy(), genres=rows["genres"].map(", ".join).to_numpy())


def show_movies(table: pd.DataFrame, **column_config: Any) -> None:
    """A movie list as a table: ids hidden, titles wrapped in full rather than cut, each followed by a link
    to the movie's IMDb or TMDB page where the release lists one."""
    config = {"movie_id": None, "title": st.column_config.TextColumn("title", width="medium")}
    links = active_dataset().links
    if len(links):
        table = table.copy()
        table.insert(table.columns.get_loc("title") + 1, PAGE, page_urls(table["movie_id"], links))
        config[PAGE] = page_column()
    st.dataframe(table, hide_index=True, width="stretch", column_config=config | column_config)


def render_neighbours(rows: pd.DataFrame, title: str) -> None:
    """The nearest movies with their similarity, as a list under the map."""
    st.markdown(f"**The {len(rows)} movies nearest to {plain(title)}** · ringed in orange on the map")
    show_movies(
        movie_list(rows, similarity=rows["similarity"]),
        similarity=st.column_config.ProgressColumn("similarity", format="%.2f", min_value=-1.0, max_value=1.0),
    )
    st.caption(
        "Similarity is the cosine of the angle between the network's vectors: 1 means the same direction "
        "(the network treats the movies alike), 0 unrelated. Only the movies on the map are compared."
    )


def components_table(projection: Projection) -> pd.DataFrame:
    """One row per component: its share of the variance, its genre label and its drama-vs-light AUC."""
    return pd.DataFrame(
        {
            "component": [c.upper() for c in projection.components],
            "share of variance": [f"{v:.1%}" for v in projection.explained_variance],
            "reads as (− end ↔ + end)": projection.labels,
            "dramas above light films": [f"{a:.0%}" if a == a else "n/a" for a in projection.separation],
        }
    )


def render_ends(projection: Projection, component: str, n: int = 10) -> None:
    """Two side-by-side lists: the movies at the negative (left) and the positive (right) end of ``component``."""
    top, bottom = projection.ends(component, n)
    negative, positive = projection.end_names[projection.components.index(component)]
    left, right = st.columns(2)
    for column, rows, end, title in ((left, bottom, negative, "− end (left)"), (right, top, positive, "+ end (right)")):
        with column:
            st.markdown(f"**{component.upper()} {title}** · {plain(end)}")
            show_movies(movie_list(rows))
