"""A real OpenID Connect provider on 127.0.0.1 for sign-in tests, the secrets that point the app at it,
and the clicks a person makes to sign in and out."""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Page

CLIENT_ID = "movierec-test"  # the mock provider accepts any client id and secret
CLIENT_SECRET = "movierec-test-secret"


@contextlib.contextmanager
def oidc_provider() -> Iterator[str]:
    """``oidc-provider-mock`` served from a thread on a free port of 127.0.0.1; yields its issuer URL."""
    import oidc_provider_mock
    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def write_secrets(folder: Path, issuer: str) -> Path:
    """A ``secrets.toml`` in ``folder`` whose ``[auth]`` section signs people in at ``issuer``.

    Streamlit fills ``{port}`` with the port the app listens on, so the file fits any free port.
    """
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
    return path


def sign_in(page: Page, subject: str) -> None:
    """On the app's sign-in prompt, press "Sign in" and authorise as ``subject`` on the provider's form."""
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.get_by_test_id("stSidebar").get_by_text(f"Signed in as {subject}").wait_for(timeout=60_000)


def sign_out(page: Page) -> None:
    """Press "Sign out" in the sidebar and confirm on the provider's end-session page when it asks."""
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    end_session = page.get_by_role("button", name="End session")
    prompt = page.get_by_role("button", name="Sign in")
    end_session.or_(prompt).first.wait_for(timeout=60_000)
    if end_session.is_visible():
        end_session.click()
    prompt.wait_for(timeout=60_000)
