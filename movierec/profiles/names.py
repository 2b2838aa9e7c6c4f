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
        # IPA and Armenian letters drawn like Latin ones.
        "ɑ": "a",
        "ɡ": "g",
        "ɩ": "i",
        "ɪ": "i",
        "ʋ": "u",
        "օ": "o",
        "ս": "u",
        "հ": "h",
        "ո": "n",
        "ց": "g",
        "զ": "q",
        "ա": "w",
    }
)
# Letters and symbols that draw nothing: Hangul fillers, the blank Braille pattern, and the like.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5")
MAX_MARKS = 3  # combining marks on one letter: Vietnamese needs two; more paint over the lines around


def reading_key(name: str) -> str:
    """The form two names share when a person would read them as the same name.

    Compatibility forms (full-width, circled letters) are unified, accents, invisible and blank characters
    (Hangul fillers, blank Braille) dropped, case folded, look-alike letters mapped to Latin and runs of spaces collapsed.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf") and ch not in _BLANKS)
    folded = unicodedata.normalize("NFKC", kept).casefold().translate(_LOOK_ALIKES)
    return " ".join(folded.split())


def stacking_problem(name: str) -> str | None:
    """Words for a name whose letters carry so many combining marks that they paint over other lines, or None."""
    run = 0
    for char in unicodedata.normalize("NFD", name):
        run = run + 1 if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me") else 0
        if run > MAX_MARKS:
            return f"it stacks more than {MAX_MARKS} accents or marks on one letter"
    return None
