"""Text from data (titles, genres, names) made safe to show as text in a terminal."""

from __future__ import annotations

import unicodedata

# Control and format characters, surrogates, private-use and unassigned code points, line and paragraph
# separators: a terminal acts on them (escape sequences move the cursor, recolour, retitle the window;
# bidi overrides reorder what follows) instead of showing them.
_ACTIVE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def terminal_text(text: str, keep: str = "\n") -> str:
    """``text`` with every character a terminal would act on written out as an escape (``\\x1b``, ``\\u202e``).

    Args:
        text: text that came from data anyone may have written.
        keep: characters left as they are (by default the newlines of a multi-line report).
    """
    return "".join(
        char if char in keep or unicodedata.category(char) not in _ACTIVE_CATEGORIES else _escaped(char)
        for char in text
    )


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
