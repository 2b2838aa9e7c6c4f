"""The profile database's tables and the steps that bring a file written by an older movierec up to date.

The file's version is SQLite's ``PRAGMA user_version``: 0 for files from before versions were kept (their
tables are exactly :data:`BASE`), then one more for each step of :data:`MIGRATIONS`. Opening a file runs
the steps it lacks in one transaction, so its ratings are kept and a failed step changes nothing.
"""

from __future__ import annotations

import sqlite3

from movierec.errors import MovieRecError

# The tables as they were before versions were kept; IF NOT EXISTS makes them a no-op on such a file.
BASE = (
    "CREATE TABLE IF NOT EXISTS profiles (name TEXT PRIMARY KEY, created TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS ratings (
        profile TEXT NOT NULL REFERENCES profiles(name) ON DELETE CASCADE,
        movie_id INTEGER NOT NULL,
        rating REAL NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (profile, movie_id)
    )""",
    """CREATE TABLE IF NOT EXISTS cleared_ratings (
        profile TEXT NOT NULL REFERENCES profiles(name) ON DELETE CASCADE,
        movie_id INTEGER NOT NULL,
        rating REAL NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (profile, movie_id)
    )""",
)
# Step n (from version n to n + 1). Append steps; never edit one that has shipped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: movies a person skipped: "not_seen" (does not know it) or "not_interested" (dismissed a suggestion).
    (
        """CREATE TABLE skipped (
            profile TEXT NOT NULL REFERENCES profiles(name) ON DELETE CASCADE,
            movie_id INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('not_seen', 'not_interested')),
            updated TEXT NOT NULL,
            PRIMARY KEY (profile, movie_id)
        )""",
    ),
)
VERSION = len(MIGRATIONS)


def version(db: sqlite3.Connection) -> int:
    """The schema version the file records."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, path: object) -> int:
    """Create the tables of a new file or add what an older file lacks; returns the steps run.

    ``db`` must be in autocommit mode (no open transaction). A file from a newer movierec is refused
    rather than changed, so the newer program still finds it as it left it.
    """
    if version(db) == VERSION:
        return 0
    db.execute("BEGIN IMMEDIATE")  # two tabs opening an old file at once: the second waits, then sees it done
    try:
        found = version(db)
        if found > VERSION:
            raise MovieRecError(
                f"The profile database {path} was written by a newer movierec (schema {found}, this one knows "
                f"{VERSION}); it was left untouched. Update movierec to use it."
            )
        for statement in (*BASE, *(s for step in MIGRATIONS[found:] for s in step)):
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return VERSION - found
