"""What a crash can leave under ``MOVIEREC_HOME``, put right at start-up.

Saves and downloads write to hidden temporary names and publish with a rename, so a crash leaves only
those temporaries, or, in the middle of replacing a release, the old copy moved aside. Anything older
than ``min_age_s`` is cleaned (a younger one may belong to a save still running in another process),
and a release moved aside whose replacement never arrived is put back.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from movierec import paths

_RETIRED = re.compile(r"^\.(?P<name>.+)-old-[0-9a-f]{8}$")


def clean_leftovers(min_age_s: float = 600.0) -> list[str]:
    """Remove stale temporaries and restore releases moved aside; returns what was done, for logs."""
    done: list[str] = []
    cutoff = time.time() - min_age_s
    home = paths.home()

    def stale(path: Path) -> bool:
        try:
            return path.lstat().st_mtime <= cutoff
        except OSError:
            return False

    for folder, pattern in (
        (home / "models", ".*.tmp"),
        (home / "datasets", ".*.zip.part"),
        (home / "datasets" / "parsed", ".*.npz"),
    ):
        for path in folder.glob(pattern) if folder.is_dir() else ():
            if stale(path):
                path.unlink(missing_ok=True)
                done.append(f"removed {path}")
    datasets = home / "datasets"
    for path in datasets.glob(".*") if datasets.is_dir() else ():
        if not path.is_dir() or not stale(path):
            continue
        retired = _RETIRED.match(path.name)
        if retired and not (datasets / retired["name"]).exists():
            path.rename(datasets / retired["name"])
            done.append(f"restored {datasets / retired['name']}")
        elif retired or "-unpack-" in path.name:
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"removed {path}")
    return done
