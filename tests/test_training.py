from __future__ import annotations

import math
import threading

import pytest
import torch
from factories import TINY, planted_dataset, tiny_model

from movierec.errors import MovieRecError
from movierec.evaluate.splits import split_ratings
from movierec.ids import IdIndex
from movierec.model.network import build_network
from movierec.pipeline import train_model
from movierec.train import loop as training
from movierec.train.loop import BatchEvent, EpochEvent, fit, resolve_device
from movierec.train.schedule import EarlyStopping, cosine_restarts
from movierec.train.tensors import to_tensors


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
    assert model.results.test_rmse < 0.45
    assert model.results.test_rmse < 0.5 * model.results.baselines.user_movie_bias.rmse


def test_same_seed_gives_the_same_weights():
    first, second = tiny_model(), tiny_model()
    for a, b in zip(first.network.state_dict().values(), second.network.state_dict().values(), strict=True):
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


def test_cosine_factor_follows_torchs_warm_restarts():
    lr, period = 5e-3, 7
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=period, eta_min=0.1 * lr)
    factor = cosine_restarts(period, floor=0.1)
    for step in range(3 * period + 2):
        assert optimizer.param_groups[0]["lr"] == pytest.approx(lr * factor(step), rel=1e-9)
        optimizer.step()
        schedule.step()


def test_early_stopping_keeps_the_best_epoch_and_counts_patience():
    network = torch.nn.Linear(1, 1)
    best = EarlyStopping(patience=2)
    for epoch, (rmse, weight) in enumerate([(0.9, 1.0), (0.8, 2.0), (0.85, 3.0), (0.81, 4.0)], start=1):
        network.weight.data.fill_(weight)
        best.update(network, epoch, rmse)
    assert (best.epoch, best.rmse, best.patience_spent) == (2, 0.8, True)
    best.restore(network)
    assert network.weight.item() == 2.0


def test_device_resolution():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(MovieRecError, match="no CUDA device"):
            resolve_device("cuda")


def _weights(network) -> list[torch.Tensor]:
    return [t.detach().clone() for t in network.state_dict().values()]


def test_same_seed_same_model_even_with_another_run_in_between():
    config = TINY.with_changes(epochs=3, dropouts=(0.3,), embedding_dropout=0.1)
    network, train, valid = _parts(planted_dataset(), config)
    first = fit(network, train, valid, config)
    reference = _weights(network)
    torch.manual_seed(12345)  # the global random state must not matter ...
    other, other_train, other_valid = _parts(planted_dataset(seed=4), config.with_changes(seed=9))
    thread = threading.Thread(target=fit, args=(other, other_train, other_valid, config.with_changes(seed=9)))
    thread.start()  # ... nor a run training at the same time
    network, train, valid = _parts(planted_dataset(), config)
    second = fit(network, train, valid, config)
    thread.join()
    assert first.best_valid_rmse == second.best_valid_rmse
    assert all(torch.equal(a, b) for a, b in zip(reference, _weights(network), strict=True))


def test_a_diverging_run_ends_with_a_message_that_says_what_to_change():
    config = TINY.with_changes(lr=1.0, epochs=3)
    network, train, valid = _parts(planted_dataset(), config)
    with torch.no_grad():
        network.fc.weight.fill_(float("nan"))  # what a blown-up step leaves behind
    with pytest.raises(MovieRecError, match=r"diverged.*epoch 1, batch 1.*Lower the learning rate"):
        fit(network, train, valid, config)


def test_losses_read_back_in_bursts_give_the_same_events(monkeypatch):
    """The CUDA cadence (one read-back every few batches), run on CPU: same events, same model."""
    config = TINY.with_changes(epochs=2)
    results = []
    for every in (1, 3):
        monkeypatch.setitem(training.REPORT_EVERY, "cpu", every)
        network, train, valid = _parts(planted_dataset(), config)
        events: list = []
        fit(network, train, valid, config, callbacks=(events.append,))
        results.append(([e for e in events if isinstance(e, BatchEvent)], _weights(network)))
    (batches, weights), (burst_batches, burst_weights) = results
    assert batches == burst_batches and len(batches) == 2 * batches[0].n_batches
    assert all(torch.equal(a, b) for a, b in zip(weights, burst_weights, strict=True))


def test_user_grouped_batches_train_as_well_on_small_data(monkeypatch):
    config = TINY.with_changes(implicit=True, epochs=10)
    dataset = planted_dataset(per_user=40)
    shuffled = tiny_model(dataset, config).results.test_rmse
    monkeypatch.setattr(training, "GROUP_ABOVE", 0)  # group users whatever the size
    monkeypatch.setattr(training, "MIX_BATCHES", 2)
    grouped = tiny_model(dataset, config).results.test_rmse
    assert grouped != shuffled and grouped < 0.5 and abs(grouped - shuffled) < 0.05


def test_sparse_embedding_gradients_are_switched_off_after_training():
    network = tiny_model().network
    assert not any(m.sparse for m in network.modules() if isinstance(m, torch.nn.Embedding))


def test_two_threads_give_the_same_model_twice():
    """With two threads, adding the implicit part's gradient by indexing drifted between runs."""
    from movierec.config import preset
    from movierec.data import load_movielens

    dataset = load_movielens("ml-latest-small")
    config = preset("default").with_changes(epochs=1, device="cpu")
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        first, second = (train_model(dataset, config).network.state_dict() for _ in range(2))
    finally:
        torch.set_num_threads(threads)
    assert all(torch.equal(first[k], second[k]) for k in first)
