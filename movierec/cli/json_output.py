"""Strict JSON for the command line: numbers that are not finite become ``null``, never a ``NaN`` token."""

from __future__ import annotations

import json
import math
from typing import Any


def finite_only(value: Any) -> Any:
    """``value`` with every float that is NaN or infinite (in nested dicts, lists and tuples) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_only(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_only(item) for item in value]
    return value


def to_json(value: Any, **options: Any) -> str:
    """One line of JSON that any strict parser reads (``null`` for a number that is not finite)."""
    return json.dumps(finite_only(value), allow_nan=False, **options)
