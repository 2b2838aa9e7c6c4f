"""Readers for the three MovieLens file layouts, vectorised with pandas.

Each reader takes an ``opener`` that returns a binary file for a file name, so the same code reads an
extracted folder and a zip archive alike.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from typing import IO, Any

import numpy as np
import pandas as pd

from movierec.data.frames import RATING_COLUMNS, movies_frame, ratings_frame
from movierec.data.registry import Variant

log = logging.getLogger(__name__)

Opener = Callable[[str], IO[bytes]]
Progress = Callable[[int, int | None], None]  # (bytes read, bytes in the file or None)
CHUNK_ROWS = 2_000_000  # ratings parsed per step when progress is reported

# u.item's 19 genre flags, in file order; "unknown" marks a movie without genres. The file says
# "Children's"; the later releases' spelling "Children" is used so genre names agree across releases.
GENRES_100K = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)
# Older releases were written in latin-1; the later ones are UTF-8.
_LATIN1_RELEASES = frozenset({"ml-100k", "ml-1m"})
_RATING_DTYPES = {"user_id": np.int64, "movie_id": np.int64, "rating": np.float32, "timestamp": np.int64}


def read_release(
    variant: Variant, opener: Opener, progress: Progress | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse a release's ratings and movies into canonical frames.

    Args:
        variant: The release, which decides the layout and text encoding.
        opener: Opens one of the release's files by name, in binary mode.
        progress: Told how far parsing ``ratings.csv`` has got (the later, large releases).

    Returns:
        ``(ratings, movies)`` with the columns documented on :class:`~movierec.data.frames.Dataset`.
    """
    encoding = "latin-1" if variant.name in _LATIN1_RELEASES else "utf-8"
    if variant.format == "100k":
        with opener("u.data") as ratings_file, opener("u.item") as movies_file:
            return read_100k_ratings(_plain_numbers(ratings_file, "u.data", b"\t", 2)), read_100k_movies(movies_file)
    if variant.format == "dat":
        with opener("ratings.dat") as ratings_file, opener("movies.dat") as movies_file:
            ratings = read_dat_ratings(_plain_numbers(ratings_file, "ratings.dat", b":", 4))
            return ratings, read_dat_movies(movies_file, encoding)
    with opener("ratings.csv") as ratings_file, opener("movies.csv") as movies_file:
        ratings = read_csv_ratings(_plain_numbers(ratings_file, "ratings.csv", b",", 2, header=True), progress)
        return ratings, read_csv_movies(movies_file)


class _PlainNumbers(io.RawIOBase):
    """A ratings file read through a check: its ids and timestamps are plain digits.

    A number parser reads ``1e3`` as 1000 and ``1.0`` as 1; uploads refuse both, so releases do too.
    Ratings files hold only ids, ratings and timestamps, so after the header no ``e``, ``E`` or ``+``
    belongs in them, and a decimal point only in the rating (field ``rating_field`` of a line split at
    ``separator``). Lines are checked whole: the end of a read waits for the rest of its line.
    """

    def __init__(self, source: IO[bytes], name: str, separator: bytes, rating_field: int, header: bool) -> None:
        super().__init__()
        self._source, self._name, self._in_header = source, name, header
        self._separator, self._rating_field = separator[0], rating_field
        self._unfinished = b""  # the last line of the previous read, up to where that read ended

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        checked = data
        if self._in_header:
            end = data.find(b"\n")
            self._in_header = end < 0
            checked = b"" if end < 0 else data[end + 1 :]
        if any(symbol in checked for symbol in (b"e", b"E", b"+")):
            raise ValueError(f"{self._name} holds a number written with an exponent or a sign (such as 1e3 or +5)")
        lines = self._unfinished + checked
        if data and size is not None and size >= 0:  # more may come: keep the unfinished line for the next read
            end = lines.rfind(b"\n") + 1
            lines, self._unfinished = lines[:end], lines[end:]
        else:
            self._unfinished = b""
        if b"." in lines and _point_outside(lines, self._separator, self._rating_field):
            raise ValueError(
                f"{self._name} holds an id or a timestamp with a decimal point (such as 1.0); they must be whole numbers"
            )
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._source.tell()

    def seekable(self) -> bool:
        return self._source.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:  # only to learn the size for progress, then back
        return self._source.seek(offset, whence)


def _point_outside(lines: bytes, separator: int, field: int) -> bool:
    """Whether a decimal point of ``lines`` sits in another field than ``field`` of its line (vectorised:
    a release has tens of millions of lines)."""
    text = np.frombuffer(lines, dtype=np.uint8)
    points = np.flatnonzero(text == ord("."))
    separators = np.flatnonzero(text == separator)
    ends = np.flatnonzero(text == ord("\n"))
    line_starts = ends[np.maximum(np.searchsorted(ends, points) - 1, 0)]
    line_starts[points < (ends[0] if len(ends) else len(text))] = -1  # points on the first line
    fields = np.searchsorted(separators, points) - np.searchsorted(separators, line_starts)
    return bool(np.any(fields != field))


def _plain_numbers(
    source: IO[bytes], name: str, separator: bytes, rating_field: int, header: bool = False
) -> IO[bytes]:
    return _PlainNumbers(source, name, separator, rating_field, header)  # type: ignore[return-value]


def _unique_movies(ids: pd.Series, name: str) -> pd.Series:
    """``ids``, when no movie is listed twice (a second line for a movie would otherwise be dropped unseen)."""
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise ValueError(f"{name} lists movie {repeated.iloc[0]} twice; keep one line per movie")
    return ids


def _columns(raw: pd.DataFrame, name: str, required: tuple[str, ...]) -> None:
    """Refuse a header that repeats a column or lacks one, in words (pandas would rename or raise a KeyError)."""
    names = [str(column) for column in raw.columns]
    for column in names:
        base, _, suffix = column.rpartition(".")
        if suffix.isdigit() and base in names:
            raise ValueError(f"{name} has the column {base} twice")
    missing = [column for column in required if column not in names]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {', '.join(missing)} (its header: {', '.join(names)[:200]})")


def _decoded(data: bytes, name: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not {encoding.upper()} text (unreadable byte at position {exc.start})") from None


def _lines_decoded(data: bytes, name: str, encoding: str) -> str:
    """``data`` decoded line by line; a line not in ``encoding`` is read as latin-1 and reported, never mangled.

    Some releases mix encodings in ``movies.dat``; replacing the unreadable bytes with U+FFFD would lose the
    letters for good, while latin-1 reads every byte as the letter it most likely was.
    """
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        pass
    lines, fallbacks = [], 0
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode(encoding))
        except UnicodeDecodeError:
            lines.append(line.decode("latin-1"))
            fallbacks += 1
    log.warning("%s: %d line(s) are not %s text; read them as latin-1", name, fallbacks, encoding.upper())
    return "\n".join(lines)


def read_100k_ratings(source: IO[bytes]) -> pd.DataFrame:
    """Parse ml-100k's tab-separated ``u.data`` (also the ``u1.base`` … ``u5.test`` folds)."""
    raw = pd.read_csv(source, sep="\t", header=None, names=list(RATING_COLUMNS), dtype=_RATING_DTYPES, engine="c")
    return ratings_frame(raw["user_id"], raw["movie_id"], raw["rating"], raw["timestamp"])


def read_100k_movies(source: IO[bytes]) -> pd.DataFrame:
    """Parse ml-100k's pipe-separated, latin-1 ``u.item`` with its 19 genre flag columns."""
    raw = pd.read_csv(
        source,
        sep="|",
        header=None,
        encoding="latin-1",
        quoting=csv.QUOTE_NONE,
        dtype=str,
        keep_default_na=False,
        engine="c",
    )
    flags = raw.iloc[:, 5 : 5 + len(GENRES_100K)].to_numpy() == "1"
    names = np.array(GENRES_100K)
    # Column 0 is "unknown", which means "no genres", so it never becomes a genre name.
    genres = ["|".join(names[1:][row]) for row in flags[:, 1:]]
    return movies_frame(_unique_movies(raw[0].astype(np.int64), "u.item"), raw[1], np.array(genres, dtype=np.str_))


def read_dat_ratings(source: IO[bytes]) -> pd.DataFrame:
    """Parse ``UserID::MovieID::Rating::Timestamp`` lines (ml-1m, ml-10m).

    Splitting on single colons keeps pandas on its fast C engine (a two-character separator would
    force the slow Python engine); the empty fields between the colons are skipped.
    """
    raw = pd.read_csv(
        source,
        sep=":",
        header=None,
        usecols=[0, 2, 4, 6],
        engine="c",
        dtype={0: np.int64, 2: np.int64, 4: np.float32, 6: np.int64},
    )
    return ratings_frame(raw[0], raw[2], raw[4], raw[6])


def read_dat_movies(source: IO[bytes], encoding: str) -> pd.DataFrame:
    """Parse ``MovieID::Title::Genres`` lines; titles may contain colons, so split from both ends."""
    text = _lines_decoded(source.read(), "movies.dat", encoding)
    lines = pd.Series([line for line in text.splitlines() if line.strip()], dtype="str")
    id_and_rest = lines.str.split("::", n=1, expand=True)
    title_and_genres = id_and_rest[1].str.rsplit("::", n=1, expand=True)
    genres = title_and_genres[1].str.replace("Children's", "Children", regex=False)
    return movies_frame(_unique_movies(id_and_rest[0].astype(np.int64), "movies.dat"), title_and_genres[0], genres)


def read_csv_ratings(source: IO[bytes], progress: Progress | None = None) -> pd.DataFrame:
    """Parse a MovieLens ``ratings.csv`` (``userId,movieId,rating,timestamp``).

    With ``progress``, the file is read in chunks and ``progress(bytes read, file size)`` is called
    after each (the size is None where the source cannot tell it).
    """
    dtypes = {"userId": np.int64, "movieId": np.int64, "rating": np.float32, "timestamp": np.int64}
    if progress is None:
        raw = pd.read_csv(source, engine="c", dtype=dtypes)
        _columns(raw, "ratings.csv", tuple(dtypes))
        return ratings_frame(raw["userId"], raw["movieId"], raw["rating"], raw["timestamp"])
    total = _size(source)
    columns: dict[str, list[np.ndarray]] = {name: [] for name in dtypes}
    with pd.read_csv(source, engine="c", dtype=dtypes, chunksize=CHUNK_ROWS) as chunks:
        for chunk in chunks:
            _columns(chunk, "ratings.csv", tuple(dtypes))
            for name in dtypes:
                columns[name].append(chunk[name].to_numpy())
            progress(source.tell() if total is not None else 0, total)
    joined = {name: np.concatenate(parts) if parts else np.empty(0, dtypes[name]) for name, parts in columns.items()}
    return ratings_frame(joined["userId"], joined["movieId"], joined["rating"], joined["timestamp"])


def _size(source: IO[bytes]) -> int | None:
    """Bytes in a seekable file, or None (a stream)."""
    try:
        position = source.tell()
        size = source.seek(0, 2)
        source.seek(position)
        return size
    except (OSError, AttributeError, ValueError):
        return None


def read_csv_movies(source: IO[bytes]) -> pd.DataFrame:
    """Parse a MovieLens ``movies.csv`` (``movieId,title,genres``; titles quoted where they hold commas)."""
    text = io.StringIO(_decoded(source.read(), "movies.csv", "utf-8"), newline="")
    raw = pd.read_csv(text, dtype=str, keep_default_na=False, engine="c")
    _columns(raw, "movies.csv", ("movieId", "title", "genres"))
    return movies_frame(_unique_movies(raw["movieId"].astype(np.int64), "movies.csv"), raw["title"], raw["genres"])
