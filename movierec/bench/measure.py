"""Resident memory of this process (from /proc, Linux only) and timing a call with its peak memory."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def status_mb(key: str) -> float | None:
    """A memory line of /proc/self/status in MB (None where there is no /proc, e.g. macOS)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak() -> float | None:
    """Reset the process's peak resident memory (VmHWM) to now and return the current RSS in MB.

    tracemalloc misses torch's allocations, and ru_maxrss never goes down, so a smaller model run after
    a larger one would show nothing; writing 5 to clear_refs restarts the high-water mark instead.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return status_mb("VmRSS")


def measure(train_once: Callable[[], T]) -> tuple[T, float, float | None]:
    """Call ``train_once()``; return its result, wall-clock seconds and peak extra resident MB."""
    before = reset_peak()
    started = time.perf_counter()
    result = train_once()
    seconds = time.perf_counter() - started
    peak = status_mb("VmHWM")
    return result, seconds, (max(peak - before, 0.0) if peak is not None and before is not None else None)
