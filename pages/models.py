"""Models page: every saved model of the chosen dataset side by side; overlay their curves; activate, rename, delete."""

from __future__ import annotations

import streamlit as st

from movierec.ui import models_view as view
from movierec.ui.shell import require_shell
from movierec.ui.state import active_dataset, active_model_info
from movierec.ui.text import plain

require_shell("pages/models.py")
st.title("Saved models")
dataset = active_dataset()
catalog = view.catalog(dataset.name)
for file_name, reason in catalog.damaged:
    st.warning(plain(f"The file {file_name} in the models folder cannot be read and is not listed: {reason}"))
rows = catalog.rows
info = active_model_info()
active = info.name if info is not None else None
st.write(
    f"Every model saved for **{plain(dataset.name)}**, trained on the Train page or with "
    "`python -m movierec train`. Click a column's header to sort by it."
)
if not rows:
    st.info("There is no saved model for this dataset yet: train one, then compare runs here.")
    st.page_link("pages/train.py", label="Go to the Train page", icon=":material/model_training:")
    view.notice()
    view.undo_button()
    with st.expander("Trash"):
        view.trash_panel(dataset.name)
    st.stop()

st.dataframe(
    view.models_table(rows, active, dataset.fingerprint),
    hide_index=True,
    width="stretch",
    column_config=view.column_config(),
    key="models_table",
)
st.caption(
    "Scores are each run's own: test RMSE and MAE on its held-out ratings, and the top-10 quality of its "
    "suggestions beside the most-rated movies each test user had not rated."
)

st.subheader("Compare training curves")
by_name = {row.name: row for row in rows}
picked = st.multiselect(
    "Runs to overlay",
    list(by_name),
    default=list(by_name)[:3],
    max_selections=view.MAX_OVERLAID,
    key="models_overlay",
    help=f"Up to {view.MAX_OVERLAID} runs, newest first in the list.",
)
if picked:
    chosen = [by_name[name] for name in picked]
    loss, rmse = st.columns(2)
    loss.plotly_chart(view.curves_figure(chosen, valid=False), width="stretch", key="models_loss")
    rmse.plotly_chart(view.curves_figure(chosen, valid=True), width="stretch", key="models_rmse")
    if missing := [row.name for row in chosen if not row.history]:
        st.caption(f"No saved history for: {plain(', '.join(missing))}.")

st.subheader("Manage a model")
view.notice()  # here, beside the buttons, where the person who just pressed one is looking
names = list(by_name)
view.apply_next_pick(names, active)
pick, use, delete = st.columns([3, 1, 1], vertical_alignment="bottom")
row = by_name[pick.selectbox("Model to manage", names, key=view.PICK_KEY)]
is_active = row.name == active
with use:
    if st.button(
        "Active now" if is_active else "Make active", key="models_activate", disabled=is_active, width="stretch"
    ):
        view.activate(row, dataset.fingerprint)
with delete:
    view.delete_button(row)
view.delete_confirmation(row)
with st.form("models_rename_form", border=False):
    new_name, submit = st.columns([4, 1], vertical_alignment="bottom")
    typed = new_name.text_input(
        f"New name for {plain(row.name)}", key="models_new_name", help="Letters, digits, '.', '_' and '-'."
    )
    if submit.form_submit_button("Rename", width="stretch"):
        view.rename(row, typed, is_active)
view.undo_button()
st.caption(
    "Deleting moves a model into the trash (MOVIEREC_HOME/models/trash) instead of erasing it: no page offers it "
    "there, and you can restore it below until you empty the trash."
)
with st.expander("Trash"):
    view.trash_panel(dataset.name)
