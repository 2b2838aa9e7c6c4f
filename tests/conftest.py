"""Shared fixtures: a private MOVIEREC_HOME per test, and a live app for browser tests.

The browser, its contexts and tabs are pytest-playwright's fixtures (``browser``, ``page``), set here to run
Debian's Chromium.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager

from tests.data_fixtures import ReleaseServer

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def movierec_home(tmp_path, monkeypatch):
    """Point MOVIEREC_HOME at a fresh temporary folder for each test."""
    home = tmp_path / "movierec-home"
    monkeypatch.setenv("MOVIEREC_HOME", str(home))
    return home


@pytest.fixture
def release_server(monkeypatch):
    """A local HTTP server that downloads are pointed at (``MOVIEREC_DOWNLOAD_URL``)."""
    local = ReleaseServer()
    thread = threading.Thread(target=local.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("MOVIEREC_DOWNLOAD_URL", local.base)
    yield local
    local.httpd.shutdown()
    local.httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def navigation_pages(monkeypatch):
    """Run app.py on every AppTest run, as the server does.

    AppTest 1.67 forgets before each run that ``st.navigation`` replaced the legacy ``pages/``
    auto-discovery; because ``pages/`` exists it would then run the page file alone, without the sidebar.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy at {url} within {timeout:.0f}s")


@pytest.fixture(scope="session")
def app_home(tmp_path_factory) -> Path:
    """The MOVIEREC_HOME of the live app (tests may save models into ``app_home / 'models'``)."""
    return tmp_path_factory.mktemp("app-home")


@contextlib.contextmanager
def running_app(home: Path):
    """The README's app command, served on a free port of 127.0.0.1 with ``MOVIEREC_HOME=home``; yields its URL."""
    port = _free_port()
    env = {**os.environ, "MOVIEREC_HOME": str(home)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(home / "streamlit.log", "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def app_url(app_home):
    """One live app for the whole session (see :func:`running_app`)."""
    with running_app(app_home) as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's browser is Debian's Chromium, with the flags a container needs."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Browser tests need Debian's chromium package: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Each test's tab (pytest-playwright's ``page``, its own session) is sized like a laptop screen."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Folder for screenshots taken by browser tests (printed at the end of the run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")
