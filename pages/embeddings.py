"""Embeddings page: maps of the movie vectors (PCA, t-SNE), a movie's nearest movies, a custom axis, movie biases."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from movierec.errors import MovieRecError
from movierec.explore.pca import describe_separation
from movierec.explore.tsne import TSNE_AXES
from movierec.ui import embeddings_charts as charts
from movierec.ui import embeddings_view as view
from movierec.ui.choices import offered
from movierec.ui.embeddings_axis import render_custom_axis
from movierec.ui.embeddings_biases import render_biases
from movierec.ui.embeddings_tsne import render_tsne
from movierec.ui.shell import require_shell
from movierec.ui.state import active_model, active_model_info
from movierec.ui.text import plain

require_shell("pages/embeddings.py")
st.title("Movie embeddings")
st.write(
    "The model learned a vector of numbers for every movie. PCA squeezes those vectors onto a few axes "
    "(components); movies the model treats alike land close together. In the article the first axis read as "
    "*seriousness*: dramas at one end, comedies, animation and children's films at the other."
)
info, model = active_model_info(), active_model()
if model is None or info is None:
    st.info("There is no trained model for this dataset yet: train one, then come back to explore its embeddings.")
    st.page_link("pages/train.py", label="Go to the Train page", icon="🏋️")
    st.stop()
if view.reset_on_model_switch(info):
    st.toast("Another model: the movie count, axes, picked movie and axis ends start afresh.")

if model.config.use_genres:
    st.caption(
        "This model learns a vector for every genre and adds it to the vector of each movie in that genre, so "
        "movies of one genre start out together. How far apart the network places dramas and light films is "
        "still learned from the ratings; to see what ratings alone reveal, train the article preset."
    )

n_movies = len(model.movies)
choices = [n for n in view.N_CHOICES if n < n_movies] + [n_movies]
default_n = min(view.default_top_n(model), n_movies)
top_n = st.select_slider(
    "Movies to project (the most rated first)",
    choices,
    value=default_n,
    key="emb_top_n",
    format_func=lambda n: f"all {n:,}" if n == n_movies else f"{n:,}",
    help="Rarely rated movies keep vectors close to their random start; fewer, well-known movies give a clearer picture.",
)
top_n = offered(top_n, choices, default_n)
try:
    projection = view.projection(model, top_n)
except MovieRecError as exc:
    st.error(str(exc))
    st.stop()
if n_movies < view.ARTICLE_N:
    st.info(
        f"This model knows only {n_movies:,} movies, fewer than the {view.ARTICLE_N:,} most rated that the article "
        f"projects, so all {len(projection.table):,} are shown."
    )

components = projection.components
best = projection.best_component or components[0]
top = st.columns([1, 2])
method = top[0].radio("Map", ["PCA", "t-SNE"], horizontal=True, key="emb_method", help=view.METHOD_HELP)
marked_title = top[1].selectbox(
    "Find a movie", sorted(projection.table["title"]), index=None, placeholder="Type a title…", key="emb_search"
)
pca = method == "PCA"
controls = st.columns([3, 3, 2, 5])  # room for the labels and values at 1024 px
x_axis = offered(
    controls[0].selectbox(
        "Horizontal axis",
        components,
        index=components.index(best),
        key="emb_x",
        format_func=str.upper,
        disabled=not pca,
    ),
    components,
    best,
)
others = [c for c in components if c != x_axis]  # the same component on both axes would draw a diagonal line
y_axis = offered(
    controls[1].selectbox("Vertical axis", others, key="emb_y", format_func=str.upper, disabled=not pca),
    others,
    others[0],
)
# No help icon: beside it, the label did not fit at 1024 px; "3D" says what it does.
three_d = controls[2].toggle("3D", key="emb_3d", disabled=len(components) < 3 or not pca)
genre_choice = controls[3].selectbox(
    "Colour by",
    [charts.SERIOUSNESS, "Main genre", *projection.correlations.index],
    key="emb_colour",
    help="Dramas against comedies, animation and children's films (the article's story); each movie's most "
    "specific genre; or one genre against all other movies.",
)
genre = None if genre_choice == "Main genre" else genre_choice
profile, ratings = view.profile_ratings()
rated_here = [m for m in ratings if m in set(projection.table["movie_id"])]
show_rated = bool(rated_here) and st.checkbox(
    f"Ring the {len(rated_here)} movies rated by {profile}", value=True, key="emb_rated"
)

marked = projection.table.loc[projection.table["title"] == marked_title]
marked_id = int(marked["movie_id"].iloc[0]) if len(marked) else None
nearest = view.neighbours(model, projection, marked_id) if marked_id is not None else None
marks = charts.Marks(
    rated_ids=rated_here if show_rated else (),
    marked_id=marked_id,
    neighbour_ids=() if nearest is None else nearest["movie_id"].tolist(),
    dark=st.context.theme.type == "dark",
)


def draw_map(table: pd.DataFrame, axes: tuple[str, ...], titles: dict[str, str]) -> None:
    """The movie map on ``axes`` of ``table``, with the page's colouring and marks."""
    st.plotly_chart(charts.scatter_figure(table, axes, titles, genre, marks), width="stretch", key="emb_scatter")


if pca:
    axes = (x_axis, y_axis) + ((next(c for c in components if c not in (x_axis, y_axis)),) if three_d else ())
    draw_map(projection.table, axes, charts.pca_titles(projection, axes))
else:
    st.caption(view.TSNE_NOTE)
    render_tsne(model, projection, lambda table: draw_map(table, TSNE_AXES, view.TSNE_TITLES))
if nearest is not None:
    row = marked.iloc[0]
    st.caption(f"★ {plain(row['title'])}: " + ", ".join(f"{c.upper()} {row[c]:+.3f}" for c in components))
    view.render_neighbours(nearest, str(row["title"]))

# Only the open tab runs: each change of the map's controls reruns the page, and the other tabs would redraw
# a second map and two charts for it.
components_tab, axis_tab, bias_tab = st.tabs(
    ["What the components mean", "Custom axis", "Movie biases"], key="emb_tab", on_change="rerun"
)
if components_tab.open:
    with components_tab:
        st.subheader(f"The two ends of {x_axis.upper()}")
        st.write(describe_separation(projection.separation[components.index(x_axis)], x_axis.upper()))
        if x_axis != best:
            st.caption(f"{best.upper()} separates them best ({projection.separation[components.index(best)]:.0%}).")
        view.render_ends(projection, x_axis)
        st.plotly_chart(charts.variance_figure(projection), width="stretch", key="emb_variance")
        st.plotly_chart(charts.correlation_figure(projection), width="stretch", key="emb_heatmap")
        st.dataframe(view.components_table(projection), hide_index=True, width="stretch")
if axis_tab.open:
    with axis_tab:
        render_custom_axis(model, projection, y_axis, genre, marks)
if bias_tab.open:
    with bias_tab:
        render_biases(model)
