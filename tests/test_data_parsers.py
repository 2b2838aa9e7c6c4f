"""Every MovieLens layout parses into the same columns, read from extracted folders."""

from __future__ import annotations

import pandas as pd
import pytest

from movierec.data import DATASETS, load_100k_folds, load_movielens
from movierec.data.frames import parse_years
from movierec.errors import MovieRecError
from tests.data_fixtures import N_RATINGS, write_release

RATING_DTYPES = ["int64", "int64", "float32", "int64"]


def _genres_by_id(dataset) -> dict[int, list[str]]:
    return dict(zip(dataset.movies["movie_id"], dataset.movies["genres"], strict=True))


def _titles_by_id(dataset) -> dict[int, str]:
    return dict(zip(dataset.movies["movie_id"], dataset.movies["title"], strict=True))


@pytest.mark.parametrize("name", ["ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-32m"])
def test_every_format_gives_canonical_frames(name, tmp_path):
    write_release(name, tmp_path)
    dataset = load_movielens(name, data_dir=tmp_path)
    assert dataset.name == name and dataset.scale == DATASETS[name].scale
    assert (dataset.n_ratings, dataset.n_users, dataset.n_movies) == (N_RATINGS, 4, 5)
    assert [str(t) for t in dataset.ratings.dtypes] == RATING_DTYPES
    assert list(dataset.movies.columns) == ["movie_id", "title", "year", "genres"]
    assert dataset.movies["movie_id"].tolist() == [1, 2, 3, 4, 5]
    assert dataset.ratings.iloc[0].tolist() == [1, 1, 3.0, 978300011]
    assert set(dataset.ratings["rating"]) <= set(dataset.scale.values())


def test_100k_reads_latin1_titles_and_genre_flags(tmp_path):
    dataset = load_movielens("ml-100k", data_dir=write_release("ml-100k", tmp_path))
    titles, genres = _titles_by_id(dataset), _genres_by_id(dataset)
    assert titles[2] == "Café au lait (Métisse) (1993)" and titles[5] == "Nadja (1994)"
    assert genres[1] == ["Animation", "Children", "Comedy"]
    assert genres[3] == []  # only the "unknown" flag
    assert genres[4] == ["Action", "Sci-Fi", "Thriller"]
    assert dataset.movies["year"].tolist()[:3] == [1995, 1993, pd.NA]


def test_1m_reads_latin1_titles_with_colons_and_renames_childrens(tmp_path):
    dataset = load_movielens("ml-1m", data_dir=write_release("ml-1m", tmp_path))
    titles, genres = _titles_by_id(dataset), _genres_by_id(dataset)
    assert titles[2] == "Misérables, Les (1995)"
    assert titles[3] == "Star Wars: Episode IV - A New Hope (1977)"
    assert genres[1] == ["Animation", "Children", "Comedy"] and genres[5] == []
    assert dataset.ratings["rating"].isin([1, 2, 3, 4, 5]).all()


def test_10m_uses_its_own_folder_name_half_stars_and_reads_a_latin1_line_as_latin1(tmp_path, caplog):
    folder = write_release("ml-10m", tmp_path)
    assert folder.name == "ml-10M100K"
    with (folder / "movies.dat").open("ab") as movies:
        movies.write(b"6::Broken \xff Title (2001)::Drama\n")
    dataset = load_movielens("ml-10m", data_dir=tmp_path)
    assert 2.5 in set(dataset.ratings["rating"])
    titles = _titles_by_id(dataset)
    assert titles[2] == "Misérables, Les (1995)"
    assert titles[6] == "Broken \xff Title (2001)"  # the letter latin-1 gives, never U+FFFD
    assert "1 line(s) are not UTF-8" in caplog.text


def test_csv_reads_quoted_commas_and_no_genres(tmp_path):
    dataset = load_movielens("ml-25m", data_dir=write_release("ml-25m", tmp_path))
    titles, genres = _titles_by_id(dataset), _genres_by_id(dataset)
    assert titles[1] == "American President, The (1995)" and titles[2] == "Babylon 5"
    assert genres[1] == ["Comedy", "Drama", "Romance"] and genres[3] == []
    assert dataset.movies["year"].tolist() == [1995, pd.NA, 2006, 1995, 1995]


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("Toy Story (1995)", 1995),
        ("Toy Story (1995) ", 1995),
        ("Death Note: Desu nôto (2006–2007)", 2006),
        ("Fawlty Towers (1975-1979)", 1975),
        ("Stranger Things (2016- )", 2016),
        ("1984 (1956)", 1956),
        ("(500) Days of Summer (2009)", 2009),
        ("Babylon 5", None),
        ("Brazil (The Movie)", None),
        ("Moonlight", None),
    ],
)
def test_year_comes_from_the_trailing_parentheses(title, year):
    parsed = parse_years(pd.Series([title], dtype="str")).iloc[0]
    assert (pd.isna(parsed) and year is None) or parsed == year


def test_data_dir_accepts_the_files_themselves(tmp_path):
    write_release("ml-1m", tmp_path, nested=False)
    assert load_movielens("ml-1m", data_dir=str(tmp_path)).n_ratings == N_RATINGS


def test_missing_files_are_named_with_the_places_searched(tmp_path):
    folder = write_release("ml-1m", tmp_path)
    (folder / "movies.dat").unlink()
    with pytest.raises(MovieRecError) as error:
        load_movielens("ml-1m", data_dir=tmp_path)
    message = str(error.value)
    assert "movies.dat" in message and "ratings.dat" in message
    assert str(folder) in message and str(tmp_path) in message


def test_unparseable_files_raise_a_readable_error(tmp_path):
    folder = write_release("ml-20m", tmp_path)
    (folder / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,one,4,5\n")
    with pytest.raises(MovieRecError, match="Could not read ml-20m"):
        load_movielens("ml-20m", data_dir=tmp_path)


def test_100k_folds_from_a_folder(tmp_path):
    write_release("ml-100k", tmp_path)
    folds = load_100k_folds(tmp_path)
    assert len(folds) == 5
    for train, test in folds:
        assert [str(t) for t in train.dtypes] == RATING_DTYPES
        assert (len(train), len(test)) == (16, 4)
        assert list(test.index) == [0, 1, 2, 3]
    all_tests = pd.concat([test for _, test in folds]).sort_values(["user_id", "movie_id"])
    full = load_movielens("ml-100k", data_dir=tmp_path).ratings
    assert all_tests["rating"].tolist() == full["rating"].tolist()


def test_100k_folds_need_the_fold_files(tmp_path):
    folder = write_release("ml-100k", tmp_path)
    (folder / "u3.test").unlink()
    with pytest.raises(MovieRecError, match=r"u3\.test"):
        load_100k_folds(tmp_path)
    with pytest.raises(MovieRecError, match="only for ml-100k"):
        load_100k_folds("ml-1m")


def test_data_dir_that_does_not_exist_is_reported(tmp_path):
    with pytest.raises(MovieRecError, match="does not exist"):
        load_movielens("ml-1m", data_dir=tmp_path / "nowhere")
