"""Synthetic releases in the ml-25m CSV layout, for checking the large-release paths offline.

Users' activity and movies' popularity are skewed like MovieLens (a few users rate thousands of movies,
a few movies collect most ratings); ratings come from a low-rank taste model plus noise, rounded to half
stars. Users are written in blocks so memory stays bounded whatever the number of ratings, and the same
arguments and seed always give the same files.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from movierec.data.download import swap_into_place
from movierec.errors import MovieRecError

MARK = "Synthetic MovieLens-style release made by movierec"  # first words of its README.txt
MAX_RATINGS = 100_000_000  # three times ml-32m: enough to try any large-release path
MAX_ROWS = 10_000_000  # users or movies
MAX_SEED = 2**32 - 1  # numpy's generator takes seeds from 0 to here
GENRES = (
    "Drama",
    "Comedy",
    "Thriller",
    "Romance",
    "Action",
    "Crime",
    "Horror",
    "Documentary",
    "Adventure",
    "Sci-Fi",
    "Mystery",
    "Fantasy",
    "War",
    "Children",
    "Musical",
    "Animation",
    "Western",
    "Film-Noir",
    "IMAX",
)
# Genres at the light end of the first taste axis and at the serious end, so a PCA of trained movie
# vectors finds the axis the Embeddings page looks for.
LIGHT_GENRES = ("Comedy", "Children", "Animation", "Musical", "Fantasy", "Adventure")
SERIOUS_GENRES = ("Drama", "War", "Crime", "Documentary", "Film-Noir", "Thriller")
WORDS = (
    "Silent",
    "River",
    "Night",
    "Last",
    "Golden",
    "City",
    "Dark",
    "Summer",
    "Return",
    "Secret",
    "Storm",
    "Heart",
    "Winter",
    "Road",
    "Lost",
    "King",
    "Garden",
    "Shadow",
    "Island",
    "Fire",
    "Glass",
    "Moon",
    "Empire",
    "Song",
    "Stranger",
    "House",
    "Broken",
    "Wild",
    "Blue",
    "Iron",
    "Dream",
    "Mountain",
    "Echo",
    "Paper",
    "Little",
    "Hunt",
)
MIN_PER_USER = 20  # MovieLens keeps only users with at least 20 ratings
RANK = 8  # dimensions of the taste model
BLOCK_RATINGS = 2_000_000  # ratings generated and written per block of users
Progress = Callable[[int, int], None]  # (ratings written, ratings requested)


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`write_synthetic_release` wrote."""

    folder: Path
    n_ratings: int
    n_users: int
    n_movies: int


def write_synthetic_release(
    folder: str | Path, n_ratings: int, n_users: int, n_movies: int, seed: int = 1, progress: Progress | None = None
) -> SynthSummary:
    """Write ``ratings.csv``, ``movies.csv`` and a ``README.txt`` in the ml-25m layout into ``folder``.

    Args:
        folder: Created when missing. The release is written beside it and then takes its place in one
            rename; an existing folder is replaced only when it is empty or a synthetic release.
        n_ratings: Ratings to write (exactly, when each user can find that many distinct movies).
        n_users: Users; each rates at least ``min(20, n_ratings // n_users)`` movies.
        n_movies: Movies in the catalogue (the least popular may receive no rating).
        seed: Same seed and sizes, same files.
        progress: Called after each block with ``(ratings written, n_ratings)``.

    Raises:
        MovieRecError: Sizes that cannot form a release (too few movies for the ratings asked).
    """
    _check_sizes(n_ratings, n_users, n_movies, seed)
    target = Path(folder)
    _check_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-synth-"))
    except OSError as exc:
        raise MovieRecError(
            f"Cannot write into {target.parent} ({exc.strerror}); choose a folder you can write."
        ) from None
    try:
        summary = _write_release(work, n_ratings, n_users, n_movies, seed, progress)
        swap_into_place(work, target)  # a kill before this leaves the earlier release whole
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return SynthSummary(target, summary.n_ratings, n_users, n_movies)


def _check_target(target: Path) -> None:
    """Refuse to replace anything but an empty folder or a synthetic release this function wrote."""
    if target.exists() and not target.is_dir():
        raise MovieRecError(f"{target} is a file, not a folder; choose a new folder for the synthetic release.")
    if not target.is_dir() or not any(target.iterdir()):
        return
    readme = target / "README.txt"
    try:
        own = readme.is_file() and readme.read_text(encoding="utf-8", errors="replace")[: len(MARK)] == MARK
    except OSError:
        own = False
    if not own:
        raise MovieRecError(
            f"{target} already holds files that synth did not write (a downloaded or extracted release?); "
            "nothing was changed. Choose a new or empty folder."
        )


def _write_release(
    folder: Path, n_ratings: int, n_users: int, n_movies: int, seed: int, progress: Progress | None
) -> SynthSummary:
    rng = np.random.default_rng(seed)
    movie_ids = np.sort(rng.choice(3 * n_movies, size=n_movies, replace=False)) + 1
    taste = rng.normal(0.0, 0.45, size=(n_movies, RANK)).astype(np.float32)
    movie_bias = rng.normal(0.0, 0.35, size=n_movies).astype(np.float32)
    popularity = 1.0 / (rng.permutation(n_movies) + 20.0)  # Zipf-like, ranks scattered over ids
    popularity /= popularity.sum()
    _write_movies(folder / "movies.csv", movie_ids, taste, rng)
    counts = _user_counts(n_ratings, n_users, n_movies, rng)
    user_taste = rng.normal(0.0, 0.45, size=(n_users, RANK)).astype(np.float32)
    user_bias = rng.normal(0.0, 0.3, size=n_users).astype(np.float32)
    written = 0
    with (folder / "ratings.csv").open("w", encoding="utf-8", newline="") as out:
        out.write("userId,movieId,rating,timestamp\n")
        for first, last in _blocks(counts):
            users, movies = _draw_movies(counts[first:last], popularity, rng)
            users += first
            noise = rng.normal(0.0, 0.55, size=len(users)).astype(np.float32)
            score = (
                3.5
                + user_bias[users]
                + movie_bias[movies]
                + noise
                + np.einsum("ij,ij->i", user_taste[users], taste[movies])
            )
            ratings = np.clip(np.round(score * 2) / 2, 0.5, 5.0).astype(np.float32)
            timestamps = rng.integers(820_000_000, 1_570_000_000, size=len(users))
            block = pd.DataFrame(
                {"userId": users + 1, "movieId": movie_ids[movies], "rating": ratings, "timestamp": timestamps}
            )
            block.to_csv(out, header=False, index=False, float_format="%.1f", lineterminator="\n")
            written += len(block)
            if progress is not None:
                progress(written, n_ratings)
    (folder / "README.txt").write_text(
        f"{MARK} (seed {seed}): {written} ratings, {n_users} users, "
        f"{n_movies} movies. Not real data; for checking large-release code paths.\n",
        encoding="utf-8",
    )
    return SynthSummary(folder, written, n_users, n_movies)


def _check_sizes(n_ratings: int, n_users: int, n_movies: int, seed: int) -> None:
    if min(n_ratings, n_users, n_movies) < 1:
        raise MovieRecError(
            f"--ratings, --users and --movies must be positive (got {n_ratings}, {n_users}, {n_movies})."
        )
    if n_ratings > MAX_RATINGS or max(n_users, n_movies) > MAX_ROWS:
        raise MovieRecError(
            f"--ratings may be at most {MAX_RATINGS:,} (about {MAX_RATINGS * 33 >> 30} GB of text) and --users and "
            f"--movies at most {MAX_ROWS:,} (got {n_ratings:,}, {n_users:,}, {n_movies:,})."
        )
    if not 0 <= seed <= MAX_SEED:
        raise MovieRecError(f"--seed must be a whole number from 0 to {MAX_SEED} (got {seed}).")
    if n_ratings < n_users:
        raise MovieRecError(f"{n_ratings} ratings cannot give each of {n_users} users a rating; ask for fewer users.")
    if n_ratings > n_users * (n_movies // 2):
        raise MovieRecError(
            f"{n_ratings} ratings need more than half of the {n_movies} movies per user on average; "
            "ask for more movies or more users."
        )


def _user_counts(n_ratings: int, n_users: int, n_movies: int, rng: np.random.Generator) -> np.ndarray:
    """Ratings per user: a floor plus a log-normal share of the rest, capped at half the catalogue."""
    floor = min(MIN_PER_USER, n_ratings // n_users)
    cap = max(n_movies // 2, floor)
    weights = rng.lognormal(0.0, 1.3, size=n_users)
    counts = floor + np.floor(weights / weights.sum() * (n_ratings - floor * n_users)).astype(np.int64)
    counts = np.minimum(counts, cap)
    while (missing := n_ratings - int(counts.sum())) > 0:
        open_users = np.flatnonzero(counts < cap)
        chosen = rng.choice(open_users, size=min(missing, len(open_users)), replace=False)
        counts[chosen] += 1
    return counts


def _blocks(counts: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive user ranges of about ``BLOCK_RATINGS`` ratings each."""
    ends = np.searchsorted(np.cumsum(counts), np.arange(BLOCK_RATINGS, counts.sum(), BLOCK_RATINGS), side="left")
    edges = [0, *sorted({int(e) + 1 for e in ends if e + 1 < len(counts)}), len(counts)]
    return list(itertools.pairwise(edges))


def _draw_movies(counts: np.ndarray, popularity: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Distinct movies for each user of a block (local user rows, movie rows), sorted by user then movie.

    Movies are drawn by popularity with replacement and duplicates dropped; what a heavy user still lacks
    is drawn again, uniformly after a few rounds, which finds free movies quickly.
    """
    n_movies = len(popularity)
    keys = np.empty(0, dtype=np.int64)
    wanted = counts.astype(np.int64)
    for attempt in range(50):
        missing = wanted - np.bincount(keys // n_movies, minlength=len(counts))
        if not missing.any():
            break
        users = np.repeat(np.arange(len(counts), dtype=np.int64), missing)
        if attempt < 3:
            movies = rng.choice(n_movies, size=len(users), p=popularity)
        else:
            movies = rng.integers(0, n_movies, size=len(users))
        keys = np.union1d(keys, users * n_movies + movies)
        # A user can now hold more than asked (never fewer): keep the first ``wanted`` of each.
        rows = keys // n_movies
        rank = np.arange(len(keys)) - np.searchsorted(rows, rows, side="left")
        keys = keys[rank < wanted[rows]]
    return keys // n_movies, keys % n_movies


def _write_movies(path: Path, movie_ids: np.ndarray, taste: np.ndarray, rng: np.random.Generator) -> None:
    """``movieId,title,genres`` with titles such as ``Golden River 12 (1994)`` and 1–3 genres each."""
    n = len(movie_ids)
    words = np.array(WORDS)
    first, second = words[rng.integers(0, len(words), n)], words[rng.integers(0, len(words), n)]
    years = rng.integers(1920, 2020, n)
    titles = [f"{a} {b} {i} ({y})" for a, b, i, y in zip(first, second, range(1, n + 1), years, strict=True)]
    genre_index = {g: i for i, g in enumerate(GENRES)}
    base = np.full(len(GENRES), 1.0)
    light, serious = base.copy(), base.copy()
    light[[genre_index[g] for g in LIGHT_GENRES]] = 8.0
    serious[[genre_index[g] for g in SERIOUS_GENRES]] = 8.0
    light, serious = light / light.sum(), serious / serious.sum()
    # Gumbel top-k: k distinct genres per movie drawn by weight, for all movies at once.
    weights = np.where((taste[:, 0] > 0)[:, None], light, serious)
    keys = np.log(weights) + rng.gumbel(size=weights.shape)
    ranks = np.argsort(np.argsort(-keys, axis=1), axis=1)
    chosen = ranks < rng.integers(1, 4, n)[:, None]
    names = np.array(GENRES)
    genre_lists = ["|".join(names[row]) for row in chosen]
    pd.DataFrame({"movieId": movie_ids, "title": titles, "genres": genre_lists}).to_csv(path, index=False)
