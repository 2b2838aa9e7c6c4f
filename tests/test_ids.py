from __future__ import annotations

import numpy as np
import pytest

from movierec.errors import MovieRecError
from movierec.ids import UNKNOWN, IdIndex


def test_rows_follow_sorted_raw_ids_and_mark_unknowns():
    index = IdIndex([30, 10, 20, 10], "movie")
    assert list(index.ids) == [10, 20, 30]
    assert list(index.rows([20, 99, 10, 5])) == [1, UNKNOWN, 0, UNKNOWN]
    assert 30 in index and 31 not in index


def test_unknown_id_error_names_the_id():
    with pytest.raises(MovieRecError, match="Unknown movie id 404"):
        IdIndex(np.array([1, 2]), "movie").row(404)
