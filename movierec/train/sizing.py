"""Whether a training configuration fits a dataset: a split that leaves every part some ratings, and a
network small enough to train inside the server's memory."""

from __future__ import annotations

import torch

from movierec.config import TrainConfig
from movierec.errors import MovieRecError
from movierec.evaluate.splits import split_sizes
from movierec.model.network import build_network

# The dashboard trains inside the server process, so no setting may let a run claim the machine's memory.
# 4 GiB is about six times what the article's network needs at the largest MovieLens size (ml-32m).
MEMORY_BUDGET_BYTES = 4 * 2**30
FLOAT_BYTES = 4
ADAM_COPIES = 4  # weights, gradients and Adam's two moment estimates
ACTIVATION_COPIES = 3  # each layer's output, its gradient and its dropout mask


def parameter_count(config: TrainConfig, n_users: int, n_movies: int) -> int:
    """Parameters of the network ``config`` builds for this many users and movies (genre parts left out: tiny).

    Counted on the network itself, built on the meta device (shapes only, nothing allocated), so the
    count follows any change to the network.
    """
    with torch.device("meta"):
        network = build_network(config, n_users, n_movies, 0.0, 1.0)  # the scale shapes no parameter
    return sum(parameter.numel() for parameter in network.parameters())


def training_bytes(config: TrainConfig, n_users: int, n_movies: int) -> int:
    """A rough upper estimate of the memory one training run of ``config`` takes (parameters and one batch)."""
    state = parameter_count(config, n_users, n_movies) * ADAM_COPIES * FLOAT_BYTES
    activations = config.batch_size * (2 * config.n_factors + sum(config.hidden)) * ACTIVATION_COPIES * FLOAT_BYTES
    return state + activations


def validate_for_data(config: TrainConfig, n_ratings: int, n_users: int, n_movies: int) -> dict[str, str]:
    """Problems of ``config`` on a dataset of this size, keyed by field name: a split that leaves a part
    empty, or a network too large to train here. Empty when it fits."""
    problems: dict[str, str] = {}
    n_train, n_valid, n_test = split_sizes(n_ratings, config.test_size, config.valid_size)
    if min(n_train, n_valid, n_test) < 1:
        key = "test_size" if n_test < 1 or n_train + n_valid < 1 else "valid_size"
        problems[key] = (
            f"test_size {config.test_size:g} and valid_size {config.valid_size:g} split {n_ratings:,} ratings into "
            f"{n_train:,} train / {n_valid:,} validation / {n_test:,} test; each part needs at least one rating"
        )
    needed = training_bytes(config, n_users, n_movies)
    if needed > MEMORY_BUDGET_BYTES:
        state = parameter_count(config, n_users, n_movies) * ADAM_COPIES * FLOAT_BYTES
        problems["n_factors" if state * 2 >= needed else "batch_size"] = (
            f"this network needs about {needed / 2**30:.1f} GiB to train on {n_users:,} users and {n_movies:,} "
            f"movies, over the {MEMORY_BUDGET_BYTES / 2**30:g} GiB limit; lower n_factors, the hidden sizes or batch_size"
        )
    return problems


def require_fit(config: TrainConfig, n_ratings: int, n_users: int, n_movies: int) -> None:
    """Raise :class:`MovieRecError` naming every problem :func:`validate_for_data` finds."""
    problems = validate_for_data(config, n_ratings, n_users, n_movies)
    if problems:
        raise MovieRecError("Invalid training settings for this dataset: " + "; ".join(problems.values()))
