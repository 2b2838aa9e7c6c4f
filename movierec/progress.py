"""Terminal progress for long work: a one-line bar on a TTY, one line per epoch elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from movierec.training import BatchEvent, EpochEvent, Event

REDRAW_SECONDS = 0.1


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class TrainingProgress:
    """A training callback that draws epoch, batch, loss, elapsed time and ETA on ``stream``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self.last_draw = 0.0
        self.epoch_started = self.started

    def __call__(self, event: Event) -> None:
        elapsed = time.perf_counter() - self.started
        if isinstance(event, BatchEvent) and self.tty:
            now = time.perf_counter()
            if now - self.last_draw < REDRAW_SECONDS and event.batch != event.n_batches:
                return
            self.last_draw = now
            per_batch = (now - self.epoch_started) / event.batch
            width = 24
            filled = int(width * event.batch / event.n_batches)
            bar = "#" * filled + "-" * (width - filled)
            eta = per_batch * (event.n_batches - event.batch)
            phase = "refit " if event.refit else ""
            self.stream.write(
                f"\r{phase}epoch {event.epoch} [{bar}] batch {event.batch}/{event.n_batches} "
                f"loss {event.loss:.4f} | {_clock(elapsed)} elapsed, epoch ETA {_clock(eta)}   "
            )
            self.stream.flush()
        elif isinstance(event, EpochEvent):
            self.epoch_started = time.perf_counter()
            prefix = "\r" if self.tty else ""
            self.stream.write(f"{prefix}{_epoch_summary(event, elapsed)}" + " " * 8 + "\n")
            self.stream.flush()


def _epoch_summary(event: EpochEvent, elapsed: float) -> str:
    if event.refit:
        return (
            f"refit on train+validation, epoch {event.epoch}/{event.epochs}: train RMSE {event.train_rmse:.4f}, "
            f"{event.seconds:.1f}s | {_clock(elapsed)} elapsed"
        )
    remaining = event.seconds * (event.epochs - event.epoch)
    return (
        f"epoch {event.epoch}/{event.epochs}: train RMSE {event.train_rmse:.4f}, "
        f"valid RMSE {event.valid_rmse:.4f} (best {event.best_valid_rmse:.4f} at epoch {event.best_epoch}), "
        f"{event.seconds:.1f}s | {_clock(elapsed)} elapsed, at most {_clock(remaining)} left"
    )


class DownloadProgress:
    """A download (or parsing, with ``verb="parsing"``) callback ``(bytes_done, bytes_total)`` that draws
    MB and percent on ``stream``."""

    def __init__(self, label: str, stream: TextIO | None = None, verb: str = "downloading") -> None:
        self.label, self.verb = label, verb
        self.stream = stream or sys.stderr
        self.last_draw = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        now = time.perf_counter()
        finished = total is not None and done >= total
        if now - self.last_draw < REDRAW_SECONDS * 5 and not finished:
            return
        self.last_draw = now
        size = f"{done / 1e6:.1f}/{total / 1e6:.1f} MB ({100 * done / total:.0f}%)" if total else f"{done / 1e6:.1f} MB"
        end = "\n" if finished or not self.stream.isatty() else ""
        self.stream.write(f"\r{self.verb} {self.label}: {size}{end}")
        self.stream.flush()
