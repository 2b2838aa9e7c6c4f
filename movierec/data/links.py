"""Links from movies to their IMDb or TMDB pages, read from the release's own files; nothing is fetched.

``links.csv`` (``movieId,imdbId,tmdbId``) comes with ml-latest(-small) and ml-20m and later; ml-100k's
``u.item`` has an IMDb address per movie in its fifth column; ml-1m and ml-10m have neither. A release
without links, or a row that cannot be read, simply has no link: links are a convenience, never a reason
to refuse the data.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import quote, unquote_plus

IMDB_TITLE = "https://www.imdb.com/title/tt{:07d}/"  # IMDb ids are written with at least 7 digits
TMDB_MOVIE = "https://www.themoviedb.org/movie/{}"
IMDB_FIND = "https://www.imdb.com/find/?q={}"
_DIGITS = re.compile(r"[0-9]{1,12}")
# ml-100k's addresses are searches on IMDb's old host ("http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)");
# the same search on today's site keeps them working.
_OLD_IMDB = re.compile(r"https?://(?:us\.|www\.)?imdb\.com/[^?]*\?(.+)", re.IGNORECASE)


@dataclass(frozen=True)
class MovieLinks:
    """Movie id -> the address of its page on IMDb (preferred) or TMDB; empty for a release without links."""

    urls: Mapping[int, str] = field(default_factory=dict)

    def url(self, movie_id: int) -> str | None:
        """The page of ``movie_id``, or None when the release has no link for it."""
        return self.urls.get(int(movie_id))

    def urls_for(self, movie_ids: Iterable[int]) -> list[str | None]:
        """:meth:`url` of each id, in order."""
        return [self.urls.get(int(movie_id)) for movie_id in movie_ids]

    def __len__(self) -> int:
        return len(self.urls)


def site_name(url: str) -> str:
    """The site a link points at, for labels: ``"IMDb"`` or ``"TMDB"``."""
    return "TMDB" if "themoviedb.org" in url else "IMDb"


def imdb_url(imdb_id: int) -> str:
    """The IMDb title page of a numeric IMDb id (``114709`` -> ``.../title/tt0114709/``)."""
    return IMDB_TITLE.format(imdb_id)


def tmdb_url(tmdb_id: int) -> str:
    """The TMDB page of a numeric TMDB movie id."""
    return TMDB_MOVIE.format(tmdb_id)


def _whole(text: str) -> int | None:
    """A positive id written in digits (``"862"``, ``"862.0"`` as some exports write it), else None."""
    cleaned = text.strip().removesuffix(".0")
    return int(cleaned) if _DIGITS.fullmatch(cleaned) and int(cleaned) > 0 else None


def parse_links_csv(source: IO[bytes]) -> MovieLinks:
    """Read a ``links.csv``; rows with a malformed movie id, or with neither usable id, are left out."""
    reader = csv.reader(io.TextIOWrapper(source, encoding="utf-8", errors="replace", newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    if not {"movieId", "imdbId", "tmdbId"} <= set(header):
        return MovieLinks()
    at = {name: header.index(name) for name in ("movieId", "imdbId", "tmdbId")}
    urls: dict[int, str] = {}
    for row in reader:
        if len(row) < len(header):
            continue
        movie_id, imdb, tmdb = (_whole(row[at[name]]) for name in ("movieId", "imdbId", "tmdbId"))
        if movie_id is None or movie_id in urls:
            continue
        if imdb is not None:
            urls[movie_id] = imdb_url(imdb)
        elif tmdb is not None:
            urls[movie_id] = tmdb_url(tmdb)
    return MovieLinks(urls)


def parse_100k_links(source: IO[bytes]) -> MovieLinks:
    """Read the IMDb addresses of ml-100k's ``u.item`` (pipe-separated, latin-1, address in the fifth field)."""
    urls: dict[int, str] = {}
    for line in source.read().decode("latin-1").splitlines():
        fields = line.split("|")
        if len(fields) < 5:
            continue
        movie_id, address = _whole(fields[0]), fields[4].strip()
        old = _OLD_IMDB.fullmatch(address)
        if movie_id is None or movie_id in urls or old is None:
            continue  # only IMDb addresses are kept: a link never leads anywhere the release did not name
        urls[movie_id] = IMDB_FIND.format(quote(unquote_plus(old.group(1)), safe=""))
    return MovieLinks(urls)


def read_links(release_format: str, opener: Callable[[str], IO[bytes]]) -> MovieLinks:
    """The links of a release in ``release_format`` (``"csv"``, ``"dat"`` or ``"100k"``), opened with ``opener``.

    A release whose file is missing or unreadable has no links (no error).
    """
    names = {"csv": ("links.csv", parse_links_csv), "100k": ("u.item", parse_100k_links)}
    if release_format not in names:
        return MovieLinks()
    name, parse = names[release_format]
    try:
        with opener(name) as source:
            return parse(source)
    except (OSError, KeyError, ValueError, UnicodeError, csv.Error):
        return MovieLinks()
