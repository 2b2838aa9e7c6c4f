"""Named profiles of people's ratings, kept in one SQLite file under ``MOVIEREC_HOME``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import sqlite3
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from movierec import paths
from movierec.data import RatingScale
from movierec.errors import MovieRecError
from movierec.names import reading_key, stacking_problem

MAX_NAME = 80
MAX_CSV_BYTES = 4 << 20  # a person's ratings of every movie of the largest release fit in about 1.5 MB
MAX_FIELD = 32  # characters in one CSV value: longer is never an id or a rating
MAX_MOVIE_ID = 2**63 - 1
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only: int() would also read "1_0" and "１"
CSV_HEADER = ("movie_id", "rating")
BUSY_TIMEOUT_S = 5.0  # how long a write waits for another tab's transaction before giving up
SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (name TEXT PRIMARY KEY, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ratings (
    profile TEXT NOT NULL REFERENCES profiles(name) ON DELETE CASCADE,
    movie_id INTEGER NOT NULL,
    rating REAL NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (profile, movie_id)
);
CREATE TABLE IF NOT EXISTS cleared_ratings (
    profile TEXT NOT NULL REFERENCES profiles(name) ON DELETE CASCADE,
    movie_id INTEGER NOT NULL,
    rating REAL NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (profile, movie_id)
);
"""
T = TypeVar("T")


def check_name(name: str) -> str:
    """A profile name without surrounding spaces: 1-80 printable characters, at least one letter or digit."""
    cleaned = str(name).strip()
    if not cleaned or len(cleaned) > MAX_NAME or not cleaned.isprintable() or not reading_key(cleaned).strip():
        raise MovieRecError(f"Profile names need 1-{MAX_NAME} printable characters (got {str(name)[:100]!r}).")
    if (problem := stacking_problem(cleaned)) is not None:
        raise MovieRecError(f"Profile name {cleaned[:40]!r} cannot be used: {problem}.")
    return cleaned


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
    if header != CSV_HEADER:
        raise MovieRecError(f"Line 1: expected the header 'movie_id,rating', found {','.join(header) or 'nothing'!r}.")
    parsed: dict[int, float] = {}
    first_line: dict[int, int] = {}
    for line, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != 2:
            raise MovieRecError(f"Line {line}: expected 2 values (movie_id,rating), found {len(cells)}.")
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


def ratings_csv(ratings: dict[int, float]) -> str:
    """The ``movie_id,rating`` CSV form of ``ratings`` (read back by :func:`parse_ratings_csv`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows((movie_id, f"{rating:g}") for movie_id, rating in sorted(ratings.items()))
    return out.getvalue()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class ProfileStore:
    """Profiles and their ratings in SQLite (WAL, one short transaction per change).

    Every call opens its own connection, so one store can serve many threads and browser tabs;
    concurrent writes to different movies never overwrite each other, and for one movie the last
    write wins. A file that is not a readable database raises :class:`MovieRecError` and is left as it is.

    Args:
        path: the database file (default: ``MOVIEREC_HOME/profiles/profiles.sqlite3``).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else paths.subdir("profiles") / "profiles.sqlite3"
        if not self.path.exists():
            try:  # created readable by its owner only; SQLite gives its -wal and -shm files the same mode
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, paths.OWNER_ONLY_FILE))
            except FileExistsError:
                pass  # another process created it a moment ago
            except OSError as exc:
                raise MovieRecError(
                    f"The profile database {self.path} cannot be created ({exc.strerror}); check MOVIEREC_HOME."
                ) from None
        self._run(lambda db: db.executescript(SCHEMA))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            yield db
        finally:
            db.close()

    def _run(self, action: Callable[[sqlite3.Connection], T], write: bool = False) -> T:
        """Run ``action`` in one transaction; SQLite failures become errors worded for people."""
        try:
            with self._connect() as db:
                if not write:
                    return action(db)
                db.execute("BEGIN IMMEDIATE")
                try:
                    result = action(db)
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
                return result
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise MovieRecError(
                    f"The profile database {self.path} is busy (locked by another program); try again in a moment."
                ) from None
            raise MovieRecError(
                f"The profile database {self.path} cannot be used ({exc}); it was left untouched."
            ) from None
        except sqlite3.DatabaseError as exc:
            raise MovieRecError(
                f"The profile database {self.path} is damaged or is not a database ({exc}). It was left untouched: "
                "move it aside (or restore a backup) to start a new one."
            ) from None

    def list_profiles(self) -> list[str]:
        """Profile names, alphabetically (case-insensitive)."""
        return self._run(
            lambda db: [r[0] for r in db.execute("SELECT name FROM profiles ORDER BY name COLLATE NOCASE, name")]
        )

    def create(self, name: str) -> str:
        """Create an empty profile and return its cleaned name; an existing name raises :class:`MovieRecError`."""
        cleaned = check_name(name)

        def insert(db: sqlite3.Connection) -> None:
            key = reading_key(cleaned)
            for (existing,) in db.execute("SELECT name FROM profiles"):
                if reading_key(existing) == key:
                    raise MovieRecError(
                        f"A profile named {existing!r} already exists and {cleaned!r} reads the same; pick it from the list or choose another name."
                    )
            db.execute("INSERT INTO profiles (name, created) VALUES (?, ?)", (cleaned, _now()))

        self._run(insert, write=True)
        return cleaned

    def ratings(self, name: str) -> dict[int, float]:
        """The profile's ratings, movie id -> rating (empty for an unknown profile)."""
        rows = self._run(
            lambda db: db.execute("SELECT movie_id, rating FROM ratings WHERE profile = ?", (name,)).fetchall()
        )
        return {int(movie_id): float(rating) for movie_id, rating in rows}

    def set_rating(self, name: str, movie_id: int, rating: float, scale: RatingScale | None = None) -> None:
        """Add or change one rating (checked against ``scale`` when given); other ratings are untouched."""
        movie = check_movie_id(movie_id)
        value = check_rating(movie, rating, scale)
        self._run(lambda db: self._upsert(db, name, {movie: value}), write=True)

    def remove_rating(self, name: str, movie_id: int) -> None:
        """Forget one rating (nothing happens when it is not there)."""
        self._run(
            lambda db: db.execute("DELETE FROM ratings WHERE profile = ? AND movie_id = ?", (name, int(movie_id))),
            write=True,
        )

    def clear(self, name: str) -> int:
        """Set all of a profile's ratings aside (the profile stays); :meth:`restore` brings them back. Returns how many."""

        def set_aside(db: sqlite3.Connection) -> int:
            count = db.execute("SELECT COUNT(*) FROM ratings WHERE profile = ?", (name,)).fetchone()[0]
            if count:  # an empty clear must not throw away the previous backup
                db.execute("DELETE FROM cleared_ratings WHERE profile = ?", (name,))
                db.execute("INSERT INTO cleared_ratings SELECT * FROM ratings WHERE profile = ?", (name,))
                db.execute("DELETE FROM ratings WHERE profile = ?", (name,))
            return int(count)

        return self._run(set_aside, write=True)

    def cleared_count(self, name: str) -> int:
        """How many ratings the last :meth:`clear` set aside (0 when there is nothing to restore)."""
        return int(
            self._run(
                lambda db: db.execute("SELECT COUNT(*) FROM cleared_ratings WHERE profile = ?", (name,)).fetchone()[0]
            )
        )

    def restore(self, name: str) -> int:
        """Bring back the ratings the last :meth:`clear` set aside (ratings given since then win). Returns how many."""

        def bring_back(db: sqlite3.Connection) -> int:
            count = db.execute("SELECT COUNT(*) FROM cleared_ratings WHERE profile = ?", (name,)).fetchone()[0]
            db.execute("INSERT OR IGNORE INTO ratings SELECT * FROM cleared_ratings WHERE profile = ?", (name,))
            db.execute("DELETE FROM cleared_ratings WHERE profile = ?", (name,))
            return int(count)

        return self._run(bring_back, write=True)

    def export_csv(self, name: str) -> str:
        """The profile's ratings as ``movie_id,rating`` CSV text."""
        return ratings_csv(self.ratings(name))

    def import_csv(
        self, name: str, text: str, scale: RatingScale | None = None, known_ids: Container[int] | None = None
    ) -> int:
        """Merge ratings from CSV text into a profile (imported ids overwrite, others stay); returns how many.

        The whole file is checked before anything is written, and written in one transaction, so a bad
        file changes nothing.
        """
        imported = parse_ratings_csv(text, scale, known_ids)
        self._run(lambda db: self._upsert(db, name, imported), write=True)
        return len(imported)

    @staticmethod
    def _upsert(db: sqlite3.Connection, name: str, ratings: dict[int, float]) -> None:
        if not db.execute("SELECT 1 FROM profiles WHERE name = ?", (name,)).fetchone():
            raise MovieRecError(f"There is no profile named {name!r}; create it first.")
        stamp = _now()
        db.executemany(
            "INSERT INTO ratings (profile, movie_id, rating, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (profile, movie_id) DO UPDATE SET rating = excluded.rating, updated = excluded.updated",
            [(name, movie_id, rating, stamp) for movie_id, rating in ratings.items()],
        )
