"""Background work for the pages: training runs and downloads in daemon threads that never call Streamlit.

A page keeps the job object in ``st.session_state`` (so each browser session has its own, and switching
pages does not touch it) and polls :meth:`snapshot` from a timed fragment. Everything the worker writes
goes through one lock; snapshots are copies, so a page never sees a half-updated run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import torch

from movierec.config import TrainConfig
from movierec.data import Dataset, download_dataset
from movierec.errors import MovieRecError
from movierec.events import BatchEvent, EpochEvent, Event
from movierec.model.artifacts import TrainedModel
from movierec.phases import Position, RunPhases
from movierec.pipeline import train_model

log = logging.getLogger(__name__)

RUNNING, STOPPING, FINISHED, STOPPED, FAILED = "running", "stopping", "finished", "stopped", "failed"


BACKGROUND_NICENESS = 10  # a worker thread's scheduling niceness: page runs (niceness 0) come first


def yield_cpu_to_visitors() -> None:
    """Lower the calling thread's scheduling priority, so a busy worker waits while pages redraw.

    Training keeps a core busy for minutes; at equal priority every visitor's click waits behind it for
    its share of the CPU. On Linux a thread's niceness is its own; elsewhere (or when refused) nothing changes.
    """
    with contextlib.suppress(AttributeError, OSError):
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, max(os.getpriority(os.PRIO_PROCESS, thread), BACKGROUND_NICENESS))


class BackgroundJob:
    """One piece of work in a daemon thread, with a status, a result or an error in plain words."""

    def __init__(self, description: str) -> None:
        self.description = description  # what failed, for the error message ("Training", "The download")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._status = RUNNING
        self._error: str | None = None
        self._result: Any = None
        self._started = time.monotonic()
        self._ended: float | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> BackgroundJob:
        """Start the worker thread (daemon, so a server shutdown never waits for it)."""
        self._thread = threading.Thread(target=self._run, name=f"movierec-{type(self).__name__}", daemon=True)
        self._thread.start()
        return self

    def work(self) -> Any:
        """The job itself, run in the worker thread; its return value becomes the result."""
        raise NotImplementedError

    def final_status(self, result: Any) -> str:
        """The status a successful result ends in."""
        return FINISHED

    def _run(self) -> None:
        yield_cpu_to_visitors()
        try:
            result = self.work()
        except MovieRecError as exc:
            self._end(FAILED, error=str(exc))
        except Exception as exc:  # the worker must never die silently: the page shows what happened
            log.exception("%s failed", self.description)
            self._end(FAILED, error=f"{self.description} failed unexpectedly: {type(exc).__name__}: {exc}.")
        else:
            self._end(self.final_status(result), result=result)

    def _end(self, status: str, result: Any = None, error: str | None = None) -> None:
        with self._lock:
            self._status, self._result, self._error, self._ended = status, result, error, time.monotonic()

    def stop(self) -> None:
        """Ask the worker to stop at its next check (between training batches)."""
        with self._lock:
            if self._status == RUNNING:
                self._status = STOPPING
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker thread (tests and shutdown)."""
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """True until the worker has ended (a stop that was asked for but not yet honoured counts)."""
        with self._lock:
            return self._status in (RUNNING, STOPPING)

    def _elapsed(self) -> float:
        return (self._ended or time.monotonic()) - self._started


@dataclass(frozen=True)
class TrainingSnapshot:
    """A consistent copy of a training run's progress for drawing."""

    status: str
    error: str | None
    model: TrainedModel | None
    epochs: int  # the configured maximum
    epoch: int  # the epoch in progress (1-based), 0 before the first batch
    batch: int
    n_batches: int
    elapsed: float
    batch_losses: list[float] = field(default_factory=list)
    batch_lrs: list[float] = field(default_factory=list)
    epoch_events: list[EpochEvent] = field(default_factory=list)
    refit: bool = False  # in the refit on train+validation, which runs the selected number of epochs
    refit_planned: bool = False  # the config asks for that refit after selection
    position: Position | None = None  # the phase, its progress and time left; None before the run starts

    @property
    def epochs_planned(self) -> int:
        """Epochs of the current phase: the configured maximum, or in the refit the selected best epoch."""
        if self.refit and self.epoch_events:
            return self.epoch_events[-1].best_epoch
        return self.epochs

    @property
    def batches_done(self) -> int:
        """Optimisation steps taken so far."""
        return len(self.batch_losses)

    @property
    def phase(self) -> str:
        """The phase the run is in (or, once ended, was last in): a phase of movierec.events, or ""."""
        return self.position.phase if self.position is not None else ""


def training_threads() -> int:
    """Torch threads for training in the dashboard: one core is left to the server and the browser.

    A thread on every core trains slower, not faster, as the threads wait on the page updates; small
    networks gain little beyond four (README, "How it is measured").
    """
    return max(1, min(4, (os.cpu_count() or 1) - 1))


MAX_SERVER_RUNS = 2  # training runs at once in one server process, across all sessions (each page allows one)
_server_runs = threading.BoundedSemaphore(MAX_SERVER_RUNS)


class TrainingRun(BackgroundJob):
    """``train_model`` in a worker thread, recording every batch loss, learning rate and epoch.

    At most ``MAX_SERVER_RUNS`` train at once per server; a run started beyond that ends at once as failed,
    with a message saying why, so the page shows it like any other failure.
    """

    def __init__(self, dataset: Dataset, config: TrainConfig, preset: str | None = None) -> None:
        super().__init__("Training")
        self.dataset, self.config, self.preset = dataset, config, preset
        self._losses: list[float] = []
        self._lrs: list[float] = []
        self._epochs: list[EpochEvent] = []
        self._position = (0, 0, 0)  # epoch, batch, batches per epoch
        self._refit = False
        self._phases = RunPhases(config.epochs, config.patience)
        self._last_phase: Position | None = None  # where the run was when it ended

    def start(self) -> TrainingRun:
        """Start training when the server has a free slot, else end at once with the reason."""
        if not _server_runs.acquire(blocking=False):
            self._end(
                FAILED,
                error=(
                    f"The server is already training {MAX_SERVER_RUNS} models for other visitors. "
                    "Start again when one of them has finished."
                ),
            )
            return self
        super().start()
        return self

    def work(self) -> TrainedModel:
        """Train and evaluate; the model stays unsaved until the page's Save. The server slot is freed at the end."""
        try:
            torch.set_num_threads(training_threads())
            return train_model(self.dataset, self.config, self.preset, callbacks=(self._record,), stop=self._stop)
        finally:
            _server_runs.release()

    def final_status(self, result: TrainedModel) -> str:
        """Stopped when the stop flag cut training short, finished otherwise."""
        assert result.results is not None  # train_model scores every model it returns
        return STOPPED if result.results.stopped else FINISHED

    def _record(self, event: Event) -> None:
        with self._lock:
            self._phases(event)
            if isinstance(event, BatchEvent):
                self._losses.append(event.loss)
                self._lrs.append(event.lr)
                self._position = (event.epoch, event.batch, event.n_batches)
                self._refit = event.refit
            elif isinstance(event, EpochEvent) and not event.refit:  # refit epochs have no validation RMSE
                self._epochs.append(event)

    def snapshot(self) -> TrainingSnapshot:
        """A copy of everything recorded so far."""
        with self._lock:
            epoch, batch, n_batches = self._position
            return TrainingSnapshot(
                status=self._status,
                error=self._error,
                model=self._result,
                epochs=self.config.epochs,
                epoch=epoch,
                batch=batch,
                n_batches=n_batches,
                elapsed=self._elapsed(),
                batch_losses=list(self._losses),
                batch_lrs=list(self._lrs),
                epoch_events=list(self._epochs),
                refit=self._refit,
                refit_planned=self.config.refit,
                position=self._last_phase or self._phases.position(),
            )

    def _end(self, status: str, result: Any = None, error: str | None = None) -> None:
        with self._lock:
            self._last_phase = self._phases.position()  # frozen: a stop's result says which phase it cut
        super()._end(status, result, error)


@dataclass(frozen=True)
class DownloadSnapshot:
    """A consistent copy of a download's progress."""

    status: str
    error: str | None
    bytes_done: int
    bytes_total: int | None
    elapsed: float


class DownloadJob(BackgroundJob):
    """``download_dataset`` in a worker thread (it verifies and unpacks atomically, keeping any older copy)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"The download of {name}")
        self.name = name
        self._bytes: tuple[int, int | None] = (0, None)

    def work(self) -> Any:
        """Fetch, check and unpack the release into the cache."""
        return download_dataset(self.name, self._progress)

    def _progress(self, done: int, total: int | None) -> None:
        if self._stop.is_set():  # Cancel: raising here ends the transfer and removes the partial file
            raise MovieRecError(f"The download of {self.name} was cancelled; nothing in the cache changed.")
        with self._lock:
            self._bytes = (done, total)

    def snapshot(self) -> DownloadSnapshot:
        """A copy of the progress so far."""
        with self._lock:
            done, total = self._bytes
            return DownloadSnapshot(self._status, self._error, done, total, self._elapsed())
