"""Suggestions for a person who is not in the training data: top-N with filters, reasons, neighbours.

The person is placed in the model by :mod:`movierec.suggest.foldin`; this module holds the rules of
the list made from that fit (what may be suggested, in which order, and the popular fallback).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from movierec.errors import MovieRecError
from movierec.model.artifacts import TrainedModel
from movierec.suggest.foldin import FoldIn, fold_in
from movierec.suggest.reasons import POPULAR, Reason, embedding_reasons, ranking_reasons

DAMPING = 10  # pseudo-ratings at the global mean that a movie's mean is blended with when ranking by popularity
DEFAULT_MIN_RATINGS = 10  # suggestions need this many training ratings, so one-rating curiosities do not flood the list
# How suggestions are ordered: by the ranker (what the person is likely to watch and enjoy), or by the
# predicted rating alone (the article's way, which favours little-seen films with high averages).
ORDERS = ("ranking", "rating")


@dataclass(frozen=True)
class Filters:
    """Which movies may be suggested."""

    include_genres: frozenset[str] = frozenset()  # keep movies with at least one of these (empty: all)
    exclude_genres: frozenset[str] = frozenset()  # drop movies with any of these
    year_min: int | None = None  # inclusive; movies without a year pass only when no year bound is set
    year_max: int | None = None  # inclusive
    min_ratings: int = DEFAULT_MIN_RATINGS  # training ratings a movie needs


@dataclass(frozen=True)
class Suggestions:
    """The result of :func:`recommend`.

    Attributes:
        table: one row per suggestion, best first: ``movie_id, title, year, genres, n_ratings,
            mean_rating, predicted``, ``because`` (why it is there, in words; None for the popular list),
            ``reason`` (its kind, see :mod:`movierec.suggest.reasons`) and ``because_ids`` (the rated movies it names).
        popular: True when there was nothing to fold in and the list ranks well-rated popular movies.
        fold: the fold-in of the ratings (its ``unknown`` lists ids the model could not score).
    """

    table: pd.DataFrame
    popular: bool
    fold: FoldIn


def candidates(model: TrainedModel, filters: Filters, exclude: Collection[int] = ()) -> np.ndarray:
    """A boolean mask over the model's movie rows: the movies ``filters`` allow, minus the ids in ``exclude``."""
    movies = model.movies
    mask = movies["n_ratings"].to_numpy() >= filters.min_ratings
    mask &= ~np.isin(movies["movie_id"].to_numpy(), np.fromiter(exclude, dtype=np.int64, count=len(exclude)))
    if filters.include_genres:
        mask &= np.array([not filters.include_genres.isdisjoint(g) for g in movies["genres"]], dtype=bool)
    if filters.exclude_genres:
        mask &= np.array([filters.exclude_genres.isdisjoint(g) for g in movies["genres"]], dtype=bool)
    years = movies["year"]
    if filters.year_min is not None:
        mask &= (years >= filters.year_min).fillna(False).to_numpy(dtype=bool)
    if filters.year_max is not None:
        mask &= (years <= filters.year_max).fillna(False).to_numpy(dtype=bool)
    return mask


def popularity_scores(model: TrainedModel) -> np.ndarray:
    """Each movie's mean training rating blended with ``DAMPING`` ratings at the global mean."""
    counts = model.movies["n_ratings"].to_numpy(np.float64)
    means = model.movies["mean_rating"].to_numpy(np.float64)
    overall = float((counts * means).sum() / max(counts.sum(), 1.0))
    return (counts * means + DAMPING * overall) / (counts + DAMPING)


def top_rows(scores: np.ndarray, mask: np.ndarray, n: int, tie_break: np.ndarray) -> np.ndarray:
    """The ``n`` best rows by score among ``mask``, ties broken by ascending ``tie_break`` (deterministic)."""
    rows = np.flatnonzero(mask)
    order = np.lexsort((tie_break[rows], -scores[rows]))
    return rows[order[:n]]


def recommend(
    model: TrainedModel,
    ratings: Mapping[int, float],
    top_n: int = 10,
    filters: Filters | None = None,
    fold: FoldIn | None = None,
    order: str = "ranking",
    exclude: Collection[int] = (),
) -> Suggestions:
    """The ``top_n`` unrated movies the person is predicted to like best, each with a reason.

    With no rating of a movie the model knows, the list ranks well-rated popular movies instead
    (``Suggestions.popular``).

    Args:
        model: the trained model.
        ratings: movie id -> rating; rated movies are never suggested.
        top_n: length of the list.
        filters: genre, year and popularity limits (default: :class:`Filters`()).
        fold: a fold-in of the same ratings, when the caller already has one.
        order: ``"ranking"`` (the model's ranker; the predicted rating where the model has none) or
            ``"rating"`` (highest predicted rating first).
        exclude: more movie ids never to suggest (the ones the person marked as not seen, say).
    """
    if order not in ORDERS:
        raise MovieRecError(f"Unknown order {order!r}; use one of: {', '.join(ORDERS)}.")
    filters = filters or Filters()
    fold = fold or fold_in(model, ratings)
    mask = candidates(model, filters, exclude={*ratings, *exclude})
    ids = model.movies["movie_id"].to_numpy()
    popular = not fold.used
    if popular:
        rows = top_rows(popularity_scores(model), mask, top_n, ids)
    elif order == "ranking" and model.ranker is not None:
        # Outside the ranker's block (-inf) movies follow by predicted rating, then by id.
        by_rating = np.empty(len(ids), dtype=np.int64)
        by_rating[np.lexsort((ids, -fold.predictions))] = np.arange(len(ids))
        used_rows = model.movie_index.rows(list(fold.used))
        rows = top_rows(model.ranker.scores(used_rows, fold.predictions), mask, top_n, by_rating)
    else:
        rows = top_rows(fold.predictions, mask, top_n, ids)
    table = model.movies.iloc[rows].reset_index(drop=True)
    table["predicted"] = fold.predictions[rows]
    if popular:
        explained = [Reason(POPULAR, "Popular and well rated")] * len(rows)
    elif order == "ranking" and model.ranker is not None:
        explained = ranking_reasons(model, fold.used, fold.predictions, rows)
    else:
        explained = embedding_reasons(model, liked(model, fold.used), fold.predictions, rows)
    table["because"] = None if popular else [reason.text for reason in explained]
    table["reason"] = [reason.kind for reason in explained]
    table["because_ids"] = [list(reason.movie_ids) for reason in explained]
    return Suggestions(table, popular, fold)


def _unit_movies(model: TrainedModel) -> torch.Tensor:
    return F.normalize(model.network.movie_table(), dim=1)


def liked(model: TrainedModel, ratings: Mapping[int, float]) -> list[int]:
    """The ids the person rated highly: at least their own mean and above the middle of the scale."""
    if not ratings:
        return []
    middle = (model.scale[0] + model.scale[1]) / 2
    bar = max(float(np.mean(list(ratings.values()))), middle)
    return sorted(movie_id for movie_id, rating in ratings.items() if rating >= bar and rating > middle)


def similar_movies(
    model: TrainedModel, movie_id: int, k: int = 10, min_ratings: int = 0, order: str = "ranking"
) -> pd.DataFrame:
    """The ``k`` movies most like ``movie_id``.

    With ``order="ranking"`` and a ranker that covers the movie, "like" means watched by the same people:
    the ranker's item-item weights from this movie, scaled so the strongest is 1 (movies outside its
    block follow by embedding cosine). Otherwise it is the cosine similarity of movie embeddings.

    Args:
        model: the trained model.
        movie_id: a movie the model knows (an unknown id raises :class:`MovieRecError`).
        k: how many neighbours.
        min_ratings: neighbours need this many training ratings (their embeddings are noise below a few).
        order: ``"ranking"`` or ``"rating"`` (see :data:`ORDERS`).

    Returns:
        The neighbours' rows of ``model.movies`` plus ``similarity``, most similar first.
    """
    row = model.movie_index.row(movie_id)
    unit = _unit_movies(model)
    cosine = (unit @ unit[row]).numpy().astype(np.float64)
    mask = model.movies["n_ratings"].to_numpy() >= min_ratings
    mask[row] = False
    ids = model.movies["movie_id"].to_numpy()
    ranker = model.ranker
    position = int(ranker.positions(np.array([row]))[0]) if ranker is not None else -1
    if order == "ranking" and ranker is not None and position >= 0:
        weights = ranker.weights[position].numpy().astype(np.float64)
        similarity = np.zeros(len(ids))
        similarity[ranker.rows] = weights / max(float(weights.max()), 1e-12)
        by_cosine = np.empty(len(ids), dtype=np.int64)
        by_cosine[np.lexsort((ids, -cosine))] = np.arange(len(ids))
        scores = np.full(len(ids), -np.inf)
        scores[ranker.rows] = weights
        rows = top_rows(scores, mask, k, by_cosine)
    else:
        similarity = cosine
        rows = top_rows(cosine, mask, k, ids)
    table = model.movies.iloc[rows].reset_index(drop=True)
    table["similarity"] = similarity[rows]
    return table


def most_rated(model: TrainedModel, n: int, exclude: Collection[int] = ()) -> pd.DataFrame:
    """The ``n`` movies with the most training ratings outside ``exclude``: ones a newcomer is likely to know."""
    mask = candidates(model, Filters(min_ratings=0), exclude)
    counts = model.movies["n_ratings"].to_numpy()
    return model.movies.iloc[top_rows(counts.astype(np.float64), mask, n, model.movies["movie_id"].to_numpy())]
