"""Memory helpers: resident memory from /proc and glibc's policy for freed blocks."""

from __future__ import annotations

import platform

import pytest
import torch

from movierec.bench.measure import reset_peak, status_mb
from movierec.train.allocator import keep_freed_memory


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_keeping_freed_memory_cuts_page_faults_of_repeated_temporaries():
    import resource

    def faults_of_temporaries() -> int:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(50):
            torch.ones(3 << 20, dtype=torch.uint8).sum()  # 3 MB, freed at once
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    assert keep_freed_memory() and keep_freed_memory()  # applying it twice is harmless
    faults_of_temporaries()  # the heap grows once
    assert faults_of_temporaries() < 50 * (3 << 20) // 4096 // 10


def test_peak_is_reset_and_read_where_proc_exists():
    if status_mb("VmRSS") is None:
        pytest.skip("no /proc here")
    assert reset_peak() is not None and status_mb("VmHWM") is not None
