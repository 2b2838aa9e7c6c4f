"""Resident memory of this process (from /proc, Linux only), timing a call with its peak memory, and glibc's
policy for freed memory."""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
MMAP_THRESHOLD = 32 << 20  # blocks from this size on are mapped from the OS and given back when freed
TRIM_THRESHOLD = 256 << 20  # free memory kept at the top of the heap before any is given back


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


def keep_freed_memory() -> bool:
    """Ask glibc to reuse freed blocks below 32 MB instead of giving them back to the OS at once.

    Training frees and allocates the same few megabytes of temporaries at every batch. With glibc's
    adaptive defaults they went back to the OS and were faulted in again: 6.0 million page faults and
    16 s of system time in one epoch at ml-25m's size, against 0.9 million and 6 s with these limits.
    Returns False where the C library is not glibc (nothing is changed there).
    """
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
