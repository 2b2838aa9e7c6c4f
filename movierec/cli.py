"""``python -m movierec``: datasets, train (and the commands other modules register)."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from movierec.errors import MovieRecError
from movierec.recommend_cli import add_recommend
from movierec.synth_cli import add_synth_command

EXIT_BAD_INPUT = 2


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers such as 500,500,500, got {text!r}") from None


def _float_list(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers such as 0.5,0.5,0.25, got {text!r}") from None


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--dataset`` and ``--data-dir``, shared by every command that reads ratings."""
    parser.add_argument("--dataset", default="ml-latest-small", help="MovieLens variant (see `datasets`); default: the bundled ml-latest-small")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="use an already extracted copy: the folder holding ml-100k/ (or the ml-100k folder itself) instead of downloading",
    )


def load_dataset(args: argparse.Namespace):  # -> Dataset
    """The dataset named by ``--dataset``/``--data-dir``, downloading with a progress line when needed."""
    from movierec.data import load_movielens
    from movierec.progress import DownloadProgress

    return load_movielens(args.dataset, data_dir=args.data_dir, progress=DownloadProgress(args.dataset),
                          parse_progress=DownloadProgress(f"{args.dataset} ratings", verb="parsing"))


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model and save it", description="Train the embedding network, evaluate it on a held-out test part and save it.")
    add_data_arguments(p)
    p.add_argument("--preset", default="default", choices=["default", "article"], help="starting hyper-parameters: the project's default or the article's run (default: default)")
    p.add_argument("--epochs", type=int, help="maximum number of epochs (early stopping may end sooner)")
    p.add_argument("--batch-size", type=int, help="ratings per optimisation step")
    p.add_argument("--lr", type=float, help="Adam learning rate (peak of the cosine schedule)")
    p.add_argument("--weight-decay", type=float, help="Adam weight decay")
    p.add_argument("--n-factors", type=int, help="embedding width for users and movies")
    p.add_argument("--hidden", type=_int_list, help="hidden layer sizes, e.g. 500,500,500")
    p.add_argument("--dropouts", type=_float_list, help="dropout after each hidden layer, e.g. 0.5,0.5,0.25 (one per layer)")
    p.add_argument("--embedding-dropout", type=float, help="dropout on the concatenated embeddings")
    flag = argparse.BooleanOptionalAction
    p.add_argument("--bias", dest="use_bias", action=flag, help="learn a bias per user and per movie")
    p.add_argument("--dot", dest="use_dot", action=flag, help="add the user-movie dot product beside the MLP")
    p.add_argument("--implicit", action=flag, help="add what each user rated to their vector (SVD++ style)")
    p.add_argument("--genres", dest="use_genres", action=flag, help="add a learned part per genre to each movie's vector and bias")
    p.add_argument("--init-mean", action=flag, help="start the output at the mean training rating")
    p.add_argument("--refit", action=flag, help="after early stopping, retrain on train+validation for the best epoch count")
    p.add_argument("--patience", type=int, help="epochs without validation improvement before stopping")
    p.add_argument("--restart-epochs", type=float, help="cosine restart period in epochs; 0 keeps the learning rate constant")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help="where to train; auto uses CUDA when present (default: auto)")
    p.add_argument("--seed", type=int, help="seed for the split, initialisation and batch order (default: 1)")
    p.add_argument("--test-size", type=float, help="share of ratings held out for testing (default: 0.2)")
    p.add_argument("--valid-size", type=float, help="share of the rest used for early stopping")
    p.add_argument("--out", type=Path, help="where to save: a .pt file path or a folder (default: MOVIEREC_HOME/models/<dataset>-<preset>-<time>.pt)")
    p.add_argument("--json", action="store_true", help="print the results as one JSON line on stdout")
    p.set_defaults(handler=_train)


CONFIG_OPTIONS = (
    "epochs", "batch_size", "lr", "weight_decay", "n_factors", "hidden", "dropouts",
    "embedding_dropout", "patience", "restart_epochs", "device", "seed", "test_size", "valid_size",
    "use_bias", "use_dot", "implicit", "use_genres", "init_mean", "refit",
)


def _train(args: argparse.Namespace) -> int:
    from movierec.artifacts import check_name
    from movierec.config import preset
    from movierec.pipeline import train_model
    from movierec.progress import TrainingProgress
    from movierec.training import resolve_device

    changes = {k: getattr(args, k) for k in CONFIG_OPTIONS if getattr(args, k) is not None}
    config = preset(args.preset).with_changes(**changes)
    # fail before any training on what can be checked up front
    resolve_device(config.device)
    name, directory = (check_name(args.out.stem), args.out.parent) if args.out and args.out.suffix == ".pt" else (None, args.out)
    dataset = load_dataset(args)
    model = train_model(dataset, config, preset=args.preset, callbacks=(TrainingProgress(),))
    path = model.save(name, directory=directory)
    report = {**model.metrics, "model_path": str(path), "preset": args.preset, "config": config.to_dict()}
    if args.json:
        print(json.dumps(report))
    else:
        _print_report(report)
    return 0


def _print_report(report: dict[str, Any]) -> None:
    base = report["baselines"]
    print(
        f"{report['dataset']}: {report['n_ratings']:,} ratings, {report['n_users']:,} users, {report['n_movies']:,} movies\n"
        f"split: {report['n_train']:,} train / {report['n_valid']:,} valid / {report['n_test']:,} test "
        f"({report['n_test_cold']:,} test ratings have a user or movie unseen in training)\n"
        f"test RMSE {report['test_rmse']:.4f}, MAE {report['test_mae']:.4f} "
        f"(global mean {base['global_mean']['rmse']:.4f}, user+movie biases {base['user_movie_bias']['rmse']:.4f})\n"
        f"best epoch {report['best_epoch']} of {report['epochs_run']}, {report['train_seconds']:.1f}s on {report['device']}\n"
        f"saved to {report['model_path']}"
    )


def _add_datasets(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("datasets", help="list the MovieLens variants and where each is cached", description="List the MovieLens variants, their rating scale, and whether each is ready offline.")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(handler=_datasets)


def _datasets(args: argparse.Namespace) -> int:
    from movierec.data import dataset_status

    rows = dataset_status()
    if args.json:
        print(json.dumps(rows, default=str))
        return 0
    for row in rows:
        state = "ready" if row["ready"] else "downloads on first use"
        where = f" ({row['location']})" if row.get("location") else ""
        print(f"{row['name']:<16} {row['size_hint']:>8}  {row['scale']:<22} {state}{where}")
    return 0


def _add_bench(sub: argparse._SubParsersAction) -> None:
    from movierec.bench import add_bench_command

    add_bench_command(sub)


REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = [_add_datasets, _add_train, _add_bench, add_recommend, add_synth_command]


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser."""
    parser = argparse.ArgumentParser(prog="python -m movierec", description="Train and use a MovieLens recommender.")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; bad input prints a message on stderr and returns 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except MovieRecError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted; nothing was saved.", file=sys.stderr)
        return 130
