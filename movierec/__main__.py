"""Entry point for ``python -m movierec``."""

from __future__ import annotations

import sys

from movierec.cli.commands import main

sys.exit(main())
