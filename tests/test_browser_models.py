"""The Models page in Chromium: the table and curves appear; deleting asks first and Undo brings the model back."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import running_app
from tests.factories import TINY, filed_as_bundled, planted_dataset, tiny_model

pytestmark = pytest.mark.browser


def test_models_page_lists_overlays_and_deletes_with_a_confirmation(page, tmp_path, screenshots):
    model = filed_as_bundled(tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=3)))
    for index, name in enumerate(("first-run", "second-run")):
        saved = copy.copy(model)
        saved.created = f"2026-12-0{index + 1}T10:00:00+00:00"
        saved.save(name, directory=tmp_path / "models")

    with running_app(tmp_path) as url:
        page.set_default_timeout(120_000)  # a fresh server reads the bundled data first
        page.goto(url)
        page.get_by_role("link", name="Models").click()
        page.get_by_role("heading", name="Saved models").wait_for()
        page.get_by_test_id("stDataFrame").wait_for()
        page.locator(".js-plotly-plot").nth(1).wait_for()
        page.locator(".legendtext", has_text="first-run").first.wait_for()
        page.screenshot(path=str(screenshots / "models-start.png"), full_page=True)

        page.get_by_role("button", name="Delete…").click()
        page.get_by_text("Move second-run into the trash?").wait_for()
        page.get_by_role("button", name="Yes, delete").click()
        page.get_by_text("second-run was moved into the trash.").wait_for()
        assert not (tmp_path / "models" / "second-run.pt").exists()
        page.get_by_role("button", name="Undo: restore second-run").click()
        page.get_by_text("Restored second-run.").wait_for()
        assert (tmp_path / "models" / "second-run.pt").exists()
        page.screenshot(path=str(screenshots / "models-after-undo.png"), full_page=True)
        assert not page.get_by_text("Traceback").count()
