"""Timings of the Embeddings page's computations, medians of a few runs.

On a saved model of the bundled data: PCA and t-SNE of the 1,000 most rated movies, a movie's nearest
movies, a custom axis between two genres and the bias table. At ml-32m's number of movies (a network of
that shape with random vectors: the cost depends on the table's size, not on what it learned): PCA,
custom axis and nearest movies over every movie.

    python -m movierec.bench.embeddings [--model PATH] [--repeats 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from movierec.config import DEFAULT
from movierec.errors import MovieRecError
from movierec.explore.custom_axis import custom_axis, genre_end
from movierec.explore.movie_biases import bias_extremes, has_movie_biases
from movierec.explore.neighbours import nearest_movies
from movierec.explore.pca import project_pca
from movierec.explore.tsne import project_tsne
from movierec.ids import IdIndex
from movierec.model.artifacts import TrainedModel, list_models, load_model
from movierec.model.network import build_network

ML_32M_MOVIES = 87_585
GENRES = ("Drama", "Comedy", "Thriller", "Action", "Romance", "Adventure", "Crime", "Animation", "Children")


def median_seconds(work: Callable[[], object], repeats: int) -> tuple[float, float]:
    """The median wall-clock and the median CPU seconds of ``repeats`` calls of ``work``.

    On a busy machine the wall clock counts the time other processes held the cores; the CPU time
    of this process is close to what the call takes on a core of its own.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def page_timings(model: TrainedModel, top_n: int, repeats: int, tsne: bool) -> dict[str, tuple[float, float]]:
    """Seconds per step of the page for the ``top_n`` most rated movies of ``model``."""
    projection = project_pca(model, top_n=top_n)
    table = projection.table
    first = int(table["movie_id"].iloc[0])
    ends = genre_end(table, "Comedy"), genre_end(table, "Drama")
    timings = {
        "pca": median_seconds(lambda: project_pca(model, top_n=top_n), repeats),
        "nearest movies": median_seconds(lambda: nearest_movies(model, table, first), repeats),
        "custom axis": median_seconds(lambda: custom_axis(model, table, *ends), repeats),
    }
    if has_movie_biases(model):
        timings["movie biases"] = median_seconds(lambda: bias_extremes(model), repeats)
    if tsne:
        timings["t-SNE"] = median_seconds(lambda: project_tsne(model, table), repeats)
    return timings


def model_of_size(n_movies: int, seed: int = 0) -> TrainedModel:
    """A default-preset network with ``n_movies`` movie rows of random vectors and made-up movie facts."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    network = build_network(DEFAULT, n_users=1000, n_movies=n_movies, scale_min=0.5, scale_max=5.0)
    network.m.weight.data.normal_(0, 0.1)
    ids = np.arange(1, n_movies + 1)
    movies = pd.DataFrame(
        {
            "movie_id": ids,
            "title": [f"Movie {i}" for i in ids],
            "year": rng.integers(1920, 2024, n_movies),
            "genres": [list(rng.choice(GENRES, size=rng.integers(1, 4), replace=False)) for _ in ids],
            "n_ratings": (rng.pareto(1.0, n_movies) * 10).astype(np.int64) + 1,
            "mean_rating": rng.uniform(1.0, 5.0, n_movies).round(2),
        }
    )
    return TrainedModel(
        config=DEFAULT,
        network=network,
        users=IdIndex(np.arange(1, 1001), "user"),
        movies=movies,
        scale=(0.5, 5.0, 0.5),
        dataset="shape-of-ml-32m",
        fingerprint="none",
    )


def bundled_model(path: Path | None) -> TrainedModel:
    """The model at ``path``, else the newest saved model of the bundled data."""
    if path is not None:
        return load_model(path)
    infos = list_models(dataset="ml-latest-small")
    if not infos:
        raise MovieRecError("No saved model of ml-latest-small: train one (python -m movierec train) or pass --model.")
    return load_model(infos[0].path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m movierec.bench.embeddings", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, help="a saved model of the bundled data (default: the newest)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing; the median is reported")
    parser.add_argument("--json", action="store_true", help="print JSON ([wall, CPU] seconds) instead of a table")
    args = parser.parse_args(argv)
    try:
        bundled = bundled_model(args.model)
    except MovieRecError as exc:
        parser.exit(2, f"error: {exc}\n")
    results = {
        "bundled, 1,000 most rated": page_timings(bundled, 1000, args.repeats, tsne=True),
        f"ml-32m's size, all {ML_32M_MOVIES:,} movies": page_timings(
            model_of_size(ML_32M_MOVIES), ML_32M_MOVIES, args.repeats, tsne=False
        ),
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for case, timings in results.items():
        print(case)
        for step, (wall, cpu) in timings.items():
            print(f"  {step:<16} {wall:8.3f} s wall, {cpu:8.3f} s CPU (medians of {args.repeats})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
