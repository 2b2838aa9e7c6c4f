"""movierec: a MovieLens recommender built on the embedding network of the PyTorch article."""
from __future__ import annotations

__version__ = "0.1.0"
