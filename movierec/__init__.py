"""movierec: a MovieLens recommender built on the embedding network of the PyTorch article.

The names below are the public API::

    from movierec import fold_in, load_movielens, preset, train_model
    from movierec.recommend import recommend

    dataset = load_movielens("ml-latest-small")
    model = train_model(dataset, preset("default"))
    model.save("mine")
    print(recommend(model, {318: 5.0, 296: 4.5}).table)

Each name is imported on first use (PEP 562), so ``import movierec`` stays cheap and the command line
starts without loading torch. ``recommend`` is not among them: it is also the name of the module
``movierec.recommend``, which would shadow it on the package once imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_HOMES = {
    "MovieRecError": "movierec.errors",
    "TrainConfig": "movierec.config",
    "PRESETS": "movierec.config",
    "SETTINGS": "movierec.config",
    "preset": "movierec.config",
    "DATASETS": "movierec.data",
    "Dataset": "movierec.data",
    "RatingScale": "movierec.data",
    "load_movielens": "movierec.data",
    "load_ratings_csv": "movierec.data",
    "train_model": "movierec.pipeline",
    "TrainedModel": "movierec.model.artifacts",
    "TrainingResults": "movierec.results",
    "load_model": "movierec.model.artifacts",
    "list_models": "movierec.model.artifacts",
    "fold_in": "movierec.suggest.foldin",
    "similar_movies": "movierec.suggest.recommend",
    "TitleSearch": "movierec.data.search",
    "project_pca": "movierec.explore.pca",
    "ProfileStore": "movierec.profiles.store",
}

__all__ = ["__version__", *_HOMES]

# `X as X` marks a re-export for type checkers and linters.
if TYPE_CHECKING:
    from movierec.config import PRESETS as PRESETS
    from movierec.config import SETTINGS as SETTINGS
    from movierec.config import TrainConfig as TrainConfig
    from movierec.config import preset as preset
    from movierec.data import DATASETS as DATASETS
    from movierec.data import Dataset as Dataset
    from movierec.data import RatingScale as RatingScale
    from movierec.data import load_movielens as load_movielens
    from movierec.data import load_ratings_csv as load_ratings_csv
    from movierec.data.search import TitleSearch as TitleSearch
    from movierec.errors import MovieRecError as MovieRecError
    from movierec.explore.pca import project_pca as project_pca
    from movierec.model.artifacts import TrainedModel as TrainedModel
    from movierec.model.artifacts import list_models as list_models
    from movierec.model.artifacts import load_model as load_model
    from movierec.pipeline import train_model as train_model
    from movierec.profiles.store import ProfileStore as ProfileStore
    from movierec.results import TrainingResults as TrainingResults
    from movierec.suggest.foldin import fold_in as fold_in
    from movierec.suggest.recommend import similar_movies as similar_movies


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'movierec' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
