"""Style that every page shares: nothing fades frame by frame; parts of a page awaiting a rerun dim in one step."""

from __future__ import annotations

import streamlit as st

# Every CSS transition keeps the browser drawing frame after frame while it runs, and a page holds many:
# while a rerun is under way Streamlit fades each element it will replace (and the expanders and tabs around them)
# to a third of its opacity over one second, after half a second, and controls fade their colours on hover
# and focus (the cost is in the README's load check section). Here nothing fades: colours change at once,
# and the parts awaiting a rerun dim in one step after one second, so that a quick rerun (a rating, on a
# quiet machine) does not flash. Expanders and tab lists carry no mark of their own, so they dim while they
# hold a stale element, and brighten at once when they no longer do; a folded expander holds nothing, so it
# waits a second both ways (a quick rerun leaves it as it is; a slow one brightens it a second late).
NO_FADES = """
<style>
*, *::before, *::after {
  transition: none !important;
}
[data-stale="true"] {
  transition: opacity 0s 1s !important;
}
[data-testid="stExpander"] details:not([open]),
[data-testid="stExpander"] details:not([open]) > summary,
[data-testid="stExpander"]:has([data-stale="true"]) :is(details, summary),
[data-testid="stTabs"]:has([data-stale="true"]) > div > div {
  transition: opacity 0s 1s, border-color 0s 1s !important;
}
</style>
"""


def apply_page_style() -> None:
    """Send the shared style (a style-only element, which takes no room on the page)."""
    st.html(NO_FADES)
