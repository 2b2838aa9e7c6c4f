"""Movie biases: the extremes among often rated movies, in order, and a clear word for a model without biases."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from movierec.errors import MovieRecError
from movierec.explore.movie_biases import DEFAULT_MIN_RATINGS, bias_extremes, default_min_ratings, has_movie_biases
from tests.factories import TINY, tiny_model


@pytest.fixture(scope="module")
def model():
    """A tiny model with biases, whose movie biases are set to a known order."""
    trained = tiny_model(config=TINY.with_changes(epochs=1))
    biases = torch.linspace(-1, 1, trained.network.n_movies)
    trained.network.movie_bias.weight.data.copy_(
        biases[torch.randperm(len(biases), generator=torch.Generator().manual_seed(0))][:, None]
    )
    return trained


def test_the_table_respects_the_minimum_count(model):
    counts = model.movies["n_ratings"]
    minimum = int(counts.median())
    highest, lowest = bias_extremes(model, min_ratings=minimum, n=15)
    assert (highest["n_ratings"] >= minimum).all() and (lowest["n_ratings"] >= minimum).all()
    qualified = model.movies[counts >= minimum]
    biases = model.network.movie_biases().numpy()[qualified.index]
    assert highest["bias"].iloc[0] == pytest.approx(biases.max()) and lowest["bias"].iloc[0] == pytest.approx(
        biases.min()
    )
    assert highest["bias"].is_monotonic_decreasing and lowest["bias"].is_monotonic_increasing
    assert len(highest) == len(lowest) == min(15, len(qualified) // 2)
    assert not set(highest["movie_id"]) & set(lowest["movie_id"])
    # Without the minimum the extremes come from all movies, rarely rated ones included.
    every_high, _ = bias_extremes(model, min_ratings=0, n=1)
    assert every_high["bias"].iloc[0] == pytest.approx(model.network.movie_biases().max().item())
    assert {"title", "mean_rating", "n_ratings", "bias"} <= set(highest.columns)


def test_too_high_a_minimum_says_how_high_it_can_go(model):
    most = int(model.movies["n_ratings"].max())
    with pytest.raises(MovieRecError, match=f"the most rated has {most}"):
        bias_extremes(model, min_ratings=most + 1)


def test_a_model_without_biases_says_so():
    plain = tiny_model(config=TINY.with_changes(epochs=1, use_bias=False))
    assert not has_movie_biases(plain)
    with pytest.raises(MovieRecError, match="no bias term"):
        bias_extremes(plain)
    assert np.isfinite(plain.network.movie_table().numpy()).all()


def test_the_default_minimum_leaves_full_tables(model):
    minimum = default_min_ratings(model, n=15)
    assert minimum <= DEFAULT_MIN_RATINGS
    assert (model.movies["n_ratings"] >= minimum).sum() >= 30
    highest, lowest = bias_extremes(model, minimum, n=15)
    assert len(highest) == len(lowest) == 15
