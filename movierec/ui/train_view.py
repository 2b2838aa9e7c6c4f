"""The Train page's run views: live progress and curves, the result card, and saving."""

from __future__ import annotations

import uuid

import streamlit as st

from movierec import paths
from movierec.errors import MovieRecError
from movierec.events import EPOCHS, RANKER, REFIT, SAVING, SCORING
from movierec.model.artifacts import check_name, default_name
from movierec.phases import STOP_KEEPS, TITLES, clock
from movierec.ui import charts
from movierec.ui.keys import forget, keep_widget_values
from movierec.ui.model_card import model_card
from movierec.ui.runs import FAILED, STOPPED, STOPPING, TrainingRun, TrainingSnapshot
from movierec.ui.state import choose_later

SAVE_NAME_KEY = "train_save_name"
OVERWRITE_KEY = "train_overwrite"
SAVED_KEY = "train_saved_as"  # (run id, name) of the last save, so a saved run is not warned about itself
NOTICE_KEY = "train_notice"
RUN_KEY = "train_run"
RUN_ID_KEY = "train_run_id"
RUN_PARAM = "run"  # the address names the run, so a browser reload finds it again
KEPT_RUNS = 8  # runs this server remembers for reloads; older ones are forgotten (their pages keep them)


@st.cache_resource(show_spinner=False)
def _runs() -> dict[str, TrainingRun]:
    """The runs started on this server, newest last, by the id their page's address carries."""
    return {}


def start_run(run: TrainingRun) -> None:
    """Make ``run`` this browser session's run and name it in the page's address."""
    run_id = uuid.uuid4().hex[:12]
    known = _runs()
    known[run_id] = run
    while len(known) > KEPT_RUNS:
        known.pop(next(iter(known)))
    st.session_state[RUN_KEY], st.session_state[RUN_ID_KEY] = run, run_id
    forget_save_form()


def current_run() -> TrainingRun | None:
    """This session's run; after a browser reload, the run the address names (when this server still has it)."""
    if RUN_KEY not in st.session_state:
        named = st.query_params.get(RUN_PARAM)
        if named in _runs():
            st.session_state[RUN_KEY], st.session_state[RUN_ID_KEY] = _runs()[named], named
    run_id = st.session_state.get(RUN_ID_KEY)
    if run_id is not None and st.query_params.get(RUN_PARAM) != run_id:
        st.query_params[RUN_PARAM] = run_id  # page switches clear the address
    return st.session_state.get(RUN_KEY)


def progress(snap: TrainingSnapshot) -> None:
    """The phases done, then the current phase in words with its own bar and the time left in it at its pace."""
    position = snap.position
    if position is None:
        return
    for finished in position.finished:
        st.caption(f"✓ {finished.line()}")
    parts = [position.text]
    if snap.status == STOPPING:
        parts.append(f"stopping: {STOP_KEEPS[position.stopped_in or position.phase]}…")
    elif left := position.left_text():
        parts.append(left)
    parts.append(f"{clock(snap.elapsed)} elapsed")
    st.progress(position.fraction, text=" · ".join(parts))


CURVES_POLL_S = 4.0  # the charts follow the run more slowly than the progress line: drawing them costs far more


def live(run: TrainingRun) -> None:
    """What changes from batch to batch while a run goes on: status, Stop and progress."""
    if not run.running:
        return
    snap = run.snapshot()
    left, right = st.columns([5, 1])
    with left:
        progress(snap)
    with right:
        st.button(
            "Stop",
            key="train_stop",
            on_click=run.stop,
            disabled=snap.status == STOPPING,
            help=f"Ends the run now: {STOP_KEEPS[snap.phase]}.",
            width="stretch",
        )


def curves(run: TrainingRun) -> None:
    """The three charts: batch losses, validation RMSE per epoch and the learning rate."""
    snap = run.snapshot()
    if not snap.batch_losses:
        return
    left, right = st.columns(2)
    left.plotly_chart(charts.loss_figure(snap.batch_losses, snap.n_batches), key="train_loss_chart")
    right.plotly_chart(charts.rmse_figure(snap.epoch_events), key="train_rmse_chart")
    st.plotly_chart(charts.lr_figure(snap.batch_lrs, snap.n_batches), key="train_lr_chart")


def outcome(run: TrainingRun) -> None:
    """The ended run: the error in plain words, or the result card and the Save form."""
    snap = run.snapshot()
    if snap.status == FAILED or snap.model is None:
        st.error(f"The run failed and nothing was saved. {snap.error}")
        return
    results = snap.model.results
    assert results is not None  # train_model scores every model it returns
    with st.container(border=True):
        if snap.status == STOPPED:
            st.subheader("Result: stopped early")
            st.warning(stop_note(snap))
        else:
            st.subheader("Result: finished")
        model_card(results, has_ranker=snap.model.ranker is not None)
        if snap.position is not None:
            st.caption(" · ".join(finished.line() for finished in snap.position.finished))
        save_form(run)


def stop_note(snap: TrainingSnapshot) -> str:
    """What a stopped run kept, by the phase the stop ended."""
    results = snap.model.results if snap.model is not None else None
    assert results is not None  # only a run that ended with a scored model is stopped
    phase = snap.position.stopped_in if snap.position is not None else EPOCHS
    if phase in (RANKER, SCORING):
        return (
            f"You stopped this run while {TITLES[phase].lower()}, after {results.epochs_run} epoch(s) "
            f"(best: {results.best_epoch}): {STOP_KEEPS[phase]}. The scores below are the network's."
        )
    during = " during its refit on training + validation ratings" if phase == REFIT else ""
    return (
        f"You stopped this run{during} after {results.epochs_run} epoch(s) of selection; it keeps the "
        f"weights of its best epoch ({results.best_epoch}), scored below."
    )


def save_form(run: TrainingRun) -> None:
    """Name (validated), overwrite confirmation, Save; the saved model becomes the sidebar's choice."""
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(notice)
    model = run.snapshot().model
    if model is None:  # only a run that ended with a model shows this form
        return
    keep_widget_values(SAVE_NAME_KEY, OVERWRITE_KEY)
    if SAVE_NAME_KEY not in st.session_state:
        st.session_state[SAVE_NAME_KEY] = default_name(model.dataset, model.preset)
    name = st.text_input("Model name", key=SAVE_NAME_KEY, help="Letters, digits, '.', '_' and '-'.").strip()
    try:
        check_name(name)
    except MovieRecError as exc:
        st.error(str(exc))
        return
    if st.session_state.get(SAVED_KEY) == (id(run), name):
        return  # this run is already saved under this name: nothing to confirm or warn about
    exists = (paths.subdir("models") / f"{name}.pt").exists()
    overwrite = exists and st.checkbox(f"Replace the existing model {name}", key=OVERWRITE_KEY)
    if exists and not overwrite:
        st.warning(f"A model named {name} already exists. Tick the box to replace it, or choose another name.")
    if st.button("Save model", type="primary", key="train_save", disabled=exists and not overwrite):
        try:
            with st.spinner(f"{TITLES[SAVING]}…"):
                model.save(name, overwrite=overwrite)
        except (MovieRecError, OSError) as exc:
            st.error(f"The model was not saved: {exc}")
            return
        st.session_state[NOTICE_KEY] = f"Saved as {name}; it is now the active model in the sidebar."
        st.session_state[SAVED_KEY] = (id(run), name)
        forget(OVERWRITE_KEY)  # the next replacement must be confirmed again
        choose_later(model=name)
        st.rerun()


def forget_save_form() -> None:
    """Clear the Save form's name and confirmation, so a new run gets a fresh default name."""
    forget(SAVE_NAME_KEY, OVERWRITE_KEY, NOTICE_KEY, SAVED_KEY)
