"""Plotly figures for the Embeddings page: the movie map, explained variance and genre correlations."""

from __future__ import annotations

import html
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from movierec.explore.pca import LIGHT_GENRES, SERIOUS_GENRES, Projection

REST = "other genres"
SERIOUSNESS = "Drama vs light films"  # the article's story, and what the separation AUC measures
# Light films: comedy, animation or children's and not drama (see the page's separation score).
GROUPS = {"drama": "#b2182b", "light films": "#2166ac", "both": "#9970ab", "neither": "#c9c9c9"}
RATED = "rated by you"
SEARCHED = "searched"
NEIGHBOURS = "nearest"  # short: the legend must fit on a phone
NEIGHBOUR_COLOUR = "#ff9f1c"  # orange: apart from the palette's reds and blues, visible on light and dark
HOVER = ("title", "year", "genres_text", "n_ratings", "mean_rating")
HOVER_LABELS = {"genres_text": "genres", "n_ratings": "ratings", "mean_rating": "mean rating"}
PALETTE = px.colors.qualitative.Alphabet  # 26 colours: enough for every MovieLens genre


@dataclass(frozen=True)
class Marks:
    """What the map points out above the genre colours.

    Attributes:
        rated_ids: movies to ring (the active profile's rated movies).
        marked_id: a movie to point at with a labelled star (the search result).
        neighbour_ids: movies to ring in the neighbours' colour (the searched movie's nearest).
        dark: the page is in the dark theme (rings must contrast with a dark background).
    """

    rated_ids: Collection[int] = ()
    marked_id: int | None = None
    neighbour_ids: Collection[int] = ()
    dark: bool = False


def scatter_figure(
    table: pd.DataFrame,
    axes: tuple[str, ...],
    titles: dict[str, str],
    genre: str | None = None,
    marks: Marks = Marks(),
) -> go.Figure:
    """Each movie a point on two (or three) axes, coloured by main genre or one genre against the rest.

    Args:
        table: one row per movie (a projection's table), with a column per axis.
        axes: two or three column names, e.g. ``("pc1", "pc2")``.
        titles: each axis's title (see :func:`axis_title`).
        genre: a genre to highlight against all others, :data:`SERIOUSNESS` for dramas against light films,
            or None to colour every movie by its main genre.
        marks: rings and the star drawn above the points.
    """
    table = _plot_table(table, genre)
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
    _add_overlay(figure, table, axes, marks)
    # The legend sits above the plot, in rows: beside it, it took most of a phone's width from the points.
    figure.update_layout(
        height=660 if len(axes) == 3 else 600,
        margin=dict(l=10, r=10, t=10, b=10),
        legend=dict(
            itemsizing="constant",
            orientation="h",
            yanchor="bottom",
            y=1.02,
            xanchor="left",
            x=0,
            title=dict(text=_escape(genre or "main genre"), side="top left"),
        ),
    )
    return figure


def axis_title(name: str, low: str, high: str) -> str:
    """An axis title that reads the way the axis runs: the low end (left, bottom) first.

    For example ``"← Comedy, Children · PC1 (27%) · Drama, War →"``; a vertical title is read bottom to top.
    """
    return f"← {_escape(low)} · {_escape(name)} · {_escape(high)} →"


def pca_titles(projection: Projection, axes: tuple[str, ...]) -> dict[str, str]:
    """Each PCA axis's title: its low-end genres, its name and share of the variance, its high-end genres."""
    titles = {}
    for component in axes:
        i = projection.components.index(component)
        low, high = projection.end_names[i]
        titles[component] = axis_title(f"{component.upper()} ({projection.explained_variance[i]:.0%})", low, high)
    return titles


def _escape(text: object) -> str:
    """Text from the data made safe for Plotly, which reads HTML tags and entities in labels and hovers."""
    return html.escape(str(text), quote=False)


def _plot_table(table: pd.DataFrame, genre: str | None) -> pd.DataFrame:
    if genre is None:
        colour = table["main_genre"]
    elif genre == SERIOUSNESS:
        colour = table["genres"].map(_group)
    else:
        colour = table["genres"].map(lambda g: genre if genre in g else REST)
    return table.assign(
        title=table["title"].map(_escape),
        colour=colour.map(_escape),
        genres_text=table["genres"].map(lambda g: _escape(", ".join(g))),
        mean_rating=table["mean_rating"].round(2),
    )


def _group(genres: list[str]) -> str:
    serious, light = (any(g in group for g in genres) for group in (SERIOUS_GENRES, LIGHT_GENRES))
    return "both" if serious and light else "drama" if serious else "light films" if light else "neither"


def _colour_order(table: pd.DataFrame, genre: str | None) -> list[str]:
    """Most common colour first, so the legend reads like a ranking; the grey rest always last."""
    if genre == SERIOUSNESS:
        return list(GROUPS)
    if genre is not None:
        return [_escape(genre), REST]
    return list(table["colour"].value_counts().index)


def _add_overlay(figure: go.Figure, table: pd.DataFrame, axes: tuple[str, ...], marks: Marks) -> None:
    """Rings around rated movies and neighbours, and a star on the searched one, drawn above the genre colours."""
    ring = "white" if marks.dark else "black"  # black rings vanished on the dark theme's background
    overlays: tuple[tuple[pd.DataFrame, str, dict[str, Any]], ...] = (
        (table[table["movie_id"].isin(set(marks.rated_ids))], RATED, dict(symbol="circle-open", size=13, color=ring)),
        (
            table[table["movie_id"].isin(set(marks.neighbour_ids))],
            NEIGHBOURS,
            dict(symbol="circle-open", size=17, color=NEIGHBOUR_COLOUR, line=dict(width=3)),
        ),
        (
            table[table["movie_id"] == marks.marked_id],
            SEARCHED,
            dict(symbol="star", size=20, color="#e4002b", line=dict(width=1, color=ring)),
        ),
    )
    for rows, name, marker in overlays:
        if rows.empty:
            continue
        coords = {k: rows[c] for k, c in zip("xyz", axes, strict=False)}  # two axes or three
        kind = go.Scatter3d if len(axes) == 3 else go.Scatter
        if len(axes) == 3:  # 3D markers are drawn larger and know no star
            marker = marker | {"size": marker["size"] // 2, "symbol": marker["symbol"].replace("star", "diamond")}
        marker.setdefault("line", dict(width=2))
        figure.add_trace(
            kind(
                **coords,
                mode="markers+text" if name == SEARCHED else "markers",
                name=name,
                marker=marker,
                text=rows["title"],  # escaped by _plot_table
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
            hovertext=[_escape(label) for label in projection.labels],
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
            y=[_escape(genre) for genre in corr.index],
            colorscale="RdBu_r",
            zmin=-limit,
            zmax=limit,
            text=np.round(corr.to_numpy(), 2),
            texttemplate="%{text}",
            textfont=dict(size=12),
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
