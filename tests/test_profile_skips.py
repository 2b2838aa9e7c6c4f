"""The profile database's schema version, its migration from files of old, skipped movies and titled export."""

from __future__ import annotations

import sqlite3

import pytest

from movierec.data import RatingScale
from movierec.errors import MovieRecError
from movierec.profiles.schema import VERSION
from movierec.profiles.store import ProfileStore, parse_ratings_csv

HALF = RatingScale(0.5, 5.0, 0.5)
# The tables exactly as movierec wrote them before the file kept a schema version.
UNVERSIONED_SQL = """
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
INSERT INTO profiles VALUES ('Ada', '2026-11-01T10:00:00+00:00');
INSERT INTO ratings VALUES ('Ada', 1, 4.5, '2026-11-01T10:00:00+00:00'), ('Ada', 296, 2.0, '2026-11-01T10:00:00+00:00');
INSERT INTO cleared_ratings VALUES ('Ada', 50, 3.0, '2026-11-01T10:00:00+00:00');
"""


def tables(path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def user_version(path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_a_database_of_the_old_schema_opens_keeps_its_ratings_and_gets_the_new_version(tmp_path):
    path = tmp_path / "profiles.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(UNVERSIONED_SQL)
    assert user_version(path) == 0 and "skipped" not in tables(path)
    store = ProfileStore(path)
    assert user_version(path) == VERSION >= 1 and "skipped" in tables(path)
    assert store.list_profiles() == ["Ada"]
    assert store.ratings("Ada") == {1: 4.5, 296: 2.0} and store.cleared_count("Ada") == 1
    store.skip("Ada", 7)
    assert ProfileStore(path).skipped("Ada") == {7: "not_seen"}  # a second open runs no step again


def test_a_new_database_starts_at_the_current_version(tmp_path):
    ProfileStore(tmp_path / "new.sqlite3")
    assert user_version(tmp_path / "new.sqlite3") == VERSION


def test_a_database_from_a_newer_movierec_is_refused_and_left_as_it_was(tmp_path):
    path = tmp_path / "profiles.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(UNVERSIONED_SQL)
        db.execute(f"PRAGMA user_version = {VERSION + 1}")
    with pytest.raises(MovieRecError, match="newer movierec"):
        ProfileStore(path)
    assert user_version(path) == VERSION + 1 and "skipped" not in tables(path)


def test_skips_are_kept_per_profile_and_a_rating_lifts_one():
    store = ProfileStore()
    store.create("Ada")
    store.create("Bob")
    store.skip("Ada", 1)
    store.skip("Ada", 2, "not_interested")
    store.skip("Bob", 3)
    assert store.skipped("Ada") == {1: "not_seen", 2: "not_interested"} and store.skipped("Bob") == {3: "not_seen"}
    store.set_rating("Ada", 1, 4.0, HALF)  # seen after all
    assert store.skipped("Ada") == {2: "not_interested"}
    assert store.forget_skips("Ada") == 1 and store.skipped("Ada") == {}
    with pytest.raises(MovieRecError, match="Unknown kind"):
        store.skip("Ada", 5, "boring")
    with pytest.raises(MovieRecError, match="no profile named"):
        store.skip("Nobody", 5)


def test_export_carries_titles_and_reads_back_without_the_skips():
    store = ProfileStore()
    store.create("Ada")
    store.set_rating("Ada", 1, 4.5)
    store.set_rating("Ada", 296, 3.0)
    store.skip("Ada", 50)
    text = store.export_csv("Ada", {1: "Toy Story (1995)", 296: "Pulp Fiction, the (1994)"})
    assert text == 'movie_id,rating,title\n1,4.5,Toy Story (1995)\n296,3,"Pulp Fiction, the (1994)"\n'
    assert parse_ratings_csv(text, HALF) == {1: 4.5, 296: 3.0}
    with pytest.raises(MovieRecError, match="Line 2: expected 3 values"):
        parse_ratings_csv("movie_id,rating,title\n1,4.5\n", HALF)
