"""The suggestion ranker: EASE's closed form, the blend, saving it, fitting it and ordering suggestions with it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from movierec.errors import MovieRecError
from movierec.model.artifacts import load_model
from movierec.model.ranker import Ranker, block_of, ease_weights, genre_rows, gram, seen_matrix
from movierec.suggest.fit_ranker import BLENDS, GENRE_WEIGHTS, REGULARISATIONS
from movierec.suggest.recommend import recommend, similar_movies
from tests.factories import planted_dataset, tiny_model


@pytest.fixture(scope="module")
def model():
    return tiny_model(planted_dataset(n_users=120, n_movies=60, per_user=20))


def test_ease_weights_solve_the_closed_form_with_a_zero_diagonal() -> None:
    seen = seen_matrix(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 2, 0]), np.arange(3), 3)
    g = gram(seen)
    assert torch.equal(g, torch.tensor([[2.0, 1, 0], [1, 2, 1], [0, 1, 1]]))
    weights = ease_weights(g, 1.0).double()
    inverse = torch.linalg.inv(g.double() + torch.eye(3, dtype=torch.float64))
    expected = -inverse / torch.diagonal(inverse)
    expected.fill_diagonal_(0.0)
    assert torch.allclose(weights, expected, atol=1e-5)


def test_block_keeps_the_most_rated_movies_and_seen_ignores_the_rest() -> None:
    movie_rows = np.array([4, 4, 4, 1, 1, 1, 2, 3, 3])  # rows 1 and 4 rated three times each
    block = block_of(movie_rows, 5, limit=2)
    assert block.tolist() == [1, 4]
    seen = seen_matrix(np.array([0, 0, 1]), np.array([4, 2, 1]), block, 2).toarray()
    assert seen.tolist() == [[0, 1], [1, 0]]


def test_scores_blend_the_three_parts_and_exclude_rated_and_unblocked_movies() -> None:
    weights = torch.tensor([[0.0, 1.0, 0.2], [1.0, 0.0, 0.1], [0.2, 0.1, 0.0]])
    genres = genre_rows(pd.Series([["Comedy"], ["Drama"], ["Comedy"]]))  # block rows 0, 2, 3
    ranker = Ranker(np.array([0, 2, 3]), weights, blend=0.0, regularisation=1.0, genres=genres, genre_weight=0.0)
    predictions = np.array([3.0, 5.0, 1.0, 4.0])
    scores = ranker.scores(np.array([0]), predictions)
    assert scores[0] == -np.inf and scores[1] == -np.inf  # rated, and outside the block
    assert scores[2] > scores[3]  # movie row 2 is tied to the rated movie more strongly
    # A heavy blend lets the predicted rating (4.0 for row 3 vs 1.0 for row 2) win instead ...
    by_rating = ranker.with_weights(10.0, 0.0).scores(np.array([0]), predictions)
    assert by_rating[3] > by_rating[2]
    # ... and so does a heavy genre match: row 3 is a comedy like the rated movie, row 2 a drama.
    by_genre = ranker.with_weights(0.0, 10.0).scores(np.array([0]), predictions)
    assert by_genre[3] > by_genre[2]


def test_a_saved_model_keeps_its_ranker(model) -> None:
    assert model.ranker is not None
    assert model.ranker.blend in BLENDS and model.ranker.regularisation in REGULARISATIONS
    assert model.ranker.genre_weight in GENRE_WEIGHTS
    loaded = load_model(model.save("with-ranker"))
    assert loaded.ranker is not None
    assert np.array_equal(loaded.ranker.rows, model.ranker.rows)
    assert torch.allclose(
        loaded.ranker.weights, model.ranker.weights, atol=1e-2 * float(model.ranker.weights.abs().max())
    )
    ratings = {2: 5.0, 4: 4.5, 3: 1.0}
    assert recommend(loaded, ratings).table["movie_id"].tolist() == recommend(model, ratings).table["movie_id"].tolist()


def test_the_run_reports_top_ten_quality_beside_most_popular(model) -> None:
    ranking = model.results.ranking
    for scores in (ranking.suggestions, ranking.most_popular):
        assert all(0.0 <= v <= 1.0 for v in (scores.precision_at_10, scores.ndcg_at_10, scores.liked_ndcg_at_10))
    assert model.results.ranking_seconds > 0


def test_suggestions_follow_the_planted_taste_in_both_orders(model) -> None:
    comedy_fan = {2: 5.0, 4: 4.5, 6: 5.0, 1: 1.0, 3: 1.5}
    by_ranking = recommend(model, comedy_fan, top_n=5, filters=None, order="ranking").table
    by_rating = recommend(model, comedy_fan, top_n=5, order="rating").table
    assert (by_rating["movie_id"] % 2 == 0).mean() >= 0.8  # comedies have even ids
    assert list(by_rating["predicted"]) == sorted(by_rating["predicted"], reverse=True)
    assert set(by_ranking["movie_id"]).isdisjoint(comedy_fan)
    assert by_ranking["because"].notna().all()


def test_an_unknown_order_is_refused(model) -> None:
    with pytest.raises(MovieRecError, match="Unknown order"):
        recommend(model, {2: 5.0}, order="stars")


def test_more_like_this_by_co_watching_scales_the_strongest_link_to_one(model) -> None:
    table = similar_movies(model, 2, k=5, order="ranking")
    assert table["similarity"].iloc[0] == pytest.approx(1.0)
    assert 2 not in table["movie_id"].tolist()
    by_embedding = similar_movies(model, 2, k=5, order="rating")
    assert by_embedding["similarity"].between(-1.0, 1.0).all()


def test_positions_find_movie_rows_in_the_block() -> None:
    ranker = Ranker(np.array([2, 5, 9]), torch.zeros(3, 3), 0.0, 1.0, torch.zeros(3, 1), 0.0)
    assert ranker.positions(np.array([9, 0, 2, 5, 12, 6])).tolist() == [2, -1, 0, 1, -1, -1]


def test_more_like_this_outside_the_block_is_by_embedding(model) -> None:
    ranker = model.ranker
    outside = ranker.rows != model.movie_index.row(2)
    assert not outside.all()  # movie 2 starts inside the block
    smaller = replace(
        ranker,
        rows=ranker.rows[outside],
        weights=ranker.weights[outside][:, outside],
        genres=ranker.genres[outside],
    )
    without = replace(model, ranker=smaller)
    by_ranking = similar_movies(without, 2, k=5, order="ranking")
    pd.testing.assert_frame_equal(by_ranking, similar_movies(model, 2, k=5, order="rating"))
