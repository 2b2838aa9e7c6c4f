"""Top-N quality: the top-10 metrics and the one function that scores a suggester with them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

K = 10  # list length every top-N figure is measured at (the ``*_at_10`` keys)
LIKED = 4.0  # a held-out rating at least this high counts as "liked" (on a 1-5 or 0.5-5 scale)

# Given user ids and k, the ids of the k movies suggested to each (one row per user, best first; -1 pads).
TopK = Callable[[np.ndarray, int], np.ndarray]


def ndcg_at_k(top: np.ndarray, relevant: set[int], k: int = K) -> float:
    """Binary-gain nDCG of one list; the ideal DCG counts ``min(len(relevant), k)`` hits (0 with nothing relevant)."""
    if not relevant:
        return 0.0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    hits = np.array([movie in relevant for movie in top[:k]], dtype=np.float64)
    return float((hits * discounts[: len(hits)]).sum() / discounts[: min(len(relevant), k)].sum())


def precision_at_k(top: np.ndarray, relevant: set[int], k: int = K) -> float:
    """Share of the ``k`` places holding a relevant movie (a short list still divides by ``k``)."""
    return sum(movie in relevant for movie in top[:k]) / k


def recall_at_k(top: np.ndarray, relevant: set[int], k: int = K) -> float:
    """Share of the relevant movies found in the first ``k`` (0 with nothing relevant)."""
    return sum(movie in relevant for movie in top[:k]) / len(relevant) if relevant else 0.0


def top_ten_metrics(
    lists: dict[int, np.ndarray], test: pd.DataFrame, train_counts: pd.Series, n_catalogue: int
) -> dict[str, float]:
    """Mean P@10, R@10, nDCG@10 (all and liked) over users with a test movie, coverage and mean count of the top 10.

    Args:
        lists: user id -> suggested movie ids, best first (-1 entries are empty places).
        test: the held-out ratings (``user_id``, ``movie_id``, ``rating``).
        train_counts: training ratings per movie id (how mainstream a suggestion is).
        n_catalogue: movies that could be suggested (the coverage denominator).

    Returns:
        ``precision_at_10, recall_at_10, ndcg_at_10, liked_ndcg_at_10, coverage, mean_count``.
    """
    relevant = test.groupby("user_id")["movie_id"].agg(set)
    liked = test[test["rating"] >= LIKED].groupby("user_id")["movie_id"].agg(set)
    scores: dict[str, list[float]] = {
        "precision_at_10": [],
        "recall_at_10": [],
        "ndcg_at_10": [],
        "liked_ndcg_at_10": [],
    }
    suggested: list[np.ndarray] = []
    for user, wanted in relevant.items():
        top = lists[user][:K]
        top = top[top >= 0]
        suggested.append(top)
        scores["precision_at_10"].append(precision_at_k(top, wanted))
        scores["recall_at_10"].append(recall_at_k(top, wanted))
        scores["ndcg_at_10"].append(ndcg_at_k(top, wanted))
        if user in liked.index:
            scores["liked_ndcg_at_10"].append(ndcg_at_k(top, liked[user]))
    every = np.concatenate(suggested) if suggested else np.empty(0, dtype=np.int64)
    result = {name: float(np.mean(values)) if values else 0.0 for name, values in scores.items()}
    result["coverage"] = len(np.unique(every)) / max(n_catalogue, 1)
    result["mean_count"] = float(train_counts.reindex(every).fillna(0).mean()) if len(every) else 0.0
    return result


def evaluate_ranking(train: pd.DataFrame, test: pd.DataFrame, top_k: TopK) -> dict[str, float]:
    """Score a suggester with the protocol: it sees ``train`` only and is judged on each user's ``test`` movies.

    Candidates are the training movies the user did not rate in training; ``top_k`` must leave those
    ratings out itself (as the suggestions of a person leave out what they rated).

    Returns:
        :func:`top_ten_metrics` of the suggester's top 10.
    """
    users = np.unique(test["user_id"].to_numpy())
    top = np.asarray(top_k(users, K))
    counts = train["movie_id"].value_counts()
    return top_ten_metrics(dict(zip(users.tolist(), top, strict=True)), test, counts, len(counts))
