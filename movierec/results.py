"""What a training run measured, as typed values: saved with the model and printed by ``train --json``.

The saved and printed form is the plain dict of :meth:`TrainingResults.to_dict`, the one models have
always carried, so files written before these types existed load through :meth:`TrainingResults.from_dict`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


@dataclass(frozen=True)
class ErrorScores:
    """How far one predictor's ratings are from the held-out ones."""

    rmse: float  # root mean squared error
    mae: float  # mean absolute error


@dataclass(frozen=True)
class Baselines:
    """Test errors of the simple predictors every model is compared with."""

    global_mean: ErrorScores  # the mean training rating for every pair
    user_movie_bias: ErrorScores  # mean + regularised user and movie biases


@dataclass(frozen=True)
class TopTenScores:
    """Top-10 quality of one way of ordering suggestions, averaged over the scored test users."""

    precision_at_10: float  # share of the 10 places holding a held-out movie
    ndcg_at_10: float  # binary-gain nDCG@10, every held-out movie relevant
    liked_ndcg_at_10: float  # nDCG@10 counting only held-out movies rated 4 or more


@dataclass(frozen=True)
class RankingScores:
    """Top-10 quality on a run's own test part, the model's suggestions beside the simplest peer."""

    suggestions: TopTenScores  # the suggestion ranker's lists
    most_popular: TopTenScores  # the most-rated movies each user did not rate


@dataclass(frozen=True)
class TrainingResults:
    """One run's data sizes, test scores and course (see ``pipeline.train_model``); fields in their saved order."""

    dataset: str  # name of the dataset trained on
    n_ratings: int  # ratings in the dataset
    n_users: int  # users in the dataset
    n_movies: int  # movies in the dataset
    n_train: int  # ratings the network trained on
    n_valid: int  # ratings that chose the best epoch
    n_test: int  # ratings scored below
    n_test_cold: int  # test ratings whose user or movie never appears in training
    test_rmse: float  # RMSE of the kept network on the test part
    test_mae: float  # MAE of the kept network on the test part
    valid_rmse: float  # RMSE at the best epoch on the validation part; NaN without one
    baselines: Baselines  # the same test errors for the simple baselines
    epochs_run: int  # epochs of the selection run (early stopping may end it before the planned count)
    refit_epochs: int  # epochs of the refit on training + validation ratings; 0 without one
    best_epoch: int  # the selection epoch with the lowest validation RMSE
    stopped: bool  # a person's stop cut the run short
    train_seconds: float  # wall-clock seconds in fit(), selection and refit together
    device: str  # where the network trained ("cpu", "cuda:0", ...)
    ranking_seconds: float  # seconds spent fitting the suggestion ranker; 0 without one
    ranking: RankingScores | None  # top-10 quality on the test part; None without a ranker

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of primitives (``{}`` for no ranking scores), as saved and printed by ``train --json``."""
        return asdict(self) | {"ranking": asdict(self.ranking) if self.ranking is not None else {}}

    @classmethod
    def from_dict(cls, saved: Mapping[str, Any]) -> TrainingResults:
        """Results from :meth:`to_dict`'s form; unknown keys are ignored, keys added since the first version defaulted.

        Raises:
            KeyError, TypeError, ValueError: a value every version saves is missing or not of its kind.
        """
        values = {**_ADDED_LATER, **saved}
        plain = {f.name: _CONVERSIONS[f.type](values[f.name]) for f in fields(cls) if f.type in _CONVERSIONS}
        errors, top_ten = (partial(_from_dict, scores, read=float) for scores in (ErrorScores, TopTenScores))
        ranking = values["ranking"]
        return cls(
            **plain,
            baselines=_from_dict(Baselines, values["baselines"], errors),
            ranking=_from_dict(RankingScores, ranking, top_ten) if ranking else None,
        )


def _from_dict(cls: type[T], saved: Mapping[str, Any], read: Callable[[Any], Any]) -> T:
    """A ``cls`` from a dict with one key per field, each value passed through ``read``."""
    return cls(*(read(saved[f.name]) for f in fields(cls)))


# What a model saved before these values existed means by their absence.
_ADDED_LATER: dict[str, Any] = {"refit_epochs": 0, "ranking_seconds": 0.0, "ranking": {}}
# A plain field's annotation (a string: annotations are postponed) -> the conversion of its saved value.
_CONVERSIONS: dict[Any, Any] = {"str": str, "int": int, "float": float, "bool": bool}
