"""The Embeddings page's custom axis: two ends picked by genre or by titles, the movies placed between them."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from movierec.errors import MovieRecError
from movierec.explore.custom_axis import POSITION, AxisEnd, CustomAxis, custom_axis, genre_end, movies_end
from movierec.explore.pca import Projection, describe_separation
from movierec.model.artifacts import TrainedModel
from movierec.ui import cache
from movierec.ui import embeddings_charts as charts
from movierec.ui.embeddings_view import movie_list, show_movies
from movierec.ui.text import plain

KINDS = ("Genre", "Movies")
DEFAULT_ENDS = ("Comedy", "Drama")  # the article's story, low end first


@st.cache_data(show_spinner=False, max_entries=32)
def _axis(
    key: cache.ModelKey, top_n: int, ends: tuple[AxisEnd, AxisEnd], _model: TrainedModel, _table: pd.DataFrame
) -> CustomAxis:
    return custom_axis(_model, _table, *ends)


def render_custom_axis(
    model: TrainedModel, projection: Projection, y_axis: str, genre: str | None, marks: charts.Marks
) -> None:
    """The two end pickers, then the movies on the axis (a map against ``y_axis``), its ends and its score."""
    st.write(
        "Pick two ends, each a genre or one or more movies: every movie on the map is placed on the line from "
        "the first end's mean vector (0) to the second's (1)."
    )
    table = projection.table
    ends = [_end_picker(column, side, table) for column, side in zip(st.columns(2), ("first", "second"), strict=True)]
    if ends[0] is None or ends[1] is None:
        return
    try:
        axis = _axis(cache.model_key(model), projection.requested, (ends[0], ends[1]), model, table)
    except MovieRecError as exc:
        st.error(str(exc))
        return
    st.write(describe_separation(axis.separation, "This axis", toward=f"{plain(axis.high.name)} (right)"))
    titles = {POSITION: charts.axis_title("custom axis", axis.low.name, axis.high.name)}
    titles |= charts.pca_titles(projection, (y_axis,))
    figure = charts.scatter_figure(axis.table, (POSITION, y_axis), titles, genre, marks)
    st.plotly_chart(figure, width="stretch", key="emb_axis_chart")
    low_rows, high_rows = axis.ends()
    for column, rows, end, where in zip(
        st.columns(2), (low_rows, high_rows), (axis.low, axis.high), ("left", "right"), strict=True
    ):
        with column:
            st.markdown(f"**Toward {plain(end.name)}** ({where})")
            show_movies(
                movie_list(rows, position=rows[POSITION]), position=st.column_config.NumberColumn(format="%.2f")
            )


def _end_picker(column: DeltaGenerator, side: str, table: pd.DataFrame) -> AxisEnd | None:
    """One end's controls: a genre, or movies typed by title; None until movies are picked."""
    with column:
        kind = st.radio(f"The {side} end", KINDS, horizontal=True, key=f"emb_axis_{side}_kind")
        if kind == "Genre":
            genres = sorted({g for row in table["genres"] for g in row} - {"(no genres listed)"})
            default = DEFAULT_ENDS[side == "second"]
            chosen = st.selectbox(
                "Genre",
                genres,
                index=genres.index(default) if default in genres else 0,
                key=f"emb_axis_{side}_genre",
            )
            return genre_end(table, chosen)
        titles = dict(zip(table["movie_id"], table["title"], strict=True))
        picked = st.multiselect(
            "Movies",
            list(titles),
            format_func=titles.__getitem__,
            placeholder="Type a title…",
            key=f"emb_axis_{side}_movies",
        )
        picked = [movie for movie in picked if movie in titles]  # a title handed back instead of its id is dropped
        if not picked:
            st.caption("Pick one or more movies for this end.")
            return None
        return movies_end(table, picked)
