"""Where movierec writes: everything lives under ``MOVIEREC_HOME``."""
from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The folder for caches, models and profiles (``$MOVIEREC_HOME``, default ``~/.movierec``)."""
    configured = os.environ.get("MOVIEREC_HOME")
    root = Path(configured).expanduser() if configured else Path.home() / ".movierec"
    root.mkdir(parents=True, exist_ok=True)
    return root


def subdir(name: str) -> Path:
    """A named folder under :func:`home`, created on first use."""
    path = home() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
