"""A page URL opened first on a fresh server still shows the app's menu and sidebar."""

from __future__ import annotations

import pytest

from tests.conftest import running_app

pytestmark = pytest.mark.browser


def test_direct_page_url_on_a_fresh_server_keeps_the_shell(page, tmp_path, screenshots):
    with running_app(tmp_path) as url:
        page.goto(f"{url}/train")
        page.get_by_role("heading", name="Train").wait_for()
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Dataset", exact=True).wait_for()
        for title in ("Overview", "Train", "Rate", "Embeddings"):
            assert sidebar.get_by_role("link", name=title).count() == 1
        page.screenshot(path=screenshots / "shell-direct-train-url.png")
