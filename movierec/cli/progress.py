"""Terminal progress for long work: a one-line bar on a TTY, one line per epoch and step elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from movierec.config import TrainConfig
from movierec.events import SAVING, BatchEvent, EpochEvent, Event, FitEndEvent, PhaseEvent
from movierec.phases import STOP_KEEPS, Position, RunPhases, clock

REDRAW_SECONDS = 0.1


class TrainingProgress:
    """A training callback that names each phase on ``stream``: the epochs (batch, loss, time left at their own
    pace), how they ended, then each step of the suggestion ranker and of the scoring, and saving.

    On a TTY the current line is redrawn in place; elsewhere one line per epoch, phase end and step.
    """

    def __init__(self, config: TrainConfig | None = None, stream: TextIO | None = None) -> None:
        config = config or TrainConfig()
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self.last_draw = 0.0
        self.phases = RunPhases(config.epochs, config.patience)
        self.drawn = False  # a redrawn line is on screen, to end before a full line

    def __call__(self, event: Event) -> None:
        self.phases(event)
        if isinstance(event, BatchEvent | PhaseEvent):
            if self.tty:
                self._redraw(event)
            elif isinstance(event, PhaseEvent) and event.done == 0:
                self._line(self.phases.position().text)
        elif isinstance(event, EpochEvent):
            self._line(_epoch_summary(event, self.phases.position()))
        elif isinstance(event, FitEndEvent):
            self._line(self.phases.finished[-1].line())
        else:
            self._line(f"stopped: {STOP_KEEPS[event.phase]}")

    def _redraw(self, event: BatchEvent | PhaseEvent) -> None:
        now = time.perf_counter()
        starts_step = isinstance(event, PhaseEvent) and event.done == 0
        if starts_step and self.drawn:  # each step keeps its last line
            self.stream.write("\n")
        elif now - self.last_draw < REDRAW_SECONDS and not starts_step:
            return
        self.last_draw = now
        position = self.phases.position()
        width = 24
        filled = int(width * position.fraction)
        parts = [f"{position.text} [{'#' * filled}{'-' * (width - filled)}]"]
        if isinstance(event, BatchEvent):
            parts.append(f"loss {event.loss:.4f}")
        parts += [f"{clock(now - self.started)} elapsed", position.left_text()]
        self.stream.write("\r" + " | ".join(part for part in parts if part) + "   ")
        self.stream.flush()
        self.drawn = True

    def _line(self, text: str) -> None:
        prefix = "\r" if self.tty else ""
        self.stream.write(f"{prefix}{text}" + " " * 8 + "\n")
        self.stream.flush()
        self.drawn = False

    def saving(self) -> None:
        """Say that the model is being saved (the pipeline leaves saving to its caller)."""
        self(PhaseEvent(SAVING, 1, 1, "writing the model file"))
        if self.tty:
            self.stream.write("\n")
            self.drawn = False


def _epoch_summary(event: EpochEvent, position: Position) -> str:
    left = position.left_text()
    if event.refit:
        return f"refit on train+validation, epoch {event.epoch}/{event.epochs}: train RMSE {event.train_rmse:.4f}, " + (
            f"{event.seconds:.1f}s | {left}" if left else f"{event.seconds:.1f}s"
        )
    return (
        f"epoch {event.epoch} of at most {event.last_possible or event.epochs}: train RMSE {event.train_rmse:.4f}, "
        f"valid RMSE {event.valid_rmse:.4f} (best {event.best_valid_rmse:.4f} at epoch {event.best_epoch}), "
        f"{event.seconds:.1f}s" + (f" | {left}" if left else "")
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
