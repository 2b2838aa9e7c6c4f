"""Style that every page shares: parts of a page awaiting a rerun dim in one step, not frame by frame."""

from __future__ import annotations

import streamlit as st

# While a rerun is under way, Streamlit fades each element it will replace (and the expanders and tabs
# around them) to a third of its opacity over one second, after half a second, and every frame of that
# fade repaints the page (its cost is in the README's load check section). Here the elements dim at once
# after one second, so that a quick rerun (a rating, on a quiet machine) does not flash; the borders of
# expanders and the tab lists change at once after Streamlit's half second (only the stale elements carry
# a mark, so those rules cannot wait longer without delaying their other changes). An expander's header
# keeps its own fade: it is one line, and it has hover colours to keep.
STALE_IN_ONE_STEP = """
<style>
[data-stale="true"] {
  transition-duration: 0s !important;
  transition-delay: 1s !important;
}
[data-testid="stExpander"] details,
[data-testid="stTabs"] > div > div {
  transition-duration: 0s !important;
}
</style>
"""


def apply_page_style() -> None:
    """Send the shared style (a style-only element, which takes no room on the page)."""
    st.html(STALE_IN_ONE_STEP)
