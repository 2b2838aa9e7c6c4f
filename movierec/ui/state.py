"""The sidebar's choices, read by every page: the active dataset and the active model.

The dataset choice is a source key (see :mod:`movierec.ui.sources`); the model choice a saved model's name.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from movierec.data import Dataset
from movierec.errors import MovieRecError
from movierec.model.artifacts import ModelInfo, TrainedModel
from movierec.ui import cache
from movierec.ui.keys import DATASET_KEY, MODEL_KEY
from movierec.ui.sources import DEFAULT_DATASET, Source

_PENDING = "_pending_choices"  # widget values to apply before the widgets are drawn on the next run


def active_dataset() -> Dataset:
    """The dataset chosen in the sidebar (the bundled one until something else is picked)."""
    source = Source.parse(st.session_state.get(DATASET_KEY, DEFAULT_DATASET))
    if not source.available():
        source = Source.release(DEFAULT_DATASET)  # a stale upload key (the session's uploads are gone)
    return source.load()


def dataset_models(dataset: Dataset) -> tuple[list[ModelInfo], int]:
    """Saved models trained on exactly this data (same fingerprint), newest first, and how many of the
    same dataset name were trained on different data (they are not offered)."""
    infos = cache.models(dataset.name)
    matching = [info for info in infos if info.fingerprint == dataset.fingerprint]
    return matching, len(infos) - len(matching)


def load_problem(info: ModelInfo) -> str | None:
    """Why this saved model cannot be loaded (a damaged or tampered file), or None when it loads."""
    try:
        cache.model(info)
    except (MovieRecError, OSError) as exc:
        return str(exc)
    return None


def active_model_info() -> ModelInfo | None:
    """The saved model chosen in the sidebar for the active dataset (else the newest that loads), or None."""
    infos, _ = dataset_models(active_dataset())
    chosen = st.session_state.get(MODEL_KEY)
    ordered = sorted(infos, key=lambda info: info.name != chosen)  # the chosen one first, then newest first
    return next((info for info in ordered if load_problem(info) is None), None)


def active_model() -> TrainedModel | None:
    """The loaded active model, or None when the active dataset has no saved model that loads."""
    info = active_model_info()
    return cache.model(info) if info is not None else None


def choose_later(**choices: Any) -> None:
    """Make the sidebar pick these values on the next run (``dataset=...``, ``model=...``).

    Streamlit forbids setting a widget's value once it is drawn in the current run, so pages and the
    sidebar's own buttons queue the choice and call ``st.rerun()``.
    """
    keys = {"dataset": DATASET_KEY, "model": MODEL_KEY}
    st.session_state.setdefault(_PENDING, {}).update({keys[name]: value for name, value in choices.items()})


def apply_pending_choices() -> None:
    """Apply the choices queued by :func:`choose_later`; called before the pickers are drawn."""
    for key, value in st.session_state.pop(_PENDING, {}).items():
        st.session_state[key] = value
