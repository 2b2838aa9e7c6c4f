"""Named profiles of people's ratings, kept in one SQLite file under ``MOVIEREC_HOME``."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Container, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from movierec import paths
from movierec.data import RatingScale
from movierec.errors import MovieRecError
from movierec.profiles.names import reading_key, stacking_problem
from movierec.profiles.ratings_csv import check_movie_id, check_rating, parse_ratings_csv, ratings_csv
from movierec.profiles.schema import migrate

MAX_NAME = 80
SKIP_KINDS = ("not_seen", "not_interested")
BUSY_TIMEOUT_S = 5.0  # how long a write waits for another tab's transaction before giving up
T = TypeVar("T")


def check_profile_name(name: str) -> str:
    """A profile name without surrounding spaces: 1-80 printable characters, at least one letter or digit."""
    cleaned = str(name).strip()
    if not cleaned or len(cleaned) > MAX_NAME or not cleaned.isprintable() or not reading_key(cleaned).strip():
        raise MovieRecError(f"Profile names need 1-{MAX_NAME} printable characters (got {str(name)[:100]!r}).")
    if (problem := stacking_problem(cleaned)) is not None:
        raise MovieRecError(f"Profile name {cleaned[:40]!r} cannot be used: {problem}.")
    return cleaned


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
        self._run(lambda db: migrate(db, self.path))

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
        cleaned = check_profile_name(name)

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

    def skip(self, name: str, movie_id: int, kind: str = "not_seen") -> None:
        """Mark a movie as not seen (or, ``kind="not_interested"``, a dismissed suggestion): it is not offered again."""
        movie = check_movie_id(movie_id)
        if kind not in SKIP_KINDS:
            raise MovieRecError(f"Unknown kind of skip {kind!r}; use one of: {', '.join(SKIP_KINDS)}.")

        def insert(db: sqlite3.Connection) -> None:
            self._require(db, name)
            db.execute(
                "INSERT INTO skipped (profile, movie_id, kind, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (profile, movie_id) DO UPDATE SET kind = excluded.kind, updated = excluded.updated",
                (name, movie, kind, _now()),
            )

        self._run(insert, write=True)

    def unskip(self, name: str, movie_id: int) -> None:
        """Offer a skipped movie again (nothing happens when it is not skipped)."""
        self._run(
            lambda db: db.execute("DELETE FROM skipped WHERE profile = ? AND movie_id = ?", (name, int(movie_id))),
            write=True,
        )

    def skipped(self, name: str) -> dict[int, str]:
        """The profile's skipped movies, movie id -> kind (empty for an unknown profile)."""
        rows = self._run(
            lambda db: db.execute("SELECT movie_id, kind FROM skipped WHERE profile = ?", (name,)).fetchall()
        )
        return {int(movie_id): str(kind) for movie_id, kind in rows}

    def forget_skips(self, name: str) -> int:
        """Offer every skipped movie again; returns how many there were."""
        return int(
            self._run(lambda db: db.execute("DELETE FROM skipped WHERE profile = ?", (name,)).rowcount, write=True)
        )

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

    def export_csv(self, name: str, titles: Mapping[int, str] | None = None) -> str:
        """The profile's ratings as ``movie_id,rating`` CSV text, plus a ``title`` column when ``titles`` are given.

        Skipped movies are not exported: the file is a list of ratings that the import, the CLI's
        ``--ratings`` and other tools read as such.
        """
        return ratings_csv(self.ratings(name), titles)

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
    def _require(db: sqlite3.Connection, name: str) -> None:
        if not db.execute("SELECT 1 FROM profiles WHERE name = ?", (name,)).fetchone():
            raise MovieRecError(f"There is no profile named {name!r}; create it first.")

    @staticmethod
    def _upsert(db: sqlite3.Connection, name: str, ratings: dict[int, float]) -> None:
        """Write ``ratings``; a rated movie is no longer skipped (the person has seen it after all)."""
        ProfileStore._require(db, name)
        stamp = _now()
        db.executemany(
            "INSERT INTO ratings (profile, movie_id, rating, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (profile, movie_id) DO UPDATE SET rating = excluded.rating, updated = excluded.updated",
            [(name, movie_id, rating, stamp) for movie_id, rating in ratings.items()],
        )
        db.executemany("DELETE FROM skipped WHERE profile = ? AND movie_id = ?", [(name, m) for m in ratings])
