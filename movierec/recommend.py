"""``from movierec.recommend import recommend``: the public path to suggestions, kept stable for scripts.

The code lives in :mod:`movierec.suggest.recommend`, with the rest of the suggestion stage.
"""

from movierec.suggest.recommend import fold_in, recommend, similar_movies

__all__ = ["fold_in", "recommend", "similar_movies"]
