"""A model file saved by an earlier version of the package still loads and answers exactly as it did then.

``fixtures/saved-before-stage-packages.pt`` was written before the package was cut into stage folders
(a small default-preset model with its suggestion ranker, on 150 movies of the bundled release); the JSON
beside it holds what that version predicted and suggested from it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from movierec import load_model
from movierec.suggest.recommend import recommend

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def saved():
    expected = json.loads((FIXTURES / "saved-before-stage-packages.json").read_text())
    return load_model(FIXTURES / "saved-before-stage-packages.pt"), expected


def test_the_older_file_predicts_exactly_as_before(saved):
    model, expected = saved
    users, movies = np.array(expected["pairs"]).T
    assert model.predict(users, movies).tolist() == expected["predictions"]
    assert model.results.test_rmse == expected["test_rmse"]


def test_the_older_file_suggests_exactly_as_before(saved):
    model, expected = saved
    profile = {int(movie): rating for movie, rating in expected["profile"].items()}
    assert model.ranker is not None
    assert recommend(model, profile).table["movie_id"].tolist() == expected["suggested_ids"]
