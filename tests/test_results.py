"""Training results: typed values whose plain dict is what models save and `train --json` prints."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
import torch

from movierec.results import Baselines, ErrorScores, RankingScores, TopTenScores, TrainingResults

RESULTS = TrainingResults(
    dataset="ml-latest-small",
    n_ratings=100836,
    n_users=610,
    n_movies=9742,
    n_train=76636,
    n_valid=4033,
    n_test=20167,
    n_test_cold=913,
    test_rmse=0.887,
    test_mae=0.683,
    valid_rmse=0.881,
    baselines=Baselines(ErrorScores(1.0485, 0.84), ErrorScores(0.875, 0.67)),
    epochs_run=2,
    refit_epochs=2,
    best_epoch=2,
    stopped=False,
    train_seconds=4.7,
    device="cpu",
    ranking_seconds=57.4,
    ranking=RankingScores(TopTenScores(0.313, 0.373, 0.302), TopTenScores(0.156, 0.183, 0.152)),
)


@pytest.mark.parametrize("results", [RESULTS, replace(RESULTS, ranking=None, ranking_seconds=0.0)])
def test_to_dict_and_from_dict_round_trip(results, tmp_path):
    saved = results.to_dict()
    assert TrainingResults.from_dict(saved) == results
    torch.save(saved, tmp_path / "results.pt")  # the form a model file holds, loaded as model files are
    assert TrainingResults.from_dict(torch.load(tmp_path / "results.pt", weights_only=True)) == results


def test_the_dict_nests_plain_values_and_writes_no_ranking_as_empty():
    saved = replace(RESULTS, ranking=None).to_dict()
    assert saved["baselines"] == {
        "global_mean": {"rmse": 1.0485, "mae": 0.84},
        "user_movie_bias": {"rmse": 0.875, "mae": 0.67},
    }
    assert saved["ranking"] == {}
    assert json.loads(json.dumps(saved)) == saved


def test_a_missing_validation_score_stays_nan():
    saved = replace(RESULTS, valid_rmse=math.nan).to_dict()
    assert math.isnan(TrainingResults.from_dict(saved).valid_rmse)


def test_a_value_every_version_saves_must_be_there():
    saved = RESULTS.to_dict()
    del saved["test_rmse"]
    with pytest.raises(KeyError):
        TrainingResults.from_dict(saved)
