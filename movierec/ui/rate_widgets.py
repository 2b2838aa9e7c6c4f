"""Rate page widgets: rating sliders, "not seen" buttons, search and the steady strip of popular movies."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from movierec.data import RatingScale
from movierec.data.links import MovieLinks, site_name
from movierec.model.artifacts import TrainedModel
from movierec.profiles.store import ProfileStore
from movierec.suggest.recommend import most_rated
from movierec.ui.rate_state import plain, report, title_search

ONBOARDING_TARGET = 10  # ratings after which suggestions are personal enough to stop nudging
STRIP_SIZE = 8
SEARCH_LIMIT = 8
NOT_RATED = "–"  # the slider's leftmost stop; sliding back to it removes the rating
GENERATIONS = "rate_slider_generations"  # "<section>_<movie id>" -> times that slider was drawn afresh
STRIP_KEY = "rate_strip"  # the strip's movies, kept until each is rated or skipped so none moves under the pointer
STRIP_BOX_KEY = "rate_strip_box"  # the strip's foldable box
RATING_AREA = "rate_area"  # the key of the Rate page's fragment that holds everything a rating changes


def _stars(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:g} ★"


def _slider_key(section: str, movie_id: int) -> str:
    """The key of the slider that ``section`` draws for ``movie_id`` now (see :func:`rating_slider`)."""
    generation = st.session_state.get(GENERATIONS, {}).get(f"{section}_{movie_id}", 0)
    return f"rate_{section}_{movie_id}" + (f"_{generation}" if generation else "")


def _renew_slider_key(section: str, movie_id: int) -> str:
    name = f"{section}_{movie_id}"
    generations = st.session_state.setdefault(GENERATIONS, {})
    generations[name] = generations.get(name, 0) + 1
    return _slider_key(section, movie_id)


def _save(
    store: ProfileStore, profile: str, movie_id: int, section: str, key: str, scale: RatingScale, drawn: float | str
) -> None:
    value = st.session_state.get(key, drawn)
    # A browser can report a slider once more after the page replaced it: the strip drops a movie once it is
    # rated elsewhere, and a slider whose rating changed elsewhere is redrawn under a new key. Only a value
    # that differs from what the current slider showed is a person's change.
    if key != _slider_key(section, movie_id) or value == drawn:
        return
    if value == NOT_RATED:
        report(store.remove_rating, profile, movie_id)
    else:
        report(store.set_rating, profile, movie_id, value, scale)
    st.rerun(RATING_AREA)  # from any slider, the search's own fragment included: the strip, suggestions and tabs change


def rating_slider(
    store: ProfileStore,
    profile: str,
    scale: RatingScale,
    movie: pd.Series,
    ratings: dict[int, float],
    section: str,
    label: str | None = None,
    url: str | None = None,
    details: bool = True,
) -> None:
    """A slider over the scale (leftmost: not rated) that saves each change to the profile at once.

    The slider is labelled with the title (or ``label``); with ``details`` a caption gives the genres, the
    number of ratings and, where the release has one, a link to the movie's page.
    """
    movie_id = int(movie["movie_id"])
    options = [NOT_RATED, *scale.values()]
    current = ratings.get(movie_id)
    stored = current if current in options else NOT_RATED
    key = _slider_key(section, movie_id)
    # The store is the truth: another slider, tab or browser may have changed this rating since the last run.
    # Such a slider is drawn afresh under a new key rather than set in place: until the browser draws it, it
    # still sends its old value with the person's next move elsewhere, and that value must not be saved.
    if key in st.session_state and st.session_state[key] != stored:
        key = _renew_slider_key(section, movie_id)
    if key not in st.session_state:
        st.session_state[key] = stored
    st.select_slider(
        label or plain(movie["title"]),
        options,
        key=key,
        format_func=_stars,
        on_change=_save,
        args=(store, profile, movie_id, section, key, scale, stored),
    )
    if details:
        genres = ", ".join(movie["genres"]) or "no genres listed"
        st.caption(f"{plain(genres)} · {int(movie['n_ratings']):,} ratings" + link_suffix(url))


def link_suffix(url: str | None) -> str:
    """`` · [IMDb ↗](url)`` for a caption, or nothing without a link."""
    return f" · [{site_name(url)} ↗]({url})" if url else ""


def skip_button(store: ProfileStore, profile: str, movie_id: int, skipped: dict[int, str], section: str) -> None:
    """ "Not seen": the movie is kept out of the strip and the suggestions; pressed again, it is offered again."""
    if movie_id in skipped:
        st.button(
            "Skipped · undo",
            key=f"rate_{section}_unskip_{movie_id}",
            on_click=report,
            args=(store.unskip, profile, movie_id),
            type="tertiary",
            help="You marked this movie as not seen; it is left out of your suggestions.",
        )
    else:
        st.button(
            "Not seen",
            key=f"rate_{section}_skip_{movie_id}",
            on_click=report,
            args=(store.skip, profile, movie_id),
            type="tertiary",
            help="Skip a movie you have not seen: it is not offered again here or in your suggestions.",
        )


def movie_grid(
    movies: pd.DataFrame,
    columns: int,
    section: str,
    links: MovieLinks,
    skipped: dict[int, str] | None = None,
    **slider: object,
) -> None:
    """Movies in bordered cards, ``columns`` per row, each with a :func:`rating_slider` (and, given ``skipped``,
    a :func:`skip_button`).

    The grid's container has the key ``rate_<section>_grid`` (a CSS class ``st-key-...`` in the browser).
    """
    with st.container(key=f"rate_{section}_grid"):
        for start in range(0, len(movies), columns):
            # The last row may hold fewer movies than there are columns.
            for cell, (_, movie) in zip(
                st.columns(columns), movies.iloc[start : start + columns].iterrows(), strict=False
            ):
                with cell.container(border=True):
                    url = links.url(int(movie["movie_id"]))
                    rating_slider(movie=movie, section=section, url=url, **slider)  # type: ignore[arg-type]
                    if skipped is not None and int(movie["movie_id"]) not in slider["ratings"]:  # type: ignore[operator]
                        skip_button(slider["store"], slider["profile"], int(movie["movie_id"]), skipped, section)  # type: ignore[arg-type]


@st.fragment(key="rate_search")
def find_and_rate(
    model: TrainedModel,
    store: ProfileStore,
    profile: str,
    scale: RatingScale,
    ratings: dict[int, float],
    links: MovieLinks,
) -> None:
    """Title search with a slider per hit, in a fragment of its own: a search redraws only its hits, while
    a rating made here reruns the whole rating area (see :func:`_save`)."""
    query = st.text_input("Search a title", key="rate_search", placeholder="e.g. amelie 2001, toy story, matrix")
    if not query.strip():
        return
    hits = title_search(model).find(query, SEARCH_LIMIT)
    if hits.empty:
        st.caption("No title matches; try fewer or shorter words.")
        return
    movie_grid(hits, 1, "search", links, store=store, profile=profile, scale=scale, ratings=ratings)


def _strip_owner(model: TrainedModel, profile: str) -> tuple[str, str | None, str]:
    return (profile, model.name, model.created)


def _new_strip(model: TrainedModel, profile: str, done: set[int]) -> None:
    ids = [int(i) for i in most_rated(model, STRIP_SIZE, exclude=done)["movie_id"]]
    st.session_state[STRIP_KEY] = {"owner": _strip_owner(model, profile), "ids": ids}


def strip_ids(model: TrainedModel, profile: str, done: set[int]) -> list[int]:
    """The strip's movies: the same ones, in the same places, until every one is rated or skipped (``done``)."""
    kept = st.session_state.get(STRIP_KEY)
    if (
        kept
        and kept["owner"] == _strip_owner(model, profile)
        and any(i not in done for i in kept["ids"])
        and all(i in model.movie_index for i in kept["ids"])
    ):
        return list(kept["ids"])
    _new_strip(model, profile, done)
    return list(st.session_state[STRIP_KEY]["ids"])


def onboarding(
    model: TrainedModel,
    store: ProfileStore,
    profile: str,
    scale: RatingScale,
    ratings: dict[int, float],
    skipped: dict[int, str],
    links: MovieLinks,
) -> set[int]:
    """How many movies are rated, then a steady strip of the most-rated ones to rate or skip; returns the strip's
    movies still to rate or skip (none while it is folded).

    The strip folds by itself at the tenth rating (its default changes, and with it the box; a person's own
    unfolding then holds) and draws nothing while folded, so later ratings do not redraw eight cards for it.
    """
    st.progress(
        min(len(ratings), ONBOARDING_TARGET) / ONBOARDING_TARGET,
        text=f"{len(ratings)} rated · {ONBOARDING_TARGET} make good suggestions",
    )
    box = st.expander(
        "Rate popular movies", expanded=len(ratings) < ONBOARDING_TARGET, key=STRIP_BOX_KEY, on_change="rerun"
    )
    if not box.open:
        return set()
    done = set(ratings) | set(skipped)
    ids = strip_ids(model, profile, done)
    with box:
        st.caption("A new set comes once each of these is rated or skipped.")
        strip = model.movies.iloc[model.movie_index.rows(ids)]
        movie_grid(strip, 4, "strip", links, skipped, store=store, profile=profile, scale=scale, ratings=ratings)
        st.button(
            "Show other movies",
            key="rate_strip_next",
            on_click=_new_strip,
            args=(model, profile, done | set(ids)),
            help="Replace these with the next most-rated movies you have not rated or skipped.",
        )
    return {i for i in ids if i not in done}
