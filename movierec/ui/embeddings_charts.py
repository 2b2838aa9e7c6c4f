"""Plotly figures for the Embeddings page: the movie map, explained variance and genre correlations."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from movierec.embeddings import LIGHT_GENRES, SERIOUS_GENRES, Projection

REST = "other genres"
SERIOUSNESS = "Drama vs light films"  # the article's story, and what the separation AUC measures
GROUPS = {"drama": "#b2182b", "comedy / animation / children": "#2166ac", "both": "#9970ab", "neither": "#c9c9c9"}
RATED = "rated by you"
HOVER = ("title", "year", "genres_text", "n_ratings", "mean_rating")
HOVER_LABELS = {"genres_text": "genres", "n_ratings": "ratings", "mean_rating": "mean rating"}
PALETTE = px.colors.qualitative.Alphabet  # 26 colours: enough for every MovieLens genre


def scatter_figure(
    projection: Projection,
    axes: tuple[str, ...],
    genre: str | None = None,
    rated_ids: Collection[int] = (),
    marked_id: int | None = None,
) -> go.Figure:
    """Each movie a point on two (or three) components, coloured by main genre or one genre against the rest.

    Args:
        projection: the PCA to draw.
        axes: two or three component names, e.g. ``("pc1", "pc2")``.
        genre: a genre to highlight against all others, :data:`SERIOUSNESS` for dramas against light films,
            or None to colour every movie by its main genre.
        rated_ids: movies to ring (the active profile's rated movies).
        marked_id: a movie to point at with a labelled marker (the search result).
    """
    table = _plot_table(projection.table, genre)
    titles = {c: _axis_title(projection, c) for c in axes}
    common = dict(
        color="colour",
        hover_name="title",
        hover_data={c: True for c in HOVER[1:]} | {"colour": False},
        labels=HOVER_LABELS | titles,
        color_discrete_sequence=PALETTE,
        category_orders={"colour": _colour_order(table, genre)},
    )
    if len(axes) == 3:
        figure = px.scatter_3d(table, x=axes[0], y=axes[1], z=axes[2], **common)
        figure.update_traces(marker=dict(size=3, opacity=0.8))
    else:
        figure = px.scatter(table, x=axes[0], y=axes[1], **common)
        figure.update_traces(marker=dict(size=7, opacity=0.75, line=dict(width=0)))
    colours = GROUPS if genre == SERIOUSNESS else {REST: GROUPS["neither"]}
    figure.for_each_trace(lambda t: t.update(marker_color=colours[t.name]) if t.name in colours else None)
    _add_overlay(figure, table, axes, rated_ids, marked_id)
    figure.update_layout(
        height=620 if len(axes) == 3 else 560,
        margin=dict(l=10, r=10, t=40, b=10),
        legend_title_text=genre or "main genre",
        legend=dict(itemsizing="constant"),
    )
    return figure


def _plot_table(table: pd.DataFrame, genre: str | None) -> pd.DataFrame:
    if genre is None:
        colour = table["main_genre"]
    elif genre == SERIOUSNESS:
        colour = table["genres"].map(_group)
    else:
        colour = table["genres"].map(lambda g: genre if genre in g else REST)
    return table.assign(
        colour=colour, genres_text=table["genres"].map(", ".join), mean_rating=table["mean_rating"].round(2)
    )


def _group(genres: list[str]) -> str:
    serious, light = (any(g in group for g in genres) for group in (SERIOUS_GENRES, LIGHT_GENRES))
    return (
        "both" if serious and light else "drama" if serious else "comedy / animation / children" if light else "neither"
    )


def _colour_order(table: pd.DataFrame, genre: str | None) -> list[str]:
    """Most common colour first, so the legend reads like a ranking; the grey rest always last."""
    if genre == SERIOUSNESS:
        return list(GROUPS)
    if genre is not None:
        return [genre, REST]
    return list(table["colour"].value_counts().index)


def _axis_title(projection: Projection, component: str) -> str:
    i = projection.components.index(component)
    return f"{component.upper()} ({projection.explained_variance[i]:.0%}): {projection.labels[i]}"


def _add_overlay(
    figure: go.Figure, table: pd.DataFrame, axes: tuple[str, ...], rated_ids: Collection[int], marked_id: int | None
) -> None:
    """Rings around rated movies and a star on the searched one, drawn above the genre colours."""
    rated = table[table["movie_id"].isin(set(rated_ids))]
    marked = table[table["movie_id"] == marked_id]
    overlays: tuple[tuple[pd.DataFrame, str, dict[str, Any]], ...] = (
        (rated, RATED, dict(symbol="circle-open", size=13, color="black", line=dict(width=2))),
        (marked, "searched", dict(symbol="star", size=20, color="#e4002b", line=dict(width=1, color="black"))),
    )
    for rows, name, marker in overlays:
        if rows.empty:
            continue
        coords = {k: rows[c] for k, c in zip("xyz", axes, strict=False)}  # two axes or three
        kind = go.Scatter3d if len(axes) == 3 else go.Scatter
        if len(axes) == 3:  # 3D markers are drawn larger and know no star
            marker = marker | {"size": marker["size"] // 2, "symbol": marker["symbol"].replace("star", "diamond")}
        mode = "markers+text" if name == "searched" else "markers"
        figure.add_trace(
            kind(
                **coords,
                mode=mode,
                name=name,
                marker=marker,
                text=rows["title"],
                textposition="top center",
                hovertemplate="%{text}<extra>" + name + "</extra>",
            )
        )


def variance_figure(projection: Projection) -> go.Figure:
    """Share of the embedding variance each component explains."""
    names = [c.upper() for c in projection.components]
    figure = go.Figure(
        go.Bar(
            x=names,
            y=projection.explained_variance,
            text=[f"{v:.0%}" for v in projection.explained_variance],
            textposition="outside",
            marker_color="#4c78a8",
            hovertext=projection.labels,
        )
    )
    figure.update_layout(
        title="Share of the variance per component",
        height=340,
        margin=dict(l=10, r=10, t=50, b=10),
        yaxis_tickformat=".0%",
        yaxis_title="share of variance",
    )
    return figure


def correlation_figure(projection: Projection) -> go.Figure:
    """Correlation of each component with each genre: red where the genre sits at the positive end."""
    corr = projection.correlations
    limit = max(0.3, float(np.nanmax(np.abs(corr.to_numpy()))))
    figure = go.Figure(
        go.Heatmap(
            z=corr.to_numpy(),
            x=[c.upper() for c in corr.columns],
            y=list(corr.index),
            colorscale="RdBu_r",
            zmin=-limit,
            zmax=limit,
            text=np.round(corr.to_numpy(), 2),
            texttemplate="%{text}",
            colorbar=dict(title="r"),
        )
    )
    figure.update_layout(
        title="Genres at each end (correlation)",
        height=max(340, 26 * len(corr) + 90),
        margin=dict(l=10, r=10, t=50, b=10),
        yaxis_autorange="reversed",
    )
    return figure
