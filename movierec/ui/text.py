"""Text from data or from people, made safe to show: never read as Markdown, HTML or Streamlit directives."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: object) -> str:
    """``text`` escaped so that Markdown (and Streamlit's :colour[] / :emoji: syntax) shows it literally."""
    return _MARKDOWN.sub(r"\\\1", str(text))
