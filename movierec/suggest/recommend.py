"""Suggestions for a person who is not in the training data: fold-in, top-N with filters, reasons, neighbours."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from movierec.errors import MovieRecError
from movierec.model.artifacts import TrainedModel
from movierec.suggest.reasons import POPULAR, Reason, embedding_reasons, ranking_reasons

FIT_STEPS = 15  # L-BFGS iterations: the loss is within ~0.01 (squared rating error) of its optimum after ~10
# Cost, in squared rating error, of moving one per-dimension user spread away from the average user.
# Tuned on ml-latest-small (default preset): folding in the training ratings of every third user and
# scoring their test ratings, 0.06 was best both with 5 ratings each (RMSE 0.897; 0.898 at 0.03, 0.902 at
# 0.1, 0.916 at 0.2) and with all of them (0.831, better than the learned vectors' 0.834).
PRIOR_WEIGHT = 0.06
DAMPING = 10  # pseudo-ratings at the global mean that a movie's mean is blended with when ranking by popularity
DEFAULT_MIN_RATINGS = 10  # suggestions need this many training ratings, so one-rating curiosities do not flood the list
# How suggestions are ordered: by the ranker (what the person is likely to watch and enjoy), or by the
# predicted rating alone (the article's way, which favours little-seen films with high averages).
ORDERS = ("ranking", "rating")


@dataclass(frozen=True)
class FoldIn:
    """A person's fitted position in the model and what it predicts for every movie.

    Attributes:
        vector: the fitted user vector (width ``n_factors``).
        bias: the fitted user bias, or None when the model has no biases.
        predictions: the predicted rating of every movie row, clipped to the scale.
        used: the ratings the fit used (movies the model knows), movie id -> rating.
        unknown: rated movie ids the model has no embedding for (kept, but not scored).
    """

    vector: torch.Tensor
    bias: float | None
    predictions: np.ndarray
    used: dict[int, float]
    unknown: tuple[int, ...]


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


def check_ratings(model: TrainedModel, ratings: Mapping[int, float]) -> None:
    """Raise :class:`MovieRecError` naming the first rating that is not a number inside the model's scale.

    Any value in the scale's range will do: a half-star rating folds into a whole-star model.
    """
    scale = model.rating_scale
    for movie_id, rating in ratings.items():
        if not isinstance(rating, (int, float)) or scale.problem(rating, on_step=False):
            raise MovieRecError(
                f"Rating {rating!r} for movie {movie_id} is outside this model's scale ({scale.min:g}–{scale.max:g})."
            )


def ratings_dict(ratings: pd.DataFrame) -> dict[int, float]:
    """A ratings frame's ``movie_id -> rating`` as :func:`fold_in` takes it (a later row of a movie wins)."""
    return dict(zip(ratings["movie_id"].tolist(), ratings["rating"].astype(float).tolist(), strict=True))


def ratings_by_user(ratings: pd.DataFrame) -> dict[int, dict[int, float]]:
    """:func:`ratings_dict` of each user in a ratings frame, by user id."""
    return {int(user): ratings_dict(theirs) for user, theirs in ratings.groupby("user_id")}


def fold_in(model: TrainedModel, ratings: Mapping[int, float]) -> FoldIn:
    """Fit a user vector (and bias) to ``ratings`` with the network and movie embeddings frozen.

    The fit is a MAP estimate: squared rating error plus an L2 pull towards the average trained user,
    measured in units of how much trained users spread, so a single rating moves the person only a
    little. It starts from the average user and uses L-BFGS, so equal input gives equal output.

    Args:
        model: the trained model.
        ratings: movie id -> rating, in the model's scale; ids the model does not know are reported in
            ``FoldIn.unknown`` and otherwise ignored.

    Returns:
        The fitted :class:`FoldIn`, with a prediction for every movie of the model.

    Raises:
        MovieRecError: a rating outside the model's scale.
    """
    check_ratings(model, ratings)
    net = model.network.eval()  # dropout off: the fit and the scores must be deterministic
    ids = np.array(sorted(ratings), dtype=np.int64)
    rows = model.movie_index.rows(ids)
    known = rows >= 0
    used = {int(i): float(ratings[int(i)]) for i in ids[known]}
    start, spread = model.user_prior
    theta = start.clone()
    if used:
        theta = _fit(model, start, spread, torch.from_numpy(rows[known]), torch.tensor(list(used.values())))
    vector, bias = net.split_user(theta)
    with torch.inference_mode():  # the scores only become numbers; the vector itself stays a normal tensor
        n_movies = net.n_movies
        user_bias = bias.expand(n_movies) if bias is not None else None
        scores = net.score(vector.expand(n_movies, -1), net.movie_table(), user_bias, net.movie_biases())
    predictions = np.clip(scores.numpy(), model.scale[0], model.scale[1])
    return FoldIn(
        vector, float(bias) if bias is not None else None, predictions, used, tuple(int(i) for i in ids[~known])
    )


def _fit(
    model: TrainedModel, start: torch.Tensor, spread: torch.Tensor, rows: torch.Tensor, target: torch.Tensor
) -> torch.Tensor:
    net = model.network
    movies = net.movie_table()[rows]
    movie_biases = net.movie_biases()
    movie_bias = movie_biases[rows] if movie_biases is not None else None
    # Optimising in units of the user spread makes the prior an identity, which L-BFGS converges on fast.
    z = torch.zeros_like(start, requires_grad=True)
    optimiser = torch.optim.LBFGS(
        [z], max_iter=FIT_STEPS, tolerance_grad=1e-4, tolerance_change=1e-4, line_search_fn="strong_wolfe"
    )

    def closure() -> torch.Tensor:
        vector, bias = net.split_user(start + spread * z)
        user_bias = bias.expand(len(rows)) if bias is not None else None
        predicted = net.score(vector.expand(len(rows), -1), movies, user_bias, movie_bias)
        loss = (predicted - target).pow(2).sum() + PRIOR_WEIGHT * z.pow(2).sum()
        # Gradients only for z: the shared network's own .grad fields stay untouched.
        (z.grad,) = torch.autograd.grad(loss, z)
        return loss.detach()

    optimiser.step(closure)
    return (start + spread * z).detach()


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
