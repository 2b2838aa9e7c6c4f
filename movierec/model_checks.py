"""Checks of a saved model's contents, made before any real network is built from them.

The network's shape is worked out on PyTorch's ``meta`` device (no memory), so a file whose config
describes a huge network but carries small tensors is refused before anything is allocated.
"""

from __future__ import annotations

import math
from typing import Any

import torch

MAX_PARAMETERS = 1 << 30  # about 4 GiB of float32 weights: far beyond any MovieLens release's model
_MOVIE_FIELDS = ("movie_titles", "movie_years", "movie_genres", "movie_counts", "movie_means")


def check_contents(payload: dict[str, Any], skeleton: torch.nn.Module) -> str | None:
    """What is wrong with ``payload`` for a network shaped like ``skeleton`` (on ``meta``), or None.

    Args:
        payload: the loaded file's dict.
        skeleton: the network the file's config describes, built on the ``meta`` device.
    """
    expected = {name: tuple(t.shape) for name, t in skeleton.state_dict().items()}
    if sum(math.prod(shape) for shape in expected.values()) > MAX_PARAMETERS:
        return f"its config describes a network over the budget of {MAX_PARAMETERS:,} parameters"
    state = payload["state_dict"]
    if not isinstance(state, dict) or set(state) != set(expected):
        return "its weights do not match its config (different layers)"
    for name, shape in expected.items():
        tensor = state[name]
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != shape:
            return f"its weights {name} have the wrong shape for its config"
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            return f"its weights {name} hold values that are not finite"
    return _check_tables(payload)


def _check_tables(payload: dict[str, Any]) -> str | None:
    user_ids, movie_ids = payload["user_ids"], payload["movie_ids"]
    if not all(isinstance(ids, torch.Tensor) and ids.dim() == 1 for ids in (user_ids, movie_ids)):
        return "its id tables are not lists of ids"
    if len(torch.unique(user_ids)) != len(user_ids) or len(torch.unique(movie_ids)) != len(movie_ids):
        return "it lists a user or movie id twice"
    if any(len(payload[field]) != len(movie_ids) for field in _MOVIE_FIELDS):
        return "its movie facts do not match its movie list"
    if not all(isinstance(text, str) for field in ("movie_titles", "movie_genres") for text in payload[field]):
        return "its titles or genres are not text"
    scale = payload["scale"]
    if (
        not isinstance(scale, (list, tuple))
        or len(scale) != 3
        or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in scale)
    ):
        return "its rating scale is not three finite numbers"
    if not (scale[0] < scale[1] and scale[2] > 0):
        return "its rating scale is not a range from low to high"
    if not isinstance(payload["metrics"], dict) or not isinstance(payload["history"], list):
        return "its metrics are not a table"
    return None
