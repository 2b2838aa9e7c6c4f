"""The sidebar shared by every page: who is signed in, which dataset, which saved model, and ways to add data."""

from __future__ import annotations

import streamlit as st

from movierec.data import dataset_status
from movierec.errors import MovieRecError
from movierec.model.artifacts import ModelInfo
from movierec.ui import data_sources
from movierec.ui.keys import DATASET_KEY, FOLDERS_KEY, MODEL_KEY, UPLOADS_KEY
from movierec.ui.sign_in import sign_out_control
from movierec.ui.sources import DEFAULT_DATASET, Source, source_label
from movierec.ui.state import active_dataset, apply_pending_choices, dataset_models, load_problem
from movierec.ui.text import plain

_DAMAGED_KEY = "_damaged_models"  # (name, created) -> notice, for model files found damaged in this session


def render_sidebar() -> None:
    """Draw the dataset and model pickers (values in ``st.session_state``) and the data panels."""
    apply_pending_choices()
    with st.sidebar:
        sign_out_control()
        _dataset_picker()
        _model_picker()
        st.divider()
        data_sources.download_panel()
        data_sources.folder_panel()
        data_sources.upload_panel()


def _dataset_picker() -> None:
    sources = [row["name"] for row in dataset_status() if row["ready"]]
    sources += st.session_state.get(FOLDERS_KEY, []) + list(st.session_state.get(UPLOADS_KEY, {}))
    chosen = st.session_state.get(DATASET_KEY, DEFAULT_DATASET)
    if chosen not in sources:
        chosen = DEFAULT_DATASET
    try:
        Source.parse(chosen).load()
    except MovieRecError as exc:  # e.g. an extracted folder that was moved or damaged since it was added
        st.error(f"{Source.parse(chosen).label} can no longer be loaded, so the bundled data is back in use. {exc}")
        if chosen in st.session_state.get(FOLDERS_KEY, []):
            st.session_state[FOLDERS_KEY].remove(chosen)
            sources.remove(chosen)
        chosen = DEFAULT_DATASET
    # Assigning before the widget exists is allowed, and keeps the choice when it is still offered.
    st.session_state[DATASET_KEY] = chosen
    st.selectbox(
        "Dataset",
        sources,
        key=DATASET_KEY,
        format_func=source_label,
        help="MovieLens releases on this machine, extracted folders and uploads added in this session.",
    )


def _model_picker() -> None:
    infos, other_data = dataset_models(active_dataset())
    if other_data:
        st.warning(
            f"{other_data} saved model(s) named for this dataset were trained on different data, so they are not offered "
            "(their predictions would not fit these ratings)."
        )
    infos = _drop_damaged(infos)
    if not infos:
        st.session_state.pop(MODEL_KEY, None)
        st.caption("No saved model for this dataset yet: train one on the Train page.")
        return
    by_name = {info.name: info for info in infos}
    if st.session_state.get(MODEL_KEY) not in by_name:
        st.session_state[MODEL_KEY] = infos[0].name
    st.selectbox(
        "Model",
        list(by_name),
        key=MODEL_KEY,
        format_func=lambda name: _label(by_name[name]),
        help="Saved models for this dataset, newest first (models trained with the command line appear too).",
    )


def _drop_damaged(infos: list[ModelInfo]) -> list[ModelInfo]:
    """The models to offer: the chosen one (else the newest) is loaded first; a damaged file is named and left out.

    Damaged files are remembered for the session (until the file changes), so the notice stays and they are
    not offered again.
    """
    damaged: dict[tuple[str, str], str] = st.session_state.setdefault(_DAMAGED_KEY, {})
    listed = {(info.name, info.created) for info in infos}
    infos = [info for info in infos if (info.name, info.created) not in damaged]
    while infos:
        chosen = next((info for info in infos if info.name == st.session_state.get(MODEL_KEY)), infos[0])
        problem = load_problem(chosen)
        if problem is None:
            break
        # The file name, not the server's folders, goes into a notice every visitor sees.
        reason = problem.replace(str(chosen.path), chosen.path.name)
        damaged[(chosen.name, chosen.created)] = f"The model file {chosen.path.name} is not offered: {reason}"
        infos.remove(chosen)
    for key, notice in damaged.items():
        if key in listed:
            st.warning(plain(notice))
    return infos


def _label(info: ModelInfo) -> str:
    rmse = f" · RMSE {info.test_rmse:.3f}" if info.test_rmse is not None else ""
    return f"{info.name}{rmse}"
