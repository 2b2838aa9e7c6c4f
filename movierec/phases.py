"""Where a training run is, for people: its phase in words, that phase's own progress and time left, what is done.

:class:`RunPhases` is a callback that follows a run's events (see :mod:`movierec.events`); the Train page
and the CLI's progress both draw from its :meth:`RunPhases.position`. Time left is worked out per phase
from that phase's own pace, so it never counts phases already finished nor mixes their speeds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from movierec.events import (
    EPOCHS,
    RANKER,
    REFIT,
    SAVING,
    SCORING,
    STOPPED,
    BatchEvent,
    EpochEvent,
    Event,
    FitEndEvent,
    PhaseEvent,
    StopEvent,
)

TITLES = {
    EPOCHS: "Epochs",
    REFIT: "Refit on training + validation ratings",
    RANKER: "Fitting the suggestion ranker",
    SCORING: "Scoring the test users",
    SAVING: "Saving the model",
}
DONE = "done"
DONE_WORDS = {RANKER: "Suggestion ranker fitted", SCORING: "Test users scored", SAVING: "Model saved"}
# What a stop during each phase keeps, as the page and the result card say it.
STOP_KEEPS = {
    "": "nothing has trained yet; the run ends after its first batch with that epoch's weights",
    EPOCHS: "the weights of the best epoch so far are kept",
    REFIT: "the network selected by early stopping is kept, without the refit",
    RANKER: "the trained network is kept without the suggestion ranker: its suggestions are ordered by "
    "predicted rating, and no top-10 scores are measured",
    SCORING: "the network and its suggestion ranker are kept; the top-10 scores on the test users are not measured",
    SAVING: "the model is saved",
}


def clock(seconds: float) -> str:
    """``m:ss``, e.g. ``2:05``."""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class Finished:
    """A phase the run has left: what happened in it, how long it took, and its steps' times."""

    phase: str
    summary: str  # e.g. "stopped early at epoch 17 — best was 7"
    seconds: float
    steps: tuple[tuple[str, float], ...] = ()  # (the step in words, its seconds) for the phases after the epochs

    def line(self) -> str:
        """One line for people, e.g. "Epochs: stopped early at epoch 17 — best was 7 (0:42)"."""
        if self.summary == DONE and self.phase in DONE_WORDS:
            return f"{DONE_WORDS[self.phase]} ({clock(self.seconds)})"
        return f"{TITLES[self.phase]}: {self.summary} ({clock(self.seconds)})"


@dataclass(frozen=True)
class Position:
    """Where a run is now."""

    phase: str  # a phase of movierec.events, or "" before the first batch and between phases
    text: str  # the phase and where it is in it, in words
    fraction: float  # done of the current phase, 0 to 1
    seconds_left: float | None  # left in the current phase (or step, see ``left_of``) at its own pace
    left_of: str  # what ``seconds_left`` covers, e.g. "in the epochs" or "in this step"
    left_is_bound: bool  # True in the epochs, which early stopping may end sooner
    finished: tuple[Finished, ...]
    stopped_in: str = ""  # the phase a stop ended, once one has

    def left_text(self) -> str:
        """The time left in words ("at most 1:10 left in the epochs"), or "" when it is not known yet."""
        if self.seconds_left is None:
            return ""
        return f"{'at most' if self.left_is_bound else 'about'} {clock(self.seconds_left)} left {self.left_of}"


class RunPhases:
    """A callback that follows a run's events and says where the run is (see :meth:`position`).

    Args:
        epochs: the configured maximum of epochs.
        patience: early stopping's patience, which bounds the epochs left before the first one ends.
        clock: seconds from any origin (tests pass their own).
    """

    def __init__(self, epochs: int, patience: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.epochs, self.patience, self.clock = epochs, patience, clock
        self.phase, self.started = "", clock()
        self.finished: list[Finished] = []
        self.batch: BatchEvent | None = None
        self.batch_at = self.started
        self.epoch_events: list[EpochEvent] = []
        self.epoch_ended = self.started
        self.refit_epochs = 0
        self.step: PhaseEvent | None = None
        self.step_started = self.step_at = self.started
        self.steps: list[tuple[str, float]] = []
        self.stopped_in = ""  # the phase a stop ended, once one has

    def __call__(self, event: Event) -> None:
        now = self.clock()
        if isinstance(event, BatchEvent):
            self._enter(REFIT if event.refit else EPOCHS, now)
            self.batch, self.batch_at = event, now
        elif isinstance(event, EpochEvent):
            self.epoch_events.append(event)
            self.epoch_ended = now
        elif isinstance(event, FitEndEvent):
            if not event.refit:
                self.refit_epochs = event.best_epoch
            if event.ended == STOPPED:
                self.stopped_in = self.phase
            self._leave(now, event.summary())
        elif isinstance(event, StopEvent):
            self.stopped_in = event.phase
        else:
            self._enter(event.phase, now)
            if self.step is None or event.step != self.step.step:
                self._close_step(now)
                self.step, self.step_started = event, now
            self.step, self.step_at = event, now

    def _enter(self, phase: str, now: float) -> None:
        if phase != self.phase:
            if self.phase:
                self._leave(now, "stopped by you" if self.stopped_in == self.phase else DONE)
            self.phase, self.started = phase, now
            self.epoch_events, self.epoch_ended, self.batch = [], now, None

    def _leave(self, now: float, summary: str) -> None:
        self._close_step(now)
        self.finished.append(Finished(self.phase, summary, now - self.started, tuple(self.steps)))
        self.phase, self.step, self.steps = "", None, []

    def _close_step(self, now: float) -> None:
        if self.step is not None:
            self.steps.append((self.step.what, now - self.step_started))

    def position(self) -> Position:
        """Where the run is now, with the time left in its current phase at that phase's own pace."""
        now, finished = self.clock(), tuple(self.finished)
        if self.phase in (EPOCHS, REFIT) and self.batch is not None:
            return self._epochs_position(now, finished)
        if self.step is not None:
            return self._step_position(now, finished)
        text = "Preparing the next phase…" if finished else "Preparing the data and the network…"
        return Position("", text, 0.0, None, "", False, finished, self.stopped_in)

    def _epochs_position(self, now: float, finished: tuple[Finished, ...]) -> Position:
        batch = self.batch
        assert batch is not None
        refit = self.phase == REFIT
        last = self.epoch_events[-1] if self.epoch_events else None
        if refit:
            bound = max(1, self.refit_epochs)
        elif last is not None:
            bound = last.last_possible or self.epochs
        else:
            bound = min(self.epochs, 1 + self.patience)
        done = batch.epoch - 1 + batch.batch / batch.n_batches
        if last is not None:  # whole epochs so far give the pace, validation included
            per_epoch = (self.epoch_ended - self.started) / len(self.epoch_events)
            left: float | None = max(0.0, per_epoch * (bound - len(self.epoch_events)) - (now - self.epoch_ended))
        elif batch.batch > 1:  # within the first epoch: its batches so far
            per_batch = (self.batch_at - self.started) / (batch.batch - 1)
            left = max(0.0, per_batch * (bound * batch.n_batches - batch.batch) - (now - self.batch_at))
        else:
            left = None
        where = f"epoch {batch.epoch} of {bound}" if refit else f"Epoch {batch.epoch} of at most {bound}"
        text = (f"{TITLES[REFIT]}: " if refit else "") + f"{where} · batch {batch.batch}/{batch.n_batches}"
        return Position(self.phase, text, min(1.0, done / bound), left, "in the epochs", not refit, finished)

    def _step_position(self, now: float, finished: tuple[Finished, ...]) -> Position:
        step = self.step
        assert step is not None
        where = step.detail or (f"{step.done:,} of {step.total:,}" if step.total and step.done else "")
        text = f"{TITLES[self.phase]}: step {step.step} of {step.n_steps} — {step.what}" + (
            f" · {where}" if where else ""
        )
        share = step.done / step.total if step.total else 0.0
        left = None
        if step.total and step.done:
            pace = (self.step_at - self.step_started) / step.done
            left = max(0.0, pace * (step.total - step.done) - (now - self.step_at))
        fraction = (step.step - 1 + share) / step.n_steps
        return Position(self.phase, text, min(1.0, fraction), left, "in this step", False, finished, self.stopped_in)
