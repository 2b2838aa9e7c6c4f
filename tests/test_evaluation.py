from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movierec.evaluate.accuracy import BiasBaseline, GlobalMean, baseline_scores, mae, rmse
from movierec.evaluate.splits import split_ratings, split_test


def test_split_is_a_disjoint_cover_and_repeatable():
    split = split_ratings(1000, test_size=0.2, valid_size=0.1, seed=1)
    parts = np.concatenate([split.train, split.valid, split.test])
    assert sorted(parts) == list(range(1000))
    assert (len(split.test), len(split.valid), len(split.train)) == (200, 80, 720)
    again = split_ratings(1000, test_size=0.2, valid_size=0.1, seed=1)
    assert all(
        np.array_equal(a, b)
        for a, b in zip((split.train, split.valid, split.test), (again.train, again.valid, again.test), strict=True)
    )


def test_test_part_does_not_depend_on_the_validation_share():
    assert np.array_equal(split_ratings(500, valid_size=0.05).test, split_ratings(500, valid_size=0.3).test)
    assert not np.array_equal(split_ratings(500, seed=1).test, split_ratings(500, seed=2).test)


def test_split_test_alone_is_the_splits_test_part():
    for n, test_size, seed in [(1, 0.2, 1), (1000, 0.2, 1), (1001, 0.1, 7), (5000, 0.5, 3)]:
        assert np.array_equal(split_test(n, test_size, seed), split_ratings(n, test_size, 0.05, seed).test)


def test_metrics_on_known_values():
    assert rmse(np.array([1.0, 3.0]), np.array([2.0, 2.0])) == pytest.approx(1.0)
    assert mae(np.array([1.0, 4.0]), np.array([2.0, 2.0])) == pytest.approx(1.5)


def test_bias_baseline_recovers_planted_biases_and_handles_unknown_ids():
    rng = np.random.default_rng(0)
    users, movies = rng.integers(0, 50, 20000), rng.integers(0, 40, 20000)
    user_bias, movie_bias = rng.normal(0, 0.5, 50), rng.normal(0, 0.5, 40)
    frame = pd.DataFrame({"user_id": users, "movie_id": movies, "rating": 3.0 + user_bias[users] + movie_bias[movies]})
    model = BiasBaseline(frame, reg_user=0.0, reg_movie=0.0, n_iter=30)
    assert rmse(model.predict(users, movies), frame["rating"]) < 0.01
    assert model.predict(np.array([999]), np.array([998]))[0] == pytest.approx(model.mean)
    assert GlobalMean(frame).predict(np.array([1, 2]), np.array([1, 2])).tolist() == [frame["rating"].mean()] * 2


def test_baseline_scores_are_clipped_to_the_scale():
    train = pd.DataFrame({"user_id": [1, 1, 2], "movie_id": [1, 2, 1], "rating": [5.0, 5.0, 5.0]})
    test = pd.DataFrame({"user_id": [1], "movie_id": [1], "rating": [5.0]})
    scores = baseline_scores(train, test, 1.0, 5.0)
    assert scores.global_mean.rmse == pytest.approx(0.0)
