"""Adam for embedding tables that updates only the rows a batch touched.

A batch of a few thousand ratings touches a few thousand rows of tables that hold millions; the dense
optimiser read and wrote every row at every step, which at ml-25m's size cost more than the model. Here
each table's sparse gradient is summed per row and only those rows' moments and weights change (the
"lazy Adam" of TensorFlow Addons and ``torch.optim.SparseAdam``).

What the dense optimiser did to a row between its uses still matters: its moments decayed, and the L2
term (``weight_decay * w``, divided by the row's gradient scale) shrank it at every step, which is much
of the regularisation of the default preset. Both are applied lazily: when a row comes back after ``k``
idle steps, its moments are decayed by ``beta**k`` and its weights by ``exp(-k * s)``, where ``s`` is the
shrink of one dense step (``(1 - s)**k`` to first order, and never past zero). Without that, test RMSE
on ml-latest-small was about 0.01 worse.

A group's two moments share one ``(rows, 2, width)`` tensor, and a vector table and its bias (looked up
with the same ids) form one group, so a step reads and writes them in one pass: on two CPU cores every
pass over the touched rows, and every operation on a few hundred rows, costs about as much as the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch


class RowAdam:
    """Lazy Adam with L2 weight decay for parameters whose gradients are sparse (``nn.Embedding(sparse=True)``).

    Args:
        tables: the embedding weights, ``(rows, width)``, to update. An item may also be a group of weights
            with the same rows that every batch looks up with the same ids (a vector table and its bias): a
            group is updated as one block, and its members must have gradients together or not at all.
        lr: the learning rate; change it between steps through :attr:`lr`.
        weight_decay: L2 coefficient added to the gradient of each touched row.
        betas: Adam's moment decay rates.
        eps: added to the denominator.
    """

    def __init__(
        self,
        tables: Iterable[torch.Tensor | Sequence[torch.Tensor]],
        lr: float,
        weight_decay: float = 0.0,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.groups = [(table,) if isinstance(table, torch.Tensor) else tuple(table) for table in tables]
        self.lr, self.weight_decay, self.betas, self.eps = lr, weight_decay, betas, eps
        # Per group, per row: the first and second moments of all its members side by side.
        self.moments = [g[0].new_zeros(len(g[0]), 2, sum(p.shape[1] for p in g)) for g in self.groups]
        self.last_step = [torch.zeros(len(g[0]), dtype=torch.int64, device=g[0].device) for g in self.groups]
        self.steps = [0] * len(self.groups)  # per group: one without a gradient has not taken a step

    def zero_grad(self) -> None:
        """Drop the gradients of the last step."""
        for group in self.groups:
            for p in group:
                p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """Update the rows that have a gradient; groups without one are left alone and do not count the step.

        A group that is stepped less often than the others (one whose gradient is gathered over several
        batches) so has its own step count, as with ``torch.optim.Adam``.
        """
        for index, group in enumerate(self.groups):
            grads = [p.grad for p in group]
            if all(grad is None for grad in grads):
                continue
            if any(grad is None for grad in grads):
                raise ValueError("the tables of a RowAdam group must have gradients together or not at all")
            self.steps[index] += 1
            self._update_rows(index, *_summed_by_row([grad for grad in grads if grad is not None]))

    def _update_rows(self, index: int, rows: torch.Tensor, grad: torch.Tensor) -> None:
        group, moments, last_step, steps = (
            self.groups[index],
            self.moments[index],
            self.last_step[index],
            self.steps[index],
        )
        beta1, beta2 = self.betas
        correction1, correction2 = 1 - beta1**steps, 1 - beta2**steps
        weights = _side_by_side([p.index_select(0, rows) for p in group])
        both = moments.index_select(0, rows)
        m, v = both[:, 0], both[:, 1]
        idle = (steps - 1 - last_step.index_select(0, rows)).clamp_(min=0).unsqueeze(1).to(weights.dtype)
        if self.weight_decay:
            # The shrink per idle step of the dense optimiser, lr * wd * w / sqrt(v_hat), ``idle`` times over.
            exponent = torch.div(idle * -(self.lr * self.weight_decay), v.div(correction2).sqrt_().add_(self.eps))
            weights.mul_(exponent.exp_())
            grad = grad.add(weights, alpha=self.weight_decay)
        decay = torch.stack([torch.pow(beta1, idle + 1), torch.pow(beta2, idle + 1)], dim=1)
        both.mul_(decay)  # (rows, 2, 1): each moment by its own rate
        m.add_(grad, alpha=1 - beta1)
        v.addcmul_(grad, grad, value=1 - beta2)
        moments.index_copy_(0, rows, both)
        last_step.index_fill_(0, rows, steps)
        denominator = v.div(correction2).sqrt_().add_(self.eps)
        weights.addcdiv_(m, denominator, value=-self.lr / correction1)
        for p, part in zip(group, weights.split([p.shape[1] for p in group], dim=1), strict=True):
            p.index_copy_(0, rows, part)


def _side_by_side(parts: list[torch.Tensor]) -> torch.Tensor:
    """Row blocks of a group as one ``(rows, width)`` block (no copy for a group of one)."""
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)


def _summed_by_row(grads: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """The rows a group's gradients touch (sorted, distinct) and their sums per row, side by side.

    The members of a group are looked up with the same ids, so their sparse gradients share one index
    tensor: its distinct rows are found once and serve all of them. That took half the time of
    coalescing each gradient on its own, and one sum over the joined values is cheaper again.
    """
    sparse = [grad if grad.is_sparse else grad.to_sparse(1) for grad in grads]
    indices = sparse[0]._indices()[0]
    if any(not torch.equal(grad._indices()[0], indices) for grad in sparse[1:]):
        raise ValueError("the tables of a RowAdam group must be looked up with the same ids")
    values = _side_by_side([grad._values() for grad in sparse])
    # Rows already distinct and in order (coalesced, or looked up once each as the network does on CPU) need no sum.
    if bool((indices[1:] > indices[:-1]).all()):
        return indices, values
    rows, inverse = torch.unique(indices, return_inverse=True)
    return rows, values.new_zeros(len(rows), values.shape[1]).index_add_(0, inverse, values)
