"""What a training run reports while it works: batches, epochs, the end of fit(), and the phases after it.

``fit()`` sends :class:`BatchEvent`, :class:`EpochEvent` and one :class:`FitEndEvent`; the pipeline
sends a :class:`PhaseEvent` as it moves through the suggestion ranker, the scoring of the test part
and saving, and a :class:`StopEvent` when a stop ends one of those. Callbacks receive them all, in order, from the thread doing the work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

# The phases of a run, in the order they come (the refit and the ranker only where the run has them).
EPOCHS, REFIT, RANKER, SCORING, SAVING = "epochs", "refit", "ranker", "scoring", "saving"
# How fit() ended: early stopping, every planned epoch ran, or the stop flag.
PATIENCE, ALL_EPOCHS, STOPPED = "patience", "all epochs", "stopped"


@dataclass(frozen=True)
class BatchEvent:
    """Sent after every optimisation step."""

    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    n_batches: int
    loss: float  # mean squared error of this batch (with dropout active)
    lr: float
    refit: bool = False  # True in the refit on train+validation that follows selection


@dataclass(frozen=True)
class EpochEvent:
    """Sent after every epoch, once the validation part has been scored."""

    epoch: int
    epochs: int  # the configured maximum
    train_rmse: float  # sqrt of the mean batch loss over the epoch
    valid_rmse: float
    lr: float  # learning rate at the end of the epoch
    seconds: float  # wall-clock seconds of this epoch, validation included
    best_epoch: int
    best_valid_rmse: float
    refit: bool = False  # True in the refit on train+validation (no validation RMSE then)
    # The last epoch the run can reach from here: early stopping ends it ``patience`` epochs after the
    # best one unless a later epoch beats it; 0 when unknown (read as ``epochs``).
    last_possible: int = 0


@dataclass(frozen=True)
class FitEndEvent:
    """Sent once when fit() ends, saying how it ended."""

    epochs_run: int
    epochs: int  # the configured maximum
    best_epoch: int  # whose weights the network now holds
    ended: str  # PATIENCE, ALL_EPOCHS or STOPPED
    refit: bool = False  # True at the end of the refit on train+validation

    def summary(self) -> str:
        """How the epochs went, in words, e.g. "stopped early at epoch 17 — best was 7"."""
        if self.refit:
            cut = " (stopped by you)" if self.ended == STOPPED else ""
            return f"{self.epochs_run} epoch(s) on training + validation ratings{cut}"
        best = f"best was {self.best_epoch}"
        if self.ended == STOPPED:
            return f"stopped by you at epoch {self.epochs_run} — {best}"
        if self.ended == PATIENCE:
            return f"stopped early at epoch {self.epochs_run} — {best}"
        return f"ran all {self.epochs_run} epochs — {best}"


@dataclass(frozen=True)
class PhaseEvent:
    """Sent by the pipeline at each step of the work after the epochs, and as a step's parts get done."""

    phase: str  # RANKER, SCORING or SAVING
    step: int  # 1-based within the phase
    n_steps: int
    what: str  # the step in words, e.g. "choosing the weight of the genre match"
    done: int = 0  # parts of the step done so far
    total: int = 0  # parts in the step; 0 when it has no parts to count
    detail: str = ""  # where the step is, where parts alone do not say it (e.g. "epoch 3 of 7")


@dataclass(frozen=True)
class StopEvent:
    """Sent when a stop ended a phase after the epochs (a stop in fit() shows in its :class:`FitEndEvent`)."""

    phase: str  # RANKER or SCORING


Event = BatchEvent | EpochEvent | FitEndEvent | PhaseEvent | StopEvent
Callback = Callable[[Event], None]
Report = Callable[[PhaseEvent], None]  # what a phase sends its events through


class Stopped(Exception):
    """Raised inside a phase after the epochs when the stop flag is set, so that phase ends at once."""


class PhaseSteps:
    """Sends one phase's step events through ``report`` and checks ``stop`` at each, raising :class:`Stopped`."""

    def __init__(self, phase: str, n_steps: int, report: Report | None, stop: threading.Event | None) -> None:
        self.phase, self.n_steps, self.report, self.stop = phase, n_steps, report, stop
        self.step, self.what, self.total = 0, "", 0

    def begin(self, what: str, total: int = 0) -> None:
        """Start the next step (``total`` parts to it, 0 when they cannot be counted)."""
        self.step, self.what, self.total = self.step + 1, what, total
        self.advance(0)

    def advance(self, done: int, total: int | None = None, detail: str = "") -> None:
        """``done`` parts of the current step are done (``total`` replaces the step's count when given)."""
        if self.stop is not None and self.stop.is_set():
            raise Stopped(self.phase)
        self.total = self.total if total is None else total
        if self.report is not None:
            self.report(PhaseEvent(self.phase, self.step, self.n_steps, self.what, done, self.total, detail))
