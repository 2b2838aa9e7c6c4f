"""Style that every page shares: parts of a page awaiting a rerun dim in one step, not frame by frame."""

from __future__ import annotations

import streamlit as st

# While a rerun is under way, Streamlit fades each element it will replace (and each expander and tab
# panel) to a third of its opacity over one second, after half a second. Every frame of that fade
# repaints the whole page: about a CPU core for the second it lasts, per tab. These elements keep the
# half-second wait and then dim at once.
STALE_IN_ONE_STEP = """
<style>
[data-stale="true"],
[data-testid="stExpander"] details,
[data-testid="stExpander"] summary,
[data-testid="stTabs"] > div > div {
  transition-duration: 0s !important;
}
</style>
"""


def apply_page_style() -> None:
    """Send the shared style (a style-only element, which takes no room on the page)."""
    st.html(STALE_IN_ONE_STEP)
