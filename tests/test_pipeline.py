"""One training run through the pipeline: the refit after selection and its events."""

from __future__ import annotations

import threading

import numpy as np
from factories import TINY, planted_dataset

from movierec.pipeline import train_model
from movierec.train.loop import BatchEvent, EpochEvent

REFIT = TINY.with_changes(refit=True, epochs=6, patience=6)


def test_refit_events_are_marked_and_follow_selection():
    events: list = []
    model = train_model(planted_dataset(), REFIT, callbacks=(events.append,))
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    selection, refit = [e for e in epochs if not e.refit], [e for e in epochs if e.refit]
    assert len(selection) == model.results.epochs_run and len(refit) == model.results.refit_epochs
    assert len(refit) == model.results.best_epoch and epochs.index(refit[0]) == len(selection)
    assert all(np.isnan(e.valid_rmse) for e in refit)
    assert any(isinstance(e, BatchEvent) and e.refit for e in events)
    assert not model.results.stopped


def test_a_stop_during_the_refit_keeps_the_selected_network():
    stop = threading.Event()
    selected = train_model(planted_dataset(), REFIT.with_changes(refit=False))

    def stop_in_refit(event):
        if isinstance(event, BatchEvent) and event.refit:
            stop.set()

    model = train_model(planted_dataset(), REFIT, callbacks=(stop_in_refit,), stop=stop)
    assert model.results.stopped
    users, movies = np.array([1, 2, 3]), np.array([4, 5, 6])
    assert np.allclose(model.predict(users, movies), selected.predict(users, movies))


def test_a_background_run_charts_selection_epochs_and_reports_the_refit_phase():
    from movierec.ui.runs import FINISHED, TrainingRun

    run = TrainingRun(planted_dataset(), REFIT, preset="tiny")
    phases: list[bool] = []
    original = run._record

    def record(event):
        original(event)
        phases.append(run.snapshot().refit)

    run._record = record
    run.start()
    run.join(timeout=60)
    snap = run.snapshot()
    assert snap.status == FINISHED
    assert [e.epoch for e in snap.epoch_events] == list(range(1, snap.model.results.epochs_run + 1))
    assert phases[0] is False and phases[-1] is True and snap.epochs_planned == snap.model.results.best_epoch
