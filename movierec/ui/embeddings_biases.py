"""The Embeddings page's movie biases: the highest and lowest among often rated movies, read off by title."""

from __future__ import annotations

import streamlit as st

from movierec.errors import MovieRecError
from movierec.explore.movie_biases import READING, bias_extremes, default_min_ratings, has_movie_biases
from movierec.model.artifacts import TrainedModel
from movierec.ui.embeddings_view import movie_list, show_movies


def render_biases(model: TrainedModel) -> None:
    """The minimum-count control and the two tables, or a sentence saying the model learned no biases."""
    if not has_movie_biases(model):
        st.info(
            "This model has no bias term (the article preset learns none): every rating comes from the "
            "movie and user vectors alone, so there is no per-movie bias to show. Train with per-user and "
            "per-movie biases (the default preset) to see which movies people rate above or below their kind."
        )
        return
    st.write(READING)
    most = max(1, int(model.movies["n_ratings"].max()))
    min_ratings = st.number_input(
        "Only movies with at least this many training ratings",
        min_value=1,
        max_value=most,
        value=default_min_ratings(model),
        step=10,
        key="emb_bias_min",
        help="A movie rated by a handful of people gets a bias from those few ratings, which says little.",
    )
    try:
        highest, lowest = bias_extremes(model, int(min_ratings))
    except MovieRecError as exc:
        st.error(str(exc))
        return
    # One above the other, full width: side by side, the mean rating and count fell off the edge at 1024 px.
    for rows, heading in (
        (highest, "Rated higher than their vectors explain"),
        (lowest, "Rated lower than their vectors explain"),
    ):
        st.markdown(f"**{heading}** ({len(rows)})")
        show_movies(
            movie_list(rows, bias=rows["bias"], mean_rating=rows["mean_rating"], ratings=rows["n_ratings"]),
            bias=st.column_config.NumberColumn("bias", format="%+.2f"),
            mean_rating=st.column_config.NumberColumn("mean rating", format="%.2f"),
        )
