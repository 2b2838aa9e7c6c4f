"""The one exception type that carries a message meant for a person."""

from __future__ import annotations


class MovieRecError(Exception):
    """Bad input or a failed operation, worded for the user (what was wrong, what to do).

    The CLI prints it without a traceback and exits with code 2; pages show it with ``st.error``.
    """
