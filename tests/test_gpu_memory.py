"""The GPU memory check before a CUDA run and the words for a run that runs out part-way, on the CPU."""

from __future__ import annotations

import pytest
import torch

from movierec.errors import MovieRecError
from movierec.events import BatchEvent, Event
from movierec.pipeline import train_model
from movierec.train.gpu_memory import require_gpu_memory, training_bytes_on_gpu
from tests.factories import TINY, planted_dataset


def _network() -> torch.nn.Module:
    return torch.nn.Sequential(torch.nn.Embedding(1000, 32), torch.nn.Linear(32, 64), torch.nn.Linear(64, 1))


def test_the_estimate_counts_weights_with_adams_copies_the_ratings_and_the_batch():
    network = _network()
    weights = sum(p.numel() * 4 for p in network.parameters())
    small = training_bytes_on_gpu(network, n_ratings=1_000, batch_size=100)
    assert small >= 4 * weights
    assert training_bytes_on_gpu(network, n_ratings=1_000_000, batch_size=100) >= small + 1_000_000 * 20 - 1_000 * 20
    assert training_bytes_on_gpu(network, n_ratings=1_000, batch_size=100_000) > small


def test_a_run_larger_than_the_free_gpu_memory_is_refused_with_both_sizes(monkeypatch):
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (2 << 20, 80 << 30))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Test GPU")
    with pytest.raises(MovieRecError, match=r"needs about 0\.\d\d GiB .* cuda:0 \(Test GPU\) has only 0\.00 GiB free"):
        require_gpu_memory(_network(), 10_000_000, 4096, torch.device("cuda", 0))
    require_gpu_memory(_network(), 1_000, 128, torch.device("cuda", 0))  # 2 MB free is enough for this


def test_running_out_of_memory_mid_run_becomes_an_error_in_words():
    def exhausted(event: Event) -> None:
        if isinstance(event, BatchEvent) and event.batch == 2:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    with pytest.raises(MovieRecError, match=r"ran out of memory during training .* nothing was saved"):
        train_model(planted_dataset(), TINY, callbacks=(exhausted,))
