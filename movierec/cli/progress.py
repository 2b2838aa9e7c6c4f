"""Terminal progress for long work, drawn by tqdm: a bar redrawn in place on a TTY, whole lines elsewhere.

A pipe or a CI log gets no carriage returns: one line per epoch, phase end and step, and for counted work
(downloads, parsing, writing) a line at most every few seconds and one at the end.
"""

from __future__ import annotations

import io
import os
import sys
import time
from typing import Any, TextIO

from tqdm import tqdm

from movierec.config import TrainConfig
from movierec.events import SAVING, BatchEvent, EpochEvent, Event, FitEndEvent, PhaseEvent
from movierec.phases import STOP_KEEPS, Position, RunPhases

REDRAW_SECONDS = 0.1  # a terminal line redraws at most this often
LOG_LINE_SECONDS = 5.0  # counted work writes a whole line at most this often where it cannot redraw


def _redraws(stream: TextIO) -> bool:
    """Whether a bar can be redrawn in place on ``stream``: a TTY of known width (a pseudo-terminal of width 0,
    as some CI runners give, shows tqdm's bar as nothing at all, so it gets whole lines)."""
    if not stream.isatty():
        return False
    try:
        return os.get_terminal_size(stream.fileno()).columns > 0
    except (OSError, io.UnsupportedOperation):  # a TTY-like stream that is not a file
        return True


class TrainingProgress:
    """A training callback that names each phase on ``stream``: the epochs (batch, loss, time left at their own
    pace), how they ended, then each step of the suggestion ranker and of the scoring, and saving.

    On a TTY a bar is redrawn in place, each step keeping its last line; elsewhere one line per epoch, phase end
    and step.
    """

    def __init__(self, config: TrainConfig | None = None, stream: TextIO | None = None) -> None:
        config = config or TrainConfig()
        self.stream = stream or sys.stderr
        self.phases = RunPhases(config.epochs, config.patience)
        self.bar: tqdm | None = None  # elsewhere no bar (nor tqdm's monitor thread): whole lines instead
        if _redraws(self.stream):
            self.bar = tqdm(
                total=1.0,
                file=self.stream,
                mininterval=REDRAW_SECONDS,
                miniters=0,  # redraw on time alone: the loss and time left change while the fraction barely moves
                bar_format="{desc} |{bar:24}| {elapsed} elapsed{postfix}",
                desc=self.phases.position().text,
            )
        self.unkept = False  # the bar shows a step that no whole line has recorded yet

    def __call__(self, event: Event) -> None:
        self.phases(event)
        starts_step = isinstance(event, PhaseEvent) and event.done == 0
        if isinstance(event, BatchEvent | PhaseEvent):
            if self.bar is not None:
                self._redraw(self.bar, event, starts_step)
            elif starts_step:
                self._line(self.phases.position().text)
        elif isinstance(event, EpochEvent):
            self._line(_epoch_summary(event, self.phases.position()))
        elif isinstance(event, FitEndEvent):
            self._line(self.phases.finished[-1].line())
        else:
            self._line(f"stopped: {STOP_KEEPS[event.phase]}")

    def _redraw(self, bar: tqdm, event: BatchEvent | PhaseEvent, starts_step: bool) -> None:
        if starts_step and self.unkept:  # the step before keeps its last line
            self._line(str(bar))
        position = self.phases.position()
        loss = f"loss {event.loss:.4f}" if isinstance(event, BatchEvent) else ""
        bar.set_description_str(position.text, refresh=False)
        bar.set_postfix_str(", ".join(part for part in (loss, position.left_text()) if part), refresh=False)
        if starts_step:  # the first line of a step is always drawn, however soon it follows the last one
            bar.n = position.fraction
            bar.refresh()
        else:
            bar.update(position.fraction - bar.n)
        self.unkept = True

    def _line(self, text: str) -> None:
        tqdm.write(text, file=self.stream)  # above the bar, if any, which is then redrawn
        self.unkept = False

    def saving(self) -> None:
        """Say that the model is being saved (the pipeline leaves saving to its caller), and end the bar."""
        self(PhaseEvent(SAVING, 1, 1, "writing the model file"))
        if self.bar is not None:
            self.bar.close()


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


class CountProgress:
    """A ``(done, total)`` callback for counted work: tqdm's bar with rate and time left on a TTY; elsewhere the
    same figures as a whole line, at most every ``every`` seconds, and always the last one.

    ``options`` go to tqdm (``unit``, ``unit_scale``...); ``total`` may be None when the size is unknown.
    """

    def __init__(
        self, label: str, stream: TextIO | None = None, every: float = LOG_LINE_SECONDS, **options: Any
    ) -> None:
        self.stream = stream or sys.stderr
        self.label, self.every, self.options = label, every, options
        self.started = self.last_line = time.monotonic()
        self.bar: tqdm | None = None  # made at the first call, when the total is known
        self.tty = _redraws(self.stream)

    def __call__(self, done: int, total: int | None) -> None:
        finished = total is not None and done >= total
        if self.tty:
            if self.bar is None:
                self.bar = tqdm(desc=self.label, total=total, file=self.stream, mininterval=0.5, **self.options)
            self.bar.update(done - self.bar.n)
            if finished:
                self.bar.close()
            return
        now = time.monotonic()
        if finished or now - self.last_line >= self.every:
            self.last_line = now
            meter = tqdm.format_meter(done, total or 0, now - self.started, ncols=0, prefix=self.label, **self.options)
            tqdm.write(meter, file=self.stream)


def download_progress(label: str, verb: str = "downloading", stream: TextIO | None = None) -> CountProgress:
    """A download (or parsing, with ``verb="parsing"``) callback ``(bytes_done, bytes_total)``: MB, percent,
    rate and time left."""
    return CountProgress(f"{verb} {label}", stream, unit="B", unit_scale=True, unit_divisor=1000)
