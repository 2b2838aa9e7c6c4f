"""Checks of parsed release data that the parsers leave open: rating values, id ranges and text sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from movierec.data.registry import Variant
from movierec.errors import MovieRecError

MAX_TITLE_CHARS = 500  # the longest MovieLens title is under 200 characters


def check_release(variant: Variant, ratings: pd.DataFrame, movies: pd.DataFrame, source: str) -> None:
    """Refuse parsed data a release cannot hold: ratings off its scale or not finite, negative ids, huge titles.

    Raises:
        MovieRecError: naming how many values are wrong and the first of them.
    """
    values = ratings["rating"].to_numpy(dtype=np.float64)
    wrong = ~variant.scale.allows(values)  # nan and inf are off the scale too
    if wrong.any():
        first = int(np.argmax(wrong))
        row = ratings.iloc[first]
        _refuse(
            variant,
            source,
            f"{int(wrong.sum()):,} rating(s) are not on its scale {variant.scale.label} "
            f"(the first: {values[first]:g} by user {row['user_id']} for movie {row['movie_id']})",
        )
    if _has_repeated_pairs(ratings):
        repeated = ratings.duplicated(["user_id", "movie_id"]).to_numpy()  # only now, to name the first one
        first = int(np.argmax(repeated))
        user, movie = int(ratings["user_id"].iloc[first]), int(ratings["movie_id"].iloc[first])
        more = int(repeated.sum()) - 1
        _refuse(
            variant,
            source,
            f"user {user} rates movie {movie} twice{f' (and {more:,} more such repeats)' if more else ''}; "
            "keep one rating per user and movie",
        )
    for frame, column in ((ratings, "user_id"), (ratings, "movie_id"), (movies, "movie_id")):
        if len(frame) and int(frame[column].min()) < 0:
            _refuse(variant, source, f"a {column} is negative")
    if len(movies) and int(movies["title"].str.len().max()) > MAX_TITLE_CHARS:
        _refuse(variant, source, f"a movie title is longer than {MAX_TITLE_CHARS} characters")


def _has_repeated_pairs(ratings: pd.DataFrame) -> bool:
    """Whether a user rates a movie twice: one sorted int64 key per rating, the cheapest test at 32M ratings."""
    users, movies = ratings["user_id"].to_numpy(), ratings["movie_id"].to_numpy()
    if len(users) < 2:
        return False
    if int(users.min()) < 0 or int(movies.min()) < 0 or int(users.max()) >= (2**62) // (int(movies.max()) + 1):
        return bool(ratings.duplicated(["user_id", "movie_id"]).any())  # ids too large to pack into one key
    keys = np.sort(users * (int(movies.max()) + 1) + movies)
    return bool((keys[1:] == keys[:-1]).any())


def _refuse(variant: Variant, source: str, problem: str) -> None:
    raise MovieRecError(
        f"Could not read {variant.name} from {source}: {problem}. The files may be damaged or belong to "
        "another release; download or extract them again."
    )
