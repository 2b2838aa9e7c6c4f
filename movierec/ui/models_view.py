"""The Models page's pieces: the cached catalog, its table, the overlaid curves and the actions on one model."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from movierec import paths
from movierec.errors import MovieRecError
from movierec.model.catalog import Catalog, ModelRow, model_catalog, settings_text
from movierec.model.store import TrashedModel, delete_model, empty_trash, rename_model, restore_trashed, trashed_models
from movierec.ui import cache
from movierec.ui.choices import offered
from movierec.ui.state import choose_later, load_problem
from movierec.ui.text import plain

PICK_KEY = "models_pick"
_NEXT_PICK = "_models_pick_next"  # the model to select on the next run (after a rename or a restore)
_CONFIRM_KEY = "_models_confirm_delete"  # name of the model whose deletion awaits confirmation
_CONFIRM_EMPTY = "_models_confirm_empty"
_UNDO_KEY = "_models_undo"  # the TrashedModel of the last deletion, for the Undo button
_NOTICE_KEY = "_models_notice"
MAX_OVERLAID = 10  # Plotly's qualitative palette has ten colours; more runs would share colours
COLOURS = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff", "#fecb52")


@st.cache_data(show_spinner="Reading the saved models…", max_entries=8)
def _catalog(dataset_name: str, listing: tuple[tuple[str, int], ...]) -> Catalog:
    return model_catalog(dataset=dataset_name)


def catalog(dataset_name: str) -> Catalog:
    """The saved models of one dataset; read again whenever a model file appears, goes or changes."""
    return _catalog(dataset_name, cache.folder_stamp(paths.subdir("models"), "*.pt"))


def models_table(rows: list[ModelRow], active: str | None, fingerprint: str) -> pd.DataFrame:
    """One line per model, in the columns of ``python -m movierec models``."""
    records = [row.record() for row in rows]
    frame = pd.DataFrame(
        {
            "Active": [row.name == active for row in rows],
            "Name": [row.name for row in rows],
            "Preset": [row.preset or "–" for row in rows],
            "Settings changed": [_changes(row) for row in rows],
            **{label: [record[key] for record in records] for key, label in _NUMBERS.items()},
            "Device": [record["device"] or "–" for record in records],
            "Created": pd.to_datetime([row.created for row in rows], utc=True, errors="coerce"),
            "Data": ["this data" if row.fingerprint == fingerprint else "other data" for row in rows],
        }
    )
    return frame


_NUMBERS = {  # record key -> column, with their formats in COLUMN_FORMATS
    "test_rmse": "Test RMSE",
    "test_mae": "Test MAE",
    "p_at_10": "P@10",
    "p_at_10_most_popular": "P@10 most-popular",
    "ndcg_at_10": "nDCG@10",
    "ndcg_at_10_most_popular": "nDCG@10 most-popular",
    "epochs": "Epochs",
    "best_epoch": "Best epoch",
    "train_seconds": "Train s",
}
_HELP = {
    "Test RMSE": "Error of the predicted ratings on the run's held-out test part; lower is better.",
    "P@10": "Share of each test user's top 10 suggestions found in their held-out ratings.",
    "P@10 most-popular": "The same for the most-rated movies the user had not rated: the simplest peer.",
    "nDCG@10": "Like P@10, with hits near the top of the list counting more.",
    "Settings changed": "Settings that differ from the preset the model started from.",
    "Data": "Models trained on other data of the same name are listed but cannot be made active.",
}


def column_config() -> dict[str, object]:
    """Formats and tooltips of :func:`models_table`'s columns."""
    digits = {"Test RMSE": "%.4f", "Test MAE": "%.4f", "Train s": "%.1f", "Epochs": "%d", "Best epoch": "%d"}
    config: dict[str, object] = {
        label: st.column_config.NumberColumn(label, format=digits.get(label, "%.3f"), help=_HELP.get(label))
        for label in _NUMBERS.values()
    }
    config["Active"] = st.column_config.CheckboxColumn("Active", help="The model the sidebar has chosen.")
    config["Created"] = st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD HH:mm", help="UTC")
    config["Name"] = st.column_config.TextColumn("Name", pinned=True)
    # Medium, so the scores stay in view beside a long list of changes (hovering shows it whole).
    config["Settings changed"] = st.column_config.TextColumn(
        "Settings changed", width="medium", help=_HELP["Settings changed"]
    )
    config["Data"] = st.column_config.TextColumn("Data", help=_HELP["Data"])
    return config


def _changes(row: ModelRow) -> str:
    text = settings_text(row.changed)
    if not text:
        return "–"
    return text if row.preset == row.compared_with else f"vs {row.compared_with}: {text}"


def curves_figure(rows: list[ModelRow], valid: bool) -> go.Figure:
    """Training loss (``valid`` False) or validation RMSE per epoch of each run, the best epoch starred."""
    figure = go.Figure()
    for row, colour in zip(rows, COLOURS, strict=False):
        epochs = [p.epoch for p in row.history]
        values = [p.valid_rmse if valid else p.train_loss for p in row.history]
        figure.add_scatter(x=epochs, y=values, name=row.name, mode="lines+markers", line=dict(color=colour))
        best = row.results.best_epoch if row.results is not None else None
        if valid and best in epochs:
            figure.add_scatter(
                x=[best],
                y=[values[epochs.index(best)]],
                mode="markers",
                marker=dict(size=13, symbol="star", color=colour),
                name=f"{row.name}: best epoch",
                showlegend=False,
                hovertemplate=f"{row.name}<br>best epoch %{{x}}: %{{y:.4f}}<extra></extra>",
            )
    title = "Validation RMSE per epoch (★ best)" if valid else "Training loss per epoch"
    longest = max((len(row.history) for row in rows), default=0)
    figure.update_xaxes(dtick=1 if longest <= 20 else None)  # whole epochs, while they fit
    figure.update_layout(
        title=title,
        showlegend=True,  # also for a single run, so both charts name it
        height=360,
        margin=dict(l=10, r=10, t=50, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0.0),
        xaxis_title="epoch",
        yaxis_title="RMSE" if valid else "MSE (mean of the epoch's batches)",
    )
    return figure


def notice(text: str | None = None) -> None:
    """Show the notice left by the last action (``text`` None), or leave one for the next run."""
    if text is not None:
        st.session_state[_NOTICE_KEY] = text
    elif shown := st.session_state.pop(_NOTICE_KEY, None):
        st.success(plain(shown))


def apply_next_pick(names: list[str], active: str | None) -> None:
    """Select the model an action asked for, else keep the choice, else the active (or newest) model."""
    wanted = st.session_state.pop(_NEXT_PICK, None)
    if wanted in names:
        st.session_state[PICK_KEY] = wanted
    elif st.session_state.get(PICK_KEY) not in names:
        st.session_state[PICK_KEY] = active if active in names else names[0]


def _act(action: Callable[[], str | None], pick: str | None = None, active: str | None = None) -> None:
    """Run an action; on success leave its notice, select ``pick`` and make ``active`` the sidebar's model."""
    try:
        done = action()
    except MovieRecError as exc:
        st.error(plain(str(exc)))
        return
    notice(done)
    if pick is not None:
        st.session_state[_NEXT_PICK] = pick
    if active is not None:
        choose_later(model=active)
    st.rerun()


def activate(row: ModelRow, fingerprint: str) -> None:
    """Make ``row`` the sidebar's active model, when it fits the chosen data and loads."""
    if row.fingerprint != fingerprint:
        st.error(f"{plain(row.name)} was trained on different data of the same name; its predictions would not fit it.")
        return
    problem = load_problem(row.info())
    if problem is not None:
        st.error(plain(problem.replace(str(row.path), row.path.name)))
        return
    _act(lambda: f"{row.name} is now the active model.", active=row.name)


def rename(row: ModelRow, new: str, is_active: bool) -> None:
    """Rename ``row``; the sidebar follows when it was the active model."""
    new = new.strip()
    _act(
        lambda: f"Renamed {row.name} to {rename_model(row.name, new).stem}.",
        pick=new,
        active=new if is_active else None,
    )


def delete_button(row: ModelRow) -> None:
    """The Delete button: it asks for a confirmation (:func:`delete_confirmation`) before anything moves."""
    if st.button("Delete…", key="models_delete", icon=":material/delete:", width="stretch"):
        st.session_state[_CONFIRM_KEY] = row.name
        st.rerun()


def delete_confirmation(row: ModelRow) -> None:
    """Once Delete was pressed for ``row``: a confirmation that moves the model into the trash."""
    if st.session_state.get(_CONFIRM_KEY) != row.name:
        return
    st.warning(f"Move {plain(row.name)} into the trash? It is then offered nowhere until you restore it.")
    yes, no = st.columns(2)
    if no.button("Cancel", key="models_delete_cancel"):
        st.session_state.pop(_CONFIRM_KEY, None)
        st.rerun()
    if yes.button("Yes, delete", type="primary", key="models_delete_yes"):
        st.session_state.pop(_CONFIRM_KEY, None)

        def delete() -> str:
            st.session_state[_UNDO_KEY] = delete_model(row.name)
            return f"{row.name} was moved into the trash."

        _act(delete)


def undo_button() -> None:
    """Undo the last deletion of this session (the model comes back under its name)."""
    entry: TrashedModel | None = st.session_state.get(_UNDO_KEY)
    if entry is None or not entry.path.exists():
        return
    if st.button(f"Undo: restore {entry.name}", key="models_undo", icon=":material/undo:"):
        st.session_state.pop(_UNDO_KEY, None)
        _act(lambda: f"Restored {restore_trashed(entry).stem}.", pick=entry.name)


def trash_panel(dataset_name: str) -> None:
    """The deleted models of this dataset: restore one, or empty the trash after a confirmation."""
    entries = trashed_models(dataset_name)
    if not entries:
        st.caption("The trash is empty.")
        return
    by_file = {entry.path.name: entry for entry in entries}
    chosen = st.selectbox(
        "Deleted model",
        list(by_file),
        key="models_trash_pick",
        format_func=lambda key: f"{by_file[key].name} · deleted {by_file[key].deleted[:19].replace('T', ' ')} UTC",
    )
    entry = by_file[offered(chosen, by_file, next(iter(by_file)))]
    restore, empty = st.columns(2)
    if restore.button("Restore", key="models_restore", icon=":material/restore_from_trash:"):
        _act(lambda: f"Restored {restore_trashed(entry).stem}.", pick=entry.name)
    if not st.session_state.get(_CONFIRM_EMPTY):
        if empty.button(f"Empty the trash ({len(entries)})…", key="models_empty"):
            st.session_state[_CONFIRM_EMPTY] = True
            st.rerun()
        return
    st.warning(f"Erase the {len(entries)} deleted model(s) of this dataset for good? This cannot be undone.")
    yes, no = st.columns(2)
    if no.button("Cancel", key="models_empty_cancel"):
        st.session_state.pop(_CONFIRM_EMPTY, None)
        st.rerun()
    if yes.button("Yes, erase them", type="primary", key="models_empty_yes"):
        st.session_state.pop(_CONFIRM_EMPTY, None)
        _act(lambda: f"Erased {empty_trash(dataset_name)} deleted model(s) for good.")
