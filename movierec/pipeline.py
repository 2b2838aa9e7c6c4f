"""One training run from a dataset to a evaluated ``TrainedModel`` (used by the CLI and the dashboard)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

import numpy as np
import pandas as pd
import torch

from movierec.config import TrainConfig
from movierec.data import Dataset
from movierec.errors import MovieRecError
from movierec.evaluate.accuracy import baseline_scores, mae, rmse
from movierec.evaluate.splits import Split, split_ratings
from movierec.events import (
    RANKER,
    SCORING,
    BatchEvent,
    Callback,
    EpochEvent,
    Event,
    FitEndEvent,
    PhaseSteps,
    StopEvent,
    Stopped,
)
from movierec.ids import IdIndex
from movierec.model.artifacts import MOVIE_COLUMNS, TrainedModel
from movierec.model.network import EmbeddingNet, build_network
from movierec.model.ranker import genre_rows
from movierec.results import TrainingResults
from movierec.suggest.fit_ranker import fit_ranker, held_out_ranking
from movierec.train.loop import FitResult, fit
from movierec.train.tensors import RatingTensors, rated_lists, to_tensors

MIN_RATINGS = 20  # below this a split leaves nothing meaningful to train or test on


def fit_network(
    config: TrainConfig,
    train: RatingTensors,
    valid: RatingTensors,
    shape: tuple[int, int, float, float],
    genres: torch.Tensor,
    callbacks: tuple[Callback, ...] = (),
    stop: threading.Event | None = None,
) -> tuple[EmbeddingNet, FitResult]:
    """Build the network ``config`` describes (``shape``: users, movies, scale min, scale max) and fit it.

    The config's data-dependent options happen here: the output starts at the mean training rating
    (``init_mean``), the implicit part sees the training ratings only, and ``genres`` (from
    :func:`genre_rows`) gives each movie its genre part (``use_genres``); both parts are then baked
    into the tables.
    """
    network = build_network(config, *shape)
    network.initialise(torch.Generator().manual_seed(config.seed))
    if config.init_mean:
        network.init_output(float(train.ratings.mean()))
    if config.implicit:
        network.set_rated(*rated_lists(train, shape[0]))
    if config.use_genres and genres.shape[1]:  # a ratings CSV without a movies file lists no genres
        network.set_genres(genres)
    result = fit(network, train, valid, config, callbacks, stop)
    network.bake()
    return network.cpu(), result


def movie_table(train: pd.DataFrame, movies: pd.DataFrame) -> pd.DataFrame:
    """Facts for every movie rated in training, in movie-id order: title, year, genres, count, mean."""
    stats = train.groupby("movie_id")["rating"].agg(n_ratings="size", mean_rating="mean").reset_index()
    stats["movie_id"] = stats["movie_id"].astype(np.int64)  # ids may arrive narrowed (see _copier)
    table = stats.merge(movies, on="movie_id", how="left").sort_values("movie_id", ignore_index=True)
    missing = table["title"].isna()
    table.loc[missing, "title"] = "Movie " + table.loc[missing, "movie_id"].astype(str)
    table["genres"] = [g if isinstance(g, list) else [] for g in table["genres"]]
    table["year"] = table["year"].astype("Int64")
    return table[list(MOVIE_COLUMNS)]


def train_model(
    dataset: Dataset,
    config: TrainConfig,
    preset: str | None = None,
    callbacks: tuple[Callback, ...] = (),
    stop: threading.Event | None = None,
    split: Split | None = None,
    ranking: bool = True,
) -> TrainedModel:
    """Split ``dataset``, train with early stopping on the validation part, and score the test part.

    ``split`` (row positions into ``dataset.ratings``) replaces the random split, e.g. for fixed folds.
    With ``ranking``, the suggestion ranker is fitted on the training ratings (train and validation) and
    scored on the test part (``results.ranking``, with most-popular beside it).
    Test ratings whose user or movie never appears in training are still scored (through the average
    embedding, see :meth:`TrainedModel.predict`) and counted as ``n_test_cold``.
    ``callbacks`` receive fit()'s events, then a :class:`PhaseEvent` at each step of the ranker and the scoring.
    A stop during the epochs keeps the best weights so far; during the ranker, the model without a ranker;
    during the scoring, the model without its top-10 scores. Each ends with ``results.stopped`` set.
    """
    n_ratings = len(dataset.ratings)
    if n_ratings < MIN_RATINGS:
        raise MovieRecError(f"{dataset.name} has {n_ratings} ratings; at least {MIN_RATINGS} are needed to train.")
    split = split or split_ratings(n_ratings, config.test_size, config.valid_size, config.seed)
    rows_at = _copier(dataset.ratings)
    train, valid = rows_at(split.train), rows_at(split.valid)
    users = IdIndex(train["user_id"].to_numpy(), "user")
    movies = movie_table(train, dataset.movies)
    movie_index = IdIndex(movies["movie_id"].to_numpy(), "movie")
    scale = (dataset.scale.min, dataset.scale.max, dataset.scale.step)
    shape = (len(users), len(movies), scale[0], scale[1])
    train_rows, valid_rows = to_tensors(train, users, movie_index), to_tensors(valid, users, movie_index)
    genres = genre_rows(movies["genres"]).contiguous()  # row by row: the network reads it by movie row
    del train, valid  # copied again when needed: at the largest releases, memory training needs
    network, result, refit = _fit_with_refit(config, train_rows, valid_rows, shape, genres, callbacks, stop)
    history = [asdict(event) for event in result.history]
    model = TrainedModel(
        config, network, users, movies, scale, dataset.name, dataset.fingerprint, history=history, preset=preset
    )
    del train_rows, valid_rows
    seen = rows_at(np.concatenate([split.train, split.valid]))  # training then validation ratings
    report = _reporter(callbacks)
    stopped = result.stopped or (refit is not None and refit.stopped)
    ranking_seconds = 0.0
    if ranking and not stopped:
        try:
            model, ranking_seconds = _with_ranker(model, seen, report, stop)
        except Stopped:
            stopped = True  # the network is complete: keep it, without a ranker
            report(StopEvent(RANKER))
    scoring = PhaseSteps(SCORING, 1 if model.ranker is None else 2, report, None)
    test = rows_at(split.test)
    scoring.begin(f"rating errors of {len(test):,} test ratings")
    scores = _test_scores(model, dataset, split, test, rows_at(split.train))
    scoring.stop = None if stopped else stop
    try:
        top_ten = held_out_ranking(model, seen, test, steps=scoring)
    except Stopped:
        top_ten, stopped = None, True  # the model and its ranker are complete: keep them, unscored
        report(StopEvent(SCORING))
    results = TrainingResults(
        **scores,
        valid_rmse=result.best_valid_rmse,
        epochs_run=result.epochs_run,
        refit_epochs=refit.epochs_run if refit else 0,
        best_epoch=result.best_epoch,
        stopped=stopped,
        train_seconds=result.seconds + (refit.seconds if refit else 0.0),
        device=result.device,
        ranking_seconds=ranking_seconds,
        ranking=top_ten,
    )
    return replace(model, results=results)


def _fit_with_refit(
    config: TrainConfig,
    train: RatingTensors,
    valid: RatingTensors,
    shape: tuple[int, int, float, float],
    genres: torch.Tensor,
    callbacks: tuple[Callback, ...],
    stop: threading.Event | None,
) -> tuple[EmbeddingNet, FitResult, FitResult | None]:
    """The network selected by early stopping, then (``config.refit``) refitted on train+validation.

    Returns the network to keep, the selection's result and the refit's (None without one). A refit cut
    short by a stop is worse than the selected network, so that one is kept then.
    """
    network, result = fit_network(config, train, valid, shape, genres, callbacks, stop)
    if not config.refit or result.stopped:
        return network, result, None
    # Selection is done (the best epoch count); spend the validation ratings on training too.
    both = RatingTensors(*(torch.cat(pair) for pair in zip(train.columns(), valid.columns(), strict=True)))
    empty = RatingTensors(*(t[:0] for t in valid.columns()))
    marked = tuple(_as_refit(callback) for callback in callbacks)
    refitted, refit = fit_network(
        config.with_changes(epochs=result.best_epoch), both, empty, shape, genres, marked, stop
    )
    return (network if refit.stopped else refitted), result, refit


def _test_scores(
    model: TrainedModel, dataset: Dataset, split: Split, test: pd.DataFrame, train: pd.DataFrame
) -> dict[str, Any]:
    """The :class:`TrainingResults` fields of the data's sizes and the test errors of ``model`` and the baselines."""
    predicted = model.predict(test["user_id"].to_numpy(), test["movie_id"].to_numpy())
    actual = test["rating"].to_numpy()
    cold = (model.users.rows(test["user_id"]) < 0) | (model.movie_index.rows(test["movie_id"]) < 0)
    return {
        "dataset": dataset.name,
        "n_ratings": len(dataset.ratings),
        "n_users": dataset.n_users,
        "n_movies": dataset.n_movies,
        "n_train": len(split.train),
        "n_valid": len(split.valid),
        "n_test": len(test),
        "n_test_cold": int(cold.sum()),
        "test_rmse": rmse(predicted, actual),
        "test_mae": mae(predicted, actual),
        "baselines": baseline_scores(train, test, model.scale[0], model.scale[1]),
    }


def _reporter(callbacks: tuple[Callback, ...]) -> Callback:
    """Sends an event to every callback."""

    def report(event: Event) -> None:
        for callback in callbacks:
            callback(event)

    return report


def _copier(ratings: pd.DataFrame) -> Callable[[np.ndarray], pd.DataFrame]:
    """A function that copies the ratings at given positions, with only the columns training reads
    (ids as int32 when they fit: at tens of millions of ratings each copy is then a third smaller)."""
    columns = {name: ratings[name].to_numpy() for name in ("user_id", "movie_id", "rating")}
    return lambda positions: pd.DataFrame({name: _narrow(values[positions]) for name, values in columns.items()})


def _narrow(values: np.ndarray) -> np.ndarray:
    fits = values.dtype == np.int64 and (not len(values) or (values.min() >= 0 and values.max() < 2**31))
    return values.astype(np.int32) if fits else values


def _with_ranker(
    model: TrainedModel, ratings: pd.DataFrame, report: Callback, stop: threading.Event | None
) -> tuple[TrainedModel, float]:
    """``model`` with the suggestion ranker fitted on the run's training ratings, and the seconds the fit took.

    Raises:
        Stopped: ``stop`` was set during the fit.
    """
    started = time.perf_counter()
    ranker = fit_ranker(model, ratings, report, stop)
    return replace(model, ranker=ranker), time.perf_counter() - started


def _as_refit(callback: Callback) -> Callback:
    """The same callback, receiving fit()'s events marked as belonging to the refit."""

    def marked(event: Event) -> None:
        callback(replace(event, refit=True) if isinstance(event, BatchEvent | EpochEvent | FitEndEvent) else event)

    return marked
