"""``TrainedModel``: config + weights + id maps + movie facts + results, saved as one safe file."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from movierec import paths
from movierec.config import TrainConfig
from movierec.data import RatingScale
from movierec.errors import MovieRecError
from movierec.ids import IdIndex
from movierec.model.checks import check_contents, check_sizes, check_values
from movierec.model.network import EmbeddingNet, build_network, predict_rows
from movierec.model.ranker import Ranker
from movierec.results import TrainingResults

log = logging.getLogger(__name__)

FORMAT = "movierec-model"
VERSION = 1
FILE_NAME_CHARACTERS = "A-Za-z0-9._-"  # what a name may hold to be the same file name on every system
NAME_PATTERN = re.compile(f"[A-Za-z0-9][{FILE_NAME_CHARACTERS}]{{0,79}}")  # always matched whole (fullmatch)
# Runs of characters a file name may not hold; replaced when a name is made from other text.
NOT_FILE_NAME = re.compile(f"[^{FILE_NAME_CHARACTERS}]+")
MAX_FILE_BYTES = 4 << 30  # a model file larger than this is refused before it is read
# The facts a model keeps per movie, in this order; the Embeddings page shows the same ones.
MOVIE_COLUMNS = ("movie_id", "title", "year", "genres", "n_ratings", "mean_rating")


@dataclass
class TrainedModel:
    """Everything prediction needs, independent of the dataset files.

    ``movies`` is indexed like the movie embedding rows and has the columns of ``MOVIE_COLUMNS``
    (``n_ratings`` and ``mean_rating`` are counted on the training part).
    """

    config: TrainConfig
    network: EmbeddingNet
    users: IdIndex
    movies: pd.DataFrame
    scale: tuple[float, float, float]  # min, max, step
    dataset: str
    fingerprint: str
    results: TrainingResults | None = None  # what its training run measured; None for a network not scored
    history: list[dict[str, float]] = field(default_factory=list)
    preset: str | None = None
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    name: str | None = None  # the name it was loaded under; None for one not loaded from a file
    ranker: Ranker | None = None  # orders suggestions; None for models saved before it existed

    def __post_init__(self) -> None:
        self.movie_index = IdIndex(self.movies["movie_id"].to_numpy(), "movie")

    @property
    def rating_scale(self) -> RatingScale:
        """The ratings of the data the model was trained on (its network knows only the range)."""
        return RatingScale(*self.scale)

    @functools.cached_property
    def user_prior(self) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`EmbeddingNet.average_user` of the trained network, worked out once.

        A trained model does not change, and at 200,000 users this took half of each fold-in. Unknown
        users are predicted as this average; fold-in starts from it and is pulled towards it.
        """
        with torch.inference_mode(False):  # fold-in optimises from these even when predict() asked first
            return self.network.average_user()

    @torch.inference_mode()
    def predict(self, user_ids: Any, movie_ids: Any) -> np.ndarray:
        """Predicted ratings for raw id pairs, clipped to the rating scale.

        A user or movie absent from training is represented by the average embedding (and bias) of the
        trained users or movies, so every pair gets a prediction.
        """
        device = self.network.user_table().device
        user_rows = torch.from_numpy(self.users.rows(user_ids)).to(device)
        movie_rows = torch.from_numpy(self.movie_index.rows(movie_ids)).to(device)
        # In eval mode before the call, so predict_rows leaves the network in eval mode, as a prediction should.
        scorer = _MeanForUnknown(self.network, self.user_prior[0]).eval()
        predicted = predict_rows(scorer, user_rows, movie_rows).cpu().numpy()
        return np.clip(predicted, self.scale[0], self.scale[1])

    def save(self, name: str | None = None, directory: Path | None = None, overwrite: bool = True) -> Path:
        """Write the model atomically as ``<directory>/<name>.pt`` (default: ``MOVIEREC_HOME/models``).

        The file is flushed to disk before it appears under its name. Without ``overwrite`` the name is
        claimed atomically: of two saves under one new name exactly one succeeds, the other is refused.
        The model itself is left as it is (``name`` included): the returned path says where it went.
        """
        name = check_name(name if name is not None else self.name or default_name(self.dataset, self.preset))
        folder = paths.writable_folder(Path(directory) if directory is not None else paths.subdir("models"))
        target = folder / f"{name}.pt"
        if target.exists() and not overwrite:
            raise MovieRecError(f"A model named {name!r} already exists; choose another name or allow overwriting.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = paths.write_atomically(target, lambda handle: torch.save(self._to_payload(), handle), overwrite)
        except OSError as exc:
            raise MovieRecError(f"Cannot save into {folder} ({exc.strerror}); choose a folder you can write.") from None
        if not saved:
            raise MovieRecError(f"A model named {name!r} already exists; choose another name or allow overwriting.")
        return target

    def _to_payload(self) -> dict[str, Any]:
        movies = self.movies
        return {
            "format": FORMAT,
            "version": VERSION,
            "config": self.config.to_dict(),
            "state_dict": {k: v.detach().cpu() for k, v in self.network.state_dict().items()},
            "user_ids": torch.from_numpy(self.users.ids.copy()),
            "movie_ids": torch.from_numpy(movies["movie_id"].to_numpy(np.int64).copy()),
            "movie_titles": [str(t) for t in movies["title"]],
            "movie_years": torch.tensor(movies["year"].fillna(-1).to_numpy(np.int64)),
            "movie_genres": ["|".join(g) for g in movies["genres"]],
            "movie_counts": torch.tensor(movies["n_ratings"].to_numpy(np.int64)),
            "movie_means": torch.tensor(movies["mean_rating"].to_numpy(np.float32)),
            "scale": [float(v) for v in self.scale],
            "dataset": self.dataset,
            "fingerprint": self.fingerprint,
            "metrics": self.results.to_dict() if self.results is not None else {},
            "history": self.history,
            "preset": self.preset,
            "created": self.created,
            "ranking": self.ranker.to_payload() if self.ranker is not None else None,
        }


class _MeanForUnknown(torch.nn.Module):
    """A trained network that scores row -1 (an id absent from training) as the average user or movie."""

    def __init__(self, network: EmbeddingNet, average_user: torch.Tensor) -> None:
        super().__init__()
        self.network = network
        self.average_user = network.split_user(average_user)

    def forward(self, users: torch.Tensor, movies: torch.Tensor) -> torch.Tensor:
        net = self.network
        user_biases, movie_biases = net.user_biases(), net.movie_biases()
        return net.score(
            _rows_or(net.user_table(), users, self.average_user[0]),
            _rows_or(net.movie_table(), movies),
            None if user_biases is None else _rows_or(user_biases, users, self.average_user[1]),
            None if movie_biases is None else _rows_or(movie_biases, movies),
        )


def _rows_or(table: torch.Tensor, rows: torch.Tensor, fallback: torch.Tensor | None = None) -> torch.Tensor:
    """``table[rows]`` with row -1 as ``fallback`` (default: the mean row, worked out only when needed)."""
    vectors = table[rows.clamp(min=0)]
    unknown = rows < 0
    if bool(unknown.any()):
        vectors[unknown] = table.mean(dim=0) if fallback is None else fallback
    return vectors


def check_name(name: str) -> str:
    """A model name usable as a file name: letters, digits, '.', '_' and '-', no path separators."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or name in (".", ".."):
        raise MovieRecError(
            f"Invalid model name {str(name)!r}: use 1-80 letters, digits, '.', '_' or '-', starting with a letter or digit."
        )
    return name


def default_name(dataset: str, preset: str | None) -> str:
    """``<dataset>-<preset>-<UTC timestamp>-<random>``: two runs in the same second still get different names."""
    stamp = f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    safe_dataset = NOT_FILE_NAME.sub("-", dataset).strip("-._") or "data"  # a model name starts with a letter or digit
    return f"{safe_dataset}-{preset or 'custom'}-{stamp}"


@dataclass(frozen=True)
class ModelInfo:
    """One saved model, as the model pickers list it."""

    name: str
    path: Path
    dataset: str
    test_rmse: float | None
    created: str
    preset: str | None
    fingerprint: str = ""  # of the data it was trained on: models are offered only for the same data


def resolve_model_path(name_or_path: str | Path) -> Path:
    """A saved model's file from its name (under ``MOVIEREC_HOME/models``) or a path to it."""
    candidate = Path(name_or_path).expanduser()
    if candidate.is_file():
        return candidate
    if isinstance(name_or_path, str) and NAME_PATTERN.fullmatch(name_or_path):
        named = paths.subdir("models") / f"{name_or_path}.pt"
        if named.is_file():
            return named
    known = ", ".join(info.name for info in list_models()) or "none yet (train one first)"
    raise MovieRecError(f"No saved model {str(name_or_path)!r}. Saved models: {known}.")


def _read_payload(path: Path, mmap: bool = False) -> dict[str, Any]:
    """The file's dict, loaded without unpickling anything but tensors and plain values.

    The file is opened without waiting (a FIFO or a device under a model's name would block a read for
    ever) and refused unless it is a regular file within the size budget.
    """
    try:
        opened = paths.open_regular(path, MAX_FILE_BYTES, "the model file")
    except OSError as exc:
        raise MovieRecError(f"{path} cannot be read ({exc.strerror}); it was not loaded.") from None
    with opened as source:
        try:
            payload = torch.load(path if mmap else source, map_location="cpu", weights_only=True, mmap=mmap)
        except Exception as exc:  # any failure here means the file is not a model we can trust
            raise MovieRecError(
                f"{path} is not a movierec model file or is damaged ({type(exc).__name__}); it was not loaded."
            ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise MovieRecError(f"{path} is not a movierec model file; it was not loaded.")
    if payload.get("version") != VERSION:
        raise MovieRecError(
            f"{path} was saved by an incompatible movierec version ({str(payload.get('version'))[:40]!r})."
        )
    return payload


def read_saved(path: Path) -> dict[str, Any]:
    """A saved model file's fields with its tensors memory-mapped, checked as :func:`load_model` checks them
    but with no network built: for listings, which need only the settings, scores and history."""
    return _read_payload(path, mmap=True)


def load_model(name_or_path: str | Path) -> TrainedModel:
    """Load a saved model by name or path; a foreign, damaged or tampered file raises :class:`MovieRecError`."""
    path = resolve_model_path(name_or_path)
    payload = _read_payload(path, mmap=True)  # tables are read from the file only as far as the checks pass
    problem = check_sizes(payload)  # the tables' kinds and the scale, before anything is built from them
    if problem is not None:
        raise MovieRecError(f"{path} is damaged or was modified: {problem}; it was not loaded.")
    try:
        config = TrainConfig.from_dict(payload["config"])
        scale = tuple(float(v) for v in payload["scale"])
        n_users, n_movies = len(payload["user_ids"]), len(payload["movie_ids"])
        if config.implicit and isinstance(payload.get("state_dict"), dict):
            # Files saved before bake() dropped the implicit table still carry it; prediction never read it.
            payload["state_dict"].pop("y.weight", None)
        with torch.device("meta"):  # the shape the config describes, without allocating it
            skeleton = _saved_network(config, n_users, n_movies, scale)
        problem = check_contents(payload, skeleton) or check_values(payload)
        if problem is not None:
            raise MovieRecError(problem)
        user_ids, movies = payload["user_ids"].numpy(), _movie_facts(payload)
        network = _saved_network(config, len(user_ids), len(movies), scale)
        network.load_state_dict(payload["state_dict"], strict=True)
        model = TrainedModel(
            config=config,
            network=network.eval(),
            users=IdIndex(user_ids, "user"),
            movies=movies,
            scale=scale,  # type: ignore[arg-type]
            dataset=str(payload["dataset"]),
            fingerprint=str(payload["fingerprint"]),
            results=TrainingResults.from_dict(payload["metrics"]) if payload["metrics"] else None,
            history=list(payload["history"]),
            preset=payload["preset"],
            created=str(payload["created"]),
            name=path.stem,
            ranker=Ranker.from_payload(payload["ranking"], len(movies)) if payload.get("ranking") else None,
        )
    except MovieRecError as exc:  # settings a model cannot have, or contents that do not fit them
        raise MovieRecError(f"{path} is damaged or was modified: {exc}; it was not loaded.") from None
    except Exception as exc:  # inconsistent shapes or missing keys: a tampered or truncated file
        raise MovieRecError(
            f"{path} is damaged or was modified ({type(exc).__name__}: {str(exc)[:200]}); it was not loaded."
        ) from None
    return model


def _movie_facts(payload: dict[str, Any]) -> pd.DataFrame:
    """The movies table of a checked file (a year of -1 is unknown)."""
    movies = pd.DataFrame(
        {
            "movie_id": payload["movie_ids"].numpy(),
            "title": list(payload["movie_titles"]),
            "year": pd.array(payload["movie_years"].numpy(), dtype="Int64"),
            "genres": [g.split("|") if g else [] for g in payload["movie_genres"]],
            "n_ratings": payload["movie_counts"].numpy(),
            "mean_rating": payload["movie_means"].numpy(),
        }
    )
    movies.loc[movies["year"] < 0, "year"] = pd.NA
    return movies


def _saved_network(config: TrainConfig, n_users: int, n_movies: int, scale: tuple[float, ...]) -> EmbeddingNet:
    """The network a saved file holds: the one its config describes, baked (no training-only table)."""
    network = build_network(config, n_users, n_movies, scale[0], scale[1])
    network.bake()
    return network


def list_models(dataset: str | None = None, directory: Path | None = None) -> list[ModelInfo]:
    """Saved models, newest first, optionally only those of one dataset; unreadable files are skipped."""
    found = []
    for path in (directory or paths.subdir("models")).glob("*.pt"):
        try:
            payload = _read_payload(path, mmap=True)
        except MovieRecError as exc:
            log.warning("ignored a file in the models folder: %s", exc)
            continue
        if dataset is not None and payload.get("dataset") != dataset:
            continue
        metrics = payload.get("metrics")
        rmse = metrics.get("test_rmse") if isinstance(metrics, dict) else None
        preset = payload.get("preset")
        found.append(
            ModelInfo(  # fields of a file anyone may have edited: only well-formed values are passed on
                path.stem,
                path,
                str(payload.get("dataset")),
                float(rmse) if isinstance(rmse, (int, float)) and math.isfinite(rmse) else None,
                str(payload.get("created")),
                preset if isinstance(preset, str) else None,
                str(payload.get("fingerprint", "")),
            )
        )
    return sorted(found, key=lambda info: (info.created, info.name), reverse=True)
