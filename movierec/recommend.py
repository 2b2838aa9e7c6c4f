"""``from movierec.recommend import recommend``: the public path to suggestions, kept stable for scripts.

The code lives in the suggestion stage: :mod:`movierec.suggest.recommend` and :mod:`movierec.suggest.foldin`.
"""

from movierec.suggest.foldin import fold_in
from movierec.suggest.recommend import recommend, similar_movies

__all__ = ["fold_in", "recommend", "similar_movies"]
