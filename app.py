"""movierec dashboard: navigation, the shared sidebar and the data credit."""

from __future__ import annotations

import os

import streamlit as st

from movierec.errors import MovieRecError
from movierec.leftovers import clean_leftovers
from movierec.ui.cache import warm_up_imports
from movierec.ui.page_style import apply_page_style
from movierec.ui.shell import run_inside_shell
from movierec.ui.sidebar import render_sidebar
from movierec.ui.sign_in import show_only_the_prompt, signed_out

st.set_page_config(page_title="movierec", page_icon=":material/movie:", layout="wide")
apply_page_style()


@st.cache_resource(show_spinner=False)
def _cleaned(home: str | None) -> list[str]:
    """Put right what a crash left under MOVIEREC_HOME, once per server and home folder."""
    return clean_leftovers()


try:
    _cleaned(os.environ.get("MOVIEREC_HOME"))
except MovieRecError as exc:  # nothing works without a usable MOVIEREC_HOME: say so instead of failing on every page
    st.error(str(exc))
    st.stop()

if signed_out():  # with sign-in set up, nothing but the prompt before it: no pages, no sidebar, no runs
    show_only_the_prompt()

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/rate.py", title="Rate", icon=":material/star:"),
        st.Page("pages/embeddings.py", title="Embeddings", icon=":material/scatter_plot:"),
        st.Page("pages/models.py", title="Models", icon=":material/table_chart:"),
    ]
)
warm_up_imports()
render_sidebar()
run_inside_shell(navigation)
st.caption(
    "Ratings data: MovieLens by GroupLens Research (F. M. Harper and J. A. Konstan, 2015), "
    "for research and non-commercial use under its licence."
)
