"""A trained model's scores beside the baselines, shared by the Train page's result and the Overview."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st


def scores_table(metrics: dict[str, Any]) -> pd.DataFrame:
    """Test RMSE and MAE of the model and of the two baselines, best first."""
    baselines = metrics.get("baselines", {})
    rows = [("This model", metrics["test_rmse"], metrics["test_mae"])]
    names = {"user_movie_bias": "Baseline: user + movie biases", "global_mean": "Baseline: global mean"}
    rows += [(names.get(k, k), v["rmse"], v["mae"]) for k, v in baselines.items()]
    table = pd.DataFrame(rows, columns=["", "test RMSE", "test MAE"]).sort_values("test RMSE")
    return table.set_index("")


def model_card(metrics: dict[str, Any]) -> None:
    """Headline numbers, the comparison with the baselines, and how the run went."""
    baseline = metrics.get("baselines", {}).get("user_movie_bias")
    delta = f"{metrics['test_rmse'] - baseline['rmse']:+.3f} vs user+movie biases" if baseline else None
    top = st.columns(4)
    top[0].metric("Test RMSE", f"{metrics['test_rmse']:.4f}", delta=delta, delta_color="inverse")
    top[1].metric("Test MAE", f"{metrics['test_mae']:.4f}")
    top[2].metric("Best epoch", f"{metrics['best_epoch']} of {metrics['epochs_run']}", help="Epochs run; early stopping keeps the best.")
    top[3].metric("Training time", f"{metrics['train_seconds']:.1f} s", help=f"Device: {metrics['device']}")
    st.dataframe(scores_table(metrics), width="stretch", column_config={
        "test RMSE": st.column_config.NumberColumn(format="%.4f"),
        "test MAE": st.column_config.NumberColumn(format="%.4f"),
    })
    st.caption(
        f"Device {metrics['device']} · {metrics['n_train']:,} training, {metrics['n_valid']:,} validation and "
        f"{metrics['n_test']:,} test ratings · lower is better."
    )
