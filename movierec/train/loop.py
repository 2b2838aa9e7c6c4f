"""``fit()``: the epoch loop with Adam, cosine restarts, early stopping, events and a stop flag."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from movierec.config import TrainConfig
from movierec.errors import MovieRecError
from movierec.events import ALL_EPOCHS, PATIENCE, STOPPED, BatchEvent, Callback, EpochEvent, Event, FitEndEvent
from movierec.model.dropout import ByteDropout
from movierec.model.network import EmbeddingNet, predict_rows
from movierec.train.allocator import keep_freed_memory
from movierec.train.batches import ShuffledOrder, UserGroupedOrder
from movierec.train.gpu_memory import out_of_gpu_memory, require_gpu_memory
from movierec.train.optimisers import Steps
from movierec.train.schedule import EarlyStopping, cosine_restarts
from movierec.train.tensors import RatingTensors

# Batches between loss reports. A report reads the losses back from the device, which on CUDA waits for
# the queued work; on CPU it costs nothing, so every batch is reported at once.
REPORT_EVERY = {"cpu": 1, "cuda": 50}
# Shuffled batches give the best RMSE, so they are kept while their implicit part reads at most GROUP_ABOVE
# rows per rating; above it (the large releases) they would spend most of each batch on that part, so
# batches group users, mixing the ratings of MIX_BATCHES batches: grouping alone is several times faster but
# less accurate, and mixing keeps most of the accuracy at the grouped speed (README, "Large releases").
GROUP_ABOVE = 32
MIX_BATCHES = 8


@dataclass
class FitResult:
    """What a run did: the best epoch (whose weights the network now holds) and the history."""

    best_epoch: int
    best_valid_rmse: float
    epochs_run: int
    stopped: bool  # True when the stop flag ended the run early
    seconds: float
    device: str
    history: list[EpochEvent] = field(default_factory=list)


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA when present; ``cuda`` without a GPU raises a clear error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise MovieRecError("CUDA was requested but no CUDA device is available here; use --device cpu or auto.")
    if name not in ("cpu", "cuda"):
        raise MovieRecError(f"Unknown device {name!r}; use auto, cpu or cuda.")
    return torch.device(name)


def _rmse(network: nn.Module, data: RatingTensors) -> float:
    predicted = predict_rows(network, data.users, data.movies)
    return float(torch.sqrt(torch.mean((predicted - data.ratings) ** 2)))


def fit(
    network: EmbeddingNet,
    train: RatingTensors,
    valid: RatingTensors,
    config: TrainConfig,
    callbacks: tuple[Callback, ...] = (),
    stop: threading.Event | None = None,
) -> FitResult:
    """Train ``network`` in place and leave it holding the weights of its best validation epoch.

    On CPU, embedding tables get sparse gradients and :class:`RowAdam` updates only the rows a batch
    touched; everything else (and every table on CUDA, where a dense step is cheap) uses fused Adam. A
    network that asks for it (``groups_by_user``) gets batches that keep each user's ratings together.
    Randomness comes from generators seeded by ``config.seed`` alone, so the same settings, seed and
    thread count give the same weights, even with other runs in the same process.

    Args:
        network: the network to train (moved to the configured device).
        train: training ratings as rows.
        valid: validation ratings for early stopping (never the test part); when empty, the run lasts
            ``config.epochs`` epochs and keeps the last one (a refit after selection).
        config: hyper-parameters (lr, weight decay, batch size, epochs, patience, restart period, seed, device).
        callbacks: called with every :class:`BatchEvent` and :class:`EpochEvent`, then one :class:`FitEndEvent`.
        stop: when set, the run ends after the current batch, keeping the best weights so far.

    Raises:
        MovieRecError: the loss or the validation RMSE stopped being a finite number (the run diverged), or
            the run does not fit, or no longer fits, in the GPU's memory.
    """
    device = resolve_device(config.device)
    if device.type == "cpu":
        keep_freed_memory()
    else:
        require_gpu_memory(network, len(train) + len(valid), config.batch_size, device)
    tables = [m for m in network.modules() if isinstance(m, nn.Embedding)]
    sparse_before = [table.sparse for table in tables]
    try:
        return _fit_on(device, network, train, valid, config, callbacks, stop)
    except torch.OutOfMemoryError:
        pass  # raised below, once the failed run's tensors are no longer referenced from this frame
    finally:
        for table, sparse in zip(tables, sparse_before, strict=True):
            table.sparse = sparse
    if device.type == "cuda":
        torch.cuda.empty_cache()  # give the failed run's blocks back, so the server's next run starts clean
    raise MovieRecError(out_of_gpu_memory(device))


def _fit_on(
    device: torch.device,
    network: EmbeddingNet,
    train: RatingTensors,
    valid: RatingTensors,
    config: TrainConfig,
    callbacks: tuple[Callback, ...],
    stop: threading.Event | None,
) -> FitResult:
    """:func:`fit` once the device is chosen: the network, the data and the generators moved there, then the epochs."""
    network.to(device)
    train, valid = train.to(device), _by_user(valid).to(device)
    generator = torch.Generator(device=device).manual_seed(config.seed)
    for module in network.modules():
        if isinstance(module, ByteDropout):
            module.generator = torch.Generator(device=device).manual_seed(config.seed + 1)
    return _train(
        network,
        train,
        valid,
        config,
        Steps(network, network.tables_by_ids(), config, device),
        _order(network, train, config.batch_size, generator, device),
        callbacks,
        stop,
    )


def _by_user(data: RatingTensors) -> RatingTensors:
    """The same ratings sorted by user, so each scoring chunk computes few users' implicit parts."""
    order = torch.argsort(data.users, stable=True)
    return data.take(order)


def _order(
    network: EmbeddingNet, train: RatingTensors, batch_size: int, generator: torch.Generator, device: torch.device
) -> UserGroupedOrder | ShuffledOrder:
    """User-grouped batches where shuffled ones would make the implicit part dominate, shuffled otherwise."""
    if not network.groups_by_user or not len(train):
        return ShuffledOrder(len(train), generator, device)
    counts = torch.bincount(train.users).double()
    share = min(1.0, batch_size / len(train))
    # Expected implicit rows of a shuffled batch: every rating of each user the batch reaches.
    work = float((counts * (1 - (1 - share) ** counts)).sum())
    if work <= GROUP_ABOVE * batch_size:
        return ShuffledOrder(len(train), generator, device)
    return UserGroupedOrder(train.users, len(counts), generator, batch_size, MIX_BATCHES)


def _train(
    network: EmbeddingNet,
    train: RatingTensors,
    valid: RatingTensors,
    config: TrainConfig,
    step: Steps,
    order: UserGroupedOrder | ShuffledOrder,
    callbacks: tuple[Callback, ...],
    stop: threading.Event | None,
) -> FitResult:
    n_batches = max(1, math.ceil(len(train) / config.batch_size))
    factor = (
        cosine_restarts(max(1, round(config.restart_epochs * n_batches)), floor=0.1)
        if config.restart_epochs > 0
        else None
    )

    def lr_at(step: int) -> float:
        return config.lr * factor(step) if factor else config.lr

    best = EarlyStopping(config.patience)
    history: list[EpochEvent] = []
    started = time.perf_counter()
    stopped = False
    for epoch in range(1, config.epochs + 1):
        epoch_start = time.perf_counter()
        lrs = [lr_at(s) for s in range((epoch - 1) * n_batches, epoch * n_batches)]
        losses, n_done = _run_epoch(network, train, order, config.batch_size, step, lrs, epoch, callbacks, stop)
        stopped = n_done < n_batches
        if stopped and best.epoch:
            break
        valid_rmse = _rmse(network, valid) if len(valid) else math.nan
        if len(valid) and not math.isfinite(valid_rmse):
            raise MovieRecError(_diverged(f"the validation RMSE of epoch {epoch}", lrs[max(0, n_done - 1)]))
        best.update(network, epoch, valid_rmse)
        event = EpochEvent(
            epoch=epoch,
            epochs=config.epochs,
            train_rmse=math.sqrt(float(losses[:n_done].sum()) / n_done) if n_done else math.nan,
            valid_rmse=valid_rmse,
            lr=lr_at((epoch - 1) * n_batches + n_done),
            seconds=time.perf_counter() - epoch_start,
            best_epoch=best.epoch,
            best_valid_rmse=best.rmse,
            last_possible=min(config.epochs, best.epoch + config.patience) if len(valid) else config.epochs,
        )
        history.append(event)
        _emit(callbacks, event)
        if stopped or best.patience_spent:
            break
    best.restore(network)
    network.eval()
    ended = STOPPED if stopped else PATIENCE if len(history) < config.epochs else ALL_EPOCHS
    _emit(callbacks, FitEndEvent(len(history), config.epochs, best.epoch, ended))
    return FitResult(
        best.epoch, best.rmse, len(history), stopped, time.perf_counter() - started, str(train.ratings.device), history
    )


def _run_epoch(
    network: EmbeddingNet,
    train: RatingTensors,
    order: UserGroupedOrder | ShuffledOrder,
    batch_size: int,
    step: Steps,
    lrs: list[float],
    epoch: int,
    callbacks: tuple[Callback, ...],
    stop: threading.Event | None,
) -> tuple[torch.Tensor, int]:
    """One pass over an epoch of ``order`` in batches, batch ``k`` at learning rate ``lrs[k]``.

    Where runs of batches draw on the same users, each run holds their implicit parts (see
    :meth:`EmbeddingNet.hold_implicit`), so the sums over rated movies and the ``y`` table's update
    happen once per run, not once per batch.

    Returns every batch's loss (kept on the device) and how many batches ran before a stop.
    """
    device = train.ratings.device
    every = REPORT_EVERY.get(device.type, REPORT_EVERY["cuda"])
    positions, run = order.epoch(), order.run_length
    holder = network if run > 1 else None  # only a user-grouped order has runs of batches
    losses, reported, n_done = torch.empty(len(lrs), device=device), 0, 0
    network.train()
    for batch, lr in enumerate(lrs):
        if stop is not None and stop.is_set():
            break
        if holder is not None and batch % run == 0:
            holder.hold_implicit(
                train.users.index_select(0, positions[batch * batch_size : (batch + run) * batch_size])
            )
        rows = train.take(positions[batch * batch_size : (batch + 1) * batch_size])
        loss = F.mse_loss(network(rows.users, rows.movies), rows.ratings)
        ends_run = (batch + 1) % run == 0 or batch + 1 == len(lrs)
        step(loss, lr, holder.release_implicit if holder is not None and ends_run else None)
        losses[batch] = loss.detach()
        n_done = batch + 1
        if n_done - reported == every:
            reported = _report(callbacks, epoch, reported, losses, lrs[:n_done])
    if holder is not None:
        holder.release_implicit(pass_gradient=False)  # a stop part-way through a run: no step would follow
    _report(callbacks, epoch, reported, losses, lrs[:n_done])
    return losses, n_done


def _report(callbacks: tuple[Callback, ...], epoch: int, first: int, losses: torch.Tensor, lrs: list[float]) -> int:
    """Read the losses of batches ``first + 1 .. len(lrs)`` back at once, check them, send one event each.

    Returns the number of batches reported so far (``len(lrs)``).
    """
    values = losses[first : len(lrs)].tolist()
    for offset, loss in enumerate(values):
        if not math.isfinite(loss):
            raise MovieRecError(
                _diverged(f"the loss of epoch {epoch}, batch {first + offset + 1}", lrs[first + offset])
            )
    if callbacks:
        for offset, loss in enumerate(values):
            _emit(callbacks, BatchEvent(epoch, first + offset + 1, len(losses), loss, lrs[first + offset]))
    return len(lrs)


def _diverged(what: str, lr: float) -> str:
    return (
        f"Training diverged: {what} is not a finite number (learning rate {lr:.3g} at that point). "
        f"Lower the learning rate (for example to {lr / 10:.3g}) or raise the weight decay, and train "
        "again; nothing was saved."
    )


def _emit(callbacks: tuple[Callback, ...], event: Event) -> None:
    for callback in callbacks:
        callback(event)
