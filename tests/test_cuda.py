"""The CUDA path on a real GPU: training, saving for a machine without one, suggestions, the Train page, Stop,
and a run that does not fit in the GPU's memory. Run with ``python -m pytest -m cuda`` on a GPU machine;
everywhere else these tests are skipped with the reason."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from app_support import finish, open_app, problems, wait_until

from movierec.cli.commands import main
from movierec.data import load_movielens
from movierec.errors import MovieRecError
from movierec.events import EpochEvent, Event
from movierec.model.artifacts import load_model
from movierec.pipeline import train_model
from movierec.suggest.recommend import Filters, recommend
from tests.factories import TINY

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs an NVIDIA GPU and a CUDA build of torch"),
]
ROOT = Path(__file__).resolve().parent.parent
# Small enough for seconds on a GPU, large enough that the test RMSE means something.
SMALL = TINY.with_changes(n_factors=32, hidden=(64,), dropouts=(0.2,), lr=1e-2, batch_size=2048, epochs=8, patience=3)


@pytest.fixture(scope="module")
def bundled():
    return load_movielens("ml-latest-small")


@pytest.fixture(scope="module")
def cuda_model(bundled):
    return train_model(bundled, SMALL.with_changes(device="cuda"), preset="small")


def test_a_cuda_run_scores_like_the_cpu_run_of_the_same_seed(bundled, cuda_model):
    cpu_model = train_model(bundled, SMALL.with_changes(device="cpu"), preset="small")
    assert cuda_model.results is not None and cpu_model.results is not None
    assert cuda_model.results.device.startswith("cuda")
    # Same split and seed; the batch order and the kernels differ, so the runs are close, not equal.
    assert abs(cuda_model.results.test_rmse - cpu_model.results.test_rmse) < 0.02


def test_a_cuda_model_loads_and_predicts_identically_where_there_is_no_gpu(cuda_model, tmp_path):
    path = cuda_model.save("cuda-small", directory=tmp_path)
    users, movies = [1, 2, 3, 610], [1, 318, 296, 2571]
    here = load_model(path).predict(users, movies)
    script = (
        "import json, sys, torch\n"
        "from movierec.model.artifacts import load_model\n"
        "assert not torch.cuda.is_available()\n"
        f"print(json.dumps(load_model(sys.argv[1]).predict({users}, {movies}).tolist()))\n"
    )
    environment = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    elsewhere = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert np.array_equal(np.array(json.loads(elsewhere.stdout), dtype=here.dtype), here)
    np.testing.assert_allclose(cuda_model.predict(users, movies), here, atol=1e-5)


def test_fold_in_and_suggestions_from_a_cuda_trained_model(cuda_model):
    ratings = {1: 5.0, 318: 4.5, 296: 4.0, 2571: 5.0, 260: 4.5}
    for order in ("ranking", "rating"):
        suggestions = recommend(cuda_model, ratings, top_n=10, filters=Filters(min_ratings=0), order=order)
        table = suggestions.table
        assert not suggestions.popular and len(table) == 10
        assert not set(table["movie_id"]) & ratings.keys()
        assert table["predicted"].between(0.5, 5.0).all()


def _first_epoch_stops(stop: threading.Event):
    def callback(event: Event) -> None:
        if isinstance(event, EpochEvent):
            stop.set()

    return callback


def test_stop_during_a_cuda_run_keeps_the_best_weights(bundled):
    stop = threading.Event()
    config = SMALL.with_changes(device="cuda", epochs=200, patience=200)
    model = train_model(bundled, config, preset="small", callbacks=(_first_epoch_stops(stop),), stop=stop)
    assert model.results is not None
    assert model.results.stopped and model.results.best_epoch == 1 and model.results.epochs_run == 1
    assert np.isfinite(model.predict([1], [1])).all()


def test_the_train_page_with_the_cuda_toggle_on_trains_to_a_result():
    at = open_app("train")
    toggle = at.toggle(key="train_cuda")
    assert not toggle.disabled and toggle.value and torch.cuda.get_device_name(0) in toggle.label
    for key, value in {"train_n_factors": 16, "train_hidden": "32", "train_dropouts": "0.1", "train_epochs": 3}.items():
        next(w for w in (*at.number_input, *at.text_input) if w.key == key).set_value(value)
    at.run()
    at.button(key="train_start").click().run()
    run = at.session_state["train_run"]
    wait_until(lambda: not run.running, timeout=300)
    finish(at, run)
    assert "Device cuda" in " ".join(c.value for c in at.caption)
    assert not problems(at)


def _fill_the_gpu(leave_bytes: int) -> torch.Tensor:
    free, _total = torch.cuda.mem_get_info()
    return torch.empty(max(0, free - leave_bytes), dtype=torch.uint8, device="cuda")


def test_a_release_larger_than_the_free_gpu_memory_is_refused_in_words(capsys):
    blocker = _fill_the_gpu(leave_bytes=64 << 20)
    try:  # 512 factors: the tables and Adam's state alone take about 85 MB
        assert main(["train", "--device", "cuda", "--epochs", "1", "--n-factors", "512"]) == 2
    finally:
        del blocker
        torch.cuda.empty_cache()
    error = capsys.readouterr().err
    assert "GiB of GPU memory" in error and "Traceback" not in error


def test_running_out_of_gpu_memory_mid_run_is_an_error_in_words(bundled):
    torch.cuda.set_per_process_memory_fraction(64 / (torch.cuda.mem_get_info()[1] / 2**20))  # a 64 MB cap
    try:
        with pytest.raises(MovieRecError, match="ran out of memory"):
            train_model(bundled, SMALL.with_changes(device="cuda", n_factors=1024, hidden=(1024,)), preset="big")
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
        torch.cuda.empty_cache()
