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


def ranking_table(metrics: dict[str, Any]) -> pd.DataFrame:
    """Top-10 quality of the suggestions and of most-popular on the run's test part (empty for older models)."""
    names = {"suggestions": "This model's suggestions", "most_popular": "Baseline: most-rated unseen movies"}
    rows = [
        (names.get(k, k), v["precision_at_10"], v["ndcg_at_10"], v["liked_ndcg_at_10"])
        for k, v in metrics.get("ranking", {}).items()
    ]
    return pd.DataFrame(rows, columns=["", "P@10", "nDCG@10", "liked nDCG@10"]).set_index("")


def ranking_card(metrics: dict[str, Any]) -> None:
    """P@10 and nDCG@10 of the suggestions beside most-popular; says so when the model predates them."""
    table = ranking_table(metrics)
    if table.empty:
        st.caption("This model was saved without a suggestion ranker: its suggestions are ordered by predicted rating.")
        return
    ours = table.iloc[0]
    top = st.columns(4)
    top[0].metric(
        "P@10", f"{ours['P@10']:.3f}", help="Share of the top 10 suggestions the person rated in the held-out part."
    )
    top[1].metric("nDCG@10", f"{ours['nDCG@10']:.3f}", help="Held-out movies near the top of the list count more.")
    top[2].metric(
        "Liked nDCG@10", f"{ours['liked nDCG@10']:.3f}", help="nDCG@10 counting only held-out movies rated 4 or more."
    )
    top[3].metric(
        "Ranker fit",
        f"{metrics.get('ranking_seconds', 0.0):.1f} s",
        help="Time to fit the suggestion ranker after the network.",
    )
    st.dataframe(
        table, width="stretch", column_config={c: st.column_config.NumberColumn(format="%.3f") for c in table.columns}
    )
    st.caption(
        "Suggestions are judged like any recommender's: for each test user, the top 10 among movies they did not "
        "rate in training; a hit is a movie from their test part · higher is better."
    )


def model_card(metrics: dict[str, Any]) -> None:
    """Headline numbers, the comparison with the baselines, and how the run went."""
    baseline = metrics.get("baselines", {}).get("user_movie_bias")
    delta = f"{metrics['test_rmse'] - baseline['rmse']:+.3f} vs user+movie biases" if baseline else None
    top = st.columns(4)
    top[0].metric("Test RMSE", f"{metrics['test_rmse']:.4f}", delta=delta, delta_color="inverse")
    top[1].metric("Test MAE", f"{metrics['test_mae']:.4f}")
    top[2].metric(
        "Best epoch",
        f"{metrics['best_epoch']} of {metrics['epochs_run']}",
        help="Epochs run; early stopping keeps the best.",
    )
    top[3].metric("Training time", f"{metrics['train_seconds']:.1f} s", help=f"Device: {metrics['device']}")
    st.dataframe(
        scores_table(metrics),
        width="stretch",
        column_config={
            "test RMSE": st.column_config.NumberColumn(format="%.4f"),
            "test MAE": st.column_config.NumberColumn(format="%.4f"),
        },
    )
    st.caption(
        f"Device {metrics['device']} · {metrics['n_train']:,} training, {metrics['n_valid']:,} validation and "
        f"{metrics['n_test']:,} test ratings · lower is better."
    )
    ranking_card(metrics)
