"""Fitting the suggestion ranker on a run's training ratings; every choice is made on a part carved from them."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from movierec.evaluate.splits import split_per_user
from movierec.evaluate.topn import K, list_metrics
from movierec.events import RANKER, SCORING, PhaseSteps, Report
from movierec.ids import IdIndex
from movierec.model.artifacts import TrainedModel
from movierec.model.ranker import Ranker, block_of, ease_weights, genre_rows, gram, seen_matrix
from movierec.results import RankingScores, TopTenScores
from movierec.suggest.recommend import fold_in

# Walked upwards while validation improves. EASE's best penalty grows with the data (about 100-500 on
# the 100k-rating releases, thousands on the 20M ones), so the grid spans both.
REGULARISATIONS = (25.0, 50.0, 100.0, 200.0, 400.0, 800.0, 1600.0, 3200.0, 6400.0, 12800.0)
START = 100.0
GENRE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)
BLENDS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.8)
VALID_SEED = 43  # the inner split must differ from the protocol's test split (seed 42)
SCORED_USERS = 2000  # validation users scored per choice: enough to rank a grid, bounded at any size
FOLDED_USERS = 200  # validation users folded in to choose the blend (a fold-in takes ~15 ms)
SCORE_CHUNK = 256  # test users scored per pass: bounded memory, and a stop is seen between passes

# The ranker's steps in words, as the progress shows them.
COUNTING = "counting which movies are watched together"
PENALTY = "choosing the item-item penalty"
GENRE_MATCH = "choosing the weight of the genre match"
FOLDING = "predicting ratings for validation users"
RATING_BLEND = "choosing the weight of the predicted rating"
SOLVING = "solving the item-item weights on all training ratings"

# Where a step's parts stand: ``(done, total, detail)``.
StepProgress = Callable[[int, int, str], None]


def fit_ranker(
    model: TrainedModel,
    train: pd.DataFrame,
    report: Report | None = None,
    stop: threading.Event | None = None,
) -> Ranker | None:
    """Choose the penalty and the blend weights on a per-user validation part of ``train``, then solve on all of it.

    In turn: the EASE penalty, the weight of the genre match, then the weight of the predicted rating,
    each maximising nDCG@10 plus liked nDCG@10 (suggestions should be watched and enjoyed). The
    predicted ratings come from fold-in of each person's remaining ratings into the model's own network, as
    on the Rate page. That network has seen the validation ratings too; a second network trained without
    them chose the same weights with the same top-10 scores (the README's ranking section), at twice the cost.
    Each step is sent to ``report`` as a :class:`PhaseEvent` of the ``RANKER`` phase.

    Returns:
        The ranker, or None when no movie of ``train`` is in the model.

    Raises:
        Stopped: ``stop`` was set; the ranker is abandoned at the next step or part of one.
    """
    steps = PhaseSteps(RANKER, 6, report, stop)
    steps.begin(COUNTING)
    n_users, n_movies = len(model.users), len(model.movies)
    user_rows, movie_rows = model.users.rows(train["user_id"]), model.movie_index.rows(train["movie_id"])
    known = (user_rows >= 0) & (movie_rows >= 0)
    frame = train if known.all() else train[known]
    # int32: at the largest releases, two int64 copies of every rating's rows would cost half a gigabyte
    user_rows, movie_rows = user_rows[known].astype(np.int32), movie_rows[known].astype(np.int32)
    del known
    if not len(frame):
        return None
    block = block_of(movie_rows, n_movies)
    inner = split_per_user(frame, seed=VALID_SEED)
    seen = seen_matrix(user_rows[inner.train], movie_rows[inner.train], block, n_users)
    valid = frame.iloc[inner.test]
    rng = np.random.default_rng(VALID_SEED)
    block_ids = model.movies["movie_id"].to_numpy()[block]
    scored = sample_users(rng, valid, SCORED_USERS)
    inner_gram = gram(seen)
    steps.begin(PENALTY)
    regularisation, weights = choose_regularisation(
        model.users, block_ids, inner_gram, seen, valid, scored, lambda n: steps.advance(n, detail=f"{n} solved")
    )
    genres = genre_rows(model.movies["genres"].iloc[block])
    ranker = Ranker(block, weights, 0.0, regularisation, genres, 0.0)
    rows = torch.from_numpy(seen[model.users.rows(scored)].toarray())
    no_rating = torch.zeros_like(rows)
    steps.begin(GENRE_MATCH, len(GENRE_WEIGHTS))
    genre_weight = _best(
        GENRE_WEIGHTS,
        lambda g: _quality(block_ids, ranker.with_weights(0.0, g).block_scores(rows, no_rating), scored, valid),
        steps.advance,
    )
    blend = _choose_blend(model, ranker.with_weights(0.0, genre_weight), frame, inner.train, seen, valid, rng, steps)
    steps.begin(SOLVING, 1)
    everything = seen_matrix(user_rows, movie_rows, block, n_users)
    ranker = Ranker(block, ease_weights(gram(everything), regularisation), blend, regularisation, genres, genre_weight)
    steps.advance(1)
    return ranker


def _choose_blend(
    model: TrainedModel,
    ranker: Ranker,
    frame: pd.DataFrame,
    remaining: np.ndarray,
    seen: sp.csr_matrix,
    valid: pd.DataFrame,
    rng: np.random.Generator,
    steps: PhaseSteps,
) -> float:
    """The weight of the predicted rating that ranks ``valid`` best for a sample of its users (drawn with ``rng``).

    Their predicted ratings come from fold-in of their ``remaining`` ratings (positions into ``frame``;
    ``seen`` holds them over the block) into ``model``.
    """
    folded = sample_users(rng, valid, FOLDED_USERS)
    kept = np.zeros(len(frame), dtype=bool)
    kept[remaining] = True
    folded_ratings = frame[kept & frame["user_id"].isin(folded).to_numpy()]
    steps.begin(FOLDING, len(folded))
    predicted = _predictions(model, folded_ratings, folded, ranker.rows, steps.advance)
    rows = torch.from_numpy(seen[model.users.rows(folded)].toarray())
    steps.begin(RATING_BLEND, len(BLENDS))
    block_ids = model.movies["movie_id"].to_numpy()[ranker.rows]
    return _best(
        BLENDS,
        lambda w: _quality(
            block_ids, ranker.with_weights(w, ranker.genre_weight).block_scores(rows, predicted), folded, valid
        ),
        steps.advance,
    )


def _best(grid: tuple[float, ...], quality: Callable[[float], float], tried: Callable[[int], None]) -> float:
    """The grid value with the best validation quality (the first of equals); ``tried(n)`` after each value."""
    scores = []
    for value in grid:
        scores.append(quality(value))
        tried(len(scores))
    return grid[int(np.argmax(scores))]


def _predictions(
    model: TrainedModel, ratings: pd.DataFrame, users: np.ndarray, block: np.ndarray, folded: Callable[[int], None]
) -> torch.Tensor:
    """``(len(users), len(block))`` predicted ratings after fold-in of each user's ``ratings``; ``folded(n)`` after each."""
    mine = ratings[ratings["user_id"].isin(users)]
    per_user = {
        u: dict(zip(g["movie_id"].tolist(), g["rating"].astype(float).tolist(), strict=True))
        for u, g in mine.groupby("user_id")
    }
    if not len(users):
        return torch.zeros(0, len(block))
    predictions = []
    for user in users:
        predictions.append(fold_in(model, per_user.get(int(user), {})).predictions[block])
        folded(len(predictions))
    return torch.from_numpy(np.stack(predictions).astype(np.float32))


def sample_users(rng: np.random.Generator, valid: pd.DataFrame, limit: int = SCORED_USERS) -> np.ndarray:
    """Up to ``limit`` of the users in ``valid``, drawn with ``rng``, ascending."""
    users = np.unique(valid["user_id"].to_numpy())
    return np.sort(rng.choice(users, size=limit, replace=False)) if len(users) > limit else users


def _quality(block_ids: np.ndarray, scores: torch.Tensor, users: np.ndarray, valid: pd.DataFrame) -> float:
    """nDCG@10 + liked nDCG@10 of the block's top 10 for ``users`` (scores: one row per user, rated at -inf)."""
    if not len(users):
        return 0.0
    top = torch.topk(scores, min(K, scores.shape[1]), dim=1).indices.numpy()
    lists = dict(zip(users.tolist(), block_ids[top], strict=True))
    mine = valid[valid["user_id"].isin(users)]
    metrics = list_metrics(lists, mine, pd.Series(dtype=np.int64), len(block_ids))
    return metrics["ndcg_at_10"] + metrics["liked_ndcg_at_10"]


def choose_regularisation(
    user_index: IdIndex,
    block_ids: np.ndarray,
    inner_gram: torch.Tensor,
    seen: sp.csr_matrix,
    valid: pd.DataFrame,
    users: np.ndarray,
    solved: Callable[[int], None] | None = None,
) -> tuple[float, torch.Tensor]:
    """The EASE penalty that ranks ``valid`` best for ``users``, and its weights.

    Walks the grid from ``START`` towards the better neighbour while validation improves (each step is
    one solve; ``solved(n)`` after the n-th). ``seen`` holds the ratings that remain after ``valid`` was
    carved out, one row per ``user_index`` row and one column per ``block_ids`` movie.
    """
    rows = torch.from_numpy(seen[user_index.rows(users)].toarray())
    tried: dict[int, tuple[float, torch.Tensor]] = {}

    def quality(i: int) -> float:
        if i not in tried:
            weights = ease_weights(inner_gram, REGULARISATIONS[i])
            tried[i] = (_quality(block_ids, (rows @ weights).masked_fill(rows > 0, -torch.inf), users, valid), weights)
            if solved is not None:
                solved(len(tried))
        return tried[i][0]

    i = REGULARISATIONS.index(START)
    step = 1 if quality(i + 1) > quality(i) else -1
    while 0 <= i + step < len(REGULARISATIONS) and quality(i + step) > quality(i):
        i += step
    return REGULARISATIONS[i], tried[i][1]


def held_out_ranking(
    model: TrainedModel,
    train: pd.DataFrame,
    test: pd.DataFrame,
    limit: int = SCORED_USERS,
    steps: PhaseSteps | None = None,
) -> RankingScores | None:
    """P@10, nDCG@10 and liked nDCG@10 on a run's own test part, for the suggestions and for most-popular.

    Each test user (at most ``limit``, sampled) gets the block's top 10 among movies they did not rate in
    ``train``, scored with their trained vector; every test movie of theirs is relevant. None without a
    ranker or a test user it knows. With ``steps``, the users are scored as a step of its phase, in
    chunks (so a stop ends it promptly, raising :class:`Stopped`).
    """
    if model.ranker is None:
        return None
    ranker = model.ranker
    users = sample_users(np.random.default_rng(VALID_SEED), test[test["user_id"].isin(model.users.ids)], limit)
    if not len(users):
        return None
    steps = steps or PhaseSteps(SCORING, 1, None, None)
    steps.begin(f"top-10 lists of {len(users):,} test users", len(users))
    user_rows, movie_rows = model.users.rows(train["user_id"]), model.movie_index.rows(train["movie_id"])
    known = (user_rows >= 0) & (movie_rows >= 0)
    seen_all = seen_matrix(user_rows[known], movie_rows[known], ranker.rows, len(model.users))
    block_ids = model.movies["movie_id"].to_numpy()[ranker.rows]
    counts = torch.from_numpy(model.movies["n_ratings"].to_numpy(np.float32)[ranker.rows])
    ours, popular = [], []
    for start in range(0, len(users), SCORE_CHUNK):
        chunk = users[start : start + SCORE_CHUNK]
        seen = torch.from_numpy(seen_all[model.users.rows(chunk)].toarray())
        predicted = model.predict(np.repeat(chunk, len(block_ids)), np.tile(block_ids, len(chunk)))
        ours.append(_top(ranker.block_scores(seen, torch.from_numpy(predicted.astype(np.float32)).view_as(seen))))
        popular.append(_top(counts.expand(len(chunk), -1).masked_fill(seen > 0, -torch.inf)))
        steps.advance(start + len(chunk))
    mine = test[test["user_id"].isin(users)]

    def top_ten(top: list[np.ndarray]) -> TopTenScores:
        lists = dict(zip(users.tolist(), block_ids[np.concatenate(top)], strict=True))
        metrics = list_metrics(lists, mine, pd.Series(dtype=np.int64), len(ranker.rows))
        return TopTenScores(metrics["precision_at_10"], metrics["ndcg_at_10"], metrics["liked_ndcg_at_10"])

    return RankingScores(suggestions=top_ten(ours), most_popular=top_ten(popular))


def _top(scores: torch.Tensor) -> np.ndarray:
    """Positions of each row's ``K`` highest scores, best first."""
    return torch.topk(scores, min(K, scores.shape[1]), dim=1).indices.numpy()
