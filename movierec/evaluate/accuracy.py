"""Rating accuracy: the error metrics and the simple baselines every model is compared with."""

from __future__ import annotations

import numpy as np
import pandas as pd

from movierec.results import Baselines, ErrorScores


def rmse(predicted: np.ndarray, actual: np.ndarray) -> float:
    """Root mean squared error."""
    diff = np.asarray(predicted, dtype=np.float64) - np.asarray(actual, dtype=np.float64)
    return float(np.sqrt(np.mean(diff**2)))


def mae(predicted: np.ndarray, actual: np.ndarray) -> float:
    """Mean absolute error."""
    diff = np.asarray(predicted, dtype=np.float64) - np.asarray(actual, dtype=np.float64)
    return float(np.mean(np.abs(diff)))


class GlobalMean:
    """Predicts the mean training rating for every pair."""

    def __init__(self, train: pd.DataFrame) -> None:
        self.mean = float(train["rating"].mean())

    def predict(self, user_ids: np.ndarray, movie_ids: np.ndarray) -> np.ndarray:
        """The global mean, once per pair."""
        return np.full(len(np.asarray(user_ids)), self.mean)


class BiasBaseline:
    """Global mean + regularised user bias + regularised movie bias (alternating least squares).

    Unknown users or movies contribute a zero bias, so every pair gets a prediction.

    Args:
        train: ratings with ``user_id``, ``movie_id``, ``rating``.
        reg_user: shrinkage of user biases towards zero (in ratings).
        reg_movie: shrinkage of movie biases towards zero (in ratings).
        n_iter: alternating passes.
    """

    def __init__(self, train: pd.DataFrame, reg_user: float = 15.0, reg_movie: float = 10.0, n_iter: int = 10):
        # unique, then a search: np.unique's own inverse needs several times the memory at tens of millions
        self.user_ids = np.unique(train["user_id"].to_numpy())
        self.movie_ids = np.unique(train["movie_id"].to_numpy())
        users = np.searchsorted(self.user_ids, train["user_id"].to_numpy())
        movies = np.searchsorted(self.movie_ids, train["movie_id"].to_numpy())
        ratings = train["rating"].to_numpy(dtype=np.float64)
        self.mean = float(ratings.mean())
        self.user_bias = np.zeros(len(self.user_ids))
        self.movie_bias = np.zeros(len(self.movie_ids))
        user_counts = np.bincount(users, minlength=len(self.user_ids))
        movie_counts = np.bincount(movies, minlength=len(self.movie_ids))
        for _ in range(n_iter):
            resid = ratings - self.mean - self.user_bias[users]
            self.movie_bias = np.bincount(movies, resid, len(self.movie_ids)) / (reg_movie + movie_counts)
            resid = ratings - self.mean - self.movie_bias[movies]
            self.user_bias = np.bincount(users, resid, len(self.user_ids)) / (reg_user + user_counts)

    @staticmethod
    def _lookup(known: np.ndarray, biases: np.ndarray, raw: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(known, raw).clip(0, len(known) - 1)
        return np.where(known[pos] == raw, biases[pos], 0.0)

    def predict(self, user_ids: np.ndarray, movie_ids: np.ndarray) -> np.ndarray:
        """Predicted ratings for raw id pairs."""
        users, movies = np.asarray(user_ids, dtype=np.int64), np.asarray(movie_ids, dtype=np.int64)
        return (
            self.mean
            + self._lookup(self.user_ids, self.user_bias, users)
            + self._lookup(self.movie_ids, self.movie_bias, movies)
        )


def baseline_scores(train: pd.DataFrame, test: pd.DataFrame, low: float, high: float) -> Baselines:
    """Test RMSE and MAE of the global mean and of user+movie biases (clipped to the rating scale)."""
    actual = test["rating"].to_numpy()

    def scores(model: GlobalMean | BiasBaseline) -> ErrorScores:
        predicted = np.clip(model.predict(test["user_id"].to_numpy(), test["movie_id"].to_numpy()), low, high)
        return ErrorScores(rmse(predicted, actual), mae(predicted, actual))

    return Baselines(global_mean=scores(GlobalMean(train)), user_movie_bias=scores(BiasBaseline(train)))
