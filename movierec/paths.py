"""Where movierec writes: everything lives under ``MOVIEREC_HOME``, readable by its owner only."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from movierec.errors import MovieRecError

HOME_ENV = "MOVIEREC_HOME"
DATA_ROOTS_ENV = "MOVIEREC_DATA_ROOTS"  # extra folders the dashboard may read releases from (os.pathsep-separated)
OWNER_ONLY_DIR = 0o700
OWNER_ONLY_FILE = 0o600


def home() -> Path:
    """The folder for caches, models and profiles (``$MOVIEREC_HOME``, default ``~/.movierec``).

    Created readable by its owner only (other people on a shared machine must not read profiles).

    Raises:
        MovieRecError: the folder cannot be created or written (for example the path is a file).
    """
    configured = os.environ.get(HOME_ENV)
    try:
        root = Path(configured).expanduser() if configured else Path.home() / ".movierec"
    except RuntimeError:  # "~someone" who has no account here, or no home folder at all
        raise MovieRecError(
            f"MOVIEREC_HOME {configured or '~/.movierec'} names a home folder that does not exist here; "
            "point MOVIEREC_HOME at a folder."
        ) from None
    if not root.is_dir():
        try:
            root.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_DIR)  # another thread may create it meanwhile
        except OSError as exc:
            if not root.is_dir():
                raise MovieRecError(
                    f"MOVIEREC_HOME {root} cannot be created ({exc.strerror}); point MOVIEREC_HOME at a folder you can write."
                ) from None
    if not root.is_dir():
        raise MovieRecError(f"MOVIEREC_HOME {root} is a file, not a folder; point MOVIEREC_HOME at a folder.")
    if not os.access(root, os.R_OK | os.W_OK | os.X_OK):
        raise MovieRecError(
            f"MOVIEREC_HOME {root} is not readable and writable by you; point MOVIEREC_HOME at a folder you own."
        )
    return root


def subdir(name: str) -> Path:
    """A named folder under :func:`home`, created on first use (owner-only)."""
    path = home() / name
    try:
        path.mkdir(exist_ok=True, mode=OWNER_ONLY_DIR)
    except OSError as exc:
        raise MovieRecError(f"{path} cannot be created ({exc.strerror}); check MOVIEREC_HOME.") from None
    if not path.is_dir():
        raise MovieRecError(f"{path} is not a folder; move that file aside (it is inside MOVIEREC_HOME).")
    return path


def writable_folder(folder: Path) -> Path:
    """``folder``, when it is (or can become) a folder you can write.

    Raises:
        MovieRecError: the path or one of its parents is a file, or the folder is not writable.
    """
    folder = folder.expanduser()
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise MovieRecError(
            f"Cannot save into {folder}: {existing} is a file, not a folder. Choose a folder or a .pt path."
        )
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise MovieRecError(f"Cannot save into {folder}: {existing} is not writable by you. Choose another folder.")
    return folder


def open_regular(path: Path, max_bytes: int, what: str) -> BinaryIO:
    """``path`` opened for binary reading, when it is a regular file of at most ``max_bytes``.

    It is opened without waiting and checked on the open handle: a pipe or a device under an expected
    name would otherwise block a read for ever or never end.

    Args:
        path: the file.
        max_bytes: the most any file of this kind holds.
        what: what the file is, for the message (e.g. "the ratings file"; may be empty).

    Raises:
        OSError: it cannot be opened (callers word this for their own file).
        MovieRecError: it is not a regular file, or is larger than ``max_bytes``.
    """
    label = f"{what} {path}".strip()
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    source = os.fdopen(handle, "rb")
    details = os.fstat(handle)
    problem = None
    if not stat.S_ISREG(details.st_mode):
        problem = "is not a regular file (a folder, pipe or device); only files are read"
    elif details.st_size > max_bytes:
        problem = f"is {_megabytes(details.st_size)}, larger than the limit of {_megabytes(max_bytes)} for such a file"
    if problem is not None:
        source.close()
        raise MovieRecError(f"{label[:1].upper()}{label[1:]} {problem}.")
    return source


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MB" if size < 2**30 else f"{size / 2**30:,.1f} GB"


def temp_file(folder: Path, stem: str, suffix: str) -> Path:
    """A new, empty, owner-only file ``.<stem>.<random><suffix>`` in ``folder``, for work published by a rename.

    Hidden names with a known suffix (``.tmp``, ``.npz``, ``.zip.part``) are what
    :func:`movierec.leftovers.clean_leftovers` removes after a crash.
    """
    handle, name = tempfile.mkstemp(dir=folder, prefix=f".{stem}.", suffix=suffix)
    os.close(handle)
    return Path(name)


def write_atomically(
    target: Path,
    write: Callable[[BinaryIO], object],
    overwrite: bool = True,
    suffix: str = ".tmp",
    sync: bool = True,
) -> bool:
    """Write ``target`` through a temp file in its folder, so a crash never leaves it half written.

    Args:
        target: The file to write.
        write: Fills the open temp file.
        overwrite: Replace an existing ``target``; without it an existing one is kept (see :func:`publish`).
        suffix: Ending of the temp file's name, one that crash clean-up knows.
        sync: Flush the data to disk before the rename; off for copies that are cheap to rebuild.

    Returns:
        False (and nothing changed) when ``target`` exists and ``overwrite`` is off.

    Raises:
        OSError: the temp file could not be created, written or published; it is removed.
    """
    tmp = temp_file(target.parent, target.stem, suffix)
    try:
        with tmp.open("wb") as handle:
            write(handle)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        return publish(tmp, target, overwrite)
    finally:
        tmp.unlink(missing_ok=True)


def publish(tmp: Path, target: Path, overwrite: bool) -> bool:
    """Give a finished, flushed temp file its name; False (and nothing changed) when ``target`` exists and
    ``overwrite`` is off. Without overwrite the name is claimed with a link, which fails if it is taken, so of
    two writers exactly one wins."""
    if overwrite:
        os.replace(tmp, target)
    else:
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
    try:  # the rename itself is durable only once the folder is flushed
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:
        pass  # some file systems cannot fsync a folder; the file itself is already on disk
    return True


def data_roots() -> list[Path]:
    """Folders the dashboard may read extracted releases from: ``MOVIEREC_HOME/data`` and ``$MOVIEREC_DATA_ROOTS``."""
    listed = [Path(p).expanduser() for p in os.environ.get(DATA_ROOTS_ENV, "").split(os.pathsep) if p.strip()]
    return [root.resolve() for root in [home() / "data", *listed]]


def within_roots(folder: str | Path, roots: list[Path]) -> Path | None:
    """``folder`` resolved (links followed), when it is an existing folder under one of ``roots``; else None."""
    try:
        resolved = Path(folder).expanduser().resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_dir():
        return None
    return resolved if any(resolved == root or root in resolved.parents for root in roots) else None
