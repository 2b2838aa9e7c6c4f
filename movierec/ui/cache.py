"""Cached loaders: one copy of each dataset and saved model per server process, and the keys of cached values.

A value read from files is keyed by :func:`file_stamp` (read again when a file changes); a value worked out
from a loaded model by :func:`model_key`, with the model itself passed unhashed (an ``_``-named argument)."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from movierec import paths
from movierec.data import Dataset, load_movielens, needs_parsing
from movierec.model.artifacts import ModelInfo, TrainedModel, list_models, load_model


def dataset(name: str, data_dir: str | None = None) -> Dataset:
    """A MovieLens variant (never downloads: downloading is an explicit button).

    The first load of a large release parses its text files, which takes minutes: that parse runs here,
    with a progress bar, and leaves the parsed copy the cached load then reads in seconds.
    """
    if (name, data_dir) not in _LOADED and needs_parsing(name, data_dir):  # checked once, not on every rerun
        _parse_with_progress(name, data_dir)
    loaded = _dataset(name, data_dir)
    _LOADED.add((name, data_dir))
    return loaded


_LOADED: set[tuple[str, str | None]] = set()  # releases this process has loaded: their parsed copy exists


@st.cache_resource(show_spinner="Loading ratings…", max_entries=4)
def _dataset(name: str, data_dir: str | None) -> Dataset:
    return load_movielens(name, data_dir=data_dir, download=False)


def _parse_with_progress(name: str, data_dir: str | None) -> None:
    text = f"Reading {name}'s ratings for the first time (later loads take seconds)"
    bar = st.progress(0.0, text=f"{text}…")

    def report(done: int, total: int | None) -> None:
        if total:
            bar.progress(min(1.0, done / total), text=f"{text}: {done / total:.0%}")

    load_movielens(name, data_dir=data_dir, download=False, parse_progress=report)
    bar.empty()


ModelKey = tuple[str | None, str, str]


def file_stamp(path: Path) -> tuple[str, int]:
    """The key of a value read from ``path``: its path and modification time, so a changed file is read again."""
    return str(path), path.stat().st_mtime_ns


def folder_stamp(folder: Path, pattern: str) -> tuple[tuple[str, int], ...]:
    """The key of a value read from the files of ``folder`` matching ``pattern``: their names and times.

    A file deleted while the folder is read is left out.
    """
    listing = []
    for path in folder.glob(pattern):
        try:
            listing.append((path.name, path.stat().st_mtime_ns))
        except OSError:
            continue
    return tuple(sorted(listing))


def model_key(model: TrainedModel) -> ModelKey:
    """The key of a value worked out from ``model``: its name, creation time and training data's fingerprint
    (a newer model saved under the same name has another creation time)."""
    return model.name, model.created, model.fingerprint


@st.cache_resource(show_spinner="Loading model…", max_entries=8)
def _model(path: str, mtime_ns: int) -> TrainedModel:
    return load_model(Path(path))


def model(info: ModelInfo) -> TrainedModel:
    """A saved model, reloaded when its file changes (overwriting a name replaces the cached copy)."""
    return _model(*file_stamp(info.path))


@st.cache_data(show_spinner=False, max_entries=16)
def _models(dataset_name: str, listing: tuple[tuple[str, int], ...]) -> list[ModelInfo]:
    return list_models(dataset=dataset_name)


def models(dataset_name: str) -> list[ModelInfo]:
    """Saved models of one dataset, newest first; rescanned whenever a model file appears or changes."""
    return _models(dataset_name, folder_stamp(paths.subdir("models"), "*.pt"))


@st.cache_data(show_spinner=False, max_entries=8)
def rating_counts(fingerprint: str, _dataset: Dataset) -> tuple[pd.Series, pd.Series]:
    """Ratings per user and per movie (keyed by the data's fingerprint; the frame itself is not hashed)."""
    ratings = _dataset.ratings
    return ratings.groupby("user_id").size(), ratings.groupby("movie_id").size()


@st.cache_resource(show_spinner=False)
def warm_up_imports() -> None:
    """Import the PCA code (scikit-learn is slow to import cold) in the background, once per server.

    The Embeddings page's first visit then does not wait for it.
    """
    threading.Thread(target=importlib.import_module, args=("movierec.explore.pca",), daemon=True).start()
