"""The Embeddings page's cached projection, profile lookup and the two lists of movies at a component's ends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from movierec.artifacts import ModelInfo, TrainedModel
from movierec.embeddings import Projection, project_pca
from movierec.errors import MovieRecError
from movierec.ui.text import plain

N_CHOICES = (100, 200, 300, 500, 1000, 2000, 5000, 10000)
ARTICLE_N = 1000  # the article and the fastai lecture project the 1,000 most rated movies
RATINGS_ONLY_N = 200  # without genre vectors, rarely rated movies blur the picture; the 200 most rated show it best
PROFILE_KEY = "profile_name"  # set by the Rate page


@st.cache_data(show_spinner="Projecting the movie embeddings…", max_entries=32)
def _projection(path: str, mtime_ns: int, top_n: int, _model: TrainedModel) -> Projection:
    return project_pca(_model, top_n=top_n)


def projection(info: ModelInfo, model: TrainedModel, top_n: int) -> Projection:
    """The PCA of ``model``'s ``top_n`` most rated movies, computed once per saved model file and N."""
    return _projection(str(info.path), info.path.stat().st_mtime_ns, top_n, model)


def default_top_n(model: TrainedModel) -> int:
    """How many movies the page projects at first: the article's 1,000, or fewer for a ratings-only model.

    On the bundled data a ratings-only model (the article preset) separates dramas from light films
    with AUC 0.73 over the 200 most rated movies and 0.67 over 1,000; with genre vectors it is about 0.98
    for both.
    """
    return ARTICLE_N if model.config.use_genres else RATINGS_ONLY_N


def profile_ratings() -> tuple[str | None, dict[int, float]]:
    """The active Rate-page profile and its ratings; ``(None, {})`` when there is none or no profile store."""
    name = st.session_state.get(PROFILE_KEY)
    if not name:
        return None, {}
    from movierec.ui.rate_state import own_store  # the same (per-person, when signed in) store as the Rate page

    try:
        store = own_store()
        return (name, store.ratings(name)) if store is not None else (None, {})
    except (MovieRecError, OSError):
        return None, {}


def ends_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The columns a person reads in an end list (the scores are on the map): title, year and genres."""
    return pd.DataFrame(
        {"title": rows["title"], "year": rows["year"], "genres": rows["genres"].map(", ".join)}
    ).reset_index(drop=True)


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
    """Two side-by-side lists: the movies at the positive (serious) and the negative end of ``component``."""
    top, bottom = projection.ends(component, n)
    negative, positive = projection.end_names[projection.components.index(component)]
    left, right = st.columns(2)
    for column, rows, end, title in ((left, top, positive, "+ end"), (right, bottom, negative, "− end")):
        with column:
            st.markdown(f"**{component.upper()} {title}** · {plain(end)}")
            st.dataframe(ends_table(rows), hide_index=True, width="stretch")
