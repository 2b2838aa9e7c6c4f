"""The Embeddings page in AppTest: no model, a small model, axes, colouring, search and nearest movies,
t-SNE in the background, the custom axis, movie biases and a model switch."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from movierec.data import load_movielens
from movierec.explore.pca import project_pca
from movierec.ui.embeddings_charts import NEIGHBOURS
from tests.app_support import hand_back_labels
from tests.factories import TINY, filed_as_bundled, planted_dataset, tiny_model

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/embeddings.py"


@pytest.fixture(scope="module")
def small_model():
    """A two-epoch model on planted data, filed under the bundled dataset's name so the sidebar offers it."""
    return filed_as_bundled(tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=2)))


def _open(timeout: float = 30, tab: str | None = None) -> AppTest:
    """The page, on its first tab or on ``tab`` (only the open tab runs)."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    if tab is not None:
        at.session_state["emb_tab"] = tab
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _figure(at: AppTest, key: str) -> dict:
    """The Plotly figure of the chart with ``key``, as the browser gets it."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key) or key in c.proto.id)
    return json.loads(chart.proto.spec)


def _count(values: list | dict) -> int:
    """How many values a figure's array holds (Plotly sends numeric arrays as base64 typed arrays)."""
    if isinstance(values, dict):
        return len(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return len(values)


def _traces(at: AppTest, key: str) -> dict[str, dict]:
    return {trace.get("name"): trace for trace in _figure(at, key)["data"]}


def test_without_a_model_the_page_points_to_the_train_page():
    at = _open()
    assert any("no trained model" in info.value for info in at.info)
    assert not at.get("plotly_chart")


def test_with_a_small_model_the_page_shows_map_ends_and_explains_the_size(small_model):
    small_model.save("tiny-embeddings")
    started = time.perf_counter()
    at = _open()
    elapsed = time.perf_counter() - started
    assert elapsed < 20  # generous: the machine is shared; the real target is measured in the browser test
    assert any("knows only 60 movies" in info.value for info in at.info)
    assert not any("vector for every genre" in c.value for c in at.caption)  # ratings only
    # the map, the variance and the heatmap; the custom axis's map is drawn only when its tab is open
    assert [chart.key for chart in at.get("plotly_chart")] == ["emb_scatter", "emb_variance", "emb_heatmap"]
    assert any("The two ends of PC1" in h.value for h in at.subheader)
    assert any("separates dramas" in md.value for md in at.markdown)

    at.selectbox(key="emb_x").set_value("pc2").run()
    at.selectbox(key="emb_colour").set_value("Drama").run()
    at.toggle(key="emb_3d").set_value(True).run()
    assert not at.exception, at.exception
    assert any("The two ends of PC2" in h.value for h in at.subheader)
    assert _figure(at, "emb_scatter")["layout"]["scene"]["xaxis"]["title"]["text"].startswith("← ")


def test_a_choice_handed_back_as_its_label_falls_back_to_an_offered_one(small_model, monkeypatch):
    """When one rerun cuts another short, Streamlit can hand back a choice box's shown label ("PC1")
    instead of the option ("pc1"); the page keeps to the components it offers."""
    small_model.save("tiny-embeddings")
    hand_back_labels(monkeypatch, "selectbox", "emb_x", "emb_y")
    at = _open()
    assert not at.exception
    assert len(_figure(at, "emb_scatter")["data"]) > 0


def test_a_searched_movie_gets_its_ten_nearest_listed_and_ringed(small_model):
    small_model.save("tiny-embeddings")
    at = _open()
    title = at.selectbox(key="emb_search").options[3]
    at.selectbox(key="emb_search").set_value(title).run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("★") for c in at.caption)
    nearest = next(df.value for df in at.dataframe if "similarity" in df.value.columns)
    assert len(nearest) == 10 and title not in set(nearest["title"])
    assert nearest["similarity"].is_monotonic_decreasing
    ringed = _traces(at, "emb_scatter")[NEIGHBOURS]
    assert _count(ringed["x"]) == 10
    assert any(f"nearest to {title}" in md.value.replace("\\", "") for md in at.markdown)


def test_movie_tables_link_each_title_to_its_page_in_the_release(small_model):
    small_model.save("tiny-embeddings")
    at = _open()
    at.selectbox(key="emb_search").set_value(at.selectbox(key="emb_search").options[0]).run()
    nearest = next(df.value for df in at.dataframe if "similarity" in df.value.columns)
    links = load_movielens("ml-latest-small").links  # the sidebar's dataset: its links.csv
    assert nearest["Page"].tolist() == [f"{links.url(m)}#IMDb" for m in nearest["movie_id"]]
    assert links.url(1) == "https://www.imdb.com/title/tt0114709/"  # movie 1 of the bundled release: Toy Story


def test_the_tsne_map_is_computed_in_the_background_then_drawn_with_the_same_marks(small_model):
    small_model.save("tiny-embeddings")
    at = _open()
    at.selectbox(key="emb_search").set_value(at.selectbox(key="emb_search").options[0])
    at.radio(key="emb_method").set_value("t-SNE").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="emb_x").disabled
    # The first run shows the progress note (the job has only just started); the reruns that the
    # fragment would make then find the finished map.
    assert any("Computing the t-SNE map of 60 movies" in info.value for info in at.info)
    deadline = time.monotonic() + 120
    while any("Computing the t-SNE" in info.value for info in at.info) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    traces = _traces(at, "emb_scatter")
    layout = _figure(at, "emb_scatter")["layout"]
    assert layout["xaxis"]["title"]["text"] == "t-SNE 1"
    assert _count(traces[NEIGHBOURS]["x"]) == 10 and "searched" in traces
    assert not any("Computing the t-SNE" in info.value for info in at.info)


def test_a_custom_axis_between_genres_or_movies(small_model):
    small_model.save("tiny-embeddings")
    at = _open(tab="Custom axis")
    assert at.selectbox(key="emb_axis_first_genre").value == "Comedy"
    assert at.selectbox(key="emb_axis_second_genre").value == "Drama"
    assert any(md.value.startswith("This axis") and "separates dramas" in md.value for md in at.markdown)
    title = _figure(at, "emb_axis_chart")["layout"]["xaxis"]["title"]["text"]
    assert title.startswith("← Comedy · custom axis · Drama →")
    ends = [df.value for df in at.dataframe if "position" in df.value.columns]
    assert len(ends) == 2
    assert all("Comedy" in g for g in ends[0]["genres"]) and all("Drama" in g for g in ends[1]["genres"])

    at.radio(key="emb_axis_first_kind").set_value("Movies").run()
    assert any("Pick one or more movies" in c.value for c in at.caption)
    first_two = [int(small_model.movies["movie_id"].iloc[i]) for i in (0, 2)]
    at.multiselect(key="emb_axis_first_movies").set_value(first_two).run()
    assert not at.exception, at.exception
    title = _figure(at, "emb_axis_chart")["layout"]["xaxis"]["title"]["text"]
    assert small_model.movies["title"].iloc[0] in title and title.endswith("· Drama →")


def test_custom_axis_movies_handed_back_as_titles_are_dropped_not_a_traceback(small_model, monkeypatch):
    small_model.save("tiny-embeddings")
    hand_back_labels(monkeypatch, "multiselect", "emb_axis_first_movies")
    at = _open(tab="Custom axis")
    at.radio(key="emb_axis_first_kind").set_value("Movies").run()
    at.multiselect(key="emb_axis_first_movies").set_value([int(small_model.movies["movie_id"].iloc[0])]).run()
    assert not at.exception, at.exception
    assert any("Pick one or more movies" in c.value for c in at.caption)


def test_movie_biases_respect_the_minimum_and_a_model_without_biases_says_so(small_model):
    small_model.save("tiny-embeddings")
    at = _open(tab="Movie biases")
    tables = [df.value for df in at.dataframe if "bias" in df.value.columns]
    assert len(tables) == 2 and all(len(t) > 0 for t in tables)
    minimum = int(small_model.movies["n_ratings"].quantile(0.75))
    at.number_input(key="emb_bias_min").set_value(minimum).run()
    tables = [df.value for df in at.dataframe if "bias" in df.value.columns]
    assert all((t["ratings"] >= minimum).all() for t in tables)
    assert tables[0]["bias"].is_monotonic_decreasing and tables[1]["bias"].is_monotonic_increasing

    no_bias = filed_as_bundled(
        tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=1, use_bias=False))
    )
    no_bias.save("tiny-no-bias")  # the newest, so the active model
    at = _open(tab="Movie biases")
    assert any("no bias term" in info.value for info in at.info)
    assert not [df for df in at.dataframe if "bias" in df.value.columns]


def test_switching_model_resets_what_no_longer_fits(small_model):
    small_model.save("tiny-embeddings")
    fewer = filed_as_bundled(
        tiny_model(planted_dataset(name="ml-latest-small", n_movies=40), config=TINY.with_changes(epochs=1))
    )
    fewer.save("tiny-fewer")  # the newest: the page opens on it
    at = _open(tab="Custom axis")
    assert at.select_slider(key="emb_top_n").value == 40
    best_of_other = project_pca(small_model, top_n=60).best_component
    moved = next(c for c in at.selectbox(key="emb_x").options if c not in ("pc1", best_of_other))
    at.selectbox(key="emb_x").set_value(moved).run()
    at.selectbox(key="emb_search").set_value(at.selectbox(key="emb_search").options[1]).run()
    at.radio(key="emb_axis_first_kind").set_value("Movies").run()
    at.multiselect(key="emb_axis_first_movies").set_value([int(fewer.movies["movie_id"].iloc[0])]).run()

    at.selectbox(key="model_name").set_value("tiny-embeddings").run()
    assert not at.exception, at.exception
    assert at.select_slider(key="emb_top_n").value == 60
    assert at.selectbox(key="emb_search").value is None
    assert at.selectbox(key="emb_x").value == (best_of_other or "pc1")
    assert at.radio(key="emb_axis_first_kind").value == "Genre"


def test_a_model_with_genre_vectors_says_that_genres_are_built_in(small_model):
    genre_model = filed_as_bundled(
        tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=2, use_genres=True))
    )
    genre_model.save("tiny-genres")  # the newest, so the active model
    at = _open()
    assert any("vector for every genre" in c.value for c in at.caption)
    assert at.select_slider(key="emb_top_n").value == 60  # all of them: fewer than the article's 1,000
