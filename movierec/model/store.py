"""Renaming, deleting and restoring saved models: the same checks and messages for the Models page and the CLI.

Deleting moves a model into ``MOVIEREC_HOME/models/trash`` instead of erasing it: the model pickers list
only the ``.pt`` files directly in ``models``, so a trashed model is offered nowhere, yet it can be restored
until the trash is emptied. Every change is one rename or one hard link, so a crash never leaves a model
half moved, and a name is claimed with a link, which fails when the name is taken (of two renames to one
new name exactly one succeeds).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from movierec import paths
from movierec.errors import MovieRecError
from movierec.model.artifacts import check_name, read_saved

TRASH_FOLDER = "trash"
_SEPARATOR = "~"  # never part of a model name, so "<name>~<deleted>~<random>.pt" splits back unambiguously
_STAMP = "%Y%m%d-%H%M%S-%f"  # to the microsecond, so the trash sorts by deletion time


@dataclass(frozen=True)
class TrashedModel:
    """A deleted model waiting in the trash."""

    name: str  # the name it had, and gets back when restored
    deleted: str  # when it was deleted (UTC, ISO 8601 to the second)
    path: Path
    dataset: str | None  # None when the file cannot be read


def models_folder(directory: Path | None = None) -> Path:
    """Where saved models live: ``directory``, or ``MOVIEREC_HOME/models``."""
    return Path(directory) if directory is not None else paths.subdir("models")


def saved_path(name: str, directory: Path | None = None) -> Path:
    """The file of the saved model ``name``; a bad or unknown name raises an error that lists the saved ones."""
    folder = models_folder(directory)
    path = folder / f"{check_name(name)}.pt"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.pt"))) or "none"
        raise MovieRecError(f"No saved model {name!r}. Saved models: {known}.")
    return path


def rename_model(old: str, new: str, directory: Path | None = None) -> Path:
    """Give the saved model ``old`` the name ``new`` (checked like a name given at save time); returns its file.

    Raises:
        MovieRecError: ``old`` is unknown, ``new`` is not a valid name, or a model is already called ``new``.
    """
    source = saved_path(old, directory)
    target = source.with_name(f"{check_name(new)}.pt")
    try:
        claimed = paths.publish(source, target, overwrite=False)
    except OSError as exc:
        raise MovieRecError(f"Cannot rename {old!r} ({exc.strerror}); nothing was changed.") from None
    if not claimed:
        raise MovieRecError(f"A model named {new!r} already exists; choose another name.")
    try:
        source.unlink()
    except OSError as exc:  # the new name must not stay beside the old one
        target.unlink(missing_ok=True)
        raise MovieRecError(f"Cannot rename {old!r} ({exc.strerror}); nothing was changed.") from None
    return target


def delete_model(name: str, directory: Path | None = None) -> TrashedModel:
    """Move the saved model ``name`` into the trash, where no picker offers it; :func:`restore_model` undoes it."""
    source = saved_path(name, directory)
    trash = source.parent / TRASH_FOLDER
    target = trash / f"{name}{_SEPARATOR}{dt.datetime.now(dt.UTC):{_STAMP}}{_SEPARATOR}{uuid.uuid4().hex[:6]}.pt"
    try:
        trash.mkdir(exist_ok=True, mode=paths.OWNER_ONLY_DIR)
        os.replace(source, target)
    except OSError as exc:
        raise MovieRecError(f"Cannot delete {name!r} ({exc.strerror}); nothing was changed.") from None
    entry = _trashed(target)
    assert entry is not None  # the name was made above in the form _trashed reads
    return entry


def trashed_models(dataset: str | None = None, directory: Path | None = None) -> list[TrashedModel]:
    """Models in the trash (of one dataset, when given; unreadable files only without one), last deleted first."""
    found = []
    for path in (models_folder(directory) / TRASH_FOLDER).glob(f"*{_SEPARATOR}*.pt"):
        entry = _trashed(path)
        if entry is not None and (dataset is None or entry.dataset == dataset):
            found.append(entry)
    return sorted(found, key=lambda entry: entry.path.name.split(_SEPARATOR)[1], reverse=True)


def _trashed(path: Path) -> TrashedModel | None:
    name, _, rest = path.stem.partition(_SEPARATOR)
    try:
        when = dt.datetime.strptime(rest.split(_SEPARATOR)[0], _STAMP).replace(tzinfo=dt.UTC)
    except ValueError:
        return None  # not a name delete_model gives
    try:
        dataset: str | None = str(read_saved(path).get("dataset"))
    except MovieRecError:
        dataset = None
    return TrashedModel(name, when.isoformat(timespec="seconds"), path, dataset)


def restore_model(name: str, directory: Path | None = None) -> Path:
    """Put the last deleted model called ``name`` back under its name; returns its file.

    Raises:
        MovieRecError: no such model in the trash, or a model has taken the name since.
    """
    entries = trashed_models(directory=directory)
    named = [entry for entry in entries if entry.name == name]
    if not named:
        known = ", ".join(sorted({entry.name for entry in entries})) or "none"
        raise MovieRecError(f"No deleted model {name!r} in the trash. Deleted models: {known}.")
    return restore_trashed(named[0])


def restore_trashed(entry: TrashedModel) -> Path:
    """Put one trashed model back under the name it had; refused when a model has taken the name since."""
    target = entry.path.parent.parent / f"{entry.name}.pt"
    try:
        claimed = paths.publish(entry.path, target, overwrite=False)
    except OSError as exc:
        raise MovieRecError(f"Cannot restore {entry.name!r} ({exc.strerror}); it is still in the trash.") from None
    if not claimed:
        raise MovieRecError(
            f"A model named {entry.name!r} already exists; rename or delete it first, then restore this one."
        )
    with contextlib.suppress(OSError):  # a second link to the restored file left in the trash harms nothing
        entry.path.unlink()
    return target


def empty_trash(dataset: str | None = None, directory: Path | None = None) -> int:
    """Erase the trashed models (of one dataset, when given) for good; returns how many were erased."""
    entries = trashed_models(dataset, directory)
    for entry in entries:
        entry.path.unlink(missing_ok=True)
    return len(entries)
