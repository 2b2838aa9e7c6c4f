"""``python -m movierec synth``: write a synthetic release in the ml-25m layout."""

from __future__ import annotations

import argparse
import time


def add_synth_command(sub: argparse._SubParsersAction) -> None:
    """Register ``synth`` on the CLI's sub-command parser."""
    p = sub.add_parser(
        "synth",
        help="write a synthetic release in the ml-25m CSV layout",
        description="Write ratings.csv and movies.csv with skewed activity and popularity and low-rank taste "
        "ratings in half stars, to try the large-release paths offline (use the folder with --data-dir).",
    )
    p.add_argument("out_dir", help="folder to write into (created when missing)")
    p.add_argument("--ratings", type=int, default=25_000_095, help="number of ratings (default: ml-25m's 25,000,095)")
    p.add_argument("--users", type=int, default=162_541, help="number of users (default: ml-25m's 162,541)")
    p.add_argument("--movies", type=int, default=62_423, help="number of movies (default: ml-25m's 62,423)")
    p.add_argument("--seed", type=int, default=1, help="same seed and sizes, same files (default: 1)")
    p.set_defaults(handler=_synth)


def _synth(args: argparse.Namespace) -> int:
    from movierec.cli.progress import CountProgress
    from movierec.data.synth import write_synthetic_release

    started = time.perf_counter()
    progress = CountProgress("writing ratings", every=0.0, unit=" ratings", unit_scale=True)  # a line per block
    summary = write_synthetic_release(args.out_dir, args.ratings, args.users, args.movies, args.seed, progress)
    print(
        f"wrote {summary.n_ratings:,} ratings of {summary.n_users:,} users on {summary.n_movies:,} movies to "
        f"{summary.folder} in {time.perf_counter() - started:.0f}s; use it with --data-dir {summary.folder}"
    )
    return 0
