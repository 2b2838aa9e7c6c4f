"""t-SNE of the movie vectors: a second map of the same movies as the PCA, keeping neighbourhoods rather than axes.

PCA keeps the directions of greatest spread, so its axes can be read (the article's "seriousness"); t-SNE
keeps which movies are near which, so clusters show better, but its axes and distances between clusters
mean nothing. It uses the cosine distance, like the nearest-neighbour list, so a movie's listed
neighbours tend to sit around it on this map.
"""

from __future__ import annotations

import pandas as pd
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits

from movierec.errors import MovieRecError
from movierec.explore.pca import genre_matrix, movie_vectors, orientation_signs, seriousness_labels
from movierec.model.artifacts import TrainedModel

TSNE_AXES = ("tsne1", "tsne2")
MAX_TSNE_MOVIES = 5000  # beyond this t-SNE takes minutes on one core and the map is a blur of points
PERPLEXITY = 30.0  # scikit-learn's default: each movie weighs about 30 neighbours


def project_tsne(model: TrainedModel, table: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Two t-SNE coordinates for each movie of ``table`` (e.g. the PCA map's movies), in the same order.

    The result is the same for the same model, movies and seed. Each axis is turned so that dramas lie
    toward its high end (as on the PCA map), which keeps the picture the same way round between models.

    Args:
        model: the trained model whose movie vectors are embedded.
        table: the movies (columns ``movie_id``, ``genres`` and ``mean_rating`` at least).
        seed: the random seed of the optimisation.

    Returns:
        ``table`` with the columns ``tsne1`` and ``tsne2`` added.

    Raises:
        MovieRecError: fewer than 5 or more than :data:`MAX_TSNE_MOVIES` movies.
    """
    if not 5 <= len(table) <= MAX_TSNE_MOVIES:
        raise MovieRecError(
            f"t-SNE maps between 5 and {MAX_TSNE_MOVIES:,} movies (asked for {len(table):,}); "
            "choose another number of movies."
        )
    vectors = movie_vectors(model, table["movie_id"])
    tsne = TSNE(
        n_components=2,
        perplexity=min(PERPLEXITY, (len(table) - 1) / 3),  # it must stay below the number of movies
        metric="cosine",
        init="pca",
        random_state=seed,
        n_jobs=1,
    )
    # One thread: the page's server and other visitors keep the other cores.
    with threadpool_limits(limits=1):
        coordinates = tsne.fit_transform(vectors)
    labels = seriousness_labels(genre_matrix(table["genres"]))
    coordinates = coordinates * orientation_signs(coordinates, labels, table["mean_rating"].to_numpy(float))
    return table.assign(**{name: coordinates[:, i] for i, name in enumerate(TSNE_AXES)})
