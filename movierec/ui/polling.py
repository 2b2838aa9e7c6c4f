"""Redraw part of a page while a background job runs, then redraw the whole page once when it ends."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from movierec.ui.runs import BackgroundJob

POLL_S = 0.8  # seconds between redraws: at least one a second, while leaving the worker most of the GIL


def poll(job: BackgroundJob | None, draw: Callable[[], None], every: float = POLL_S) -> None:
    """Call ``draw`` inside a fragment that reruns every ``every`` seconds while ``job`` runs.

    When the job ends, the whole app reruns once, so widgets outside the fragment (a Start button that
    was disabled, the sidebar's pickers) catch up; an idle page does not poll at all.
    """
    polling = job is not None and job.running

    def body() -> None:
        draw()
        if polling and job is not None and not job.running:
            st.rerun(scope="app")

    st.fragment(body, run_every=every if polling else None)()
