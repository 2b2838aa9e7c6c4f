"""``python -m movierec bench``: its flags, their bounds, and which benchmark runs."""

from __future__ import annotations

import argparse
import os

import torch

from movierec.bench.accuracy import (
    MAX_EPOCHS,
    MAX_REPEAT,
    MAX_SEEDS,
    SCALE_RATINGS,
    format_spread,
    format_table,
    run_bench,
)
from movierec.cli.json_output import to_json
from movierec.cli.options import add_data_arguments, load_dataset
from movierec.config import DEVICES, MAX_SEED
from movierec.data import load_100k_folds
from movierec.data.synth import MAX_RATINGS
from movierec.errors import MovieRecError


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
        from movierec.bench.scale import format_scale_table, run_scale_bench

        report = run_scale_bench(args.ratings, device=args.device or "cpu")
        print(format_scale_table(report, args.threads))
        if args.json:
            print(to_json(report))
        return 0
    dataset = load_dataset(args)
    if args.fold_in:
        from movierec.bench.foldin import format_fold_in, run_fold_in_bench

        report = run_fold_in_bench(dataset)
        print(format_fold_in(report))
    elif args.ranking:
        from movierec.bench.ranking import format_ranking, run_ranking_bench

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
