"""The :class:`Dataset` container and the builders that give every source the same columns and dtypes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from movierec.data.links import MovieLinks
from movierec.data.registry import RatingScale

RATING_COLUMNS = ("user_id", "movie_id", "rating", "timestamp")
NO_GENRES = "(no genres listed)"

# "Title (1995)", "Title (2006–2007)", "Title (2007-)": the first four-digit year of a trailing group.
_YEAR_PATTERN = r"\((\d{4})(?:\s*[-–]\s*\d{0,4})?\s*\)$"


@dataclass
class Dataset:
    """Ratings and the movie catalogue of one MovieLens release (or of an uploaded CSV).

    Attributes:
        name: The release name, e.g. ``"ml-latest-small"``, or the name given to an upload.
        ratings: One row per rating: ``user_id`` (int64), ``movie_id`` (int64), ``rating`` (float32),
            ``timestamp`` (int64, seconds since the epoch; 0 where unknown), index ``0..n-1``.
        movies: One row per movie, sorted by ``movie_id``: ``movie_id`` (int64), ``title`` (str, with its
            year), ``year`` (nullable Int64), ``genres`` (list of str, empty where none are listed).
        scale: The rating scale the ratings use.
        fingerprint: Short hex digest of the ratings content; equal data gives an equal fingerprint.
        links: Each movie's IMDb or TMDB page where the release lists one (empty for uploads and releases without).
    """

    name: str
    ratings: pd.DataFrame
    movies: pd.DataFrame
    scale: RatingScale
    fingerprint: str
    links: MovieLinks = field(default_factory=MovieLinks)

    @property
    def n_users(self) -> int:
        """Distinct users that rated something."""
        return int(self.ratings["user_id"].nunique())

    @property
    def n_movies(self) -> int:
        """Movies in the catalogue (including any nobody rated)."""
        return len(self.movies)

    @property
    def n_ratings(self) -> int:
        """Number of ratings."""
        return len(self.ratings)


def ratings_frame(
    user_id: np.ndarray | pd.Series,
    movie_id: np.ndarray | pd.Series,
    rating: np.ndarray | pd.Series,
    timestamp: np.ndarray | pd.Series,
) -> pd.DataFrame:
    """Build a ratings frame with the canonical column order, dtypes and a fresh 0..n-1 index."""
    return pd.DataFrame(
        {
            "user_id": np.asarray(user_id, dtype=np.int64),
            "movie_id": np.asarray(movie_id, dtype=np.int64),
            "rating": np.asarray(rating, dtype=np.float32),
            "timestamp": np.asarray(timestamp, dtype=np.int64),
        }
    )


def parse_years(titles: pd.Series) -> pd.Series:
    """The release year from each title's trailing ``(YYYY)``; ``<NA>`` where there is none."""
    stripped = titles.astype("str").str.strip()
    return stripped.str.extract(_YEAR_PATTERN, expand=False).astype("Int64")


def split_genres(joined: pd.Series) -> list[list[str]]:
    """Turn ``"Action|Comedy"`` strings into lists; the "no genres" marker and blanks become ``[]``."""
    return [[] if text in ("", NO_GENRES) else text.split("|") for text in joined.fillna("")]


def genre_indicators(genres: pd.Series) -> pd.DataFrame:
    """0/1 columns, one per genre that occurs (most frequent first, then by name); "no genres" is no genre."""
    rows = [[g for g in movie_genres if g and g != NO_GENRES] for movie_genres in genres]
    counts = pd.Series([g for row in rows for g in row], dtype=object).value_counts()
    order = sorted(counts.index, key=lambda g: (-counts[g], g))
    return pd.DataFrame([[int(g in row) for g in order] for row in rows], columns=order, index=genres.index)


def movies_frame(
    movie_id: np.ndarray | pd.Series, title: np.ndarray | pd.Series, genres: np.ndarray | pd.Series
) -> pd.DataFrame:
    """Build a movies frame from ids, titles and pipe-joined genres.

    Duplicate ids keep their first row; the frame is sorted by ``movie_id`` with a 0..n-1 index.
    """
    frame = pd.DataFrame(
        {
            "movie_id": np.asarray(movie_id, dtype=np.int64),
            "title": pd.Series(np.asarray(title), dtype="str").str.strip().to_numpy(),
            "genres": pd.Series(np.asarray(genres), dtype="str").fillna("").to_numpy(),
        }
    )
    frame = frame.drop_duplicates("movie_id").sort_values("movie_id", kind="stable")
    frame = frame.reset_index(drop=True)
    frame["title"] = frame["title"].astype("str")
    frame.insert(2, "year", parse_years(frame["title"]))
    frame["genres"] = pd.Series(split_genres(frame["genres"]), dtype=object)
    return frame


def joined_genres(movies: pd.DataFrame) -> np.ndarray:
    """The inverse of :func:`split_genres`: one pipe-joined string per movie, as a numpy unicode array."""
    return np.array(["|".join(genres) for genres in movies["genres"]], dtype=np.str_)


def fingerprint(ratings: pd.DataFrame) -> str:
    """A 16-hex-digit digest of the ratings columns, in row order."""
    digest = hashlib.blake2b(digest_size=8)
    for column in RATING_COLUMNS:
        digest.update(np.ascontiguousarray(ratings[column].to_numpy()).tobytes())
    return digest.hexdigest()
