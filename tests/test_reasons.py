"""Reasons come from what ranked a suggestion: the item-item weights, the genre match or the predicted rating."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from movierec.model.ranker import Ranker, genre_rows
from movierec.suggest.reasons import EMBEDDING, GENRES, POPULAR, PREDICTED, WATCHED_WITH
from movierec.suggest.recommend import Filters, recommend
from tests.factories import planted_dataset, tiny_model

ANY = Filters(min_ratings=0)
# Comedies have even ids, dramas odd ones (planted_dataset). The person loves two comedies and finds a
# drama so-so: under the embedding reasons of old only the loved comedies could ever be named.
RATINGS = {2: 5.0, 4: 5.0, 7: 2.5}


@pytest.fixture(scope="module")
def model():
    return tiny_model(planted_dataset(n_users=120, n_movies=60, per_user=20))


def with_ranker(model, weights: torch.Tensor, blend: float = 0.0, genre_weight: float = 0.0):
    rows = np.arange(len(model.movies))
    ranker = Ranker(rows, weights, blend, 100.0, genre_rows(model.movies["genres"]), genre_weight)
    return replace(model, ranker=ranker)


def row_of(model, movie_id: int) -> int:
    return int(model.movie_index.row(movie_id))


def test_a_reason_names_the_rated_movies_with_the_largest_item_item_weights(model):
    n = len(model.movies)
    weights = torch.zeros(n, n)
    target = row_of(model, 31)  # a drama, ranked first by its ties to the so-so drama 7 and the comedy 4
    weights[row_of(model, 7), target] = 3.0
    weights[row_of(model, 4), target] = 1.0
    weights[row_of(model, 2), target] = -0.5
    result = recommend(with_ranker(model, weights), RATINGS, top_n=5, filters=ANY, order="ranking")
    first = result.table.iloc[0]
    assert first["movie_id"] == 31
    assert first["reason"] == WATCHED_WITH
    assert first["because_ids"] == [7, 4]  # strongest weight first; a negative weight is never a reason
    titles = model.movies.set_index("movie_id")["title"]
    assert first["because"] == f"Often watched with {titles[7]} and {titles[4]}"


def test_where_the_genre_match_decides_the_reason_names_the_shared_genres(model):
    n = len(model.movies)
    result = recommend(with_ranker(model, torch.zeros(n, n), genre_weight=1.0), RATINGS, top_n=3, filters=ANY)
    assert set(result.table["reason"]) == {GENRES}
    assert all("Comedy" in text for text in result.table["because"])  # two comedies of three rated


def test_where_the_predicted_rating_decides_the_reason_says_so(model):
    n = len(model.movies)
    result = recommend(with_ranker(model, torch.zeros(n, n), blend=1.0), RATINGS, top_n=3, filters=ANY)
    assert set(result.table["reason"]) == {PREDICTED}
    first = result.table.iloc[0]
    assert first["because"] == f"High predicted rating for you ({first['predicted']:.1f}★)"


def test_the_predicted_rating_order_says_its_reason_is_the_embedding(model):
    table = recommend(model, RATINGS, top_n=4, filters=ANY, order="rating").table
    assert set(table["reason"]) == {EMBEDDING}
    assert all("embedding is nearest to" in text for text in table["because"])
    assert {i for ids in table["because_ids"] for i in ids} <= {2, 4}  # only the movies rated highly


def test_the_popular_list_gives_no_personal_reason(model):
    result = recommend(model, {}, top_n=3, filters=ANY)
    assert result.popular and result.table["because"].isna().all() and set(result.table["reason"]) == {POPULAR}


def test_excluded_movies_are_never_suggested(model):
    first = recommend(model, RATINGS, top_n=3, filters=ANY).table["movie_id"].tolist()
    again = recommend(model, RATINGS, top_n=3, filters=ANY, exclude={first[0]}).table["movie_id"].tolist()
    assert first[0] not in again and again[:2] == first[1:]
