"""Trying one bad input: what came of it (clear message, traceback, hang, silent acceptance) and what it changed.

Each case is a function of a :class:`Setting` that either raises :class:`MovieRecError` (the clear refusal),
returns (the input was accepted; a case may say acceptance is right by giving ``accept``), or fails some
other way (a traceback). It runs in a thread with a time budget; running past it, running out of
memory or raising the process's peak memory by more than a gigabyte counts as a hang. With ``MOVIEREC_BAD_INPUT_LOG`` set, every outcome is appended there as one JSON
line, so the counts can be compared between two versions of the code.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import resource
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from movierec.cli.commands import main
from movierec.errors import MovieRecError

CLEAR, TRACEBACK, HANG, SILENT = "clear", "traceback", "hang", "silent"
BUDGET_S = 4.0  # a refusal is cheap: anything slower is an unbounded cost
MEMORY_BUDGET = 1 << 30  # nor does it need a new gigabyte of memory
LOG_ENV = "MOVIEREC_BAD_INPUT_LOG"


@dataclass
class Setting:
    """What a case may use: the private MOVIEREC_HOME, a scratch folder and named extras (models, servers)."""

    home: Path
    scratch: Path
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """One bad input: its id, the action that feeds it in, and the words the refusal must contain."""

    id: str
    action: Callable[[Setting], Any]
    expect: str = ""  # a regular expression the message must match (case-insensitive)
    accept: Callable[[Any], bool] | None = None  # acceptance is right when this holds for the result
    prepare: Callable[[Setting], None] | None = None  # set-up whose writes happen before the snapshot


@dataclass
class Outcome:
    """What came of one case."""

    kind: str
    message: str


def cli(*argv: str) -> str:
    """Run ``python -m movierec`` in process; exit 2 becomes a :class:`MovieRecError` carrying stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's own refusals
            code = exc.code
    if code == 2:
        raise MovieRecError(err.getvalue().strip())
    if code != 0:
        raise RuntimeError(f"exit code {code}: {err.getvalue()}")
    return out.getvalue()


def attempt(case: Case, setting: Setting, budget: float = BUDGET_S) -> Outcome:
    """Run one case in a worker thread and classify what happened."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = case.action(setting)
        except BaseException as exc:
            box["error"] = exc

    peak_before = _peak_rss()
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(budget)
    grown = _peak_rss() - peak_before
    if worker.is_alive():
        worker.join(60)  # let it finish so it does not disturb the next case
        outcome = Outcome(HANG, f"still running after {budget:.0f} s")
    elif grown > MEMORY_BUDGET:
        outcome = Outcome(HANG, f"its peak memory grew by {grown >> 20} MB")
    elif isinstance(box.get("error"), MemoryError) or "allocate memory" in str(box.get("error", "")):
        outcome = Outcome(HANG, "ran out of memory")
    elif isinstance(box.get("error"), MovieRecError):
        outcome = Outcome(CLEAR, str(box["error"]))
    elif "error" in box:
        error = box["error"]
        outcome = Outcome(TRACEBACK, f"{type(error).__name__}: {error}"[:300])
    elif case.accept is not None and case.accept(box.get("result")):
        outcome = Outcome(CLEAR, "accepted, as it should be")
    else:
        outcome = Outcome(SILENT, repr(box.get("result"))[:300])
    _log(case, outcome)
    return outcome


def _peak_rss() -> int:
    """The process's highest resident memory so far, in bytes (it only grows, so growth is a new peak)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _log(case: Case, outcome: Outcome) -> None:
    target = os.environ.get(LOG_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as log:
            log.write(json.dumps({"case": case.id, "kind": outcome.kind, "message": outcome.message}) + "\n")


def stored_state(home: Path) -> dict[str, str]:
    """A digest of everything under ``home``; SQLite files by their rows, not their pages."""
    state = {}
    for path in sorted(home.rglob("*")):
        if not path.is_file() or path.name.endswith(("-wal", "-shm")):
            continue
        name = str(path.relative_to(home))
        if path.suffix == ".sqlite3":
            with contextlib.closing(sqlite3.connect(path)) as db:
                state[name] = "\n".join(db.iterdump())
        else:
            state[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def check(case: Case, setting: Setting) -> None:
    """Assert that the case is refused clearly (or rightly accepted) and that nothing stored changed."""
    if case.prepare is not None:
        case.prepare(setting)
    before = stored_state(setting.home)
    outcome = attempt(case, setting)
    assert outcome.kind == CLEAR, f"{case.id}: {outcome.kind}: {outcome.message}"
    assert re.search(case.expect, outcome.message, re.IGNORECASE | re.DOTALL), f"{case.id}: {outcome.message!r}"
    assert "Traceback" not in outcome.message
    assert stored_state(setting.home) == before, f"{case.id} changed stored data"
