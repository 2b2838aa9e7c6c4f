"""The accuracy benchmark: the article preset, the default and simple baselines on one split, one table."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from movierec.bench.measure import measure
from movierec.bench.tables import markdown_table
from movierec.config import BIASED_MF, TrainConfig, preset
from movierec.data import Dataset
from movierec.evaluate.accuracy import BiasBaseline, GlobalMean, mae, rmse
from movierec.evaluate.splits import Split, carve_validation, split_ratings
from movierec.pipeline import train_model

# The networks the benchmarks compare: the article preset, the default and a biased matrix factorisation.
NETWORKS: dict[str, TrainConfig] = {"article": preset("article"), "default": preset("default"), "biased_mf": BIASED_MF}
SCALE_RATINGS = 25_000_095  # --scale's release: ml-25m's size
MAX_SEEDS = 20  # seeds per run: each is a whole benchmark
MAX_REPEAT = 100
MAX_EPOCHS = 10_000
BASELINES = {"global_mean": GlobalMean, "user_movie_bias": BiasBaseline}
MODELS = (*NETWORKS, *BASELINES)
# Smallest first: freed memory is reused, so a model run after a bigger one would show no growth.
RUN_ORDER = ("global_mean", "user_movie_bias", "biased_mf", "default", "article")


@dataclass(frozen=True)
class Measure:
    """One model trained once on one split."""

    test_rmse: float
    test_mae: float
    epochs: int | None  # epochs trained (selection plus refit); None for the closed-form baselines
    train_seconds: float
    ratings_per_second: float  # training ratings processed per second (ratings x epochs / seconds)
    peak_memory_mb: float | None  # growth of resident memory (VmHWM) during training; None without /proc


def _network(name: str, dataset: Dataset, split: Split, max_epochs: int | None, seed: int) -> Measure:
    config = NETWORKS[name].with_changes(seed=seed)
    if max_epochs is not None:
        config = config.with_changes(epochs=min(config.epochs, max_epochs))
    model, _, peak = measure(lambda: train_model(dataset, config, preset=name, split=split, ranking=False))
    m = model.results
    assert m is not None  # train_model scores every model it returns
    epochs = m.epochs_run + m.refit_epochs
    ratings = m.n_train * m.epochs_run + (m.n_train + m.n_valid) * m.refit_epochs
    seconds = m.train_seconds  # fit() time only: no splitting, indexing or test scoring
    return Measure(m.test_rmse, m.test_mae, epochs, seconds, ratings / seconds, peak)


def _baseline(name: str, dataset: Dataset, split: Split) -> Measure:
    ratings = dataset.ratings
    train = pd.concat([ratings.iloc[split.train], ratings.iloc[split.valid]])  # no selection to make
    test = ratings.iloc[split.test]
    model, seconds, peak = measure(lambda: BASELINES[name](train))
    predicted = np.clip(model.predict(test["user_id"], test["movie_id"]), dataset.scale.min, dataset.scale.max)
    actual = test["rating"].to_numpy()
    return Measure(rmse(predicted, actual), mae(predicted, actual), None, seconds, len(train) / seconds, peak)


def _one_split(dataset: Dataset, split: Split, repeat: int, max_epochs: int | None, seed: int) -> dict[str, Measure]:
    """Every model ``repeat`` times on one split: accuracy from the first run, median time, largest memory peak."""
    results = {}
    for name in RUN_ORDER:
        runs = [
            _network(name, dataset, split, max_epochs, seed) if name in NETWORKS else _baseline(name, dataset, split)
            for _ in range(repeat)
        ]
        seconds = statistics.median(r.train_seconds for r in runs)
        peaks = [r.peak_memory_mb for r in runs if r.peak_memory_mb is not None]
        results[name] = Measure(
            runs[0].test_rmse,
            runs[0].test_mae,
            runs[0].epochs,
            seconds,
            statistics.median(r.ratings_per_second for r in runs),
            max(peaks) if peaks else None,
        )
    return results


def run_bench(
    dataset: Dataset,
    repeat: int = 1,
    folds: list[tuple[pd.DataFrame, pd.DataFrame]] | None = None,
    max_epochs: int | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Benchmark every model on ``dataset`` (its random 80/20 split) or on fixed ``folds`` (their mean).

    Returns:
        ``{"dataset", "protocol", "results": [{"model", "test_rmse", ..., "time_ratio_to_article"}]}``.
    """
    seed, valid_size = seed or preset("default").seed, preset("default").valid_size  # seed: split and networks
    random_split = split_ratings(dataset.n_ratings, 0.2, valid_size, seed)
    # One short run first, so one-time costs (thread pools, kernel set-up, allocator growth) are charged
    # to no model's time or memory.
    train_model(dataset, BIASED_MF.with_changes(epochs=1), split=random_split, ranking=False)
    if folds is None:
        protocol = (
            f"random 80/20 split, seed {seed}; early stopping on {valid_size:.0%} of the 80% (never the test part)"
        )
        per_split = [_one_split(dataset, random_split, repeat, max_epochs, seed)]
    else:
        protocol = f"{len(folds)} fixed folds (mean); early stopping on {valid_size:.0%} of each base part"
        per_split = []
        for base, test in folds:
            ratings = pd.concat([base, test], ignore_index=True)
            fold = Dataset(dataset.name, ratings, dataset.movies, dataset.scale, dataset.fingerprint)
            # The fold is stored as its base rows, then its test rows.
            split = carve_validation(np.arange(len(base)), np.arange(len(base), len(ratings)), valid_size, seed)
            per_split.append(_one_split(fold, split, repeat, max_epochs, seed))
    rows = [_mean_row(name, [results[name] for results in per_split]) for name in MODELS]
    article_seconds = next(row["train_seconds"] for row in rows if row["model"] == "article")
    for row in rows:
        row["time_ratio_to_article"] = row["train_seconds"] / article_seconds
    return {"dataset": dataset.name, "protocol": protocol, "results": rows}


def _mean_row(name: str, measures: list[Measure]) -> dict[str, Any]:
    row: dict[str, Any] = {"model": name}
    for key, first in asdict(measures[0]).items():
        values = [getattr(m, key) for m in measures]
        row[key] = None if first is None or None in values else float(np.mean(values))
    return row


def format_table(report: dict[str, Any]) -> str:
    """The report as an aligned text table (also valid Markdown)."""
    header = ("model", "test RMSE", "test MAE", "epochs", "train s", "ratings/s", "peak MB", "time / article")
    rows = [
        (
            r["model"],
            f"{r['test_rmse']:.4f}",
            f"{r['test_mae']:.4f}",
            "-" if r["epochs"] is None else f"{r['epochs']:g}",
            f"{r['train_seconds']:.2f}",
            f"{r['ratings_per_second']:,.0f}",
            "-" if r["peak_memory_mb"] is None else f"{r['peak_memory_mb']:.0f}",
            f"{r['time_ratio_to_article']:.3f}",
        )
        for r in report["results"]
    ]
    return f"{report['dataset']}: {report['protocol']}\n" + markdown_table(header, rows)


def format_spread(reports: list[dict[str, Any]], seeds: tuple[int, ...]) -> str:
    """Each model's test RMSE over the seeds: mean, standard deviation, smallest and largest."""
    rows = []
    for name in MODELS:
        values = [next(r["test_rmse"] for r in report["results"] if r["model"] == name) for report in reports]
        stats = (np.mean(values), np.std(values, ddof=1), min(values), max(values))
        rows.append((name, *(f"{value:.4f}" for value in stats)))
    title = f"test RMSE over seeds {', '.join(map(str, seeds))}"
    return title + "\n" + markdown_table(("model", "mean", "sd", "min", "max"), rows)
