from __future__ import annotations

import math
import threading

import pytest
import torch

from factories import TINY, planted_dataset, tiny_model
from movierec.artifacts import build_network
from movierec.errors import MovieRecError
from movierec.evaluation import split_ratings
from movierec.ids import IdIndex
from movierec.pipeline import to_tensors
from movierec.training import BatchEvent, EpochEvent, cosine_restarts, fit, resolve_device


def _parts(dataset, config):
    split = split_ratings(len(dataset.ratings), config.test_size, config.valid_size, config.seed)
    train, valid = dataset.ratings.iloc[split.train], dataset.ratings.iloc[split.valid]
    users, movies = IdIndex(train["user_id"], "user"), IdIndex(train["movie_id"], "movie")
    torch.manual_seed(config.seed)
    network = build_network(config, len(users), len(movies), 0.5, 5.0)
    return network, to_tensors(train, users, movies), to_tensors(valid, users, movies)


def test_training_on_planted_tastes_gets_close_to_the_noise():
    model = tiny_model(planted_dataset(noise=0.3))
    # the noise is 0.3 plus half-star rounding (sd 0.14), so the floor is about 0.33
    assert model.metrics["test_rmse"] < 0.45
    assert model.metrics["test_rmse"] < 0.5 * model.metrics["baselines"]["user_movie_bias"]["rmse"]


def test_same_seed_gives_the_same_weights():
    first, second = tiny_model(), tiny_model()
    for a, b in zip(first.network.state_dict().values(), second.network.state_dict().values()):
        assert torch.equal(a, b)


def test_early_stopping_restores_the_best_epoch():
    config = TINY.with_changes(lr=0.3, epochs=12, patience=3)  # a high lr overfits fast, so validation turns up
    network, train, valid = _parts(planted_dataset(per_user=10), config)
    result = fit(network, train, valid, config)
    assert result.best_epoch < result.epochs_run <= result.best_epoch + config.patience
    best = min(result.history, key=lambda e: e.valid_rmse)
    assert best.epoch == result.best_epoch
    with torch.no_grad():
        predicted = network(valid.users, valid.movies)
    assert float(torch.sqrt(((predicted - valid.ratings) ** 2).mean())) == pytest.approx(best.valid_rmse, rel=1e-5)


def test_events_and_cosine_restarts():
    config = TINY.with_changes(epochs=4, patience=10, restart_epochs=1.0)
    network, train, valid = _parts(planted_dataset(), config)
    events: list = []
    fit(network, train, valid, config, callbacks=(events.append,))
    batches = [e for e in events if isinstance(e, BatchEvent)]
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    n_batches = batches[0].n_batches
    assert len(batches) == 4 * n_batches and [e.epoch for e in epochs] == [1, 2, 3, 4]
    lrs = [e.lr for e in batches]
    assert lrs[0] == pytest.approx(config.lr)  # every epoch restarts at the peak ...
    assert lrs[n_batches] == pytest.approx(config.lr)
    assert min(lrs) >= config.lr / 10 - 1e-12  # ... and never goes below the floor lr/10
    assert all(math.isfinite(e.valid_rmse) and e.seconds >= 0 for e in epochs)


def test_constant_schedule_when_restarts_are_off():
    config = TINY.with_changes(epochs=2, restart_epochs=0)
    network, train, valid = _parts(planted_dataset(), config)
    events: list = []
    fit(network, train, valid, config, callbacks=(events.append,))
    assert {e.lr for e in events if isinstance(e, BatchEvent)} == {config.lr}


def test_stop_flag_ends_the_run_and_keeps_the_best_weights():
    config = TINY.with_changes(epochs=50, patience=50)
    network, train, valid = _parts(planted_dataset(), config)
    stop = threading.Event()

    def stop_in_epoch_three(event):
        if isinstance(event, BatchEvent) and event.epoch == 3 and event.batch == 2:
            stop.set()

    result = fit(network, train, valid, config, callbacks=(stop_in_epoch_three,), stop=stop)
    assert result.stopped and result.epochs_run == 2
    assert result.best_valid_rmse == min(e.valid_rmse for e in result.history)


def test_stop_before_the_first_epoch_ends_still_gives_a_model():
    config = TINY.with_changes(epochs=5)
    network, train, valid = _parts(planted_dataset(), config)
    stop = threading.Event()
    stop.set()
    result = fit(network, train, valid, config, stop=stop)
    assert result.stopped and result.epochs_run == 1 and math.isfinite(result.best_valid_rmse)


def test_cosine_factor_shape():
    factor = cosine_restarts(period=4, floor=0.1)
    assert [round(factor(s), 3) for s in range(5)] == [1.0, 0.868, 0.55, 0.232, 1.0]


def test_device_resolution():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(MovieRecError, match="no CUDA device"):
            resolve_device("cuda")
