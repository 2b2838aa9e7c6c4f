"""How a run's learning rate moves (cosine with warm restarts) and when it stops (early stopping)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn


def cosine_restarts(period: int, floor: float) -> Callable[[int], float]:
    """Learning-rate factor per step: cosine from 1 down to ``floor``, restarting every ``period`` steps.

    The curve of ``CosineAnnealingWarmRestarts(T_0=period, eta_min=floor * lr)`` (a test checks it), as a
    pure function of the step: one schedule drives both the dense Adam and :class:`RowAdam`, which is not a
    ``torch.optim.Optimizer``, and each epoch's rates are known ahead for its batch events.
    """

    def factor(step: int) -> float:
        t = (step % period) / period
        return floor + (1 - floor) * (1 + math.cos(math.pi * t)) / 2

    return factor


class EarlyStopping:
    """Keeps the weights of the epoch with the best validation RMSE, and counts the epochs since it."""

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.epoch, self.rmse, self.since = 0, math.inf, 0  # epoch 0: none recorded yet
        self.state: dict[str, torch.Tensor] = {}

    def update(self, network: nn.Module, epoch: int, valid_rmse: float) -> None:
        """Record an epoch; NaN means there is nothing to validate on, and then the latest epoch is kept."""
        if valid_rmse < self.rmse or math.isnan(valid_rmse):
            self.state = {k: v.detach().clone() for k, v in network.state_dict().items()}
            self.epoch, self.rmse, self.since = epoch, valid_rmse, 0
        else:
            self.since += 1

    @property
    def patience_spent(self) -> bool:
        """Whether ``patience`` epochs in a row have not beaten the best."""
        return self.since >= self.patience

    def restore(self, network: nn.Module) -> None:
        """Put the best epoch's weights back (the first epoch is always recorded, even one stopped part-way)."""
        assert self.epoch, "no epoch was recorded"
        network.load_state_dict(self.state)
