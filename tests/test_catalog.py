"""The model catalog and store: rows read from the files, deleting into the trash, renaming, restoring."""

from __future__ import annotations

import copy
import os

import pytest

from movierec.config import DEFAULT
from movierec.errors import MovieRecError
from movierec.model.artifacts import list_models, load_model, resolve_model_path
from movierec.model.catalog import model_catalog, settings_text
from movierec.model.store import delete_model, empty_trash, rename_model, restore_model, restore_trashed, trashed_models
from tests.factories import TINY, planted_dataset, tiny_model


@pytest.fixture(scope="module")
def model():
    return tiny_model(planted_dataset(), config=TINY.with_changes(epochs=3))


def _offered(home) -> set[str]:
    """Names the model pickers offer, and names a file of the models folder answers to."""
    return {info.name for info in list_models()} | {path.stem for path in (home / "models").glob("*.pt")}


def test_a_row_carries_the_files_settings_scores_and_history(model):
    model.save("tiny-run")
    (row,) = model_catalog().rows
    results = model.results
    assert (row.name, row.dataset, row.preset, row.compared_with) == ("tiny-run", "synthetic", "tiny", "default")
    changed = dict(row.changed)
    assert changed["n_factors"] == 8 and changed["hidden"] == (16,)
    assert "use_bias" not in changed  # on in both the default preset and this model
    record = row.record()
    assert "device" not in changed and record["device"] == "cpu"  # where it ran has its own column
    assert record["test_rmse"] == results.test_rmse and record["test_mae"] == results.test_mae
    assert record["p_at_10"] == results.ranking.suggestions.precision_at_10
    assert record["ndcg_at_10_most_popular"] == results.ranking.most_popular.ndcg_at_10
    assert (record["epochs"], record["best_epoch"]) == (results.epochs_run, results.best_epoch)
    assert record["settings_changed"]["hidden"] == [16]  # JSON-ready
    assert [p.epoch for p in row.history] == list(range(1, results.epochs_run + 1))
    assert row.history[0].train_loss == pytest.approx(model.history[0]["train_rmse"] ** 2)
    assert row.history[-1].valid_rmse == model.history[-1]["valid_rmse"]
    assert row.info().test_rmse == results.test_rmse


def test_settings_are_compared_with_the_models_own_preset(model):
    tuned = copy.copy(model)
    tuned.preset = "default"
    tuned.config = DEFAULT.with_changes(lr=0.01, hidden=(32, 16), dropouts=(0.1, 0.1))
    tuned.save("tuned")
    (row,) = model_catalog().rows
    assert row.compared_with == "default"
    assert settings_text(row.changed) == "hidden 32,16, dropouts 0.1,0.1, lr 0.01"
    plain = copy.copy(model)
    plain.preset, plain.config = "default", DEFAULT
    plain.save("plain", overwrite=True)
    assert next(r for r in model_catalog().rows if r.name == "plain").changed == ()


def test_rows_are_newest_first_and_filtered_by_dataset(model):
    for name, created, dataset in (("old", "2026-01-01T00:00:00", "a"), ("new", "2026-02-01T00:00:00", "b")):
        other = copy.copy(model)
        other.created, other.dataset = created, dataset
        other.save(name)
    assert [row.name for row in model_catalog().rows] == ["new", "old"]
    assert [row.name for row in model_catalog(dataset="a").rows] == ["old"]
    assert model_catalog(dataset="none").rows == []


def test_damaged_files_are_named_and_the_others_still_listed(model, movierec_home):
    model.save("good")
    folder = movierec_home / "models"
    (folder / "broken.pt").write_bytes(b"not a model at all")
    history_edited = copy.copy(model)
    history_edited.history = [{"epoch": "x"}]  # an unreadable history hides the curves, not the model
    history_edited.save("odd-history")
    catalog = model_catalog()
    assert sorted(row.name for row in catalog.rows) == ["good", "odd-history"]
    assert next(r for r in catalog.rows if r.name == "odd-history").history == ()
    ((file_name, reason),) = catalog.damaged
    assert file_name == "broken.pt" and "not a movierec model file" in reason
    assert str(folder) not in reason  # visitors see the file's name, not the server's folders


def test_a_deleted_model_leaves_no_file_the_pickers_offer_and_comes_back(model, movierec_home):
    model.save("keep")
    model.save("gone")
    entry = delete_model("gone")
    assert _offered(movierec_home) == {"keep"}
    with pytest.raises(MovieRecError, match="No saved model 'gone'"):
        resolve_model_path("gone")
    assert [(t.name, t.dataset) for t in trashed_models()] == [("gone", "synthetic")]
    assert trashed_models(dataset="other") == []
    assert entry.path.parent == movierec_home / "models" / "trash"
    restore_model("gone")
    assert _offered(movierec_home) == {"keep", "gone"} and trashed_models() == []
    assert load_model("gone").results.test_rmse == model.results.test_rmse


def test_deleting_an_unknown_or_bad_name_changes_nothing(model, movierec_home):
    model.save("keep")
    with pytest.raises(MovieRecError, match=r"No saved model 'nope'\. Saved models: keep\."):
        delete_model("nope")
    with pytest.raises(MovieRecError, match="Invalid model name"):
        delete_model("../keep")
    assert _offered(movierec_home) == {"keep"} and trashed_models() == []


def test_restore_is_refused_while_the_name_is_taken_and_restores_the_last_deleted(model):
    model.save("twice")
    first = delete_model("twice")
    model.save("twice")
    with pytest.raises(MovieRecError, match="already exists; rename or delete it first"):
        restore_trashed(first)
    delete_model("twice")
    assert [t.name for t in trashed_models()] == ["twice", "twice"]
    restored = restore_model("twice")
    assert restored.name == "twice.pt"
    assert [t.path for t in trashed_models()] == [first.path]  # the earlier deletion waits in the trash
    with pytest.raises(MovieRecError, match=r"No deleted model 'other' in the trash\. Deleted models: twice\."):
        restore_model("other")


def test_rename_keeps_the_file_and_follows_the_save_rules(model, movierec_home):
    model.save("first")
    model.save("second")
    before = os.stat(movierec_home / "models" / "first.pt")
    path = rename_model("first", "renamed")
    assert os.stat(path).st_ino == before.st_ino  # the same file under a new name: nothing rewritten
    assert _offered(movierec_home) == {"renamed", "second"}
    assert load_model("renamed").name == "renamed"
    with pytest.raises(MovieRecError, match="A model named 'second' already exists"):
        rename_model("renamed", "second")
    with pytest.raises(MovieRecError, match="Invalid model name"):
        rename_model("renamed", "has space")
    with pytest.raises(MovieRecError, match="No saved model 'first'"):
        rename_model("first", "third")
    assert _offered(movierec_home) == {"renamed", "second"}


def test_emptying_the_trash_erases_only_that_datasets_models(model, movierec_home):
    model.save("mine")
    other = copy.copy(model)
    other.dataset = "elsewhere"
    other.save("theirs")
    delete_model("mine")
    delete_model("theirs")
    assert empty_trash(dataset="synthetic") == 1
    assert [t.name for t in trashed_models()] == ["theirs"]
    assert _offered(movierec_home) == set()
