"""The Train page through AppTest: settings and validation, a background run, Stop, the result, Save."""

from __future__ import annotations

import os
import threading

import pytest
from app_support import APP, finish, open_app, problems, upload_planted, wait_until
from streamlit.testing.v1 import AppTest

from movierec.events import RANKER, PhaseEvent
from movierec.ui import runs, train_form
from movierec.ui.keys import MODEL_KEY

# A small network that trains in well under a second per epoch on the bundled data.
SMALL = {"train_n_factors": 8, "train_hidden": "16", "train_dropouts": "0.1", "train_batch_size": 4096}


def _set(at, **values):
    for key, value in values.items():
        widget = next(w for w in (*at.number_input, *at.text_input, *at.checkbox) if w.key == key)
        widget.set_value(value)
    return at.run()


def _start(at, **values):
    _set(at, **{**SMALL, **values})
    assert not at.button(key="train_start").disabled
    at.button(key="train_start").click().run()
    return at.session_state["train_run"]


def _texts(elements):
    return " ".join(e.value for e in elements)


def test_presets_fill_every_field_and_cuda_is_disabled_with_the_reason():
    at = open_app("train")
    assert at.number_input(key="train_n_factors").value == 64
    at.selectbox(key="train_preset").set_value("article").run()
    assert at.number_input(key="train_n_factors").value == 150
    assert at.text_input(key="train_hidden").value == "500, 500, 500"
    assert at.text_input(key="train_dropouts").value == "0.5, 0.5, 0.25"
    toggle = at.toggle(key="train_cuda")
    assert toggle.disabled and not toggle.value
    assert "CUDA unavailable" in _texts(at.caption)
    assert not problems(at)


def test_invalid_settings_are_named_next_to_their_fields_and_block_start():
    at = _set(open_app("train"), train_epochs=0, train_hidden="64, x", train_test_size=1.5)
    errors = _texts(at.error)
    assert "epochs must be at least 1" in errors
    assert "'64, x'" in errors
    assert "test_size must be between 0 and 1" in errors
    assert at.button(key="train_start").disabled
    _set(at, train_epochs=2, train_hidden="64, 32", train_test_size=0.2)
    assert "hidden has 2 layers but dropouts has 1" in _texts(at.error)
    assert at.button(key="train_start").disabled
    assert not problems(at)


def test_a_run_shows_progress_and_curves_then_stop_keeps_the_best_weights():
    at = open_app("train")
    run = _start(at, train_epochs=200, train_patience=200)
    assert at.button(key="train_start").disabled  # one run at a time
    wait_until(lambda: len(run.snapshot().epoch_events) >= 2)
    at.run()
    assert "Epoch" in at.get("progress")[0].proto.text
    charts = {chart.key for chart in at.get("plotly_chart")}
    assert {"train_loss_chart", "train_rmse_chart", "train_lr_chart"} <= charts
    at.switch_page("pages/overview.py").run()  # another page: the run goes on
    at.switch_page("pages/train.py").run()
    assert at.session_state["train_run"] is run and run.running
    assert at.number_input(key="train_epochs").value == 200  # the settings survive the page switch
    at.button(key="train_stop").click().run()
    wait_until(lambda: not run.running, timeout=5)  # within about a second of the current batch
    finish(at, run)
    assert run.snapshot().status == runs.STOPPED
    assert "Result: stopped early" in _texts(at.subheader)
    assert "You stopped this run" in _texts(at.warning)
    assert not at.button(key="train_start").disabled and not at.button(key="train_save").disabled
    assert not problems(at)


def test_a_finished_run_shows_the_result_and_save_updates_the_sidebar_at_once():
    at = open_app("train")
    run = _start(at, train_epochs=2)
    finish(at, run)
    assert "Result: finished" in _texts(at.subheader)
    labels = {metric.label: metric.value for metric in at.metric}
    assert float(labels["Test RMSE"]) < 1.2 and labels["Best epoch"].endswith("of 2")
    table = at.dataframe[0].value
    assert list(table.index) == sorted(table.index, key=lambda name: table.loc[name, "test RMSE"])
    assert {"This model", "Baseline: global mean", "Baseline: user + movie biases"} == set(table.index)
    assert 0 <= float(labels["P@10"]) <= 1 and 0 <= float(labels["nDCG@10"]) <= 1
    ranking = next(frame.value for frame in at.dataframe if "nDCG@10" in frame.value.columns)
    assert {"This model's suggestions", "Baseline: most-rated unseen movies"} == set(ranking.index)
    captions = _texts(at.caption)  # how the run went, phase by phase
    assert "Epochs: ran all 2 epochs" in captions and "Suggestion ranker fitted" in captions
    at.text_input(key="train_save_name").set_value("small-run").run()
    at.button(key="train_save").click().run()
    assert "Saved as small-run" in _texts(at.success)
    models = next(box for box in at.sidebar.selectbox if box.label == "Model")
    assert models.value == "small-run" and at.session_state[MODEL_KEY] == "small-run"
    # A saved run is not warned about its own file ...
    assert "already exists" not in _texts(at.warning)
    assert not [button for button in at.button if button.key == "train_save"]
    at.text_input(key="train_save_name").set_value("other-run").run()
    at.button(key="train_save").click().run()
    # ... but saving it over another existing name asks first.
    at.text_input(key="train_save_name").set_value("small-run").run()
    assert "already exists" in _texts(at.warning) and at.button(key="train_save").disabled
    at.checkbox(key="train_overwrite").check().run()
    at.button(key="train_save").click().run()
    assert "Saved as small-run" in _texts(at.success)
    at.text_input(key="train_save_name").set_value("other-run").run()
    assert not at.checkbox(key="train_overwrite").value  # a further replacement asks again
    at.text_input(key="train_save_name").set_value("../escape").run()
    assert "Invalid model name" in _texts(at.error)
    assert not problems(at)


@pytest.mark.parametrize(
    ("shape", "patch", "message"),
    [
        ({"n_users": 1, "per_user": 19}, None, "at least 20 are needed"),
        ({}, RuntimeError("disk on fire"), "Training failed unexpectedly: RuntimeError: disk on fire"),
    ],
)
def test_a_run_that_fails_in_the_worker_is_explained_in_plain_words(monkeypatch, shape, patch, message):
    if patch is not None:

        def broken(*args, **kwargs):
            raise patch

        monkeypatch.setattr(runs, "train_model", broken)
    at = upload_planted(open_app(), **shape)
    at.switch_page("pages/train.py").run()
    run = _start(at, train_epochs=2)
    finish(at, run)
    assert message in _texts(at.error) and "nothing was saved" in _texts(at.error)
    assert not problems(at)
    assert not at.button(key="train_start").disabled  # the app keeps working


def test_a_preset_handed_back_as_its_label_falls_back_to_the_default_preset(monkeypatch):
    state = {train_form.PRESET_KEY: next(iter(train_form.PRESET_LABELS.values()))}
    monkeypatch.setattr(train_form.st, "session_state", state)
    assert train_form.chosen_preset() == "default"
    train_form.apply_preset()  # the picker's callback
    assert state[train_form._key("epochs")] == train_form.PRESETS["default"].epochs


@pytest.mark.parametrize(("cores", "threads"), [(None, 1), (1, 1), (2, 1), (3, 2), (16, 4)])
def test_training_leaves_a_core_to_the_server_and_browser(monkeypatch, cores, threads):
    monkeypatch.setattr(runs.os, "cpu_count", lambda: cores)
    assert runs.training_threads() == threads


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="thread priorities are a POSIX feature")
def test_background_work_yields_the_cpu_to_page_runs_and_leaves_the_server_as_it_was():
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen = []

    class Measuring(runs.BackgroundJob):
        def work(self):
            seen.append(niceness())

    before = niceness()
    job = Measuring("Measuring").start()
    job.join(10)
    assert seen == [max(before, runs.BACKGROUND_NICENESS)]
    assert niceness() == before


def test_a_reloaded_page_finds_its_run_through_the_address_and_other_sessions_do_not():
    at = open_app("train")
    run = _start(at, train_epochs=200, train_patience=200)
    run_id = at.query_params["run"]
    reloaded = AppTest.from_file(APP, default_timeout=60)
    reloaded.query_params["run"] = run_id  # a browser reload keeps the address
    reloaded.run().switch_page("pages/train.py").run()
    stranger = open_app("train")
    try:
        assert reloaded.session_state["train_run"] is run
        assert reloaded.button(key="train_start").disabled  # the reloaded page sees the run going on
        assert "train_run" not in stranger.session_state
        assert not stranger.button(key="train_start").disabled
    finally:
        run.stop()
        run.join(timeout=30)


@pytest.fixture
def gate_in_the_ranker(monkeypatch):
    """Holds the worker at the ranker's first step until released: the page can be read in that phase."""
    reached, release = threading.Event(), threading.Event()
    real = runs.train_model

    def gated(*args, callbacks=(), **kwargs):
        def gate(event):
            if isinstance(event, PhaseEvent) and event.phase == RANKER and event.step == 1:
                reached.set()
                release.wait(60)

        return real(*args, callbacks=(*callbacks, gate), **kwargs)

    monkeypatch.setattr(runs, "train_model", gated)
    yield reached, release
    release.set()


def _progress_text(at):
    return at.get("progress")[0].proto.text


def _held_in_the_ranker(gate):
    """The Train page with a two-epoch run held at the ranker's first step, drawn there."""
    reached, _ = gate
    at = open_app("train")
    run = _start(at, train_epochs=2, train_patience=2)
    assert reached.wait(60)
    return at.run(), run


def test_the_page_names_the_ranker_phase_and_counts_no_finished_phase_in_the_time_left(gate_in_the_ranker):
    at, run = _held_in_the_ranker(gate_in_the_ranker)
    text = _progress_text(at)
    assert "Fitting the suggestion ranker: step 1 of 6" in text
    # nothing of this step can be counted yet, and the epochs are done: no time-left figure at all
    assert "left" not in text and "elapsed" in text
    assert "Epochs: ran all 2 epochs — best was" in _texts(at.caption)
    assert "without the suggestion ranker" in at.button(key="train_stop").help and not problems(at)
    run.stop()  # the rest of the run is the next test's
    gate_in_the_ranker[1].set()
    run.join(timeout=60)


def test_stop_while_the_ranker_fits_ends_the_run_and_keeps_the_network(gate_in_the_ranker):
    at, run = _held_in_the_ranker(gate_in_the_ranker)
    at.button(key="train_stop").click().run()
    assert "stopping: the trained network is kept without the suggestion ranker" in _progress_text(at)
    gate_in_the_ranker[1].set()
    finish(at, run)
    snap = run.snapshot()
    assert snap.status == runs.STOPPED and snap.model.ranker is None and snap.model.results.epochs_run == 2
    assert "Result: stopped early" in _texts(at.subheader)
    warning = _texts(at.warning)
    assert "while fitting the suggestion ranker, after 2 epoch(s)" in warning
    assert "kept without the suggestion ranker" in warning
    assert "ordered by predicted rating" in _texts(at.caption)
    assert "Fitting the suggestion ranker: stopped by you" in _texts(at.caption)
    assert not at.button(key="train_save").disabled and not problems(at)
