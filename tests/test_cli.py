"""The command line end to end: datasets, train on the bundled data, a local folder and a download; bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from movierec.cli.commands import main
from movierec.model.artifacts import load_model
from tests.data_fixtures import pin_md5, write_release, zip_release

TINY_ARGS = ["--epochs", "2", "--n-factors", "8", "--hidden", "16", "--dropouts", "0.1", "--batch-size", "4096"]
REPORT_KEYS = {
    "dataset",
    "n_ratings",
    "n_users",
    "n_movies",
    "n_train",
    "n_valid",
    "n_test",
    "test_rmse",
    "test_mae",
    "valid_rmse",
    "baselines",
    "epochs_run",
    "best_epoch",
    "train_seconds",
    "device",
    "model_path",
}


def _train_json(capsys, *args: str) -> dict:
    assert main(["train", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_train_on_the_bundled_data_reports_and_saves(capsys, movierec_home):
    report = _train_json(capsys, *TINY_ARGS)
    assert set(report) >= REPORT_KEYS
    assert report["dataset"] == "ml-latest-small" and report["n_ratings"] == 100836
    assert report["n_train"] + report["n_valid"] + report["n_test"] == 100836
    assert report["device"] == "cpu" and report["epochs_run"] == 2
    assert report["test_rmse"] < report["baselines"]["global_mean"]["rmse"]
    model = load_model(report["model_path"])
    assert model.results.test_rmse == report["test_rmse"]
    assert str(movierec_home / "models") in report["model_path"]


def test_switches_turn_model_features_on_and_off(capsys):
    report = _train_json(capsys, *TINY_ARGS, "--no-implicit", "--no-refit", "--bias", "--epochs", "1")
    assert report["config"]["implicit"] is False and report["config"]["use_bias"] is True
    assert report["refit_epochs"] == 0


def test_out_names_the_file(capsys, tmp_path):
    report = _train_json(capsys, *TINY_ARGS, "--out", str(tmp_path / "mine.pt"))
    assert report["model_path"] == str(tmp_path / "mine.pt")


@pytest.mark.parametrize("nested", [True, False])
def test_data_dir_accepts_both_layouts(capsys, tmp_path, nested):
    write_release("ml-100k", tmp_path, nested=nested)
    report = _train_json(capsys, "--dataset", "ml-100k", "--data-dir", str(tmp_path), *TINY_ARGS, "--epochs", "1")
    assert report["dataset"] == "ml-100k" and report["n_ratings"] == 20


def test_a_missing_variant_downloads_once_then_loads_from_the_cache(capsys, release_server, monkeypatch):
    body = zip_release("ml-1m")
    pin_md5(monkeypatch, "ml-1m", body)
    release_server.serve("ml-1m", body)
    assert main(["train", "--dataset", "ml-1m", *TINY_ARGS, "--epochs", "1", "--json"]) == 0
    captured = capsys.readouterr()
    first = json.loads(captured.out.strip().splitlines()[-1])
    # a log (not a terminal) gets whole lines: the download's last one, each epoch, no carriage returns
    assert "downloading ml-1m: 100%" in captured.err and "epoch 1 of at most 1:" in captured.err
    assert "\r" not in captured.err
    release_server.files.clear()  # a second run must not need the network
    second = _train_json(capsys, "--dataset", "ml-1m", *TINY_ARGS, "--epochs", "1")
    assert first["n_ratings"] == second["n_ratings"] == 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "ml-5m"], "ml-latest-small"),
        (["--hidden", "10,10", "--dropouts", "0.5"], "one dropout per layer"),
        (["--hidden", "-3", "--dropouts", "0.5"], "hidden must be at least 1"),
        (["--hidden", "5,5,5", "--dropouts", "0.5,1.5,0.1"], "dropouts must be in [0, 1)"),
        (["--epochs", "0"], "epochs must be at least 1"),
        (["--out", "models/na me.pt"], "Invalid model name"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, args, message, movierec_home):
    code = main(["train", *args, *([] if "--epochs" in args else ["--epochs", "1"])])
    err = capsys.readouterr().err
    assert code == 2 and "error:" in err and message in err
    assert not (movierec_home / "models").exists() or not any((movierec_home / "models").iterdir())


def test_missing_files_in_data_dir_are_named(capsys, tmp_path):
    assert main(["train", "--dataset", "ml-1m", "--data-dir", str(tmp_path), "--epochs", "1"]) == 2
    assert "ratings.dat" in capsys.readouterr().err


def test_cuda_without_a_gpu_is_refused(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert main(["train", "--device", "cuda", "--epochs", "1"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_a_failed_run_leaves_saved_models_untouched(capsys, movierec_home):
    report = _train_json(capsys, *TINY_ARGS, "--epochs", "1")
    before = {p.name: p.read_bytes() for p in (movierec_home / "models").iterdir()}
    assert main(["train", "--dataset", "ml-1m", "--data-dir", "/nonexistent", "--epochs", "1"]) == 2
    assert {p.name: p.read_bytes() for p in (movierec_home / "models").iterdir()} == before
    assert report["model_path"]


def test_datasets_lists_every_variant(capsys):
    assert main(["datasets", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows][:2] == ["ml-latest-small", "ml-100k"]
    assert {r["name"] for r in rows if r["ready"]} == {"ml-latest-small"}


def test_module_entry_point_and_help():
    result = subprocess.run(
        [sys.executable, "-m", "movierec", "train", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for option in (
        "--data-dir",
        "--preset",
        "--hidden",
        "--dropouts",
        "--embedding-dropout",
        "--implicit",
        "--refit",
        "--device",
        "--test-size",
        "--out",
        "--json",
    ):
        assert option in result.stdout
