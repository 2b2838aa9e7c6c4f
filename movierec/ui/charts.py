"""Plotly figures for the pages: live training curves and dataset distributions."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from movierec.train.loop import EpochEvent

MAX_POINTS = 2000  # more points than this make a redraw every half second sluggish in the browser
HEIGHT = 320


def _layout(figure: go.Figure, title: str, x_title: str, y_title: str, height: int = HEIGHT) -> go.Figure:
    figure.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        xaxis_title=x_title,
        yaxis_title=y_title,
    )
    return figure


def _per_batch(values: Sequence[float] | np.ndarray, n_batches: int) -> tuple[np.ndarray, np.ndarray]:
    """x in epochs (batch k of epoch e sits at e - 1 + k / n_batches) and y, thinned to ``MAX_POINTS``."""
    y = np.asarray(values, dtype=float)
    x = np.arange(1, len(y) + 1) / max(1, n_batches)
    stride = max(1, int(np.ceil(len(y) / MAX_POINTS)))
    return x[::stride], y[::stride]


def smooth(values: Sequence[float], n_batches: int) -> np.ndarray:
    """Exponential moving average spanning about half an epoch, so the trend shows through batch noise."""
    span = max(5, n_batches // 2)
    return pd.Series(values, dtype=float).ewm(span=span).mean().to_numpy()


def loss_figure(losses: Sequence[float], n_batches: int) -> go.Figure:
    """Training loss (MSE) per batch, raw and smoothed."""
    figure = go.Figure()
    x, raw = _per_batch(losses, n_batches)
    _, smoothed = _per_batch(smooth(losses, n_batches), n_batches)
    figure.add_scatter(x=x, y=raw, name="per batch", mode="lines", line=dict(width=1, color="rgba(99,110,250,0.35)"))
    figure.add_scatter(x=x, y=smoothed, name="smoothed", mode="lines", line=dict(width=2.5, color="#636efa"))
    return _layout(figure, "Training loss per batch", "epoch", "MSE")


def rmse_figure(events: Sequence[EpochEvent]) -> go.Figure:
    """Training and validation RMSE per epoch, with the best epoch marked."""
    figure = go.Figure()
    epochs = [e.epoch for e in events]
    figure.add_scatter(x=epochs, y=[e.train_rmse for e in events], name="train", mode="lines+markers")
    figure.add_scatter(x=epochs, y=[e.valid_rmse for e in events], name="validation", mode="lines+markers")
    if events:
        best = events[-1]
        figure.add_scatter(
            x=[best.best_epoch],
            y=[best.best_valid_rmse],
            name="best so far",
            mode="markers",
            marker=dict(size=14, symbol="star", color="#00cc96"),
        )
    else:
        figure.add_annotation(
            text="appears after the first epoch", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper"
        )
        figure.update_xaxes(range=[0.5, 2.5])
        figure.update_yaxes(showticklabels=False)
    figure.update_xaxes(dtick=1 if len(events) <= 20 else None)
    return _layout(figure, "RMSE per epoch", "epoch", "RMSE")


def lr_figure(lrs: Sequence[float], n_batches: int) -> go.Figure:
    """The learning rate of every batch: each cosine restart shows as a jump back to the peak."""
    figure = go.Figure()
    x, y = _per_batch(lrs, n_batches)
    figure.add_scatter(x=x, y=y, name="learning rate", mode="lines", line=dict(color="#ef553b"))
    figure.update_yaxes(exponentformat="e")
    return _layout(figure, "Learning rate (cosine annealing with warm restarts)", "epoch", "lr", height=240)


def rating_histogram(ratings: pd.Series) -> go.Figure:
    """How often each rating value is given."""
    counts = ratings.value_counts().sort_index()
    figure = go.Figure(go.Bar(x=counts.index.astype(float), y=counts.to_numpy(), marker_color="#636efa"))
    figure.update_xaxes(dtick=0.5 if len(counts) > 5 else 1)
    return _layout(figure, "Ratings given", "rating", "number of ratings", height=300)


def count_histogram(counts: pd.Series, what: str) -> go.Figure:
    """Distribution of ratings per user or per movie, on log-spaced bins (a few give very many)."""
    values = counts.to_numpy()
    edges = np.unique(np.geomspace(values.min(), values.max() + 1, 30).astype(int))
    hist, edges = np.histogram(values, bins=edges)
    labels = [f"{lo}–{hi - 1}" if hi - 1 > lo else f"{lo}" for lo, hi in pairwise(edges)]
    figure = go.Figure(go.Bar(x=labels, y=hist, marker_color="#00cc96"))
    return _layout(figure, f"Ratings per {what}", f"ratings per {what}", f"number of {what}s", height=300)
