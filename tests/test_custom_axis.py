"""A custom axis between two ends: genre ends hold their own movies; movie ends; bad ends explained."""

from __future__ import annotations

import numpy as np
import pytest

from movierec.errors import MovieRecError
from movierec.explore.custom_axis import POSITION, custom_axis, genre_end, movies_end, project_on_axis
from tests.factories import TINY, tiny_model
from tests.test_embeddings import _planted


@pytest.fixture(scope="module")
def planted():
    """A tiny model whose movie vectors put dramas and comedies apart along one direction."""
    model = tiny_model(config=TINY.with_changes(epochs=1))
    _planted(model)
    return model


def test_a_custom_axis_between_two_genres_places_each_genres_own_movies_at_its_end(planted):
    table = planted.movies
    axis = custom_axis(planted, table, genre_end(table, "Comedy"), genre_end(table, "Drama"))
    is_drama = axis.table["genres"].map(lambda g: "Drama" in g)
    assert (axis.table.loc[is_drama, POSITION] > 0.5).all() and (axis.table.loc[~is_drama, POSITION] < 0.5).all()
    assert axis.table.loc[is_drama, POSITION].mean() == pytest.approx(1.0)  # the end sits at its genre's mean
    assert axis.table.loc[~is_drama, POSITION].mean() == pytest.approx(0.0, abs=1e-9)
    low, high = axis.ends(5)
    assert low["genres"].map(lambda g: g == ["Comedy"]).all() and high["genres"].map(lambda g: g == ["Drama"]).all()
    assert axis.separation == pytest.approx(1.0)  # dramas toward the high end
    reversed_axis = custom_axis(planted, table, genre_end(table, "Drama"), genre_end(table, "Comedy"))
    assert reversed_axis.separation == pytest.approx(0.0)


def test_movie_ends_are_named_by_their_titles_and_sit_at_their_mean(planted):
    table = planted.movies
    ids = table["movie_id"].tolist()
    one, three = movies_end(table, [ids[0]]), movies_end(table, [ids[1], ids[3], ids[5], 99_999])
    assert one.name == table["title"].iloc[0]
    assert three.movie_ids == (ids[1], ids[3], ids[5]) and three.name.endswith("and 1 more")
    axis = custom_axis(planted, table, one, three)
    at = axis.table.set_index("movie_id")[POSITION]
    assert at[ids[0]] == pytest.approx(0.0, abs=1e-9)
    assert at[[ids[1], ids[3], ids[5]]].mean() == pytest.approx(1.0)


def test_projection_on_the_axis_is_the_share_of_the_way_from_low_to_high():
    vectors = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 5.0], [3.0, -1.0]])
    np.testing.assert_allclose(project_on_axis(vectors, np.zeros(2), np.array([2.0, 0.0])), [0, 1, 0.5, 1.5])
    with pytest.raises(MovieRecError, match="same mean vector"):
        project_on_axis(vectors, np.ones(2), np.ones(2))


def test_bad_ends_are_explained(planted):
    table = planted.movies
    with pytest.raises(MovieRecError, match="No movie on the map is listed under 'Western'"):
        genre_end(table, "Western")
    with pytest.raises(MovieRecError, match="at least one movie"):
        movies_end(table, [99_999])
    elsewhere = movies_end(table, [int(table["movie_id"].iloc[0])])
    with pytest.raises(MovieRecError, match="is on the map"):
        custom_axis(planted, table.iloc[10:], elsewhere, genre_end(table, "Drama"))
    with pytest.raises(MovieRecError, match="same mean vector"):
        custom_axis(planted, table, genre_end(table, "Drama"), genre_end(table, "Drama"))
