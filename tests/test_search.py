"""Title search: exact word starts first, then titles that match despite a typo, never noise for short words."""

from __future__ import annotations

import pandas as pd
import pytest

from movierec.data import load_movielens
from movierec.data.search import TitleSearch

TITLES = [
    (1, "Godfather, The (1972)", 200),
    (2, "Godfather: Part II, The (1974)", 150),
    (3, "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)", 120),
    (4, "Toy Story (1995)", 300),
    (5, "Toy Story 2 (1999)", 100),
    (6, "Waiting to Exhale (1995)", 20),
    (7, "Tokyo Godfathers (2003)", 10),
    (8, "Story of Us, The (1999)", 15),
    (9, "Father of the Bride (1950)", 50),
]


@pytest.fixture(scope="module")
def search() -> TitleSearch:
    return TitleSearch(pd.DataFrame(TITLES, columns=["movie_id", "title", "n_ratings"]))


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("godfather", [1, 2, 7]),  # exact word starts, the more rated first; "father" is no typo of it
        ("godfater", [1, 2, 7]),  # a letter missing
        ("the godfater", [1, 2]),  # short words must still be there exactly
        ("amelei", [3]),  # two letters swapped
        ("AMELEI 2001", [3]),
        ("amelei 2002", []),  # a year is a fact, not a typo
        ("toy sto", [4, 5]),  # a prefix stays exact; "to" (of "Waiting to Exhale") is not a typo of "toy"
        ("storry", [4, 5, 8]),  # equally close: the more rated first
        ("zzzzzz", []),
        ("   ", []),
    ],
)
def test_exact_matches_come_first_and_typos_fill_the_rest(search, query, found):
    assert list(search.find(query)["movie_id"]) == found


def test_exact_matches_rank_above_typo_matches_and_the_limit_holds(search):
    assert list(search.find("story", limit=2)["movie_id"]) == [4, 5]
    # the exact title first, though its near namesakes are rated twenty times as often
    assert list(search.find("godfathers")["movie_id"]) == [7, 1, 2]
    assert list(search.find("godfathers", limit=1)["movie_id"]) == [7]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("godfater", "Godfather, The (1972)"),
        ("amelei", "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)"),
        ("shawshenk", "Shawshank Redemption, The (1994)"),
        ("lord of the rigns", "Lord of the Rings: The Fellowship of the Ring, The (2001)"),
        ("forest gump", "Forrest Gump (1994)"),
    ],
)
def test_typos_find_their_films_in_the_bundled_catalogue(query, title):
    movies = load_movielens("ml-latest-small").movies
    assert title in list(TitleSearch(movies).find(query, limit=10)["title"])
