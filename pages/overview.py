"""Overview page: what the app does, the active dataset in numbers, the active model, the data credit."""

from __future__ import annotations

import streamlit as st

from movierec.ui import cache, charts
from movierec.ui.model_card import model_card
from movierec.ui.shell import require_shell
from movierec.ui.state import active_dataset, active_model_info
from movierec.ui.text import plain

require_shell("pages/overview.py")
st.title("movierec")
st.write(
    "movierec trains the deep-learning recommender of the article *How to Implement a Recommendation System "
    "with Deep Learning and PyTorch*: user and movie embeddings fed through a small neural network that "
    "predicts how many stars a person would give a movie. Train a model here, rate movies to get "
    "suggestions, and explore what the movie embeddings learned."
)

dataset = active_dataset()
per_user, per_movie = cache.rating_counts(dataset.fingerprint, dataset)
n_rated_movies = len(per_movie)
sparsity = 1 - dataset.n_ratings / (dataset.n_users * max(1, n_rated_movies))
st.header(f"Dataset: {dataset.name}")
facts = st.columns(4)
facts[0].metric("Ratings", f"{dataset.n_ratings:,}")
facts[1].metric("Users", f"{dataset.n_users:,}")
facts[2].metric("Movies", f"{dataset.n_movies:,}", help=f"{n_rated_movies:,} of them rated at least once.")
facts[3].metric("Sparsity", f"{sparsity:.2%}", help="Share of user × rated-movie pairs without a rating.")
st.caption(
    f"Ratings from {dataset.scale.label} · a user rated {per_user.median():.0f} movies (median) · "
    f"a movie got {per_movie.median():.0f} ratings (median)."
)
left, middle, right = st.columns(3)
given = charts.rating_histogram(dataset.ratings["rating"])
given.update_xaxes(dtick=1, tickangle=0)  # whole stars only: half-star labels collide in a third of a laptop screen
left.plotly_chart(given, key="overview_ratings")
middle.plotly_chart(charts.count_histogram(per_user, "user"), key="overview_per_user")
right.plotly_chart(charts.count_histogram(per_movie, "movie"), key="overview_per_movie")

st.header("Active model")
info = active_model_info()
if info is None:
    st.info("No model is saved for this dataset yet. Train one on the Train page; it then appears here.")
else:
    model = cache.model(info)
    st.write(f"**{plain(info.name)}** · preset {plain(info.preset or 'custom')} · trained {plain(info.created)}")
    model_card(model.results, has_ranker=model.ranker is not None)

st.header("Data credit and licence")
st.write(
    "The MovieLens data sets were collected by GroupLens Research at the University of Minnesota "
    "(F. Maxwell Harper and Joseph A. Konstan, 2015, *The MovieLens Datasets: History and Context*, "
    "ACM Transactions on Interactive Intelligent Systems 5(4), https://doi.org/10.1145/2827872). "
    "Licence terms: research use only, non-commercial (no commercial use without GroupLens' "
    "permission); redistribution is limited to ml-latest-small under the same licence terms, and "
    "publications using them must acknowledge GroupLens. Every other release is downloaded from "
    "https://grouplens.org/datasets/movielens/ by your own machine."
)
