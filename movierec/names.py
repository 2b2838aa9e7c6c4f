"""When two names are the same to a reader: case, accents, Unicode forms and look-alike letters aside."""

from __future__ import annotations

import unicodedata

# Cyrillic and Greek letters drawn like Latin ones (after case folding), so "аlex" (Cyrillic а) is "alex".
_LOOK_ALIKES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ζ": "z",
        "μ": "u",
        "σ": "o",
    }
)


def reading_key(name: str) -> str:
    """The form two names share when a person would read them as the same name.

    Compatibility forms (full-width, circled letters) are unified, accents and invisible characters dropped,
    case folded, look-alike letters mapped to Latin and runs of spaces collapsed.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    folded = unicodedata.normalize("NFKC", kept).casefold().translate(_LOOK_ALIKES)
    return " ".join(folded.split())
