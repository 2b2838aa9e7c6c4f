"""The suggestion ranker: an item-item model over the most-rated movies, blended with the network's predicted rating.

The item-item part is EASE (Steck, 2019): a closed-form linear model that predicts whether a person
watched a movie from everything else they watched. It answers "what will this person choose to
watch", which a rating model does not. Two more parts are blended in: how well a movie's genres match
the genres of what the person watched, and the network's predicted rating ("will they like it").
The block is bounded to the ``MAX_MOVIES`` most-rated movies so its weight matrix stays small at any
dataset size; the other movies are ranked after the block by predicted rating.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from movierec.data.frames import genre_indicators

# 3,000 x 3,000 weights are 36 MB in memory (18 MB saved) and take about two seconds to solve on one
# CPU thread; on ml-latest-small they cover every movie with at least 4 training ratings.
MAX_MOVIES = 3000


@dataclass(frozen=True)
class Ranker:
    """What ranking needs at suggestion time.

    Attributes:
        rows: the movie rows of the item-item block, ascending.
        weights: ``(len(rows), len(rows))`` item-item weights with a zero diagonal.
        blend: weight of the standardised predicted rating beside the standardised item-item score.
        regularisation: the L2 penalty the weights were solved with (chosen on validation).
        genres: ``(len(rows), n_genres)`` genre indicators of the block's movies, rows of unit length (or zero).
        genre_weight: weight of the standardised genre match.
    """

    rows: np.ndarray
    weights: torch.Tensor
    blend: float
    regularisation: float
    genres: torch.Tensor
    genre_weight: float

    def block_scores(self, seen: torch.Tensor, predicted: torch.Tensor) -> torch.Tensor:
        """Blended scores over the block for a batch of people.

        Args:
            seen: ``(batch, len(rows))``, 1 where the person rated the block's movie.
            predicted: ``(batch, len(rows))`` predicted ratings of the block's movies.

        Returns:
            ``(batch, len(rows))`` scores; rated movies get ``-inf``.
        """
        item, match, rating = self.parts(seen, predicted)
        return (item + match + rating).masked_fill(seen > 0, -torch.inf)

    def parts(self, seen: torch.Tensor, predicted: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The three weighted parts whose sum is :meth:`block_scores`: item-item, genre match, predicted rating.

        Each is standardised over the unseen movies and multiplied by its weight, so the largest one is
        the part that lifted a movie most.
        """
        item = seen @ self.weights
        # The person's genre profile (unit length) against each movie's genres: a cosine in [0, 1].
        match = torch.nn.functional.normalize(seen @ self.genres, dim=1) @ self.genres.T
        return (
            _standardise(item, seen),
            self.genre_weight * _standardise(match, seen),
            self.blend * _standardise(predicted, seen),
        )

    def positions(self, movie_rows: np.ndarray) -> np.ndarray:
        """Each movie row's position in the block, -1 for a row outside it."""
        positions = np.searchsorted(self.rows, movie_rows)
        inside = positions < len(self.rows)
        inside[inside] = self.rows[positions[inside]] == movie_rows[inside]
        return np.where(inside, positions, -1)

    def seen_row(self, rated_rows: np.ndarray) -> torch.Tensor:
        """``(1, len(rows))`` with 1 at the block positions of ``rated_rows``."""
        seen = torch.zeros(1, len(self.rows))
        positions = self.positions(np.asarray(rated_rows, dtype=np.int64))
        seen[0, torch.from_numpy(positions[positions >= 0])] = 1.0
        return seen

    def scores(self, rated_rows: np.ndarray, predictions: np.ndarray) -> np.ndarray:
        """One person's score for every movie row: blended in the block, ``-inf`` outside it and for rated rows."""
        seen = self.seen_row(rated_rows)
        block = self.block_scores(seen, torch.from_numpy(np.asarray(predictions[self.rows], dtype=np.float32)[None]))
        out = np.full(len(predictions), -np.inf)
        out[self.rows] = block[0].numpy()
        return out

    def to_payload(self) -> dict[str, Any]:
        """Tensors and numbers only, for a ``weights_only`` file (the weights in half precision)."""
        return {
            "rows": torch.from_numpy(self.rows.astype(np.int64)),
            "weights": self.weights.to(torch.float16),
            "blend": float(self.blend),
            "regularisation": float(self.regularisation),
            "genres": self.genres.to(torch.float16),
            "genre_weight": float(self.genre_weight),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], n_movies: int) -> Ranker:
        """Rebuild from :meth:`to_payload`; inconsistent shapes raise ``ValueError``."""
        rows = payload["rows"].numpy().astype(np.int64)
        weights, genres = payload["weights"].to(torch.float32), payload["genres"].to(torch.float32)
        if (
            weights.shape != (len(rows), len(rows))
            or len(genres) != len(rows)
            or (len(rows) and not 0 <= rows.min() <= rows.max() < n_movies)
        ):
            raise ValueError("ranking weights do not match the movie table")
        return cls(
            rows,
            weights,
            float(payload["blend"]),
            float(payload["regularisation"]),
            genres,
            float(payload["genre_weight"]),
        )

    def with_weights(self, blend: float, genre_weight: float) -> Ranker:
        """The same ranker with other blend weights."""
        return replace(self, blend=blend, genre_weight=genre_weight)


def _standardise(values: torch.Tensor, seen: torch.Tensor) -> torch.Tensor:
    """Per row: zero mean and unit spread over the movies not seen, so the two parts are on one scale."""
    unseen = 1.0 - seen
    n = unseen.sum(dim=1, keepdim=True).clamp_min(1.0)
    mean = (values * unseen).sum(dim=1, keepdim=True) / n
    spread = (((values - mean) ** 2) * unseen).sum(dim=1, keepdim=True) / n
    return (values - mean) / spread.sqrt().clamp_min(1e-6)


def genre_rows(genres: pd.Series) -> torch.Tensor:
    """One row per movie, one column per genre, each row of unit length (zero for a movie without genres)."""
    indicators = torch.from_numpy(genre_indicators(genres).to_numpy(np.float32, copy=True))
    return torch.nn.functional.normalize(indicators, dim=1)


def block_of(movie_rows: np.ndarray, n_movies: int, limit: int = MAX_MOVIES) -> np.ndarray:
    """The rows of the ``limit`` movies rated most often in ``movie_rows`` (ties: lower row), ascending."""
    counts = np.bincount(movie_rows, minlength=n_movies)
    rated = np.flatnonzero(counts)
    order = np.lexsort((rated, -counts[rated]))
    return np.sort(rated[order[:limit]])


def seen_matrix(user_rows: np.ndarray, movie_rows: np.ndarray, block: np.ndarray, n_users: int) -> sp.csr_matrix:
    """Sparse ``(n_users, len(block))`` matrix with 1 where a user rated a block movie."""
    # Each movie row's column in the block (-1 outside it), looked up rather than searched: at tens of
    # millions of ratings the search's int64 temporaries cost gigabytes.
    size = 1 + max(int(block.max(initial=-1)), int(movie_rows.max(initial=-1)))
    column_of = np.full(size, -1, dtype=np.int32)
    column_of[block] = np.arange(len(block), dtype=np.int32)
    columns = column_of[movie_rows]
    inside = columns >= 0
    ones = np.ones(int(inside.sum()), dtype=np.float32)
    matrix = sp.csr_matrix((ones, (user_rows[inside], columns[inside])), shape=(n_users, len(block)))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0  # a movie rated twice by one person is still one choice
    return matrix


def gram(seen: sp.csr_matrix) -> torch.Tensor:
    """``seen.T @ seen`` as a dense tensor (a sparse product: its cost grows with the ratings, not the users)."""
    return torch.from_numpy((seen.T @ seen).toarray().astype(np.float32))


def ease_weights(gram_matrix: torch.Tensor, regularisation: float) -> torch.Tensor:
    """EASE's closed form: ``B = -P / diag(P)`` with ``P = (G + λI)^-1`` and a zero diagonal.

    Single precision is enough (the penalty keeps the system well conditioned) and solves twice as fast.
    """
    system = gram_matrix + regularisation * torch.eye(len(gram_matrix), dtype=gram_matrix.dtype)
    inverse = torch.cholesky_inverse(torch.linalg.cholesky(system))
    weights = -inverse / torch.diagonal(inverse)
    weights.fill_diagonal_(0.0)
    return weights.to(torch.float32)
