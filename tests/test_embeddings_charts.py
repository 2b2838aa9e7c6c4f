"""The Embeddings page's figures: marks on the map, axis titles the right way round, titles shown as text."""

from __future__ import annotations

from collections import Counter

import pytest

from movierec.explore.pca import project_pca
from movierec.ui.embeddings_charts import (
    NEIGHBOURS,
    RATED,
    SEARCHED,
    SERIOUSNESS,
    Marks,
    correlation_figure,
    pca_titles,
    scatter_figure,
)
from tests.factories import TINY, tiny_model
from tests.test_embeddings import _planted


@pytest.fixture(scope="module")
def trained():
    model = tiny_model(config=TINY.with_changes(epochs=1))
    _planted(model)
    return model


@pytest.mark.parametrize("axes", [("pc2", "pc1"), ("pc1", "pc2", "pc3")])
def test_the_map_rings_rated_and_nearest_movies_and_stars_the_searched_one_in_2d_and_3d(trained, axes):
    projection = project_pca(trained, top_n=200, n_components=3)
    ids = projection.table["movie_id"]
    rated, near, searched = ids.iloc[[0, 5]].tolist(), ids.iloc[[1, 2, 3]].tolist(), int(ids.iloc[9])
    marks = Marks(rated_ids=rated, marked_id=searched, neighbour_ids=near)
    figure = scatter_figure(projection.table, axes, pca_titles(projection, axes), SERIOUSNESS, marks)
    overlays = {trace.name: trace for trace in figure.data if trace.name in (RATED, SEARCHED, NEIGHBOURS)}
    assert len(overlays[RATED].x) == 2 and len(overlays[SEARCHED].x) == 1 and len(overlays[NEIGHBOURS].x) == 3
    at = projection.table.set_index("movie_id")
    assert list(overlays[RATED].x) == at.loc[rated, axes[0]].tolist()
    assert list(overlays[NEIGHBOURS].y) == at.loc[near, axes[1]].tolist()
    assert overlays[SEARCHED].type == ("scatter3d" if len(axes) == 3 else "scatter")


def test_rings_contrast_with_the_theme(trained):
    projection = project_pca(trained, top_n=200)
    ids = projection.table["movie_id"].iloc[:2].tolist()
    titles = pca_titles(projection, ("pc1", "pc2"))
    for dark, colour in ((False, "black"), (True, "white")):
        figure = scatter_figure(projection.table, ("pc1", "pc2"), titles, marks=Marks(rated_ids=ids, dark=dark))
        assert next(t for t in figure.data if t.name == RATED).marker.color == colour


def _first_genre_named(title: str, end: str) -> str:
    """The first genre an axis title names for its ``"low"`` or ``"high"`` end ("← low · name · high →")."""
    low, _, high = title.split(" · ")
    return (low.removeprefix("← ") if end == "low" else high.removesuffix(" →")).split(", ")[0]


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_genre_an_axis_title_names_for_an_end_is_the_majority_of_the_movies_at_that_end(trained, sign):
    _planted(trained, sign=sign)
    projection = project_pca(trained, top_n=200)
    figure = scatter_figure(projection.table, ("pc1", "pc2"), pca_titles(projection, ("pc1", "pc2")))
    title = figure.layout.xaxis.title.text
    ranked = projection.table.sort_values("pc1")
    for end, rows in (("low", ranked.head(10)), ("high", ranked.tail(10))):
        majority, _ = Counter(g for genres in rows["genres"] for g in genres).most_common(1)[0]
        assert _first_genre_named(title, end) == majority, (end, title)
    assert figure.layout.yaxis.title.text.startswith("← ")  # read bottom to top: the low end first


def test_titles_and_genres_from_the_data_are_shown_as_text_not_markup(trained):
    projection = project_pca(trained, top_n=200)
    table = projection.table.copy()
    table.loc[0, "title"] = "<b>Bold</b> & <i>Co</i>"
    table.loc[0, "main_genre"] = "<script>x</script>"
    table.at[0, "genres"] = ["<u>Noir</u>"]
    marks = Marks(marked_id=int(table["movie_id"].iloc[0]), neighbour_ids=[int(table["movie_id"].iloc[0])])
    figure = scatter_figure(table, ("pc1", "pc2"), pca_titles(projection, ("pc1", "pc2")), None, marks)
    texts = [str(trace.name) for trace in figure.data]
    for trace in figure.data:
        for values in (trace.hovertext, trace.text, trace.customdata):
            texts += [str(v) for v in ([] if values is None else list(values))]
    texts += [str(v) for trace in figure.data if trace.customdata is not None for row in trace.customdata for v in row]
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;Co&lt;/i&gt;" in texts
    assert "&lt;script&gt;x&lt;/script&gt;" in texts and "&lt;u&gt;Noir&lt;/u&gt;" in texts
    assert not any(tag in text for text in texts for tag in ("<b>", "<script>", "<u>"))
    heatmap = correlation_figure(projection)
    assert all("<" not in genre for genre in heatmap.data[0].y)


def test_the_legend_lies_above_the_map_in_rows_so_a_narrow_screen_keeps_the_plot_wide(trained):
    projection = project_pca(trained, top_n=200)
    figure = scatter_figure(projection.table, ("pc1", "pc2"), pca_titles(projection, ("pc1", "pc2")))
    legend = figure.layout.legend
    assert legend.orientation == "h" and legend.y > 1 and legend.yanchor == "bottom"
