"""The command line: ``python -m movierec`` (or ``movierec``) and its sub-commands."""

from movierec.cli.commands import main

__all__ = ["main"]
