"""A custom axis through the movie space: the line from one group of movies to another.

As in TensorFlow's Embedding Projector, the person picks two ends (a genre, one movie or several) and
every movie is placed on the line between the ends' mean vectors: 0 at the first end's mean, 1 at the
second's, by the projection of its vector onto that line. How well the axis tells dramas from light
films is scored with the same ROC AUC the page gives each PCA component.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from movierec.errors import MovieRecError
from movierec.explore.pca import genre_matrix, movie_vectors, separation_auc, seriousness_labels
from movierec.model.artifacts import TrainedModel

POSITION = "position"  # the column a movie's place on the axis goes into


@dataclass(frozen=True)
class AxisEnd:
    """One end of a custom axis: a name for people and the movies whose mean vector it sits at."""

    name: str
    movie_ids: tuple[int, ...]


def genre_end(table: pd.DataFrame, genre: str) -> AxisEnd:
    """The end at the mean of the movies of ``table`` listed under ``genre``."""
    ids = table.loc[table["genres"].map(lambda genres: genre in genres), "movie_id"]
    if ids.empty:
        raise MovieRecError(f"No movie on the map is listed under {genre!r}; pick another genre.")
    return AxisEnd(genre, tuple(int(i) for i in ids))


def movies_end(table: pd.DataFrame, movie_ids: list[int]) -> AxisEnd:
    """The end at the mean of the given movies, named by their titles (the first two, then a count)."""
    known = table.set_index("movie_id")
    ids = [int(i) for i in dict.fromkeys(movie_ids) if i in known.index]
    if not ids:
        raise MovieRecError("Pick at least one movie for each end of the axis.")
    titles = [str(known.at[i, "title"]) for i in ids]
    name = " + ".join(titles[:2]) + (f" and {len(titles) - 2} more" if len(titles) > 2 else "")
    return AxisEnd(name, tuple(ids))


@dataclass(frozen=True)
class CustomAxis:
    """Movies placed on the line from ``low`` to ``high``.

    Attributes:
        table: the movies with a ``position`` column: 0 at the low end's mean vector, 1 at the high end's.
        low: the end the axis starts from (left on a chart).
        high: the end the axis runs to (right on a chart).
        separation: ROC AUC of the position for dramas against light films (NaN without both groups);
            above 0.5 dramas lie toward ``high``.
    """

    table: pd.DataFrame
    low: AxisEnd
    high: AxisEnd
    separation: float

    def ends(self, n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The ``n`` movies furthest toward the low end and the ``n`` furthest toward the high end, extremes first."""
        ranked = self.table.sort_values([POSITION, "movie_id"], kind="stable")
        n = min(n, len(ranked) // 2)
        return ranked.head(n), ranked.tail(n).iloc[::-1]


def project_on_axis(vectors: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Where each vector falls on the line from ``low`` to ``high``: 0 at ``low``, 1 at ``high``."""
    direction = high - low
    length = float(direction @ direction)
    if length <= 1e-24:
        raise MovieRecError(
            "The two ends have the same mean vector, so there is no axis between them; pick other ends."
        )
    return np.asarray((vectors - low) @ direction / length)


def custom_axis(model: TrainedModel, table: pd.DataFrame, low: AxisEnd, high: AxisEnd) -> CustomAxis:
    """Place every movie of ``table`` on the axis from ``low``'s mean vector to ``high``'s.

    Args:
        model: the trained model whose movie vectors are used.
        table: the movies to place (columns ``movie_id`` and ``genres`` at least; e.g. the map's movies).
        low: the end at position 0.
        high: the end at position 1.

    Raises:
        MovieRecError: an end has no movie in ``table``, or both ends sit at the same point.
    """
    vectors = movie_vectors(model, table["movie_id"])
    index = pd.Series(np.arange(len(table)), index=table["movie_id"].to_numpy())
    means = []
    for end in (low, high):
        rows = index.reindex(list(end.movie_ids)).dropna().astype(int).to_numpy()
        if len(rows) == 0:
            raise MovieRecError(f"None of the movies of {end.name!r} is on the map; pick other movies or show more.")
        means.append(vectors[rows].mean(axis=0))
    position = project_on_axis(vectors, means[0], means[1])
    labels = seriousness_labels(genre_matrix(table["genres"]))
    return CustomAxis(
        table=table.assign(**{POSITION: position}),
        low=low,
        high=high,
        separation=separation_auc(position, labels),
    )
