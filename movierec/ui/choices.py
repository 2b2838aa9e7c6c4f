"""Choices read back from widgets, checked against what was offered."""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

T = TypeVar("T")


def offered(value: object, options: Collection[T], fallback: T) -> T:
    """``value`` when it is one of ``options``, else ``fallback``.

    A choice widget keeps its choice as the label it shows. When one rerun cuts another short, the browser
    can send a label that the new run does not offer, and Streamlit then hands the label back instead of
    an option: an upper-case "PC1" for the option "pc1", a title for a movie id.
    """
    return value if value in options else fallback  # type: ignore[return-value]
