from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movierec.evaluate.accuracy import BiasBaseline, GlobalMean, baseline_scores, mae, rmse
from movierec.evaluate.splits import carve_validation, split_per_user, split_ratings, split_test


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


def test_carve_validation_takes_validation_from_the_training_positions_only():
    split = carve_validation(np.arange(100), np.arange(100, 125), valid_size=0.1, seed=1)
    assert len(split.valid) == 10 and len(split.train) == 90
    assert set(split.train) | set(split.valid) == set(range(100))
    np.testing.assert_array_equal(split.test, np.arange(100, 125))


# The positions each split rule gives for a seed: models, benchmarks and saved runs depend on them.
def test_split_ratings_positions_are_pinned():
    split = split_ratings(20, test_size=0.2, valid_size=0.25, seed=3)
    assert split.train.tolist() == [0, 1, 2, 4, 5, 6, 9, 10, 11, 15, 17, 19]
    assert split.valid.tolist() == [3, 7, 13, 14]
    assert split.test.tolist() == [8, 12, 16, 18]


def test_carve_validation_positions_are_pinned():
    fold = carve_validation(np.arange(12), np.arange(12, 16), valid_size=0.25, seed=5)
    assert fold.train.tolist() == [0, 2, 3, 4, 5, 6, 7, 8, 10]
    assert fold.valid.tolist() == [1, 9, 11]
    assert fold.test.tolist() == [12, 13, 14, 15]
    train = np.array([0, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 19, 21, 22, 23, 24, 25, 27])
    split = carve_validation(train, np.array([26, 1, 4, 7, 10, 13, 16, 20]), valid_size=0.05, seed=42)
    assert split.train.tolist() == [0, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 19, 21, 23, 24, 25, 27]
    assert split.valid.tolist() == [22]
    assert split.test.tolist() == [1, 4, 7, 10, 13, 16, 20, 26]


def test_split_per_user_positions_are_pinned():
    ratings = pd.DataFrame({"user_id": np.repeat([1, 2, 3], [4, 3, 8]), "movie_id": np.arange(15)})
    split = split_per_user(ratings, seed=5)
    assert split.train.tolist() == [0, 1, 2, 5, 6, 8, 9, 10, 12, 13, 14]
    assert split.test.tolist() == [3, 4, 7, 11]


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
