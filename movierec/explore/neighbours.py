"""Nearest movies in the network's movie space: cosine similarity of the vectors the network uses.

The Embeddings page lists a picked movie's neighbours among the movies on its map and rings them there,
so the list and the rings always agree. Cosine ignores a vector's length, which mostly grows with how
often a movie was rated, and keeps its direction, which is what the network reads as the kind of film.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from movierec.errors import MovieRecError
from movierec.explore.pca import movie_vectors
from movierec.model.artifacts import TrainedModel

N_NEIGHBOURS = 10


def cosine_neighbours(vectors: np.ndarray, row: int, k: int = N_NEIGHBOURS) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``vectors`` whose direction is closest to row ``row``'s, the row itself left out.

    Args:
        vectors: one vector per row, shape ``(n, d)``.
        row: the row to find neighbours for.
        k: how many neighbours (fewer when there are fewer other rows).

    Returns:
        ``(rows, similarities)``, most similar first; equal similarities go to the lower row. A zero
        vector has no direction and is similar to nothing (similarity 0).
    """
    if not 0 <= row < len(vectors):
        raise MovieRecError(f"Row {row} is outside the {len(vectors)} vectors.")
    norms = np.linalg.norm(vectors, axis=1)
    unit = np.divide(vectors, norms[:, None], out=np.zeros_like(vectors, dtype=np.float64), where=norms[:, None] > 0)
    similarity = unit @ unit[row]
    others = np.delete(np.arange(len(vectors)), row)
    order = others[np.lexsort((others, -similarity[others]))][:k]
    return order, similarity[order]


def nearest_movies(model: TrainedModel, table: pd.DataFrame, movie_id: int, k: int = N_NEIGHBOURS) -> pd.DataFrame:
    """The ``k`` movies of ``table`` nearest to ``movie_id`` by cosine similarity of the network's movie vectors.

    Args:
        model: the trained model whose vectors are compared.
        table: the candidate movies (a ``movie_id`` column; e.g. the movies on the map), ``movie_id`` among them.
        movie_id: the movie to find neighbours for.
        k: how many neighbours.

    Returns:
        The neighbours' rows of ``table`` plus a ``similarity`` column (1 = same direction, 0 = unrelated,
        −1 = opposite), most similar first, with a fresh index.

    Raises:
        MovieRecError: ``movie_id`` is not among the candidates.
    """
    ids = table["movie_id"].to_numpy()
    matches = np.flatnonzero(ids == movie_id)
    if len(matches) == 0:
        raise MovieRecError(f"Movie {movie_id} is not among the {len(ids):,} movies compared; pick one of them.")
    rows, similarity = cosine_neighbours(movie_vectors(model, ids), int(matches[0]), k)
    return table.iloc[rows].reset_index(drop=True).assign(similarity=similarity)
