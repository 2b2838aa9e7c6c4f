"""Finding movies by title: case- and accent-insensitive, partial words, the year optional."""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: accents dropped, punctuation to spaces.

    ``"Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)"`` becomes
    ``"amelie fabuleux destin d amelie poulain le 2001"``.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", ascii_only).strip()


class TitleSearch:
    """A search index over a movie table (normalised once; build one per catalogue and reuse it).

    Args:
        movies: a frame with ``movie_id``, ``title`` and optionally ``n_ratings`` (more-rated titles rank
            first among equally good matches).
    """

    def __init__(self, movies: pd.DataFrame) -> None:
        self.movies = movies.reset_index(drop=True)
        self._titles = np.array([f" {normalise(str(t))} " for t in self.movies["title"]], dtype=object)
        counts = self.movies["n_ratings"] if "n_ratings" in self.movies else pd.Series(0, index=self.movies.index)
        self._counts = counts.to_numpy(np.int64)

    def find(self, query: str, limit: int = 20) -> pd.DataFrame:
        """Movies whose title contains every word of ``query`` (as a word or the start of one, in any order).

        Titles that start words with the query's words rank above those containing them mid-word;
        then the more-rated first. An empty query finds nothing.
        """
        words = normalise(query).split()
        if not words:
            return self.movies.iloc[:0]
        hits = np.ones(len(self._titles), dtype=bool)
        word_starts = np.zeros(len(self._titles), dtype=np.int64)
        for word in words:
            hits &= np.fromiter((word in title for title in self._titles), dtype=bool, count=len(self._titles))
            word_starts += np.fromiter((f" {word}" in title for title in self._titles), dtype=np.int64, count=len(self._titles))
        rows = np.flatnonzero(hits)
        order = np.lexsort((self.movies["movie_id"].to_numpy()[rows], -self._counts[rows], -word_starts[rows]))
        return self.movies.iloc[rows[order[:limit]]]
