"""Movie biases, as in the fast.ai collaborative-filtering lesson: which movies people rate higher or lower
than their vectors alone explain.

A model trained with biases adds one learned number per movie to its score before the sigmoid, for every
viewer alike. Sorted, the biases read as a ranking of crowd-pleasers and letdowns that corrects for the
kind of film; rarely rated movies are left out because their bias is mostly noise.
"""

from __future__ import annotations

import pandas as pd

from movierec.errors import MovieRecError
from movierec.model.artifacts import TrainedModel

N_EXTREMES = 15
DEFAULT_MIN_RATINGS = 50  # about where a bias stops being dominated by a handful of ratings on the bundled data
READING = (
    "A movie's bias is added to the network's score for it whatever the viewer, before the score is squashed "
    "to the rating scale: a high bias means people rate the movie higher than its kind of film (its vector) "
    "explains, a low one lower; it is in the network's own units, not stars."
)


def has_movie_biases(model: TrainedModel) -> bool:
    """Whether the model learned a bias per movie (the article preset does not)."""
    return model.network.movie_biases() is not None


def default_min_ratings(model: TrainedModel, n: int = N_EXTREMES) -> int:
    """The minimum count to start from: :data:`DEFAULT_MIN_RATINGS`, lowered where fewer than ``2 n`` movies reach it."""
    counts = model.movies["n_ratings"].sort_values(ascending=False).to_numpy()
    if len(counts) == 0:
        return 1
    return max(1, min(DEFAULT_MIN_RATINGS, int(counts[min(2 * n, len(counts)) - 1])))


def bias_extremes(
    model: TrainedModel, min_ratings: int = DEFAULT_MIN_RATINGS, n: int = N_EXTREMES
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` highest and ``n`` lowest movie biases among movies with at least ``min_ratings`` training ratings.

    Args:
        model: a trained model with movie biases.
        min_ratings: leave out movies with fewer training ratings than this.
        n: how many movies at each end (fewer when fewer than ``2 n`` qualify, so the lists never overlap).

    Returns:
        ``(highest, lowest)``: rows of ``model.movies`` plus ``bias``, from the extreme inwards.

    Raises:
        MovieRecError: the model has no biases, or no movie has ``min_ratings`` ratings.
    """
    biases = model.network.movie_biases()
    if biases is None:
        raise MovieRecError("This model has no bias term: its network explains every rating with the vectors alone.")
    table = model.movies.assign(bias=biases.cpu().double().numpy())
    qualified = table[table["n_ratings"] >= min_ratings]
    if len(qualified) < 2:
        most = int(table["n_ratings"].max()) if len(table) else 0
        raise MovieRecError(
            f"Fewer than two movies have {min_ratings:,} or more training ratings (the most rated has {most:,}); "
            "lower the minimum."
        )
    n = min(n, len(qualified) // 2)
    ranked = qualified.sort_values(["bias", "movie_id"], ascending=[False, True], kind="stable")
    return ranked.head(n).reset_index(drop=True), ranked.tail(n).iloc[::-1].reset_index(drop=True)
