"""The Embeddings page in AppTest: no model, a small model, switching axes, colouring and search."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import TINY, filed_as_bundled, planted_dataset, tiny_model

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/embeddings.py"


@pytest.fixture(scope="module")
def small_model():
    """A two-epoch model on planted data, filed under the bundled dataset's name so the sidebar offers it."""
    return filed_as_bundled(tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=2)))


def _open(timeout: float = 30) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


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
    assert len(at.get("plotly_chart")) == 3
    assert any("The two ends of PC1" in h.value for h in at.subheader)
    assert len(at.dataframe) == 3  # the two ends and the component table
    assert any("separates dramas" in md.value for md in at.markdown)

    at.selectbox(key="emb_x").set_value("pc2").run()
    at.selectbox(key="emb_colour").set_value("Drama").run()
    at.toggle(key="emb_3d").set_value(True).run()
    at.selectbox(key="emb_search").set_value(at.selectbox(key="emb_search").options[0]).run()
    assert not at.exception, at.exception
    assert any("The two ends of PC2" in h.value for h in at.subheader)
    assert any(c.value.startswith("★") for c in at.caption)


def test_a_model_with_genre_vectors_says_that_genres_are_built_in(small_model):
    genre_model = filed_as_bundled(
        tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=2, use_genres=True))
    )
    genre_model.save("tiny-genres")  # the newest, so the active model
    at = _open()
    assert any("vector for every genre" in c.value for c in at.caption)
    assert at.select_slider(key="emb_top_n").value == 60  # all of them: fewer than the article's 1,000
