"""A person's own ratings CSV: good files load, bad ones get messages that name the problem."""

from __future__ import annotations

import io

import pytest

from movierec.data import RatingScale, load_ratings_csv
from movierec.errors import MovieRecError

GOOD = "user_id,movie_id,rating,timestamp\n1,10,4.5,100\n1,20,3,101\n2,10,0.5,102\n"


def test_good_file_without_movies_gets_placeholder_titles():
    dataset = load_ratings_csv(io.StringIO(GOOD), name="mine")
    assert dataset.name == "mine" and dataset.n_ratings == 3 and dataset.n_users == 2
    assert dataset.ratings["rating"].tolist() == [4.5, 3.0, 0.5]
    assert [str(t) for t in dataset.ratings.dtypes] == ["int64", "int64", "float32", "int64"]
    assert dataset.movies["title"].tolist() == ["Movie 10", "Movie 20"]
    assert dataset.movies["year"].isna().all() and dataset.movies["genres"].tolist() == [[], []]
    assert dataset.scale == RatingScale(0.5, 5.0, 0.5)


def test_movielens_headers_bytes_and_a_movies_file(tmp_path):
    ratings = tmp_path / "ratings.csv"
    ratings.write_text("userId,movieId,rating\n7,1,5\n7,2,4\n7,3,1\n")
    movies = io.BytesIO(
        '\ufeffmovieId,title,genres\n1,"American President, The (1995)",Comedy|Drama\n'
        "2,Heat (1995),(no genres listed)\n9,Unrated (2001),Drama\n".encode()
    )
    dataset = load_ratings_csv(ratings, movies)
    assert dataset.ratings["timestamp"].tolist() == [0, 0, 0]
    assert dataset.movies["movie_id"].tolist() == [1, 2, 3, 9]
    assert dataset.movies["title"].tolist() == [
        "American President, The (1995)",
        "Heat (1995)",
        "Movie 3",
        "Unrated (2001)",
    ]
    assert dataset.movies["year"].tolist()[:2] == [1995, 1995]
    assert dataset.movies["genres"].tolist() == [["Comedy", "Drama"], [], [], ["Drama"]]


def test_same_ratings_give_the_same_fingerprint():
    assert load_ratings_csv(io.StringIO(GOOD)).fingerprint == load_ratings_csv(io.StringIO(GOOD)).fingerprint


def test_whole_star_scale_rejects_half_stars():
    with pytest.raises(MovieRecError, match=r"line 2: rating 4\.5 is not one of the allowed"):
        load_ratings_csv(io.StringIO(GOOD), scale=RatingScale(1, 5, 1))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("\n  \n", "is empty"),
        ("user_id,movie_id,rating\n", "header but no rows"),
        ("user,film,score\n1,2,3\n", "lacks the column.*movie_id, rating.*found: user_id, film, score"),
        ("user_id,movie_id,rating\n1,2,3\n1,3,\n", "line 3: the rating is empty"),
        ("user_id,movie_id,rating\n1,2,3\n\n1,3,great\n", "line 4: rating 'great' is not a number"),
        ("user_id,movie_id,rating\n1,2,7\n1,3,0\n", "line 2: rating 7 is outside the scale 0.5–5.*1 more such"),
        ("user_id,movie_id,rating\n1,2,3.3\n", "line 2: rating 3.3 is not one of the allowed ratings"),
        ("user_id,movie_id,rating\n1.5,2,3\n", "line 2: user_id '1.5' is not a whole number"),
        ("user_id,movie_id,rating\n1,abc,3\n", "line 2: movie_id 'abc' is not a whole number"),
        ("user_id,movie_id,rating\n,2,3\n", "line 2: user_id is empty"),
        ("user_id,movie_id,rating,timestamp\n1,2,3,yesterday\n", "timestamp 'yesterday' is not a whole"),
        ("user_id,movie_id,rating\n1,2,3\n2,2,3\n1,2,4\n", r"line 4: user 1 rates movie 2 again \(first on line 2"),
        ("user_id,movie_id,rating\n1,2,3,4\n", "not a valid CSV file: Expected 3 fields in line 2, saw 4"),
    ],
)
def test_bad_ratings_are_explained(content, expected):
    with pytest.raises(MovieRecError, match=expected):
        load_ratings_csv(io.StringIO(content))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"user_id,movie_id,rating\n1,2,\xff\xfe\n", "not UTF-8 text"),
    ],
)
def test_binary_or_undecodable_files_are_rejected(content, expected):
    with pytest.raises(MovieRecError, match=expected):
        load_ratings_csv(io.BytesIO(content))


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(MovieRecError, match="Could not open the ratings file"):
        load_ratings_csv(tmp_path / "nowhere.csv")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("movie_id,name\n1,Heat\n", "movies file lacks the column.*title"),
        ("movie_id,title\n1,Heat\n1,Heat again\n", "movies file, line 3: movie_id 1 is listed twice"),
        ("movie_id,title\nx,Heat\n", "movies file, line 2: movie_id 'x' is not a whole number"),
    ],
)
def test_bad_movies_files_are_explained(content, expected):
    with pytest.raises(MovieRecError, match=expected):
        load_ratings_csv(io.StringIO(GOOD), io.StringIO(content))
