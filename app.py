"""movierec dashboard: navigation, the shared sidebar and the data credit."""
from __future__ import annotations

import streamlit as st

from movierec.ui.cache import warm_up_imports
from movierec.ui.shell import run_inside_shell
from movierec.ui.sidebar import render_sidebar

st.set_page_config(page_title="movierec", page_icon=":material/movie:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/rate.py", title="Rate", icon=":material/star:"),
        st.Page("pages/embeddings.py", title="Embeddings", icon=":material/scatter_plot:"),
    ]
)
warm_up_imports()
render_sidebar()
run_inside_shell(navigation)
st.caption(
    "Ratings data: MovieLens by GroupLens Research (F. M. Harper and J. A. Konstan, 2015), "
    "for research and non-commercial use under its licence."
)
