"""Rate page's last tab: export (with titles), import (all or nothing), clear with a confirmation, forget skips."""

from __future__ import annotations

import streamlit as st

from movierec.data import Dataset
from movierec.errors import MovieRecError
from movierec.model.artifacts import NOT_FILE_NAME, TrainedModel
from movierec.profiles.store import ProfileStore
from movierec.ui.keys import CLEAR_SURE_KEY, IMPORT_FILE_KEY, RATE_ERROR_KEY, RATE_NOTICE_KEY
from movierec.ui.rate_state import plain, report, undo_clear
from movierec.ui.rate_tabs import titles


def _import(dataset: Dataset, store: ProfileStore, profile: str) -> None:
    upload = st.session_state.get(IMPORT_FILE_KEY)
    if upload is None:
        st.session_state[RATE_ERROR_KEY] = "Choose a CSV file to import first."
        return
    try:
        text = upload.getvalue().decode("utf-8")
        count = store.import_csv(profile, text, dataset.scale, known_ids=set(dataset.movies["movie_id"].tolist()))
        st.session_state[RATE_NOTICE_KEY] = f"Imported {count} ratings from {upload.name}."
    except UnicodeDecodeError:
        st.session_state[RATE_ERROR_KEY] = f"Nothing was imported: {upload.name} is not UTF-8 text."
    except MovieRecError as exc:
        st.session_state[RATE_ERROR_KEY] = f"Nothing was imported from {upload.name}: {exc}"


def _clear(store: ProfileStore, profile: str) -> None:
    report(store.clear, profile)
    st.session_state[CLEAR_SURE_KEY] = False


def _forget_skips(store: ProfileStore, profile: str) -> None:
    try:
        st.session_state[RATE_NOTICE_KEY] = f"{store.forget_skips(profile)} skipped movies will be offered again."
    except MovieRecError as exc:
        st.session_state[RATE_ERROR_KEY] = str(exc)


def profile_tools(
    model: TrainedModel,
    dataset: Dataset,
    store: ProfileStore,
    profile: str,
    ratings: dict[int, float],
    skipped: dict[int, str],
) -> None:
    """Export to CSV (with titles), import from CSV (all or nothing), clear with a confirmation, forget skips."""
    safe = NOT_FILE_NAME.sub("_", profile).strip("_") or "profile"
    names = titles(model, dataset, sorted(ratings)).to_dict()
    st.download_button(
        "Export ratings (CSV)",
        store.export_csv(profile, names),
        file_name=f"{safe}-ratings.csv",
        mime="text/csv",
        key="rate_export",
        help="Columns movie_id, rating and title; movies you skipped are kept with the profile, not in the file.",
    )
    st.file_uploader(
        "Import ratings (CSV with the header movie_id,rating; a title column is ignored)",
        type=["csv"],
        key=IMPORT_FILE_KEY,
    )
    st.button("Import", key="rate_import", on_click=_import, args=(dataset, store, profile))
    sure = st.checkbox(
        f"Yes, forget all {len(ratings)} ratings of {plain(profile)}", key=CLEAR_SURE_KEY, disabled=not ratings
    )
    st.button(
        "Clear ratings", key="rate_clear", disabled=not (sure and ratings), on_click=_clear, args=(store, profile)
    )
    undo_clear(store, profile)
    if skipped:
        dismissed = sum(kind == "not_interested" for kind in skipped.values())
        st.button(
            f"Offer again the {len(skipped)} movies you skipped ({dismissed} dismissed suggestions)",
            key="rate_forget_skips",
            on_click=_forget_skips,
            args=(store, profile),
        )
