from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from factories import planted_dataset, tiny_model

from movierec.artifacts import list_models, load_model
from movierec.errors import MovieRecError


@pytest.fixture(scope="module")
def model():
    return tiny_model()


def test_predictions_are_identical_after_save_and_load(model, movierec_home):
    users, movies = np.array([1, 2, 3, 80]), np.array([2, 3, 4, 60])
    path = model.save("round-trip")
    assert path == movierec_home / "models" / "round-trip.pt"
    loaded = load_model("round-trip")
    assert np.array_equal(model.predict(users, movies), loaded.predict(users, movies))
    assert loaded.config == model.config and loaded.metrics == model.metrics and loaded.history == model.history
    assert loaded.movies.equals(model.movies)
    assert load_model(path).name == "round-trip"


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
    assert info.name == "older" and info.test_rmse == pytest.approx(model.metrics["test_rmse"])
