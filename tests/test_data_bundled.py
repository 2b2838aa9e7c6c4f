"""The bundled ml-latest-small release and the binary cache of parsed data."""

from __future__ import annotations

import pandas as pd
import pytest

import movierec.data.loader as loader
from movierec.data import RatingScale, load_movielens
from movierec.errors import MovieRecError
from movierec.paths import subdir
from tests.data_fixtures import N_RATINGS, write_release


def _parsed_files() -> list:
    return sorted((subdir("datasets") / "parsed").glob("*.npz"))


def test_bundled_release_has_the_published_counts():
    dataset = load_movielens("ml-latest-small")
    assert (dataset.n_ratings, dataset.n_users, dataset.n_movies) == (100836, 610, 9742)
    assert dataset.scale == RatingScale(0.5, 5.0, 0.5)
    assert list(dataset.ratings.columns) == ["user_id", "movie_id", "rating", "timestamp"]
    assert [str(t) for t in dataset.ratings.dtypes] == ["int64", "int64", "float32", "int64"]
    assert list(dataset.ratings.index) == list(range(dataset.n_ratings))
    assert set(dataset.ratings["rating"].unique()) <= set(dataset.scale.values())


def test_bundled_movies_have_years_genres_and_sorted_ids():
    movies = load_movielens("ml-latest-small").movies
    assert list(movies.columns) == ["movie_id", "title", "year", "genres"]
    assert str(movies["year"].dtype) == "Int64"
    assert movies["movie_id"].is_monotonic_increasing and movies["movie_id"].is_unique
    toy_story = movies.iloc[0]
    assert toy_story["title"] == "Toy Story (1995)" and toy_story["year"] == 1995
    assert toy_story["genres"] == ["Adventure", "Animation", "Children", "Comedy", "Fantasy"]
    assert movies.loc[movies["title"] == "Babylon 5", "year"].isna().all()
    assert (movies["genres"].map(len) == 0).sum() == 34  # "(no genres listed)"


def test_second_load_comes_from_the_cache_and_is_identical(monkeypatch):
    first = load_movielens("ml-latest-small")
    assert len(_parsed_files()) == 1

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed the text files again instead of using the cache")

    monkeypatch.setattr(loader, "read_release", no_parsing)
    second = load_movielens("ml-latest-small")
    pd.testing.assert_frame_equal(first.ratings, second.ratings)
    pd.testing.assert_frame_equal(first.movies, second.movies)
    assert first.fingerprint == second.fingerprint


def test_unreadable_cache_is_rebuilt_silently():
    first = load_movielens("ml-latest-small")
    (cache,) = _parsed_files()
    cache.write_bytes(b"not an npz file")
    again = load_movielens("ml-latest-small")
    assert again.fingerprint == first.fingerprint
    assert cache.stat().st_size > 1000


def test_stale_folder_cache_is_rebuilt(tmp_path):
    folder = write_release("ml-20m", tmp_path)
    assert load_movielens("ml-20m", data_dir=tmp_path).n_ratings == N_RATINGS
    with (folder / "ratings.csv").open("a") as ratings:
        ratings.write("9,1,4.0,978300999\n")
    reloaded = load_movielens("ml-20m", data_dir=tmp_path)
    assert reloaded.n_ratings == N_RATINGS + 1
    assert reloaded.ratings.iloc[-1]["user_id"] == 9


def test_fingerprint_follows_the_ratings_content(tmp_path):
    write_release("ml-20m", tmp_path / "a")
    write_release("ml-20m", tmp_path / "b")
    same_a = load_movielens("ml-20m", data_dir=tmp_path / "a").fingerprint
    same_b = load_movielens("ml-20m", data_dir=tmp_path / "b").fingerprint
    assert same_a == same_b != load_movielens("ml-latest-small").fingerprint


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(MovieRecError, match=r"ml-latest-small.*ml-100k"):
        load_movielens("ml-7m")
