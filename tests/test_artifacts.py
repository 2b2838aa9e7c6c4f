from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from factories import planted_dataset, tiny_model

from movierec.errors import MovieRecError
from movierec.model.artifacts import check_name, default_name, list_models, load_model


@pytest.fixture(scope="module")
def model():
    return tiny_model()


def test_predictions_are_identical_after_save_and_load(model, movierec_home):
    users, movies = np.array([1, 2, 3, 80]), np.array([2, 3, 4, 60])
    path = model.save("round-trip")
    assert path == movierec_home / "models" / "round-trip.pt"
    loaded = load_model("round-trip")
    assert np.array_equal(model.predict(users, movies), loaded.predict(users, movies))
    assert loaded.config == model.config and loaded.results == model.results and loaded.history == model.history
    assert loaded.movies.equals(model.movies)
    assert load_model(path).name == "round-trip"


def test_saving_leaves_the_model_as_it_was(model, movierec_home):
    before = model.name
    first, second = model.save("first-name"), model.save("second-name")
    assert model.name == before is None  # a trained model has no name until one is loaded from a file
    assert (first.stem, second.stem) == ("first-name", "second-name")
    unnamed = model.save(), model.save()  # each save without a name gets a fresh default name
    assert unnamed[0] != unnamed[1] and all(path.stem.startswith("synthetic-") for path in unnamed)
    assert [load_model(path).name for path in (first, *unnamed)] == ["first-name", *(p.stem for p in unnamed)]


def test_unknown_users_and_movies_still_get_in_scale_predictions(model):
    predicted = model.predict(np.array([1, 9999, 9999]), np.array([99999, 2, 99999]))
    assert np.isfinite(predicted).all() and ((predicted >= 0.5) & (predicted <= 5.0)).all()


def test_save_is_atomic_and_respects_overwrite(model, movierec_home):
    model.save("once")
    with pytest.raises(MovieRecError, match="already exists"):
        model.save("once", overwrite=False)
    leftovers = [p for p in (movierec_home / "models").iterdir() if p.suffix != ".pt"]
    assert leftovers == []


@pytest.mark.parametrize("name", ["../escape", "a/b", "a\\b", "", ".hidden", "x" * 81])
def test_model_names_with_separators_or_odd_shapes_are_refused(model, name):
    with pytest.raises(MovieRecError, match="Invalid model name"):
        model.save(name)


@pytest.mark.parametrize(
    ("dataset", "start"),
    [
        ("ml-latest-small", "ml-latest-small-tiny-"),
        ("..my ratings/é.csv", "my-ratings-.csv-tiny-"),
        ("///", "data-tiny-"),
    ],
)
def test_default_names_are_valid_model_names_made_from_the_dataset(dataset, start):
    name = default_name(dataset, "tiny")
    assert check_name(name) == name and name.startswith(start)


class Payload:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_a_pickled_object_is_refused_never_unpickled(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"format": "movierec-model", "boom": Payload()}, path)
    with pytest.raises(MovieRecError, match="not a movierec model file or is damaged"):
        load_model(path)


def test_foreign_truncated_and_tampered_files_are_refused(model, tmp_path):
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(MovieRecError, match="not a movierec model file"):
        load_model(foreign)

    good = model.save("good")
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(MovieRecError):
        load_model(truncated)

    payload = torch.load(good, weights_only=True)
    payload["state_dict"]["u.weight"] = torch.zeros(3, 3)  # shapes no longer match the config
    tampered = tmp_path / "tampered.pt"
    torch.save(payload, tampered)
    with pytest.raises(MovieRecError, match="damaged or was modified"):
        load_model(tampered)


# The metrics dict as the first models saved it: no refit, ranker or ranker timing yet, and a key this
# version does not read.
FIRST_METRICS = {
    "dataset": "synthetic",
    "n_ratings": 2000,
    "n_users": 80,
    "n_movies": 60,
    "n_train": 1520,
    "n_valid": 80,
    "n_test": 400,
    "n_test_cold": 0,
    "test_rmse": 0.41,
    "test_mae": 0.32,
    "valid_rmse": 0.43,
    "baselines": {"global_mean": {"rmse": 1.5, "mae": 1.4}, "user_movie_bias": {"rmse": 1.2, "mae": 1.0}},
    "epochs_run": 12,
    "best_epoch": 11,
    "stopped": False,
    "train_seconds": 1.5,
    "device": "cpu",
    "retired_note": "ignored",
}
TOP_TEN = {"precision_at_10": 0.3, "ndcg_at_10": 0.4, "liked_ndcg_at_10": 0.35}
LATER_KEYS = {
    "refit_epochs": 11,
    "ranking_seconds": 2.0,
    "ranking": {"suggestions": TOP_TEN, "most_popular": TOP_TEN},
}


def test_models_saved_with_the_metrics_dict_load_into_typed_results(model, tmp_path):
    payload = torch.load(model.save("dict-era"), weights_only=True)
    for name, metrics in (("first", FIRST_METRICS), ("latest", FIRST_METRICS | LATER_KEYS)):
        torch.save(payload | {"metrics": metrics}, tmp_path / f"{name}.pt")
    first, latest = (load_model(tmp_path / f"{name}.pt").results for name in ("first", "latest"))
    assert first.test_rmse == 0.41 and first.baselines.user_movie_bias.mae == 1.0
    assert first.refit_epochs == 0 and first.ranking_seconds == 0.0 and first.ranking is None
    assert latest.refit_epochs == 11 and latest.ranking.most_popular.ndcg_at_10 == 0.4
    expected = {key: value for key, value in (FIRST_METRICS | LATER_KEYS).items() if key != "retired_note"}
    assert latest.to_dict() == expected


def test_unknown_model_name_lists_the_saved_ones(model):
    model.save("known-one")
    with pytest.raises(MovieRecError, match="known-one"):
        load_model("missing")


def test_list_models_newest_first_filtered_by_dataset(model, movierec_home):
    model.created = "2026-01-01T00:00:00+00:00"
    model.save("older")
    other = tiny_model(planted_dataset(name="other-data"))
    other.created = "2026-02-01T00:00:00+00:00"
    other.save("newer")
    (movierec_home / "models" / "junk.pt").write_bytes(b"not a model")
    assert [info.name for info in list_models()] == ["newer", "older"]
    (info,) = list_models(dataset="synthetic")
    assert info.name == "older" and info.test_rmse == pytest.approx(model.results.test_rmse)
