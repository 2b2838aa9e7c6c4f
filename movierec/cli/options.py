"""The ``--dataset``/``--data-dir`` options and loading the dataset they name, for every command that reads ratings."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from movierec.data import Dataset


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--dataset`` and ``--data-dir`` to ``parser``."""
    parser.add_argument(
        "--dataset",
        default="ml-latest-small",
        help="MovieLens variant (see `datasets`); default: the bundled ml-latest-small",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="use an already extracted copy: the folder holding ml-100k/ (or the ml-100k folder itself) instead of downloading",
    )


def load_dataset(args: argparse.Namespace) -> Dataset:
    """The dataset named by ``--dataset``/``--data-dir``, downloading with a progress line when needed."""
    # Imported here so that `--help` and `datasets` start without loading pandas and torch.
    from movierec.cli.progress import download_progress
    from movierec.data import load_movielens

    return load_movielens(
        args.dataset,
        data_dir=args.data_dir,
        progress=download_progress(args.dataset),
        parse_progress=download_progress(f"{args.dataset} ratings", verb="parsing"),
    )
