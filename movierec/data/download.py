"""Fetch MovieLens releases, verify them and unpack them atomically into the cache.

Archives come from GroupLens (``https://files.grouplens.org/datasets/movielens/<name>.zip``). Set the
environment variable ``MOVIEREC_DOWNLOAD_URL`` to another base URL (for example a mirror, or
``http://127.0.0.1:8000/`` in tests) and ``<name>.zip`` is fetched from there instead.

A download streams into a temporary file inside the cache folder, is checked (a readable zip holding the
files its format needs, and the md5 GroupLens publishes when there is one), unpacks into a temporary folder
and only then replaces ``<cache>/datasets/<name>`` with one rename. Any failure removes the temporary files
and leaves an earlier copy untouched.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

from movierec.data.registry import REQUIRED_FILES, Variant, bundled_archive, get_variant
from movierec.errors import MovieRecError
from movierec.paths import subdir, temp_file

log = logging.getLogger(__name__)

DOWNLOAD_URL_ENV = "MOVIEREC_DOWNLOAD_URL"
TIMEOUT_S = 30.0  # for one network read
DEADLINE_S = 3600.0  # for the whole transfer: even the largest release arrives well within it on a slow line
MAX_UNPACKED_BYTES = 4 << 30  # the largest release (ml-latest) unpacks to under 2 GB
SIZE_MARGIN = 2  # a download may be this many times the release's known size (ml-latest grows over time)
MAX_RATIO = 100  # MovieLens zips compress about 5:1; far more means a crafted archive
_CHUNK_BYTES = 1 << 18
_MD5_PATTERN = re.compile(r"\b[0-9a-fA-F]{32}\b")

Progress = Callable[[int, int | None], None]


class _DownloadFailure(Exception):
    """What went wrong, in words; turned into a :class:`MovieRecError` with the retry advice."""


def archive_url(variant: Variant) -> str:
    """The URL the release's zip is fetched from, honouring ``MOVIEREC_DOWNLOAD_URL``."""
    base = os.environ.get(DOWNLOAD_URL_ENV)
    if not base:
        return variant.url
    return f"{base.rstrip('/')}/{variant.name}.zip"


def extracted_folder(variant: Variant) -> Path:
    """Where the unpacked release lives in the cache (it may not exist yet)."""
    return subdir("datasets") / variant.name


def download_dataset(name: str, progress: Progress | None = None) -> Path:
    """Download, verify and unpack a release into the cache, replacing any earlier copy.

    The bundled release is unpacked from the package's own zip without touching the network.

    Args:
        name: A key of ``DATASETS``.
        progress: Called as ``progress(bytes_done, bytes_total)`` while bytes arrive; ``bytes_total``
            is None when the server does not announce a size. An exception raised by it cancels the
            download, leaving nothing behind.

    Returns:
        The folder holding the release's files.

    Raises:
        MovieRecError: Unknown name, or the download failed (network, HTTP status, truncated file,
            not a zip, checksum mismatch, missing files); nothing in the cache was changed.
    """
    variant = get_variant(name)
    root = subdir("datasets")
    url = str(bundled_archive(variant)) if variant.bundled else archive_url(variant)
    part = temp_file(root, name, ".zip.part")
    try:
        if variant.bundled:
            archive, digest = bundled_archive(variant), None
        else:
            archive, digest = part, _fetch(url, part, progress, download_limit(variant))
        # The archive's shape is checked first: "not a zip" says more than a checksum mismatch.
        _check_archive(archive, variant)
        if digest is not None:
            _check_md5(variant, url, digest)
        return _extract(archive, variant, root)
    except _DownloadFailure as exc:
        raise MovieRecError(
            f"Could not download {name} from {url}: {exc}. Nothing in {root} was changed; retrying is safe."
        ) from exc
    finally:
        part.unlink(missing_ok=True)


def download_limit(variant: Variant) -> int:
    """The most bytes a download of ``variant`` may bring: its known size with room for the release to grow."""
    number, unit = variant.size_hint.split()
    return int(float(number) * {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}[unit] * SIZE_MARGIN)


def _fetch(url: str, destination: Path, progress: Progress | None, limit: int) -> str:
    """Stream ``url`` into ``destination``, at most ``limit`` bytes; return the md5 of what arrived."""
    digest = hashlib.md5(usedforsecurity=False)
    done, total = 0, None
    deadline = time.monotonic() + DEADLINE_S
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, destination.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > limit:
                raise _DownloadFailure(f"the server announces {total:,} bytes, more than the release's {limit:,}")
            if progress is not None:
                progress(0, total)
            while chunk := response.read1(_CHUNK_BYTES):
                if time.monotonic() > deadline:
                    raise _DownloadFailure(
                        f"it took longer than the deadline of {DEADLINE_S:.0f} s (stopped after {done:,} bytes)"
                    )
                if done + len(chunk) > limit:  # a response that never ends would otherwise fill the disk
                    raise _DownloadFailure(f"the server sent more than the release's {limit:,} bytes; stopped there")
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    except urllib.error.HTTPError as exc:
        raise _DownloadFailure(f"the server answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise _DownloadFailure(f"the transfer failed after {done:,} bytes ({reason})") from exc
    if total is not None and done < total:
        raise _DownloadFailure(f"the transfer stopped after {done:,} of {total:,} bytes")
    return digest.hexdigest()


def _published_md5(url: str) -> str | None:
    """The checksum GroupLens publishes next to an archive, or None where there is none to fetch."""
    try:
        with urllib.request.urlopen(f"{url}.md5", timeout=TIMEOUT_S) as response:
            text = response.read(4096).decode("ascii", errors="replace")
    # No sidecar (404) or no way to reach it means "no published checksum", not a failed download.
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        log.warning("could not fetch the checksum %s.md5 (%s); the archive cannot be verified", url, exc)
        return None
    match = _MD5_PATTERN.search(text)
    return match.group(0).lower() if match else None


def _check_md5(variant: Variant, url: str, digest: str) -> None:
    expected = variant.md5 or _published_md5(url)
    if expected is None:  # GroupLens publishes one for every release, so a missing one is not trusted
        raise _DownloadFailure(
            f"its published checksum ({url}.md5) could not be fetched or read, so the archive cannot be verified"
        )
    if expected.lower() != digest:
        raise _DownloadFailure(
            f"its md5 checksum is {digest} but {expected} was expected, so the file is damaged "
            "or not the published archive"
        )


def _check_archive(archive: Path, variant: Variant) -> None:
    """Reject anything but a readable zip that holds the files the release's format needs."""
    if not zipfile.is_zipfile(archive):
        size = archive.stat().st_size
        raise _DownloadFailure(f"the {size:,} bytes received are not a zip archive")
    try:
        _check_members(archive)  # before testzip, which would unpack a crafted archive in full
        with zipfile.ZipFile(archive) as zf:
            listed = zf.namelist()
            broken = zf.testzip()
            names = set(listed)
        if len(names) < len(listed):  # which of two members with one name is unpacked is up to the unpacker
            twice = next(name for name in listed if listed.count(name) > 1)
            raise _DownloadFailure(f"the zip archive holds two files named {twice[:80]!r}")
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _DownloadFailure(f"the zip archive is damaged ({exc})") from exc
    if broken is not None:
        raise _DownloadFailure(f"{broken} inside the zip archive is damaged")
    missing = [f for f in REQUIRED_FILES[variant.format] if f"{variant.archive_folder}/{f}" not in names]
    if missing:
        raise _DownloadFailure(f"the zip archive lacks {', '.join(missing)} in its {variant.archive_folder}/ folder")


def _check_members(archive: Path) -> None:
    """Refuse members that would land outside the folder, and archives that unpack to far too much."""
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
    for info in infos:
        parts = Path(info.filename).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or ":" in info.filename:
            raise _DownloadFailure(f"the zip archive holds an unsafe path ({info.filename[:80]!r}) outside its folder")
    unpacked = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * packed:
        raise _DownloadFailure(
            f"the zip archive would unpack to {unpacked:,} bytes ({unpacked / packed:.0f} times its size), "
            f"over the limit of {MAX_UNPACKED_BYTES >> 30} GB or {MAX_RATIO} times; it is not a MovieLens release"
        )


def _extract(archive: Path, variant: Variant, root: Path) -> Path:
    """Unpack the release's folder next to the cache, then swap it into place with renames."""
    unpacked = Path(tempfile.mkdtemp(dir=root, prefix=f".{variant.name}-unpack-"))
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.namelist() if m.startswith(f"{variant.archive_folder}/")]
            zf.extractall(unpacked, members)
        target = root / variant.name
        swap_into_place(unpacked / variant.archive_folder, target)
        return target
    except (OSError, zipfile.BadZipFile) as exc:
        raise _DownloadFailure(f"unpacking failed ({exc})") from exc
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)


def swap_into_place(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new``; if the final rename fails the old copy is put back."""
    retired = None
    if target.exists():
        retired = target.with_name(f".{target.name}-old-{uuid.uuid4().hex[:8]}")
        os.rename(target, retired)
    try:
        os.rename(new, target)
    except OSError:
        if retired is not None:
            os.rename(retired, target)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
