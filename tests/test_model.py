from __future__ import annotations

import pytest
import torch
from torch import nn

from movierec.model.dropout import ByteDropout
from movierec.model.network import EmbeddingNet, predict_rows


def test_article_architecture_and_initialisation():
    net = EmbeddingNet(7, 9, n_factors=4, hidden=(6, 5), dropouts=(0.5, 0.0), embedding_dropout=0.05)
    kinds = [type(layer) for layer in net.hidden]
    assert kinds == [nn.Linear, nn.ReLU, ByteDropout, nn.Linear, nn.ReLU]  # no Dropout where the rate is 0
    assert net.hidden[0].in_features == 8  # user and movie embeddings concatenated
    assert net.u.weight.abs().max() <= 0.05 and net.m.weight.abs().max() <= 0.05
    assert torch.allclose(net.fc.bias, torch.full_like(net.fc.bias, 0.01))


@pytest.mark.parametrize("use_bias,use_dot", [(False, False), (True, False), (False, True), (True, True)])
def test_predictions_stay_in_the_sigmoid_range(use_bias, use_dot):
    torch.manual_seed(0)
    net = EmbeddingNet(
        5, 6, n_factors=3, hidden=(4,), dropouts=(0.0,), rating_range=(0.5, 5.5), use_bias=use_bias, use_dot=use_dot
    )
    with torch.no_grad():
        net.u.weight.mul_(1000)  # push the logits far out: the output must still stay in range
        out = net(torch.tensor([0, 1, 4]), torch.tensor([5, 0, 2]))
    assert out.shape == (3,)
    assert bool(((out >= 0.5) & (out <= 5.5)).all())


def test_score_from_vectors_equals_forward():
    torch.manual_seed(0)
    net = EmbeddingNet(5, 6, n_factors=3, hidden=(4,), dropouts=(0.3,), use_bias=True, use_dot=True).eval()
    users, movies = torch.tensor([0, 3]), torch.tensor([2, 5])
    with torch.no_grad():
        direct = net(users, movies)
        from_vectors = net.score(
            net.u(users), net.m(movies), net.user_bias(users).squeeze(1), net.movie_bias(movies).squeeze(1)
        )
    assert torch.allclose(direct, from_vectors)


def test_the_contract_names_sizes_tables_biases_and_range():
    net = EmbeddingNet(5, 7, n_factors=3, hidden=(4,), dropouts=(0.0,), rating_range=(0.5, 5.5), use_bias=True)
    assert (net.n_users, net.n_movies, net.n_factors, net.use_bias) == (5, 7, 3, True)
    assert net.rating_bounds == (0.5, 5.5)
    assert net.user_table().shape == (5, 3) and net.movie_table().shape == (7, 3)
    assert net.user_biases().shape == (5,) and net.movie_biases().shape == (7,)
    assert not net.movie_table().requires_grad and net.movie_table().data_ptr() == net.m.weight.data_ptr()
    plain = EmbeddingNet(5, 7, n_factors=3, hidden=(), dropouts=())
    assert not plain.use_bias and plain.user_biases() is None and plain.movie_biases() is None


def test_the_average_user_is_laid_out_as_one_user():
    torch.manual_seed(0)
    net = EmbeddingNet(5, 7, n_factors=3, hidden=(), dropouts=(), use_bias=True)
    with torch.no_grad():
        net.user_bias.weight.normal_()
    mean, spread = net.average_user()
    vector, bias = net.split_user(mean)
    torch.testing.assert_close(vector, net.u.weight.mean(0))
    torch.testing.assert_close(bias, net.user_bias.weight.mean())
    assert spread.shape == (4,) and bool((spread >= 1e-2).all())
    single = EmbeddingNet(1, 7, n_factors=3, hidden=(), dropouts=())
    assert single.split_user(single.average_user()[0])[1] is None
    torch.testing.assert_close(single.average_user()[1], torch.full((3,), 1e-2))


def test_inference_mode_predictions_equal_those_with_gradients_off():
    torch.manual_seed(0)
    net = EmbeddingNet(5, 6, n_factors=3, hidden=(4,), dropouts=(0.3,), use_bias=True, use_dot=True).train()
    users, movies = torch.tensor([0, 3, 4, 1]), torch.tensor([2, 5, 0, 1])
    predicted = predict_rows(net, users, movies)
    assert net.training  # the mode is restored
    with torch.no_grad():
        assert torch.equal(predicted, net.eval()(users, movies))


def test_tables_are_grouped_by_the_ids_a_batch_looks_them_up_with():
    net = EmbeddingNet(5, 7, n_factors=4, hidden=(), dropouts=(), use_bias=True, implicit=True)
    assert net.tables_by_ids() == [(net.u, net.user_bias), (net.m, net.movie_bias), (net.y,)]
    plain = EmbeddingNet(5, 7, n_factors=4, hidden=(), dropouts=())
    assert plain.tables_by_ids() == [(plain.u,), (plain.m,)]


def _per_rating(net: EmbeddingNet, users: torch.Tensor, movies: torch.Tensor) -> torch.Tensor:
    """The network's ratings with every vector looked up once per rating (the path a GPU takes)."""
    movie_vectors, movie_bias = net.movie_parts(movies)
    user_bias = net.user_bias(users).squeeze(1) if net.user_bias is not None else None
    return net.score(net.user_vectors(users), movie_vectors, user_bias, movie_bias)


@pytest.mark.parametrize("hidden", [(6,), ()])
def test_distinct_rows_give_the_ratings_and_gradients_of_one_row_per_rating(hidden):
    torch.manual_seed(0)
    net = EmbeddingNet(
        5, 6, n_factors=3, hidden=hidden, dropouts=(0.0,) * len(hidden), embedding_dropout=0.0, use_bias=True
    )
    net.use_dot = True
    net.set_genres(torch.eye(6)[:, :4])
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.normal_()
    users, movies = torch.tensor([3, 0, 3, 3, 1, 0]), torch.tensor([2, 2, 5, 0, 2, 4])  # repeats on both sides
    results = []
    for predict in (net.forward, lambda u, m: _per_rating(net, u, m)):
        net.zero_grad()
        ratings = predict(users, movies)
        (ratings**2).sum().backward()
        results.append((ratings.detach(), {name: p.grad.clone() for name, p in net.named_parameters()}))
    (distinct, distinct_grads), (per_rating, per_rating_grads) = results
    torch.testing.assert_close(distinct, per_rating)
    assert distinct_grads.keys() == per_rating_grads.keys()
    for name, grad in distinct_grads.items():
        torch.testing.assert_close(grad, per_rating_grads[name], msg=name)


def test_an_active_embedding_dropout_still_masks_each_rating_on_its_own():
    torch.manual_seed(0)
    net = EmbeddingNet(4, 4, n_factors=8, hidden=(5,), dropouts=(0.0,), embedding_dropout=0.5)
    users, movies = torch.tensor([1, 1, 1, 1]), torch.tensor([2, 2, 2, 2])  # one user and one movie, four times
    with torch.no_grad():
        net.drop.generator = torch.Generator().manual_seed(3)
        ratings = net(users, movies)
        net.drop.generator = torch.Generator().manual_seed(3)
        torch.testing.assert_close(ratings, _per_rating(net, users, movies))
    assert len(set(ratings.tolist())) > 1  # a mask per rating, not one per distinct vector
