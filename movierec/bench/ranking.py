"""``python -m movierec bench --ranking``: top-10 quality of the suggestions beside the ranking peers, on one split."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import torch

from movierec.bench.accuracy import NETWORKS
from movierec.bench.tables import markdown_table
from movierec.config import TrainConfig, preset
from movierec.data import Dataset
from movierec.evaluate.splits import SEED, TEST_SHARE, carve_validation, split_per_user
from movierec.evaluate.topn import K, TopK, evaluate_ranking
from movierec.ids import IdIndex
from movierec.model.artifacts import TrainedModel
from movierec.model.ranker import block_of, ease_weights, gram, seen_matrix
from movierec.pipeline import train_model
from movierec.suggest.fit_ranker import VALID_SEED, choose_regularisation, sample_users
from movierec.suggest.foldin import ratings_by_user
from movierec.suggest.recommend import recommend

PEER_MOVIES = 10_000  # the EASE peer's block: every movie of the bundled data; bounded for the largest releases
SCORE_BATCH = 256  # users scored per forward pass when ranking by predicted rating
NETWORK_VALID_SHARE = 0.05  # the networks stop early on this share of the training part, never the test part
COLUMNS = ("precision_at_10", "recall_at_10", "ndcg_at_10", "liked_ndcg_at_10", "coverage", "mean_count")


def _timed(build: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    built = build()
    return built, time.perf_counter() - started


def _by_rating(model: TrainedModel, train: pd.DataFrame) -> TopK:
    """Every training movie the user did not rate, by the model's predicted rating for them."""
    ids = model.movies["movie_id"].to_numpy()
    rated = train.groupby("user_id")["movie_id"].agg(lambda s: s.to_numpy())

    def top_k(users: np.ndarray, k: int) -> np.ndarray:
        out = []
        for start in range(0, len(users), SCORE_BATCH):
            batch = users[start : start + SCORE_BATCH]
            scores = model.predict(np.repeat(batch, len(ids)), np.tile(ids, len(batch))).reshape(len(batch), -1)
            for row, user in zip(scores, batch, strict=True):
                row[model.movie_index.rows(rated[user])] = -np.inf
                out.append(ids[np.argsort(-row, kind="stable")[:k]])
        return np.stack(out)

    return top_k


def _as_page(model: TrainedModel, train: pd.DataFrame, order: str) -> TopK:
    """What the Rate page lists: fold-in of the user's training ratings, then its default filters and ``order``."""
    ratings = ratings_by_user(train)

    def top_k(users: np.ndarray, k: int) -> np.ndarray:
        lists = []
        for user in users:
            table = recommend(model, ratings[user], top_n=k, order=order).table
            lists.append(np.pad(table["movie_id"].to_numpy(np.int64), (0, k - len(table)), constant_values=-1))
        return np.stack(lists)

    return top_k


def _scored(scores: Callable[[np.ndarray], np.ndarray], users: IdIndex, ids: np.ndarray) -> TopK:
    """A top-k over ``ids`` from a function giving each user row's scores (rated movies already at -inf)."""
    return lambda batch, k: ids[np.argsort(-scores(users.rows(batch)), axis=1, kind="stable")[:, :k]]


def _popular(train: pd.DataFrame) -> TopK:
    users, ids = IdIndex(train["user_id"].to_numpy(), "user"), np.sort(train["movie_id"].unique())
    seen = seen_matrix(
        users.rows(train["user_id"]), np.searchsorted(ids, train["movie_id"]), np.arange(len(ids)), len(users)
    )
    counts = np.bincount(np.searchsorted(ids, train["movie_id"]), minlength=len(ids)).astype(np.float64)
    return _scored(lambda rows: np.where(seen[rows].toarray() > 0, -np.inf, counts), users, ids)


def _ease(train: pd.DataFrame) -> tuple[TopK, float]:
    """EASE over the most-rated ``PEER_MOVIES`` movies, its penalty chosen on a per-user validation part."""
    users, ids = IdIndex(train["user_id"].to_numpy(), "user"), np.sort(train["movie_id"].unique())
    user_rows, movie_rows = users.rows(train["user_id"]), np.searchsorted(ids, train["movie_id"])
    block = block_of(movie_rows, len(ids), PEER_MOVIES)
    inner = split_per_user(train, seed=VALID_SEED)
    seen = seen_matrix(user_rows[inner.train], movie_rows[inner.train], block, len(users))
    valid = train.iloc[inner.test]
    chosen = sample_users(np.random.default_rng(VALID_SEED), valid)
    regularisation, _ = choose_regularisation(users, ids[block], gram(seen), seen, valid, chosen)
    everything = seen_matrix(user_rows, movie_rows, block, len(users))
    weights = ease_weights(gram(everything), regularisation)

    def scores(rows: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(everything[rows].toarray())
        return (x @ weights).masked_fill(x > 0, -torch.inf).numpy()

    return _scored(scores, users, ids[block]), regularisation


def _implicit_peers(train: pd.DataFrame) -> dict[str, Callable[[], TopK]]:
    """implicit's ALS and BPR (64 factors, the library's other defaults) where the library is installed."""
    try:
        from implicit.als import AlternatingLeastSquares
        from implicit.bpr import BayesianPersonalizedRanking
    except ImportError:
        return {}
    users, ids = IdIndex(train["user_id"].to_numpy(), "user"), np.sort(train["movie_id"].unique())
    seen = seen_matrix(
        users.rows(train["user_id"]), np.searchsorted(ids, train["movie_id"]), np.arange(len(ids)), len(users)
    )

    def fitted(factory: Callable[[], Any]) -> Callable[[], TopK]:
        def build() -> TopK:
            peer = factory()
            peer.fit(seen, show_progress=False)
            return lambda batch, k: ids[
                peer.recommend(users.rows(batch), seen[users.rows(batch)], N=k, filter_already_liked_items=True)[0]
            ]

        return build

    return {
        "implicit_als": fitted(lambda: AlternatingLeastSquares(factors=64, random_state=SEED)),
        "implicit_bpr": fitted(lambda: BayesianPersonalizedRanking(factors=64, random_state=SEED)),
    }


def ranked_networks() -> dict[str, TrainConfig]:
    """The accuracy benchmark's networks, the Rate page's (``default``) first so its rows lead the table."""
    return {name: NETWORKS[name] for name in sorted(NETWORKS, key=lambda name: name != "default")}


def run_ranking_bench(dataset: Dataset, networks: dict[str, TrainConfig] | None = None) -> dict[str, Any]:
    """Every ranking model on the per-user split of ``dataset``; the ``default`` row is the Rate page's list.

    Args:
        dataset: the ratings.
        networks: the networks to train (default: :func:`ranked_networks`); tests pass tiny ones.

    Returns:
        ``{"dataset", "protocol", "results": [{"model", <COLUMNS>, "train_seconds"}, ...]}``.
    """
    networks = networks or ranked_networks()
    parts = split_per_user(dataset.ratings)
    train, test = dataset.ratings.iloc[parts.train], dataset.ratings.iloc[parts.test]
    rows: list[dict[str, Any]] = []

    def add(name: str, top_k: TopK, seconds: float, note: str | None = None) -> None:
        rows.append(
            {
                "model": name,
                **evaluate_ranking(train, test, top_k),
                "train_seconds": seconds,
                **({"note": note} if note else {}),
            }
        )

    add("most_popular", *_timed(lambda: _popular(train)))
    (ease, regularisation), seconds = _timed(lambda: _ease(train))
    add("ease", ease, seconds, f"penalty {regularisation:g} chosen on validation")
    for name, build in _implicit_peers(train).items():
        add(name, *_timed(build), "implicit library")
    split = carve_validation(parts.train, parts.test, NETWORK_VALID_SHARE, preset("default").seed)
    for name, config in networks.items():
        model = train_model(dataset, config, preset=name, split=split, ranking=name == "default")
        assert model.results is not None  # train_model scores every model it returns
        seconds = model.results.train_seconds + model.results.ranking_seconds
        if name != "default":
            add(name, _by_rating(model, train), seconds, "ranked by predicted rating")
            continue
        ranker = model.ranker
        note = (
            f"the Rate page's list; ranker penalty {ranker.regularisation:g}, genre weight {ranker.genre_weight:g}, "
            f"rating blend {ranker.blend:g}"
            if ranker
            else None
        )
        add("default", _as_page(model, train, "ranking"), seconds, note)
        add("default_by_rating", _as_page(model, train, "rating"), seconds, "the Rate page ordered by predicted rating")
    protocol = (
        f"per-user split: {TEST_SHARE:.0%} of each user's ratings held out, seed {SEED}; candidates = training movies "
        f"the user did not rate; relevant = their held-out movies (liked: rated >= 4); k = {K}"
    )
    return {"dataset": dataset.name, "protocol": protocol, "results": rows}


def format_ranking(report: dict[str, Any]) -> str:
    """The report as an aligned text table (also valid Markdown), then each model's note."""
    header = ("model", "P@10", "R@10", "nDCG@10", "liked nDCG@10", "coverage", "mean count", "train s")
    rows = [
        (
            r["model"],
            *(f"{r[c]:.4f}" for c in COLUMNS[:5]),
            f"{r['mean_count']:.1f}",
            f"{r['train_seconds']:.2f}",
        )
        for r in report["results"]
    ]
    notes = [f"{r['model']}: {r['note']}" for r in report["results"] if r.get("note")]
    return "\n".join([f"{report['dataset']}: {report['protocol']}", markdown_table(header, rows), *notes])
