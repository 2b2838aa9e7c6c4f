"""Finding movies by title: case- and accent-insensitive, partial words, the year optional, typos forgiven."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Similarity (1 - edits / length of the longer word, where swapping two neighbours is one edit) that a
# query word needs with some word of a title. One slip in a word of four letters or more passes ("godfater"
# 0.89, "amelei" 0.83, "rigns" 0.8, "wrs" 0.75); a word inside a longer one does not ("father" in
# "godfather" 0.67), unlike with the Indel ratio, which scores that pair 0.8.
FUZZY_CUTOFF = 0.75
FUZZY_MIN_LENGTH = 3  # shorter words, and numbers (years), must match exactly: a typo there is another film


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
        normalised = [normalise(str(t)) for t in self.movies["title"]]
        self._titles = np.array([f" {title} " for title in normalised], dtype=object)
        counts = self.movies["n_ratings"] if "n_ratings" in self.movies else pd.Series(0, index=self.movies.index)
        self._counts = counts.to_numpy(np.int64)
        # Each title's words as rows of one vocabulary, so a typo is scored once per distinct word.
        words = [title.split() or [""] for title in normalised]
        self._vocabulary, flat = np.unique(
            np.concatenate([np.array(w, dtype=object) for w in words]), return_inverse=True
        )
        self._title_words = flat.ravel()
        self._word_starts = np.cumsum([0, *(len(w) for w in words[:-1])])

    def find(self, query: str, limit: int = 20) -> pd.DataFrame:
        """Movies matching ``query``: exact matches first, then titles that match despite typos.

        An exact match contains every word of ``query`` (as a word or the start of one, in any order);
        titles that start words with the query's words rank above those containing them mid-word, then
        the more-rated first. Below ``limit``, titles whose words are close to every query word of three
        letters or more (and contain the others exactly) follow, the closest first. An empty query finds
        nothing.
        """
        words = normalise(query).split()
        if not words:
            return self.movies.iloc[:0]
        exact = self._exact(words)[:limit]
        if len(exact) < limit:
            fuzzy = self._fuzzy(words)
            exact = np.concatenate([exact, fuzzy[~np.isin(fuzzy, exact)]])[:limit]
        return self.movies.iloc[exact]

    def _contains(self, word: str, prefix: str = "") -> np.ndarray:
        needle = prefix + word
        return np.fromiter((needle in title for title in self._titles), dtype=bool, count=len(self._titles))

    def _exact(self, words: list[str]) -> np.ndarray:
        """Rows of titles containing every word, best first."""
        hits = np.ones(len(self._titles), dtype=bool)
        word_starts = np.zeros(len(self._titles), dtype=np.int64)
        for word in words:
            hits &= self._contains(word)
            word_starts += self._contains(word, " ")
        rows = np.flatnonzero(hits)
        order = np.lexsort((self.movies["movie_id"].to_numpy()[rows], -self._counts[rows], -word_starts[rows]))
        return rows[order]

    def _fuzzy(self, words: list[str]) -> np.ndarray:
        """Rows of titles close to every long query word and holding the short ones exactly, closest first."""
        loose = [w for w in words if len(w) >= FUZZY_MIN_LENGTH and not w.isdigit()]
        if not loose:
            return np.zeros(0, dtype=np.int64)
        similarity = process.cdist(loose, self._vocabulary, scorer=OSA.normalized_similarity, dtype=np.float32)
        # Best similarity of each loose word with any word of each title; a title is as close as its worst word.
        per_title = np.maximum.reduceat(similarity[:, self._title_words], self._word_starts, axis=1).min(axis=0)
        hits = per_title >= FUZZY_CUTOFF
        for word in (w for w in words if w not in loose):
            hits &= self._contains(word, " ")
        rows = np.flatnonzero(hits)
        order = np.lexsort((self.movies["movie_id"].to_numpy()[rows], -self._counts[rows], -per_title[rows]))
        return rows[order]
