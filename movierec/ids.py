"""Raw MovieLens ids to embedding rows and back."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from movierec.errors import MovieRecError

UNKNOWN = -1


class IdIndex:
    """A sorted set of raw ids; an id's row is its position in that order.

    Args:
        ids: raw ids (any order, duplicates allowed).
        kind: what the ids name ("user" or "movie"), used in error messages.
    """

    def __init__(self, ids: Iterable[int] | np.ndarray, kind: str) -> None:
        self.ids = np.unique(np.asarray(ids, dtype=np.int64))
        self.kind = kind

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, raw_id: object) -> bool:
        return bool(self.rows(np.array([raw_id]))[0] != UNKNOWN) if isinstance(raw_id, (int, np.integer)) else False

    def rows(self, raw_ids: Iterable[int] | np.ndarray) -> np.ndarray:
        """Rows for raw ids, ``UNKNOWN`` (-1) where an id is not in the index."""
        raw = np.asarray(raw_ids, dtype=np.int64).reshape(-1)
        pos = np.searchsorted(self.ids, raw).clip(0, max(len(self.ids) - 1, 0))
        found = (self.ids[pos] == raw) if len(self.ids) else np.zeros(len(raw), dtype=bool)
        return np.where(found, pos, UNKNOWN).astype(np.int64)

    def row(self, raw_id: int) -> int:
        """The row of one raw id; an unknown id raises an error that names it."""
        row = int(self.rows([raw_id])[0])
        if row == UNKNOWN:
            raise MovieRecError(f"Unknown {self.kind} id {raw_id}: this model was not trained on it.")
        return row
