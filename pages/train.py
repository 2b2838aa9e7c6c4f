"""Train page: settings, a background run with live curves, Stop, the result and Save."""

from __future__ import annotations

import streamlit as st

from movierec.ui import train_form, train_view
from movierec.ui.polling import poll
from movierec.ui.runs import TrainingRun
from movierec.ui.shell import require_shell
from movierec.ui.state import active_dataset

require_shell("pages/train.py")
st.title("Train")
dataset = active_dataset()
st.write(
    f"Train the embedding network on **{dataset.name}** ({dataset.n_ratings:,} ratings). "
    "The run goes on in the background: you may visit other pages, or reload this one, and come back."
)
run = train_view.current_run()
running = run is not None and run.running

with st.expander("Settings", expanded=run is None):
    config, preset = train_form.settings(dataset)
if st.button(
    "Start training",
    type="primary",
    key="train_start",
    disabled=running or config is None,
    help="One run at a time: Stop the current run first." if running else None,
):
    train_view.start_run(TrainingRun(dataset, config, preset).start())
    st.rerun()

if run is None:
    st.info("Choose a preset or edit the settings, then start a run. Curves appear after the first batch.")
else:
    st.caption(f"Run on {run.dataset.name} · preset {run.preset or 'custom'} · device {run.config.device}")
    poll(run, lambda: train_view.live(run))
    poll(run, lambda: train_view.curves(run), every=train_view.CURVES_POLL_S)
    if not running:
        train_view.outcome(run)
