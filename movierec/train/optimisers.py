"""One optimisation step of the network: fused Adam on its dense parameters, RowAdam on its tables on CPU."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from movierec.config import TrainConfig
from movierec.train.row_adam import RowAdam


class Steps:
    """One optimisation step for the network: fused Adam on dense parameters, RowAdam on CPU tables."""

    def __init__(
        self, network: nn.Module, groups: list[tuple[nn.Embedding, ...]], config: TrainConfig, device: torch.device
    ) -> None:
        """``groups``: every embedding table of ``network``, grouped by the ids a batch looks them up with."""
        sparse = device.type == "cpu"
        tables = [table for group in groups for table in group]
        for table in tables:
            table.sparse = sparse
        table_weights = {id(table.weight) for table in tables} if sparse else set()
        dense = [p for p in network.parameters() if p.requires_grad and id(p) not in table_weights]
        # The fused kernel updates all dense parameters in one pass; the per-tensor loop was slower on CPU.
        self.dense = (
            torch.optim.Adam(dense, lr=config.lr, weight_decay=config.weight_decay, fused=True) if dense else None
        )
        weights = [tuple(table.weight for table in group) for group in groups]
        self.rows = RowAdam(weights, config.lr, config.weight_decay) if sparse else None

    def __call__(self, loss: torch.Tensor, lr: float, release: Callable[[], None] | None = None) -> None:
        """Back-propagate ``loss`` (then call ``release``, which may add gradients) and update at ``lr``."""
        for optimiser in (self.dense, self.rows):
            if optimiser is not None:
                optimiser.zero_grad()
        loss.backward()
        if release is not None:
            release()
        if self.dense is not None:
            self.dense.param_groups[0]["lr"] = lr
            self.dense.step()
        if self.rows is not None:
            self.rows.lr = lr
            self.rows.step()
