"""Downloads against a local HTTP server: progress, verification, atomic extraction, safe failures."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from movierec.data import DATASETS, dataset_status, download_dataset, load_100k_folds, load_movielens
from movierec.errors import MovieRecError
from movierec.paths import subdir
from tests.data_fixtures import N_RATINGS, pin_md5, zip_release


def _cache_entries() -> list[str]:
    return sorted(path.name for path in subdir("datasets").iterdir())


def test_download_reports_progress_and_extracts_into_the_cache(release_server, monkeypatch):
    body = zip_release("ml-1m")
    release_server.serve("ml-1m", body)
    pin_md5(monkeypatch, "ml-1m", body)
    seen: list[tuple[int, int | None]] = []
    dataset = load_movielens("ml-1m", progress=lambda done, total: seen.append((done, total)))
    assert dataset.n_ratings == N_RATINGS
    assert seen[0] == (0, len(body)) and seen[-1] == (len(body), len(body))
    assert _cache_entries() == ["ml-1m", "parsed"]
    status = {entry["name"]: entry for entry in dataset_status()}["ml-1m"]
    assert status["ready"] and status["location"] == str(subdir("datasets") / "ml-1m")
    assert load_movielens("ml-1m", download=False).fingerprint == dataset.fingerprint


def test_archive_folder_is_renamed_to_the_release_name(release_server, monkeypatch):
    body = zip_release("ml-10m")
    release_server.serve("ml-10m", body)
    pin_md5(monkeypatch, "ml-10m", body)
    folder = download_dataset("ml-10m")
    assert folder == subdir("datasets") / "ml-10m" and (folder / "ratings.dat").is_file()


def test_100k_folds_can_be_downloaded(release_server, monkeypatch):
    body = zip_release("ml-100k")
    release_server.serve("ml-100k", body)
    pin_md5(monkeypatch, "ml-100k", body)
    assert len(load_100k_folds("ml-100k")) == 5


def test_published_md5_sidecar_is_checked(release_server):
    body = zip_release("ml-32m")
    release_server.serve("ml-32m", body)
    release_server.files["/ml-32m.zip.md5"] = f"MD5 (ml-32m.zip) = {hashlib.md5(body).hexdigest()}\n".encode()
    assert (download_dataset("ml-32m") / "ratings.csv").is_file()
    release_server.files["/ml-32m.zip.md5"] = b"MD5 (ml-32m.zip) = 00000000000000000000000000000000\n"
    with pytest.raises(MovieRecError, match="md5 checksum"):
        download_dataset("ml-32m")


def test_a_published_sidecar_checksum_is_used(release_server):
    body = zip_release("ml-latest")
    release_server.serve("ml-latest", body)
    release_server.files["/ml-latest.zip.md5"] = hashlib.md5(body).hexdigest().encode() + b"  ml-latest.zip\n"
    assert load_movielens("ml-latest").n_ratings == N_RATINGS


def test_a_missing_sidecar_checksum_is_refused_as_unverifiable(release_server):
    release_server.serve("ml-latest", zip_release("ml-latest"))
    with pytest.raises(MovieRecError, match="cannot be verified"):
        load_movielens("ml-latest")


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        (lambda s, body: s.serve("ml-1m", b"<html>Not a zip</html>"), "are not a zip archive"),
        (lambda s, body: (s.serve("ml-1m", body), s.truncated.add("/ml-1m.zip")), "stopped after"),
        (lambda s, body: s.serve("ml-1m", body[:-200]), "not a zip archive|damaged"),
        (lambda s, body: s.serve("ml-1m", zip_release("ml-1m", drop=("movies.dat",))), "lacks movies.dat"),
        (lambda s, body: None, "HTTP 404"),
    ],
)
def test_bad_downloads_are_rejected_and_leave_nothing_behind(release_server, monkeypatch, prepare, expected):
    body = zip_release("ml-1m")
    pin_md5(monkeypatch, "ml-1m", None)
    prepare(release_server, body)
    with pytest.raises(MovieRecError, match=expected) as error:
        load_movielens("ml-1m")
    assert "retrying is safe" in str(error.value)
    assert _cache_entries() == []


def test_checksum_mismatch_is_rejected(release_server, monkeypatch):
    release_server.serve("ml-1m", zip_release("ml-1m"))
    pin_md5(monkeypatch, "ml-1m", b"something else")
    with pytest.raises(MovieRecError, match="md5 checksum"):
        download_dataset("ml-1m")
    assert _cache_entries() == []


def test_failed_redownload_keeps_the_previous_copy(release_server, monkeypatch):
    body = zip_release("ml-20m")
    release_server.serve("ml-20m", body)
    pin_md5(monkeypatch, "ml-20m", body)
    first = load_movielens("ml-20m")
    release_server.serve("ml-20m", b"garbage")
    with pytest.raises(MovieRecError, match="not a zip archive"):
        download_dataset("ml-20m")
    assert _cache_entries() == ["ml-20m", "parsed"]
    again = load_movielens("ml-20m", download=False)
    pd.testing.assert_frame_equal(first.ratings, again.ratings)


def test_not_downloaded_and_download_forbidden_says_how_to_get_it():
    with pytest.raises(MovieRecError, match=r"not downloaded yet.*ml-25m\.zip"):
        load_movielens("ml-25m", download=False)
    assert not (subdir("datasets") / "ml-25m").exists()


def test_unreachable_server_fails_cleanly(monkeypatch):
    monkeypatch.setenv("MOVIEREC_DOWNLOAD_URL", "http://127.0.0.1:9/")
    with pytest.raises(MovieRecError, match=r"transfer failed.*retrying is safe"):
        download_dataset("ml-1m")
    assert _cache_entries() == []


def test_bundled_release_unpacks_without_the_network(monkeypatch):
    monkeypatch.setenv("MOVIEREC_DOWNLOAD_URL", "http://127.0.0.1:9/")
    folder = download_dataset("ml-latest-small")
    assert sorted(path.name for path in folder.iterdir())[:2] == ["README.txt", "links.csv"]
    assert load_movielens("ml-latest-small", data_dir=folder).n_ratings == 100836


def test_download_url_defaults_to_grouplens(monkeypatch):
    from movierec.data.download import archive_url

    monkeypatch.delenv("MOVIEREC_DOWNLOAD_URL", raising=False)
    assert archive_url(DATASETS["ml-1m"]) == "https://files.grouplens.org/datasets/movielens/ml-1m.zip"
    monkeypatch.setenv("MOVIEREC_DOWNLOAD_URL", "http://mirror.example/movielens")
    assert archive_url(DATASETS["ml-1m"]) == "http://mirror.example/movielens/ml-1m.zip"


def test_cancelling_from_the_progress_callback_leaves_nothing(release_server, monkeypatch):
    body = zip_release("ml-1m")
    release_server.serve("ml-1m", body)
    pin_md5(monkeypatch, "ml-1m", body)

    def cancel(done: int, total: int | None) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download_dataset("ml-1m", progress=cancel)
    assert _cache_entries() == []
