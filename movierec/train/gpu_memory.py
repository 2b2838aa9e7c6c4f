"""Whether a training run fits in a GPU's free memory, checked before it starts, and the words for when it does not."""

from __future__ import annotations

import torch
from torch import nn

from movierec.errors import MovieRecError

ADAM_COPIES = 4  # weights, gradients and Adam's two moment estimates
ACTIVATION_COPIES = 3  # each layer's output, its gradient and its dropout mask
HEADROOM = 1.25  # the caching allocator rounds blocks up and keeps some of them apart
BYTES_PER_RATING = 8 + 8 + 4  # user row, movie row and rating, as the training tensors hold them


def training_bytes_on_gpu(network: nn.Module, n_ratings: int, batch_size: int) -> int:
    """A generous estimate of the GPU memory training ``network`` on ``n_ratings`` ratings takes."""
    parameters = sum(p.numel() * p.element_size() for p in network.parameters())
    buffers = sum(b.numel() * b.element_size() for b in network.buffers())
    widths = sum(m.out_features for m in network.modules() if isinstance(m, nn.Linear))
    factors = sum(m.embedding_dim for m in network.modules() if isinstance(m, nn.Embedding))
    activations = batch_size * (factors + widths) * ACTIVATION_COPIES * 4
    return int((parameters * ADAM_COPIES + buffers + n_ratings * BYTES_PER_RATING + activations) * HEADROOM)


def _device_label(device: torch.device) -> str:
    if device.type != "cuda":
        return str(device)
    index = device.index if device.index is not None else torch.cuda.current_device()
    return f"cuda:{index} ({torch.cuda.get_device_name(index)})"


def require_gpu_memory(network: nn.Module, n_ratings: int, batch_size: int, device: torch.device) -> None:
    """Raise :class:`MovieRecError` when the run would not fit in ``device``'s free memory."""
    free, _total = torch.cuda.mem_get_info(device)
    needed = training_bytes_on_gpu(network, n_ratings, batch_size)
    if needed > free:
        raise MovieRecError(
            f"Training this network on {n_ratings:,} ratings needs about {needed / 2**30:.2f} GiB of GPU memory, "
            f"but {_device_label(device)} has only {free / 2**30:.2f} GiB free; lower n_factors, the hidden sizes "
            "or batch_size, free the GPU, or train on the CPU (--device cpu, or the CUDA toggle off)."
        )


def out_of_gpu_memory(device: torch.device) -> str:
    """The message for a run that ran out of GPU memory part-way (another process took memory, or the estimate fell short)."""
    return (
        f"{_device_label(device)} ran out of memory during training (another program may be using it); nothing "
        "was saved. Lower n_factors, the hidden sizes or batch_size, free the GPU, or train on the CPU "
        "(--device cpu, or the CUDA toggle off)."
    )
