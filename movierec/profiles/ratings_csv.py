"""The CSV form of a person's ratings (``movie_id,rating``, optionally ``title``) and the checks on every value."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Container, Iterator, Mapping

from movierec.data import RatingScale
from movierec.errors import MovieRecError

MAX_CSV_BYTES = 4 << 20  # a person's ratings of every movie of the largest release fit in about 1.5 MB
MAX_FIELD = 32  # characters in one CSV value: longer is never an id or a rating
MAX_MOVIE_ID = 2**63 - 1
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only: int() would also read "1_0" and "１"
CSV_HEADER = ("movie_id", "rating")
TITLE_COLUMN = "title"  # written by export for people to read; ignored on import


def check_movie_id(movie_id: object) -> int:
    """``movie_id`` as an int, when it is a whole number that fits a database integer."""
    if isinstance(movie_id, bool) or not isinstance(movie_id, int) or not 0 <= movie_id <= MAX_MOVIE_ID:
        raise MovieRecError(f"Movie id {str(movie_id)[:40]!r} is not a whole number from 0 to {MAX_MOVIE_ID}.")
    return int(movie_id)


def parse_movie_id(text: str) -> int:
    """A movie id written in ASCII digits (at most 18 of them)."""
    if not _WHOLE_NUMBER.fullmatch(text):
        raise MovieRecError(f"movie_id {text[:40]!r} is not a whole number (digits 0-9 only).")
    return int(text)


def check_rating(movie_id: int, rating: float | str, scale: RatingScale | None = None) -> float:
    """``rating`` as a float, when it is a finite number on ``scale`` (any finite number without one)."""
    # float() also reads non-ASCII digits ("٤") and long strings; a rating is short ASCII text
    if isinstance(rating, bool) or (isinstance(rating, str) and (len(rating) > MAX_FIELD or not rating.isascii())):
        raise MovieRecError(f"Rating {str(rating)[:40]!r} for movie {movie_id} is not a number.")
    try:
        value = float(rating)
    except (TypeError, ValueError):
        raise MovieRecError(f"Rating {rating!r} for movie {movie_id} is not a number.") from None
    # Without a scale any finite number will do.
    finite = None if math.isfinite(value) else "is not a finite number"
    problem = scale.problem(value) if scale is not None else finite
    if problem:
        raise MovieRecError(f"Rating {rating!r} for movie {movie_id} {problem}.")
    return value


def parse_ratings_csv(
    text: str, scale: RatingScale | None = None, known_ids: Container[int] | None = None
) -> dict[int, float]:
    """Read ``movie_id,rating`` lines (with that header) into a dict, checking every line first.

    Raises:
        MovieRecError: naming the line of the first wrong header, malformed value, rating off the
            scale, id not in ``known_ids`` or duplicate id; or the text is too large.
    """
    if len(text) > MAX_CSV_BYTES:
        raise MovieRecError(
            f"The ratings file is too large (over {MAX_CSV_BYTES >> 20} MB); a person's ratings fit in far less. Check it is the right file."
        )
    rows = _rows(text)
    header = tuple(cell.strip().lower() for cell in next(rows, []))
    if header not in (CSV_HEADER, (*CSV_HEADER, TITLE_COLUMN)):
        raise MovieRecError(
            f"Line 1: expected the header 'movie_id,rating' (or 'movie_id,rating,title'), found {','.join(header) or 'nothing'!r}."
        )
    parsed: dict[int, float] = {}
    first_line: dict[int, int] = {}
    for line, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise MovieRecError(f"Line {line}: expected {len(header)} values ({','.join(header)}), found {len(cells)}.")
        try:
            movie_id = parse_movie_id(cells[0].strip())
            rating = check_rating(movie_id, cells[1].strip(), scale)
        except MovieRecError as exc:
            raise MovieRecError(f"Line {line}: {exc}") from None
        if known_ids is not None and movie_id not in known_ids:
            raise MovieRecError(f"Line {line}: movie {movie_id} is not in this dataset's catalogue.")
        if movie_id in parsed:
            raise MovieRecError(f"Line {line}: movie {movie_id} is rated twice (first on line {first_line[movie_id]}).")
        parsed[movie_id], first_line[movie_id] = rating, line
    return parsed


def _rows(text: str) -> Iterator[list[str]]:
    """The CSV's rows; a value too long for the csv module becomes an error that names the line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise MovieRecError(
                f"Line {reader.line_num}: a value is far too long to be a movie id or a rating."
            ) from None
        yield row


def ratings_csv(ratings: dict[int, float], titles: Mapping[int, str] | None = None) -> str:
    """The ``movie_id,rating`` CSV form of ``ratings``, with a ``title`` column when ``titles`` are given.

    :func:`parse_ratings_csv` reads both forms back.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if titles is None:
        writer.writerow(CSV_HEADER)
        writer.writerows((movie_id, f"{rating:g}") for movie_id, rating in sorted(ratings.items()))
    else:
        writer.writerow((*CSV_HEADER, TITLE_COLUMN))
        writer.writerows(
            (movie_id, f"{rating:g}", titles.get(movie_id, "")) for movie_id, rating in sorted(ratings.items())
        )
    return out.getvalue()
