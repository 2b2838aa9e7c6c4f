"""Where a dataset comes from: a MovieLens release, an extracted folder or a CSV upload of this session.

The sidebar keeps each source as its *key*, a string that is also the dataset picker's value: a release
name (``"ml-latest-small"``), ``"folder:<release>:<path>"`` for an extracted folder, or ``"upload:<name>"``
for a checked CSV upload. Inside Python a source is a :class:`Source`, made from and turned back into
that key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import streamlit as st

from movierec.data import Dataset
from movierec.ui import cache
from movierec.ui.keys import UPLOADS_KEY

DEFAULT_DATASET = "ml-latest-small"
_FOLDER, _UPLOAD = "folder:", "upload:"


@dataclass(frozen=True)
class Source:
    """A dataset's origin: ``name`` is the release (or the upload's name); ``folder`` where a release was read."""

    kind: Literal["release", "folder", "upload"]
    name: str
    folder: str | None = None

    @classmethod
    def release(cls, name: str) -> Source:
        """A MovieLens release in the data cache."""
        return cls("release", name)

    @classmethod
    def extracted(cls, release: str, folder: str) -> Source:
        """An extracted ``release`` read from ``folder``."""
        return cls("folder", release, folder)

    @classmethod
    def upload(cls, name: str) -> Source:
        """A checked CSV upload called ``name``, kept in this browser session."""
        return cls("upload", name)

    @classmethod
    def parse(cls, key: str) -> Source:
        """The source a key names (the folder may itself hold ``:``; the release name never does)."""
        if key.startswith(_UPLOAD):
            return cls.upload(key.removeprefix(_UPLOAD))
        if key.startswith(_FOLDER):
            release, folder = key.removeprefix(_FOLDER).split(":", 1)
            return cls.extracted(release, folder)
        return cls.release(key)

    @property
    def key(self) -> str:
        """The string the dataset picker and ``st.session_state`` hold for this source."""
        if self.kind == "upload":
            return f"{_UPLOAD}{self.name}"
        if self.kind == "folder":
            return f"{_FOLDER}{self.name}:{self.folder}"
        return self.name

    @property
    def label(self) -> str:
        """How the dataset picker shows this source."""
        if self.kind == "upload":
            return f"{self.name} (uploaded CSV)"
        if self.kind == "folder":
            return f"{self.name} from {self.folder}"
        return self.name

    def available(self) -> bool:
        """False for an upload this browser session no longer holds."""
        return self.kind != "upload" or self.key in st.session_state.get(UPLOADS_KEY, {})

    def load(self) -> Dataset:
        """The dataset (raises ``MovieRecError`` when it cannot be loaded)."""
        if self.kind == "upload":
            return st.session_state[UPLOADS_KEY][self.key]
        return cache.dataset(self.name, self.folder)


def source_label(key: str) -> str:
    """How the dataset picker shows a source key (its ``format_func``)."""
    return Source.parse(key).label
