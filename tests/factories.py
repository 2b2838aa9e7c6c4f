"""Small datasets with planted structure, and tiny trained models, for fast tests."""

from __future__ import annotations

import numpy as np

from movierec.config import TrainConfig
from movierec.data import Dataset, RatingScale
from movierec.data.frames import fingerprint, movies_frame, ratings_frame
from movierec.model.artifacts import TrainedModel
from movierec.pipeline import train_model

HALF_STARS = RatingScale(0.5, 5.0, 0.5)
GENRES = ("Comedy", "Drama")
TINY = TrainConfig(
    n_factors=8,
    hidden=(16,),
    dropouts=(0.1,),
    embedding_dropout=0.0,
    use_bias=True,
    use_dot=True,
    lr=3e-2,
    batch_size=128,
    epochs=12,
    patience=12,
    restart_epochs=0,
    device="cpu",
)


def planted_dataset(
    n_users: int = 80,
    n_movies: int = 60,
    per_user: int = 25,
    noise: float = 0.3,
    seed: int = 0,
    name: str = "synthetic",
) -> Dataset:
    """Ratings from a planted taste: half the users love comedies and dislike dramas, the other half the reverse.

    Movie ``m`` is a comedy when ``m`` is even, a drama when odd (ids start at 1). Ratings are the
    taste (4.5 or 1.5) plus Gaussian ``noise``, rounded to half stars.
    """
    rng = np.random.default_rng(seed)
    movie_ids = np.arange(1, n_movies + 1)
    users, movies, ratings = [], [], []
    for user in range(1, n_users + 1):
        likes_comedy = user % 2 == 0
        seen = rng.choice(movie_ids, size=min(per_user, n_movies), replace=False)
        is_comedy = seen % 2 == 0
        taste = np.where(is_comedy == likes_comedy, 4.5, 1.5) + rng.normal(0, noise, len(seen))
        users.append(np.full(len(seen), user))
        movies.append(seen)
        ratings.append(np.clip(np.round(taste * 2) / 2, 0.5, 5.0))
    frame = ratings_frame(
        np.concatenate(users),
        np.concatenate(movies),
        np.concatenate(ratings),
        np.zeros(n_users * min(per_user, n_movies)),
    )
    genres = [GENRES[int(m % 2)] for m in movie_ids]
    titles = [f"{genre} Movie {m} ({1980 + m % 30})" for genre, m in zip(genres, movie_ids, strict=True)]
    catalogue = movies_frame(movie_ids, titles, genres)
    return Dataset(name=name, ratings=frame, movies=catalogue, scale=HALF_STARS, fingerprint=fingerprint(frame))


def tiny_model(dataset: Dataset | None = None, config: TrainConfig = TINY) -> TrainedModel:
    """A model trained for a few epochs on ``dataset`` (default: :func:`planted_dataset`)."""
    return train_model(dataset or planted_dataset(), config, preset="tiny")


def filed_as_bundled(model: TrainedModel) -> TrainedModel:
    """``model`` passed off as trained on the bundled ml-latest-small, so the sidebar offers it for that data.

    The sidebar offers a model only for the data it was trained on (same name and fingerprint); page tests
    that need a quick model of planted data for the bundled dataset take on its fingerprint.
    """
    from movierec.data import load_movielens

    model.dataset = "ml-latest-small"
    model.fingerprint = load_movielens("ml-latest-small").fingerprint
    return model
