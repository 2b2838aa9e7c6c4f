"""A trained model's scores beside the baselines, shared by the Train page's result and the Overview."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from movierec.results import TrainingResults


def scores_table(results: TrainingResults) -> pd.DataFrame:
    """Test RMSE and MAE of the model and of the two baselines, best first."""
    baselines = results.baselines
    rows = [
        ("This model", results.test_rmse, results.test_mae),
        ("Baseline: global mean", baselines.global_mean.rmse, baselines.global_mean.mae),
        ("Baseline: user + movie biases", baselines.user_movie_bias.rmse, baselines.user_movie_bias.mae),
    ]
    table = pd.DataFrame(rows, columns=["", "test RMSE", "test MAE"]).sort_values("test RMSE")
    return table.set_index("")


def ranking_table(results: TrainingResults) -> pd.DataFrame:
    """Top-10 quality of the suggestions and of most-popular on the run's test part (empty for older models)."""
    ranking = results.ranking
    lists = (
        [
            ("This model's suggestions", ranking.suggestions),
            ("Baseline: most-rated unseen movies", ranking.most_popular),
        ]
        if ranking is not None
        else []
    )
    rows = [(name, s.precision_at_10, s.ndcg_at_10, s.liked_ndcg_at_10) for name, s in lists]
    return pd.DataFrame(rows, columns=["", "P@10", "nDCG@10", "liked nDCG@10"]).set_index("")


def ranking_card(results: TrainingResults, has_ranker: bool) -> None:
    """P@10 and nDCG@10 of the suggestions beside most-popular; says why when there are none."""
    table = ranking_table(results)
    if table.empty and has_ranker:
        st.caption("This model's suggestion ranker was not scored on the test users, so no top-10 scores are shown.")
        return
    if table.empty:
        st.caption("This model has no suggestion ranker: its suggestions are ordered by predicted rating.")
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
        f"{results.ranking_seconds:.1f} s",
        help="Time to fit the suggestion ranker after the network.",
    )
    st.dataframe(
        table, width="stretch", column_config={c: st.column_config.NumberColumn(format="%.3f") for c in table.columns}
    )
    st.caption(
        "Suggestions are judged like any recommender's: for each test user, the top 10 among movies they did not "
        "rate in training; a hit is a movie from their test part · higher is better."
    )


def model_card(results: TrainingResults, has_ranker: bool) -> None:
    """Headline numbers, the comparison with the baselines, and how the run went (``has_ranker``: the
    model has a suggestion ranker, even where its top-10 scores were not measured)."""
    delta = f"{results.test_rmse - results.baselines.user_movie_bias.rmse:+.3f} vs user+movie biases"
    top = st.columns(4)
    top[0].metric("Test RMSE", f"{results.test_rmse:.4f}", delta=delta, delta_color="inverse")
    top[1].metric("Test MAE", f"{results.test_mae:.4f}")
    top[2].metric(
        "Best epoch",
        f"{results.best_epoch} of {results.epochs_run}",
        help="Epochs run; early stopping keeps the best.",
    )
    top[3].metric("Training time", f"{results.train_seconds:.1f} s", help=f"Device: {results.device}")
    st.dataframe(
        scores_table(results),
        width="stretch",
        column_config={
            "test RMSE": st.column_config.NumberColumn(format="%.4f"),
            "test MAE": st.column_config.NumberColumn(format="%.4f"),
        },
    )
    st.caption(
        f"Device {results.device} · {results.n_train:,} training, {results.n_valid:,} validation and "
        f"{results.n_test:,} test ratings · lower is better."
    )
    ranking_card(results, has_ranker)
