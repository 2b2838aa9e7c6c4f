"""A run's phases as events: how fit() ended, the ranker's and the scoring's steps, Stop in each, and time left."""

from __future__ import annotations

import io
import math
import threading

import pytest
from factories import TINY, planted_dataset

from movierec.cli.progress import CountProgress, TrainingProgress
from movierec.events import (
    ALL_EPOCHS,
    EPOCHS,
    PATIENCE,
    RANKER,
    SCORING,
    STOPPED,
    BatchEvent,
    EpochEvent,
    FitEndEvent,
    PhaseEvent,
    StopEvent,
)
from movierec.phases import RunPhases
from movierec.pipeline import train_model
from movierec.suggest.fit_ranker import FOLDING

CONFIG = TINY.with_changes(epochs=3, patience=3)


@pytest.fixture(scope="module")
def recorded():
    """One small run, its events in order, and the model."""
    events: list = []
    model = train_model(planted_dataset(), CONFIG, callbacks=(events.append,))
    return events, model


def _steps(events, phase):
    return [e for e in events if isinstance(e, PhaseEvent) and e.phase == phase]


def test_fit_ends_with_one_event_that_says_how_the_epochs_ended(recorded):
    events, model = recorded
    ends = [e for e in events if isinstance(e, FitEndEvent)]
    assert len(ends) == 1 and ends[0].ended == ALL_EPOCHS
    assert ends[0].summary() == f"ran all 3 epochs — best was {model.results.best_epoch}"
    # the end of the epochs comes after the last batch and epoch, before the ranker's first step
    assert events.index(ends[0]) > max(i for i, e in enumerate(events) if isinstance(e, BatchEvent | EpochEvent))
    assert events.index(ends[0]) < events.index(_steps(events, RANKER)[0])
    assert FitEndEvent(17, 100, 7, PATIENCE).summary() == "stopped early at epoch 17 — best was 7"
    assert FitEndEvent(5, 100, 4, STOPPED).summary() == "stopped by you at epoch 5 — best was 4"


def test_epoch_events_bound_the_epochs_by_the_patience_after_the_best():
    events: list = []
    config = TINY.with_changes(lr=0.3, epochs=12, patience=2)  # a high lr overfits fast
    model = train_model(planted_dataset(per_user=10), config, callbacks=(events.append,), ranking=False)
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    assert all(e.last_possible == min(12, e.best_epoch + 2) for e in epochs)
    end = next(e for e in events if isinstance(e, FitEndEvent))
    assert end.ended == PATIENCE and end.epochs_run == epochs[-1].last_possible == model.results.epochs_run


def test_the_ranker_reports_each_step_with_its_real_count_then_the_scoring(recorded):
    events, model = recorded
    ranker = _steps(events, RANKER)
    assert {e.n_steps for e in ranker} == {6}
    starts = [e for e in ranker if e.done == 0]
    assert [e.step for e in starts] == list(range(1, 7))
    assert [e.step for e in ranker] == sorted(e.step for e in ranker)
    folding = [e for e in ranker if e.what == FOLDING and e.done]
    # its parts are the validation users folded in, every one of them
    assert [e.done for e in folding] == list(range(1, folding[-1].total + 1))
    scoring = _steps(events, SCORING)
    assert events.index(scoring[0]) > events.index(ranker[-1])
    assert [e.step for e in scoring if e.done == 0] == [1, 2] and scoring[-1].done == scoring[-1].total > 0
    assert model.ranker is not None and model.results.ranking is not None and not model.results.stopped


def _stopped_run(phase, step):
    """A run whose stop flag is set at ``step`` of ``phase``; its events after that, and the model."""
    stop, events = threading.Event(), []

    def stop_there(event):
        events.append(event)
        if isinstance(event, PhaseEvent) and (event.phase, event.step) == (phase, step):
            stop.set()

    model = train_model(planted_dataset(), CONFIG, callbacks=(stop_there,), stop=stop)
    first = next(i for i, e in enumerate(events) if isinstance(e, PhaseEvent) and (e.phase, e.step) == (phase, step))
    return events[first:], model


def test_a_stop_while_the_ranker_fits_keeps_the_network_without_a_ranker():
    after, model = _stopped_run(RANKER, 4)  # folding validation users in
    assert StopEvent(RANKER) in after
    # promptly: no further ranker step begins, and at most one more user was folded in
    assert {e.step for e in _steps(after, RANKER)} == {4} and len(_steps(after, RANKER)) <= 2
    assert model.ranker is None and model.results.ranking is None and model.results.stopped
    assert model.results.epochs_run == 3 and model.results.test_rmse < model.results.baselines.global_mean.rmse


def test_a_stop_while_scoring_keeps_the_ranker_without_its_top_ten_scores():
    after, model = _stopped_run(SCORING, 2)
    assert StopEvent(SCORING) in after
    assert model.ranker is not None and model.results.ranking is None and model.results.stopped


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_time_left_comes_from_the_current_phase_alone():
    clock = Clock()
    phases = RunPhases(epochs=100, patience=10, clock=clock)
    for epoch in (1, 2):  # two epochs of 10 batches, 10 s each
        for batch in range(1, 11):
            clock.now = (epoch - 1) * 10 + batch
            phases(BatchEvent(epoch, batch, 10, 1.0, 1e-3))
        phases(EpochEvent(epoch, 100, 1.0, 1.0, 1e-3, 10.0, 2, 0.9, last_possible=12))
    position = phases.position()
    assert position.phase == EPOCHS and position.text == "Epoch 2 of at most 12 · batch 10/10"
    # the pace since the first batch (19 s for two epochs) times the ten epochs early stopping still allows
    assert position.seconds_left == pytest.approx(95.0) and position.left_text().startswith("at most")
    clock.now = 200.0  # the epochs end long after; then the ranker's step 5 with 200 parts begins
    phases(FitEndEvent(2, 100, 2, PATIENCE))
    assert phases.position().seconds_left is None and phases.position().text == "Preparing the next phase…"
    phases(PhaseEvent(RANKER, 5, 7, "predicting ratings for validation users", 0, 200))
    clock.now = 210.0
    phases(PhaseEvent(RANKER, 5, 7, "predicting ratings for validation users", 50, 200))
    position = phases.position()
    assert position.seconds_left == pytest.approx(30.0)  # 10 s for 50 parts, 150 to go: nothing of the epochs
    assert position.left_text() == "about 0:30 left in this step"
    assert position.fraction == pytest.approx((4 + 0.25) / 7)
    assert position.text.startswith("Fitting the suggestion ranker: step 5 of 7")
    clock.now = 250.0  # the time left never goes below zero, nor rises as the clock runs
    assert phases.position().seconds_left == 0.0
    assert [f.line() for f in position.finished] == ["Epochs: stopped early at epoch 2 — best was 2 (3:19)"]


def test_the_command_line_progress_names_every_phase(recorded):
    events, _ = recorded
    stream = io.StringIO()
    progress = TrainingProgress(CONFIG, stream=stream)
    for event in events:
        progress(event)
    progress.saving()
    text = stream.getvalue()
    assert "epoch 1 of at most 3" in text and "Epochs: ran all 3 epochs — best was" in text
    for step in range(1, 7):
        assert f"Fitting the suggestion ranker: step {step} of 6" in text
    assert "Suggestion ranker fitted" not in text  # a non-TTY prints each step once, as it begins
    assert "Scoring the test users: step 2 of 2 — top-10 lists of" in text
    assert "Saving the model" in text and "at most 0:" in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _screen(text: str) -> list[str]:
    """What a terminal shows of ``text``: each line as its last carriage return left it."""
    return [line.split("\r")[-1].rstrip() for line in text.split("\n") if line.split("\r")[-1].strip()]


def test_on_a_terminal_the_progress_redraws_in_place_and_each_step_keeps_its_last_line(recorded):
    events, _ = recorded
    stream = _Terminal()
    progress = TrainingProgress(CONFIG, stream=stream)
    for event in events:
        progress(event)
    progress.saving()
    text, screen = stream.getvalue(), _screen(stream.getvalue())
    assert "\r" in text and text.endswith("\n")
    assert [line for line in screen if line.startswith("epoch ")][-1].startswith("epoch 3 of at most 3: train RMSE")
    assert "Epochs: ran all 3 epochs — best was" in " ".join(screen)
    for step in range(1, 7):  # each step once, as its bar last stood
        kept = [line for line in screen if line.startswith(f"Fitting the suggestion ranker: step {step} of 6")]
        assert len(kept) == 1 and "elapsed" in kept[0]
    assert screen[-1].startswith("Saving the model: step 1 of 1")


def test_counted_work_redraws_on_a_terminal_and_writes_whole_lines_elsewhere():
    log = io.StringIO()
    progress = CountProgress("writing ratings", log, every=0.0, unit=" ratings", unit_scale=True)
    progress(2_000_000, 5_000_000)
    progress(5_000_000, 5_000_000)
    assert log.getvalue().splitlines()[0].startswith("writing ratings:  40% 2.00M/5.00M")
    assert len(log.getvalue().splitlines()) == 2 and "\r" not in log.getvalue()
    quiet = io.StringIO()
    progress = CountProgress("parsing", quiet, every=math.inf)
    for done in (10, 20, 30):
        progress(done, 30)
    assert quiet.getvalue().splitlines() == [quiet.getvalue().strip()]  # only the last: the whole job's line
    assert quiet.getvalue().startswith("parsing: 100% 30/30")
    terminal = _Terminal()
    progress = CountProgress("downloading ml-25m", terminal, unit="B", unit_scale=True)
    progress(0, 262_000_000)
    progress(262_000_000, 262_000_000)
    assert "\r" in terminal.getvalue() and _screen(terminal.getvalue())[-1].startswith("downloading ml-25m: 100%")
