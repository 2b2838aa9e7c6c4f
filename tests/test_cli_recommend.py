"""``python -m movierec recommend``: ratings from --rate and --ratings, JSON and text output, bad input."""

from __future__ import annotations

import json

import pytest

from movierec.cli.commands import main
from tests.factories import planted_dataset, tiny_model


@pytest.fixture(scope="module")
def trained():
    return tiny_model(planted_dataset(n_users=120, n_movies=60, per_user=30))


@pytest.fixture
def saved(trained):
    trained.save("planted")
    return "planted"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["recommend", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_suggestions_follow_the_planted_taste(capsys, saved):
    code, out, _ = run(
        capsys,
        "--model",
        saved,
        "--rate",
        "2=5,4=5,6=4.5,1=1,3=1,5=0.5,424242=4",
        "--top",
        "6",
        "--min-ratings",
        "0",
        "--order",
        "rating",
        "--json",
    )
    report = json.loads(out)  # planted users watch at random, so only the ratings carry their taste
    assert code == 0 and not report["popular"] and report["unknown"] == [424242]
    assert len(report["suggestions"]) == 6
    assert sum(row["movie_id"] % 2 == 0 for row in report["suggestions"]) >= 5
    assert all(row["because"] and row["movie_id"] not in (1, 2, 3, 4, 5, 6) for row in report["suggestions"])


def test_order_chooses_between_the_ranker_and_the_predicted_rating(capsys, saved):
    lists = {}
    for order in ("ranking", "rating"):
        code, out, _ = run(
            capsys,
            "--model",
            saved,
            "--rate",
            "2=5,4=5,1=1",
            "--top",
            "10",
            "--min-ratings",
            "0",
            "--order",
            order,
            "--json",
        )
        report = json.loads(out)
        assert code == 0 and report["order"] == order
        lists[order] = [row["predicted"] for row in report["suggestions"]]
        for row in report["suggestions"]:  # reasons name only rated movies, and say which part decided
            assert set(row["because_ids"]) <= {1, 2, 4} and row["because"]
            assert row["reason"] in (("watched_with", "genres", "predicted") if order == "ranking" else ("embedding",))
    assert lists["rating"] == sorted(lists["rating"], reverse=True)
    assert len(lists["ranking"]) == 10
    with pytest.raises(SystemExit) as exited:
        run(capsys, "--model", saved, "--rate", "2=5", "--order", "stars")
    assert exited.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_ratings_file_merges_with_rate_and_text_output(capsys, saved, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("movie_id,rating\n2,5\n1,1\n", encoding="utf-8")
    code, out, _ = run(capsys, "--model", saved, "--ratings", str(path), "--rate", "4=5", "--min-ratings", "0")
    lines = out.strip().splitlines()
    assert code == 0 and "are not in order" in lines[0] and len(lines) == 11
    assert all(line.endswith(")") for line in lines[1:])  # every suggestion says why it is there


def test_no_ratings_give_popular_movies(capsys, saved):
    code, out, _ = run(capsys, "--model", saved, "--top", "3", "--min-ratings", "0")
    assert code == 0 and out.startswith("No rating of a movie this model knows")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rate", "2=9"], "outside the scale 0.5–5 (half stars)"),
        (["--rate", "2:5"], "not MOVIE_ID=RATING"),
        (["--rate", "2=5,2=4"], "rates movie 2 twice"),
        (["--top", "0"], "--top must be at least 1"),
        (["--ratings", "missing.csv"], "Cannot read missing.csv"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, saved, argv, message):
    code, _, err = run(capsys, "--model", saved, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_bad_ratings_file_names_the_line(capsys, saved, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("movie_id,rating\n2,5\n3,4.2\n", encoding="utf-8")
    code, _, err = run(capsys, "--model", saved, "--ratings", str(path))
    assert code == 2 and "Line 3" in err


def test_an_unknown_model_lists_what_exists(capsys, saved):
    code, _, err = run(capsys, "--model", "nope", "--rate", "1=4")
    assert code == 2 and "planted" in err
