"""Implicit feedback, genre vectors, the output offset from the data, and refitting after selection."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from factories import TINY, planted_dataset

from movierec.config import preset
from movierec.model.artifacts import load_model
from movierec.model.network import EmbeddingNet
from movierec.model.ranker import genre_rows
from movierec.pipeline import train_model
from movierec.train.loop import fit
from movierec.train.tensors import RatingTensors, rated_lists


def _implicit_net() -> tuple[EmbeddingNet, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    net = EmbeddingNet(4, 6, n_factors=3, hidden=(5,), dropouts=(0.0,), embedding_dropout=0.0, implicit=True)
    net.y.weight.data.normal_()
    users, movies = torch.tensor([0, 0, 1, 2, 2, 2]), torch.tensor([1, 2, 3, 0, 4, 5])
    net.set_rated(*rated_lists(RatingTensors(users, movies, torch.ones(6)), 4))
    return net.eval(), users, movies


def test_implicit_part_is_scaled_sum_of_rated_movies():
    net, _, _ = _implicit_net()
    expected = (net.y.weight[1] + net.y.weight[2]) / math.sqrt(2)
    torch.testing.assert_close(net.user_vectors(torch.tensor([0]))[0], net.u.weight[0] + expected)
    torch.testing.assert_close(net.user_vectors(torch.tensor([3]))[0], net.u.weight[3])  # rated nothing


def test_held_implicit_parts_give_the_same_predictions_and_gradients_over_several_batches():
    batches = [(torch.tensor([0, 2]), torch.tensor([1, 4])), (torch.tensor([2, 0, 0]), torch.tensor([5, 2, 3]))]
    grads = []
    for hold in (False, True):
        net, _, _ = _implicit_net()
        if hold:
            net.hold_implicit(torch.tensor([2, 0, 2, 0]))
        outputs = [net(users, movies) for users, movies in batches]
        sum(out.sum() for out in outputs).backward()
        net.release_implicit()
        assert net.held is None
        grads.append((outputs, net.y.weight.grad, net.u.weight.grad))
    (plain, y_grad, u_grad), (held, held_y_grad, held_u_grad) = grads
    for a, b in zip(plain, held, strict=True):
        torch.testing.assert_close(a, b)
    torch.testing.assert_close(held_y_grad, y_grad)
    torch.testing.assert_close(held_u_grad, u_grad)


def test_held_implicit_parts_pass_no_gradient_when_dropped():
    net, users, movies = _implicit_net()
    net.hold_implicit(users)
    net(users, movies).sum().backward()
    assert net.y.weight.grad is None  # the held copy gathered it
    net.release_implicit(pass_gradient=False)
    assert net.y.weight.grad is None and net.held is None


def test_baking_keeps_predictions_and_detaches_the_lists():
    net, users, movies = _implicit_net()
    with torch.no_grad():
        before = net(users, movies)
    net.bake()
    assert net.rated_indptr is None and net.rated_movies is None
    with torch.no_grad():
        torch.testing.assert_close(net(users, movies), before)


def test_training_only_tensors_move_with_the_network_but_are_never_saved():
    net, _, _ = _implicit_net()
    net.set_genres(genre_rows(pd.Series([["Comedy"], ["Drama"], [], [], [], []])))
    assert {"rated_indptr", "rated_movies", "genres"}.isdisjoint(net.state_dict())
    net.to("meta")
    assert {net.rated_indptr.device.type, net.rated_movies.device.type, net.genres.device.type} == {"meta"}


def _genre_net() -> EmbeddingNet:
    torch.manual_seed(0)
    net = EmbeddingNet(2, 3, n_factors=3, hidden=(5,), dropouts=(0.0,), embedding_dropout=0.0, use_bias=True)
    net.set_genres(genre_rows(pd.Series([["Comedy"], ["Comedy", "Drama"], []])))
    for table in (net.genre_vectors, net.genre_bias, net.movie_bias):
        table.weight.data.normal_()
    return net.eval()


def test_genre_rows_gives_each_movie_unit_length():
    matrix = genre_rows(pd.Series([["Comedy"], ["Drama", "Comedy"], []]))
    expected = [[1.0, 0.0], [1 / math.sqrt(2), 1 / math.sqrt(2)], [0.0, 0.0]]  # columns: Comedy, Drama
    torch.testing.assert_close(matrix, torch.tensor(expected))


def test_genre_part_is_added_to_movie_vectors_and_biases():
    net = _genre_net()
    comedy, drama = net.genre_vectors.weight[:, 0], net.genre_vectors.weight[:, 1]
    vectors, _ = net.movie_parts(torch.tensor([0, 1, 2]))
    torch.testing.assert_close(vectors[0], net.m.weight[0] + comedy)
    torch.testing.assert_close(vectors[1], net.m.weight[1] + (comedy + drama) / math.sqrt(2))
    torch.testing.assert_close(vectors[2], net.m.weight[2])  # no genres: the row alone


def test_baking_genres_keeps_predictions_and_leaves_a_plain_network():
    net = _genre_net()
    users, movies = torch.tensor([0, 0, 1, 1]), torch.tensor([0, 1, 2, 1])
    with torch.no_grad():
        before = net(users, movies)
    net.bake()
    assert net.genres is None and not any("genre" in key for key in net.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(net(users, movies), before)


def test_genre_vectors_help_when_movies_have_few_ratings():
    sparse = planted_dataset(n_movies=300, per_user=15, seed=2)  # about four ratings per movie
    plain = train_model(sparse, TINY).results.test_rmse
    with_genres = train_model(sparse, TINY.with_changes(use_genres=True)).results.test_rmse
    assert with_genres < plain - 0.1, (with_genres, plain)


def test_genre_vectors_are_skipped_when_no_movie_has_a_genre(recwarn):
    bare = planted_dataset()
    bare.movies["genres"] = [[] for _ in range(len(bare.movies))]  # like a ratings CSV without a movies file
    model = train_model(bare, TINY.with_changes(use_genres=True, epochs=2))
    assert np.isfinite(model.results.test_rmse) and not recwarn.list


def test_init_output_starts_at_the_mean():
    net = EmbeddingNet(3, 3, n_factors=2, hidden=(), dropouts=(), rating_range=(0.0, 5.5))
    net.u.weight.data.zero_()
    net.m.weight.data.zero_()
    net.init_output(3.5)
    with torch.no_grad():
        assert float(net(torch.tensor([0]), torch.tensor([1]))[0]) == pytest.approx(3.5, abs=1e-5)


def test_fit_without_validation_runs_all_epochs_and_keeps_the_last():
    net = EmbeddingNet(4, 6, n_factors=3, hidden=(), dropouts=())
    data = RatingTensors(torch.tensor([0, 1, 2, 3]), torch.tensor([0, 1, 2, 3]), torch.tensor([1.0, 2.0, 3.0, 4.0]))
    empty = RatingTensors(*(t[:0] for t in (data.users, data.movies, data.ratings)))
    result = fit(net, data, empty, TINY.with_changes(epochs=3, patience=1))
    assert result.epochs_run == 3 and result.best_epoch == 3 and math.isnan(result.best_valid_rmse)


def test_default_features_train_save_and_load(tmp_path):
    config = TINY.with_changes(implicit=True, use_genres=True, init_mean=True, refit=True, epochs=4)
    model = train_model(planted_dataset(), config, preset="tiny")
    assert model.results.refit_epochs == model.results.best_epoch
    saved = set(model.network.state_dict())
    assert {"u.weight", "m.weight", "movie_bias.weight", "rating_range"} <= saved
    assert not any(key.startswith(("y.", "genre")) for key in saved)  # baked: the tables alone predict
    path = model.save("features", directory=tmp_path)
    loaded = load_model(path)
    ids = model.users.ids[:5], model.movies["movie_id"].to_numpy()[:5]
    np.testing.assert_allclose(loaded.predict(*ids), model.predict(*ids), rtol=1e-6)
    assert loaded.config.implicit and loaded.config.use_genres and loaded.config.refit
    payload = torch.load(path, weights_only=True)
    payload["state_dict"]["y.weight"] = torch.zeros(model.network.m.weight.shape)
    torch.save(payload, path)  # as saved before baking dropped the implicit table
    assert np.array_equal(load_model(path).predict(*ids), loaded.predict(*ids))


def test_article_preset_keeps_its_spirit():
    article = preset("article")
    assert not (article.implicit or article.use_genres or article.init_mean or article.refit)
    assert article.hidden == (500, 500, 500) and article.n_factors == 150
