"""``python -m movierec``: datasets, train (and the commands other modules register)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from movierec.cli.json_output import to_json
from movierec.cli.models import add_models_command
from movierec.cli.options import add_data_arguments, load_dataset
from movierec.cli.recommend import add_recommend
from movierec.cli.synth import add_synth_command
from movierec.config import DEVICES, PRESETS, SETTINGS, field_type, is_list, parse_list, preset, shown_value
from movierec.errors import MovieRecError
from movierec.leftovers import clean_leftovers

if TYPE_CHECKING:
    from movierec.results import RankingScores, TrainingResults

EXIT_BAD_INPUT = 2
LOG_HANDLER = "movierec-cli"


def _list_type(name: str) -> Callable[[str], tuple[Any, ...]]:
    """An argparse type that reads a comma-separated list for config field ``name``."""

    def parse(text: str) -> tuple[Any, ...]:
        try:
            return parse_list(name, text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per :class:`TrainConfig` field, worded from :data:`SETTINGS`; unset flags keep the preset's value."""
    for name, setting in SETTINGS.items():
        flag = "--" + (setting.flag or name).replace("_", "-")
        presets = ", ".join(f"{key} {shown_value(getattr(config, name))}" for key, config in PRESETS.items())
        accepted = f"{setting.range_text()}; " if setting.range_text() else ""
        help_text = f"{setting.help.rstrip('.')} ({accepted}presets: {presets})".replace("%", "%%")
        kind = field_type(name)
        if name == "device":
            parser.add_argument(flag, dest=name, choices=DEVICES, help=help_text)
        elif kind is bool:
            parser.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, help=help_text)
        elif is_list(name):
            parser.add_argument(flag, dest=name, type=_list_type(name), help=help_text)
        else:
            parser.add_argument(flag, dest=name, type=kind, help=help_text)


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a model and save it",
        description="Train the embedding network, evaluate it on a held-out test part and save it.",
    )
    add_data_arguments(p)
    p.add_argument(
        "--preset",
        default="default",
        choices=list(PRESETS),
        help="starting hyper-parameters: the project's default or the article's run (default: default)",
    )
    add_config_arguments(p)
    p.add_argument(
        "--out",
        type=Path,
        help="where to save: a .pt file path or a folder (default: MOVIEREC_HOME/models/<dataset>-<preset>-<time>.pt)",
    )
    p.add_argument("--json", action="store_true", help="print the results as one JSON line on stdout")
    p.set_defaults(handler=_train)


def _train(args: argparse.Namespace) -> int:
    from movierec.cli.progress import TrainingProgress
    from movierec.model.artifacts import check_name
    from movierec.paths import home, writable_folder
    from movierec.pipeline import train_model
    from movierec.train.loop import resolve_device
    from movierec.train.sizing import require_fit

    changes = {k: getattr(args, k) for k in SETTINGS if getattr(args, k) is not None}
    config = preset(args.preset).with_changes(**changes)
    # fail before any training on what can be checked up front
    resolve_device(config.device)
    name, directory = (
        (check_name(args.out.stem), args.out.parent) if args.out and args.out.suffix == ".pt" else (None, args.out)
    )
    writable_folder(directory if directory is not None else home() / "models")
    if directory is not None and not directory.is_dir():  # a mistyped --out must not make a tree of folders
        raise MovieRecError(
            f"--out: the folder {directory} does not exist; create it first, or give a .pt path in an existing folder."
        )
    dataset = load_dataset(args)
    require_fit(config, dataset.n_ratings, dataset.n_users, dataset.n_movies)
    progress = TrainingProgress(config)
    model = train_model(dataset, config, preset=args.preset, callbacks=(progress,))
    progress.saving()
    path = model.save(name, directory=directory)
    results = model.results
    assert results is not None  # train_model scores every model it returns
    if args.json:
        print(
            to_json({**results.to_dict(), "model_path": str(path), "preset": args.preset, "config": config.to_dict()})
        )
    else:
        _print_report(results, path)
    return 0


def _print_report(results: TrainingResults, path: Path) -> None:
    base = results.baselines
    print(
        f"{results.dataset}: {results.n_ratings:,} ratings, {results.n_users:,} users, {results.n_movies:,} movies\n"
        f"split: {results.n_train:,} train / {results.n_valid:,} valid / {results.n_test:,} test "
        f"({results.n_test_cold:,} test ratings have a user or movie unseen in training)\n"
        f"test RMSE {results.test_rmse:.4f}, MAE {results.test_mae:.4f} "
        f"(global mean {base.global_mean.rmse:.4f}, user+movie biases {base.user_movie_bias.rmse:.4f})\n"
        f"best epoch {results.best_epoch} of {results.epochs_run}, {results.train_seconds:.1f}s on {results.device}\n"
        f"{_ranking_line(results.ranking)}"
        f"saved to {path}"
    )


def _ranking_line(ranking: RankingScores | None) -> str:
    """Top-10 quality of the suggestions on the test part, beside most-popular (empty for no ranker)."""
    if ranking is None:
        return ""
    ours, popular = ranking.suggestions, ranking.most_popular
    return (
        f"suggestions on the test part: P@10 {ours.precision_at_10:.3f}, nDCG@10 {ours.ndcg_at_10:.3f} "
        f"(most-rated unseen movies {popular.precision_at_10:.3f}, {popular.ndcg_at_10:.3f})\n"
    )


def _add_datasets(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "datasets",
        help="list the MovieLens variants and where each is cached",
        description="List the MovieLens variants, their rating scale, and whether each is ready offline.",
    )
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(handler=_datasets)


def _datasets(args: argparse.Namespace) -> int:
    from movierec.data import dataset_status

    rows = dataset_status()
    if args.json:
        print(to_json(rows, default=str))
        return 0
    for row in rows:
        state = "ready" if row["ready"] else "downloads on first use"
        where = f" ({row['location']})" if row.get("location") else ""
        print(f"{row['name']:<16} {row['size_hint']:>8}  {row['scale']:<22} {state}{where}")
    return 0


def _add_bench(sub: argparse._SubParsersAction) -> None:
    from movierec.cli.bench import add_bench_command

    add_bench_command(sub)


REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_datasets,
    _add_train,
    _add_bench,
    add_recommend,
    add_synth_command,
    add_models_command,
]


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser."""
    # The installed command is called `movierec`; from a checkout it runs as `python -m movierec`.
    prog = "movierec" if Path(sys.argv[0]).name == "movierec" else "python -m movierec"
    parser = argparse.ArgumentParser(prog=prog, description="Train and use a MovieLens recommender.")
    _add_verbose(parser, default=0)
    sub = parser.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(sub)
    for command in sub.choices.values():  # `-v` also after the command; SUPPRESS keeps a count given before it
        _add_verbose(command, default=argparse.SUPPRESS)
    return parser


def _add_verbose(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="say more on stderr: -v tells what was skipped or rebuilt and why, -vv adds details",
    )


def _configure_logging(verbose: int) -> None:
    """Warnings always reach stderr; ``-v`` adds what movierec skipped or rebuilt, ``-vv`` everything."""
    logger = logging.getLogger("movierec")
    for old in [h for h in logger.handlers if h.get_name() == LOG_HANDLER]:  # main() may run more than once
        logger.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(LOG_HANDLER)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel((logging.WARNING, logging.INFO)[verbose] if verbose < 2 else logging.DEBUG)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush does not fail on the closed pipe again."""
    with contextlib.suppress(OSError, ValueError):  # stdout is not a real file (a test's buffer): nothing to flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; bad input prints a message on stderr and returns 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    try:
        clean_leftovers()  # also checks MOVIEREC_HOME before any work
        return args.handler(args)
    except MovieRecError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader (`| head`) left: say so once, without a traceback
        _silence_stdout()
        print("\nerror: the output was closed before everything was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # a path the checks above did not foresee (a file where a folder should be, …)
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"\nerror: {exc.strerror or exc}{where}; nothing was changed.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted; nothing was saved.", file=sys.stderr)
        return 130
