"""Every saved model as one row of settings and scores, read from the files without building a network.

The Models page and ``python -m movierec models`` show the same rows, built here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from movierec import paths
from movierec.config import DEFAULT, PRESETS, TrainConfig, shown_value
from movierec.errors import MovieRecError
from movierec.model.artifacts import ModelInfo, read_saved
from movierec.results import TrainingResults

log = logging.getLogger(__name__)

FALLBACK_PRESET = "default"  # what the settings of a model with no known preset are compared with


@dataclass(frozen=True)
class EpochPoint:
    """One epoch of a model's selection run, as its saved history recorded it."""

    epoch: int
    train_loss: float  # mean squared error of the epoch's batches (dropout active)
    valid_rmse: float  # RMSE on the validation part after the epoch


@dataclass(frozen=True)
class ModelRow:
    """One saved model's name, settings, scores and training course."""

    name: str
    path: Path
    dataset: str
    fingerprint: str  # of the data it was trained on
    preset: str | None  # as saved ("default", "article", or a name a script chose)
    compared_with: str  # the preset ``changed`` is measured against
    changed: tuple[tuple[str, Any], ...]  # (setting, value) where the model's settings differ from that preset
    created: str
    results: TrainingResults | None  # None for a model saved without scores
    history: tuple[EpochPoint, ...]

    def info(self) -> ModelInfo:
        """The model as the sidebar's pickers know it."""
        rmse = self.results.test_rmse if self.results is not None else None
        return ModelInfo(self.name, self.path, self.dataset, rmse, self.created, self.preset, self.fingerprint)

    def record(self) -> dict[str, Any]:
        """The row's table columns as JSON-ready values (``None`` where the model has no such figure)."""
        results, ranking = self.results, self.results.ranking if self.results is not None else None
        ours, popular = (ranking.suggestions, ranking.most_popular) if ranking is not None else (None, None)
        return {
            "name": self.name,
            "dataset": self.dataset,
            "preset": self.preset,
            "compared_with": self.compared_with,
            "settings_changed": {key: list(v) if isinstance(v, tuple) else v for key, v in self.changed},
            "test_rmse": results.test_rmse if results else None,
            "test_mae": results.test_mae if results else None,
            "p_at_10": ours.precision_at_10 if ours else None,
            "p_at_10_most_popular": popular.precision_at_10 if popular else None,
            "ndcg_at_10": ours.ndcg_at_10 if ours else None,
            "ndcg_at_10_most_popular": popular.ndcg_at_10 if popular else None,
            "epochs": results.epochs_run if results else None,
            "best_epoch": results.best_epoch if results else None,
            "train_seconds": results.train_seconds if results else None,
            "device": results.device if results else None,
            "created": self.created,
            "file": str(self.path),
        }


@dataclass(frozen=True)
class Catalog:
    """The saved models that could be read, newest first, and the files that could not (name, reason)."""

    rows: list[ModelRow]
    damaged: list[tuple[str, str]]


def model_catalog(dataset: str | None = None, directory: Path | None = None) -> Catalog:
    """Every saved model (of one dataset, when given) as a :class:`ModelRow`, newest first.

    A file that is not a readable model is named in ``damaged`` with the reason (its folder left out, as
    visitors of the dashboard see these notices) and skipped; the others are still listed.
    """
    rows, damaged = [], []
    for path in sorted((directory or paths.subdir("models")).glob("*.pt")):
        try:
            row = read_row(path)
        except MovieRecError as exc:
            log.warning("ignored a file in the models folder: %s", exc)
            damaged.append((path.name, str(exc).replace(str(path), path.name)))
            continue
        if dataset is None or row.dataset == dataset:
            rows.append(row)
    return Catalog(sorted(rows, key=lambda row: (row.created, row.name), reverse=True), damaged)


def read_row(path: Path) -> ModelRow:
    """One saved model's row; a file whose fields are not those of a model raises :class:`MovieRecError`."""
    payload = read_saved(path)
    try:
        config = TrainConfig.from_dict(payload["config"])
        preset = payload.get("preset") if isinstance(payload.get("preset"), str) else None
        compared_with = preset if preset in PRESETS else FALLBACK_PRESET
        return ModelRow(
            name=path.stem,
            path=path,
            dataset=str(payload["dataset"]),
            fingerprint=str(payload.get("fingerprint", "")),
            preset=preset,
            compared_with=compared_with,
            changed=changed_settings(config, PRESETS.get(compared_with, DEFAULT)),
            created=str(payload.get("created")),
            results=_results(payload.get("metrics")),
            history=_history(payload.get("history")),
        )
    except (KeyError, TypeError, ValueError, MovieRecError) as exc:
        raise MovieRecError(
            f"{path} is damaged or was modified ({type(exc).__name__}: {exc}); it is not listed."
        ) from None


def changed_settings(config: TrainConfig, baseline: TrainConfig) -> tuple[tuple[str, Any], ...]:
    """``(setting, value)`` for each setting of ``config`` that differs from ``baseline``, in the config's order.

    The device is left out: it says where the run went, not how the model differs (presets say "auto", a
    run says "cpu" or "cuda"), and the catalogue shows it in a column of its own.
    """
    ours, theirs = config.values(), baseline.values()
    return tuple((name, value) for name, value in ours.items() if name != "device" and value != theirs[name])


def settings_text(changed: Iterable[tuple[str, Any]]) -> str:
    """``"lr 0.01, hidden 32,16, use_bias on"``; empty when nothing differs."""
    return ", ".join(f"{name} {shown_value(value) or 'none'}" for name, value in changed)


def _results(saved: Any) -> TrainingResults | None:
    """The saved scores, or None for a model saved without them (or with scores nobody can read)."""
    if not isinstance(saved, dict) or not saved:
        return None
    try:
        return TrainingResults.from_dict(saved)
    except (KeyError, TypeError, ValueError):
        return None


def _history(saved: Any) -> tuple[EpochPoint, ...]:
    """The selection run's epochs (the refit has no validation RMSE); empty when the history is unreadable."""
    if not isinstance(saved, list):
        return ()
    try:
        return tuple(
            EpochPoint(int(event["epoch"]), float(event["train_rmse"]) ** 2, float(event["valid_rmse"]))
            for event in saved
            if not event.get("refit", False)
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return ()
