"""Exit 0 once the dashboard at the given URL shows its Overview page in headless Chromium, 1 otherwise."""

from __future__ import annotations

import shutil
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.conftest import CHROMIUM_FLAGS


def wait_healthy(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main(url: str) -> int:
    wait_healthy(url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("heading", name="Dataset: ml-latest-small").wait_for(timeout=120_000)
        errors = page.get_by_test_id("stException").count()
        browser.close()
    print(f"the app at {url} answers: Overview drawn, {errors} exception(s) shown")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
