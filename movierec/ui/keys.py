"""Session-state keys: the names read by more than one function, and the one way a widget's value outlives
the runs that do not draw it.

Widgets whose value is only ever read back from the widget call keep their key at the call.
"""

from __future__ import annotations

import streamlit as st

DATASET_KEY = "dataset_name"  # the sidebar's dataset choice: a source key (see movierec.ui.sources)
MODEL_KEY = "model_name"  # the sidebar's model choice: a saved model's name
UPLOADS_KEY = "dataset_uploads"  # source key -> Dataset, for CSV uploads of this session
FOLDERS_KEY = "dataset_folders"  # folder source keys added in this session, in order
PROFILE_KEY = "profile_name"  # the active Rate-page profile's name; the Embeddings page reads it too

# The Rate page
PROFILE_PICKER_KEY = "rate_profile_pick"
NEW_PROFILE_KEY = "rate_new_profile"
RATE_ERROR_KEY = "rate_error"  # an error left by a widget callback, shown once on the next run
RATE_NOTICE_KEY = "rate_notice"  # a success left by a widget callback, shown once on the next run
IMPORT_FILE_KEY = "rate_import_file"
CLEAR_SURE_KEY = "rate_clear_sure"


def kept(key: str) -> str:
    """The shadow key under which a widget's last value is kept while the widget is not drawn."""
    return f"_kept_{key}"


def keep_widget_values(*keys: str) -> None:
    """Keep these widgets' values while their page is not shown; call before drawing them.

    Streamlit forgets a widget's value after a run that does not draw it (another page was open), so a
    copy is kept under a shadow key and put back when the page is drawn again.
    """
    for key in keys:
        if key not in st.session_state and kept(key) in st.session_state:
            st.session_state[key] = st.session_state[kept(key)]
        if key in st.session_state:
            st.session_state[kept(key)] = st.session_state[key]


def remember(key: str) -> None:
    """Keep a widget's current value under its shadow key (an ``on_change`` callback)."""
    st.session_state[kept(key)] = st.session_state[key]


def remembered(key: str) -> object:
    """The value last kept for the widget ``key`` (None when there is none)."""
    return st.session_state.get(kept(key))


def forget(*keys: str) -> None:
    """Drop these widgets' values and their kept copies, so they start from their defaults."""
    for key in keys:
        st.session_state.pop(key, None)
        st.session_state.pop(kept(key), None)
