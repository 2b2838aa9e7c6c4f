"""Why a movie is suggested, worked out from what put it there.

Under the ranker's order a reason names the part of the blended score that lifted the movie most: the
item-item part (the rated movies with the largest weights to it), the genre match (the genres it shares
with what the person rated) or the predicted rating. Under the predicted-rating order the only thing that
decided is the network, so the reason is the nearest highly rated movie in its embedding space, and says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from movierec.model.artifacts import TrainedModel

MAX_NAMED = 2  # movies or genres a reason names: enough to recognise, short enough to read in a column

# Reason kinds, also given in the CLI's JSON.
WATCHED_WITH = "watched_with"  # the item-item part decided: rated movies watched by the same people
GENRES = "genres"  # the genre match decided
PREDICTED = "predicted"  # the predicted rating decided (or ordered the list)
EMBEDDING = "embedding"  # predicted-rating order: the nearest highly rated movie in embedding space
POPULAR = "popular"  # nothing to fold in: popular, well-rated movies


@dataclass(frozen=True)
class Reason:
    """One suggestion's reason.

    Attributes:
        kind: one of the kinds above.
        text: the reason in words, e.g. ``"Often watched with Toy Story (1995) and Heat (1995)"``.
        movie_ids: the rated movies it names, strongest first (empty when it names none).
    """

    kind: str
    text: str
    movie_ids: tuple[int, ...] = ()


def _titles(model: TrainedModel, rows: list[int]) -> list[str]:
    # only the rows asked for: converting the whole column costs more than the rest of the reasons together
    return [str(title) for title in model.movies["title"].iloc[rows]]


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _watched_with(model: TrainedModel, contributors: list[int]) -> Reason:
    ids = model.movies["movie_id"].to_numpy()
    return Reason(
        WATCHED_WITH,
        f"Often watched with {_joined(_titles(model, contributors))}",
        tuple(int(ids[row]) for row in contributors),
    )


def _shared_genres(model: TrainedModel, rated_rows: np.ndarray, row: int) -> list[str]:
    """The movie's genres that the rated movies have too, most often rated first."""
    genres = model.movies["genres"].to_numpy()
    counts = Counter(g for rated in rated_rows for g in genres[rated])
    shared = sorted((g for g in genres[row] if counts[g]), key=lambda g: (-counts[g], g))
    return shared[:MAX_NAMED]


def _predicted(value: float) -> Reason:
    return Reason(PREDICTED, f"High predicted rating for you ({value:.1f}★)")


def ranking_reasons(
    model: TrainedModel, rated: Mapping[int, float], predictions: np.ndarray, rows: np.ndarray
) -> list[Reason]:
    """For each suggested movie row, the part of the ranker's score that lifted it most, in words.

    Args:
        model: a model with a ranker.
        rated: the person's ratings the model knows (movie id -> rating).
        predictions: the fold-in's predicted rating of every movie row.
        rows: the suggested movie rows.
    """
    ranker = model.ranker
    assert ranker is not None
    rated_rows = model.movie_index.rows(list(rated))
    rated_rows = rated_rows[rated_rows >= 0]
    seen = ranker.seen_row(rated_rows)
    block_predictions = torch.from_numpy(np.asarray(predictions[ranker.rows], dtype=np.float32)[None])
    parts = torch.cat(ranker.parts(seen, block_predictions)).T.numpy()  # (block, 3)
    rated_positions = ranker.positions(rated_rows)
    inside = rated_positions >= 0
    rated_positions, rated_in_block = rated_positions[inside], rated_rows[inside]
    reasons = []
    for row, position in zip(rows, ranker.positions(np.asarray(rows, dtype=np.int64)), strict=True):
        if position < 0:
            reasons.append(
                Reason(PREDICTED, f"Predicted rating {predictions[row]:.1f}★ (outside the movies the ranker covers)")
            )
            continue
        weights = ranker.weights[torch.from_numpy(rated_positions), int(position)].numpy()
        order = np.argsort(-weights, kind="stable")[:MAX_NAMED]
        contributors = [int(rated_in_block[i]) for i in order if weights[i] > 0]
        reasons.append(_strongest(model, parts[position], contributors, rated_rows, int(row), float(predictions[row])))
    return reasons


def _strongest(
    model: TrainedModel, parts: np.ndarray, contributors: list[int], rated_rows: np.ndarray, row: int, predicted: float
) -> Reason:
    """The reason for the largest part that has something to name (item-item, genre match, predicted rating)."""
    for part in np.argsort(-parts, kind="stable"):
        if part == 0 and contributors:
            return _watched_with(model, contributors)
        if part == 1:
            shared = _shared_genres(model, rated_rows, row)
            if shared:
                return Reason(GENRES, f"Matches the genres you rate: {_joined(shared)}")
        if part == 2:
            return _predicted(predicted)
    return _predicted(predicted)


def embedding_reasons(
    model: TrainedModel, liked_ids: list[int], predictions: np.ndarray, rows: np.ndarray
) -> list[Reason]:
    """Under the predicted-rating order: the highly rated movie nearest to each suggestion in embedding space."""
    liked_rows = model.movie_index.rows(liked_ids)
    liked_rows = liked_rows[liked_rows >= 0]
    if len(liked_rows) == 0:
        return [_predicted(float(predictions[row])) for row in rows]
    unit = F.normalize(model.network.movie_table(), dim=1)
    cosine = unit[torch.from_numpy(np.asarray(rows, dtype=np.int64))] @ unit[torch.from_numpy(liked_rows)].T
    ids = model.movies["movie_id"].to_numpy()
    reasons = []
    for row, closest in zip(rows, cosine.argmax(dim=1).tolist(), strict=True):
        nearest = int(liked_rows[closest])
        title = _titles(model, [nearest])[0]
        reasons.append(
            Reason(
                EMBEDDING,
                f"Predicted {predictions[row]:.1f}★; its embedding is nearest to {title}, which you rated highly",
                (int(ids[nearest]),),
            )
        )
    return reasons
