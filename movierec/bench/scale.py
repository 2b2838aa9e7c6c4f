"""``python -m movierec bench --scale``: load time, epoch time, throughput and memory at the large releases' size.

The release is synthetic (:mod:`movierec.data.synth`) with ml-25m's ratio of users and movies to
ratings, made once under ``MOVIEREC_HOME/synthetic`` and reused. Each preset trains one epoch; a preset
whose epoch would outlast ``budget_s`` is stopped there and its epoch time is extrapolated from the
batches it ran (marked as an estimate).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import torch

from movierec.bench.measure import reset_peak, status_mb
from movierec.bench.tables import markdown_table
from movierec.config import preset
from movierec.data import load_movielens
from movierec.data.synth import write_synthetic_release
from movierec.events import BatchEvent, EpochEvent, Event
from movierec.paths import subdir
from movierec.pipeline import train_model
from movierec.train.loop import resolve_device

ML25M_RATINGS, ML25M_USERS, ML25M_MOVIES = 25_000_095, 162_541, 62_423
WARM_UP_BATCHES = 10  # excluded from the extrapolated batch rate (allocator growth, thread start)
MIN_TIMED_BATCHES = 50  # a run is never stopped before this many batches after the warm-up
TEST_SIZE = 0.02  # accuracy is not measured here, so little is held out


def scale_release(n_ratings: int, seed: int = 1) -> Path:
    """The folder of a synthetic ml-25m-shaped release of ``n_ratings`` ratings, written on first use."""
    n_users = max(1, round(n_ratings * ML25M_USERS / ML25M_RATINGS))
    n_movies = max(100, round(n_ratings * ML25M_MOVIES / ML25M_RATINGS))
    folder = subdir("synthetic") / f"ml-25m-shaped-{n_ratings}-seed{seed}"
    if not (folder / "README.txt").is_file():  # written last, so its presence means a complete release
        write_synthetic_release(folder, n_ratings, n_users, n_movies, seed)
    return folder


class _EpochClock:
    """A training callback that times batches and stops the run ``budget_s`` after its first batch.

    Set-up before the first batch (split, indexing) is not part of an epoch and does not count.
    """

    def __init__(self, budget_s: float, stop: threading.Event) -> None:
        self.budget_s, self.stop = budget_s, stop
        self.marks: dict[int, float] = {}
        self.n_batches = 0
        self.epoch_seconds: float | None = None

    def __call__(self, event: Event) -> None:
        now = time.perf_counter()
        if isinstance(event, BatchEvent) and event.epoch == 1:
            self.marks[event.batch], self.n_batches = now, event.n_batches
            enough = event.batch >= WARM_UP_BATCHES + MIN_TIMED_BATCHES
            if enough and now - self.marks[1] > self.budget_s and event.batch < event.n_batches:
                self.stop.set()
        elif isinstance(event, EpochEvent) and event.epoch == 1 and not self.stop.is_set():
            self.epoch_seconds = event.seconds

    def estimate(self) -> float:
        """Seconds per epoch: measured when the epoch finished, else from the batch rate after warm-up."""
        if self.epoch_seconds is not None:
            return self.epoch_seconds
        done = max(self.marks)
        first = WARM_UP_BATCHES if done > WARM_UP_BATCHES else 1
        return (self.marks[done] - self.marks[first]) / max(1, done - first) * self.n_batches


def _device_name(device: torch.device) -> str:
    return f"{device} ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else str(device)


def run_scale_bench(
    n_ratings: int, presets: tuple[str, ...] = ("default", "article"), budget_s: float = 300.0, device: str = "cpu"
) -> dict[str, Any]:
    """Make or reuse the release, time its loading, then one epoch of each preset on ``device``.

    Returns:
        ``{"n_ratings", "n_users", "n_movies", "parse_s", "load_s", "load_peak_mb", "device", "results": [...]}``
        with one result per preset: ``s_per_epoch``, ``estimated``, ``ratings_per_s``, ``peak_mb`` (the
        process's resident memory) and, on a GPU, ``gpu_peak_mb`` (``torch.cuda.max_memory_allocated``).
    """
    on = resolve_device(device)  # refuses CUDA where there is none before the release is made
    folder = scale_release(n_ratings)
    reset_peak()
    started = time.perf_counter()
    dataset = load_movielens("ml-25m", data_dir=folder)  # parses and builds the cache unless it exists
    parse_s = time.perf_counter() - started
    del dataset  # the cached load below is timed, and measured, on its own
    started = time.perf_counter()
    dataset = load_movielens("ml-25m", data_dir=folder)
    report: dict[str, Any] = {
        "n_ratings": dataset.n_ratings,
        "n_users": dataset.n_users,
        "n_movies": dataset.n_movies,
        "parse_s": parse_s,
        "load_s": time.perf_counter() - started,
        "load_peak_mb": status_mb("VmHWM"),
        "device": _device_name(on),
        "results": [],
    }
    for name in presets:
        reset_peak()
        if on.type == "cuda":
            torch.cuda.reset_peak_memory_stats(on)
        stop = threading.Event()
        clock = _EpochClock(budget_s, stop)
        config = preset(name).with_changes(epochs=1, test_size=TEST_SIZE, device=on.type)
        # Only the epoch is reported, so the suggestion ranker (fitted after training) is left out.
        model = train_model(dataset, config, preset=name, callbacks=(clock,), stop=stop, ranking=False)
        seconds = clock.estimate()
        assert model.results is not None  # train_model scores every model it returns
        result = {
            "preset": name,
            "s_per_epoch": seconds,
            "estimated": clock.epoch_seconds is None,
            "ratings_per_s": model.results.n_train / seconds,
            "peak_mb": status_mb("VmHWM"),
        }
        if on.type == "cuda":
            result["gpu_peak_mb"] = torch.cuda.max_memory_allocated(on) / 2**20
        report["results"].append(result)
    return report


def format_scale_table(report: dict[str, Any], threads: int) -> str:
    """The report as a Markdown table with a line on the release and its loading."""
    release = (
        f"synthetic ml-25m-shaped release: {report['n_ratings']:,} ratings, {report['n_users']:,} users, "
        f"{report['n_movies']:,} movies; first load {report['parse_s']:.1f} s, cached load {report['load_s']:.1f} s, "
        f"peak {report['load_peak_mb']:.0f} MB; on {report['device']}, {threads} torch CPU thread(s)"
    )
    rows = [
        (
            r["preset"],
            f"{report['load_s']:.1f}",
            f"{r['s_per_epoch']:.1f}" + (" (est.)" if r["estimated"] else ""),
            f"{r['ratings_per_s']:,.0f}",
            f"{r['peak_mb']:.0f}",
            f"{r['gpu_peak_mb']:.0f}" if "gpu_peak_mb" in r else "–",
        )
        for r in report["results"]
    ]
    header = ("preset", "load s", "s / epoch", "ratings/s", "peak MB", "GPU peak MB")
    return release + "\n" + markdown_table(header, rows)
