"""Timed browser check of the Models page (a script, not a test: timings are too noisy to assert).

    python tests/timing_models_page.py [--models 50] [--repeat 3] [--home DIR]

Saves ``--models`` tiny models of planted data (filed under the bundled dataset) into a fresh
MOVIEREC_HOME, serves the README's app command and drives Debian's Chromium: the time from clicking
"Models" in the menu until the table and both curve charts are drawn, and the time from adding a fifth run
to the overlay until both charts show five curves; and, as a control for the machine's speed, the time the
Overview page takes to draw its three charts. Prints each try and the medians.
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


def time_pages(page, repeat: int) -> dict[str, list[float]]:
    """Seconds from a click in the menu until the page is drawn: Models (table and three overlaid runs), and
    the Overview (its three charts) as a control for what any page with charts costs on this machine."""
    timings: dict[str, list[float]] = {"page": [], "control: Overview page": []}
    for _ in range(repeat):
        started = time.perf_counter()
        page.get_by_role("link", name="Overview").click()
        page.wait_for_function(OVERVIEW)
        timings["control: Overview page"].append(time.perf_counter() - started)
        started = time.perf_counter()
        page.get_by_role("link", name="Models").click()
        page.wait_for_function(SETTLED, arg=[3])
        timings["page"].append(time.perf_counter() - started)
    return timings


def time_overlay(page, repeat: int) -> list[float]:
    """Seconds from picking the fifth run of the overlay until both charts show five curves."""
    overlay = page.get_by_test_id("stMultiSelect")
    for name in ("run-46",):
        overlay.click()
        page.get_by_role("option", name=name, exact=True).click()
        page.wait_for_function(SETTLED, arg=[4])
    timings = []
    for _ in range(repeat):
        overlay.click()
        started = time.perf_counter()
        page.get_by_role("option", name="run-45", exact=True).click()
        page.wait_for_function(SETTLED, arg=[5])
        timings.append(time.perf_counter() - started)
        overlay.locator("input").press("Backspace")  # takes the last picked run off again
        page.wait_for_function(SETTLED, arg=[4])
    return timings


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
        results = {**time_pages(page, args.repeat), "overlay of 5": time_overlay(page, args.repeat)}
        browser.close()
    for what, seconds in results.items():
        tries = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"{what} ({args.models} saved models): median {statistics.median(seconds):.2f} s (tries {tries})")


if __name__ == "__main__":
    main()
