"""``python -m movierec models``: the list (text and JSON), delete, rename, restore and their exit codes."""

from __future__ import annotations

import copy
import json

import pytest

from movierec.cli.commands import main
from movierec.model.artifacts import list_models
from tests.factories import TINY, planted_dataset, tiny_model


@pytest.fixture(scope="module")
def model():
    return tiny_model(planted_dataset(), config=TINY.with_changes(epochs=2))


@pytest.fixture
def saved(model):
    """Two models of the planted data and one of another dataset."""
    model.save("alpha")
    model.save("beta")
    other = copy.copy(model)
    other.dataset = "elsewhere"
    other.save("gamma")
    return model


def _names() -> set[str]:
    return {info.name for info in list_models()}


def test_json_lists_every_model_with_its_scores(saved, capsys):
    assert main(["models", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in records} == {"alpha", "beta", "gamma"}
    alpha = next(r for r in records if r["name"] == "alpha")
    assert alpha["test_rmse"] == saved.results.test_rmse and alpha["epochs"] == saved.results.epochs_run
    assert alpha["settings_changed"]["hidden"] == [16] and alpha["compared_with"] == "default"
    assert main(["models", "--dataset", "elsewhere", "--json"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == ["gamma"]


def test_the_text_table_has_a_header_and_a_line_per_model(saved, capsys):
    assert main(["models", "--dataset", "synthetic"]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["name", "dataset", "preset", "settings"]
    assert sorted(line.split()[0] for line in lines) == ["alpha", "beta"]
    assert "vs default: n_factors 8, hidden 16, dropouts 0.1" in lines[0]
    assert f"{saved.results.test_rmse:.4f}" in lines[0]


def test_an_empty_list_says_how_to_get_a_model(capsys):
    assert main(["models"]) == 0
    assert "No saved models yet" in capsys.readouterr().out


def test_a_damaged_file_is_named_on_stderr_and_the_rest_listed(saved, movierec_home, capsys):
    (movierec_home / "models" / "broken.pt").write_bytes(b"junk")
    assert main(["models", "--json"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 3
    assert "skipped broken.pt" in captured.err


def test_delete_moves_into_the_trash_and_restore_brings_back(saved, capsys):
    assert main(["models", "delete", "alpha"]) == 0
    assert "models restore alpha" in capsys.readouterr().out
    assert _names() == {"beta", "gamma"}
    assert main(["models", "restore", "alpha"]) == 0
    assert _names() == {"alpha", "beta", "gamma"}


def test_rename_gives_the_model_its_new_name(saved, capsys):
    assert main(["models", "rename", "alpha", "alpha-2"]) == 0
    assert "renamed alpha to alpha-2" in capsys.readouterr().out
    assert _names() == {"alpha-2", "beta", "gamma"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["models", "delete", "nope"], "No saved model 'nope'. Saved models: alpha, beta, gamma."),
        (["models", "rename", "nope", "new"], "No saved model 'nope'"),
        (["models", "rename", "alpha", "bad name"], "Invalid model name 'bad name'"),
        (["models", "rename", "alpha", "../escape"], "Invalid model name '../escape'"),
        (["models", "rename", "alpha", "beta"], "A model named 'beta' already exists"),
        (["models", "restore", "alpha"], "No deleted model 'alpha' in the trash"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_changes_nothing(saved, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert _names() == {"alpha", "beta", "gamma"}


def test_empty_trash_erases_the_deleted_models(saved, capsys):
    assert main(["models", "delete", "beta"]) == 0
    assert main(["models", "empty-trash"]) == 0
    assert "erased 1 deleted model(s)" in capsys.readouterr().out
    assert main(["models", "restore", "beta"]) == 2
