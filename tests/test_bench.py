"""The bench command on a tiny planted dataset: it runs, lists every model, and its JSON parses."""

from __future__ import annotations

import json

import pytest
import torch
from factories import TINY, planted_dataset

import movierec.cli.bench
from movierec.bench.accuracy import MODELS, run_bench
from movierec.cli.commands import main

KEYS = {
    "model",
    "test_rmse",
    "test_mae",
    "epochs",
    "train_seconds",
    "ratings_per_second",
    "peak_memory_mb",
    "time_ratio_to_article",
}


def test_bench_prints_every_model_and_json(monkeypatch, capsys):
    monkeypatch.setattr(movierec.cli.bench, "load_dataset", lambda args: planted_dataset())
    assert main(["bench", "--max-epochs", "2", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    table = "\n".join(lines[:-1])
    for model in MODELS:
        assert f"| {model} |" in table
    report = json.loads(lines[-1])
    assert report["dataset"] == "synthetic" and "seed 1" in report["protocol"]
    assert [row["model"] for row in report["results"]] == list(MODELS)
    for row in report["results"]:
        assert set(row) == KEYS
        assert 0 < row["test_rmse"] < 5 and row["train_seconds"] > 0
    article = next(row for row in report["results"] if row["model"] == "article")
    assert article["time_ratio_to_article"] == 1.0


def test_bench_rejects_zero_repeats(monkeypatch, capsys):
    monkeypatch.setattr(movierec.cli.bench, "load_dataset", lambda args: planted_dataset())
    assert main(["bench", "--repeat", "0"]) == 2
    assert "--repeat" in capsys.readouterr().err


def test_bench_on_folds_reports_their_mean():
    dataset = planted_dataset()
    ratings = dataset.ratings
    folds = [(ratings[ratings.index % 2 != k], ratings[ratings.index % 2 == k]) for k in (0, 1)]
    report = run_bench(dataset, folds=folds, max_epochs=1)
    assert "2 fixed folds" in report["protocol"]
    assert {row["model"] for row in report["results"]} == set(MODELS)


def test_bench_fold_in_times_every_case_and_prints_json(monkeypatch, capsys):
    import movierec.bench.foldin as bench_foldin

    monkeypatch.setattr(movierec.cli.bench, "load_dataset", lambda args: planted_dataset())
    monkeypatch.setattr(bench_foldin, "LARGEST", ("large size", 300, 200))
    monkeypatch.setattr(bench_foldin, "TIMINGS", 1)
    monkeypatch.setattr(bench_foldin, "preset", lambda name: TINY if name == "default" else None)
    assert main(["bench", "--fold-in", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("| model | movies |") and len(lines) == 2 + 6 + 1
    rows = json.loads(lines[-1])["fold_in"]
    assert [(r["model"], r["ratings"]) for r in rows] == [
        (name, count) for name in ("synthetic", "large size") for count in bench_foldin.RATING_COUNTS
    ]
    assert rows[-1]["movies"] == 200 and rows[-1]["users"] == 300
    assert all(r["fold_in_ms"] > 0 and r["recommend_ms"] > 0 for r in rows)


def test_spread_over_seeds_and_seed_lists():
    import argparse

    from movierec.bench.accuracy import MODELS, format_spread
    from movierec.cli.bench import _seed_list

    reports = [{"results": [{"model": m, "test_rmse": 0.80 + 0.01 * k} for m in MODELS]} for k in range(3)]
    table = format_spread(reports, (1, 2, 3))
    assert "| default | 0.8100 | 0.0100 | 0.8000 | 0.8200 |" in table
    assert _seed_list("1, 2,3") == (1, 2, 3)
    with pytest.raises(argparse.ArgumentTypeError, match="1,2,3"):
        _seed_list("one")


def test_scale_bench_names_its_device_and_has_no_gpu_peak_on_the_cpu(monkeypatch):
    from movierec.bench import scale as bench_scale

    monkeypatch.setattr(bench_scale, "ML25M_USERS", 10 * bench_scale.ML25M_USERS)  # a small release needs more users
    report = bench_scale.run_scale_bench(20_000, presets=("default",), device="cpu")
    assert report["device"] == "cpu" and report["n_ratings"] == 20_000
    (result,) = report["results"]
    assert result["preset"] == "default" and result["ratings_per_s"] > 0 and "gpu_peak_mb" not in result
    table = bench_scale.format_scale_table(report, threads=1)
    assert "on cpu, 1 torch CPU thread(s)" in table and table.splitlines()[-1].endswith("| – |")


def test_bench_device_is_for_scale_only_and_cuda_needs_a_gpu(capsys):
    assert main(["bench", "--device", "cpu"]) == 2
    assert "--device would be ignored by the accuracy benchmark" in capsys.readouterr().err
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert main(["bench", "--scale", "--device", "cuda", "--ratings", "20000"]) == 2
    assert "no CUDA device" in capsys.readouterr().err
