"""Fitting the suggestion ranker on a run's training ratings; every choice is made on a part carved from them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from movierec.artifacts import TrainedModel
from movierec.ids import IdIndex
from movierec.ranker import Ranker, block_of, ease_weights, genre_rows, gram, seen_matrix
from movierec.ranking import K, list_metrics, split_per_user
from movierec.recommend import fold_in
from movierec.results import RankingScores, TopTenScores

# Walked upwards while validation improves. EASE's best penalty grows with the data (about 100-500 on
# the 100k-rating releases, thousands on the 20M ones), so the grid spans both.
REGULARISATIONS = (25.0, 50.0, 100.0, 200.0, 400.0, 800.0, 1600.0, 3200.0, 6400.0, 12800.0)
START = 100.0
GENRE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)
BLENDS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.8)
VALID_SEED = 43  # the inner split must differ from the protocol's test split (seed 42)
SCORED_USERS = 2000  # validation users scored per choice: enough to rank a grid, bounded at any size
FOLDED_USERS = 200  # validation users folded in to choose the blend (a fold-in takes ~15 ms)

# Trains the network on the ratings given (the validation part left out) and returns it as a model.
SelectionModel = Callable[[pd.DataFrame], TrainedModel]


def fit_ranker(model: TrainedModel, train: pd.DataFrame, selection: SelectionModel | None = None) -> Ranker | None:
    """Choose the penalty and the blend weights on a per-user validation part of ``train``, then solve on all of it.

    In turn: the EASE penalty, the weight of the genre match, then the weight of the predicted rating,
    each maximising nDCG@10 plus liked nDCG@10 (suggestions should be watched and enjoyed). The
    predicted ratings come from fold-in of each person's remaining ratings, as on the Rate page, into
    ``selection(remaining ratings)``: a network that never saw the validation part. Without it the
    model's own network is used, which has seen those ratings and so overrates its own part.

    Returns:
        The ranker, or None when no movie of ``train`` is in the model.
    """
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
    regularisation, weights = choose_regularisation(model.users, block_ids, gram(seen), seen, valid, scored)
    genres = genre_rows(model.movies["genres"].iloc[block])
    ranker = Ranker(block, weights, 0.0, regularisation, genres, 0.0)
    rows = torch.from_numpy(seen[model.users.rows(scored)].toarray())
    no_rating = torch.zeros_like(rows)
    genre_weight = _best(
        GENRE_WEIGHTS,
        lambda g: _quality(block_ids, ranker.with_weights(0.0, g).block_scores(rows, no_rating), scored, valid),
    )
    folded = sample_users(rng, valid, FOLDED_USERS)
    remaining = np.zeros(len(frame), dtype=bool)
    remaining[inner.train] = True
    folded_ratings = frame[remaining & frame["user_id"].isin(folded).to_numpy()]
    selected = model if selection is None else selection(frame.iloc[inner.train])
    predicted = _predictions(selected, folded_ratings, folded, block)
    rows = torch.from_numpy(seen[model.users.rows(folded)].toarray())
    blend = _best(
        BLENDS,
        lambda w: _quality(
            block_ids, ranker.with_weights(w, genre_weight).block_scores(rows, predicted), folded, valid
        ),
    )
    everything = seen_matrix(user_rows, movie_rows, block, n_users)
    return Ranker(block, ease_weights(gram(everything), regularisation), blend, regularisation, genres, genre_weight)


def _best(grid: tuple[float, ...], quality: Callable[[float], float]) -> float:
    """The grid value with the best validation quality (the first of equals)."""
    scores = [quality(value) for value in grid]
    return grid[int(np.argmax(scores))]


def _predictions(model: TrainedModel, ratings: pd.DataFrame, users: np.ndarray, block: np.ndarray) -> torch.Tensor:
    """``(len(users), len(block))`` predicted ratings after fold-in of each user's ``ratings``."""
    mine = ratings[ratings["user_id"].isin(users)]
    per_user = {
        u: dict(zip(g["movie_id"].tolist(), g["rating"].astype(float).tolist(), strict=True))
        for u, g in mine.groupby("user_id")
    }
    if not len(users):
        return torch.zeros(0, len(block))
    return torch.from_numpy(
        np.stack([fold_in(model, per_user.get(int(u), {})).predictions[block] for u in users]).astype(np.float32)
    )


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
) -> tuple[float, torch.Tensor]:
    """The EASE penalty that ranks ``valid`` best for ``users``, and its weights.

    Walks the grid from ``START`` towards the better neighbour while validation improves (each step is
    one solve). ``seen`` holds the ratings that remain after ``valid`` was carved out, one row per
    ``user_index`` row and one column per ``block_ids`` movie.
    """
    rows = torch.from_numpy(seen[user_index.rows(users)].toarray())
    tried: dict[int, tuple[float, torch.Tensor]] = {}

    def quality(i: int) -> float:
        if i not in tried:
            weights = ease_weights(inner_gram, REGULARISATIONS[i])
            tried[i] = (_quality(block_ids, (rows @ weights).masked_fill(rows > 0, -torch.inf), users, valid), weights)
        return tried[i][0]

    i = REGULARISATIONS.index(START)
    step = 1 if quality(i + 1) > quality(i) else -1
    while 0 <= i + step < len(REGULARISATIONS) and quality(i + step) > quality(i):
        i += step
    return REGULARISATIONS[i], tried[i][1]


def held_out_ranking(
    model: TrainedModel, train: pd.DataFrame, test: pd.DataFrame, limit: int = SCORED_USERS
) -> RankingScores | None:
    """P@10, nDCG@10 and liked nDCG@10 on a run's own test part, for the suggestions and for most-popular.

    Each test user (at most ``limit``, sampled) gets the block's top 10 among movies they did not rate in
    ``train``, scored with their trained vector; every test movie of theirs is relevant. None without a
    ranker or a test user it knows.
    """
    if model.ranker is None:
        return None
    ranker = model.ranker
    users = sample_users(np.random.default_rng(VALID_SEED), test[test["user_id"].isin(model.users.ids)], limit)
    if not len(users):
        return None
    user_rows, movie_rows = model.users.rows(train["user_id"]), model.movie_index.rows(train["movie_id"])
    known = (user_rows >= 0) & (movie_rows >= 0)
    seen = torch.from_numpy(
        seen_matrix(user_rows[known], movie_rows[known], ranker.rows, len(model.users))[
            model.users.rows(users)
        ].toarray()
    )
    block_ids = model.movies["movie_id"].to_numpy()[ranker.rows]
    predicted = model.predict(np.repeat(users, len(block_ids)), np.tile(block_ids, len(users))).reshape(len(users), -1)
    counts = torch.from_numpy(model.movies["n_ratings"].to_numpy(np.float32)[ranker.rows])
    mine = test[test["user_id"].isin(users)]

    def top_ten(scores: torch.Tensor) -> TopTenScores:
        top = torch.topk(scores, min(K, scores.shape[1]), dim=1).indices.numpy()
        metrics = list_metrics(
            dict(zip(users.tolist(), block_ids[top], strict=True)), mine, pd.Series(dtype=np.int64), len(ranker.rows)
        )
        return TopTenScores(metrics["precision_at_10"], metrics["ndcg_at_10"], metrics["liked_ndcg_at_10"])

    return RankingScores(
        suggestions=top_ten(ranker.block_scores(seen, torch.from_numpy(predicted.astype(np.float32)))),
        most_popular=top_ten(counts.expand(len(users), -1).masked_fill(seen > 0, -torch.inf)),
    )
