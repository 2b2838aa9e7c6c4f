"""Embeddings page: PCA of the movie embeddings, coloured by genre, showing the "seriousness" axis."""

from __future__ import annotations

import streamlit as st

from movierec.embeddings import describe_separation
from movierec.errors import MovieRecError
from movierec.ui import embeddings_charts as charts
from movierec.ui import embeddings_view as view
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

if model.config.use_genres:
    st.caption(
        "This model learns a vector for every genre and adds it to the vector of each movie in that genre, so "
        "movies of one genre start out together. How far apart the network places dramas and light films is "
        "still learned from the ratings; to see what ratings alone reveal, train the article preset."
    )

n_movies = len(model.movies)
choices = [n for n in view.N_CHOICES if n < n_movies] + [n_movies]
top_n = st.select_slider(
    "Movies to project (the most rated first)",
    choices,
    value=min(view.default_top_n(model), n_movies),
    key="emb_top_n",
    format_func=lambda n: f"all {n:,}" if n == n_movies else f"{n:,}",
    help="Rarely rated movies keep vectors close to their random start; fewer, well-known movies give a clearer picture.",
)
try:
    projection = view.projection(info, model, top_n)
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
controls = st.columns([1, 1, 1, 2, 2])
x_axis = controls[0].selectbox("Horizontal axis", components, index=components.index(best), key="emb_x")
others = [c for c in components if c != x_axis]  # the same component on both axes would draw a diagonal line
y_axis = controls[1].selectbox("Vertical axis", others, key="emb_y")
three_d = controls[2].toggle("3D", key="emb_3d", help="Add a third component as depth.", disabled=len(components) < 3)
genre = controls[3].selectbox(
    "Colour by",
    [charts.SERIOUSNESS, "Main genre", *projection.correlations.index],
    key="emb_colour",
    help="Dramas against comedies, animation and children's films (the article's story); each movie's most "
    "specific genre; or one genre against all other movies.",
)
marked_title = controls[4].selectbox(
    "Find a movie", sorted(projection.table["title"]), index=None, placeholder="Type a title…", key="emb_search"
)
profile, ratings = view.profile_ratings()
rated_here = [m for m in ratings if m in set(projection.table["movie_id"])]
show_rated = bool(rated_here) and st.checkbox(
    f"Ring the {len(rated_here)} movies rated by {profile}", value=True, key="emb_rated"
)

axes = (x_axis, y_axis)
if three_d:
    axes += (next(c for c in components if c not in axes),)
marked = projection.table.loc[projection.table["title"] == marked_title, "movie_id"]
st.plotly_chart(
    charts.scatter_figure(
        projection,
        axes,
        None if genre == "Main genre" else genre,
        rated_here if show_rated else (),
        int(marked.iloc[0]) if len(marked) else None,
    ),
    width="stretch",
    key="emb_scatter",
)
if len(marked):
    row = projection.table.loc[marked.index[0]]
    st.caption(f"★ {plain(row['title'])}: " + ", ".join(f"{c.upper()} {row[c]:+.3f}" for c in components))

st.subheader(f"The two ends of {x_axis.upper()}")
st.write(describe_separation(projection.separation[components.index(x_axis)], x_axis.upper()))
if x_axis != best:
    st.caption(f"{best.upper()} separates them best ({projection.separation[components.index(best)]:.0%}).")
view.render_ends(projection, x_axis)

st.subheader("What each component means")
left, right = st.columns(2)
left.plotly_chart(charts.variance_figure(projection), width="stretch", key="emb_variance")
right.plotly_chart(charts.correlation_figure(projection), width="stretch", key="emb_heatmap")
st.dataframe(view.components_table(projection), hide_index=True, width="stretch")
