"""How ratings are split into the parts a model learns from, stops on and is tested on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TEST_SHARE = 0.25  # share of each user's ratings held out by the per-user split
SEED = 42


@dataclass(frozen=True)
class Split:
    """Row positions into a ratings table: the test part first, validation carved from the rest."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray


def split_sizes(n_ratings: int, test_size: float, valid_size: float) -> tuple[int, int, int]:
    """How many ratings :func:`split_ratings` puts in the train, validation and test parts."""
    n_test = round(n_ratings * test_size)
    n_valid = round((n_ratings - n_test) * valid_size)
    return n_ratings - n_test - n_valid, n_valid, n_test


def split_ratings(n_ratings: int, test_size: float = 0.2, valid_size: float = 0.05, seed: int = 1) -> Split:
    """A random split: ``test_size`` of all ratings for testing, ``valid_size`` of the rest for validation.

    The test part depends only on ``n_ratings``, ``test_size`` and ``seed``, so changing the validation
    share never changes which ratings are tested.
    """
    n_test = split_sizes(n_ratings, test_size, 0.0)[2]
    order = _shuffled(n_ratings, seed)
    return carve_validation(order[n_test:], order[:n_test], valid_size, seed + 1)


def carve_validation(train: np.ndarray, test: np.ndarray, valid_size: float, seed: int) -> Split:
    """Move a random ``valid_size`` share (rounded) of the ``train`` positions to validation; ``test`` stays as given.

    Early stopping then watches ratings the model does not learn from, and never the test part.
    """
    order = np.random.default_rng(seed).permutation(train)
    n_valid = round(len(order) * valid_size)
    return Split(np.sort(order[n_valid:]), np.sort(order[:n_valid]), np.sort(test))


def split_test(n_ratings: int, test_size: float = 0.2, seed: int = 1) -> np.ndarray:
    """The sorted test positions of :func:`split_ratings`, without shuffling and sorting the other parts.

    At ml-32m's size this takes a third of the time of the whole split.
    """
    n_test = split_sizes(n_ratings, test_size, 0.0)[2]
    return np.sort(_shuffled(n_ratings, seed)[:n_test])


def _shuffled(n_ratings: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n_ratings)


@dataclass(frozen=True)
class UserSplit:
    """Row positions into a ratings table, split per user."""

    train: np.ndarray
    test: np.ndarray


def split_per_user(ratings: pd.DataFrame, share: float = TEST_SHARE, seed: int = SEED) -> UserSplit:
    """For each user, a random ``share`` of their ratings (rounded half up) is the test part; the rest is training.

    Every user keeps at least one training rating, so each can be folded in.
    """
    users = ratings["user_id"].to_numpy()
    order = np.random.default_rng(seed).permutation(len(users))
    # Position of each rating within its user's shuffled list: a stable sort by user keeps the shuffle.
    by_user = order[np.argsort(users[order], kind="stable")]
    del order  # the temporaries are deleted as soon as they are used: at tens of millions they cost gigabytes
    sorted_users = users[by_user]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    del sorted_users
    counts = np.diff(np.r_[starts, len(users)])
    small = np.int32 if len(users) < 2**31 else np.int64
    rank = np.arange(len(users), dtype=small) - np.repeat(starts.astype(small), counts)
    n_test = np.minimum(np.floor(counts * share + 0.5).astype(small), counts - 1)
    is_test = np.zeros(len(users), dtype=bool)
    is_test[by_user] = rank < np.repeat(n_test, counts)
    return UserSplit(np.flatnonzero(~is_test), np.flatnonzero(is_test))
