"""The Embeddings page in Chromium: the map and the two end lists appear; axes and colouring can be switched;
a found movie's nearest movies are listed and ringed; the t-SNE map arrives from the background."""

from __future__ import annotations

import re

import pytest

from tests.factories import TINY, filed_as_bundled, planted_dataset, tiny_model

pytestmark = pytest.mark.browser


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_embeddings_page_shows_map_and_ends_and_reacts(app_url, app_home, page, screenshots):
    model = filed_as_bundled(tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=2)))
    model.save("browser-embeddings", directory=app_home / "models")

    page.goto(app_url)
    page.get_by_role("link", name="Embeddings").click()
    page.get_by_text("The two ends of PC1").wait_for(timeout=120_000)  # the first load reads the bundled data
    page.locator(".js-plotly-plot").first.wait_for()
    assert page.get_by_text("PC1 + end").is_visible() and page.get_by_text("PC1 − end").is_visible()
    page.get_by_text("knows only 60 movies").wait_for()
    page.screenshot(path=str(screenshots / "embeddings-start.png"), full_page=True)

    _choose(page, "Horizontal axis", "PC2")
    page.get_by_text("The two ends of PC2").wait_for()
    _choose(page, "Colour by", "Main genre")
    page.locator(".legendtext", has_text=re.compile("^Comedy$")).first.wait_for()
    page.screenshot(path=str(screenshots / "embeddings-pc2-main-genre.png"), full_page=True)
    search = page.get_by_role("combobox", name="Find a movie")
    search.click()
    search.fill("Drama Movie 7 (1987)")
    page.get_by_role("option", name="Drama Movie 7 (1987)", exact=True).click()
    page.get_by_text("movies nearest to Drama Movie 7 (1987)").wait_for()
    page.locator(".legendtext", has_text=re.compile("^nearest$")).first.wait_for()
    page.get_by_text("t-SNE", exact=True).first.click()
    page.get_by_text("t-SNE 1").first.wait_for(timeout=120_000)  # the t-SNE map replaced the progress note
    page.screenshot(path=str(screenshots / "embeddings-tsne-nearest.png"), full_page=True)
    assert not page.get_by_text("Traceback").count()
