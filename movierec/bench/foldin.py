"""Fold-in timings: how long a new person's ratings take to become suggestions (the Rate page's work).

Measured on a network trained on the chosen dataset and on one of the largest MovieLens variant's size
(random weights: the time depends on the sizes, not on what was learned).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np
import pandas as pd
import torch

from movierec.bench.tables import markdown_table
from movierec.config import preset
from movierec.data import Dataset
from movierec.ids import IdIndex
from movierec.model.artifacts import TrainedModel
from movierec.model.network import build_network
from movierec.pipeline import train_model
from movierec.suggest.foldin import fold_in
from movierec.suggest.recommend import recommend

LARGEST = ("ml-32m size", 200_948, 87_585)  # name, users, movies of the largest variant
RATING_COUNTS = (1, 10, 50)
TIMINGS = 7  # timed calls per case; the median is reported


def sized_model(name: str, n_users: int, n_movies: int, seed: int = 1) -> TrainedModel:
    """A default-preset model with ``n_users`` and ``n_movies`` rows and random weights."""
    config = preset("default")
    torch.manual_seed(seed)
    network = build_network(config, n_users, n_movies, 0.5, 5.0)
    network.bake()  # as trained and saved: no implicit table
    for table in (network.user_table(), network.movie_table(), network.user_biases(), network.movie_biases()):
        if table is not None:
            table.normal_(0, 0.1)  # the accessors share the weights' memory
    rng = np.random.default_rng(seed)
    movies = pd.DataFrame(
        {
            "movie_id": np.arange(1, n_movies + 1),
            "title": [f"Movie {i}" for i in range(1, n_movies + 1)],
            "year": pd.array(rng.integers(1920, 2024, n_movies), dtype="Int64"),
            "genres": [["Drama"] if i % 2 else ["Comedy"] for i in range(n_movies)],
            "n_ratings": rng.zipf(1.5, n_movies).clip(1, 100_000),
            "mean_rating": rng.uniform(1, 5, n_movies),
        }
    )
    users = IdIndex(np.arange(1, n_users + 1), "user")
    return TrainedModel(config, network.eval(), users, movies, (0.5, 5.0, 0.5), name, "synthetic", preset="default")


def _median_ms(call: Any) -> float:
    call()  # warm-up: first calls allocate
    times = []
    for _ in range(TIMINGS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def time_model(label: str, model: TrainedModel) -> list[dict[str, Any]]:
    """Median milliseconds of ``fold_in`` and of ``recommend`` (top 10 with reasons) per number of ratings."""
    most_rated = model.movies.sort_values("n_ratings", ascending=False)["movie_id"].to_numpy()
    rng = np.random.default_rng(0)
    low, high, step = model.scale
    rows = []
    for count in RATING_COUNTS:
        picked = most_rated[:count]
        ratings = {int(m): float(low + step * rng.integers(0, round((high - low) / step) + 1)) for m in picked}
        rows.append(
            {
                "model": label,
                "movies": len(model.movies),
                "users": len(model.users),
                "ratings": count,
                "fold_in_ms": _median_ms(lambda ratings=ratings: fold_in(model, ratings)),
                "recommend_ms": _median_ms(lambda ratings=ratings: recommend(model, ratings, top_n=10)),
            }
        )
    return rows


def run_fold_in_bench(dataset: Dataset) -> dict[str, Any]:
    """Fold-in timings for a default model trained on ``dataset`` and for one of the largest variant's size."""
    trained = train_model(dataset, preset("default"), preset="default")
    name, n_users, n_movies = LARGEST
    rows = time_model(dataset.name, trained) + time_model(name, sized_model(name, n_users, n_movies))
    return {"dataset": dataset.name, "fold_in": rows}


def format_fold_in(report: dict[str, Any]) -> str:
    """The fold-in timings as a Markdown table."""
    header = ("model", "movies", "users", "ratings given", "fold-in ms", "suggestions ms")
    rows = [
        (
            r["model"],
            f"{r['movies']:,}",
            f"{r['users']:,}",
            f"{r['ratings']}",
            f"{r['fold_in_ms']:.1f}",
            f"{r['recommend_ms']:.1f}",
        )
        for r in report["fold_in"]
    ]
    return markdown_table(header, rows)
