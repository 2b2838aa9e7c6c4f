"""ByteDropout: the drop rate, the scaling that keeps the mean, and no effect outside training."""

from __future__ import annotations

import pytest
import torch

from movierec.model.dropout import ByteDropout


def test_drops_the_requested_share_and_keeps_the_mean():
    torch.manual_seed(0)
    dropout = ByteDropout(0.3).train()
    out = dropout(torch.ones(400, 500))
    assert dropout.p == pytest.approx(0.3, abs=1 / 256)
    assert float((out == 0).float().mean()) == pytest.approx(dropout.p, abs=0.005)
    assert float(out.mean()) == pytest.approx(1.0, abs=0.01)
    assert out.unique().tolist() == [0.0, pytest.approx(1 / (1 - dropout.p))]


def test_passes_values_through_in_eval_mode_and_at_zero():
    x = torch.randn(7, 9)
    assert torch.equal(ByteDropout(0.5).eval()(x), x)
    assert torch.equal(ByteDropout(0.0).train()(x), x)


def test_masks_repeat_with_the_seed_and_gradients_follow_the_mask():
    dropout = ByteDropout(0.5).train()
    x = torch.ones(3, 11, requires_grad=True)  # an odd size: the random bytes do not divide evenly
    torch.manual_seed(5)
    first = dropout(x)
    torch.manual_seed(5)
    assert torch.equal(dropout(x), first)
    first.sum().backward()
    torch.testing.assert_close(x.grad, first.detach())
