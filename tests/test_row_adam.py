"""RowAdam: Adam's step on the rows a batch touched, the dense step's decay for rows left idle."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from movierec.train.row_adam import RowAdam


def _tables(seed: int) -> tuple[nn.Embedding, nn.Embedding]:
    torch.manual_seed(seed)
    dense = nn.Embedding(20, 4)
    sparse = nn.Embedding(20, 4, sparse=True)
    sparse.weight.data.copy_(dense.weight.data)
    return dense, sparse


def test_matches_dense_adam_when_every_row_is_used_every_step():
    dense, sparse = _tables(0)
    reference = torch.optim.Adam(dense.parameters(), lr=0.01, weight_decay=1e-2)
    rows = RowAdam([sparse.weight], lr=0.01, weight_decay=1e-2)
    generator = torch.Generator().manual_seed(1)
    for _ in range(15):
        ids = torch.cat([torch.arange(20), torch.randint(0, 20, (30,), generator=generator)])
        target = torch.randn(len(ids), 4, generator=generator)
        for table, optimizer in ((dense, reference), (sparse, rows)):
            optimizer.zero_grad()
            ((table(ids) - target) ** 2).sum().backward()
            optimizer.step()
    torch.testing.assert_close(sparse.weight, dense.weight, rtol=1e-5, atol=1e-6)


def test_untouched_rows_wait_and_then_catch_up_their_decay():
    _, sparse = _tables(0)
    rows = RowAdam([sparse.weight], lr=0.01, weight_decay=1e-2)
    start = sparse.weight.detach().clone()
    for _ in range(5):
        rows.zero_grad()
        sparse(torch.tensor([0, 1])).sum().backward()
        rows.step()
    assert torch.equal(sparse.weight[2:], start[2:])  # nothing read or written for idle rows
    rows.zero_grad()
    sparse(torch.tensor([0, 1])).sum().backward()
    rows.step()
    assert not torch.equal(sparse.weight[:2], start[:2])
    # Row 2 has never had a gradient, so (as with the dense step) its decay is at full strength when it returns.
    rows.zero_grad()
    (sparse(torch.tensor([2])) * 0).sum().backward()
    rows.step()
    assert sparse.weight[2].abs().sum() < start[2].abs().sum() * 0.01


def test_a_table_without_a_gradient_keeps_its_own_step_count():
    """A table updated once per run of batches takes Adam's step of its own count, as ``torch.optim.Adam`` does."""
    dense, sparse = _tables(0)
    other = nn.Embedding(20, 4, sparse=True)
    reference = torch.optim.Adam(dense.parameters(), lr=0.01, weight_decay=1e-2)
    rows = RowAdam([sparse.weight, other.weight], lr=0.01, weight_decay=1e-2)
    ids = torch.arange(20)
    for step in range(6):
        rows.zero_grad()
        other(ids).sum().backward()
        if step % 3 == 2:  # every third step only
            reference.zero_grad()
            dense(ids).pow(2).sum().backward()
            sparse(ids).pow(2).sum().backward()
            reference.step()
        rows.step()
    assert rows.steps == [2, 6]
    torch.testing.assert_close(sparse.weight, dense.weight, rtol=1e-5, atol=1e-6)


def test_a_table_and_its_bias_stepped_as_one_group_match_stepping_them_apart():
    """A vector table and its bias, looked up with the same ids, are updated as one block: the same numbers."""
    torch.manual_seed(0)
    vectors, bias = nn.Embedding(20, 4, sparse=True), nn.Embedding(20, 1, sparse=True)
    grouped_vectors, grouped_bias = nn.Embedding(20, 4, sparse=True), nn.Embedding(20, 1, sparse=True)
    grouped_vectors.load_state_dict(vectors.state_dict())
    grouped_bias.load_state_dict(bias.state_dict())
    apart = RowAdam([vectors.weight, bias.weight], lr=0.01, weight_decay=1e-2)
    together = RowAdam([(grouped_vectors.weight, grouped_bias.weight)], lr=0.01, weight_decay=1e-2)
    generator = torch.Generator().manual_seed(1)
    for step in range(12):
        ids = torch.randint(0, 8 if step % 3 else 20, (30,), generator=generator)  # some rows sit idle for a while
        target = torch.randn(len(ids), generator=generator)
        for table, offset, optimizer in ((vectors, bias, apart), (grouped_vectors, grouped_bias, together)):
            optimizer.zero_grad()
            ((table(ids).sum(dim=1) + offset(ids).squeeze(1) - target) ** 2).sum().backward()
            optimizer.step()
    torch.testing.assert_close(grouped_vectors.weight, vectors.weight, rtol=0, atol=0)
    torch.testing.assert_close(grouped_bias.weight, bias.weight, rtol=0, atol=0)
    assert together.steps == [12]


def test_a_group_whose_members_lack_a_gradient_or_differ_in_ids_is_refused():
    vectors, bias = nn.Embedding(20, 4, sparse=True), nn.Embedding(20, 1, sparse=True)
    rows = RowAdam([(vectors.weight, bias.weight)], lr=0.01)
    vectors(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(ValueError, match="together"):
        rows.step()
    rows.zero_grad()
    (vectors(torch.tensor([1, 2])).sum() + bias(torch.tensor([3, 4])).sum()).backward()
    with pytest.raises(ValueError, match="same ids"):
        rows.step()


def test_rows_looked_up_once_each_and_in_order_give_the_step_of_any_other_order():
    results = []
    # The same gradient per row both times: in the second, row 4's two lookups add up to its one in the first.
    for ids, scale in ((torch.tensor([1, 4, 7]), [2.0, 1.0, 7.0]), (torch.tensor([7, 1, 4, 4]), [7.0, 2.0, 0.5, 0.5])):
        _, table = _tables(0)
        rows = RowAdam([table.weight], lr=0.01, weight_decay=1e-2)
        (table(ids) * torch.tensor(scale).unsqueeze(1)).sum().backward()
        rows.step()
        results.append(table.weight.detach().clone())
    torch.testing.assert_close(results[0], results[1], rtol=0, atol=0)
