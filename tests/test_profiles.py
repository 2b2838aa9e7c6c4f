"""The SQLite profile store: persistence, concurrency, CSV import/export and every bad input."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from movierec import paths
from movierec.data import RatingScale
from movierec.errors import MovieRecError
from movierec.profiles.store import ProfileStore, parse_ratings_csv

HALF = RatingScale(0.5, 5.0, 0.5)
WHOLE = RatingScale(1.0, 5.0, 1.0)


def test_ratings_survive_a_fresh_store_in_the_default_place():
    store = ProfileStore()
    assert store.path == paths.subdir("profiles") / "profiles.sqlite3"
    store.create("Ada")
    store.set_rating("Ada", 1, 4.5, HALF)
    store.set_rating("Ada", 2, 3.0, HALF)
    store.set_rating("Ada", 1, 5.0, HALF)
    store.remove_rating("Ada", 2)
    assert ProfileStore().ratings("Ada") == {1: 5.0}
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT movie_id, rating FROM ratings").fetchall() == [(1, 5.0)]


def test_profiles_are_listed_and_names_are_plain_text():
    store = ProfileStore()
    odd = store.create("  <b>Zoë</b> & 'Bob'; DROP TABLE ratings; -- ")
    store.create("alice")
    assert odd == "<b>Zoë</b> & 'Bob'; DROP TABLE ratings; --"
    assert store.list_profiles() == ["<b>Zoë</b> & 'Bob'; DROP TABLE ratings; --", "alice"]
    store.set_rating(odd, 7, 2.0)
    assert store.ratings(odd) == {7: 2.0} and store.ratings("nobody") == {}


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "tab\there", "new\nline"])
def test_bad_names_are_refused(name):
    with pytest.raises(MovieRecError, match="Profile names"):
        ProfileStore().create(name)


def test_a_duplicate_name_and_an_unknown_profile_are_errors():
    store = ProfileStore()
    store.create("Ada")
    with pytest.raises(MovieRecError, match="already exists"):
        store.create("Ada ")
    with pytest.raises(MovieRecError, match="no profile named 'Eve'"):
        store.set_rating("Eve", 1, 4.0)


@pytest.mark.parametrize(
    ("rating", "scale"), [(5.5, HALF), (0.0, HALF), (4.25, HALF), (4.5, WHOLE), (float("nan"), None), ("high", None)]
)
def test_ratings_off_the_scale_are_refused_and_change_nothing(rating, scale):
    store = ProfileStore()
    store.create("Ada")
    store.set_rating("Ada", 1, 3.0)
    with pytest.raises(MovieRecError, match="movie 2"):
        store.set_rating("Ada", 2, rating, scale)
    assert store.ratings("Ada") == {1: 3.0}


def test_two_tabs_writing_at_once_lose_nothing():
    store = ProfileStore()
    store.create("Ada")

    def tab(offset: int) -> None:
        other = ProfileStore(store.path)
        for movie_id in range(offset, offset + 40):
            other.set_rating("Ada", movie_id, 3.0)
        other.set_rating("Ada", 1000, 1.0 + offset / 100)

    threads = [threading.Thread(target=tab, args=(offset,)) for offset in (0, 100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ratings = store.ratings("Ada")
    assert len(ratings) == 81 and ratings[1000] in (1.0, 2.0)


def test_export_then_import_round_trips_and_merges():
    store = ProfileStore()
    store.create("Ada")
    store.create("Bob")
    store.set_rating("Ada", 1, 4.5)
    store.set_rating("Ada", 296, 3.0)
    store.set_rating("Bob", 296, 1.0)
    store.set_rating("Bob", 50, 2.0)
    text = store.export_csv("Ada")
    assert text == "movie_id,rating\n1,4.5\n296,3\n"
    assert store.import_csv("Bob", text, HALF) == 2
    assert store.ratings("Bob") == {1: 4.5, 296: 3.0, 50: 2.0}
    store.clear("Bob")
    assert store.ratings("Bob") == {} and "Bob" in store.list_profiles()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,stars\n1,4\n", "Line 1: expected the header"),
        ("", "Line 1"),
        ("movie_id,rating\n1,4\n2\n", "Line 3: expected 2 values"),
        ("movie_id,rating\n1,4\nabc,3\n", "Line 3: movie_id 'abc'"),
        ("movie_id,rating\n1,4\n2,9\n", "Line 3: Rating '9' for movie 2 is outside"),
        ("movie_id,rating\n1,4\n2,4.5\n", "Line 3: .*4.5.* is not one of the allowed ratings \\(1, 2, 3, 4, 5\\)"),
        ("movie_id,rating\n1,4\n\n1,3\n", "Line 4: movie 1 is rated twice \\(first on line 2\\)"),
        ("movie_id,rating\n1,4\n77777,3\n", "Line 3: movie 77777 is not in"),
    ],
)
def test_a_bad_import_names_the_line_and_keeps_what_was_stored(text, message):
    store = ProfileStore()
    store.create("Ada")
    store.set_rating("Ada", 5, 2.0)
    with pytest.raises(MovieRecError, match=message):
        store.import_csv("Ada", text, WHOLE, known_ids={1, 2, 5})
    assert store.ratings("Ada") == {5: 2.0}


def test_parse_accepts_a_byte_order_mark_and_spaces():
    assert parse_ratings_csv("\ufeffMovie_ID , Rating\n 1 , 4.5 \n", HALF) == {1: 4.5}


def test_a_corrupt_file_is_an_error_and_is_left_as_it_was(tmp_path):
    path = tmp_path / "profiles.sqlite3"
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    with pytest.raises(MovieRecError, match="damaged or is not a database"):
        ProfileStore(path)
    assert path.read_bytes() == garbage


def test_a_locked_database_is_a_clear_error(tmp_path):
    store = ProfileStore(tmp_path / "p.sqlite3")
    store.create("Ada")
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        import movierec.profiles.store as profiles

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(profiles, "BUSY_TIMEOUT_S", 0.05)
            with pytest.raises(MovieRecError, match="busy"):
                ProfileStore(store.path).set_rating("Ada", 1, 4.0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.ratings("Ada") == {}
