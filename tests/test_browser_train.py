"""The Train page in Debian's Chromium: a short run with live curves, a page switch during it, and Save."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# The progress names the phase the run is in; the result card replaces it once the run has ended.
GOING_OR_ENDED = r"^Result: |^Epoch \d+ of at most 30|^Fitting the suggestion ranker|^Scoring the test users|^Preparing"
LOSS_POINTS = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    return plot && plot._fullData ? plot._fullData[0].x.length : 0;
}"""


def _no_traceback(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def _set_number(page, label: str, value: str) -> None:
    field = page.get_by_role("spinbutton", name=label, exact=True)
    field.fill(value)
    field.press("Enter")


def _go(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()


def test_train_in_the_browser_with_live_curves_page_switch_and_save(page, app_url, app_home, screenshots):
    page.goto(app_url)
    page.get_by_role("heading", name="Dataset: ml-latest-small").wait_for()
    page.locator(".js-plotly-plot").nth(2).wait_for()
    page.screenshot(path=screenshots / "overview.png", full_page=True)

    _go(page, "Train")
    start = page.get_by_role("button", name="Start training")
    start.wait_for()
    # A small network in small batches: many chart points within a few seconds, and a run long enough
    # (about 9,400 batches) to still be going when checked on a fast machine; Stop ends it.
    for label, value in (
        ("Embedding factors", "16"),
        ("Batch size", "256"),
        ("Maximum epochs", "30"),
        ("Patience (epochs)", "30"),
    ):
        _set_number(page, label, value)
    hidden = page.get_by_role("textbox", name="Hidden layer sizes")
    hidden.fill("32")
    hidden.press("Enter")
    page.wait_for_timeout(500)
    page.screenshot(path=screenshots / "train-before.png", full_page=True)
    start.click()

    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    first = page.evaluate(LOSS_POINTS)
    deadline = time.monotonic() + 20
    while page.evaluate(LOSS_POINTS) <= first and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert page.evaluate(LOSS_POINTS) > first, "the loss chart did not grow"
    assert page.get_by_role("button", name="Start training").is_disabled()
    page.screenshot(path=screenshots / "train-during.png", full_page=True)

    _go(page, "Overview")
    page.get_by_role("heading", name="Active model").wait_for()
    _go(page, "Train")
    # Back on Train the same run is still going (or has ended), and a browser reload finds it again.
    page.get_by_text(re.compile(GOING_OR_ENDED)).first.wait_for()
    assert "run=" in page.url
    page.reload()
    page.get_by_text(re.compile(GOING_OR_ENDED)).first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    # Stop bounds the test on a busy machine.
    stop = page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop", exact=True)
    if stop.count():
        stop.click()
    result = page.get_by_text(re.compile(r"^Result: (finished|stopped early)$"))
    result.wait_for(timeout=60_000)
    result.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "train-result.png", full_page=True)
    name = page.get_by_role("textbox", name="Model name")
    name.fill("browser-run")
    name.press("Enter")
    page.get_by_role("button", name="Save model").click()
    page.get_by_text("Saved as browser-run").wait_for()
    assert (app_home / "models" / "browser-run.pt").is_file()
    picker = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model")
    expect(picker).to_have_value(re.compile(r"^browser-run"))
    page.screenshot(path=screenshots / "train-saved.png", full_page=True)
    _no_traceback(page)
