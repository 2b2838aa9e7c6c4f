"""Load MovieLens releases from the bundled zip, the download cache or a folder of extracted files.

Releases missing from the cache are downloaded from GroupLens; the environment variable
``MOVIEREC_DOWNLOAD_URL`` replaces that base URL (``<name>.zip`` is appended), for mirrors and for tests
that serve archives from a local server. See :mod:`movierec.data.download`.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import IO

import pandas as pd

from movierec.data.cache import cache_file, has_cache, read_cache, write_cache
from movierec.data.download import MAX_UNPACKED_BYTES, Progress, download_dataset, extracted_folder
from movierec.data.frames import Dataset, fingerprint
from movierec.data.links import read_links
from movierec.data.parsers import Opener, read_100k_ratings, read_release
from movierec.data.registry import DATASETS, REQUIRED_FILES, Variant, bundled_archive, get_variant
from movierec.data.validate import check_release
from movierec.errors import MovieRecError
from movierec.paths import open_regular

FOLD_FILES_100K = tuple(f"u{fold}.{part}" for fold in range(1, 6) for part in ("base", "test"))


def load_movielens(
    name: str,
    data_dir: str | Path | None = None,
    download: bool = True,
    progress: Progress | None = None,
    parse_progress: Progress | None = None,
) -> Dataset:
    """Load a MovieLens release as a :class:`Dataset`.

    The bundled ``ml-latest-small`` loads offline from the package. Other releases come from the cache
    folder, downloaded first when missing and ``download`` is true. Parsed data is kept in a binary cache,
    so later loads are much faster.

    Args:
        name: A key of ``DATASETS``, e.g. ``"ml-latest-small"`` or ``"ml-1m"``.
        data_dir: An extracted copy to read instead: either the folder that holds the release's folder
            (``DIR/ml-1m/ratings.dat``) or the release's folder itself (``DIR/ratings.dat``).
        download: Whether a release missing from the cache may be downloaded.
        progress: Download progress callback, ``progress(bytes_done, bytes_total_or_None)``.
        parse_progress: The same for parsing a large ``ratings.csv`` when no parsed copy is cached yet.

    Raises:
        MovieRecError: Unknown name, files missing from ``data_dir``, release not downloaded while
            ``download`` is false, a failed download, or files that cannot be parsed.
    """
    variant = get_variant(name)
    if data_dir is not None:
        return _load_folder(variant, locate_files(variant, Path(data_dir)), parse_progress)
    if variant.bundled:
        return _load_bundled(variant)
    return _load_folder(variant, _cached_folder(variant, download, progress), parse_progress)


def load_100k_folds(
    data_dir_or_name: str | Path, download: bool = True, progress: Progress | None = None
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """The five fixed ml-100k folds (``u1.base``/``u1.test`` … ``u5.base``/``u5.test``).

    Args:
        data_dir_or_name: ``"ml-100k"`` to use the cache (downloading when allowed), or a folder
            holding the extracted files, in either layout :func:`load_movielens` accepts.
        download: Whether ml-100k may be downloaded when it is not cached.
        progress: Download progress callback.

    Returns:
        Five ``(train, test)`` pairs of ratings frames with the columns of ``Dataset.ratings``.
    """
    variant = get_variant("ml-100k")
    if str(data_dir_or_name) in DATASETS:
        if str(data_dir_or_name) != variant.name:
            raise MovieRecError(f"Fixed folds exist only for ml-100k, not {data_dir_or_name}.")
        folder = _cached_folder(variant, download, progress)
    else:
        folder = Path(data_dir_or_name)
    folder = locate_files(variant, folder, FOLD_FILES_100K)
    folds = []
    for fold in range(1, 6):
        with (
            _open_release_file(folder / f"u{fold}.base") as train,
            _open_release_file(folder / f"u{fold}.test") as test,
        ):
            folds.append((read_100k_ratings(train), read_100k_ratings(test)))
    return folds


def dataset_status() -> list[dict]:
    """One entry per known release, for listings and the dataset picker.

    Returns:
        Dicts with ``name``, ``description``, ``size_hint``, ``scale`` (e.g. ``"0.5–5 (half stars)"``),
        ``bundled``, ``ready`` (loadable offline now) and ``location`` (a folder path, ``"bundled"`` or
        None).
    """
    status = []
    for variant in DATASETS.values():
        folder = extracted_folder(variant)
        if variant.bundled:
            location: str | None = "bundled"
        else:
            location = str(folder) if _has_files(folder, REQUIRED_FILES[variant.format]) else None
        status.append(
            {
                "name": variant.name,
                "description": variant.description,
                "size_hint": variant.size_hint,
                "scale": variant.scale.label,
                "bundled": variant.bundled,
                "ready": location is not None,
                "location": location,
            }
        )
    return status


def locate_files(variant: Variant, data_dir: Path, required: tuple[str, ...] = ()) -> Path:
    """The folder under ``data_dir`` that holds the release's files (nested or flat layout).

    Raises:
        MovieRecError: Neither layout holds every file; the message names what is missing where.
    """
    if not data_dir.is_dir():
        raise MovieRecError(f"The data directory {data_dir} does not exist or is not a folder.")
    needed = REQUIRED_FILES[variant.format] + required
    candidates = (data_dir / variant.archive_folder, data_dir)
    for folder in candidates:
        if _has_files(folder, needed):
            return folder
    gaps = "; ".join(
        f"{folder} lacks {', '.join(f for f in needed if not (folder / f).is_file())}" for folder in candidates
    )
    raise MovieRecError(
        f"Could not find the {variant.name} files in {data_dir}: {gaps}. Point it at the folder "
        f"extracted from {variant.url}."
    )


def _has_files(folder: Path, names: tuple[str, ...]) -> bool:
    return all((folder / name).is_file() for name in names)


def _cached_folder(variant: Variant, download: bool, progress: Progress | None) -> Path:
    folder = extracted_folder(variant)
    if _has_files(folder, REQUIRED_FILES[variant.format]):
        return folder
    if not download:
        raise MovieRecError(
            f"{variant.name} ({variant.size_hint}) is not downloaded yet. Download it (for example "
            f"load_movielens({variant.name!r}, download=True), or the Download button), or extract "
            f"{variant.url} yourself and pass that folder as the data directory."
        )
    return download_dataset(variant.name, progress)


def needs_parsing(name: str, data_dir: str | Path | None = None) -> bool:
    """Whether loading ``name`` (as :func:`load_movielens` would) must parse its text files first, because
    no current parsed copy exists: at the largest releases that takes minutes, so callers show progress.

    Raises:
        MovieRecError: Unknown name, or ``data_dir`` lacks the release's files.
    """
    variant = get_variant(name)
    if data_dir is not None:
        folder = locate_files(variant, Path(data_dir))
    elif variant.bundled:
        return False  # parsed in about a second
    else:
        folder = extracted_folder(variant)
        if not _has_files(folder, REQUIRED_FILES[variant.format]):
            return False  # not downloaded: the load itself says so
    return not has_cache(cache_file(variant.name, str(folder.resolve())), _folder_key(variant, folder))


def _folder_key(variant: Variant, folder: Path) -> str:
    # Size and modification time change whenever the files are replaced or edited.
    stats = [(name, (folder / name).stat()) for name in REQUIRED_FILES[variant.format]]
    return ";".join(f"{name}:{stat.st_size}:{stat.st_mtime_ns}" for name, stat in stats)


def _load_folder(variant: Variant, folder: Path, progress: Progress | None = None) -> Dataset:
    key = _folder_key(variant, folder)
    return _load_cached(variant, str(folder.resolve()), key, lambda name: _open_release_file(folder / name), progress)


def _open_release_file(path: Path) -> IO[bytes]:
    """One of a release's files, when it is a regular file no larger than any release's unpacked size."""
    return open_regular(path, MAX_UNPACKED_BYTES, "the release file")


def _load_bundled(variant: Variant) -> Dataset:
    archive = bundled_archive(variant)
    key = hashlib.sha256(archive.read_bytes()).hexdigest()
    with zipfile.ZipFile(archive) as zf:
        return _load_cached(variant, "bundled", key, lambda name: zf.open(f"{variant.archive_folder}/{name}"))


def _load_cached(variant: Variant, source: str, key: str, opener: Opener, progress: Progress | None = None) -> Dataset:
    path = cache_file(variant.name, source)
    cached = read_cache(path, key)
    if cached is not None:
        ratings, movies, digest = cached
    else:
        try:
            ratings, movies = read_release(variant, opener, progress)
        except (ValueError, OverflowError, KeyError, IndexError, OSError, zipfile.BadZipFile) as exc:
            raise MovieRecError(
                f"Could not read {variant.name} from {source}: {exc}. The files may be damaged; "
                "download or extract them again."
            ) from exc
        check_release(variant, ratings, movies, source)
        digest = fingerprint(ratings)
        write_cache(path, key, ratings, movies, digest)
    links = read_links(variant.format, opener)  # read each load: small, and not part of the parsed copy
    return Dataset(
        name=variant.name, ratings=ratings, movies=movies, scale=variant.scale, fingerprint=digest, links=links
    )
