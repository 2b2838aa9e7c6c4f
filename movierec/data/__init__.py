"""MovieLens data: the release registry, downloads, parsers, a binary cache and uploaded ratings."""

from __future__ import annotations

from movierec.data.download import download_dataset
from movierec.data.frames import Dataset
from movierec.data.loader import dataset_status, load_100k_folds, load_movielens, needs_parsing
from movierec.data.registry import DATASETS, RatingScale, Variant
from movierec.data.upload import load_ratings_csv

__all__ = [
    "DATASETS",
    "Dataset",
    "RatingScale",
    "Variant",
    "dataset_status",
    "download_dataset",
    "load_100k_folds",
    "load_movielens",
    "load_ratings_csv",
    "needs_parsing",
]
