"""Keeps every page inside app.py's shell, even when a page URL is the first thing a fresh server sees.

On a fresh server, Streamlit runs a directly requested page from ``pages/`` on its own (its legacy
multipage mode) until ``app.py`` has called ``st.navigation`` once; the page would then appear without
the sidebar and with the wrong menu. A page that finds itself outside the shell goes through ``app.py``
once and comes straight back.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from movierec.ui.sign_in import signed_out

INSIDE_KEY = "_shell_inside"
RETURN_KEY = "_shell_return_to"


def run_inside_shell(navigation: StreamlitPage) -> None:
    """Run the selected page from ``app.py`` (after a detour, the page that asked for it)."""
    wanted = st.session_state.pop(RETURN_KEY, None)
    if wanted is not None:
        st.switch_page(wanted)
    st.session_state[INSIDE_KEY] = True
    try:
        navigation.run()
    finally:
        st.session_state.pop(INSIDE_KEY, None)


def require_shell(page_path: str) -> None:
    """Call first on every page: outside the shell, detour through ``app.py`` back to ``page_path``.

    Where sign-in is set up, a page draws nothing for a visitor who has not signed in: ``app.py`` shows
    them the prompt instead of running any page, and a page run some other way stops here.
    """
    if not st.session_state.get(INSIDE_KEY):
        st.session_state[RETURN_KEY] = page_path
        st.switch_page("app.py")
    if signed_out():
        st.stop()
