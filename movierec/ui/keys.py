"""Session-state key names shared by more than one module, so each is spelled once."""

from __future__ import annotations

PROFILE_KEY = "profile_name"  # the active Rate-page profile's name; the Embeddings page reads it too
