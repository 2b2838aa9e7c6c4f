"""``fit()``: the epoch loop with Adam, cosine restarts, early stopping, events and a stop flag."""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from movierec.config import TrainConfig
from movierec.errors import MovieRecError

EVAL_BATCH = 65536  # rows per forward pass when scoring without gradients


@dataclass(frozen=True)
class RatingTensors:
    """Ratings as embedding rows: three aligned 1-D tensors."""

    users: torch.Tensor
    movies: torch.Tensor
    ratings: torch.Tensor

    def __len__(self) -> int:
        return len(self.ratings)

    def to(self, device: torch.device) -> RatingTensors:
        """The same ratings on ``device``."""
        return RatingTensors(self.users.to(device), self.movies.to(device), self.ratings.to(device))


@dataclass(frozen=True)
class BatchEvent:
    """Sent after every optimisation step."""

    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    n_batches: int
    loss: float  # mean squared error of this batch (with dropout active)
    lr: float
    refit: bool = False  # True in the refit on train+validation that follows selection


@dataclass(frozen=True)
class EpochEvent:
    """Sent after every epoch, once the validation part has been scored."""

    epoch: int
    epochs: int  # the configured maximum
    train_rmse: float  # sqrt of the mean batch loss over the epoch
    valid_rmse: float
    lr: float  # learning rate at the end of the epoch
    seconds: float  # wall-clock seconds of this epoch, validation included
    best_epoch: int
    best_valid_rmse: float
    refit: bool = False  # True in the refit on train+validation (no validation RMSE then)


Event = BatchEvent | EpochEvent
Callback = Callable[[Event], None]


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


def cosine_restarts(period: int, floor: float) -> Callable[[int], float]:
    """Learning-rate factor per step: cosine from 1 down to ``floor``, restarting every ``period`` steps."""

    def factor(step: int) -> float:
        t = (step % period) / period
        return floor + (1 - floor) * (1 + math.cos(math.pi * t)) / 2

    return factor


@torch.no_grad()
def predict_rows(network: nn.Module, users: torch.Tensor, movies: torch.Tensor) -> torch.Tensor:
    """Predictions for row pairs in large batches, in eval mode (the mode is restored)."""
    was_training = network.training
    network.eval()
    parts = [network(users[i : i + EVAL_BATCH], movies[i : i + EVAL_BATCH]) for i in range(0, len(users), EVAL_BATCH)]
    network.train(was_training)
    return torch.cat(parts) if parts else torch.empty(0, device=users.device)


def _rmse(network: nn.Module, data: RatingTensors) -> float:
    predicted = predict_rows(network, data.users, data.movies)
    return float(torch.sqrt(torch.mean((predicted - data.ratings) ** 2)))


def fit(
    network: nn.Module,
    train: RatingTensors,
    valid: RatingTensors,
    config: TrainConfig,
    callbacks: tuple[Callback, ...] = (),
    stop: threading.Event | None = None,
) -> FitResult:
    """Train ``network`` in place and leave it holding the weights of its best validation epoch.

    Args:
        network: the model to train (moved to the configured device).
        train: training ratings as rows.
        valid: validation ratings for early stopping (never the test part); when empty, the run lasts
            ``config.epochs`` epochs and keeps the last one (a refit after selection).
        config: hyper-parameters (lr, weight decay, batch size, epochs, patience, restart period, seed, device).
        callbacks: called with every :class:`BatchEvent` and :class:`EpochEvent`.
        stop: when set, the run ends after the current batch, keeping the best weights so far.
    """
    device = resolve_device(config.device)
    network.to(device)
    train, valid = train.to(device), valid.to(device)
    # The fused kernel updates all parameters in one pass; the default per-tensor loop made the
    # optimiser step the slowest part of an epoch on CPU.
    optimizer = torch.optim.Adam(network.parameters(), lr=config.lr, weight_decay=config.weight_decay, fused=True)
    n_batches = max(1, math.ceil(len(train) / config.batch_size))
    schedule = None
    if config.restart_epochs > 0:
        period = max(1, round(config.restart_epochs * n_batches))
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, cosine_restarts(period, floor=0.1))
    generator = torch.Generator(device=device).manual_seed(config.seed)
    loss_fn = nn.MSELoss()
    best_state, best_epoch, best_rmse, since_best = None, 0, math.inf, 0
    history: list[EpochEvent] = []
    started = time.perf_counter()
    stopped = False
    for epoch in range(1, config.epochs + 1):
        epoch_start = time.perf_counter()
        network.train()
        order = torch.randperm(len(train), generator=generator, device=device)
        loss_sum, n_done = torch.zeros((), device=device), 0
        for batch in range(n_batches):
            if stop is not None and stop.is_set():
                stopped = True
                break
            idx = order[batch * config.batch_size : (batch + 1) * config.batch_size]
            loss = loss_fn(network(train.users[idx], train.movies[idx]), train.ratings[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            lr = optimizer.param_groups[0]["lr"]
            if schedule is not None:
                schedule.step()
            loss_sum += loss.detach()
            n_done += 1
            if callbacks:
                _emit(callbacks, BatchEvent(epoch, batch + 1, n_batches, float(loss.detach()), lr))
        if stopped and best_state is not None:
            break
        valid_rmse = _rmse(network, valid) if len(valid) else math.nan
        if valid_rmse < best_rmse or not len(valid):  # with nothing to validate on, the last epoch is kept
            best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
            best_epoch, best_rmse, since_best = epoch, valid_rmse, 0
        else:
            since_best += 1
        event = EpochEvent(
            epoch=epoch,
            epochs=config.epochs,
            train_rmse=math.sqrt(float(loss_sum) / n_done) if n_done else math.nan,
            valid_rmse=valid_rmse,
            lr=optimizer.param_groups[0]["lr"],
            seconds=time.perf_counter() - epoch_start,
            best_epoch=best_epoch,
            best_valid_rmse=best_rmse,
        )
        history.append(event)
        _emit(callbacks, event)
        if stopped or since_best >= config.patience:
            break
    network.load_state_dict(best_state)
    network.eval()
    return FitResult(
        best_epoch=best_epoch,
        best_valid_rmse=best_rmse,
        epochs_run=len(history),
        stopped=stopped,
        seconds=time.perf_counter() - started,
        device=str(device),
        history=history,
    )


def _emit(callbacks: tuple[Callback, ...], event: Event) -> None:
    for callback in callbacks:
        callback(event)
