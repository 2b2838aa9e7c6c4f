"""PCA of movie embeddings: planted directions are found, oriented and labelled; edge cases are explained."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from movierec.data.frames import genre_indicators
from movierec.errors import MovieRecError
from movierec.explore.pca import (
    component_ends,
    describe_separation,
    genre_matrix,
    main_genres,
    orientation_signs,
    project_pca,
    separation_auc,
    seriousness_labels,
)
from tests.factories import TINY, tiny_model


@pytest.fixture(scope="module")
def trained():
    """One tiny model for the module (one epoch: tests overwrite its movie vectors with planted ones)."""
    return tiny_model(config=TINY.with_changes(epochs=1))


def _planted(model, sign: float = 1.0, seed: int = 0):
    """Movie vectors: dramas at +3, comedies at -3 along one random direction, plus small noise; all times ``sign``."""
    rng = np.random.default_rng(seed)
    n_movies, n_factors = model.network.n_movies, model.network.n_factors
    direction = rng.normal(size=n_factors)
    direction /= np.linalg.norm(direction)
    is_drama = np.array(["Drama" in g for g in model.movies["genres"]])
    vectors = np.outer(np.where(is_drama, 3.0, -3.0), direction) + rng.normal(0, 0.3, (n_movies, n_factors))
    model.network.movie_table().copy_(torch.from_numpy(sign * vectors))  # the table shares the weights' memory
    return direction, is_drama


def test_top_component_finds_the_planted_direction_with_the_serious_end_positive(trained):
    _planted(trained)
    projection = project_pca(trained, top_n=1000, n_components=3)
    table = projection.table
    assert projection.explained_variance[0] > 0.8
    assert projection.best_component == "pc1"
    assert projection.separation[0] == pytest.approx(1.0)
    dramas = table["genres"].map(lambda g: "Drama" in g)
    assert (table.loc[dramas, "pc1"] > 0).all() and (table.loc[~dramas, "pc1"] < 0).all()
    assert projection.labels[0] == "Comedy ↔ Drama"  # low end first, as the map reads
    assert projection.end_names[0] == ("Comedy", "Drama")
    assert projection.correlations.loc["Drama", "pc1"] > 0.95


def test_orientation_does_not_depend_on_the_sign_the_training_happened_to_pick(trained):
    _planted(trained, sign=1.0)
    first = project_pca(trained).table["pc1"].to_numpy()
    _planted(trained, sign=-1.0)
    flipped = project_pca(trained).table["pc1"].to_numpy()
    np.testing.assert_allclose(first, flipped, atol=1e-6)


def test_same_input_gives_the_same_projection(trained):
    _planted(trained, seed=3)
    a, b = project_pca(trained, top_n=40), project_pca(trained, top_n=40)
    pd.testing.assert_frame_equal(a.table, b.table)
    np.testing.assert_array_equal(a.explained_variance, b.explained_variance)
    assert a.labels == b.labels


def test_shapes_and_most_rated_first(trained):
    _planted(trained)
    projection = project_pca(trained, top_n=20, n_components=4)
    table = projection.table
    assert len(table) == 20 and projection.requested == 20
    assert list(table.columns) == [
        "movie_id",
        "title",
        "year",
        "genres",
        "n_ratings",
        "mean_rating",
        "main_genre",
        "pc1",
        "pc2",
        "pc3",
        "pc4",
    ]
    assert projection.components == ["pc1", "pc2", "pc3", "pc4"]
    assert projection.explained_variance.shape == (4,) and projection.separation.shape == (4,)
    assert projection.correlations.shape == (2, 4) and len(projection.labels) == 4
    counts = table["n_ratings"].to_numpy()
    assert (np.diff(counts) <= 0).all()
    assert counts.min() >= trained.movies["n_ratings"].sort_values(ascending=False).iloc[19]


def test_a_model_with_fewer_movies_than_asked_projects_all_it_has(trained):
    _planted(trained)
    projection = project_pca(trained, top_n=1000, n_components=50)
    assert len(projection.table) == len(trained.movies) < projection.requested
    # Components are capped by the embedding width (8 in the tiny model).
    assert len(projection.components) == trained.network.n_factors


def test_ends_give_the_extremes_of_a_component(trained):
    _planted(trained)
    projection = project_pca(trained)
    serious, light = projection.ends("pc1", n=5)
    assert len(serious) == len(light) == 5
    assert serious["genres"].map(lambda g: "Drama" in g).all()
    assert light["genres"].map(lambda g: "Comedy" in g).all()
    assert serious["pc1"].is_monotonic_decreasing and light["pc1"].is_monotonic_increasing
    with pytest.raises(MovieRecError, match="pc9"):
        projection.ends("pc9")


def test_too_few_movies_is_an_error_that_says_so(trained):
    with pytest.raises(MovieRecError, match="needs 3 or more"):
        project_pca(trained, top_n=2)
    with pytest.raises(MovieRecError, match="at least 10000 rating"):
        project_pca(trained, min_ratings=10_000)
    with pytest.raises(MovieRecError, match="positive"):
        project_pca(trained, top_n=0)


def test_movies_the_model_does_not_know_are_left_out(trained):
    _planted(trained)
    extra = pd.DataFrame(
        [
            {
                "movie_id": 99_999,
                "title": "Unknown (2020)",
                "year": 2020,
                "genres": ["Drama"],
                "n_ratings": 10**6,
                "mean_rating": 5.0,
            }
        ]
    )
    projection = project_pca(trained, movies=pd.concat([trained.movies, extra], ignore_index=True))
    assert 99_999 not in set(projection.table["movie_id"])


def test_without_light_films_orientation_follows_the_mean_rating():
    genres = pd.Series([["Drama"], ["Drama", "War"], ["Drama"], ["Crime"]])
    labels = seriousness_labels(genre_indicators(genres))
    assert list(labels) == [1, 1, 1, -1]
    scores = np.array([[1.0, 3.0], [2.0, 1.0], [3.0, 4.0], [4.0, 2.0]])
    assert np.isnan(separation_auc(scores[:, 0], labels))
    signs = orientation_signs(scores, labels, mean_ratings=np.array([4.0, 3.0, 2.0, 1.0]))
    assert list(signs) == [-1.0, 1.0]


def test_genre_helpers():
    genres = pd.Series([["Comedy", "Drama"], ["Drama"], ["Animation", "Children", "Comedy"], ["(no genres listed)"]])
    indicators = genre_indicators(genres)
    assert list(indicators.columns) == ["Comedy", "Drama", "Animation", "Children"]
    assert main_genres(genres, indicators) == ["Comedy", "Drama", "Animation", "(none)"]
    assert list(seriousness_labels(indicators)) == [-1, 1, 0, -1]
    ends = component_ends(pd.Series({"Drama": 0.5, "War": 0.2, "IMAX": 0.05, "Comedy": -0.4, "Children": -0.3}))
    assert ends == ("Comedy, Children", "Drama, War")
    assert component_ends(pd.Series({"Drama": 0.01})) == ("mixed", "mixed")


def test_separation_is_worded_for_people():
    assert "72% of the time" in describe_separation(0.72, "pc1")
    assert "fairly well" in describe_separation(0.72, "pc1")
    assert "cannot be measured" in describe_separation(float("nan"), "pc2")


def test_the_fast_genre_matrix_matches_the_data_layers_indicators():
    genres = pd.Series(
        [["Comedy", "Drama"], ["Drama"], ["(no genres listed)"], [], ["War", "Drama", "Drama"], ["Animation", "War"]],
        index=[5, 3, 9, 1, 0, 2],
    )
    pd.testing.assert_frame_equal(genre_matrix(genres), genre_indicators(genres), check_dtype=False)


def test_separation_auc_counts_ties_as_half():
    labels = np.array([1, 1, 0, 0, -1])
    assert separation_auc(np.array([3.0, 2.0, 1.0, 0.0, 9.0]), labels) == 1.0
    assert separation_auc(np.array([1.0, 0.0, 1.0, 0.0, 9.0]), labels) == 0.5
    assert separation_auc(np.array([2.0, 1.0, 1.0, 0.0, 9.0]), labels) == pytest.approx(0.875)
