"""``python -m movierec bench``: the article preset, the default and simple baselines on one split, one table."""

from __future__ import annotations

import argparse
import os
import statistics
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from movierec.config import BIASED_MF, DEVICES, MAX_SEED, TrainConfig, preset
from movierec.data import Dataset, load_100k_folds
from movierec.data.synth import MAX_RATINGS
from movierec.dataset_options import add_data_arguments, load_dataset
from movierec.errors import MovieRecError
from movierec.evaluation import BiasBaseline, GlobalMean, Split, mae, rmse, split_ratings
from movierec.json_output import to_json
from movierec.memory import measure
from movierec.pipeline import train_model

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


def fold_split(n_base: int, n_test: int, valid_size: float, seed: int) -> Split:
    """Positions for a fixed fold stored as ``base`` rows then ``test`` rows; validation is carved from base."""
    order = np.random.default_rng(seed).permutation(n_base)
    n_valid = round(n_base * valid_size)
    return Split(np.sort(order[n_valid:]), np.sort(order[:n_valid]), np.arange(n_base, n_base + n_test))


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
            per_split.append(
                _one_split(fold, fold_split(len(base), len(test), valid_size, seed), repeat, max_epochs, seed)
            )
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
    header = "| model | test RMSE | test MAE | epochs | train s | ratings/s | peak MB | time / article |"
    lines = [f"{report['dataset']}: {report['protocol']}", header, "|" + "---|" * 8]
    for r in report["results"]:
        cells = [
            r["model"],
            f"{r['test_rmse']:.4f}",
            f"{r['test_mae']:.4f}",
            "-" if r["epochs"] is None else f"{r['epochs']:g}",
            f"{r['train_seconds']:.2f}",
            f"{r['ratings_per_second']:,.0f}",
            "-" if r["peak_memory_mb"] is None else f"{r['peak_memory_mb']:.0f}",
            f"{r['time_ratio_to_article']:.3f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_spread(reports: list[dict[str, Any]], seeds: tuple[int, ...]) -> str:
    """Each model's test RMSE over the seeds: mean, standard deviation, smallest and largest."""
    lines = [
        f"test RMSE over seeds {', '.join(map(str, seeds))}",
        "| model | mean | sd | min | max |",
        "|---|---|---|---|---|",
    ]
    for name in MODELS:
        values = [next(r["test_rmse"] for r in report["results"] if r["model"] == name) for report in reports]
        lines.append(
            f"| {name} | {np.mean(values):.4f} | {np.std(values, ddof=1):.4f} | {min(values):.4f} | {max(values):.4f} |"
        )
    return "\n".join(lines)


def _seed_list(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        seeds = ()
    if not seeds or len(seeds) > MAX_SEEDS or not all(0 <= seed <= MAX_SEED for seed in seeds):
        raise argparse.ArgumentTypeError(
            f"expected up to {MAX_SEEDS} comma-separated whole numbers from 0 to {MAX_SEED} such as 1,2,3, got {text[:80]!r}"
        )
    return seeds


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse numbers out of their range and flags that the chosen mode would silently ignore."""
    cores = os.cpu_count() or 1
    if not 1 <= args.threads <= cores:
        raise MovieRecError(
            f"--threads must be from 1 to this machine's {cores} CPU cores (got {str(args.threads)[:20]})."
        )
    if not 1 <= args.repeat <= MAX_REPEAT:
        raise MovieRecError(f"--repeat must be from 1 to {MAX_REPEAT} (got {str(args.repeat)[:20]}).")
    if args.max_epochs is not None and not 1 <= args.max_epochs <= MAX_EPOCHS:
        raise MovieRecError(f"--max-epochs must be from 1 to {MAX_EPOCHS} (got {str(args.max_epochs)[:20]}).")
    if not 1 <= args.ratings <= MAX_RATINGS:
        raise MovieRecError(f"--ratings must be from 1 to {MAX_RATINGS:,} (got {str(args.ratings)[:20]}).")
    modes = [
        flag for flag, on in (("--fold-in", args.fold_in), ("--ranking", args.ranking), ("--scale", args.scale)) if on
    ]
    if len(modes) > 1:
        raise MovieRecError(f"{' and '.join(modes)} are separate benchmarks; run them one at a time.")
    ignored = [
        flag
        for flag, given, used in (
            ("--ratings", args.ratings != SCALE_RATINGS, args.scale),
            ("--repeat", args.repeat != 1, not modes),
            ("--max-epochs", args.max_epochs is not None, not modes),
            ("--seeds", args.seeds != (1,), not modes),
            ("--device", args.device is not None, args.scale),
        )
        if given and not used
    ]
    if ignored:
        raise MovieRecError(
            f"{', '.join(ignored)} would be ignored by {modes[0] if modes else 'the accuracy benchmark'}; leave it out."
        )


def add_bench_command(sub: argparse._SubParsersAction) -> None:
    """Register ``bench`` on the CLI's sub-command parser."""
    p = sub.add_parser(
        "bench",
        help="compare the article preset, the default and baselines",
        description="Train every model on one split (ml-100k: its five folds) and print test RMSE, MAE, time and memory.",
    )
    add_data_arguments(p)
    p.add_argument(
        "--repeat", type=int, default=1, help="train each model N times and report the median time (default: 1)"
    )
    p.add_argument("--max-epochs", type=int, help="cap every network's epochs (a quick smoke run, not a benchmark)")
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads for every model (default: 1; on a shared 2-core machine two threads wait on each other and run 2-3x slower)",
    )
    p.add_argument(
        "--fold-in",
        action="store_true",
        help="instead, time how fast a new person's ratings become suggestions (1, 10 and 50 ratings), on a default "
        "model trained on the dataset and on one of the largest variant's size",
    )
    p.add_argument(
        "--ranking",
        action="store_true",
        help="instead, top-10 quality of the suggestions beside most-popular, EASE, implicit ALS/BPR (when installed) "
        "and networks ranked by predicted rating, on a per-user 75/25 split",
    )
    p.add_argument(
        "--scale",
        action="store_true",
        help="instead, time loading and one epoch per preset on a synthetic ml-25m-shaped release (made once, then reused)",
    )
    p.add_argument(
        "--ratings", type=int, default=SCALE_RATINGS, help="with --scale: ratings in that release (default: ml-25m's)"
    )
    p.add_argument(
        "--device",
        choices=DEVICES,
        help="with --scale: where the networks train (default: cpu; auto takes CUDA when present)",
    )
    p.add_argument(
        "--seeds",
        type=_seed_list,
        default=(1,),
        help="run the whole benchmark once per seed (split and "
        "networks), e.g. 1,2,3, and add the spread of each model's test RMSE (default: 1)",
    )
    p.add_argument("--json", action="store_true", help="also print the results as one JSON object on the last line")
    p.set_defaults(handler=_bench)


def _bench(args: argparse.Namespace) -> int:
    _check_arguments(args)
    torch.set_num_threads(args.threads)  # the same for every model, so the time ratios stay fair
    if args.scale:
        from movierec.bench_scale import format_scale_table, run_scale_bench

        report = run_scale_bench(args.ratings, device=args.device or "cpu")
        print(format_scale_table(report, args.threads))
        if args.json:
            print(to_json(report))
        return 0
    dataset = load_dataset(args)
    if args.fold_in:
        from movierec.bench_foldin import format_fold_in, run_fold_in_bench

        report = run_fold_in_bench(dataset)
        print(format_fold_in(report))
    elif args.ranking:
        from movierec.bench_ranking import format_ranking, run_ranking_bench

        report = run_ranking_bench(dataset)
        report["protocol"] += f"; {args.threads} torch thread(s)"
        print(format_ranking(report))
    else:
        folds = load_100k_folds(args.data_dir or dataset.name) if dataset.name == "ml-100k" else None
        reports = [run_bench(dataset, args.repeat, folds, args.max_epochs, seed) for seed in args.seeds]
        for report in reports:
            report["protocol"] += f"; {args.threads} torch thread(s)"
            print(format_table(report))
        if len(reports) > 1:
            print(format_spread(reports, args.seeds))
        report = reports[0] if len(reports) == 1 else {"seeds": list(args.seeds), "runs": reports}
    if args.json:
        print(to_json(report))
    return 0
