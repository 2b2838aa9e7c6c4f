"""Checks of a saved model's contents, made before anything is built or allocated from them.

Every field has a kind and a bound. The bounds come from the model's own sizes (its user and movie
tables) or from what any MovieLens model can hold (a rating scale of a few dozen values, years of
cinema); a tensor must be contiguous, so its size is bytes really stored in the file, not a view that
would expand on the first copy. The network's shape is worked out on PyTorch's ``meta`` device (no
memory), so a file whose config describes a huge network but carries small tensors is refused too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from movierec.model.ranker import MAX_MOVIES

MAX_PARAMETERS = 1 << 30  # about 4 GiB of float32 weights: far beyond any MovieLens release's model
MAX_SCALE_VALUES = 101  # allowed ratings on a scale; MovieLens uses 5 or 10
MAX_SCALE_END = 100.0
YEARS = (1850, 2200)  # a film year outside this is not a year; -1 means "unknown"
MAX_TEXT_CHARS = 500  # a title or a genre list; the longest MovieLens title is under 200 characters
MAX_LABEL_CHARS = 200  # dataset, fingerprint, preset and creation date
MAX_GENRES = 100  # genre columns of the ranker; MovieLens has 20
MAX_BLEND = 100.0  # the ranker's blend weights are chosen from a grid under 1
MAX_RANKER_WEIGHT = 1e3  # EASE weights are far below this with the penalties the ranker is solved with
MAX_HISTORY = 100_000  # epochs recorded
_MOVIE_FIELDS = ("movie_titles", "movie_years", "movie_genres", "movie_counts", "movie_means")

Problem = str | None


def check_sizes(payload: dict[str, Any]) -> Problem:
    """What is wrong with the kinds of the file's tables and its rating scale, or None; reads no table's values."""
    user_ids: Any = payload.get("user_ids")
    movie_ids: Any = payload.get("movie_ids")
    if not (_integers(user_ids) and _integers(movie_ids)):
        return "its user and movie id tables are not lists of whole numbers"
    if len(user_ids) == 0 or len(movie_ids) == 0:
        return "its user or movie table is empty"
    if not isinstance(payload.get("config"), dict):
        return "its settings are not a table"
    return _check_scale(payload)


def check_contents(payload: dict[str, Any], skeleton: torch.nn.Module) -> Problem:
    """What is wrong with the shapes of ``payload``'s weights for a network shaped like ``skeleton``, or None.

    Args:
        payload: the loaded file's dict, whose sizes :func:`check_sizes` passed.
        skeleton: the network the file's config and tables describe, built on the ``meta`` device.
    """
    expected = {name: tuple(t.shape) for name, t in skeleton.state_dict().items()}
    if sum(math.prod(shape) for shape in expected.values()) > MAX_PARAMETERS:
        return f"its config describes a network over the budget of {MAX_PARAMETERS:,} parameters"
    state = payload.get("state_dict")
    if not isinstance(state, dict) or set(state) != set(expected):
        return "its weights do not match its config (different layers)"
    for name, shape in expected.items():
        tensor = state[name]
        if not _stored(tensor) or not tensor.is_floating_point() or tuple(tensor.shape) != shape:
            return f"its weights {name[:80]} have the wrong shape or kind for its config"
    return None


def check_values(payload: dict[str, Any]) -> Problem:
    """What is wrong with the values of a file whose shapes passed, or None: ids, movie facts, ranker, weights."""
    for check in (_check_ids, _check_movie_facts, _check_labels, _check_ranker, _check_weights):
        problem = check(payload)
        if problem is not None:
            return problem
    return None


def _stored(value: Any) -> bool:
    """A CPU tensor, not complex, whose every element is in the file's storage.

    A saved view may declare any shape over a few stored bytes (a stride of 0 repeats one value); its
    first copy would then allocate the declared size. Counting the elements against the storage bounds
    every copy by the file's own size.
    """
    return (
        isinstance(value, torch.Tensor)
        and value.device.type == "cpu"
        and not value.is_complex()
        and not value.is_sparse
        and (value.storage_offset() + value.numel()) * value.element_size() <= value.untyped_storage().nbytes()
    )


def _integers(value: Any, length: int | None = None) -> bool:
    """A stored 1-D tensor of whole numbers (of ``length`` entries, when given)."""
    ok = _stored(value) and value.dim() == 1 and value.dtype in (torch.int64, torch.int32)
    return ok and (length is None or len(value) == length)


def _check_ids(payload: dict[str, Any]) -> Problem:
    user_ids, movie_ids = payload["user_ids"], payload["movie_ids"]
    if int(user_ids.min()) < 0 or int(movie_ids.min()) < 0:
        return "it lists a negative user or movie id"
    # Saved in ascending order, which also rules out an id listed twice, at the cost of one comparison per id.
    if not all(bool((ids[1:] > ids[:-1]).all()) for ids in (user_ids, movie_ids)):
        return "it lists a user or movie id twice or out of order"
    return None


def _check_weights(payload: dict[str, Any]) -> Problem:
    for name, tensor in payload["state_dict"].items():
        if not bool(torch.isfinite(tensor).all()):
            return f"its weights {name[:80]} hold values that are not finite"
    return None


def _check_scale(payload: dict[str, Any]) -> Problem:
    scale = payload.get("scale")
    if (
        not isinstance(scale, (list, tuple))
        or len(scale) != 3
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in scale)
    ):
        return "its rating scale is not three finite numbers"
    low, high, step = scale
    if not (0 <= low < high <= MAX_SCALE_END and step > 0):
        return f"its rating scale is not a range from low to high within 0–{MAX_SCALE_END:g}"
    count = (high - low) / step
    if count + 1 > MAX_SCALE_VALUES or abs(count - round(count)) > 1e-6:
        return f"its rating scale does not divide into at most {MAX_SCALE_VALUES} equal steps"
    return None


def _check_movie_facts(payload: dict[str, Any]) -> Problem:
    n_movies = len(payload["movie_ids"])
    titles: Any = payload.get("movie_titles")
    genres: Any = payload.get("movie_genres")
    if not all(_text_list(texts, n_movies, MAX_TEXT_CHARS) for texts in (titles, genres)):
        return f"its titles or genres are not {n_movies:,} texts of at most {MAX_TEXT_CHARS} characters"
    years: Any = payload.get("movie_years")
    counts: Any = payload.get("movie_counts")
    means: Any = payload.get("movie_means")
    if not (_integers(years, n_movies) and _integers(counts, n_movies)):
        return "its movie years or rating counts are not one whole number per movie"
    known = years[years != -1]
    if len(known) and not (YEARS[0] <= int(known.min()) and int(known.max()) <= YEARS[1]):
        return f"it gives a movie a year outside {YEARS[0]}–{YEARS[1]}"
    if int(counts.min()) < 0:
        return "it gives a movie a negative number of ratings"
    if not (_stored(means) and means.dim() == 1 and len(means) == n_movies and means.is_floating_point()):
        return "its mean ratings are not one number per movie"
    low, high, _ = payload["scale"]
    if not bool(((means >= low - 1e-3) & (means <= high + 1e-3)).all()):  # also refuses NaN
        return "it gives a movie a mean rating outside its rating scale"
    return None


def _text_list(value: Any, length: int, max_chars: int) -> bool:
    return (
        isinstance(value, list)
        and len(value) == length
        and all(isinstance(text, str) and len(text) <= max_chars for text in value)
    )


def _check_labels(payload: dict[str, Any]) -> Problem:
    def label(value: Any) -> bool:
        return isinstance(value, str) and len(value) <= MAX_LABEL_CHARS

    preset = payload.get("preset")
    if not all(label(payload.get(key)) for key in ("dataset", "fingerprint", "created")) or not (
        preset is None or label(preset)
    ):
        return f"its dataset, fingerprint, preset or date is not text of at most {MAX_LABEL_CHARS} characters"
    if not isinstance(payload.get("metrics"), dict) or not _history(payload.get("history")):
        return "its metrics are not a table"
    return None


def _history(value: Any) -> bool:
    def number(v: Any) -> bool:
        return isinstance(v, (int, float))

    return (
        isinstance(value, list)
        and len(value) <= MAX_HISTORY
        and all(isinstance(e, dict) and len(e) <= 32 and all(number(v) for v in e.values()) for e in value)
    )


def _check_ranker(payload: dict[str, Any]) -> Problem:
    ranking = payload.get("ranking")
    if ranking is None:
        return None
    n_movies = len(payload["movie_ids"])
    if not isinstance(ranking, dict):
        return "its ranking table is not a table"
    rows: Any = ranking.get("rows")
    weights: Any = ranking.get("weights")
    genres: Any = ranking.get("genres")
    if not _integers(rows) or len(rows) > min(MAX_MOVIES, n_movies):
        return f"its ranking covers more than its {min(MAX_MOVIES, n_movies):,} movies or is not a list of rows"
    size = len(rows)
    if size and not (int(rows[0]) >= 0 and int(rows[-1]) < n_movies and bool((rows[1:] > rows[:-1]).all())):
        return "its ranking rows are not ascending rows of its movie table"
    if not (_stored(weights) and weights.is_floating_point() and tuple(weights.shape) == (size, size)):
        return f"its ranking weights are not a {size} × {size} table"
    if not (_stored(genres) and genres.is_floating_point() and genres.dim() == 2 and len(genres) == size):
        return "its ranking genres are not one row per ranked movie"
    if genres.shape[1] > MAX_GENRES:
        return f"its ranking has more than {MAX_GENRES} genres"
    if not _bounded(weights, MAX_RANKER_WEIGHT) or not _bounded(genres, 1.001):
        return "its ranking weights hold values that are not finite or far too large"
    return _check_blend(ranking)


def _bounded(tensor: torch.Tensor, limit: float) -> bool:
    return bool((tensor.abs() <= limit).all())  # NaN compares false, so it is refused too


def _check_blend(ranking: dict[str, Any]) -> Problem:
    checks: dict[str, Callable[[float], bool]] = {
        "blend": lambda v: 0 <= v <= MAX_BLEND,
        "genre_weight": lambda v: 0 <= v <= MAX_BLEND,
        "regularisation": lambda v: 0 < v <= 1e9,
    }
    for key, allowed in checks.items():
        value = ranking.get(key)
        if not (isinstance(value, (int, float)) and not isinstance(value, bool) and allowed(float(value))):
            return f"its ranking {key.replace('_', ' ')} is not a number in its range"
    return None
