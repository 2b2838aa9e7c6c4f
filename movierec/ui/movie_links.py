"""A column of links from a movie table to each movie's IMDb or TMDB page, where the release lists one.

Nothing is fetched: the addresses come from the release's own files (:mod:`movierec.data.links`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from movierec.data.links import MovieLinks, site_name

PAGE = "Page"


def page_urls(movie_ids: Iterable[int], links: MovieLinks) -> list[str | None]:
    """Each movie's page, with the site's name in the fragment (shown by the column, ignored by the site)."""
    return [f"{url}#{site_name(url)}" if url else None for url in links.urls_for(movie_ids)]


def page_column() -> Any:
    """The settings of a :data:`PAGE` column filled by :func:`page_urls`: the site's name, opening a new tab."""
    return st.column_config.LinkColumn(
        width="small", display_text=r"#(\w+)$", help="The movie's page on IMDb or TMDB (opens a new tab)"
    )
