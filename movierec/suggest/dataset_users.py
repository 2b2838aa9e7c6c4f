"""Looking at the model through a user of the dataset: their held-out test ratings next to its predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from movierec.data import Dataset
from movierec.errors import MovieRecError
from movierec.evaluate.splits import split_test
from movierec.model.artifacts import TrainedModel


def held_out(model: TrainedModel, dataset: Dataset) -> pd.DataFrame:
    """The test part of the split ``model`` was trained with (ratings it never saw).

    Raises:
        MovieRecError: ``dataset`` is not the data the model was trained on, so the split would not match.
    """
    if dataset.fingerprint != model.fingerprint:
        raise MovieRecError(
            f"This model was trained on other ratings than the loaded {dataset.name}, so its test part is unknown; "
            "pick a model trained on this dataset."
        )
    return dataset.ratings.iloc[split_test(len(dataset.ratings), model.config.test_size, model.config.seed)]


def held_out_counts(test: pd.DataFrame) -> pd.Series:
    """Held-out ratings per user, most first (ties by user id)."""
    counts = test["user_id"].value_counts()
    return counts.sort_index().sort_values(ascending=False, kind="stable")


def user_test_ratings(model: TrainedModel, dataset: Dataset, test: pd.DataFrame, user_id: int) -> pd.DataFrame:
    """One user's held-out ratings with the model's predictions, best rated first.

    Returns:
        Columns ``movie_id, title, rating, predicted, error`` (predicted minus rating).
    """
    mine = test[test["user_id"] == user_id]
    if mine.empty:
        raise MovieRecError(f"User {user_id} has no held-out test ratings.")
    predicted = model.predict(mine["user_id"].to_numpy(), mine["movie_id"].to_numpy())
    titles = dataset.movies.set_index("movie_id")["title"]
    table = pd.DataFrame(
        {
            "movie_id": mine["movie_id"].to_numpy(),
            "title": titles.reindex(mine["movie_id"]).fillna("(unknown title)").to_numpy(),
            "rating": mine["rating"].to_numpy(np.float64),
            "predicted": predicted.astype(np.float64),
        }
    )
    table["error"] = table["predicted"] - table["rating"]
    return table.sort_values(["rating", "predicted"], ascending=False, ignore_index=True)


def user_suggestions(
    model: TrainedModel, dataset: Dataset, test: pd.DataFrame, user_id: int, order: str, top_n: int = 10
) -> pd.DataFrame:
    """What the Rate page would suggest to a dataset user from their training ratings, marking held-out hits.

    The user's training ratings are folded in as a new person's would be, so this is the list they would see.

    Returns:
        :func:`movierec.suggest.recommend.recommend`'s table plus ``held_out`` (True where they rated it in the test part).
    """
    from movierec.suggest.foldin import ratings_dict
    from movierec.suggest.recommend import recommend

    theirs = dataset.ratings[dataset.ratings["user_id"] == user_id]
    tested = test[test["user_id"] == user_id]
    training = theirs[~theirs.index.isin(tested.index)]
    table = recommend(model, ratings_dict(training), top_n=top_n, order=order).table
    table["held_out"] = table["movie_id"].isin(tested["movie_id"])
    return table
