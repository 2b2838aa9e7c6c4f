"""The synthetic release: ml-25m layout, the sizes asked for, skew, half stars, and determinism by seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movierec.cli.commands import main
from movierec.data import load_movielens, needs_parsing
from movierec.data.synth import write_synthetic_release


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth") / "release"
    write_synthetic_release(folder, n_ratings=30_000, n_users=300, n_movies=900, seed=7)
    return folder


def test_files_and_columns_follow_the_ml25m_layout(release):
    assert (release / "ratings.csv").read_text().splitlines()[:1] == ["userId,movieId,rating,timestamp"]
    assert (release / "movies.csv").read_text().splitlines()[0] == "movieId,title,genres"
    first = (release / "ratings.csv").read_text().splitlines()[1].split(",")
    assert len(first) == 4 and first[2] in {f"{r / 2:.1f}" for r in range(1, 11)}  # "4.0", never "4"


def test_sizes_skew_and_half_stars(release):
    ratings = pd.read_csv(release / "ratings.csv")
    movies = pd.read_csv(release / "movies.csv")
    assert len(ratings) == 30_000 and ratings["userId"].nunique() == 300 and len(movies) == 900
    assert not ratings.duplicated(["userId", "movieId"]).any()
    assert set(ratings["movieId"]) <= set(movies["movieId"])
    assert set(ratings["rating"]) <= {r / 2 for r in range(1, 11)} and ratings["rating"].nunique() >= 8
    per_user, per_movie = ratings.groupby("userId").size(), ratings.groupby("movieId").size()
    assert per_user.min() >= 20 and per_user.max() > 4 * per_user.median()  # a few users rate a lot
    assert per_movie.max() > 5 * per_movie.median()  # popular movies collect many more ratings
    assert ratings["userId"].is_monotonic_increasing


def test_loads_as_a_release_with_titles_years_and_genres(release):
    dataset = load_movielens("ml-25m", data_dir=release)
    assert dataset.n_ratings == 30_000 and dataset.n_movies == 900
    assert dataset.movies["year"].notna().all()
    assert all(1 <= len(genres) <= 3 for genres in dataset.movies["genres"])


def test_same_seed_same_files_other_seed_other_ratings(tmp_path, release):
    again = write_synthetic_release(tmp_path / "again", n_ratings=30_000, n_users=300, n_movies=900, seed=7)
    other = write_synthetic_release(tmp_path / "other", n_ratings=30_000, n_users=300, n_movies=900, seed=8)
    for name in ("ratings.csv", "movies.csv"):
        assert (again.folder / name).read_bytes() == (release / name).read_bytes()
        assert (other.folder / name).read_bytes() != (release / name).read_bytes()


def test_exact_count_across_several_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr("movierec.data.synth.BLOCK_RATINGS", 1_000)  # many blocks, as at full size
    summary = write_synthetic_release(tmp_path, n_ratings=12_345, n_users=100, n_movies=400, seed=1)
    ratings = pd.read_csv(tmp_path / "ratings.csv")
    assert summary.n_ratings == len(ratings) == 12_345 and ratings["userId"].nunique() == 100
    assert not ratings.duplicated(["userId", "movieId"]).any()
    assert np.all(np.diff(ratings["userId"]) >= 0)


def test_cli_writes_a_release_and_refuses_impossible_sizes(tmp_path, capsys):
    assert main(["synth", str(tmp_path / "out"), "--ratings", "5000", "--users", "50", "--movies", "300"]) == 0
    captured = capsys.readouterr()
    assert "--data-dir" in captured.out
    assert "writing ratings: 100% 5.00k/5.00k" in captured.err and "\r" not in captured.err
    assert (tmp_path / "out" / "ratings.csv").is_file()
    assert main(["synth", str(tmp_path / "bad"), "--ratings", "100000", "--users", "10", "--movies", "50"]) == 2
    assert "more movies" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_parsing_reports_progress_and_reads_the_same_ratings(release, monkeypatch):
    monkeypatch.setattr("movierec.data.parsers.CHUNK_ROWS", 7_000)
    calls: list[tuple[int, int | None]] = []
    dataset = load_movielens("ml-25m", data_dir=release, parse_progress=lambda done, total: calls.append((done, total)))
    size = (release / "ratings.csv").stat().st_size
    assert len(calls) == 5 and calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    plain = pd.read_csv(release / "ratings.csv")
    assert np.array_equal(dataset.ratings["movie_id"], plain["movieId"])
    assert np.array_equal(dataset.ratings["rating"], plain["rating"].astype(np.float32))


def test_a_release_needs_parsing_until_its_parsed_copy_is_written(release, movierec_home):
    assert needs_parsing("ml-25m", release)
    load_movielens("ml-25m", data_dir=release)
    assert not needs_parsing("ml-25m", release)
    assert not needs_parsing("ml-latest-small")  # bundled: parsed in about a second
    assert not needs_parsing("ml-32m")  # not downloaded: the load itself says so
