"""Ratings as the tensors training reads: embedding rows with their ratings, and what each user rated."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from movierec.ids import IdIndex


@dataclass(frozen=True)
class RatingTensors:
    """Ratings as embedding rows: three aligned 1-D tensors."""

    users: torch.Tensor
    movies: torch.Tensor
    ratings: torch.Tensor

    def __len__(self) -> int:
        return len(self.ratings)

    def columns(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The user rows, the movie rows and the ratings."""
        return self.users, self.movies, self.ratings

    def take(self, positions: torch.Tensor) -> RatingTensors:
        """The ratings at ``positions`` (``index_select``: several times faster than indexing on CPU)."""
        return RatingTensors(*(t.index_select(0, positions) for t in self.columns()))

    def to(self, device: torch.device) -> RatingTensors:
        """The same ratings on ``device``."""
        return RatingTensors(*(t.to(device) for t in self.columns()))


def to_tensors(ratings: pd.DataFrame, users: IdIndex, movies: IdIndex) -> RatingTensors:
    """Rows for the ratings whose user and movie both have an embedding row (others are dropped).

    Rows are int32: half the memory of int64 at tens of millions of ratings, and embeddings take them as they are.
    """
    user_rows, movie_rows = users.rows(ratings["user_id"]), movies.rows(ratings["movie_id"])
    known = (user_rows >= 0) & (movie_rows >= 0)
    return RatingTensors(
        torch.from_numpy(user_rows[known].astype(np.int32)),
        torch.from_numpy(movie_rows[known].astype(np.int32)),
        torch.from_numpy(ratings["rating"].to_numpy(np.float32)[known]),
    )


def rated_lists(data: RatingTensors, n_users: int) -> tuple[torch.Tensor, torch.Tensor]:
    """What each user row rated, as CSR: ``(indptr, movie rows sorted by user row)``."""
    order = torch.argsort(data.users, stable=True)
    counts = torch.bincount(data.users, minlength=n_users)
    indptr = torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(counts, 0)])
    return indptr, data.movies[order]
