"""Sign-in for a shared server: with an ``[auth]`` section in ``secrets.toml``, nobody sees anything before signing in.

Without that section nothing changes (the server is open to whoever reaches it, as the README says). With it,
a visitor who has not signed in gets only a sign-in prompt, on every page address: no sidebar (downloads,
folders, uploads, saved models), no Train page (no runs on the server's CPU), no model card, no embeddings.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from movierec.ui.rate_state import sign_in_configured
from movierec.ui.text import plain

PAGES = Path(__file__).resolve().parent.parent.parent / "pages"


def signed_out() -> bool:
    """Whether sign-in is set up on this server and the visitor of this session has not signed in."""
    return sign_in_configured() and not st.user.is_logged_in


def _prompt() -> None:
    st.title("movierec")
    st.info(
        "This dashboard is shared with a team: sign in to train models, rate movies and see your own profiles. "
        "Nothing is shown before you sign in."
    )
    st.button("Sign in", key="sign_in", type="primary", icon=":material/login:", on_click=st.login)


def show_only_the_prompt() -> None:
    """Answer every page address with the sign-in prompt alone, then end the run.

    The prompt stands in for each page under that page's own address (hidden navigation), so a page link
    or a reload lands on the prompt rather than on "page not found", and no page file runs at all.
    """
    stand_ins = [st.Page(_prompt, title="Sign in", default=True)]
    stand_ins += [
        st.Page(_prompt, title="Sign in", url_path=page.stem) for page in sorted(PAGES.glob("*.py")) if page.is_file()
    ]
    st.navigation(stand_ins, position="hidden").run()
    st.stop()


def _sign_out() -> None:
    # Signing out starts a new browser session; emptying this one first leaves nothing of the person behind
    # for the moment until the browser follows the redirect.
    st.session_state.clear()
    st.query_params.clear()
    st.logout()


def sign_out_control() -> None:
    """Who is signed in and a "Sign out" button (drawn only when sign-in is set up and someone is signed in)."""
    if not sign_in_configured() or not st.user.is_logged_in:
        return
    who = st.user.get("email") or st.user.get("name") or st.user.get("sub") or "you"
    st.caption(f"Signed in as {plain(who)}")
    st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=_sign_out)
