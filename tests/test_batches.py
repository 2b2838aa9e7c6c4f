"""Epoch orders: every rating once per epoch, users kept together, reproducible from the generator."""

from __future__ import annotations

import torch

from movierec.train.batches import ShuffledOrder, UserGroupedOrder


def _users() -> torch.Tensor:
    counts = torch.tensor([1, 7, 3, 40, 2, 0, 9, 18])
    return torch.repeat_interleave(torch.arange(len(counts)), counts)[
        torch.randperm(80, generator=torch.Generator().manual_seed(3))
    ]


def test_grouped_order_visits_every_rating_once_with_each_user_in_one_run():
    users = _users()
    order = UserGroupedOrder(users, 8, torch.Generator().manual_seed(1))
    for _ in range(3):
        positions = order.epoch()
        assert torch.equal(positions.sort().values, torch.arange(len(users)))
        changes = (users[positions][1:] != users[positions][:-1]).sum()
        assert int(changes) == int((torch.bincount(users) > 0).sum()) - 1


def test_grouped_order_changes_between_epochs_and_repeats_with_the_seed():
    users = _users()
    first = UserGroupedOrder(users, 8, torch.Generator().manual_seed(1))
    second = UserGroupedOrder(users, 8, torch.Generator().manual_seed(1))
    a, b = first.epoch(), first.epoch()
    assert not torch.equal(a, b)
    assert torch.equal(second.epoch(), a) and torch.equal(second.epoch(), b)


def test_mixing_deals_each_run_of_batches_out_like_cards():
    users = _users()
    grouped = UserGroupedOrder(users, 8, torch.Generator().manual_seed(5)).epoch()
    mixed = UserGroupedOrder(users, 8, torch.Generator().manual_seed(5), batch_size=8, mix=3).epoch()
    assert torch.equal(mixed.sort().values, torch.arange(80))
    span = grouped[:24]  # the first run of three batches of eight
    assert torch.equal(mixed[:8], span[0::3]) and torch.equal(mixed[8:16], span[1::3])
    assert torch.equal(mixed[72:], grouped[72:])  # the last, incomplete run stays as it is


def test_shuffled_order_is_a_permutation():
    positions = ShuffledOrder(50, torch.Generator().manual_seed(0), torch.device("cpu")).epoch()
    assert torch.equal(positions.sort().values, torch.arange(50))
