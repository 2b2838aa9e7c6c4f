"""The top-10 metrics on hand-made lists, the per-user split, and evaluate_ranking end to end."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from movierec.evaluate.splits import split_per_user
from movierec.evaluate.topn import evaluate_ranking, ndcg_at_k, precision_at_k, recall_at_k, top_ten_metrics

DISCOUNTS = [1 / math.log2(i + 2) for i in range(10)]


def test_a_perfect_list_scores_one() -> None:
    top = np.arange(10)
    relevant = set(range(10))
    assert ndcg_at_k(top, relevant) == pytest.approx(1.0)
    assert precision_at_k(top, relevant) == pytest.approx(1.0)
    assert recall_at_k(top, relevant) == pytest.approx(1.0)


def test_a_list_of_misses_scores_zero() -> None:
    top = np.arange(10)
    relevant = {100, 101}
    assert ndcg_at_k(top, relevant) == 0.0
    assert precision_at_k(top, relevant) == 0.0
    assert recall_at_k(top, relevant) == 0.0


def test_fewer_than_ten_relevant_movies_can_still_score_one() -> None:
    relevant = {7, 8, 9}
    assert ndcg_at_k(np.array([7, 8, 9, 1, 2, 3, 4, 5, 6, 0]), relevant) == pytest.approx(1.0)
    assert precision_at_k(np.array([7, 8, 9, 1, 2, 3, 4, 5, 6, 0]), relevant) == pytest.approx(0.3)
    # The same hits at the end of the list: DCG of places 8-10 over the ideal of places 1-3.
    late = np.array([1, 2, 3, 4, 5, 6, 0, 7, 8, 9])
    assert ndcg_at_k(late, relevant) == pytest.approx(sum(DISCOUNTS[7:]) / sum(DISCOUNTS[:3]))
    assert recall_at_k(late, relevant) == pytest.approx(1.0)


def test_more_than_ten_relevant_movies_cap_the_ideal_at_ten() -> None:
    relevant = set(range(50))
    top = np.array([0, 100, 1, 101, 2, 102, 3, 103, 4, 104])
    assert ndcg_at_k(top, relevant) == pytest.approx(sum(DISCOUNTS[0::2]) / sum(DISCOUNTS))
    assert recall_at_k(top, relevant) == pytest.approx(5 / 50)


def test_ties_in_gain_score_by_position_only() -> None:
    # Two lists with one hit each score the same when the hit has the same place, whatever the movie.
    assert ndcg_at_k(np.array([5, 1, 2]), {5, 9}) == ndcg_at_k(np.array([9, 1, 2]), {5, 9})
    assert ndcg_at_k(np.array([1, 5, 2]), {5}) == pytest.approx(DISCOUNTS[1])


def test_top_ten_metrics_averages_users_and_counts_liked_coverage_and_mainstream() -> None:
    test = pd.DataFrame({"user_id": [1, 1, 2], "movie_id": [10, 11, 20], "rating": [5.0, 2.0, 3.0]})
    counts = pd.Series({10: 4, 11: 2, 20: 6, 30: 8})
    lists = {1: np.array([10, 30, -1]), 2: np.array([30, 10, -1])}
    metrics = top_ten_metrics(lists, test, counts, n_catalogue=4)
    assert metrics["ndcg_at_10"] == pytest.approx((1 / sum(DISCOUNTS[:2]) + 0.0) / 2)
    assert metrics["precision_at_10"] == pytest.approx((0.1 + 0.0) / 2)
    assert metrics["recall_at_10"] == pytest.approx((0.5 + 0.0) / 2)
    assert metrics["liked_ndcg_at_10"] == pytest.approx(1.0)  # only user 1 liked something, found first
    assert metrics["coverage"] == pytest.approx(2 / 4)
    assert metrics["mean_count"] == pytest.approx((4 + 8 + 8 + 4) / 4)


def test_split_per_user_holds_out_a_quarter_of_each_user_rounded() -> None:
    ratings = pd.DataFrame({"user_id": np.repeat([1, 2, 3], [8, 6, 1]), "movie_id": np.arange(15), "rating": 4.0})
    split = split_per_user(ratings)
    held = ratings.iloc[split.test]["user_id"].value_counts()
    assert held.get(1) == 2 and held.get(2) == 2  # 8 * 0.25 = 2; 6 * 0.25 = 1.5 rounds up
    assert 3 not in held.index  # a single rating stays in training
    assert sorted(np.r_[split.train, split.test]) == list(range(15))
    again = split_per_user(ratings)
    assert np.array_equal(split.test, again.test)


def test_evaluate_ranking_scores_a_suggester_that_knows_the_answers() -> None:
    train = pd.DataFrame({"user_id": [1, 2, 2], "movie_id": [1, 1, 2], "rating": [4.0, 4.0, 4.0]})
    test = pd.DataFrame({"user_id": [1], "movie_id": [2], "rating": [5.0]})

    def oracle(users: np.ndarray, k: int) -> np.ndarray:
        return np.array([[2] + [-1] * (k - 1) for _ in users])

    metrics = evaluate_ranking(train, test, oracle)
    assert metrics["ndcg_at_10"] == pytest.approx(1.0)
    assert metrics["coverage"] == pytest.approx(0.5)


def test_top_ten_metrics_judge_only_the_first_ten_places() -> None:
    test = pd.DataFrame({"user_id": [1], "movie_id": [11], "rating": [5.0]})
    lists = {1: np.arange(12)}  # movie 11 is in the twelfth place
    metrics = top_ten_metrics(lists, test, pd.Series({m: 1 for m in range(12)}), n_catalogue=12)
    at_ten = {f"{name}_at_10" for name in ("precision", "recall", "ndcg", "liked_ndcg")}
    assert set(metrics) == at_ten | {"coverage", "mean_count"}
    assert metrics["precision_at_10"] == metrics["recall_at_10"] == metrics["ndcg_at_10"] == 0.0
    assert metrics["coverage"] == pytest.approx(10 / 12)
