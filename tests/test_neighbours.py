"""Nearest movies by cosine similarity: duplicates find each other, direction counts and length does not."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from movierec.errors import MovieRecError
from movierec.explore.neighbours import cosine_neighbours, nearest_movies
from tests.factories import TINY, tiny_model


def test_a_movies_nearest_neighbour_among_exact_duplicates_is_its_duplicate():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(20, 8))
    vectors = np.concatenate([base, base])  # row i and row i + 20 are the same vector
    for row in range(40):
        rows, similarity = cosine_neighbours(vectors, row, k=3)
        assert rows[0] == (row + 20) % 40
        assert similarity[0] == pytest.approx(1.0)
        assert similarity[1] < 1.0 - 1e-9  # random directions are never that close


def test_length_does_not_count_and_a_zero_vector_is_similar_to_nothing():
    vectors = np.array([[1.0, 0.0], [10.0, 0.1], [0.0, 1.0], [-1.0, 0.0], [0.0, 0.0]])
    rows, similarity = cosine_neighbours(vectors, 0, k=4)
    assert list(rows) == [1, 2, 4, 3]  # same direction, orthogonal, no direction, opposite
    np.testing.assert_allclose(similarity, [np.cos(np.arctan(0.01)), 0.0, 0.0, -1.0])
    rows, _ = cosine_neighbours(vectors, 4, k=10)
    assert list(rows) == [0, 1, 2, 3]  # all 0: ties go to the lower row; never the movie itself
    with pytest.raises(MovieRecError, match="outside"):
        cosine_neighbours(vectors, 5)


def test_nearest_movies_uses_the_networks_vectors_and_returns_table_rows():
    model = tiny_model(config=TINY.with_changes(epochs=1))
    table = model.movies.iloc[:30]
    vectors = model.network.movie_table()
    vectors[model.movie_index.row(int(table["movie_id"].iloc[7]))] = vectors[
        model.movie_index.row(int(table["movie_id"].iloc[3]))
    ] * torch.tensor(2.0)  # a copy twice as long: the same direction
    found = nearest_movies(model, table, int(table["movie_id"].iloc[3]), k=10)
    assert len(found) == 10 and int(found["movie_id"].iloc[0]) == int(table["movie_id"].iloc[7])
    assert found["similarity"].iloc[0] == pytest.approx(1.0)
    assert found["similarity"].is_monotonic_decreasing
    assert set(found["movie_id"]) <= set(table["movie_id"]) and int(table["movie_id"].iloc[3]) not in set(
        found["movie_id"]
    )
    assert list(found.columns) == [*table.columns, "similarity"]
    with pytest.raises(MovieRecError, match="not among the 30 movies"):
        nearest_movies(model, table, int(model.movies["movie_id"].iloc[40]))
