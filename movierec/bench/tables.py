"""The benchmarks' tables as Markdown: the CLI prints them, and the README's tables are pasted from them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A header line, the rule under it, then one line per row of already formatted cells."""
    lines = [_line(header), "|" + "---|" * len(header)]
    lines.extend(_line(row) for row in rows)
    return "\n".join(lines)


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
