"""t-SNE of the map's movies: same rows, reproducible, dramas toward the high end, sizes checked."""

from __future__ import annotations

import pandas as pd
import pytest

from movierec.errors import MovieRecError
from movierec.explore.tsne import MAX_TSNE_MOVIES, TSNE_AXES, project_tsne
from tests.factories import TINY, tiny_model
from tests.test_embeddings import _planted


@pytest.fixture(scope="module")
def planted():
    model = tiny_model(config=TINY.with_changes(epochs=1))
    _planted(model)
    return model


def test_tsne_keeps_the_rows_separates_the_planted_groups_and_repeats(planted):
    table = planted.movies
    mapped = project_tsne(planted, table)
    assert list(mapped.columns) == [*table.columns, *TSNE_AXES] and len(mapped) == len(table)
    pd.testing.assert_frame_equal(mapped[table.columns], table)
    is_drama = mapped["genres"].map(lambda g: "Drama" in g)
    # Two planted clusters: dramas lie toward the high end of the first axis.
    assert mapped.loc[is_drama, "tsne1"].min() > mapped.loc[~is_drama, "tsne1"].max()
    pd.testing.assert_frame_equal(mapped, project_tsne(planted, table))


def test_sizes_outside_what_tsne_can_map_are_explained(planted):
    with pytest.raises(MovieRecError, match="between 5 and"):
        project_tsne(planted, planted.movies.iloc[:4])
    assert MAX_TSNE_MOVIES >= 1000
