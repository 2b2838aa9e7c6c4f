"""Fold-in, suggestions, reasons, neighbours and title search on data with planted tastes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from movierec.data.search import TitleSearch, normalise
from movierec.errors import MovieRecError
from movierec.model.network import EmbeddingNet
from movierec.suggest.dataset_users import held_out, held_out_counts, user_test_ratings
from movierec.suggest.foldin import fold_in, ratings_by_user, ratings_dict
from movierec.suggest.recommend import Filters, liked, most_rated, popularity_scores, recommend, similar_movies
from tests.factories import planted_dataset, tiny_model

COMEDIES = (2, 4, 6, 8, 10, 12)
DRAMAS = (1, 3, 5, 7, 9, 11)
COMEDY_LOVER = {**{m: 5.0 for m in COMEDIES}, **{m: 1.0 for m in DRAMAS}}


@pytest.fixture(scope="module")
def model():
    return tiny_model(planted_dataset(n_users=120, n_movies=60, per_user=30))


def test_a_comedy_lover_gets_comedies_and_a_drama_lover_dramas(model):
    # Planted users watch movies at random, so only the ratings carry their taste: order by them.
    comedy = recommend(model, COMEDY_LOVER, top_n=10, filters=Filters(min_ratings=0), order="rating")
    assert not comedy.popular
    assert (comedy.table["movie_id"] % 2 == 0).mean() >= 0.9
    drama_lover = {m: 6.0 - r for m, r in COMEDY_LOVER.items()}
    drama = recommend(model, drama_lover, top_n=10, filters=Filters(min_ratings=0), order="rating").table
    assert (drama["movie_id"] % 2 == 1).mean() >= 0.9
    assert comedy.table["predicted"].mean() > drama.loc[drama["movie_id"] % 2 == 1, "predicted"].min() - 1


def test_suggestions_exclude_rated_movies_and_say_why(model):
    table = recommend(model, COMEDY_LOVER, top_n=20, filters=Filters(min_ratings=0), order="rating").table
    assert not set(table["movie_id"]) & set(COMEDY_LOVER)
    titles = model.movies.set_index("movie_id")["title"]
    assert table["because"].notna().all() and set(table["reason"]) == {"embedding"}
    for because, ids in zip(table["because"], table["because_ids"], strict=True):  # the nearest movie rated highly
        assert len(ids) == 1 and ids[0] in COMEDIES and titles[ids[0]] in because
    assert table["predicted"].is_monotonic_decreasing


def test_fold_in_is_deterministic_and_leaves_the_network_alone(model):
    model.network.zero_grad(set_to_none=True)  # training leaves its last gradients behind
    before = {k: v.clone() for k, v in model.network.state_dict().items()}
    first, second = fold_in(model, COMEDY_LOVER), fold_in(model, COMEDY_LOVER)
    assert torch.equal(first.vector, second.vector) and first.bias == second.bias
    np.testing.assert_array_equal(first.predictions, second.predictions)
    assert all(torch.equal(v, model.network.state_dict()[k]) for k, v in before.items())
    assert all(p.grad is None for p in model.network.parameters())


def test_fold_in_fits_the_ratings_it_was_given(model):
    fold = fold_in(model, COMEDY_LOVER)
    rows = model.movie_index.rows(list(COMEDY_LOVER))
    predicted = dict(zip(COMEDY_LOVER, fold.predictions[rows], strict=True))
    assert min(predicted[m] for m in COMEDIES) > max(predicted[m] for m in DRAMAS)
    assert len(fold.predictions) == len(model.movies)
    assert ((fold.predictions >= 0.5) & (fold.predictions <= 5.0)).all()


def test_one_rating_moves_the_person_only_a_little(model):
    average = fold_in(model, {})
    one = fold_in(model, {2: 5.0})
    users = model.network.user_table()
    typical = (users - users.mean(0)).norm(dim=1).median()
    assert (one.vector - average.vector).norm() < 2 * typical


def test_unknown_ids_are_reported_not_scored(model):
    fold = fold_in(model, {2: 5.0, 999_999: 4.0})
    assert fold.unknown == (999_999,) and fold.used == {2: 5.0}
    assert recommend(model, {999_999: 4.0}).popular


def test_ratings_outside_the_scale_are_rejected(model):
    for bad in (7.0, 0.0, float("nan"), "4"):
        with pytest.raises(MovieRecError, match="movie 2"):
            fold_in(model, {2: bad})


def test_no_ratings_fall_back_to_damped_popularity(model):
    result = recommend(model, {}, top_n=5, filters=Filters(min_ratings=0))
    assert result.popular and not result.fold.used and result.table["because"].isna().all()
    scores = pd.Series(popularity_scores(model), index=model.movies["movie_id"])
    assert list(result.table["movie_id"]) == list(scores.sort_values(ascending=False, kind="stable").index[:5])


def test_damping_pulls_a_single_perfect_rating_below_a_well_loved_classic(model):
    movies = model.movies.copy()
    movies.loc[0, ["n_ratings", "mean_rating"]] = (1, 5.0)
    movies.loc[1, ["n_ratings", "mean_rating"]] = (500, 4.6)
    model_copy = type(model)(
        model.config, model.network, model.users, movies, model.scale, model.dataset, model.fingerprint
    )
    scores = popularity_scores(model_copy)
    assert scores[1] > scores[0]


def test_filters_limit_genres_years_and_counts(model):
    only_dramas = recommend(
        model, COMEDY_LOVER, top_n=50, filters=Filters(include_genres=frozenset({"Drama"}), min_ratings=0)
    ).table
    assert len(only_dramas) and (only_dramas["movie_id"] % 2 == 1).all()
    no_comedy = recommend(
        model, COMEDY_LOVER, top_n=50, filters=Filters(exclude_genres=frozenset({"Comedy"}), min_ratings=0)
    ).table
    assert (no_comedy["movie_id"] % 2 == 1).all()
    years = recommend(model, {}, top_n=50, filters=Filters(year_min=1990, year_max=1995, min_ratings=0)).table
    assert len(years) and years["year"].between(1990, 1995).all()
    assert recommend(model, {}, filters=Filters(min_ratings=10**6)).table.empty


def test_a_ratings_frame_becomes_the_movie_id_to_rating_dicts_fold_in_takes():
    frame = pd.DataFrame({"user_id": [7, 3, 7, 7], "movie_id": [10, 11, 12, 10], "rating": [4, 2.5, 1, 5]})
    assert ratings_dict(frame[frame["user_id"] == 3]) == {11: 2.5}
    by_user = ratings_by_user(frame)
    assert by_user == {3: {11: 2.5}, 7: {10: 5.0, 12: 1.0}}  # a later rating of a movie wins
    assert all(type(user) is int and type(rating) is float for user in by_user for rating in by_user[user].values())
    assert ratings_by_user(frame.iloc[:0]) == {}


def test_liked_needs_above_middle_and_own_mean(model):
    assert liked(model, {1: 5.0, 2: 4.0, 3: 1.0}) == [1, 2]
    assert liked(model, {1: 2.0, 2: 2.5}) == []


def test_similar_movies_are_nearest_by_cosine_and_exclude_the_movie(model):
    neighbours = similar_movies(model, 2, k=8, order="rating")
    assert 2 not in set(neighbours["movie_id"]) and len(neighbours) == 8
    assert neighbours["similarity"].is_monotonic_decreasing
    assert (neighbours["movie_id"] % 2 == 0).mean() >= 0.75
    with pytest.raises(MovieRecError, match="123456"):
        similar_movies(model, 123456)


def test_most_rated_skips_what_was_rated(model):
    top = most_rated(model, 5, exclude={int(model.movies.sort_values("n_ratings").iloc[-1]["movie_id"])})
    assert len(top) == 5 and top["n_ratings"].is_monotonic_decreasing


def test_search_ignores_case_accents_punctuation_and_word_order():
    movies = pd.DataFrame(
        {
            "movie_id": [1, 2, 3, 4],
            "title": [
                "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
                "Matrix, The (1999)",
                "Toy Story (1995)",
                "Toy Story 2 (1999)",
            ],
            "n_ratings": [10, 20, 30, 5],
        }
    )
    search = TitleSearch(movies)
    assert normalise("  AMÉLIE!! ") == "amelie"
    assert list(search.find("amelie 2001")["movie_id"]) == [1]
    assert list(search.find("AMELIE")["movie_id"]) == [1]
    assert list(search.find("the matrix")["movie_id"]) == [2]
    assert list(search.find("toy sto")["movie_id"]) == [3, 4]
    assert list(search.find("story 1999")["movie_id"]) == [4]
    assert search.find("   ").empty and search.find("zzz").empty


def test_browse_a_dataset_user_shows_held_out_ratings_with_predictions(model):
    data = planted_dataset(n_users=120, n_movies=60, per_user=30)
    test = held_out(model, data)
    user = int(held_out_counts(test).index[0])
    table = user_test_ratings(model, data, test, user)
    mine = test[test["user_id"] == user]
    assert sorted(table["movie_id"]) == sorted(mine["movie_id"])
    np.testing.assert_allclose(table["error"], table["predicted"] - table["rating"])
    with pytest.raises(MovieRecError, match="trained on other ratings"):
        held_out(model, planted_dataset(seed=5))
    with pytest.raises(MovieRecError, match="no held-out"):
        user_test_ratings(model, data, test, 10**6)


def test_the_average_user_is_worked_out_once_per_model(monkeypatch):
    trained = tiny_model()  # trained first: training itself predicts and folds people in
    first, second = replace(trained), replace(trained)  # two models around one network, nothing worked out yet
    calls = []
    original = EmbeddingNet.average_user
    monkeypatch.setattr(EmbeddingNet, "average_user", lambda net: calls.append(net) or original(net))
    first.predict(np.array([10**6]), np.array([2]))  # an unknown user, predicted as the average one
    for model in (first, first, second):
        fold_in(model, {2: 5.0})
    assert calls == [trained.network, trained.network]
    # Asked for first in inference mode, yet usable by the fold-in's gradients.
    assert not first.user_prior[0].is_inference()
