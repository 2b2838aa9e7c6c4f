"""A fast binary copy of parsed releases, so a second load skips text parsing.

Frames are stored as plain numpy arrays in an ``.npz`` file read with ``allow_pickle=False``: strings as
numpy unicode arrays, genres joined with ``|``. Each file records the key of the source it was built from;
a file whose key differs, or that cannot be read, is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from movierec.data.frames import RATING_COLUMNS, joined_genres, movies_frame, ratings_frame
from movierec.errors import MovieRecError
from movierec.paths import subdir, write_atomically

log = logging.getLogger(__name__)

# Bump when the stored layout or the parsing rules change, so older files are rebuilt.
FORMAT_VERSION = "2"


def cache_file(name: str, source: str) -> Path:
    """Where the parsed copy of release ``name`` read from ``source`` (a folder or archive) lives."""
    tag = hashlib.blake2b(source.encode("utf-8"), digest_size=6).hexdigest()
    folder = subdir("datasets") / "parsed"
    try:
        folder.mkdir(exist_ok=True)
    except FileExistsError:  # a file of that name: said below
        pass
    except OSError as exc:
        raise MovieRecError(f"{folder} cannot be created ({exc.strerror}); move that file aside.") from None
    if not folder.is_dir():
        raise MovieRecError(f"{folder} is a file, not a folder; move it aside (it holds parsed copies of releases).")
    return folder / f"{name}-{tag}.npz"


def has_cache(path: Path, key: str) -> bool:
    """Whether ``path`` holds a copy built for ``key`` (only its key is read)."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            return str(stored["key"]) == f"{FORMAT_VERSION}:{key}"
    except Exception:  # missing, truncated or foreign: read_cache will say why if it is used
        return False


def read_cache(path: Path, key: str) -> tuple[pd.DataFrame, pd.DataFrame, str] | None:
    """The cached ``(ratings, movies, fingerprint)`` if ``path`` holds a readable copy built for ``key``."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["key"]) != f"{FORMAT_VERSION}:{key}":
                return None
            ratings = ratings_frame(*(stored[column] for column in RATING_COLUMNS))
            movies = movies_frame(stored["movie_ids"], stored["titles"], stored["genres"])
            return ratings, movies, str(stored["fingerprint"])
    # Any failure to read (truncated, foreign or corrupt file) just means the copy is rebuilt.
    except Exception as exc:
        log.info("parsed copy %s is unreadable (%s: %s); parsing the release again", path, type(exc).__name__, exc)
        return None


def write_cache(path: Path, key: str, ratings: pd.DataFrame, movies: pd.DataFrame, fingerprint: str) -> None:
    """Store a parsed release atomically; a failure to write only costs speed, so it is ignored."""
    arrays = {column: ratings[column].to_numpy() for column in RATING_COLUMNS}
    arrays.update(
        movie_ids=movies["movie_id"].to_numpy(),
        titles=movies["title"].to_numpy(dtype=np.str_),
        genres=joined_genres(movies),
        key=np.array(f"{FORMAT_VERSION}:{key}"),
        fingerprint=np.array(fingerprint),
    )
    # A lost or torn copy is only rebuilt, so hundreds of MB are not forced to disk first.
    with contextlib.suppress(OSError):
        write_atomically(path, lambda handle: np.savez(handle, allow_pickle=False, **arrays), suffix=".npz", sync=False)
