"""Timed browser check of the Models page (a script, not a test: timings are too noisy to assert).

    python tests/timing_models_page.py [--models 50] [--repeat 3] [--home DIR]

Saves ``--models`` tiny models of planted data (filed under the bundled dataset) into a fresh
MOVIEREC_HOME, serves the README's app command and drives Debian's Chromium: the time from clicking
"Models" in the menu until the table and both curve charts are drawn, and the time from adding a fifth run
to the overlay until both charts show five curves; and, as a control for the machine's speed, the time the
Overview page takes to draw its three charts. Prints each try and the medians, each as wall-clock seconds,
the app server's CPU seconds and Chromium's CPU seconds (all its processes).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

OVERVIEW = """() => [...document.querySelectorAll('h1')].some(h => h.textContent.includes('movierec'))
    && document.querySelectorAll('.js-plotly-plot').length === 3
    && [...document.querySelectorAll('.js-plotly-plot')].every(p => p.data && p.data.length > 0)
    && document.querySelectorAll('[data-stale="true"]').length === 0"""
SETTLED = """([runs]) => {
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    return document.querySelector('[data-testid="stDataFrame"]') !== null
        && plots.length === 2 && plots.every(p => p.data && p.data.filter(t => t.showlegend !== false).length === runs)
        && document.querySelectorAll('[data-stale="true"]').length === 0;
}"""


def save_models(count: int) -> None:
    """``count`` models from two tiny trainings, each saved under its own name and date."""
    from factories import TINY, filed_as_bundled, planted_dataset, tiny_model

    trained = [
        filed_as_bundled(tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=6, lr=lr)))
        for lr in (3e-2, 1e-2)
    ]
    for index in range(count):
        model = copy.copy(trained[index % 2])
        model.created = f"2026-12-{1 + index // 24:02d}T{index % 24:02d}:00:00+00:00"
        model.save(f"run-{index:02d}")


class Stopwatch:
    """Wall-clock seconds of one step, with the CPU seconds the app server and the browser's page spent in it.

    On a busy machine the wall clock mostly measures waiting for a core; the CPU seconds (read from /proc:
    the app server's process, and every Chromium process this script started) show the work itself.
    """

    def __init__(self, page, port: int) -> None:
        self.page = page
        self.server = next(pid for pid in os.listdir("/proc") if pid.isdigit() and _is_server(pid, port))
        self.tries: dict[str, list[tuple[float, ...]]] = {}

    def _cpu(self) -> tuple[float, float, float]:
        parents = {pid: _stat(pid)[1] for pid in os.listdir("/proc") if pid.isdigit() and _stat(pid)[1] is not None}
        mine = {str(os.getpid())}
        while grown := {pid for pid, parent in parents.items() if parent in mine} - mine:
            mine |= grown
        browser = sum(_stat(pid)[0] for pid in mine if b"chrom" in _cmdline(pid))
        return time.perf_counter(), _stat(self.server)[0], browser

    def step(self, what: str, action, condition: str, arg=None) -> None:
        """Run ``action`` and wait until ``condition`` holds in the page; record the three durations."""
        before = self._cpu()
        action()
        self.page.wait_for_function(condition, arg=arg)
        after = self._cpu()
        self.tries.setdefault(what, []).append(tuple(b - a for a, b in zip(before, after, strict=True)))


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _stat(pid: str) -> tuple[float, str | None]:
    """CPU seconds (user + system) of a process and its parent's pid; (0, None) when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), fields[1]


def _is_server(pid: str, port: int) -> bool:
    words = _cmdline(pid).split(b"\0")
    return b"streamlit" in words and str(port).encode() in words


def time_pages(watch: Stopwatch, repeat: int) -> None:
    """From a click in the menu until the page is drawn: Models (table and three overlaid runs), and the
    Overview (its three charts) as a control for what any page with charts costs on this machine."""
    page = watch.page
    for _ in range(repeat):
        watch.step("control: Overview page", page.get_by_role("link", name="Overview").click, OVERVIEW)
        watch.step("Models page", page.get_by_role("link", name="Models").click, SETTLED, [3])


def time_overlay(watch: Stopwatch, repeat: int) -> None:
    """From picking the fifth run of the overlay until both charts show five curves."""
    page = watch.page
    overlay = page.get_by_test_id("stMultiSelect")
    overlay.click()
    page.get_by_role("option", name="run-46", exact=True).click()
    page.wait_for_function(SETTLED, arg=[4])
    for _ in range(repeat):
        overlay.click()
        page.get_by_role("option", name="run-45", exact=True).wait_for()
        watch.step("overlay of 5 runs", page.get_by_role("option", name="run-45", exact=True).click, SETTLED, [5])
        overlay.locator("input").press("Backspace")  # takes the last picked run off again
        page.wait_for_function(SETTLED, arg=[4])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--home", type=Path, help="reuse the models this script saved into this MOVIEREC_HOME")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="models-timing-"))
    os.environ["MOVIEREC_HOME"] = str(home)
    if args.home is None:
        save_models(args.models)
    print(f"MOVIEREC_HOME={home}")
    from conftest import CHROMIUM_FLAGS, running_app
    from playwright.sync_api import sync_playwright

    with running_app(home) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(f"{url}/models")
        page.wait_for_function(SETTLED, arg=[3], timeout=300_000)  # the first visit reads the files, warms caches
        watch = Stopwatch(page, int(url.rsplit(":", 1)[1]))
        time_pages(watch, args.repeat)
        time_overlay(watch, args.repeat)
        browser.close()
    print(f"{args.models} saved models; median of {args.repeat} (wall s / app server CPU s / Chromium CPU s)")
    for what, tries in watch.tries.items():
        medians = [statistics.median(column) for column in zip(*tries, strict=True)]
        shown = "; ".join("/".join(f"{v:.2f}" for v in one) for one in tries)
        print(f"{what}: {medians[0]:.2f} / {medians[1]:.2f} / {medians[2]:.2f}  (tries {shown})")


if __name__ == "__main__":
    main()
