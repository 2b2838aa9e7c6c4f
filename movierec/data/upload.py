"""A person's own ratings as a :class:`Dataset`, checked line by line with messages people understand."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from movierec.data.frames import Dataset, fingerprint, movies_frame, ratings_frame
from movierec.data.registry import HALF_STARS, RatingScale
from movierec.errors import MovieRecError
from movierec.paths import open_regular

# Header spellings accepted, after lower-casing and dropping "_" and spaces.
_COLUMN_ALIASES = {
    "userid": "user_id",
    "user": "user_id",
    "movieid": "movie_id",
    "itemid": "movie_id",
    "movie": "movie_id",
    "rating": "rating",
    "timestamp": "timestamp",
    "title": "title",
    "genres": "genres",
}
MAX_UPLOAD_BYTES = 10 << 20  # about 500,000 ratings; larger data belongs in an extracted folder
MAX_COLUMNS = 16  # the files need at most five; checked on the header before anything is parsed
MAX_FIELD_CHARS = 500  # longer than any title; ids and ratings are far shorter
_RATINGS = "ratings file"
_MOVIES = "movies file"
_RATINGS_HEADER = "user_id,movie_id,rating[,timestamp] (userId,movieId also work)"
_MOVIES_HEADER = "movie_id,title[,genres] (movieId also works)"


def load_ratings_csv(
    ratings: str | Path | IO,
    movies: str | Path | IO | None = None,
    name: str = "upload",
    scale: RatingScale | None = None,
) -> Dataset:
    """Read and check a ratings CSV (and optionally a movies CSV) into a :class:`Dataset`.

    Args:
        ratings: A path, or an open text or binary file read from its current position, with the
            header ``user_id,movie_id,rating[,timestamp]`` (MovieLens' ``userId,movieId`` also work).
            Without timestamps every rating gets timestamp 0.
        movies: Optional ``movie_id,title[,genres]`` CSV, genres separated by ``|``. Movies it lacks,
            or every movie when it is absent, get the title ``"Movie <id>"`` and no genres.
        name: The dataset's name.
        scale: The allowed ratings; half stars from 0.5 to 5 by default.

    Raises:
        MovieRecError: The file is missing, empty, not UTF-8 text or not CSV; a column is missing; an
            id is not a whole number; a rating is empty, not a number, outside the scale or off its
            steps; a user rates the same movie twice; a movie id is listed twice. The message names
            the line and the value.
    """
    scale = scale or HALF_STARS
    table = _read_table(ratings, _RATINGS, ("user_id", "movie_id", "rating"), _RATINGS_HEADER)
    frame = _checked_ratings(table, scale)
    catalogue = _catalogue(movies, frame["movie_id"].unique())
    return Dataset(name=name, ratings=frame, movies=catalogue, scale=scale, fingerprint=fingerprint(frame))


def _read_text(source: str | Path | IO, label: str) -> str:
    if isinstance(source, (str, Path)):
        try:
            with open_regular(Path(source), MAX_UPLOAD_BYTES, f"the {label}") as handle:
                data: str | bytes = handle.read(MAX_UPLOAD_BYTES + 1)
        except OSError as exc:
            raise MovieRecError(f"Could not open the {label} {source}: {exc.strerror}.") from exc
    else:
        data = source.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise MovieRecError(
            f"The {label} is larger than {MAX_UPLOAD_BYTES >> 20} MB. Upload a smaller file, or extract a full "
            "MovieLens release and use it as a folder."
        )
    if isinstance(data, str):
        return data
    if b"\x00" in data:
        raise MovieRecError(f"The {label} is not a text file. Upload a CSV file saved as UTF-8 text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MovieRecError(
            f"The {label} is not UTF-8 text (unreadable byte at position {exc.start}). "
            "Save it as a UTF-8 CSV file and try again."
        ) from exc


def _read_table(source: str | Path | IO, label: str, required: tuple[str, ...], header: str) -> pd.DataFrame:
    """The file as stripped strings under canonical column names, with a ``line`` column."""
    text = _read_text(source, label)
    if not text.strip():
        raise MovieRecError(f"The {label} is empty. Expected a header line {header} and one line per row.")
    _check_header_width(text, label, header)
    try:
        # Reading the header as a row makes pandas reject rows with more fields than the header
        # instead of silently turning the extra field into an index.
        raw = pd.read_csv(io.StringIO(text), dtype=str, header=None, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = str(exc).strip().removeprefix("Error tokenizing data. C error: ")
        raise MovieRecError(f"The {label} is not a valid CSV file: {reason}.") from exc
    raw.columns = [_COLUMN_ALIASES.get(_header_key(column), column) for column in raw.iloc[0]]
    raw = raw.iloc[1:]
    missing = [column for column in required if column not in raw.columns]
    if missing:
        found = ", ".join(str(column) for column in raw.columns)
        raise MovieRecError(
            f"The {label} lacks the column(s) {', '.join(missing)} (found: {found}). "
            f"Its first line must be a header such as {header}."
        )
    table = raw.loc[:, ~raw.columns.duplicated()].fillna("").apply(lambda column: column.str.strip())
    # Blank lines were kept as empty rows, so the n-th row below the header is on line n + 1.
    table["line"] = np.arange(len(table)) + 2
    table = table[(table.drop(columns="line") != "").any(axis=1)].reset_index(drop=True)
    if table.empty:
        raise MovieRecError(f"The {label} has a header but no rows below it.")
    _check_field_lengths(table, label)
    return table


def _check_header_width(text: str, label: str, header: str) -> None:
    """Refuse a header with too many columns before pandas spends time on them."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    if first_line.count(",") + 1 > MAX_COLUMNS:
        raise MovieRecError(
            f"The {label} has {first_line.count(',') + 1:,} columns; at most {MAX_COLUMNS} are read. "
            f"Keep the columns {header}."
        )


def _check_field_lengths(table: pd.DataFrame, label: str) -> None:
    lengths = table.drop(columns="line").apply(lambda column: column.str.len()).max(axis=1)
    _reject(table, lengths.to_numpy() > MAX_FIELD_CHARS, label, f"a value is longer than {MAX_FIELD_CHARS} characters")


def _header_key(column: object) -> str:
    return str(column).strip().lower().replace("_", "").replace(" ", "")


def _reject(
    table: pd.DataFrame, bad: pd.Series | np.ndarray, label: str, problem: str, column: str | None = None
) -> None:
    """Raise for the first flagged row; ``problem`` may quote that row's ``column`` as ``{value}``."""
    bad = np.asarray(bad, dtype=bool)
    if not bad.any():
        return
    first = int(np.argmax(bad))
    message = problem.format(value=table[column].iloc[first] if column else "")
    more = int(bad.sum()) - 1
    suffix = f" (and {more} more such line{'s' if more != 1 else ''})" if more else ""
    raise MovieRecError(f"The {label}, line {table['line'].iloc[first]}: {message}{suffix}.")


def _whole_numbers(table: pd.DataFrame, column: str, label: str) -> np.ndarray:
    values = table[column]
    _reject(table, values == "", label, f"{column} is empty")
    _reject(table, ~values.str.fullmatch(r"[0-9]{1,18}"), label, f"{column} {{value!r}} is not a whole number", column)
    return values.astype(np.int64).to_numpy()


def _rating_values(table: pd.DataFrame, scale: RatingScale) -> np.ndarray:
    values = table["rating"]
    _reject(table, values == "", _RATINGS, "the rating is empty")
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    _reject(table, np.isnan(numbers), _RATINGS, "rating {value!r} is not a number", "rating")
    invalid = ~scale.allows(numbers)
    if invalid.any():
        problem = scale.problem(numbers[int(np.argmax(invalid))])
        _reject(table, invalid, _RATINGS, f"rating {{value}} {problem}", "rating")
    return numbers


def _checked_ratings(table: pd.DataFrame, scale: RatingScale) -> pd.DataFrame:
    user_ids = _whole_numbers(table, "user_id", _RATINGS)
    movie_ids = _whole_numbers(table, "movie_id", _RATINGS)
    ratings = _rating_values(table, scale)
    if "timestamp" in table.columns:
        timestamps = _whole_numbers(table, "timestamp", _RATINGS)
    else:
        timestamps = np.zeros(len(table), dtype=np.int64)
    frame = ratings_frame(user_ids, movie_ids, ratings, timestamps)
    repeated = frame.duplicated(["user_id", "movie_id"], keep="first").to_numpy()
    if repeated.any():
        later = int(np.argmax(repeated))
        user, movie = user_ids[later], movie_ids[later]
        first_line = table["line"].iloc[int(np.argmax((user_ids == user) & (movie_ids == movie)))]
        _reject(
            table,
            repeated,
            _RATINGS,
            f"user {user} rates movie {movie} again (first on line {first_line}); keep one rating per user and movie",
        )
    return frame


def _catalogue(source: str | Path | IO | None, rated: np.ndarray) -> pd.DataFrame:
    """The movies file's catalogue plus a placeholder for every rated movie it does not list."""
    ids = np.empty(0, dtype=np.int64)
    titles = np.empty(0, dtype=np.str_)
    genres = np.empty(0, dtype=np.str_)
    if source is not None:
        table = _read_table(source, _MOVIES, ("movie_id", "title"), _MOVIES_HEADER)
        ids = _whole_numbers(table, "movie_id", _MOVIES)
        _reject(
            table,
            pd.Series(ids).duplicated(),
            _MOVIES,
            "movie_id {value} is listed twice; keep one line per movie",
            "movie_id",
        )
        titles = table["title"].to_numpy(dtype=np.str_)
        genres = table["genres"].to_numpy(dtype=np.str_) if "genres" in table else np.full(len(ids), "")
    unlisted = np.setdiff1d(rated, ids)
    return movies_frame(
        np.concatenate([ids, unlisted]),
        np.concatenate([titles, np.array([f"Movie {movie}" for movie in unlisted], dtype=np.str_)]),
        np.concatenate([genres, np.full(len(unlisted), "", dtype=np.str_)]),
    )
