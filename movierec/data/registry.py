"""The MovieLens releases movierec knows about, and the rating scale each one uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from movierec.errors import MovieRecError

GROUPLENS_URL = "https://files.grouplens.org/datasets/movielens/"

# The files a release must contain to be parsed, by format.
REQUIRED_FILES: dict[str, tuple[str, ...]] = {
    "csv": ("ratings.csv", "movies.csv"),
    "dat": ("ratings.dat", "movies.dat"),
    "100k": ("u.data", "u.item"),
}


@dataclass(frozen=True)
class RatingScale:
    """The ratings a release allows: from ``min`` to ``max`` in steps of ``step``."""

    min: float
    max: float
    step: float

    def values(self) -> list[float]:
        """Every allowed rating, ascending."""
        count = round((self.max - self.min) / self.step) + 1
        return [round(self.min + i * self.step, 6) for i in range(count)]

    def problem(self, rating: float, *, on_step: bool = True) -> str | None:
        """What is wrong with ``rating`` on this scale, or None when it is allowed.

        This is the one rule for ratings: finite, within ``[min, max]`` and, unless ``on_step`` is
        False, on the step grid. A fitted model can use any value in its range (a half-star rating
        folded into a whole-star model), hence ``on_step=False``.

        Returns:
            Words that follow the rating in a message, e.g. ``"is outside the scale 1–5 (whole stars)"``.
        """
        values = np.asarray([rating], dtype=np.float64)
        if not self._within(values)[0]:  # nan and inf are outside too
            return f"is outside the scale {self.label}"
        if on_step and not self._on_step(values)[0]:
            allowed = ", ".join(f"{value:g}" for value in self.values())
            return f"is not one of the allowed ratings ({allowed})"
        return None

    def contains(self, rating: float) -> bool:
        """Whether ``rating`` lies within ``[min, max]`` and on the step grid."""
        return self.problem(rating) is None

    def allows(self, ratings: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`contains`: a boolean mask, one entry per rating."""
        values = np.asarray(ratings, dtype=np.float64)
        return self._within(values) & self._on_step(values)

    def _within(self, values: np.ndarray) -> np.ndarray:
        # A small tolerance absorbs float noise such as 3.4999999 read from text.
        return (values >= self.min - 1e-9) & (values <= self.max + 1e-9)

    def _on_step(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):  # inf and nan are simply not allowed
            steps = (values - self.min) / self.step
            return np.abs(steps - np.round(steps)) < 1e-6

    @property
    def label(self) -> str:
        """A short description for people, e.g. ``"0.5–5 (half stars)"``."""
        span = f"{self.min:g}–{self.max:g}"
        if self.step == 0.5:
            return f"{span} (half stars)"
        if self.step == 1:
            return f"{span} (whole stars)"
        return f"{span} (steps of {self.step:g})"


HALF_STARS = RatingScale(0.5, 5.0, 0.5)
WHOLE_STARS = RatingScale(1.0, 5.0, 1.0)


@dataclass(frozen=True)
class Variant:
    """One MovieLens release: where it lives, how it is laid out and what it holds."""

    name: str
    url: str
    archive_folder: str  # the folder the zip unpacks into
    format: str  # "csv", "dat" or "100k"
    scale: RatingScale
    md5: str | None  # published checksum of the zip; None where GroupLens publishes none
    size_hint: str  # download size, for people
    description: str
    bundled: bool  # shipped inside the package, usable offline


def _variant(
    name: str,
    fmt: str,
    scale: RatingScale,
    md5: str | None,
    size_hint: str,
    description: str,
    archive_folder: str | None = None,
    bundled: bool = False,
) -> Variant:
    return Variant(
        name=name,
        url=f"{GROUPLENS_URL}{name}.zip",
        archive_folder=archive_folder or name,
        format=fmt,
        scale=scale,
        md5=md5,
        size_hint=size_hint,
        description=description,
        bundled=bundled,
    )


DATASETS: dict[str, Variant] = {
    variant.name: variant
    for variant in (
        _variant(
            "ml-latest-small",
            "csv",
            HALF_STARS,
            None,
            "1 MB",
            "100,836 ratings of 9,742 movies by 610 users (2018); ships with movierec",
            bundled=True,
        ),
        _variant(
            "ml-100k",
            "100k",
            WHOLE_STARS,
            "0e33842e24a9c977be4e0107933c0723",
            "5 MB",
            "100,000 ratings of 1,682 movies by 943 users (1998), with five fixed folds",
        ),
        _variant(
            "ml-1m",
            "dat",
            WHOLE_STARS,
            "c4d9eecfca2ab87c1945afe126590906",
            "6 MB",
            "1 million ratings of 3,900 movies by 6,040 users (2003)",
        ),
        _variant(
            "ml-10m",
            "dat",
            HALF_STARS,
            "ce571fd55effeba0271552578f2648bd",
            "63 MB",
            "10 million ratings of 10,681 movies by 71,567 users (2009)",
            archive_folder="ml-10M100K",
        ),
        _variant(
            "ml-20m",
            "csv",
            HALF_STARS,
            "cd245b17a1ae2cc31bb14903e1204af3",
            "190 MB",
            "20 million ratings of 27,278 movies by 138,493 users (2015)",
        ),
        _variant(
            "ml-25m",
            "csv",
            HALF_STARS,
            "6b51fb2759a8657d3bfcbfc42b592ada",
            "250 MB",
            "25 million ratings of 62,423 movies by 162,541 users (2019)",
        ),
        _variant(
            "ml-32m", "csv", HALF_STARS, None, "240 MB", "32 million ratings of 87,585 movies by 200,948 users (2023)"
        ),
        _variant(
            "ml-latest",
            "csv",
            HALF_STARS,
            None,
            "350 MB",
            "the newest full release (about 33 million ratings); GroupLens updates it, so it changes over time",
        ),
    )
}


def get_variant(name: str) -> Variant:
    """The registry entry for ``name``.

    Raises:
        MovieRecError: ``name`` is not a known release; the message lists the known ones.
    """
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(DATASETS)
        raise MovieRecError(f"Unknown dataset {name!r}. Choose one of: {known}.") from None


def bundled_archive(variant: Variant) -> Path:
    """The zip shipped inside the package for a bundled release."""
    return Path(__file__).with_name(f"{variant.name}.zip")
